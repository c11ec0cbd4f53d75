//! The MAX adapter: the only module that knows MAX's Bot API (`api`). It translates updates into
//! core calls (`updates`), the core's views into MAX's HTML and keyboards (`render`), and is the
//! core's way to send to MAX (`port`). Button payloads and the pace of sending are shared with
//! the Telegram adapter (`crate::messenger`).

pub mod api;
pub mod port;
pub mod render;
pub mod updates;
pub mod webhook;

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::core::{Core, MessengerPort};
use crate::domain::content::Messenger;
use crate::messenger::pacing::{Pacing, SendLimits};
use api::{MaxApi, MaxError};
use port::MaxPort;
use updates::MaxContext;

/// How to reach the MAX Bot API.
#[derive(Debug, Clone)]
pub struct MaxConfig {
    pub token: String,
    /// A different API server (a test double); `None`: MAX's own.
    pub api_url: Option<url::Url>,
    /// How fast to send (MAX's limits unless a test runs faster).
    pub limits: SendLimits,
    /// Updates come to this webhook instead of long polling.
    pub webhook: Option<webhook::MaxWebhookConfig>,
}

/// A bot connected to MAX (its name learnt).
pub struct Max {
    context: Arc<MaxContext>,
    pub username: String,
}

/// How long one long-polling request waits for updates.
const POLL_WAIT: Duration = Duration::from_secs(30);

impl Max {
    /// Connects (asks MAX who the bot is) and tells the core how invite links look in MAX.
    pub async fn connect(config: &MaxConfig, core: Arc<Core>) -> Result<Max, MaxError> {
        let api = MaxApi::new(&config.token, config.api_url.as_ref())?;
        let me = api.me().await?;
        let username = me
            .username
            .clone()
            .unwrap_or_else(|| me.user_id.to_string());
        tracing::info!(username = %username, "connected to MAX");
        core.set_invite_link(Messenger::Max, &format!("https://max.ru/{username}?start="));
        let port = MaxPort {
            api,
            pacing: Arc::new(Pacing::new(config.limits)),
            core: core.clone(),
        };
        Ok(Max {
            context: Arc::new(MaxContext {
                core,
                port,
                bot_id: me.user_id.to_string(),
            }),
            username,
        })
    }

    /// The port the delivery worker sends through.
    pub fn port(&self) -> Arc<dyn MessengerPort> {
        Arc::new(self.context.port.clone())
    }

    /// Webhook mode: subscribes the webhook with MAX and gives the route that takes the
    /// updates, to serve beside the intake API.
    pub async fn webhook(
        &self,
        config: &webhook::MaxWebhookConfig,
    ) -> Result<axum::Router, MaxError> {
        self.context
            .port
            .api
            .subscribe(config.url.as_str(), &config.secret)
            .await?;
        tracing::info!(path = config.url.path(), "taking MAX updates by webhook");
        Ok(webhook::router(self.context.clone(), config))
    }

    /// Long polling until `cancel` fires; the update in hand is finished first. MAX counts the
    /// updates before a marker as read, so the next marker is passed (and kept in the database,
    /// for a restart) only once every update of the batch is handled; an update whose handling
    /// failed (the database away) is tried again first, and after a crash mid-batch the batch
    /// comes again, its handled updates recognised and skipped.
    pub async fn run(self, cancel: CancellationToken) {
        let ctx = self.context;
        let core = ctx.core.clone();
        let mut marker = match core.update_cursor(Messenger::Max, &ctx.bot_id).await {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "cannot read where MAX updates were left off");
                None
            }
        };
        let mut backoff = Duration::from_secs(1);
        loop {
            let polled = tokio::select! {
                _ = cancel.cancelled() => return,
                polled = ctx.port.api.updates(marker, POLL_WAIT) => polled,
            };
            let (mut pending, next) = match polled {
                Ok(got) => {
                    backoff = Duration::from_secs(1);
                    got
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot get updates from MAX");
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(60));
                    continue;
                }
            };
            pending.reverse();
            while let Some(update) = pending.last().cloned() {
                if cancel.is_cancelled() {
                    return;
                }
                match ctx.handle(update).await {
                    Ok(()) => {
                        pending.pop();
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "a MAX update could not be handled; trying again");
                        tokio::select! {
                            _ = cancel.cancelled() => return,
                            _ = tokio::time::sleep(backoff) => {}
                        }
                        backoff = (backoff * 2).min(Duration::from_secs(60));
                    }
                }
            }
            if next.is_some() && next != marker {
                marker = next;
                if let Err(e) = core
                    .keep_update_cursor(Messenger::Max, &ctx.bot_id, next)
                    .await
                {
                    tracing::warn!(error = %e, "cannot keep where MAX updates were left off");
                }
            }
        }
    }
}
