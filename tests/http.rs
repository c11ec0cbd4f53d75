//! The intake HTTP API, over real HTTP to the application `Application::build` starts, on
//! SQLite and on PostgreSQL: every status code, idempotency, auth, direct routing (and the cards
//! it sends to Telegram), author replies, repeat linking and the burst alert.

mod support;

use otklik::domain::incident::{Command, DraftKind, Role};
use otklik::domain::IncidentId;
use serde_json::{json, Value};
use support::app::*;
use support::db::TestDb;

on_both_backends!(
    create_is_idempotent_and_returns_deadlines,
    bad_requests_name_the_field_and_write_nothing,
    a_department_given_at_intake_routes_at_once_without_a_triage_card,
    the_authors_reply_resumes_the_clock,
    repeats_are_linked_and_bursts_are_reported,
    what_cannot_be_stored_or_shown_is_refused_with_its_field,
    the_token_comes_first_and_its_scheme_is_case_insensitive,
    ids_are_kept_exactly_and_an_anonymous_post_is_taken,
    the_longest_accepted_fields_still_make_a_deliverable_card,
    slow_clients_are_cut_off_and_do_not_hold_up_a_stop,
    metrics_count_incidents_the_queue_and_latency_behind_their_token,
    the_openapi_description_matches_the_router,
    an_organisations_own_token_reaches_only_its_incidents,
);

const TOKEN: &str = "secret-token";

struct Api<'a> {
    h: &'a TestApp,
    client: reqwest::Client,
}

impl<'a> Api<'a> {
    fn new(h: &'a TestApp) -> Api<'a> {
        Api {
            h,
            client: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, format!("http://{}{path}", self.h.http))
            .header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        let resp = req.send().await.expect("the API answers");
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.expect("a body");
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn post(&self, body: Value) -> (u16, Value) {
        self.call(
            reqwest::Method::POST,
            "/api/v1/incidents",
            Some(TOKEN),
            Some(body.to_string()),
        )
        .await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, Some(TOKEN), None)
            .await
    }
}

fn incident(external_id: &str) -> Value {
    json!({
        "external_id": external_id,
        "source": "vk",
        "url": "https://vk.com/wall-1_2?reply=3",
        "author": "Ирина П.",
        "text": "Нет отопления",
        "kind": "comment",
        "detected_at": "2026-11-23T10:00:00+03:00",
    })
}

async fn create_is_idempotent_and_returns_deadlines(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let api = Api::new(&h);
    let (status, body) = api.post(incident("IM-1")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["number"], 1);
    assert_eq!(body["state"], "new");
    assert_eq!(
        body["deadlines"]["routing"]["at"],
        "2026-11-23T12:00:00+03:00"
    );
    assert_eq!(
        body["deadlines"]["final"]["at"],
        "2026-11-24T10:00:00+03:00"
    );
    let (status, again) = api.post(incident("IM-1")).await;
    assert_eq!(status, 200);
    assert_eq!(again["id"], body["id"]);
    let (status, second) = api.post(incident("IM-2")).await;
    assert_eq!(status, 201);
    assert_eq!(second["number"], 2);
    // The curators' group gets one triage card per incident.
    h.triage(2).await;
    let cards = h
        .fake
        .calls()
        .iter()
        .filter(|c| c.chat() == CURATOR_CHAT && c.text().contains("Новое сообщение №1"))
        .count();
    assert_eq!(cards, 1);

    let (status, got) = api.get(&format!("/api/v1/incidents/{}", body["id"])).await;
    assert_eq!(status, 200);
    assert_eq!(got["external_id"], "IM-1");
    assert_eq!(got["publication"], Value::Null);
    let (status, _) = api.get("/api/v1/incidents/999").await;
    assert_eq!(status, 404);
    let (status, health) = api.call(reqwest::Method::GET, "/healthz", None, None).await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
}

async fn bad_requests_name_the_field_and_write_nothing(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let api = Api::new(&h);
    let post = reqwest::Method::POST;
    let path = "/api/v1/incidents";
    let body = Some(incident("X").to_string());
    let (status, _) = api.call(post.clone(), path, None, body.clone()).await;
    assert_eq!(status, 401);
    let (status, _) = api
        .call(post.clone(), path, Some("wrong"), body.clone())
        .await;
    assert_eq!(status, 401);
    let (status, answer) = api
        .call(post.clone(), path, Some(TOKEN), Some("{not json".into()))
        .await;
    assert_eq!(status, 400, "{answer}");
    let (status, _) = api
        .call(post.clone(), path, Some(TOKEN), Some("[1, 2]".into()))
        .await;
    assert_eq!(status, 400);
    let cases = [
        ("source", json!("facebook")),
        ("url", json!("vk.com/wall")),
        ("author", json!(42)),
        ("text", Value::Null),
        ("kind", json!("story")),
        ("importance", json!("urgent")),
        ("detected_at", json!("вчера")),
        ("detected_at", json!("2031-01-01T10:00:00+03:00")),
        ("department", json!("Отдел кадров")),
        ("attachments", json!("photo.jpg")),
        ("organisation", json!("Другая")),
        ("colour", json!("red")),
    ];
    for (field, value) in cases {
        let mut body = incident("X");
        body[field] = value.clone();
        let (status, answer) = api.post(body).await;
        assert_eq!(status, 422, "{field} = {value}: {answer}");
        assert_eq!(answer["field"], field, "{answer}");
        assert!(
            answer["error"].as_str().unwrap_or_default().contains(field),
            "{answer}"
        );
    }
    let huge = json!({ "text": "а".repeat(300 * 1024) });
    let (status, _) = api.post(huge).await;
    assert_eq!(status, 413);
    assert!(
        h.store.incident(IncidentId(1)).await.is_err(),
        "nothing may be written"
    );
}

async fn a_department_given_at_intake_routes_at_once_without_a_triage_card(db: &TestDb) {
    const HEAD_TG: i64 = 4444;
    let h = TestApp::start("vorsino", db).await;
    h.store
        .create_person(h.org, &person("Орлов Виктор", HEAD_TG, vec![Role::Head]))
        .await
        .unwrap();
    let api = Api::new(&h);
    let mut body = incident("IM-5");
    body["department"] = json!("отдел жкх");
    body["importance"] = json!("high");
    body["topic"] = json!("ЖКХ");
    let (status, answer) = api.post(body).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["state"], "in_work");
    assert_eq!(answer["parts"][0]["department"], "Отдел ЖКХ");
    assert_eq!(answer["parts"][0]["current_deadline"]["stage"], "draft");

