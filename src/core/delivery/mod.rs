//! Delivery: what leaves the outbox, in which order, at what pace.
//!
//! Every message waits in the outbox (written in the same transaction as the change that caused
//! it; an answer to a press right after that change is committed), in a queue per recipient and
//! a lane per kind (`notices::Lane`: an answer to a person's own press, then what someone must
//! act on, then new triage cards, then information). The worker here decides, for every chat,
//! what goes next:
//!
//! - each queue offers its first message (by lane; within a lane an incident's messages keep
//!   their order, and a message waiting for a retry holds back only its own incident's);
//! - a chat has one message out at a time, and gets the next only when its messenger's limits
//!   have room (`MessengerPort::try_turn`) — so the chat's next turn goes to whatever matters
//!   most at that moment, not to what was claimed first, and a crash can repeat at most the one
//!   message a chat had out;
//! - a failure delays that message (1–2 s, doubling to 30 s; a 429 exactly its `retry_after`,
//!   and holds only that chat), never its queue; a permanent refusal leaves the queue and is
//!   reported (`send.rs`).
//!
//! Card redraws are coalesced (`cards.rs`): a change asks for every card whose drawing changed
//! to be redrawn once, as the incident is when the chat's turn comes, the pressed card first. A
//! group's triage cards beyond what its minute carries are summed up in one message
//! (`backlog.rs`). A process keeps each messenger's limits for what it sends itself, and is told
//! at start what went to the groups in the last minute.
//!
//! It decides no use case: what a notice says is `cards/`, who gets it `notices/`; it sends,
//! retries and records how each row ended — and what Otklik posts itself (`publish.rs`) is
//! recorded through `workflow/commit.rs` like any press.

mod backlog;
mod cards;
pub(crate) mod drawing;
pub(crate) mod lane;
pub(crate) mod lease;
pub(crate) mod port;
pub(crate) mod publish;
mod send;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, Timelike};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::core::delivery::lane::Lane;
use crate::core::delivery::lease::Leased;
use crate::core::{Core, CoreError};
use crate::domain::content::Messenger;
use crate::domain::PersonId;
use crate::storage::{OutboxMessage, Recipient};
pub(crate) use port::Outcome;
pub use port::{FetchedFile, MessengerPort, SendError};

/// Where a message goes, as far as pacing is concerned: a messenger's chat, or (for the
/// worker's own work, and a person not yet found) its queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Dest {
    Chat(Messenger, i64),
    Queue(String),
}

/// Of a group's minute, the places new cards and information leave free for what people do in
/// it (an approval card, the redraw of a card someone pressed): a batch of new cards never
/// fills the minute on its own.
const KEPT_FOR_PEOPLE: u32 = 4;
/// How many messages are out with senders at once (each renews its lease while out).
const OUT_AT_ONCE: usize = 64;
/// How many queues' next messages one round looks at.
const HEADS_PER_ROUND: i64 = 512;
/// How long a person's private chat, once found, is trusted without looking again.
const CHAT_KEPT: StdDuration = StdDuration::from_secs(60);
/// How long the worker sleeps at most (the clock may have made retries due).
const IDLE: StdDuration = StdDuration::from_secs(1);
/// How long a handled update or an untouched conversation is remembered.
const UPDATES_KEPT_DAYS: i64 = 3;

/// The worker's memory: which chats have a message out, and where people's private chats are.
pub(super) struct Dispatcher {
    ports: Arc<[Arc<dyn MessengerPort>]>,
    busy: HashSet<Dest>,
    chats_of: HashMap<PersonId, (Option<(Messenger, i64)>, Instant)>,
}

impl Dispatcher {
    pub(super) fn new(ports: Arc<[Arc<dyn MessengerPort>]>) -> Dispatcher {
        Dispatcher {
            ports,
            busy: HashSet::new(),
            chats_of: HashMap::new(),
        }
    }
}

