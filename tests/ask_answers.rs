//! How `ask` answers, beyond ranking: safety with every instruction, safety
//! questions answered from restrictions and stop signs, honest refusals, and
//! bad input answered clearly.

use std::path::Path;
use std::sync::OnceLock;

use holdfast::content::search::AnswerKind;
use holdfast::content::{load_dir, AskResult, FaqIndex};

fn index() -> &'static FaqIndex {
    static INDEX: OnceLock<FaqIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let content = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).unwrap();
        FaqIndex::build(&content)
    })
}

fn ask(q: &str) -> AskResult {
    index().ask(q)
}

fn answer(r: &AskResult) -> &str {
    r.answer.as_deref().unwrap_or_default()
}

#[test]
fn an_answer_on_how_to_do_an_exercise_carries_its_restrictions() {
    let r = ask("how do I do the psoas smash?");
    assert!(r.matched && r.exercise_id.as_deref() == Some("psoas-smash"), "{r:?}");
    assert_eq!(r.kind, Some(AnswerKind::Answer));
    assert!(r.restrictions.iter().any(|x| x.contains("hernia")), "{:?}", r.restrictions);
    assert!(r.stop_signs.iter().any(|x| x.contains("tingling")), "{:?}", r.stop_signs);
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["restrictions"].as_array().is_some_and(|a| !a.is_empty()), "{json}");
}

#[test]
fn a_listed_condition_gets_the_matching_restriction() {
    let r = ask("i have a hernia, can i still do the psoas smash?");
    assert_eq!(r.kind, Some(AnswerKind::Safety), "{r:?}");
    assert_eq!(r.exercise_id.as_deref(), Some("psoas-smash"));
    assert!(answer(&r).contains("hernia"), "{}", answer(&r));
    let r = ask("I have a circulation disorder, is foam rolling my hamstrings ok?");
    assert_eq!(r.kind, Some(AnswerKind::Safety), "{r:?}");
    assert!(answer(&r).contains("circulation"), "{}", answer(&r));
}

#[test]
fn an_unlisted_condition_says_so_and_never_reads_as_a_yes() {
    for (q, condition) in [
        ("is it ok to do the psoas smash if I have asthma", "asthma"),
        ("I have high blood pressure, can I do the hamstring smash?", "blood pressure"),
        ("I had knee surgery in May, is the hamstring smash safe?", "surgery"),
    ] {
        let r = ask(q);
        assert_eq!(r.kind, Some(AnswerKind::Safety), "{q}: {r:?}");
        let a = answer(&r);
        assert!(a.contains("do not mention") && a.contains(condition), "{q}: {a}");
        assert!(a.contains("qualified professional") && a.contains("Do not do it if"), "{q}: {a}");
        assert!(!a.to_lowercase().starts_with("yes"), "{q}: {a}");
    }
}

#[test]
fn symptoms_go_to_the_stop_signs() {
    let r = ask("my leg goes numb when I do the hamstring smash, keep going?");
    assert_eq!(r.kind, Some(AnswerKind::Safety), "{r:?}");
    assert_eq!(r.section, Some("stop signs"));
    assert!(answer(&r).contains("nerve"), "{}", answer(&r));
}

#[test]
fn topics_the_content_does_not_cover_are_refused() {
    for q in [
        "can I use a massage gun on my hamstrings",
        "should I take ibuprofen after the hamstring smash",
        "how long does a pulled hamstring take to heal",
        "can I foam roll my calves",
        "what's the best stretch for my shoulders",
        "what time is practice tomorrow",
    ] {
        let r = ask(q);
        assert!(!r.matched && r.answer.is_none(), "{q}: answered {:?}", r.question);
    }
    let r = ask("can I use a massage gun on my hamstrings");
    assert!(r.reason.as_deref().is_some_and(|m| m.contains("massage guns")), "{:?}", r.reason);
}

#[test]
fn a_passage_answer_says_where_it_is_from() {
    let r = index().entry("psoas-smash", "step-1").unwrap();
    assert_eq!(r.question.as_deref(), Some("Psoas Smash · steps, 1 of 5"));
    assert_eq!(r.section, Some("instructions"));
    assert!(!r.restrictions.is_empty());
}

#[test]
fn bad_input_gets_a_clear_answer() {
    let long = "how long do I hold the psoas smash ".repeat(10);
    for (q, says) in
        [("", "Ask me a question"), ("   ", "Ask me a question"), ("🤔🔥💪", "words"), (long.as_str(), "300")]
    {
        let r = ask(q);
        assert!(!r.matched && r.reason.as_deref().is_some_and(|m| m.contains(says)), "{q:?}: {r:?}");
    }
    // Another language, control characters, odd scripts: an answer, never a panic.
    for q in ["¿cuánto tiempo mantengo el psoas?", "\u{0}\u{7}psoas", "ψψψ how long", "ハムストリング"] {
        let r = ask(q);
        assert!(r.matched || r.answer.is_none());
    }
}
