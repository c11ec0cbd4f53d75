//! The HTTP intake API for monitoring systems and scripts (axum):
//!
//! - `POST /api/v1/incidents` — a new incident (idempotent by `external_id`): 201, or 200 with
//!   the existing one;
//! - `GET /api/v1/incidents/{id}` — state, deadlines, the published answer and its link;
//! - `POST /api/v1/incidents/{id}/author-reply` — the author's answer to a clarification;
//! - `GET /files/{key}?expires=…&signature=…` — a draft's file, by the signed link a report to
//!   the monitoring system gave (`files.rs`);
//! - `GET /healthz`;
//! - `GET /api/openapi.json` — this API described in OpenAPI 3 (`docs/openapi.json`);
//! - `GET /metrics` — Prometheus text format (with `OTKLIK_METRICS_TOKEN` set, the same bearer
//!   check against that token).
//!
//! Every `/api` call needs `Authorization: Bearer <OTKLIK_INGEST_TOKEN>`. Errors are JSON
//! `{"error": "...", "field": "..."}` in English.

mod files;
pub mod outbound;
mod serve;

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::core::integrations::api::IncidentDetails;
use crate::core::workflow::intake::{AuthorReplyError, IntakeError, IntakeRequest};
use crate::core::{Core, CoreError};
use crate::domain::content::{limits, IncidentContent, MessageKind, NewIncident, Source};
use crate::domain::incident::TransitionError;
use crate::domain::plan::Due;
use crate::domain::regulation::Importance;
use crate::domain::{IncidentId, OrgId};

pub use serve::{serve, HttpLimits};

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 256 * 1024;

#[derive(Clone)]
struct HttpState {
    core: Arc<Core>,
    token: Arc<str>,
    /// Empty: `/metrics` is open (bind the API to a private address then).
    metrics_token: Arc<str>,
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

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        tracing::error!(error = %e, "failure in the HTTP API");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    }
}

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        let unprocessable =
            |field: &str| ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, field, e.to_string());
        match &e {
            IntakeError::NoOrganisation => ApiError::new(StatusCode::CONFLICT, e.to_string()),
            IntakeError::OrganisationRequired | IntakeError::UnknownOrganisation(_) => {
                unprocessable("organisation")
            }
            IntakeError::OtherOrganisation(_) => {
                ApiError::field(StatusCode::FORBIDDEN, "organisation", e.to_string())
            }
            IntakeError::UnknownDepartment(_) => unprocessable("department"),
            IntakeError::OutsideCalendar => unprocessable("detected_at"),
            IntakeError::DeadlineOutsideCalendar => unprocessable("external_deadline"),
            IntakeError::Core(_) => {
                tracing::error!(error = %e, "intake failed");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

/// The API's routes.
pub fn router(core: Arc<Core>, ingest_token: &str, metrics_token: &str) -> Router {
    let state = HttpState {
        core,
        token: Arc::from(ingest_token),
        metrics_token: Arc::from(metrics_token),
    };
    Router::new()
        .route(
            "/healthz",
            get(|| async { Json(json!({ "status": "ok" })) }),
        )
        .route("/metrics", get(metrics))
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/incidents", post(create_incident))
        .route("/api/v1/incidents/{id}", get(get_incident))
        .route("/api/v1/incidents/{id}/author-reply", post(author_reply))
        .route(
            "/files/{key}",
            get(files::kept_file).with_state(state.core.clone()),
        )
        .layer(axum::middleware::from_fn_with_state(state.clone(), timed))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Times every request by its route pattern (`/api/v1/incidents/{id}`, never the id itself).
async fn timed(
    State(state): State<HttpState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    state
        .core
        .observe_http(&route, response.status().as_u16(), started.elapsed());
    response
}

/// The API's description (hand-written; `tests/http.rs` checks it against this router).
const OPENAPI: &str = include_str!("../../docs/openapi.json");

/// `GET /api/openapi.json`.
async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}

/// `GET /metrics`: Prometheus' text format.
async fn metrics(State(state): State<HttpState>, headers: HeaderMap) -> Response {
    if !state.metrics_token.is_empty() && !token_matches(&headers, &state.metrics_token) {
        return ApiError::new(StatusCode::UNAUTHORIZED, "missing or wrong bearer token")
            .into_response();
    }
    match state.core.metrics_text().await {
        Ok(text) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics could not be read");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "metrics are unavailable")
                .into_response()
        }
    }
}

/// The token of `Authorization: Bearer <token>` (empty when there is none).
fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .unwrap_or_default()
}

