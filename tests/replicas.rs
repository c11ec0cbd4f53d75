//! Two replicas of Otklik on one PostgreSQL database in webhook mode, as a region runs it behind
//! a load balancer: a scripted working day of 200 incidents posted to either replica, the
//! executor's presses delivered to either (and some twice, to both, as Telegram retries), the
//! clock walked through the day and the next morning so both schedulers race for the same
//! reminders and deadlines. At the end every notification was sent exactly once: no card,
//! reminder or alert twice, nothing left unsent.

mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use otklik::messenger::pacing::SendLimits;
use serde_json::json;
use support::app::*;
use support::db::TestDb;

const INCIDENTS: usize = 200;

async fn post_incident(client: &reqwest::Client, to: SocketAddr, n: usize) {
    let mut body = json!({
        "external_id": format!("day-{n}"),
        "source": "vk",
        "url": format!("https://vk.com/wall-1_{n}?reply=1"),
        "author": format!("Житель {n}"),
        "text": format!("Сообщение {n}: не убран снег у дома"),
        "detected_at": "2026-11-23T09:50:00+03:00",
    });
    // Half arrive with their department (routed at once), half wait for the curator.
    if n.is_multiple_of(2) {
        body["department"] = json!("Отдел ЖКХ");
    }
    let resp = client
        .post(format!("http://{to}/api/v1/incidents"))
        .bearer_auth("secret-token")
        .json(&body)
        .send()
        .await
        .expect("the API answers");
    assert_eq!(resp.status().as_u16(), 201, "incident {n}");
}

async fn post_update(client: &reqwest::Client, to: SocketAddr, update: &serde_json::Value) {
    let resp = client
        .post(format!("http://{to}{WEBHOOK_PATH}"))
        .header("x-telegram-bot-api-secret-token", WEBHOOK_SECRET)
        .json(update)
        .send()
        .await
        .expect("the webhook answers");
    assert_eq!(resp.status().as_u16(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_send_every_notification_of_a_day_once() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let h = TestApp::start_webhook_paced("vorsino", &db, SendLimits::TELEGRAM.faster(200)).await;
    let other = h.replica().await;
    let replicas = [h.http, other.http];
    let client = reqwest::Client::new();

    // The morning's messages, to either replica, 16 at a time.
    let mut posting = tokio::task::JoinSet::new();
    for n in 0..INCIDENTS {
        let client = client.clone();
        let to = replicas[n % 2];
        posting.spawn(async move { post_incident(&client, to, n).await });
        if posting.len() >= 16 {
            if let Some(r) = posting.join_next().await {
                r.expect("posted");
            }
        }
    }
    while let Some(r) = posting.join_next().await {
        r.expect("posted");
    }
    h.settle().await;

    // The executor accepts every card that reached him; every third press reaches both
    // replicas (Telegram's retry after a timeout).
    let cards = h.accept_presses(EXECUTOR_TG);
    assert_eq!(cards.len(), INCIDENTS / 2, "one card per routed incident");
    for (i, mut update) in cards.into_iter().enumerate() {
        update["update_id"] = json!(700_000 + i);
        post_update(&client, replicas[i % 2], &update).await;
        if i % 3 == 0 {
            post_update(&client, replicas[(i + 1) % 2], &update).await;
        }
    }
    h.settle().await;

    // The day goes by a quarter of an hour at a time, then the night and the next morning:
    // routing deadlines, reminders, overdue alerts and the evening's digests fall due on both.
    let mut at = moscow("2026-11-23 10:00");
    let end = moscow("2026-11-24 12:00");
    while at < end {
        at += chrono::Duration::minutes(15);
        h.walk_to(at).await;
    }

    let unsent = h
        .store
        .execute_raw("UPDATE outbox SET attempts = attempts WHERE delivered_at IS NULL")
        .await
        .expect("the outbox");
    assert_eq!(unsent, 0, "every notification was sent");
    let mut sent: BTreeMap<(i64, String), usize> = BTreeMap::new();
    for c in h.fake.calls().iter().filter(|c| c.method == "sendMessage") {
        *sent.entry((c.chat(), c.text().to_string())).or_default() += 1;
    }
    let twice: Vec<_> = sent.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:#?}");
    // The day really happened: cards, acceptances and the scheduler's notices.
    // A triage card per unrouted incident — or, where the group's minute was full as it came, a
    // line of the group's backlog summary; never both.
    let carded: std::collections::BTreeSet<i64> = sent
        .keys()
        .filter(|(chat, _)| *chat == CURATOR_CHAT)
        .filter_map(|(_, text)| {
            let rest = &text[text.find("Новое сообщение №")? + "Новое сообщение №".len()..];
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .collect();
    let mut listed = std::collections::BTreeSet::new();
    for c in h
        .fake
        .calls()
        .iter()
        .filter(|c| c.ok && c.chat() == CURATOR_CHAT && c.text().starts_with("📨 Ещё"))
    {
        for id in c.buttons().iter().filter_map(|b| b.strip_prefix("oc:")) {
            let id = otklik::domain::IncidentId(id.parse().expect("an incident id"));
            listed.insert(h.store.incident(id).await.expect("the incident").number);
        }
    }
    assert!(carded.is_disjoint(&listed), "a card both sent and listed");
    assert_eq!(
        carded.len() + listed.len(),
        INCIDENTS / 2,
        "a triage card (or a line of the summary) per unrouted incident"
    );
    let accepted = h
        .store
        .execute_raw("UPDATE incidents SET version = version WHERE state = 'in_work'")
        .await
        .expect("incidents");
    assert_eq!(accepted as usize, INCIDENTS / 2);
    assert!(
        sent.len() > INCIDENTS + 10,
        "the scheduler's notices were sent too ({} messages)",
        sent.len()
    );
    drop(other);
    drop(h);
    db.cleanup().await;
}
