//! Bad input from chats and from the messenger itself, through the real application: a message
//! the messenger refuses for good, garbage button data, presses by people a card is not for.

mod support;

use otklik::core::Reply;
use otklik::domain::regulation::Importance;
use otklik::messenger::payload::decode;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRng, TestRunner};
use support::app::*;
use support::db::TestDb;

on_both_backends!(
    a_message_refused_for_good_leaves_the_queue_and_the_curators_are_told,
    garbage_button_data_always_gets_the_outdated_answer,
    after_a_kill_the_restarted_process_resumes_delivery_within_seconds,
);

async fn a_message_refused_for_good_leaves_the_queue_and_the_curators_are_told(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    h.fake.refuse_in(EXECUTOR_TG);
    let inc = h
        .incident_for("Нет света в подъезде", Importance::Normal, Some(h.dept))
        .await;
    let told = h
        .wait(0, "the curators hear of the refused card", |c| {
            c.chat() == CURATOR_CHAT
                && c.text()
                    .contains(&format!("№{}: мессенджер отклонил сообщение", inc.number))
        })
        .await;
    assert!(told.text().contains("Петров Алексей"), "{}", told.text());
    h.settle().await;
    let failed = h.store.failed_outbox().await.unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].2.contains("can't parse entities"), "{failed:?}");
    // Hours later nothing refused has been tried again, and nothing is left waiting: every
    // message to the executor was sent once and failed once.
    h.walk_to(moscow("2026-11-23 10:30")).await;
    h.walk_to(moscow("2026-11-23 13:00")).await;
    let sent: Vec<String> = h
        .fake
        .calls()
        .iter()
        .filter(|c| c.chat() == EXECUTOR_TG && c.method == "sendMessage")
        .map(|c| c.text().to_string())
        .collect();
    let mut distinct = sent.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        sent.len(),
        "a refused message was sent again"
    );
    assert_eq!(
        h.store.failed_outbox().await.unwrap().len(),
        sent.len(),
        "every refused message is marked failed"
    );
    assert!(h.store.pending_outbox().await.unwrap().is_empty());
    // The audit log says what happened.
    let audit = h.store.audit_log(inc.id).await.unwrap();
    assert!(
        audit.iter().any(|a| a.command == "undeliverable"),
        "{audit:?}"
    );
}

/// Button data as a client could forge it: known tags with fields of any shape, and noise.
fn button_data() -> impl Strategy<Value = String> {
    let tags = prop::sample::select(vec![
        "ac", "dr", "rt", "rr", "ad", "sd", "ed", "cx", "sa", "ro", "na", "ex", "wc", "tp", "lc",
        "av", "oc", "ap", "rw", "pb", "au", "im", "dp", "nr", "ek", "pg", "rp", "dl", "dd", "du",
        "ab", "xx",
    ]);
    let field = prop_oneof![
        Just("c".to_string()),
        Just("a".to_string()),
        Just("h".to_string()),
        Just("o".to_string()),
        Just("".to_string()),
        (0i64..4).prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        "[a-z0-9-]{1,6}",
    ];
    prop_oneof![
        4 => (tags, prop::collection::vec(field, 0..5))
            .prop_map(|(tag, fields)| [vec![tag.to_string()], fields].concat().join(":")),
        1 => ".{0,64}",
    ]
}

async fn garbage_button_data_always_gets_the_outdated_answer(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    h.incident("Нет отопления", Importance::Normal).await;
    h.incident_for("Яма во дворе", Importance::Normal, Some(h.dept))
        .await;
    h.settle().await;
    let curator = h.who(h.curator, CURATOR_CHAT).await;
    let executor = h.who(h.executor, EXECUTOR_TG).await;
    let internal = "Что-то пошло не так";
    // A fixed seed: the same cases on every run, so a failure is never a fluke of the draw.
    let config = ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config.clone(),
        TestRng::deterministic_rng(config.rng_algorithm),
    );
    let handle = tokio::runtime::Handle::current();
    let outcome = tokio::task::block_in_place(|| {
        runner.run(&button_data(), |data| {
            let Some(action) = decode(&data) else {
                return Ok(());
            };
            for who in [&curator, &executor] {
                let reply: Reply = handle
                    .block_on(h.core.press(who, action, Some(1)))
                    .map_err(|e| TestCaseError::fail(format!("{data}: {e}")))?;
                let said = format!("{reply:?}");
                prop_assert!(!said.contains(internal), "{data}: {said}");
            }
            Ok(())
        })
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }

    // The same through Telegram: presses on a real card, from the curator, an executor and a
    // stranger, each answered (never the internal-error answer).
    let card = h.triage(1).await;
    let mut runner = TestRunner::new_with_rng(
        ProptestConfig {
            cases: 120,
            ..config.clone()
        },
        TestRng::deterministic_rng(config.rng_algorithm),
    );
    let answered = std::sync::atomic::AtomicUsize::new(0);
    let outcome = tokio::task::block_in_place(|| {
        runner.run(&(button_data(), 0usize..3), |(data, who)| {
            let user = [CURATOR_TG, EXECUTOR_TG, STRANGER_TG][who];
            let answer = handle.block_on(h.press(user, &card, &data));
            answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let text = answer.body["text"].as_str().unwrap_or_default().to_string();
            prop_assert!(!text.contains(internal), "{data} by {user}: {text}");
            Ok(())
        })
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    assert!(answered.into_inner() >= 120);
}

async fn after_a_kill_the_restarted_process_resumes_delivery_within_seconds(db: &TestDb) {
    let mut h = TestApp::start("vorsino", db).await;
    // Telegram takes the card, but the process is killed before it hears back.
    h.fake.hang_on(EXECUTOR_TG);
    h.incident_for("Нет света в подъезде", Importance::Normal, Some(h.dept))
        .await;
    h.wait(0, "the card reaches Telegram", |c| {
        c.chat() == EXECUTOR_TG && c.method == "sendMessage"
    })
    .await;
    h.crash_and_restart().await;
    h.fake.release(EXECUTOR_TG);
    // Six seconds on (not the minutes of a long lease), the new process sends it.
    let since = h.fake.mark();
    h.clock.advance(chrono::Duration::seconds(6));
    h.core.wake_delivery();
    h.wait(since, "the card after the restart", |c| {
        c.chat() == EXECUTOR_TG && c.ok && c.buttons().contains(&"ac:1:0".to_string())
    })
    .await;
    h.settle().await;
    // At least once: the one in flight at the kill arrives twice, nothing else does.
    let cards = h
        .fake
        .calls()
        .iter()
        .filter(|c| c.chat() == EXECUTOR_TG && c.method == "sendMessage")
        .count();
    assert_eq!(cards, 2);
}
