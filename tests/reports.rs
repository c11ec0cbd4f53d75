//! Reports: the figures of a hand-built week with known answers (a holiday in it, late stages on
//! both sides of it, a clarification pause, a split incident, a returned one), and the same week
//! read back from storage on both backends and written as a workbook and a chart. Delivery is in
//! `report_delivery.rs`.

mod support;

use calamine::{Data, DataType};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use otklik::core::reports::{dates_request, ReportFiles};
use otklik::core::view::UploadKind;
use otklik::core::{Core, CoreConfig, ManualClock};
use otklik::domain::content::{IncidentContent, MessageKind, Source};
use otklik::domain::incident::{
    apply, Actor, Assignment, Command, DraftKind, Incident, NoAnswerReason, Registration,
    ReturnReason, Role, Rules,
};
use otklik::domain::regulation::{Importance, Regulation, Stage};
use otklik::domain::report::{figures, IncidentFacts, Outcome, WorkflowFacts};
use otklik::domain::{DepartmentId, PersonId, WorkCalendar};
use otklik::storage::NewRecord;
use otklik::texts::Texts;
use support::app::*;
use support::db::TestDb;
use support::files::{png_size, row, sheet};

on_both_backends!(the_week_read_back_from_storage_makes_the_same_report_and_files);

/// Who acts in the hand-built week.
#[derive(Clone, Copy)]
struct Ids {
    curator: PersonId,
    exec: PersonId,
    exec2: PersonId,
    dept: DepartmentId,
    dept2: DepartmentId,
}

const IDS: Ids = Ids {
    curator: PersonId(1),
    exec: PersonId(10),
    exec2: PersonId(20),
    dept: DepartmentId(100),
    dept2: DepartmentId(200),
};

fn actor(person: PersonId, role: Role) -> Actor {
    Actor {
        person,
        roles: vec![role],
        ..Actor::default()
    }
}

/// One incident's life, command by command at the local times given.
struct Life<'a> {
    rules: Rules<'a>,
    ids: Ids,
    incident: Incident,
    source: Source,
    repeat: bool,
}

