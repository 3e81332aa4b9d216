//! Exercise content: the model, loading and validation from TOML, rendering
//! to posts, and the FAQ search.

mod fuzzy;
mod intent;
pub mod load;
pub mod model;
mod raw;
pub mod render;
pub mod search;
pub mod text;

pub use load::{load_dir, Problem, Problems};
pub use model::{Content, Exercise, FaqEntry, Routine, RoutineStep, Topic};
pub use search::{AskResult, FaqIndex, Suggestion};
