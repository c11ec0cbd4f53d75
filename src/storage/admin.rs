//! Directory changes made in chat by administrators and curators: each is one transaction with
//! its audit record.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::directory::{role_key, Absence, DutyShift, NewPerson};
use super::{on_pool, ts, StorageError, Store};
use crate::domain::incident::{DepartmentId, PersonId};

/// A change to the directory.
#[derive(Debug, Clone)]
pub enum DirectoryChange {
    /// An absence; the person's open incidents are sent to the substitute at once.
    Absence(Absence),
    /// Ends the person's current absences now.
    EndAbsence {
        person: PersonId,
    },
    SetActive {
        person: PersonId,
        active: bool,
    },
    /// Makes the department the person's only one.
    Move {
        person: PersonId,
        department: DepartmentId,
    },
    AddPerson {
        person: NewPerson,
        department: Option<DepartmentId>,
    },
    AddDuty(DutyShift),
    /// Removes the person's duty shifts that have not ended before `from`.
    RemoveDuty {
        person: PersonId,
        from: chrono::NaiveDate,
    },
}

impl DirectoryChange {
    fn key(&self) -> &'static str {
        match self {
            DirectoryChange::Absence(_) => "directory.absence",
            DirectoryChange::EndAbsence { .. } => "directory.end_absence",
            DirectoryChange::SetActive { .. } => "directory.set_active",
            DirectoryChange::Move { .. } => "directory.move",
            DirectoryChange::AddPerson { .. } => "directory.add_person",
            DirectoryChange::AddDuty(_) => "directory.add_duty",
            DirectoryChange::RemoveDuty { .. } => "directory.remove_duty",
        }
    }

    fn payload(&self) -> serde_json::Value {
        match self {
            DirectoryChange::Absence(a) => serde_json::json!({
                "person": a.person, "substitute": a.substitute, "from": a.from, "until": a.until, "reason": a.reason,
            }),
            DirectoryChange::EndAbsence { person } => serde_json::json!({ "person": person }),
            DirectoryChange::SetActive { person, active } => {
                serde_json::json!({ "person": person, "active": active })
            }
            DirectoryChange::Move { person, department } => {
                serde_json::json!({ "person": person, "department": department })
            }
            DirectoryChange::AddPerson { person, department } => serde_json::json!({
                "name": person.full_name, "phone": person.phone, "roles": person.roles, "department": department,
            }),
            DirectoryChange::AddDuty(d) => {
                serde_json::json!({ "person": d.person, "from": d.from, "to": d.to, "phone": d.phone })
            }
            DirectoryChange::RemoveDuty { person, from } => {
                serde_json::json!({ "person": person, "from": from })
            }
        }
    }
}

/// What a change did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeOutcome {
    /// The person created, for `AddPerson`.
    pub person: Option<PersonId>,
    /// Open incidents handed to a substitute, for `Absence`.
    pub handed_over: usize,
}

