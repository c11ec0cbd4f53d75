//! Starting Otklik: one `Application::build` wires the store, the core, the HTTP intake API, the
//! Telegram and MAX adapters (either or both), the scheduler and the delivery worker. `otklik
//! run` calls it; every end-to-end test calls it too (against a fresh database and fake Bot
//! APIs), so what is tested is what runs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::core::{Clock, Core, CoreConfig, MessengerPort, SystemClock};
use crate::domain::production_calendar::ProductionCalendar;
use crate::max::{Max, MaxConfig};
use crate::storage::{redact, StorageError, Store};
use crate::telegram::{Telegram, TelegramConfig};
use crate::texts::{Texts, TextsError};

/// Everything `otklik run` is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// `None`: no Telegram.
    pub telegram: Option<TelegramConfig>,
    /// `None`: no MAX.
    pub max: Option<MaxConfig>,
    /// A directory with an edited `ru.ftl`; `None`: the built-in texts.
    pub dialogues_dir: Option<PathBuf>,
    /// The production calendar (TOML text).
    pub calendar_text: String,
    /// Where the intake API listens (port 0: any free port).
    pub http_addr: SocketAddr,
    /// The bearer token of the intake API; empty refuses every request.
    pub ingest_token: String,
    /// The bearer token of `/metrics`; empty leaves it open.
    pub metrics_token: String,
    /// Timeouts and the connection limit of the intake API.
    pub http_limits: crate::http::HttpLimits,
    pub repeat_window: Duration,
    pub conversation_ttl: Duration,
    pub clock: Arc<dyn Clock>,
    /// Tests: dialogue texts that panic on a missing key.
    pub strict_texts: bool,
    /// This process's name among replicas (`OTKLIK_INSTANCE`; the host's name by default).
    pub name: String,
    /// The address monitoring systems reach Otklik at (`OTKLIK_PUBLIC_URL`); `None`: the
    /// intake API's own address.
    pub public_url: Option<String>,
    /// How long a link to a draft's file stays valid (`OTKLIK_FILE_LINK_DAYS`).
    pub file_link_ttl: Duration,
}

impl Config {
    /// The defaults, with a database and a calendar.
    pub fn new(database_url: &str, calendar_text: String) -> Config {
        Config {
            database_url: database_url.to_string(),
            telegram: None,
            max: None,
            dialogues_dir: None,
            calendar_text,
            http_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            ingest_token: String::new(),
            metrics_token: String::new(),
            http_limits: crate::http::HttpLimits::default(),
            repeat_window: Duration::days(30),
            conversation_ttl: Duration::hours(24),
            clock: Arc::new(SystemClock),
            strict_texts: false,
            name: crate::core::default_name(),
            public_url: None,
            file_link_ttl: Duration::days(7),
        }
    }
}

