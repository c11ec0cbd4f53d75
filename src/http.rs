//! The HTTP intake API for monitoring systems and scripts (axum):
//!
//! - `POST /api/v1/incidents` — a new incident (idempotent by `external_id`): 201, or 200 with
//!   the existing one;
//! - `GET /api/v1/incidents/{id}` — state, deadlines, the published answer and its link;
//! - `POST /api/v1/incidents/{id}/author-reply` — the author's answer to a clarification;
//! - `GET /healthz`.
//!
//! Every `/api` call needs `Authorization: Bearer <OTKLIK_INGEST_TOKEN>`. Errors are JSON
//! `{"error": "...", "field": "..."}` in English.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::domain::incident::{Command, PartState, TransitionError};
use crate::domain::plan::Due;
use crate::domain::regulation::Importance;
use crate::intake::{intake_actor, take_in};
use crate::storage::{
    ApplyError, IncidentContent, MessageKind, NewIncident, Source, StorageError, StoredIncident,
};

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 256 * 1024;

#[derive(Clone)]
struct HttpState {
    app: Arc<App>,
    token: Arc<str>,
}

/// An API error: status, message and the field it concerns.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    field: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            field: None,
        }
    }

    fn field(status: StatusCode, field: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            field: Some(field.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": self.message, "field": self.field })),
        )
            .into_response()
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(what) => {
                ApiError::new(StatusCode::NOT_FOUND, format!("not found: {what}"))
            }
            other => {
                tracing::error!(error = %other, "storage failure in the HTTP API");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

/// The API's routes.
pub fn router(app: Arc<App>, ingest_token: &str) -> Router {
    let state = HttpState {
        app,
        token: Arc::from(ingest_token),
    };
    Router::new()
        .route(
            "/healthz",
            get(|| async { Json(json!({ "status": "ok" })) }),
        )
        .route("/api/v1/incidents", post(create_incident))
        .route("/api/v1/incidents/{id}", get(get_incident))
        .route("/api/v1/incidents/{id}/author-reply", post(author_reply))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

fn authorize(state: &HttpState, headers: &HeaderMap) -> Result<(), ApiError> {
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Compare in constant time: the token is a secret.
    let expected = state.token.as_bytes();
    let same = given.len() == expected.len()
        && given
            .bytes()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if expected.is_empty() || !same {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing or wrong bearer token",
        ));
    }
    Ok(())
}

fn body(payload: Result<Json<Value>, JsonRejection>) -> Result<Map<String, Value>, ApiError> {
    match payload {
        Ok(Json(Value::Object(map))) => Ok(map),
        Ok(Json(_)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object",
        )),
        Err(JsonRejection::BytesRejection(_)) => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over {BODY_LIMIT} bytes"),
        )),
        Err(e) => Err(ApiError::new(StatusCode::BAD_REQUEST, e.body_text())),
    }
}

fn text_field(
    map: &Map<String, Value>,
    name: &str,
    required: bool,
) -> Result<Option<String>, ApiError> {
    match map.get(name) {
        None | Some(Value::Null) if required => Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            name,
            format!("{name} is required"),
        )),
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if required && s.trim().is_empty() => Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            name,
            format!("{name} must not be empty"),
        )),
        Some(Value::String(s)) => {
            Ok(Some(s.trim().to_string())).map(|s| s.filter(|s| !s.is_empty()))
        }
        Some(_) => Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            name,
            format!("{name} must be a string"),
        )),
    }
}

fn enum_field<T: serde::de::DeserializeOwned>(
    map: &Map<String, Value>,
    name: &str,
    allowed: &str,
    default: Option<T>,
) -> Result<T, ApiError> {
    match (map.get(name), default) {
        (None | Some(Value::Null), Some(d)) => Ok(d),
        (None | Some(Value::Null), None) => Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            name,
            format!("{name} is required ({allowed})"),
        )),
        (Some(v), _) => serde_json::from_value(v.clone()).map_err(|_| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                name,
                format!("{name} must be one of: {allowed}"),
            )
        }),
    }
}

fn time_field(map: &Map<String, Value>, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    match text_field(map, name, false)? {
        None => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(&s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| {
                ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    name,
                    format!("{name} must be an RFC 3339 time such as 2026-11-23T10:00:00+03:00"),
                )
            }),
    }
}

fn due_json(due: &Due, zone: chrono_tz::Tz) -> Value {
    let mut v = serde_json::to_value(due).unwrap_or(Value::Null);
    if let (Some(obj), Some(at)) = (v.as_object_mut(), due.instant()) {
        obj.insert("at".into(), at.with_timezone(&zone).to_rfc3339().into());
    }
    v
}

async fn incident_json(app: &App, inc: &StoredIncident) -> Result<Value, ApiError> {
    let rules = app.org_rules(inc.org_id).await.map_err(|e| {
        tracing::error!(error = %e, "cannot load rules");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    })?;
    let zone = rules.calendar.zone();
    let w = &inc.workflow;
    let deadlines: Map<String, Value> = w
        .deadlines
        .iter()
        .map(|(stage, due)| (stage.key().to_string(), due_json(due, zone)))
        .collect();
    let mut parts = Vec::new();
    for p in &w.parts {
        let department = app.store.department_name(p.department).await?;
        let current = p
            .current_deadline(&rules.org.regulation)
            .map(|(s, d)| json!({ "stage": s.key(), "due": due_json(&d, zone) }));
        parts.push(json!({ "department": department, "state": p.state.key(), "current_deadline": current }));
    }
    let answer = match &w.consolidated {
        Some(d) if w.publication.is_some() => Some(d.text.clone()),
        _ => w
            .parts
            .iter()
            .rev()
            .filter(|p| p.publication.is_some())
            .filter_map(|p| {
                p.drafts
                    .iter()
                    .rev()
                    .find(|d| d.kind != crate::domain::incident::DraftKind::Clarification)
            })
            .map(|d| d.text.clone())
            .next(),
    };
    Ok(json!({
        "id": inc.id,
        "number": inc.number,
        "external_id": inc.content.external_id,
        "state": w.state.key(),
        "importance": w.importance,
        "topic": w.topic,
        "location": w.location,
        "repeat_of": inc.content.repeat_of,
        "detected_at": w.detected_at.with_timezone(&zone).to_rfc3339(),
        "deadlines": deadlines,
        "parts": parts,
        "answer": answer,
        "publication": w.publication.as_ref().map(|p| json!({ "link": p.link, "at": p.at.with_timezone(&zone).to_rfc3339(), "interim": p.interim })),
    }))
}

