//! The application core: every use case in one place, knowing no messenger.
//!
//! Each thing a person can do is one call taking *who* (`Who`: a person, resolved by the adapter
//! from its messenger account, in a conversation) and *what* (a typed `Action`, a text, a
//! command), and returning *what to show* (`Reply`, made of `View`s) after committing the state
//! change (one transaction with its audit record and outbox rows), or a refusal with its reason.
//!
//! - `press` — what each button does and who may press it (`press.rs`);
//! - `message` — commands and multi-step input, kept per (messenger, chat, person) (`input.rs`,
//!   `commands.rs`, `admin.rs`);
//! - `take_in`, `channel_comment`, `author_reply` — intake (`intake.rs`);
//! - `deliver_due` — the outbox, drawn as views and handed to a messenger port, in lanes per
//!   chat within its limits (`delivery/`).
//!
//! Who may do what is the domain's (`domain::permission`); how a card looks is `cards.rs`;
//! which notice goes to whom is `notices.rs`.

pub mod action;
mod admin;
pub mod api;
pub mod appeals;
pub mod cards;
mod clarifications;
pub mod clock;
mod commands;
mod cross_posts;
pub mod delivery;
mod drawing;
pub mod error;
mod explanations;
pub mod incoming;
pub mod input;
pub mod intake;
mod lane;
mod lease;
mod metrics;
pub mod monitoring;
pub mod notices;
pub mod org;
mod overview;
mod own_answer;
mod parse;
mod press;
mod publish;
mod refusals;
mod repeats;
pub mod reports;
mod retention;
mod returns;
pub mod scheduler;
mod strangers;
mod updates;
pub mod view;
mod who;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Timelike, Utc};
use tokio::sync::Notify;

pub use action::Action;

/// After how long an update claimed and not finished may be taken over by the same process.
const UNFINISHED_CLAIM_MINUTES: i64 = 2;
pub use clock::{Clock, ManualClock, SystemClock};
pub use delivery::{MessengerPort, SendError};
pub use error::CoreError;
pub use input::Input;
pub use org::OrgRules;
pub use view::{Button, Line, Reply, Toast, View};
pub use who::{Account, Conversation, Who};

use crate::domain::content::{ChatRef, IncidentRecord, Messenger};
use crate::domain::incident::{apply, Actor, Command, Event, Incident, TransitionError};
use crate::domain::plan::Due;
use crate::domain::{IncidentId, OrgId, PersonId, Regulation};
use crate::storage::{AuditRecord, Commit, StorageError, Store};
use crate::texts::Texts;
use notices::{outbox_rows, Audience, Directory, Notice};
use org::OrgCache;

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
    pub webhook: Option<Arc<dyn monitoring::WebhookPort>>,
    /// E-mails 59-FZ appeals to the appeals offices; without it they wait.
    pub mail: Option<Arc<dyn appeals::MailPort>>,
    /// This process's name among replicas, the same after a restart (the host's name, or
    /// `OTKLIK_INSTANCE`): messages and timers it held when it died are its own to take over at
    /// once when it starts again.
    pub name: String,
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

/// What a commit carries besides what its transition's events call for.
#[derive(Debug, Default)]
pub(crate) struct Besides {
    /// More notices (the publication's own).
    pub notices: Vec<(Audience, Notice)>,
    /// The card the press was made on: redrawn before the others.
    pub pressed: Option<notices::PressedCard>,
}

/// A transition that was committed: the incident as it is now.
#[derive(Debug, Clone)]
pub(crate) struct Committed {
    pub record: IncidentRecord,
}

