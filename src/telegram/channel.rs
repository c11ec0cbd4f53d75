//! The organisation's own Telegram channel: comments in its discussion group become incidents,
//! and approved answers are published as replies to them.

use teloxide::payloads::SendMessageSetters;
use teloxide::prelude::*;
use teloxide::types::{MessageId, MessageOrigin, ReplyParameters};

use crate::app::App;
use crate::domain::incident::{Command, DraftKind};
use crate::domain::regulation::Importance;
use crate::intake::{intake_actor, take_in, IntakeError};
use crate::storage::{
    ApplyError, IncidentContent, MessageKind, NewIncident, Source, StoredIncident,
};

/// A link to a message in a chat: the comment under the channel post when known.
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
            // Private supergroup link: t.me/c/<id without the -100 prefix>/<message>.
            let internal = chat.0.unsigned_abs().saturating_sub(1_000_000_000_000);
            format!("https://t.me/c/{internal}/{}", message.0)
        }
    }
}

/// Turns a comment into an incident, unless it comes from the administration (the channel
/// itself, a bot, or a person in the directory).
pub async fn capture_comment(app: &App, org: i64, msg: &Message) -> Result<(), IntakeError> {
    let Some(from) = msg.from.as_ref() else {
        return Ok(());
    };
    if msg.is_automatic_forward() || msg.sender_chat.is_some() || from.is_bot {
        return Ok(());
    }
    let user = i64::try_from(from.id.0).unwrap_or_default();
    if let Some(person) = app.store.person_by_messenger_id(user).await? {
        if person.org_id == org {
            return Ok(());
        }
    }
    let text = msg
        .text()
        .or(msg.caption())
        .unwrap_or_default()
        .trim()
        .to_string();
    let attachments: Vec<String> = msg
        .photo()
        .and_then(|p| p.last())
        .map(|p| p.file.id.to_string())
        .into_iter()
        .collect();
    if text.is_empty() && attachments.is_empty() {
        return Ok(());
    }
    let organisation = app.store.organisation(org).await?;
    let post = msg
        .reply_to_message()
        .and_then(|r| match r.forward_origin() {
            Some(MessageOrigin::Channel { message_id, .. }) => Some(message_id.0),
            _ => None,
        });
    let url = comment_link(
        organisation.channel_username.as_deref(),
        msg.chat.id,
        post,
        msg.id,
    );
    let author = match &from.username {
        Some(u) => format!("{} (@{u})", from.full_name()),
        None => from.full_name(),
    };
    let new = NewIncident {
        content: IncidentContent {
            source: Source::Telegram,
            kind: MessageKind::Comment,
            url,
            external_id: Some(format!("tg:{}:{}", msg.chat.id.0, msg.id.0)),
            author,
            text,
            attachments,
            repeat_of: None,
        },
        reply_to: Some((msg.chat.id.0, i64::from(msg.id.0))),
        detected_at: msg.date.min(app.now()),
        importance: Importance::Normal,
        external_deadline: None,
        topic: None,
        location: None,
    };
    take_in(app, org, new, None).await?;
    Ok(())
}

/// Publishes an approved answer as a reply to the comment and records the publication.
/// Returns the link, or `None` when the incident is not a channel comment.
pub async fn publish_reply(
    bot: &Bot,
    app: &App,
    inc: &StoredIncident,
    part: Option<usize>,
) -> Result<Option<Result<String, teloxide::RequestError>>, IntakeError> {
    let Some((chat, message)) = app.store.reply_target(inc.id).await? else {
        return Ok(None);
    };
    let draft = match part {
        Some(i) => inc.workflow.parts.get(i).and_then(|p| {
            p.drafts
                .iter()
                .rev()
                .find(|d| d.kind != DraftKind::Clarification)
        }),
        None => inc.workflow.consolidated.as_ref(),
    };
    let Some(draft) = draft else { return Ok(None) };
    let reply_to = MessageId(i32::try_from(message).unwrap_or_default());
    let sent = bot
        .send_message(ChatId(chat), &draft.text)
        .reply_parameters(ReplyParameters::new(reply_to))
        .await;
    let sent = match sent {
        Ok(m) => m,
        Err(e) => return Ok(Some(Err(e))),
    };
    let organisation = app.store.organisation(inc.org_id).await?;
    let post = inc
        .content
        .url
        .split("?comment=")
        .next()
        .and_then(|u| u.rsplit('/').next())
        .and_then(|p| p.parse::<i32>().ok());
    let link = comment_link(
        organisation.channel_username.as_deref(),
        ChatId(chat),
        post,
        sent.id,
    );
    let rules = app
        .org_rules(inc.org_id)
        .await
        .map_err(|e| IntakeError::Rules(e.to_string()))?;
    let cmd = Command::MarkPublished {
        part,
        link: link.clone(),
    };
    match app
        .store
        .apply(
            inc.id,
            &cmd,
            &intake_actor(),
            app.now(),
            rules.rules(),
            None,
        )
        .await
    {
        Ok(_)
        | Err(ApplyError::Refused(crate::domain::incident::TransitionError::AlreadyDone(_))) => {
            app.outbox_ready.notify_one();
            Ok(Some(Ok(link)))
        }
        Err(e) => Err(e.into()),
    }
}
