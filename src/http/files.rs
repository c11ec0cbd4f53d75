//! `GET /files/{key}?expires=…&signature=…`: a draft's file, for the monitoring system the
//! report named it to. No bearer token: the link is its own permission, signed with the
//! organisation's webhook secret and refused (403) once it expires.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::core::integrations::files::FileAccess;
use crate::core::Core;

#[derive(Debug, Deserialize)]
pub(super) struct LinkQuery {
    expires: Option<i64>,
    signature: Option<String>,
}

fn refusal(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message, "field": null }))).into_response()
}

pub(super) async fn kept_file(
    State(core): State<Arc<Core>>,
    Path(key): Path<String>,
    query: Result<Query<LinkQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (
        Ok(Query(LinkQuery {
            expires: Some(expires),
            signature: Some(signature),
        })),
        true,
    ) = (query, key.len() <= 64)
    else {
        return refusal(
            StatusCode::FORBIDDEN,
            "a file link needs its expires and signature parameters",
        );
    };
    match core.file_by_link(&key, expires, &signature).await {
        Ok(FileAccess::File(file)) => (
            [
                (header::CONTENT_TYPE, file.content_type),
                (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
            ],
            file.bytes,
        )
            .into_response(),
        Ok(FileAccess::NotFound) => refusal(StatusCode::NOT_FOUND, "no such file"),
        Ok(FileAccess::Forbidden) => {
            refusal(StatusCode::FORBIDDEN, "the link's signature is not valid")
        }
        Ok(FileAccess::Expired) => refusal(StatusCode::FORBIDDEN, "the link has expired"),
        Err(e) => {
            tracing::error!(error = %e, "cannot serve a kept file");
            refusal(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}
