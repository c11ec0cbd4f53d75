//! The incident state machine: every transition, every refusal, and a full life under each preset.

#[path = "support/world.rs"]
mod world;

use std::collections::BTreeMap;

use chrono::Duration;
use otklik::domain::incident::*;
use otklik::domain::regulation::{Importance, Publisher, Stage, WeekendRule};
use world::*;

#[test]
fn full_life_under_vorsino_with_rework() {
    let mut w = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    assert_eq!(w.incident.state, IncidentState::New);
    assert_eq!(w.events, vec![Event::Registered]);
    let (stage, due) = w.incident.current_deadline().unwrap();
    assert_eq!(
        (stage, w.local(due.instant().unwrap())),
        (Stage::Routing, "2026-11-23 12:00".into())
    );

    w.later(20);
    let ev = w.route(&[(DEPT, EXEC)]);
    assert_eq!(
        ev,
        vec![Event::Routed {
            part: 0,
            department: DEPT,
            executor: EXEC
        }]
    );
    assert_eq!(w.incident.state, IncidentState::InWork);
    assert_eq!(w.incident.topic.as_deref(), Some("ЖКХ"));
    // Vorsino's draft counts from arrival: 3 working hours after 10:00.
    assert_eq!(w.part_due(0), (Stage::Draft, "2026-11-23 13:00".into()));

    w.later(5);
    assert_eq!(
        w.run(&executor(EXEC), Command::Accept { part: 0 }),
        vec![Event::Accepted { part: 0 }]
    );
    w.later(60);
    let ev = w.draft(
        &executor(EXEC),
        0,
        DraftKind::Answer,
        "Ирина, здравствуйте! Отопление восстановлено.",
    );
    assert_eq!(
        ev,
        vec![Event::ApprovalRequested {
            part: Some(0),
            step: ApprovalStep::Curator,
            kind: DraftKind::Answer,
            version: 1
        }]
    );
    // Curator review: 30 minutes from 11:25.
    assert_eq!(
        w.part_due(0),
        (Stage::CuratorReview, "2026-11-23 11:55".into())
    );

    w.later(10);
    let ev = w.run(
        &curator(),
        Command::RequestRework {
            part: Some(0),
            version: Some(1),
            comment: "Укажите дату".into(),
            deadline: None,
        },
    );
    assert_eq!(
        ev,
        vec![Event::ReworkRequested {
            part: Some(0),
            version: 1,
            comment: "Укажите дату".into()
        }]
    );
    assert_eq!(
        w.part(0).state,
        PartState::ReworkRequested {
            kind: DraftKind::Answer
        }
    );
    assert_eq!(w.part_due(0), (Stage::Rework, "2026-11-23 12:35".into()));

    w.later(20);
    w.draft(
        &executor(EXEC),
        0,
        DraftKind::Answer,
        "Ирина, здравствуйте! Отопление восстановлено 27.11 в 11:40.",
    );
    assert_eq!(w.part(0).drafts.len(), 2);
    // A button for version 1 is stale now.
    assert_eq!(
        w.try_do(
            &curator(),
            Command::Approve {
                part: Some(0),
                version: Some(1)
            }
        )
        .unwrap_err(),
        TransitionError::StaleDraft {
            seen: 1,
            current: 2
        }
    );
    w.later(5);
    let ev = w.run(
        &curator(),
        Command::Approve {
            part: Some(0),
            version: Some(2),
        },
    );
    assert_eq!(
        ev,
        vec![
            Event::ApprovedStep {
                part: Some(0),
                step: ApprovalStep::Curator,
                version: 2
            },
            Event::PublicationRequested {
                part: Some(0),
                publisher: Publisher::Curator,
                kind: DraftKind::Answer
            },
        ]
    );
    // Pressing approve again is harmless.
    assert_eq!(
        w.try_do(
            &curator(),
            Command::Approve {
                part: Some(0),
                version: Some(2)
            }
        )
        .unwrap_err(),
        TransitionError::AlreadyDone("approved")
    );
    assert_eq!(
        w.part_due(0),
        (Stage::Publication, "2026-11-23 12:30".into())
    );
    // The executor may not publish under Vorsino's regulation.
    assert!(matches!(
        w.try_do(
            &executor(EXEC),
            Command::MarkPublished {
                part: Some(0),
                link: "https://vk.com/wall-1_2".into()
            }
        ),
        Err(TransitionError::NotAllowed(_))
    ));
    w.later(10);
    w.run(
        &curator(),
        Command::MarkPublished {
            part: Some(0),
            link: "https://vk.com/wall-1_2?reply=3".into(),
        },
    );
    assert_eq!(w.incident.state, IncidentState::Published);
    assert_eq!(
        w.incident.publication.as_ref().unwrap().link,
        "https://vk.com/wall-1_2?reply=3"
    );
    assert!(w.incident.current_deadline().is_none());
    w.run(&curator(), Command::Close);
    assert_eq!(w.incident.state, IncidentState::Closed);
    assert_eq!(
        w.try_do(&curator(), Command::Close).unwrap_err(),
        TransitionError::AlreadyDone("closed")
    );
    assert!(matches!(
        w.try_do(&executor(EXEC), Command::Accept { part: 0 }),
        Err(TransitionError::WrongState { .. })
    ));
}

