//! MAX as the core sends to it: messages, edits and replies within MAX's limits
//! (`crate::messenger::pacing`: the delivery worker takes each message's turn before it hands
//! it over), and what MAX's errors mean for a message.
//!
//! Chats are numbered as the core knows them: a person's private chat by their MAX user id
//! (positive), a group chat by its MAX chat id (negative). Messages, which MAX names by text
//! ("mid.…"), by the number the core remembers for each (`Core::remember_message`).

use std::sync::Arc;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use serde_json::json;

use super::api::{MaxApi, MaxError, Message, NewMessage, Target};
use super::render;
use crate::core::delivery::FetchedFile;
use crate::core::view::UploadKind;
use crate::core::{Core, MessengerPort, SendError, View};
use crate::domain::content::Messenger;
use crate::messenger::pacing::{is_group, Pacing};

/// The MAX bot as a messenger port. Clones share one pacing.
#[derive(Clone)]
pub struct MaxPort {
    pub api: MaxApi,
    pub pacing: Arc<Pacing>,
    pub core: Arc<Core>,
}

/// What a MAX error means for a message.
pub fn classify(e: &MaxError, editing: bool) -> SendError {
    match e {
        MaxError::Network(e) => SendError::Failed(e.to_string()),
        MaxError::Api {
            status,
            code,
            message,
        } => {
            let what = format!("{status} {code}: {message}");
            match status {
                // MAX publishes no wait; a second is what its two-a-second chat limit implies.
                429 => SendError::RetryAfter(StdDuration::from_secs(1)),
                // The person blocked the bot, or the bot is not in the chat.
                403 => SendError::Unreachable(what),
                404 if editing => SendError::Gone,
                404 => SendError::Unreachable(what),
                // A file still being processed by MAX: a moment later it is ready.
                400 if code.contains("not.ready") => SendError::Failed(what),
                400 if editing && code.contains("edit") => SendError::Gone,
                400..=499 => SendError::Refused(what),
                _ => SendError::Failed(what),
            }
        }
    }
}

/// Where a chat number sends to.
pub fn target(chat: i64) -> Target {
    if is_group(chat) {
        Target::Chat(chat)
    } else {
        Target::User(chat)
    }
}

impl MaxPort {
    /// Sends a view as a new message (its turn taken); returns it as MAX stored it, remembered
    /// by its number.
    pub async fn send_view(&self, chat: i64, view: &View) -> Result<(i64, Message), SendError> {
        let mut message = render::message(view);
        if let Some(upload) = &view.file {
            let kind = match upload.kind {
                UploadKind::Image => "image",
                UploadKind::Document => "file",
            };
            let payload = self
                .api
                .upload(kind, &upload.name, upload.bytes.clone())
                .await
                .map_err(|e| classify(&e, false))?;
            message
                .attachments
                .insert(0, json!({"type": kind, "payload": payload}));
        }
        self.send_message(chat, &message).await
    }

    async fn send_message(
        &self,
        chat: i64,
        message: &NewMessage,
    ) -> Result<(i64, Message), SendError> {
        let sent = self
            .api
            .send(target(chat), message)
            .await
            .map_err(|e| classify(&e, false))?;
        let number = self
            .core
            .remember_message(Messenger::Max, &sent.body.mid)
            .await
            .map_err(|e| SendError::Failed(e.to_string()))?;
        Ok((number, sent))
    }

    /// Makes the message named `mid` show a view (its turn taken).
    pub async fn edit_mid(&self, mid: &str, view: &View) -> Result<(), SendError> {
        self.api
            .edit(mid, &render::message(view))
            .await
            .map_err(|e| classify(&e, true))
    }
}

#[async_trait]
impl MessengerPort for MaxPort {
    fn messenger(&self) -> Messenger {
        Messenger::Max
    }