async fn create_incident(
    State(state): State<HttpState>,
    headers: HeaderMap,
    payload: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let map = body(payload)?;
    let app = &state.app;
    let known = [
        "organisation",
        "external_id",
        "source",
        "url",
        "author",
        "text",
        "kind",
        "detected_at",
        "topic",
        "location",
        "importance",
        "department",
        "external_deadline",
        "attachments",
    ];
    if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            unknown,
            format!("unknown field {unknown}"),
        ));
    }
    let org = match text_field(&map, "organisation", false)? {
        Some(name) => app.store.organisation_id(&name).await?.ok_or_else(|| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "organisation",
                format!("no organisation named {name:?}"),
            )
        })?,
        None => match app.store.organisation_ids().await?.as_slice() {
            [one] => *one,
            [] => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "no organisation is set up yet; run otklik import",
                ))
            }
            _ => {
                return Err(ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "organisation",
                    "organisation is required: this installation serves several",
                ))
            }
        },
    };
    let source: Source = enum_field(&map, "source", "vk, ok, telegram, max, web, other", None)?;
    let kind: MessageKind = enum_field(
        &map,
        "kind",
        "comment, direct, post",
        Some(MessageKind::Comment),
    )?;
    let importance: Importance =
        enum_field(&map, "importance", "normal, high", Some(Importance::Normal))?;
    let url = text_field(&map, "url", true)?.unwrap_or_default();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "url",
            "url must be an http(s) link",
        ));
    }
    let author = text_field(&map, "author", true)?.unwrap_or_default();
    let text = text_field(&map, "text", true)?.unwrap_or_default();
    let external_id = text_field(&map, "external_id", false)?;
    let detected_at = time_field(&map, "detected_at")?.unwrap_or_else(|| app.now());
    if detected_at > app.now() + chrono::Duration::minutes(5) {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "detected_at",
            "detected_at is in the future",
        ));
    }
    let external_deadline = time_field(&map, "external_deadline")?;
    let attachments = match map.get("attachments") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "attachments",
                    "attachments must be a list of URLs",
                )
            })?,
        Some(_) => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "attachments",
                "attachments must be a list of URLs",
            ))
        }
    };
    let department = match text_field(&map, "department", false)? {
        None => None,
        Some(name) => {
            let departments = app.store.departments(org).await?;
            let found = departments
                .iter()
                .find(|(_, n)| n.to_lowercase() == name.to_lowercase())
                .map(|(id, _)| *id);
            Some(found.ok_or_else(|| {
                ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "department",
                    format!("no department named {name:?}"),
                )
            })?)
        }
    };
    // The calendar must cover the time, or no deadline can be given.
    let rules = app
        .org_rules(org)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    if rules.calendar.is_working(detected_at).is_err() {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "detected_at",
            "detected_at is outside the production calendar; add that year to the calendar file",
        ));
    }
    let new = NewIncident {
        reply_to: None,
        content: IncidentContent {
            source,
            kind,
            url,
            external_id,
            author,
            text,
            attachments,
            repeat_of: None,
        },
        detected_at,
        importance,
        external_deadline,
        topic: text_field(&map, "topic", false)?,
        location: text_field(&map, "location", false)?,
    };
    let intake = take_in(app, org, new, department).await.map_err(|e| {
        tracing::error!(error = %e, "intake failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    })?;
    let status = if intake.registered.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(incident_json(app, &intake.incident).await?)).into_response())
}

async fn get_incident(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let inc = state.app.store.incident(id).await?;
    Ok(Json(incident_json(&state.app, &inc).await?).into_response())
}

async fn author_reply(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    payload: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let map = body(payload)?;
    let app = &state.app;
    let text = text_field(&map, "text", true)?.unwrap_or_default();
    let inc = app.store.incident(id).await?;
    let part = match map.get("part") {
        Some(v) => v.as_u64().map(|p| p as usize).ok_or_else(|| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "part",
                "part must be a number",
            )
        })?,
        None => inc
            .workflow
            .parts
            .iter()
            .position(|p| p.state == PartState::AwaitingAuthor)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::CONFLICT,
                    "no clarification of this incident awaits the author",
                )
            })?,
    };
    let rules = app
        .org_rules(inc.org_id)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let result = app
        .store
        .apply(
            id,
            &Command::RecordAuthorReply { part, text },
            &intake_actor(),
            app.now(),
            rules.rules(),
            None,
        )
        .await;
    match result {
        Ok(applied) => {
            app.outbox_ready.notify_one();
            Ok(Json(incident_json(app, &applied.incident).await?).into_response())
        }
        Err(ApplyError::Refused(TransitionError::NoSuchPart(_))) => Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "part",
            "no such part",
        )),
        Err(ApplyError::Refused(e)) => Err(ApiError::new(StatusCode::CONFLICT, e.to_string())),
        Err(ApplyError::Storage(e)) => Err(e.into()),
        Err(e) => Err(ApiError::new(StatusCode::CONFLICT, e.to_string())),
    }
}
