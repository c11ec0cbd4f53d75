//! Emergencies on days off (Vorsino 2.10, Yuzhno-Sakhalinsk 3.9), in the domain alone: which
//! emergencies count as ones of days off, and the curator's own answer — who may give it, where
//! the profile says so, and what it leaves of the incident's deadlines and timers.

#[path = "support/world.rs"]
mod world;

use otklik::domain::incident::*;
use otklik::domain::regulation::{Importance, Regulation, Stage, WeekendRule};
use otklik::domain::report::WorkflowFacts;
use world::*;

fn own_answer(text: &str) -> Command {
    Command::AnswerAsCurator {
        text: text.into(),
        attachments: Vec::new(),
    }
}

fn duty_officer() -> Actor {
    Actor {
        person: PersonId(77),
        roles: vec![Role::DutyOfficer],
        ..Actor::default()
    }
}

fn weekend_emergency(events: &[Event]) -> bool {
    events
        .iter()
        .any(|e| matches!(e, Event::WeekendEmergency { .. }))
}

#[test]
fn vorsino_2_10_and_sakhalin_3_9_a_friday_evening_emergency_is_one_of_days_off() {
    // Vorsino's Friday ends at 16:45; Sakhalin's at 18:00 (local time).
    for (preset, evening, during) in [
        ("vorsino", "2026-11-27 20:00", "2026-11-27 16:00"),
        ("yuzhno-sakhalinsk", "2026-11-27 20:00", "2026-11-27 17:00"),
    ] {
        let w = World::new(preset, evening, Importance::High);
        assert!(weekend_emergency(&w.events), "{preset} {evening}");
        assert!(w.incident.duty_alert.is_some());
        let w = World::new(preset, during, Importance::High);
        assert!(!weekend_emergency(&w.events), "{preset} {during}");
        // A weekday night: the office opens in the morning.
        let w = World::new(preset, "2026-11-24 20:00", Importance::High);
        assert!(!weekend_emergency(&w.events), "{preset} Tuesday night");
        // An ordinary message is never one.
        let w = World::new(preset, evening, Importance::Normal);
        assert!(!weekend_emergency(&w.events));
    }
    // The evening before the 4 November holiday (a shortened day, to 17:00).
    let w = World::new("yuzhno-sakhalinsk", "2026-11-03 17:30", Importance::High);
    assert!(weekend_emergency(&w.events));
    // Borovichi keeps everything for the working day (§8–§9 count working hours).
    let w = World::new("borovichi", "2026-11-27 20:00", Importance::High);
    assert!(!weekend_emergency(&w.events));
}

#[test]
fn vorsino_2_10_a_curator_raising_the_importance_on_friday_evening_raises_the_alert() {
    let mut w = World::new("vorsino", "2026-11-27 19:00", Importance::Normal);
    w.later(30);
    let events = w.run(
        &curator(),
        Command::SetImportance {
            importance: Importance::High,
        },
    );
    assert!(weekend_emergency(&events));
}

#[test]
fn vorsino_2_10_only_the_curator_answers_an_emergency_on_days_off_himself() {
    let mut w = World::new("vorsino", "2026-11-27 20:00", Importance::High);
    w.later(40);
    let answer = own_answer("Аварийная бригада на месте, воду дадут к 23:00.");
    for who in [
        executor(EXEC),
        dept_head(),
        deputy(),
        stranger(),
        duty_officer(),
    ] {
        assert!(
            matches!(
                w.try_do(&who, answer.clone()),
                Err(TransitionError::NotAllowed(_))
            ),
            "{who:?}"
        );
    }
    assert!(matches!(
        w.try_do(&curator(), own_answer("  ")),
        Err(TransitionError::Invalid(_))
    ));
    let events = w.run(&curator(), answer.clone());
    assert_eq!(
        events,
        vec![
            Event::AnsweredByCurator,
            Event::PublicationRequested {
                part: None,
                publisher: otklik::domain::regulation::Publisher::Curator,
                kind: DraftKind::Answer,
            },
        ]
    );
    assert_eq!(w.incident.state, IncidentState::AwaitingPublication);
    assert!(w.incident.own_answer);
    let own = w.incident.consolidated.clone().unwrap();
    assert_eq!((own.author, own.reviews.len()), (CURATOR, 1));
    // Nobody is chased about the alert any more; the final deadline stands until published.
    assert!(w.timers().iter().all(|t| t.stage.is_some()));
    assert_eq!(w.incident_due().0, Stage::Final);
    assert!(matches!(
        w.try_do(&curator(), answer),
        Err(TransitionError::AlreadyDone(_))
    ));
    assert!(matches!(
        w.try_do(
            &duty_officer(),
            Command::AnswerDutyAlert {
                answer: DutyAnswerKind::Taken
            }
        ),
        Err(TransitionError::AlreadyDone(_))
    ));
    // The curator publishes by hand and records the link (2.2.3).
    w.later(10);
    let link = "https://vk.com/wall-123_456?reply=900";
    w.run(
        &curator(),
        Command::MarkPublished {
            part: None,
            link: link.into(),
        },
    );
    assert_eq!(w.incident.state, IncidentState::Published);
    assert!(w.timers().is_empty());
    // In time: no stage ran past its deadline.
    let facts = WorkflowFacts::of(&w.incident);
    assert!(
        facts.runs.iter().all(|r| r.late_seconds == Some(0)),
        "{:?}",
        facts.runs
    );
    assert_eq!(w.incident.log.answered_at, Some(w.now));
}

