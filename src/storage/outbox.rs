//! The outbox: every message the bot must send, written in the same transaction as the state
//! change that caused it, and delivered by a worker afterwards. A crash between the commit and
//! the send loses nothing; a message claimed by a worker that dies is handed out again when its
//! lease runs out. What a row says and to whom is the core's; storage keeps and leases it.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::directory::chat_ref;
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
    /// Higher goes first.
    pub priority: i64,
    /// Not to be sent before this instant.
    pub not_before: Option<DateTime<Utc>>,
}

/// A message claimed for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: i64,
    pub priority: i64,
    pub org: OrgId,
    pub incident: Option<IncidentId>,
    pub recipient: Recipient,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempts: i64,
}

/// The (person, chat messenger, chat) columns of a recipient.
pub(crate) fn recipient_columns(r: &Recipient) -> (Option<i64>, Option<&'static str>, Option<i64>) {
    match r {
        Recipient::Person(p) => (Some(p.0), None, None),
        Recipient::Chat(c) => (None, Some(c.messenger.key()), Some(c.id)),
        Recipient::Worker => (None, None, None),
    }
}

/// Writes outbox rows on an open transaction (either backend).
macro_rules! insert_outbox {
    ($tx:expr, $org:expr, $incident:expr, $rows:expr, $at:expr) => {
        for r in $rows.iter() {
            let incident: Option<$crate::domain::IncidentId> = r.incident.or($incident);
            let key = match incident {
                Some(i) => format!("{}:{}", i.0, r.key),
                None => r.key.clone(),
            };
            let (person, messenger, chat) = $crate::storage::outbox::recipient_columns(&r.recipient);
            sqlx::query(
                "INSERT INTO outbox (org_id, idempotency_key, incident_id, person_id, chat_messenger, chat_id, message, payload, created_at, available_at, priority)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind($org.0)
            .bind(key)
            .bind(incident.map(|i| i.0))
            .bind(person)
            .bind(messenger)
            .bind(chat)
            .bind(&r.kind)
            .bind(r.payload.to_string())
            .bind($crate::storage::ts($at))
            .bind($crate::storage::ts(r.not_before.unwrap_or($at).max($at)))
            .bind(r.priority)
            .execute(&mut *$tx)
            .await?;
        }
    };
}
pub(crate) use insert_outbox;

const COLUMNS: &str =
    "id, org_id, incident_id, person_id, chat_messenger, chat_id, message, payload, attempts, priority";

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
            $r.try_get::<i64, _>("priority")?,
        )
    };
}

fn message_from(t: MessageTuple) -> Result<OutboxMessage, StorageError> {
    let (id, org, incident, person, messenger, chat, kind, payload, attempts, priority) = t;
    let recipient = match (person, chat_ref(messenger, chat)?) {
        (Some(p), _) => Recipient::Person(PersonId(p)),
        (None, Some(c)) => Recipient::Chat(c),
        (None, None) => Recipient::Worker,
    };
    Ok(OutboxMessage {
        id,
        priority,
        org: OrgId(org),
        incident: incident.map(IncidentId),
        recipient,
        kind,
        payload: serde_json::from_str(&payload)?,
        attempts,
    })
}

impl Store {
    /// Claims up to `limit` due messages for `lease`; a claimed message is not handed to another
    /// worker until the lease runs out.
    pub async fn claim_outbox(
        &self,
        limit: i64,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<OutboxMessage>, StorageError> {
        let until = ts(now + lease);
        let now = ts(now);
        let select = "SELECT id FROM outbox WHERE delivered_at IS NULL AND available_at <= $2
                      AND (locked_until IS NULL OR locked_until <= $2) ORDER BY priority DESC, id LIMIT $3";
        let rows: Vec<MessageTuple> = match &self.pool {
            Pool::Sqlite(pool) => {
                let sql = format!(
                    "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN ({select}) RETURNING {COLUMNS}"
                );
                let mut tx = pool.begin_write().await?;
                let rows = sqlx::query(&sql)
                    .bind(until)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| -> Result<MessageTuple, sqlx::Error> { Ok(message_tuple!(r)) })
                    .collect::<Result<Vec<_>, _>>()?;
                tx.commit().await?;
                rows
            }
            Pool::Postgres(pool) => {
                // Several replicas claim at once: SKIP LOCKED hands each row to one of them.
                let sql = format!(
                    "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN ({select} FOR UPDATE SKIP LOCKED)
                     RETURNING {COLUMNS}"
                );
                sqlx::query(&sql)
                    .bind(until)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
                    .iter()
                    .map(|r| -> Result<MessageTuple, sqlx::Error> { Ok(message_tuple!(r)) })
                    .collect::<Result<Vec<_>, _>>()?
            }
        };
        let mut out = rows
            .into_iter()
            .map(message_from)
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_by_key(|m| (-m.priority, m.id));
        Ok(out)
    }

    /// Marks a message delivered.
    pub async fn mark_delivered(&self, id: i64, at: DateTime<Utc>) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("UPDATE outbox SET delivered_at = $1, locked_until = NULL, last_error = NULL WHERE id = $2")
                .bind(ts(at))
                .bind(id)
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
            let mut tx = pool.begin_write().await?;
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

    /// Queues messages outside a state change (a burst alert, "this person cannot be reached").
    pub async fn enqueue(
        &self,
        org: OrgId,
        incident: Option<IncidentId>,
        rows: &[OutboxRow],
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            insert_outbox!(tx, org, incident, rows, at);
            tx.commit().await?;
        });
        Ok(())
    }
}
