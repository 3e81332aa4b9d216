//! Message components: action rows, buttons and select menus (Discord's components reference;
//! schemas `ActionRowComponentForMessageRequest`, `ButtonComponentForMessageRequest`,
//! `StringSelectComponentForMessageRequest`).

use std::collections::HashSet;

use serde_json::Value;

use super::{boolean, int, items, join, keys, text, Problems};

/// Validates a message's `components`; returns how many top-level components there are.
pub fn components(p: &mut Problems, path: &str, v: Option<&Value>) -> usize {
    let rows = items(p, path, v, 5);
    let mut ids = HashSet::new();
    for (r, row) in rows.iter().enumerate() {
        let rp = join(path, r);
        keys(p, &rp, row, &["type", "id", "components"]);
        if row.get("type").and_then(Value::as_u64) != Some(1) {
            p.at(&join(&rp, "type"), "SIM_UNSUPPORTED_COMPONENT", "Top-level components must be action rows (type 1)");
            continue;
        }
        let children = items(p, &join(&rp, "components"), row.get("components"), 5);
        if children.is_empty() {
            p.at(&join(&rp, "components"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.");
        }
        let selects = children.iter().filter(|c| c.get("type").and_then(Value::as_u64) != Some(2)).count();
        if selects > 0 && children.len() > 1 {
            p.at(
                &join(&rp, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "A select menu must be alone in its action row",
            );
        }
        for (c, child) in children.iter().enumerate() {
            let cp = join(&rp, format!("components.{c}"));
            match child.get("type").and_then(Value::as_u64) {
                Some(2) => button(p, &cp, child),
                Some(3 | 5..=8) => select(p, &cp, child),
                _ => p.at(
                    &join(&cp, "type"),
                    "SIM_UNSUPPORTED_COMPONENT",
                    "Expected a button (2) or a select menu (3, 5-8)",
                ),
            }
            if let Some(id) = child.get("custom_id").and_then(Value::as_str) {
                if !ids.insert(id.to_owned()) {
                    p.at(
                        &join(&cp, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    );
                }
            }
        }
    }
    rows.len()
}

/// A button: style 1–5 (6 with an SKU), `custom_id` 1–100 except on link buttons, which need a
/// `url` instead; label at most 80.
fn button(p: &mut Problems, path: &str, b: &Value) {
    keys(p, path, b, &["type", "id", "custom_id", "style", "label", "disabled", "url", "sku_id", "emoji"]);
    let style = b.get("style").and_then(Value::as_u64);
    let has = |k: &str| b.get(k).is_some_and(|v| !v.is_null());
    match style {
        Some(1..=4) => {
            text(p, &join(path, "custom_id"), b.get("custom_id"), 1, 100, true);
            if has("url") {
                p.at(
                    &join(path, "url"),
                    "BUTTON_COMPONENT_URL_NOT_ALLOWED",
                    "Only link buttons (style 5) may have a url",
                );
            }
        }
        Some(5) => {
            text(p, &join(path, "url"), b.get("url"), 1, 512, true);
            if has("custom_id") {
                p.at(
                    &join(path, "custom_id"),
                    "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                    "Link buttons cannot have a custom_id",
                );
            }
        }
        Some(6) if has("sku_id") => {}
        _ => p.at(&join(path, "style"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5)."),
    }
    text(p, &join(path, "label"), b.get("label"), 0, 80, false);
    boolean(p, &join(path, "disabled"), b.get("disabled"));
    if let Some(e) = b.get("emoji").filter(|v| !v.is_null()) {
        keys(p, &join(path, "emoji"), e, &["id", "name", "animated"]);
    }
}

/// A select menu: `custom_id` 1–100, placeholder at most 150, 0–25 values, and for string selects
/// 1–25 options with labels and values of 1–100 characters.
fn select(p: &mut Problems, path: &str, s: &Value) {
    keys(
        p,
        path,
        s,
        &[
            "type",
            "id",
            "custom_id",
            "placeholder",
            "min_values",
            "max_values",
            "disabled",
            "required",
            "options",
            "default_values",
            "channel_types",
        ],
    );
    text(p, &join(path, "custom_id"), s.get("custom_id"), 1, 100, true);
    text(p, &join(path, "placeholder"), s.get("placeholder"), 0, 150, false);
    int(p, &join(path, "min_values"), s.get("min_values"), 0, 25);
    int(p, &join(path, "max_values"), s.get("max_values"), 1, 25);
    if s.get("type").and_then(Value::as_u64) == Some(3) {
        let options = items(p, &join(path, "options"), s.get("options"), 25);
        if options.is_empty() {
            p.at(&join(path, "options"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.");
        }
        for (i, o) in options.iter().enumerate() {
            let op = join(path, format!("options.{i}"));
            keys(p, &op, o, &["label", "value", "description", "default", "emoji"]);
            text(p, &join(&op, "label"), o.get("label"), 1, 100, true);
            text(p, &join(&op, "value"), o.get("value"), 1, 100, true);
            text(p, &join(&op, "description"), o.get("description"), 0, 100, false);
            boolean(p, &join(&op, "default"), o.get("default"));
        }
    }
}
