//! The outbox: every message the bot must send, written in the same transaction as the state
//! change that caused it, and delivered by a worker afterwards. A crash between the commit and
//! the send loses nothing; a crash between the send and `mark_delivered` resends after the lease
//! (at-least-once: the idempotency key keeps each message one row).

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::{on_pool, ts, Pool, StorageError, Store};
use crate::domain::incident::{Event, Incident, Role, Rules};
use crate::notify::{Audience, Notice};

/// A notice resolved to one recipient: a person (their private chat) or a group chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub person: Option<i64>,
    pub chat: Option<i64>,
    pub message: &'static str,
    pub event: Event,
}

/// A message to queue outside a state change.
#[derive(Debug, Clone)]
pub struct QueuedMessage<'a> {
    pub org: i64,
    pub incident: Option<i64>,
    pub person: Option<i64>,
    pub chat: Option<i64>,
    pub message: &'a str,
    pub payload: &'a serde_json::Value,
    pub idempotency_key: &'a str,
}

/// A message claimed for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub org_id: i64,
    pub incident_id: Option<i64>,
    pub person_id: Option<i64>,
    pub chat_id: Option<i64>,
    /// What to render (a key into `dialogues/`).
    pub message: String,
    /// The incident number and the event behind the message.
    pub payload: serde_json::Value,
    pub attempts: i64,
}

