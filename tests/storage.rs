//! Storage contract tests: every test runs on SQLite (a temporary file) and, when
//! TEST_POSTGRES_URL is set, on PostgreSQL (a fresh database per test).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use otklik::domain::incident::*;
use otklik::domain::regulation::{Importance, Regulation, PRESETS};
use otklik::domain::WorkCalendar;
use otklik::storage::*;

struct TestDb {
    store: Store,
    url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Drops a test's PostgreSQL database once the test is over.
async fn drop_postgres(name: String) {
    if let Ok(base) = std::env::var("TEST_POSTGRES_URL") {
        if let Ok(admin) = Store::connect_without_migrating(&base).await {
            let _ = admin.drop_database(&name).await;
            admin.close().await;
        }
    }
}

impl TestDb {
    async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("otklik.db").display());
        let store = Store::connect(&url).await.unwrap();
        assert_eq!(store.backend(), Backend::Sqlite);
        TestDb {
            store,
            url,
            _dir: Some(dir),
        }
    }

    async fn postgres() -> Option<TestDb> {
        let base = std::env::var("TEST_POSTGRES_URL").ok()?;
        let admin = Store::connect_without_migrating(&base)
            .await
            .unwrap_or_else(|e| panic!("TEST_POSTGRES_URL is set but unreachable: {e}"));
        let name = format!(
            "otklik_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        admin.create_fresh_database(&name).await.unwrap();
        admin.close().await;
        let prefix = base.split('?').next().unwrap_or(&base);
        let url = format!("{}/{}", &prefix[..prefix.rfind('/').unwrap()], name);
        let store = Store::connect(&url).await.unwrap();
        assert_eq!(store.backend(), Backend::Postgres);
        Some(TestDb {
            store,
            url,
            _dir: None,
        })
    }
}

static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::TestDb::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    match super::TestDb::postgres().await {
                        Some(db) => {
                            let name = db.url.rsplit('/').next().unwrap_or_default().to_string();
                            super::$name(db).await;
                            super::drop_postgres(name).await;
                        }
                        None => eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
                    }
                }
            )*
        }
    };
}

on_both_backends!(
    full_life_is_persisted_and_reloaded,
    concurrent_approval_makes_one_transition,
    outbox_is_written_with_the_state_change_and_survives_a_crash,
    redelivered_update_changes_nothing,
    absent_executor_incidents_go_to_the_substitute,
    registration_is_idempotent_by_external_id,
    weekend_emergency_reaches_the_duty_officer,
    bad_directory_input_is_refused,
    import_export_round_trip_and_reimport_changes_nothing,
    a_bad_organisation_file_is_refused_whole,
    invites_bind_once_and_expire,
);

/// An organisation with a curator group, a department, an executor, a substitute and a head.
struct Org {
    id: i64,
    regulation: Regulation,
    calendar: WorkCalendar,
    curator: i64,
    curator2: i64,
    executor: i64,
    substitute: i64,
    head: i64,
    dept: i64,
}

const CURATOR_CHAT: i64 = -100_500;

