//! What fell behind, summed up, so bulk never delays what a person waits for:
//!
//! - a group's triage cards beyond what its minute carries now (the room left in its rolling
//!   window, less the places kept for what people press and send, less what already waits in
//!   the higher lanes, less the summary itself) are listed in one «Ещё N новых сообщений» message
//!   with a button each, redrawn rather than repeated while that backlog lasts — so a new card
//!   either goes out within seconds or is listed there at once, never a minute late. Cards
//!   within the room wait their turn: the lanes put whatever a person waits for ahead of them;
//! - any other queue holding more than its chat takes in two minutes keeps one minute's worth
//!   and sums the rest up in one message with a button to the overview.

use std::sync::Arc;

use super::{port_for, MessengerPort, KEPT_FOR_PEOPLE};
use crate::core::notices::{Lane, Notice, COLLAPSIBLE_KINDS};
use crate::core::{Core, CoreError};
use crate::storage::{Backlog, OutboxRow, Recipient, SummedUp};

/// The kinds a group's backlog summary stands for: cards of incidents waiting for triage.
const TRIAGE_KINDS: &[&str] = &["triage"];

/// The row that draws a group's backlog summary (`stamp`: what makes its key unique).
pub(super) fn backlog_row(recipient: Recipient, queue: &str, stamp: Option<i64>) -> OutboxRow {
    let notice = Notice::Backlog;
    OutboxRow {
        incident: None,
        recipient,
        kind: notice.kind().to_string(),
        payload: notice.to_json(),
        key: format!(
            "backlog:{queue}:{}:{}",
            stamp.unwrap_or_default(),
            crate::core::workflow::press::rand_suffix()
        ),
        lane: notice.lane().number(),
    }
}

/// The «ещё N» row that stands for a queue's collapsed messages.
fn collapsed_row(b: &Backlog, count: i64, lane: i64, last: i64) -> OutboxRow {
    let notice = Notice::Collapsed { count };
    OutboxRow {
        incident: None,
        recipient: b.recipient,
        kind: notice.kind().to_string(),
        payload: notice.to_json(),
        key: format!("collapsed:{}:{last}", b.queue),
        lane,
    }
}

impl Core {
    /// Sums up every queue that fell behind (see the module's comment).
    pub(super) async fn sum_up_backlogs(
        &self,
        ports: &Arc<[Arc<dyn MessengerPort>]>,
    ) -> Result<(), CoreError> {
        self.sum_up_triage(ports).await?;
        // A group's triage cards have the summary above; its other cards, and everything of a
        // private chat, the one below.
        let in_groups: Vec<&str> = COLLAPSIBLE_KINDS
            .iter()
            .copied()
            .filter(|k| !TRIAGE_KINDS.contains(k))
            .collect();
        self.collapse_queues(ports, COLLAPSIBLE_KINDS, false)
            .await?;
        self.collapse_queues(ports, &in_groups, true).await
    }

    /// Sums up the private chats' (or the groups') queues holding more of `kinds` than their
    /// chat takes in two minutes.
    async fn collapse_queues(
        &self,
        ports: &[Arc<dyn MessengerPort>],
        kinds: &[&str],
        groups: bool,
    ) -> Result<(), CoreError> {
        let Some(fewest) = ports.iter().map(|p| p.per_minute(groups)).min() else {
            return Ok(());
        };
        let now = self.now();
        let backlogs = self
            .store
            .backlogs(kinds, 2 * i64::from(fewest), now)
            .await?;
        for b in backlogs {
            let per_minute = match b.recipient {
                Recipient::Person(_) if !groups => ports.iter().map(|p| p.per_minute(false)).min(),
                Recipient::Chat(c) if c.is_group() == groups => {
                    port_for(ports, c.messenger).map(|p| p.per_minute(groups))
                }
                _ => None,
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
                    kinds,
                    per_minute,
                    |count, lane, last| collapsed_row(&b, count, lane, last),
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

    /// Sums up each group's triage cards that its next minute cannot carry.
    async fn sum_up_triage(&self, ports: &[Arc<dyn MessengerPort>]) -> Result<(), CoreError> {
        let now = self.now();
        for b in self.store.backlogs(TRIAGE_KINDS, 0, now).await? {
            let Recipient::Chat(chat) = b.recipient else {
                continue;
            };
            let Some(port) = port_for(ports, chat.messenger) else {
                continue;
            };
            let (true, Some(room)) = (chat.is_group(), port.room(chat.id)) else {
                continue;
            };
            let minute = usize::try_from(room.saturating_sub(KEPT_FOR_PEOPLE)).unwrap_or(0);
            let waiting = self.store.waiting_in(&b.queue, now).await?;
            let higher = waiting
                .iter()
                .filter(|w| w.lane < Lane::NewCard.number())
                .count();
            let triage: Vec<_> = waiting
                .iter()
                .filter(|w| TRIAGE_KINDS.contains(&w.kind.as_str()))
                .collect();
            if triage.len() + higher <= minute {
                continue;
            }
            // The summary takes one place in the minute.
            let carried = minute.saturating_sub(higher + 1);
            let collapse: Vec<i64> = triage[carried.min(triage.len())..]
                .iter()
                .map(|w| w.id)
                .collect();
            let show = backlog_row(b.recipient, &b.queue, collapse.iter().max().copied());
            let summed = SummedUp {
                chat,
                org: b.org,
                collapse: &collapse,
            };
            let summed_up = self.store.sum_up_backlog(&summed, &show, now).await?;
            if summed_up == 0 {
                continue;
            }
            tracing::info!(
                chat = chat.id,
                summed_up,
                "a group's triage cards did not fit its next minute; summed up"
            );
            self.wake_delivery();
        }
        Ok(())
    }
}
