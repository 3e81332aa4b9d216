//! Safety questions get safety answers. A question that asks whether an
//! exercise is all right given a condition, injury or situation is answered
//! from that exercise's restrictions: the matching one when the content lists
//! it, and otherwise a plain "the guides do not cover that; if in doubt ask a
//! professional first", followed by what the restrictions are. Symptoms
//! during an exercise (numbness, tingling, sharp pain) go to its stop signs.
//! Never a benefit answer.

use super::super::model::Exercise;
use super::super::text::Analyzer;
use super::scope::{first_of, has, raw_words};

/// Conditions, injuries and situations: (pattern, how to name it).
const CONDITIONS: &[(&[&str], &str)] = &[
    (&["asthma*"], "asthma"),
    (&["diabet*"], "diabetes"),
    (&["blood", "pressure"], "blood pressure problems"),
    (&["hypertension"], "high blood pressure"),
    (&["heart", "condition*"], "heart conditions"),
    (&["heart", "problem*"], "heart conditions"),
    (&["heart", "issue*"], "heart conditions"),
    (&["heart", "disease"], "heart conditions"),
    (&["heart", "attack"], "heart conditions"),
    (&["pacemaker*"], "a pacemaker"),
    (&["pregnan*"], "pregnancy"),
    (&["surgery"], "surgery"),
    (&["surgeries"], "surgery"),
    (&["operation"], "surgery"),
    (&["operated"], "surgery"),
    (&["op"], "surgery"),
    (&["hernia*"], "a hernia"),
    (&["injur*"], "injuries"),
    (&["torn"], "a tear"),
    (&["tear"], "a tear"),
    (&["tore"], "a tear"),
    (&["strain*"], "a strain"),
    (&["pulled"], "a strain"),
    (&["sprain*"], "a sprain"),
    (&["fractur*"], "a fracture"),
    (&["broken"], "a fracture"),
    (&["broke"], "a fracture"),
    (&["inflam*"], "inflammation"),
    (&["swell*"], "swelling"),
    (&["swollen"], "swelling"),
    (&["circulat*"], "circulation problems"),
    (&["varicose"], "varicose veins"),
    (&["clot*"], "blood clots"),
    (&["dvt"], "blood clots"),
    (&["thromb*"], "blood clots"),
    (&["blood", "thinner*"], "blood thinners"),
    (&["arthritis"], "arthritis"),
    (&["osteopor*"], "osteoporosis"),
    (&["sciatica"], "sciatica"),
    (&["disc"], "a disc problem"),
    (&["slipped"], "a disc problem"),
    (&["herniated"], "a herniated disc"),
    (&["cancer"], "cancer"),
    (&["tumour*"], "a tumour"),
    (&["tumor*"], "a tumour"),
    (&["epilep*"], "epilepsy"),
    (&["seizure*"], "seizures"),
    (&["infection"], "an infection"),
    (&["fever"], "a fever"),
    (&["flu"], "the flu"),
    (&["a", "cold"], "a cold"),
    (&["cold"], "a cold"),
    (&["bp"], "blood pressure problems"),
    (&["hurt", "my"], "an injury"),
    (&["injured", "my"], "an injury"),
    (&["tweaked"], "an injury"),
    (&["banged"], "an injury"),
    (&["knocked"], "an injury"),
    (&["took", "a", "knock"], "an injury"),
    (&["dead", "leg"], "an injury"),
    (&["corked"], "an injury"),
    (&["sick"], "being ill"),
    (&["ill"], "being ill"),
    (&["illness"], "being ill"),
    (&["migraine*"], "migraines"),
    (&["concussion*"], "concussion"),
    (&["replacement"], "a joint replacement"),
    (&["implant*"], "an implant"),
    (&["stitches"], "stitches"),
    (&["wound*"], "a wound"),
    (&["rash"], "a rash"),
    (&["eczema"], "eczema"),
    (&["psoriasis"], "psoriasis"),
    (&["bruis*"], "bruising"),
    (&["tendin*"], "tendon problems"),
    (&["tendon*"], "tendon problems"),
    (&["tendon*"], "tendon problems"),
    (&["ligament*"], "ligament problems"),
    (&["acl"], "an ACL injury"),
    (&["mcl"], "an MCL injury"),
    (&["meniscus"], "a meniscus injury"),
    (&["bursitis"], "bursitis"),
    (&["gout"], "gout"),
    (&["neuropathy"], "neuropathy"),
    (&["nerve", "damage"], "nerve damage"),
    (&["hypermobil*"], "hypermobility"),
    (&["elderly"], "age"),
    (&["rehab*"], "rehab"),
    (&["chemo*"], "chemotherapy"),
    (&["covid*"], "an illness such as COVID"),
    (&["virus"], "an illness"),
    (&["had", "a", "baby"], "a recent birth"),
    (&["gave", "birth"], "a recent birth"),
    (&["postpartum"], "a recent birth"),
    (&["kidney*"], "kidney problems"),
    (&["stent*"], "a stent"),
    (&["pacemaker*"], "a pacemaker"),
    (&["raynaud*"], "Raynaud's"),
    (&["lupus"], "lupus"),
    (&["fibromyalgia"], "fibromyalgia"),
    (&["splints"], "shin splints"),
    (&["bruised"], "bruising"),
    (&["scoliosis"], "scoliosis"),
    (&["stenosis"], "spinal stenosis"),
    (&["spondyl*"], "a spine condition"),
    (&["kyphosis"], "a spine condition"),
    (&["lordosis"], "a spine condition"),
    (&["bulging"], "a disc problem"),
    (&["osteoarthritis"], "arthritis"),
    (&["rheumat*"], "rheumatic conditions"),
    (&["sclerosis"], "multiple sclerosis"),
    (&["parkinson*"], "Parkinson's"),
    (&["stroke"], "a stroke"),
    (&["anemi*"], "anaemia"),
    (&["anaemi*"], "anaemia"),
    (&["hemophilia"], "a bleeding disorder"),
    (&["haemophilia"], "a bleeding disorder"),
    (&["bleeding"], "a bleeding disorder"),
    (&["thyroid"], "thyroid problems"),
    (&["angina"], "a heart condition"),
    (&["arrhythmia"], "a heart condition"),
    (&["copd"], "a lung condition"),
    (&["bronchitis"], "a lung condition"),
    (&["pneumonia"], "a lung condition"),
    (&["crohn*"], "Crohn's disease"),
    (&["colitis"], "colitis"),
    (&["ibs"], "IBS"),
    (&["endometriosis"], "endometriosis"),
    (&["cyst*"], "a cyst"),
    (&["appendix"], "appendix problems"),
    (&["appendectomy"], "surgery"),
    (&["caesarean"], "a caesarean section"),
    (&["cesarean"], "a caesarean section"),
    (&["c", "section"], "a caesarean section"),
    (&["gallbladder"], "gallbladder problems"),
    (&["liver"], "liver problems"),
    (&["hepatitis"], "hepatitis"),
    (&["hiv"], "HIV"),
    (&["lymph*"], "lymphatic problems"),
    (&["cellulitis"], "a skin infection"),
    (&["shingles"], "shingles"),
    (&["insulin"], "diabetes"),
    (&["impingement"], "an impingement"),
    (&["labral"], "a labral tear"),
    (&["labrum"], "a labral tear"),
    (&["piriformis"], "piriformis syndrome"),
    (&["sciatic*"], "sciatica"),
    (&["pinched"], "a pinched nerve"),
    (&["diabetic"], "diabetes"),
    (&["breastfeeding"], "breastfeeding"),
    (&["menopaus*"], "menopause"),
    (&["osteopenia"], "low bone density"),
    (&["ehlers*"], "hypermobility"),
    (&["marfan*"], "Marfan syndrome"),
    (&["sickle"], "sickle cell disease"),
    (&["phlebitis"], "phlebitis"),
    (&["leukemia"], "leukaemia"),
    (&["leukaemia"], "leukaemia"),
    (&["radiation"], "radiation treatment"),
    (&["radiotherapy"], "radiation treatment"),
    (&["sunburn*"], "sunburn"),
    (&["skin"], "a skin problem"),
    (&["tattoo*"], "a new tattoo"),
    (&["vertigo"], "vertigo"),
    (&["osgood*"], "Osgood-Schlatter"),
    (&["syndrome"], "that syndrome"),
    (&["chronic"], "a chronic condition"),
    (&["autoimmune"], "an autoimmune condition"),
    (&["allerg*"], "allergies"),
    (&["hemorrhoid*"], "haemorrhoids"),
    (&["haemorrhoid*"], "haemorrhoids"),
    (&["prolapse*"], "a prolapse"),
    (&["ulcer*"], "an ulcer"),
    (&["recovering", "from"], "recovering from an injury"),
    (&["rolled", "my"], "an injury"),
    (&["twisted", "my"], "an injury"),
    (&["arthroscop*"], "surgery"),
    (&["keyhole"], "surgery"),
    (&["replaced"], "a joint replacement"),
    (&["statin*"], "that medication"),
    (&["cholesterol"], "cholesterol"),
    (&["my", "period"], "your period"),
    (&["menstrua*"], "your period"),
    (&["fasting"], "fasting"),
    (&["ramadan"], "fasting"),
    (&["still", "growing"], "your age"),
    (&["years", "old"], "your age"),
    (&["yrs", "old"], "your age"),
    (&["teen*"], "your age"),
    (&["for", "adults"], "your age"),
    (&["im", "1*"], "your age"),
    (&["i'm", "1*"], "your age"),
    (&["i", "am", "1*"], "your age"),
    (&["under", "18"], "your age"),
];

