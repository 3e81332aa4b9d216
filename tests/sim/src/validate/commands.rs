//! Application command registration (`PUT/POST .../commands`; schemas
//! `ApplicationCommandUpdateRequest` and the `ApplicationCommand*Option` family, plus `nsfw`,
//! which the docs list and serenity always sends but the spec omits).

use std::collections::HashSet;

use serde_json::Value;

use super::{boolean, int, items, join, keys, text, Problems};

const COMMAND_KEYS: &[&str] = &[
    "name",
    "name_localizations",
    "description",
    "description_localizations",
    "options",
    "default_member_permissions",
    "dm_permission",
    "contexts",
    "integration_types",
    "handler",
    "type",
    "id",
    "nsfw",
];

const OPTION_KEYS: &[&str] = &[
    "type",
    "name",
    "name_localizations",
    "description",
    "description_localizations",
    "required",
    "autocomplete",
    "min_length",
    "max_length",
    "choices",
    "min_value",
    "max_value",
    "channel_types",
    "options",
];

/// True when `name` matches `^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$` and has no upper case.
pub fn valid_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=32).contains(&n)
        && name.chars().all(|c| {
            matches!(c, '-' | '_' | '\'' | '\u{0900}'..='\u{097F}' | '\u{0E00}'..='\u{0E7F}')
                || c.is_alphabetic()
                || c.is_numeric()
        })
        && !name.chars().any(char::is_uppercase)
}

/// Validates a bulk registration (`PUT`, an array) or a single command (`POST`, an object).
pub fn commands(p: &mut Problems, body: &Value) {
    if body.is_object() {
        command(p, "", body);
        return;
    }
    let list = items(p, "", Some(body), 130);
    let mut seen = HashSet::new();
    let mut per_type = [0usize; 5];
    for (i, c) in list.iter().enumerate() {
        let kind = command(p, &i.to_string(), c);
        per_type[kind.min(4) as usize] += 1;
        let name = c.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        if !seen.insert((kind, name.clone())) {
            p.at(
                &join(&i.to_string(), "name"),
                "APPLICATION_COMMAND_ALREADY_EXISTS",
                format!("Command name `{name}` is already used"),
            );
        }
    }
    if per_type[1] > 100 {
        p.at("", "APPLICATION_COMMANDS_CHAT_INPUT_LIMIT", "At most 100 chat input commands");
    }
    if per_type[2] > 15 || per_type[3] > 15 {
        p.at("", "APPLICATION_COMMANDS_CONTEXT_MENU_LIMIT", "At most 15 user and 15 message commands");
    }
}

