//! The handler tree: every message and every button press starts here.
//!
//! - Button presses: `on_callback` → `press` (one `match` arm per `Action`).
//! - Text, photos and documents: `on_message` → commands, or the pending multi-step input
//!   (`Pending`, kept per (chat, user) in the database, so curators sharing a group do not mix).
//!
//! Handlers change state through `Store::apply` (one transaction with audit and outbox) and
//! answer the presser; messages to everyone else go through the outbox.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use teloxide::dispatching::UpdateHandler;
use teloxide::payloads::{AnswerCallbackQuerySetters, EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId, ParseMode};
use teloxide::utils::html::escape;
use teloxide::RequestError;

use super::callback::Action;
use super::render::{self, Button, Card};
use crate::app::{App, OrgRules};
use crate::domain::incident::{
    Actor, Assignment, Command, DraftKind, PartState, ReturnReason, Role, TransitionError,
};
use crate::domain::regulation::{DeadlineRule, Importance, Stage};
use crate::storage::{ApplyError, Person, StoredIncident};
use crate::texts::Arg;

pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;
type HandlerResult = Result<(), HandlerError>;

/// The handler tree; `otklik run` and the tests build the same one.
pub fn schema() -> UpdateHandler<HandlerError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_callback))
}

/// Multi-step input waiting for a user's next message in a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Pending {
    DraftText {
        inc: i64,
        part: usize,
        kind: DraftKind,
    },
    DraftAttachments {
        inc: i64,
        part: usize,
        kind: DraftKind,
        text: String,
        files: Vec<String>,
    },
    DraftPreview {
        inc: i64,
        part: usize,
        kind: DraftKind,
        text: String,
        files: Vec<String>,
    },
    ReworkComment {
        inc: i64,
        part: usize,
        version: u32,
    },
    ReworkDeadline {
        inc: i64,
        part: usize,
        version: u32,
        comment: String,
    },
    ReturnComment {
        inc: i64,
        part: usize,
        reason: ReturnReason,
    },
    PublishLink {
        inc: i64,
        part: Option<usize>,
    },
    AuthorReply {
        inc: i64,
        part: usize,
    },
    Consolidated {
        inc: i64,
    },
    RouteDeadlines {
        inc: i64,
        assignments: Vec<Assignment>,
        stages: Vec<Stage>,
        collected: BTreeMap<Stage, DateTime<Utc>>,
    },
    Topic {
        inc: i64,
    },
    NewIncident {
        link: Option<String>,
        source: Option<crate::storage::Source>,
        author: Option<String>,
        text: Option<String>,
        detected_at: Option<DateTime<Utc>>,
    },
    Location {
        inc: i64,
    },
    AppealName {
        inc: i64,
    },
    AppealAddress {
        inc: i64,
        name: String,
    },
    AppealPhone {
        inc: i64,
        name: String,
        address: String,
    },
}

/// Who is talking, as Otklik knows them.
struct Ctx {
    app: Arc<App>,
    bot: Bot,
    chat: ChatId,
    user: i64,
    person: Person,
    actor: Actor,
    update_id: i64,
}

impl Ctx {
    fn t(&self, key: &str) -> String {
        self.app.texts.t(key)
    }

    fn tf(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.app.texts.tf(key, args)
    }

    async fn say(&self, text: String) -> Result<Message, RequestError> {
        self.bot
            .send_message(self.chat, text)
            .parse_mode(ParseMode::Html)
            .await
    }

    /// A prompt for typed input: in a group it forces a reply, so the answer reaches the bot
    /// even with Telegram's privacy mode on.
    async fn ask(&self, text: String) -> Result<Message, RequestError> {
        let req = self
            .bot
            .send_message(self.chat, text)
            .parse_mode(ParseMode::Html);
        if self.chat.0 < 0 {
            req.reply_markup(teloxide::types::ForceReply::new()).await
        } else {
            req.await
        }
    }

    async fn show(&self, card: &Card) -> Result<Message, RequestError> {
        let mut req = self
            .bot
            .send_message(self.chat, &card.text)
            .parse_mode(ParseMode::Html);
        if !card.buttons.is_empty() {
            req = req.reply_markup(card.keyboard());
        }
        req.await
    }

    async fn set_pending(&self, p: &Pending) -> Result<(), HandlerError> {
        let v = serde_json::to_value(p)?;
        self.app
            .store
            .set_conversation(self.chat.0, self.user, &v, self.app.now())
            .await?;
        Ok(())
    }

    /// The pending multi-step input of this user in this chat.
    async fn pending(&self) -> Result<Option<Pending>, HandlerError> {
        let state = self.app.store.conversation(self.chat.0, self.user).await?;
        // A state written by an older version that no longer parses is dropped.
        Ok(state.and_then(|v| serde_json::from_value(v).ok()))
    }

    async fn clear_pending(&self) -> Result<(), HandlerError> {
        self.app
            .store
            .clear_conversation(self.chat.0, self.user)
            .await?;
        Ok(())
    }