/// Words that make a condition a question about whether it is all right.
const OKNESS: &[&[&str]] = &[
    &["ok"],
    &["okay"],
    &["safe*"],
    &["can", "i"],
    &["could", "i"],
    &["should", "i"],
    &["shall", "i"],
    &["allowed"],
    &["fine"],
    &["alright"],
    &["all", "right"],
    &["still"],
    &["idea"],
    &["risk*"],
    &["danger*"],
    &["worse"],
    &["avoid"],
    &["skip"],
    &["is", "it", "bad"],
    &["bad", "for"],
    &["good", "for"],
    &["can", "you"],
    &["do", "i"],
    &["am", "i"],
    &["go", "ahead"],
    &["issue*"],
    &["problem*"],
    &["concern*"],
    &["harm*"],
    &["worry"],
    &["worried"],
];

/// Symptoms during or after an exercise, which its stop signs answer.
const SYMPTOMS: &[&[&str]] = &[
    &["numb*"],
    &["tingl*"],
    &["pins", "and", "needles"],
    &["burning"],
    &["burns"],
    &["sharp"],
    &["shooting"],
    &["stabbing"],
    &["stabby"],
    &["electric*"],
    &["zing*"],
    &["dizzy"],
    &["faint"],
    &["throbbing"],
    &["still", "hurts"],
    &["still", "sore"],
    &["hurts", "after"],
    &["pain", "after"],
    &["pain", "afterwards"],
    &["hurts", "afterwards"],
    &["goes", "dead"],
    &["went", "dead"],
    &["burn*"],
    &["still", "ach*"],
    &["aching", "after"],
    &["days", "after"],
    &["feels", "weird"],
    &["feels", "wrong"],
    &["feels", "off"],
    &["feel", "weird"],
    &["weird", "feeling"],
    &["cramp*"],
];

