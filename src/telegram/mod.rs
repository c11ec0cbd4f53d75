//! The Telegram adapter: the only module that knows teloxide. It turns updates into domain
//! commands (`handlers`), renders cards (`render`), encodes buttons (`callback`) and delivers the
//! outbox (`delivery`).

pub mod admin;
pub mod callback;
pub mod channel;
pub mod delivery;
pub mod handlers;
pub mod render;

use std::sync::Arc;

use teloxide::dispatching::Dispatcher;
use teloxide::prelude::*;
use tokio_util::sync::CancellationToken;

use crate::app::App;

/// How to reach the Telegram Bot API.
#[derive(Debug, Clone)]
pub struct TelegramConfig {
    pub token: String,
    /// A different Bot API server (a local one, or a test double).
    pub api_url: Option<url::Url>,
}

/// Builds the bot client.
pub fn bot(config: &TelegramConfig) -> Bot {
    let bot = Bot::new(&config.token);
    match &config.api_url {
        Some(url) => bot.set_api_url(url.clone()),
        None => bot,
    }
}

/// Runs long polling and the delivery worker until `cancel` fires (SIGINT/SIGTERM in `main`).
pub async fn run(
    config: TelegramConfig,
    app: Arc<App>,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let bot = bot(&config);
    let me = bot.get_me().await?;
    tracing::info!(username = %me.username(), "connected to Telegram");
    app.set_bot_username(me.username());
    let worker = tokio::spawn(delivery::run(bot.clone(), app.clone(), cancel.clone()));
    let mut dispatcher = Dispatcher::builder(bot, handlers::schema())
        .dependencies(dptree::deps![app])
        .default_handler(|_| async {})
        .build();
    let shutdown = dispatcher.shutdown_token();
    let stop = cancel.clone();
    tokio::spawn(async move {
        stop.cancelled().await;
        if let Ok(done) = shutdown.shutdown() {
            done.await;
        }
    });
    dispatcher.dispatch().await;
    cancel.cancel();
    if let Err(e) = worker.await {
        tracing::error!(error = %e, "delivery worker ended abnormally");
    }
    Ok(())
}
