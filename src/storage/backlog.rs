//! A group's backlog of triage cards: the cards beyond what the chat's next minute carries are
//! taken out of its queue and listed in one «Ещё N новых сообщений» message per chat, which is
//! redrawn (not repeated) while that backlog lasts. What is summed up, and when, is the core's;
//! storage keeps the list and swaps the rows for the summary in one transaction.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::outbox::{insert_outbox, placeholders};
use super::{on_pool, ts, BeginWrite, OutboxRow, StorageError, Store, Writer};
use crate::domain::content::ChatRef;
use crate::domain::{IncidentId, OrgId};

/// The summary message of a group chat's backlog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacklogSummary {
    pub org: OrgId,
    /// The incidents summed up, in the order they arrived.
    pub incidents: Vec<IncidentId>,
    /// The message showing it, once sent.
    pub message_id: Option<i64>,
}

/// Rows of a group's queue to sum up.
#[derive(Debug, Clone, Copy)]
pub struct SummedUp<'a> {
    pub chat: ChatRef,
    pub org: OrgId,
    /// The outbox rows (triage cards) the summary is to stand for.
    pub collapse: &'a [i64],
}

/// A message waiting in a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub id: i64,
    pub lane: i64,
    pub kind: String,
    pub incident: Option<IncidentId>,
}

/// Queues a summary message row on an open transaction, unless one of its chat already waits
/// unclaimed (either backend).
macro_rules! queue_backlog_row {
    ($tx:expr, $org:expr, $show:expr, $now:expr) => {
        let waiting: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM outbox WHERE recipient_key = $1 AND message = $2
             AND delivered_at IS NULL AND (locked_until IS NULL OR locked_until <= $3)",
        )
        .bind(super::queue_key(&$show.recipient, None))
        .bind(&$show.kind)
        .bind(ts($now))
        .fetch_one(&mut *$tx)
        .await?
        .try_get("n")?;
        if waiting == 0 {
            let rows = std::slice::from_ref($show);
            let none: Option<IncidentId> = None;
            insert_outbox!($tx, $org, none, rows, $now);
        }
    };
}