impl Org {
    async fn create(store: &Store, preset: &str) -> Org {
        let toml = PRESETS.iter().find(|(n, _)| *n == preset).unwrap().1;
        let now = Utc::now();
        let id = store
            .create_organisation(
                &NewOrganisation {
                    name: "Администрация".into(),
                    regulation_name: preset.into(),
                    regulation_toml: toml.into(),
                    curator_chat_id: Some(CURATOR_CHAT),
                    head_chat_id: None,
                },
                now,
            )
            .await
            .unwrap();
        let person = |name: &str, tg: i64, roles: Vec<Role>| NewPerson {
            full_name: name.into(),
            phone: Some("+7 900 000-00-00".into()),
            telegram_user_id: Some(tg),
            telegram_username: None,
            roles,
        };
        let curator = store
            .create_person(id, &person("Смирнова Е.", 1, vec![Role::Curator]))
            .await
            .unwrap();
        let curator2 = store
            .create_person(id, &person("Орлова Н.", 2, vec![Role::Curator]))
            .await
            .unwrap();
        let executor = store
            .create_person(id, &person("Петров А.", 3, vec![Role::Executor]))
            .await
            .unwrap();
        let substitute = store
            .create_person(id, &person("Иванов С.", 4, vec![Role::Executor]))
            .await
            .unwrap();
        let head = store
            .create_person(id, &person("Глава", 5, vec![Role::Head]))
            .await
            .unwrap();
        let dept = store.create_department(id, "Отдел ЖКХ").await.unwrap();
        store.add_to_department(dept, executor).await.unwrap();
        store.add_to_department(dept, substitute).await.unwrap();
        let org = store.organisation(id).await.unwrap();
        let calendar = org.regulation.calendar().unwrap();
        Org {
            id,
            regulation: org.regulation,
            calendar,
            curator,
            curator2,
            executor,
            substitute,
            head,
            dept,
        }
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            regulation: &self.regulation,
            calendar: &self.calendar,
        }
    }

    fn local(&self, s: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        self.calendar
            .zone()
            .from_local_datetime(&naive)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    async fn register(
        &self,
        store: &Store,
        at: DateTime<Utc>,
        external_id: Option<&str>,
        importance: Importance,
    ) -> Registered {
        store
            .register_incident(
                self.id,
                &NewIncident {
                    reply_to: None,
                    content: IncidentContent {
                        source: Source::Vk,
                        kind: MessageKind::Comment,
                        url: "https://vk.com/wall-123_456?reply=789".into(),
                        external_id: external_id.map(String::from),
                        author: "Ирина П.".into(),
                        text: "Третий день нет отопления в доме по Ленина 14".into(),
                        attachments: vec![],
                        repeat_of: None,
                    },
                    detected_at: at,
                    importance,
                    external_deadline: None,
                    topic: None,
                    location: None,
                },
                self.rules(),
                &Actor::system(),
                at,
            )
            .await
            .unwrap()
    }

    async fn act(
        &self,
        store: &Store,
        who: i64,
        incident: i64,
        cmd: Command,
        at: DateTime<Utc>,
    ) -> Result<Applied, ApplyError> {
        let actor = store.actor(who, at).await.unwrap();
        store
            .apply(incident, &cmd, &actor, at, self.rules(), None)
            .await
    }

    fn route(&self, executor: i64) -> Command {
        Command::Route {
            assignments: vec![Assignment {
                department: self.dept,
                executor,
            }],
            importance: None,
            topic: Some("ЖКХ / отопление".into()),
            location: Some("ул. Ленина, 14".into()),
            deadlines: BTreeMap::new(),
        }
    }
}

fn draft(text: &str) -> Command {
    Command::SubmitDraft {
        part: 0,
        kind: DraftKind::Answer,
        text: text.into(),
        attachments: vec!["AgACAgIAAxkBAAIB".into()],
    }
}