/// The application core.
pub struct Core {
    store: Store,
    texts: Arc<Texts>,
    config: CoreConfig,
    cache: OrgCache,
    /// Wakes the delivery worker when new outbox rows were written.
    outbox_ready: Notify,
    /// Wakes the scheduler when new timers were written.
    timers_ready: Notify,
    /// Per messenger, the start of an invite link (`https://t.me/bot?start=`).
    invite_links: std::sync::RwLock<HashMap<Messenger, String>>,
    /// This process among replicas and restarts: an update it claimed and did not finish is
    /// another process's to take over.
    instance: String,
    /// The name claims on messages and timers are made in (`CoreConfig::name`).
    name: String,
    /// The last report made (its pieces are sent one by one).
    reports: reports::ReportCache,
    /// Strangers answered lately (each is told how to get access once in a while).
    strangers: strangers::Strangers,
    /// What `/metrics` reports (`None` if the registry could not be set up: logged, not fatal).
    metrics: Option<metrics::Metrics>,
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
            reports: reports::ReportCache::default(),
            strangers: strangers::Strangers::default(),
            metrics: metrics::Metrics::new()
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
        let calendar = org.regulation.calendar_from(&self.config.calendar_text)?;
        let rules = Arc::new(OrgRules {
            org,
            calendar,
            directory,
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

    /// The directory notices are resolved against, read only as far as the audiences need.
    async fn notice_directory(
        &self,
        rules: &OrgRules,
        audiences: &[Audience],
    ) -> Result<(Vec<(PersonId, PersonId)>, Vec<PersonId>), CoreError> {
        let now = self.now();
        let absences = if audiences.iter().any(|a| {
            matches!(
                a,
                Audience::Executor(_) | Audience::DepartmentHead(_) | Audience::Owner { .. }
            )
        }) {
            self.store.absences_at(rules.org.id, now).await?
        } else {
            Vec::new()
        };
        let on_duty = if audiences
            .iter()
            .any(|a| matches!(a, Audience::FirstOnDuty | Audience::RestOnDuty))
        {
            self.store
                .on_duty(rules.org.id, duty_day(rules, now))
                .await?
        } else {
            Vec::new()
        };
        Ok((absences, on_duty))
    }

    /// Quiet hours for an incident's notices now: outside the organisation's working time,
    /// unless the incident is an emergency the regulation handles on days off.
    pub(crate) fn quiet(&self, rules: &OrgRules, incident: &Incident) -> Option<notices::Quiet> {
        if incident.is_emergency(rules.regulation()) {
            return None;
        }
        let now = self.now();
        // Outside the calendar's years nothing is held: better a message at night than none.
        if rules.calendar.is_working(now).unwrap_or(true) {
            return None;
        }
        let until = rules.calendar.next_working_instant(now).ok()?;
        Some(notices::Quiet {
            until,
            day: rules.calendar.local_date(until),
            now,
        })
    }

    /// The outbox rows for notices about an incident (and the digests quiet hours turn them
    /// into).
    pub(crate) async fn rows_for(
        &self,
        rules: &OrgRules,
        incident: &Incident,
        notices: &[(Audience, Notice)],
        tag: &str,
    ) -> Result<notices::Planned, CoreError> {
        let audiences: Vec<Audience> = notices.iter().map(|(a, _)| *a).collect();
        let (absences, on_duty) = self.notice_directory(rules, &audiences).await?;
        let dir = Directory {
            rules,
            absences: &absences,
            on_duty: &on_duty,
        };
        let quiet = self.quiet(rules, incident);
        Ok(outbox_rows(notices, incident, &dir, tag, quiet.as_ref()))
    }

    /// What a transition writes, as a commit: its notices (with `extra` ones) as outbox rows (or
    /// digests, in quiet hours), its audit record, the incident's timers now, and its deadlines.
    pub(crate) async fn prepare_commit<'t>(
        &self,
        rules: &OrgRules,
        actor: PersonId,
        record: &IncidentRecord,
        command: &Command,
        t: &'t crate::domain::incident::Transition,
        besides: Besides,
    ) -> Result<Commit<'t>, CoreError> {
        let Besides {
            notices: extra,
            pressed,
        } = besides;
        let mut notices =
            notices::notices_for(&t.events, &t.incident, rules, record.reply_to.is_some());
        // The card pressed is redrawn before the others.
        for (_, n) in notices.iter_mut() {
            if let Notice::RefreshCards { pressed: first } = n {
                *first = pressed;
            }
        }
        notices.extend(monitoring::reports_for(
            &t.events,
            &t.incident,
            record,
            rules,
            self.now(),
        ));
        // Vorsino 2.9, Sakhalin 3.8: a converted appeal goes to the appeals office by e-mail.
        if rules.org.appeals.is_some() && t.events.contains(&Event::ConvertedToAppeal) {
            notices.push((Audience::Worker, Notice::AppealEmail));
        }
        notices.extend(extra);
        let planned = self
            .rows_for(
                rules,
                &t.incident,
                &notices,
                &format!("v{}", t.incident.version),
            )
            .await?;
        let (next_deadline, part_due) = deadlines(&t.incident, rules.regulation());
        Ok(Commit {
            org: record.org,
            incident: record.id,
            expected_version: record.workflow.version,
            workflow: &t.incident,
            next_deadline,
            part_due,
            audit: vec![audit_record(
                actor,
                self.now(),
                command,
                &record.workflow,
                t,
            )?],
            outbox: planned.rows,
            timers: scheduler::timer_rows(&t.incident, rules)?,
            org_timers: planned.digests,
        })
    }

