//! Chat-side state: multi-step input per (messenger, chat, person), the cards each chat has for
//! an incident, the departments ticked on a triage card, and the updates already handled.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::directory::chat_ref;
use super::Writer;
use super::{on_pool, ts, BeginWrite, StorageError, Store};
use crate::domain::content::{ChatRef, Messenger};
use crate::domain::{DepartmentId, IncidentId, PersonId};

/// A pending multi-step input.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConversation {
    pub state: serde_json::Value,
    pub updated_at: DateTime<Utc>,
}

/// A message about an incident that later events edit in place.
#[derive(Debug, Clone, PartialEq)]
pub struct CardRow {
    pub chat: ChatRef,
    pub message_id: i64,
    pub incident: IncidentId,
    /// The person it is for; `None` in a group chat.
    pub viewer: Option<PersonId>,
    /// The notice that drew it (the core's JSON).
    pub notice: serde_json::Value,
    /// A hash of what it shows now; 0 when unknown.
    pub rendered: i64,
}

type CardTuple = (String, i64, i64, i64, Option<i64>, String, i64);

fn card_from(t: CardTuple) -> Result<CardRow, StorageError> {
    let (messenger, chat_id, message_id, incident, viewer, notice, rendered) = t;
    let chat = chat_ref(Some(messenger), Some(chat_id))?
        .ok_or_else(|| StorageError::Corrupt("card without a chat".into()))?;
    Ok(CardRow {
        chat,
        message_id,
        incident: IncidentId(incident),
        viewer: viewer.map(PersonId),
        notice: serde_json::from_str(&notice)?,
        rendered,
    })
}

const CARD_COLUMNS: &str =
    "messenger, chat_id, message_id, incident_id, viewer_id, notice, rendered";

macro_rules! card_tuple {
    ($r:expr) => {
        (
            $r.try_get::<String, _>("messenger")?,
            $r.try_get::<i64, _>("chat_id")?,
            $r.try_get::<i64, _>("message_id")?,
            $r.try_get::<i64, _>("incident_id")?,
            $r.try_get::<Option<i64>, _>("viewer_id")?,
            $r.try_get::<String, _>("notice")?,
            $r.try_get::<i64, _>("rendered")?,
        )
    };
}

