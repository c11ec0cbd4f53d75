//! Organisations and their directory: departments, people, roles, absences with substitutes,
//! the duty roster.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{on_pool, ts, StorageError, Store};
use crate::domain::incident::{Actor, DepartmentId, PersonId, Role};
use crate::domain::regulation::Regulation;

/// An organisation to create.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: String,
    /// The preset name or the profile's id.
    pub regulation_name: String,
    /// The regulation profile as TOML (a preset's text or the administrator's file).
    pub regulation_toml: String,
    pub curator_chat_id: Option<i64>,
    pub head_chat_id: Option<i64>,
}

/// A stored organisation with its parsed regulation.
#[derive(Debug, Clone)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub regulation_name: String,
    pub regulation: Regulation,
    pub curator_chat_id: Option<i64>,
    pub head_chat_id: Option<i64>,
    /// The discussion group of the organisation's Telegram channel, whose comments become
    /// incidents, and the channel's username (for links).
    pub discussion_chat_id: Option<i64>,
    pub channel_username: Option<String>,
}

/// A person to add to the directory.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub full_name: String,
    pub phone: Option<String>,
    pub telegram_user_id: Option<i64>,
    pub telegram_username: Option<String>,
    pub roles: Vec<Role>,
}

/// A person in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub org_id: i64,
    pub full_name: String,
    pub phone: Option<String>,
    pub telegram_user_id: Option<i64>,
    pub active: bool,
    pub roles: Vec<Role>,
}

/// Why someone is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceReason {
    Illness,
    Vacation,
    BusinessTrip,
    Study,
}

impl AbsenceReason {
    fn key(self) -> &'static str {
        match self {
            AbsenceReason::Illness => "illness",
            AbsenceReason::Vacation => "vacation",
            AbsenceReason::BusinessTrip => "business_trip",
            AbsenceReason::Study => "study",
        }
    }
}

/// An absence: [from, until) with the substitute who receives the person's incidents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub person: PersonId,
    pub substitute: PersonId,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub reason: AbsenceReason,
}

/// A duty shift: the person answers emergencies on these dates (inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyShift {
    pub person: PersonId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub phone: Option<String>,
}

pub(crate) fn role_key(r: Role) -> &'static str {
    match r {
        Role::Executor => "executor",
        Role::DepartmentHead => "department_head",
        Role::Deputy => "deputy",
        Role::Curator => "curator",
        Role::Head => "head",
        Role::DutyOfficer => "duty_officer",
        Role::Administrator => "administrator",
        Role::System => "system",
    }
}

fn parse_role(s: &str) -> Result<Role, StorageError> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| StorageError::Corrupt(format!("unknown role {s:?}")))
}

