//! What the content does not cover, so a question about it gets an honest
//! "I don't know" even when it shares words with the content: body parts no
//! exercise here works on, medication, tools the guides never mention, how
//! long an injury takes to heal, food and sleep. And input that is not a
//! question at all (empty, too long, no words).

/// Longest question answered (the `/ask` option's own limit).
pub const MAX_QUESTION: usize = 300;

/// Lower-case words of the raw question (no slang rewrites), apostrophes
/// kept inside words.
pub fn raw_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace(['\u{2019}', '`'], "'")
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\'').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether `words` contains the word sequence `pattern`; a trailing `*` on
/// a pattern word matches any word starting with it.
pub fn has(words: &[String], pattern: &[&str]) -> bool {
    let m = |p: &str, w: &str| match p.strip_suffix('*') {
        Some(prefix) => w.starts_with(prefix),
        None => p == w,
    };
    words.windows(pattern.len()).any(|win| win.iter().zip(pattern).all(|(w, p)| m(p, w)))
}

/// The first pattern of `patterns` found in `words`, as written.
pub fn first_of<'a>(words: &[String], patterns: &'a [&'a [&'a str]]) -> Option<&'a [&'a str]> {
    patterns.iter().copied().find(|p| has(words, p))
}

/// Why a question cannot be answered from the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    TooLong(usize),
    NoWords,
    BodyPart(String),
    Medication,
    Tool(String),
    Healing,
    Lifestyle,
    Logistics,
}

impl Refusal {
    /// What the athlete reads.
    pub fn message(&self) -> String {
        match self {
            Refusal::Empty => "Ask me a question in words, for example: how long do I hold the psoas smash?".into(),
            Refusal::TooLong(n) => format!(
                "That question is {n} characters long; ask it in at most {MAX_QUESTION}, one question at a time."
            ),
            Refusal::NoWords => "I can only read questions written in (English) words, for example: \
                how long do I hold the psoas smash?"
                .into(),
            Refusal::BodyPart(p) => format!(
                "I don't know: the exercises here work on the hamstrings and hip flexors, and the guides they \
                 come from say nothing about the {p}. A coach or physiotherapist can help with that."
            ),
            Refusal::Medication => "I don't know: the guides say nothing about medication or supplements. \
                Ask a doctor or pharmacist."
                .into(),
            Refusal::Tool(t) => format!(
                "I don't know: the guides here do not cover {t}. They use foam rollers, lacrosse, massage and \
                 spiky balls, a massage stick or rolling pin, or a partner's hands."
            ),
            Refusal::Healing => "I don't know: the guides do not say how long an injury takes to heal or when \
                you can go back to training. A physiotherapist or doctor can tell you."
                .into(),
            Refusal::Lifestyle => "I don't know: the guides cover recovery exercises only, not food, drink or \
                sleep."
                .into(),
            Refusal::Logistics => "I can't help with that: I know the recovery exercises, not the team's plans, \
                kit or shopping. Ask your coach or the team chat."
                .into(),
        }
    }
}

/// Body parts the exercises work on or name as a landmark.
const COVERED_PARTS: &[&[&str]] = &[
    &["hamstring*"],
    &["hammy"],
    &["hammies"],
    &["hams"],
    &["thigh*"],
    &["hip*"],
    &["psoas"],
    &["iliopsoas"],
    &["lower", "back"],
    &["low", "back"],
    &["lumbar"],
    &["leg"],
    &["legs"],
    &["biceps", "femoris"],
    &["semitendinosus"],
    &["semimembranosus"],
    &["sit", "bones"],
    &["behind", "the", "knee"],
    &["back", "of", "the", "knee"],
    &["back", "of", "my", "knee"],
    &["behind", "my", "knee"],
];

/// Body parts the content names only as landmarks or tools (keep the ball
/// off the knee, press with the hands or forearms, work toward the buttock):
/// a question about one is refused only when it names no exercise and no
/// covered body part.
const LANDMARKS: &[&str] = &["knees", "hands", "forearms", "elbows", "fingers", "buttocks", "feet", "heels", "abs"];

