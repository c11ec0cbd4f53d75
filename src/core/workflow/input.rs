//! Multi-step input: what a person types (or sends) after a prompt. The pending step is kept per
//! (messenger, chat, person), so curators sharing a group never mix their inputs, and it expires
//! after a while (the person is told, rather than a late message landing in an old step).

use chrono::{DateTime, Utc};

use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::View;
use crate::core::workflow::intake::NewIncidentFromChat;
pub(crate) use crate::core::workflow::parse::{is_link, source_from_link};
use crate::core::workflow::pending::{Pending, PendingState};
use crate::core::{Core, CoreError, Who};
use crate::domain::content::Source;
use crate::domain::incident::{Command, Role};
use crate::domain::IncidentId;
use crate::texts::Arg;

/// A message from a person: its text (or caption), an attached file, or a forwarded message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    pub text: String,
    /// A photo, video or document: an opaque id the person's messenger understands
    /// ("photo:ID", "video:ID", "document:ID" in Telegram).
    pub attachment: Option<String>,
    pub forwarded: Option<Forwarded>,
}

impl Input {
    /// The input with what cannot be stored removed (see `content::storable`).
    fn storable(self) -> Input {
        use crate::domain::content::storable;
        Input {
            text: storable(&self.text),
            attachment: self.attachment.map(|a| storable(&a)),
            forwarded: self.forwarded.map(|f| Forwarded {
                author: f.author.map(|a| storable(&a)),
                link: f.link.map(|l| storable(&l)),
                ..f
            }),
        }
    }

    pub fn text(text: &str) -> Input {
        Input {
            text: text.to_string(),
            ..Input::default()
        }
    }
}

/// What is known of a forwarded message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forwarded {
    pub author: Option<String>,
    pub link: Option<String>,
    pub source: Option<Source>,
    pub date: Option<DateTime<Utc>>,
}

impl Core {
    pub(crate) fn t(&self, key: &str) -> String {
        self.texts.t(key)
    }

    pub(crate) fn tf(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.texts.tf(key, args)
    }

    /// A message from a person: a command, a forwarded message (a curator's new incident), or
    /// the answer to a pending prompt.
    pub async fn message(&self, who: &Who, input: Input) -> Result<Reply, CoreError> {
        let input = input.storable();
        if !self.works_in(who).await? {
            return Ok(Reply::nothing());
        }
        let text = input.text.trim().to_string();
        if let Some(command) = text.strip_prefix('/') {
            let (name, args) = match command.split_once(char::is_whitespace) {
                Some((n, a)) => (n, a.trim()),
                None => (command, ""),
            };
            // "/my@otklik_bot" in a group.
            let name = name.split('@').next().unwrap_or_default();
            if let Some(reply) = self.command(who, name, args).await? {
                return Ok(reply);
            }
        }
        if let Some(f) = &input.forwarded {
            let (rules, actor) = self.actor_of(who).await?;
            if actor.has(Role::Curator) {
                let author = f
                    .author
                    .clone()
                    .filter(|a| !a.trim().is_empty())
                    .unwrap_or_else(|| self.t("new-author-unknown"));
                let pending = Pending::NewIncident {
                    link: f.link.clone(),
                    source: f
                        .source
                        .or_else(|| f.link.as_deref().and_then(source_from_link)),
                    author: Some(author),
                    text: Some(text.clone()).filter(|t| !t.is_empty()),
                    detected_at: f.date,
                };
                return self.ask_new_incident(who, &rules, pending).await;
            }
        }
        match self.pending_state(who).await? {
            PendingState::Waiting(p) => self.continue_pending(who, &input, &text, p).await,
            PendingState::Expired => Ok(Reply::say(View::text(self.t("input-expired")))),
            PendingState::None if who.in_private() => {
                Ok(Reply::say(View::text(self.t("unknown-input"))))
            }
            PendingState::None => Ok(Reply::nothing()),
        }
    }

    /// Ends a typed-input step: forgets the pending step, applies the command, says how it went.
    pub(crate) async fn finish(
        &self,
        who: &Who,
        inc: IncidentId,
        command: Command,
        ok_key: &str,
    ) -> Result<Reply, CoreError> {
        self.clear_pending(who).await?;
        let (rules, actor) = self.actor_of(who).await?;
        let Some(record) = self.incident_of(who.org(), inc).await? else {
            return Ok(Reply::say(View::text(self.t("err-wrong-state"))));
        };
        Ok(
            match self.transition(&rules, &actor, record, &command).await? {
                Ok(_) => Reply::say(View::text(self.t(ok_key))),
                Err(e) => Reply::say(View::text(self.refusal(&e).text)),
            },
        )
    }

