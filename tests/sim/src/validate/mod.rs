//! Checks request bodies against Discord's documented limits and request schemas.
//!
//! Sources: Discord's developer documentation and its OpenAPI spec (the schema names are given
//! next to each key list). The key lists are copied by hand because the tests must not read the
//! spec at run time. A body that breaks a rule is answered with HTTP 400 and Discord's error shape
//! (`{"code":50035,"message":"Invalid Form Body","errors":{...}}`), and recorded as a violation.

mod commands;
mod components;
mod message;

pub use commands::commands;
pub use message::{callback, message, MessageKind};

use serde_json::{json, Map, Value};

/// One broken rule: where in the body (`embeds.0.title`), a Discord-like code, and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Dotted path of the offending value inside the body; empty for the body as a whole.
    pub path: String,
    /// Discord's error code name (`BASE_TYPE_MAX_LENGTH`, ...) or a `SIM_*` code of the simulator.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

/// Collects the problems of one body.
#[derive(Default, Debug)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Records a problem at `path`.
    pub fn at(&mut self, path: &str, code: &str, message: impl Into<String>) {
        self.0.push(Problem { path: path.to_owned(), code: code.to_owned(), message: message.into() });
    }

    /// True when no rule was broken.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Discord's 400 body for these problems.
    pub fn error_body(&self) -> Value {
        if let [only] = self.0.as_slice() {
            if only.code == "EMPTY_MESSAGE" {
                return json!({"code": 50006, "message": "Cannot send an empty message"});
            }
        }
        let mut errors = Map::new();
        for p in &self.0 {
            let mut node = &mut errors;
            for part in p.path.split('.').filter(|s| !s.is_empty()) {
                node = node.entry(part.to_owned()).or_insert_with(|| json!({})).as_object_mut().expect("object node");
            }
            let list = node.entry("_errors").or_insert_with(|| json!([]));
            list.as_array_mut().expect("array").push(json!({"code": p.code, "message": p.message}));
        }
        json!({"code": 50035, "message": "Invalid Form Body", "errors": errors})
    }
}

/// `path.key`, or `key` at the top.
pub(crate) fn join(path: &str, key: impl std::fmt::Display) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Flags every key of `obj` that is not in `allowed` (unknown keys are mistakes in our bodies).
pub(crate) fn keys(p: &mut Problems, path: &str, obj: &Value, allowed: &[&str]) {
    let Some(map) = obj.as_object() else {
        p.at(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType");
        return;
    };
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) {
            p.at(&join(path, key), "SIM_UNKNOWN_KEY", format!("`{key}` is not a documented field here"));
        }
    }
}

/// Checks an optional string's length in characters; `min > 0` also makes a present value non-empty.
pub(crate) fn text(p: &mut Problems, path: &str, v: Option<&Value>, min: usize, max: usize, required: bool) -> usize {
    match v {
        None | Some(Value::Null) => {
            if required {
                p.at(path, "BASE_TYPE_REQUIRED", "This field is required");
            }
            0
        }
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n < min || n > max {
                let msg = if min == 0 {
                    format!("Must be {max} or fewer in length.")
                } else {
                    format!("Must be between {min} and {max} in length.")
                };
                p.at(path, if min == 0 { "BASE_TYPE_MAX_LENGTH" } else { "BASE_TYPE_BAD_LENGTH" }, msg);
            }
            n
        }
        Some(_) => {
            p.at(path, "STRING_TYPE_CONVERT", "Could not interpret value as string.");
            0
        }
    }
}

/// Returns the array at `v` (empty when absent or null), flagging non-arrays and too many items.
pub(crate) fn items<'a>(p: &mut Problems, path: &str, v: Option<&'a Value>, max: usize) -> &'a [Value] {
    match v {
        None | Some(Value::Null) => &[],
        Some(Value::Array(a)) => {
            if a.len() > max {
                p.at(path, "BASE_TYPE_MAX_LENGTH", format!("Must be {max} or fewer in length."));
            }
            a
        }
        Some(_) => {
            p.at(path, "LIST_TYPE_CONVERT", "Could not interpret value as a list.");
            &[]
        }
    }
}

/// An optional integer within `lo..=hi`.
pub(crate) fn int(p: &mut Problems, path: &str, v: Option<&Value>, lo: i64, hi: i64) -> Option<i64> {
    match v {
        None | Some(Value::Null) => None,
        Some(x) => match x.as_i64() {
            Some(n) if (lo..=hi).contains(&n) => Some(n),
            Some(_) => {
                p.at(path, "NUMBER_TYPE_MAX", format!("Must be between {lo} and {hi}."));
                None
            }
            None => {
                p.at(path, "NUMBER_TYPE_COERCE", "Value is not int.");
                None
            }
        },
    }
}

/// An optional boolean.
pub(crate) fn boolean(p: &mut Problems, path: &str, v: Option<&Value>) {
    if !matches!(v, None | Some(Value::Null | Value::Bool(_))) {
        p.at(path, "BOOLEAN_TYPE_CONVERT", "Must be either true or false.");
    }
}

/// A snowflake: a string (or integer) of decimal digits.
pub(crate) fn snowflake(p: &mut Problems, path: &str, v: &Value) {
    let ok = match v {
        Value::String(s) => !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()),
        Value::Number(n) => n.is_u64(),
        _ => false,
    };
    if !ok {
        p.at(path, "NUMBER_TYPE_COERCE", format!("Value \"{v}\" is not snowflake."));
    }
}