/// Body parts no exercise here works on: (pattern, name).
const OTHER_PARTS: &[(&[&str], &str)] = &[
    (&["shoulder*"], "shoulders"),
    (&["neck"], "neck"),
    (&["ankle*"], "ankles"),
    (&["wrist*"], "wrists"),
    (&["elbow*"], "elbows"),
    (&["chest"], "chest"),
    (&["pec"], "chest"),
    (&["pecs"], "chest"),
    (&["arm"], "arms"),
    (&["arms"], "arms"),
    (&["forearm*"], "forearms"),
    (&["foot"], "feet"),
    (&["feet"], "feet"),
    (&["plantar"], "feet"),
    (&["heel*"], "heels"),
    (&["toe"], "toes"),
    (&["toes"], "toes"),
    (&["shin*"], "shins"),
    (&["calf"], "calves"),
    (&["calves"], "calves"),
    (&["calfs"], "calves"),
    (&["achilles"], "Achilles"),
    (&["quad"], "quads"),
    (&["quads"], "quads"),
    (&["quadricep*"], "quads"),
    (&["glute*"], "glutes"),
    (&["butt"], "buttocks"),
    (&["buttock*"], "buttocks"),
    (&["bum"], "buttocks"),
    (&["groin"], "groin"),
    (&["adductor*"], "adductors"),
    (&["it", "band"], "IT band"),
    (&["itb"], "IT band"),
    (&["knee"], "knees"),
    (&["knees"], "knees"),
    (&["upper", "back"], "upper back"),
    (&["spine"], "spine"),
    (&["lat"], "lats"),
    (&["lats"], "lats"),
    (&["trap"], "traps"),
    (&["traps"], "traps"),
    (&["bicep"], "biceps"),
    (&["tricep*"], "triceps"),
    (&["abs"], "abs"),
    (&["stomach"], "abs"),
    (&["belly"], "abs"),
    (&["head"], "head"),
    (&["jaw"], "jaw"),
    (&["hand"], "hands"),
    (&["hands"], "hands"),
    (&["finger*"], "fingers"),
    (&["rib*"], "ribs"),
];

/// Tools the guides never mention: (pattern, name).
const OTHER_TOOLS: &[(&[&str], &str)] = &[
    (&["massage", "gun*"], "massage guns"),
    (&["theragun*"], "massage guns"),
    (&["hypervolt*"], "massage guns"),
    (&["percussion*"], "percussion massagers"),
    (&["vibrat*"], "vibrating tools"),
    (&["cupping"], "cupping"),
    (&["cups"], "cupping"),
    (&["kinesio*"], "taping"),
    (&["kt", "tape"], "taping"),
    (&["tape"], "taping"),
    (&["taping"], "taping"),
    (&["ice", "bath*"], "ice baths"),
    (&["epsom"], "Epsom salt baths"),
    (&["bath"], "baths"),
    (&["baths"], "baths"),
    (&["shower*"], "showers"),
    (&["cold", "plunge*"], "cold plunges"),
    (&["cryo*"], "cryotherapy"),
    (&["sauna*"], "saunas"),
    (&["hot", "tub*"], "hot tubs"),
    (&["heat", "pack*"], "heat packs"),
    (&["heating", "pad*"], "heating pads"),
    (&["ice", "pack*"], "ice packs"),
    (&["ice"], "ice"),
    (&["heat"], "heat"),
    (&["icing"], "icing"),
    (&["normatec*"], "compression boots"),
    (&["compression", "boot*"], "compression boots"),
    (&["compression", "sleeve*"], "compression sleeves"),
    (&["compression", "tights"], "compression garments"),
    (&["tens"], "TENS machines"),
    (&["electro*"], "electrical stimulation"),
    (&["e", "stim"], "electrical stimulation"),
    (&["gua", "sha"], "gua sha"),
    (&["scraping"], "scraping tools"),
    (&["graston"], "scraping tools"),
    (&["dry", "needling"], "dry needling"),
    (&["acupunct*"], "acupuncture"),
    (&["resistance", "band*"], "resistance bands"),
    (&["stretch*", "strap*"], "stretching straps"),
    (&["yoga", "block*"], "yoga blocks"),
    (&["peanut", "ball*"], "peanut balls"),
];