    async fn continue_pending(
        &self,
        who: &Who,
        input: &Input,
        text: &str,
        pending: Pending,
    ) -> Result<Reply, CoreError> {
        let prompt = |key: &str| Ok(Reply::say(View::prompt(self.t(key))));
        match pending {
            Pending::DraftText { inc, part, kind } => {
                self.draft_text_typed(who, input, text, inc, part, kind)
                    .await
            }
            Pending::DraftAttachments { .. } => {
                self.draft_attachment_sent(who, input, text, pending).await
            }
            Pending::OwnAnswerText { inc } => self.own_answer_text(who, inc, input, text).await,
            Pending::DraftPreview { .. } => {
                Ok(Reply::say(View::text(self.t("use-preview-buttons"))))
            }
            Pending::OwnAnswerPreview { .. } => {
                Ok(Reply::say(View::text(self.t("use-own-preview-buttons"))))
            }
            Pending::ReworkComment { inc, part, version } => {
                self.rework_comment_typed(who, text, inc, part, version)
                    .await
            }
            Pending::ReworkDeadline {
                inc,
                part,
                version,
                comment,
            } => {
                self.rework_deadline_typed(who, text, inc, part, version, comment)
                    .await
            }
            Pending::ReturnComment { inc, part, reason } => {
                let comment = if text == "-" {
                    String::new()
                } else {
                    text.to_string()
                };
                self.return_part(who, inc, part, reason, comment).await
            }
            Pending::PublishLink { inc, part } => {
                if !is_link(text) {
                    return prompt("bad-link");
                }
                let cmd = Command::MarkPublished {
                    part,
                    link: text.to_string(),
                };
                self.finish(who, inc, cmd, "ok-published").await
            }
            Pending::ExplanationText { inc, kind, part } => {
                self.explanation_text(who, inc, kind, part, text).await
            }
            Pending::CrossPostLinks { inc } => self.cross_post_links(who, inc, text).await,
            Pending::ExplanationBackComment { inc } => self.explanation_back(who, inc, text).await,
            Pending::RepeatOf { inc } => self.repeat_of_typed(who, text, inc).await,
            Pending::AppealRegistration { inc } => {
                if text.is_empty() {
                    return prompt("bad-comment");
                }
                let cmd = Command::RecordAppealRegistration {
                    number: text.to_string(),
                };
                self.finish(who, inc, cmd, "appeal-number-recorded").await
            }
            Pending::ReturnToSourceReason { inc } => {
                if text.is_empty() {
                    return prompt("bad-comment");
                }
                let cmd = Command::ReturnToSource {
                    comment: text.to_string(),
                };
                self.finish(who, inc, cmd, "ok-returned-to-source").await
            }
            Pending::CannotPublishReason { inc, part } => {
                if text.is_empty() {
                    return prompt("bad-comment");
                }
                let cmd = Command::ReportCannotPublish {
                    part,
                    reason: text.to_string(),
                };
                self.finish(who, inc, cmd, "ok-cannot-publish").await
            }
            Pending::AuthorReply { inc, part } => {
                if text.is_empty() {
                    return prompt("bad-comment");
                }
                let cmd = Command::RecordAuthorReply {
                    part,
                    text: text.to_string(),
                };
                self.finish(who, inc, cmd, "ok-done").await
            }
            Pending::Consolidated { inc } => {
                if text.is_empty() {
                    return prompt("draft-empty");
                }
                let cmd = Command::SubmitConsolidated {
                    text: text.to_string(),
                    attachments: input.attachment.iter().cloned().collect(),
                };
                self.finish(who, inc, cmd, "ok-done").await
            }
            Pending::Topic { inc } | Pending::Location { inc } => {
                if text.is_empty() {
                    return prompt("bad-comment");
                }
                let (topic, location) = match pending {
                    Pending::Topic { .. } => (Some(text.to_string()), None),
                    _ => (None, Some(text.to_string())),
                };
                self.clear_pending(who).await?;
                let (rules, actor) = self.actor_of(who).await?;
                let Some(record) = self.incident_of(who.org(), inc).await? else {
                    return Ok(Reply::say(View::text(self.t("err-wrong-state"))));
                };
                let cmd = Command::Classify { topic, location };
                // The card shows the new topic; nothing more to say.
                Ok(match self.transition(&rules, &actor, record, &cmd).await? {
                    Ok(_) => Reply::nothing(),
                    Err(e) => Reply::say(View::text(self.refusal(&e).text)),
                })
            }
            Pending::NewIncident { .. } => self.new_incident_step(who, text, pending).await,
            Pending::AppealConsent { .. }
            | Pending::AppealName { .. }
            | Pending::AppealAddress { .. }
            | Pending::AppealPhone { .. } => self.appeal_step(who, text, pending).await,
            Pending::RouteDeadlines {
                inc,
                assignments,
                stages,
                collected,
            } => {
                self.route_deadline_typed(who, text, inc, assignments, stages, collected)
                    .await
            }
        }
    }

    /// Asks for the next missing detail of an incident entered by hand, or registers it.
    pub(crate) async fn ask_new_incident(
        &self,
        who: &Who,
        rules: &OrgRules,
        pending: Pending,
    ) -> Result<Reply, CoreError> {
        let Pending::NewIncident {
            link,
            source,
            author,
            text,
            detected_at,
        } = &pending
        else {
            return Ok(Reply::nothing());
        };
        let key = match (link, source, author, text) {
            (None, ..) => Some("new-ask-link"),
            (Some(_), None, ..) => Some("new-ask-network"),
            (Some(_), Some(_), None, _) => Some("new-ask-author"),
            (Some(_), Some(_), Some(_), None) => Some("new-ask-text"),
            _ => None,
        };
        if let Some(key) = key {
            self.set_pending(who, &pending).await?;
            return Ok(Reply::say(View::prompt(self.t(key))));
        }
        self.clear_pending(who).await?;
        let (Some(link), Some(source), Some(author), Some(text)) =
            (link.clone(), *source, author.clone(), text.clone())
        else {
            return Ok(Reply::nothing());
        };
        let now = self.now();
        let detected = detected_at.filter(|d| *d <= now).unwrap_or(now);
        let intake = self
            .take_in_from_chat(
                rules,
                who.person(),
                NewIncidentFromChat {
                    link,
                    source,
                    author,
                    text,
                    detected_at: detected,
                },
            )
            .await?;
        let mut lines = vec![self.tf("new-created", &[("number", Arg::Num(intake.record.number))])];
        if let Some(prev) = intake.record.content.repeat_of {
            let number = self
                .store
                .incident(prev)
                .await
                .map(|i| i.number)
                .unwrap_or(prev.0);
            lines.push(self.tf("new-repeat", &[("number", Arg::Num(number))]));
        }
        Ok(Reply::say(View::text(lines.join("\n"))))
    }
}
