//! Invites: single-use, expiring codes that bind a messenger account to a directory entry
//! (bots cannot write to someone who never opened them, so people open the bot by invite).

use chrono::{DateTime, Duration, Utc};
use rand::distributions::{Alphanumeric, DistString};
use sqlx::Row;

use super::directory::Person;
use super::{on_pool, ts, StorageError, Store};
use crate::domain::incident::PersonId;

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
            sqlx::query("INSERT INTO invites (code, org_id, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&code)
                .bind(p.org_id)
                .bind(person)
                .bind(ts(at))
                .bind(ts(at + valid_for))
                .execute(pool)
                .await?;
        });
        Ok(code)
    }

    /// Uses an invite: binds the messenger account to the person, once.
    pub async fn redeem_invite(
        &self,
        code: &str,
        messenger_user: i64,
        at: DateTime<Utc>,
    ) -> Result<Result<Person, InviteError>, StorageError> {
        let outcome: Result<i64, InviteError> = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
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
                    let taken = sqlx::query("SELECT id FROM people WHERE org_id = $1 AND telegram_user_id = $2 AND id <> $3")
                        .bind(org)
                        .bind(messenger_user)
                        .bind(person)
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_some();
                    if taken {
                        Err(InviteError::AccountTaken)
                    } else {
                        sqlx::query("UPDATE people SET telegram_user_id = $1, unreachable = FALSE WHERE id = $2")
                            .bind(messenger_user)
                            .bind(person)
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
            Ok(person) => Ok(Ok(self.person(person).await?)),
            Err(e) => Ok(Err(e)),
        }
    }

    /// Active people of an organisation without a bound messenger account.
    pub async fn people_without_account(&self, org: i64) -> Result<Vec<Person>, StorageError> {
        let ids: Vec<i64> = on_pool!(self, pool => {
            sqlx::query("SELECT id FROM people WHERE org_id = $1 AND active AND telegram_user_id IS NULL ORDER BY id")
                .bind(org)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("id"))
                .collect::<Result<_, _>>()?
        });
        let mut out = Vec::new();
        for id in ids {
            out.push(self.person(id).await?);
        }
        Ok(out)
    }

    /// Active people of an organisation whose name contains the text (case-insensitive).
    pub async fn find_people(
        &self,
        org: i64,
        name_part: &str,
    ) -> Result<Vec<Person>, StorageError> {
        self.people_named(org, name_part, true).await
    }

    async fn people_named(
        &self,
        org: i64,
        name_part: &str,
        active: bool,
    ) -> Result<Vec<Person>, StorageError> {
        let needle = name_part.trim().to_lowercase();
        let ids: Vec<i64> = on_pool!(self, pool => {
            sqlx::query("SELECT id, full_name FROM people WHERE org_id = $1 AND active = $2 ORDER BY full_name")
                .bind(org)
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
            out.push(self.person(id).await?);
        }
        Ok(out)
    }
}

impl Store {
    /// A deactivated person whose name contains the text, if exactly one.
    pub async fn find_inactive_person(
        &self,
        org: i64,
        name_part: &str,
    ) -> Result<Option<Person>, StorageError> {
        let mut found = self.people_named(org, name_part, false).await?;
        Ok(if found.len() == 1 { found.pop() } else { None })
    }
}