impl Store {
    /// Applies a directory change by an actor, with its audit record, in one transaction.
    pub async fn change_directory(
        &self,
        org: i64,
        actor: PersonId,
        at: DateTime<Utc>,
        change: &DirectoryChange,
    ) -> Result<ChangeOutcome, StorageError> {
        if let DirectoryChange::Absence(a) = change {
            if a.until <= a.from {
                return Err(StorageError::Invalid(
                    "an absence must end after it starts".into(),
                ));
            }
            if a.person == a.substitute {
                return Err(StorageError::Invalid(
                    "a person cannot substitute for themselves".into(),
                ));
            }
        }
        if let DirectoryChange::AddDuty(d) = change {
            if d.to < d.from {
                return Err(StorageError::Invalid(
                    "a duty shift must end on or after its start".into(),
                ));
            }
        }
        // Every person and department named must belong to this organisation.
        let mut people = Vec::new();
        let mut departments = Vec::new();
        match change {
            DirectoryChange::Absence(a) => people.extend([a.person, a.substitute]),
            DirectoryChange::EndAbsence { person } | DirectoryChange::SetActive { person, .. } => {
                people.push(*person)
            }
            DirectoryChange::Move { person, department } => {
                people.push(*person);
                departments.push(*department);
            }
            DirectoryChange::AddPerson { department, .. } => departments.extend(*department),
            DirectoryChange::AddDuty(d) => people.push(d.person),
            DirectoryChange::RemoveDuty { person, .. } => people.push(*person),
        }
        for p in people {
            if self.person(p).await?.org_id != org {
                return Err(StorageError::Invalid(format!(
                    "person {p} is not of this organisation"
                )));
            }
        }
        for d in departments {
            let of_org = on_pool!(self, pool => {
                sqlx::query("SELECT 1 AS one FROM departments WHERE id = $1 AND org_id = $2")
                    .bind(d)
                    .bind(org)
                    .fetch_optional(pool)
                    .await?
                    .is_some()
            });
            if !of_org {
                return Err(StorageError::Invalid(format!(
                    "department {d} is not of this organisation"
                )));
            }
        }
        let payload = change.payload().to_string();
        let mut outcome = ChangeOutcome::default();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            match change {
                DirectoryChange::Absence(a) => {
                    let id: i64 = sqlx::query(
                        "INSERT INTO absences (org_id, person_id, substitute_id, starts_at, ends_at, reason)
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(org)
                    .bind(a.person)
                    .bind(a.substitute)
                    .bind(ts(a.from))
                    .bind(ts(a.until))
                    .bind(serde_json::to_value(a.reason)?.as_str().unwrap_or_default().to_string())
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("id")?;
                    // An absence that has started hands the open incidents over now.
                    if a.from <= at && at < a.until {
                        let open: Vec<(i64, i64, i64)> = sqlx::query(
                            "SELECT a.incident_id, a.part_no, i.number FROM assignments a JOIN incidents i ON i.id = a.incident_id
                             WHERE a.executor_id = $1 AND a.state NOT IN ('done', 'returned') ORDER BY a.incident_id",
                        )
                        .bind(a.person)
                        .fetch_all(&mut *tx)
                        .await?
                        .iter()
                        .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("incident_id")?, r.try_get("part_no")?, r.try_get("number")?)) })
                        .collect::<Result<_, _>>()?;
                        for (incident, part, number) in &open {
                            let payload = serde_json::json!({
                                "incident_id": incident,
                                "number": number,
                                "event": { "event": "routed", "part": part, "department": 0, "executor": a.person },
                            });
                            sqlx::query(
                                "INSERT INTO outbox (org_id, idempotency_key, incident_id, person_id, chat_id, message, payload, created_at, available_at)
                                 VALUES ($1, $2, $3, $4, NULL, 'incident_card', $5, $6, $6) ON CONFLICT (idempotency_key) DO NOTHING",
                            )
                            .bind(org)
                            .bind(format!("absence:{id}:{incident}:{part}"))
                            .bind(incident)
                            .bind(a.substitute)
                            .bind(payload.to_string())
                            .bind(ts(at))
                            .execute(&mut *tx)
                            .await?;
                        }
                        outcome.handed_over = open.len();
                    }
                }
                DirectoryChange::EndAbsence { person } => {
                    sqlx::query("UPDATE absences SET ends_at = $1 WHERE person_id = $2 AND starts_at <= $1 AND ends_at > $1")
                        .bind(ts(at))
                        .bind(person)
                        .execute(&mut *tx)
                        .await?;
                }
                DirectoryChange::SetActive { person, active } => {
                    sqlx::query("UPDATE people SET active = $1 WHERE id = $2")
                        .bind(active)
                        .bind(person)
                        .execute(&mut *tx)
                        .await?;
                }
                DirectoryChange::Move { person, department } => {
                    sqlx::query("DELETE FROM department_members WHERE person_id = $1").bind(person).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO department_members (department_id, person_id) VALUES ($1, $2)")
                        .bind(department)
                        .bind(person)
                        .execute(&mut *tx)
                        .await?;
                }
                DirectoryChange::AddPerson { person, department } => {
                    let id: i64 = sqlx::query(
                        "INSERT INTO people (org_id, full_name, phone, telegram_user_id, telegram_username) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(org)
                    .bind(person.full_name.trim())
                    .bind(&person.phone)
                    .bind(person.telegram_user_id)
                    .bind(&person.telegram_username)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("id")?;
                    for role in &person.roles {
                        sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                            .bind(id)
                            .bind(role_key(*role))
                            .execute(&mut *tx)
                            .await?;
                    }
                    if let Some(d) = department {
                        sqlx::query("INSERT INTO department_members (department_id, person_id) VALUES ($1, $2)")
                            .bind(d)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    outcome.person = Some(id);
                }
                DirectoryChange::RemoveDuty { person, from } => {
                    sqlx::query("DELETE FROM duty_roster WHERE org_id = $1 AND person_id = $2 AND ends_on >= $3")
                        .bind(org)
                        .bind(person)
                        .bind(from)
                        .execute(&mut *tx)
                        .await?;
                }
                DirectoryChange::AddDuty(d) => {
                    sqlx::query("INSERT INTO duty_roster (org_id, person_id, starts_on, ends_on, phone) VALUES ($1, $2, $3, $4, $5)")
                        .bind(org)
                        .bind(d.person)
                        .bind(d.from)
                        .bind(d.to)
                        .bind(&d.phone)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            sqlx::query(
                "INSERT INTO audit_log (org_id, incident_id, actor_id, at, command, from_state, to_state, payload, events)
                 VALUES ($1, NULL, $2, $3, $4, NULL, NULL, $5, '[]')",
            )
            .bind(org)
            .bind(actor)
            .bind(ts(at))
            .bind(change.key())
            .bind(&payload)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(outcome)
    }

    /// The organisation-level audit records (directory changes), newest last.
    pub async fn directory_audit(
        &self,
        org: i64,
    ) -> Result<Vec<(i64, String, serde_json::Value)>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query("SELECT actor_id, command, payload FROM audit_log WHERE org_id = $1 AND incident_id IS NULL ORDER BY id")
                .bind(org)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get::<i64, _>("actor_id")?, r.try_get::<String, _>("command")?, r.try_get::<String, _>("payload")?)) })
                .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter()
            .map(|(a, c, p)| Ok((a, c, serde_json::from_str(&p)?)))
            .collect()
    }
}
