//! The delivery worker: takes outbox rows, draws each notice as a view for its recipient, and
//! hands it to the recipient's messenger (a `MessengerPort`); remembers every card it sends, and
//! redraws an incident's cards in place after every change (one drawing for cards sent fresh and
//! cards edited). Answers Otklik publishes itself go out at most once (`publish.rs`).
//!
//! Rows wait in queues, one per recipient. Queues are sent to side by side, each in its own
//! task and in order, so a chat that is slow (rate-limited, or its send stuck in a retry) delays
//! only itself; the messenger's port paces every send within its limits. A queue that grows
//! beyond what its chat takes in two minutes keeps one minute's worth and sums the rest up in
//! one message with a button to the overview.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::lease::Leased;
use super::notices::{Audience, Notice, COLLAPSIBLE_KINDS};
use super::org::OrgRules;
use super::view::View;
use super::{Core, CoreError};
use crate::domain::content::{ChatRef, IncidentRecord, Messenger};
use crate::domain::incident::{Actor, Role};
use crate::domain::PersonId;
use crate::storage::{
    Backlog, CardRow, GroupChat, OutboxMessage, OutboxRow, Recipient, StorageError,
};

/// Why a messenger did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// An edit that changes nothing (a double press): as good as done.
    #[error("the message already shows this")]
    NotModified,
    /// The message to edit is gone (deleted, or too old to edit).
    #[error("the message to edit is gone")]
    Gone,
    /// This chat cannot be written to (the person blocked the bot or never opened it).
    #[error("cannot write to this chat: {0}")]
    Unreachable(String),
    /// The group became a supergroup with a new id.
    #[error("the chat moved to {0}")]
    ChatMoved(i64),
    /// Too many messages: try again after this long.
    #[error("rate limited for {0:?}")]
    RetryAfter(StdDuration),
    /// The messenger refused the message itself; sending it again will not help.
    #[error("refused: {0}")]
    Refused(String),
    /// The network or the messenger's server failed: the message may or may not have gone out.
    #[error("failed: {0}")]
    Failed(String),
}

/// A messenger, as the core sends to it. Implemented by each messenger adapter.
#[async_trait]
pub trait MessengerPort: Send + Sync {
    fn messenger(&self) -> Messenger;

    /// The most messages one chat takes in a minute (a group's or a private chat's).
    fn per_minute(&self, group: bool) -> u32;

    /// The chat of a person's private conversation with the bot, from their account id.
    fn private_chat(&self, account: i64) -> i64 {
        account
    }

    /// Sends a view (and then its attachments); returns the message id.
    async fn send(&self, chat: i64, view: &View) -> Result<i64, SendError>;

    /// Makes a message show a view (its attachments are not sent again).
    async fn edit(&self, chat: i64, message: i64, view: &View) -> Result<(), SendError>;

    /// Posts `text` as a reply to a message (the answer under a citizen's comment); returns the
    /// new message's id and a link to it. `original_link` is the link of the message answered.
    async fn reply(
        &self,
        chat: i64,
        to_message: i64,
        text: &str,
        original_link: &str,
    ) -> Result<(i64, String), SendError>;
}

/// How a row ended.
pub(super) enum Outcome {
    Delivered,
    /// Delivered, and recorded as such by the handler itself (with its audit record).
    Recorded,
    /// The person cannot be written to: delivered as far as possible, and the curators are told.
    Unreachable(PersonId, Messenger),
    /// The messenger refused the message itself (a permanent 400): it leaves the queue as
    /// failed and the curators are told, instead of being retried forever.
    Refused(String),
    RetryIn(Duration),
}

/// How many rows of one queue one claim takes.
const PER_QUEUE: i64 = 4;
/// How many rows are out with senders at once.
const ROWS_IN_FLIGHT: usize = 64;
/// How long a handled update or an untouched conversation is remembered.
const UPDATES_KEPT_DAYS: i64 = 3;

