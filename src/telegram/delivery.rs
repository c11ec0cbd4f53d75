//! The delivery worker: takes outbox rows, renders them, sends or edits them in Telegram, and
//! records the outcome. Handlers never fan out messages themselves; they write the outbox.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use teloxide::payloads::{EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{MessageId, ParseMode};
use teloxide::{ApiError, RequestError};
use tokio_util::sync::CancellationToken;

use super::callback::Action;
use super::render::{self, Button, Card};
use crate::app::App;
use crate::domain::incident::{Event, PartState};
use crate::storage::{OutboxMessage, StorageError};
use crate::texts::Arg;

/// How a send ended, for the outbox.
enum Outcome {
    Delivered,
    Unreachable,
    RetryIn(Duration),
}

/// Runs until cancelled: delivers due messages, waking on new outbox rows or every second.
pub async fn run(bot: Bot, app: Arc<App>, cancel: CancellationToken) {
    loop {
        match deliver_due(&bot, &app).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "outbox delivery failed"),
        }
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = app.outbox_ready.notified() => {}
            _ = tokio::time::sleep(StdDuration::from_secs(1)) => {}
        }
    }
}

/// Delivers what is due now; returns how many messages were handled.
pub async fn deliver_due(bot: &Bot, app: &App) -> Result<usize, StorageError> {
    let now = app.now();
    let batch = app
        .store
        .claim_outbox(20, now, Duration::seconds(60))
        .await?;
    let n = batch.len();
    for m in batch {
        let outcome = match deliver(bot, app, &m).await {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(id = m.id, error = %e, "cannot render outbox message");
                Outcome::RetryIn(Duration::seconds(60))
            }
        };
        let now = app.now();
        match outcome {
            Outcome::Delivered => app.store.mark_delivered(m.id, now).await?,
            Outcome::Unreachable => {
                app.store.mark_delivered(m.id, now).await?;
                report_unreachable(app, &m).await?;
            }
            Outcome::RetryIn(d) => {
                let backoff = d.max(Duration::seconds(2i64.pow(m.attempts.clamp(0, 8) as u32)));
                app.store
                    .mark_failed(
                        m.id,
                        "delivery failed",
                        now + backoff.min(Duration::minutes(5)),
                    )
                    .await?
            }
        }
    }
    Ok(n)
}

async fn report_unreachable(app: &App, m: &OutboxMessage) -> Result<(), StorageError> {
    let Some(person) = m.person_id else {
        return Ok(());
    };
    app.store.set_unreachable(person, true).await?;
    let org = app.store.organisation(m.org_id).await?;
    let payload = serde_json::json!({ "person_id": person, "number": m.payload["number"] });
    let key = format!("unreachable:{}:{person}", m.id);
    let now = app.now();
    match org.curator_chat_id {
        Some(chat) => {
            let queued = crate::storage::QueuedMessage {
                org: m.org_id,
                incident: m.incident_id,
                person: None,
                chat: Some(chat),
                message: "unreachable",
                payload: &payload,
                idempotency_key: &key,
            };
            app.store.enqueue_message(&queued, now).await
        }
        None => Ok(()),
    }
}

fn classify(e: &RequestError) -> Outcome {
    match e {
        RequestError::Api(ApiError::MessageNotModified) => Outcome::Delivered,
        RequestError::Api(
            ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::ChatNotFound
            | ApiError::CantInitiateConversation,
        ) => Outcome::Unreachable,
        // Telegram now says "Forbidden: bot can't initiate conversation with a user", which
        // teloxide does not know by name; every "Forbidden" means this chat cannot be written to.
        RequestError::Api(ApiError::Unknown(s)) if s.starts_with("Forbidden") => {
            Outcome::Unreachable
        }
        RequestError::RetryAfter(s) => Outcome::RetryIn(Duration::seconds(i64::from(s.seconds()))),
        _ => Outcome::RetryIn(Duration::seconds(5)),
    }
}

async fn send(bot: &Bot, chat: ChatId, card: &Card) -> Result<Message, RequestError> {
    let mut req = bot
        .send_message(chat, &card.text)
        .parse_mode(ParseMode::Html);
    if !card.buttons.is_empty() {
        req = req.reply_markup(card.keyboard());
    }
    req.await
}

