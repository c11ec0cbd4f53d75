//! `otklik run`: the settings checked, then the application started as `startup` builds it,
//! until a signal stops it.

use std::path::PathBuf;

use anyhow::Result;

use super::setup::{calendar_text, shutdown_on_signal, webhook_setting};

/// The settings of `otklik run` (each also read from its environment variable, `.env` included).
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// sqlite://FILE (created on first use) or postgres://USER@HOST/DB.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://otklik.db")]
    pub database_url: String,
    /// The bot token from @BotFather.
    #[arg(long, env = "OTKLIK_TELEGRAM_TOKEN", hide_env_values = true)]
    pub telegram_token: Option<String>,
    /// Another Bot API server (a local telegram-bot-api, or a test double).
    #[arg(long, env = "OTKLIK_TELEGRAM_API_URL")]
    pub telegram_api_url: Option<url::Url>,
    /// A directory with ru.ftl to use instead of the built-in texts.
    #[arg(long, env = "OTKLIK_DIALOGUES_DIR")]
    pub dialogues_dir: Option<PathBuf>,
    /// Where the intake HTTP API listens.
    #[arg(long, env = "OTKLIK_HTTP_ADDR", default_value = "127.0.0.1:8080")]
    pub http_addr: std::net::SocketAddr,
    /// The bearer token monitoring systems send to the intake API.
    #[arg(
        long,
        env = "OTKLIK_INGEST_TOKEN",
        hide_env_values = true,
        default_value = ""
    )]
    pub ingest_token: String,
    /// The bearer token Prometheus sends to `/metrics` (empty: `/metrics` is open).
    #[arg(
        long,
        env = "OTKLIK_METRICS_TOKEN",
        hide_env_values = true,
        default_value = ""
    )]
    pub metrics_token: String,
    /// Take Telegram updates by webhook at this public https URL (its path is served on the
    /// intake API's address) instead of long polling.
    #[arg(long, env = "OTKLIK_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// The secret Telegram sends with each webhook request (A-Z a-z 0-9 _ -, up to 256).
    #[arg(long, env = "OTKLIK_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// How many days back a message from the same author or link on the same topic counts
    /// as a repeat.
    #[arg(long, env = "OTKLIK_REPEAT_WINDOW_DAYS", default_value_t = 30)]
    pub repeat_window_days: i64,
    /// The MAX bot's token (business.max.ru → Chat bots → the bot → Settings).
    #[arg(long, env = "OTKLIK_MAX_TOKEN", hide_env_values = true)]
    pub max_token: Option<String>,
    /// Another MAX Bot API server (a test double); empty: MAX's own.
    #[arg(long, env = "OTKLIK_MAX_API_URL")]
    pub max_api_url: Option<url::Url>,
    /// Take MAX updates by webhook at this public https URL instead of long polling.
    #[arg(long, env = "OTKLIK_MAX_WEBHOOK_URL")]
    pub max_webhook_url: Option<String>,
    /// The secret MAX sends with each webhook request (A-Z a-z 0-9 _ -, 5 to 256).
    #[arg(long, env = "OTKLIK_MAX_WEBHOOK_SECRET", hide_env_values = true)]
    pub max_webhook_secret: Option<String>,
    /// This process's name among replicas, the same across its restarts (default: the
    /// host's name). Give each replica on one host its own.
    #[arg(long, env = "OTKLIK_INSTANCE")]
    pub instance: Option<String>,
    /// The address monitoring systems reach Otklik at (https://otklik.example.ru): links to
    /// drafts' photos in the reports start with it. Empty: the intake API's address.
    #[arg(long, env = "OTKLIK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How many days a link to a draft's photo stays valid.
    #[arg(long, env = "OTKLIK_FILE_LINK_DAYS", default_value_t = 7)]
    pub file_link_days: i64,
}

/// Runs Otklik until SIGTERM or Ctrl-C.
pub(super) async fn serve(calendar: Option<&std::path::Path>, args: RunArgs) -> Result<String> {
    let RunArgs {
        database_url,
        telegram_token,
        telegram_api_url,
        dialogues_dir,
        http_addr,
        ingest_token,
        metrics_token,
        webhook_url,
        webhook_secret,
        repeat_window_days,
        max_token,
        max_api_url,
        max_webhook_url,
        max_webhook_secret,
        instance,
        public_url,
        file_link_days,
    } = args;
    let telegram_token = telegram_token.filter(|t| !t.trim().is_empty());
    let max_token = max_token.filter(|t| !t.trim().is_empty());
    if telegram_token.is_none() && max_token.is_none() {
        anyhow::bail!(
            "neither OTKLIK_TELEGRAM_TOKEN nor OTKLIK_MAX_TOKEN is set: create a bot with \
             @BotFather (Telegram) or on business.max.ru (MAX), put its token into .env \
             (copy .env.example, which shows every other setting)"
        );
    }
    if !(1..=365).contains(&repeat_window_days) {
        anyhow::bail!("OTKLIK_REPEAT_WINDOW_DAYS must be between 1 and 365");
    }
    if !(1..=90).contains(&file_link_days) {
        anyhow::bail!("OTKLIK_FILE_LINK_DAYS must be between 1 and 90");
    }
    let public_url = match public_url
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
    {
        Some(u) => match url::Url::parse(&u) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Some(u),
            _ => anyhow::bail!(
                "OTKLIK_PUBLIC_URL must be an http(s) address, such as https://otklik.example.ru"
            ),
        },
        None => None,
    };
    let calendar = calendar_text(calendar)?;
    let mut config = crate::startup::Config::new(&database_url, calendar);
    if let Some(token) = telegram_token {
        let webhook = match webhook_setting(
            webhook_url,
            webhook_secret,
            "OTKLIK_WEBHOOK_URL",
            "OTKLIK_WEBHOOK_SECRET",
        )? {
            Some((url, secret)) => {
                Some(crate::telegram::webhook::WebhookConfig::new(&url, &secret)?)
            }
            None => None,
        };
        config.telegram = Some(crate::telegram::TelegramConfig {
            token: token.trim().to_string(),
            api_url: telegram_api_url,
            limits: crate::messenger::pacing::SendLimits::TELEGRAM,
            webhook,
        });
    }
    if let Some(token) = max_token {
        let webhook = match webhook_setting(
            max_webhook_url,
            max_webhook_secret,
            "OTKLIK_MAX_WEBHOOK_URL",
            "OTKLIK_MAX_WEBHOOK_SECRET",
        )? {
            Some((url, secret)) => Some(crate::max::webhook::MaxWebhookConfig::new(&url, &secret)?),
            None => None,
        };
        config.max = Some(crate::max::MaxConfig {
            token: token.trim().to_string(),
            api_url: max_api_url,
            limits: crate::messenger::pacing::SendLimits::MAX,
            webhook,
        });
    }
    config.dialogues_dir = dialogues_dir;
    config.http_addr = http_addr;
    config.ingest_token = ingest_token;
    config.metrics_token = metrics_token;
    config.repeat_window = chrono::Duration::days(repeat_window_days);
    config.public_url = public_url;
    config.file_link_ttl = chrono::Duration::days(file_link_days);
    if let Some(name) = instance
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
    {
        config.name = name;
    }
    let app = crate::startup::Application::build(config).await?;
    tokio::spawn(shutdown_on_signal(app.stop_token()));
    app.run_until_stopped().await;
    Ok("stopped".to_string())
}
