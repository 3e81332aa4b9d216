//! Everything rendered from the shipped content fits Discord's limits: every
//! section of every exercise, every routine card and lobby, every cue.

use std::path::Path;

use holdfast::content::render::{self, Post, Section, EMBED_TOTAL_MAX, FIELDS_MAX, FIELD_VALUE_MAX, TITLE_MAX};
use holdfast::content::{load_dir, Content};
use holdfast::session::engine::Plan;
use holdfast::session::engine::{Event, Session};
use holdfast::session::runner::View;

fn content() -> Content {
    load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).unwrap()
}

fn assert_fits(page: &Post, what: &str) {
    assert!(page.title.chars().count() <= TITLE_MAX, "{what}: title");
    assert!(page.description.chars().count() <= 4096, "{what}: description");
    assert!(page.fields.len() <= FIELDS_MAX, "{what}: fields");
    for f in &page.fields {
        assert!(!f.name.is_empty() && f.name.chars().count() <= 256, "{what}: field name {:?}", f.name);
        assert!(!f.value.is_empty() && f.value.chars().count() <= FIELD_VALUE_MAX, "{what}: field {:?}", f.name);
    }
    assert!(page.size() <= EMBED_TOTAL_MAX, "{what}: {} characters", page.size());
}

#[test]
fn every_exercise_section_fits_and_always_carries_safety() {
    let c = content();
    for e in &c.exercises {
        for section in Section::ALL {
            let post = render::exercise(&c, e, section);
            let pages = post.paginate();
            for p in &pages {
                assert_fits(p, &format!("{} {}", e.id, section.name()));
                // Every page, not only the last, carries the safety fields.
                let text = p.to_text();
                for item in e.avoid_if.iter().chain(&e.ask_first).chain(&e.stop_signs) {
                    assert!(text.contains(item.as_str()), "{} {}: a page lacks {item:?}", e.id, section.name());
                }
            }
            let last = pages.last().and_then(|p| p.footer.clone()).unwrap_or_default();
            assert!(last.starts_with("Based on: "), "{} {}: footer names the sources: {last}", e.id, section.name());
        }
    }
}

#[test]
fn every_routine_card_lobby_and_cue_fits() {
    let c = content();
    let t0 = 1_790_000_000_000;
    for r in &c.routines {
        let plan = Plan::from_routine(&c, r);
        for p in render::routine(&c, r, plan.total_secs()).paginate() {
            assert_fits(&p, &r.id);
        }
        let (mut s, _) = Session::new(1, 42, plan.clone(), 5, t0);
        for user in 100..160 {
            s.handle(t0, Event::Join(user)).unwrap();
        }
        let view = |s: &Session| View {
            id: 1,
            guild_id: 1,
            channel_id: 2,
            host: 42,
            plan: plan.clone(),
            total_secs: s.total_secs(),
            state: s.status(),
            roster: s.roster().to_vec(),
            current: s.current_phase(),
            deadline_ms: s.deadline_ms(),
            lobby_message: None,
        };
        for p in holdfast::discord::render::lobby(&c, &view(&s)) {
            assert_fits(&p, &format!("lobby {}", r.id));
        }
        // Every cue of the whole routine, with 61 people in it.
        let mut cues = 0;
        while let Some(d) = s.deadline_ms() {
            let out = s.handle(d, Event::Tick).unwrap();
            for a in &out.announcements {
                let body = holdfast::discord::render::announcement(&view(&s), a);
                let text = body["content"].as_str().unwrap();
                assert!(text.chars().count() <= 2000, "{}: {text}", r.id);
                assert!(body["nonce"].as_str().unwrap().len() <= 25);
                if a.ends_at_ms.is_some() {
                    assert!(text.contains(":R>"), "a countdown: {text}");
                }
                cues += 1;
            }
        }
        assert!(cues > 3, "{}", r.id);
    }
}
