//! Chat-side state: who a messenger user is, multi-step input per (chat, user), the card each
//! chat has for an incident, and the departments ticked on a triage card.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::directory::Person;
use super::{on_pool, ts, StorageError, Store};
use crate::domain::incident::{DepartmentId, PersonId};

impl Store {
    /// The active directory entry bound to a messenger user id.
    pub async fn person_by_messenger_id(
        &self,
        user_id: i64,
    ) -> Result<Option<Person>, StorageError> {
        let id = on_pool!(self, pool => {
            sqlx::query("SELECT id FROM people WHERE telegram_user_id = $1 AND active ORDER BY id LIMIT 1")
                .bind(user_id)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<i64, _>("id"))
                .transpose()?
        });
        match id {
            Some(id) => Ok(Some(self.person(id).await?)),
            None => Ok(None),
        }
    }

    /// The organisation whose curators' group is this chat.
    pub async fn org_by_curator_chat(&self, chat_id: i64) -> Result<Option<i64>, StorageError> {
        let id = on_pool!(self, pool => {
            sqlx::query("SELECT id FROM organisations WHERE curator_chat_id = $1 ORDER BY id LIMIT 1")
                .bind(chat_id)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<i64, _>("id"))
                .transpose()?
        });
        Ok(id)
    }

    /// The organisation whose channel's discussion group is this chat.
    pub async fn org_by_discussion_chat(&self, chat_id: i64) -> Result<Option<i64>, StorageError> {
        let id = on_pool!(self, pool => {
            sqlx::query("SELECT id FROM organisations WHERE discussion_chat_id = $1 ORDER BY id LIMIT 1")
                .bind(chat_id)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<i64, _>("id"))
                .transpose()?
        });
        Ok(id)
    }

    /// Marks a person as unreachable in the messenger (blocked the bot, never opened it).
    pub async fn set_unreachable(
        &self,
        person: PersonId,
        unreachable: bool,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            // Only a real change is written: this runs for every message a person sends.
            sqlx::query("UPDATE people SET unreachable = $1 WHERE id = $2 AND unreachable <> $1")
                .bind(unreachable)
                .bind(person)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The pending multi-step input of a user in a chat.
    pub async fn conversation(
        &self,
        chat: i64,
        user: i64,
    ) -> Result<Option<serde_json::Value>, StorageError> {
        let state = on_pool!(self, pool => {
            sqlx::query("SELECT state FROM conversations WHERE chat_id = $1 AND user_id = $2")
                .bind(chat)
                .bind(user)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<String, _>("state"))
                .transpose()?
        });
        state
            .map(|s| serde_json::from_str(&s).map_err(StorageError::from))
            .transpose()
    }

    /// Stores (replaces) the pending input of a user in a chat.
    pub async fn set_conversation(
        &self,
        chat: i64,
        user: i64,
        state: &serde_json::Value,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO conversations (chat_id, user_id, state, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (chat_id, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            )
            .bind(chat)
            .bind(user)
            .bind(state.to_string())
            .bind(ts(at))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Forgets the pending input of a user in a chat.
    pub async fn clear_conversation(&self, chat: i64, user: i64) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM conversations WHERE chat_id = $1 AND user_id = $2")
                .bind(chat)
                .bind(user)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The message id of the card a chat has for an incident.
    pub async fn card_message(
        &self,
        incident: i64,
        chat: i64,
    ) -> Result<Option<i64>, StorageError> {
        let id = on_pool!(self, pool => {
            sqlx::query("SELECT message_id FROM cards WHERE incident_id = $1 AND chat_id = $2")
                .bind(incident)
                .bind(chat)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<i64, _>("message_id"))
                .transpose()?
        });
        Ok(id)
    }

    /// Remembers the card a chat has for an incident.
    pub async fn set_card_message(
        &self,
        incident: i64,
        chat: i64,
        message: i64,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO cards (incident_id, chat_id, message_id) VALUES ($1, $2, $3)
                 ON CONFLICT (incident_id, chat_id) DO UPDATE SET message_id = excluded.message_id",
            )
            .bind(incident)
            .bind(chat)
            .bind(message)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Ticks or unticks a department on a triage card; returns the ticked set.
    pub async fn toggle_triage_department(
        &self,
        incident: i64,
        department: DepartmentId,
    ) -> Result<Vec<DepartmentId>, StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let removed = sqlx::query("DELETE FROM triage_selections WHERE incident_id = $1 AND department_id = $2")
                .bind(incident)
                .bind(department)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if removed == 0 {
                sqlx::query("INSERT INTO triage_selections (incident_id, department_id) VALUES ($1, $2)")
                    .bind(incident)
                    .bind(department)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        self.triage_departments(incident).await
    }

    /// The departments ticked on a triage card.
    pub async fn triage_departments(
        &self,
        incident: i64,
    ) -> Result<Vec<DepartmentId>, StorageError> {
        let ids = on_pool!(self, pool => {
            sqlx::query("SELECT department_id FROM triage_selections WHERE incident_id = $1 ORDER BY department_id")
                .bind(incident)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("department_id"))
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(ids)
    }

    /// An organisation's active departments, by name.
    pub async fn departments(&self, org: i64) -> Result<Vec<(DepartmentId, String)>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query("SELECT id, name FROM departments WHERE org_id = $1 AND active ORDER BY name")
                .bind(org)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get::<i64, _>("id")?, r.try_get::<String, _>("name")?)) })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// A department's name.
    pub async fn department_name(&self, department: DepartmentId) -> Result<String, StorageError> {
        let name = on_pool!(self, pool => {
            sqlx::query("SELECT name FROM departments WHERE id = $1")
                .bind(department)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<String, _>("name"))
                .transpose()?
        });
        name.ok_or_else(|| StorageError::NotFound(format!("department {department}")))
    }

    /// The executor incidents routed to a department go to: its first active executor.
    pub async fn department_executor(
        &self,
        department: DepartmentId,
    ) -> Result<Option<PersonId>, StorageError> {
        let id = on_pool!(self, pool => {
            sqlx::query(
                "SELECT p.id FROM department_members m JOIN people p ON p.id = m.person_id
                 JOIN person_roles r ON r.person_id = p.id
                 WHERE m.department_id = $1 AND p.active AND r.role = 'executor' ORDER BY p.id LIMIT 1",
            )
            .bind(department)
            .fetch_optional(pool)
            .await?
            .map(|r| r.try_get::<i64, _>("id"))
            .transpose()?
        });
        Ok(id)
    }
}

impl Store {
    /// Connects an organisation to its Telegram channel's discussion group.
    pub async fn set_channel(
        &self,
        org: i64,
        discussion_chat_id: Option<i64>,
        channel_username: Option<&str>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE organisations SET discussion_chat_id = $1, channel_username = $2 WHERE id = $3")
                .bind(discussion_chat_id)
                .bind(channel_username.map(|c| c.trim_start_matches('@')))
                .bind(org)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
