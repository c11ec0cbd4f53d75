//! Command-line interface: what an administrator runs on the server.

mod deadlines;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use crate::domain::plan::{plan, PlanInput, Timeline};
use crate::domain::production_calendar::{ProductionCalendar, SHIPPED_RU_CALENDAR};
use crate::domain::regulation::{Importance, Regulation, PRESETS};

#[derive(Debug, Parser)]
#[command(
    name = "otklik",
    version,
    about = "Otklik: answers to citizens' social-network messages under regulated deadlines"
)]
pub struct Cli {
    /// Production calendar file (defaults to the calendar built into Otklik).
    #[arg(long, env = "OTKLIK_CALENDAR_FILE", global = true)]
    pub calendar: Option<PathBuf>,
    #[command(subcommand)]
    pub command: CliCommand,
}

// Parsed once at start: the size of the `run` variant's options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Run the bot: Telegram and/or MAX (whichever has a token), the intake API, the scheduler
    /// and the delivery of notifications.
    Run {
        /// sqlite://FILE (created on first use) or postgres://USER@HOST/DB.
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://otklik.db")]
        database_url: String,
        /// The bot token from @BotFather.
        #[arg(long, env = "OTKLIK_TELEGRAM_TOKEN", hide_env_values = true)]
        telegram_token: Option<String>,
        /// Another Bot API server (a local telegram-bot-api, or a test double).
        #[arg(long, env = "OTKLIK_TELEGRAM_API_URL")]
        telegram_api_url: Option<url::Url>,
        /// A directory with ru.ftl to use instead of the built-in texts.
        #[arg(long, env = "OTKLIK_DIALOGUES_DIR")]
        dialogues_dir: Option<PathBuf>,
        /// Where the intake HTTP API listens.
        #[arg(long, env = "OTKLIK_HTTP_ADDR", default_value = "127.0.0.1:8080")]
        http_addr: std::net::SocketAddr,
        /// The bearer token monitoring systems send to the intake API.
        #[arg(
            long,
            env = "OTKLIK_INGEST_TOKEN",
            hide_env_values = true,
            default_value = ""
        )]
        ingest_token: String,
        /// The bearer token Prometheus sends to `/metrics` (empty: `/metrics` is open).
        #[arg(
            long,
            env = "OTKLIK_METRICS_TOKEN",
            hide_env_values = true,
            default_value = ""
        )]
        metrics_token: String,
        /// Take Telegram updates by webhook at this public https URL (its path is served on the
        /// intake API's address) instead of long polling.
        #[arg(long, env = "OTKLIK_WEBHOOK_URL")]
        webhook_url: Option<String>,
        /// The secret Telegram sends with each webhook request (A-Z a-z 0-9 _ -, up to 256).
        #[arg(long, env = "OTKLIK_WEBHOOK_SECRET", hide_env_values = true)]
        webhook_secret: Option<String>,
        /// How many days back a message from the same author or link on the same topic counts
        /// as a repeat.
        #[arg(long, env = "OTKLIK_REPEAT_WINDOW_DAYS", default_value_t = 30)]
        repeat_window_days: i64,
        /// The MAX bot's token (business.max.ru → Chat bots → the bot → Settings).
        #[arg(long, env = "OTKLIK_MAX_TOKEN", hide_env_values = true)]
        max_token: Option<String>,
        /// Another MAX Bot API server (a test double); empty: MAX's own.
        #[arg(long, env = "OTKLIK_MAX_API_URL")]
        max_api_url: Option<url::Url>,
        /// Take MAX updates by webhook at this public https URL instead of long polling.
        #[arg(long, env = "OTKLIK_MAX_WEBHOOK_URL")]
        max_webhook_url: Option<String>,
        /// The secret MAX sends with each webhook request (A-Z a-z 0-9 _ -, 5 to 256).
        #[arg(long, env = "OTKLIK_MAX_WEBHOOK_SECRET", hide_env_values = true)]
        max_webhook_secret: Option<String>,
        /// This process's name among replicas, the same across its restarts (default: the
        /// host's name). Give each replica on one host its own.
        #[arg(long, env = "OTKLIK_INSTANCE")]
        instance: Option<String>,
    },
    /// Create or update an organisation, its departments, people, topics and duty roster from a
    /// TOML file (see examples/organisation.toml). Refused whole if anything is wrong.
    Import {
        file: PathBuf,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://otklik.db")]
        database_url: String,
    },
    /// Write an organisation's directory in the import format.
    Export {
        /// The organisation's name, as in its file.
        #[arg(long)]
        organisation: String,
        /// Where to write (standard output when absent).
        #[arg(long)]
        output: Option<PathBuf>,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://otklik.db")]
        database_url: String,
    },
    /// Print invite links for the people who have not opened the bot yet.
    Invites {
        /// The organisation's name, as in its file.
        #[arg(long)]
        organisation: String,
        /// The bot's username (without @), for the links (t.me, or max.ru with --messenger max).
        #[arg(long, env = "OTKLIK_BOT_USERNAME")]
        bot_username: String,
        /// The messenger the links open the bot in: telegram or max.
        #[arg(long, default_value = "telegram", value_parser = parse_messenger)]
        messenger: crate::domain::content::Messenger,
        /// How many days the links stay valid.
        #[arg(long, default_value_t = 14)]
        valid_days: i64,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://otklik.db")]
        database_url: String,
    },
    /// Write an organisation's report on a period: a chart (PNG) and a workbook (XLSX).
    Report {
        /// The organisation's name, as in its file.
        #[arg(long)]
        organisation: String,
        /// The first day, DD.MM.YYYY or YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// The last day (included).
        #[arg(long)]
        to: String,
        /// The directory to write the files into (created if missing).
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// A directory with ru.ftl to use instead of the built-in texts.
        #[arg(long, env = "OTKLIK_DIALOGUES_DIR")]
        dialogues_dir: Option<PathBuf>,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://otklik.db")]
        database_url: String,
    },
    /// Remove the personal data (author, text, links, drafts, attachments) of finished incidents
    /// found before a date, as the daily run does after the profile's `privacy.keep_days`;
    /// counts and stage times stay for reports.
    Purge {
        /// The organisation's name, as in its file.
        #[arg(long)]
        organisation: String,
        /// Incidents found before this day (in the organisation's time zone), DD.MM.YYYY or
        /// YYYY-MM-DD.
        #[arg(long)]
        before: String,
        /// A directory with ru.ftl to use instead of the built-in texts.
        #[arg(long, env = "OTKLIK_DIALOGUES_DIR")]
        dialogues_dir: Option<PathBuf>,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://otklik.db")]
        database_url: String,
    },
    /// Give an organisation its own intake token (printed once; only its SHA-256 is kept): a
    /// monitoring system with it posts into that organisation alone and reads only its
    /// incidents. A new token replaces the old one.
    Token {
        /// The organisation's name, as in its file.
        #[arg(long)]
        organisation: String,
        /// Take the organisation's token away instead.
        #[arg(long)]
        revoke: bool,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://otklik.db")]
        database_url: String,
    },
    /// Create or upgrade the database schema (also done automatically at start).
    Migrate {
        /// sqlite://FILE (created on first use) or postgres://USER@HOST/DB.
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://otklik.db")]
        database_url: String,
    },
    /// Validate a regulation profile (a TOML file or a preset name) and list every problem.
    CheckRegulation {
        /// Path to a profile file, or a preset name.
        profile: String,
    },
    /// Validate a production calendar file.
    CheckCalendar {
        /// Path to the calendar file.
        file: PathBuf,
    },
    /// Print every stage deadline of a new incident, in the organisation's time zone.
    Deadlines {
        /// A preset name (vorsino, borovichi, krymsk, yuzhno-sakhalinsk, barnaul-leninsky) or a profile file.
        #[arg(long)]
        regulation: String,
        /// When the message was detected, RFC 3339 (e.g. 2026-12-30T17:10:00+03:00).
        #[arg(long)]
        detected: DateTime<chrono::FixedOffset>,
        /// Importance: normal or high.
        #[arg(long, default_value = "normal")]
        importance: Importance,
        /// The monitoring system's deadline, RFC 3339, for profiles that use it.
        #[arg(long)]
        external_deadline: Option<DateTime<chrono::FixedOffset>>,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

/// Loads a profile from a preset name or a file path.
pub fn load_regulation(name_or_path: &str) -> Result<Regulation> {
    if PRESETS.iter().any(|(n, _)| *n == name_or_path) {
        return Ok(Regulation::preset(name_or_path)?);
    }
    let path = Path::new(name_or_path);
    if !path.exists() {
        anyhow::bail!(
            "{name_or_path:?} is neither a preset ({}) nor an existing file",
            PRESETS.map(|(n, _)| n).join(", ")
        );
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Regulation::from_toml(&text).with_context(|| format!("in {}", path.display()))
}

/// The production calendar text: the configured file, or the built-in one.
pub fn calendar_text(path: Option<&Path>) -> Result<String> {
    match path {
        Some(p) => std::fs::read_to_string(p)
            .with_context(|| format!("cannot read calendar file {}", p.display())),
        None => Ok(SHIPPED_RU_CALENDAR.to_string()),
    }
}

fn parse_messenger(s: &str) -> Result<crate::domain::content::Messenger, String> {
    crate::domain::content::Messenger::parse(s.trim())
        .ok_or_else(|| format!("{s:?} is not a messenger Otklik runs in (telegram, max)"))
}

/// A webhook's URL and secret, when the URL is set; a URL without a secret is refused.
fn webhook_setting(
    url: Option<String>,
    secret: Option<String>,
    url_var: &str,
    secret_var: &str,
) -> Result<Option<(String, String)>> {
    let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
        return Ok(None);
    };
    let Some(secret) = secret.filter(|s| !s.trim().is_empty()) else {
        anyhow::bail!(
            "{url_var} is set without {secret_var}: a webhook needs a secret so that nobody \
             else can post updates to it"
        );
    };
    Ok(Some((url, secret)))
}

/// Runs one command; returns what to print.
pub async fn run(cli: Cli) -> Result<String> {
    match cli.command {
        CliCommand::Run {
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
        } => {
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
            let calendar = calendar_text(cli.calendar.as_deref())?;
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
                    Some((url, secret)) => {
                        Some(crate::max::webhook::MaxWebhookConfig::new(&url, &secret)?)
                    }
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
        CliCommand::Import { file, database_url } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let valid = crate::directory_file::DirectoryFile::parse(&text, file.parent())
                .with_context(|| format!("in {}", file.display()))?;
            let store = open_store(&database_url).await?;
            let report = store.import_directory(&valid, chrono::Utc::now()).await?;
            store.close().await;
            let warnings: String = valid
                .warnings
                .iter()
                .map(|w| format!("\nwarning: {w}"))
                .collect();
            Ok(format!(
                "OK: {} ({}): {} departments, {} people added, {} deactivated{warnings}",
                valid.file.organisation.name,
                if report.created_organisation {
                    "created"
                } else {
                    "updated"
                },
                report.departments,
                report.people_added,
                report.people_deactivated
            ))
        }
        CliCommand::Export {
            organisation,
            output,
            database_url,
        } => {
            let store = open_store(&database_url).await?;
            let dir = store.export_directory(&organisation).await?;
            store.close().await;
            let text = dir.to_toml()?;
            match output {
                Some(path) => {
                    std::fs::write(&path, &text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    Ok(format!("OK: written to {}", path.display()))
                }
                None => Ok(text),
            }
        }
        CliCommand::Invites {
            organisation,
            bot_username,
            messenger,
            valid_days,
            database_url,
        } => {
            if !(1..=365).contains(&valid_days) {
                anyhow::bail!("--valid-days must be between 1 and 365");
            }
            let store = open_store(&database_url).await?;
            let org = organisation_named(&store, &organisation).await?;
            let now = chrono::Utc::now();
            let mut lines = Vec::new();
            for person in store.people_without_account(org, messenger).await? {
                let code = store
                    .create_invite(person.id, now, chrono::Duration::days(valid_days))
                    .await?;
                let site = match messenger {
                    crate::domain::content::Messenger::Telegram => "t.me",
                    crate::domain::content::Messenger::Max => "max.ru",
                };
                lines.push(format!(
                    "{}\thttps://{site}/{}?start={code}",
                    person.full_name,
                    bot_username.trim_start_matches('@')
                ));
            }
            store.close().await;
            if lines.is_empty() {
                lines.push("everyone has opened the bot already".to_string());
            }
            Ok(lines.join("\n"))
        }
        CliCommand::Token {
            organisation,
            revoke,
            database_url,
        } => {
            let store = open_store(&database_url).await?;
            let org = organisation_named(&store, &organisation).await?;
            let out = if revoke {
                store.set_ingest_token(org, None).await?;
                format!("OK: {organisation} has no token of its own now")
            } else {
                use rand::distributions::{Alphanumeric, DistString};
                let token = Alphanumeric.sample_string(&mut rand::thread_rng(), 40);
                store.set_ingest_token(org, Some(&token)).await?;
                format!(
                    "{token}\n(the intake token of {organisation}: give it to its monitoring system \
                     as `Authorization: Bearer …`; it is not stored and cannot be shown again)"
                )
            };
            store.close().await;
            Ok(out)
        }
        CliCommand::Purge {
            organisation,
            before,
            dialogues_dir,
            database_url,
        } => {
            let day = crate::core::reports::parse_date(&before).with_context(|| {
                format!("{before:?} is not a date (write DD.MM.YYYY or YYYY-MM-DD)")
            })?;
            let store = open_store(&database_url).await?;
            let org = organisation_named(&store, &organisation).await?;
            let texts = crate::texts::Texts::load(dialogues_dir.as_deref())?;
            let calendar = calendar_text(cli.calendar.as_deref())?;
            let core = crate::core::Core::new(store, texts, crate::core::CoreConfig::new(calendar));
            let zone = core.org(org).await?.calendar.zone();
            let cutoff =
                chrono::TimeZone::from_local_datetime(&zone, &day.and_time(chrono::NaiveTime::MIN))
                    .earliest()
                    .with_context(|| format!("{day} has no midnight in {zone}"))?
                    .with_timezone(&chrono::Utc);
            let done = core.anonymise_before(org, cutoff).await?;
            core.store().close().await;
            Ok(format!(
                "OK: personal data removed from {done} finished incident(s) found before {day}"
            ))
        }
        CliCommand::Report {
            organisation,
            from,
            to,
            out,
            dialogues_dir,
            database_url,
        } => {
            let date = |s: &str| {
                crate::core::reports::parse_date(s).with_context(|| {
                    format!("{s:?} is not a date (write DD.MM.YYYY or YYYY-MM-DD)")
                })
            };
            let (first, last) = (date(&from)?, date(&to)?);
            if last < first {
                anyhow::bail!("--to ({to}) is before --from ({from})");
            }
            let store = open_store(&database_url).await?;
            let org = organisation_named(&store, &organisation).await?;
            let texts = crate::texts::Texts::load(dialogues_dir.as_deref())?;
            let calendar = calendar_text(cli.calendar.as_deref())?;
            let core = crate::core::Core::new(store, texts, crate::core::CoreConfig::new(calendar));
            core.backfill_report_facts().await?;
            let rules = core.org(org).await?;
            let (min, max) = rules.calendar.covered_years();
            for d in [first, last] {
                if !(min..=max).contains(&chrono::Datelike::year(&d)) {
                    anyhow::bail!("{d} is outside the production calendar ({min}–{max})");
                }
            }
            let request = crate::core::reports::dates_request(&rules, first, last);
            let files = core.report(org, request).await?;
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            let mut written = Vec::new();
            for file in files.files() {
                let path = out.join(&file.name);
                std::fs::write(&path, &file.bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                written.push(path.display().to_string());
            }
            core.store().close().await;
            Ok(format!(
                "{}\nOK: written {}",
                files.summary.plain(),
                written.join(", ")
            ))
        }
        CliCommand::Migrate { database_url } => {
            let store = crate::storage::Store::connect(&database_url)
                .await
                .with_context(|| {
                    format!("cannot open {}", crate::storage::redact(&database_url))
                })?;
            let backend = store.backend();
            store.close().await;
            Ok(format!(
                "OK: {} schema is up to date ({backend:?})",
                crate::storage::redact(&database_url)
            ))
        }
        CliCommand::CheckRegulation { profile } => {
            let reg = load_regulation(&profile)?;
            let text = calendar_text(cli.calendar.as_deref())?;
            let cal = reg.calendar_from(&text)?;
            let (a, b) = cal.covered_years();
            Ok(format!(
                "OK: {} — {} ({}), {} stages, calendar {a}–{b}",
                reg.id,
                reg.name,
                reg.time_zone,
                reg.stages(Importance::Normal).len()
            ))
        }
        CliCommand::CheckCalendar { file } => {
            let text = calendar_text(Some(&file))?;
            let cal = ProductionCalendar::parse(&text, &[])
                .with_context(|| format!("in {}", file.display()))?;
            let years: Vec<String> = (cal.first_year()..=cal.last_year())
                .map(|y| match cal.decree(y) {
                    Some(d) => format!("{y}: {d}"),
                    None => format!("{y}"),
                })
                .collect();
            Ok(format!("OK: {}\n{}", file.display(), years.join("\n")))
        }
        CliCommand::Deadlines {
            regulation,
            detected,
            importance,
            external_deadline,
            json,
        } => {
            let reg = load_regulation(&regulation)?;
            let text = calendar_text(cli.calendar.as_deref())?;
            let cal = reg.calendar_from(&text)?;
            let detected = detected.with_timezone(&Utc);
            let input = PlanInput {
                importance: Some(importance),
                timeline: Timeline::detected(detected),
                external_deadline: external_deadline.map(|d| d.with_timezone(&Utc)),
                ..PlanInput::default()
            };
            let stages = plan(&reg, &cal, &input)?;
            if json {
                Ok(deadlines::json(&reg, &cal, detected, importance, &stages)?)
            } else {
                Ok(deadlines::text(&reg, &cal, detected, importance, &stages))
            }
        }
    }
}

/// An organisation by its name, or an error that says what to do.
async fn organisation_named(
    store: &crate::storage::Store,
    name: &str,
) -> Result<crate::domain::OrgId> {
    store
        .organisation_id(name)
        .await?
        .with_context(|| format!("no organisation named {name:?}; run otklik import first"))
}

async fn open_store(url: &str) -> Result<crate::storage::Store> {
    crate::storage::Store::connect(url)
        .await
        .with_context(|| format!("cannot open {}", crate::storage::redact(url)))
}

/// Cancels on SIGINT or SIGTERM (systemd stops services with SIGTERM).
async fn shutdown_on_signal(cancel: tokio_util::sync::CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutting down");
    cancel.cancel();
}
