//! The administrator's one-off commands: the organisation file in and out, invites, intake
//! tokens, anonymisation on demand, reports, migrations, and checking a profile or a calendar.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use super::deadlines;
use super::setup::{calendar_text, load_regulation, open_store, organisation_named};
use crate::domain::plan::{plan, PlanInput, Timeline};
use crate::domain::production_calendar::ProductionCalendar;
use crate::domain::regulation::Importance;

/// `otklik import`: reads the organisation file and writes the directory (printing its warnings).
pub(super) async fn import(file: PathBuf, database_url: String) -> Result<String> {
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

/// `otklik export`: writes an organisation's directory back as an organisation file.
pub(super) async fn export(
    organisation: String,
    output: Option<PathBuf>,
    database_url: String,
) -> Result<String> {
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

/// `otklik invites`: invite links for the people who have not opened the bot yet.
pub(super) async fn invites(
    organisation: String,
    bot_username: String,
    messenger: crate::domain::content::Messenger,
    valid_days: i64,
    database_url: String,
) -> Result<String> {
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

/// `otklik token`: an organisation's own intake token (printed once, replacing the old one), or
/// none with `--revoke`.
pub(super) async fn token(
    organisation: String,
    revoke: bool,
    database_url: String,
) -> Result<String> {
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

/// `otklik purge`: removes the personal data of finished incidents found before a date.
pub(super) async fn purge(
    calendar: Option<&std::path::Path>,
    organisation: String,
    before: String,
    dialogues_dir: Option<PathBuf>,
    database_url: String,
) -> Result<String> {
    let day = crate::core::reports::parse_date(&before)
        .with_context(|| format!("{before:?} is not a date (write DD.MM.YYYY or YYYY-MM-DD)"))?;
    let store = open_store(&database_url).await?;
    let org = organisation_named(&store, &organisation).await?;
    let texts = crate::texts::Texts::load(dialogues_dir.as_deref())?;
    let calendar = calendar_text(calendar)?;
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

/// `otklik report`: a period's report written as files.
pub(super) async fn report(
    calendar: Option<&std::path::Path>,
    organisation: String,
    from: String,
    to: String,
    out: PathBuf,
    dialogues_dir: Option<PathBuf>,
    database_url: String,
) -> Result<String> {
    let date = |s: &str| {
        crate::core::reports::parse_date(s)
            .with_context(|| format!("{s:?} is not a date (write DD.MM.YYYY or YYYY-MM-DD)"))
    };
    let (first, last) = (date(&from)?, date(&to)?);
    if last < first {
        anyhow::bail!("--to ({to}) is before --from ({from})");
    }
    let store = open_store(&database_url).await?;
    let org = organisation_named(&store, &organisation).await?;
    let texts = crate::texts::Texts::load(dialogues_dir.as_deref())?;
    let calendar = calendar_text(calendar)?;
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
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
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

/// `otklik migrate`: brings the database's schema up to date.
pub(super) async fn migrate(database_url: String) -> Result<String> {
    let store = crate::storage::Store::connect(&database_url)
        .await
        .with_context(|| format!("cannot open {}", crate::storage::redact(&database_url)))?;
    let backend = store.backend();
    store.close().await;
    Ok(format!(
        "OK: {} schema is up to date ({backend:?})",
        crate::storage::redact(&database_url)
    ))
}

/// `otklik check-regulation`: validates a profile (a file or a preset name), listing every problem.
pub(super) async fn check_regulation(
    calendar: Option<&std::path::Path>,
    profile: String,
) -> Result<String> {
    let reg = load_regulation(&profile)?;
    let text = calendar_text(calendar)?;
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

/// `otklik check-calendar`: validates a production calendar file.
pub(super) async fn check_calendar(file: PathBuf) -> Result<String> {
    let text = calendar_text(Some(&file))?;
    let cal =
        ProductionCalendar::parse(&text, &[]).with_context(|| format!("in {}", file.display()))?;
    let years: Vec<String> = (cal.first_year()..=cal.last_year())
        .map(|y| match cal.decree(y) {
            Some(d) => format!("{y}: {d}"),
            None => format!("{y}"),
        })
        .collect();
    Ok(format!("OK: {}\n{}", file.display(), years.join("\n")))
}

/// `otklik deadlines`: a profile's deadline plan for a message detected at a moment.
pub(super) async fn deadline_plan(
    calendar: Option<&std::path::Path>,
    regulation: String,
    detected: DateTime<chrono::FixedOffset>,
    importance: Importance,
    external_deadline: Option<DateTime<chrono::FixedOffset>>,
    json: bool,
) -> Result<String> {
    let reg = load_regulation(&regulation)?;
    let text = calendar_text(calendar)?;
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