#[test]
fn vorsino_2_10_the_curator_answers_only_emergencies_on_days_off() {
    // An emergency on a working day goes to the department (2.1–2.2).
    let w = World::new("vorsino", "2026-11-27 11:00", Importance::High);
    assert!(matches!(
        w.try_do(&curator(), own_answer("Ответ")),
        Err(TransitionError::WrongState { .. })
    ));
    // Once routed, the department answers and the curator approves.
    let mut w = World::new("vorsino", "2026-11-28 11:00", Importance::High);
    w.route(&[(DEPT, EXEC)]);
    assert!(matches!(
        w.try_do(&curator(), own_answer("Ответ")),
        Err(TransitionError::WrongState { .. })
    ));
}

#[test]
fn a_curator_may_answer_himself_only_where_the_profile_says() {
    let presets: Vec<&str> = otklik::domain::regulation::PRESETS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| {
            Regulation::preset(name)
                .unwrap()
                .workflow
                .curator_answers_emergencies
        })
        .collect();
    assert_eq!(presets, vec!["vorsino", "yuzhno-sakhalinsk"]);
    // Borovichi, Krymsk, Barnaul: no emergency on days off, no own answer.
    for preset in ["borovichi", "krymsk", "barnaul-leninsky"] {
        let w = World::new(preset, "2026-11-28 11:00", Importance::High);
        assert!(
            matches!(
                w.try_do(&curator(), own_answer("Ответ")),
                Err(TransitionError::NotInRegulation(_))
            ),
            "{preset}"
        );
    }
    // A duty roster without the clause: the alert wakes the roster, the curator does not answer.
    let text = otklik::domain::regulation::PRESETS[3].1.replace(
        "curator_answers_emergencies = true",
        "curator_answers_emergencies = false",
    );
    let reg = Regulation::from_toml(&text).unwrap();
    assert_eq!(reg.workflow.weekend_rule, WeekendRule::DutyOfficer);
    let w = World::under(reg, "2026-11-28 11:00", Importance::High, None);
    assert!(w.incident.duty_alert.is_some());
    assert!(matches!(
        w.try_do(&curator(), own_answer("Ответ")),
        Err(TransitionError::NotInRegulation(_))
    ));
    // The clause without emergencies on days off is refused.
    let text = otklik::domain::regulation::PRESETS[1].1.replace(
        "[workflow]\n",
        "[workflow]\ncurator_answers_emergencies = true\n",
    );
    let err = Regulation::from_toml(&text).unwrap_err().to_string();
    assert!(
        err.contains("workflow.curator_answers_emergencies"),
        "{err}"
    );
}

#[test]
fn yuzhno_sakhalinsk_3_9_the_duty_officer_who_took_the_alert_answers_it() {
    let mut w = World::new("yuzhno-sakhalinsk", "2026-11-28 10:00", Importance::High);
    let answer = own_answer("Аварийная служба выехала.");
    assert!(matches!(
        w.try_do(&duty_officer(), answer.clone()),
        Err(TransitionError::NotAllowed(_))
    ));
    w.later(5);
    w.run(
        &duty_officer(),
        Command::AnswerDutyAlert {
            answer: DutyAnswerKind::Taken,
        },
    );
    w.later(20);
    w.run(&duty_officer(), answer);
    w.run(
        &duty_officer(),
        Command::MarkPublished {
            part: None,
            link: "https://vk.com/wall-1_2?reply=3".into(),
        },
    );
    assert_eq!(w.incident.state, IncidentState::Published);
    assert!(w.incident.answer_published());
}

#[test]
fn an_incident_stored_before_the_own_answer_reads_as_none() {
    let w = World::new("vorsino", "2026-11-28 11:00", Importance::High);
    let mut json = serde_json::to_value(&w.incident).unwrap();
    json.as_object_mut().unwrap().remove("own_answer");
    let back: Incident = serde_json::from_value(json).unwrap();
    assert!(!back.own_answer);
    assert_eq!(back, w.incident);
}