/// Runs until cancelled: claims due rows queue by queue and sends each queue in its own task;
/// claims more as queues finish, new rows are written, or the clock jumps (and every second).
/// Sums up queues that fell behind, and prunes old bookkeeping every hour. On stop, the messages
/// in hand are finished; the rest stays queued.
pub async fn run(core: Arc<Core>, ports: Vec<Arc<dyn MessengerPort>>, cancel: CancellationToken) {
    let ports: Arc<[Arc<dyn MessengerPort>]> = ports.into();
    let mut sending: JoinSet<usize> = JoinSet::new();
    let mut in_flight = 0usize;
    let mut jumps = core.clock().jumps();
    let mut last_prune: Option<chrono::DateTime<chrono::Utc>> = None;
    let mut last_collapse: Option<std::time::Instant> = None;
    loop {
        if cancel.is_cancelled() {
            break;
        }
        if last_collapse.is_none_or(|t| t.elapsed() >= StdDuration::from_secs(1)) {
            last_collapse = Some(std::time::Instant::now());
            if let Err(e) = core.collapse_backlogs(&ports).await {
                tracing::error!(error = %e, "cannot sum up the queues that fell behind");
            }
        }
        if in_flight < ROWS_IN_FLIGHT {
            match core.claim_queues(ROWS_IN_FLIGHT - in_flight).await {
                Ok(queues) => {
                    for queue in queues {
                        in_flight += queue.len();
                        let (c, p) = (core.clone(), ports.clone());
                        sending.spawn(async move {
                            let n = queue.len();
                            c.deliver_queue(queue, &p).await;
                            n
                        });
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot claim outbox messages"),
            }
        }
        let now = core.now();
        if last_prune.is_none_or(|t| now - t > Duration::hours(1) || now < t) {
            last_prune = Some(now);
            if let Err(e) = core.prune(now).await {
                tracing::warn!(error = %e, "cannot prune old bookkeeping");
            }
        }
        tokio::select! {
            _ = cancel.cancelled() => break,
            Some(done) = sending.join_next(), if !sending.is_empty() => {
                in_flight = in_flight.saturating_sub(done.unwrap_or(0));
            }
            _ = core.outbox_written() => {}
            _ = super::clock::jumped(&mut jumps) => {}
            _ = tokio::time::sleep(StdDuration::from_secs(1)) => {}
        }
    }
    while sending.join_next().await.is_some() {}
}

pub(super) fn port_for(
    ports: &[Arc<dyn MessengerPort>],
    m: Messenger,
) -> Option<&Arc<dyn MessengerPort>> {
    ports.iter().find(|p| p.messenger() == m)
}

/// The «ещё N» row that stands for a queue's collapsed messages.
fn collapsed_row(b: &Backlog, count: i64, priority: i64, last: i64) -> OutboxRow {
    let notice = Notice::Collapsed { count };
    OutboxRow {
        incident: None,
        recipient: b.recipient,
        kind: notice.kind().to_string(),
        payload: notice.to_json(),
        key: format!("collapsed:{}:{last}", b.queue),
        priority,
    }
}

fn backoff(attempts: i64, at_least: Duration) -> Duration {
    let exp = Duration::seconds(2i64.pow(attempts.clamp(0, 8) as u32));
    exp.max(at_least).min(Duration::minutes(5))
}

impl Core {
    async fn prune(&self, now: chrono::DateTime<chrono::Utc>) -> Result<(), CoreError> {
        let updates = self
            .store
            .prune_updates(now - Duration::days(UPDATES_KEPT_DAYS))
            .await?;
        let conversations = self
            .store
            .prune_conversations(now - self.config.conversation_ttl - Duration::days(1))
            .await?;
        if updates + conversations > 0 {
            tracing::debug!(updates, conversations, "pruned old bookkeeping");
        }
        Ok(())
    }

    /// Delivers what is due now through the messengers given, queues side by side; returns how
    /// many rows were handled.
    pub async fn deliver_due(&self, ports: &[Arc<dyn MessengerPort>]) -> Result<usize, CoreError> {
        self.collapse_backlogs(ports).await?;
        let queues = self.claim_queues(ROWS_IN_FLIGHT).await?;
        let n = queues.iter().map(Vec::len).sum();
        futures_util::future::join_all(queues.into_iter().map(|q| self.deliver_queue(q, ports)))
            .await;
        Ok(n)
    }

    /// Claims due rows, grouped by queue, each queue in its order.
    async fn claim_queues(&self, rows: usize) -> Result<Vec<Vec<OutboxMessage>>, CoreError> {
        let batch = self
            .store
            .claim_outbox(
                i64::try_from(rows).unwrap_or(i64::MAX),
                PER_QUEUE,
                self.now(),
                self.lease(),
            )
            .await?;
        let mut queues: Vec<Vec<OutboxMessage>> = Vec::new();
        for m in batch {
            match queues.iter_mut().find(|q| q[0].queue == m.queue) {
                Some(q) => q.push(m),
                None => queues.push(vec![m]),
            }
        }
        Ok(queues)
    }

    /// Sends one queue's rows in order; a row that must wait holds back the rest of its queue.
    async fn deliver_queue(&self, rows: Vec<OutboxMessage>, ports: &[Arc<dyn MessengerPort>]) {
        let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
        self.while_leased(Leased::Outbox, &ids, self.send_in_order(rows, ports))
            .await
    }

    async fn send_in_order(&self, rows: Vec<OutboxMessage>, ports: &[Arc<dyn MessengerPort>]) {
        let mut rows = rows.into_iter();
        while let Some(m) = rows.next() {
            let outcome = match self.deliver_one(&m, ports).await {
                Ok(o) => o,
                Err(e) => {
                    tracing::error!(id = m.id, kind = %m.kind, error = %e, "cannot deliver an outbox message");
                    Outcome::RetryIn(Duration::seconds(60))
                }
            };
            let now = self.now();
            let recorded = match outcome {
                Outcome::Recorded => Ok(()),
                Outcome::Delivered => self
                    .store
                    .mark_delivered(m.id, now)
                    .await
                    .map_err(CoreError::from),
                Outcome::Unreachable(person, messenger) => {
                    match self.store.mark_delivered(m.id, now).await {
                        Ok(()) => self.report_unreachable(&m, person, messenger).await,
                        Err(e) => Err(e.into()),
                    }
                }
                Outcome::Refused(reason) => self.give_up(&m, &reason).await,
                Outcome::RetryIn(d) => {
                    let held: Vec<i64> = rows.by_ref().map(|r| r.id).collect();
                    let failed = self
                        .store
                        .mark_failed(m.id, "delivery failed", now + backoff(m.attempts, d))
                        .await;
                    match failed {
                        Ok(()) => self
                            .store
                            .release_outbox(&held)
                            .await
                            .map_err(CoreError::from),
                        Err(e) => Err(e.into()),
                    }
                }
            };
            if let Err(e) = recorded {
                // The lease runs out and the rows are handed out again.
                tracing::error!(id = m.id, error = %e, "cannot record a delivery");
                return;
            }
        }
    }

    /// Sums up every queue that holds more than its chat takes in two minutes: one minute's
    /// worth stays, the rest becomes one «ещё N» message with a button to the overview.
    async fn collapse_backlogs(&self, ports: &[Arc<dyn MessengerPort>]) -> Result<(), CoreError> {
        let private = ports.iter().map(|p| p.per_minute(false)).min();
        let groups = ports.iter().map(|p| p.per_minute(true)).min();
        let Some(fewest) = private.into_iter().chain(groups).min() else {
            return Ok(());
        };
        let now = self.now();
        let backlogs = self
            .store
            .backlogs(COLLAPSIBLE_KINDS, 2 * i64::from(fewest), now)
            .await?;
        for b in backlogs {
            let per_minute = match b.recipient {
                Recipient::Person(_) => private,
                Recipient::Chat(c) => port_for(ports, c.messenger).map(|p| p.per_minute(true)),
                Recipient::Worker => None,
            };
            let Some(per_minute) = per_minute.map(i64::from) else {
                continue;
            };
            if b.count <= 2 * per_minute {
                continue;
            }
            let collapsed = self
                .store
                .collapse_backlog(
                    &b,
                    COLLAPSIBLE_KINDS,
                    per_minute,
                    |count, priority, last| collapsed_row(&b, count, priority, last),
                    now,
                )
                .await?;
            if collapsed > 0 {
                tracing::info!(queue = %b.queue, collapsed, "a queue fell behind; summed up");
                self.wake_delivery();
            }
        }
        Ok(())
    }

    async fn deliver_one(
        &self,
        m: &OutboxMessage,
        ports: &[Arc<dyn MessengerPort>],
    ) -> Result<Outcome, CoreError> {
        let notice: Notice = match serde_json::from_value(m.payload.clone()) {
            Ok(n) => n,
            Err(e) => {
                // Kept in the table for someone to read, but not tried again: it would hold its
                // queue back for good.
                tracing::error!(id = m.id, error = %e, "an outbox row cannot be read; it is skipped");
                return Ok(Outcome::Delivered);
            }
        };
        let record = match m.incident {
            Some(id) => match self.store.incident(id).await {
                Ok(r) => Some(r),
                Err(StorageError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        match (&notice, record) {
            (Notice::RefreshCards, Some(r)) => self.refresh_cards(&r, ports).await,
            (Notice::AutoPublish { part }, Some(r)) => self.auto_publish(m, &r, *part, ports).await,
            (Notice::ToMonitoring { event, at }, Some(r)) => {
                self.tell_monitoring(m, &r, event, *at).await
            }
            (Notice::AppealEmail, Some(r)) => self.email_appeal(m, &r).await,
            (
                Notice::RefreshCards
                | Notice::AutoPublish { .. }
                | Notice::ToMonitoring { .. }
                | Notice::AppealEmail,
                None,
            ) => Ok(Outcome::Delivered),
            (_, record) => {
                self.deliver_notice(m, &notice, record.as_ref(), ports)
                    .await
            }
        }
    }

    /// The actor a card is drawn for: the person, or a group acting as its members would.
    async fn viewer(
        &self,
        rules: &OrgRules,
        person: Option<PersonId>,
        chat: ChatRef,
        absences: &[(PersonId, PersonId)],
    ) -> Result<Actor, CoreError> {
        if let Some(p) = person {
            return Ok(rules.actor(p, absences));
        }
        let groups = self.store.group_chat(chat).await?;
        let role = groups
            .iter()
            .find_map(|g| match g {
                GroupChat::Head(o) if *o == rules.org.id => Some(Role::Head),
                GroupChat::Curators(o) if *o == rules.org.id => Some(Role::Curator),
                _ => None,
            })
            .unwrap_or(Role::Curator);
        Ok(OrgRules::group_actor(role))
    }

    /// Sends one notice to its recipient and remembers it when it is a card.
    async fn deliver_notice(
        &self,
        m: &OutboxMessage,
        notice: &Notice,
        record: Option<&IncidentRecord>,
        ports: &[Arc<dyn MessengerPort>],
    ) -> Result<Outcome, CoreError> {
        let rules = self.org(m.org).await?;
        let (port, chat, person) = match m.recipient {
            Recipient::Worker => return Ok(Outcome::Delivered),
            Recipient::Person(p) => {
                let mut found = None;
                for messenger in self.store.messengers_of(p).await? {
                    if let (Some(port), Some(account)) = (
                        port_for(ports, messenger),
                        self.store.account_of(p, messenger).await?,
                    ) {
                        found = Some((port.clone(), port.private_chat(account)));
                        break;
                    }
                }
                match found {
                    Some((port, chat)) => (port, chat, Some(p)),
                    // Never opened the bot in a messenger Otklik runs.
                    None => {
                        let messenger = ports
                            .first()
                            .map(|p| p.messenger())
                            .unwrap_or(Messenger::Telegram);
                        return Ok(Outcome::Unreachable(p, messenger));
                    }
                }
            }
            Recipient::Chat(c) => match port_for(ports, c.messenger) {
                Some(port) => (port.clone(), c.id, None),
                None => {
                    tracing::warn!(
                        messenger = c.messenger.key(),
                        "no adapter runs for this chat's messenger"
                    );
                    return Ok(Outcome::RetryIn(Duration::minutes(5)));
                }
            },
        };
        let chat_ref = ChatRef {
            messenger: port.messenger(),
            id: chat,
        };
        let absences = match person {
            Some(_) => self.store.absences_at(rules.org.id, self.now()).await?,
            None => Vec::new(),
        };
        let viewer = self.viewer(&rules, person, chat_ref, &absences).await?;
        let view = match (notice, record) {
            (Notice::Digest { since }, _) => Some(self.digest(&rules, &viewer, *since).await?),
            (Notice::Collapsed { count }, _) => Some(self.collapsed(*count)),
            (Notice::Report { report, piece }, _) => {
                Some(self.report_piece(&rules, *report, *piece).await?)
            }
            (_, Some(r)) => self.draw_notice(&rules, notice, r, &viewer).await?,
            (_, None) => self.draw(&rules, &[], None).standalone(notice),
        };
        let Some(view) = view else {
            return Ok(Outcome::Delivered);
        };
        match port.send(chat, &view).await {
            Ok(message_id) => {
                if let (true, Some(r)) = (notice.is_card(), record) {
                    self.store
                        .add_card(&CardRow {
                            chat: chat_ref,
                            message_id,
                            incident: r.id,
                            viewer: person,
                            notice: notice.to_json(),
                            rendered: view.fingerprint(),
                        })
                        .await?;
                    // A change that landed while this card was on its way found no card to
                    // redraw: the card is brought up to date now.
                    let latest = self.store.incident(r.id).await?;
                    if latest.workflow.version != r.workflow.version {
                        self.refresh_cards(&latest, ports).await?;
                    }
                }
                Ok(Outcome::Delivered)
            }
            Err(e) => self.failed_send(e, person, chat_ref).await,
        }
    }

    /// What a failed send means for the row.
    async fn failed_send(
        &self,
        e: SendError,
        person: Option<PersonId>,
        chat: ChatRef,
    ) -> Result<Outcome, CoreError> {
        tracing::warn!(error = %e, chat = chat.id, "a message was not delivered");
        self.messenger_error(chat.messenger.key(), send_error_kind(&e));
        Ok(match e {
            SendError::NotModified => Outcome::Delivered,
            SendError::Unreachable(_) => match person {
                Some(p) => Outcome::Unreachable(p, chat.messenger),
                // A group that removed the bot: nothing to do until it is added back.
                None => Outcome::Delivered,
            },
            SendError::ChatMoved(new_id) => {
                self.store.move_chat(chat, new_id).await?;
                Outcome::RetryIn(Duration::zero())
            }
            SendError::RetryAfter(d) => {
                Outcome::RetryIn(Duration::from_std(d).unwrap_or(Duration::seconds(30)))
            }
            SendError::Refused(reason) => Outcome::Refused(reason),
            SendError::Gone | SendError::Failed(_) => Outcome::RetryIn(Duration::seconds(5)),
        })
    }

    /// The incident number a message is about (0 when none, or it is gone).
    async fn number_of(&self, m: &OutboxMessage) -> i64 {
        match m.incident {
            Some(id) => self.store.incident(id).await.map(|r| r.number).unwrap_or(0),
            None => 0,
        }
    }

    /// Rows telling the curators about a message that did not go out; never to `except` (the
    /// recipient that failed: telling it would loop). When that was the curators' group itself,
    /// each curator is told in private.
    fn tell_curators(
        rules: &OrgRules,
        m: &OutboxMessage,
        notice: &Notice,
        key: String,
        except: Recipient,
    ) -> Vec<OutboxRow> {
        let mut whom = super::notices::recipients(
            Audience::Curators,
            None,
            &super::notices::Directory {
                rules,
                absences: &[],
                on_duty: &[],
            },
        );
        if whom.contains(&except) {
            whom = rules
                .people_with(Role::Curator)
                .into_iter()
                .map(Recipient::Person)
                .collect();
        }
        whom.into_iter()
            .filter(|r| *r != except)
            .map(|r| OutboxRow {
                incident: m.incident,
                recipient: r,
                kind: notice.kind().to_string(),
                payload: notice.to_json(),
                priority: notice.priority(),
                key: key.clone(),
            })
            .collect()
    }

    /// Tells the curators that a person cannot be written to, and marks the account.
    async fn report_unreachable(
        &self,
        m: &OutboxMessage,
        person: PersonId,
        messenger: Messenger,
    ) -> Result<(), CoreError> {
        self.store.set_unreachable(person, messenger, true).await?;
        let rules = self.org(m.org).await?;
        let notice = Notice::Unreachable {
            person,
            number: self.number_of(m).await,
        };
        let key = format!("unreachable:{}:{person}", m.id);
        let rows = Self::tell_curators(&rules, m, &notice, key, Recipient::Person(person));
        self.store.enqueue(m.org, None, &rows, self.now()).await?;
        self.wake_delivery();
        Ok(())
    }

    /// Takes a refused message out of its queue and tells the curators which incident could not
    /// be shown to whom (a refused notice of that kind is not reported again: it would loop).
    async fn give_up(&self, m: &OutboxMessage, reason: &str) -> Result<(), CoreError> {
        tracing::error!(id = m.id, kind = %m.kind, incident = ?m.incident.map(|i| i.0), error = %reason, "the messenger refused a message for good; it will not be retried");
        let mut rows = Vec::new();
        if m.kind != "undeliverable" {
            let rules = self.org(m.org).await?;
            let person = match m.recipient {
                Recipient::Person(p) => Some(p),
                _ => None,
            };
            let notice = Notice::Undeliverable {
                person,
                number: self.number_of(m).await,
            };
            let key = format!("undeliverable:{}", m.id);
            rows = Self::tell_curators(&rules, m, &notice, key, m.recipient);
        }
        self.store
            .give_up_outbox(m, reason, &rows, self.now())
            .await?;
        self.wake_delivery();
        Ok(())
    }

    /// Draws every card of an incident again and edits those that would change.
    async fn refresh_cards(
        &self,
        record: &IncidentRecord,
        ports: &[Arc<dyn MessengerPort>],
    ) -> Result<Outcome, CoreError> {
        let rules = self.org(record.org).await?;
        let cards = self.store.cards_of(record.id).await?;
        if cards.is_empty() {
            return Ok(Outcome::Delivered);
        }
        let absences = self.store.absences_at(record.org, self.now()).await?;
        for card in cards {
            let Some(port) = port_for(ports, card.chat.messenger) else {
                continue;
            };
            let Ok(notice) = serde_json::from_value::<Notice>(card.notice.clone()) else {
                continue;
            };
            let viewer = self
                .viewer(&rules, card.viewer, card.chat, &absences)
                .await?;
            let Some(mut view) = self.draw_notice(&rules, &notice, record, &viewer).await? else {
                continue;
            };
            let fingerprint = view.fingerprint();
            if fingerprint == card.rendered {
                continue;
            }
            view.attachments.clear();
            match port.edit(card.chat.id, card.message_id, &view).await {
                Ok(()) | Err(SendError::NotModified) => {
                    self.store
                        .set_card_rendered(card.chat, card.message_id, fingerprint)
                        .await?
                }
                // Deleted or too old to edit: the card is sent again.
                Err(SendError::Gone) => match port.send(card.chat.id, &view).await {
                    Ok(new_id) => {
                        self.store
                            .move_card(card.chat, card.message_id, new_id, fingerprint)
                            .await?
                    }
                    Err(SendError::RetryAfter(d)) => {
                        return Ok(Outcome::RetryIn(
                            Duration::from_std(d).unwrap_or(Duration::seconds(30)),
                        ))
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot send a card again");
                        self.store
                            .set_card_rendered(card.chat, card.message_id, fingerprint)
                            .await?
                    }
                },
                Err(SendError::RetryAfter(d)) => {
                    return Ok(Outcome::RetryIn(
                        Duration::from_std(d).unwrap_or(Duration::seconds(30)),
                    ))
                }
                Err(SendError::Failed(e)) => {
                    tracing::warn!(error = %e, "cannot edit a card now");
                    return Ok(Outcome::RetryIn(Duration::seconds(5)));
                }
                Err(SendError::ChatMoved(new_id)) => {
                    self.store.move_chat(card.chat, new_id).await?;
                    return Ok(Outcome::RetryIn(Duration::zero()));
                }
                // A chat that cannot be written to, or an edit refused: not tried again.
                Err(e @ (SendError::Unreachable(_) | SendError::Refused(_))) => {
                    tracing::warn!(error = %e, "a card cannot be edited");
                    self.store
                        .set_card_rendered(card.chat, card.message_id, fingerprint)
                        .await?
                }
            }
        }
        Ok(Outcome::Delivered)
    }
}

/// The kind of a send error, as `/metrics` counts it.
fn send_error_kind(e: &SendError) -> &'static str {
    match e {
        SendError::NotModified => "not_modified",
        SendError::Gone => "gone",
        SendError::Unreachable(_) => "unreachable",
        SendError::ChatMoved(_) => "chat_moved",
        SendError::RetryAfter(_) => "rate_limited",
        SendError::Refused(_) => "refused",
        SendError::Failed(_) => "failed",
    }
}
