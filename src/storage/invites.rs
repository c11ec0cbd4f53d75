//! Invites: single-use, expiring codes that bind a messenger account to a directory entry
//! (bots cannot write to someone who never opened them, so people open the bot by invite).

use chrono::{DateTime, Duration, Utc};
use rand::distributions::{Alphanumeric, DistString};
use sqlx::Row;

use super::directory::Person;
use super::Writer;
use super::{on_pool, ts, BeginWrite, StorageError, Store};
use crate::domain::content::Messenger;
use crate::domain::{OrgId, PersonId};

/// Why an invite could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InviteError {
    #[error("no such invite")]
    Unknown,
    #[error("the invite has expired")]
    Expired,
    #[error("the invite was already used")]
    Used,
    #[error("this messenger account is already bound to someone else")]
    AccountTaken,
}

impl Store {
    /// Creates an invite for a person, valid for `valid_for`.
    pub async fn create_invite(
        &self,
        person: PersonId,
        at: DateTime<Utc>,
        valid_for: Duration,
    ) -> Result<String, StorageError> {
        let p = self.person(person).await?;
        // 24 letters and digits: unguessable, and short enough for a deep link (64 allowed).
        let code = Alphanumeric.sample_string(&mut rand::thread_rng(), 24);
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("INSERT INTO invites (code, org_id, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&code)
                .bind(p.org.0)
                .bind(person.0)
                .bind(ts(at))
                .bind(ts(at + valid_for))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(code)
    }

    /// Uses an invite: binds the messenger account to the person, once.
    pub async fn redeem_invite(
        &self,
        code: &str,
        messenger: Messenger,
        external_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Result<Person, InviteError>, StorageError> {
        let outcome: Result<i64, InviteError> = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            // Mark used first: the conditional update is the lock, so an invite binds once.
            let used = sqlx::query("UPDATE invites SET used_at = $1 WHERE code = $2 AND used_at IS NULL AND expires_at > $1")
                .bind(ts(at))
                .bind(code)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let row = sqlx::query("SELECT person_id, org_id, expires_at, used_at FROM invites WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?;
            let result = match (row, used) {
                (None, _) => Err(InviteError::Unknown),
                (Some(r), 0) => {
                    let expires: DateTime<Utc> = r.try_get("expires_at")?;
                    if expires <= ts(at) { Err(InviteError::Expired) } else { Err(InviteError::Used) }
                }
                (Some(r), _) => {
                    let person: i64 = r.try_get("person_id")?;
                    let org: i64 = r.try_get("org_id")?;
                    let taken = sqlx::query("SELECT person_id FROM accounts WHERE messenger = $1 AND external_id = $2 AND person_id <> $3")
                        .bind(messenger.key())
                        .bind(external_id)
                        .bind(person)
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_some();
                    if taken {
                        Err(InviteError::AccountTaken)
                    } else {
                        sqlx::query(
                            "INSERT INTO accounts (person_id, messenger, external_id, unreachable) VALUES ($1, $2, $3, FALSE)
                             ON CONFLICT (person_id, messenger) DO UPDATE SET external_id = excluded.external_id, unreachable = FALSE",
                        )
                        .bind(person)
                        .bind(messenger.key())
                        .bind(external_id)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query("UPDATE organisations SET version = version + 1 WHERE id = $1")
                            .bind(org)
                            .execute(&mut *tx)
                            .await?;
                        Ok(person)
                    }
                }
            };
            if result.is_ok() {
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            result
        });
        match outcome {
            Ok(person) => Ok(Ok(self.person(PersonId(person)).await?)),
            Err(e) => Ok(Err(e)),
        }
    }

    /// Active people of an organisation who have not opened the bot in a messenger.
    pub async fn people_without_account(
        &self,
        org: OrgId,
        messenger: Messenger,
    ) -> Result<Vec<Person>, StorageError> {
        let ids: Vec<i64> = on_pool!(self, pool => {
            sqlx::query(
                "SELECT p.id FROM people p WHERE p.org_id = $1 AND p.active AND NOT EXISTS (
                    SELECT 1 FROM accounts a WHERE a.person_id = p.id AND a.messenger = $2 AND a.external_id IS NOT NULL)
                 ORDER BY p.id",
            )
                .bind(org.0)
                .bind(messenger.key())
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("id"))
                .collect::<Result<_, _>>()?
        });
        let mut out = Vec::new();
        for id in ids {
            out.push(self.person(PersonId(id)).await?);
        }
        Ok(out)
    }

    /// Active people of an organisation whose name contains the text (case-insensitive).
    pub async fn find_people(
        &self,
        org: OrgId,
        name_part: &str,
    ) -> Result<Vec<Person>, StorageError> {
        self.people_named(org, name_part, true).await
    }

    async fn people_named(
        &self,
        org: OrgId,
        name_part: &str,
        active: bool,
    ) -> Result<Vec<Person>, StorageError> {
        let needle = name_part.trim().to_lowercase();
        let ids: Vec<i64> = on_pool!(self, pool => {
            sqlx::query("SELECT id, full_name FROM people WHERE org_id = $1 AND active = $2 ORDER BY full_name")
                .bind(org.0)
                .bind(active)
                .fetch_all(pool)
                .await?
                .iter()
                .filter(|r| {
                    r.try_get::<String, _>("full_name")
                        .map(|n| n.to_lowercase().contains(&needle))
                        .unwrap_or(false)
                })
                .map(|r| r.try_get::<i64, _>("id"))
                .collect::<Result<_, _>>()?
        });
        let mut out = Vec::new();
        for id in ids {
            out.push(self.person(PersonId(id)).await?);
        }
        Ok(out)
    }
}

impl Store {
    /// A deactivated person whose name contains the text, if exactly one.
    pub async fn find_inactive_person(
        &self,
        org: OrgId,
        name_part: &str,
    ) -> Result<Option<Person>, StorageError> {
        let mut found = self.people_named(org, name_part, false).await?;
        Ok(if found.len() == 1 { found.pop() } else { None })
    }
}
