//! The outbox: every message the bot must send, written in the same transaction as the state
//! change that caused it, and delivered by a worker afterwards. A crash between the commit and
//! the send loses nothing; a message claimed by a worker that dies is handed out again when its
//! lease runs out (or at once, when the process that held it starts again under the same name).
//! Messages wait in queues, one per recipient, each in lanes (1 goes first): a queue has one
//! message out at a time, and within a queue and a lane the messages of one incident keep their
//! order — a message waiting to be tried again holds back only those. What a row says, to whom
//! and in which lane is the core's; storage keeps, orders and leases it.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::directory::chat_ref;
use super::Writer;
use super::{on_pool, ts, BeginWrite, Pool, StorageError, Store};
use crate::domain::content::ChatRef;
use crate::domain::{IncidentId, OrgId, PersonId};

/// Who a message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// A person, in their private chat (in the messenger they use).
    Person(PersonId),
    /// A group chat.
    Chat(ChatRef),
    /// Nobody in particular: work for the delivery worker (e.g. redraw an incident's cards).
    Worker,
}

/// A row to write.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    /// The incident it is about, when not the one the transaction is about.
    pub incident: Option<IncidentId>,
    pub recipient: Recipient,
    /// What kind of message (for people reading the table; the payload says it all).
    pub kind: String,
    pub payload: serde_json::Value,
    /// Unique among the rows of one incident (or, for rows without an incident, globally): the
    /// same key again writes nothing.
    pub key: String,
    /// Lower goes first in its chat (1: answers a person's own press … 4: information).
    pub lane: i64,
}

/// A message claimed for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: i64,
    /// The queue it waits in (see `queue_key`).
    pub queue: String,
    pub lane: i64,
    pub org: OrgId,
    pub incident: Option<IncidentId>,
    pub recipient: Recipient,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempts: i64,
}

/// A queue that holds more than its chat takes in a while.
#[derive(Debug, Clone, PartialEq)]
pub struct Backlog {
    pub queue: String,
    pub org: OrgId,
    pub recipient: Recipient,
    /// How many messages of the kinds asked about wait in it.
    pub count: i64,
}

/// `$first, $first+1, …` placeholders for a list of kinds.
fn kind_list(kinds: &[&str], first: usize) -> String {
    placeholders(kinds.len(), first)
}

