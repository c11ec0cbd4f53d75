//! Importing and exporting an organisation's directory in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::directory::{bump_version, role_key, NewOrganisation, CURATORS, DISCUSSION, HEAD};
use super::Writer;
use super::{on_pool, ts, BeginWrite, StorageError, Store};
use crate::directory_file::{
    DepartmentEntry, DirectoryFile, DutyEntry, OrganisationEntry, PersonEntry, TemplateEntry,
    TopicEntry, ValidDirectory,
};
use crate::domain::content::{Messenger, Proof};
use crate::domain::incident::Role;
use crate::domain::OrgId;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub organisation_id: OrgId,
    pub created_organisation: bool,
    pub people_added: usize,
    pub people_deactivated: usize,
    pub departments: usize,
}

/// A duty shift as stored: person, first and last day, phone, department.
type StoredShift = (i64, NaiveDate, NaiveDate, Option<String>, Option<i64>);

impl Store {
    /// Creates or updates the organisation named in the file, its departments, people, roles,
    /// topics and duty roster, in one transaction. Re-importing the same file changes nothing;
    /// people and departments missing from the file are deactivated, never deleted (their
    /// incidents and audit records stay). Messenger accounts bound by invites are kept.
    pub async fn import_directory(
        &self,
        dir: &ValidDirectory,
        at: DateTime<Utc>,
    ) -> Result<ImportReport, StorageError> {
        let f = &dir.file;
        let settings = serde_json::to_string(&f.organisation)?;
        let mut report = ImportReport::default();
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let existing: Option<i64> = sqlx::query("SELECT id FROM organisations WHERE name = $1")
                .bind(f.organisation.name.trim())
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("id"))
                .transpose()?;
            let org: i64 = match existing {
                Some(id) => {
                    sqlx::query(
                        "UPDATE organisations SET regulation_name = $1, regulation_toml = $2, settings = $3,
                         channel_username = $4 WHERE id = $5",
                    )
                    .bind(&f.organisation.regulation)
                    .bind(&dir.regulation_toml)
                    .bind(&settings)
                    .bind(f.organisation.channel.as_deref().map(|c| c.trim_start_matches('@')))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    id
                }
                None => {
                    report.created_organisation = true;
                    sqlx::query(
                        "INSERT INTO organisations (name, regulation_name, regulation_toml, created_at, settings, channel_username)
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(f.organisation.name.trim())
                    .bind(&f.organisation.regulation)
                    .bind(&dir.regulation_toml)
                    .bind(ts(at))
                    .bind(&settings)
                    .bind(f.organisation.channel.as_deref().map(|c| c.trim_start_matches('@')))
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("id")?
                }
            };
            report.organisation_id = OrgId(org);

            // The organisation's chats, each in the messenger the file names (Telegram unless said;
            // the discussion group is a Telegram channel's).
            sqlx::query("DELETE FROM org_chats WHERE org_id = $1")
                .bind(org)
                .execute(&mut *tx)
                .await?;
            for (purpose, chat, messenger) in [
                (CURATORS, f.organisation.curator_chat_id, f.organisation.curator_chat_messenger),
                (HEAD, f.organisation.head_chat_id, f.organisation.head_chat_messenger),
                (DISCUSSION, f.organisation.discussion_chat_id, None),
            ] {
                if let Some(chat) = chat {
                    sqlx::query("INSERT INTO org_chats (org_id, purpose, messenger, chat_id) VALUES ($1, $2, $3, $4)")
                        .bind(org)
                        .bind(purpose)
                        .bind(messenger.unwrap_or(Messenger::Telegram).key())
                        .bind(chat)
                        .execute(&mut *tx)
                        .await?;
                }
            }

            // Departments: upsert by name; the rest are deactivated.
            sqlx::query("UPDATE departments SET active = FALSE WHERE org_id = $1")
                .bind(org)
                .execute(&mut *tx)
                .await?;
            let mut departments: Vec<(String, i64)> = Vec::new();
            for d in &f.departments {
                let id: i64 = sqlx::query(
                    "INSERT INTO departments (org_id, name) VALUES ($1, $2)
                     ON CONFLICT (org_id, name) DO UPDATE SET active = TRUE RETURNING id",
                )
                .bind(org)
                .bind(d.name.trim())
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                departments.push((d.name.trim().to_string(), id));
            }
            report.departments = departments.len();
            let department_id = |name: &str| departments.iter().find(|(n, _)| n == name.trim()).map(|(_, id)| *id);

            // People: matched by name; roles and memberships replaced; absent ones deactivated.
            let before: Vec<i64> = sqlx::query("SELECT id FROM people WHERE org_id = $1 AND active")
                .bind(org)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("id"))
                .collect::<Result<_, _>>()?;
            let mut people: Vec<(String, i64)> = Vec::new();
            for p in &f.people {
                let found: Option<i64> = sqlx::query("SELECT id FROM people WHERE org_id = $1 AND full_name = $2 ORDER BY id LIMIT 1")
                    .bind(org)
                    .bind(p.name.trim())
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| r.try_get("id"))
                    .transpose()?;
                let username = p.telegram_username.as_ref().map(|u| u.trim_start_matches('@').to_string());
                let id = match found {
                    Some(id) => {
                        sqlx::query("UPDATE people SET phone = $1, active = TRUE WHERE id = $2")
                            .bind(&p.phone)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        id
                    }
                    None => {
                        report.people_added += 1;
                        sqlx::query("INSERT INTO people (org_id, full_name, phone) VALUES ($1, $2, $3) RETURNING id")
                            .bind(org)
                            .bind(p.name.trim())
                            .bind(&p.phone)
                            .fetch_one(&mut *tx)
                            .await?
                            .try_get("id")?
                    }
                };
                // The Telegram account: a bound id is kept (invites bind it); the file may give
                // the id and the username.
                if p.telegram_id.is_some() || username.is_some() {
                    sqlx::query(
                        "INSERT INTO accounts (person_id, messenger, external_id, username) VALUES ($1, 'telegram', $2, $3)
                         ON CONFLICT (person_id, messenger) DO UPDATE SET
                            external_id = COALESCE(excluded.external_id, accounts.external_id), username = excluded.username",
                    )
                    .bind(id)
                    .bind(p.telegram_id)
                    .bind(&username)
                    .execute(&mut *tx)
                    .await?;
                }
                // The MAX account: the file's id, or one bound by an invite is kept.
                if let Some(max_id) = p.max_id {
                    sqlx::query(
                        "INSERT INTO accounts (person_id, messenger, external_id) VALUES ($1, 'max', $2)
                         ON CONFLICT (person_id, messenger) DO UPDATE SET external_id = excluded.external_id",
                    )
                    .bind(id)
                    .bind(max_id)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query("UPDATE people SET preferred_messenger = $1 WHERE id = $2")
                    .bind(p.messenger.map(Messenger::key))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM person_roles WHERE person_id = $1").bind(id).execute(&mut *tx).await?;
                for role in &p.roles {
                    sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(id)
                        .bind(role_key(*role))
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("DELETE FROM department_members WHERE person_id = $1").bind(id).execute(&mut *tx).await?;
                for d in &p.departments {
                    if let Some(dept) = department_id(d) {
                        sqlx::query("INSERT INTO department_members (department_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                            .bind(dept)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                people.push((p.name.trim().to_string(), id));
            }
            for id in before {
                if !people.iter().any(|(_, p)| *p == id) {
                    sqlx::query("UPDATE people SET active = FALSE WHERE id = $1").bind(id).execute(&mut *tx).await?;
                    report.people_deactivated += 1;
                }
            }
            let person_id = |name: &str| people.iter().find(|(n, _)| n == name.trim()).map(|(_, id)| *id);
            for d in &f.departments {
                sqlx::query("UPDATE departments SET head_person_id = $1, supervising_deputy_id = $2 WHERE org_id = $3 AND name = $4")
                    .bind(d.head.as_deref().and_then(person_id))
                    .bind(d.supervising_deputy.as_deref().and_then(person_id))
                    .bind(org)
                    .bind(d.name.trim())
                    .execute(&mut *tx)
                    .await?;
            }

            // Topics and the duty roster are replaced by the file's.
            sqlx::query("DELETE FROM topics WHERE org_id = $1").bind(org).execute(&mut *tx).await?;
            for t in &f.topics {
                sqlx::query("INSERT INTO topics (org_id, name, department_id, proof) VALUES ($1, $2, $3, $4)")
                    .bind(org)
                    .bind(t.name.trim())
                    .bind(t.department.as_deref().and_then(department_id))
                    .bind(t.proof.map(Proof::key))
                    .execute(&mut *tx)
                    .await?;
            }
            for t in &f.templates {
                sqlx::query(super::templates::SAVE_TEMPLATE)
                    .bind(org)
                    .bind(t.name.trim())
                    .bind(t.topic.as_deref().map(str::trim))
                    .bind(t.text.trim())
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM duty_roster WHERE org_id = $1").bind(org).execute(&mut *tx).await?;
            for d in &f.duty {
                sqlx::query("INSERT INTO duty_roster (org_id, person_id, starts_on, ends_on, phone, department_id) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(org)
                    .bind(person_id(&d.person))
                    .bind(d.from)
                    .bind(d.to)
                    .bind(&d.phone)
                    .bind(d.department.as_deref().and_then(department_id))
                    .execute(&mut *tx)
                    .await?;
            }
            bump_version!(tx, OrgId(org));
            tx.commit().await?;
        });
        Ok(report)
    }

    /// The organisation's directory in the import format.
    pub async fn export_directory(&self, org_name: &str) -> Result<DirectoryFile, StorageError> {
        let org = on_pool!(self, pool => {
            sqlx::query(
                "SELECT o.id, o.settings, o.regulation_name,
                    (SELECT chat_id FROM org_chats c WHERE c.org_id = o.id AND c.purpose = 'curators') AS curator_chat_id,
                    (SELECT messenger FROM org_chats c WHERE c.org_id = o.id AND c.purpose = 'curators') AS curator_chat_messenger,
                    (SELECT chat_id FROM org_chats c WHERE c.org_id = o.id AND c.purpose = 'head') AS head_chat_id,
                    (SELECT messenger FROM org_chats c WHERE c.org_id = o.id AND c.purpose = 'head') AS head_chat_messenger,
                    (SELECT chat_id FROM org_chats c WHERE c.org_id = o.id AND c.purpose = 'discussion' AND c.messenger = 'telegram') AS discussion_chat_id
                 FROM organisations o WHERE o.name = $1",
            )
                .bind(org_name)
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<_, sqlx::Error> {
                    Ok((
                        r.try_get::<i64, _>("id")?,
                        r.try_get::<Option<String>, _>("settings")?,
                        r.try_get::<String, _>("regulation_name")?,
                        (r.try_get::<Option<i64>, _>("curator_chat_id")?, r.try_get::<Option<String>, _>("curator_chat_messenger")?),
                        (r.try_get::<Option<i64>, _>("head_chat_id")?, r.try_get::<Option<String>, _>("head_chat_messenger")?),
                        r.try_get::<Option<i64>, _>("discussion_chat_id")?,
                    ))
                })
                .transpose()?
        });
        let (id, settings, regulation, curator_chat_id, head_chat_id, discussion_chat_id) =
            org.ok_or_else(|| StorageError::NotFound(format!("organisation {org_name:?}")))?;
        let mut organisation: OrganisationEntry = match settings {
            Some(s) => serde_json::from_str(&s)?,
            None => OrganisationEntry::bare(org_name, &regulation),
        };
        organisation.name = org_name.to_string();
        organisation.regulation = regulation;
        // Telegram is the default and is not written out.
        let non_default = |m: Option<String>| {
            m.as_deref()
                .and_then(Messenger::parse)
                .filter(|m| *m != Messenger::Telegram)
        };
        organisation.curator_chat_id = curator_chat_id.0;
        organisation.curator_chat_messenger = non_default(curator_chat_id.1);
        organisation.head_chat_id = head_chat_id.0;
        organisation.head_chat_messenger = non_default(head_chat_id.1);
        organisation.discussion_chat_id = discussion_chat_id;
        type PersonRow = (
            i64,
            String,
            Option<String>,
            Option<i64>,
            Option<String>,
            Option<i64>,
            Option<String>,
        );
        let (departments, people, roles, members, topics, duty) = on_pool!(self, pool => {
            let departments: Vec<(i64, String, Option<i64>, Option<i64>)> = sqlx::query(
                "SELECT id, name, head_person_id, supervising_deputy_id FROM departments WHERE org_id = $1 AND active ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("head_person_id")?, r.try_get("supervising_deputy_id")?)) })
            .collect::<Result<_, _>>()?;
            let people: Vec<PersonRow> = sqlx::query(
                "SELECT p.id, p.full_name, p.phone, a.external_id AS telegram_user_id, a.username AS telegram_username,
                        m.external_id AS max_user_id, p.preferred_messenger FROM people p
                 LEFT JOIN accounts a ON a.person_id = p.id AND a.messenger = 'telegram'
                 LEFT JOIN accounts m ON m.person_id = p.id AND m.messenger = 'max'
                 WHERE p.org_id = $1 AND p.active ORDER BY p.id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> {
                Ok((r.try_get("id")?, r.try_get("full_name")?, r.try_get("phone")?, r.try_get("telegram_user_id")?, r.try_get("telegram_username")?, r.try_get("max_user_id")?, r.try_get("preferred_messenger")?))
            })
            .collect::<Result<_, _>>()?;
            let roles: Vec<(i64, String)> = sqlx::query(
                "SELECT r.person_id, r.role FROM person_roles r JOIN people p ON p.id = r.person_id WHERE p.org_id = $1 ORDER BY r.person_id, r.role",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("person_id")?, r.try_get("role")?)) })
            .collect::<Result<_, _>>()?;
            let members: Vec<(i64, i64)> = sqlx::query(
                "SELECT m.person_id, m.department_id FROM department_members m JOIN departments d ON d.id = m.department_id
                 WHERE d.org_id = $1 AND d.active ORDER BY m.person_id, m.department_id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("person_id")?, r.try_get("department_id")?)) })
            .collect::<Result<_, _>>()?;
            let topics: Vec<(String, Option<i64>, Option<String>)> = sqlx::query("SELECT name, department_id, proof FROM topics WHERE org_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("name")?, r.try_get("department_id")?, r.try_get("proof")?)) })
                .collect::<Result<_, _>>()?;
            let duty: Vec<StoredShift> = sqlx::query(
                "SELECT person_id, starts_on, ends_on, phone, department_id FROM duty_roster WHERE org_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("person_id")?, r.try_get("starts_on")?, r.try_get("ends_on")?, r.try_get("phone")?, r.try_get("department_id")?)) })
            .collect::<Result<_, _>>()?;
            (departments, people, roles, members, topics, duty)
        });
        let templates = self.templates(OrgId(id)).await?;
        let person_name = |pid: i64| people.iter().find(|p| p.0 == pid).map(|p| p.1.clone());
        let department_name =
            |did: i64| departments.iter().find(|d| d.0 == did).map(|d| d.1.clone());
        let parse_role =
            |s: &str| serde_json::from_value::<Role>(serde_json::Value::String(s.to_string()));
        Ok(DirectoryFile {
            organisation,
            departments: departments
                .iter()
                .map(|(_, name, head, deputy)| DepartmentEntry {
                    name: name.clone(),
                    head: head.and_then(person_name),
                    supervising_deputy: deputy.and_then(person_name),
                })
                .collect(),
            people: people
                .iter()
                .map(
                    |(pid, name, phone, tg, username, max_id, preferred)| PersonEntry {
                        max_id: *max_id,
                        messenger: preferred.as_deref().and_then(Messenger::parse),
                        name: name.clone(),
                        phone: phone.clone(),
                        telegram_id: *tg,
                        telegram_username: username.as_ref().map(|u| format!("@{u}")),
                        roles: roles
                            .iter()
                            .filter(|(p, _)| p == pid)
                            .filter_map(|(_, r)| parse_role(r).ok())
                            .collect(),
                        departments: members
                            .iter()
                            .filter(|(p, _)| p == pid)
                            .filter_map(|(_, d)| department_name(*d))
                            .collect(),
                    },
                )
                .collect(),
            topics: topics
                .iter()
                .map(|(name, d, proof)| TopicEntry {
                    name: name.clone(),
                    department: d.and_then(department_name),
                    proof: proof.as_deref().and_then(Proof::parse),
                })
                .collect(),
            templates: templates
                .into_iter()
                .map(|t| TemplateEntry {
                    name: t.name,
                    topic: t.topic,
                    text: t.text,
                })
                .collect(),
            duty: duty
                .iter()
                .filter_map(|(pid, from, to, phone, dept)| {
                    Some(DutyEntry {
                        person: person_name(*pid)?,
                        from: *from,
                        to: *to,
                        phone: phone.clone(),
                        department: dept.and_then(department_name),
                    })
                })
                .collect(),
        })
    }

    /// Replaces the organisation's settings as an organisation file's `[organisation]` would
    /// give them (the monitoring webhook, the appeals office, ...) without touching its directory.
    pub async fn set_settings(
        &self,
        org: OrgId,
        entry: &OrganisationEntry,
    ) -> Result<(), StorageError> {
        let settings = serde_json::to_string(entry)?;
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let n = sqlx::query("UPDATE organisations SET settings = $1 WHERE id = $2")
                .bind(&settings)
                .bind(org.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StorageError::NotFound(format!("organisation {org}")));
            }
            bump_version!(tx, org);
            tx.commit().await?;
        });
        Ok(())
    }
}

impl NewOrganisation {
    /// An organisation under a preset regulation, without chats (`None`: no such preset).
    pub fn preset(name: &str, preset: &str) -> Option<NewOrganisation> {
        let (_, toml) = crate::domain::regulation::PRESETS
            .iter()
            .find(|(n, _)| *n == preset)?;
        Some(NewOrganisation {
            name: name.to_string(),
            regulation_name: preset.to_string(),
            regulation_toml: toml.to_string(),
            curator_chat: None,
            head_chat: None,
        })
    }
}
