//! The timers an incident needs, to the minute: reminders inside each stage, the deadline,
//! escalations in working time, nothing while a clock is paused, new keys for a new stage run,
//! and the weekend alert's follow-ups; and the `[reminders]` section of a profile.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use otklik::domain::incident::*;
use otklik::domain::regulation::{Importance, Regulation, Stage};
use otklik::domain::timers::{plan_timers, PlannedTimer, TimerKind};
use otklik::domain::{DepartmentId, WorkCalendar};

fn local(cal: &WorkCalendar, s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    cal.zone()
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

struct Case {
    reg: Regulation,
    cal: WorkCalendar,
    incident: Incident,
}

impl Case {
    fn new(preset: &str, detected: &str, importance: Importance) -> Case {
        let reg = Regulation::preset(preset).unwrap();
        let cal = reg.calendar().unwrap();
        let at = local(&cal, detected);
        let incident = Incident::register(
            Registration {
                detected_at: at,
                received_at: at,
                importance,
                external_deadline: None,
                topic: None,
                location: None,
            },
            Rules {
                regulation: &reg,
                calendar: &cal,
            },
        )
        .unwrap()
        .incident;
        Case { reg, cal, incident }
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            regulation: &self.reg,
            calendar: &self.cal,
        }
    }

    fn act(&mut self, who: Actor, command: Command, at: &str) {
        let at = local(&self.cal, at);
        self.incident = apply(&self.incident, &command, &who, at, self.rules())
            .unwrap()
            .incident;
    }

    fn timers(&self) -> Vec<PlannedTimer> {
        plan_timers(&self.incident, self.rules(), &self.reg.reminders).unwrap()
    }

    /// (part, stage, kind, local time) of every timer, in time order.
    fn table(&self) -> Vec<(Option<usize>, Option<Stage>, TimerKind, String)> {
        let mut t: Vec<_> = self
            .timers()
            .into_iter()
            .map(|t| {
                (
                    t.part,
                    t.stage,
                    t.kind,
                    self.cal.local(t.at).format("%a %d.%m %H:%M").to_string(),
                )
            })
            .collect();
        t.sort_by(|a, b| a.3.cmp(&b.3).then(a.0.cmp(&b.0)));
        t
    }
}

fn curator() -> Actor {
    Actor {
        person: PersonId(1),
        roles: vec![Role::Curator],
        ..Actor::default()
    }
}

fn executor() -> Actor {
    Actor {
        person: PersonId(10),
        roles: vec![Role::Executor],
        ..Actor::default()
    }
}

fn route() -> Command {
    Command::Route {
        assignments: vec![Assignment {
            department: DepartmentId(100),
            executor: PersonId(10),
        }],
        importance: None,
        topic: None,
        location: None,
        deadlines: BTreeMap::new(),
    }
}

#[test]
fn a_routed_incident_has_reminders_a_deadline_and_escalations_in_working_time() {
    let mut c = Case::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    // While new: the routing stage (2 working hours) for the curators.
    assert_eq!(
        c.table(),
        [
            (
                None,
                Some(Stage::Routing),
                TimerKind::Reminder,
                "Mon 23.11 11:00".into()
            ),
            (
                None,
                Some(Stage::Routing),
                TimerKind::Reminder,
                "Mon 23.11 11:45".into()
            ),
            (
                None,
                Some(Stage::Routing),
                TimerKind::Deadline,
                "Mon 23.11 12:00".into()
            ),
            (
                None,
                Some(Stage::Routing),
                TimerKind::EscalateToHead,
                "Mon 23.11 17:00".into()
            ),
        ]
    );
    c.act(curator(), route(), "2026-11-23 10:00");
    // The draft is due 3 working hours after detection (13:00): half gone at 11:30, 1 h left at
    // 12:00, 15 min left at 12:45; escalation 1 and 4 working hours after, over the lunch break.
    // The final answer (8 working hours, Tuesday 10:00) is the curators' to watch.
    assert_eq!(
        c.table(),
        [
            (
                Some(0),
                Some(Stage::Draft),
                TimerKind::Reminder,
                "Mon 23.11 11:30".into()
            ),
            (
                Some(0),
                Some(Stage::Draft),
                TimerKind::Reminder,
                "Mon 23.11 12:00".into()
            ),
            (
                Some(0),
                Some(Stage::Draft),
                TimerKind::Reminder,
                "Mon 23.11 12:45".into()
            ),
            (
                Some(0),
                Some(Stage::Draft),
                TimerKind::Deadline,
                "Mon 23.11 13:00".into()
            ),
            (
                None,
                Some(Stage::Final),
                TimerKind::Reminder,
                "Mon 23.11 15:00".into()
            ),
            (
                Some(0),
                Some(Stage::Draft),
                TimerKind::EscalateToDepartmentHead,
                "Mon 23.11 15:00".into()
            ),
            (
                Some(0),
                Some(Stage::Draft),
                TimerKind::EscalateToHead,
                "Mon 23.11 18:00".into()
            ),
            (
                None,
                Some(Stage::Final),
                TimerKind::Reminder,
                "Tue 24.11 09:00".into()
            ),
            (
                None,
                Some(Stage::Final),
                TimerKind::Reminder,
                "Tue 24.11 09:45".into()
            ),
            (
                None,
                Some(Stage::Final),
                TimerKind::Deadline,
                "Tue 24.11 10:00".into()
            ),
            (
                None,
                Some(Stage::Final),
                TimerKind::EscalateToHead,
                "Tue 24.11 15:00".into()
            ),
        ]
    );
}

