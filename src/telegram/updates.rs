//! The handler tree: Telegram updates translated into core calls, and the core's replies shown.
//!
//! - a message → `Core::arrival`, then (its update claimed) `Core::channel_comment` for a
//!   comment in a channel's discussion group, or `Core::take_message`;
//! - a button press → `Core::take_press` with the decoded action;
//! - the bot added to a group → `Core::added_to_chat`.
//!
//! Nothing here decides anything: who may do what, what is said and what changes is the core's.

use std::sync::Arc;

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::{ChatMemberUpdated, MessageId, MessageOrigin};

use super::port::{classify, TelegramPort};
use crate::core::workflow::incoming::Arrival;
use crate::core::workflow::input::Forwarded;
use crate::core::workflow::intake::ChannelComment;
use crate::core::{Account, Conversation, Core, Input, Reply, SendError};
use crate::domain::content::{ChatRef, Messenger, Source};
use crate::messenger::payload::decode;

pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;
type HandlerResult = Result<(), HandlerError>;

/// What the handlers share: the core, the port to answer through, and the bot's id (updates are
/// deduplicated per bot).
pub struct TelegramContext {
    pub core: Arc<Core>,
    pub port: TelegramPort,
    pub bot_id: String,
}

/// The handler tree; `otklik run` and the tests build the same one.
pub fn schema() -> UpdateHandler<HandlerError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_callback))
        .branch(Update::filter_my_chat_member().endpoint(on_membership))
}

fn chat_ref(chat: ChatId) -> ChatRef {
    ChatRef {
        messenger: Messenger::Telegram,
        id: chat.0,
    }
}

fn account(user: &teloxide::types::User) -> Account {
    Account {
        messenger: Messenger::Telegram,
        id: i64::try_from(user.id.0).unwrap_or_default(),
    }
}

/// Shows what is left of a reply for the adapter to show itself (the core queues a known
/// person's answers; what is left is for people it records nothing about: a stranger, a group
/// the bot was just added to), each message in its turn. A message that cannot be sent is
/// logged: the update itself was handled.
async fn show(
    ctx: &TelegramContext,
    chat: ChatId,
    user: ChatId,
    pressed: Option<MessageId>,
    reply: &Reply,
) {
    if let (Some(view), Some(message)) = (&reply.edit, pressed) {
        ctx.port.pacing.turn(chat.0).await;
        if let Err(e) = ctx.port.edit_view(chat, message, view).await {
            if classify(&e) != SendError::NotModified {
                tracing::warn!(error = %e, "cannot edit the pressed message");
            }
        }
    }
    let sends = reply
        .send
        .iter()
        .map(|v| (chat, v))
        .chain(reply.to_person.iter().map(|v| (user, v)));
    for (to, view) in sends {
        ctx.port.pacing.turn(to.0).await;
        if let Err(e) = ctx.port.send_view(to, view).await {
            tracing::warn!(error = %e, "cannot answer in Telegram");
        }
    }
}

/// The file a message carries, as "photo:ID", "video:ID" or "document:ID" (so it can be sent on
/// with the right method), or the place it shares as "location:LAT,LON".
fn attachment_of(msg: &Message) -> Option<String> {
    if let Some(place) = msg.location() {
        return Some(crate::domain::content::location_attachment(
            place.latitude,
            place.longitude,
        ));
    }
    if let Some(sizes) = msg.photo() {
        return sizes.last().map(|p| format!("photo:{}", p.file.id));
    }
    if let Some(v) = msg.video() {
        return Some(format!("video:{}", v.file.id));
    }
    msg.document().map(|d| format!("document:{}", d.file.id))
}