/// `$first, $first+1, …` placeholders for `n` values.
pub(crate) fn placeholders(n: usize, first: usize) -> String {
    (0..n)
        .map(|i| format!("${}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The outbox kind of reports to a monitoring system; they wait in one queue per organisation,
/// in order, so a system that is down holds back only its own reports.
pub const MONITORING_KIND: &str = "to_monitoring";
/// The outbox kind of appeals e-mailed to the appeals office; a queue per organisation too.
pub const APPEAL_EMAIL_KIND: &str = "appeal_email";

/// The (person, chat messenger, chat) columns of a recipient.
pub(crate) fn recipient_columns(r: &Recipient) -> (Option<i64>, Option<&'static str>, Option<i64>) {
    match r {
        Recipient::Person(p) => (Some(p.0), None, None),
        Recipient::Chat(c) => (None, Some(c.messenger.key()), Some(c.id)),
        Recipient::Worker => (None, None, None),
    }
}

/// The queue a message waits in: a person's, a group chat's, or (for the worker's own work) an
/// incident's.
pub(crate) fn queue_key(r: &Recipient, incident: Option<IncidentId>) -> String {
    match r {
        Recipient::Person(p) => format!("p:{}", p.0),
        Recipient::Chat(c) => format!("c:{}:{}", c.messenger.key(), c.id),
        Recipient::Worker => format!("w:{}", incident.map_or(0, |i| i.0)),
    }
}

/// Writes outbox rows on an open transaction (either backend).
macro_rules! insert_outbox {
    ($tx:expr, $org:expr, $incident:expr, $rows:expr, $at:expr) => {
        // One statement per batch of rows: a transition notifies several people at once.
        for batch in $rows.chunks($crate::storage::ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO outbox (org_id, idempotency_key, incident_id, person_id, chat_messenger, chat_id, message, payload, created_at, available_at, lane, recipient_key) ",
            );
            insert.push_values(batch.iter(), |mut row, r| {
                let incident: Option<$crate::domain::IncidentId> = r.incident.or($incident);
                let key = match incident {
                    Some(i) => format!("{}:{}", i.0, r.key),
                    None => r.key.clone(),
                };
                let (person, messenger, chat) =
                    $crate::storage::outbox::recipient_columns(&r.recipient);
                // Reports to a monitoring system keep their order per organisation, apart from
                // the incident's own work (a system that is down must not hold back its cards).
                let queue = if r.kind == $crate::storage::outbox::MONITORING_KIND {
                    format!("m:{}", $org.0)
                } else if r.kind == $crate::storage::outbox::APPEAL_EMAIL_KIND {
                    format!("a:{}", $org.0)
                } else {
                    $crate::storage::outbox::queue_key(&r.recipient, incident)
                };
                row.push_bind($org.0)
                    .push_bind(key)
                    .push_bind(incident.map(|i| i.0))
                    .push_bind(person)
                    .push_bind(messenger)
                    .push_bind(chat)
                    .push_bind(r.kind.clone())
                    .push_bind(r.payload.to_string())
                    .push_bind($crate::storage::ts($at))
                    .push_bind($crate::storage::ts($at))
                    .push_bind(r.lane)
                    .push_bind(queue);
            });
            insert.push(" ON CONFLICT (idempotency_key) DO NOTHING");
            insert.build().execute(&mut *$tx).await?;
        }
    };
}
pub(crate) use insert_outbox;

const COLUMNS: &str = "id, org_id, incident_id, person_id, chat_messenger, chat_id, message, payload, attempts, lane, recipient_key";

type MessageTuple = (
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    String,
    String,
    i64,
    i64,
    String,
);

macro_rules! message_tuple {
    ($r:expr) => {
        (
            $r.try_get::<i64, _>("id")?,
            $r.try_get::<i64, _>("org_id")?,
            $r.try_get::<Option<i64>, _>("incident_id")?,
            $r.try_get::<Option<i64>, _>("person_id")?,
            $r.try_get::<Option<String>, _>("chat_messenger")?,
            $r.try_get::<Option<i64>, _>("chat_id")?,
            $r.try_get::<String, _>("message")?,
            $r.try_get::<String, _>("payload")?,
            $r.try_get::<i64, _>("attempts")?,
            $r.try_get::<i64, _>("lane")?,
            $r.try_get::<String, _>("recipient_key")?,
        )
    };
}

fn message_from(t: MessageTuple) -> Result<OutboxMessage, StorageError> {
    let (id, org, incident, person, messenger, chat, kind, payload, attempts, lane, queue) = t;
    let recipient = match (person, chat_ref(messenger, chat)?) {
        (Some(p), _) => Recipient::Person(PersonId(p)),
        (None, Some(c)) => Recipient::Chat(c),
        (None, None) => Recipient::Worker,
    };
    Ok(OutboxMessage {
        id,
        queue,
        lane,
        org: OrgId(org),
        incident: incident.map(IncidentId),
        recipient,
        kind,
        payload: serde_json::from_str(&payload)?,
        attempts,
    })
}

impl Store {
    /// The message each queue would send next: of the queues with nothing out with a sender,
    /// the first due message by lane, where a message counts only when nothing earlier of its
    /// incident (in its queue and lane) still waits. At most `limit`: the worker's own queues
    /// first (no chat's limits hold them back), then the most urgent lane first.
    pub async fn next_in_queues(
        &self,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, StorageError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM (
               SELECT o.id, o.org_id, o.incident_id, o.person_id, o.chat_messenger, o.chat_id,
                      o.message, o.payload, o.attempts, o.lane, o.recipient_key,
                      ROW_NUMBER() OVER (PARTITION BY o.recipient_key ORDER BY o.lane, o.id) AS n
               FROM outbox o
               JOIN (
                 SELECT MIN(id) AS id FROM outbox
                 WHERE delivered_at IS NULL
                 GROUP BY recipient_key, lane, COALESCE(incident_id, 0)
               ) h ON h.id = o.id
               WHERE o.available_at <= $1
                 AND (o.locked_until IS NULL OR o.locked_until <= $1)
                 AND o.recipient_key NOT IN (
                   SELECT recipient_key FROM outbox
                   WHERE delivered_at IS NULL AND locked_until IS NOT NULL AND locked_until > $1)
             ) r WHERE n = 1
             ORDER BY CASE WHEN recipient_key LIKE 'p:%' OR recipient_key LIKE 'c:%' THEN 1 ELSE 0 END,
                      lane, id
             LIMIT $2"
        );
        let rows: Vec<MessageTuple> = on_pool!(self, pool => {
            sqlx::query(&sql)
                .bind(ts(now))
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<MessageTuple, sqlx::Error> { Ok(message_tuple!(r)) })
                .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter().map(message_from).collect()
    }

    /// Claims messages `next_in_queues` offered, for `lease`, in `owner`'s name: each only if it
    /// is still undelivered and unclaimed and its queue has nothing else out (another replica
    /// may have been quicker). Returns those claimed.
    pub async fn claim_outbox(
        &self,
        ids: &[i64],
        now: DateTime<Utc>,
        lease: Duration,
        owner: &str,
    ) -> Result<Vec<OutboxMessage>, StorageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE outbox SET locked_until = $1, locked_by = $2, attempts = attempts + 1
             WHERE id IN ({}) AND delivered_at IS NULL
               AND (locked_until IS NULL OR locked_until <= $3)
               AND recipient_key NOT IN (
                 SELECT recipient_key FROM outbox
                 WHERE delivered_at IS NULL AND locked_until IS NOT NULL AND locked_until > $3)
             RETURNING {COLUMNS}",
            placeholders(ids.len(), 4)
        );
        let rows: Vec<MessageTuple> = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            if matches!(self.pool, Pool::Postgres(_)) {
                // Replicas claim one after another (a claim takes milliseconds), so two never
                // take messages of one queue at once.
                sqlx::query("SELECT pg_advisory_xact_lock(7301)")
                    .execute(&mut *tx)
                    .await?;
            }
            let mut query = sqlx::query(&sql)
                .bind(ts(now + lease))
                .bind(owner)
                .bind(ts(now));
            for id in ids {
                query = query.bind(id);
            }
            let rows = query
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| -> Result<MessageTuple, sqlx::Error> { Ok(message_tuple!(r)) })
                .collect::<Result<Vec<_>, _>>()?;
            tx.commit().await?;
            rows
        });
        let mut out = rows
            .into_iter()
            .map(message_from)
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_by_key(|m| (m.lane, m.id));
        Ok(out)
    }

    /// Hands back every claim `owner` holds on messages and timers (a process started again
    /// under the name its predecessor had: what that one held when it died is free at once).
    /// Returns how many messages were handed back.
    pub async fn release_claims_of(&self, owner: &str) -> Result<u64, StorageError> {
        let n = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let n = sqlx::query("UPDATE outbox SET locked_until = NULL, locked_by = NULL WHERE locked_by = $1 AND delivered_at IS NULL AND locked_until IS NOT NULL")
                .bind(owner)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query("UPDATE timers SET locked_until = NULL, locked_by = NULL WHERE locked_by = $1 AND fired_at IS NULL AND locked_until IS NOT NULL")
                .bind(owner)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            n
        });
        Ok(n)
    }

    /// Extends the lease of claimed messages still being worked on (not those delivered or
    /// handed back), so a short lease does not run out under a live sender.
    pub async fn renew_outbox_lease(
        &self,
        ids: &[i64],
        until: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.renew_lease("outbox", "delivered_at", ids, until).await
    }

    /// Extends `locked_until` of the rows of `table` that are claimed and not done yet.
    pub(super) async fn renew_lease(
        &self,
        table: &str,
        done_column: &str,
        ids: &[i64],
        until: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        if ids.is_empty() {
            return Ok(());
        }
        let list = placeholders(ids.len(), 2);
        let sql = format!(
            "UPDATE {table} SET locked_until = $1 WHERE id IN ({list}) AND {done_column} IS NULL AND locked_until IS NOT NULL"
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(&sql).bind(ts(until));
            for id in ids {
                query = query.bind(id);
            }
            query.execute(pool.writer(self)).await?;
        });
        Ok(())
    }

    /// Queues holding more than `more_than` messages of the given kinds that are due and not out
    /// with a sender.
    pub async fn backlogs(
        &self,
        kinds: &[&str],
        more_than: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Backlog>, StorageError> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT recipient_key, MIN(org_id) AS org_id, MIN(person_id) AS person_id,
                    MIN(chat_messenger) AS chat_messenger, MIN(chat_id) AS chat_id, COUNT(*) AS n
             FROM outbox
             WHERE delivered_at IS NULL AND available_at <= $1
               AND (locked_until IS NULL OR locked_until <= $1) AND message IN ({})
             GROUP BY recipient_key HAVING COUNT(*) > $2",
            kind_list(kinds, 3)
        );
        type BacklogTuple = (String, i64, Option<i64>, Option<String>, Option<i64>, i64);
        let rows: Vec<BacklogTuple> = on_pool!(self, pool => {
            let mut q = sqlx::query(&sql).bind(ts(now)).bind(more_than);
            for k in kinds {
                q = q.bind(*k);
            }
            q.fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<BacklogTuple, sqlx::Error> {
                    Ok((
                        r.try_get("recipient_key")?,
                        r.try_get("org_id")?,
                        r.try_get("person_id")?,
                        r.try_get("chat_messenger")?,
                        r.try_get("chat_id")?,
                        r.try_get("n")?,
                    ))
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter()
            .map(|(queue, org, person, messenger, chat, count)| {
                let recipient = match (person, chat_ref(messenger, chat)?) {
                    (Some(p), _) => Recipient::Person(PersonId(p)),
                    (None, Some(c)) => Recipient::Chat(c),
                    (None, None) => Recipient::Worker,
                };
                Ok(Backlog {
                    queue,
                    org: OrgId(org),
                    recipient,
                    count,
                })
            })
            .collect()
    }

    /// Sums a queue's backlog up: of its due messages of the given kinds, the first `keep` (most
    /// urgent lane first) stay, the rest are marked as collapsed (kept in the table, not sent),
    /// and the summary `summary(count, most urgent lane among them, last id)` makes is queued in
    /// their place — in one transaction.
    /// Returns how many were collapsed.
    pub async fn collapse_backlog(
        &self,
        backlog: &Backlog,
        kinds: &[&str],
        keep: i64,
        summary: impl FnOnce(i64, i64, i64) -> OutboxRow + Send,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let select = format!(
            "SELECT id, lane FROM outbox
             WHERE recipient_key = $1 AND delivered_at IS NULL AND available_at <= $2
               AND (locked_until IS NULL OR locked_until <= $2) AND message IN ({})
             ORDER BY lane, id",
            kind_list(kinds, 3)
        );
        let collapsed = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let mut q = sqlx::query(&select).bind(&backlog.queue).bind(ts(now));
            for k in kinds {
                q = q.bind(*k);
            }
            let waiting = q
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| -> Result<(i64, i64), sqlx::Error> { Ok((r.try_get("id")?, r.try_get("lane")?)) })
                .collect::<Result<Vec<_>, _>>()?;
            let drop: Vec<(i64, i64)> = waiting.into_iter().skip(keep.max(0) as usize).collect();
            let count = drop.len() as i64;
            if count > 0 {
                for (id, _) in &drop {
                    sqlx::query("UPDATE outbox SET delivered_at = $1, last_error = 'collapsed into a summary' WHERE id = $2 AND delivered_at IS NULL AND (locked_until IS NULL OR locked_until <= $1)")
                        .bind(ts(now))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                let lane = drop.iter().map(|(_, l)| *l).min().unwrap_or(4);
                let last = drop.iter().map(|(id, _)| *id).max().unwrap_or(0);
                let rows = [summary(count, lane, last)];
                let none: Option<IncidentId> = None;
                insert_outbox!(tx, backlog.org, none, rows, now);
            }
            tx.commit().await?;
            count
        });
        Ok(collapsed)
    }

    /// Marks a message delivered.
    pub async fn mark_delivered(&self, id: i64, at: DateTime<Utc>) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("UPDATE outbox SET delivered_at = $1, locked_until = NULL, last_error = NULL WHERE id = $2")
                .bind(ts(at))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Marks a message delivered and records in the audit log what was delivered, at once.
    pub async fn acknowledge_outbox(
        &self,
        m: &OutboxMessage,
        command: &str,
        payload: &serde_json::Value,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let payload = payload.to_string();
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("UPDATE outbox SET delivered_at = $1, locked_until = NULL, last_error = NULL WHERE id = $2")
                .bind(ts(at))
                .bind(m.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO audit_log (org_id, incident_id, actor_id, at, command, from_state, to_state, payload, events)
                 VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, '[]')",
            )
            .bind(m.org.0)
            .bind(m.incident.map(|i| i.0))
            .bind(PersonId::SYSTEM.0)
            .bind(ts(at))
            .bind(command)
            .bind(&payload)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records a failed delivery; the message is tried again at `retry_at`.
    pub async fn mark_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("UPDATE outbox SET last_error = $1, available_at = $2, locked_until = NULL WHERE id = $3")
                .bind(error)
                .bind(ts(retry_at))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Puts a claimed message back to wait until `until` without counting the try (the
    /// messenger asked to wait; it did not fail).
    pub async fn postpone_outbox(&self, id: i64, until: DateTime<Utc>) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE outbox SET available_at = $1, locked_until = NULL, attempts = attempts - 1 WHERE id = $2 AND delivered_at IS NULL")
                .bind(ts(until))
                .bind(id)
                .execute(pool.writer(self))
                .await?;
        });
        Ok(())
    }

    /// Takes a message the messenger refused for good out of its queue as failed, in one
    /// transaction with its audit record and the rows that tell people about it.
    pub async fn give_up_outbox(
        &self,
        m: &OutboxMessage,
        error: &str,
        tell: &[OutboxRow],
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let payload =
            serde_json::json!({ "outbox": m.id, "kind": m.kind, "error": error }).to_string();
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("UPDATE outbox SET delivered_at = $1, failed_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3")
                .bind(ts(at))
                .bind(error)
                .bind(m.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO audit_log (org_id, incident_id, actor_id, at, command, from_state, to_state, payload, events)
                 VALUES ($1, $2, $3, $4, 'undeliverable', NULL, NULL, $5, '[]')",
            )
            .bind(m.org.0)
            .bind(m.incident.map(|i| i.0))
            .bind(PersonId::SYSTEM.0)
            .bind(ts(at))
            .bind(&payload)
            .execute(&mut *tx)
            .await?;
            insert_outbox!(tx, m.org, None, tell, at);
            tx.commit().await?;
        });
        Ok(())
    }

    /// When messages went to group chats since `since` (what counts against a group's minute;
    /// summed-up and refused ones did not go).
    pub async fn recent_group_sends(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(ChatRef, DateTime<Utc>)>, StorageError> {
        type Sent = (Option<String>, Option<i64>, DateTime<Utc>);
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT chat_messenger, chat_id, delivered_at FROM outbox
                 WHERE chat_id < 0 AND delivered_at > $1 AND last_error IS NULL",
            )
            .bind(ts(since))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<Sent, sqlx::Error> {
                Ok((r.try_get("chat_messenger")?, r.try_get("chat_id")?, r.try_get("delivered_at")?))
            })
            .collect::<Result<Vec<_>, _>>()?
        });
        let mut out = Vec::new();
        for (messenger, chat, at) in rows {
            if let Some(c) = chat_ref(messenger, chat)? {
                out.push((c, at));
            }
        }
        Ok(out)
    }

    /// Messages refused for good: (id, kind, error), oldest first.
    pub async fn failed_outbox(&self) -> Result<Vec<(i64, String, String)>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query("SELECT id, message, COALESCE(last_error, '') AS e FROM outbox WHERE failed_at IS NOT NULL ORDER BY id")
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<(i64, String, String), sqlx::Error> {
                    Ok((r.try_get("id")?, r.try_get("message")?, r.try_get("e")?))
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Messages not yet delivered, oldest first (for monitoring and tests).
    pub async fn pending_outbox(&self) -> Result<Vec<OutboxMessage>, StorageError> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE delivered_at IS NULL ORDER BY id");
        let rows = on_pool!(self, pool => {
            sqlx::query(&sql)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<MessageTuple, sqlx::Error> { Ok(message_tuple!(r)) })
                .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter().map(message_from).collect()
    }

    /// How many messages could go out now and have not (being sent, or waiting for a sender);
    /// those held back behind an earlier message of their incident (in their queue and lane)
    /// that waits for a retry are not counted. For monitoring, and tests that wait for the bot to have sent what it had to.
    pub async fn due_outbox_count(&self, now: DateTime<Utc>) -> Result<i64, StorageError> {
        let n = on_pool!(self, pool => {
            sqlx::query(
                "SELECT COUNT(*) AS n FROM outbox o
                 JOIN (SELECT recipient_key, lane, COALESCE(incident_id, 0) AS g,
                              MIN(CASE WHEN available_at > $1 THEN id END) AS waiting_from
                       FROM outbox WHERE delivered_at IS NULL
                       GROUP BY recipient_key, lane, COALESCE(incident_id, 0)) q
                   ON q.recipient_key = o.recipient_key AND q.lane = o.lane
                  AND q.g = COALESCE(o.incident_id, 0)
                 WHERE o.delivered_at IS NULL AND o.available_at <= $1
                   AND (q.waiting_from IS NULL OR o.id < q.waiting_from)",
            )
                .bind(ts(now))
                .fetch_one(pool)
                .await?
                .try_get::<i64, _>("n")?
        });
        Ok(n)
    }

    /// Queues messages outside a state change (a burst alert, "this person cannot be reached").
    pub async fn enqueue(
        &self,
        org: OrgId,
        incident: Option<IncidentId>,
        rows: &[OutboxRow],
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            insert_outbox!(tx, org, incident, rows, at);
            tx.commit().await?;
        });
        Ok(())
    }
}
