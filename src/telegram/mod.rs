//! The Telegram adapter: the only module that knows teloxide. It translates updates into core
//! calls (`updates`), the core's views into HTML and keyboards (`render`), actions into button
//! payloads (`crate::messenger::payload`), and is the core's way to send to Telegram (`port`).

pub mod listener;
pub mod port;
pub mod render;
pub mod updates;
pub mod webhook;

use std::sync::Arc;

use teloxide::dispatching::Dispatcher;
use teloxide::prelude::*;
use tokio_util::sync::CancellationToken;

use crate::core::{Core, MessengerPort};
use crate::domain::content::Messenger;
use crate::messenger::pacing::{Pacing, SendLimits};
use port::TelegramPort;
use updates::TelegramContext;

/// How to reach the Telegram Bot API.
#[derive(Debug, Clone)]
pub struct TelegramConfig {
    pub token: String,
    /// A different Bot API server (a local one, or a test double).
    pub api_url: Option<url::Url>,
    /// How fast to send (Telegram's limits unless a test runs faster).
    pub limits: SendLimits,
    /// Updates come to this webhook instead of long polling.
    pub webhook: Option<webhook::WebhookConfig>,
}

/// A bot connected to Telegram (its name learnt).
pub struct Telegram {
    bot: Bot,
    pacing: Arc<Pacing>,
    bot_id: String,
    pub username: String,
}

impl Telegram {
    /// Connects (asks Telegram who the bot is) and tells the core how invite links look.
    pub async fn connect(
        config: &TelegramConfig,
        core: &Core,
    ) -> Result<Telegram, teloxide::RequestError> {
        let bot = Bot::new(&config.token);
        let bot = match &config.api_url {
            Some(url) => bot.set_api_url(url.clone()),
            None => bot,
        };
        let me = bot.get_me().await?;
        let username = me.username().to_string();
        tracing::info!(username = %username, "connected to Telegram");
        core.set_invite_link(
            Messenger::Telegram,
            &format!("https://t.me/{username}?start="),
        );
        Ok(Telegram {
            bot,
            pacing: Arc::new(Pacing::new(config.limits)),
            bot_id: me.id.0.to_string(),
            username,
        })
    }

    /// The port the delivery worker sends through.
    pub fn port(&self) -> Arc<dyn MessengerPort> {
        Arc::new(TelegramPort {
            bot: self.bot.clone(),
            pacing: self.pacing.clone(),
        })
    }

    fn context(&self, core: Arc<Core>) -> Arc<TelegramContext> {
        Arc::new(TelegramContext {
            core,
            port: TelegramPort {
                bot: self.bot.clone(),
                pacing: self.pacing.clone(),
            },
            bot_id: self.bot_id.clone(),
        })
    }

    /// Webhook mode: registers the webhook with Telegram and gives the route that takes the
    /// updates, to serve beside the intake API.
    pub async fn webhook(
        &self,
        core: Arc<Core>,
        config: &webhook::WebhookConfig,
    ) -> Result<axum::Router, teloxide::RequestError> {
        webhook::register(&self.bot, config).await?;
        tracing::info!(
            path = config.url.path(),
            "taking Telegram updates by webhook"
        );
        Ok(webhook::router(self.context(core), config))
    }

    /// Long polling until `cancel` fires; the update in hand is finished first.
    pub async fn run(self, core: Arc<Core>, cancel: CancellationToken) {
        let ctx = self.context(core);
        let ctx_bot = self.bot.clone();
        let mut dispatcher = Dispatcher::builder(self.bot, updates::schema())
            .dependencies(dptree::deps![ctx])
            .default_handler(|_| async {})
            .build();
        let shutdown = dispatcher.shutdown_token();
        tokio::spawn(async move {
            cancel.cancelled().await;
            if let Ok(done) = shutdown.shutdown() {
                done.await;
            }
        });
        let listener =
            listener::Redacting(teloxide::update_listeners::polling_default(ctx_bot).await);
        dispatcher
            .dispatch_with_listener(
                listener,
                teloxide::error_handlers::LoggingErrorHandler::with_custom_text(
                    "An error from the update listener",
                ),
            )
            .await;
    }
}