async fn full_life_is_persisted_and_reloaded(db: TestDb) {
    let s = &db.store;
    let org = Org::create(s, "vorsino").await;
    let t0 = org.local("2026-11-23 10:00");
    let reg = org
        .register(s, t0, Some("im-1287"), Importance::Normal)
        .await;
    assert!(reg.created);
    assert_eq!(reg.number, 1);
    let m = |min: i64| t0 + Duration::minutes(min);
    org.act(s, org.curator, reg.id, org.route(org.executor), m(10))
        .await
        .unwrap();
    org.act(s, org.executor, reg.id, Command::Accept { part: 0 }, m(15))
        .await
        .unwrap();
    org.act(
        s,
        org.executor,
        reg.id,
        draft("Ирина, здравствуйте! Авария устранена."),
        m(60),
    )
    .await
    .unwrap();
    org.act(
        s,
        org.curator,
        reg.id,
        Command::RequestRework {
            part: Some(0),
            version: Some(1),
            comment: "Укажите время".into(),
            deadline: None,
        },
        m(70),
    )
    .await
    .unwrap();
    org.act(
        s,
        org.executor,
        reg.id,
        draft("Ирина, здравствуйте! Авария устранена 27.11 в 11:40."),
        m(90),
    )
    .await
    .unwrap();
    org.act(
        s,
        org.curator,
        reg.id,
        Command::Approve {
            part: Some(0),
            version: Some(2),
        },
        m(95),
    )
    .await
    .unwrap();
    let done = org
        .act(
            s,
            org.curator,
            reg.id,
            Command::MarkPublished {
                part: Some(0),
                link: "https://vk.com/wall-123_456?reply=800".into(),
            },
            m(100),
        )
        .await
        .unwrap();
    assert_eq!(done.incident.workflow.state, IncidentState::Published);

    // A fresh connection (as after a restart) reads the same incident.
    let again = Store::connect(&db.url).await.unwrap();
    let stored = again.incident(reg.id).await.unwrap();
    assert_eq!(stored, done.incident);
    assert_eq!(stored.number, 1);
    assert_eq!(stored.content.author, "Ирина П.");
    assert_eq!(stored.content.external_id.as_deref(), Some("im-1287"));
    assert_eq!(stored.workflow.topic.as_deref(), Some("ЖКХ / отопление"));
    assert_eq!(stored.workflow.publication.as_ref().unwrap().at, m(100));
    assert_eq!(stored.workflow.parts[0].drafts.len(), 2);

    let drafts = again.drafts(reg.id).await.unwrap();
    assert_eq!(drafts.len(), 2);
    assert_eq!(drafts[0].reviews[0]["rework_comment"], "Укажите время");
    assert_eq!(
        drafts[1].reviews[0]["rework_comment"],
        serde_json::Value::Null
    );
    assert_eq!(drafts[1].author, org.executor);

    // The audit log has every command, in order, with actor and states.
    let audit = again.audit_log(reg.id).await.unwrap();
    let commands: Vec<&str> = audit.iter().map(|a| a.command.as_str()).collect();
    assert_eq!(
        commands,
        [
            "register",
            "route",
            "accept",
            "submit_draft",
            "request_rework",
            "submit_draft",
            "approve",
            "mark_published"
        ]
    );
    assert_eq!(audit[1].actor, org.curator);
    assert_eq!(audit[1].from_state.as_deref(), Some("new"));
    assert_eq!(audit[1].to_state.as_deref(), Some("in_work [routed]"));
    assert_eq!(audit[4].payload["comment"], "Укажите время");
    assert_eq!(audit[7].to_state.as_deref(), Some("published [done]"));
    assert_eq!(audit[7].at, m(100));
    assert!(audit[7].events[0]["event"] == "published");
    again.close().await;

    // Nothing is left open for the executor.
    assert!(s.open_assignments(org.executor).await.unwrap().is_empty());
}

async fn concurrent_approval_makes_one_transition(db: TestDb) {
    let s = &db.store;
    let org = Org::create(s, "vorsino").await;
    let t0 = org.local("2026-11-23 10:00");
    for round in 0..4 {
        let reg = org.register(s, t0, None, Importance::Normal).await;
        org.act(s, org.curator, reg.id, org.route(org.executor), t0)
            .await
            .unwrap();
        org.act(s, org.executor, reg.id, Command::Accept { part: 0 }, t0)
            .await
            .unwrap();
        org.act(s, org.executor, reg.id, draft("Ответ"), t0)
            .await
            .unwrap();
        let approve = Command::Approve {
            part: Some(0),
            version: Some(1),
        };
        let (a, b) = tokio::join!(
            org.act(
                s,
                org.curator,
                reg.id,
                approve.clone(),
                t0 + Duration::minutes(1)
            ),
            org.act(
                s,
                org.curator2,
                reg.id,
                approve.clone(),
                t0 + Duration::minutes(1)
            ),
        );
        let results = [a, b];
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 1, "round {round}: {results:?}");
        let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(
            matches!(
                refused,
                ApplyError::Refused(TransitionError::AlreadyDone("approved"))
            ),
            "round {round}: {refused:?}"
        );
        let audit = s.audit_log(reg.id).await.unwrap();
        assert_eq!(audit.iter().filter(|e| e.command == "approve").count(), 1);
        let publish = s
            .pending_outbox()
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.incident_id == Some(reg.id) && m.message == "publish")
            .count();
        assert_eq!(publish, 1);
    }
}

