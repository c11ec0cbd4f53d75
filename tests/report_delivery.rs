//! Reports delivered: `/report` in the curators' chat (the text, the chart and the workbook as
//! Telegram messages; a period's button pressed there answers in the presser's private chat),
//! and the weekly and monthly reports on schedule, once each across a restart.

mod support;

use calamine::Data;
use otklik::domain::incident::Role;
use otklik::domain::regulation::Importance;
use support::app::*;
use support::db::TestDb;
use support::files::{png_size, row, sheet};

on_both_backends!(
    report_command_answers_with_text_chart_and_workbook,
    the_weekly_report_goes_out_once_on_friday_at_four,
    the_monthly_report_goes_out_on_the_first_working_day,
);

/// A message's text without its markup.
fn plain(c: &support::fake_telegram::Call) -> String {
    c.text().replace("<b>", "").replace("</b>", "")
}

/// The report messages (text, picture, file) sent to a chat since a mark.
fn report_calls(h: &TestApp, since: usize, chat: i64) -> Vec<support::fake_telegram::Call> {
    h.fake
        .calls()
        .into_iter()
        .skip(since)
        .filter(|c| c.ok && c.chat() == chat)
        .filter(|c| {
            c.method == "sendPhoto"
                || c.method == "sendDocument"
                || c.method == "sendMessage" && plain(c).starts_with("📊 Отчёт")
                || c.method == "sendMessage" && plain(c).starts_with("📊 Еженедельный")
        })
        .collect()
}

/// Waits for a whole report (its three messages) in a chat; returns them in order.
async fn whole_report(h: &TestApp, since: usize, chat: i64) -> Vec<support::fake_telegram::Call> {
    // A chart and a workbook are drawn by an unoptimised build: give it a minute.
    h.fake
        .wait_within(since, "the report's workbook", 60, |c| {
            c.method == "sendDocument" && c.chat() == chat
        })
        .await;
    let calls = report_calls(h, since, chat);
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(methods, ["sendMessage", "sendPhoto", "sendDocument"]);
    calls
}

async fn report_command_answers_with_text_chart_and_workbook(db: &TestDb) {
    let h = TestApp::start("borovichi", db).await;
    h.incident_for("Нет отопления", Importance::Normal, Some(h.dept))
        .await;
    h.settle().await;

    // An executor may not; a curator gets the choice of periods.
    let since = h.fake.mark();
    h.fake.say(EXECUTOR_TG, EXECUTOR_TG, "/report");
    h.wait(since, "refusal", |c| {
        c.chat() == EXECUTOR_TG && c.text().contains("Отчёты доступны кураторам")
    })
    .await;
    let since = h.fake.mark();
    h.fake.say(CURATOR_TG, CURATOR_CHAT, "/report");
    let choice = h
        .wait(since, "the choice of periods", |c| {
            c.chat() == CURATOR_CHAT && plain(c).starts_with("📊 За какой период")
        })
        .await;
    assert_eq!(choice.buttons(), ["rp:tw", "rp:lw", "rp:tm", "rp:lm"]);

    // Pressed in the group, the report comes to the presser's private chat (the group's minute
    // is for what everyone needs to see), drawn by the delivery worker.
    let since = h.fake.mark();
    let answer = h.press(CURATOR_TG, &choice, "rp:tw").await;
    assert!(
        answer.body["text"]
            .as_str()
            .is_some_and(|t| t.contains("личный чат с ботом")),
        "{}",
        answer.body
    );
    let report = whole_report(&h, since, CURATOR_TG).await;
    assert!(report_calls(&h, since, CURATOR_CHAT).is_empty());
    let text = plain(&report[0]);
    assert!(
        text.starts_with("📊 Отчёт за 23.11.2026 – 29.11.2026"),
        "{text}"
    );
    assert!(
        text.contains("Сообщений: 1 (+1 к предыдущему периоду)"),
        "{text}"
    );
    assert!(text.contains("в работе: 1"), "{text}");
    let photo = &report[1].files[0];
    // teloxide uploads the file under a name of its own and points the photo at it.
    assert_eq!(
        report[1].body["photo"].as_str(),
        Some(format!("attach://{}", photo.field).as_str())
    );
    assert_eq!(photo.file_name, "otklik-20261123-20261129.png");
    assert_eq!(png_size(&photo.bytes).0, 1080);
    assert!(report[1].body["caption"]
        .as_str()
        .is_some_and(|c| c.contains("по дням")));
    let document = &report[2].files[0];
    assert_eq!(
        report[2].body["document"].as_str(),
        Some(format!("attach://{}", document.field).as_str())
    );
    assert_eq!(document.file_name, "otklik-20261123-20261129.xlsx");
    let incidents = sheet(&document.bytes, "Сообщения");
    let numbers: Vec<&Data> = incidents
        .rows()
        .filter_map(|r| r.first())
        .filter(|c| matches!(c, Data::Float(_)))
        .collect();
    assert_eq!(numbers, [&Data::Float(1.0)]);

    // Two dates, and dates it cannot read.
    let since = h.fake.mark();
    h.fake
        .say(CURATOR_TG, CURATOR_CHAT, "/report 01.11.2026 30.11.2026");
    let report = whole_report(&h, since, CURATOR_CHAT).await;
    assert!(
        plain(&report[0]).starts_with("📊 Отчёт за 01.11.2026 – 30.11.2026"),
        "{}",
        plain(&report[0])
    );
    let since = h.fake.mark();
    h.fake.say(CURATOR_TG, CURATOR_CHAT, "/report вчера");
    h.wait(since, "the date hint", |c| {
        c.chat() == CURATOR_CHAT && c.text().starts_with("Не понял даты")
    })
    .await;
    let since = h.fake.mark();
    h.fake
        .say(CURATOR_TG, CURATOR_CHAT, "/report 01.01.2020 31.01.2020");
    h.wait(since, "outside the calendar", |c| {
        c.chat() == CURATOR_CHAT && c.text().contains("только за 2024–2027 гг.")
    })
    .await;
}

