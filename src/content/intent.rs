//! What kind of thing a question asks, whatever its words: how long, how
//! often, what it is for, what it needs, how to do it, how to breathe, whether
//! it is safe, what to do when it hurts.
//!
//! The same detection runs over the FAQ questions (when the index is built)
//! and over the athlete's question, and each kind found becomes one extra
//! index term (`_long`, `_often`, ...). "What's the point of the spiky ball"
//! and "What is the spiky ball release for?" then share `_purpose` although
//! they share no word. Nothing here names a content file or entry.

/// One kind of question and the word sequences that signal it.
struct Intent {
    term: &'static str,
    /// Each trigger is a sequence of words that must appear in order,
    /// adjacent; a trailing `*` matches any word starting with the prefix.
    triggers: &'static [&'static [&'static str]],
}

const INTENTS: &[Intent] = &[
    Intent {
        term: "_long",
        triggers: &[
            &["how", "long"],
            &["seconds"],
            &["minutes"],
            &["long"],
            &["per", "leg"],
            &["per", "side"],
            &["each", "side"],
            &["each", "leg"],
            &["how", "much", "time"],
            &["stay", "on"],
        ],
    },
    Intent {
        term: "_often",
        triggers: &[
            &["how", "often"],
            &["often"],
            &["daily"],
            &["every", "day"],
            &["every", "single", "day"],
            &["each", "day"],
            &["times", "a", "week"],
            &["days", "a", "week"],
            &["per", "week"],
            &["a", "week"],
            &["how", "many", "times"],
            &["how", "many", "days"],
            &["frequency"],
        ],
    },
    Intent {
        term: "_purpose",
        triggers: &[
            &["good", "for"],
            &["used", "for"],
            &["for", "?"],
            &["what's", "the", "point"],
            &["whats", "the", "point"],
            &["point", "of", "the"],
            &["point", "of", "it"],
            &["point", "of", "doing"],
            &["purpose"],
            &["benefit*"],
            &["fix"],
            &["fixes"],
            &["do", "for"],
            &["does", "it", "do"],
            &["what", "does"],
            &["supposed", "to", "do"],
            &["help", "with"],
            &["helps", "with"],
            &["worth"],
            &["bother"],
            &["why", "do"],
            &["why", "should"],
            &["actually", "doing"],
            &["actually", "do"],
            &["even", "do"],
            &["that", "for"],
            &["it", "for"],
            &["this", "for"],
            &["what", "is", "it"],
            &["does", "that", "do"],
        ],
    },
    Intent {
        term: "_need",
        triggers: &[
            &["need"],
            &["needs"],
            &["equipment"],
            &["instead"],
            &["substitute"],
            &["replace"],
            &["without"],
            &["don't", "have"],
            &["dont", "have"],
            &["no", "lacrosse"],
            &["buy"],
            &["what", "kind", "of", "ball"],
            &["what", "ball"],
            &["which", "ball"],
            &["anything", "else"],
            &["can", "i", "use"],
            &["could", "i", "use"],
            &["tennis", "ball"],
            &["something", "else"],
        ],
    },
    Intent {
        term: "_howto",
        triggers: &[
            &["how", "do", "i", "do"],
            &["how", "to", "do"],
            &["how", "do", "you", "do"],
            &["steps"],
            &["step", "by", "step"],
            &["technique"],
            &["form"],
            &["properly"],
            &["right", "way"],
            &["correctly"],
            &["set", "up"],
            &["walk", "me", "through"],
            &["what", "do", "i", "do"],
            &["what", "do", "i", "actually", "do"],
            &["what", "am", "i", "doing"],
            &["which", "way"],
            &["which", "direction"],
            &["where", "do", "i"],
            &["what", "then"],
            &["what", "next"],
            &["do", "with", "it"],
            &["how", "does", "it", "go"],
            &["how", "does", "the", "one", "go"],
            &["how", "do", "you"],
        ],
    },
    Intent {
        term: "_pace",
        triggers: &[
            &["fast"],
            &["faster"],
            &["slow"],
            &["slowly"],
            &["slower"],
            &["speed"],
            &["pace"],
            &["quick"],
            &["quickly"],
            &["rush*"],
        ],
    },
    Intent { term: "_breath", triggers: &[&["breath*"], &["inhale"], &["exhale"]] },
    Intent {
        term: "_pressure",
        triggers: &[
            &["pressure"],
            &["how", "hard"],
            &["too", "hard"],
            &["firm*"],
            &["intens*"],
            &["bodyweight"],
            &["body", "weight"],
            &["full", "weight"],
            &["my", "weight"],
            &["your", "weight"],
            &["press", "harder"],
            &["lighter"],
            &["gentl*"],
        ],
    },
    Intent {
        term: "_sides",
        triggers: &[
            &["both", "legs"],
            &["both", "sides"],
            &["other", "leg"],
            &["other", "side"],
            &["switch*"],
            &["swap*"],
            &["change", "legs"],
            &["change", "sides"],
            &["one", "side"],
            &["one", "leg"],
            &["each", "leg"],
            &["each", "side"],
        ],
    },
    Intent {
        term: "_position",
        triggers: &[
            &["position"],
            &["positioned"],
            &["sitting", "or"],
            &["or", "sitting"],
            &["lying", "or"],
            &["or", "lying"],
            &["how", "do", "i", "sit"],
            &["how", "should", "i", "sit"],
            &["how", "i", "sit"],
            &["how", "do", "i", "lie"],
            &["how", "do", "i", "lay"],
            &["face", "down"],
            &["face", "up"],
            &["on", "my", "stomach"],
            &["on", "my", "front"],
            &["where", "do", "i", "put"],
            &["where", "does", "the"],
            &["where", "exactly"],
            &["where", "should", "the"],
            &["where", "should", "i", "put"],
            &["placement"],
            &["first", "position"],
            &["start", "position"],
            &["starting", "position"],
            &["set", "up"],
        ],
    },
    Intent {
        term: "_safe",
        triggers: &[
            &["safe"],
            &["safety"],
            &["avoid"],
            &["should", "not"],
            &["shouldn't"],
            &["not", "do"],
            &["hernia"],
            &["surgery"],
            &["injur*"],
            &["tear"],
            &["swelling"],
            &["inflammation"],
            &["condition"],
            &["contraindicat*"],
            &["allowed"],
        ],
    },
    Intent {
        term: "_hurt",
        triggers: &[&["hurts"], &["pain"], &["too", "hard"], &["too", "much", "pressure"], &["ouch"]],
    },
];

fn word_matches(pattern: &str, word: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => pattern == word,
    }
}

