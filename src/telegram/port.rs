//! Telegram as the core sends to it: messages, edits, replies under comments within Telegram's
//! limits (`pacing`: the delivery worker takes each message's turn before it hands it over; a
//! draft's files after its card and a reply under a comment wait for their own), and what
//! Telegram's errors mean for a message.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use teloxide::payloads::{
    AnswerCallbackQuerySetters, EditMessageTextSetters, SendDocumentSetters, SendMessageSetters,
    SendPhotoSetters,
};
use teloxide::prelude::*;
use teloxide::requests::HasPayload;
use teloxide::types::{
    FileId, ForceReply, InputFile, MessageId, ParseMode, ReplyParameters, ResponseParameters,
};
use teloxide::{ApiError, RequestError};

use super::render::{caption_html, html, keyboard};
use crate::core::delivery::FetchedFile;
use crate::core::view::UploadKind;
use crate::core::{MessengerPort, SendError, Toast, View};
use crate::domain::content::Messenger;
use crate::messenger::pacing::Pacing;

/// The Telegram bot as a messenger port. Clones share one pacing: the delivery worker and the
/// answers to updates count against the same limits.
#[derive(Clone)]
pub struct TelegramPort {
    pub bot: Bot,
    pub pacing: Arc<Pacing>,
}

/// What a Telegram error means for a message.
pub fn classify(e: &RequestError) -> SendError {
    match e {
        RequestError::Api(ApiError::MessageNotModified) => SendError::NotModified,
        RequestError::Api(ApiError::MessageToEditNotFound | ApiError::MessageCantBeEdited) => {
            SendError::Gone
        }
        RequestError::Api(
            ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::ChatNotFound
            | ApiError::CantInitiateConversation
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup,
        ) => SendError::Unreachable(e.to_string()),
        // Telegram says "Forbidden: bot can't initiate conversation with a user", which teloxide
        // does not know by name; every "Forbidden" means this chat cannot be written to.
        RequestError::Api(ApiError::Unknown(s)) if s.starts_with("Forbidden") => {
            SendError::Unreachable(s.clone())
        }
        RequestError::Api(ApiError::Unknown(s)) if s.contains("message to edit not found") => {
            SendError::Gone
        }
        // "Bad Request: ..." is about the message itself (too long, unparsable): sending it
        // again cannot help. Anything else Telegram says (a server error) may pass.
        RequestError::Api(ApiError::Unknown(s)) if s.starts_with("Bad Request") => {
            SendError::Refused(s.clone())
        }
        RequestError::Api(other) if other.to_string().starts_with("Bad Request") => {
            SendError::Refused(other.to_string())
        }
        RequestError::Api(other) => SendError::Failed(other.to_string()),
        RequestError::MigrateToChatId(id) => SendError::ChatMoved(id.0),
        RequestError::RetryAfter(s) => {
            SendError::RetryAfter(StdDuration::from_secs(u64::from(s.seconds())))
        }
        // The network, Telegram's server, an answer that could not be read: the message may or
        // may not have gone out.
        other => SendError::Failed(other.to_string()),
    }
}

/// The link of a reply: the message answered's link with its own message number swapped in
/// (`…/77?comment=5` → `…/77?comment=9`, `t.me/c/123/5` → `t.me/c/123/9`).
pub fn reply_link(original: &str, message: i64) -> String {
    let digits = original
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .count();
    if digits == 0 {
        return original.to_string();
    }
    format!("{}{message}", &original[..original.len() - digits])
}

