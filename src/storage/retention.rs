//! Anonymising incidents past the retention period: the incident's personal content is
//! overwritten everywhere it is kept — the incident row and its workflow, its drafts, its audit
//! payloads, its delivered messages, its posted answers' links — in one transaction, with an
//! audit record of its own. Counts, states and stage times stay.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::outbox::{insert_outbox, OutboxRow};
use super::Writer;
use super::{on_pool, ts, BeginWrite, StorageError, Store};
use crate::domain::content::IncidentRecord;
use crate::domain::{IncidentId, OrgId, PersonId};

/// Finished states, as stored.
const FINISHED: &str =
    "'published', 'no_answer', 'explanation_sent', 'converted_to_appeal', 'closed'";

impl Store {
    /// Deletes an organisation's answers to presses and messages (the outbox's `show` rows:
    /// prompts, previews, the texts people typed shown back) delivered before `before`; they
    /// name no incident, so anonymising one does not reach them. Returns how many.
    pub async fn forget_answers(
        &self,
        org: OrgId,
        before: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        let n = on_pool!(self, pool => {
            sqlx::query(
                "DELETE FROM outbox WHERE org_id = $1 AND message = 'show'
                   AND delivered_at IS NOT NULL AND delivered_at < $2",
            )
            .bind(org.0)
            .bind(ts(before))
            .execute(pool.writer(self))
            .await?
            .rows_affected()
        });
        Ok(n)
    }

    /// The same for every organisation (the delivery worker's daily pruning).
    pub async fn forget_all_answers(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        let n = on_pool!(self, pool => {
            sqlx::query(
                "DELETE FROM outbox WHERE message = 'show' AND delivered_at IS NOT NULL AND delivered_at < $1",
            )
            .bind(ts(before))
            .execute(pool.writer(self))
            .await?
            .rows_affected()
        });
        Ok(n)
    }

