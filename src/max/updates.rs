//! MAX updates translated into core calls, and the core's replies shown:
//!
//! - a message → `Core::arrival`, then (its update claimed) `Core::take_message`;
//! - a person opening the bot (`bot_started`) → the same, as "/start CODE" with an invite's
//!   payload, "/start" without one;
//! - a button press → `Core::take_press` with the decoded action;
//! - the bot added to a group chat → `Core::added_to_chat`.
//!
//! Nothing here decides anything: who may do what, what is said and what changes is the core's.

use std::sync::Arc;

use serde_json::Value;

use super::api::{Callback, MaxApi, Message, Update, User};
use super::port::MaxPort;
use super::render;
use crate::core::workflow::incoming::Arrival;
use crate::core::workflow::input::Forwarded;
use crate::core::{Account, Conversation, Core, CoreError, Input, Reply, SendError};
use crate::domain::content::{ChatRef, Messenger};
use crate::messenger::payload::decode;

/// What handling updates needs: the core, the port to answer through, and the bot's id (updates
/// are deduplicated per bot).
pub struct MaxContext {
    pub core: Arc<Core>,
    pub port: MaxPort,
    pub bot_id: String,
}

fn account(user: &User) -> Account {
    Account {
        messenger: Messenger::Max,
        id: user.user_id,
    }
}

fn chat_ref(chat: i64) -> ChatRef {
    ChatRef {
        messenger: Messenger::Max,
        id: chat,
    }
}

/// The conversation a message is in: a dialogue with the bot is the person's private chat
/// (numbered by their user id); a group chat keeps MAX's chat id.
fn conversation(message: &Message, user: &User) -> Conversation {
    let private = message.recipient.chat_type == "dialog";
    let chat = if private {
        user.user_id
    } else {
        message.recipient.chat_id.unwrap_or(user.user_id)
    };
    Conversation {
        chat: chat_ref(chat),
        private,
    }
}

impl MaxContext {
    fn api(&self) -> &MaxApi {
        &self.port.api
    }

    /// Handles one update as MAX sent it; an update that cannot be read is dropped (sending it
    /// again would not make it readable). An error means it may be sent again.
    pub async fn handle(&self, raw: Value) -> Result<(), CoreError> {
        let update: Update = match serde_json::from_value(raw) {
            Ok(u) => u,
            Err(e) => {
                tracing::warn!(error = %e, "a MAX update that cannot be read was dropped");
                return Ok(());
            }
        };
        let started = std::time::Instant::now();
        let (kind, result) = match update {
            Update::MessageCreated { message, .. } => ("message", self.on_message(message).await),
            Update::MessageCallback {
                callback, message, ..
            } => ("callback", self.on_callback(callback, message).await),
            Update::BotStarted {
                user,
                payload,
                timestamp,
                ..
            } => ("message", self.on_start(user, payload, timestamp).await),
            Update::BotAdded {
                chat_id,
                timestamp,
                is_channel: false,
            } => ("added", self.on_added(chat_id, timestamp).await),
            Update::BotAdded { .. } | Update::Other => return Ok(()),
        };
        self.core.observe_update("max", kind, started.elapsed());
        result
    }

    async fn finish(&self, key: &str) -> Result<(), CoreError> {
        self.core
            .finish_update(Messenger::Max, &self.bot_id, Core::number_for(key))
            .await
    }

    async fn claim(&self, key: &str) -> Result<bool, CoreError> {
        let fresh = self
            .core
            .claim_update(Messenger::Max, &self.bot_id, Core::number_for(key))
            .await?;
        if !fresh {
            tracing::debug!(update = key, "a MAX update handled before was skipped");
        }
        Ok(fresh)
    }

    /// Shows what is left of a reply for the adapter to show itself (the core queues a known
    /// person's answers; what is left is for a stranger or a group just joined), each message in
    /// its turn.
    async fn show(&self, chat: i64, user: i64, pressed: Option<&str>, reply: &Reply) {
        if let (Some(view), Some(mid)) = (&reply.edit, pressed) {
            self.port.pacing.turn(chat).await;
            match self.port.edit_mid(mid, view).await {
                Ok(()) | Err(SendError::NotModified) => {}
                Err(e) => tracing::warn!(error = %e, "cannot edit the pressed message"),
            }
        }
        for (to, view) in reply
            .send
            .iter()
            .map(|v| (chat, v))
            .chain(reply.to_person.iter().map(|v| (user, v)))
        {
            self.port.pacing.turn(to).await;
            if let Err(e) = self.port.send_view(to, view).await {
                tracing::warn!(error = %e, "cannot answer in MAX");
            }
        }
    }