#[test]
fn a_finished_stage_or_a_paused_clock_leaves_no_timers_and_a_new_run_gets_new_keys() {
    let mut c = Case::new("borovichi", "2026-11-23 10:00", Importance::Normal);
    c.act(curator(), route(), "2026-11-23 10:05");
    c.act(executor(), Command::Accept { part: 0 }, "2026-11-23 10:10");
    let draft_keys: Vec<String> = c
        .timers()
        .into_iter()
        .filter(|t| t.part == Some(0))
        .map(|t| t.key)
        .collect();
    // Accepting does not start a new run: the same keys.
    assert!(draft_keys.iter().all(|k| k.starts_with("0:draft:")));
    c.act(
        executor(),
        Command::SubmitDraft {
            part: 0,
            kind: DraftKind::Clarification,
            text: "Какой дом?".into(),
            attachments: vec![],
        },
        "2026-11-23 10:20",
    );
    // The draft stage ended: its timers are gone; the review has its own.
    let review: Vec<PlannedTimer> = c
        .timers()
        .into_iter()
        .filter(|t| t.part == Some(0))
        .collect();
    assert!(!review.is_empty());
    assert!(review.iter().all(|t| t.stage == Some(Stage::CuratorReview)));
    c.act(
        curator(),
        Command::Approve {
            part: Some(0),
            version: None,
        },
        "2026-11-23 10:30",
    );
    // Approved, not yet posted: the clock runs on, in the same run of the draft stage.
    let approved: Vec<PlannedTimer> = c
        .timers()
        .into_iter()
        .filter(|t| t.part == Some(0))
        .collect();
    assert!(!approved.is_empty());
    assert!(approved.iter().all(|t| draft_keys.contains(&t.key)));
    c.act(
        executor(),
        Command::RecordClarificationPosted { part: 0 },
        "2026-11-23 10:45",
    );
    // The clock is paused while the author is asked: the part's only timer is the follow-up
    // should the author stay silent (8 working hours after the posting).
    let paused: Vec<(TimerKind, String)> = c
        .timers()
        .into_iter()
        .filter(|t| t.part.is_some())
        .map(|t| {
            (
                t.kind,
                c.cal.local(t.at).format("%a %d.%m %H:%M").to_string(),
            )
        })
        .collect();
    assert_eq!(
        paused,
        [(TimerKind::ClarificationFollowUp, "Tue 24.11 10:45".into())]
    );
    c.act(
        curator(),
        Command::RecordAuthorReply {
            part: 0,
            text: "Ленина, 14".into(),
        },
        "2026-11-23 12:30",
    );
    // Resumed: the same run (the draft stage since routing), its deadline 1 h 45 min later.
    let resumed: Vec<PlannedTimer> = c
        .timers()
        .into_iter()
        .filter(|t| t.part == Some(0))
        .collect();
    let deadline = resumed
        .iter()
        .find(|t| t.kind == TimerKind::Deadline)
        .unwrap();
    assert!(draft_keys.contains(&deadline.key), "{}", deadline.key);
    assert_eq!(
        c.cal.local(deadline.at).format("%H:%M").to_string(),
        "16:45"
    );
    // Published: nothing more.
    c.act(
        executor(),
        Command::SubmitDraft {
            part: 0,
            kind: DraftKind::Answer,
            text: "Починим.".into(),
            attachments: vec![],
        },
        "2026-11-23 14:00",
    );
    c.act(
        curator(),
        Command::Approve {
            part: Some(0),
            version: None,
        },
        "2026-11-23 14:10",
    );
    c.act(
        curator(),
        Command::MarkPublished {
            part: Some(0),
            link: "https://vk.com/wall-1_1".into(),
        },
        "2026-11-23 14:20",
    );
    assert!(c.timers().is_empty());
}