    async fn incident(
        &self,
        inc: i64,
    ) -> Result<Option<(StoredIncident, Arc<OrgRules>)>, HandlerError> {
        let stored = match self.app.store.incident(inc).await {
            Ok(s) => s,
            Err(crate::storage::StorageError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        // Server-side check: nobody acts on another organisation's incident.
        if stored.org_id != self.person.org_id {
            return Ok(None);
        }
        let rules = self.app.org_rules(stored.org_id).await?;
        Ok(Some((stored, rules)))
    }

    /// Applies a command; returns the refusal text for the user, if any.
    async fn apply(
        &self,
        inc: i64,
        command: Command,
    ) -> Result<Result<StoredIncident, Refusal>, HandlerError> {
        let Some((_, rules)) = self.incident(inc).await? else {
            return Ok(Err(Refusal::alert(self.t("err-not-allowed"))));
        };
        let result = self
            .app
            .store
            .apply(
                inc,
                &command,
                &self.actor,
                self.app.now(),
                rules.rules(),
                Some(self.update_id),
            )
            .await;
        match result {
            Ok(applied) => {
                self.app.outbox_ready.notify_one();
                Ok(Ok(applied.incident))
            }
            Err(ApplyError::Refused(e)) => Ok(Err(refusal(&self.app, &e))),
            Err(ApplyError::AlreadyProcessed(_)) => Ok(Err(Refusal::toast(self.t("already-done")))),
            Err(ApplyError::Conflict) => Ok(Err(Refusal::alert(self.t("err-internal")))),
            Err(ApplyError::Storage(e)) => Err(e.into()),
        }
    }
}

/// What to tell a user whose command did not go through.
struct Refusal {
    text: String,
    alert: bool,
}

impl Refusal {
    fn alert(text: String) -> Self {
        Refusal { text, alert: true }
    }
    fn toast(text: String) -> Self {
        Refusal { text, alert: false }
    }
}

fn refusal(app: &App, e: &TransitionError) -> Refusal {
    let t = |k: &str| app.texts.t(k);
    match e {
        TransitionError::AlreadyDone(_) => Refusal::toast(t("already-done")),
        TransitionError::NotAllowed(_) => Refusal::alert(t("err-not-allowed")),
        TransitionError::WrongState { .. } | TransitionError::NoSuchPart(_) => {
            Refusal::alert(t("err-wrong-state"))
        }
        TransitionError::StaleDraft { .. } => Refusal::alert(t("err-stale")),
        TransitionError::NotInRegulation(_) => Refusal::alert(t("err-not-in-regulation")),
        TransitionError::Invalid(_) | TransitionError::MissingCuratorDeadline(_) => {
            Refusal::alert(t("err-invalid"))
        }
        TransitionError::Calendar(_) => Refusal::alert(t("err-internal")),
    }
}

/// Identifies the sender; `None` (after telling them) for people not in the directory.
async fn context(
    app: &Arc<App>,
    bot: &Bot,
    chat: ChatId,
    user: i64,
    update_id: i64,
) -> Result<Option<Ctx>, HandlerError> {
    let Some(person) = app.store.person_by_messenger_id(user).await? else {
        return Ok(None);
    };
    if person.roles.is_empty() {
        return Ok(None);
    }
    let actor = app.store.actor(person.id, app.now()).await?;
    // Someone who writes to the bot can be reached again.
    app.store.set_unreachable(person.id, false).await?;
    Ok(Some(Ctx {
        app: app.clone(),
        bot: bot.clone(),
        chat,
        user,
        person,
        actor,
        update_id,
    }))
}

async fn on_message(bot: Bot, app: Arc<App>, update: Update, msg: Message) -> HandlerResult {
    let Some(from) = msg.from.as_ref() else {
        return Ok(());
    };
    let update_id = i64::from(update.id.0);
    if app.store.is_update_processed(update_id).await? {
        return Ok(());
    }
    let user = i64::try_from(from.id.0).unwrap_or_default();
    let private = msg.chat.is_private();
    if !private {
        if let Some(org) = app.store.org_by_discussion_chat(msg.chat.id.0).await? {
            if let Err(e) = super::channel::capture_comment(&app, org, &msg).await {
                tracing::error!(error = %e, "cannot capture a channel comment");
            }
            app.store.record_update(update_id, app.now()).await?;
            return Ok(());
        }
    }
    if !private
        && app
            .store
            .org_by_curator_chat(msg.chat.id.0)
            .await?
            .is_none()
    {
        // A group that is not an organisation's curators' group: stay silent.
        return Ok(());
    }
    let text = msg
        .text()
        .or(msg.caption())
        .unwrap_or_default()
        .trim()
        .to_string();
    // An invite link opens the bot with "/start CODE": bind the account first.
    if private {
        if let Some(code) = text
            .strip_prefix("/start ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let answer = super::admin::redeem(&app, code, user).await?;
            bot.send_message(msg.chat.id, answer)
                .parse_mode(ParseMode::Html)
                .await?;
            app.store.record_update(update_id, app.now()).await?;
            return Ok(());
        }
    }
    let Some(ctx) = context(&app, &bot, msg.chat.id, user, update_id).await? else {
        if private {
            bot.send_message(msg.chat.id, app.texts.t("start-unknown"))
                .await?;
        }
        app.store.record_update(update_id, app.now()).await?;
        return Ok(());
    };
    let result = handle_message(&ctx, &msg, &text, private).await;
    if let Err(e) = &result {
        tracing::error!(error = %e, "message handler failed");
        let _ = ctx.say(ctx.t("err-internal")).await;
    }
    app.store.record_update(update_id, app.now()).await?;
    Ok(())
}

async fn handle_message(ctx: &Ctx, msg: &Message, text: &str, private: bool) -> HandlerResult {
    let command = text.split_whitespace().next().unwrap_or_default();
    let command = command.split('@').next().unwrap_or_default();
    match command {
        "/start" if private => {
            let text = super::admin::welcome(&ctx.app.texts, &ctx.person);
            ctx.say(text).await?;
            return Ok(());
        }
        "/help" => {
            ctx.say(ctx.t("help")).await?;
            return Ok(());
        }
        "/my" if private => return my_incidents(ctx).await,
        "/invite" => {
            let query = text
                .split_once(char::is_whitespace)
                .map(|(_, q)| q)
                .unwrap_or_default();
            let answer = super::admin::invite(&ctx.app, &ctx.person, query).await?;
            ctx.say(answer).await?;
            return Ok(());
        }
        "/away" | "/back" | "/add" | "/move" | "/deactivate" | "/activate" | "/duty_add"
        | "/duty_remove" | "/admin" => {
            let args = text
                .split_once(char::is_whitespace)
                .map(|(_, a)| a)
                .unwrap_or_default();
            let rules = ctx.app.org_rules(ctx.person.org_id).await?;
            let answer =
                super::admin::directory_command(&ctx.app, &rules, &ctx.person, command, args)
                    .await?;
            if let Some(answer) = answer {
                ctx.say(answer).await?;
            }
            return Ok(());
        }
        "/settings" => {
            let rules = ctx.app.org_rules(ctx.person.org_id).await?;
            let answer = super::admin::settings(&ctx.app.texts, &rules);
            ctx.say(answer).await?;
            return Ok(());
        }
        "/duty" => {
            let rules = ctx.app.org_rules(ctx.person.org_id).await?;
            let answer = super::admin::duty(&ctx.app, &rules).await?;
            ctx.say(answer).await?;
            return Ok(());
        }
        "/new" => {
            if !ctx.actor.has(Role::Curator) {
                ctx.say(ctx.t("admin-only")).await?;
                return Ok(());
            }
            let fresh = Pending::NewIncident {
                link: None,
                source: None,
                author: None,
                text: None,
                detected_at: None,
            };
            return ask_new_incident(ctx, fresh).await;
        }
        "/cancel" => {
            ctx.clear_pending().await?;
            ctx.say(ctx.t("draft-cancelled")).await?;
            return Ok(());
        }
        _ => {}
    }
    if let (Some(origin), true) = (msg.forward_origin(), ctx.actor.has(Role::Curator)) {
        return ask_new_incident(ctx, forwarded(ctx, origin, text)).await;
    }
    match ctx.pending().await? {
        Some(p) => continue_pending(ctx, msg, text, p).await,
        None if private => {
            ctx.say(ctx.t("unknown-input")).await?;
            Ok(())
        }
        None => Ok(()),
    }
}

async fn my_incidents(ctx: &Ctx) -> HandlerResult {
    let mut items = ctx.app.store.open_assignments(ctx.person.id).await?;
    for absent in &ctx.actor.substitutes_for {
        items.extend(ctx.app.store.open_assignments(*absent).await?);
    }
    if items.is_empty() {
        ctx.say(ctx.t("my-empty")).await?;
        return Ok(());
    }
    let mut lines = vec![ctx.tf(
        "my-header",
        &[(
            "count",
            Arg::from(&ctx.tf("incidents-count", &[("n", Arg::Num(items.len() as i64))])),
        )],
    )];
    let mut rows = Vec::new();
    for (inc, part) in items {
        let Some((stored, rules)) = ctx.incident(inc).await? else {
            continue;
        };
        let Some(p) = stored.workflow.parts.get(part) else {
            continue;
        };
        let due = match p.current_deadline(&rules.org.regulation) {
            Some((_, crate::domain::plan::Due::At { at, .. })) => {
                format!(
                    ", до {} {}",
                    render::clock_time(&rules, at),
                    render::short_date(&ctx.app.texts, &rules, at)
                )
            }
            _ => String::new(),
        };
        lines.push(ctx.tf(
            "my-item",
            &[
                ("number", Arg::Num(stored.number)),
                ("status", Arg::from(&render::part_status(&ctx.app.texts, p))),
                ("due", Arg::from(&due)),
            ],
        ));
        rows.push(vec![Button {
            label: format!("№{}", stored.number),
            action: Action::ShowAll { inc },
        }]);
    }
    ctx.show(&Card {
        text: lines.join("\n"),
        buttons: rows,
    })
    .await?;
    Ok(())
}

/// The file id of a photo, video or document in a message.
/// Kept as "photo:ID", "video:ID" or "document:ID", so it can be sent on with the right method.
fn attachment_of(msg: &Message) -> Option<String> {
    if let Some(sizes) = msg.photo() {
        return sizes.last().map(|p| format!("photo:{}", p.file.id));
    }
    if let Some(v) = msg.video() {
        return Some(format!("video:{}", v.file.id));
    }
    msg.document().map(|d| format!("document:{}", d.file.id))
}

fn attachments_keyboard(ctx: &Ctx, inc: i64) -> Card {
    Card {
        text: String::new(),
        buttons: vec![vec![Button {
            label: ctx.t("btn-attachments-done"),
            action: Action::AttachmentsDone { inc },
        }]],
    }
}

async fn continue_pending(ctx: &Ctx, msg: &Message, text: &str, pending: Pending) -> HandlerResult {
    match pending {
        Pending::DraftText { inc, part, kind } => {
            let mut files = Vec::new();
            if let Some(f) = attachment_of(msg) {
                files.push(f);
            }
            if text.is_empty() {
                ctx.say(ctx.t("draft-empty")).await?;
                return Ok(());
            }
            ctx.set_pending(&Pending::DraftAttachments {
                inc,
                part,
                kind,
                text: text.to_string(),
                files,
            })
            .await?;
            let mut card = attachments_keyboard(ctx, inc);
            card.text = ctx.t("ask-attachments");
            ctx.show(&card).await?;
        }
        Pending::DraftAttachments {
            inc,
            part,
            kind,
            text: draft,
            mut files,
        } => {
            let draft = match attachment_of(msg) {
                Some(f) => {
                    files.push(f);
                    draft
                }
                // A new text replaces the draft text.
                None if !text.is_empty() => text.to_string(),
                None => draft,
            };
            let count = ctx.tf("photos", &[("n", Arg::Num(files.len() as i64))]);
            ctx.set_pending(&Pending::DraftAttachments {
                inc,
                part,
                kind,
                text: draft,
                files,
            })
            .await?;
            // An album arrives as several messages: answer each briefly, one "Готово" finishes.
            let mut card = attachments_keyboard(ctx, inc);
            card.text = ctx.tf("attachment-added", &[("count", Arg::from(&count))]);
            ctx.show(&card).await?;
        }
        Pending::DraftPreview { .. } => {
            ctx.say(ctx.t("unknown-input")).await?;
        }
        Pending::ReworkComment { inc, part, version } => {
            if text.is_empty() {
                ctx.ask(ctx.t("bad-comment")).await?;
                return Ok(());
            }
            let Some((stored, rules)) = ctx.incident(inc).await? else {
                return Ok(());
            };
            if rules
                .org
                .regulation
                .rule(Stage::Rework, stored.workflow.importance)
                == Some(&DeadlineRule::SetByCurator)
            {
                ctx.set_pending(&Pending::ReworkDeadline {
                    inc,
                    part,
                    version,
                    comment: text.to_string(),
                })
                .await?;
                let text = ctx.tf(
                    "ask-curator-deadline",
                    &[
                        ("stage", Arg::from(&ctx.t("stage-rework"))),
                        ("number", Arg::Num(stored.number)),
                    ],
                );
                ctx.ask(text).await?;
                return Ok(());
            }
            let cmd = Command::RequestRework {
                part: Some(part),
                version: Some(version),
                comment: text.to_string(),
                deadline: None,
            };
            finish(ctx, inc, cmd, "ok-done").await?;
        }
        Pending::ReworkDeadline {
            inc,
            part,
            version,
            comment,
        } => {
            let Some((_, rules)) = ctx.incident(inc).await? else {
                return Ok(());
            };
            let Some(deadline) = parse_local_datetime(&rules, text, ctx.app.now()) else {
                ctx.ask(ctx.t("bad-datetime")).await?;
                return Ok(());
            };
            let cmd = Command::RequestRework {
                part: Some(part),
                version: Some(version),
                comment,
                deadline: Some(deadline),
            };
            finish(ctx, inc, cmd, "ok-done").await?;
        }
        Pending::ReturnComment { inc, part, reason } => {
            let comment = if text == "-" {
                String::new()
            } else {
                text.to_string()
            };
            finish(
                ctx,
                inc,
                Command::Return {
                    part,
                    reason,
                    comment,
                },
                "ok-done",
            )
            .await?;
        }
        Pending::PublishLink { inc, part } => {
            if !is_link(text) {
                ctx.ask(ctx.t("bad-link")).await?;
                return Ok(());
            }
            finish(
                ctx,
                inc,
                Command::MarkPublished {
                    part,
                    link: text.to_string(),
                },
                "ok-published",
            )
            .await?;
        }
        Pending::AuthorReply { inc, part } => {
            if text.is_empty() {
                ctx.ask(ctx.t("bad-comment")).await?;
                return Ok(());
            }
            finish(
                ctx,
                inc,
                Command::RecordAuthorReply {
                    part,
                    text: text.to_string(),
                },
                "ok-done",
            )
            .await?;
        }
        Pending::Consolidated { inc } => {
            if text.is_empty() {
                ctx.say(ctx.t("draft-empty")).await?;
                return Ok(());
            }
            let attachments = attachment_of(msg).into_iter().collect();
            let cmd = Command::SubmitConsolidated {
                text: text.to_string(),
                attachments,
            };
            finish(ctx, inc, cmd, "ok-done").await?;
        }
        Pending::Topic { inc } | Pending::Location { inc } => {
            if text.is_empty() {
                ctx.ask(ctx.t("bad-comment")).await?;
                return Ok(());
            }
            let (topic, location) = match pending {
                Pending::Topic { .. } => (Some(text.to_string()), None),
                _ => (None, Some(text.to_string())),
            };
            ctx.clear_pending().await?;
            match ctx
                .apply(inc, Command::Classify { topic, location })
                .await?
            {
                Ok(stored) => refresh_group_card(ctx, &stored).await?,
                Err(r) => {
                    ctx.say(r.text).await?;
                }
            }
        }
        Pending::NewIncident {
            mut link,
            mut source,
            mut author,
            text: mut body,
            detected_at,
        } => {
            let answer = text.trim();
            if link.is_none() {
                if answer == "-" {
                    link = Some(String::new());
                } else if is_link(answer) {
                    source = source.or_else(|| source_from_link(answer));
                    link = Some(answer.to_string());
                } else {
                    ctx.ask(ctx.t("bad-link")).await?;
                    return Ok(());
                }
            } else if source.is_none() {
                match source_from_word(answer) {
                    Some(s) => source = Some(s),
                    None => {
                        ctx.ask(ctx.t("new-bad-network")).await?;
                        return Ok(());
                    }
                }
            } else if author.is_none() {
                author = Some(if answer == "-" || answer.is_empty() {
                    ctx.t("new-author-unknown")
                } else {
                    answer.to_string()
                });
            } else if body.is_none() {
                if answer.is_empty() {
                    ctx.ask(ctx.t("new-ask-text")).await?;
                    return Ok(());
                }
                body = Some(answer.to_string());
            }
            return ask_new_incident(
                ctx,
                Pending::NewIncident {
                    link,
                    source,
                    author,
                    text: body,
                    detected_at,
                },
            )
            .await;
        }
        Pending::AppealName { inc } => {
            if text.is_empty() {
                ctx.ask(ctx.t("bad-comment")).await?;
                return Ok(());
            }
            ctx.set_pending(&Pending::AppealAddress {
                inc,
                name: text.to_string(),
            })
            .await?;
            ctx.ask(ctx.t("ask-appeal-address")).await?;
        }
        Pending::AppealAddress { inc, name } => {
            if text.is_empty() {
                ctx.ask(ctx.t("bad-comment")).await?;
                return Ok(());
            }
            ctx.set_pending(&Pending::AppealPhone {
                inc,
                name,
                address: text.to_string(),
            })
            .await?;
            ctx.ask(ctx.t("ask-appeal-phone")).await?;
        }
        Pending::AppealPhone { inc, name, address } => {
            if text.chars().filter(char::is_ascii_digit).count() < 5 {
                ctx.ask(ctx.t("ask-appeal-phone")).await?;
                return Ok(());
            }
            ctx.clear_pending().await?;
            let contact = crate::domain::incident::AppealContact {
                full_name: name,
                address,
                phone: text.to_string(),
            };
            match ctx
                .apply(
                    inc,
                    Command::ConvertToAppeal {
                        contact: contact.clone(),
                    },
                )
                .await?
            {
                Ok(stored) => {
                    refresh_group_card(ctx, &stored).await?;
                    let text = appeal_email(ctx, &stored, &contact).await?;
                    ctx.say(text).await?;
                }
                Err(r) => {
                    ctx.say(r.text).await?;
                }
            }
        }
        Pending::RouteDeadlines {
            inc,
            assignments,
            mut stages,
            mut collected,
        } => {
            let Some((stored, rules)) = ctx.incident(inc).await? else {
                return Ok(());
            };
            let Some(deadline) = parse_local_datetime(&rules, text, ctx.app.now()) else {
                ctx.ask(ctx.t("bad-datetime")).await?;
                return Ok(());
            };
            if !stages.is_empty() {
                collected.insert(stages.remove(0), deadline);
            }
            if let Some(next) = stages.first() {
                let stage = ctx.t(&format!("stage-{}", next.key()));
                ctx.set_pending(&Pending::RouteDeadlines {
                    inc,
                    assignments,
                    stages: stages.clone(),
                    collected,
                })
                .await?;
                let text = ctx.tf(
                    "ask-curator-deadline",
                    &[
                        ("stage", Arg::from(&stage)),
                        ("number", Arg::Num(stored.number)),
                    ],
                );
                ctx.ask(text).await?;
                return Ok(());
            }
            ctx.clear_pending().await?;
            route(ctx, inc, assignments, collected, None).await?;
        }
    }
    Ok(())
}

/// The network a link points to, when it is obvious.
fn source_from_link(link: &str) -> Option<crate::storage::Source> {
    use crate::storage::Source;
    let host = link.split("://").nth(1)?.split('/').next()?.to_lowercase();
    let host = host.trim_start_matches("www.").trim_start_matches("m.");
    match host {
        "vk.com" | "vk.ru" => Some(Source::Vk),
        "ok.ru" | "odnoklassniki.ru" => Some(Source::Ok),
        "t.me" | "telegram.me" => Some(Source::Telegram),
        "max.ru" => Some(Source::Max),
        _ => None,
    }
}

/// The network a curator named.
fn source_from_word(word: &str) -> Option<crate::storage::Source> {
    use crate::storage::Source;
    match word.trim().to_lowercase().as_str() {
        "вк" | "вконтакте" | "vk" => Some(Source::Vk),
        "ок" | "одноклассники" | "ok" => Some(Source::Ok),
        "telegram" | "телеграм" | "тг" | "tg" => Some(Source::Telegram),
        "max" | "макс" => Some(Source::Max),
        "сайт" | "web" => Some(Source::Web),
        "другое" | "другая" | "other" => Some(Source::Other),
        _ => None,
    }
}

/// A forwarded message as the start of a new incident: its text, author and time are known.
fn forwarded(ctx: &Ctx, origin: &teloxide::types::MessageOrigin, text: &str) -> Pending {
    use teloxide::types::MessageOrigin;
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
    let author = if author.trim().is_empty() {
        ctx.t("new-author-unknown")
    } else {
        author
    };
    let source = link.as_ref().map(|_| crate::storage::Source::Telegram);
    Pending::NewIncident {
        link,
        source,
        author: Some(author),
        text: Some(text.to_string()).filter(|t| !t.is_empty()),
        detected_at: Some(origin.date()).filter(|d| d.timestamp() > 0),
    }
}

/// Asks for the next missing detail of a new incident, or registers it when complete.
async fn ask_new_incident(ctx: &Ctx, pending: Pending) -> HandlerResult {
    let Pending::NewIncident {
        link,
        source,
        author,
        text,
        detected_at,
    } = &pending
    else {
        return Ok(());
    };
    let key = match (link, source, author, text) {
        (None, ..) => Some("new-ask-link"),
        (Some(_), None, ..) => Some("new-ask-network"),
        (Some(_), Some(_), None, _) => Some("new-ask-author"),
        (Some(_), Some(_), Some(_), None) => Some("new-ask-text"),
        _ => None,
    };
    if let Some(key) = key {
        ctx.set_pending(&pending).await?;
        ctx.ask(ctx.t(key)).await?;
        return Ok(());
    }
    ctx.clear_pending().await?;
    let (Some(link), Some(source), Some(author), Some(text)) =
        (link.clone(), *source, author.clone(), text.clone())
    else {
        return Ok(());
    };
    let now = ctx.app.now();
    let detected = detected_at.filter(|d| *d <= now).unwrap_or(now);
    let new = crate::storage::NewIncident {
        reply_to: None,
        content: crate::storage::IncidentContent {
            source,
            kind: crate::storage::MessageKind::Comment,
            url: link,
            external_id: None,
            author,
            text,
            attachments: Vec::new(),
            repeat_of: None,
        },
        detected_at: detected,
        importance: Importance::Normal,
        external_deadline: None,
        topic: None,
        location: None,
    };
    let intake = crate::intake::take_in(&ctx.app, ctx.person.org_id, new, None).await?;
    let mut answer = ctx.tf(
        "new-created",
        &[("number", Arg::Num(intake.registered.number))],
    );
    if let Some(prev) = intake.incident.content.repeat_of {
        let number = ctx
            .app
            .store
            .incident(prev)
            .await
            .map(|i| i.number)
            .unwrap_or(prev);
        answer.push('\n');
        answer.push_str(&ctx.tf("new-repeat", &[("number", Arg::Num(number))]));
    }
    ctx.say(answer).await?;
    Ok(())
}

/// The e-mail for the appeals office, shown to the curator to send.
async fn appeal_email(
    ctx: &Ctx,
    stored: &StoredIncident,
    contact: &crate::domain::incident::AppealContact,
) -> Result<String, HandlerError> {
    let rules = ctx.app.org_rules(stored.org_id).await?;
    let texts = &ctx.app.texts;
    let date = format!(
        "{} {}",
        render::short_date(texts, &rules, stored.workflow.detected_at),
        render::clock_time(&rules, stored.workflow.detected_at)
    );
    let network = render::network(texts, stored.content.source);
    let email = ctx.tf(
        "appeal-email",
        &[
            ("number", Arg::Num(stored.number)),
            ("name", Arg::from(&contact.full_name)),
            ("address", Arg::from(&contact.address)),
            ("phone", Arg::from(&contact.phone)),
            ("network", Arg::from(&network)),
            ("url", Arg::from(&stored.content.url)),
            ("date", Arg::from(&date)),
            ("text", Arg::from(&stored.content.text)),
        ],
    );
    let head = ctx.tf("appeal-done", &[("number", Arg::Num(stored.number))]);
    Ok(format!("{head}\n\n<pre>{}</pre>", escape(&email)))
}

/// Re-renders the curators' card of an incident in this chat (triage while new, status after).
async fn refresh_group_card(ctx: &Ctx, stored: &StoredIncident) -> HandlerResult {
    let Some(id) = ctx.app.store.card_message(stored.id, ctx.chat.0).await? else {
        return Ok(());
    };
    let rules = ctx.app.org_rules(stored.org_id).await?;
    let card = if stored.workflow.state == crate::domain::incident::IncidentState::New {
        render::triage_card(&ctx.app, &rules, stored).await?
    } else {
        render::curator_status_card(&ctx.app, &rules, stored).await?
    };
    edit(
        &ctx.bot,
        ctx.chat,
        MessageId(i32::try_from(id).unwrap_or_default()),
        &card,
    )
    .await;
    Ok(())
}

/// "27.11 15:30" (or "27.11.2026 15:30") in the organisation's zone; a date without a year is
/// the next such date from now.
fn parse_local_datetime(rules: &OrgRules, text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let (date, time) = text.trim().split_once(' ')?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    let today = rules.calendar.local(now).date_naive();
    let date = match NaiveDate::parse_from_str(date, "%d.%m.%Y") {
        Ok(d) => d,
        Err(_) => {
            let with_year = format!("{date}.{}", today.year());
            let d = NaiveDate::parse_from_str(&with_year, "%d.%m.%Y").ok()?;
            if d < today {
                d.with_year(today.year() + 1)?
            } else {
                d
            }
        }
    };
    rules
        .calendar
        .zone()
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Whether a text is one http(s) link.
fn is_link(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://"))
        && !text.contains(char::is_whitespace)
}

/// Ends a typed-input step: forgets the pending input, applies the command, says how it went.
async fn finish(ctx: &Ctx, inc: i64, command: Command, ok_key: &str) -> HandlerResult {
    ctx.clear_pending().await?;
    let result = ctx.apply(inc, command).await?;
    report(ctx, result, ok_key).await
}

/// Tells the user how their command went (in the chat: typed input has no button to answer).
async fn report(ctx: &Ctx, result: Result<StoredIncident, Refusal>, ok_key: &str) -> HandlerResult {
    match result {
        Ok(_) => ctx.say(ctx.t(ok_key)).await?,
        Err(r) => ctx.say(r.text).await?,
    };
    Ok(())
}

async fn route(
    ctx: &Ctx,
    inc: i64,
    assignments: Vec<Assignment>,
    deadlines: BTreeMap<Stage, DateTime<Utc>>,
    pressed: Option<(ChatId, MessageId)>,
) -> Result<Option<Refusal>, HandlerError> {
    let cmd = Command::Route {
        assignments,
        importance: None,
        topic: None,
        location: None,
        deadlines,
    };
    match ctx.apply(inc, cmd).await? {
        Ok(stored) => {
            let rules = ctx.app.org_rules(stored.org_id).await?;
            let card = render::curator_status_card(&ctx.app, &rules, &stored).await?;
            match pressed {
                Some((chat, id)) => edit(&ctx.bot, chat, id, &card).await,
                None => {
                    if let Some(id) = ctx.app.store.card_message(inc, ctx.chat.0).await? {
                        edit(
                            &ctx.bot,
                            ctx.chat,
                            MessageId(i32::try_from(id).unwrap_or_default()),
                            &card,
                        )
                        .await;
                    }
                    ctx.say(ctx.t("ok-routed")).await?;
                }
            }
            Ok(None)
        }
        Err(r) => {
            if pressed.is_none() {
                ctx.say(r.text.clone()).await?;
            }
            Ok(Some(r))
        }
    }
}

/// Edits a message to a card; "not modified" (a double press) is fine, and so is a message too
/// old to edit (the outbox still brings the news).
async fn edit(bot: &Bot, chat: ChatId, id: MessageId, card: &Card) {
    let markup = if card.buttons.is_empty() {
        InlineKeyboardMarkup::default()
    } else {
        card.keyboard()
    };
    if let Err(e) = bot
        .edit_message_text(chat, id, &card.text)
        .parse_mode(ParseMode::Html)
        .reply_markup(markup)
        .await
    {
        if !matches!(e, RequestError::Api(teloxide::ApiError::MessageNotModified)) {
            tracing::warn!(error = %e, "cannot edit message");
        }
    }
}

async fn on_callback(bot: Bot, app: Arc<App>, update: Update, q: CallbackQuery) -> HandlerResult {
    let update_id = i64::from(update.id.0);
    let user = i64::try_from(q.from.id.0).unwrap_or_default();
    if app.store.is_update_processed(update_id).await? {
        answer(&bot, q.id.clone(), String::new(), false).await;
        return Ok(());
    }
    let Some(action) = q.data.as_deref().and_then(Action::decode) else {
        answer(&bot, q.id.clone(), app.texts.t("err-wrong-state"), true).await;
        return Ok(());
    };
    let chat = q
        .message
        .as_ref()
        .map(|m| m.chat().id)
        .unwrap_or(ChatId(user));
    let Some(ctx) = context(&app, &bot, chat, user, update_id).await? else {
        answer(&bot, q.id.clone(), app.texts.t("err-unknown-user"), true).await;
        return Ok(());
    };
    let pressed = q.message.as_ref().map(|m| (m.chat().id, m.id()));
    let outcome = press(&ctx, action, pressed).await;
    match outcome {
        Ok(None) => answer(&bot, q.id.clone(), String::new(), false).await,
        Ok(Some(r)) => answer(&bot, q.id.clone(), r.text, r.alert).await,
        Err(e) => {
            tracing::error!(error = %e, "button handler failed");
            answer(&bot, q.id.clone(), app.texts.t("err-internal"), true).await;
        }
    }
    app.store.record_update(update_id, app.now()).await?;
    Ok(())
}

/// Re-renders the executor's card the button was pressed on.
async fn refresh_pressed_card(
    ctx: &Ctx,
    rules: &OrgRules,
    pressed: Option<(ChatId, MessageId)>,
    stored: &StoredIncident,
    part: usize,
) -> HandlerResult {
    if let Some((chat, id)) = pressed {
        let card = render::executor_card(&ctx.app, rules, stored, part).await?;
        edit(&ctx.bot, chat, id, &card).await;
    }
    Ok(())
}

async fn answer(bot: &Bot, id: teloxide::types::CallbackQueryId, text: String, alert: bool) {
    if let Err(e) = bot
        .answer_callback_query(id)
        .text(text)
        .show_alert(alert)
        .await
    {
        tracing::warn!(error = %e, "cannot answer callback query");
    }
}

/// Whether the actor may work on a part (its executor, their substitute, or the department head).
fn handles_part(ctx: &Ctx, stored: &StoredIncident, part: usize) -> bool {
    stored.workflow.parts.get(part).is_some_and(|p| {
        ctx.actor.person == p.executor
            || ctx.actor.substitutes_for.contains(&p.executor)
            || ctx.actor.heads_departments.contains(&p.department)
    })
}

/// Handles one button press; returns what to tell the presser (nothing = a silent answer).
async fn press(
    ctx: &Ctx,
    action: Action,
    pressed: Option<(ChatId, MessageId)>,
) -> Result<Option<Refusal>, HandlerError> {
    let inc = match action {
        Action::Accept { inc, .. }
        | Action::StartDraft { inc, .. }
        | Action::Return { inc, .. }
        | Action::ReturnWith { inc, .. }
        | Action::AttachmentsDone { inc }
        | Action::SendDraft { inc }
        | Action::EditDraft { inc }
        | Action::CancelDraft { inc }
        | Action::Approve { inc, .. }
        | Action::Rework { inc, .. }
        | Action::Published { inc, .. }
        | Action::AuthorReplied { inc, .. }
        | Action::ShowAll { inc }
        | Action::Importance { inc, .. }
        | Action::ToggleDepartment { inc, .. }
        | Action::Route { inc }
        | Action::NoAnswer { inc }
        | Action::NoAnswerWith { inc, .. }
        | Action::Explanation { inc }
        | Action::ExplanationWith { inc, .. }
        | Action::Reroute { inc, .. }
        | Action::WriteConsolidated { inc }
        | Action::SetTopic { inc }
        | Action::SetLocation { inc }
        | Action::Appeal { inc } => inc,
    };
    let Some((stored, rules)) = ctx.incident(inc).await? else {
        return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
    };
    let curator = ctx.actor.has(Role::Curator);
    match action {
        Action::Accept { part, .. } => match ctx.apply(inc, Command::Accept { part }).await? {
            Ok(s) => {
                refresh_pressed_card(ctx, &rules, pressed, &s, part).await?;
                Ok(Some(Refusal::toast(ctx.t("ok-accepted"))))
            }
            Err(r) => Ok(Some(r)),
        },
        Action::StartDraft { part, kind, .. } => {
            if !handles_part(ctx, &stored, part) {
                return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
            }
            if stored.workflow.parts[part].state == PartState::Routed {
                match ctx.apply(inc, Command::Accept { part }).await? {
                    Ok(s) => refresh_pressed_card(ctx, &rules, pressed, &s, part).await?,
                    Err(r) => return Ok(Some(r)),
                }
            }
            let key = match kind {
                DraftKind::Answer => "ask-draft-text",
                DraftKind::Interim => "ask-interim-text",
                DraftKind::Clarification => "ask-clarification-text",
            };
            ctx.set_pending(&Pending::DraftText { inc, part, kind })
                .await?;
            let text = ctx.tf(key, &[("number", Arg::Num(stored.number))]);
            ctx.ask(text).await?;
            Ok(None)
        }
        Action::Return { part, .. } => {
            if !handles_part(ctx, &stored, part) {
                return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
            }
            let mut card = render::return_reasons(&ctx.app.texts, inc, part);
            card.text = ctx.tf("ask-return-reason", &[("number", Arg::Num(stored.number))]);
            ctx.show(&card).await?;
            Ok(None)
        }
        Action::ReturnWith { part, reason, .. } => {
            if !handles_part(ctx, &stored, part) {
                return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
            }
            ctx.set_pending(&Pending::ReturnComment { inc, part, reason })
                .await?;
            ctx.ask(ctx.t("ask-return-comment")).await?;
            Ok(None)
        }
        Action::AttachmentsDone { .. } => {
            let pending = ctx.pending().await?;
            let Some(Pending::DraftAttachments {
                inc: pinc,
                part,
                kind,
                text,
                files,
            }) = pending
            else {
                return Ok(Some(Refusal::toast(ctx.t("err-wrong-state"))));
            };
            if pinc != inc {
                return Ok(Some(Refusal::toast(ctx.t("err-wrong-state"))));
            }
            let card = render::draft_preview(&ctx.app.texts, &stored, kind, &text, files.len());
            ctx.set_pending(&Pending::DraftPreview {
                inc,
                part,
                kind,
                text,
                files,
            })
            .await?;
            ctx.show(&card).await?;
            Ok(None)
        }
        Action::SendDraft { .. } => {
            let pending = ctx.pending().await?;
            let Some(Pending::DraftPreview {
                inc: pinc,
                part,
                kind,
                text,
                files,
            }) = pending
            else {
                return Ok(Some(Refusal::toast(ctx.t("already-done"))));
            };
            if pinc != inc {
                return Ok(Some(Refusal::toast(ctx.t("err-wrong-state"))));
            }
            let result = ctx
                .apply(
                    inc,
                    Command::SubmitDraft {
                        part,
                        kind,
                        text: text.clone(),
                        attachments: files.clone(),
                    },
                )
                .await?;
            match result {
                Ok(s) => {
                    ctx.clear_pending().await?;
                    if let Some((chat, id)) = pressed {
                        let mut card =
                            render::draft_preview(&ctx.app.texts, &s, kind, &text, files.len());
                        card.buttons.clear();
                        card.text.push_str(&format!("\n\n{}", ctx.t("draft-sent")));
                        edit(&ctx.bot, chat, id, &card).await;
                    }
                    if let Some(id) = ctx.app.store.card_message(inc, ctx.chat.0).await? {
                        let card = render::executor_card(&ctx.app, &rules, &s, part).await?;
                        edit(
                            &ctx.bot,
                            ctx.chat,
                            MessageId(i32::try_from(id).unwrap_or_default()),
                            &card,
                        )
                        .await;
                    }
                    Ok(Some(Refusal::toast(ctx.t("draft-sent"))))
                }
                Err(r) => Ok(Some(r)),
            }
        }
        Action::EditDraft { .. } => {
            let pending = ctx.pending().await?;
            let Some(Pending::DraftPreview {
                inc: pinc,
                part,
                kind,
                ..
            }) = pending
            else {
                return Ok(Some(Refusal::toast(ctx.t("err-wrong-state"))));
            };
            if pinc != inc {
                return Ok(Some(Refusal::toast(ctx.t("err-wrong-state"))));
            }
            ctx.set_pending(&Pending::DraftText { inc, part, kind })
                .await?;
            let text = ctx.tf("ask-draft-text", &[("number", Arg::Num(stored.number))]);
            ctx.ask(text).await?;
            Ok(None)
        }
        Action::CancelDraft { .. } => {
            ctx.clear_pending().await?;
            if let Some((chat, id)) = pressed {
                edit(
                    &ctx.bot,
                    chat,
                    id,
                    &Card {
                        text: ctx.t("draft-cancelled"),
                        buttons: vec![],
                    },
                )
                .await;
            }
            Ok(None)
        }
        Action::Approve { part, version, .. } => match ctx
            .apply(
                inc,
                Command::Approve {
                    part,
                    version: Some(version),
                },
            )
            .await?
        {
            Ok(s) => {
                if let Some((chat, id)) = pressed {
                    let mut card = render::approval_card(&ctx.app, &rules, &s, part).await?;
                    card.buttons.clear();
                    let time = render::clock_time(&rules, ctx.app.now());
                    card.text.push_str(&format!(
                        "\n\n{}",
                        ctx.tf(
                            "approved-line",
                            &[
                                ("name", Arg::from(&escape(&ctx.person.full_name))),
                                ("time", Arg::from(&time))
                            ]
                        )
                    ));
                    edit(&ctx.bot, chat, id, &card).await;
                }
                Ok(Some(Refusal::toast(ctx.t("ok-done"))))
            }
            Err(r) => Ok(Some(r)),
        },
        Action::Rework { part, version, .. } => {
            let step_owner = match stored.workflow.parts.get(part).map(|p| p.state) {
                Some(PartState::DraftSubmitted { step, .. }) => match step {
                    crate::domain::incident::ApprovalStep::Curator => curator,
                    crate::domain::incident::ApprovalStep::Deputy => ctx.actor.has(Role::Deputy),
                    crate::domain::incident::ApprovalStep::DepartmentHead => stored
                        .workflow
                        .parts
                        .get(part)
                        .is_some_and(|p| ctx.actor.heads_departments.contains(&p.department)),
                },
                Some(PartState::ReworkRequested { .. }) => {
                    return Ok(Some(Refusal::toast(ctx.t("already-done"))))
                }
                _ => return Ok(Some(Refusal::alert(ctx.t("err-wrong-state")))),
            };
            if !step_owner {
                return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
            }
            if stored.workflow.parts[part]
                .current_draft()
                .map(|d| d.version)
                != Some(version)
            {
                return Ok(Some(Refusal::alert(ctx.t("err-stale"))));
            }
            ctx.set_pending(&Pending::ReworkComment { inc, part, version })
                .await?;
            let text = ctx.tf("ask-rework-comment", &[("number", Arg::Num(stored.number))]);
            ctx.ask(text).await?;
            Ok(None)
        }
        Action::Published { part, .. } => {
            ctx.set_pending(&Pending::PublishLink { inc, part }).await?;
            let text = ctx.tf("ask-link", &[("number", Arg::Num(stored.number))]);
            ctx.ask(text).await?;
            Ok(None)
        }
        Action::AuthorReplied { part, .. } => {
            if !curator {
                return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
            }
            ctx.set_pending(&Pending::AuthorReply { inc, part }).await?;
            let text = ctx.tf("ask-author-reply", &[("number", Arg::Num(stored.number))]);
            ctx.ask(text).await?;
            Ok(None)
        }
        Action::ShowAll { .. } => {
            let text = format!(
                "{}\n\n{}",
                ctx.tf("full-text", &[("number", Arg::Num(stored.number))]),
                stored.content.text
            );
            let chars: Vec<char> = text.chars().collect();
            for chunk in chars.chunks(4000) {
                ctx.bot
                    .send_message(ChatId(ctx.user), chunk.iter().collect::<String>())
                    .await?;
            }
            Ok(None)
        }
        Action::Importance { high, .. } => {
            let importance = if high {
                Importance::High
            } else {
                Importance::Normal
            };
            match ctx
                .apply(inc, Command::SetImportance { importance })
                .await?
            {
                Ok(s) => {
                    if let (Some((chat, id)), crate::domain::incident::IncidentState::New) =
                        (pressed, s.workflow.state)
                    {
                        edit(
                            &ctx.bot,
                            chat,
                            id,
                            &render::triage_card(&ctx.app, &rules, &s).await?,
                        )
                        .await;
                    }
                    Ok(None)
                }
                Err(r) => Ok(Some(r)),
            }
        }
        Action::ToggleDepartment { dept, .. } => {
            if !curator {
                return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
            }
            if stored.workflow.state != crate::domain::incident::IncidentState::New {
                return Ok(Some(Refusal::toast(ctx.t("already-done"))));
            }
            ctx.app.store.toggle_triage_department(inc, dept).await?;
            if let Some((chat, id)) = pressed {
                edit(
                    &ctx.bot,
                    chat,
                    id,
                    &render::triage_card(&ctx.app, &rules, &stored).await?,
                )
                .await;
            }
            Ok(None)
        }
        Action::Route { .. } => {
            if !curator {
                return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
            }
            if stored.workflow.state != crate::domain::incident::IncidentState::New {
                return Ok(Some(Refusal::toast(ctx.t("already-done"))));
            }
            let departments = ctx.app.store.triage_departments(inc).await?;
            if departments.is_empty() {
                return Ok(Some(Refusal::alert(ctx.t("err-no-department"))));
            }
            let mut assignments = Vec::new();
            for d in departments {
                match ctx.app.store.department_executor(d).await? {
                    Some(executor) => assignments.push(Assignment {
                        department: d,
                        executor,
                    }),
                    None => {
                        let name = ctx.app.store.department_name(d).await?;
                        return Ok(Some(Refusal::alert(
                            ctx.tf("err-no-executor", &[("department", Arg::from(&name))]),
                        )));
                    }
                }
            }
            let stages: Vec<Stage> = rules
                .org
                .regulation
                .stages(stored.workflow.importance)
                .into_iter()
                .filter(|(s, r)| **r == DeadlineRule::SetByCurator && *s != Stage::Rework)
                .map(|(s, _)| s)
                .collect();
            if let Some(first) = stages.first() {
                let stage = ctx.t(&format!("stage-{}", first.key()));
                ctx.set_pending(&Pending::RouteDeadlines {
                    inc,
                    assignments,
                    stages: stages.clone(),
                    collected: BTreeMap::new(),
                })
                .await?;
                let text = ctx.tf(
                    "ask-curator-deadline",
                    &[
                        ("stage", Arg::from(&stage)),
                        ("number", Arg::Num(stored.number)),
                    ],
                );
                ctx.ask(text).await?;
                return Ok(None);
            }
            let refused = route(ctx, inc, assignments, BTreeMap::new(), pressed).await?;
            Ok(refused.or_else(|| Some(Refusal::toast(ctx.t("ok-routed")))))
        }
        Action::NoAnswer { .. } => {
            if !curator {
                return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
            }
            let buttons = render::no_answer_reasons(&ctx.app.texts, inc);
            let text = ctx.tf(
                "ask-no-answer-reason",
                &[("number", Arg::Num(stored.number))],
            );
            ctx.show(&Card { text, buttons }).await?;
            Ok(None)
        }
        Action::NoAnswerWith { reason, .. } => {
            match ctx.apply(inc, Command::MarkNoAnswer { reason }).await? {
                Ok(s) => {
                    if let Some((chat, id)) = pressed {
                        let text = ctx.tf("no-answer-done", &[("number", Arg::Num(s.number))]);
                        edit(
                            &ctx.bot,
                            chat,
                            id,
                            &Card {
                                text,
                                buttons: vec![],
                            },
                        )
                        .await;
                    }
                    Ok(None)
                }
                Err(r) => Ok(Some(r)),
            }
        }
        Action::Explanation { .. } => {
            if !curator {
                return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
            }
            let buttons = render::explanation_kinds(&ctx.app.texts, inc);
            let text = ctx.tf(
                "ask-explanation-kind",
                &[("number", Arg::Num(stored.number))],
            );
            ctx.show(&Card { text, buttons }).await?;
            Ok(None)
        }
        Action::ExplanationWith { kind, .. } => {
            let template = ctx.t(render::explanation_template(kind));
            match ctx
                .apply(
                    inc,
                    Command::SendExplanation {
                        kind,
                        text: template.clone(),
                    },
                )
                .await?
            {
                Ok(s) => {
                    let text = format!(
                        "{}\n\n{}\n{}",
                        ctx.tf("explanation-sent", &[("number", Arg::Num(s.number))]),
                        escape(&template),
                        ctx.tf("card-link", &[("url", Arg::from(&escape(&s.content.url)))])
                    );
                    match pressed {
                        Some((chat, id)) => {
                            edit(
                                &ctx.bot,
                                chat,
                                id,
                                &Card {
                                    text,
                                    buttons: vec![],
                                },
                            )
                            .await
                        }
                        None => {
                            ctx.say(text).await?;
                        }
                    }
                    Ok(None)
                }
                Err(r) => Ok(Some(r)),
            }
        }
        Action::Reroute { part, dept, .. } => {
            if !curator {
                return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
            }
            let Some(executor) = ctx.app.store.department_executor(dept).await? else {
                let name = ctx.app.store.department_name(dept).await?;
                return Ok(Some(Refusal::alert(
                    ctx.tf("err-no-executor", &[("department", Arg::from(&name))]),
                )));
            };
            match ctx
                .apply(
                    inc,
                    Command::Reroute {
                        part,
                        assignment: Assignment {
                            department: dept,
                            executor,
                        },
                    },
                )
                .await?
            {
                Ok(s) => {
                    if let Some((chat, id)) = pressed {
                        edit(
                            &ctx.bot,
                            chat,
                            id,
                            &render::curator_status_card(&ctx.app, &rules, &s).await?,
                        )
                        .await;
                    }
                    Ok(Some(Refusal::toast(ctx.t("ok-routed"))))
                }
                Err(r) => Ok(Some(r)),
            }
        }
        Action::SetTopic { .. } | Action::SetLocation { .. } | Action::Appeal { .. } => {
            if !curator {
                return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
            }
            if stored.workflow.state.is_finished() {
                return Ok(Some(Refusal::alert(ctx.t("err-wrong-state"))));
            }
            let (pending, key) = match action {
                Action::SetTopic { .. } => (Pending::Topic { inc }, "ask-topic"),
                Action::SetLocation { .. } => (Pending::Location { inc }, "ask-location"),
                _ => (Pending::AppealName { inc }, "ask-appeal-name"),
            };
            ctx.set_pending(&pending).await?;
            let text = ctx.tf(key, &[("number", Arg::Num(stored.number))]);
            ctx.ask(text).await?;
            Ok(None)
        }
        Action::WriteConsolidated { .. } => {
            if !curator {
                return Ok(Some(Refusal::alert(ctx.t("err-not-allowed"))));
            }
            ctx.set_pending(&Pending::Consolidated { inc }).await?;
            let text = ctx.tf("ask-consolidated", &[("number", Arg::Num(stored.number))]);
            ctx.ask(text).await?;
            Ok(None)
        }
    }
}
