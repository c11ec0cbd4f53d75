//! Messenger accounts of people, and the chats organisations work in.

use sqlx::Row;

use super::directory::{CURATORS, DISCUSSION, HEAD};
use super::Writer;
use super::{on_pool, BeginWrite, StorageError, Store};
use crate::domain::content::{ChatRef, Messenger};
use crate::domain::{OrgId, PersonId};

/// The active person behind a messenger account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountHolder {
    pub person: PersonId,
    pub org: OrgId,
    /// The organisation's directory version, read with the account (the core's cache uses it).
    pub org_version: i64,
    /// Otklik could not write to this account last time.
    pub unreachable: bool,
}

/// What a group chat is to an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupChat {
    Curators(OrgId),
    Head(OrgId),
    /// The discussion group of the organisation's channel (comments become incidents).
    Discussion {
        org: OrgId,
        channel_username: Option<String>,
    },
}

impl Store {
    /// The active person a messenger account belongs to.
    pub async fn account_holder(
        &self,
        messenger: Messenger,
        external_id: i64,
    ) -> Result<Option<AccountHolder>, StorageError> {
        let row = on_pool!(self, pool => {
            sqlx::query(
                "SELECT a.person_id, a.unreachable, p.org_id, o.version FROM accounts a
                 JOIN people p ON p.id = a.person_id JOIN organisations o ON o.id = p.org_id
                 WHERE a.messenger = $1 AND a.external_id = $2 AND p.active",
            )
            .bind(messenger.key())
            .bind(external_id)
            .fetch_optional(pool)
            .await?
            .map(|r| -> Result<_, sqlx::Error> {
                Ok(AccountHolder {
                    person: PersonId(r.try_get("person_id")?),
                    unreachable: r.try_get("unreachable")?,
                    org: OrgId(r.try_get("org_id")?),
                    org_version: r.try_get("version")?,
                })
            })
            .transpose()?
        });
        Ok(row)
    }