    async fn on_message(&self, message: Message) -> Result<(), CoreError> {
        let Some(from) = message.sender.clone().filter(|u| !u.is_bot) else {
            return Ok(());
        };
        let place = conversation(&message, &from);
        // A forwarded message's words are the forwarded one's.
        let text = message
            .body
            .text
            .clone()
            .filter(|t| !t.trim().is_empty())
            .or_else(|| {
                message
                    .link
                    .as_ref()
                    .filter(|l| l.kind == "forward")
                    .and_then(|l| l.message.as_ref()?.text.clone())
            })
            .unwrap_or_default()
            .trim()
            .to_string();
        self.take_message(
            &from,
            place,
            text,
            Some(&message),
            &format!("m:{}", message.body.mid),
        )
        .await
    }

    async fn on_added(&self, chat: i64, timestamp: i64) -> Result<(), CoreError> {
        let key = format!("a:{chat}:{timestamp}");
        if !self.claim(&key).await? {
            return Ok(());
        }
        let reply = self.core.added_to_chat(chat_ref(chat)).await?;
        self.finish(&key).await?;
        self.show(chat, chat, None, &reply).await;
        Ok(())
    }

    async fn on_start(
        &self,
        user: User,
        payload: Option<String>,
        timestamp: i64,
    ) -> Result<(), CoreError> {
        let place = Conversation {
            chat: chat_ref(user.user_id),
            private: true,
        };
        let text = match payload.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(code) => format!("/start {code}"),
            None => "/start".to_string(),
        };
        let key = format!("s:{}:{timestamp}", user.user_id);
        self.take_message(&user, place, text, None, &key).await
    }

    async fn take_message(
        &self,
        from: &User,
        place: Conversation,
        text: String,
        message: Option<&Message>,
        key: &str,
    ) -> Result<(), CoreError> {
        let core = &self.core;
        let (chat, user) = (place.chat.id, from.user_id);
        let known = match core.arrival(account(from), place, &text).await? {
            Arrival::Known(who) => Some(who),
            Arrival::Stranger(reply) => {
                self.show(chat, user, None, &reply).await;
                return Ok(());
            }
            Arrival::Later => None,
        };
        if !self.claim(key).await? {
            return Ok(());
        }
        let input = Input {
            text,
            attachment: message
                .and_then(|m| m.body.attachments.iter().find_map(render::attachment_id)),
            forwarded: message.and_then(forwarded),
        };
        let reply = core.take_message(account(from), place, known, input).await;
        self.finish(key).await?;
        self.show(chat, user, None, &reply).await;
        Ok(())
    }

    async fn on_callback(
        &self,
        callback: Callback,
        message: Option<Message>,
    ) -> Result<(), CoreError> {
        let core = &self.core;
        let key = format!("c:{}", callback.callback_id);
        if !self.claim(&key).await? {
            self.answer(&callback, &Reply::nothing()).await;
            return Ok(());
        }
        let user = callback.user.user_id;
        let place = match &message {
            Some(m) => conversation(m, &callback.user),
            None => Conversation {
                chat: chat_ref(user),
                private: true,
            },
        };
        let pressed = message.as_ref().map(|m| m.body.mid.clone());
        let action = callback.payload.as_deref().and_then(decode);
        let reply = core
            .take_press(
                account(&callback.user),
                place,
                action,
                pressed.as_deref().map(Core::number_for),
            )
            .await;
        self.finish(&key).await?;
        self.answer(&callback, &reply).await;
        self.show(place.chat.id, user, pressed.as_deref(), &reply)
            .await;
        Ok(())
    }

    async fn answer(&self, callback: &Callback, reply: &Reply) {
        let text = reply.toast.as_ref().map(|t| t.text.as_str());
        if let Err(e) = self.api().answer(&callback.callback_id, text).await {
            tracing::warn!(error = %e, "cannot answer a MAX button press");
        }
    }
}

/// What is known of a forwarded message.
fn forwarded(message: &Message) -> Option<Forwarded> {
    let link = message.link.as_ref().filter(|l| l.kind == "forward")?;
    Some(Forwarded {
        author: link.sender.as_ref().map(User::full_name),
        link: None,
        source: None,
        date: None,
    })
}