impl Store {
    /// Creates an organisation; its regulation must validate.
    pub async fn create_organisation(
        &self,
        org: &NewOrganisation,
        at: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        Regulation::from_toml(&org.regulation_toml)
            .map_err(|e| StorageError::Invalid(e.to_string()))?;
        let id = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO organisations (name, regulation_name, regulation_toml, curator_chat_id, head_chat_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(&org.name)
            .bind(&org.regulation_name)
            .bind(&org.regulation_toml)
            .bind(org.curator_chat_id)
            .bind(org.head_chat_id)
            .bind(ts(at))
            .fetch_one(pool)
            .await?
            .try_get::<i64, _>("id")?
        });
        Ok(id)
    }

    /// Loads an organisation and parses its regulation.
    pub async fn organisation(&self, id: i64) -> Result<Organisation, StorageError> {
        let row = on_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT name, regulation_name, regulation_toml, curator_chat_id, head_chat_id, discussion_chat_id, channel_username
                 FROM organisations WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            match row {
                None => None,
                Some(r) => Some((
                    r.try_get::<String, _>("name")?,
                    r.try_get::<String, _>("regulation_name")?,
                    r.try_get::<String, _>("regulation_toml")?,
                    r.try_get::<Option<i64>, _>("curator_chat_id")?,
                    r.try_get::<Option<i64>, _>("head_chat_id")?,
                    r.try_get::<Option<i64>, _>("discussion_chat_id")?,
                    r.try_get::<Option<String>, _>("channel_username")?,
                )),
            }
        });
        let (
            name,
            regulation_name,
            toml,
            curator_chat_id,
            head_chat_id,
            discussion_chat_id,
            channel_username,
        ) = row.ok_or_else(|| StorageError::NotFound(format!("organisation {id}")))?;
        let regulation = Regulation::from_toml(&toml)
            .map_err(|e| StorageError::Corrupt(format!("organisation {id}: {e}")))?;
        Ok(Organisation {
            id,
            name,
            regulation_name,
            regulation,
            curator_chat_id,
            head_chat_id,
            discussion_chat_id,
            channel_username,
        })
    }

    /// Updates a group chat id (e.g. after a group became a supergroup).
    pub async fn set_curator_chat(&self, org: i64, chat_id: i64) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE organisations SET curator_chat_id = $1 WHERE id = $2")
                .bind(chat_id)
                .bind(org)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Creates a department.
    pub async fn create_department(
        &self,
        org: i64,
        name: &str,
    ) -> Result<DepartmentId, StorageError> {
        let id = on_pool!(self, pool => {
            sqlx::query("INSERT INTO departments (org_id, name) VALUES ($1, $2) RETURNING id")
                .bind(org)
                .bind(name)
                .fetch_one(pool)
                .await?
                .try_get::<i64, _>("id")?
        });
        Ok(id)
    }

    /// Names the head of a department (who must be a member of the same organisation).
    pub async fn set_department_head(
        &self,
        department: DepartmentId,
        person: PersonId,
    ) -> Result<(), StorageError> {
        let n = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE departments SET head_person_id = $1 WHERE id = $2
                 AND org_id = (SELECT org_id FROM people WHERE id = $1)",
            )
            .bind(person)
            .bind(department)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(StorageError::Invalid(format!(
                "department {department} and person {person} are not of one organisation"
            )));
        }
        Ok(())
    }

    /// Adds a person with their roles, in one transaction.
    pub async fn create_person(&self, org: i64, p: &NewPerson) -> Result<PersonId, StorageError> {
        let id = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query(
                "INSERT INTO people (org_id, full_name, phone, telegram_user_id, telegram_username)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(org)
            .bind(&p.full_name)
            .bind(&p.phone)
            .bind(p.telegram_user_id)
            .bind(&p.telegram_username)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            for role in &p.roles {
                sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(id)
                    .bind(role_key(*role))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Puts a person into a department.
    pub async fn add_to_department(
        &self,
        department: DepartmentId,
        person: PersonId,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO department_members (department_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(department)
            .bind(person)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Loads a person.
    pub async fn person(&self, id: PersonId) -> Result<Person, StorageError> {
        let (org_id, full_name, phone, telegram_user_id, active, roles) = on_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT org_id, full_name, phone, telegram_user_id, active FROM people WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| StorageError::NotFound(format!("person {id}")))?;
            let roles: Vec<String> = sqlx::query("SELECT role FROM person_roles WHERE person_id = $1 ORDER BY role")
                .bind(id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>("role"))
                .collect::<Result<_, _>>()?;
            (
                row.try_get::<i64, _>("org_id")?,
                row.try_get::<String, _>("full_name")?,
                row.try_get::<Option<String>, _>("phone")?,
                row.try_get::<Option<i64>, _>("telegram_user_id")?,
                row.try_get::<bool, _>("active")?,
                roles,
            )
        });
        Ok(Person {
            id,
            org_id,
            full_name,
            phone,
            telegram_user_id,
            active,
            roles: roles
                .iter()
                .map(|r| parse_role(r))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Deactivates or reactivates a person (a deactivated person can no longer act).
    pub async fn set_person_active(&self, id: PersonId, active: bool) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE people SET active = $1 WHERE id = $2")
                .bind(active)
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Records an absence with its substitute.
    pub async fn add_absence(&self, org: i64, a: &Absence) -> Result<i64, StorageError> {
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
        let id = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO absences (org_id, person_id, substitute_id, starts_at, ends_at, reason)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(org)
            .bind(a.person)
            .bind(a.substitute)
            .bind(ts(a.from))
            .bind(ts(a.until))
            .bind(a.reason.key())
            .fetch_one(pool)
            .await?
            .try_get::<i64, _>("id")?
        });
        Ok(id)
    }

    /// Adds a duty shift.
    pub async fn add_duty(&self, org: i64, d: &DutyShift) -> Result<i64, StorageError> {
        if d.to < d.from {
            return Err(StorageError::Invalid(
                "a duty shift must end on or after its start".into(),
            ));
        }
        let id = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO duty_roster (org_id, person_id, starts_on, ends_on, phone) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(org)
            .bind(d.person)
            .bind(d.from)
            .bind(d.to)
            .bind(&d.phone)
            .fetch_one(pool)
            .await?
            .try_get::<i64, _>("id")?
        });
        Ok(id)
    }

    /// Who is on duty on a local date.
    pub async fn on_duty(&self, org: i64, date: NaiveDate) -> Result<Vec<PersonId>, StorageError> {
        let ids = on_pool!(self, pool => {
            sqlx::query(
                "SELECT d.person_id FROM duty_roster d JOIN people p ON p.id = d.person_id
                 WHERE d.org_id = $1 AND d.starts_on <= $2 AND d.ends_on >= $2 AND p.active
                 ORDER BY d.person_id",
            )
            .bind(org)
            .bind(date)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("person_id"))
            .collect::<Result<Vec<_>, _>>()?
        });
        Ok(ids)
    }

    /// Who handles a person's incidents at an instant: their substitute while they are absent
    /// (following a substitute's own absence, at most a few steps), otherwise themselves.
    pub async fn handler_for(
        &self,
        person: PersonId,
        at: DateTime<Utc>,
    ) -> Result<PersonId, StorageError> {
        let mut current = person;
        for _ in 0..4 {
            let next = on_pool!(self, pool => {
                sqlx::query(
                    "SELECT substitute_id FROM absences WHERE person_id = $1 AND starts_at <= $2 AND ends_at > $2
                     ORDER BY starts_at DESC LIMIT 1",
                )
                .bind(current)
                .bind(ts(at))
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<i64, _>("substitute_id"))
                .transpose()?
            });
            match next {
                Some(s) if s != person => current = s,
                _ => break,
            }
        }
        Ok(current)
    }

    /// The people with a role in an organisation (active only).
    pub async fn people_with_role(
        &self,
        org: i64,
        role: Role,
    ) -> Result<Vec<PersonId>, StorageError> {
        let ids = on_pool!(self, pool => {
            sqlx::query(
                "SELECT p.id FROM people p JOIN person_roles r ON r.person_id = p.id
                 WHERE p.org_id = $1 AND r.role = $2 AND p.active ORDER BY p.id",
            )
            .bind(org)
            .bind(role_key(role))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("id"))
            .collect::<Result<Vec<_>, _>>()?
        });
        Ok(ids)
    }

    /// The head of a department, if named.
    pub async fn department_head(
        &self,
        department: DepartmentId,
    ) -> Result<Option<PersonId>, StorageError> {
        let head = on_pool!(self, pool => {
            sqlx::query("SELECT head_person_id FROM departments WHERE id = $1")
                .bind(department)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<Option<i64>, _>("head_person_id"))
                .transpose()?
                .flatten()
        });
        Ok(head)
    }

    /// The actor a person is at an instant: roles, departments headed, and whom they substitute.
    /// A deactivated person has no roles and can do nothing.
    pub async fn actor(&self, person: PersonId, at: DateTime<Utc>) -> Result<Actor, StorageError> {
        let p = self.person(person).await?;
        if !p.active {
            return Ok(Actor {
                person,
                ..Actor::default()
            });
        }
        let (heads, substitutes_for) = on_pool!(self, pool => {
            let heads = sqlx::query("SELECT id FROM departments WHERE head_person_id = $1 AND active ORDER BY id")
                .bind(person)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("id"))
                .collect::<Result<Vec<_>, _>>()?;
            let subs = sqlx::query(
                "SELECT person_id FROM absences WHERE substitute_id = $1 AND starts_at <= $2 AND ends_at > $2 ORDER BY person_id",
            )
            .bind(person)
            .bind(ts(at))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("person_id"))
            .collect::<Result<Vec<_>, _>>()?;
            (heads, subs)
        });
        Ok(Actor {
            person,
            roles: p.roles,
            heads_departments: heads,
            substitutes_for,
        })
    }
}