/// What is known of a forwarded message.
fn forwarded(origin: &MessageOrigin) -> Forwarded {
    let (author, link) = match origin {
        MessageOrigin::User { sender_user, .. } => (sender_user.full_name(), None),
        MessageOrigin::HiddenUser {
            sender_user_name, ..
        } => (sender_user_name.clone(), None),
        MessageOrigin::Chat { sender_chat, .. } => {
            (sender_chat.title().unwrap_or_default().to_string(), None)
        }
        MessageOrigin::Channel {
            chat, message_id, ..
        } => (
            chat.title().unwrap_or_default().to_string(),
            chat.username()
                .map(|u| format!("https://t.me/{u}/{}", message_id.0)),
        ),
    };
    Forwarded {
        author: Some(author),
        source: link.as_ref().map(|_| Source::Telegram),
        link,
        date: Some(origin.date()).filter(|d| d.timestamp() > 0),
    }
}

/// A link to a comment in a channel's discussion group: under the channel's post when known.
fn comment_link(
    channel: Option<&str>,
    chat: ChatId,
    post: Option<i32>,
    message: MessageId,
) -> String {
    match (channel, post) {
        (Some(channel), Some(post)) => {
            format!("https://t.me/{channel}/{post}?comment={}", message.0)
        }
        _ => {
            // A private supergroup: t.me/c/<id without the -100 prefix>/<message>.
            let internal = chat.0.unsigned_abs().saturating_sub(1_000_000_000_000);
            format!("https://t.me/c/{internal}/{}", message.0)
        }
    }
}

/// A group message that may be a citizen's comment under a channel post.
async fn comment(ctx: &TelegramContext, msg: &Message) -> Result<bool, HandlerError> {
    let Some(from) = msg.from.as_ref() else {
        return Ok(false);
    };
    // The channel's own posts (forwarded automatically) and bots are not citizens.
    if msg.is_automatic_forward() || msg.sender_chat.is_some() || from.is_bot {
        return Ok(false);
    }
    let Some(channel) = ctx.core.discussion_channel(chat_ref(msg.chat.id)).await? else {
        return Ok(false);
    };
    let post = msg
        .reply_to_message()
        .and_then(|r| match r.forward_origin() {
            Some(MessageOrigin::Channel { message_id, .. }) => Some(message_id.0),
            _ => None,
        });
    let author = match &from.username {
        Some(u) => format!("{} (@{u})", from.full_name()),
        None => from.full_name(),
    };
    let comment = ChannelComment {
        chat: chat_ref(msg.chat.id),
        message: i64::from(msg.id.0),
        from: account(from),
        author,
        text: msg.text().or(msg.caption()).unwrap_or_default().to_string(),
        attachments: msg
            .photo()
            .and_then(|p| p.last())
            .map(|p| format!("photo:{}", p.file.id))
            .into_iter()
            .collect(),
        url: comment_link(channel.as_deref(), msg.chat.id, post, msg.id),
        posted_at: msg.date,
    };
    ctx.core.channel_comment(comment).await?;
    Ok(true)
}

/// A message, timed for `/metrics`.
async fn on_message(ctx: Arc<TelegramContext>, update: Update, msg: Message) -> HandlerResult {
    let started = std::time::Instant::now();
    let result = handle_message(ctx.clone(), update, msg).await;
    ctx.core
        .observe_update("telegram", "message", started.elapsed());
    result
}

async fn handle_message(ctx: Arc<TelegramContext>, update: Update, msg: Message) -> HandlerResult {
    let core = &ctx.core;
    let Some(from) = msg.from.as_ref() else {
        return Ok(());
    };
    let private = msg.chat.is_private();
    let text = msg
        .text()
        .or(msg.caption())
        .unwrap_or_default()
        .trim()
        .to_string();
    let user = ChatId(account(from).id);
    let place = Conversation {
        chat: chat_ref(msg.chat.id),
        private,
    };
    let known = match core.arrival(account(from), place, &text).await? {
        Arrival::Known(who) => Some(who),
        Arrival::Stranger(reply) => {
            show(&ctx, msg.chat.id, user, None, &reply).await;
            return Ok(());
        }
        Arrival::Later => None,
    };
    let update_id = i64::from(update.id.0);
    if !core
        .claim_update(Messenger::Telegram, &ctx.bot_id, update_id)
        .await?
    {
        return Ok(());
    }
    if !private && comment(&ctx, &msg).await? {
        core.finish_update(Messenger::Telegram, &ctx.bot_id, update_id)
            .await?;
        return Ok(());
    }
    let input = Input {
        text,
        attachment: attachment_of(&msg),
        forwarded: msg.forward_origin().map(forwarded),
    };
    let reply = core.take_message(account(from), place, known, input).await;
    core.finish_update(Messenger::Telegram, &ctx.bot_id, update_id)
        .await?;
    show(&ctx, msg.chat.id, user, None, &reply).await;
    Ok(())
}