impl<'a> Life<'a> {
    fn new(rules: Rules<'a>, ids: Ids, detected: &str, importance: Importance) -> Life<'a> {
        let at = moscow(detected);
        let incident = Incident::register(
            Registration {
                detected_at: at,
                received_at: at,
                importance,
                external_deadline: None,
                topic: Some("ЖКХ".into()),
                location: Some("Центр".into()),
            },
            rules,
        )
        .expect("registered")
        .incident;
        Life {
            rules,
            ids,
            incident,
            source: Source::Vk,
            repeat: false,
        }
    }

    fn by(&mut self, at: &str, who: Actor, command: Command) -> &mut Self {
        let t = apply(&self.incident, &command, &who, moscow(at), self.rules)
            .unwrap_or_else(|e| panic!("{command:?} at {at}: {e}"));
        self.incident = t.incident;
        self
    }

    fn curator(&mut self, at: &str, command: Command) -> &mut Self {
        let who = actor(self.ids.curator, Role::Curator);
        self.by(at, who, command)
    }

    fn exec(&mut self, at: &str, command: Command) -> &mut Self {
        let who = actor(self.ids.exec, Role::Executor);
        self.by(at, who, command)
    }

    fn exec2(&mut self, at: &str, command: Command) -> &mut Self {
        let who = actor(self.ids.exec2, Role::Executor);
        self.by(at, who, command)
    }

    fn route(&mut self, at: &str, to: &[(DepartmentId, PersonId)]) -> &mut Self {
        let command = Command::Route {
            assignments: to
                .iter()
                .map(|(department, executor)| Assignment {
                    department: *department,
                    executor: *executor,
                })
                .collect(),
            importance: None,
            topic: None,
            location: None,
            deadlines: Default::default(),
        };
        self.curator(at, command)
    }

    fn facts(&self, number: i64) -> IncidentFacts {
        IncidentFacts {
            number,
            source: self.source,
            url: format!("https://vk.com/wall-1_{number}"),
            repeat: self.repeat,
            workflow: WorkflowFacts::of(&self.incident),
        }
    }
}

fn draft(part: usize, kind: DraftKind) -> Command {
    Command::SubmitDraft {
        part,
        kind,
        text: "Ответ".into(),
        attachments: vec![],
    }
}

fn approve(part: usize) -> Command {
    Command::Approve {
        part: Some(part),
        version: None,
    }
}

fn publish(part: usize) -> Command {
    Command::MarkPublished {
        part: Some(part),
        link: "https://vk.com/wall-1_1?reply=2".into(),
    }
}

/// The week of 2–8 November 2026 under the Borovichi regulation (8 working hours to answer,
/// 30 minutes to route, the draft 4 hours before the answer's deadline): Tuesday 3 November is
/// a shortened day (until 17:00), Wednesday 4 November a holiday. Seven incidents (A–G), and one
/// (H) in the week before.
fn the_week(rules: Rules<'_>, ids: Ids) -> Vec<Life<'_>> {
    let one = [(ids.dept, ids.exec)];
    // A: everything in time; answered in 1 h 40 min.
    let mut a = Life::new(rules, ids, "2026-11-02 10:00", Importance::Normal);
    a.route("2026-11-02 10:20", &one)
        .exec("2026-11-02 10:30", Command::Accept { part: 0 })
        .exec("2026-11-02 11:00", draft(0, DraftKind::Answer))
        .curator("2026-11-02 11:20", approve(0))
        .curator("2026-11-02 11:40", publish(0));
    // B: routed 30 min late on Tuesday (due 15:30); the draft due Thursday 11:00 comes at 12:10
    // (70 min late, past the department head's escalation at 12:00); published 30 working
    // minutes late (due 13:00, lunch until 14:00). Answered in 6 h 30 min.
    let mut b = Life::new(rules, ids, "2026-11-03 15:00", Importance::Normal);
    b.route("2026-11-03 16:00", &one)
        .exec("2026-11-03 16:10", Command::Accept { part: 0 })
        .exec("2026-11-05 12:10", draft(0, DraftKind::Answer))
        .curator("2026-11-05 12:30", approve(0))
        .curator("2026-11-05 14:30", publish(0));
    // C: a clarification, posted as soon as it is approved, stops the clock from Monday 14:40
    // to Tuesday 10:40 (5 working hours);
    // answered in 1 h 30 min of working time.
    let mut c = Life::new(rules, ids, "2026-11-02 14:00", Importance::Normal);
    c.route("2026-11-02 14:10", &one)
        .exec("2026-11-02 14:15", Command::Accept { part: 0 })
        .exec("2026-11-02 14:30", draft(0, DraftKind::Clarification))
        .curator("2026-11-02 14:40", approve(0))
        .exec(
            "2026-11-02 14:40",
            Command::RecordClarificationPosted { part: 0 },
        )
        .curator(
            "2026-11-03 10:40",
            Command::RecordAuthorReply {
                part: 0,
                text: "Ленина, 14".into(),
            },
        )
        .exec("2026-11-03 11:00", draft(0, DraftKind::Answer))
        .curator("2026-11-03 11:10", approve(0))
        .curator("2026-11-03 11:30", publish(0));
    // D: split between two departments; the first answers after one rework, the second's draft
    // (due 14:00) comes 30 min late. Answered when both are published: 5 h.
    let mut d = Life::new(rules, ids, "2026-11-05 09:00", Importance::Normal);
    d.route(
        "2026-11-05 09:20",
        &[(ids.dept, ids.exec), (ids.dept2, ids.exec2)],
    )
    .exec("2026-11-05 09:30", Command::Accept { part: 0 })
    .exec2("2026-11-05 09:40", Command::Accept { part: 1 })
    .exec("2026-11-05 10:00", draft(0, DraftKind::Answer))
    .curator(
        "2026-11-05 10:05",
        Command::RequestRework {
            part: Some(0),
            version: None,
            comment: "Добавьте сроки".into(),
            deadline: None,
        },
    )
    .exec("2026-11-05 10:20", draft(0, DraftKind::Answer))
    .curator("2026-11-05 10:25", approve(0))
    .curator("2026-11-05 10:30", publish(0))
    .exec2("2026-11-05 14:30", draft(1, DraftKind::Answer))
    .curator("2026-11-05 14:40", approve(1))
    .curator("2026-11-05 15:00", publish(1));
    // E: returned by the second department, routed again to the first in time; 1 h 30 min.
    let mut e = Life::new(rules, ids, "2026-11-06 10:00", Importance::Normal);
    e.route("2026-11-06 10:10", &[(ids.dept2, ids.exec2)])
        .exec2(
            "2026-11-06 10:15",
            Command::Return {
                part: 0,
                reason: ReturnReason::NotOurCompetence,
                comment: "Не наш вопрос".into(),
            },
        )
        .route("2026-11-06 10:25", &one)
        .exec("2026-11-06 10:30", Command::Accept { part: 1 })
        .exec("2026-11-06 11:00", draft(1, DraftKind::Answer))
        .curator("2026-11-06 11:10", approve(1))
        .curator("2026-11-06 11:30", publish(1));
    // F: high importance (4 hours, the draft 2 hours before), no draft yet on Monday at noon:
    // the draft 3 working hours late (escalated at 10:00), the answer 1 hour late.
    let mut f = Life::new(rules, ids, "2026-11-06 16:00", Importance::High);
    f.route("2026-11-06 16:20", &one)
        .exec("2026-11-06 16:30", Command::Accept { part: 0 });
    // G: a repeat from Telegram on Saturday, left without an answer on Monday before routing was
    // due (09:30).
    let mut g = Life::new(rules, ids, "2026-11-07 12:00", Importance::Normal);
    g.source = Source::Telegram;
    g.repeat = true;
    // Quotes and a backslash survive the way through storage.
    g.incident.location = Some("ул. \"Мира\", 5\\1".into());
    g.curator(
        "2026-11-09 09:10",
        Command::MarkNoAnswer {
            reason: NoAnswerReason::Obscenity,
        },
    );
    // H: the week before, answered in time.
    let mut h = Life::new(rules, ids, "2026-10-28 10:00", Importance::Normal);
    h.route("2026-10-28 10:10", &one)
        .exec("2026-10-28 10:20", Command::Accept { part: 0 })
        .exec("2026-10-28 11:00", draft(0, DraftKind::Answer))
        .curator("2026-10-28 11:10", approve(0))
        .curator("2026-10-28 11:20", publish(0));
    vec![a, b, c, d, e, f, g, h]
}

/// When the report is made: Monday 9 November, noon.
fn report_time() -> DateTime<Utc> {
    moscow("2026-11-09 12:00")
}

fn borovichi() -> (Regulation, WorkCalendar) {
    let reg = Regulation::preset("borovichi").expect("the preset");
    let cal = reg.calendar().expect("its calendar");
    (reg, cal)
}

fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

#[test]
fn the_week_has_the_figures_worked_out_by_hand() {
    let (reg, cal) = borovichi();
    let rules = Rules {
        regulation: &reg,
        calendar: &cal,
    };
    let lives = the_week(rules, IDS);
    let facts: Vec<IncidentFacts> = lives[..7]
        .iter()
        .enumerate()
        .map(|(i, l)| l.facts(i as i64 + 1))
        .collect();
    let f = figures(&facts, report_time(), rules).expect("figures");

    assert_eq!(f.total, 7);
    assert_eq!(f.count(Outcome::InTime), 3, "A, C, E");
    assert_eq!(f.count(Outcome::Late), 2, "B, D");
    assert_eq!(f.count(Outcome::Open), 1, "F");
    assert_eq!(f.count(Outcome::NoAnswer), 1, "G");
    assert_eq!(f.on_time_share(), Some(0.6));
    assert_eq!(f.returned, 1);
    assert_eq!(f.repeats, 1);
    assert_eq!(f.by_source.get("telegram"), Some(&1));
    assert_eq!(f.by_source.get("vk"), Some(&6));
    assert_eq!(f.by_importance.get("high"), Some(&1));

    // Answered in (working seconds): A 1:40, B 6:30, C 1:30 (the pause taken out), D 5:00,
    // E 1:30; nearest-rank median is the 3rd of 5, the 90th percentile the 5th.
    let answered: Vec<Option<i64>> = facts.iter().map(|f| f.workflow.answered_in).collect();
    assert_eq!(
        answered,
        [
            Some(6000),
            Some(23400),
            Some(5400),
            Some(18000),
            Some(5400),
            None,
            None
        ]
    );
    assert_eq!(f.answer_time.median, Some(minutes(100)));
    assert_eq!(f.answer_time.p90, Some(minutes(390)));

    // Every broken deadline, by incident and deadline.
    let seen: Vec<(i64, Stage, Option<usize>, Duration, bool)> = f
        .violations
        .iter()
        .map(|v| (v.number, v.stage, v.part, v.late_by, v.escalated))
        .collect();
    assert_eq!(
        seen,
        [
            (2, Stage::Routing, None, minutes(30), false),
            (2, Stage::Draft, Some(0), minutes(70), true),
            (2, Stage::Publication, Some(0), minutes(30), false),
            (4, Stage::Draft, Some(1), minutes(30), false),
            (6, Stage::Draft, Some(0), minutes(180), true),
            (6, Stage::Final, None, minutes(60), false),
        ]
    );
    assert_eq!(f.violations[1].deadline, moscow("2026-11-05 11:00"));
    assert_eq!(f.violations[1].ended_at, Some(moscow("2026-11-05 12:10")));
    assert_eq!(f.violations[4].ended_at, None, "F's draft is still due");
    assert_eq!(f.escalated, 2, "B and F");

    // Departments: the first has A, B, C, D's first part, E's second and F.
    let first = &f.by_department[&IDS.dept];
    assert_eq!(
        (first.parts, first.answered, first.on_time, first.violations),
        (6, 5, 4, 3)
    );
    assert_eq!(first.answer_time.median, Some(minutes(90)));
    assert_eq!(first.answer_time.p90, Some(minutes(390)));
    assert_eq!((first.reworks, first.approved, first.first_try), (1, 5, 4));
    let second = &f.by_department[&IDS.dept2];
    assert_eq!(
        (
            second.parts,
            second.answered,
            second.on_time,
            second.returned
        ),
        (2, 1, 0, 1)
    );
    assert_eq!(second.on_time_share(), Some(0.0));
    assert_eq!((f.approved, f.first_try, f.reworks), (6, 5, 1));
    assert_eq!(f.by_executor[&IDS.exec], 6);
    assert_eq!(f.by_executor[&IDS.exec2], 2);

    // Per local day, (normal, high): nothing on the holiday.
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).expect("a date");
    assert_eq!(f.per_day.get(&day(2)), Some(&(2, 0)));
    assert_eq!(f.per_day.get(&day(3)), Some(&(1, 0)));
    assert_eq!(f.per_day.get(&day(4)), None);
    assert_eq!(f.per_day.get(&day(6)), Some(&(1, 1)));
}

#[test]
fn a_clarification_pause_moves_the_stage_deadline_and_is_kept_in_the_log() {
    let (reg, cal) = borovichi();
    let rules = Rules {
        regulation: &reg,
        calendar: &cal,
    };
    let lives = the_week(rules, IDS);
    let c = &lives[2].incident;
    let drafts: Vec<_> = c
        .log
        .runs
        .iter()
        .filter(|r| r.stage == Stage::Draft)
        .collect();
    // The draft stage ran before the question and again while the author was asked: after the
    // pause its deadline is Tuesday 15:00 (the answer due Thursday 11:00, less 4 hours).
    assert_eq!(drafts.len(), 2, "{drafts:?}");
    assert_eq!(drafts[1].started_at, moscow("2026-11-02 14:10"));
    assert_eq!(drafts[1].deadline, Some(moscow("2026-11-03 15:00")));
    assert_eq!(drafts[1].ended_at, Some(moscow("2026-11-03 11:00")));
    assert_eq!(drafts[1].late_seconds, Some(0));
    assert_eq!(c.log.answered_at, Some(moscow("2026-11-03 11:30")));
    assert_eq!(c.log.parts_answered_in, [Some(5400)]);
}

/// Stores the hand-built week for the seeded organisation (numbers 1–8 in order).
async fn store_the_week(db: &TestDb) -> (Core, Seeded) {
    let store = db.store().await;
    let seeded = seed(&store, "borovichi").await;
    let ids = Ids {
        curator: seeded.curator,
        exec: seeded.executor,
        exec2: seeded.other_executor,
        dept: seeded.dept,
        dept2: seeded.other_dept,
    };
    let (reg, cal) = borovichi();
    let rules = Rules {
        regulation: &reg,
        calendar: &cal,
    };
    let mut first = None;
    for (i, life) in the_week(rules, ids).iter().enumerate() {
        let content = IncidentContent {
            source: life.source,
            kind: MessageKind::Comment,
            url: format!("https://vk.com/wall-1_{}", i + 1),
            external_id: None,
            author: "Ирина П.".into(),
            text: "Когда дадут тепло?".into(),
            attachments: vec![],
            // G repeats A.
            repeat_of: if life.repeat { first } else { None },
        };
        let inserted = store
            .insert_incident(
                &NewRecord {
                    org: seeded.org,
                    content: &content,
                    reply_to: None,
                    workflow: &life.incident,
                    next_deadline: None,
                    part_due: vec![],
                    audit: vec![],
                    outbox: vec![],
                    timers: vec![],
                    org_timers: vec![],
                },
                life.incident.detected_at,
            )
            .await
            .expect("stored");
        assert_eq!(inserted.number, i as i64 + 1);
        first = first.or(Some(inserted.id));
    }
    let texts = Texts::load(Some(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dialogues"),
    ))
    .expect("texts")
    .strict();
    let mut config =
        CoreConfig::new(otklik::domain::production_calendar::SHIPPED_RU_CALENDAR.into());
    config.clock = ManualClock::new(report_time());
    (Core::new(store, texts, config), seeded)
}

fn check_files(files: &ReportFiles) {
    let text = files.summary.plain();
    assert!(
        text.starts_with("📊 Отчёт за 02.11.2026 – 08.11.2026"),
        "{text}"
    );
    assert!(
        text.contains("Сообщений: 7 (+6 к предыдущему периоду)"),
        "{text}"
    );
    assert!(
        text.contains("Отвечено в срок: 3 из 5 (60%); с нарушением срока: 2; в работе: 1"),
        "{text}"
    );
    assert!(
        text.contains("До публикации: медиана 1,7 раб. ч, 90% — до 6,5 раб. ч"),
        "{text}"
    );
    assert!(
        text.contains("Нарушений сроков: 6; сообщений с эскалацией: 2"),
        "{text}"
    );

    let chart = files.chart.file.as_ref().expect("a chart");
    assert_eq!(chart.kind, UploadKind::Image);
    assert_eq!(chart.name, "otklik-20261102-20261108.png");
    // Two departments answered: 640 + 140 + 2 × 64 pixels high.
    assert_eq!(png_size(&chart.bytes), (1080, 908));

    let book = files.workbook.file.as_ref().expect("a workbook");
    assert_eq!(book.kind, UploadKind::Document);
    let summary = sheet(&book.bytes, "Сводка");
    assert_eq!(
        row(&summary, "Всего сообщений")[1..3],
        [Data::Float(7.0), Data::Float(1.0)]
    );
    assert_eq!(row(&summary, "Отвечено в срок")[1], Data::Float(3.0));
    assert_eq!(row(&summary, "Доля ответов в срок")[1], Data::Float(0.6));
    assert_eq!(
        row(&summary, "Доля ответов в срок")[2],
        Data::Float(1.0),
        "H, the week before"
    );
    assert_eq!(
        row(&summary, "До публикации, 90-й процентиль (раб. ч)")[1],
        Data::Float(6.5)
    );
    assert_eq!(row(&summary, "Повторные обращения")[1], Data::Float(1.0));
    let department = row(&summary, "Благоустройство");
    assert_eq!(
        department[1..5],
        [
            Data::Float(2.0),
            Data::Float(1.0),
            Data::Float(0.0),
            Data::Float(0.0)
        ]
    );

    let violations = sheet(&book.bytes, "Нарушения сроков");
    let rows: Vec<&[Data]> = violations
        .rows()
        .filter(|r| matches!(r.first(), Some(Data::Float(_))))
        .collect();
    assert_eq!(rows.len(), 6);
    // B's draft: Петров held it, due Thursday 11:00, 70 working minutes late, escalated.
    let b_draft = rows[1];
    assert_eq!(b_draft[0], Data::Float(2.0));
    assert_eq!(b_draft[2].to_string(), "проект ответа");
    assert_eq!(b_draft[3].to_string(), "Отдел ЖКХ");
    assert_eq!(b_draft[4].to_string(), "Петров Алексей");
    let deadline = b_draft[5].as_datetime().expect("a date");
    assert_eq!(deadline.to_string(), "2026-11-05 11:00:00");
    let late = b_draft[7].get_float().expect("hours");
    assert!((late - 70.0 / 60.0).abs() < 1e-9, "{late}");
    assert_eq!(b_draft[8].to_string(), "да");
    assert_eq!(rows[0][4].to_string(), "кураторы", "routing waits for them");
    assert_eq!(rows[4][6].to_string(), "ещё не завершён");

    let incidents = sheet(&book.bytes, "Сообщения");
    let rows: Vec<&[Data]> = incidents
        .rows()
        .filter(|r| matches!(r.first(), Some(Data::Float(_))))
        .collect();
    assert_eq!(rows.len(), 7);
    let c = rows.iter().find(|r| r[0] == Data::Float(3.0)).expect("C");
    let detected = c[6].as_datetime().expect("a date");
    assert_eq!(detected.to_string(), "2026-11-02 14:00:00");
    assert_eq!(c[11], Data::Float(1.5), "C: the pause does not count");
    assert_eq!(c[12].to_string(), "Отвечено в срок");
    let d = rows.iter().find(|r| r[0] == Data::Float(4.0)).expect("D");
    assert_eq!(d[13].to_string(), "Отдел ЖКХ; Благоустройство");
    let approved = d[9].as_datetime().expect("a date");
    assert_eq!(
        approved.to_string(),
        "2026-11-05 14:40:00",
        "the last part's approval"
    );
    assert_eq!(d[15], Data::Float(1.0), "one rework");
}

async fn the_week_read_back_from_storage_makes_the_same_report_and_files(db: &TestDb) {
    let (core, seeded) = store_the_week(db).await;
    let rules = core.org(seeded.org).await.expect("the organisation");
    let week = dates_request(
        &rules,
        NaiveDate::from_ymd_opt(2026, 11, 2).expect("a date"),
        NaiveDate::from_ymd_opt(2026, 11, 8).expect("a date"),
    );
    let read = core
        .store()
        .report_facts(seeded.org, week.period())
        .await
        .expect("facts");
    assert_eq!(read.len(), 7, "H belongs to the week before");
    assert_eq!(read.iter().filter(|f| f.repeat).count(), 1, "G");
    let from_storage = figures(&read, report_time(), rules.rules()).expect("figures");
    let (reg, cal) = borovichi();
    let domain_rules = Rules {
        regulation: &reg,
        calendar: &cal,
    };
    let ids = Ids {
        curator: seeded.curator,
        exec: seeded.executor,
        exec2: seeded.other_executor,
        dept: seeded.dept,
        dept2: seeded.other_dept,
    };
    let built: Vec<IncidentFacts> = the_week(domain_rules, ids)[..7]
        .iter()
        .enumerate()
        .map(|(i, l)| IncidentFacts {
            url: format!("https://vk.com/wall-1_{}", i + 1),
            ..l.facts(i as i64 + 1)
        })
        .collect();
    let in_memory = figures(&built, report_time(), domain_rules).expect("figures");
    // Storage keeps only what reports read (the late runs among the runs); the figures are the
    // same.
    assert_eq!(from_storage, in_memory);

    let files = core.report(seeded.org, week).await.expect("a report");
    check_files(&files);

    // A whole year: the chart draws weeks of days, the workbook has all eight.
    let year = dates_request(
        &rules,
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date"),
        NaiveDate::from_ymd_opt(2026, 12, 31).expect("a date"),
    );
    let files = core.report(seeded.org, year).await.expect("a report");
    assert!(
        files.summary.plain().contains("Сообщений: 8"),
        "{}",
        files.summary.plain()
    );
    let chart = files.chart.file.as_ref().expect("a chart");
    assert_eq!(png_size(&chart.bytes), (1080, 908));
}
