//! Repeated messages: the earlier incident a new one repeats (the same author on the same topic
//! or under the same post), linking them, and how many arrived on a topic (bursts).

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::outbox::{insert_outbox, OutboxRow};
use super::Writer;
use super::{on_pool, ts, BeginWrite, StorageError, Store};
use crate::domain::{IncidentId, OrgId, PersonId};

impl Store {
    /// The latest earlier incident (before `before`, when given) since `since` that this one
    /// repeats: the same author on the same topic, or the same author under the same post
    /// (Vorsino 2.8, Borovichi §18). Other people under one post are not repeats.
    pub async fn find_repeat(
        &self,
        org: OrgId,
        author: &str,
        url: &str,
        topic: Option<&str>,
        since: DateTime<Utc>,
        before: Option<IncidentId>,
    ) -> Result<Option<IncidentId>, StorageError> {
        let author = author.trim();
        if author.is_empty() {
            return Ok(None);
        }
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, url, topic FROM incidents
                 WHERE org_id = $1 AND author = $2 AND detected_at >= $3 AND id < $4
                 ORDER BY id DESC",
            )
            .bind(org.0)
            .bind(author)
            .bind(ts(since))
            .bind(before.map_or(i64::MAX, |b| b.0))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> {
                Ok((
                    r.try_get::<i64, _>("id")?,
                    r.try_get::<String, _>("url")?,
                    r.try_get::<Option<String>, _>("topic")?,
                ))
            })
            .collect::<Result<Vec<_>, _>>()?
        });
        // Links are compared without their query: comments on one post share "the post".
        let post = |u: &str| u.split('?').next().unwrap_or_default().trim().to_string();
        let topic = topic.map(|t| t.trim().to_lowercase());
        Ok(rows
            .into_iter()
            .find(|(_, u, t)| {
                let same_topic =
                    topic.is_some() && t.as_deref().map(|t| t.trim().to_lowercase()) == topic;
                let same_post = !post(url).is_empty() && post(u) == post(url);
                same_topic || same_post
            })
            .map(|(id, ..)| IncidentId(id)))
    }

    /// An organisation's incident by the number people see («№1287»).
    pub async fn incident_by_number(
        &self,
        org: OrgId,
        number: i64,
    ) -> Result<Option<IncidentId>, StorageError> {
        let id = on_pool!(self, pool => {
            sqlx::query("SELECT id FROM incidents WHERE org_id = $1 AND number = $2")
                .bind(org.0)
                .bind(number)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<i64, _>("id"))
                .transpose()?
        });
        Ok(id.map(IncidentId))
    }

    /// Marks an incident as repeating an earlier one (or not, with `None`), by hand or after
    /// its topic was set; audited, and its cards redrawn.
    pub async fn set_repeat(
        &self,
        org: OrgId,
        incident: IncidentId,
        repeat_of: Option<IncidentId>,
        actor: PersonId,
        at: DateTime<Utc>,
        refresh: &[OutboxRow],
    ) -> Result<(), StorageError> {
        let command = if repeat_of.is_some() {
            "mark_repeat"
        } else {
            "unmark_repeat"
        };
        let payload = serde_json::json!({ "repeat_of": repeat_of.map(|r| r.0) }).to_string();
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let n = sqlx::query("UPDATE incidents SET repeat_of = $1 WHERE id = $2 AND org_id = $3")
                .bind(repeat_of.map(|r| r.0))
                .bind(incident.0)
                .bind(org.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StorageError::NotFound(format!("incident {incident}")));
            }
            sqlx::query(
                "INSERT INTO audit_log (org_id, incident_id, actor_id, at, command, from_state, to_state, payload, events)
                 VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, '[]')",
            )
            .bind(org.0)
            .bind(incident.0)
            .bind(actor.0)
            .bind(ts(at))
            .bind(command)
            .bind(&payload)
            .execute(&mut *tx)
            .await?;
            insert_outbox!(tx, org, Some(incident), refresh, at);
            tx.commit().await?;
        });
        Ok(())
    }

    /// How many incidents of an organisation on a topic were detected in [from, to).
    pub async fn count_on_topic(
        &self,
        org: OrgId,
        topic: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let n = on_pool!(self, pool => {
            sqlx::query(
                "SELECT COUNT(*) AS n FROM incidents WHERE org_id = $1 AND topic = $2 AND detected_at >= $3 AND detected_at < $4",
            )
            .bind(org.0)
            .bind(topic)
            .bind(ts(from))
            .bind(ts(to))
            .fetch_one(pool)
            .await?
            .try_get::<i64, _>("n")?
        });
        Ok(n)
    }
}