async fn outbox_is_written_with_the_state_change_and_survives_a_crash(db: TestDb) {
    let s = &db.store;
    let org = Org::create(s, "vorsino").await;
    let t0 = org.local("2026-11-23 10:00");
    let reg = org.register(s, t0, None, Importance::High).await;
    // Registration: the curators' triage card and the head's escalation.
    let pending = s.pending_outbox().await.unwrap();
    let summary: Vec<(String, Option<i64>, Option<i64>)> = pending
        .iter()
        .map(|m| (m.message.clone(), m.person_id, m.chat_id))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("triage".into(), None, Some(CURATOR_CHAT)),
            ("escalation".into(), Some(org.head), None)
        ]
    );
    assert_eq!(pending[0].payload["number"], reg.number);
    assert_eq!(pending[0].payload["event"]["event"], "registered");

    org.act(s, org.curator, reg.id, org.route(org.executor), t0)
        .await
        .unwrap();
    let card = s
        .pending_outbox()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.message == "incident_card")
        .unwrap();
    assert_eq!(card.person_id, Some(org.executor));
    assert_eq!(card.payload["event"]["executor"], org.executor);

    // A refused command writes nothing.
    let before = s.pending_outbox().await.unwrap().len();
    let err = org
        .act(s, org.substitute, reg.id, Command::Accept { part: 0 }, t0)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ApplyError::Refused(TransitionError::NotAllowed(_))
    ));
    assert_eq!(s.pending_outbox().await.unwrap().len(), before);
    assert_eq!(s.audit_log(reg.id).await.unwrap().len(), 2);

    // The worker claims, "crashes" before sending; after a restart and the lease, the same
    // messages come back; once delivered, never again.
    let now = t0 + Duration::minutes(1);
    let claimed = s
        .claim_outbox(10, now, Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    assert!(s
        .claim_outbox(10, now, Duration::seconds(30))
        .await
        .unwrap()
        .is_empty());
    let restarted = Store::connect(&db.url).await.unwrap();
    let reclaimed = restarted
        .claim_outbox(10, now + Duration::seconds(31), Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(
        reclaimed.iter().map(|m| m.id).collect::<Vec<_>>(),
        claimed.iter().map(|m| m.id).collect::<Vec<_>>()
    );
    assert!(reclaimed.iter().all(|m| m.attempts == 2));
    for m in &reclaimed[..2] {
        restarted.mark_delivered(m.id, now).await.unwrap();
    }
    restarted
        .mark_failed(reclaimed[2].id, "HTTP 502", now + Duration::minutes(5))
        .await
        .unwrap();
    assert!(restarted
        .claim_outbox(10, now + Duration::minutes(2), Duration::seconds(30))
        .await
        .unwrap()
        .is_empty());
    let retried = restarted
        .claim_outbox(10, now + Duration::minutes(5), Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].id, reclaimed[2].id);
    restarted.close().await;
}