const HEAD_TG: i64 = 4004;

async fn the_weekly_report_goes_out_once_on_friday_at_four(db: &TestDb) {
    let mut h = TestApp::start("barnaul-leninsky", db).await;
    h.store
        .create_person(h.org, &person("Глава района", HEAD_TG, vec![Role::Head]))
        .await
        .expect("the head");
    h.incident_for("Яма на дороге", Importance::Normal, Some(h.dept))
        .await;
    // Friday 27 November, 16:00 in Barnaul is 12:00 in Moscow.
    let since = h.fake.mark();
    h.walk_to(moscow("2026-11-27 11:59")).await;
    assert!(report_calls(&h, since, CURATOR_CHAT).is_empty());
    h.walk_to(moscow("2026-11-27 12:00")).await;
    for chat in [CURATOR_CHAT, HEAD_TG] {
        let report = whole_report(&h, since, chat).await;
        let text = plain(&report[0]);
        assert!(
            text.starts_with("📊 Еженедельный отчёт: 20.11.2026 16:00 – 27.11.2026 16:00"),
            "{text}"
        );
        assert!(text.contains("Сообщений: 1"), "{text}");
    }

    // A restart does not send it again; the next Friday brings the next one.
    h.crash_and_restart().await;
    h.walk_to(moscow("2026-11-30 12:00")).await;
    assert_eq!(report_calls(&h, since, CURATOR_CHAT).len(), 3);
    assert_eq!(report_calls(&h, since, HEAD_TG).len(), 3);
    let since = h.fake.mark();
    h.walk_to(moscow("2026-12-04 12:00")).await;
    let report = whole_report(&h, since, CURATOR_CHAT).await;
    assert!(
        plain(&report[0]).starts_with("📊 Еженедельный отчёт: 27.11.2026 16:00 – 04.12.2026 16:00"),
        "{}",
        plain(&report[0])
    );
}

async fn the_monthly_report_goes_out_on_the_first_working_day(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    h.incident_for("Не вывозят мусор", Importance::Normal, Some(h.dept))
        .await;
    // Tuesday 1 December is a working day: the report on November comes at 10:00.
    let since = h.fake.mark();
    h.walk_to(moscow("2026-12-01 09:59")).await;
    assert!(report_calls(&h, since, CURATOR_CHAT).is_empty());
    h.walk_to(moscow("2026-12-01 10:00")).await;
    let report = whole_report(&h, since, CURATOR_CHAT).await;
    let text = plain(&report[0]);
    assert!(
        text.starts_with("📊 Отчёт за месяц: 01.11.2026 – 30.11.2026"),
        "{text}"
    );
    assert!(
        text.contains("Сообщений: 1 (+1 к предыдущему периоду)"),
        "{text}"
    );
    let book = &report[2].files[0];
    assert_eq!(book.file_name, "otklik-20261101-20261130.xlsx");
    let summary = sheet(&book.bytes, "Сводка");
    assert_eq!(
        row(&summary, "Всего сообщений")[1..3],
        [Data::Float(1.0), Data::Float(0.0)]
    );
}