pub const MEDICATION: &[&[&str]] = &[
    &["ibuprofen"],
    &["advil"],
    &["motrin"],
    &["nurofen"],
    &["tylenol"],
    &["paracetamol"],
    &["acetaminophen"],
    &["aspirin"],
    &["naproxen"],
    &["aleve"],
    &["nsaid*"],
    &["painkiller*"],
    &["pain", "killer*"],
    &["pain", "meds"],
    &["medication*"],
    &["medicine*"],
    &["meds"],
    &["pill"],
    &["pills"],
    &["tablets"],
    &["voltaren"],
    &["deep", "heat"],
    &["biofreeze"],
    &["tiger", "balm"],
    &["muscle", "relaxant*"],
    &["cbd"],
    &["supplement*"],
    &["magnesium"],
    &["creatine"],
    &["steroid*"],
    &["cortisone"],
    &["arnica"],
];

const HEALING: &[&[&str]] = &[
    &["heal"],
    &["heals"],
    &["healing"],
    &["healed"],
    &["back", "to", "play*"],
    &["back", "to", "training"],
    &["back", "to", "running"],
    &["back", "to", "sport*"],
    &["back", "on", "the", "field"],
    &["return", "to", "play*"],
    &["recovery", "time"],
    &["time", "off"],
    &["be", "out", "for"],
    &["sit", "out", "for"],
    &["sit", "out", "after"],
    &["concussion*"],
    &["how", "many", "weeks"],
];

const LIFESTYLE: &[&[&str]] = &[
    &["eat"],
    &["eating"],
    &["food"],
    &["diet"],
    &["meal*"],
    &["drink"],
    &["drinking"],
    &["hydrat*"],
    &["water"],
    &["sleep*"],
    &["nap"],
    &["alcohol"],
    &["beer*"],
    &["coffee"],
    &["caffeine"],
];

/// Team plans, kit and shopping.
const LOGISTICS: &[&[&str]] = &[
    &["bring"],
    &["bringing"],
    &["borrow"],
    &["lend"],
    &["where", "can", "i", "buy"],
    &["where", "to", "buy"],
    &["where", "do", "i", "buy"],
    &["cheap*"],
    &["price*"],
    &["cost"],
    &["costs"],
    &["amazon"],
    &["brand*"],
];

/// Team plans: refused only when the question names no exercise ("after long
/// bus rides my back is stiff: would the psoas smash help?" is about it).
const PLANS: &[&[&str]] = &[
    &["monday"],
    &["tuesday"],
    &["wednesday"],
    &["thursday"],
    &["friday"],
    &["saturday"],
    &["sunday"],
    &["what", "time"],
    &["schedule"],
    &["bus"],
];

/// Input that is not a question the search can read.
pub fn bad_input(question: &str) -> Option<Refusal> {
    let q = question.trim();
    let n = q.chars().count();
    if n == 0 {
        return Some(Refusal::Empty);
    }
    if n > MAX_QUESTION {
        return Some(Refusal::TooLong(n));
    }
    if !q.chars().any(char::is_alphabetic) {
        return Some(Refusal::NoWords);
    }
    None
}

/// Activities and methods the guides do not cover.
const OTHER_METHODS: &[(&[&str], &str)] = &[
    (&["yoga"], "yoga"),
    (&["pilates"], "pilates"),
    (&["static", "stretch*"], "static stretching routines"),
    (&["dynamic", "stretch*"], "dynamic stretching routines"),
    (&["squat*"], "squats"),
    (&["deadlift*"], "deadlifts"),
    (&["bench", "press*"], "weight training"),
    (&["weights"], "weight training"),
    (&["lifting"], "weight training"),
    (&["nordic*"], "Nordic curls"),
    (&["swimming"], "swimming"),
    (&["cycling", "for", "recovery"], "cycling for recovery"),
    (&["chiropract*"], "chiropractic treatment"),
];

