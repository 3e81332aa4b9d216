//! Turning how athletes type into index terms: words, slang and synonyms,
//! stop words, stems (Snowball English via `rust-stemmers`).
//!
//! The same pipeline runs over the FAQ content when the index is built and over
//! every question, so both sides meet on the same terms.

use rust_stemmers::{Algorithm, Stemmer};

/// Words that carry no meaning for matching. Question words that signal what
/// is asked ("long", "often", "before", "after", "need") are deliberately
/// kept.
const STOP_WORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "anything", "are", "as", "at", "be", "been", "being", "but", "by", "can",
    "could", "did", "do", "does", "doing", "for", "from", "get", "got", "had", "has", "have", "hey", "hi", "how", "i",
    "i'm", "if", "im", "in", "into", "is", "it", "it's", "its", "just", "like", "lol", "me", "my", "myself", "of",
    "ok", "okay", "on", "or", "our", "please", "pls", "plz", "really", "should", "so", "some", "supposed", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "thing", "to", "u", "um", "ur", "us",
    "was", "way", "we", "were", "what", "whats", "what's", "which", "while", "who", "why", "will", "with", "would",
    "yeah", "yo", "you", "your", "guys", "coach", "bot", "holdfast", "thx", "thanks", "tell", "know", "want", "wanna",
    "gonna", "go", "also", "kind", "sort", "one", "ones", "there's", "here", "still", "too", "very", "super", "kinda",
    "up", "make", "bit", "little", "lot", "lots", "much",
];

/// Slang, abbreviations and spelling variants, rewritten word by word before
/// stemming. The right-hand side may be several words.
const REWRITES: &[(&str, &str)] = &[
    ("hammy", "hamstring"),
    ("hammies", "hamstring"),
    ("hammys", "hamstring"),
    ("hams", "hamstring"),
    ("hamstrings", "hamstring"),
    ("hammstring", "hamstring"),
    ("hamstring's", "hamstring"),
    ("hipflexor", "hip flexor"),
    ("hipflexors", "hip flexor"),
    ("iliopsoas", "psoas"),
    ("lax", "lacrosse"),
    ("foamroll", "foam roll"),
    ("foamroller", "foam roller roll"),
    ("foamrolling", "foam rolling"),
    ("roller", "roller roll"),
    ("secs", "seconds"),
    ("sec", "seconds"),
    ("s", ""),
    ("mins", "minutes"),
    ("min", "minutes"),
    ("duration", "long"),
    ("length", "long"),
    ("breathe", "breathing"),
    ("breath", "breathing"),
    ("breaths", "breathing"),
    ("spikey", "spiky"),
    ("spikes", "spiky"),
    ("spike", "spiky"),
    ("knuckles", "knuckle"),
    ("crossfiber", "cross fiber"),
    ("crossfibre", "cross fiber"),
    ("fibre", "fiber"),
    ("fibres", "fiber"),
    ("buddy", "partner"),
    ("teammate", "partner"),
    ("teammates", "partner"),
    ("friend", "partner"),
    ("mate", "partner"),
    ("someone", "partner"),
    ("everyday", "daily"),
    ("physio", "physiotherapist professional"),
    ("physiotherapist", "professional"),
    ("pt", "professional"),
    ("doc", "doctor"),
    ("dr", "doctor"),
    ("tingly", "tingling"),
    ("tingles", "tingling"),
    ("tingle", "tingling"),
    ("numb", "tingling nerve"),
    ("numbness", "tingling nerve"),
    ("zinging", "nerve"),
    ("electric", "nerve"),
    ("stabbing", "sharp stabbing"),
    ("stab", "sharp stabbing"),
    ("knife", "sharp stabbing"),
    ("squish", "compression"),
    ("squeeze", "compression"),
    ("squeezing", "compression"),
    ("shooting", "sharp"),
    ("burny", "burning"),
    ("burns", "burning"),
    ("bruise", "bruise injured"),
    ("bruised", "bruise injured"),
    ("bruising", "bruise injured"),
    ("hurt", "hurts pain"),
    ("hurts", "pain"),
    ("hurting", "pain"),
    ("painful", "pain"),
    ("ouch", "pain"),
    ("torn", "tear"),
    ("tore", "tear"),
    ("ripped", "tear"),
    ("pulled", "pull strain"),
    ("strained", "strain"),
    ("dangerous", "safe"),
    ("risky", "safe"),
    ("workout", "training exercise"),
    ("workouts", "training exercise"),
    ("practice", "training"),
    ("practise", "training"),
    ("game", "training"),
    ("match", "training"),
    ("lifting", "training"),
    ("gym", "training"),
    ("warmup", "warm up"),
    ("pre", "before"),
    ("post", "after"),
    ("cooldown", "after"),
    ("jog", "run"),
    ("jogging", "run"),
    ("runner", "run"),
    ("runners", "run"),
    ("sprint", "run"),
    ("sprinting", "run"),
    ("sprints", "run"),
    ("newbie", "beginner"),
    ("noob", "beginner"),
    ("beginners", "beginner"),
    ("gear", "equipment"),
    ("tool", "tools equipment"),
    ("tools", "equipment"),
    ("lumbar", "lower back"),
    ("operation", "surgery"),
    ("op", "surgery"),
    ("swollen", "swelling"),
    ("inflamed", "inflammation"),
    ("kneecap", "knee"),
    ("sitting", "sit"),
    ("desk", "sit"),
    ("chair", "chair sit"),
    ("freq", "often"),
    ("frequently", "often"),
    ("wk", "week"),
    ("inhale", "breathing inhale"),
    ("inhaling", "breathing inhale"),
    ("exhale", "breathing exhale"),
    ("exhaling", "breathing exhale"),
    ("objective", "purpose"),
    ("knobbly", "spiky"),
    ("knobbley", "spiky"),
    ("nobbly", "spiky"),
    ("knobby", "spiky"),
    ("bumpy", "spiky"),
    ("prickly", "spiky"),
    ("spiked", "spiky"),
    ("hamstrng", "hamstring"),
    ("hamstrngs", "hamstring"),
];

