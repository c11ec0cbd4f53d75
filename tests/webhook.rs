//! Webhook mode (`OTKLIK_WEBHOOK_URL`), with the whole application started as `main` starts it
//! and a local fake Bot API: the webhook is registered with its secret, a request without the
//! right secret is refused with 401 and changes nothing, an update is handled before it is
//! answered, and the same update posted twice (Telegram's retry, or two replicas) is handled
//! once. On SQLite and on PostgreSQL.

mod support;

use support::app::*;
use support::db::TestDb;
use support::fake_telegram::message_update;

on_both_backends!(a_webhook_takes_updates_with_its_secret_once_each);

async fn post(h: &TestApp, secret: Option<&str>, body: &serde_json::Value) -> u16 {
    let mut req = reqwest::Client::new()
        .post(format!("http://{}{WEBHOOK_PATH}", h.http))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(s) = secret {
        req = req.header("x-telegram-bot-api-secret-token", s);
    }
    req.send()
        .await
        .expect("the server answers")
        .status()
        .as_u16()
}

/// How many messages went to a chat.
fn sent_to(h: &TestApp, chat: i64) -> usize {
    h.fake
        .calls()
        .iter()
        .filter(|c| c.method == "sendMessage" && c.chat() == chat)
        .count()
}

async fn a_webhook_takes_updates_with_its_secret_once_each(db: &TestDb) {
    let h = TestApp::start_webhook("vorsino", db).await;
    let calls = h.fake.calls();
    let set = calls
        .iter()
        .find(|c| c.method == "setWebhook")
        .expect("the webhook is registered");
    assert_eq!(
        set.body["url"],
        format!("https://otklik.example.ru{WEBHOOK_PATH}")
    );
    assert_eq!(set.body["secret_token"], WEBHOOK_SECRET);
    // Nothing polls.
    assert!(!calls.iter().any(|c| c.method == "getUpdates"));

    let update = message_update(500_001, CURATOR_TG, CURATOR_TG, "/help");
    assert_eq!(post(&h, None, &update).await, 401);
    assert_eq!(post(&h, Some("hook-secret_2"), &update).await, 401);
    h.settle().await;
    assert_eq!(
        sent_to(&h, CURATOR_TG),
        0,
        "a refused update changes nothing"
    );

    // Handled before the answer: the help is on its way when 200 comes back.
    assert_eq!(post(&h, Some(WEBHOOK_SECRET), &update).await, 200);
    h.settle().await;
    assert_eq!(sent_to(&h, CURATOR_TG), 1);
    // Telegram's retry (or another replica) of the same update: answered, not done again.
    assert_eq!(post(&h, Some(WEBHOOK_SECRET), &update).await, 200);
    h.settle().await;
    assert_eq!(sent_to(&h, CURATOR_TG), 1);
    // An update that cannot be read is acknowledged (a retry would not help) and dropped.
    let bad = serde_json::json!({"update_id": "x"});
    assert_eq!(post(&h, Some(WEBHOOK_SECRET), &bad).await, 200);
}
