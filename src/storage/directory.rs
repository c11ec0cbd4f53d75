//! Organisations and their directory: chats, departments, people, roles, absences with
//! substitutes, the duty roster. Every change bumps the organisation's version, so running
//! processes notice a re-import.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::Writer;
use super::{from_key, on_pool, ts, BeginWrite, StorageError, Store};
use crate::domain::content::{ChatRef, Messenger, Proof};
use crate::domain::incident::Role;
use crate::domain::regulation::Regulation;
use crate::domain::{DepartmentId, OrgId, PersonId};

/// An organisation to create.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: String,
    /// The preset name or the profile's id.
    pub regulation_name: String,
    /// The regulation profile as TOML (a preset's text or the administrator's file).
    pub regulation_toml: String,
    pub curator_chat: Option<ChatRef>,
    pub head_chat: Option<ChatRef>,
}

/// A stored organisation with its parsed regulation.
#[derive(Debug, Clone)]
pub struct Organisation {
    pub id: OrgId,
    pub name: String,
    pub regulation_name: String,
    pub regulation: Regulation,
    pub curator_chat: Option<ChatRef>,
    pub head_chat: Option<ChatRef>,
    /// The discussion group of the organisation's channel, whose comments become incidents.
    pub discussion_chat: Option<ChatRef>,
    /// The channel's username (for links).
    pub channel_username: Option<String>,
    /// The monitoring system's webhook, from the organisation file.
    pub monitoring: Option<crate::directory_file::MonitoringLink>,
    /// The appeals office 59-FZ appeals are e-mailed to, from the organisation file.
    pub appeals: Option<crate::directory_file::AppealsOffice>,
    /// Who learns of significant messages with the head (names), from the organisation file.
    pub significant_to: Vec<String>,
    /// Bumped by every import and directory change.
    pub version: i64,
}

/// A messenger account to give a new person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub messenger: Messenger,
    pub external_id: Option<i64>,
    pub username: Option<String>,
}

/// A person to add to the directory.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub full_name: String,
    pub phone: Option<String>,
    pub roles: Vec<Role>,
    pub accounts: Vec<NewAccount>,
}

/// A person in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub org: OrgId,
    pub full_name: String,
    pub phone: Option<String>,
    pub active: bool,
    pub roles: Vec<Role>,
}

/// A department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: DepartmentId,
    pub name: String,
    pub head: Option<PersonId>,
    /// The deputy who agrees its answers (Barnaul §5); `None`: any deputy.
    pub supervising_deputy: Option<PersonId>,
    pub active: bool,
    /// Its people, in the order they were added (the first active executor takes new incidents).
    pub members: Vec<PersonId>,
}

/// An organisation's whole directory, read at once (the core caches it per version).
#[derive(Debug, Clone, Default)]
pub struct DirectorySnapshot {
    pub departments: Vec<Department>,
    pub people: Vec<Person>,
    pub topics: Vec<Topic>,
}

/// A topic of the organisation file, as the core needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub name: String,
    pub proof: Option<Proof>,
}

pub use super::absence::{Absence, AbsenceReason};

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
    from_key(s).map_err(|_| StorageError::Corrupt(format!("unknown role {s:?}")))
}

/// The purposes of an organisation's chats.
pub(crate) const CURATORS: &str = "curators";
pub(crate) const HEAD: &str = "head";
pub(crate) const DISCUSSION: &str = "discussion";

fn chat(messenger: Option<String>, id: Option<i64>) -> Result<Option<ChatRef>, StorageError> {
    match (messenger, id) {
        (Some(m), Some(id)) => {
            let messenger = Messenger::parse(&m)
                .ok_or_else(|| StorageError::Corrupt(format!("unknown messenger {m:?}")))?;
            Ok(Some(ChatRef { messenger, id }))
        }
        _ => Ok(None),
    }
}