/// The intent terms of a text, given its rewritten words (see
/// [`super::text::words`]) and whether it ended with a question mark
/// (`for?` signals "what is it for").
pub fn intents(words: &[String], ends_with_question: bool) -> Vec<&'static str> {
    let mut seq: Vec<&str> = words.iter().map(String::as_str).collect();
    if ends_with_question {
        seq.push("?");
    }
    INTENTS
        .iter()
        .filter(|intent| {
            intent.triggers.iter().any(|t| {
                seq.windows(t.len()).any(|w| w.iter().zip(t.iter()).all(|(word, pat)| word_matches(pat, word)))
            })
        })
        .map(|i| i.term)
        .collect()
}

/// Intent terms of a raw text.
pub fn of_text(text: &str) -> Vec<&'static str> {
    let trimmed = text.trim_end();
    let ends = trimmed.ends_with('?') || !trimmed.ends_with(['.', '!']);
    intents(&super::text::words(text), ends)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_words_same_question_kind() {
        assert_eq!(of_text("What is the spiky ball release for?"), vec!["_purpose"]);
        assert_eq!(of_text("point of the spikey ball thing on hammies?"), vec!["_purpose"]);
        assert_eq!(of_text("how long do i stay on it"), vec!["_long"]);
        assert_eq!(of_text("can i do it every day??"), vec!["_often"]);
        assert_eq!(of_text("How should I breathe?"), vec!["_breath"]);
        assert!(of_text("no lax ball, anything else work").contains(&"_need"));
    }

    #[test]
    fn a_plain_statement_has_no_intent() {
        assert!(of_text("gg everyone.").is_empty());
    }
}