impl TelegramPort {
    /// Sends a view as a new message (its turn taken); a prompt in a group asks Telegram to make
    /// the answer a reply (so it reaches the bot in privacy mode).
    pub async fn send_view(&self, chat: ChatId, view: &View) -> Result<Message, RequestError> {
        if let Some(upload) = &view.file {
            let file = InputFile::memory(upload.bytes.clone()).file_name(upload.name.clone());
            let caption = caption_html(view);
            return match upload.kind {
                UploadKind::Image => {
                    self.bot
                        .send_photo(chat, file)
                        .caption(caption)
                        .parse_mode(ParseMode::Html)
                        .await
                }
                UploadKind::Document => {
                    self.bot
                        .send_document(chat, file)
                        .caption(caption)
                        .parse_mode(ParseMode::Html)
                        .await
                }
            };
        }
        let mut req = self
            .bot
            .send_message(chat, html(view))
            .parse_mode(ParseMode::Html)
            .link_preview_options(teloxide::types::LinkPreviewOptions {
                is_disabled: true,
                url: None,
                prefer_small_media: false,
                prefer_large_media: false,
                show_above_text: false,
            });
        if !view.buttons.is_empty() {
            req = req.reply_markup(keyboard(view));
        } else if view.expects_reply && chat.0 < 0 {
            req = req.reply_markup(ForceReply::new());
        }
        let sent: Message = self.call("sendMessage", req.payload_ref()).await?;
        // The files of a draft follow its card; one that fails is logged, not retried (the card
        // itself is delivered).
        for a in &view.attachments {
            if let Some((lat, lon)) = crate::domain::content::location_of(a) {
                self.pacing.turn(chat.0).await;
                if let Err(e) = self.bot.send_location(chat, lat, lon).await {
                    tracing::warn!(error = %e, "cannot send a location");
                }
                continue;
            }
            let (kind, id) = a.split_once(':').unwrap_or(("photo", a.as_str()));
            // A file sent in another messenger has no id Telegram knows.
            if !matches!(kind, "photo" | "video" | "document") {
                tracing::debug!(kind, "an attachment from another messenger is not sent");
                continue;
            }
            let file = InputFile::file_id(FileId(id.to_string()));
            self.pacing.turn(chat.0).await;
            let result = match kind {
                "video" => self.bot.send_video(chat, file).await.map(|_| ()),
                "document" => self.bot.send_document(chat, file).await.map(|_| ()),
                _ => self.bot.send_photo(chat, file).await.map(|_| ()),
            };
            if let Err(e) = result {
                tracing::warn!(error = %e, "cannot send an attachment");
            }
        }
        Ok(sent)
    }

    /// Makes a message show a view (its turn taken).
    pub async fn edit_view(
        &self,
        chat: ChatId,
        message: MessageId,
        view: &View,
    ) -> Result<(), RequestError> {
        let req = self
            .bot
            .edit_message_text(chat, message, html(view))
            .parse_mode(ParseMode::Html)
            .reply_markup(keyboard(view));
        self.call::<_, Message>("editMessageText", req.payload_ref())
            .await
            .map(|_| ())
    }

    /// Answers a button press (`answerCallbackQuery`) with a toast, or silently.
    pub async fn answer_press(
        &self,
        id: &teloxide::types::CallbackQueryId,
        toast: Option<&Toast>,
    ) -> Result<(), RequestError> {
        let mut req = self.bot.answer_callback_query(id.clone());
        if let Some(toast) = toast {
            req = req.text(toast.text.clone()).show_alert(toast.alert);
        }
        self.call::<_, bool>("answerCallbackQuery", req.payload_ref())
            .await
            .map(|_| ())
    }

    /// Calls a Bot API method with a JSON payload, as teloxide would, but without its pause: its
    /// client sleeps 10 s after any 5xx before returning the error, which would hold the chat's
    /// turn that long; here a server error comes back at once and the message is retried in 1–2 s
    /// (`core::delivery`). Telegram's answers are read with teloxide's own types.
    async fn call<P: serde::Serialize, R: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        payload: &P,
    ) -> Result<R, RequestError> {
        let mut url = self.bot.api_url();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty()
                .push(&format!("bot{}", self.bot.token()))
                .push(method);
        }
        let response = self
            .bot
            .client()
            .post(url)
            .json(payload)
            .send()
            .await
            .map_err(|e| RequestError::Network(Arc::new(e)))?;
        let raw = response
            .text()
            .await
            .map_err(|e| RequestError::Network(Arc::new(e)))?;
        let answer: BotAnswer<R> =
            serde_json::from_str(&raw).map_err(|e| RequestError::InvalidJson {
                source: Arc::new(e),
                raw: raw.clone().into_boxed_str(),
            })?;
        match answer {
            BotAnswer {
                ok: true,
                result: Some(r),
                ..
            } => Ok(r),
            BotAnswer {
                parameters: Some(ResponseParameters::RetryAfter(s)),
                ..
            } => Err(RequestError::RetryAfter(s)),
            BotAnswer {
                parameters: Some(ResponseParameters::MigrateToChatId(to)),
                ..
            } => Err(RequestError::MigrateToChatId(to)),
            BotAnswer { description, .. } => {
                let description = description.unwrap_or_default();
                Err(RequestError::Api(
                    serde_json::from_value(serde_json::Value::String(description.clone()))
                        .unwrap_or(ApiError::Unknown(description)),
                ))
            }
        }
    }
}