/// Whether the request carries `Authorization: Bearer <expected>` (compared in constant time:
/// the token is a secret; the scheme is case-insensitive, RFC 7235).
fn token_matches(headers: &HeaderMap, expected: &str) -> bool {
    same_secret(bearer(headers).as_bytes(), expected.as_bytes())
}

/// Whether a secret given equals the one expected, compared in constant time (an empty expected
/// secret matches nothing).
pub(crate) fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    !expected.is_empty()
        && given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Whose incidents a request may reach: the installation's token reaches every organisation's,
/// an organisation's own token only that organisation's.
async fn authorize(state: &HttpState, headers: &HeaderMap) -> Result<Option<OrgId>, ApiError> {
    if token_matches(headers, &state.token) {
        return Ok(None);
    }
    let given = bearer(headers);
    if !given.is_empty() {
        if let Some(org) = state.core.organisation_by_token(given).await? {
            return Ok(Some(org));
        }
    }
    Err(ApiError::new(
        StatusCode::UNAUTHORIZED,
        "missing or wrong bearer token",
    ))
}

/// An incident id from the path, read only after the token is checked.
fn incident_id(path: Result<Path<String>, PathRejection>) -> Result<IncidentId, ApiError> {
    let raw = path.map(|Path(s)| s).unwrap_or_default();
    match raw.parse::<i64>() {
        Ok(id) if id > 0 => Ok(IncidentId(id)),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not found: an incident id is a positive number",
        )),
    }
}

fn body(payload: Result<Json<Value>, JsonRejection>) -> Result<Map<String, Value>, ApiError> {
    match payload {
        Ok(Json(Value::Object(map))) => Ok(map),
        Ok(Json(_)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object",
        )),
        Err(JsonRejection::BytesRejection(e)) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is over {BODY_LIMIT} bytes"),
            ))
        }
        // The body did not arrive in time (or the connection broke while sending it).
        Err(JsonRejection::BytesRejection(_)) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "the body did not arrive in time",
        )),
        Err(e) => Err(ApiError::new(StatusCode::BAD_REQUEST, e.body_text())),
    }
}

/// How a text field is read: ids are kept exactly as sent; other fields lose the whitespace at
/// their ends. NUL is refused everywhere (PostgreSQL cannot store it); other control characters
/// only in multi-line text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TextKind {
    Id,
    Line,
    MultiLine,
}

fn checked_text(name: &str, raw: &str, limit: usize, kind: TextKind) -> Result<String, ApiError> {
    let unprocessable = |message: String| {
        Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            name,
            message,
        ))
    };
    let value = if kind == TextKind::Id {
        raw
    } else {
        raw.trim()
    };
    let allowed = |c: char| kind == TextKind::MultiLine && matches!(c, '\n' | '\r' | '\t');
    if value.contains('\0') {
        return unprocessable(format!("{name} must not contain a NUL character"));
    }
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        return unprocessable(format!("{name} must not contain control characters"));
    }
    let length = value.chars().count();
    if length > limit {
        return unprocessable(format!(
            "{name} is {length} characters long; at most {limit} are accepted"
        ));
    }
    Ok(value.to_string())
}

