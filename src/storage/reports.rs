//! What reports read: one row per incident, per department part and per stage run, rewritten
//! with every change of the incident (in its transaction), and read back for a period.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{from_key, on_pool, StorageError, Store};
use crate::domain::report::{IncidentFacts, PartFacts, Period, WorkflowFacts};
use crate::domain::stage_log::StageRun;
use crate::domain::{DepartmentId, IncidentId, OrgId, PersonId};

/// Rewrites the report rows of an incident from its workflow, on an open transaction (either
/// backend). The incident row must be written already.
macro_rules! write_report_facts {
    ($tx:expr, $id:expr, $workflow:expr) => {{
        let f = $crate::domain::report::WorkflowFacts::of($workflow);
        let ts = $crate::storage::ts;
        sqlx::query(
            "INSERT INTO report_incidents (incident_id, org_id, number, source, url, is_repeat, state, importance,
                topic, location, detected_at, routed_at, first_draft_at, approved_at, answered_at, answered_in)
             SELECT i.id, i.org_id, i.number, i.source, i.url, i.repeat_of IS NOT NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
             FROM incidents i WHERE i.id = $1
             ON CONFLICT (incident_id) DO UPDATE SET state = excluded.state, importance = excluded.importance,
                topic = excluded.topic, location = excluded.location, detected_at = excluded.detected_at,
                routed_at = excluded.routed_at, first_draft_at = excluded.first_draft_at,
                approved_at = excluded.approved_at, answered_at = excluded.answered_at,
                answered_in = excluded.answered_in",
        )
        .bind($id)
        .bind(f.state.key())
        .bind($crate::storage::key(&f.importance)?)
        .bind(&f.topic)
        .bind(&f.location)
        .bind(ts(f.detected_at))
        .bind(f.routed_at.map(ts))
        .bind(f.first_draft_at.map(ts))
        .bind(f.approved_at.map(ts))
        .bind(f.answered_at.map(ts))
        .bind(f.answered_in)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("DELETE FROM report_parts WHERE incident_id = $1")
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        sqlx::query("DELETE FROM report_runs WHERE incident_id = $1")
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        for (n, p) in f.parts.iter().enumerate() {
            sqlx::query(
                "INSERT INTO report_parts (incident_id, part_no, org_id, detected_at, department_id, executor_id,
                    state, reworks, first_try, answered_in)
                 SELECT i.id, $2, i.org_id, $3, $4, $5, $6, $7, $8, $9 FROM incidents i WHERE i.id = $1",
            )
            .bind($id)
            .bind(n as i64)
            .bind(ts(f.detected_at))
            .bind(p.department.0)
            .bind(p.executor.0)
            .bind(if p.returned { "returned" } else { "" })
            .bind(i64::from(p.reworks))
            .bind(p.first_try)
            .bind(p.answered_in)
            .execute(&mut *$tx)
            .await?;
        }
        for (n, r) in f.runs.iter().enumerate() {
            sqlx::query(
                "INSERT INTO report_runs (incident_id, run_no, org_id, detected_at, part_no, stage, executor_id,
                    started_at, deadline_at, escalation_at, ended_at, late_seconds)
                 SELECT i.id, $2, i.org_id, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM incidents i WHERE i.id = $1",
            )
            .bind($id)
            .bind(n as i64)
            .bind(ts(f.detected_at))
            .bind(r.part.map(|p| p as i64))
            .bind($crate::storage::key(&r.stage)?)
            .bind(r.executor.map(|e| e.0))
            .bind(ts(r.started_at))
            .bind(r.deadline.map(ts))
            .bind(r.escalation_at.map(ts))
            .bind(r.ended_at.map(ts))
            .bind(r.late_seconds)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(crate) use write_report_facts;

type IncidentRow = (
    i64,
    i64,
    String,
    String,
    bool,
    String,
    String,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<i64>,
);

type PartRow = (i64, i64, i64, String, i64, Option<bool>, Option<i64>);

type RunRow = (
    i64,
    Option<i64>,
    String,
    Option<i64>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<i64>,
);

impl Store {
    /// The facts of every incident of an organisation detected in a period, in order of
    /// detection; each with only the stage runs that broke their deadline or still run with one.
    pub async fn report_facts(
        &self,
        org: OrgId,
        period: Period,
    ) -> Result<Vec<IncidentFacts>, StorageError> {
        let (from, to) = (super::ts(period.from), super::ts(period.to));
        let (incidents, parts, runs): (Vec<IncidentRow>, Vec<PartRow>, Vec<RunRow>) = on_pool!(self, pool => {
            let incidents = sqlx::query_as(
                "SELECT incident_id, number, source, url, is_repeat, state, importance, topic, location,
                        detected_at, routed_at, first_draft_at, approved_at, answered_at, answered_in
                     FROM report_incidents WHERE org_id = $1 AND detected_at >= $2 AND detected_at < $3
                     ORDER BY detected_at, number",
            )
            .bind(org.0)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?;
            let parts = sqlx::query_as(
                "SELECT incident_id, department_id, executor_id, state, reworks, first_try, answered_in
                     FROM report_parts WHERE org_id = $1 AND detected_at >= $2 AND detected_at < $3
                     ORDER BY incident_id, part_no",
            )
            .bind(org.0)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?;
            let runs = sqlx::query_as(
                "SELECT incident_id, part_no, stage, executor_id, started_at, deadline_at, escalation_at,
                        ended_at, late_seconds
                     FROM report_runs WHERE org_id = $1 AND detected_at >= $2 AND detected_at < $3
                        AND (late_seconds > 0 OR (ended_at IS NULL AND deadline_at IS NOT NULL))
                     ORDER BY incident_id, run_no",
            )
            .bind(org.0)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?;
            (incidents, parts, runs)
        });
        let mut by_id: HashMap<i64, (Vec<PartFacts>, Vec<StageRun>)> = HashMap::new();
        for (id, department, executor, state, reworks, first_try, answered_in) in parts {
            by_id.entry(id).or_default().0.push(PartFacts {
                department: DepartmentId(department),
                executor: PersonId(executor),
                returned: state == "returned",
                reworks: u32::try_from(reworks).unwrap_or(0),
                first_try,
                answered_in,
            });
        }
        for (id, part, stage, executor, started, deadline, escalation, ended, late) in runs {
            by_id.entry(id).or_default().1.push(StageRun {
                part: part.and_then(|p| usize::try_from(p).ok()),
                stage: from_key(&stage)?,
                executor: executor.map(PersonId),
                started_at: started,
                deadline,
                escalation_at: escalation,
                ended_at: ended,
                late_seconds: late,
            });
        }
        let mut out = Vec::with_capacity(incidents.len());
        for row in incidents {
            let (id, number, source, url, repeat, state, importance, topic, location) = (
                row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8,
            );
            let (parts, runs) = by_id.remove(&id).unwrap_or_default();
            out.push(IncidentFacts {
                number,
                source: from_key(&source)?,
                url,
                repeat,
                workflow: WorkflowFacts {
                    state: from_key(&state)?,
                    importance: from_key(&importance)?,
                    topic,
                    location,
                    detected_at: row.9,
                    routed_at: row.10,
                    first_draft_at: row.11,
                    approved_at: row.12,
                    answered_at: row.13,
                    answered_in: row.14,
                    parts,
                    runs,
                },
            });
        }
        Ok(out)
    }

    /// Incidents stored before reports kept their facts (a database an older release left).
    pub async fn incidents_without_report_facts(&self) -> Result<Vec<IncidentId>, StorageError> {
        let ids: Vec<i64> = on_pool!(self, pool => {
            sqlx::query(
                "SELECT i.id FROM incidents i LEFT JOIN report_incidents r ON r.incident_id = i.id
                 WHERE r.incident_id IS NULL ORDER BY i.id",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("id"))
            .collect::<Result<Vec<_>, _>>()?
        });
        Ok(ids.into_iter().map(IncidentId).collect())
    }

    /// Writes the report rows of an incident from its stored workflow.
    pub async fn write_report_facts(&self, id: IncidentId) -> Result<(), StorageError> {
        let record = self.incident(id).await?;
        let outcome: Result<(), StorageError> = on_pool!(self, pool => {
            async {
                let mut tx = super::BeginWrite::begin_write(pool).await?;
                write_report_facts!(tx, id.0, &record.workflow);
                tx.commit().await?;
                Ok(())
            }
            .await
        });
        outcome
    }
}