/// "on meds", "I'm on ibuprofen", "taking blood thinners for ...".
fn on_medication(words: &[String]) -> bool {
    words.windows(2).any(|w| {
        (w[0] == "on" || w[0] == "taking") && first_of(std::slice::from_ref(&w[1]), super::scope::MEDICATION).is_some()
    })
}

/// Pain words: with a "can I / still / ok" they ask whether to go on.
const PAIN: &[&[&str]] = &[&["pain*"], &["hurt*"], &["ache*"], &["aching"], &["achy"], &["injured"]];

/// "I have …", "history of …": what follows is a condition unless it is one
/// of these (a game, tight hamstrings, time).
const HAVE_CUES: &[&[&str]] = &[
    &["i", "have"],
    &["i've", "got"],
    &["ive", "got"],
    &["history", "of"],
    &["diagnosed"],
    &["suffer", "from"],
    &["dealing", "with"],
];
const NOT_CONDITIONS: &[&str] = &[
    "a",
    "an",
    "the",
    "to",
    "no",
    "been",
    "done",
    "only",
    "just",
    "time",
    "tight",
    "sore",
    "stiff",
    "game",
    "match",
    "training",
    "practice",
    "session",
    "lacrosse",
    "ball",
    "foam",
    "roller",
    "partner",
    "never",
    "always",
    "one",
    "two",
    "some",
    "any",
    "hamstring",
    "hamstrings",
    "tried",
    "got",
    "read",
    "heard",
    "used",
    "seen",
];