    async fn fetch_file(&self, file: &str) -> Result<FetchedFile, SendError> {
        // MAX gives bots an address for images only; videos and files stay in MAX.
        let Some(url) = render::image_url(file) else {
            return Err(SendError::Refused(
                "MAX gives no address for this file".into(),
            ));
        };
        // An image MAX no longer gives (4xx) never will be: the report goes without it.
        let (bytes, content_type) = self.api.download(url).await.map_err(|e| match e {
            MaxError::Api { status, .. } if (400..500).contains(&status) => {
                SendError::Refused(e.to_string())
            }
            e => SendError::Failed(e.to_string()),
        })?;
        Ok(FetchedFile {
            bytes,
            content_type: content_type
                .filter(|c| c.starts_with("image/"))
                .unwrap_or_else(|| "image/jpeg".into()),
        })
    }

    fn per_minute(&self, group: bool) -> u32 {
        self.pacing.per_minute(group)
    }

    fn try_turn(&self, chat: i64, keep_free: u32) -> Result<(), tokio::time::Instant> {
        self.pacing.try_turn(chat, keep_free)
    }

    async fn turn(&self, chat: i64) {
        self.pacing.turn(chat).await
    }

    fn give_back(&self, chat: i64) {
        self.pacing.give_back(chat)
    }

    fn hold(&self, chat: i64, wait: StdDuration) {
        self.pacing.hold(chat, wait)
    }

    fn sent_before(&self, chat: i64, ago: StdDuration) {
        self.pacing.sent_before(chat, ago)
    }

    fn room(&self, chat: i64) -> Option<u32> {
        self.pacing.room(chat)
    }

    async fn send(&self, chat: i64, view: &View) -> Result<i64, SendError> {
        let (number, _) = self.send_view(chat, view).await?;
        self.pacing.arrived(chat);
        Ok(number)
    }

    async fn edit(&self, chat: i64, message: i64, view: &View) -> Result<(), SendError> {
        let mid = self
            .core
            .message_reference(Messenger::Max, message)
            .await
            .map_err(|e| SendError::Failed(e.to_string()))?;
        match mid {
            Some(mid) => {
                self.edit_mid(&mid, view).await?;
                self.pacing.arrived(chat);
                Ok(())
            }
            // Not a message this bot remembers sending: it is sent anew.
            None => Err(SendError::Gone),
        }
    }

    async fn reply(
        &self,
        chat: i64,
        to_message: i64,
        text: &str,
        original_link: &str,
    ) -> Result<(i64, String), SendError> {
        let mid = self
            .core
            .message_reference(Messenger::Max, to_message)
            .await
            .map_err(|e| SendError::Failed(e.to_string()))?;
        let message = NewMessage {
            text: text.to_string(),
            format: None,
            attachments: Vec::new(),
            link: mid.map(|mid| json!({"type": "reply", "mid": mid})),
        };
        self.pacing.turn(chat).await;
        let (number, sent) = self.send_message(chat, &message).await?;
        self.pacing.arrived(chat);
        Ok((
            number,
            sent.url.unwrap_or_else(|| original_link.to_string()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str) -> MaxError {
        MaxError::Api {
            status,
            code: code.into(),
            message: String::new(),
        }
    }

    #[test]
    fn errors() {
        assert!(matches!(
            classify(&api(429, "too.many.requests"), false),
            SendError::RetryAfter(_)
        ));
        assert!(matches!(
            classify(&api(403, "chat.denied"), false),
            SendError::Unreachable(_)
        ));
        assert_eq!(classify(&api(404, "not.found"), true), SendError::Gone);
        assert!(matches!(
            classify(&api(400, "attachment.not.ready"), false),
            SendError::Failed(_)
        ));
        assert!(matches!(
            classify(&api(400, "proto.payload"), false),
            SendError::Refused(_)
        ));
        assert!(matches!(
            classify(&api(502, ""), false),
            SendError::Failed(_)
        ));
    }

    #[test]
    fn chats_are_people_or_groups() {
        assert_eq!(target(42), Target::User(42));
        assert_eq!(target(-7_000_123), Target::Chat(-7_000_123));
    }
}