/// A topic the content does not cover, when the question is about one.
/// `exercise_words` are the raw words that name an exercise (they do not
/// count as a body part the content covers: "hamstring smash on my calves").
pub fn out_of_scope(words: &[String], exercise_words: &[String]) -> Option<Refusal> {
    if first_of(words, MEDICATION).is_some() {
        return Some(Refusal::Medication);
    }
    if first_of(words, LOGISTICS).is_some() {
        return Some(Refusal::Logistics);
    }
    if let Some((_, tool)) = OTHER_TOOLS.iter().find(|(p, _)| has(words, p)) {
        return Some(Refusal::Tool((*tool).to_string()));
    }
    if first_of(words, HEALING).is_some() {
        return Some(Refusal::Healing);
    }
    // "hips locked up when I squat: would the psoas smash help?" is about
    // the psoas smash; "is yoga good for recovery?" is not about anything here.
    if exercise_words.is_empty() {
        if let Some((_, method)) = OTHER_METHODS.iter().find(|(p, _)| has(words, p)) {
            return Some(Refusal::Tool((*method).to_string()));
        }
        if first_of(words, PLANS).is_some() {
            return Some(Refusal::Logistics);
        }
    }
    let rest: Vec<String> = words.iter().filter(|w| !exercise_words.contains(w)).cloned().collect();
    let covered = COVERED_PARTS.iter().any(|p| has(&rest, p));
    // "behind the knee" is a landmark the content does talk about.
    let at_landmark = COVERED_PARTS.iter().any(|p| has(words, p) && p.len() > 2);
    if !covered && !at_landmark {
        let named = !exercise_words.is_empty();
        let part =
            OTHER_PARTS.iter().filter(|(_, name)| !(named && LANDMARKS.contains(name))).find(|(p, _)| has(words, p));
        if let Some((_, part)) = part {
            return Some(Refusal::BodyPart((*part).to_string()));
        }
    }
    if first_of(words, LIFESTYLE).is_some() {
        return Some(Refusal::Lifestyle);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oos(q: &str) -> Option<Refusal> {
        out_of_scope(&raw_words(q), &[])
    }

    #[test]
    fn other_body_parts_tools_drugs_and_healing_are_refused() {
        assert_eq!(oos("can i roll my calves with the foam roller"), Some(Refusal::BodyPart("calves".into())));
        assert_eq!(oos("is a theragun better than a lacrosse ball"), Some(Refusal::Tool("massage guns".into())));
        assert_eq!(oos("should i take ibuprofen before rolling"), Some(Refusal::Medication));
        assert_eq!(oos("how long till a pulled hammy heals"), Some(Refusal::Healing));
    }

    #[test]
    fn covered_parts_and_landmarks_are_not_refused() {
        assert_eq!(oos("how long do i roll my hamstrings"), None);
        assert_eq!(oos("can the ball go behind the knee"), None);
        assert_eq!(oos("psoas smash for my lower back"), None);
    }

    #[test]
    fn an_exercise_name_is_not_a_covered_body_part() {
        let words = raw_words("can i do the hamstring smash on my calves");
        let named: Vec<String> = vec!["hamstring".into(), "smash".into()];
        assert_eq!(out_of_scope(&words, &named), Some(Refusal::BodyPart("calves".into())));
        // A landmark of a named exercise is not a topic of its own.
        let words = raw_words("knee angle for the hamstring smash");
        assert_eq!(out_of_scope(&words, &named), None);
        assert_eq!(oos("my knee hurts after running"), Some(Refusal::BodyPart("knees".into())));
    }

    #[test]
    fn bad_input_gets_a_reason() {
        assert_eq!(bad_input("   "), Some(Refusal::Empty));
        assert_eq!(bad_input("🤔🤔🤔"), Some(Refusal::NoWords));
        assert_eq!(bad_input(&"a".repeat(301)), Some(Refusal::TooLong(301)));
        assert_eq!(bad_input("how long?"), None);
    }
}