    // The executor's card arrives in Telegram, with its buttons.
    let card = h
        .wait(0, "the executor's card", |c| {
            c.chat() == EXECUTOR_TG && c.buttons().contains(&"ac:1:0".to_string())
        })
        .await;
    assert!(
        card.text().contains("🔴 Инцидент №1 · ВЫСОКАЯ важность"),
        "{}",
        card.text()
    );
    // The head hears of a high-importance message at once.
    h.wait(0, "the head's escalation", |c| {
        c.chat() == HEAD_TG && c.text().contains("Важное сообщение №1")
    })
    .await;
    // The curators get the status card — no triage card with routing buttons.
    let status_card = h
        .wait(0, "the curators' card", |c| {
            c.chat() == CURATOR_CHAT && c.method == "sendMessage" && c.text().contains("№1")
        })
        .await;
    assert!(
        status_card.text().contains("Отдел ЖКХ — Петров Алексей"),
        "{}",
        status_card.text()
    );
    assert!(
        status_card.buttons().iter().all(|b| !b.starts_with("dp:")),
        "{:?}",
        status_card.buttons()
    );
    assert!(h
        .fake
        .calls()
        .iter()
        .all(|c| !c.text().contains("Новое сообщение")));
}

async fn the_authors_reply_resumes_the_clock(db: &TestDb) {
    let h = TestApp::start("borovichi", db).await;
    let api = Api::new(&h);
    let mut body = incident("IM-7");
    body["department"] = json!("Отдел ЖКХ");
    let (_, created) = api.post(body).await;
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/incidents/{id}/author-reply");
    let reply = |text: &str| Some(json!({ "text": text }).to_string());
    let (status, answer) = api
        .call(reqwest::Method::POST, &path, Some(TOKEN), reply("дом 14"))
        .await;
    assert_eq!(status, 409, "{answer}");

    // The executor asks a clarification, the curator approves it, the executor posts it: the
    // clock stops (Borovichi §10: from the posting).
    let executor = h.who(h.executor, EXECUTOR_TG).await;
    let curator = h.who(h.curator, CURATOR_CHAT).await;
    for (who, cmd) in [
        (&executor, Command::Accept { part: 0 }),
        (
            &executor,
            Command::SubmitDraft {
                part: 0,
                kind: DraftKind::Clarification,
                text: "Какой дом?".into(),
                attachments: vec![],
            },
        ),
        (
            &curator,
            Command::Approve {
                part: Some(0),
                version: None,
            },
        ),
        (&executor, Command::RecordClarificationPosted { part: 0 }),
    ] {
        h.core
            .apply_as(who, IncidentId(id), cmd)
            .await
            .unwrap()
            .unwrap();
    }
    let (_, paused) = api.get(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(
        paused["parts"][0]["current_deadline"]["due"]["status"], "paused",
        "{paused}"
    );
    let (status, _) = api
        .call(reqwest::Method::POST, &path, Some(TOKEN), reply(""))
        .await;
    assert_eq!(status, 422);
    let (status, resumed) = api
        .call(
            reqwest::Method::POST,
            &path,
            Some(TOKEN),
            reply("Ленина, 14"),
        )
        .await;
    assert_eq!(status, 200, "{resumed}");
    assert_eq!(resumed["parts"][0]["state"], "accepted");
    assert_eq!(
        resumed["parts"][0]["current_deadline"]["due"]["status"],
        "at"
    );
    // The executor gets the reply in Telegram.
    h.wait(0, "the author's reply", |c| {
        c.chat() == EXECUTOR_TG && c.text().contains("«Ленина, 14»")
    })
    .await;
}

async fn repeats_are_linked_and_bursts_are_reported(db: &TestDb) {
    const HEAD_TG: i64 = 4444;
    let h = TestApp::start("barnaul-leninsky", db).await;
    h.store
        .create_person(h.org, &person("Глава", HEAD_TG, vec![Role::Head]))
        .await
        .unwrap();
    h.clock.set(moscow("2026-11-23 12:00"));
    let api = Api::new(&h);
    let mut first = incident("R-1");
    first["topic"] = json!("Мусор");
    let (_, a) = api.post(first).await;
    // Same author, same topic, an hour later: a repeat of the first.
    let mut again = incident("R-2");
    again["topic"] = json!("мусор");
    again["url"] = json!("https://vk.com/wall-1_9");
    again["detected_at"] = json!("2026-11-23T11:00:00+03:00");
    let (_, b) = api.post(again).await;
    assert_eq!(b["repeat_of"], a["id"], "{b}");
    // Another author on another topic is not.
    let mut other = incident("R-3");
    other["author"] = json!("Николай С.");
    other["url"] = json!("https://ok.ru/x");
    other["topic"] = json!("Дороги");
    let (_, c) = api.post(other).await;
    assert_eq!(c["repeat_of"], Value::Null);

    // Five messages on one topic within an hour: the curators and the head are told, once.
    for i in 0..6 {
        let mut m = incident(&format!("B-{i}"));
        m["author"] = json!(format!("Житель {i}"));
        m["url"] = json!(format!("https://vk.com/wall-5_{i}"));
        m["topic"] = json!("Отопление");
        m["detected_at"] = json!(format!("2026-11-23T11:{:02}:00+03:00", 10 + i));
        api.post(m).await;
    }
    let burst = |c: &support::fake_telegram::Call| c.text().contains("Всплеск активности");
    let to_curators = h
        .wait(0, "the burst alert", |c| {
            c.chat() == CURATOR_CHAT && burst(c)
        })
        .await;
    assert!(
        to_curators
            .text()
            .contains("5 сообщений на тему «Отопление»"),
        "{}",
        to_curators.text()
    );
    h.wait(0, "the head's burst alert", |c| {
        c.chat() == HEAD_TG && burst(c)
    })
    .await;
    // Nothing more is queued, and nobody was told twice.
    for _ in 0..100 {
        if h.store.pending_outbox().await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(h.fake.calls().iter().filter(|c| burst(c)).count(), 2);
}

async fn what_cannot_be_stored_or_shown_is_refused_with_its_field(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let api = Api::new(&h);
    // A NUL byte is refused the same on both backends (PostgreSQL cannot store one).
    for field in ["external_id", "author", "text", "topic", "location", "url"] {
        let mut body = incident("NUL");
        let value = if field == "url" {
            "https://vk.com/wall-1_2\u{0}".to_string()
        } else {
            "до\u{0}после".to_string()
        };
        body[field] = json!(value);
        let (status, answer) = api.post(body).await;
        assert_eq!(status, 422, "{field}: {answer}");
        assert_eq!(answer["field"], field, "{answer}");
        assert!(
            answer["error"].as_str().unwrap_or_default().contains("NUL"),
            "{answer}"
        );
    }
    let mut body = incident("NUL");
    body["attachments"] = json!(["https://vk.com/photo\u{0}"]);
    let (status, answer) = api.post(body).await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (422, Some("attachments"))
    );
    // Control characters in a one-line field; line breaks in the text are fine.
    let mut body = incident("CTRL");
    body["author"] = json!("Ирина\u{7}П.");
    let (status, answer) = api.post(body).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("author")));
    // Every field has a documented limit.
    let long = [
        ("external_id", 201),
        ("author", 257),
        ("topic", 201),
        ("location", 501),
        ("text", 16_385),
    ];
    for (field, n) in long {
        let mut body = incident("LONG");
        body[field] = json!("я".repeat(n));
        let (status, answer) = api.post(body).await;
        assert_eq!(status, 422, "{field}: {answer}");
        assert_eq!(answer["field"], field, "{answer}");
        assert!(
            answer["error"]
                .as_str()
                .unwrap_or_default()
                .contains(&format!("at most {}", n - 1)),
            "{answer}"
        );
    }
    let mut body = incident("LONG");
    body["url"] = json!(format!("https://vk.com/{}", "a".repeat(2100)));
    let (status, answer) = api.post(body).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("url")));
    let mut body = incident("MANY");
    body["attachments"] = json!(vec!["https://vk.com/photo"; 21]);
    let (status, answer) = api.post(body).await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (422, Some("attachments"))
    );
    // A deadline before the message was found, or where the calendar has no year.
    for deadline in ["2026-11-23T09:00:00+03:00", "2031-01-10T10:00:00+03:00"] {
        let mut body = incident("DL");
        body["external_deadline"] = json!(deadline);
        let (status, answer) = api.post(body).await;
        assert_eq!(status, 422, "{deadline}: {answer}");
        assert_eq!(answer["field"], "external_deadline", "{answer}");
    }
    assert!(
        h.store.incident(IncidentId(1)).await.is_err(),
        "nothing may be written"
    );
    // The same bodies without the bad bytes are taken.
    let mut body = incident("OK");
    body["text"] = json!("Первая строка\nвторая\tстрока");
    let (status, answer) = api.post(body).await;
    assert_eq!(status, 201, "{answer}");
}

