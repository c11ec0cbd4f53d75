//! What the tests and the benchmark of the curators' group at Telegram's pace share: posting an
//! incident as a monitoring system does, and reading what reached the chats.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::app::{TestApp, CURATOR_CHAT};
use super::fake_telegram::Call;

const TOKEN: &str = "secret-token";

/// Posts an incident to the intake API as a monitoring system does; returns (id, number).
pub async fn post(h: &TestApp, i: usize, department: Option<&str>) -> (i64, i64) {
    let mut body = json!({
        "external_id": format!("IM-{i}"),
        "source": "vk",
        "url": format!("https://vk.com/wall-1_{i}"),
        "author": format!("Житель {i}"),
        "text": format!("Обращение {i}: не вывозят мусор"),
    });
    if let Some(d) = department {
        body["department"] = json!(d);
    }
    let resp = reqwest::Client::new()
        .post(format!("http://{}/api/v1/incidents", h.http))
        .header("authorization", format!("Bearer {TOKEN}"))
        .json(&body)
        .send()
        .await
        .expect("the intake API answers");
    assert!(resp.status().is_success(), "{}", resp.status());
    let answer: Value = resp.json().await.expect("a JSON answer");
    (
        answer["id"].as_i64().expect("an id"),
        answer["number"].as_i64().expect("a number"),
    )
}

/// The group's triage card of incident `number`, once sent.
pub fn triage_card(calls: &[Call], number: i64) -> Option<&Call> {
    calls.iter().find(|c| {
        c.ok && c.method == "sendMessage"
            && c.chat() == CURATOR_CHAT
            && c.text().contains(&format!("Новое сообщение №{number} "))
    })
}

/// The toast a press was answered with.
pub fn toast(answer: &Call) -> &str {
    answer.body["text"].as_str().unwrap_or_default()
}

/// The most messages (sends and edits Telegram took) in any window of `span` in `chat`.
pub fn most_in(calls: &[Call], chat: i64, span: Duration) -> usize {
    let times: Vec<Instant> = calls
        .iter()
        .filter(|c| c.ok && c.chat() == chat)
        .filter(|c| matches!(c.method.as_str(), "sendMessage" | "editMessageText"))
        .map(|c| c.at)
        .collect();
    times
        .iter()
        .enumerate()
        .map(|(i, t)| {
            times[i..]
                .iter()
                .take_while(|u| u.duration_since(*t) < span)
                .count()
        })
        .max()
        .unwrap_or(0)
}