impl Store {
    /// The pending multi-step input of a person in a chat.
    pub async fn conversation(
        &self,
        chat: ChatRef,
        person: PersonId,
    ) -> Result<Option<StoredConversation>, StorageError> {
        let row = on_pool!(self, pool => {
            sqlx::query("SELECT state, updated_at FROM conversations WHERE messenger = $1 AND chat_id = $2 AND person_id = $3")
                .bind(chat.messenger.key())
                .bind(chat.id)
                .bind(person.0)
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get::<String, _>("state")?, r.try_get::<DateTime<Utc>, _>("updated_at")?)) })
                .transpose()?
        });
        row.map(|(state, updated_at)| {
            Ok(StoredConversation {
                state: serde_json::from_str(&state)?,
                updated_at,
            })
        })
        .transpose()
    }

    /// Stores (replaces) the pending input of a person in a chat.
    pub async fn set_conversation(
        &self,
        chat: ChatRef,
        person: PersonId,
        state: &serde_json::Value,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query(
                "INSERT INTO conversations (messenger, chat_id, person_id, state, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (messenger, chat_id, person_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            )
            .bind(chat.messenger.key())
            .bind(chat.id)
            .bind(person.0)
            .bind(state.to_string())
            .bind(ts(at))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Forgets the pending input of a person in a chat.
    pub async fn clear_conversation(
        &self,
        chat: ChatRef,
        person: PersonId,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("DELETE FROM conversations WHERE messenger = $1 AND chat_id = $2 AND person_id = $3")
                .bind(chat.messenger.key())
                .bind(chat.id)
                .bind(person.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Deletes conversations untouched since `before`; returns how many.
    pub async fn prune_conversations(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        let n = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let n = sqlx::query("DELETE FROM conversations WHERE updated_at < $1")
                .bind(ts(before))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            n
        });
        Ok(n)
    }

    /// Remembers a card (or replaces what is known of it).
    pub async fn add_card(&self, card: &CardRow) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query(
                "INSERT INTO cards (messenger, chat_id, message_id, incident_id, viewer_id, notice, rendered)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (messenger, chat_id, message_id) DO UPDATE SET incident_id = excluded.incident_id,
                    viewer_id = excluded.viewer_id, notice = excluded.notice, rendered = excluded.rendered",
            )
            .bind(card.chat.messenger.key())
            .bind(card.chat.id)
            .bind(card.message_id)
            .bind(card.incident.0)
            .bind(card.viewer.map(|p| p.0))
            .bind(card.notice.to_string())
            .bind(card.rendered)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The card a message is, if it is one.
    pub async fn card(
        &self,
        chat: ChatRef,
        message_id: i64,
    ) -> Result<Option<CardRow>, StorageError> {
        let sql = format!("SELECT {CARD_COLUMNS} FROM cards WHERE messenger = $1 AND chat_id = $2 AND message_id = $3");
        let row = on_pool!(self, pool => {
            sqlx::query(&sql)
                .bind(chat.messenger.key())
                .bind(chat.id)
                .bind(message_id)
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<CardTuple, sqlx::Error> { Ok(card_tuple!(r)) })
                .transpose()?
        });
        row.map(card_from).transpose()
    }

    /// Every card of an incident, oldest first.
    pub async fn cards_of(&self, incident: IncidentId) -> Result<Vec<CardRow>, StorageError> {
        let sql = format!("SELECT {CARD_COLUMNS} FROM cards WHERE incident_id = $1 ORDER BY messenger, chat_id, message_id");
        let rows = on_pool!(self, pool => {
            sqlx::query(&sql)
                .bind(incident.0)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<CardTuple, sqlx::Error> { Ok(card_tuple!(r)) })
                .collect::<Result<Vec<_>, _>>()?
        });
        rows.into_iter().map(card_from).collect()
    }

    /// Records what a card shows now.
    pub async fn set_card_rendered(
        &self,
        chat: ChatRef,
        message_id: i64,
        rendered: i64,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("UPDATE cards SET rendered = $1 WHERE messenger = $2 AND chat_id = $3 AND message_id = $4")
                .bind(rendered)
                .bind(chat.messenger.key())
                .bind(chat.id)
                .bind(message_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// A card was sent again as a new message (the old one could not be edited).
    pub async fn move_card(
        &self,
        chat: ChatRef,
        old_message: i64,
        new_message: i64,
        rendered: i64,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("UPDATE cards SET message_id = $1, rendered = $2 WHERE messenger = $3 AND chat_id = $4 AND message_id = $5")
                .bind(new_message)
                .bind(rendered)
                .bind(chat.messenger.key())
                .bind(chat.id)
                .bind(old_message)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Ticks or unticks a department on a triage card; returns the ticked set.
    pub async fn toggle_triage_department(
        &self,
        incident: IncidentId,
        department: DepartmentId,
    ) -> Result<Vec<DepartmentId>, StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let removed = sqlx::query("DELETE FROM triage_selections WHERE incident_id = $1 AND department_id = $2")
                .bind(incident.0)
                .bind(department.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if removed == 0 {
                sqlx::query("INSERT INTO triage_selections (incident_id, department_id) VALUES ($1, $2)")
                    .bind(incident.0)
                    .bind(department.0)
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
        incident: IncidentId,
    ) -> Result<Vec<DepartmentId>, StorageError> {
        let ids = on_pool!(self, pool => {
            sqlx::query("SELECT department_id FROM triage_selections WHERE incident_id = $1 ORDER BY department_id")
                .bind(incident.0)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("department_id"))
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(ids.into_iter().map(DepartmentId).collect())
    }

    /// Records that an update from a messenger's bot is being handled by `instance`; `false`
    /// when it already was (a redelivery). A claim not finished is taken over by another
    /// instance (the one that claimed it died), or by any after `stale_before`.
    pub async fn claim_update(
        &self,
        messenger: Messenger,
        bot: &str,
        update_id: i64,
        at: DateTime<Utc>,
        instance: &str,
        stale_before: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let fresh = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let n = sqlx::query(
                "INSERT INTO processed_updates (messenger, bot, update_id, processed_at, instance, finished)
                 VALUES ($1, $2, $3, $4, $5, FALSE)
                 ON CONFLICT (messenger, bot, update_id) DO UPDATE
                    SET processed_at = excluded.processed_at, instance = excluded.instance
                    WHERE NOT processed_updates.finished
                      AND (processed_updates.instance <> excluded.instance OR processed_updates.processed_at < $6)",
            )
            .bind(messenger.key())
            .bind(bot)
            .bind(update_id)
            .bind(ts(at))
            .bind(instance)
            .bind(ts(stale_before))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            n
        });
        Ok(fresh == 1)
    }

    /// Marks a claimed update as handled: a redelivery changes nothing from now on.
    pub async fn finish_update(
        &self,
        messenger: Messenger,
        bot: &str,
        update_id: i64,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query("UPDATE processed_updates SET finished = TRUE WHERE messenger = $1 AND bot = $2 AND update_id = $3")
                .bind(messenger.key())
                .bind(bot)
                .bind(update_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Where a bot's long polling left off (`None`: never).
    pub async fn update_cursor(
        &self,
        messenger: Messenger,
        bot: &str,
    ) -> Result<Option<i64>, StorageError> {
        let marker = on_pool!(self, pool => {
            sqlx::query("SELECT marker FROM update_cursors WHERE messenger = $1 AND bot = $2")
                .bind(messenger.key())
                .bind(bot)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<i64, _>("marker"))
                .transpose()?
        });
        Ok(marker)
    }

    /// Keeps where a bot's long polling left off.
    pub async fn keep_update_cursor(
        &self,
        messenger: Messenger,
        bot: &str,
        marker: i64,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query(
                "INSERT INTO update_cursors (messenger, bot, marker) VALUES ($1, $2, $3)
                 ON CONFLICT (messenger, bot) DO UPDATE SET marker = excluded.marker",
            )
            .bind(messenger.key())
            .bind(bot)
            .bind(marker)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Forgets updates handled before `before`; returns how many.
    pub async fn prune_updates(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        let n = on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            let n = sqlx::query("DELETE FROM processed_updates WHERE processed_at < $1")
                .bind(ts(before))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            n
        });
        Ok(n)
    }

    /// How many handled updates are remembered (for tests and monitoring).
    pub async fn processed_update_count(&self) -> Result<i64, StorageError> {
        let n = on_pool!(self, pool => {
            sqlx::query("SELECT COUNT(*) AS n FROM processed_updates")
                .fetch_one(pool)
                .await?
                .try_get::<i64, _>("n")?
        });
        Ok(n)
    }
}
