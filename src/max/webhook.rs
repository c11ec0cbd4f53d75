//! Webhook mode for MAX (`OTKLIK_MAX_WEBHOOK_URL`): MAX posts updates to a path of the intake
//! API's server. A request without the right `X-Max-Bot-Api-Secret` gets `401` and changes
//! nothing; an update is handled before it is answered (`500` makes MAX send it again, and an
//! update that arrives twice is handled once).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

use super::updates::MaxContext;
use crate::http::same_secret;

/// Where MAX posts updates, and the secret it sends with each.
#[derive(Clone, PartialEq, Eq)]
pub struct MaxWebhookConfig {
    pub url: url::Url,
    /// 5–256 characters of `A-Z a-z 0-9 _ -` (MAX's rule).
    pub secret: String,
}

impl std::fmt::Debug for MaxWebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaxWebhookConfig")
            .field("url", &self.url.as_str())
            .field("secret", &"…")
            .finish()
    }
}

/// Why a MAX webhook setting is refused.
#[derive(Debug, thiserror::Error)]
pub enum MaxWebhookConfigError {
    #[error("OTKLIK_MAX_WEBHOOK_URL must be an https URL with a path, not {0:?}")]
    Url(String),
    #[error(
        "OTKLIK_MAX_WEBHOOK_SECRET must be 5–256 characters of A-Z, a-z, 0-9, _ and - (MAX's rule)"
    )]
    Secret,
}

impl MaxWebhookConfig {
    pub fn new(url: &str, secret: &str) -> Result<MaxWebhookConfig, MaxWebhookConfigError> {
        let (parsed, secret) =
            crate::messenger::check_webhook(url, secret, 5..=256).map_err(|e| match e {
                crate::messenger::WebhookSettingError::Url => {
                    MaxWebhookConfigError::Url(url.to_string())
                }
                crate::messenger::WebhookSettingError::Secret => MaxWebhookConfigError::Secret,
            })?;
        Ok(MaxWebhookConfig {
            url: parsed,
            secret,
        })
    }
}

#[derive(Clone)]
struct WebhookState {
    ctx: Arc<MaxContext>,
    secret: Arc<str>,
}

/// The route MAX posts to (the URL's path).
pub fn router(ctx: Arc<MaxContext>, config: &MaxWebhookConfig) -> axum::Router {
    axum::Router::new()
        .route(config.url.path(), post(receive))
        .with_state(WebhookState {
            ctx,
            secret: Arc::from(config.secret.as_str()),
        })
}

async fn receive(State(state): State<WebhookState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get("X-Max-Bot-Api-Secret")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !same_secret(given, state.secret.as_bytes()) {
        tracing::warn!("a MAX webhook request without the right secret was refused");
        return StatusCode::UNAUTHORIZED;
    }
    let update: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(error = %e, "a MAX update that cannot be read was dropped");
            return StatusCode::OK;
        }
    };
    match state.ctx.handle(update).await {
        Ok(()) => StatusCode::OK,
        Err(e) => {
            tracing::error!(error = %e, "a MAX update could not be handled; MAX will send it again");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        assert!(MaxWebhookConfig::new("https://otklik.example.ru/max", "s3cret_-X").is_ok());
        assert!(MaxWebhookConfig::new("https://otklik.example.ru/", "s3cret_-X").is_err());
        assert!(MaxWebhookConfig::new("https://otklik.example.ru/max", "abc").is_err());
        assert!(MaxWebhookConfig::new("https://otklik.example.ru/max", "has space").is_err());
    }
}
