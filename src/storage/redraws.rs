//! Card redraws waiting in the outbox, coalesced: a card has at most one redraw waiting (it is
//! drawn as the incident is when its turn comes), and a redraw asked for again in a more urgent
//! lane moves up to it.

use chrono::{DateTime, Utc};

use super::outbox::insert_outbox;
use super::{on_pool, queue_key, ts, BeginWrite, OutboxRow, StorageError, Store, Writer};
use crate::domain::{IncidentId, OrgId};

impl Store {
    /// Queues redraws of an incident's cards (`rows`: each a card's redraw, its recipient the
    /// card's chat), except where one of that card already waits unclaimed — that one takes
    /// the more urgent of the two lanes instead. One transaction.
    pub async fn enqueue_redraws(
        &self,
        org: OrgId,
        incident: IncidentId,
        rows: &[OutboxRow],
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        if rows.is_empty() {
            return Ok(());
        }
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let mut fresh = Vec::new();
            for r in rows {
                let waiting = sqlx::query(
                    "UPDATE outbox SET lane = CASE WHEN lane > $1 THEN $1 ELSE lane END
                     WHERE recipient_key = $2 AND incident_id = $3 AND message = $4 AND payload = $5
                       AND delivered_at IS NULL AND (locked_until IS NULL OR locked_until <= $6)",
                )
                .bind(r.lane)
                .bind(queue_key(&r.recipient, Some(incident)))
                .bind(incident.0)
                .bind(&r.kind)
                .bind(r.payload.to_string())
                .bind(ts(at))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if waiting == 0 {
                    fresh.push(r.clone());
                }
            }
            let incident = Some(incident);
            insert_outbox!(tx, org, incident, fresh, at);
            tx.commit().await?;
        });
        Ok(())
    }
}