async fn the_token_comes_first_and_its_scheme_is_case_insensitive(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let api = Api::new(&h);
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;
    // Without the token, a malformed id is still "unauthorised", in the documented shape.
    for path in [
        "/api/v1/incidents/abc",
        "/api/v1/incidents/99999999999999999999999",
    ] {
        let (status, answer) = api.call(get.clone(), path, None, None).await;
        assert_eq!(status, 401, "{path}: {answer}");
        assert!(answer["error"].is_string(), "{answer}");
        let (status, answer) = api.call(get.clone(), path, Some(TOKEN), None).await;
        assert_eq!(status, 404, "{path}: {answer}");
        assert!(answer["error"].is_string(), "{answer}");
        let reply = format!("{path}/author-reply");
        let body = Some(json!({"text": "ok"}).to_string());
        let (status, answer) = api.call(post.clone(), &reply, None, body.clone()).await;
        assert_eq!((status, answer["error"].is_string()), (401, true));
        let (status, answer) = api.call(post.clone(), &reply, Some(TOKEN), body).await;
        assert_eq!((status, answer["error"].is_string()), (404, true));
    }
    // RFC 7235: "bearer" and "BEARER" are the same scheme.
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let resp = reqwest::Client::new()
            .get(format!("http://{}/api/v1/incidents/1", h.http))
            .header("authorization", format!("{scheme} {TOKEN}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 404, "{scheme}");
    }
    let resp = reqwest::Client::new()
        .get(format!("http://{}/api/v1/incidents/1", h.http))
        .header("authorization", format!("Basic {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
}

async fn ids_are_kept_exactly_and_an_anonymous_post_is_taken(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let api = Api::new(&h);
    let (status, first) = api.post(incident("IM-1")).await;
    assert_eq!(status, 201, "{first}");
    // Two different ids stay two incidents; the id is stored as sent.
    let (status, second) = api.post(incident(" IM-1 ")).await;
    assert_eq!(status, 201, "{second}");
    assert_ne!(first["id"], second["id"]);
    assert_eq!(second["external_id"], " IM-1 ");
    // The author may be unknown: the card says so.
    let mut body = incident("ANON");
    body.as_object_mut().unwrap().remove("author");
    let (status, anon) = api.post(body).await;
    assert_eq!(status, 201, "{anon}");
    let card = h
        .wait(0, "the anonymous incident's triage card", |c| {
            c.chat() == CURATOR_CHAT && c.text().contains("Новое сообщение №3")
        })
        .await;
    assert!(
        card.text().contains("— автор не указан,"),
        "{}",
        card.text()
    );
}

async fn the_longest_accepted_fields_still_make_a_deliverable_card(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let api = Api::new(&h);
    let mut body = incident("MAX");
    body["author"] = json!("А".repeat(256));
    body["topic"] = json!("Т".repeat(200));
    body["location"] = json!("Л".repeat(500));
    body["text"] = json!("текст ".repeat(2730));
    body["url"] = json!(format!("https://vk.com/{}", "w".repeat(2030)));
    body["external_id"] = json!("I".repeat(200));
    body["department"] = json!("Отдел ЖКХ");
    let (status, answer) = api.post(body).await;
    assert_eq!(status, 201, "{answer}");
    // The fake Bot API refuses a text over 4 096 characters, as Telegram does: both cards arrive.
    h.wait(0, "the executor's card", |c| {
        c.chat() == EXECUTOR_TG && c.ok && c.buttons().contains(&"ac:1:0".to_string())
    })
    .await;
    h.wait(0, "the curators' card", |c| {
        c.chat() == CURATOR_CHAT && c.ok && c.text().contains("№1")
    })
    .await;
    h.settle().await;
    assert!(
        h.fake
            .calls()
            .iter()
            .all(|c| c.ok || c.method != "sendMessage"),
        "a message was refused"
    );
}

/// Reads from a raw connection until the server closes it (or `limit` passes); returns what came.
async fn read_until_closed(
    stream: &mut tokio::net::TcpStream,
    limit: std::time::Duration,
) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let read = tokio::time::timeout(limit, stream.read_to_end(&mut got)).await;
    read.ok()
        .map(|_| String::from_utf8_lossy(&got).into_owned())
}

async fn slow_clients_are_cut_off_and_do_not_hold_up_a_stop(db: &TestDb) {
    use tokio::io::AsyncWriteExt;
    let mut h = TestApp::start("vorsino", db).await;
    let limit = std::time::Duration::from_secs(15);
    // Headers that never finish: the connection is closed after the header timeout.
    let mut half_headers = tokio::net::TcpStream::connect(h.http).await.unwrap();
    half_headers
        .write_all(b"POST /api/v1/incidents HTTP/1.1\r\nHost: otklik\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut half_headers, limit).await;
    assert!(answer.is_some(), "a half-sent header was held open");
    // A body that never finishes: answered 408 in the API's shape, and nothing is written.
    let mut half_body = tokio::net::TcpStream::connect(h.http).await.unwrap();
    half_body
        .write_all(
            format!(
                "POST /api/v1/incidents HTTP/1.1\r\nHost: otklik\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{{\"source\":"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let answer = read_until_closed(&mut half_body, limit)
        .await
        .expect("a half-sent body was held open");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive in time"), "{answer}");
    assert!(h.store.incident(IncidentId(1)).await.is_err());
    // Well-behaved clients are served meanwhile.
    let api = Api::new(&h);
    let (status, _) = api.post(incident("IM-1")).await;
    assert_eq!(status, 201);
    // A stop while a client holds half a request finishes promptly.
    let mut holding = tokio::net::TcpStream::connect(h.http).await.unwrap();
    holding
        .write_all(
            b"POST /api/v1/incidents HTTP/1.1\r\nHost: otklik\r\nContent-Length: 50\r\n\r\n{",
        )
        .await
        .unwrap();
    assert!(
        h.stop_within(std::time::Duration::from_secs(10)).await,
        "the stop waited for a slow client"
    );
}

/// The value of the sample of `name` whose labels include every `label="value"` given.
fn sample(page: &str, name: &str, labels: &[&str]) -> Option<f64> {
    page.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| labels.iter().all(|want| l.contains(want)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn metrics_count_incidents_the_queue_and_latency_behind_their_token(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let api = Api::new(&h);
    assert_eq!(api.post(incident("IM-1")).await.0, 201);
    // The executor's chat refuses the card of the second, routed at intake.
    h.fake.refuse_in(EXECUTOR_TG);
    let mut routed = incident("IM-2");
    routed["department"] = json!("отдел жкх");
    assert_eq!(api.post(routed).await.0, 201);
    assert_eq!(api.get("/api/v1/incidents/1").await.0, 200);
    let scrape = |token: Option<&'static str>| {
        let client = reqwest::Client::new();
        let url = format!("http://{}/metrics", h.http);
        async move {
            let mut req = client.get(url);
            if let Some(t) = token {
                req = req.header("authorization", format!("Bearer {t}"));
            }
            let resp = req.send().await.expect("the API answers");
            let status = resp.status().as_u16();
            (status, resp.text().await.expect("a body"))
        }
    };
    // A message handled through the fake Telegram is timed.
    let since = h.fake.mark();
    h.fake.say(CURATOR_TG, CURATOR_CHAT, "/help");
    h.wait(since, "the help", |c| {
        c.chat() == CURATOR_CHAT && c.text().contains("помогает отвечать")
    })
    .await;
    // Behind its own token: the intake token does not open it.
    assert_eq!(scrape(None).await.0, 401);
    assert_eq!(scrape(Some(TOKEN)).await.0, 401);
    h.wait_handled("telegram", "message", 1).await;
    h.settle().await;
    let (status, page) = scrape(Some("metrics-token")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        sample(&page, "otklik_incidents", &["state=\"new\""]),
        Some(1.0),
        "{page}"
    );
    assert_eq!(
        sample(&page, "otklik_incidents", &["state=\"in_work\""]),
        Some(1.0),
        "{page}"
    );
    assert_eq!(
        sample(
            &page,
            "otklik_messenger_errors_total",
            &["kind=\"refused\"", "messenger=\"telegram\""]
        ),
        Some(1.0),
        "{page}"
    );
    // Intake latency by route pattern (the id is not a label).
    assert_eq!(
        sample(
            &page,
            "otklik_http_request_duration_seconds_count",
            &["route=\"/api/v1/incidents\"", "status=\"201\""]
        ),
        Some(2.0),
        "{page}"
    );
    assert_eq!(
        sample(
            &page,
            "otklik_http_request_duration_seconds_count",
            &["route=\"/api/v1/incidents/{id}\"", "status=\"200\""]
        ),
        Some(1.0),
        "{page}"
    );
    assert!(
        sample(
            &page,
            "otklik_update_duration_seconds_count",
            &["kind=\"message\"", "messenger=\"telegram\""]
        )
        .is_some_and(|n| n >= 1.0),
        "{page}"
    );
    // Everything was delivered to the fake Telegram; nothing is due.
    assert_eq!(
        sample(&page, "otklik_outbox_pending", &[]),
        Some(0.0),
        "{page}"
    );
    assert_eq!(
        sample(&page, "otklik_outbox_oldest_age_seconds", &[]),
        Some(0.0)
    );
    assert_eq!(sample(&page, "otklik_timers_due", &[]), Some(0.0));
    // Two days on, both routing deadlines have passed: both are overdue.
    h.walk_to(moscow("2026-11-25 12:00")).await;
    let (_, page) = scrape(Some("metrics-token")).await;
    assert_eq!(
        sample(&page, "otklik_incidents_overdue", &[]),
        Some(2.0),
        "{page}"
    );
}

async fn the_openapi_description_matches_the_router(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let api = Api::new(&h);
    let (status, doc) = api
        .call(reqwest::Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.0.3");
    // Every documented operation is answered by a route (an unknown route is a bare 404 or 405
    // with no JSON error).
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().expect("operations").keys() {
            operations.push((method.to_uppercase(), path.replace("{id}", "1")));
        }
    }
    assert_eq!(operations.len(), 6, "{operations:?}");
    for (method, path) in &operations {
        let method: reqwest::Method = method.parse().unwrap();
        let resp = reqwest::Client::new()
            .request(method.clone(), format!("http://{}{path}", h.http))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body: Value =
            serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap_or(Value::Null);
        assert!(
            status != 405 && (status != 404 || body["error"].is_string()),
            "{method} {path}: {status}"
        );
    }
    // A route the description does not have is not served.
    let (missing, _) = api
        .call(reqwest::Method::GET, "/api/v1/nothing", Some(TOKEN), None)
        .await;
    assert_eq!(missing, 404);
    // Every documented field of a new incident is taken, and the answer has every required
    // property of an Incident.
    let fields = doc["components"]["schemas"]["NewIncident"]["properties"]
        .as_object()
        .unwrap();
    let mut full = incident("IM-ALL");
    full["topic"] = json!("ЖКХ");
    full["location"] = json!("ул. Ленина, 1");
    full["importance"] = json!("normal");
    full["department"] = json!("Отдел ЖКХ");
    full["external_deadline"] = json!("2026-11-25T10:00:00+03:00");
    full["attachments"] = json!(["https://vk.com/photo-1_2"]);
    full["organisation"] = json!("Администрация");
    let sent: Vec<&String> = full.as_object().unwrap().keys().collect();
    let documented: Vec<&String> = fields.keys().collect();
    let mut a = sent.clone();
    let mut b = documented.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the test posts every documented field");
    let (status, body) = api.post(full).await;
    assert_eq!(status, 201, "{body}");
    for required in doc["components"]["schemas"]["Incident"]["required"]
        .as_array()
        .unwrap()
    {
        let key = required.as_str().unwrap();
        assert!(!body[key].is_null(), "{key} missing from {body}");
    }
    // A field the description does not have is refused.
    let mut extra = incident("IM-X");
    extra["colour"] = json!("red");
    assert_eq!(api.post(extra).await.0, 422);
}

/// A call with the Krymsk organisation's own token.
async fn as_krymsk(
    api: &Api<'_>,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    api.call(
        method,
        path,
        Some("krymsk-token"),
        body.map(|b| b.to_string()),
    )
    .await
}

async fn an_organisations_own_token_reaches_only_its_incidents(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let api = Api::new(&h);
    let (status, first) = api.post(incident("IM-1")).await;
    assert_eq!(status, 201);
    let krymsk = h
        .store
        .create_organisation(
            &otklik::storage::NewOrganisation {
                name: "Администрация Крымского района".into(),
                regulation_name: "krymsk".into(),
                regulation_toml: otklik::domain::regulation::PRESETS
                    .iter()
                    .find(|(n, _)| *n == "krymsk")
                    .unwrap()
                    .1
                    .into(),
                curator_chat: None,
                head_chat: None,
            },
            moscow("2026-11-23 09:00"),
        )
        .await
        .unwrap();
    h.store
        .set_ingest_token(krymsk, Some("krymsk-token"))
        .await
        .unwrap();
    // The installation's token now needs the organisation named; the organisation's own does not.
    assert_eq!(api.post(incident("IM-2")).await.0, 422);
    let (status, own) = as_krymsk(
        &api,
        reqwest::Method::POST,
        "/api/v1/incidents",
        Some(incident("K-1")),
    )
    .await;
    assert_eq!(status, 201, "{own}");
    let stored = h
        .store
        .incident(IncidentId(own["id"].as_i64().unwrap()))
        .await
        .unwrap();
    assert_eq!(stored.org, krymsk);
    // It cannot post into another organisation, nor read or answer its incidents.
    let mut elsewhere = incident("K-2");
    elsewhere["organisation"] = json!("Администрация");
    let (status, body) = as_krymsk(
        &api,
        reqwest::Method::POST,
        "/api/v1/incidents",
        Some(elsewhere),
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (403, Some("organisation")),
        "{body}"
    );
    let theirs = format!("/api/v1/incidents/{}", first["id"]);
    assert_eq!(
        as_krymsk(&api, reqwest::Method::GET, &theirs, None).await.0,
        404
    );
    assert_eq!(
        as_krymsk(
            &api,
            reqwest::Method::POST,
            &format!("{theirs}/author-reply"),
            Some(json!({"text": "дом 5"}))
        )
        .await
        .0,
        404
    );
    let mine = format!("/api/v1/incidents/{}", own["id"]);
    assert_eq!(
        as_krymsk(&api, reqwest::Method::GET, &mine, None).await.0,
        200
    );
    // The installation's token still reads both; a revoked token reads nothing.
    assert_eq!(api.get(&mine).await.0, 200);
    h.store.set_ingest_token(krymsk, None).await.unwrap();
    assert_eq!(
        as_krymsk(&api, reqwest::Method::GET, &mine, None).await.0,
        401
    );
}
