//! What the commands start from: a regulation by preset or file, the production calendar, the
//! store, an organisation by name, a webhook's settings, and the signals that stop `run`.

use std::path::Path;

use anyhow::{Context, Result};

use crate::domain::production_calendar::SHIPPED_RU_CALENDAR;
use crate::domain::regulation::{Regulation, PRESETS};

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

/// A webhook's URL and secret, when the URL is set; a URL without a secret is refused.
pub(super) fn webhook_setting(
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

/// An organisation by its name, or an error that says what to do.
pub(super) async fn organisation_named(
    store: &crate::storage::Store,
    name: &str,
) -> Result<crate::domain::OrgId> {
    store
        .organisation_id(name)
        .await?
        .with_context(|| format!("no organisation named {name:?}; run otklik import first"))
}

pub(super) async fn open_store(url: &str) -> Result<crate::storage::Store> {
    crate::storage::Store::connect(url)
        .await
        .with_context(|| format!("cannot open {}", crate::storage::redact(url)))
}

/// Cancels on SIGINT or SIGTERM (systemd stops services with SIGTERM).
pub(super) async fn shutdown_on_signal(cancel: tokio_util::sync::CancellationToken) {
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
