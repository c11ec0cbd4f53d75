//! Personal data stays out of the log at the default level (152-FZ): a whole working day of
//! messages, presses and an update Telegram sends that cannot be read leave only ids behind.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use otklik::domain::regulation::Importance;
use serde_json::json;
use support::app::*;
use support::db::TestDb;

/// What the application logged, as `otklik run` logs it (level `info`).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

static LOG: std::sync::LazyLock<Captured> = std::sync::LazyLock::new(|| {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();
    captured
});

const AUTHOR: &str = "Сидорова Марфа Игнатьевна";
const PHONE: &str = "+7 913 555-12-34";
const EMAIL: &str = "marfa.sidorova@example.ru";

on_both_backends!(the_log_at_info_holds_ids_only);

async fn the_log_at_info_holds_ids_only(db: &TestDb) {
    let log = LOG.clone();
    let h = TestApp::start("vorsino", db).await;
    // An update teloxide cannot read, full of personal data.
    let unreadable = h.fake.push(json!({"message": {
        "message_id": "not a number", "date": 1_795_000_000,
        "chat": {"id": EXECUTOR_TG, "type": "private", "first_name": AUTHOR},
        "from": {"id": EXECUTOR_TG, "is_bot": false, "first_name": AUTHOR},
        "text": format!("Мой телефон {PHONE}, почта {EMAIL}")
    }}));
    // A citizen's message with a name, a phone and an e-mail goes its whole way.
    h.incident_for(
        &format!("{AUTHOR}: звоните {PHONE} или пишите {EMAIL}"),
        Importance::High,
        Some(h.dept),
    )
    .await;
    let card = h
        .wait(0, "the executor's card", |c| {
            c.chat() == EXECUTOR_TG && c.buttons().contains(&"ac:1:0".to_string())
        })
        .await;
    h.press(EXECUTOR_TG, &card, "ac:1:0").await;
    h.fake
        .say(EXECUTOR_TG, EXECUTOR_TG, &format!("Ответ для {AUTHOR}"));
    h.fake
        .say(STRANGER_TG, STRANGER_TG, &format!("Я {AUTHOR}, {PHONE}"));
    // Wait until the unreadable update has been taken and reported by its id.
    let marker = format!("update={unreadable}");
    for _ in 0..1500 {
        if log.text().contains(&marker) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // Both messages handled (and whatever they logged written) before the log is read.
    h.wait_handled("telegram", "message", 2).await;
    h.settle().await;
    let text = log.text();
    assert!(
        text.contains(&marker),
        "the unreadable update is not in the log:\n{text}"
    );
    for secret in [AUTHOR, "Марфа", "Ирина П.", PHONE, EMAIL, "Ответ для"] {
        assert!(!text.contains(secret), "{secret:?} is in the log:\n{text}");
    }
}
