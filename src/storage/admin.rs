//! Directory changes made in chat by administrators and curators: each is one transaction with
//! its audit record (and the outbox rows the core wrote for it, such as cards handed over to a
//! substitute), and bumps the organisation's version.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::directory::{bump_version, insert_person, Absence, NewPerson};
use super::duty::{DutyShift, INSERT_SHIFT};
use super::outbox::{insert_outbox, OutboxRow};
use super::templates::{NewTemplate, SAVE_TEMPLATE};
use super::Writer;
use super::{on_pool, ts, BeginWrite, StorageError, Store};
use crate::domain::{DepartmentId, OrgId, PersonId};

/// A change to the directory.
#[derive(Debug, Clone)]
pub enum DirectoryChange {
    /// An absence with the substitute who receives the person's incidents.
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
    /// Adds an answer template, or replaces the one of the same name.
    SaveTemplate(NewTemplate),
    /// Removes the answer template of this name.
    RemoveTemplate {
        name: String,
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
            DirectoryChange::SaveTemplate(_) => "directory.save_template",
            DirectoryChange::RemoveTemplate { .. } => "directory.remove_template",
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
            DirectoryChange::SaveTemplate(t) => {
                serde_json::json!({ "name": t.name, "topic": t.topic, "text": t.text })
            }
            DirectoryChange::RemoveTemplate { name } => serde_json::json!({ "name": name }),
        }
    }
}

/// What a change did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeOutcome {
    /// The person created, for `AddPerson`.
    pub person: Option<PersonId>,
}

impl Store {
    /// Applies a directory change by an actor, with its audit record and outbox rows, in one
    /// transaction. Every person and department named must belong to the organisation.
    pub async fn change_directory(
        &self,
        org: OrgId,
        actor: PersonId,
        at: DateTime<Utc>,
        change: &DirectoryChange,
        outbox: &[OutboxRow],
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
            DirectoryChange::SaveTemplate(_) | DirectoryChange::RemoveTemplate { .. } => {}
        }
        for p in people {
            if self.person(p).await?.org != org {
                return Err(StorageError::Invalid(format!(
                    "person {p} is not of this organisation"
                )));
            }
        }
        for d in departments {
            let of_org = on_pool!(self, pool => {
                sqlx::query("SELECT 1 AS one FROM departments WHERE id = $1 AND org_id = $2")
                    .bind(d.0)
                    .bind(org.0)
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
            let mut tx = pool.writer(self).begin_write().await?;
            match change {
                DirectoryChange::Absence(a) => {
                    sqlx::query(
                        "INSERT INTO absences (org_id, person_id, substitute_id, starts_at, ends_at, reason)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(org.0)
                    .bind(a.person.0)
                    .bind(a.substitute.0)
                    .bind(ts(a.from))
                    .bind(ts(a.until))
                    .bind(a.reason.stored())
                    .execute(&mut *tx)
                    .await?;
                }
                DirectoryChange::EndAbsence { person } => {
                    sqlx::query("UPDATE absences SET ends_at = $1 WHERE person_id = $2 AND starts_at <= $1 AND ends_at > $1")
                        .bind(ts(at))
                        .bind(person.0)
                        .execute(&mut *tx)
                        .await?;
                }
                DirectoryChange::SetActive { person, active } => {
                    sqlx::query("UPDATE people SET active = $1 WHERE id = $2")
                        .bind(active)
                        .bind(person.0)
                        .execute(&mut *tx)
                        .await?;
                }
                DirectoryChange::Move { person, department } => {
                    sqlx::query("DELETE FROM department_members WHERE person_id = $1").bind(person.0).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO department_members (department_id, person_id) VALUES ($1, $2)")
                        .bind(department.0)
                        .bind(person.0)
                        .execute(&mut *tx)
                        .await?;
                }
                DirectoryChange::AddPerson { person, department } => {
                    let id = insert_person!(tx, org, person);
                    if let Some(d) = department {
                        sqlx::query("INSERT INTO department_members (department_id, person_id) VALUES ($1, $2)")
                            .bind(d.0)
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await?;
                    }
                    outcome.person = Some(id);
                }
                DirectoryChange::RemoveDuty { person, from } => {
                    sqlx::query("DELETE FROM duty_roster WHERE org_id = $1 AND person_id = $2 AND ends_on >= $3")
                        .bind(org.0)
                        .bind(person.0)
                        .bind(from)
                        .execute(&mut *tx)
                        .await?;
                }
                DirectoryChange::SaveTemplate(t) => {
                    sqlx::query(SAVE_TEMPLATE)
                        .bind(org.0)
                        .bind(&t.name)
                        .bind(&t.topic)
                        .bind(&t.text)
                        .execute(&mut *tx)
                        .await?;
                }
                DirectoryChange::RemoveTemplate { name } => {
                    sqlx::query("DELETE FROM answer_templates WHERE org_id = $1 AND name = $2")
                        .bind(org.0)
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                }
                DirectoryChange::AddDuty(d) => {
                    sqlx::query(INSERT_SHIFT)
                        .bind(org.0)
                        .bind(d.person.0)
                        .bind(d.from)
                        .bind(d.to)
                        .bind(&d.phone)
                        .bind(d.department.map(|x| x.0))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            sqlx::query(
                "INSERT INTO audit_log (org_id, incident_id, actor_id, at, command, from_state, to_state, payload, events)
                 VALUES ($1, NULL, $2, $3, $4, NULL, NULL, $5, '[]')",
            )
            .bind(org.0)
            .bind(actor.0)
            .bind(ts(at))
            .bind(change.key())
            .bind(&payload)
            .execute(&mut *tx)
            .await?;
            insert_outbox!(tx, org, None, outbox, at);
            bump_version!(tx, org);
            tx.commit().await?;
        });
        Ok(outcome)
    }
}
