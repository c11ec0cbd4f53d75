//! Webhook mode (`OTKLIK_WEBHOOK_URL`): Telegram posts updates to a path of the intake API's
//! server instead of the bot polling for them, so several replicas behind a load balancer can
//! share one bot. A request without the right `X-Telegram-Bot-Api-Secret-Token` gets `401` and
//! changes nothing. An update is handled before it is answered: `200` means it is done (or could
//! never be), `500` makes Telegram send it again — and an update that arrives twice (a retry, or
//! two replicas) is handled once, as the core records every update it takes.

use std::ops::ControlFlow;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use teloxide::prelude::*;
use teloxide::types::Update;

use super::updates::{schema, TelegramContext};
use crate::http::same_secret;

/// Where Telegram posts updates, and the secret it sends with each.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// The public https URL; its path is served on the intake API's server.
    pub url: url::Url,
    /// 1–256 characters of `A-Z a-z 0-9 _ -` (Telegram's rule).
    pub secret: String,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url.as_str())
            .field("secret", &"…")
            .finish()
    }
}

/// Why a webhook setting is refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookConfigError {
    #[error("OTKLIK_WEBHOOK_URL must be an https URL with a path, not {0:?}")]
    Url(String),
    #[error(
        "OTKLIK_WEBHOOK_SECRET must be 1–256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)"
    )]
    Secret,
}

impl WebhookConfig {
    /// Checks a URL and a secret as an administrator gives them.
    pub fn new(url: &str, secret: &str) -> Result<WebhookConfig, WebhookConfigError> {
        let (parsed, secret) =
            crate::messenger::check_webhook(url, secret, 1..=256).map_err(|e| match e {
                crate::messenger::WebhookSettingError::Url => {
                    WebhookConfigError::Url(url.to_string())
                }
                crate::messenger::WebhookSettingError::Secret => WebhookConfigError::Secret,
            })?;
        Ok(WebhookConfig {
            url: parsed,
            secret,
        })
    }
}

#[derive(Clone)]
struct WebhookState {
    ctx: Arc<TelegramContext>,
    secret: Arc<str>,
}

/// The route Telegram posts to (the URL's path), to merge into the intake API's router.
pub fn router(ctx: Arc<TelegramContext>, config: &WebhookConfig) -> axum::Router {
    axum::Router::new()
        .route(config.url.path(), post(receive))
        .with_state(WebhookState {
            ctx,
            secret: Arc::from(config.secret.as_str()),
        })
}

/// Registers the webhook with Telegram (each replica sets the same one; nothing is deleted on
/// stop, so a replica going away does not cut off the others).
pub async fn register(bot: &Bot, config: &WebhookConfig) -> Result<(), teloxide::RequestError> {
    bot.set_webhook(config.url.clone())
        .secret_token(config.secret.clone())
        .await?;
    Ok(())
}

async fn receive(State(state): State<WebhookState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get("X-Telegram-Bot-Api-Secret-Token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !same_secret(given, state.secret.as_bytes()) {
        tracing::warn!("a webhook request without the right secret token was refused");
        return StatusCode::UNAUTHORIZED;
    }
    let update: Update = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => {
            // Sending it again would not make it readable.
            tracing::warn!(error = %e, "an update that cannot be read was dropped");
            return StatusCode::OK;
        }
    };
    let started = std::time::Instant::now();
    let outcome = schema()
        .dispatch(dptree::deps![state.ctx.clone(), update])
        .await;
    let status = match outcome {
        ControlFlow::Break(Err(e)) => {
            // Telegram sends it again; what was done is not done twice.
            tracing::error!(error = %e, "an update could not be handled; Telegram will retry");
            StatusCode::INTERNAL_SERVER_ERROR
        }
        ControlFlow::Break(Ok(())) | ControlFlow::Continue(_) => StatusCode::OK,
    };
    state
        .ctx
        .core
        .observe_update("telegram", "webhook", started.elapsed());
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_and_secret_are_checked_as_telegram_would() {
        assert!(WebhookConfig::new("https://otklik.example.ru/tg/hook", "abc_DEF-123").is_ok());
        assert!(matches!(
            WebhookConfig::new("otklik.example.ru/hook", "abc"),
            Err(WebhookConfigError::Url(_))
        ));
        assert!(matches!(
            WebhookConfig::new("https://otklik.example.ru/", "abc"),
            Err(WebhookConfigError::Url(_))
        ));
        for bad in ["", "with space", "слово", &"x".repeat(257)] {
            assert!(matches!(
                WebhookConfig::new("https://otklik.example.ru/hook", bad),
                Err(WebhookConfigError::Secret)
            ));
        }
        let shown = format!(
            "{:?}",
            WebhookConfig::new("https://x.ru/hook", "topsecret").unwrap()
        );
        assert!(!shown.contains("topsecret"), "{shown}");
    }

    #[test]
    fn secrets_must_match_exactly() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc"));
        assert!(!same_secret(b"ab", b"abc"));
        assert!(!same_secret(b"", b""));
    }
}