impl Store {
    /// Creates an organisation with its chats; its regulation must validate.
    pub async fn create_organisation(
        &self,
        org: &NewOrganisation,
        at: DateTime<Utc>,
    ) -> Result<OrgId, StorageError> {
        Regulation::from_toml(&org.regulation_toml)
            .map_err(|e| StorageError::Invalid(e.to_string()))?;
        let id = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let id: i64 = sqlx::query(
                "INSERT INTO organisations (name, regulation_name, regulation_toml, created_at)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(&org.name)
            .bind(&org.regulation_name)
            .bind(&org.regulation_toml)
            .bind(ts(at))
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            for (purpose, c) in [(CURATORS, org.curator_chat), (HEAD, org.head_chat)] {
                if let Some(c) = c {
                    sqlx::query("INSERT INTO org_chats (org_id, purpose, messenger, chat_id) VALUES ($1, $2, $3, $4)")
                        .bind(id)
                        .bind(purpose)
                        .bind(c.messenger.key())
                        .bind(c.id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            id
        });
        Ok(OrgId(id))
    }

    /// Loads an organisation and parses its regulation.
    pub async fn organisation(&self, id: OrgId) -> Result<Organisation, StorageError> {
        type Chats = Vec<(String, String, i64)>;
        type OrgRow = Option<(String, String, String, Option<String>, i64, Option<String>)>;
        let (row, chats): (OrgRow, Chats) = on_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT name, regulation_name, regulation_toml, channel_username, version, settings FROM organisations WHERE id = $1",
            )
            .bind(id.0)
            .fetch_optional(pool)
            .await?
            .map(|r| -> Result<_, sqlx::Error> {
                Ok((r.try_get("name")?, r.try_get("regulation_name")?, r.try_get("regulation_toml")?,
                    r.try_get("channel_username")?, r.try_get("version")?, r.try_get("settings")?))
            })
            .transpose()?;
            let chats = sqlx::query("SELECT purpose, messenger, chat_id FROM org_chats WHERE org_id = $1")
                .bind(id.0)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("purpose")?, r.try_get("messenger")?, r.try_get("chat_id")?)) })
                .collect::<Result<Vec<_>, _>>()?;
            (row, chats)
        });
        let (name, regulation_name, toml, channel_username, version, settings) =
            row.ok_or_else(|| StorageError::NotFound(format!("organisation {id}")))?;
        // The organisation file as imported (organisations created otherwise have none).
        let (monitoring, appeals, significant_to) = match settings {
            Some(s) => {
                let entry = serde_json::from_str::<crate::directory_file::OrganisationEntry>(&s)
                    .map_err(|e| {
                        StorageError::Corrupt(format!("organisation {id} settings: {e}"))
                    })?;
                (entry.monitoring, entry.appeals, entry.significant_to)
            }
            None => (None, None, Vec::new()),
        };
        let regulation = Regulation::from_toml(&toml)
            .map_err(|e| StorageError::Corrupt(format!("organisation {id}: {e}")))?;
        let find = |purpose: &str| -> Result<Option<ChatRef>, StorageError> {
            match chats.iter().find(|(p, _, _)| p == purpose) {
                Some((_, m, c)) => chat(Some(m.clone()), Some(*c)),
                None => Ok(None),
            }
        };
        Ok(Organisation {
            id,
            name,
            regulation_name,
            regulation,
            curator_chat: find(CURATORS)?,
            head_chat: find(HEAD)?,
            discussion_chat: find(DISCUSSION)?,
            channel_username,
            monitoring,
            appeals,
            significant_to,
            version,
        })
    }

    /// An organisation's directory version (bumped by every import and directory change).
    pub async fn organisation_version(&self, id: OrgId) -> Result<i64, StorageError> {
        let v = on_pool!(self, pool => {
            sqlx::query("SELECT version FROM organisations WHERE id = $1")
                .bind(id.0)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<i64, _>("version"))
                .transpose()?
        });
        v.ok_or_else(|| StorageError::NotFound(format!("organisation {id}")))
    }

    /// An organisation's id by its name.
    pub async fn organisation_id(&self, name: &str) -> Result<Option<OrgId>, StorageError> {
        let id = on_pool!(self, pool => {
            sqlx::query("SELECT id FROM organisations WHERE name = $1")
                .bind(name.trim())
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<i64, _>("id"))
                .transpose()?
        });
        Ok(id.map(OrgId))
    }

    /// Every organisation's id.
    pub async fn organisation_ids(&self) -> Result<Vec<OrgId>, StorageError> {
        let ids = on_pool!(self, pool => {
            sqlx::query("SELECT id FROM organisations ORDER BY id")
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("id"))
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(ids.into_iter().map(OrgId).collect())
    }

    /// Points an organisation's curators' group at another chat (a group that became a
    /// supergroup gets a new id).
    pub async fn set_curator_chat(&self, org: OrgId, chat: ChatRef) -> Result<(), StorageError> {
        self.set_org_chat(org, CURATORS, Some(chat)).await
    }

    /// Connects an organisation to its channel's discussion group.
    pub async fn set_channel(
        &self,
        org: OrgId,
        discussion: Option<ChatRef>,
        channel_username: Option<&str>,
    ) -> Result<(), StorageError> {
        self.set_org_chat(org, DISCUSSION, discussion).await?;
        on_pool!(self, pool => {
            sqlx::query("UPDATE organisations SET channel_username = $1, version = version + 1 WHERE id = $2")
                .bind(channel_username.map(|c| c.trim_start_matches('@')))
                .bind(org.0)
                .execute(pool.writer(self))
                .await?;
        });
        Ok(())
    }

    async fn set_org_chat(
        &self,
        org: OrgId,
        purpose: &str,
        chat: Option<ChatRef>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("DELETE FROM org_chats WHERE org_id = $1 AND purpose = $2")
                .bind(org.0)
                .bind(purpose)
                .execute(&mut *tx)
                .await?;
            if let Some(c) = chat {
                sqlx::query("INSERT INTO org_chats (org_id, purpose, messenger, chat_id) VALUES ($1, $2, $3, $4)")
                    .bind(org.0)
                    .bind(purpose)
                    .bind(c.messenger.key())
                    .bind(c.id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE organisations SET version = version + 1 WHERE id = $1")
                .bind(org.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Creates a department.
    pub async fn create_department(
        &self,
        org: OrgId,
        name: &str,
    ) -> Result<DepartmentId, StorageError> {
        let id = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let id: i64 = sqlx::query("INSERT INTO departments (org_id, name) VALUES ($1, $2) RETURNING id")
                .bind(org.0)
                .bind(name)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
            bump_version!(tx, org);
            tx.commit().await?;
            id
        });
        Ok(DepartmentId(id))
    }

    /// Names the head of a department (who must be a member of the same organisation).
    pub async fn set_department_head(
        &self,
        department: DepartmentId,
        person: PersonId,
    ) -> Result<(), StorageError> {
        let n = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let n = sqlx::query(
                "UPDATE departments SET head_person_id = $1 WHERE id = $2
                 AND org_id = (SELECT org_id FROM people WHERE id = $1)",
            )
            .bind(person.0)
            .bind(department.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query("UPDATE organisations SET version = version + 1 WHERE id = (SELECT org_id FROM departments WHERE id = $1)")
                .bind(department.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            n
        });
        if n == 0 {
            return Err(StorageError::Invalid(format!(
                "department {department} and person {person} are not of one organisation"
            )));
        }
        Ok(())
    }

    /// Adds a person with their roles and accounts, in one transaction.
    pub async fn create_person(&self, org: OrgId, p: &NewPerson) -> Result<PersonId, StorageError> {
        let id = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let id = insert_person!(tx, org, p);
            bump_version!(tx, org);
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
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query(
                "INSERT INTO department_members (department_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(department.0)
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE organisations SET version = version + 1 WHERE id = (SELECT org_id FROM departments WHERE id = $1)")
                .bind(department.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Loads a person.
    pub async fn person(&self, id: PersonId) -> Result<Person, StorageError> {
        let (org, full_name, phone, active, roles) = on_pool!(self, pool => {
            let row = sqlx::query("SELECT org_id, full_name, phone, active FROM people WHERE id = $1")
                .bind(id.0)
                .fetch_optional(pool)
                .await?
                .ok_or_else(|| StorageError::NotFound(format!("person {id}")))?;
            let roles: Vec<String> = sqlx::query("SELECT role FROM person_roles WHERE person_id = $1 ORDER BY role")
                .bind(id.0)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>("role"))
                .collect::<Result<_, _>>()?;
            (
                row.try_get::<i64, _>("org_id")?,
                row.try_get::<String, _>("full_name")?,
                row.try_get::<Option<String>, _>("phone")?,
                row.try_get::<bool, _>("active")?,
                roles,
            )
        });
        Ok(Person {
            id,
            org: OrgId(org),
            full_name,
            phone,
            active,
            roles: roles
                .iter()
                .map(|r| parse_role(r))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The organisation's whole directory: departments with their members and heads, and people
    /// with their roles (deactivated ones included, for names on old incidents).
    pub async fn directory(&self, org: OrgId) -> Result<DirectorySnapshot, StorageError> {
        type DeptRow = (i64, String, Option<i64>, Option<i64>, bool);
        type PersonRow = (i64, String, Option<String>, bool);
        type Rows = (
            Vec<DeptRow>,
            Vec<(i64, i64)>,
            Vec<PersonRow>,
            Vec<(i64, String)>,
            Vec<(String, Option<String>)>,
        );
        let (departments, members, people, roles, topics): Rows = on_pool!(self, pool => {
            let departments = sqlx::query("SELECT id, name, head_person_id, supervising_deputy_id, active FROM departments WHERE org_id = $1 ORDER BY name, id")
                .bind(org.0)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("head_person_id")?, r.try_get("supervising_deputy_id")?, r.try_get("active")?)) })
                .collect::<Result<Vec<_>, _>>()?;
            let members = sqlx::query(
                "SELECT m.department_id, m.person_id FROM department_members m JOIN departments d ON d.id = m.department_id
                 WHERE d.org_id = $1 ORDER BY m.person_id",
            )
            .bind(org.0)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("department_id")?, r.try_get("person_id")?)) })
            .collect::<Result<Vec<_>, _>>()?;
            let people = sqlx::query("SELECT id, full_name, phone, active FROM people WHERE org_id = $1 ORDER BY id")
                .bind(org.0)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("id")?, r.try_get("full_name")?, r.try_get("phone")?, r.try_get("active")?)) })
                .collect::<Result<Vec<_>, _>>()?;
            let roles = sqlx::query(
                "SELECT r.person_id, r.role FROM person_roles r JOIN people p ON p.id = r.person_id WHERE p.org_id = $1 ORDER BY r.person_id, r.role",
            )
            .bind(org.0)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("person_id")?, r.try_get("role")?)) })
            .collect::<Result<Vec<_>, _>>()?;
            let topics = sqlx::query("SELECT name, proof FROM topics WHERE org_id = $1 ORDER BY id")
                .bind(org.0)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("name")?, r.try_get("proof")?)) })
                .collect::<Result<Vec<_>, _>>()?;
            (departments, members, people, roles, topics)
        });
        let mut snapshot = DirectorySnapshot {
            topics: topics
                .into_iter()
                .map(|(name, proof)| Topic {
                    proof: proof.as_deref().and_then(Proof::parse),
                    name,
                })
                .collect(),
            ..DirectorySnapshot::default()
        };
        for (id, name, head, deputy, active) in departments {
            snapshot.departments.push(Department {
                id: DepartmentId(id),
                name,
                head: head.map(PersonId),
                supervising_deputy: deputy.map(PersonId),
                active,
                members: members
                    .iter()
                    .filter(|(d, _)| *d == id)
                    .map(|(_, p)| PersonId(*p))
                    .collect(),
            });
        }
        for (id, full_name, phone, active) in people {
            snapshot.people.push(Person {
                id: PersonId(id),
                org,
                full_name,
                phone,
                active,
                roles: roles
                    .iter()
                    .filter(|(p, _)| *p == id)
                    .map(|(_, r)| parse_role(r))
                    .collect::<Result<_, _>>()?,
            });
        }
        Ok(snapshot)
    }

    /// Deactivates or reactivates a person (a deactivated person can no longer act).
    pub async fn set_person_active(&self, id: PersonId, active: bool) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("UPDATE people SET active = $1 WHERE id = $2")
                .bind(active)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE organisations SET version = version + 1 WHERE id = (SELECT org_id FROM people WHERE id = $1)")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records an absence with its substitute.
    pub async fn add_absence(&self, org: OrgId, a: &Absence) -> Result<i64, StorageError> {
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
            .bind(org.0)
            .bind(a.person.0)
            .bind(a.substitute.0)
            .bind(ts(a.from))
            .bind(ts(a.until))
            .bind(a.reason.stored())
            .fetch_one(pool)
            .await?
            .try_get::<i64, _>("id")?
        });
        Ok(id)
    }

    /// The absences in force at an instant: (absent person, substitute), of one organisation.
    pub async fn absences_at(
        &self,
        org: OrgId,
        at: DateTime<Utc>,
    ) -> Result<Vec<(PersonId, PersonId)>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT person_id, substitute_id FROM absences WHERE org_id = $1 AND starts_at <= $2 AND ends_at > $2
                 ORDER BY starts_at DESC, id DESC",
            )
            .bind(org.0)
            .bind(ts(at))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get::<i64, _>("person_id")?, r.try_get::<i64, _>("substitute_id")?)) })
            .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows
            .into_iter()
            .map(|(p, s)| (PersonId(p), PersonId(s)))
            .collect())
    }
}