#[test]
fn high_importance_is_escalated_where_the_regulation_says() {
    let w = World::new("vorsino", "2026-11-23 10:00", Importance::High);
    assert_eq!(w.events, vec![Event::Registered, Event::EscalatedToHead]);
    let w = World::new("borovichi", "2026-11-23 10:00", Importance::High);
    assert_eq!(w.events, vec![Event::Registered]);
    // Raised later by the curator.
    let mut w = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    let ev = w.run(
        &curator(),
        Command::SetImportance {
            importance: Importance::High,
        },
    );
    assert_eq!(
        ev,
        vec![
            Event::ImportanceChanged {
                importance: Importance::High
            },
            Event::EscalatedToHead
        ]
    );
    assert_eq!(
        w.try_do(
            &curator(),
            Command::SetImportance {
                importance: Importance::High
            }
        )
        .unwrap_err(),
        TransitionError::AlreadyDone("importance already set")
    );
}

#[test]
fn weekend_emergencies_wake_the_duty_officer_in_sakhalin() {
    let w = World::new("yuzhno-sakhalinsk", "2026-11-21 10:00", Importance::High);
    assert_eq!(
        w.events,
        vec![
            Event::Registered,
            Event::WeekendEmergency {
                rule: WeekendRule::DutyOfficer
            }
        ]
    );
    let w = World::new("yuzhno-sakhalinsk", "2026-11-23 10:00", Importance::High);
    assert_eq!(w.events, vec![Event::Registered]);
    let w = World::new("yuzhno-sakhalinsk", "2026-11-21 10:00", Importance::Normal);
    assert_eq!(w.events, vec![Event::Registered]);
}