async fn edit(bot: &Bot, chat: ChatId, message: i64, card: &Card) -> Result<(), RequestError> {
    let id = MessageId(i32::try_from(message).unwrap_or_default());
    bot.edit_message_text(chat, id, &card.text)
        .parse_mode(ParseMode::Html)
        .reply_markup(card.keyboard())
        .await
        .map(|_| ())
}

/// Sends a card and remembers it as the chat's card for the incident.
async fn send_card(
    bot: &Bot,
    app: &App,
    inc: i64,
    chat: ChatId,
    card: &Card,
) -> Result<(), RequestError> {
    let msg = send(bot, chat, card).await?;
    if let Err(e) = app
        .store
        .set_card_message(inc, chat.0, i64::from(msg.id.0))
        .await
    {
        tracing::error!(error = %e, "cannot remember card message");
    }
    Ok(())
}

/// A plain text message (no buttons).
async fn say(bot: &Bot, chat: ChatId, text: String) -> Result<(), RequestError> {
    send(
        bot,
        chat,
        &Card {
            text,
            buttons: vec![],
        },
    )
    .await
    .map(|_| ())
}

/// Edits the chat's card for the incident, or sends it if the chat has none yet.
async fn refresh_card(
    bot: &Bot,
    app: &App,
    inc: i64,
    chat: ChatId,
    card: &Card,
) -> Result<(), RequestError> {
    match app.store.card_message(inc, chat.0).await.ok().flatten() {
        Some(id) => match edit(bot, chat, id, card).await {
            Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
            // The card is gone (deleted, or too old to edit): send a fresh one.
            Err(RequestError::Api(
                ApiError::MessageToEditNotFound | ApiError::MessageCantBeEdited,
            )) => send_card(bot, app, inc, chat, card).await,
            other => other,
        },
        None => send_card(bot, app, inc, chat, card).await,
    }
}

/// Sends a draft's photos, videos and documents after its card, so the approver sees them.
/// Failures are logged, not retried: the card itself is already delivered.
async fn send_attachments(bot: &Bot, chat: ChatId, attachments: &[String]) {
    use teloxide::types::{FileId, InputFile};
    for a in attachments {
        let (kind, id) = a.split_once(':').unwrap_or(("photo", a.as_str()));
        let file = InputFile::file_id(FileId(id.to_string()));
        let result = match kind {
            "video" => bot.send_video(chat, file).await.map(|_| ()),
            "document" => bot.send_document(chat, file).await.map(|_| ()),
            _ => bot.send_photo(chat, file).await.map(|_| ()),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot send an attachment");
        }
    }
}

fn event_part(event: &Event) -> Option<usize> {
    match event {
        Event::Routed { part, .. }
        | Event::Accepted { part }
        | Event::Returned { part, .. }
        | Event::ClarificationAwaitingAuthor { part }
        | Event::AuthorReplied { part, .. } => Some(*part),
        Event::ApprovalRequested { part, .. }
        | Event::ApprovedStep { part, .. }
        | Event::ReworkRequested { part, .. }
        | Event::PublicationRequested { part, .. }
        | Event::Published { part, .. } => *part,
        _ => None,
    }
}

