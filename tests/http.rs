//! The intake HTTP API: every status code, idempotency, auth, direct routing, author replies,
//! repeat linking and the burst alert.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use otklik::app::App;
use otklik::domain::incident::{Actor, Command, DraftKind, Role};
use otklik::storage::*;
use otklik::texts::Texts;
use serde_json::{json, Value};
use tower::ServiceExt;

const TOKEN: &str = "s3cret-ingest-token";

struct Api {
    app: Arc<App>,
    router: axum::Router,
    org: i64,
    _dir: tempfile::TempDir,
}

fn moscow(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Europe::Moscow
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

async fn api(preset: &str) -> Api {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("api.db").display()))
        .await
        .unwrap();
    let toml = otklik::domain::regulation::PRESETS
        .iter()
        .find(|(n, _)| *n == preset)
        .unwrap()
        .1;
    let now = moscow("2026-11-23 12:00");
    let org = store
        .create_organisation(
            &NewOrganisation {
                name: "Администрация".into(),
                regulation_name: preset.into(),
                regulation_toml: toml.into(),
                curator_chat_id: Some(-100),
                head_chat_id: None,
            },
            now,
        )
        .await
        .unwrap();
    let executor = store
        .create_person(
            org,
            &NewPerson {
                full_name: "Петров".into(),
                telegram_user_id: Some(10),
                roles: vec![Role::Executor],
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    store
        .create_person(
            org,
            &NewPerson {
                full_name: "Глава".into(),
                telegram_user_id: Some(11),
                roles: vec![Role::Head],
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    let dept = store.create_department(org, "Отдел ЖКХ").await.unwrap();
    store.add_to_department(dept, executor).await.unwrap();
    let app = Arc::new(
        App::new(
            store,
            Texts::load(None).unwrap(),
            otklik::domain::production_calendar::SHIPPED_RU_CALENDAR.into(),
        )
        .with_fixed_now(now),
    );
    let router = otklik::http::router(app.clone(), TOKEN);
    Api {
        app,
        router,
        org,
        _dir: dir,
    }
}

impl Api {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn post(&self, body: Value) -> (StatusCode, Value) {
        self.call(
            "POST",
            "/api/v1/incidents",
            Some(TOKEN),
            Some(body.to_string()),
        )
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

#[tokio::test]
async fn create_is_idempotent_and_returns_deadlines() {
    let api = api("vorsino").await;
    let (status, body) = api.post(incident("IM-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
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
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], body["id"]);
    let (status, second) = api.post(incident("IM-2")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(second["number"], 2);
    // The curators' group was told, once per incident.
    let triage = api
        .app
        .store
        .pending_outbox()
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.message == "triage")
        .count();
    assert_eq!(triage, 2);

    let (status, got) = api
        .call(
            "GET",
            &format!("/api/v1/incidents/{}", body["id"]),
            Some(TOKEN),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["external_id"], "IM-1");
    assert_eq!(got["publication"], Value::Null);
    let (status, _) = api
        .call("GET", "/api/v1/incidents/999", Some(TOKEN), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, health) = api.call("GET", "/healthz", None, None).await;
    assert_eq!(
        (status, health["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
}

#[tokio::test]
async fn bad_requests_name_the_field_and_write_nothing() {
    let api = api("vorsino").await;
    let (status, _) = api
        .call(
            "POST",
            "/api/v1/incidents",
            None,
            Some(incident("X").to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = api
        .call(
            "POST",
            "/api/v1/incidents",
            Some("wrong"),
            Some(incident("X").to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = api
        .call(
            "POST",
            "/api/v1/incidents",
            Some(TOKEN),
            Some("{not json".into()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = api
        .call(
            "POST",
            "/api/v1/incidents",
            Some(TOKEN),
            Some("[1, 2]".into()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let cases = [
        ("source", json!("facebook")),
        ("url", json!("vk.com/wall")),
        ("author", json!("")),
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
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} = {value}: {answer}"
        );
        assert_eq!(answer["field"], field, "{answer}");
        assert!(
            answer["error"].as_str().unwrap().contains(field),
            "{answer}"
        );
    }
    let huge = json!({ "text": "а".repeat(300 * 1024) });
    let (status, _) = api.post(huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        api.app.store.incident(1).await.is_err(),
        "nothing may be written"
    );
}

#[tokio::test]
async fn department_routes_directly_and_high_importance_reaches_the_head() {
    let api = api("vorsino").await;
    let mut body = incident("IM-5");
    body["department"] = json!("отдел жкх");
    body["importance"] = json!("high");
    body["topic"] = json!("ЖКХ");
    let (status, answer) = api.post(body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["state"], "in_work");
    assert_eq!(answer["parts"][0]["department"], "Отдел ЖКХ");
    assert_eq!(answer["parts"][0]["current_deadline"]["stage"], "draft");
    let outbox = api.app.store.pending_outbox().await.unwrap();
    let messages: Vec<&str> = outbox.iter().map(|m| m.message.as_str()).collect();
    assert!(messages.contains(&"escalation"), "{messages:?}");
    assert!(messages.contains(&"incident_card"), "{messages:?}");
}

#[tokio::test]
async fn the_authors_reply_resumes_the_clock() {
    let api = api("borovichi").await;
    let mut body = incident("IM-7");
    body["department"] = json!("Отдел ЖКХ");
    let (_, created) = api.post(body).await;
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/incidents/{id}/author-reply");
    let (status, answer) = api
        .call(
            "POST",
            &path,
            Some(TOKEN),
            Some(json!({"text": "дом 14"}).to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");

    // The executor asks a clarification, the curator approves it: the clock stops.
    let org = api.app.org_rules(api.org).await.unwrap();
    let now = api.app.now();
    let executor = api
        .app
        .store
        .actor(
            api.app
                .store
                .person_by_messenger_id(10)
                .await
                .unwrap()
                .unwrap()
                .id,
            now,
        )
        .await
        .unwrap();
    let curator = Actor {
        person: 0,
        roles: vec![Role::Curator],
        ..Actor::default()
    };
    for (actor, cmd) in [
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
    ] {
        api.app
            .store
            .apply(id, &cmd, actor, now, org.rules(), None)
            .await
            .unwrap();
    }
    let (_, paused) = api
        .call("GET", &format!("/api/v1/incidents/{id}"), Some(TOKEN), None)
        .await;
    assert_eq!(
        paused["parts"][0]["current_deadline"]["due"]["status"], "paused",
        "{paused}"
    );
    let (status, _) = api
        .call(
            "POST",
            &path,
            Some(TOKEN),
            Some(json!({"text": ""}).to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, resumed) = api
        .call(
            "POST",
            &path,
            Some(TOKEN),
            Some(json!({"text": "Ленина, 14"}).to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resumed}");
    assert_eq!(resumed["parts"][0]["state"], "accepted");
    assert_eq!(
        resumed["parts"][0]["current_deadline"]["due"]["status"],
        "at"
    );
    let notice = api
        .app
        .store
        .pending_outbox()
        .await
        .unwrap()
        .into_iter()
        .any(|m| m.message == "author_reply");
    assert!(notice);
}

#[tokio::test]
async fn repeats_are_linked_and_bursts_are_reported() {
    let api = api("barnaul-leninsky").await;
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

    // Five messages on one topic within an hour: the curators and the head are told once.
    for i in 0..6 {
        let mut m = incident(&format!("B-{i}"));
        m["author"] = json!(format!("Житель {i}"));
        m["url"] = json!(format!("https://vk.com/wall-5_{i}"));
        m["topic"] = json!("Отопление");
        m["detected_at"] = json!(format!("2026-11-23T11:{:02}:00+03:00", 10 + i));
        api.post(m).await;
    }
    let bursts: Vec<OutboxMessage> = api
        .app
        .store
        .pending_outbox()
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.message == "burst")
        .collect();
    assert_eq!(bursts.len(), 2, "{bursts:?}");
    assert!(bursts.iter().any(|m| m.chat_id == Some(-100)));
    assert!(bursts.iter().any(|m| m.person_id.is_some()));
    assert_eq!(bursts[0].payload["topic"], "Отопление");
    assert_eq!(bursts[0].payload["count"], 5);
}