impl Store {
    /// The due, unclaimed messages of a queue, in the order they would go out.
    pub async fn waiting_in(
        &self,
        queue: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Waiting>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, lane, message, incident_id FROM outbox
                 WHERE recipient_key = $1 AND delivered_at IS NULL AND available_at <= $2
                   AND (locked_until IS NULL OR locked_until <= $2)
                 ORDER BY lane, id",
            )
            .bind(queue)
            .bind(ts(now))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<Waiting, sqlx::Error> {
                Ok(Waiting {
                    id: r.try_get("id")?,
                    lane: r.try_get("lane")?,
                    kind: r.try_get("message")?,
                    incident: r.try_get::<Option<i64>, _>("incident_id")?.map(IncidentId),
                })
            })
            .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// A group chat's backlog summary, if it has one.
    pub async fn backlog_summary(
        &self,
        chat: ChatRef,
    ) -> Result<Option<BacklogSummary>, StorageError> {
        let row = on_pool!(self, pool => {
            sqlx::query("SELECT org_id, incidents, message_id FROM backlog_summaries WHERE messenger = $1 AND chat_id = $2")
                .bind(chat.messenger.key())
                .bind(chat.id)
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<(i64, String, Option<i64>), sqlx::Error> {
                    Ok((r.try_get("org_id")?, r.try_get("incidents")?, r.try_get("message_id")?))
                })
                .transpose()?
        });
        row.map(|(org, incidents, message_id)| {
            let ids: Vec<i64> = serde_json::from_str(&incidents)?;
            Ok(BacklogSummary {
                org: OrgId(org),
                incidents: ids.into_iter().map(IncidentId).collect(),
                message_id,
            })
        })
        .transpose()
    }

    /// Of these incidents, the ones still waiting for triage, with their numbers, in the order
    /// given.
    pub async fn still_new(
        &self,
        incidents: &[IncidentId],
    ) -> Result<Vec<(IncidentId, i64)>, StorageError> {
        if incidents.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, number FROM incidents WHERE state = 'new' AND id IN ({})",
            placeholders(incidents.len(), 1)
        );
        let found: Vec<(i64, i64)> = on_pool!(self, pool => {
            let mut q = sqlx::query(&sql);
            for i in incidents {
                q = q.bind(i.0);
            }
            q.fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<(i64, i64), sqlx::Error> { Ok((r.try_get("id")?, r.try_get("number")?)) })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(incidents
            .iter()
            .filter_map(|i| {
                found
                    .iter()
                    .find(|(id, _)| *id == i.0)
                    .map(|(_, n)| (*i, *n))
            })
            .collect())
    }

    /// Takes the rows out of their queue (those still waiting: another sender may have taken
    /// some) and adds their incidents to the chat's summary list — to the list shown while any
    /// incident on it still waits for triage, otherwise to a new one (a new message) — and
    /// queues `show` unless a summary message of the chat already waits. One transaction, which
    /// replicas take one at a time, so neither loses the other's rows. Returns how many rows
    /// were summed up.
    pub async fn sum_up_backlog(
        &self,
        summed: &SummedUp<'_>,
        show: &OutboxRow,
        now: DateTime<Utc>,
    ) -> Result<usize, StorageError> {
        let SummedUp {
            chat,
            org,
            collapse,
        } = *summed;
        if collapse.is_empty() {
            return Ok(0);
        }
        let mark = format!(
            "UPDATE outbox SET delivered_at = $1, last_error = 'collapsed into a summary'
             WHERE delivered_at IS NULL AND (locked_until IS NULL OR locked_until <= $1) AND id IN ({})
             RETURNING id, incident_id",
            placeholders(collapse.len(), 2)
        );
        let summed_up = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            if matches!(self.pool, super::Pool::Postgres(_)) {
                // The lock claims take: no replica claims or sums up these rows meanwhile.
                sqlx::query("SELECT pg_advisory_xact_lock(7301)")
                    .execute(&mut *tx)
                    .await?;
            }
            let mut q = sqlx::query(&mark).bind(ts(now));
            for id in collapse {
                q = q.bind(id);
            }
            let mut taken = q
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| -> Result<(i64, Option<i64>), sqlx::Error> {
                    Ok((r.try_get("id")?, r.try_get("incident_id")?))
                })
                .collect::<Result<Vec<_>, _>>()?;
            taken.sort();
            if !taken.is_empty() {
                let shown: Option<String> = sqlx::query(
                    "SELECT incidents FROM backlog_summaries WHERE messenger = $1 AND chat_id = $2",
                )
                .bind(chat.messenger.key())
                .bind(chat.id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("incidents"))
                .transpose()?;
                let shown: Vec<i64> = match shown {
                    Some(list) => serde_json::from_str(&list)?,
                    None => Vec::new(),
                };
                // What the shown list still holds that nobody has triaged.
                let mut list: Vec<i64> = if shown.is_empty() {
                    Vec::new()
                } else {
                    let sql = format!(
                        "SELECT id FROM incidents WHERE state = 'new' AND id IN ({})",
                        placeholders(shown.len(), 1)
                    );
                    let mut q = sqlx::query(&sql);
                    for id in &shown {
                        q = q.bind(id);
                    }
                    let new: Vec<i64> = q
                        .fetch_all(&mut *tx)
                        .await?
                        .iter()
                        .map(|r| r.try_get("id"))
                        .collect::<Result<Vec<_>, _>>()?;
                    shown.into_iter().filter(|id| new.contains(id)).collect()
                };
                let fresh = list.is_empty();
                for id in taken.iter().filter_map(|(_, inc)| *inc) {
                    if !list.contains(&id) {
                        list.push(id);
                    }
                }
                sqlx::query(
                    "INSERT INTO backlog_summaries (messenger, chat_id, org_id, incidents, message_id, updated_at)
                     VALUES ($1, $2, $3, $4, NULL, $5)
                     ON CONFLICT (messenger, chat_id) DO UPDATE SET org_id = excluded.org_id,
                       incidents = excluded.incidents, updated_at = excluded.updated_at,
                       message_id = CASE WHEN $6 THEN NULL ELSE backlog_summaries.message_id END",
                )
                .bind(chat.messenger.key())
                .bind(chat.id)
                .bind(org.0)
                .bind(serde_json::to_string(&list)?)
                .bind(ts(now))
                .bind(fresh)
                .execute(&mut *tx)
                .await?;
                queue_backlog_row!(tx, org, show, now);
            }
            tx.commit().await?;
            taken.len()
        });
        Ok(summed_up)
    }

    /// Queues a group's summary message to be drawn (sent, or redrawn where it is shown) unless
    /// one already waits.
    pub async fn redraw_backlog(
        &self,
        org: OrgId,
        show: &OutboxRow,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            queue_backlog_row!(tx, org, show, now);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Remembers the message a chat's backlog summary is shown in.
    pub async fn set_backlog_message(
        &self,
        chat: ChatRef,
        message_id: i64,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE backlog_summaries SET message_id = $1 WHERE messenger = $2 AND chat_id = $3")
                .bind(message_id)
                .bind(chat.messenger.key())
                .bind(chat.id)
                .execute(pool.writer(self))
                .await?;
        });
        Ok(())
    }
}