/// Bumps an organisation's directory version inside an open transaction (either backend).
macro_rules! bump_version {
    ($tx:expr, $org:expr) => {
        sqlx::query("UPDATE organisations SET version = version + 1 WHERE id = $1")
            .bind($org.0)
            .execute(&mut *$tx)
            .await?
    };
}
pub(crate) use bump_version;

/// Inserts a person with roles and accounts inside an open transaction (either backend);
/// evaluates to the new person's id.
macro_rules! insert_person {
    ($tx:expr, $org:expr, $p:expr) => {{
        let p: &$crate::storage::NewPerson = $p;
        let id: i64 = sqlx::query(
            "INSERT INTO people (org_id, full_name, phone) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind($org.0)
        .bind(p.full_name.trim())
        .bind(&p.phone)
        .fetch_one(&mut *$tx)
        .await?
        .try_get("id")?;
        for role in &p.roles {
            sqlx::query(
                "INSERT INTO person_roles (person_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind($crate::storage::directory::role_key(*role))
            .execute(&mut *$tx)
            .await?;
        }
        for a in &p.accounts {
            sqlx::query(
                "INSERT INTO accounts (person_id, messenger, external_id, username) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(a.messenger.key())
            .bind(a.external_id)
            .bind(&a.username)
            .execute(&mut *$tx)
            .await?;
        }
        $crate::domain::PersonId(id)
    }};
}
pub(crate) use insert_person;

pub(crate) fn chat_ref(
    messenger: Option<String>,
    id: Option<i64>,
) -> Result<Option<ChatRef>, StorageError> {
    chat(messenger, id)
}