    /// Applies a command to an incident and commits it with its audit record and notices, in
    /// one transaction conditional on the version read; on a conflict reads again and decides
    /// again. `Ok(Err(_))` is a refusal (nothing written).
    pub(crate) async fn transition(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        command: &Command,
    ) -> Result<Result<Committed, TransitionError>, CoreError> {
        self.transition_pressed(rules, actor, record, command, None)
            .await
    }

    /// The same, for a press on `pressed`: that card is redrawn first.
    pub(crate) async fn transition_pressed(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        mut record: IncidentRecord,
        command: &Command,
        pressed: Option<notices::PressedCard>,
    ) -> Result<Result<Committed, TransitionError>, CoreError> {
        for _ in 0..5 {
            let now = self.now();
            let t = match apply(&record.workflow, command, actor, now, rules.rules()) {
                Ok(t) => t,
                Err(e) => return Ok(Err(e)),
            };
            let commit = self
                .prepare_commit(
                    rules,
                    actor.person,
                    &record,
                    command,
                    &t,
                    Besides {
                        pressed,
                        ..Besides::default()
                    },
                )
                .await?;
            if self.store.commit(&commit, now).await? {
                self.wake_delivery();
                self.timers_written();
                record.workflow = t.incident;
                // A topic set after intake: repeats and bursts are looked for again.
                for e in &t.events {
                    if let Event::Classified {
                        topic: Some(topic), ..
                    } = e
                    {
                        // The topic is recorded; a failure here must not undo that answer.
                        if let Err(e) = self.topic_set(rules, &record, topic).await {
                            tracing::error!(incident = record.number, error = %e, "cannot look for a repeat or a burst after the topic was set");
                        }
                    }
                }
                return Ok(Ok(Committed { record }));
            }
            // Someone else changed the incident first: read it again and decide again.
            record = self.store.incident(record.id).await?;
        }
        Err(CoreError::Conflict)
    }
}

/// The audit's from/to state: the incident state and each part's state.
/// The date of the duty roster that covers `now`: the day off it falls in, or (after the last
/// working hours before days off) the first of them (`days_off::duty_day`); otherwise today.
pub(crate) fn duty_day(rules: &OrgRules, now: DateTime<Utc>) -> chrono::NaiveDate {
    crate::domain::days_off::duty_day(&rules.calendar, now)
        .ok()
        .flatten()
        .unwrap_or_else(|| rules.calendar.local_date(now))
}

pub(crate) fn state_summary(i: &Incident) -> String {
    let mut s = i.state.key().to_string();
    if !i.parts.is_empty() {
        let parts: Vec<&str> = i.parts.iter().map(|p| p.state.key()).collect();
        s.push_str(&format!(" [{}]", parts.join(", ")));
    }
    s
}

/// The audit record of a transition.
pub(crate) fn audit_record(
    actor: PersonId,
    at: DateTime<Utc>,
    command: &Command,
    before: &Incident,
    t: &crate::domain::incident::Transition,
) -> Result<AuditRecord, CoreError> {
    Ok(AuditRecord {
        actor,
        at,
        command: command.key().to_string(),
        from_state: Some(state_summary(before)),
        to_state: Some(state_summary(&t.incident)),
        payload: serde_json::to_value(command)?,
        events: serde_json::to_value(&t.events)?,
    })
}

/// The earliest deadline of the stages now running, and each part's current deadline (kept for
/// the scheduler and for `/my`).
pub(crate) fn deadlines(
    incident: &Incident,
    regulation: &Regulation,
) -> (Option<DateTime<Utc>>, Vec<Option<DateTime<Utc>>>) {
    let finished = incident.state.is_finished();
    let part_due: Vec<Option<DateTime<Utc>>> = incident
        .parts
        .iter()
        .map(|p| {
            if finished {
                return None;
            }
            p.current_deadline(regulation)
                .and_then(|(_, d)| d.instant())
        })
        .collect();
    let mut all: Vec<Due> = Vec::new();
    if let Some((_, d)) = incident.current_deadline() {
        all.push(d);
    }
    let next = all
        .iter()
        .filter_map(Due::instant)
        .chain(part_due.iter().flatten().copied())
        .min();
    (next, part_due)
}
