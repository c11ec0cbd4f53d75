//! Borovichi §10: «исполнитель обеспечивает размещение в социальной сети запроса (уточнения)…
//! срок … приостанавливается до момента получения ответа на запрос» — the term stops when the
//! request is posted, not when the curator approves it; and a request the author never answers
//! is followed up.

use chrono::Duration;
use otklik::domain::incident::*;
use otklik::domain::regulation::{Clock, Importance, Stage, Subject, Term};

use super::refused;
use super::world::*;

fn posted() -> Command {
    Command::RecordClarificationPosted { part: 0 }
}

fn reply(text: &str) -> Command {
    Command::RecordAuthorReply {
        part: 0,
        text: text.into(),
    }
}

/// Borovichi, detected Mon 23.11.2026 10:00; a clarification asked at 10:30, approved at 11:00
/// and posted by the executor at 11:30.
fn borovichi_awaiting_author() -> World {
    let mut w = World::new("borovichi", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    w.later(30);
    w.draft(
        &executor(EXEC),
        0,
        DraftKind::Clarification,
        "Уточните номер дома",
    );
    w.later(30);
    w.approve(&curator(), 0);
    w.later(30);
    w.run(&executor(EXEC), posted());
    w
}

/// The follow-up timers of the incident: (part, local time it fires, local time of posting).
fn follow_ups(w: &World) -> Vec<(Option<usize>, String, String)> {
    w.timers()
        .into_iter()
        .filter(|t| t.kind == otklik::domain::timers::TimerKind::ClarificationFollowUp)
        .map(|t| (t.part, w.local(t.at), w.local(t.deadline)))
        .collect()
}

#[test]
fn borovichi_10_clarification_pauses_incident_deadline() {
    let mut w = borovichi_awaiting_author();
    // 8 wh from 10:00, 1 h 30 min used by the posting: the incident's own final deadline
    // stands still too.
    assert_eq!(w.incident_due(), (Stage::Final, "paused 390m".into()));
    assert_eq!(w.part_stage_due(0, Stage::Final), "paused 390m");
    // The author answers the next morning at 10:00: 6 h 30 min are left, to Tue 17:30.
    w.now += Duration::minutes(22 * 60 + 30);
    w.run(&curator(), reply("Дом 14"));
    assert_eq!(w.incident_due(), (Stage::Final, "2026-11-24 17:30".into()));
    assert_eq!(w.part_stage_due(0, Stage::Final), "2026-11-24 17:30");
}

#[test]
fn borovichi_10_the_pause_starts_when_the_request_is_posted() {
    let mut w = World::new("borovichi", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    w.draft(
        &executor(EXEC),
        0,
        DraftKind::Clarification,
        "Уточните номер дома",
    );
    w.later(60); // 11:00: approved, not posted
    assert_eq!(
        w.approve(&curator(), 0),
        vec![
            Event::ApprovedStep {
                part: Some(0),
                step: ApprovalStep::Curator,
                version: 1
            },
            Event::ClarificationApproved { part: 0 }
        ]
    );
    w.later(210); // 14:30: the clock has run all along
    assert_eq!(w.part(0).state, PartState::ClarificationApproved);
    assert_eq!(w.incident_due(), (Stage::Final, "2026-11-24 10:00".into()));
    assert_eq!(w.part_stage_due(0, Stage::Final), "2026-11-24 10:00");
    assert_eq!(w.part_due(0), (Stage::Draft, "2026-11-23 15:00".into()));
    assert!(follow_ups(&w).is_empty());
    // A reply can only come to a posted request: one that comes first means it was posted by
    // hand without «Запрос опубликован», and is taken (nothing lost). The curator does not post
    // it under Borovichi (the executor does), Otklik itself does under a channel comment.
    assert!(w.try_do(&curator(), reply("дом 14")).is_ok());
    assert!(refused(&w, &curator(), posted()));
    assert!(refused(&w, &executor(EXEC2), posted()));
    assert!(w.try_do(&Actor::system(), posted()).is_ok());
    // Posted at 14:30: 3 h 30 min of the 8 working hours used, 4 h 30 min stand still; the
    // draft (4 wh before the final) has 30 min.
    assert_eq!(
        w.run(&executor(EXEC), posted()),
        vec![Event::ClarificationAwaitingAuthor { part: 0 }]
    );
    assert!(matches!(
        w.try_do(&executor(EXEC), posted()),
        Err(TransitionError::AlreadyDone(_))
    ));
    assert_eq!(w.incident_due(), (Stage::Final, "paused 270m".into()));
    assert_eq!(w.part_due(0), (Stage::Draft, "paused 30m".into()));
    // The author replies on Tuesday at 11:00: the final is 4 h 30 min on, Tue 16:30; the
    // draft 4 wh before it, across lunch, Tue 11:30.
    w.now = w.now + Duration::hours(20) + Duration::minutes(30);
    w.run(&executor(EXEC), reply("Дом 14"));
    assert_eq!(w.incident_due(), (Stage::Final, "2026-11-24 16:30".into()));
    assert_eq!(w.part_due(0), (Stage::Draft, "2026-11-24 11:30".into()));
}

#[test]
fn borovichi_10_an_unanswered_request_is_followed_up() {
    let reg = otklik::domain::regulation::Regulation::preset("borovichi").unwrap();
    // The seed sets no term for the author's reply: the profile's is declared as a departure.
    assert_eq!(
        reg.workflow.clarification_follow_up,
        Some(Term::Within {
            duration: Duration::hours(8),
            clock: Clock::Working
        })
    );
    assert!(reg
        .departures
        .iter()
        .any(|d| d.subject == Subject::ClarificationFollowUp));
    let mut w = World::new("borovichi", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    w.draft(
        &executor(EXEC),
        0,
        DraftKind::Clarification,
        "Уточните номер дома",
    );
    w.approve(&curator(), 0);
    w.later(270); // 14:30
    w.run(&executor(EXEC), posted());
    // 8 working hours after the posting: Mon 14:30–18:00, Tue 09:00–13:00 and 14:00–14:30.
    // The stages' own timers are gone with the paused clock; this one is the only one.
    assert_eq!(
        follow_ups(&w),
        vec![(
            Some(0),
            "2026-11-24 14:30".to_string(),
            "2026-11-23 14:30".to_string()
        )]
    );
    assert_eq!(w.timers().len(), 1);
    // The reply ends it.
    w.now += Duration::hours(24);
    w.run(&executor(EXEC), reply("Дом 14"));
    assert!(follow_ups(&w).is_empty());
    // Where the profile sets no follow-up (Vorsino), none is planned.
    let mut v = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    v.route(&[(DEPT, EXEC)]);
    v.run(&executor(EXEC), Command::Accept { part: 0 });
    v.draft(&executor(EXEC), 0, DraftKind::Clarification, "Уточните");
    v.approve(&curator(), 0);
    v.run(&curator(), posted());
    assert!(follow_ups(&v).is_empty());
}

#[test]
fn borovichi_10_a_pause_of_one_part_does_not_stop_the_incident_while_another_works() {
    let mut w = World::new("borovichi", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC), (DEPT2, EXEC2)]);
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    w.draft(
        &executor(EXEC),
        0,
        DraftKind::Clarification,
        "Уточните адрес",
    );
    w.later(60); // 11:00
    w.approve(&curator(), 0);
    w.later(60); // 12:00: posted
    w.run(&executor(EXEC), posted());
    w.later(120); // 14:00: the pause ran two hours, the second department worked on
    assert_eq!(w.part_stage_due(0, Stage::Final), "paused 360m");
    assert_eq!(w.incident_due(), (Stage::Final, "2026-11-24 10:00".into()));
}

#[test]
fn borovichi_10_the_executor_posts_the_clarification_and_records_the_reply() {
    let mut w = borovichi_awaiting_author();
    assert!(refused(&w, &executor(EXEC2), reply("дом 14")));
    w.run(&executor(EXEC), reply("дом 14"));
    assert_eq!(w.part(0).state, PartState::Accepted);
    // Where the regulation is silent the curators post it, and only they record the reply.
    let mut v = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    v.route(&[(DEPT, EXEC)]);
    v.run(&executor(EXEC), Command::Accept { part: 0 });
    v.draft(
        &executor(EXEC),
        0,
        DraftKind::Clarification,
        "Уточните адрес",
    );
    v.approve(&curator(), 0);
    assert!(refused(&v, &executor(EXEC), posted()));
    v.run(&curator(), posted());
    assert!(refused(&v, &executor(EXEC), reply("дом 14")));
    v.run(&curator(), reply("дом 14"));
}

/// Borovichi §10: a request the executor posted by hand without pressing «Запрос опубликован»
/// still takes the author's reply (from the monitoring system or the executor): nothing is lost,
/// and no pause is counted.
#[test]
fn borovichi_10_a_reply_to_a_request_not_recorded_as_posted_is_taken() {
    let mut w = World::new("borovichi", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    w.draft(
        &executor(EXEC),
        0,
        DraftKind::Clarification,
        "Уточните номер дома",
    );
    w.approve(&curator(), 0);
    assert_eq!(w.part(0).state, PartState::ClarificationApproved);
    w.later(60);
    w.run(
        &executor(EXEC),
        Command::RecordAuthorReply {
            part: 0,
            text: "Дом 5".into(),
        },
    );
    assert_eq!(w.part(0).state, PartState::Accepted);
    assert!(w.part(0).pauses.is_empty());
}