/// Writes resolved notices as outbox rows on an open transaction (either backend).
macro_rules! insert_outbox {
    ($tx:expr, $org:expr, $incident:expr, $number:expr, $version:expr, $resolved:expr, $at:expr) => {
        for (i, r) in $resolved.iter().enumerate() {
            let recipient = match (r.person, r.chat) {
                (Some(p), _) => format!("p{p}"),
                (None, Some(c)) => format!("c{c}"),
                (None, None) => "none".to_string(),
            };
            let key = format!("{}:v{}:{}:{}:{}", $incident, $version, i, r.message, recipient);
            let payload = serde_json::json!({
                "incident_id": $incident,
                "number": $number,
                "event": r.event,
            });
            sqlx::query(
                "INSERT INTO outbox (org_id, idempotency_key, incident_id, person_id, chat_id, message, payload, created_at, available_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
                 ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind($org)
            .bind(key)
            .bind($incident)
            .bind(r.person)
            .bind(r.chat)
            .bind(r.message)
            .bind(payload.to_string())
            .bind($crate::storage::ts($at))
            .execute(&mut *$tx)
            .await?;
        }
    };
}
pub(crate) use insert_outbox;

impl Store {
    /// Resolves audiences to recipients as the directory stands at `at`: an absent executor's
    /// messages go to their substitute; the curators' group chat if set, else each curator;
    /// today's duty officers, else the curators.
    pub(crate) async fn resolve_notices(
        &self,
        org: i64,
        incident: &Incident,
        notices: &[Notice],
        rules: Rules<'_>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Resolved>, StorageError> {
        let organisation = self.organisation(org).await?;
        let mut out = Vec::new();
        for n in notices {
            let mut people: Vec<i64> = Vec::new();
            let mut chats: Vec<i64> = Vec::new();
            let curators =
                |people: &mut Vec<i64>, chats: &mut Vec<i64>, list: Vec<i64>| match organisation
                    .curator_chat_id
                {
                    Some(c) => chats.push(c),
                    None => people.extend(list),
                };
            match n.audience {
                Audience::Executor(i) => {
                    if let Some(p) = incident.parts.get(i) {
                        people.push(self.handler_for(p.executor, at).await?);
                    }
                }
                Audience::Curators => {
                    let list = if organisation.curator_chat_id.is_none() {
                        self.people_with_role(org, Role::Curator).await?
                    } else {
                        Vec::new()
                    };
                    curators(&mut people, &mut chats, list);
                }
                Audience::Head => match organisation.head_chat_id {
                    Some(c) => chats.push(c),
                    None => people.extend(self.people_with_role(org, Role::Head).await?),
                },
                Audience::DepartmentHead(i) => {
                    if let Some(p) = incident.parts.get(i) {
                        if let Some(h) = self.department_head(p.department).await? {
                            people.push(self.handler_for(h, at).await?);
                        }
                    }
                }
                Audience::Deputies => {
                    people.extend(self.people_with_role(org, Role::Deputy).await?)
                }
                Audience::DutyOfficers => {
                    let today = rules.calendar.local_date(at);
                    let on_duty = self.on_duty(org, today).await?;
                    if on_duty.is_empty() {
                        let list = if organisation.curator_chat_id.is_none() {
                            self.people_with_role(org, Role::Curator).await?
                        } else {
                            Vec::new()
                        };
                        curators(&mut people, &mut chats, list);
                    } else {
                        people.extend(on_duty);
                    }
                }
            }
            people.dedup();
            for p in people {
                out.push(Resolved {
                    person: Some(p),
                    chat: None,
                    message: n.message,
                    event: n.event.clone(),
                });
            }
            for c in chats {
                out.push(Resolved {
                    person: None,
                    chat: Some(c),
                    message: n.message,
                    event: n.event.clone(),
                });
            }
        }
        Ok(out)
    }

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
                      AND (locked_until IS NULL OR locked_until <= $2) ORDER BY id LIMIT $3";
        let rows = match &self.pool {
            Pool::Sqlite(pool) => {
                let sql = format!(
                    "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN ({select})
                     RETURNING id, org_id, incident_id, person_id, chat_id, message, payload, attempts"
                );
                read_messages(
                    sqlx::query(&sql)
                        .bind(until)
                        .bind(now)
                        .bind(limit)
                        .fetch_all(pool)
                        .await?,
                )?
            }
            Pool::Postgres(pool) => {
                // Several replicas claim at once: SKIP LOCKED hands each row to one of them.
                let sql = format!(
                    "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN ({select} FOR UPDATE SKIP LOCKED)
                     RETURNING id, org_id, incident_id, person_id, chat_id, message, payload, attempts"
                );
                read_messages(
                    sqlx::query(&sql)
                        .bind(until)
                        .bind(now)
                        .bind(limit)
                        .fetch_all(pool)
                        .await?,
                )?
            }
        };
        let mut rows = rows;
        rows.sort_by_key(|m| m.id);
        Ok(rows)
    }

    /// Marks a message delivered.
    pub async fn mark_delivered(&self, id: i64, at: DateTime<Utc>) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE outbox SET delivered_at = $1, locked_until = NULL, last_error = NULL WHERE id = $2")
                .bind(ts(at))
                .bind(id)
                .execute(pool)
                .await?;
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
            sqlx::query("UPDATE outbox SET last_error = $1, available_at = $2, locked_until = NULL WHERE id = $3")
                .bind(error)
                .bind(ts(retry_at))
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Messages not yet delivered, oldest first (for monitoring and tests).
    pub async fn pending_outbox(&self) -> Result<Vec<OutboxMessage>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, org_id, incident_id, person_id, chat_id, message, payload, attempts FROM outbox
                 WHERE delivered_at IS NULL ORDER BY id",
            )
            .fetch_all(pool)
            .await
            .map_err(StorageError::from)
            .and_then(read_messages)?
        });
        Ok(rows)
    }
}

fn read_messages<R>(rows: Vec<R>) -> Result<Vec<OutboxMessage>, StorageError>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    rows.into_iter()
        .map(|r| {
            let payload: String = r.try_get("payload")?;
            Ok(OutboxMessage {
                id: r.try_get("id")?,
                org_id: r.try_get("org_id")?,
                incident_id: r.try_get("incident_id")?,
                person_id: r.try_get("person_id")?,
                chat_id: r.try_get("chat_id")?,
                message: r.try_get("message")?,
                payload: serde_json::from_str(&payload)?,
                attempts: r.try_get("attempts")?,
            })
        })
        .collect()
}

impl Store {
    /// Queues one message outside a state change (e.g. "this person cannot be reached").
    pub async fn enqueue_message(
        &self,
        m: &QueuedMessage<'_>,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO outbox (org_id, idempotency_key, incident_id, person_id, chat_id, message, payload, created_at, available_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind(m.org)
            .bind(m.idempotency_key)
            .bind(m.incident)
            .bind(m.person)
            .bind(m.chat)
            .bind(m.message)
            .bind(m.payload.to_string())
            .bind(ts(at))
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
