//! The scheduler end to end: Otklik started as `otklik run` starts it, a fake Telegram, and a
//! clock the tests move across an evening, the New Year holidays and back to work. Each step
//! asserts exactly what every chat got.

mod support;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use otklik::domain::incident::Role;
use otklik::domain::regulation::Importance;
use otklik::domain::PersonId;
use otklik::messenger::pacing::SendLimits;
use otklik::storage::DutyShift;
use support::app::*;
use support::db::TestDb;
use support::fake_telegram::Call;

on_both_backends!(
    new_year_holidays_from_the_last_working_evening_to_the_first_morning,
    refusals_from_telegram_lose_nothing_and_no_limit_is_exceeded,
    a_chat_whose_send_hangs_delays_only_itself,
);

const DEPT_HEAD_TG: i64 = 4004;
const HEAD_TG: i64 = 5005;
const DUTY_TG: i64 = 7007;
const SECOND_DUTY_TG: i64 = 7008;

/// A local time in Yuzhno-Sakhalinsk.
fn sakhalin(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Asia::Sakhalin
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// What each chat got, as the test expects it.
fn expect(lines: &[(i64, &str)]) -> BTreeMap<i64, Vec<String>> {
    let mut out: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (chat, line) in lines {
        out.entry(*chat).or_default().push(line.to_string());
    }
    for l in out.values_mut() {
        l.sort();
    }
    out
}

/// The Sakhalin administration with a department head, a head, and two duty officers on the
/// roster from 31 December to 9 January (nobody on the 10th).
async fn sakhalin_app(db: &TestDb) -> TestApp {
    let h = TestApp::start("yuzhno-sakhalinsk", db).await;
    let dept_head = h
        .store
        .create_person(
            h.org,
            &person("Кузьмина Ольга", DEPT_HEAD_TG, vec![Role::DepartmentHead]),
        )
        .await
        .unwrap();
    h.store.add_to_department(h.dept, dept_head).await.unwrap();
    h.store
        .set_department_head(h.dept, dept_head)
        .await
        .unwrap();
    h.store
        .create_person(h.org, &person("Глава Иван", HEAD_TG, vec![Role::Head]))
        .await
        .unwrap();
    for (name, tg, phone) in [
        ("Кузнецов Игорь", DUTY_TG, "+7 900 000-00-07"),
        ("Орлова Мария", SECOND_DUTY_TG, "+7 900 000-00-08"),
    ] {
        let p: PersonId = h
            .store
            .create_person(h.org, &person(name, tg, vec![Role::DutyOfficer]))
            .await
            .unwrap();
        h.store
            .add_duty(
                h.org,
                &DutyShift {
                    person: p,
                    from: date("2026-12-31"),
                    to: date("2027-01-09"),
                    phone: Some(phone.into()),
                    department: None,
                },
            )
            .await
            .unwrap();
    }
    h
}

/// One step of the walk: the clock moves to `at`, something may happen, and then every chat has
/// got exactly `expected` (first lines) — nothing more.
async fn step(h: &TestApp, at: &str, happens: impl AsyncFnOnce(usize), expected: &[(i64, &str)]) {
    let since = h.fake.mark();
    h.walk_to(sakhalin(at)).await;
    happens(since).await;
    h.settle().await;
    assert_eq!(h.sent_since(since), expect(expected), "at {at}");
}

const NOTHING: &[(i64, &str)] = &[];

async fn new_year_holidays_from_the_last_working_evening_to_the_first_morning(db: &TestDb) {
    let mut h = sakhalin_app(db).await;
    h.walk_to(sakhalin("2026-12-30 09:00")).await;
    let nothing = async |_| {};

    // Wednesday 30 December, the last working day of 2026 (31 December is a day off).
    step(
        &h,
        "2026-12-30 10:00",
        async |_| {
            h.incident("Нет отопления в доме", Importance::Normal).await;
        },
        &[(
            CURATOR_CHAT,
            "<b>🆕 Новое сообщение №1 · ВКонтакте · комментарий (публичный)</b>",
        )],
    )
    .await;
    // Routed within half an hour: the routing stage's reminders (11:30, 12:00, 12:45) and its
    // deadline (13:00) are gone with it.
    step(
        &h,
        "2026-12-30 10:30",
        async |_| {
            let triage = h.triage(1).await;
            h.route(&triage, 1, h.dept).await;
        },
        // «Разобрать» in the group: the full card in the curator's private chat.
        &[
            (
                CURATOR_TG,
                "<b>🆕 Новое сообщение №1 · ВКонтакте · комментарий (публичный)</b>",
            ),
            (EXECUTOR_TG, "<b>Инцидент №1</b>"),
        ],
    )
    .await;
    step(&h, "2026-12-30 11:30", nothing, NOTHING).await;
    // Noon of the last working day before the holidays: nobody is on duty on 10 January.
    step(
        &h,
        "2026-12-30 12:00",
        nothing,
        &[(
            CURATOR_CHAT,
            "⚠️ На нерабочие дни не назначен дежурный: вс, 10 янв.",
        )],
    )
    .await;
    // Half of the draft's four working hours are gone: the reminder is a card with the
    // executor's buttons, and pressing one works as on the card.
    step(
        &h,
        "2026-12-30 12:30",
        async |since| {
            let reminder = h
                .wait(since, "the reminder", |c| {
                    c.chat() == EXECUTOR_TG && c.text().contains("⏰")
                })
                .await;
            assert!(reminder.buttons().contains(&"ac:1:0".to_string()), "{:?}", reminder.buttons());
            let accepted = h.press(EXECUTOR_TG, &reminder, "ac:1:0").await;
            assert_eq!(accepted.body["text"], "Принято в работу.");
        },
        &[(
            EXECUTOR_TG,
            "<b>⏰ №1: до срока «проект ответа» 2 ч 0 мин рабочего времени (до 15:30, ср, 30 дек.)</b>",
        )],
    )
    .await;
    step(
        &h,
        "2026-12-30 14:30",
        nothing,
        &[(
            EXECUTOR_TG,
            "<b>⏰ №1: до срока «проект ответа» 1 ч 0 мин рабочего времени (до 15:30, ср, 30 дек.)</b>",
        )],
    )
    .await;
    // Half of the final answer's eight working hours (24 hours without the days off).
    step(
        &h,
        "2026-12-30 15:00",
        nothing,
        &[(
            CURATOR_CHAT,
            "<b>⏰ №1: до срока «ответ» 19 ч 0 мин (до 10:00, пн, 11 янв.)</b>",
        )],
    )
    .await;
    step(
        &h,
        "2026-12-30 15:15",
        nothing,
        &[(
            EXECUTOR_TG,
            "<b>⏰ №1: до срока «проект ответа» 15 мин рабочего времени (до 15:30, ср, 30 дек.)</b>",
        )],
    )
    .await;
    step(
        &h,
        "2026-12-30 15:30",
        nothing,
        &[
            (
                EXECUTOR_TG,
                "<b>❗ №1: срок «проект ответа» истёк (15:30, ср, 30 дек.)</b>",
            ),
            (
                CURATOR_CHAT,
                "<b>❗ №1: срок «проект ответа» истёк (15:30, ср, 30 дек.)</b>",
            ),
        ],
    )
    .await;
    step(
        &h,
        "2026-12-30 16:30",
        nothing,
        &[(
            DEPT_HEAD_TG,
            "<b>❗ №1 просрочен на 1 ч 0 мин рабочего времени: «проект ответа»</b>",
        )],
    )
    .await;
    // A crash in the evening: the restarted bot repeats nothing.
    h.crash_and_restart().await;
    step(&h, "2026-12-30 18:00", nothing, NOTHING).await;

    // 31 December, a day off: an ordinary message waits for the first working morning.
    step(
        &h,
        "2026-12-31 11:00",
        async |_| {
            h.incident("Не убран снег во дворе", Importance::Normal)
                .await;
        },
        NOTHING,
    )
    .await;

    // Saturday 2 January: an emergency wakes the first duty officer at once.
    step(
        &h,
        "2027-01-02 14:00",
        async |_| {
            h.incident("Прорвало трубу, вода на дороге", Importance::High)
                .await;
        },
        &[
            (DUTY_TG, "<b>🚨 Выходной день · ВЫСОКАЯ важность</b>"),
            (
                CURATOR_CHAT,
                "<b>🆕 Новое сообщение №3 · ВКонтакте · комментарий (публичный)</b>",
            ),
        ],
    )
    .await;
    // Nobody takes it for 15 minutes: the rest of the roster; 15 more: the curators and the head.
    step(
        &h,
        "2027-01-02 14:15",
        nothing,
        &[(SECOND_DUTY_TG, "<b>🚨 Выходной день · ВЫСОКАЯ важность</b>")],
    )
    .await;
    step(
        &h,
        "2027-01-02 14:30",
        nothing,
        &[
            (CURATOR_CHAT, "<b>🚨 Выходной день · ВЫСОКАЯ важность</b>"),
            (HEAD_TG, "<b>🚨 Выходной день · ВЫСОКАЯ важность</b>"),
        ],
    )
    .await;
    step(
        &h,
        "2027-01-02 14:40",
        async |_| {
            let alert = h
                .wait(0, "the second duty officer's alert", |c| {
                    c.chat() == SECOND_DUTY_TG && c.text().contains("Выходной день")
                })
                .await;
            let taken = h.press(SECOND_DUTY_TG, &alert, "du:3:t").await;
            assert_eq!(taken.body["text"], "Вы взяли сообщение в работу.");
        },
        &[(CURATOR_CHAT, "✅ №3: взял дежурный Орлова Мария, 14:40")],
    )
    .await;
    h.crash_and_restart().await;
    step(&h, "2027-01-09 12:00", nothing, NOTHING).await;

    // Monday 11 January, the first working day: one morning digest for the curators, then the
    // day's reminders, deadlines and escalations.
    step(
        &h,
        "2027-01-11 09:00",
        async |since| {
            let digest = h
                .wait(since, "the digest", |c| c.text().contains("Сводка"))
                .await;
            let text = digest.text();
            assert!(
                text.contains("Поступило с чт, 31 дек. 11:00: 2 инцидента"),
                "{text}"
            );
            assert!(text.contains("Открытые: 3"), "{text}");
            for n in ["№1", "№2", "№3"] {
                assert!(text.contains(n), "{text}");
            }
        },
        &[
            (CURATOR_CHAT, "<b>🌅 Сводка на пн, 11 янв., 09:00</b>"),
            (
                CURATOR_CHAT,
                "<b>⏰ №1: до срока «ответ» 1 ч 0 мин (до 10:00, пн, 11 янв.)</b>",
            ),
        ],
    )
    .await;
    step(
        &h,
        "2027-01-11 09:45",
        nothing,
        &[(
            CURATOR_CHAT,
            "<b>⏰ №1: до срока «ответ» 15 мин (до 10:00, пн, 11 янв.)</b>",
        )],
    )
    .await;
    step(
        &h,
        "2027-01-11 10:00",
        nothing,
        &[(
            CURATOR_CHAT,
            "<b>❗ №1: срок «ответ» истёк (10:00, пн, 11 янв.)</b>",
        )],
    )
    .await;
    let routing = |n: i64, left: &str| {
        format!(
            "<b>⏰ №{n}: до срока «направить» {left} рабочего времени (до 12:00, пн, 11 янв.)</b>"
        )
    };
    let r = [
        routing(2, "1 ч 30 мин"),
        routing(3, "1 ч 30 мин"),
        routing(2, "1 ч 0 мин"),
        routing(3, "1 ч 0 мин"),
    ];
    step(
        &h,
        "2027-01-11 10:30",
        nothing,
        &[
            (CURATOR_CHAT, &r[0]),
            (CURATOR_CHAT, &r[1]),
            (
                HEAD_TG,
                "<b>❗ №1 просрочен на 4 ч 0 мин рабочего времени: «проект ответа»</b>",
            ),
        ],
    )
    .await;
    step(
        &h,
        "2027-01-11 11:00",
        nothing,
        &[(CURATOR_CHAT, &r[2]), (CURATOR_CHAT, &r[3])],
    )
    .await;
    // Otklik is down from 11:40 to noon: the 15-minutes-left reminders (11:45) come after
    // their deadline and are dropped; the deadline's notices go out.
    h.walk_to(sakhalin("2027-01-11 11:40")).await;
    h.crash_and_restart().await;
    step(
        &h,
        "2027-01-11 12:00",
        nothing,
        &[
            (
                CURATOR_CHAT,
                "<b>❗ №2: срок «направить» истёк (12:00, пн, 11 янв.)</b>",
            ),
            (
                CURATOR_CHAT,
                "<b>❗ №3: срок «направить» истёк (12:00, пн, 11 янв.)</b>",
            ),
        ],
    )
    .await;
    step(
        &h,
        "2027-01-11 15:00",
        nothing,
        &[(HEAD_TG, "<b>❗ №1 просрочен на 5 ч 0 мин: «ответ»</b>")],
    )
    .await;
    step(
        &h,
        "2027-01-11 17:00",
        nothing,
        &[
            (
                HEAD_TG,
                "<b>❗ №2 просрочен на 4 ч 0 мин рабочего времени: «направить»</b>",
            ),
            (
                HEAD_TG,
                "<b>❗ №3 просрочен на 4 ч 0 мин рабочего времени: «направить»</b>",
            ),
        ],
    )
    .await;
    step(&h, "2027-01-12 09:00", nothing, NOTHING).await;
    // Every timer fired once and none is left over for these stages.
    assert!(h.store.due_outbox_count(h.core.now()).await.unwrap() == 0);
}

/// Telegram's limits, `FASTER` times faster, as the fake counts them: one message a second in a
/// private chat, 20 a minute in a group, 30 a second overall. (The bot keeps a tenth of a second
/// spare in a private chat for the network's jitter; twice faster leaves that margin wide
/// enough for a loaded test machine.)
const FASTER: u32 = 2;

fn most_in_window(calls: &[&Call], window: std::time::Duration) -> usize {
    let mut most = 0;
    for (i, first) in calls.iter().enumerate() {
        let n = calls[i..]
            .iter()
            .take_while(|c| c.at.duration_since(first.at) < window)
            .count();
        most = most.max(n);
    }
    most
}

async fn refusals_from_telegram_lose_nothing_and_no_limit_is_exceeded(db: &TestDb) {
    let h = TestApp::start_paced("vorsino", db, SendLimits::TELEGRAM.faster(FASTER)).await;
    let start = h.fake.mark();
    // Every fifth message is refused: 429 (retry after a second) three times, then a 500.
    h.fake.fail_every(5);
    for i in 0..12 {
        let dept = if i % 2 == 0 { h.dept } else { h.other_dept };
        h.incident_for(&format!("Жалоба {i}"), Importance::Normal, Some(dept))
            .await;
    }
    // Retries wait for the time Telegram asks (on the bot's clock): move it a minute at a time
    // until everything is out.
    for _ in 0..30 {
        h.settle().await;
        if h.store.pending_outbox().await.unwrap().is_empty() {
            break;
        }
        h.clock.advance(chrono::Duration::minutes(1));
    }
    assert!(h.store.pending_outbox().await.unwrap().is_empty());

    let calls: Vec<Call> = h.fake.calls().into_iter().skip(start).collect();
    let messages: Vec<&Call> = calls
        .iter()
        .filter(|c| matches!(c.method.as_str(), "sendMessage" | "editMessageText"))
        .collect();
    let refused = messages.iter().filter(|c| !c.ok).count();
    assert!(
        refused * 5 >= messages.len() - 4,
        "{refused} of {}",
        messages.len()
    );

    // Everything once in every chat. (A refused message holds back only its own incident's
    // later messages in that chat; the other incidents' go on, so the order across incidents
    // may change — each incident here has one message per chat.)
    let delivered = |chat: i64| -> Vec<String> {
        messages
            .iter()
            .filter(|c| c.ok && c.method == "sendMessage" && c.chat() == chat)
            .map(|c| c.text().to_string())
            .collect()
    };
    let numbers = |texts: &[String], marker: &str| -> Vec<i64> {
        texts
            .iter()
            .filter_map(|t| {
                let rest = &t[t.find(marker)? + marker.len()..];
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse()
                    .ok()
            })
            .collect()
    };
    let sorted = |mut n: Vec<i64>| {
        n.sort_unstable();
        n
    };
    let curators = delivered(CURATOR_CHAT);
    assert_eq!(
        sorted(numbers(&curators, "Инцидент №")),
        (1..=12).collect::<Vec<_>>(),
        "{curators:#?}"
    );
    // Besides the cards: the burst alert (five on one topic within an hour), once.
    assert_eq!(curators.len(), 13, "{curators:#?}");
    let first = delivered(EXECUTOR_TG);
    assert_eq!(
        sorted(numbers(&first, "Инцидент №")),
        [1, 3, 5, 7, 9, 11],
        "{first:#?}"
    );
    assert_eq!(first.len(), 6, "{first:#?}");
    let second = delivered(OTHER_EXECUTOR_TG);
    assert_eq!(
        sorted(numbers(&second, "Инцидент №")),
        [2, 4, 6, 8, 10, 12],
        "{second:#?}"
    );
    assert_eq!(second.len(), 6, "{second:#?}");

    // No limit exceeded by what Telegram took. (A refused or failed message does not count
    // against the chat's limits: the bot gives its turn back, and a 429 would tell otherwise.)
    let f = FASTER;
    let second_ = std::time::Duration::from_secs(1) / f;
    let minute = std::time::Duration::from_secs(60) / f;
    let accepted: Vec<&Call> = messages.iter().copied().filter(|c| c.ok).collect();
    for chat in [EXECUTOR_TG, OTHER_EXECUTOR_TG] {
        let to: Vec<&Call> = accepted
            .iter()
            .copied()
            .filter(|c| c.chat() == chat)
            .collect();
        assert!(!to.is_empty());
        assert_eq!(most_in_window(&to, second_), 1, "private chat {chat}");
    }
    let group: Vec<&Call> = accepted
        .iter()
        .copied()
        .filter(|c| c.chat() == CURATOR_CHAT)
        .collect();
    assert!(most_in_window(&group, minute) <= 19, "the group");
    assert!(most_in_window(&accepted, second_) <= 30, "overall");
    // A 429 ("retry after 1") holds that chat for the second asked (the fake refuses the n-th
    // message, n a multiple of 5: 429, 429, 500, 429 in turn).
    let mut held = 0;
    for (n, refused) in messages.iter().enumerate().map(|(i, c)| (i + 1, c)) {
        if refused.ok || n % 5 != 0 || [429, 429, 429, 500][(n / 5) % 4] != 429 {
            continue;
        }
        held += 1;
        let chat = refused.chat();
        let next_here = messages[n..].iter().find(|c| c.chat() == chat);
        if let Some(next) = next_here {
            assert!(
                next.at.duration_since(refused.at) >= std::time::Duration::from_millis(950),
                "chat {chat} was sent to {:?} after its 429",
                next.at.duration_since(refused.at)
            );
        }
    }
    assert!(held > 0, "no 429 was tried");
}

async fn a_chat_whose_send_hangs_delays_only_itself(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    // Telegram takes the executor's first card and never answers.
    h.fake.hang_on(EXECUTOR_TG);
    let since = h.fake.mark();
    for i in 0..4 {
        let dept = if i % 2 == 0 { h.dept } else { h.other_dept };
        h.incident_for(&format!("Жалоба {i}"), Importance::Normal, Some(dept))
            .await;
    }
    // Everyone else gets everything meanwhile.
    for n in [2, 4] {
        h.wait(since, "the other executor's card", |c| {
            c.chat() == OTHER_EXECUTOR_TG && c.text().contains(&format!("Инцидент №{n}"))
        })
        .await;
    }
    for n in 1..=4 {
        h.wait(since, "the curators' card", |c| {
            c.chat() == CURATOR_CHAT && c.text().contains(&format!("Инцидент №{n}</b>"))
        })
        .await;
    }
    h.wait(since, "the stuck card", |c| {
        c.chat() == EXECUTOR_TG && c.text().contains("Инцидент №1")
    })
    .await;
    // The stuck chat got its first card only; the second waits behind it, in order.
    let to_executor: Vec<String> = h
        .fake
        .calls()
        .into_iter()
        .skip(since)
        .filter(|c| c.chat() == EXECUTOR_TG && c.method == "sendMessage")
        .map(|c| c.text().lines().next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(to_executor, ["<b>Инцидент №1</b>"]);
}
