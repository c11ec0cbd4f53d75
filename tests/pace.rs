//! The curators' group at Telegram's real pace: the fake Bot API refuses (429) anything beyond
//! Telegram's documented limits — a 20th send-or-edit within 60 s in one group, a second message
//! within a second in a private chat beyond a short burst, more than 30 a second overall — and
//! these tests check that nothing ever hits them while what people wait for goes first: a morning
//! batch reaches the group in seconds, every press is answered at once with what it did, an
//! approval card overtakes the triage cards still waiting, a flaky Telegram delays a message and
//! not the queue, and a reply to someone who blocked the bot fails once and quietly.
//!
//! The timings are Telegram's own (or a stated multiple of them), so these tests run one at a
//! time.

mod support;

use std::time::{Duration, Instant};

use otklik::messenger::pacing::SendLimits;
use serde_json::Value;
use support::app::*;
use support::db::TestDb;
use support::fake_telegram::{message_update, Call};
use support::morning::{most_in, post, toast, triage_card};

on_both_backends!(
    a_morning_batch_reaches_the_group_in_seconds_and_every_press_is_answered_at_once,
    a_flaky_telegram_delays_single_messages_never_the_queue,
    a_reply_to_someone_who_blocked_the_bot_is_recorded_once_and_the_webhook_answers_200,
);

/// The tests of real time run one after another, not beside each other on two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A person presses a button and the press is answered within a second; returns the answer.
async fn press_within_a_second(h: &TestApp, user: i64, message: &Call, data: &str) -> Call {
    let pressed = Instant::now();
    let answer = h.press(user, message, data).await;
    let took = answer.at.duration_since(pressed);
    assert!(
        took < Duration::from_secs(1),
        "{data} answered after {took:?}"
    );
    assert!(!toast(&answer).is_empty(), "{data} answered with no word");
    answer
}