#[test]
fn raising_importance_shortens_the_deadline() {
    let mut w = World::new("borovichi", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    assert_eq!(w.part_due(0), (Stage::Draft, "2026-11-23 15:00".into()));
    w.run(
        &curator(),
        Command::SetImportance {
            importance: Importance::High,
        },
    );
    assert_eq!(w.part_due(0), (Stage::Draft, "2026-11-23 12:00".into()));
}

#[test]
fn clarification_pauses_and_resumes_the_clock_in_borovichi() {
    let mut w = World::new("borovichi", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    w.later(30); // 10:30
    w.draft(
        &executor(EXEC),
        0,
        DraftKind::Clarification,
        "Уточните, пожалуйста, номер дома?",
    );
    // A clarification goes to the curator only.
    assert_eq!(
        w.part(0).state,
        PartState::DraftSubmitted {
            kind: DraftKind::Clarification,
            step: ApprovalStep::Curator
        }
    );
    w.later(30); // 11:00
    let ev = w.approve(&curator(), 0);
    assert_eq!(ev.last(), Some(&Event::ClarificationApproved { part: 0 }));
    // Approved, not yet posted: the clock runs on (final Tue 10:00, draft 4 wh before it).
    assert_eq!(w.part(0).state, PartState::ClarificationApproved);
    assert_eq!(w.part_due(0), (Stage::Draft, "2026-11-23 15:00".into()));
    // Only the executor (who posts it, Borovichi §10) records it as posted; a reply that comes
    // first means it was posted by hand without the press, and is taken (nothing lost).
    let posted = Command::RecordClarificationPosted { part: 0 };
    assert!(matches!(
        w.try_do(&curator(), posted.clone()),
        Err(TransitionError::NotAllowed(_))
    ));
    assert!(w
        .try_do(
            &curator(),
            Command::RecordAuthorReply {
                part: 0,
                text: "дом 14".into()
            }
        )
        .is_ok());
    w.later(30); // 11:30: posted
    let ev = w.run(&executor(EXEC), posted.clone());
    assert_eq!(ev, vec![Event::ClarificationAwaitingAuthor { part: 0 }]);
    assert_eq!(w.part(0).state, PartState::AwaitingAuthor);
    assert!(matches!(
        w.try_do(&executor(EXEC), posted),
        Err(TransitionError::AlreadyDone(_))
    ));
    // Final 8 wh from 10:00, 1 h 30 min used; the draft is due 4 h before: 2 h 30 min left.
    assert_eq!(w.part_due(0), (Stage::Draft, "paused 150m".into()));
    // The author replies the next morning at 10:00: the clock resumes.
    w.now += Duration::hours(22) + Duration::minutes(30);
    // Borovichi §10: the executor posted the request and may record the reply; another may not.
    assert!(matches!(
        w.try_do(
            &executor(EXEC2),
            Command::RecordAuthorReply {
                part: 0,
                text: "дом 14".into()
            }
        ),
        Err(TransitionError::NotAllowed(_))
    ));
    assert!(w
        .try_do(
            &executor(EXEC),
            Command::RecordAuthorReply {
                part: 0,
                text: "дом 14".into()
            }
        )
        .is_ok());
    let ev = w.run(
        &curator(),
        Command::RecordAuthorReply {
            part: 0,
            text: "Дом 14".into(),
        },
    );
    assert_eq!(
        ev,
        vec![Event::AuthorReplied {
            part: 0,
            text: "Дом 14".into()
        }]
    );
    assert_eq!(w.part(0).state, PartState::Accepted);
    // 6 h 30 min remain of the final deadline from Tue 10:00 → Tue 17:30; the draft 4 wh
    // before, across lunch → 12:30.
    assert_eq!(w.part_due(0), (Stage::Draft, "2026-11-24 12:30".into()));
    let (stage, due) = (
        Stage::Final,
        w.part(0)
            .deadlines
            .iter()
            .find(|(s, _)| *s == Stage::Final)
            .unwrap()
            .1,
    );
    assert_eq!(
        (stage, w.local(due.instant().unwrap())),
        (Stage::Final, "2026-11-24 17:30".into())
    );
    assert!(matches!(
        w.try_do(
            &curator(),
            Command::RecordAuthorReply {
                part: 0,
                text: "ещё".into()
            }
        ),
        Err(TransitionError::AlreadyDone(_))
    ));
}

#[test]
fn clarification_does_not_pause_where_the_regulation_is_silent() {
    let mut w = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    w.draft(
        &executor(EXEC),
        0,
        DraftKind::Clarification,
        "Уточните адрес",
    );
    w.approve(&curator(), 0);
    assert_eq!(w.part_due(0), (Stage::Draft, "2026-11-23 13:00".into()));
    // Posted by the curators (who post it where the regulation is silent): still running.
    w.later(30);
    w.run(&curator(), Command::RecordClarificationPosted { part: 0 });
    assert_eq!(w.part(0).state, PartState::AwaitingAuthor);
    assert_eq!(w.part_due(0), (Stage::Draft, "2026-11-23 13:00".into()));
}

#[test]
fn interim_answer_then_final_within_seven_working_days() {
    let mut w = World::new("borovichi", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    w.draft(
        &executor(EXEC),
        0,
        DraftKind::Interim,
        "Вопрос взят на контроль, ответим после проверки.",
    );
    w.approve(&curator(), 0);
    w.later(60);
    let ev = w.run(
        &curator(),
        Command::MarkPublished {
            part: Some(0),
            link: "https://vk.com/wall-1_2?reply=5".into(),
        },
    );
    assert_eq!(
        ev,
        vec![Event::Published {
            part: Some(0),
            link: "https://vk.com/wall-1_2?reply=5".into(),
            interim: true
        }]
    );
    assert_eq!(w.part(0).state, PartState::AwaitingFinal);
    assert_eq!(w.incident.state, IncidentState::AwaitingFinal);
    assert_eq!(
        w.part_due(0),
        (Stage::InterimToFinal, "2026-12-02 18:00".into())
    );
    // A second interim answer is refused; the final answer goes through approval and publication.
    assert!(w
        .try_do(
            &executor(EXEC),
            Command::SubmitDraft {
                part: 0,
                kind: DraftKind::Interim,
                text: "ещё".into(),
                attachments: vec![]
            }
        )
        .is_err());
    w.draft(
        &executor(EXEC),
        0,
        DraftKind::Answer,
        "Трубу заменили 1 декабря.",
    );
    w.approve(&curator(), 0);
    w.run(
        &curator(),
        Command::MarkPublished {
            part: Some(0),
            link: "https://vk.com/wall-1_2?reply=9".into(),
        },
    );
    assert_eq!(w.incident.state, IncidentState::Published);
    assert!(!w.incident.publication.as_ref().unwrap().interim);
}

#[test]
fn interim_answers_are_refused_where_the_regulation_has_none() {
    let mut w = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    assert_eq!(
        w.try_do(
            &executor(EXEC),
            Command::SubmitDraft {
                part: 0,
                kind: DraftKind::Interim,
                text: "x".into(),
                attachments: vec![]
            }
        )
        .unwrap_err(),
        TransitionError::NotInRegulation("interim answers")
    );
}

#[test]
fn krymsk_executor_publishes() {
    let mut w = World::new("krymsk", "2026-11-23 10:00", Importance::High);
    w.route(&[(DEPT, EXEC)]);
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    w.draft(&executor(EXEC), 0, DraftKind::Answer, "Ответ");
    let ev = w.approve(&curator(), 0);
    assert_eq!(
        ev[1],
        Event::PublicationRequested {
            part: Some(0),
            publisher: Publisher::Executor,
            kind: DraftKind::Answer
        }
    );
    assert!(matches!(
        w.try_do(
            &curator(),
            Command::MarkPublished {
                part: Some(0),
                link: "https://ok.ru/x".into()
            }
        ),
        Err(TransitionError::NotAllowed(_))
    ));
    w.run(
        &executor(EXEC),
        Command::MarkPublished {
            part: Some(0),
            link: "https://ok.ru/x".into(),
        },
    );
    assert_eq!(w.incident.state, IncidentState::Published);
}

#[test]
fn barnaul_deputy_approves_first_and_the_curator_merges_a_consolidated_answer() {
    let mut w = World::with_external(
        "barnaul-leninsky",
        "2026-11-23 10:00",
        Importance::Normal,
        Some(Duration::hours(24)),
    );
    // Barnaul's curator must set the draft's deadline when routing (the deputy agrees within it).
    let err = w
        .try_do(
            &curator(),
            Command::Route {
                assignments: vec![Assignment {
                    department: DEPT,
                    executor: EXEC,
                }],
                importance: None,
                topic: None,
                location: None,
                deadlines: BTreeMap::new(),
            },
        )
        .unwrap_err();
    assert_eq!(err, TransitionError::MissingCuratorDeadline(Stage::Draft));
    let mut deadlines = BTreeMap::new();
    deadlines.insert(Stage::Draft, w.now + Duration::hours(4));
    w.route_with(&[(DEPT, EXEC), (DEPT2, EXEC2)], deadlines);
    assert_eq!(
        w.part_due(0),
        (Stage::CompetenceCheck, "2026-11-23 10:30".into())
    );
    // The department head confirms competence by accepting.
    w.run(&dept_head(), Command::Accept { part: 0 });
    w.run(&dept2_head(), Command::Accept { part: 1 });
    assert_eq!(w.part_due(0), (Stage::Draft, "2026-11-23 14:00".into()));
    w.draft(&executor(EXEC), 0, DraftKind::Answer, "Часть ЖКХ");
    w.draft(
        &executor(EXEC2),
        1,
        DraftKind::Answer,
        "Часть благоустройства",
    );
    assert_eq!(
        w.part(0).state,
        PartState::DraftSubmitted {
            kind: DraftKind::Answer,
            step: ApprovalStep::Deputy
        }
    );
    // The curator cannot skip the deputy.
    assert!(matches!(
        w.try_do(
            &curator(),
            Command::Approve {
                part: Some(0),
                version: None
            }
        ),
        Err(TransitionError::NotAllowed(_))
    ));
    let ev = w.approve(&deputy(), 0);
    assert_eq!(
        ev[1],
        Event::ApprovalRequested {
            part: Some(0),
            step: ApprovalStep::Curator,
            kind: DraftKind::Answer,
            version: 1
        }
    );
    w.approve(&curator(), 0);
    assert_eq!(w.incident.state, IncidentState::InWork);
    // Rework in Barnaul needs the curator's deadline.
    w.approve(&deputy(), 1);
    assert_eq!(
        w.try_do(
            &curator(),
            Command::RequestRework {
                part: Some(1),
                version: None,
                comment: "Дополнить".into(),
                deadline: None
            }
        )
        .unwrap_err(),
        TransitionError::MissingCuratorDeadline(Stage::Rework)
    );
    let rework_by = w.now + Duration::hours(2);
    w.run(
        &curator(),
        Command::RequestRework {
            part: Some(1),
            version: None,
            comment: "Дополнить".into(),
            deadline: Some(rework_by),
        },
    );
    assert_eq!(w.part_due(1), (Stage::Rework, w.local(rework_by)));
    w.draft(
        &executor(EXEC2),
        1,
        DraftKind::Answer,
        "Часть благоустройства, дополненная",
    );
    w.approve(&deputy(), 1);
    let ev = w.approve(&curator(), 1);
    assert_eq!(ev.last(), Some(&Event::ConsolidationRequested));
    assert_eq!(w.incident.state, IncidentState::Consolidating);
    // Parts of a consolidated answer are not published one by one.
    assert!(w
        .try_do(
            &curator(),
            Command::MarkPublished {
                part: Some(0),
                link: "x".into()
            }
        )
        .is_err());
    w.run(
        &curator(),
        Command::SubmitConsolidated {
            text: "Сводный ответ".into(),
            attachments: vec![],
        },
    );
    w.run(
        &curator(),
        Command::Approve {
            part: None,
            version: Some(1),
        },
    );
    assert_eq!(w.incident.state, IncidentState::AwaitingPublication);
    w.run(
        &curator(),
        Command::MarkPublished {
            part: None,
            link: "https://im.example/123".into(),
        },
    );
    assert_eq!(w.incident.state, IncidentState::Published);
    assert!(w.incident.parts.iter().all(|p| p.state == PartState::Done));
}

#[test]
fn borovichi_split_parts_answer_separately() {
    let mut w = World::new("borovichi", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC), (DEPT2, EXEC2)]);
    for (i, e) in [(0, EXEC), (1, EXEC2)] {
        w.run(&executor(e), Command::Accept { part: i });
        w.draft(&executor(e), i, DraftKind::Answer, "Ответ");
        w.approve(&curator(), i);
    }
    w.run(
        &curator(),
        Command::MarkPublished {
            part: Some(0),
            link: "a".into(),
        },
    );
    assert_eq!(w.incident.state, IncidentState::InWork);
    w.run(
        &curator(),
        Command::MarkPublished {
            part: Some(1),
            link: "b".into(),
        },
    );
    assert_eq!(w.incident.state, IncidentState::Published);
}

#[test]
fn return_and_reroute() {
    let mut w = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    assert!(matches!(
        w.try_do(
            &curator(),
            Command::Reroute {
                part: 0,
                assignment: Assignment {
                    department: DEPT2,
                    executor: EXEC2
                }
            }
        ),
        Err(TransitionError::WrongState { .. })
    ));
    let ev = w.run(
        &executor(EXEC),
        Command::Return {
            part: 0,
            reason: ReturnReason::AnotherDepartment,
            comment: "Это благоустройство".into(),
        },
    );
    assert_eq!(
        ev,
        vec![Event::Returned {
            part: 0,
            reason: ReturnReason::AnotherDepartment,
            comment: "Это благоустройство".into()
        }]
    );
    // With its only part returned, the incident goes back to triage.
    assert_eq!(w.incident.state, IncidentState::New);
    assert_eq!(
        w.try_do(
            &executor(EXEC),
            Command::Return {
                part: 0,
                reason: ReturnReason::AnotherDepartment,
                comment: String::new()
            }
        )
        .unwrap_err(),
        TransitionError::AlreadyDone("returned")
    );
    let ev = w.run(
        &curator(),
        Command::Reroute {
            part: 0,
            assignment: Assignment {
                department: DEPT2,
                executor: EXEC2,
            },
        },
    );
    assert_eq!(
        ev,
        vec![Event::Routed {
            part: 1,
            department: DEPT2,
            executor: EXEC2
        }]
    );
    assert_eq!(w.incident.state, IncidentState::InWork);
    assert!(matches!(
        w.try_do(&executor(EXEC), Command::Accept { part: 0 }),
        Err(TransitionError::WrongState { .. })
    ));
    w.run(&executor(EXEC2), Command::Accept { part: 1 });
}

#[test]
fn substitutes_act_for_the_absent_and_strangers_cannot() {
    let mut w = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    assert!(matches!(
        w.try_do(&stranger(), Command::Accept { part: 0 }),
        Err(TransitionError::NotAllowed(_))
    ));
    assert!(matches!(
        w.try_do(
            &executor(EXEC),
            Command::Route {
                assignments: vec![],
                importance: None,
                topic: None,
                location: None,
                deadlines: BTreeMap::new()
            }
        ),
        Err(TransitionError::NotAllowed(_))
    ));
    w.run(&substitute(), Command::Accept { part: 0 });
    assert_eq!(
        w.try_do(&executor(EXEC), Command::Accept { part: 0 })
            .unwrap_err(),
        TransitionError::AlreadyDone("accepted")
    );
    assert!(matches!(
        w.try_do(
            &stranger(),
            Command::SubmitDraft {
                part: 0,
                kind: DraftKind::Answer,
                text: "x".into(),
                attachments: vec![]
            }
        ),
        Err(TransitionError::NotAllowed(_))
    ));
    w.draft(&substitute(), 0, DraftKind::Answer, "Ответ");
    assert!(matches!(
        w.try_do(
            &executor(EXEC2),
            Command::Approve {
                part: Some(0),
                version: None
            }
        ),
        Err(TransitionError::NotAllowed(_))
    ));
    assert_eq!(w.part(0).drafts[0].author, SUBSTITUTE);
}

#[test]
fn bad_input_is_refused() {
    let mut w = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    assert!(matches!(
        w.try_do(
            &curator(),
            Command::Route {
                assignments: vec![],
                importance: None,
                topic: None,
                location: None,
                deadlines: BTreeMap::new()
            }
        ),
        Err(TransitionError::Invalid(_))
    ));
    let dup = vec![
        Assignment {
            department: DEPT,
            executor: EXEC,
        },
        Assignment {
            department: DEPT,
            executor: EXEC2,
        },
    ];
    assert!(matches!(
        w.try_do(
            &curator(),
            Command::Route {
                assignments: dup,
                importance: None,
                topic: None,
                location: None,
                deadlines: BTreeMap::new()
            }
        ),
        Err(TransitionError::Invalid(_))
    ));
    let mut curator_set = BTreeMap::new();
    curator_set.insert(Stage::Draft, w.now + Duration::hours(1));
    assert!(matches!(
        w.try_do(
            &curator(),
            Command::Route {
                assignments: vec![Assignment {
                    department: DEPT,
                    executor: EXEC
                }],
                importance: None,
                topic: None,
                location: None,
                deadlines: curator_set
            }
        ),
        Err(TransitionError::Invalid(_))
    ));
    w.route(&[(DEPT, EXEC)]);
    assert_eq!(
        w.try_do(
            &curator(),
            Command::Route {
                assignments: vec![Assignment {
                    department: DEPT2,
                    executor: EXEC2
                }],
                importance: None,
                topic: None,
                location: None,
                deadlines: BTreeMap::new()
            }
        )
        .unwrap_err(),
        TransitionError::AlreadyDone("routed")
    );
    assert_eq!(
        w.try_do(&executor(EXEC), Command::Accept { part: 5 })
            .unwrap_err(),
        TransitionError::NoSuchPart(5)
    );
    assert!(matches!(
        w.try_do(
            &executor(EXEC),
            Command::SubmitDraft {
                part: 0,
                kind: DraftKind::Answer,
                text: "x".into(),
                attachments: vec![]
            }
        ),
        Err(TransitionError::WrongState { .. })
    ));
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    assert!(matches!(
        w.try_do(
            &executor(EXEC),
            Command::SubmitDraft {
                part: 0,
                kind: DraftKind::Answer,
                text: "   ".into(),
                attachments: vec![]
            }
        ),
        Err(TransitionError::Invalid(_))
    ));
    w.draft(&executor(EXEC), 0, DraftKind::Answer, "Ответ");
    assert!(matches!(
        w.try_do(
            &curator(),
            Command::RequestRework {
                part: Some(0),
                version: None,
                comment: " ".into(),
                deadline: None
            }
        ),
        Err(TransitionError::Invalid(_))
    ));
    assert_eq!(
        w.try_do(
            &executor(EXEC),
            Command::SubmitDraft {
                part: 0,
                kind: DraftKind::Answer,
                text: "x".into(),
                attachments: vec![]
            }
        )
        .unwrap_err(),
        TransitionError::AlreadyDone("draft already submitted")
    );
    assert!(matches!(
        w.try_do(&curator(), Command::Close),
        Err(TransitionError::WrongState { .. })
    ));
}

#[test]
fn no_answer_explanation_and_appeal() {
    let mut w = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    assert!(matches!(
        w.try_do(
            &executor(EXEC),
            Command::MarkNoAnswer {
                reason: NoAnswerReason::Obscenity
            }
        ),
        Err(TransitionError::NotAllowed(_))
    ));
    w.run(
        &curator(),
        Command::MarkNoAnswer {
            reason: NoAnswerReason::Obscenity,
        },
    );
    assert_eq!(w.incident.state, IncidentState::NoAnswer);
    assert_eq!(
        w.try_do(
            &curator(),
            Command::MarkNoAnswer {
                reason: NoAnswerReason::Threats
            }
        )
        .unwrap_err(),
        TransitionError::AlreadyDone("no answer")
    );

    let w = World::new("yuzhno-sakhalinsk", "2026-11-23 10:00", Importance::Normal);
    let (_, due) = w
        .incident
        .deadlines
        .iter()
        .find(|(s, _)| *s == Stage::Explanation)
        .copied()
        .unwrap();
    assert_eq!(w.local(due.instant().unwrap()), "2026-11-24 15:00");
    let explain = Command::SendExplanation {
        kind: ExplanationKind::AlreadyAnswered,
        text: "Ответ размещён на сайте".into(),
    };
    // Sakhalin 3.7 ¶2: the department prepares it (tests/fidelity.rs); Vorsino's curator writes it.
    assert!(matches!(
        w.try_do(&curator(), explain.clone()),
        Err(TransitionError::Invalid(_))
    ));
    let mut w = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    w.run(&curator(), explain);
    assert_eq!(w.incident.state, IncidentState::ExplanationSent);

    let mut w = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    let consent = Some((w.now, CURATOR));
    let bad = AppealContact {
        full_name: "Иванова Ирина".into(),
        address: " ".into(),
        phone: "+79990000000".into(),
        consent,
    };
    // Vorsino 2.9: no appeal without the author's consent; the phone is optional.
    let no_consent = AppealContact {
        full_name: "Иванова Ирина".into(),
        address: "irina@example.org".into(),
        phone: String::new(),
        consent: None,
    };
    assert!(matches!(
        w.try_do(
            &curator(),
            Command::ConvertToAppeal {
                contact: no_consent
            }
        ),
        Err(TransitionError::Invalid(_))
    ));
    assert!(matches!(
        w.try_do(&curator(), Command::ConvertToAppeal { contact: bad }),
        Err(TransitionError::Invalid(_))
    ));
    let good = AppealContact {
        full_name: "Иванова Ирина Петровна".into(),
        address: "irina@example.org".into(),
        phone: String::new(),
        consent,
    };
    w.run(
        &curator(),
        Command::ConvertToAppeal {
            contact: good.clone(),
        },
    );
    assert_eq!(w.incident.state, IncidentState::ConvertedToAppeal);
    assert_eq!(w.incident.appeal, Some(good.clone()));
    assert_eq!(
        w.try_do(&curator(), Command::ConvertToAppeal { contact: good })
            .unwrap_err(),
        TransitionError::AlreadyDone("converted")
    );
    w.run(&curator(), Command::Close);
}

#[test]
fn full_life_under_sakhalin_and_krymsk_across_a_weekend() {
    // Sakhalin: posted Friday 15:00 local, published Monday.
    let mut w = World::new("yuzhno-sakhalinsk", "2026-11-20 15:00", Importance::Normal);
    w.later(60);
    w.route(&[(DEPT, EXEC)]);
    assert_eq!(w.part_due(0), (Stage::Draft, "2026-11-23 11:00".into()));
    w.later(60 * 66); // Monday 10:00
    w.run(&executor(EXEC), Command::Accept { part: 0 });
    w.draft(&executor(EXEC), 0, DraftKind::Answer, "Ответ");
    // Sakhalin's regulation has no curator review deadline: the overall deadline governs.
    assert!(w.part(0).current_deadline(&w.reg).is_none());
    w.approve(&curator(), 0);
    w.run(
        &curator(),
        Command::MarkPublished {
            part: Some(0),
            link: "https://vk.com/wall-9_1".into(),
        },
    );
    assert_eq!(w.incident.state, IncidentState::Published);
    let fin = w
        .incident
        .deadlines
        .iter()
        .find(|(s, _)| *s == Stage::Final)
        .unwrap()
        .1
        .instant()
        .unwrap();
    assert!(w.incident.publication.as_ref().unwrap().at <= fin);

    let mut w = World::new("krymsk", "2026-11-20 17:00", Importance::Normal);
    w.route(&[(DEPT, EXEC)]);
    assert_eq!(w.part_due(0), (Stage::Draft, "2026-11-23 12:00".into()));
}

#[test]
fn the_curator_classifies_topic_and_location() {
    let mut w = World::new("vorsino", "2026-11-23 10:00", Importance::Normal);
    assert!(matches!(
        w.try_do(
            &executor(EXEC),
            Command::Classify {
                topic: Some("ЖКХ".into()),
                location: None
            }
        ),
        Err(TransitionError::NotAllowed(_))
    ));
    assert!(matches!(
        w.try_do(
            &curator(),
            Command::Classify {
                topic: Some(" ".into()),
                location: None
            }
        ),
        Err(TransitionError::Invalid(_))
    ));
    let ev = w.run(
        &curator(),
        Command::Classify {
            topic: Some("Дороги".into()),
            location: None,
        },
    );
    assert_eq!(
        ev,
        vec![Event::Classified {
            topic: Some("Дороги".into()),
            location: None
        }]
    );
    w.run(
        &curator(),
        Command::Classify {
            topic: None,
            location: Some("ул. Садовая".into()),
        },
    );
    assert_eq!(w.incident.topic.as_deref(), Some("Дороги"));
    assert_eq!(w.incident.location.as_deref(), Some("ул. Садовая"));
    assert_eq!(
        w.try_do(
            &curator(),
            Command::Classify {
                topic: Some("Дороги".into()),
                location: None
            }
        )
        .unwrap_err(),
        TransitionError::AlreadyDone("already set")
    );
}