/// A word the content never uses, where a condition is named: first and
/// set apart ("scoliosis - is it fine", `first_apart`) or after "with",
/// "have", "of", ...
fn unknown_condition(words: &[String], first_apart: bool, unknown: &impl Fn(&str) -> bool) -> bool {
    const BEFORE: &[&str] = &["with", "have", "has", "had", "got", "of", "from"];
    words.iter().enumerate().any(|(i, w)| {
        let place = if i == 0 { first_apart } else { BEFORE.contains(&words[i - 1].as_str()) };
        place
            && w.chars().count() >= 5
            && w.chars().all(char::is_alphabetic)
            && !NOT_CONDITIONS.contains(&w.as_str())
            && unknown(w)
    })
}

fn stated_condition(words: &[String]) -> bool {
    HAVE_CUES.iter().any(|cue| {
        words.windows(cue.len() + 1).any(|w| {
            w[..cue.len()].iter().zip(cue.iter()).all(|(a, b)| a == b)
                && !NOT_CONDITIONS.contains(&w[cue.len()].as_str())
        })
    })
}

/// What kind of safety question, if it is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SafetyAsk {
    /// Whether it is all right with this condition (named as the answer names it).
    Condition(&'static str),
    /// A symptom during or after it.
    Symptom,
}

/// Classifies a question from its raw words (see [`super::scope::raw_words`]);
/// `names_exercise` says whether it names one, which makes a bare "torn
/// hamstring, psoas smash?" a safety question too.
///
/// `unknown` says whether a word is one the content never uses: "scoliosis -
/// is the hamstring smash fine" names a condition the lists do not know.
pub fn classify(question: &str, names_exercise: bool, unknown: impl Fn(&str) -> bool) -> Option<SafetyAsk> {
    let words = &raw_words(question);
    // "scoliosis - ...", "asthma, ...": a first word set apart.
    let first_apart =
        question.trim_start().split_once(|c: char| !(c.is_alphanumeric() || c == '\'')).is_some_and(|(_, rest)| {
            rest.trim_start().starts_with(['-', ',', ':', '?', '–']) || rest.starts_with(['-', ',', ':', '?', '–'])
        });
    if first_of(words, SYMPTOMS).is_some() {
        return Some(SafetyAsk::Symptom);
    }
    let okness = first_of(words, OKNESS).is_some();
    // "on meds for it, psoas smash ok?" is about a condition; "should I take
    // ibuprofen?" is not about the exercises (scope refuses it).
    if names_exercise && on_medication(words) {
        return Some(SafetyAsk::Condition("that medication"));
    }
    if let Some((_, label)) = CONDITIONS.iter().find(|(p, _)| p.len() == 2 && p[1] == "my" && has(words, p)) {
        if okness || names_exercise {
            return Some(SafetyAsk::Condition(label));
        }
    }
    if okness
        && first_of(words, PAIN).is_some()
        && first_of(words, &[&["supposed"], &["should", "it"], &["normal"]]).is_none()
    {
        return Some(SafetyAsk::Symptom);
    }
    // Pain that lasts ("sore for two weeks", "keeps coming back") is for the
    // stop signs, whatever the question's wording.
    let lasting: &[&[&str]] =
        &[&["weeks"], &["week"], &["days"], &["keeps", "coming"], &["won't", "go"], &["not", "going", "away"]];
    if first_of(words, &[&["sore"], &["pain*"], &["hurt*"], &["ache*"], &["aching"]]).is_some()
        && first_of(words, lasting).is_some()
        && first_of(words, &[&["after", "training"], &["how", "often"], &["how", "many"]]).is_none()
    {
        return Some(SafetyAsk::Symptom);
    }
    let condition = CONDITIONS
        .iter()
        .find(|(p, _)| has(words, p))
        .map(|(_, label)| *label)
        .or_else(|| stated_condition(words).then_some("that condition"))
        .or_else(|| {
            (names_exercise && okness && unknown_condition(words, first_apart, &unknown)).then_some("that condition")
        })?;
    (names_exercise || okness).then_some(SafetyAsk::Condition(condition))
}