fn text_field(
    map: &Map<String, Value>,
    name: &str,
    required: bool,
    limit: usize,
    kind: TextKind,
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
            let value = checked_text(name, s, limit, kind)?;
            Ok(Some(value).filter(|v| !v.trim().is_empty()))
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
    match text_field(map, name, false, 64, TextKind::Line)? {
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

fn incident_json(d: &IncidentDetails) -> Value {
    let zone = d.zone;
    let w = &d.record.workflow;
    let deadlines: Map<String, Value> = w
        .deadlines
        .iter()
        .map(|(stage, due)| (stage.key().to_string(), due_json(due, zone)))
        .collect();
    let parts: Vec<Value> = d
        .parts
        .iter()
        .map(|p| {
            let current = p
                .current_deadline
                .map(|(s, due)| json!({ "stage": s.key(), "due": due_json(&due, zone) }));
            json!({ "department": p.department, "state": p.state, "current_deadline": current })
        })
        .collect();
    json!({
        "id": d.record.id.0,
        "number": d.record.number,
        "external_id": d.record.content.external_id,
        "state": w.state.key(),
        "importance": w.importance,
        "topic": w.topic,
        "location": w.location,
        "repeat_of": d.record.content.repeat_of.map(|r| r.0),
        "detected_at": w.detected_at.with_timezone(&zone).to_rfc3339(),
        "deadlines": deadlines,
        "parts": parts,
        "answer": d.answer,
        "publication": w.publication.as_ref().map(|p| json!({ "link": p.link, "at": p.at.with_timezone(&zone).to_rfc3339(), "interim": p.interim, "handed_over": p.handed_over })),
    })
}

async fn create_incident(
    State(state): State<HttpState>,
    headers: HeaderMap,
    payload: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let token_of = authorize(&state, &headers).await?;
    let map = body(payload)?;
    let core = &state.core;
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
    let organisation = text_field(&map, "organisation", false, limits::NAME, TextKind::Line)?;
    let source: Source = enum_field(&map, "source", "vk, ok, telegram, max, web, other", None)?;
    let kind: MessageKind = enum_field(
        &map,
        "kind",
        "comment, direct, post",
        Some(MessageKind::Comment),
    )?;
    let importance: Importance =
        enum_field(&map, "importance", "normal, high", Some(Importance::Normal))?;
    let url = text_field(&map, "url", true, limits::URL, TextKind::Line)?.unwrap_or_default();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "url",
            "url must be an http(s) link",
        ));
    }
    // An anonymous post is real: the author may be unknown (the card says so).
    let author =
        text_field(&map, "author", false, limits::AUTHOR, TextKind::Line)?.unwrap_or_default();
    let text =
        text_field(&map, "text", true, limits::TEXT, TextKind::MultiLine)?.unwrap_or_default();
    let external_id = text_field(
        &map,
        "external_id",
        false,
        limits::EXTERNAL_ID,
        TextKind::Id,
    )?;
    let detected_at = time_field(&map, "detected_at")?.unwrap_or_else(|| core.now());
    if detected_at > core.now() + chrono::Duration::minutes(5) {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "detected_at",
            "detected_at is in the future",
        ));
    }
    let external_deadline = time_field(&map, "external_deadline")?;
    if external_deadline.is_some_and(|d| d <= detected_at) {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "external_deadline",
            "external_deadline must be after detected_at",
        ));
    }
    let attachments = match map.get("attachments") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.len() > limits::ATTACHMENTS => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "attachments",
                format!("attachments: at most {} are accepted", limits::ATTACHMENTS),
            ))
        }
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v.as_str() {
                Some(s) => checked_text("attachments", s, limits::URL, TextKind::Line),
                None => Err(ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "attachments",
                    "attachments must be a list of URLs",
                )),
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "attachments",
                "attachments must be a list of URLs",
            ))
        }
    };
    let department = text_field(&map, "department", false, limits::NAME, TextKind::Line)?;
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
        topic: text_field(&map, "topic", false, limits::TOPIC, TextKind::Line)?,
        location: text_field(&map, "location", false, limits::LOCATION, TextKind::Line)?,
    };
    let intake = core
        .take_in_api(IntakeRequest {
            token_of,
            organisation,
            department,
            incident: new,
        })
        .await?;
    let status = if intake.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let details = core.details_of(intake.record).await?;
    Ok((status, Json(incident_json(&details))).into_response())
}

async fn get_incident(
    State(state): State<HttpState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let only = authorize(&state, &headers).await?;
    let id = incident_id(path)?;
    match state.core.incident_details(id, only).await? {
        Some(details) => Ok(Json(incident_json(&details)).into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("not found: incident {}", id.0),
        )),
    }
}

async fn author_reply(
    State(state): State<HttpState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    payload: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let only = authorize(&state, &headers).await?;
    let id = incident_id(path)?;
    let map = body(payload)?;
    let core = &state.core;
    let text =
        text_field(&map, "text", true, limits::TEXT, TextKind::MultiLine)?.unwrap_or_default();
    let part = match map.get("part") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().map(|p| p as usize).ok_or_else(|| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "part",
                "part must be a number",
            )
        })?),
    };
    match core.author_reply(id, only, part, &text).await {
        Ok(record) => Ok(Json(incident_json(&core.details_of(record).await?)).into_response()),
        Err(AuthorReplyError::NotFound) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("not found: incident {}", id.0),
        )),
        Err(AuthorReplyError::NoSuchPart) => Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "part",
            "no such part",
        )),
        Err(e @ AuthorReplyError::NoneAwaiting) => {
            Err(ApiError::new(StatusCode::CONFLICT, e.to_string()))
        }
        Err(AuthorReplyError::Refused(TransitionError::Invalid(m))) => {
            Err(ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "text", m))
        }
        Err(AuthorReplyError::Refused(e)) => {
            Err(ApiError::new(StatusCode::CONFLICT, e.to_string()))
        }
        Err(AuthorReplyError::Core(e)) => Err(e.into()),
    }
}
