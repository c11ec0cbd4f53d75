//! Command-line interface: what an administrator runs on the server.

mod commands;
mod deadlines;
mod serve;
mod setup;

use commands::{
    check_calendar, check_regulation, deadline_plan, export, import, invites, migrate, purge,
    report, token,
};
use serve::serve;
pub use serve::RunArgs;
pub use setup::{calendar_text, load_regulation};

use std::path::PathBuf;

use anyhow::Result;
use chrono::DateTime;
use clap::{Parser, Subcommand};

use crate::domain::regulation::Importance;

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
    Run(RunArgs),
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

fn parse_messenger(s: &str) -> Result<crate::domain::content::Messenger, String> {
    crate::domain::content::Messenger::parse(s.trim())
        .ok_or_else(|| format!("{s:?} is not a messenger Otklik runs in (telegram, max)"))
}

/// Runs one command; returns what to print.
pub async fn run(cli: Cli) -> Result<String> {
    let calendar = cli.calendar.as_deref();
    match cli.command {
        CliCommand::Run(args) => serve(calendar, args).await,
        CliCommand::Import { file, database_url } => import(file, database_url).await,
        CliCommand::Export {
            organisation,
            output,
            database_url,
        } => export(organisation, output, database_url).await,
        CliCommand::Invites {
            organisation,
            bot_username,
            messenger,
            valid_days,
            database_url,
        } => {
            invites(
                organisation,
                bot_username,
                messenger,
                valid_days,
                database_url,
            )
            .await
        }
        CliCommand::Token {
            organisation,
            revoke,
            database_url,
        } => token(organisation, revoke, database_url).await,
        CliCommand::Purge {
            organisation,
            before,
            dialogues_dir,
            database_url,
        } => purge(calendar, organisation, before, dialogues_dir, database_url).await,
        CliCommand::Report {
            organisation,
            from,
            to,
            out,
            dialogues_dir,
            database_url,
        } => {
            report(
                calendar,
                organisation,
                from,
                to,
                out,
                dialogues_dir,
                database_url,
            )
            .await
        }
        CliCommand::Migrate { database_url } => migrate(database_url).await,
        CliCommand::CheckRegulation { profile } => check_regulation(calendar, profile).await,
        CliCommand::CheckCalendar { file } => check_calendar(file).await,
        CliCommand::Deadlines {
            regulation,
            detected,
            importance,
            external_deadline,
            json,
        } => {
            deadline_plan(
                calendar,
                regulation,
                detected,
                importance,
                external_deadline,
                json,
            )
            .await
        }
    }
}
