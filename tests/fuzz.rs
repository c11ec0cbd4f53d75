//! Property tests over everything a person, a monitoring system or an administrator can type:
//! intake bodies, messages and commands in chat (dates, deadlines, links, admin commands, every
//! multi-step input), regulation profiles and production calendars. None may panic or reach the
//! internal-error answer; each gets a clear answer. Seeds are fixed, so a run is repeatable.

mod support;

use chrono::{Duration, TimeZone, Utc};
use otklik::core::Input;
use otklik::domain::plan::{plan, PlanInput, Timeline};
use otklik::domain::production_calendar::{ProductionCalendar, SHIPPED_RU_CALENDAR};
use otklik::domain::regulation::{Importance, Regulation, PRESETS};
use otklik::domain::WorkCalendar;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRng, TestRunner};
use serde_json::{json, Map, Value};
use support::app::*;
use support::db::TestDb;

on_both_backends!(
    intake_bodies_get_a_documented_answer,
    typed_input_in_chat_never_fails_inside,
);

const INTERNAL: &str = "Что-то пошло не так";

fn runner(cases: u32) -> TestRunner {
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    TestRunner::new_with_rng(config, rng)
}

/// Text a person or a program might send: ordinary, empty, huge, control characters, markup.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[а-яА-Я0-9 .,:;!?()«»-]{0,40}",
        1 => Just(String::new()),
        1 => "\\PC{0,80}",
        1 => ".{0,20}".prop_map(|s| format!("{s}\u{0}{s}")),
        1 => (1usize..6000).prop_map(|n| "я".repeat(n)),
        1 => Just("<b>жирный</b> & <a href='x'>ссылка</a>".to_string()),
        1 => Just("   ".to_string()),
    ]
}

/// A JSON value of any type, mostly of the shapes intake fields have.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => any_text().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(|f| json!(f)),
        1 => any::<bool>().prop_map(Value::from),
        1 => prop::collection::vec(any_text().prop_map(Value::from), 0..4).prop_map(Value::from),
        1 => Just(json!({"nested": "object"})),
        1 => prop::sample::select(vec![
            "vk", "ok", "telegram", "max", "web", "other", "comment", "direct", "post", "normal",
            "high", "Отдел ЖКХ", "https://vk.com/wall-1_2", "2026-11-23T10:00:00+03:00",
            "2026-11-23T09:00:00+03:00", "2031-01-01T10:00:00Z", "1999-01-01T00:00:00Z",
            "2026-13-45T99:99:99Z",
        ])
        .prop_map(Value::from),
    ]
}

fn intake_body() -> impl Strategy<Value = String> {
    let keys = prop::sample::select(vec![
        "organisation",
        "external_id",
        "source",
        "url",
        "author",
        "text",
        "kind",
        "detected_at",
        "topic",
        "location",
        "importance",
        "department",
        "external_deadline",
        "attachments",
        "unknown",
    ]);
    let object = prop::collection::vec((keys, any_value()), 0..12).prop_map(|pairs| {
        let mut map = Map::new();
        // Mostly a body that is valid but for a few fields, so deep checks are reached too.
        map.insert("source".into(), json!("vk"));
        map.insert("url".into(), json!("https://vk.com/wall-1_2"));
        map.insert("text".into(), json!("Нет отопления"));
        map.insert("detected_at".into(), json!("2026-11-23T10:00:00+03:00"));
        for (k, v) in pairs {
            map.insert(k.to_string(), v);
        }
        Value::Object(map).to_string()
    });
    prop_oneof![
        8 => object,
        1 => "\\PC{0,60}",
        1 => Just("[1,2,3]".to_string()),
    ]
}