    /// Finished incidents of an organisation found before `before` and not anonymised yet,
    /// oldest first, at most `limit`.
    pub async fn incidents_to_anonymise(
        &self,
        org: OrgId,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<IncidentId>, StorageError> {
        let sql = format!(
            "SELECT id FROM incidents WHERE org_id = $1 AND detected_at < $2 AND anonymised_at IS NULL
               AND state IN ({FINISHED}) ORDER BY id LIMIT $3"
        );
        let ids = on_pool!(self, pool => {
            sqlx::query(&sql)
                .bind(org.0)
                .bind(ts(before))
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("id").map(IncidentId))
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(ids)
    }

    /// How many stored rows of an incident (its row, drafts, audit records, messages, report
    /// row, posted answers, remembered answer, kept files) still contain `needle`: proof that anonymising left nothing behind.
    pub async fn rows_mentioning(
        &self,
        incident: IncidentId,
        needle: &str,
    ) -> Result<i64, StorageError> {
        let like = format!("%{needle}%");
        let n = on_pool!(self, pool => {
            sqlx::query(
                "SELECT (SELECT COUNT(*) FROM incidents WHERE id = $1
                           AND (body LIKE $2 OR author LIKE $2 OR url LIKE $2 OR workflow LIKE $2))
                      + (SELECT COUNT(*) FROM drafts WHERE incident_id = $1
                           AND (body LIKE $2 OR reviews LIKE $2))
                      + (SELECT COUNT(*) FROM audit_log WHERE incident_id = $1
                           AND (payload LIKE $2 OR events LIKE $2))
                      + (SELECT COUNT(*) FROM outbox WHERE incident_id = $1 AND payload LIKE $2)
                      + (SELECT COUNT(*) FROM report_incidents WHERE incident_id = $1 AND url LIKE $2)
                      + (SELECT COUNT(*) FROM auto_publications WHERE incident_id = $1 AND link LIKE $2)
                      + (SELECT COUNT(*) FROM answer_memory WHERE incident_id = $1
                           AND (message LIKE $2 OR answer LIKE $2))
                      + (SELECT COUNT(*) FROM kept_files WHERE incident_id = $1 AND file_ref LIKE $2) AS n",
            )
            .bind(incident.0)
            .bind(&like)
            .fetch_one(pool)
            .await?
            .try_get::<i64, _>("n")?
        });
        Ok(n)
    }

    /// Stores an incident whose content was anonymised (see `domain::retention`), removes the
    /// same content from everything kept beside it and queues `outbox`; `false` when it was
    /// anonymised already.
    pub async fn anonymise_incident(
        &self,
        record: &IncidentRecord,
        outbox: &[OutboxRow],
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let id = record.id.0;
        let c = &record.content;
        let workflow = serde_json::to_string(&record.workflow)?;
        let attachments = serde_json::to_string(&c.attachments)?;
        let done = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let changed = sqlx::query(
                "UPDATE incidents SET url = $1, author = $2, body = $3, attachments = $4, workflow = $5,
                    anonymised_at = $6, updated_at = $6
                 WHERE id = $7 AND anonymised_at IS NULL",
            )
            .bind(&c.url)
            .bind(&c.author)
            .bind(&c.text)
            .bind(&attachments)
            .bind(&workflow)
            .bind(ts(at))
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed > 0 {
                // Every draft version's text, attachments and comments.
                let mut drafts = Vec::new();
                for (i, p) in record.workflow.parts.iter().enumerate() {
                    for d in &p.drafts {
                        drafts.push((i as i64, d));
                    }
                }
                if let Some(d) = &record.workflow.consolidated {
                    drafts.push((-1, d));
                }
                for (part_no, d) in drafts {
                    sqlx::query(
                        "UPDATE drafts SET body = $1, attachments = $2, reviews = $3
                         WHERE incident_id = $4 AND part_no = $5 AND version = $6",
                    )
                    .bind(&d.text)
                    .bind(serde_json::to_string(&d.attachments)?)
                    .bind(serde_json::to_string(&d.reviews)?)
                    .bind(id)
                    .bind(part_no)
                    .bind(i64::from(d.version))
                    .execute(&mut *tx)
                    .await?;
                }
                // An anonymised answer is no longer offered as a model.
                sqlx::query("DELETE FROM answer_memory WHERE incident_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // Nor are its photos served any more.
                sqlx::query("DELETE FROM kept_files WHERE incident_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // The audit log keeps who did what and when, not what they wrote.
                sqlx::query(
                    "UPDATE audit_log SET payload = '{\"anonymised\":true}', events = '[]' WHERE incident_id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM outbox WHERE incident_id = $1 AND delivered_at IS NOT NULL")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // Reports list each incident with its link.
                sqlx::query("UPDATE report_incidents SET url = '' WHERE incident_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE auto_publications SET link = NULL WHERE incident_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO audit_log (org_id, incident_id, actor_id, at, command, from_state, to_state, payload, events)
                     VALUES ($1, $2, $3, $4, 'anonymise', NULL, NULL, '{}', '[]')",
                )
                .bind(record.org.0)
                .bind(id)
                .bind(PersonId::SYSTEM.0)
                .bind(ts(at))
                .execute(&mut *tx)
                .await?;
                // The cards in the chats are drawn again, without the content.
                insert_outbox!(tx, record.org, Some(record.id), outbox, at);
            }
            tx.commit().await?;
            changed > 0
        });
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::FINISHED;
    use crate::domain::incident::IncidentState;

    #[test]
    fn the_finished_list_matches_the_domain() {
        for key in [
            "new",
            "in_work",
            "consolidating",
            "awaiting_publication",
            "awaiting_final",
            "published",
            "no_answer",
            "explanation_sent",
            "converted_to_appeal",
            "closed",
        ] {
            let state: IncidentState =
                serde_json::from_value(serde_json::json!(key)).unwrap_or(IncidentState::New);
            assert_eq!(state.key(), key);
            assert_eq!(
                FINISHED.contains(&format!("'{key}'")),
                state.is_finished(),
                "{key}"
            );
        }
    }
}