/// Answers a press with its toast, at once: not a chat message, so it waits for no turn.
async fn answer(ctx: &TelegramContext, q: &CallbackQuery, reply: &Reply) {
    if let Err(e) = ctx.port.answer_press(&q.id, reply.toast.as_ref()).await {
        tracing::warn!(error = %e, "cannot answer a button press");
    }
}

/// A button press, timed for `/metrics`.
async fn on_callback(ctx: Arc<TelegramContext>, update: Update, q: CallbackQuery) -> HandlerResult {
    let started = std::time::Instant::now();
    let result = handle_callback(ctx.clone(), update, q).await;
    ctx.core
        .observe_update("telegram", "callback", started.elapsed());
    result
}

async fn handle_callback(
    ctx: Arc<TelegramContext>,
    update: Update,
    q: CallbackQuery,
) -> HandlerResult {
    let core = &ctx.core;
    let update_id = i64::from(update.id.0);
    if !core
        .claim_update(Messenger::Telegram, &ctx.bot_id, update_id)
        .await?
    {
        answer(&ctx, &q, &Reply::nothing()).await;
        return Ok(());
    }
    let user = ChatId(account(&q.from).id);
    let (chat, pressed) = match &q.message {
        Some(m) => (m.chat().id, Some(m.id())),
        None => (user, None),
    };
    // Only the two parties see a private chat's messages, so a press there is the person's own;
    // in a group, the core checks that the group is the organisation's.
    let place = Conversation {
        chat: chat_ref(chat),
        private: q.message.as_ref().is_none_or(|m| m.chat().is_private()),
    };
    let action = q.data.as_deref().and_then(decode);
    let reply = core
        .take_press(
            account(&q.from),
            place,
            action,
            pressed.map(|m| i64::from(m.0)),
        )
        .await;
    core.finish_update(Messenger::Telegram, &ctx.bot_id, update_id)
        .await?;
    // The press is answered at once with what it did; what it shows is on its way.
    answer(&ctx, &q, &reply).await;
    show(&ctx, chat, user, pressed, &reply).await;
    Ok(())
}

/// The bot's own membership of a chat changed, timed for `/metrics` (as "added", like MAX's).
async fn on_membership(
    ctx: Arc<TelegramContext>,
    update: Update,
    change: ChatMemberUpdated,
) -> HandlerResult {
    let started = std::time::Instant::now();
    let result = handle_membership(ctx.clone(), update, change).await;
    ctx.core
        .observe_update("telegram", "added", started.elapsed());
    result
}

/// Being added to a group is answered there.
async fn handle_membership(
    ctx: Arc<TelegramContext>,
    update: Update,
    change: ChatMemberUpdated,
) -> HandlerResult {
    let added = change.new_chat_member.is_present() && !change.old_chat_member.is_present();
    if !added || !(change.chat.is_group() || change.chat.is_supergroup()) {
        return Ok(());
    }
    let core = &ctx.core;
    let update_id = i64::from(update.id.0);
    if !core
        .claim_update(Messenger::Telegram, &ctx.bot_id, update_id)
        .await?
    {
        return Ok(());
    }
    let reply = core.added_to_chat(chat_ref(change.chat.id)).await?;
    core.finish_update(Messenger::Telegram, &ctx.bot_id, update_id)
        .await?;
    show(&ctx, change.chat.id, change.chat.id, None, &reply).await;
    Ok(())
}
