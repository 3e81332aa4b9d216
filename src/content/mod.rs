//! Exercise content: model, loading and validation, FAQ search.