async fn deliver(bot: &Bot, app: &App, m: &OutboxMessage) -> Result<Outcome, StorageError> {
    let texts = &app.texts;
    let chat = match (m.person_id, m.chat_id) {
        (Some(p), _) => match app.store.person(p).await?.telegram_user_id {
            Some(uid) => ChatId(uid),
            None => return Ok(Outcome::Unreachable),
        },
        (None, Some(c)) => ChatId(c),
        (None, None) => return Ok(Outcome::Delivered),
    };
    if m.message == "unreachable" {
        let name = match m.payload["person_id"].as_i64() {
            Some(p) => app
                .store
                .person(p)
                .await
                .map(|x| x.full_name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let text = texts.tf(
            "notice-unreachable",
            &[
                ("name", Arg::from(&name)),
                (
                    "number",
                    Arg::Num(m.payload["number"].as_i64().unwrap_or(0)),
                ),
            ],
        );
        return Ok(result(say(bot, chat, text).await));
    }
    if m.message == "burst" {
        let text = texts.tf(
            "notice-burst",
            &[
                ("count", Arg::Num(m.payload["count"].as_i64().unwrap_or(0))),
                (
                    "topic",
                    Arg::from(&teloxide::utils::html::escape(
                        m.payload["topic"].as_str().unwrap_or_default(),
                    )),
                ),
                (
                    "number",
                    Arg::Num(m.payload["number"].as_i64().unwrap_or(0)),
                ),
            ],
        );
        return Ok(result(say(bot, chat, text).await));
    }
    let Some(inc_id) = m.incident_id else {
        return Ok(Outcome::Delivered);
    };
    let inc = app.store.incident(inc_id).await?;
    let rules = app
        .org_rules(inc.org_id)
        .await
        .map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let event: Option<Event> = serde_json::from_value(m.payload["event"].clone()).ok();
    let part = event.as_ref().and_then(event_part);
    // The part this person works on (as executor or substitute), for status refreshes.
    let own_part = match m.person_id {
        Some(p) => {
            let mut found = part;
            if found.is_none() {
                for (i, q) in inc.workflow.parts.iter().enumerate() {
                    if app.store.handler_for(q.executor, app.now()).await? == p {
                        found = Some(i);
                        break;
                    }
                }
            }
            found
        }
        None => None,
    };
    let number = Arg::Num(inc.number);
    let result = match m.message.as_str() {
        "triage" => {
            send_card(
                bot,
                app,
                inc.id,
                chat,
                &render::triage_card(app, &rules, &inc).await?,
            )
            .await
        }
        "incident_card" | "competence_check" => {
            let card = render::executor_card(app, &rules, &inc, part.unwrap_or(0)).await?;
            let sent = send_card(bot, app, inc.id, chat, &card).await;
            if sent.is_ok() && m.message == "competence_check" {
                let text = texts.tf("notice-competence", &[("number", number)]);
                let _ = say(bot, chat, text).await;
            }
            sent
        }
        "status" | "importance_changed" => {
            let card = match (m.person_id, own_part) {
                (Some(_), Some(i)) => render::executor_card(app, &rules, &inc, i).await?,
                _ => render::curator_status_card(app, &rules, &inc).await?,
            };
            let r = refresh_card(bot, app, inc.id, chat, &card).await;
            if r.is_ok() && m.message == "importance_changed" {
                let text = texts.tf("notice-importance", &[("number", number)]);
                say(bot, chat, text).await
            } else {
                r
            }
        }
        "approval" | "consolidated_approval" => {
            let card = render::approval_card(app, &rules, &inc, part).await?;
            let sent = send(bot, chat, &card).await.map(|_| ());
            if sent.is_ok() {
                let draft = match part {
                    Some(i) => inc.workflow.parts.get(i).and_then(|p| p.current_draft()),
                    None => inc.workflow.consolidated.as_ref(),
                };
                if let Some(d) = draft {
                    send_attachments(bot, chat, &d.attachments).await;
                }
            }
            sent
        }
        "rework" | "author_reply" => {
            let i = part.unwrap_or(0);
            let card = render::executor_card(app, &rules, &inc, i).await?;
            if let Err(e) = refresh_card(bot, app, inc.id, chat, &card).await {
                return Ok(self::result::<()>(Err(e)));
            }
            let text = notice_text(app, &rules, &inc, i, &m.message, event.as_ref());
            let buttons = card.buttons.into_iter().take(1).collect();
            send(bot, chat, &Card { text, buttons }).await.map(|_| ())
        }
        // A comment in the organisation's channel: Otklik replies to it itself.
        "publish"
            if !inc.workflow.state.is_finished()
                && app.store.reply_target(inc.id).await?.is_some() =>
        {
            match super::channel::publish_reply(bot, app, &inc, part).await {
                Ok(Some(Ok(link))) => {
                    let text = texts.tf(
                        "published-auto",
                        &[
                            ("number", number),
                            ("url", Arg::from(&teloxide::utils::html::escape(&link))),
                        ],
                    );
                    say(bot, chat, text).await
                }
                Ok(Some(Err(e))) => Err(e),
                Ok(None) => Ok(()),
                Err(e) => return Err(StorageError::Corrupt(e.to_string())),
            }
        }
        "publish" => match (m.person_id, part) {
            (Some(_), Some(i)) => {
                let card = render::executor_card(app, &rules, &inc, i).await?;
                if let Err(e) = refresh_card(bot, app, inc.id, chat, &card).await {
                    return Ok(self::result::<()>(Err(e)));
                }
                let text = texts.tf("notice-publish-executor", &[("number", number)]);
                send(
                    bot,
                    chat,
                    &Card {
                        text,
                        buttons: card.buttons,
                    },
                )
                .await
                .map(|_| ())
            }
            _ => {
                let draft = match part {
                    Some(i) => inc
                        .workflow
                        .parts
                        .get(i)
                        .and_then(|p| p.current_draft())
                        .map(|d| d.text.clone()),
                    None => inc.workflow.consolidated.as_ref().map(|d| d.text.clone()),
                };
                let mut text = texts.tf("publish-title", &[("number", number)]);
                if let Some(d) = draft {
                    text.push_str(&format!("\n\n«{}»", teloxide::utils::html::escape(&d)));
                }
                text.push_str(&format!(
                    "\n{}",
                    texts.tf(
                        "card-link",
                        &[(
                            "url",
                            Arg::from(&teloxide::utils::html::escape(&inc.content.url))
                        )]
                    )
                ));
                let buttons = vec![vec![Button {
                    label: texts.t("btn-published"),
                    action: Action::Published { inc: inc.id, part },
                }]];
                send(bot, chat, &Card { text, buttons }).await.map(|_| ())
            }
        },
        "publish_clarification" => {
            let i = part.unwrap_or(0);
            let question = inc
                .workflow
                .parts
                .get(i)
                .and_then(|p| p.current_draft())
                .map(|d| d.text.clone())
                .unwrap_or_default();
            let text = format!(
                "{}\n\n«{}»\n{}",
                texts.tf("publish-clarification", &[("number", number)]),
                teloxide::utils::html::escape(&question),
                texts.tf(
                    "card-link",
                    &[(
                        "url",
                        Arg::from(&teloxide::utils::html::escape(&inc.content.url))
                    )]
                )
            );
            let buttons = vec![vec![Button {
                label: texts.t("btn-author-replied"),
                action: Action::AuthorReplied {
                    inc: inc.id,
                    part: i,
                },
            }]];
            send(bot, chat, &Card { text, buttons }).await.map(|_| ())
        }
        "consolidate" => {
            let mut text = texts.tf("consolidate-title", &[("number", number)]);
            for p in inc
                .workflow
                .parts
                .iter()
                .filter(|p| matches!(p.state, PartState::Approved { .. }))
            {
                let dept = app.store.department_name(p.department).await?;
                if let Some(d) = p.current_draft() {
                    text.push_str(&format!(
                        "\n\n<b>{}</b>\n«{}»",
                        teloxide::utils::html::escape(&dept),
                        teloxide::utils::html::escape(&d.text)
                    ));
                }
            }
            let buttons = vec![vec![Button {
                label: texts.t("btn-draft"),
                action: Action::WriteConsolidated { inc: inc.id },
            }]];
            send(bot, chat, &Card { text, buttons }).await.map(|_| ())
        }
        "returned" => {
            let i = part.unwrap_or(0);
            let Some(p) = inc.workflow.parts.get(i) else {
                return Ok(Outcome::Delivered);
            };
            let dept = app.store.department_name(p.department).await?;
            let who = app
                .store
                .person(p.executor)
                .await
                .map(|x| x.full_name)
                .unwrap_or_default();
            let (reason, comment) = p
                .returned
                .as_ref()
                .map(|(r, c)| {
                    (
                        render::reason_text(texts, *r),
                        if c.is_empty() {
                            String::new()
                        } else {
                            format!(" — «{}»", teloxide::utils::html::escape(c))
                        },
                    )
                })
                .unwrap_or_default();
            let text = texts.tf(
                "returned-title",
                &[
                    ("number", number),
                    (
                        "department",
                        Arg::from(&teloxide::utils::html::escape(&dept)),
                    ),
                    ("name", Arg::from(&teloxide::utils::html::escape(&who))),
                    ("reason", Arg::from(&reason)),
                    ("comment", Arg::from(&comment)),
                ],
            );
            let taken: Vec<i64> = inc
                .workflow
                .parts
                .iter()
                .filter(|q| q.state != PartState::Returned)
                .map(|q| q.department)
                .collect();
            let departments = app.store.departments(inc.org_id).await?;
            let buttons = departments
                .iter()
                .filter(|(d, _)| *d != p.department && !taken.contains(d))
                .collect::<Vec<_>>()
                .chunks(2)
                .map(|pair| {
                    pair.iter()
                        .map(|(d, name)| Button {
                            label: name.clone(),
                            action: Action::Reroute {
                                inc: inc.id,
                                part: i,
                                dept: *d,
                            },
                        })
                        .collect()
                })
                .collect();
            send(bot, chat, &Card { text, buttons }).await.map(|_| ())
        }
        "escalation" | "weekend_emergency" => {
            let mut card = render::curator_status_card(app, &rules, &inc).await?;
            let title = if m.message == "escalation" {
                texts.tf(
                    "notice-escalation",
                    &[
                        ("number", number),
                        (
                            "network",
                            Arg::from(&render::network(texts, inc.content.source)),
                        ),
                    ],
                )
            } else {
                texts.t("notice-weekend")
            };
            card.text = format!(
                "<b>{}</b>\n{}",
                teloxide::utils::html::escape(&title),
                card.text
            );
            send(bot, chat, &card).await.map(|_| ())
        }
        other => {
            tracing::warn!(message = other, "unknown outbox message kind; dropped");
            Ok(())
        }
    };
    Ok(self::result(result))
}

fn result<T>(r: Result<T, RequestError>) -> Outcome {
    match r {
        Ok(_) => Outcome::Delivered,
        Err(e) => {
            tracing::warn!(error = %e, "telegram request failed");
            classify(&e)
        }
    }
}

fn notice_text(
    app: &App,
    rules: &crate::app::OrgRules,
    inc: &crate::storage::StoredIncident,
    part: usize,
    kind: &str,
    event: Option<&Event>,
) -> String {
    let texts = &app.texts;
    let number = Arg::Num(inc.number);
    let p = inc.workflow.parts.get(part);
    match (kind, event) {
        ("rework", Some(Event::ReworkRequested { comment, .. })) => {
            let previous = p
                .and_then(|p| p.current_draft())
                .map(|d| d.text.clone())
                .unwrap_or_default();
            let mut text = texts.tf(
                "notice-rework",
                &[
                    ("number", number),
                    (
                        "comment",
                        Arg::from(&teloxide::utils::html::escape(comment)),
                    ),
                    ("text", Arg::from(&teloxide::utils::html::escape(&previous))),
                ],
            );
            if let Some(crate::domain::plan::Due::At { at, .. }) = p
                .and_then(|p| p.current_deadline(&rules.org.regulation))
                .map(|(_, d)| d)
            {
                text.push('\n');
                text.push_str(&texts.tf(
                    "notice-rework-due",
                    &[
                        ("time", Arg::from(&render::clock_time(rules, at))),
                        ("date", Arg::from(&render::short_date(texts, rules, at))),
                    ],
                ));
            }
            text
        }
        ("author_reply", Some(Event::AuthorReplied { text, .. })) => texts.tf(
            "notice-author-reply",
            &[
                ("number", number),
                ("text", Arg::from(&teloxide::utils::html::escape(text))),
            ],
        ),
        _ => texts.tf(
            "status-title",
            &[
                ("number", number),
                ("status", Arg::from(&render::incident_status(texts, inc))),
            ],
        ),
    }
}