/// Why Otklik could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("the production calendar is not valid: {0}")]
    Calendar(String),
    #[error(transparent)]
    Texts(#[from] TextsError),
    #[error("cannot open {url}: {source}")]
    Database { url: String, source: StorageError },
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot reach Telegram: {0} (check OTKLIK_TELEGRAM_TOKEN and the network)")]
    Telegram(#[from] teloxide::RequestError),
    #[error("cannot reach MAX: {0} (check OTKLIK_MAX_TOKEN and the network)")]
    Max(#[from] crate::max::api::MaxError),
    #[error("cannot prepare the database: {0}")]
    Prepare(#[from] crate::core::CoreError),
    #[error("cannot set up the HTTP client for monitoring webhooks: {0}")]
    Webhook(reqwest::Error),
}

/// How a messenger runs, for the startup log line: "off", or the bot and how updates come.
fn on_or_off(username: &Option<String>, webhook: bool) -> String {
    match username {
        None => "off".to_string(),
        Some(u) if webhook => format!("on as {u}, updates by webhook"),
        Some(u) => format!("on as {u}, long polling"),
    }
}

/// A running Otklik.
pub struct Application {
    core: Arc<Core>,
    store: Store,
    http_addr: SocketAddr,
    cancel: CancellationToken,
    /// The running parts; each ends with its name.
    tasks: JoinSet<&'static str>,
    telegram_username: Option<String>,
    max_username: Option<String>,
}

impl Application {
    /// Builds everything and starts it: migrations, the intake API, Telegram (when configured),
    /// the scheduler and the delivery worker.
    pub async fn build(config: Config) -> Result<Application, StartupError> {
        // A bad calendar file fails now rather than on the first incident.
        ProductionCalendar::parse(&config.calendar_text, &[])
            .map_err(|e| StartupError::Calendar(e.to_string()))?;
        let mut texts = Texts::load(config.dialogues_dir.as_deref())?;
        if config.strict_texts {
            texts = texts.strict();
        }
        let store = Store::connect(&config.database_url)
            .await
            .map_err(|source| StartupError::Database {
                url: redact(&config.database_url),
                source,
            })?;
        // Bound first: the links to drafts' files are made on the address it got.
        if config.ingest_token.trim().is_empty() {
            tracing::warn!("OTKLIK_INGEST_TOKEN is not set: the intake API refuses every request");
        }
        let listener = tokio::net::TcpListener::bind(config.http_addr)
            .await
            .map_err(|source| StartupError::Listen {
                addr: config.http_addr,
                source,
            })?;
        let http_addr = listener
            .local_addr()
            .map_err(|source| StartupError::Listen {
                addr: config.http_addr,
                source,
            })?;
        tracing::info!(%http_addr, "intake API listening");
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{http_addr}"));
        let core = Arc::new(Core::new(
            store.clone(),
            texts,
            CoreConfig {
                calendar_text: config.calendar_text.clone(),
                repeat_window: config.repeat_window,
                conversation_ttl: config.conversation_ttl,
                clock: config.clock.clone(),
                mail: Some(Arc::new(crate::mail::SmtpMail)),
                webhook: Some(Arc::new(
                    crate::http::outbound::HttpWebhook::new().map_err(StartupError::Webhook)?,
                )),
                name: config.name.clone(),
                public_url,
                file_link_ttl: config.file_link_ttl,
            },
        ));
        // What this process's predecessor had out when it died goes out again now, not after
        // its lease.
        core.take_over_own_claims().await?;
        // Incidents an older release stored get the rows reports read.
        core.backfill_report_facts().await?;
        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();

        let mut router = crate::http::router(
            core.clone(),
            config.ingest_token.trim(),
            config.metrics_token.trim(),
        );

        let mut ports: Vec<Arc<dyn MessengerPort>> = Vec::new();
        let mut telegram_username = None;
        if let Some(tg) = &config.telegram {
            let telegram = Telegram::connect(tg, &core).await?;
            telegram_username = Some(telegram.username.clone());
            ports.push(telegram.port());
            match &tg.webhook {
                // Updates come to the intake API's server; nothing polls.
                Some(hook) => router = router.merge(telegram.webhook(core.clone(), hook).await?),
                None => {
                    let (c, stop) = (core.clone(), cancel.clone());
                    tasks.spawn(async move {
                        telegram.run(c, stop).await;
                        "Telegram"
                    });
                }
            }
        }
        let mut max_username = None;
        if let Some(mx) = &config.max {
            let max = Max::connect(mx, core.clone()).await?;
            max_username = Some(max.username.clone());
            ports.push(max.port());
            match &mx.webhook {
                Some(hook) => router = router.merge(max.webhook(hook).await?),
                None => {
                    let stop = cancel.clone();
                    tasks.spawn(async move {
                        max.run(stop).await;
                        "MAX"
                    });
                }
            }
        }
        tracing::info!(
            telegram = %on_or_off(&telegram_username, config.telegram.as_ref().and_then(|t| t.webhook.as_ref()).is_some()),
            max = %on_or_off(&max_username, config.max.as_ref().and_then(|m| m.webhook.as_ref()).is_some()),
            "messengers"
        );
        if ports.is_empty() {
            tracing::warn!(
                "no messenger is on: incidents are taken in, but nobody is told of them"
            );
        }
        let (stop, limits) = (cancel.clone(), config.http_limits);
        tasks.spawn(async move {
            crate::http::serve(listener, router, limits, stop).await;
            "intake API"
        });

        let (c, stop) = (core.clone(), cancel.clone());
        tasks.spawn(async move {
            crate::core::time::scheduler::run(c, stop).await;
            "scheduler"
        });
        let (c, stop) = (core.clone(), cancel.clone());
        tasks.spawn(async move {
            crate::core::delivery::run(c, ports, stop).await;
            "delivery"
        });
        Ok(Application {
            core,
            store,
            http_addr,
            cancel,
            tasks,
            telegram_username,
            max_username,
        })
    }

    pub fn core(&self) -> &Arc<Core> {
        &self.core
    }

    /// Where the intake API listens.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// The bot's username, when Telegram is on.
    pub fn telegram_username(&self) -> Option<&str> {
        self.telegram_username.as_deref()
    }

    /// The MAX bot's username, when MAX is on.
    pub fn max_username(&self) -> Option<&str> {
        self.max_username.as_deref()
    }

    /// A token that stops the application when cancelled (signals, tests).
    pub fn stop_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Runs until stopped (the stop token, or a part that ends), then stops the rest: the update
    /// and the message in hand are finished, everything else stays queued.
    pub async fn run_until_stopped(mut self) {
        tokio::select! {
            _ = self.cancel.cancelled() => {}
            ended = self.tasks.join_next() => {
                if let (Some(Ok(name)), false) = (ended, self.cancel.is_cancelled()) {
                    tracing::warn!(part = name, "a part of Otklik stopped; stopping the rest");
                }
            }
        }
        self.cancel.cancel();
        while let Some(ended) = self.tasks.join_next().await {
            if let Err(e) = ended {
                tracing::error!(error = %e, "a part of Otklik ended abnormally");
            }
        }
        self.store.close().await;
    }

    /// Stops everything at once, mid-work (as a crash would): tests of what a restart keeps.
    pub async fn abort(mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        self.store.close().await;
    }
}
