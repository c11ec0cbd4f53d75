//! The `Core` every use case is a method of: the store, the texts, the clock, the organisations'
//! cache, the wake-ups of the delivery worker and the scheduler — and who a messenger account is.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Timelike, Utc};
use tokio::sync::Notify;

use crate::core::org::OrgCache;

use crate::core::error::CoreError;
use crate::core::org::OrgRules;
use crate::core::time::clock::{Clock, SystemClock};
use crate::core::who::{Account, Conversation, Who};
use crate::domain::content::{ChatRef, IncidentRecord, Messenger};
use crate::domain::incident::Actor;
use crate::domain::{IncidentId, OrgId, PersonId};
use crate::storage::{StorageError, Store};
use crate::texts::Texts;

/// Settings of the core.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    /// The production calendar (TOML text).
    pub calendar_text: String,
    /// How far back a message from the same author or link on the same topic is a repeat.
    pub repeat_window: Duration,
    /// How long a pending multi-step input waits for the person's next message.
    pub conversation_ttl: Duration,
    pub clock: Arc<dyn Clock>,
    /// Posts reports to the organisations' monitoring systems; without it they wait.
    pub webhook: Option<Arc<dyn crate::core::integrations::monitoring::WebhookPort>>,
    /// E-mails 59-FZ appeals to the appeals offices; without it they wait.
    pub mail: Option<Arc<dyn crate::core::workflow::appeals::MailPort>>,
    /// This process's name among replicas, the same after a restart (the host's name, or
    /// `OTKLIK_INSTANCE`): messages and timers it held when it died are its own to take over at
    /// once when it starts again.
    pub name: String,
    /// The address the monitoring systems reach Otklik at (`OTKLIK_PUBLIC_URL`): the links to
    /// drafts' files start with it.
    pub public_url: String,
    /// How long a link to a draft's file stays valid.
    pub file_link_ttl: Duration,
}

impl CoreConfig {
    pub fn new(calendar_text: String) -> CoreConfig {
        CoreConfig {
            calendar_text,
            repeat_window: Duration::days(30),
            conversation_ttl: Duration::hours(24),
            clock: Arc::new(SystemClock),
            webhook: None,
            mail: None,
            name: default_name(),
            public_url: "http://127.0.0.1:8080".to_string(),
            file_link_ttl: Duration::days(7),
        }
    }
}

/// The host's name: what a process is called among replicas unless told otherwise.
pub fn default_name() -> String {
    hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "otklik".to_string())
}

/// The application core.
pub struct Core {
    pub(crate) store: Store,
    pub(crate) texts: Arc<Texts>,
    pub(crate) config: CoreConfig,
    pub(crate) cache: OrgCache,
    /// Wakes the delivery worker when new outbox rows were written.
    pub(crate) outbox_ready: Notify,
    /// Wakes the scheduler when new timers were written.
    pub(crate) timers_ready: Notify,
    /// Per messenger, the start of an invite link (`https://t.me/bot?start=`).
    pub(crate) invite_links: std::sync::RwLock<HashMap<Messenger, String>>,
    /// This process among replicas and restarts: an update it claimed and did not finish is
    /// another process's to take over.
    pub(crate) instance: String,
    /// The name claims on messages and timers are made in (`CoreConfig::name`).
    pub(crate) name: String,
    /// The last report made (its pieces are sent one by one).
    pub(crate) reports: crate::core::reports::ReportCache,
    /// Strangers answered lately (each is told how to get access once in a while).
    pub(crate) strangers: crate::core::admin::strangers::Strangers,
    /// What `/metrics` reports (`None` if the registry could not be set up: logged, not fatal).
    pub(crate) metrics: Option<crate::core::admin::metrics::Metrics>,
}

impl Core {
    pub fn new(store: Store, texts: Texts, config: CoreConfig) -> Core {
        Core {
            store,
            texts: Arc::new(texts),
            name: config.name.clone(),
            config,
            cache: OrgCache::default(),
            outbox_ready: Notify::new(),
            timers_ready: Notify::new(),
            invite_links: std::sync::RwLock::new(HashMap::new()),
            instance: rand::distributions::DistString::sample_string(
                &rand::distributions::Alphanumeric,
                &mut rand::thread_rng(),
                16,
            ),
            reports: crate::core::reports::ReportCache::default(),
            strangers: crate::core::admin::strangers::Strangers::default(),
            metrics: crate::core::admin::metrics::Metrics::new()
                .map_err(|e| tracing::error!(error = %e, "metrics are off"))
                .ok(),
        }
    }