async fn redelivered_update_changes_nothing(db: TestDb) {
    let s = &db.store;
    let org = Org::create(s, "borovichi").await;
    let t0 = org.local("2026-11-23 10:00");
    let reg = org.register(s, t0, None, Importance::Normal).await;
    let curator = s.actor(org.curator, t0).await.unwrap();
    let applied = s
        .apply(
            reg.id,
            &org.route(org.executor),
            &curator,
            t0,
            org.rules(),
            Some(9001),
        )
        .await
        .unwrap();
    let version = applied.incident.workflow.version;
    let outbox = s.pending_outbox().await.unwrap().len();
    // The same update again (Telegram redelivers after a crash): nothing changes.
    let again = s
        .apply(
            reg.id,
            &org.route(org.executor),
            &curator,
            t0,
            org.rules(),
            Some(9001),
        )
        .await;
    assert!(
        matches!(
            again,
            Err(ApplyError::AlreadyProcessed(9001))
                | Err(ApplyError::Refused(TransitionError::AlreadyDone(_)))
        ),
        "{again:?}"
    );
    // A redelivered update carrying a command that would still apply is refused by its id.
    let executor = s.actor(org.executor, t0).await.unwrap();
    s.apply(
        reg.id,
        &Command::Accept { part: 0 },
        &executor,
        t0,
        org.rules(),
        Some(9002),
    )
    .await
    .unwrap();
    let draft_cmd = draft("Ответ");
    s.apply(reg.id, &draft_cmd, &executor, t0, org.rules(), Some(9003))
        .await
        .unwrap();
    let rework = Command::RequestRework {
        part: Some(0),
        version: None,
        comment: "Дополнить".into(),
        deadline: None,
    };
    s.apply(reg.id, &rework, &curator, t0, org.rules(), Some(9004))
        .await
        .unwrap();
    let resubmit = s
        .apply(reg.id, &draft_cmd, &executor, t0, org.rules(), Some(9003))
        .await;
    assert!(
        matches!(resubmit, Err(ApplyError::AlreadyProcessed(9003))),
        "{resubmit:?}"
    );
    let stored = s.incident(reg.id).await.unwrap();
    assert_eq!(stored.workflow.version, version + 3);
    assert_eq!(stored.workflow.parts[0].drafts.len(), 1);
    assert!(s.pending_outbox().await.unwrap().len() > outbox);
    assert!(!s.record_update(9001, t0).await.unwrap());
    assert!(s.record_update(9100, t0).await.unwrap());
}

async fn absent_executor_incidents_go_to_the_substitute(db: TestDb) {
    let s = &db.store;
    let org = Org::create(s, "vorsino").await;
    let t0 = org.local("2026-11-23 10:00");
    s.add_absence(
        org.id,
        &Absence {
            person: org.executor,
            substitute: org.substitute,
            from: t0 - Duration::days(1),
            until: t0 + Duration::days(3),
            reason: AbsenceReason::Vacation,
        },
    )
    .await
    .unwrap();
    let reg = org.register(s, t0, None, Importance::Normal).await;
    org.act(s, org.curator, reg.id, org.route(org.executor), t0)
        .await
        .unwrap();
    let card = s
        .pending_outbox()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.message == "incident_card")
        .unwrap();
    assert_eq!(card.person_id, Some(org.substitute));
    // The substitute may act; the card names the executor it belongs to.
    let sub = s.actor(org.substitute, t0).await.unwrap();
    assert_eq!(sub.substitutes_for, vec![org.executor]);
    org.act(s, org.substitute, reg.id, Command::Accept { part: 0 }, t0)
        .await
        .unwrap();
    org.act(s, org.substitute, reg.id, draft("Ответ"), t0)
        .await
        .unwrap();
    org.act(
        s,
        org.curator,
        reg.id,
        Command::RequestRework {
            part: Some(0),
            version: None,
            comment: "Дополнить".into(),
            deadline: None,
        },
        t0,
    )
    .await
    .unwrap();
    let rework = s
        .pending_outbox()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.message == "rework")
        .unwrap();
    assert_eq!(rework.person_id, Some(org.substitute));
    // After the absence, messages go back to the executor, and the substitute can no longer act.
    let back = t0 + Duration::days(4);
    assert_eq!(
        s.handler_for(org.executor, back).await.unwrap(),
        org.executor
    );
    org.act(s, org.executor, reg.id, draft("Ответ с датой"), back)
        .await
        .unwrap();
    org.act(
        s,
        org.curator,
        reg.id,
        Command::RequestRework {
            part: Some(0),
            version: None,
            comment: "Ещё".into(),
            deadline: None,
        },
        back,
    )
    .await
    .unwrap();
    let last = s
        .pending_outbox()
        .await
        .unwrap()
        .into_iter()
        .rfind(|m| m.message == "rework")
        .unwrap();
    assert_eq!(last.person_id, Some(org.executor));
    let err = org
        .act(s, org.substitute, reg.id, draft("x"), back)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ApplyError::Refused(TransitionError::NotAllowed(_))
    ));
    // A deactivated person can do nothing.
    s.set_person_active(org.executor, false).await.unwrap();
    let err = org
        .act(s, org.executor, reg.id, draft("x"), back)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ApplyError::Refused(TransitionError::NotAllowed(_))
    ));
}