/// One command; returns its type (1 chat input, 2 user, 3 message, 4 entry point).
fn command(p: &mut Problems, path: &str, c: &Value) -> u64 {
    keys(p, path, c, COMMAND_KEYS);
    let kind = int(p, &join(path, "type"), c.get("type"), 1, 4).unwrap_or(1) as u64;
    let name = c.get("name").and_then(Value::as_str);
    if kind == 1 {
        if !name.is_some_and(valid_name) {
            p.at(
                &join(path, "name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                format!("Command name {name:?} is invalid (1-32 lower-case letters, digits, - _ ')"),
            );
        }
        text(p, &join(path, "description"), c.get("description"), 1, 100, true);
    } else {
        text(p, &join(path, "name"), c.get("name"), 1, 32, true);
        if c.get("description").and_then(Value::as_str).is_some_and(|d| !d.is_empty()) {
            p.at(
                &join(path, "description"),
                "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                "Context menu commands cannot have a description",
            );
        }
    }
    localizations(p, path, c);
    if let Some(perms) = c.get("default_member_permissions").filter(|v| !v.is_null()) {
        let ok = perms.as_u64().is_some() || perms.as_str().is_some_and(|s| s.parse::<u64>().is_ok());
        if !ok {
            p.at(
                &join(path, "default_member_permissions"),
                "NUMBER_TYPE_COERCE",
                "Permissions must be a bit set as a decimal string",
            );
        }
    }
    boolean(p, &join(path, "dm_permission"), c.get("dm_permission"));
    boolean(p, &join(path, "nsfw"), c.get("nsfw"));
    for (key, hi) in [("contexts", 2), ("integration_types", 1)] {
        for (i, v) in items(p, &join(path, key), c.get(key), 3).iter().enumerate() {
            int(p, &join(path, format!("{key}.{i}")), Some(v), 0, hi);
        }
    }
    let opts = items(p, &join(path, "options"), c.get("options"), 25);
    if kind != 1 && !opts.is_empty() {
        p.at(&join(path, "options"), "SIM_OPTIONS_NOT_ALLOWED", "Only chat input commands have options");
    }
    options(p, &join(path, "options"), opts, 0);
    let size = name.map_or(0, |n| n.chars().count()) + chars_of(c.get("description")) + option_chars(opts);
    if size > 4000 {
        p.at(path, "APPLICATION_COMMAND_TOO_LARGE", format!("Command is {size} characters; the limit is 4000"));
    }
    kind
}

/// Checks a list of options at `depth` (0: the command's, 1: in a subcommand or group, 2: in a
/// subcommand of a group).
fn options(p: &mut Problems, path: &str, opts: &[Value], depth: usize) {
    let mut names = HashSet::new();
    let mut optional_seen = false;
    let subs = opts.iter().filter(|o| matches!(o.get("type").and_then(Value::as_u64), Some(1 | 2))).count();
    if subs > 0 && subs != opts.len() {
        p.at(
            path,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Subcommands and groups cannot be mixed with other options",
        );
    }
    for (i, o) in opts.iter().enumerate() {
        let op = join(path, i);
        keys(p, &op, o, OPTION_KEYS);
        let kind = o.get("type").and_then(Value::as_u64).unwrap_or(0);
        if !(1..=11).contains(&kind) {
            p.at(&join(&op, "type"), "BASE_TYPE_CHOICES", "Option type must be 1-11");
        }
        let name = o.get("name").and_then(Value::as_str);
        if !name.is_some_and(valid_name) {
            p.at(&join(&op, "name"), "APPLICATION_COMMAND_INVALID_NAME", format!("Option name {name:?} is invalid"));
        } else if !names.insert(name.unwrap_or_default()) {
            p.at(&join(&op, "name"), "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS", "Option names must be unique");
        }
        text(p, &join(&op, "description"), o.get("description"), 1, 100, true);
        localizations(p, &op, o);
        let required = o.get("required").and_then(Value::as_bool).unwrap_or(false);
        if kind > 2 {
            if required && optional_seen {
                p.at(
                    &join(&op, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                );
            }
            optional_seen |= !required;
        }
        option_fields(p, &op, o, kind);
        let children = items(p, &join(&op, "options"), o.get("options"), 25);
        let nested_ok = match kind {
            1 => depth < 2 && children.iter().all(|c| c.get("type").and_then(Value::as_u64).is_some_and(|t| t > 2)),
            2 => {
                depth == 0
                    && !children.is_empty()
                    && children.iter().all(|c| c.get("type").and_then(Value::as_u64) == Some(1))
            }
            _ => children.is_empty(),
        };
        if !nested_ok {
            p.at(
                &join(&op, "options"),
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "Invalid nesting: groups hold subcommands, subcommands hold plain options",
            );
        }
        options(p, &join(&op, "options"), children, depth + 1);
    }
}

/// Type-specific fields of one option: choices, autocomplete, ranges, lengths, channel types.
fn option_fields(p: &mut Problems, op: &str, o: &Value, kind: u64) {
    let set = |k: &str| match o.get(k) {
        None | Some(Value::Null | Value::Bool(false)) => false,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    };
    let choices = items(p, &join(op, "choices"), o.get("choices"), 25);
    for (i, ch) in choices.iter().enumerate() {
        let cp = join(op, format!("choices.{i}"));
        keys(p, &cp, ch, &["name", "name_localizations", "value"]);
        text(p, &join(&cp, "name"), ch.get("name"), 1, 100, true);
        let v = ch.get("value");
        let ok = match kind {
            3 => v.is_some_and(Value::is_string),
            4 => v.and_then(Value::as_i64).is_some_and(|n| n.unsigned_abs() <= 1 << 53),
            10 => v.is_some_and(Value::is_number),
            _ => true,
        };
        if !ok {
            p.at(&join(&cp, "value"), "BASE_TYPE_REQUIRED", "Choice value does not match the option type");
        }
        if kind == 3 {
            text(p, &join(&cp, "value"), v, 0, 100, true);
        }
    }
    let allowed: &[(&str, &[u64])] = &[
        ("choices", &[3, 4, 10]),
        ("autocomplete", &[3, 4, 10]),
        ("min_value", &[4, 10]),
        ("max_value", &[4, 10]),
        ("min_length", &[3]),
        ("max_length", &[3]),
        ("channel_types", &[7]),
        ("options", &[1, 2]),
    ];
    for (key, kinds) in allowed {
        if set(key) && !kinds.contains(&kind) {
            p.at(&join(op, key), "SIM_FIELD_NOT_ALLOWED", format!("`{key}` is not allowed on option type {kind}"));
        }
    }
    if set("autocomplete") && !choices.is_empty() {
        p.at(
            &join(op, "autocomplete"),
            "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_CHOICES",
            "Autocomplete cannot be used with choices",
        );
    }
    int(p, &join(op, "min_length"), o.get("min_length"), 0, 6000);
    int(p, &join(op, "max_length"), o.get("max_length"), 1, 6000);
    boolean(p, &join(op, "required"), o.get("required"));
    boolean(p, &join(op, "autocomplete"), o.get("autocomplete"));
}

/// `name_localizations` values follow the name rules; `description_localizations` are 1–100.
fn localizations(p: &mut Problems, path: &str, o: &Value) {
    if let Some(map) = o.get("name_localizations").and_then(Value::as_object) {
        for (locale, v) in map {
            if !v.as_str().is_some_and(valid_name) {
                p.at(
                    &join(path, format!("name_localizations.{locale}")),
                    "APPLICATION_COMMAND_INVALID_NAME",
                    "Invalid localized name",
                );
            }
        }
    }
    if let Some(map) = o.get("description_localizations").and_then(Value::as_object) {
        for (locale, v) in map {
            text(p, &join(path, format!("description_localizations.{locale}")), Some(v), 1, 100, true);
        }
    }
}

fn chars_of(v: Option<&Value>) -> usize {
    v.and_then(Value::as_str).map_or(0, |s| s.chars().count())
}

/// Characters of names, descriptions and choice values below a command (the 4000 limit).
fn option_chars(opts: &[Value]) -> usize {
    opts.iter()
        .map(|o| {
            let choices: usize = o.get("choices").and_then(Value::as_array).map_or(0, |cs| {
                cs.iter().map(|c| chars_of(c.get("name")) + c.get("value").map_or(0, |v| v.to_string().len())).sum()
            });
            chars_of(o.get("name"))
                + chars_of(o.get("description"))
                + choices
                + o.get("options").and_then(Value::as_array).map_or(0, |a| option_chars(a))
        })
        .sum()
}
