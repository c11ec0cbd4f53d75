//! The crash test: a few hundred incidents posted through the HTTP API while the application is
//! killed at random moments (every task stopped where it stands, the database connections
//! dropped — what a SIGKILL leaves behind) and started again on the same database. At the end
//! every accepted incident is stored once and routed as asked, every notice has reached its
//! chat, nothing waits or failed, and the duplicate private messages (the ones in flight at a
//! kill) are counted and bounded. The kill moments come from a fixed seed.

mod support;

use std::collections::BTreeMap;

use otklik::domain::incident::IncidentState;
use otklik::telegram::pacing::SendLimits;
use rand::{Rng, SeedableRng};
use serde_json::json;
use support::app::*;
use support::db::TestDb;

on_both_backends!(a_few_hundred_incidents_survive_random_kills);

const INCIDENTS: usize = 200;
const TOKEN: &str = "secret-token";

/// Posts one incident until the API takes it: a kill may cut a request, and the same
/// `external_id` again is safe (it answers the incident already stored).
async fn post_until_taken(
    h: &TestApp,
    client: &reqwest::Client,
    body: &serde_json::Value,
) -> (i64, i64) {
    for _ in 0..200 {
        let sent = client
            .post(format!("http://{}/api/v1/incidents", h.http))
            .header("authorization", format!("Bearer {TOKEN}"))
            .json(body)
            .send()
            .await;
        if let Ok(resp) = sent {
            let status = resp.status().as_u16();
            if let Ok(answer) = resp.json::<serde_json::Value>().await {
                if status == 200 || status == 201 {
                    let id = answer["id"].as_i64().expect("an id");
                    return (id, answer["number"].as_i64().expect("a number"));
                }
                assert!(status >= 500, "{status}: {answer}");
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the API never took {body}");
}

async fn a_few_hundred_incidents_survive_random_kills(db: &TestDb) {
    let mut h = TestApp::start_paced("vorsino", db, SendLimits::TELEGRAM.faster(200)).await;
    let client = reqwest::Client::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261130);
    let mut kills = 0;
    // incident number → its id and the chat its card must reach (None: a triage card for the
    // curators).
    let mut expected: BTreeMap<i64, (i64, Option<i64>)> = BTreeMap::new();
    for i in 0..INCIDENTS {
        let department = match i % 3 {
            0 => Some(("Отдел ЖКХ", EXECUTOR_TG)),
            1 => Some(("Благоустройство", OTHER_EXECUTOR_TG)),
            _ => None,
        };
        let mut body = json!({
            "external_id": format!("IM-{i}"),
            "source": "vk",
            "url": format!("https://vk.com/wall-1_{i}"),
            "author": format!("Житель {i}"),
            "text": format!("Обращение {i}"),
            "topic": format!("Тема {}", i % 7),
            "detected_at": "2026-11-23T10:00:00+03:00",
        });
        if let Some((name, _)) = department {
            body["department"] = json!(name);
        }
        let (id, number) = post_until_taken(&h, &client, &body).await;
        expected.insert(number, (id, department.map(|(_, chat)| chat)));
        // Now and then, at a random moment while cards are being sent: kill and restart.
        if rng.gen_ratio(1, 20) {
            let wait = rng.gen_range(0..40);
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            h.crash_and_restart().await;
            kills += 1;
        }
    }
    assert!(kills >= 5, "only {kills} kills");
    // After a kill, the dead process's leases run out and a cut send is retried after a
    // backoff, both on the bot's clock: move it on until nothing waits.
    for _ in 0..30 {
        h.clock.advance(chrono::Duration::seconds(10));
        h.core.wake_delivery();
        h.settle().await;
        if h.store.pending_outbox().await.unwrap().is_empty() {
            break;
        }
    }

    // Every incident once, each routed where it was sent.
    assert_eq!(expected.len(), INCIDENTS, "an incident was stored twice");
    for (number, (id, chat)) in &expected {
        let record = h
            .store
            .incident(otklik::domain::IncidentId(*id))
            .await
            .unwrap_or_else(|e| panic!("incident №{number} is lost: {e}"));
        let state = record.workflow.state;
        match chat {
            Some(_) => assert_eq!(state, IncidentState::InWork, "№{number}"),
            None => assert_eq!(state, IncidentState::New, "№{number}"),
        }
    }
    // Every card reached its chat; the duplicates are the messages in flight at a kill.
    let calls = h.fake.calls();
    let sent = |chat: i64, marker: &str| -> usize {
        calls
            .iter()
            .filter(|c| c.ok && c.method == "sendMessage" && c.chat() == chat)
            .filter(|c| c.text().contains(marker))
            .count()
    };
    let mut duplicates = 0;
    for (number, (_, chat)) in &expected {
        let marker = match chat {
            Some(_) => format!("Инцидент №{number}</b>"),
            None => format!("Новое сообщение №{number} ·"),
        };
        let private = chat.map(|c| sent(c, &marker)).unwrap_or(1);
        let group = sent(CURATOR_CHAT, &marker);
        assert!(private >= 1, "№{number}: the executor's card never came");
        if group == 0 {
            let seen: Vec<String> = calls
                .iter()
                .filter(|c| c.text().contains(&format!("№{number}")))
                .map(|c| {
                    format!(
                        "{} {} ok={} {:?}",
                        c.method,
                        c.chat(),
                        c.ok,
                        c.text().lines().next()
                    )
                })
                .collect();
            panic!("№{number}: the curators' card never came; seen: {seen:#?}");
        }
        duplicates += private - 1 + group - 1;
    }
    println!("crash test: {INCIDENTS} incidents, {kills} kills, {duplicates} duplicate messages");
    // At most the message in flight in each of the three chats per kill.
    assert!(
        duplicates <= kills * 3,
        "{duplicates} duplicates after {kills} kills"
    );
    assert!(h.store.pending_outbox().await.unwrap().is_empty());
    assert!(h.store.failed_outbox().await.unwrap().is_empty());
}