    /// The store (for the command line and tests; adapters go through the core's calls).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn texts(&self) -> &Texts {
        &self.texts
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.config.clock
    }

    /// Now, to the whole second (deadlines are exact to the second).
    pub fn now(&self) -> DateTime<Utc> {
        let t = self.config.clock.now();
        t.with_nanosecond(0).unwrap_or(t)
    }

    /// Wakes the delivery worker.
    pub fn wake_delivery(&self) {
        self.outbox_ready.notify_one();
    }

    /// Waits until new outbox rows are written (the delivery worker's wake-up).
    pub async fn outbox_written(&self) {
        self.outbox_ready.notified().await
    }

    /// Wakes the scheduler.
    pub fn timers_written(&self) {
        self.timers_ready.notify_one();
    }

    /// Waits until new timers are written (the scheduler's wake-up).
    pub async fn timer_written(&self) {
        self.timers_ready.notified().await
    }

    /// Remembers how invite links look in a messenger (the adapter learns its bot's name).
    pub fn set_invite_link(&self, messenger: Messenger, start: &str) {
        if let Ok(mut links) = self.invite_links.write() {
            links.insert(messenger, start.to_string());
        }
    }

    pub(crate) fn invite_link(&self, messenger: Messenger, code: &str) -> String {
        let start = self
            .invite_links
            .read()
            .ok()
            .and_then(|l| l.get(&messenger).cloned())
            .unwrap_or_else(|| "https://t.me/otklik_bot?start=".to_string());
        format!("{start}{code}")
    }

    /// An organisation's rules and directory, reloaded when its version changed.
    pub async fn org(&self, id: OrgId) -> Result<Arc<OrgRules>, CoreError> {
        let version = self.store.organisation_version(id).await?;
        self.org_at(id, version).await
    }

    /// The same, with the version already read.
    pub(crate) async fn org_at(&self, id: OrgId, version: i64) -> Result<Arc<OrgRules>, CoreError> {
        if let Some(r) = self.cache.get(id, version).await {
            return Ok(r);
        }
        let org = self.store.organisation(id).await?;
        let directory = self.store.directory(id).await?;
        let templates = self.store.templates(id).await?;
        let calendar = org.regulation.calendar_from(&self.config.calendar_text)?;
        let rules = Arc::new(OrgRules {
            org,
            calendar,
            directory,
            templates,
        });
        self.cache.put(rules.clone()).await;
        Ok(rules)
    }

    /// The person behind a messenger account, in a conversation; `None` for a stranger (or a
    /// person who was deactivated). Someone who writes can be reached again.
    pub async fn identify(
        &self,
        account: Account,
        place: Conversation,
    ) -> Result<Option<Who>, CoreError> {
        let Some(holder) = self
            .store
            .account_holder(account.messenger, account.id)
            .await?
        else {
            return Ok(None);
        };
        // Writing in private shows the chat is open again; a press in a group shows nothing of
        // the kind (the person may still have blocked the bot).
        let reachable = !holder.unreachable || place.private;
        if holder.unreachable && place.private {
            self.store
                .set_unreachable(holder.person, account.messenger, false)
                .await?;
        }
        // The directory as of this read is what the person's next step will see.
        self.org_at(holder.org, holder.org_version).await?;
        Ok(Some(Who {
            person: holder.person,
            org: holder.org,
            place,
            // A person's private chat with a bot has their account's id, in both messengers; one
            // that cannot be written to is no place to continue in.
            private: reachable.then_some(ChatRef {
                messenger: account.messenger,
                id: account.id,
            }),
        }))
    }

    /// When a group is an organisation's channel discussion group: `Some` with the channel's
    /// username (for links to comments), if known.
    pub async fn discussion_channel(
        &self,
        chat: ChatRef,
    ) -> Result<Option<Option<String>>, CoreError> {
        Ok(self
            .store
            .group_chat(chat)
            .await?
            .into_iter()
            .find_map(|g| match g {
                crate::storage::GroupChat::Discussion {
                    channel_username, ..
                } => Some(channel_username),
                _ => None,
            }))
    }

    /// Whether a group is one the person's organisation works in (its curators' or head's chat);
    /// Otklik stays silent in any other group.
    pub(crate) async fn works_in(&self, who: &Who) -> Result<bool, CoreError> {
        if who.in_private() {
            return Ok(true);
        }
        Ok(self
            .store
            .group_chat(who.chat())
            .await?
            .iter()
            .any(|g| match g {
                crate::storage::GroupChat::Curators(o) | crate::storage::GroupChat::Head(o) => {
                    *o == who.org()
                }
                crate::storage::GroupChat::Discussion { .. } => false,
            }))
    }

    /// A person in a conversation, by id (the command line and tests act as someone this way).
    pub async fn who(
        &self,
        person: PersonId,
        place: Conversation,
    ) -> Result<Option<Who>, CoreError> {
        let p = match self.store.person(person).await {
            Ok(p) => p,
            Err(StorageError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if !p.active {
            return Ok(None);
        }
        let messenger = place.chat.messenger;
        let private = self
            .store
            .account_of(person, messenger)
            .await?
            .map(|id| ChatRef { messenger, id });
        Ok(Some(Who {
            person,
            org: p.org,
            place,
            private,
        }))
    }

    /// The organisation and the actor a person is now.
    pub(crate) async fn actor_of(&self, who: &Who) -> Result<(Arc<OrgRules>, Actor), CoreError> {
        let rules = self.org(who.org).await?;
        self.actor_in(&rules, who).await.map(|actor| (rules, actor))
    }

    /// The actor a person is now, in an organisation already loaded.
    pub(crate) async fn actor_in(&self, rules: &OrgRules, who: &Who) -> Result<Actor, CoreError> {
        let absences = self.store.absences_at(who.org, self.now()).await?;
        Ok(rules.actor(who.person, &absences))
    }

    /// An incident of the caller's organisation; `None` for an unknown id or another
    /// organisation's incident (a forged button).
    pub(crate) async fn incident_of(
        &self,
        org: OrgId,
        id: IncidentId,
    ) -> Result<Option<IncidentRecord>, CoreError> {
        Ok(self.incident_and_rules(org, id).await?.map(|(r, _)| r))
    }

    /// The same, with the organisation's rules as of the same read (the incident is read with
    /// its organisation's directory version, so one read serves both).
    pub(crate) async fn incident_and_rules(
        &self,
        org: OrgId,
        id: IncidentId,
    ) -> Result<Option<(IncidentRecord, Arc<OrgRules>)>, CoreError> {
        match self.store.incident_with_org_version(id).await {
            Ok((record, version)) if record.org == org => {
                let rules = self.org_at(org, version).await?;
                Ok(Some((record, rules)))
            }
            Ok(_) | Err(StorageError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}