/// Everyday names for the back of the thigh: "back of my leg", "back of the
/// thighs" become "hamstring" (after word rewrites; `me`, `ur` and the like
/// stand for "my").
const OWNERS: &[&str] = &["my", "the", "me", "your", "ur", "his", "her", "their", "one", "each"];
const LEGS: &[&str] = &["leg", "legs", "thigh", "thighs", "upper"];

fn back_of_leg(words: &[String]) -> Option<usize> {
    let w = |i: usize| words.get(i).map(String::as_str);
    if w(0) != Some("back") || w(1) != Some("of") {
        return None;
    }
    let at = if w(2).is_some_and(|x| OWNERS.contains(&x)) { 3 } else { 2 };
    let legs = w(at).is_some_and(|x| LEGS.contains(&x));
    let upper_leg = w(at) == Some("upper") && w(at + 1).is_some_and(|x| LEGS.contains(&x) && x != "upper");
    match (legs, upper_leg) {
        (_, true) => Some(at + 2),
        (true, false) => Some(at + 1),
        _ => None,
    }
}

/// Tokens of a text after rewriting: lower-case words, with apostrophes kept
/// inside words.
pub fn words(text: &str) -> Vec<String> {
    let lower = text.to_lowercase().replace(['\u{2019}', '`'], "'");
    let mut out = Vec::new();
    for raw in lower.split(|c: char| !(c.is_alphanumeric() || c == '\'')) {
        let w = raw.trim_matches('\'');
        if w.is_empty() {
            continue;
        }
        match REWRITES.iter().find(|(from, _)| *from == w) {
            Some((_, to)) => out.extend(to.split_whitespace().map(str::to_string)),
            None => out.push(w.to_string()),
        }
    }
    let mut phrased = Vec::with_capacity(out.len());
    let mut i = 0;
    while i < out.len() {
        if let Some(len) = back_of_leg(&out[i..]) {
            phrased.push("hamstring".to_owned());
            i += len;
        } else {
            phrased.push(std::mem::take(&mut out[i]));
            i += 1;
        }
    }
    phrased
}

/// Is this word one that carries no meaning here?
pub fn is_stop_word(w: &str) -> bool {
    STOP_WORDS.contains(&w)
}

/// Stems words to index terms.
pub struct Analyzer {
    stemmer: Stemmer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self { stemmer: Stemmer::create(Algorithm::English) }
    }
}

impl Analyzer {
    /// The index term of one (already rewritten, non-stop) word.
    pub fn stem(&self, word: &str) -> String {
        let w = word.trim_end_matches("'s");
        self.stemmer.stem(w).into_owned()
    }

    /// Index terms of a text: words, minus stop words, stemmed.
    pub fn terms(&self, text: &str) -> Vec<String> {
        words(text).iter().filter(|w| !is_stop_word(w)).map(|w| self.stem(w)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slang_and_plurals_meet_the_content_terms() {
        let a = Analyzer::default();
        assert_eq!(a.terms("my hammies"), a.terms("hamstring"));
        assert_eq!(a.terms("How do I breathe?"), a.terms("breathing"));
        assert_eq!(a.terms("foamroller"), a.terms("foam roller"));
        assert_eq!(a.terms("runners"), a.terms("run"));
    }

    #[test]
    fn the_back_of_the_leg_is_the_hamstring() {
        let a = Analyzer::default();
        assert_eq!(a.terms("the back of my leg"), a.terms("the hamstring"));
        assert_eq!(a.terms("back of me thighs hurt"), a.terms("hamstring hurt"));
        assert_eq!(a.terms("back of the upper leg"), a.terms("hamstring"));
        assert_eq!(a.terms("back of my knee"), vec!["back", "knee"], "the knee is not the hamstring");
        assert_eq!(a.terms("a knobbly ball"), a.terms("a spiky ball"));
    }

    #[test]
    fn stop_words_go_but_intent_words_stay() {
        let a = Analyzer::default();
        assert_eq!(a.terms("how long should I hold it"), vec!["long", "hold"]);
        assert_eq!(a.terms("how often"), vec!["often"]);
    }

    #[test]
    fn curly_apostrophes_and_punctuation_split_cleanly() {
        assert_eq!(words("what’s the psoas-smash?!"), vec!["what's", "the", "psoas", "smash"]);
    }
}