async fn a_morning_batch_reaches_the_group_in_seconds_and_every_press_is_answered_at_once(
    db: &TestDb,
) {
    let _one = ONE_AT_A_TIME.lock().await;
    let h = TestApp::start_paced("vorsino", db, SendLimits::TELEGRAM).await;
    h.fake.enforce_limits(1);

    // Before the batch: an incident routed at intake, whose executor has a draft ready to send.
    let (early, early_number) = post(&h, 0, Some("Отдел ЖКХ")).await;
    let card = h
        .wait(0, "the executor's card", |c| {
            c.chat() == EXECUTOR_TG && c.buttons().contains(&format!("ac:{early}:0"))
        })
        .await;
    let preview = write_draft(
        &h,
        (&card, &format!("dr:{early}:0:a")),
        "Вывезем до среды.",
        false,
    )
    .await;

    // A monitoring system posts its morning batch: twelve at once. (Timed from when its posts
    // are answered: in a debug build the intake itself takes a good part of a second.)
    let mark = h.fake.mark();
    let batch: Vec<(i64, i64)> =
        futures_util::future::join_all((1..=12).map(|i| post(&h, i, None))).await;
    let start = Instant::now();

    // Right after the first cards, the executor sends the draft: the approval card reaches the
    // group within 5 s, ahead of the triage cards still waiting.
    let out = |calls: &[Call]| {
        batch
            .iter()
            .filter(|(_, n)| triage_card(calls, *n).is_some())
            .count()
    };
    let until = Instant::now() + Duration::from_secs(10);
    while out(&h.fake.calls()) < 4 {
        assert!(
            Instant::now() < until,
            "the first triage cards did not come"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let sent = Instant::now();
    press_within_a_second(&h, EXECUTOR_TG, &preview, &format!("sd:{early}")).await;
    let approval = h
        .wait(mark, "the approval card", |c| {
            c.ok && c.method == "sendMessage"
                && c.chat() == CURATOR_CHAT
                && c.text().contains(&format!("№{early_number}"))
                && c.buttons().iter().any(|b| b.starts_with("ap:"))
        })
        .await;
    let took = approval.at.duration_since(sent);
    assert!(
        took < Duration::from_secs(5),
        "the approval card took {took:?}"
    );
    let calls = h.fake.calls();
    let after: Vec<&Call> = calls
        .iter()
        .skip(mark)
        .filter(|c| c.at > approval.at)
        .collect();
    assert!(
        batch.iter().any(|(_, n)| triage_card(&calls, *n).is_none()
            || after
                .iter()
                .any(|c| c.text().contains(&format!("Новое сообщение №{n} ")))),
        "every triage card went out before the approval card: no lane was tested"
    );

    // The curator triages six of them at a person's pace while the batch is still going out:
    // «Разобрать» in the group, a department and «Направить» on the card in their private chat.
    let mut next_press = Instant::now();
    for (inc, number) in batch.iter().take(6) {
        let group_card = h
            .wait(mark, "a triage card", |c| {
                c.ok && c.method == "sendMessage"
                    && c.chat() == CURATOR_CHAT
                    && c.text().contains(&format!("Новое сообщение №{number} "))
            })
            .await;
        tokio::time::sleep_until(next_press.into()).await;
        let since = h.fake.mark();
        let opened = press_within_a_second(&h, CURATOR_TG, &group_card, &format!("oc:{inc}")).await;
        assert_eq!(
            toast(&opened),
            format!("Карточка №{number} — в вашем личном чате с ботом.")
        );
        let private = h
            .wait(since, "the triage card in private", |c| {
                c.chat() == CURATOR_TG && c.buttons().contains(&format!("ro:{inc}"))
            })
            .await;
        next_press = Instant::now() + Duration::from_secs(1);
        tokio::time::sleep_until(next_press.into()).await;
        let since = h.fake.mark();
        let ticked =
            press_within_a_second(&h, CURATOR_TG, &private, &format!("dp:{inc}:{}", h.dept)).await;
        assert!(
            toast(&ticked).starts_with("✓ Отдел ЖКХ"),
            "{}",
            toast(&ticked)
        );
        let ticked_card = h
            .wait(since, "the ticked card", |c| {
                c.method == "editMessageText"
                    && c.chat() == CURATOR_TG
                    && c.labels().iter().any(|l| l == "Отдел ЖКХ ✓")
            })
            .await;
        next_press = Instant::now() + Duration::from_secs(1);
        tokio::time::sleep_until(next_press.into()).await;
        let since = h.fake.mark();
        let routed =
            press_within_a_second(&h, CURATOR_TG, &ticked_card, &format!("ro:{inc}")).await;
        assert_eq!(toast(&routed), "Направлено: Отдел ЖКХ.");
        let executor_card = h
            .wait(since, "the executor's card", |c| {
                c.chat() == EXECUTOR_TG && c.buttons().contains(&format!("ac:{inc}:0"))
            })
            .await;
        let took = executor_card.at.duration_since(routed.at);
        assert!(
            took < Duration::from_secs(2),
            "the executor's card took {took:?}"
        );
        next_press = Instant::now() + Duration::from_secs(1);
    }

    // All twelve triage cards reached the group within 10 s, the first four within a second.
    let calls = h.fake.calls();
    let mut arrived: Vec<Duration> = batch
        .iter()
        .map(|(_, n)| {
            triage_card(&calls, *n)
                .unwrap_or_else(|| panic!("№{n}'s triage card never came"))
                .at
                .duration_since(start)
        })
        .collect();
    arrived.sort();
    assert!(arrived[3] < Duration::from_secs(1), "{arrived:?}");
    assert!(arrived[11] < Duration::from_secs(10), "{arrived:?}");
    // Nothing Telegram would have refused, in the whole test.
    assert_eq!(h.fake.limit_refusals(), 0);
    assert!(calls.iter().all(|c| c.body["error_code"] != 429));
    assert!(most_in(&calls, CURATOR_CHAT, Duration::from_secs(60)) <= 19);
    // (A private chat is paced one per 1.1 s; the network may bring two closer at Telegram's end,
    // which its short burst allows.)
    assert!(most_in(&calls, CURATOR_TG, Duration::from_secs(1)) <= 2);
}

async fn a_flaky_telegram_delays_single_messages_never_the_queue(db: &TestDb) {
    let _one = ONE_AT_A_TIME.lock().await;
    // Telegram's pace twice as fast (a group's minute is 30 s), its limits enforced, and a fifth
    // of the group's requests answered 429 (retry after a second, as Telegram says it), a fifth
    // 500 (retried after 1–2 s, doubling).
    const FASTER: u32 = 2;
    let h = TestApp::start_paced("vorsino", db, SendLimits::TELEGRAM.faster(FASTER)).await;
    // Retries wait on the bot's clock, which flows here, as much faster as Telegram's pace.
    h.clock.start_flowing(FASTER);
    h.fake.enforce_limits(FASTER);
    h.fake.flaky(CURATOR_CHAT, 0.2, 0.2, 25);
    // An executor with a card in another chat, to press during it.
    let (early, _) = post(&h, 0, Some("Отдел ЖКХ")).await;
    let card = h
        .wait(0, "the executor's card", |c| {
            c.ok && c.chat() == EXECUTOR_TG && c.buttons().contains(&format!("ac:{early}:0"))
        })
        .await;

    // Twenty triage cards at once: more than the group's minute carries beside what people do in
    // it, so the last ones are listed in one «Ещё N» message instead of waiting a minute.
    let mark = h.fake.mark();
    let batch: Vec<(i64, i64)> =
        futures_util::future::join_all((1..=20).map(|i| post(&h, i, None))).await;
    let start = Instant::now();
    // During it, a press in the executor's chat: answered and redrawn within 2 s.
    let since = h.fake.mark();
    let accepted = press_within_a_second(&h, EXECUTOR_TG, &card, &format!("ac:{early}:0")).await;
    let redrawn = h
        .wait(since, "the executor's card redrawn", |c| {
            c.ok && c.method == "editMessageText"
                && c.chat() == EXECUTOR_TG
                && c.message_id == card.message_id
        })
        .await;
    let took = redrawn.at.duration_since(accepted.at);
    assert!(took < Duration::from_secs(2), "the redraw took {took:?}");

    // Every one arrives exactly once — its own card, or a line of the summary, not both — the
    // last within 90 s of Telegram's time.
    let listed = |calls: &[Call], inc: i64| {
        calls.iter().any(|c| {
            c.ok && c.chat() == CURATOR_CHAT
                && c.text().starts_with("📨")
                && c.buttons().contains(&format!("oc:{inc}"))
        })
    };
    let deadline = start + Duration::from_secs(90) / FASTER;
    let calls = loop {
        let calls: Vec<Call> = h.fake.calls().into_iter().skip(mark).collect();
        let missing: Vec<i64> = batch
            .iter()
            .filter(|(inc, n)| triage_card(&calls, *n).is_none() && !listed(&calls, *inc))
            .map(|(_, n)| *n)
            .collect();
        if missing.is_empty() {
            break calls;
        }
        if Instant::now() >= deadline {
            let pending = h.store.pending_outbox().await.expect("the outbox");
            panic!(
                "not every card arrived within {:?}: missing {missing:?}; waiting: {:?}",
                deadline - start,
                pending
                    .iter()
                    .map(|m| (m.kind.as_str(), m.lane, m.attempts))
                    .collect::<Vec<_>>()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut individually = 0;
    for (inc, n) in &batch {
        let sent = calls
            .iter()
            .filter(|c| {
                c.ok && c.method == "sendMessage"
                    && c.chat() == CURATOR_CHAT
                    && c.text().contains(&format!("Новое сообщение №{n} "))
            })
            .count();
        assert!(sent <= 1, "№{n} sent {sent} times");
        assert!(
            sent == 0 || !listed(&calls, *inc),
            "№{n} both sent and listed"
        );
        individually += sent;
    }
    // The minute went to cards one by one as far as it had room (failures take their places
    // too), the rest to the summary.
    assert!(
        individually >= 5,
        "only {individually} cards went out one by one"
    );
    let summaries = calls
        .iter()
        .filter(|c| c.ok && c.method == "sendMessage" && c.text().starts_with("📨"))
        .count();
    assert_eq!(summaries, 1);
    let failed = calls
        .iter()
        .filter(|c| c.chat() == CURATOR_CHAT && !c.ok)
        .count();
    assert!(
        failed >= 3,
        "the group's Telegram failed only {failed} times"
    );
    // The only refusals were the ones rolled, never the limits'.
    assert_eq!(h.fake.limit_refusals(), 0);
}

async fn a_reply_to_someone_who_blocked_the_bot_is_recorded_once_and_the_webhook_answers_200(
    db: &TestDb,
) {
    let h = TestApp::start_webhook("vorsino", db).await;
    let hook = format!("http://{}{WEBHOOK_PATH}", h.http);
    let client = reqwest::Client::new();
    let send = |update: Value| {
        let (client, hook) = (client.clone(), hook.clone());
        async move {
            client
                .post(hook)
                .header("X-Telegram-Bot-Api-Secret-Token", WEBHOOK_SECRET)
                .json(&update)
                .send()
                .await
                .expect("the webhook answers")
                .status()
                .as_u16()
        }
    };
    // The executor blocked the bot; they still send a command (from another device).
    h.fake.set_unreachable(EXECUTOR_TG);
    let mark = h.fake.mark();
    assert_eq!(
        send(message_update(1, EXECUTOR_TG, EXECUTOR_TG, "/my")).await,
        200
    );
    // The answer failed for good: recorded once (the curators are told), never retried.
    let told = h
        .wait(mark, "the curators told", |c| {
            c.chat() == CURATOR_CHAT && c.text().contains("Петров Алексей")
        })
        .await;
    assert!(told.text().contains("не"), "{}", told.text());
    h.settle().await;
    let refused = |calls: &[Call]| {
        calls
            .iter()
            .filter(|c| c.chat() == EXECUTOR_TG && !c.ok)
            .count()
    };
    assert_eq!(refused(&h.fake.calls()), 1);
    let audit = h.store.pending_outbox().await.expect("the outbox");
    assert!(audit.is_empty(), "{audit:?}");
    // The next update is handled: the curator's /open in the group is answered there.
    let since = h.fake.mark();
    assert_eq!(
        send(message_update(2, CURATOR_TG, CURATOR_CHAT, "/open")).await,
        200
    );
    h.wait(since, "the answer to the next update", |c| {
        c.ok && c.chat() == CURATOR_CHAT && c.text().contains("Открытые")
    })
    .await;
    assert_eq!(refused(&h.fake.calls()), 1);
}