/// Terms that say nothing about which restriction applies.
const NOT_A_CONDITION: &[&str] = &[
    "do",
    "it",
    "have",
    "has",
    "you",
    "your",
    "area",
    "ask",
    "first",
    "doctor",
    "profession",
    "qualifi",
    "suitabl",
    "befor",
    "tri",
    "start",
    "see",
    "talk",
    "medic",
    "sure",
    "safe",
    "massag",
    "myofasci",
    "releas",
    "work",
    "want",
    "healthcar",
    "provid",
    "anyth",
    "anywher",
    "els",
    "reason",
    "not",
    "recent",
    "acut",
    "self",
    "treat",
];

/// The restriction of `e` that matches the question's terms best, if any:
/// its index among [`Exercise::restriction_sentences`].
pub fn matching_restriction(a: &Analyzer, e: &Exercise, question_terms: &[String]) -> Option<usize> {
    let own: Vec<String> =
        std::iter::once(&e.name).chain(&e.aliases).chain(&e.muscles).flat_map(|n| a.terms(n)).collect();
    let wanted: Vec<&String> =
        question_terms.iter().filter(|t| !own.contains(t) && !NOT_A_CONDITION.contains(&t.as_str())).collect();
    e.restriction_sentences()
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let terms = a.terms(r);
            let hits = wanted.iter().filter(|t| terms.contains(t)).count();
            (i, hits)
        })
        .filter(|&(_, hits)| hits > 0)
        .max_by_key(|&(i, hits)| (hits, std::cmp::Reverse(i)))
        .map(|(i, _)| i)
}

/// The stop sign of `e` that matches the question's terms best (the first
/// one when none does).
pub fn matching_stop_sign(a: &Analyzer, e: &Exercise, question_terms: &[String]) -> usize {
    e.stop_signs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let terms = a.terms(s);
            (i, question_terms.iter().filter(|t| terms.contains(t)).count())
        })
        .max_by_key(|&(i, hits)| (hits, std::cmp::Reverse(i)))
        .map_or(0, |(i, _)| i)
}

fn bullets(items: &[String]) -> String {
    items.iter().map(|i| format!("• {i}")).collect::<Vec<_>>().join("\n")
}

/// (title, answer) for a condition question about one exercise.
pub fn condition_answer(e: &Exercise, matched: Option<usize>, condition: &str) -> (String, String) {
    let all = e.restriction_sentences();
    let name = e.name.to_lowercase();
    let stops = bullets(&e.stop_signs);
    if let Some(i) = matched {
        let lead = if i < e.avoid_if.len() {
            format!("No. Do not do the {name} if {}.", e.avoid_if[i].trim_end_matches('.'))
        } else {
            format!("Check first. {}", all[i])
        };
        let others: Vec<String> = all.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, r)| r.clone()).collect();
        let mut answer = lead;
        if !others.is_empty() {
            answer.push_str(&format!("\n\nIts other restrictions:\n{}", bullets(&others)));
        }
        answer.push_str(&format!("\n\nStop at once if any of these happen:\n{stops}"));
        (format!("{}: is it safe for you?", e.name), answer)
    } else {
        let answer = format!(
            "The guides behind the {name} do not mention {condition}, so I can't tell you it is safe. If in \
             doubt, ask a qualified professional (a doctor or physiotherapist) before you try it.\n\n\
             What the guides do list:\n{}\n\nStop at once if any of these happen:\n{stops}",
            bullets(&all)
        );
        (format!("{}: is it safe for you?", e.name), answer)
    }
}

