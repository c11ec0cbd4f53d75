//! What reports read: one row per incident, per department part and per stage run, rewritten
//! with every change of the incident (in its transaction), and read back for a period.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{from_key, on_pool, Pool, StorageError, Store};
use crate::domain::report::{IncidentFacts, PartFacts, Period, WorkflowFacts};
use crate::domain::stage_log::StageRun;
use crate::domain::{DepartmentId, IncidentId, OrgId, PersonId};

/// Rewrites the report rows of an incident from its workflow, on an open transaction (either
/// backend). The incident row must be written already.
macro_rules! write_report_facts {
    ($tx:expr, $id:expr, $workflow:expr) => {{
        let f = $crate::domain::report::WorkflowFacts::of($workflow);
        let secs = $crate::storage::reports::seconds;
        sqlx::query(
            "INSERT INTO report_incidents (incident_id, org_id, number, source, url, is_repeat, state, importance,
                topic, location, detected_at, routed_at, first_draft_at, approved_at, answered_at, answered_in, parts)
             SELECT i.id, i.org_id, i.number, i.source, i.url, i.repeat_of IS NOT NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
             FROM incidents i WHERE i.id = $1
             ON CONFLICT (incident_id) DO UPDATE SET state = excluded.state, importance = excluded.importance,
                topic = excluded.topic, location = excluded.location, detected_at = excluded.detected_at,
                routed_at = excluded.routed_at, first_draft_at = excluded.first_draft_at,
                approved_at = excluded.approved_at, answered_at = excluded.answered_at,
                answered_in = excluded.answered_in, parts = excluded.parts",
        )
        .bind($id)
        .bind(f.state.key())
        .bind($crate::storage::key(&f.importance)?)
        .bind(&f.topic)
        .bind(&f.location)
        .bind(secs(f.detected_at))
        .bind(f.routed_at.map(secs))
        .bind(f.first_draft_at.map(secs))
        .bind(f.approved_at.map(secs))
        .bind(f.answered_at.map(secs))
        .bind(f.answered_in)
        .bind($crate::storage::reports::pack_parts(&f.parts)?)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("DELETE FROM report_runs WHERE incident_id = $1")
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        for (n, r) in f.runs.iter().enumerate() {
            sqlx::query(
                "INSERT INTO report_runs (incident_id, run_no, org_id, detected_at, part_no, stage, executor_id,
                    started_at, deadline_at, escalation_at, ended_at, late_seconds)
                 SELECT i.id, $2, i.org_id, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM incidents i WHERE i.id = $1",
            )
            .bind($id)
            .bind(n as i64)
            .bind(secs(f.detected_at))
            .bind(r.part.map(|p| p as i64))
            .bind($crate::storage::key(&r.stage)?)
            .bind(r.executor.map(|e| e.0))
            .bind(secs(r.started_at))
            .bind(r.deadline.map(secs))
            .bind(r.escalation_at.map(secs))
            .bind(r.ended_at.map(secs))
            .bind(r.late_seconds)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(crate) use write_report_facts;

/// An instant as report rows keep it: Unix seconds.
pub(crate) fn seconds(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn instant(s: i64) -> Result<DateTime<Utc>, StorageError> {
    DateTime::from_timestamp(s, 0)
        .ok_or_else(|| StorageError::Corrupt(format!("{s} is not an instant")))
}

/// A part as the `parts` column keeps it.
#[derive(serde::Serialize, serde::Deserialize)]
struct PackedPart(i64, i64, bool, u32, Option<bool>, Option<i64>);

pub(crate) fn pack_parts(parts: &[PartFacts]) -> Result<String, StorageError> {
    let packed: Vec<PackedPart> = parts
        .iter()
        .map(|p| {
            PackedPart(
                p.department.0,
                p.executor.0,
                p.returned,
                p.reworks,
                p.first_try,
                p.answered_in,
            )
        })
        .collect();
    Ok(serde_json::to_string(&packed)?)
}

impl From<PackedPart> for PartFacts {
    fn from(p: PackedPart) -> PartFacts {
        let PackedPart(department, executor, returned, reworks, first_try, answered_in) = p;
        PartFacts {
            department: DepartmentId(department),
            executor: PersonId(executor),
            returned,
            reworks,
            first_try,
            answered_in,
        }
    }
}

/// An incident's report row as the period query hands it over: one JSON array per incident,
/// in one JSON document for the whole period (a month of a busy region is 100 000 rows, and a
/// driver that hands rows over one by one spends most of the time doing that).
#[derive(serde::Deserialize)]
struct IncidentRow(
    i64,
    String,
    String,
    bool,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Vec<PackedPart>,
    i64,
);

type RunRow = (
    i64,
    Option<i64>,
    String,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
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
        let (from, to) = (seconds(period.from), seconds(period.to));
        let document: String = match &self.pool {
            Pool::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT json_group_array(json_array(number, source, url,
                        json(CASE WHEN is_repeat THEN 'true' ELSE 'false' END), state, importance, topic,
                        location, detected_at, routed_at, first_draft_at, approved_at, answered_at,
                        answered_in, json(parts), incident_id))
                     FROM (SELECT * FROM report_incidents
                           WHERE org_id = $1 AND detected_at >= $2 AND detected_at < $3
                           ORDER BY detected_at, number)",
                )
                .bind(org.0)
                .bind(from)
                .bind(to)
                .fetch_one(pool)
                .await?
            }
            Pool::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT COALESCE(json_agg(json_build_array(number, source, url, is_repeat, state,
                        importance, topic, location, detected_at, routed_at, first_draft_at, approved_at,
                        answered_at, answered_in, parts::json, incident_id) ORDER BY detected_at, number),
                        '[]')::text
                     FROM report_incidents WHERE org_id = $1 AND detected_at >= $2 AND detected_at < $3",
                )
                .bind(org.0)
                .bind(from)
                .bind(to)
                .fetch_one(pool)
                .await?
            }
        };
        let incidents: Vec<IncidentRow> = serde_json::from_str(&document)?;
        let runs: Vec<RunRow> = on_pool!(self, pool => {
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
            runs
        });
        let mut runs_of: HashMap<i64, Vec<StageRun>> = HashMap::new();
        for (id, part, stage, executor, started, deadline, escalation, ended, late) in runs {
            runs_of.entry(id).or_default().push(StageRun {
                part: part.and_then(|p| usize::try_from(p).ok()),
                stage: from_key(&stage)?,
                executor: executor.map(PersonId),
                started_at: instant(started)?,
                deadline: deadline.map(instant).transpose()?,
                escalation_at: escalation.map(instant).transpose()?,
                ended_at: ended.map(instant).transpose()?,
                late_seconds: late,
            });
        }
        let at = |s: Option<i64>| s.map(instant).transpose();
        let mut out = Vec::with_capacity(incidents.len());
        for row in incidents {
            out.push(IncidentFacts {
                number: row.0,
                source: from_key(&row.1)?,
                url: row.2,
                repeat: row.3,
                workflow: WorkflowFacts {
                    state: from_key(&row.4)?,
                    importance: from_key(&row.5)?,
                    topic: row.6,
                    location: row.7,
                    detected_at: instant(row.8)?,
                    routed_at: at(row.9)?,
                    first_draft_at: at(row.10)?,
                    approved_at: at(row.11)?,
                    answered_at: at(row.12)?,
                    answered_in: row.13,
                    parts: row.14.into_iter().map(PartFacts::from).collect(),
                    runs: runs_of.remove(&row.15).unwrap_or_default(),
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