async fn intake_bodies_get_a_documented_answer(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let client = reqwest::Client::new();
    let handle = tokio::runtime::Handle::current();
    let url = format!("http://{}/api/v1/incidents", h.http);
    let outcome = tokio::task::block_in_place(|| {
        runner(250).run(&intake_body(), |body| {
            let (status, answer) = handle.block_on(async {
                let resp = client
                    .post(&url)
                    .header("authorization", "Bearer secret-token")
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("the API answers");
                let status = resp.status().as_u16();
                let bytes = resp.bytes().await.expect("a body");
                (status, serde_json::from_slice::<Value>(&bytes).ok())
            });
            prop_assert!(
                [200, 201, 400, 413, 422].contains(&status),
                "{status} for {body}: {answer:?}"
            );
            let answer = answer.unwrap_or(Value::Null);
            if status >= 400 {
                prop_assert!(answer["error"].is_string(), "{status} {body}: {answer}");
            } else {
                prop_assert!(answer["id"].is_i64(), "{body}: {answer}");
            }
            Ok(())
        })
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

/// What a person may type in chat: commands with arguments of every shape, and free text that
/// lands in whatever multi-step input is open.
fn chat_message() -> impl Strategy<Value = String> {
    let command = prop::sample::select(vec![
        "/new",
        "/report",
        "/away",
        "/back",
        "/add",
        "/move",
        "/duty_add",
        "/duty_remove",
        "/deactivate",
        "/activate",
        "/invite",
        "/open",
        "/overdue",
        "/my",
        "/settings",
        "/duty",
        "/help",
        "/start",
        "/cancel",
        "/unknown",
    ]);
    let argument = prop_oneof![
        any_text(),
        Just("01.12.2026 07.12.2026".to_string()),
        Just("31.12–10.01".to_string()),
        Just("Петров; 24.11–28.11; отпуск; Сидорова".to_string()),
        Just("Новиков Павел; исполнитель; Отдел ЖКХ".to_string()),
        Just("Петров; Благоустройство".to_string()),
        Just("99.99.9999 00.00.0000".to_string()),
        Just("2026-11-30 2026-11-01".to_string()),
        (any::<u32>(), any::<u32>()).prop_map(|(a, b)| format!("{a}.{b}–{b}.{a}")),
    ];
    prop_oneof![
        3 => (command, argument).prop_map(|(c, a)| format!("{c} {a}")),
        3 => any_text(),
        1 => Just("https://vk.com/wall-1_2?reply=3".to_string()),
        1 => Just("ВКонтакте".to_string()),
        1 => Just("-".to_string()),
        1 => Just("Готово".to_string()),
        1 => (0u32..100).prop_map(|n| n.to_string()),
        1 => Just("25.12 18:00".to_string()),
    ]
}

async fn typed_input_in_chat_never_fails_inside(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let inc = h
        .incident_for("Нет отопления", Importance::Normal, Some(h.dept))
        .await;
    h.settle().await;
    let curator = h.who(h.curator, CURATOR_TG).await;
    let in_group = h.who(h.curator, CURATOR_CHAT).await;
    let executor = h.who(h.executor, EXECUTOR_TG).await;
    // Open typed-input steps now and then, so free text lands in them.
    let openers = [
        format!("dr:{}:0:a", inc.id),
        format!("dr:{}:0:c", inc.id),
        format!("rt:{}:0", inc.id),
        format!("tp:{}", inc.id),
        format!("lc:{}", inc.id),
        format!("av:{}", inc.id),
    ];
    let handle = tokio::runtime::Handle::current();
    let outcome = tokio::task::block_in_place(|| {
        runner(400).run(
            &(chat_message(), 0usize..3, prop::option::of(0usize..6)),
            |(text, who, open)| {
                let who = [&curator, &in_group, &executor][who];
                if let Some(i) = open {
                    let action =
                        otklik::messenger::payload::decode(&openers[i]).expect("a known button");
                    let reply = handle
                        .block_on(h.core.press(who, action, None))
                        .map_err(|e| TestCaseError::fail(format!("{}: {e}", openers[i])))?;
                    let said = format!("{reply:?}");
                    prop_assert!(!said.contains(INTERNAL), "{}: {said}", openers[i]);
                }
                let input = Input {
                    text: text.clone(),
                    attachment: None,
                    forwarded: None,
                };
                let reply = handle
                    .block_on(h.core.message(who, input))
                    .map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
                let said = format!("{reply:?}");
                prop_assert!(!said.contains(INTERNAL), "{text:?}: {said}");
                Ok(())
            },
        )
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

/// A file's text with a few random edits: a line dropped, a value replaced, bytes inserted.
fn mutated(original: &'static str) -> impl Strategy<Value = String> {
    let edits = prop::collection::vec(
        (
            0usize..4,
            any::<prop::sample::Index>(),
            prop_oneof![
                Just("".to_string()),
                Just("\"0m\"".to_string()),
                Just("\"-5h\"".to_string()),
                Just("\"99999999h\"".to_string()),
                Just("\"off\"".to_string()),
                Just("\"00:00-24:00\"".to_string()),
                Just("\"23:59-00:01\"".to_string()),
                Just("[\"2026-02-30\"]".to_string()),
                Just("[]".to_string()),
                Just("4294967295".to_string()),
                Just("-1".to_string()),
                Just("\"Mars/Olympus\"".to_string()),
                Just("days_of".to_string()),
                "\\PC{0,12}",
            ],
        ),
        1..4,
    );
    edits.prop_map(move |edits| {
        let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
        for (kind, at, value) in edits {
            if lines.is_empty() {
                break;
            }
            let i = at.index(lines.len());
            match kind {
                0 => {
                    lines.remove(i);
                }
                1 => {
                    if let Some((key, _)) = lines[i].split_once(" = ") {
                        lines[i] = format!("{key} = {value}");
                    }
                }
                2 => lines.insert(i, value),
                _ => lines[i] = value,
            }
        }
        lines.join("\n")
    })
}

fn any_preset() -> impl Strategy<Value = &'static str> {
    prop::sample::select(PRESETS.iter().map(|(_, text)| *text).collect::<Vec<_>>())
}

#[test]
fn regulation_profiles_are_refused_clearly_or_work() {
    let detected = Utc.with_ymd_and_hms(2026, 12, 30, 14, 10, 0).unwrap();
    let outcome = runner(300).run(&any_preset().prop_flat_map(mutated), |text| {
        match Regulation::from_toml(&text) {
            Err(e) => prop_assert!(!e.to_string().is_empty()),
            Ok(reg) => {
                let calendar = reg.calendar();
                prop_assert!(calendar.is_ok(), "{:?}", calendar.err());
                let calendar = calendar.expect("checked");
                for importance in [Importance::Normal, Importance::High] {
                    for t in [detected, detected + Duration::days(3)] {
                        let input = PlanInput {
                            importance: Some(importance),
                            timeline: Timeline::detected(t),
                            ..PlanInput::default()
                        };
                        // An error is fine (a deadline past the calendar); a panic is not.
                        let _ = plan(&reg, &calendar, &input);
                    }
                }
            }
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

#[test]
fn production_calendars_are_refused_clearly_or_work() {
    let schedule = otklik::domain::WeeklySchedule::default();
    let outcome = runner(120).run(&mutated(SHIPPED_RU_CALENDAR), |text| {
        match ProductionCalendar::parse(&text, &["krasnodar_krai".to_string()]) {
            Err(e) => prop_assert!(!e.to_string().is_empty()),
            Ok(production) => {
                let calendar = WorkCalendar::new(chrono_tz::Europe::Moscow, &schedule, &production);
                let t = Utc.with_ymd_and_hms(2026, 5, 8, 12, 0, 0).unwrap();
                let _ = calendar.add(t, Duration::hours(8));
                let _ = calendar.add_working_days(t, 7);
                let _ = calendar.subtract(t, Duration::hours(4));
            }
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