/// (title, answer) for a symptom during one exercise.
pub fn symptom_answer(e: &Exercise, best: usize) -> (String, String) {
    let mut answer = e.stop_signs.get(best).cloned().unwrap_or_default();
    let placement: Vec<String> = e.technique.iter().filter(|t| super::docs::is_placement_rule(t)).cloned().collect();
    if !placement.is_empty() {
        answer.push_str(&format!("\n\nWhere not to press:\n{}", bullets(&placement)));
    }
    let others: Vec<String> =
        e.stop_signs.iter().enumerate().filter(|(i, _)| *i != best).map(|(_, s)| s.clone()).collect();
    if !others.is_empty() {
        answer.push_str(&format!("\n\nThe other stop signs:\n{}", bullets(&others)));
    }
    answer.push_str("\n\nIf a feeling like this does not go away, get it checked by a doctor or physiotherapist.");
    (format!("{}: when to stop", e.name), answer)
}

/// (title, answer) for a condition question that names no exercise and that
/// no general entry answers.
pub fn general_condition_answer(condition: &str) -> (String, String) {
    (
        "Is it safe for you?".into(),
        format!(
            "The guides these exercises come from do not mention {condition}, so I can't tell you it is safe. If \
             in doubt, ask a qualified professional (a doctor or physiotherapist) before you start. Each exercise \
             lists who should not do it: ask about one by name, or use `/safety`.\n\nFor all of them: stop at \
             once on sharp or stabbing pain, and move off a spot that burns or tingles."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(q: &str, named: bool) -> Option<SafetyAsk> {
        classify(q, named, |w| w == "zorblitis")
    }

    #[test]
    fn conditions_with_a_can_i_are_safety_questions() {
        assert_eq!(class("is it ok to do the psoas smash with asthma", true), Some(SafetyAsk::Condition("asthma")));
        assert_eq!(class("i had knee surgery in may, can i roll", false), Some(SafetyAsk::Condition("surgery")));
        assert_eq!(
            class("high blood pressure, hamstring smash?", true),
            Some(SafetyAsk::Condition("blood pressure problems"))
        );
        // Age, a period, fasting, a replaced joint, medication, "any issue".
        assert_eq!(
            class("im 16 and still growing, is the spiky ball ok", true),
            Some(SafetyAsk::Condition("your age"))
        );
        assert_eq!(
            class("on my period and drained, ok to foam roll?", true),
            Some(SafetyAsk::Condition("your period"))
        );
        assert_eq!(class("fasting for ramadan, can i still do it", true), Some(SafetyAsk::Condition("fasting")));
        assert_eq!(
            class("hip replaced two years ago, partner stretch ok?", true),
            Some(SafetyAsk::Condition("a joint replacement"))
        );
        assert_eq!(class("rolled my ankle, can i still do the smash", true), Some(SafetyAsk::Condition("an injury")));
        assert_eq!(class("epilepsy here. any issue with self-massage?", false), Some(SafetyAsk::Condition("epilepsy")));
    }

    #[test]
    fn pain_that_lasts_goes_to_the_stop_signs() {
        assert_eq!(class("hamstring sore for two weeks even though i roll it", true), Some(SafetyAsk::Symptom));
        assert_eq!(class("how many days a week should i roll", true), None);
    }

    #[test]
    fn symptoms_are_safety_questions() {
        assert_eq!(class("my leg goes numb on the ball", false), Some(SafetyAsk::Symptom));
        assert_eq!(class("sharp pain when i roll, keep going?", false), Some(SafetyAsk::Symptom));
    }

    #[test]
    fn an_unknown_word_where_a_condition_goes_is_one() {
        assert_eq!(
            class("zorblitis - is the hamstring smash fine", true),
            Some(SafetyAsk::Condition("that condition"))
        );
        assert_eq!(
            class("got zorblitis, is the hamstring smash fine", true),
            Some(SafetyAsk::Condition("that condition"))
        );
        assert_eq!(class("i have scoliosis, hamstring smash?", true), Some(SafetyAsk::Condition("scoliosis")));
        // A word the content does not know is no condition in other places.
        assert_eq!(class("is the hamstring smash fine before zorblitis", true), None);
    }

    #[test]
    fn ordinary_questions_are_not() {
        assert_eq!(class("how long do i hold the psoas smash", true), None);
        assert_eq!(class("what is the spiky ball for", true), None);
    }
}
