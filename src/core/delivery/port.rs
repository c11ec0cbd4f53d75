//! A messenger as the core sends to it (`MessengerPort`, implemented by each adapter), why it
//! did not take a message, and how a row of the outbox ended.

use async_trait::async_trait;
use std::time::Duration as StdDuration;

use chrono::Duration;
use tokio::time::Instant;

use crate::core::view::View;
use crate::domain::content::Messenger;
use crate::domain::PersonId;

/// Why a messenger did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// An edit that changes nothing (a double press): as good as done.
    #[error("the message already shows this")]
    NotModified,
    /// The message to edit is gone (deleted, or too old to edit).
    #[error("the message to edit is gone")]
    Gone,
    /// This chat cannot be written to (the person blocked the bot or never opened it).
    #[error("cannot write to this chat: {0}")]
    Unreachable(String),
    /// The group became a supergroup with a new id.
    #[error("the chat moved to {0}")]
    ChatMoved(i64),
    /// Too many messages: try again after this long.
    #[error("rate limited for {0:?}")]
    RetryAfter(StdDuration),
    /// The messenger refused the message itself; sending it again will not help.
    #[error("refused: {0}")]
    Refused(String),
    /// The network or the messenger's server failed: the message may or may not have gone out.
    #[error("failed: {0}")]
    Failed(String),
}

/// A messenger, as the core sends to it. Implemented by each messenger adapter, which keeps the
/// messenger's limits (`messenger::pacing`); the defaults are a messenger without any.
#[async_trait]
pub trait MessengerPort: Send + Sync {
    fn messenger(&self) -> Messenger;

    /// The most messages one chat takes in a minute (a group's or a private chat's).
    fn per_minute(&self, _group: bool) -> u32 {
        u32::MAX
    }

    /// Takes a turn to send one message to `chat` now if its limits have room — leaving
    /// `keep_free` places of its rolling window free — otherwise says when they will (and takes
    /// nothing).
    fn try_turn(&self, _chat: i64, _keep_free: u32) -> Result<(), Instant> {
        Ok(())
    }

    /// Waits for a turn to send one message to `chat`, and takes it.
    async fn turn(&self, _chat: i64) {}

    /// Gives back the turn taken for a message that was not sent after all.
    fn give_back(&self, _chat: i64) {}

    /// The messenger asked to wait this long before writing to `chat` again.
    fn hold(&self, _chat: i64, _wait: StdDuration) {}

    /// A message went to `chat` `ago` ago (before this process started): it still counts.
    fn sent_before(&self, _chat: i64, _ago: StdDuration) {}

    /// How many more messages `chat`'s rolling window takes now (`None`: no window applies).
    fn room(&self, _chat: i64) -> Option<u32> {
        None
    }

    /// The chat of a person's private conversation with the bot, from their account id.
    fn private_chat(&self, account: i64) -> i64 {
        account
    }

    /// A file a person sent (as a draft keeps it: "photo:ID"…): its bytes and content type,
    /// for Otklik's own copy. A messenger that hands no files out refuses.
    async fn fetch_file(&self, _file: &str) -> Result<FetchedFile, SendError> {
        Err(SendError::Refused(
            "this messenger does not hand files out".into(),
        ))
    }

    /// Sends a view (and then its attachments, each waiting for its own turn); returns the
    /// message id. The caller has taken the turn for the message itself.
    async fn send(&self, chat: i64, view: &View) -> Result<i64, SendError>;

    /// Makes a message show a view (its attachments are not sent again). The caller has taken
    /// the turn.
    async fn edit(&self, chat: i64, message: i64, view: &View) -> Result<(), SendError>;

    /// Posts `text` as a reply to a message (the answer under a citizen's comment), waiting for
    /// its own turn; returns the new message's id and a link to it. `original_link` is the link
    /// of the message answered.
    async fn reply(
        &self,
        chat: i64,
        to_message: i64,
        text: &str,
        original_link: &str,
    ) -> Result<(i64, String), SendError>;
}

/// A file taken from a messenger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedFile {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

/// How a row ended.
pub(crate) enum Outcome {
    Delivered,
    /// Nothing needed sending after all (a redraw that changes nothing): delivered, and the
    /// chat's turn is given back.
    Skipped,
    /// Delivered, and recorded as such by the handler itself (with its audit record).
    Recorded,
    /// The person cannot be written to: delivered as far as possible, and the curators are told.
    Unreachable(PersonId, Messenger),
    /// The messenger refused the message itself (a permanent 400): it leaves the queue as
    /// failed and the curators are told, instead of being retried forever.
    Refused(String),
    /// Try again after exactly this long (the work waits for something that is not there yet).
    RetryIn(Duration),
    /// Not a failure: the messenger asked to wait this long (a 429), or the chat moved. The try
    /// does not count towards the next failure's wait.
    Postponed(Duration),
    /// The network or the server failed: try again soon, later each time.
    Failed,
}