async fn registration_is_idempotent_by_external_id(db: TestDb) {
    let s = &db.store;
    let org = Org::create(s, "barnaul-leninsky").await;
    let t0 = org.local("2026-11-23 10:00");
    let first = org.register(s, t0, Some("IM-77"), Importance::Normal).await;
    let second = org.register(s, t0, Some("IM-77"), Importance::Normal).await;
    assert!(first.created);
    assert!(!second.created);
    assert_eq!((first.id, first.number), (second.id, second.number));
    let other = org.register(s, t0, Some("IM-78"), Importance::Normal).await;
    assert_eq!(other.number, 2);
    // Concurrent intakes of one new external id make one incident.
    let (a, b) = tokio::join!(
        org.register(s, t0, Some("IM-79"), Importance::Normal),
        org.register(s, t0, Some("IM-79"), Importance::Normal),
    );
    assert_eq!(a.id, b.id);
    assert_eq!([a.created, b.created].iter().filter(|c| **c).count(), 1);
    assert_eq!(s.audit_log(a.id).await.unwrap().len(), 1);
}

async fn weekend_emergency_reaches_the_duty_officer(db: TestDb) {
    let s = &db.store;
    let org = Org::create(s, "yuzhno-sakhalinsk").await;
    let duty = s
        .create_person(
            org.id,
            &NewPerson {
                full_name: "Дежурный".into(),
                phone: Some("+7 924 000-00-00".into()),
                telegram_user_id: Some(77),
                telegram_username: None,
                roles: vec![Role::DutyOfficer],
            },
        )
        .await
        .unwrap();
    let saturday = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    s.add_duty(
        org.id,
        &DutyShift {
            person: duty,
            from: saturday,
            to: saturday.succ_opt().unwrap(),
            phone: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(s.on_duty(org.id, saturday).await.unwrap(), vec![duty]);
    assert!(s
        .on_duty(org.id, saturday.pred_opt().unwrap())
        .await
        .unwrap()
        .is_empty());
    // Saturday 10:00 in Sakhalin is still Friday 23:00 UTC: the roster is read on the local date.
    let t = org.local("2026-11-21 10:00");
    assert_eq!(t.format("%a").to_string(), "Fri");
    org.register(s, t, None, Importance::High).await;
    let alert = s
        .pending_outbox()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.message == "weekend_emergency")
        .unwrap();
    assert_eq!(alert.person_id, Some(duty));
}

async fn bad_directory_input_is_refused(db: TestDb) {
    let s = &db.store;
    let org = Org::create(s, "krymsk").await;
    let t0 = Utc::now();
    let bad = s
        .add_absence(
            org.id,
            &Absence {
                person: org.executor,
                substitute: org.executor,
                from: t0,
                until: t0 + Duration::days(1),
                reason: AbsenceReason::Illness,
            },
        )
        .await;
    assert!(matches!(bad, Err(StorageError::Invalid(_))));
    let bad = s
        .add_absence(
            org.id,
            &Absence {
                person: org.executor,
                substitute: org.substitute,
                from: t0,
                until: t0,
                reason: AbsenceReason::Study,
            },
        )
        .await;
    assert!(matches!(bad, Err(StorageError::Invalid(_))));
    let bad = s
        .create_organisation(
            &NewOrganisation {
                name: "X".into(),
                regulation_name: "x".into(),
                regulation_toml: "[profile]\nid='x'".into(),
                curator_chat_id: None,
                head_chat_id: None,
            },
            t0,
        )
        .await;
    assert!(matches!(bad, Err(StorageError::Invalid(_))));
    assert!(matches!(
        s.incident(424242).await,
        Err(StorageError::NotFound(_))
    ));
    assert!(matches!(
        s.organisation(424242).await,
        Err(StorageError::NotFound(_))
    ));
    s.set_department_head(org.dept, org.head).await.unwrap();
    assert_eq!(s.department_head(org.dept).await.unwrap(), Some(org.head));
    assert!(matches!(
        Store::connect("mysql://x").await,
        Err(StorageError::UnsupportedUrl(_))
    ));
}

const EXAMPLE: &str = include_str!("../examples/organisation.toml");

fn example() -> otklik::directory_file::ValidDirectory {
    otklik::directory_file::DirectoryFile::parse(EXAMPLE, None).unwrap()
}

async fn import_export_round_trip_and_reimport_changes_nothing(db: TestDb) {
    let s = &db.store;
    let t0 = Utc::now();
    let report = s.import_directory(&example(), t0).await.unwrap();
    assert!(report.created_organisation);
    assert_eq!(
        (
            report.departments,
            report.people_added,
            report.people_deactivated
        ),
        (2, 5, 0)
    );
    let name = "Администрация СП «Село Ворсино»";
    let exported = s.export_directory(name).await.unwrap();
    let text = exported.to_toml().unwrap();

    // Re-importing the same file, or the exported one, changes nothing.
    let again = s.import_directory(&example(), t0).await.unwrap();
    assert_eq!(
        (
            again.created_organisation,
            again.people_added,
            again.people_deactivated
        ),
        (false, 0, 0)
    );
    assert_eq!(again.organisation_id, report.organisation_id);
    let reparsed = otklik::directory_file::DirectoryFile::parse(&text, None).unwrap();
    s.import_directory(&reparsed, t0).await.unwrap();
    assert_eq!(s.export_directory(name).await.unwrap(), exported);

    // What was imported works: roles, heads, members, regulation, duty across the New Year.
    let org = s.organisation(report.organisation_id).await.unwrap();
    assert_eq!(org.regulation.id, "vorsino");
    assert_eq!(org.curator_chat_id, Some(-1001234567890));
    let heads = s
        .people_with_role(org.id, Role::DepartmentHead)
        .await
        .unwrap();
    assert_eq!(heads.len(), 1);
    let depts = s.departments(org.id).await.unwrap();
    let housing = depts.iter().find(|(_, n)| n == "Отдел ЖКХ").unwrap().0;
    assert_eq!(s.department_head(housing).await.unwrap(), Some(heads[0]));
    let executor = s.department_executor(housing).await.unwrap().unwrap();
    assert_eq!(
        s.person(executor).await.unwrap().full_name,
        "Петров Алексей Иванович"
    );
    for day in ["2026-12-31", "2027-01-01", "2027-01-07", "2027-01-10"] {
        let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        assert_eq!(s.on_duty(org.id, date).await.unwrap(), heads, "{day}");
    }
    assert!(s
        .on_duty(org.id, NaiveDate::from_ymd_opt(2027, 1, 11).unwrap())
        .await
        .unwrap()
        .is_empty());

    // A person bound through an invite keeps the binding across re-imports; one removed from the
    // file is deactivated, not deleted.
    let curator = s.people_with_role(org.id, Role::Curator).await.unwrap()[0];
    let code = s
        .create_invite(curator, t0, Duration::days(1))
        .await
        .unwrap();
    s.redeem_invite(&code, 555, t0).await.unwrap().unwrap();
    let mut smaller = example();
    smaller
        .file
        .people
        .retain(|p| p.name != "Орлов Виктор Николаевич");
    let report = s.import_directory(&smaller, t0).await.unwrap();
    assert_eq!(report.people_deactivated, 1);
    assert_eq!(s.person(curator).await.unwrap().telegram_user_id, Some(555));
    assert!(s
        .people_with_role(org.id, Role::Head)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(s.export_directory(name).await.unwrap().people.len(), 4);
}

async fn a_bad_organisation_file_is_refused_whole(db: TestDb) {
    let s = &db.store;
    let bad = EXAMPLE
        .replace("regulation = \"vorsino\"", "regulation = \"moscow\"")
        .replace(
            "departments = [\"Отдел ЖКХ\"]",
            "departments = [\"Отдел кадров\"]",
        )
        .replace("roles = [\"head\"]", "roles = []")
        .replace("person = \"Кузнецов Игорь Петрович\"", "person = \"Никто\"");
    let err = otklik::directory_file::DirectoryFile::parse(&bad, None)
        .unwrap_err()
        .to_string();
    for needle in [
        "organisation.regulation: \"moscow\" is neither a preset",
        "line 28: people[1].departments: no department \"Отдел кадров\"",
        "people[4].roles: give at least one role",
        "duty[0].person: no person \"Никто\"",
    ] {
        assert!(err.contains(needle), "{needle:?} not in:\n{err}");
    }
    // A syntax error names its line.
    let err = otklik::directory_file::DirectoryFile::parse("[organisation]\nname = ", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2"), "{err}");
    // Nothing was written.
    assert!(s
        .organisation_id("Администрация СП «Село Ворсино»")
        .await
        .unwrap()
        .is_none());
}

async fn invites_bind_once_and_expire(db: TestDb) {
    let s = &db.store;
    let org = Org::create(s, "vorsino").await;
    let t0 = org.local("2026-11-23 10:00");
    let newcomer = s
        .create_person(
            org.id,
            &NewPerson {
                full_name: "Новиков Павел".into(),
                roles: vec![Role::Executor],
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(s.people_without_account(org.id).await.unwrap().len(), 1);
    let code = s
        .create_invite(newcomer, t0, Duration::days(14))
        .await
        .unwrap();
    assert_eq!(code.len(), 24);
    // Someone else's account cannot take it over.
    assert_eq!(
        s.redeem_invite(&code, 3, t0).await.unwrap(),
        Err(InviteError::AccountTaken)
    );
    let person = s
        .redeem_invite(&code, 777, t0 + Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(person.id, newcomer);
    assert_eq!(
        s.person_by_messenger_id(777).await.unwrap().unwrap().id,
        newcomer
    );
    assert_eq!(
        s.redeem_invite(&code, 778, t0).await.unwrap(),
        Err(InviteError::Used)
    );
    assert_eq!(
        s.redeem_invite("nope", 778, t0).await.unwrap(),
        Err(InviteError::Unknown)
    );
    let late = s
        .create_invite(org.executor, t0, Duration::days(1))
        .await
        .unwrap();
    assert_eq!(
        s.redeem_invite(&late, 779, t0 + Duration::days(2))
            .await
            .unwrap(),
        Err(InviteError::Expired)
    );
    assert!(s.people_without_account(org.id).await.unwrap().is_empty());
}
