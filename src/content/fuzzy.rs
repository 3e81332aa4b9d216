//! Typo correction against the content's own vocabulary.
//!
//! A symmetric-delete index (the SymSpell idea): every vocabulary word is
//! stored under each string made by deleting up to two of its characters. A
//! typed word's own deletions then find every candidate within that edit
//! distance in a few hash look-ups; candidates are confirmed with
//! Damerau–Levenshtein (`strsim`) and the most frequent of the nearest wins.

use std::collections::HashMap;

/// Words shorter than this are never corrected (too many near neighbours).
const MIN_LEN: usize = 4;
/// Words at least this long may be two edits away; shorter ones one.
const TWO_EDITS_FROM: usize = 8;

/// Corrects a misspelt word to a vocabulary word.
pub struct Corrector {
    /// Vocabulary word → how often the content uses it.
    counts: HashMap<String, u32>,
    /// Deletion variant → vocabulary words it came from.
    deletes: HashMap<String, Vec<u32>>,
    words: Vec<String>,
}

fn deletions(word: &str, depth: usize, out: &mut Vec<String>) {
    if depth == 0 {
        return;
    }
    let chars: Vec<char> = word.chars().collect();
    for i in 0..chars.len() {
        let v: String = chars[..i].iter().chain(&chars[i + 1..]).collect();
        if !out.contains(&v) {
            deletions(&v, depth - 1, out);
            out.push(v);
        }
    }
}

fn max_edits(len: usize) -> usize {
    if len >= TWO_EDITS_FROM {
        2
    } else {
        1
    }
}

impl Corrector {
    /// Builds the index from every word the content uses (repeats count).
    pub fn new(vocabulary: impl IntoIterator<Item = String>) -> Self {
        let mut counts: HashMap<String, u32> = HashMap::new();
        for w in vocabulary {
            if w.chars().all(char::is_alphabetic) {
                *counts.entry(w).or_default() += 1;
            }
        }
        let mut words: Vec<String> = counts.keys().cloned().collect();
        words.sort();
        let mut deletes: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, w) in words.iter().enumerate() {
            let len = w.chars().count();
            if len < MIN_LEN - 1 {
                continue;
            }
            let mut vars = vec![w.clone()];
            deletions(w, max_edits(len + 1), &mut vars);
            for v in vars {
                deletes.entry(v).or_default().push(i as u32);
            }
        }
        Self { counts, deletes, words }
    }

    /// True when the word is in the vocabulary as it is.
    pub fn knows(&self, word: &str) -> bool {
        self.counts.contains_key(word)
    }

    /// The nearest vocabulary word, if one is close enough.
    pub fn correct<'a>(&'a self, word: &str) -> Option<&'a str> {
        let len = word.chars().count();
        if len < MIN_LEN || self.knows(word) || !word.chars().all(char::is_alphabetic) {
            return None;
        }
        let limit = max_edits(len);
        let mut variants = vec![word.to_string()];
        deletions(word, limit, &mut variants);
        let mut best: Option<(usize, u32, &str)> = None;
        for v in &variants {
            for &i in self.deletes.get(v).into_iter().flatten() {
                let cand = self.words[i as usize].as_str();
                // Typos rarely change the first letter; allowing that would
                // turn everyday words into domain words ("night" → "tight").
                if cand.chars().next() != word.chars().next() {
                    continue;
                }
                let d = strsim::damerau_levenshtein(word, cand);
                if d == 0 || d > limit {
                    continue;
                }
                let count = self.counts[cand];
                let better = match best {
                    None => true,
                    Some((bd, bc, bw)) => (d, std::cmp::Reverse(count), cand) < (bd, std::cmp::Reverse(bc), bw),
                };
                if better {
                    best = Some((d, count, cand));
                }
            }
        }
        best.map(|(_, _, w)| w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrector() -> Corrector {
        Corrector::new(
            ["hamstring", "hamstring", "psoas", "breathing", "lacrosse", "tingling", "hold", "often"].map(String::from),
        )
    }

    #[test]
    fn fixes_common_typos() {
        let c = corrector();
        assert_eq!(c.correct("hamstirng"), Some("hamstring"));
        assert_eq!(c.correct("hamsting"), Some("hamstring"));
        assert_eq!(c.correct("psaos"), Some("psoas"));
        assert_eq!(c.correct("lacross"), Some("lacrosse"));
        assert_eq!(c.correct("breathng"), Some("breathing"));
        assert_eq!(c.correct("oftne"), Some("often"));
    }

    #[test]
    fn leaves_known_short_and_distant_words_alone() {
        let c = corrector();
        assert_eq!(c.correct("psoas"), None);
        assert_eq!(c.correct("hod"), None);
        assert_eq!(c.correct("pizza"), None);
        assert_eq!(c.correct("basketball"), None);
        assert_eq!(c.correct("tfoen"), None, "the first letter is kept");
    }
}