/// A Bot API answer: `{"ok": true, "result": …}` or `{"ok": false, "description": …,
/// "parameters": …}`.
#[derive(serde::Deserialize)]
struct BotAnswer<R> {
    ok: bool,
    result: Option<R>,
    description: Option<String>,
    parameters: Option<ResponseParameters>,
}

fn message_id(id: i64) -> MessageId {
    MessageId(i32::try_from(id).unwrap_or_default())
}

#[async_trait]
impl MessengerPort for TelegramPort {
    fn messenger(&self) -> Messenger {
        Messenger::Telegram
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

    async fn fetch_file(&self, file: &str) -> Result<FetchedFile, SendError> {
        let (kind, id) = file.split_once(':').unwrap_or(("photo", file));
        let content_type = match kind {
            "photo" => "image/jpeg",
            "video" => "video/mp4",
            "document" => "application/octet-stream",
            _ => return Err(SendError::Refused(format!("not a Telegram file: {kind}"))),
        };
        let found = self
            .bot
            .get_file(FileId(id.to_string()))
            .await
            .map_err(|e| classify(&e))?;
        // The Bot API's file address: <api>/file/bot<token>/<path>.
        let mut url = self.bot.api_url();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .push("file")
                .push(&format!("bot{}", self.bot.token()));
            for piece in found.path.split('/') {
                segments.push(piece);
            }
        }
        let response = self
            .bot
            .client()
            .get(url)
            .send()
            .await
            .map_err(|e| SendError::Failed(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(SendError::Failed(format!(
                "the file server answered {}",
                response.status()
            )));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| SendError::Failed(e.without_url().to_string()))?;
        Ok(FetchedFile {
            bytes: bytes.to_vec(),
            content_type: content_type.to_string(),
        })
    }

    async fn send(&self, chat: i64, view: &View) -> Result<i64, SendError> {
        let sent = self.send_view(ChatId(chat), view).await;
        if sent.is_ok() {
            self.pacing.arrived(chat);
        }
        sent.map(|m| i64::from(m.id.0)).map_err(|e| classify(&e))
    }

    async fn edit(&self, chat: i64, message: i64, view: &View) -> Result<(), SendError> {
        let edited = self
            .edit_view(ChatId(chat), message_id(message), view)
            .await;
        if edited.is_ok() {
            self.pacing.arrived(chat);
        }
        edited.map_err(|e| classify(&e))
    }

    async fn reply(
        &self,
        chat: i64,
        to_message: i64,
        text: &str,
        original_link: &str,
    ) -> Result<(i64, String), SendError> {
        self.pacing.turn(chat).await;
        let req = self
            .bot
            .send_message(ChatId(chat), text)
            .reply_parameters(ReplyParameters::new(message_id(to_message)));
        let sent: Message = self
            .call("sendMessage", req.payload_ref())
            .await
            .map_err(|e| classify(&e))?;
        self.pacing.arrived(chat);
        let id = i64::from(sent.id.0);
        Ok((id, reply_link(original_link, id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_links() {
        assert_eq!(
            reply_link("https://t.me/vorsino_adm/77?comment=5", 12),
            "https://t.me/vorsino_adm/77?comment=12"
        );
        assert_eq!(
            reply_link("https://t.me/c/2234/515", 600),
            "https://t.me/c/2234/600"
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            classify(&RequestError::Api(ApiError::MessageNotModified)),
            SendError::NotModified
        );
        assert!(matches!(
            classify(&RequestError::Api(ApiError::Unknown(
                "Forbidden: bot can't initiate conversation with a user".into()
            ))),
            SendError::Unreachable(_)
        ));
        // A message Telegram cannot take is refused for good; a server error may pass later.
        assert!(matches!(
            classify(&RequestError::Api(ApiError::MessageIsTooLong)),
            SendError::Refused(_)
        ));
        assert!(matches!(
            classify(&RequestError::Api(ApiError::Unknown(
                "Bad Request: can't parse entities: unsupported start tag".into()
            ))),
            SendError::Refused(_)
        ));
        assert!(matches!(
            classify(&RequestError::Api(ApiError::Unknown(
                "Internal Server Error".into()
            ))),
            SendError::Failed(_)
        ));
        assert!(matches!(
            classify(&RequestError::Api(ApiError::BotBlocked)),
            SendError::Unreachable(_)
        ));
    }
}
