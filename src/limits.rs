//! Discord's limits, in one place: what Discord rejects. Everything a user
//! sees is cut or split to these on purpose (src/content/render.rs has the
//! helpers), never sent too long.

/// Characters of a message's content.
pub const MESSAGE_CONTENT: usize = 2000;
/// Embed title, description, field name and value, footer, and all of an
/// embed's text together.
pub const EMBED_TITLE: usize = 256;
pub const EMBED_DESCRIPTION: usize = 4096;
pub const EMBED_FIELD_NAME: usize = 256;
pub const EMBED_FIELD_VALUE: usize = 1024;
pub const EMBED_FOOTER: usize = 2048;
pub const EMBED_TOTAL: usize = 6000;
/// Fields of one embed.
pub const EMBED_FIELDS: usize = 25;
/// Autocomplete choices per response, and a choice's name and value.
pub const AUTOCOMPLETE_CHOICES: usize = 25;
pub const CHOICE_NAME: usize = 100;
/// A component's custom id, a button's label, buttons in one action row.
pub const CUSTOM_ID: usize = 100;
pub const BUTTON_LABEL: usize = 80;
pub const BUTTONS_PER_ROW: usize = 5;
/// A message nonce.
pub const NONCE: usize = 25;

/// A modal's title.
pub const MODAL_TITLE: usize = 45;
/// A text input's placeholder.
pub const INPUT_PLACEHOLDER: usize = 100;

/// A scheduled event's name.
pub const EVENT_NAME: usize = 100;
/// A scheduled event's description.
pub const EVENT_DESCRIPTION: usize = 1000;
/// An external scheduled event's location.
pub const EVENT_LOCATION: usize = 100;