/// Runs until cancelled: sends what each chat should get next, as each chat's limits allow;
/// sums up what fell behind; prunes old bookkeeping every hour. On stop, the messages out are
/// finished and recorded; nothing else is started.
pub async fn run(core: Arc<Core>, ports: Vec<Arc<dyn MessengerPort>>, cancel: CancellationToken) {
    let ports: Arc<[Arc<dyn MessengerPort>]> = ports.into();
    let mut dispatcher = Dispatcher::new(ports.clone());
    let mut sending: JoinSet<Option<chrono::DateTime<chrono::Utc>>> = JoinSet::new();
    // When the earliest message tried in vain comes due again (the worker wakes for it).
    let mut retry: Option<chrono::DateTime<chrono::Utc>> = None;
    let mut out: HashMap<tokio::task::Id, Dest> = HashMap::new();
    let mut jumps = core.clock().jumps();
    let mut last_prune: Option<chrono::DateTime<chrono::Utc>> = None;
    let mut last_sum_up: Option<Instant> = None;
    if let Err(e) = core.recall_recent_sends(&ports).await {
        tracing::warn!(error = %e, "cannot read what went to the groups in the last minute");
    }
    loop {
        if cancel.is_cancelled() {
            break;
        }
        if last_sum_up.is_none_or(|t| t.elapsed() >= IDLE) {
            last_sum_up = Some(Instant::now());
            if let Err(e) = core.sum_up_backlogs(&ports).await {
                tracing::error!(error = %e, "cannot sum up the queues that fell behind");
            }
        }
        let mut wake = Instant::now() + IDLE;
        if let Some(at) = retry.take() {
            match (at - core.clock().now()).to_std() {
                // Due now or past: looked for in this round.
                Err(_) => {}
                Ok(wait) => {
                    wake = wake.min(Instant::now() + wait);
                    retry = Some(at);
                }
            }
        }
        match core.dispatch(&mut dispatcher).await {
            Ok((claimed, next)) => {
                if let Some(next) = next {
                    wake = wake.min(next);
                }
                for (m, dest) in claimed {
                    dispatcher.busy.insert(dest.clone());
                    let (c, p, d) = (core.clone(), ports.clone(), dest.clone());
                    let task = sending.spawn(async move { c.deliver_leased(m, d, &p).await });
                    out.insert(task.id(), dest);
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot claim outbox messages"),
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
            Some(done) = sending.join_next_with_id(), if !sending.is_empty() => {
                // Every send that has finished by now frees its chat before the next round.
                let mut finished = vec![done];
                while let Some(more) = sending.try_join_next_with_id() {
                    finished.push(more);
                }
                for done in finished {
                    let id = match done {
                        Ok((id, again)) => {
                            if let Some(at) = again {
                                retry = Some(retry.map_or(at, |r| r.min(at)));
                            }
                            id
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "a delivery task failed");
                            e.id()
                        }
                    };
                    if let Some(dest) = out.remove(&id) {
                        dispatcher.busy.remove(&dest);
                    }
                }
            }
            _ = core.outbox_written() => {}
            _ = crate::core::time::clock::jumped(&mut jumps) => {}
            _ = tokio::time::sleep_until(wake) => {}
        }
    }
    // What is out is finished and recorded, so a restart sends none of it again.
    while sending.join_next().await.is_some() {}
}

pub(super) fn port_for(
    ports: &[Arc<dyn MessengerPort>],
    m: Messenger,
) -> Option<&Arc<dyn MessengerPort>> {
    ports.iter().find(|p| p.messenger() == m)
}

/// Gives back a turn taken for a message to `dest` that did not use it.
fn give_back(ports: &[Arc<dyn MessengerPort>], dest: &Dest) {
    if let Dest::Chat(messenger, chat) = dest {
        if let Some(port) = port_for(ports, *messenger) {
            port.give_back(*chat);
        }
    }
}

/// After `attempts` tries that failed for the network or the server (a 429 is not counted):
/// 1–2 s, doubling each time, never more than 30 s.
fn backoff(attempts: i64) -> Duration {
    use rand::Rng;
    let doubling = 2f64.powi(i32::try_from(attempts.clamp(1, 6) - 1).unwrap_or(5));
    let seconds = (rand::thread_rng().gen_range(1.0..2.0) * doubling).min(30.0);
    Duration::milliseconds((seconds * 1000.0) as i64)
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
        // An answer shown to a person (a prompt, a preview of what they typed) is kept a day.
        let answers = self
            .store
            .forget_all_answers(now - Duration::days(1))
            .await?;
        if updates + conversations + answers > 0 {
            tracing::debug!(updates, conversations, answers, "pruned old bookkeeping");
        }
        Ok(())
    }

    /// Tells each messenger what went to its group chats in the last minute (before this
    /// process started), so a restart does not send a group a second minute's worth at once.
    async fn recall_recent_sends(&self, ports: &[Arc<dyn MessengerPort>]) -> Result<(), CoreError> {
        let now = self.now();
        for (chat, at) in self
            .store
            .recent_group_sends(now - Duration::seconds(61))
            .await?
        {
            if let (Some(port), Ok(ago)) = (port_for(ports, chat.messenger), (now - at).to_std()) {
                port.sent_before(chat.id, ago);
            }
        }
        Ok(())
    }

    /// The moment `d` from now, rounded up to the whole second the outbox keeps (so a message
    /// never comes due before its wait is over).
    fn after(&self, d: Duration) -> chrono::DateTime<chrono::Utc> {
        let at = self.clock().now() + d;
        let whole = at.with_nanosecond(0).unwrap_or(at);
        if whole < at {
            whole + Duration::seconds(1)
        } else {
            whole
        }
    }

    /// Hands back every claim this process's name held (its predecessor died holding them):
    /// called once at start, before the worker runs.
    pub async fn take_over_own_claims(&self) -> Result<(), CoreError> {
        if !self.store.hold_name(&self.name).await? {
            tracing::warn!(
                instance = %self.name,
                "another running process has this name: give each replica its own OTKLIK_INSTANCE; \
                 claims are left to run out"
            );
            return Ok(());
        }
        let n = self.store.release_claims_of(&self.name).await?;
        if n > 0 {
            tracing::info!(
                messages = n,
                instance = %self.name,
                "took over the messages this instance had out when it stopped"
            );
        }
        Ok(())
    }

    /// Delivers one round of what is due through the messengers given: each chat's next
    /// message, where the chat's limits have room. Returns how many rows were handled (tests
    /// call it until it returns 0).
    pub async fn deliver_due(&self, ports: &[Arc<dyn MessengerPort>]) -> Result<usize, CoreError> {
        let ports: Arc<[Arc<dyn MessengerPort>]> = ports.to_vec().into();
        self.sum_up_backlogs(&ports).await?;
        let mut dispatcher = Dispatcher::new(ports.clone());
        let (claimed, _) = self.dispatch(&mut dispatcher).await?;
        let n = claimed.len();
        futures_util::future::join_all(
            claimed
                .into_iter()
                .map(|(m, dest)| self.deliver_leased(m, dest, &ports)),
        )
        .await;
        Ok(n)
    }

    /// One round: of each queue's next message, those whose chat is free and has room now are
    /// claimed (their turns taken); returns them with where they go, and when the first of the
    /// rest will have room.
    pub(super) async fn dispatch(
        &self,
        d: &mut Dispatcher,
    ) -> Result<(Vec<(OutboxMessage, Dest)>, Option<Instant>), CoreError> {
        let now = self.now();
        let heads = self.store.next_in_queues(HEADS_PER_ROUND, now).await?;
        let mut chosen: Vec<(i64, Dest)> = Vec::new();
        let mut next: Option<Instant> = None;
        for head in &heads {
            if d.busy.len() + chosen.len() >= OUT_AT_ONCE {
                break;
            }
            let dest = self.dest_of(d, head).await?;
            if d.busy.contains(&dest) || chosen.iter().any(|(_, c)| *c == dest) {
                continue;
            }
            if let Dest::Chat(messenger, chat) = dest {
                if let Some(port) = port_for(&d.ports, messenger) {
                    let keep_free = if head.lane < Lane::NewCard.number() {
                        0
                    } else {
                        KEPT_FOR_PEOPLE
                    };
                    if let Err(at) = port.try_turn(chat, keep_free) {
                        next = Some(next.map_or(at, |n| n.min(at)));
                        continue;
                    }
                }
            }
            chosen.push((head.id, dest));
        }
        let ids: Vec<i64> = chosen.iter().map(|(id, _)| *id).collect();
        let claimed = match self
            .store
            .claim_outbox(&ids, now, self.lease(), &self.name)
            .await
        {
            Ok(claimed) => claimed,
            Err(e) => {
                for (_, dest) in &chosen {
                    give_back(&d.ports, dest);
                }
                return Err(e.into());
            }
        };
        let mut out = Vec::with_capacity(claimed.len());
        for (id, dest) in chosen {
            match claimed.iter().find(|m| m.id == id) {
                Some(m) => out.push((m.clone(), dest)),
                // Another replica was quicker: the turn was not used.
                None => give_back(&d.ports, &dest),
            }
        }
        Ok((out, next))
    }

    /// Where a message goes: its group chat, the person's private chat (as last found), or its
    /// queue for work that is not a chat's.
    async fn dest_of(&self, d: &mut Dispatcher, m: &OutboxMessage) -> Result<Dest, CoreError> {
        Ok(match m.recipient {
            Recipient::Chat(c) => Dest::Chat(c.messenger, c.id),
            Recipient::Worker => Dest::Queue(m.queue.clone()),
            Recipient::Person(p) => {
                let fresh = d
                    .chats_of
                    .get(&p)
                    .filter(|(_, at)| at.elapsed() < CHAT_KEPT)
                    .map(|(chat, _)| *chat);
                let chat = match fresh {
                    Some(chat) => chat,
                    None => {
                        let chat = self.private_chat_of(&d.ports, p).await?;
                        d.chats_of.insert(p, (chat, Instant::now()));
                        chat
                    }
                };
                match chat {
                    Some((messenger, chat)) => Dest::Chat(messenger, chat),
                    // Nobody to pace for: the send finds out and reports it.
                    None => Dest::Queue(m.queue.clone()),
                }
            }
        })
    }

    /// A person's private chat in the first messenger they use that Otklik runs.
    pub(super) async fn private_chat_of(
        &self,
        ports: &[Arc<dyn MessengerPort>],
        person: PersonId,
    ) -> Result<Option<(Messenger, i64)>, CoreError> {
        for messenger in self.store.messengers_of(person).await? {
            if let (Some(port), Some(account)) = (
                port_for(ports, messenger),
                self.store.account_of(person, messenger).await?,
            ) {
                return Ok(Some((messenger, port.private_chat(account))));
            }
        }
        Ok(None)
    }

    /// Sends one claimed message, keeping its lease while it is out, and records how it ended.
    async fn deliver_leased(
        &self,
        m: OutboxMessage,
        dest: Dest,
        ports: &Arc<[Arc<dyn MessengerPort>]>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let ids = [m.id];
        self.while_leased(
            Leased::Outbox,
            &ids,
            self.deliver_and_record(m, dest, ports),
        )
        .await
    }

    /// Sends a message and records how it ended; returns when it comes due again, if it is to
    /// be tried again.
    async fn deliver_and_record(
        &self,
        m: OutboxMessage,
        dest: Dest,
        ports: &Arc<[Arc<dyn MessengerPort>]>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let outcome = match self.deliver_one(&m, &dest, ports).await {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(id = m.id, kind = %m.kind, error = %e, "cannot deliver an outbox message");
                Outcome::RetryIn(Duration::seconds(60))
            }
        };
        let now = self.now();
        let mut again = None;
        let recorded = match outcome {
            Outcome::Recorded => Ok(()),
            Outcome::Delivered => self
                .store
                .mark_delivered(m.id, now)
                .await
                .map_err(Into::into),
            Outcome::Skipped => {
                give_back(ports, &dest);
                self.store
                    .mark_delivered(m.id, now)
                    .await
                    .map_err(Into::into)
            }
            Outcome::Unreachable(person, messenger) => {
                match self.store.mark_delivered(m.id, now).await {
                    Ok(()) => self.report_unreachable(&m, person, messenger).await,
                    Err(e) => Err(e.into()),
                }
            }
            Outcome::Refused(reason) => self.give_up(&m, &reason).await,
            Outcome::RetryIn(d) => {
                let at = now + d;
                again = Some(at);
                self.store
                    .mark_failed(m.id, "delivery failed", at)
                    .await
                    .map_err(Into::into)
            }
            Outcome::Postponed(d) => {
                let at = self.after(d);
                again = Some(at);
                self.store
                    .postpone_outbox(m.id, at)
                    .await
                    .map_err(Into::into)
            }
            Outcome::Failed => {
                let at = self.after(backoff(m.attempts));
                again = Some(at);
                self.store
                    .mark_failed(m.id, "delivery failed", at)
                    .await
                    .map_err(Into::into)
            }
        };
        if let Err(e) = recorded {
            // The lease runs out and the message is handed out again.
            tracing::error!(id = m.id, error = %e, "cannot record a delivery");
        }
        again
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_message_waits_one_to_two_seconds_then_doubling_to_thirty() {
        for _ in 0..50 {
            let first = backoff(1).num_milliseconds();
            assert!((1000..2000).contains(&first), "{first}");
            let third = backoff(3).num_milliseconds();
            assert!((4000..8000).contains(&third), "{third}");
            assert!(backoff(9).num_milliseconds() <= 30_000);
            assert!(backoff(6).num_milliseconds() >= 30_000);
        }
    }
}