#[test]
fn an_unanswered_weekend_alert_is_chased_in_calendar_time_until_answered() {
    // Saturday 28 November in Yuzhno-Sakhalinsk: the duty officers are alerted.
    let mut c = Case::new("yuzhno-sakhalinsk", "2026-11-28 11:00", Importance::High);
    let duty: Vec<(TimerKind, String)> = c
        .timers()
        .into_iter()
        .filter(|t| matches!(t.kind, TimerKind::DutyUnanswered { .. }))
        .map(|t| (t.kind, c.cal.local(t.at).format("%H:%M").to_string()))
        .collect();
    assert_eq!(
        duty,
        [
            (TimerKind::DutyUnanswered { step: 1 }, "11:15".into()),
            (TimerKind::DutyUnanswered { step: 2 }, "11:30".into()),
        ]
    );
    let officer = Actor {
        person: PersonId(7),
        roles: vec![Role::DutyOfficer],
        ..Actor::default()
    };
    c.act(
        officer.clone(),
        Command::AnswerDutyAlert {
            answer: DutyAnswerKind::Taken,
        },
        "2026-11-28 11:05",
    );
    assert!(c
        .timers()
        .iter()
        .all(|t| !matches!(t.kind, TimerKind::DutyUnanswered { .. })));
    // Whoever took it acts as the curator on it: they may route it, and nobody else on duty may.
    c.act(officer, route(), "2026-11-28 11:10");
    assert_eq!(c.incident.state, IncidentState::InWork);
}

#[test]
fn a_finished_incident_chases_no_weekend_alert() {
    // Left without an answer before any duty officer answered the alert: nothing is chased.
    let mut c = Case::new("yuzhno-sakhalinsk", "2026-11-28 11:00", Importance::High);
    c.act(
        curator(),
        Command::MarkNoAnswer {
            reason: NoAnswerReason::Obscenity,
        },
        "2026-11-28 11:05",
    );
    assert!(c.incident.duty_alert.is_some_and(|a| a.answer.is_none()));
    assert_eq!(c.timers(), []);
}

#[test]
fn a_message_found_on_saturday_and_taken_in_on_wednesday_is_no_weekend_emergency() {
    let reg = Regulation::preset("yuzhno-sakhalinsk").unwrap();
    let cal = reg.calendar().unwrap();
    let t = Incident::register(
        Registration {
            detected_at: local(&cal, "2026-11-28 11:00"),
            received_at: local(&cal, "2026-12-02 11:00"),
            importance: Importance::High,
            external_deadline: None,
            topic: None,
            location: None,
        },
        Rules {
            regulation: &reg,
            calendar: &cal,
        },
    )
    .unwrap();
    assert!(t.incident.duty_alert.is_none());
    assert!(!t
        .events
        .iter()
        .any(|e| matches!(e, Event::WeekendEmergency { .. })));
}

#[test]
fn the_reminders_section_of_a_profile_is_read_and_checked() {
    let base = otklik::domain::regulation::PRESETS[0].1;
    let reg = Regulation::from_toml(&format!(
        "{base}\n[reminders]\nat_shares = [25, 75]\nbefore = [\"30m\"]\nat_deadline = false\n\
         escalate_to_department_head = \"off\"\nescalate_to_head = \"2h\"\nduty_unanswered = \"10m\"\n"
    ))
    .unwrap();
    let r = &reg.reminders;
    assert_eq!(r.at_shares, [25, 75]);
    assert_eq!(r.before, [chrono::Duration::minutes(30)]);
    assert!(!r.at_deadline);
    assert_eq!(r.escalate_to_department_head, None);
    assert_eq!(r.escalate_to_head, Some(chrono::Duration::hours(2)));
    assert_eq!(r.duty_unanswered, chrono::Duration::minutes(10));
    let err = Regulation::from_toml(&format!(
        "{base}\n[reminders]\nat_shares = [0, 120]\nbefore = [\"soon\"]\nescalate_to_head = \"0m\"\n"
    ))
    .unwrap_err()
    .to_string();
    for needle in [
        "reminders.at_shares[0]",
        "reminders.at_shares[1]",
        "reminders.before[0]",
        "reminders.escalate_to_head",
    ] {
        assert!(err.contains(needle), "{needle} not in {err}");
    }
}