    /// A person's account id in a messenger, when they have opened the bot there.
    pub async fn account_of(
        &self,
        person: PersonId,
        messenger: Messenger,
    ) -> Result<Option<i64>, StorageError> {
        let id = on_pool!(self, pool => {
            sqlx::query("SELECT external_id FROM accounts WHERE person_id = $1 AND messenger = $2")
                .bind(person.0)
                .bind(messenger.key())
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<Option<i64>, _>("external_id"))
                .transpose()?
                .flatten()
        });
        Ok(id)
    }

    /// The messengers a person can be reached in, in the order of preference: the one the
    /// organisation file prefers for them, then Telegram, then MAX.
    pub async fn messengers_of(&self, person: PersonId) -> Result<Vec<Messenger>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT a.messenger, p.preferred_messenger FROM accounts a JOIN people p ON p.id = a.person_id
                 WHERE a.person_id = $1 AND a.external_id IS NOT NULL",
            )
                .bind(person.0)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<_, sqlx::Error> {
                    Ok((r.try_get::<String, _>("messenger")?, r.try_get::<Option<String>, _>("preferred_messenger")?))
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        let preferred = rows
            .first()
            .and_then(|(_, p)| p.as_deref())
            .and_then(Messenger::parse);
        let mut out: Vec<Messenger> = rows
            .iter()
            .filter_map(|(m, _)| Messenger::parse(m))
            .collect();
        out.sort_by_key(|m| (Some(*m) != preferred, *m));
        Ok(out)
    }

    /// Remembers which message a number stands for, in a messenger whose message ids are text.
    pub async fn remember_message_ref(
        &self,
        messenger: Messenger,
        number: i64,
        reference: &str,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("INSERT INTO message_refs (messenger, number, reference) VALUES ($1, $2, $3)
                         ON CONFLICT (messenger, number) DO NOTHING")
                .bind(messenger.key())
                .bind(number)
                .bind(reference)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The message a number stands for (`remember_message_ref`).
    pub async fn message_ref(
        &self,
        messenger: Messenger,
        number: i64,
    ) -> Result<Option<String>, StorageError> {
        let reference = on_pool!(self, pool => {
            sqlx::query("SELECT reference FROM message_refs WHERE messenger = $1 AND number = $2")
                .bind(messenger.key())
                .bind(number)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<String, _>("reference"))
                .transpose()?
        });
        Ok(reference)
    }

    /// Marks a person's account as (un)reachable; writes only a real change.
    pub async fn set_unreachable(
        &self,
        person: PersonId,
        messenger: Messenger,
        unreachable: bool,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("UPDATE accounts SET unreachable = $1 WHERE person_id = $2 AND messenger = $3 AND unreachable <> $1")
                .bind(unreachable)
                .bind(person.0)
                .bind(messenger.key())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// What a group chat is to the organisations (a curators' group, a head's chat, a channel's
    /// discussion group); empty for a chat Otklik does not work in.
    pub async fn group_chat(&self, chat: ChatRef) -> Result<Vec<GroupChat>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT c.org_id, c.purpose, o.channel_username FROM org_chats c JOIN organisations o ON o.id = c.org_id
                 WHERE c.messenger = $1 AND c.chat_id = $2 ORDER BY c.org_id",
            )
            .bind(chat.messenger.key())
            .bind(chat.id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| -> Result<_, sqlx::Error> {
                Ok((r.try_get::<i64, _>("org_id")?, r.try_get::<String, _>("purpose")?, r.try_get::<Option<String>, _>("channel_username")?))
            })
            .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows
            .into_iter()
            .filter_map(|(org, purpose, channel)| {
                let org = OrgId(org);
                match purpose.as_str() {
                    CURATORS => Some(GroupChat::Curators(org)),
                    HEAD => Some(GroupChat::Head(org)),
                    DISCUSSION => Some(GroupChat::Discussion {
                        org,
                        channel_username: channel,
                    }),
                    _ => None,
                }
            })
            .collect())
    }

    /// A group got a new id (a Telegram group that became a supergroup): its organisation
    /// chats, cards and pending messages follow it.
    pub async fn move_chat(&self, chat: ChatRef, new_id: i64) -> Result<(), StorageError> {
        let moved = ChatRef {
            messenger: chat.messenger,
            id: new_id,
        };
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            // A summary the new id may already have gives way to the moving one.
            sqlx::query("DELETE FROM backlog_summaries WHERE messenger = $2 AND chat_id = $1")
                .bind(new_id)
                .bind(chat.messenger.key())
                .execute(&mut *tx)
                .await?;
            for sql in [
                "UPDATE org_chats SET chat_id = $1 WHERE messenger = $2 AND chat_id = $3",
                "UPDATE cards SET chat_id = $1 WHERE messenger = $2 AND chat_id = $3",
                "UPDATE conversations SET chat_id = $1 WHERE messenger = $2 AND chat_id = $3",
                "UPDATE backlog_summaries SET chat_id = $1 WHERE messenger = $2 AND chat_id = $3",
            ] {
                sqlx::query(sql)
                    .bind(new_id)
                    .bind(chat.messenger.key())
                    .bind(chat.id)
                    .execute(&mut *tx)
                    .await?;
            }
            // Waiting messages move with their queue.
            sqlx::query(
                "UPDATE outbox SET chat_id = $1, recipient_key = $4
                 WHERE chat_messenger = $2 AND chat_id = $3 AND delivered_at IS NULL",
            )
            .bind(new_id)
            .bind(chat.messenger.key())
            .bind(chat.id)
            .bind(super::queue_key(&super::Recipient::Chat(moved), None))
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE organisations SET version = version + 1 WHERE id IN (SELECT org_id FROM org_chats WHERE messenger = $1 AND chat_id = $2)",
            )
            .bind(chat.messenger.key())
            .bind(new_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}
