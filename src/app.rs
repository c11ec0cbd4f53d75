//! The application core shared by the adapters: the store, the texts, each organisation's
//! regulation and calendar (built once and cached), and the clock.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, RwLock};

use crate::domain::incident::Rules;
use crate::domain::regulation::RegulationError;
use crate::domain::WorkCalendar;
use crate::storage::{Organisation, StorageError, Store};
use crate::texts::Texts;

/// An organisation with its regulation laid out on its calendar.
#[derive(Debug)]
pub struct OrgRules {
    pub org: Organisation,
    pub calendar: WorkCalendar,
}

impl OrgRules {
    pub fn rules(&self) -> Rules<'_> {
        Rules {
            regulation: &self.org.regulation,
            calendar: &self.calendar,
        }
    }
}

/// Loading an organisation's rules failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Regulation(#[from] RegulationError),
}

/// What every adapter shares.
pub struct App {
    pub store: Store,
    pub texts: Texts,
    calendar_text: String,
    orgs: RwLock<HashMap<i64, Arc<OrgRules>>>,
    fixed_now: Option<DateTime<Utc>>,
    /// Wakes the delivery worker when new outbox rows were written.
    pub outbox_ready: Notify,
    bot_username: std::sync::OnceLock<String>,
    repeat_window: chrono::Duration,
}

impl App {
    pub fn new(store: Store, texts: Texts, calendar_text: String) -> Self {
        App {
            store,
            texts,
            calendar_text,
            orgs: RwLock::new(HashMap::new()),
            fixed_now: None,
            outbox_ready: Notify::new(),
            bot_username: std::sync::OnceLock::new(),
            repeat_window: chrono::Duration::days(30),
        }
    }

    /// Freezes the clock (tests that compare deadlines to the minute).
    pub fn with_fixed_now(mut self, now: DateTime<Utc>) -> Self {
        self.fixed_now = Some(now);
        self
    }

    /// How far back an incident from the same author or link on the same topic counts as a
    /// repeat of an earlier one.
    pub fn with_repeat_window(mut self, window: chrono::Duration) -> Self {
        self.repeat_window = window;
        self
    }

    pub fn repeat_window(&self) -> chrono::Duration {
        self.repeat_window
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.fixed_now.unwrap_or_else(Utc::now)
    }

    /// An organisation's rules, built on first use.
    pub async fn org_rules(&self, org: i64) -> Result<Arc<OrgRules>, AppError> {
        if let Some(r) = self.orgs.read().await.get(&org) {
            return Ok(r.clone());
        }
        let organisation = self.store.organisation(org).await?;
        let calendar = organisation.regulation.calendar_from(&self.calendar_text)?;
        let rules = Arc::new(OrgRules {
            org: organisation,
            calendar,
        });
        self.orgs.write().await.insert(org, rules.clone());
        Ok(rules)
    }

    /// Remembers the bot's username (learnt from the messenger at start) for invite links.
    pub fn set_bot_username(&self, name: &str) {
        let _ = self
            .bot_username
            .set(name.trim_start_matches('@').to_string());
    }

    pub fn bot_username(&self) -> &str {
        self.bot_username
            .get()
            .map(String::as_str)
            .unwrap_or("otklik_bot")
    }

    /// Forgets cached rules (after an administrator changed the organisation).
    pub async fn forget_org(&self, org: i64) {
        self.orgs.write().await.remove(&org);
    }
}
