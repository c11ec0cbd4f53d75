//! Multi-step input: what a person types (or sends) after a prompt. The pending step is kept per
//! (messenger, chat, person), so curators sharing a group never mix their inputs, and it expires
//! after a while (the person is told, rather than a late message landing in an old step).

use chrono::{DateTime, Utc};

use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::View;
use crate::core::workflow::intake::NewIncidentFromChat;
use crate::core::workflow::parse::source_from_word;
pub(crate) use crate::core::workflow::parse::{is_link, parse_local_datetime, source_from_link};
use crate::core::workflow::pending::{Pending, PendingState};
use crate::core::{Core, CoreError, Who};
use crate::domain::content::Source;
use crate::domain::incident::{Command, Role};
use crate::domain::permission::{permitted, Deed};
use crate::domain::regulation::{DeadlineRule, Stage};
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
                if text.is_empty() {
                    return prompt("draft-empty");
                }
                let files: Vec<String> = input.attachment.iter().cloned().collect();
                self.set_pending(
                    who,
                    &Pending::DraftAttachments {
                        inc,
                        part,
                        kind,
                        text: text.to_string(),
                        files,
                    },
                )
                .await?;
                Ok(Reply::say(
                    self.attachments_prompt(inc, self.t("ask-attachments")),
                ))
            }
            Pending::DraftAttachments {
                inc,
                part,
                kind,
                text: draft,
                mut files,
            } => {
                let draft = match &input.attachment {
                    Some(f) => {
                        files.push(f.clone());
                        draft
                    }
                    // A new text replaces the draft text.
                    None if !text.is_empty() => text.to_string(),
                    None => draft,
                };
                let count = self.tf("photos", &[("n", Arg::Num(files.len() as i64))]);
                self.set_pending(
                    who,
                    &Pending::DraftAttachments {
                        inc,
                        part,
                        kind,
                        text: draft,
                        files,
                    },
                )
                .await?;
                // An album arrives as several messages: answer each briefly, one «Готово» ends.
                Ok(Reply::say(self.attachments_prompt(
                    inc,
                    self.tf("attachment-added", &[("count", Arg::from(&count))]),
                )))
            }
            Pending::OwnAnswerText { inc } => self.own_answer_text(who, inc, input, text).await,
            Pending::DraftPreview { .. } => {
                Ok(Reply::say(View::text(self.t("use-preview-buttons"))))
            }
            Pending::OwnAnswerPreview { .. } => {
                Ok(Reply::say(View::text(self.t("use-own-preview-buttons"))))
            }
            Pending::ReworkComment { inc, part, version } => {
                if text.is_empty() {
                    return prompt("bad-comment");
                }
                let (rules, _) = self.actor_of(who).await?;
                let Some(record) = self.incident_of(who.org(), inc).await? else {
                    self.clear_pending(who).await?;
                    return Ok(Reply::say(View::text(self.t("err-wrong-state"))));
                };
                if rules
                    .regulation()
                    .rule(Stage::Rework, record.workflow.importance)
                    == Some(&DeadlineRule::SetByCurator)
                {
                    self.set_pending(
                        who,
                        &Pending::ReworkDeadline {
                            inc,
                            part,
                            version,
                            comment: text.to_string(),
                        },
                    )
                    .await?;
                    return Ok(Reply::say(View::prompt(self.tf(
                        "ask-curator-deadline",
                        &[
                            ("stage", Arg::from(&self.t("stage-rework"))),
                            ("number", Arg::Num(record.number)),
                        ],
                    ))));
                }
                let cmd = Command::RequestRework {
                    part: Some(part),
                    version: Some(version),
                    comment: text.to_string(),
                    deadline: None,
                };
                self.finish(who, inc, cmd, "ok-done").await
            }
            Pending::ReworkDeadline {
                inc,
                part,
                version,
                comment,
            } => {
                let (rules, _) = self.actor_of(who).await?;
                let Some(deadline) = parse_local_datetime(&rules, text, self.now()) else {
                    return prompt("bad-datetime");
                };
                let cmd = Command::RequestRework {
                    part: Some(part),
                    version: Some(version),
                    comment,
                    deadline: Some(deadline),
                };
                self.finish(who, inc, cmd, "ok-done").await
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
            Pending::RepeatOf { inc } => {
                let Some(input) = crate::core::workflow::repeats::RepeatInput::parse(text) else {
                    return prompt("bad-repeat");
                };
                self.clear_pending(who).await?;
                let (rules, actor) = self.actor_of(who).await?;
                let Some(record) = self.incident_of(who.org(), inc).await? else {
                    return Ok(Reply::say(View::text(self.t("err-wrong-state"))));
                };
                if let Err(e) =
                    permitted(&actor, Deed::Classify, &record.workflow, rules.regulation())
                {
                    return Ok(Reply::say(View::text(self.refusal(&e).text)));
                }
                let key = match self
                    .mark_repeat(&rules, &record, input, actor.person)
                    .await?
                {
                    Ok(()) if input == crate::core::workflow::repeats::RepeatInput::NotARepeat => {
                        "repeat-unmarked"
                    }
                    Ok(()) => "repeat-marked",
                    Err(crate::core::workflow::repeats::RepeatRefusal::NoSuchNumber) => {
                        "repeat-no-such"
                    }
                    Err(crate::core::workflow::repeats::RepeatRefusal::NotEarlier) => {
                        "repeat-not-earlier"
                    }
                };
                Ok(Reply::say(View::text(self.t(key))))
            }
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
                        return prompt("bad-link");
                    }
                } else if source.is_none() {
                    match source_from_word(answer) {
                        Some(s) => source = Some(s),
                        None => return prompt("new-bad-network"),
                    }
                } else if author.is_none() {
                    author = Some(if answer == "-" || answer.is_empty() {
                        self.t("new-author-unknown")
                    } else {
                        answer.to_string()
                    });
                } else if body.is_none() {
                    if answer.is_empty() {
                        return prompt("new-ask-text");
                    }
                    body = Some(answer.to_string());
                }
                let (rules, _) = self.actor_of(who).await?;
                let next = Pending::NewIncident {
                    link,
                    source,
                    author,
                    text: body,
                    detected_at,
                };
                self.ask_new_incident(who, &rules, next).await
            }
            Pending::AppealConsent { .. }
            | Pending::AppealName { .. }
            | Pending::AppealAddress { .. }
            | Pending::AppealPhone { .. } => self.appeal_step(who, text, pending).await,
            Pending::RouteDeadlines {
                inc,
                assignments,
                mut stages,
                mut collected,
            } => {
                let (rules, actor) = self.actor_of(who).await?;
                let Some(record) = self.incident_of(who.org(), inc).await? else {
                    self.clear_pending(who).await?;
                    return Ok(Reply::say(View::text(self.t("err-wrong-state"))));
                };
                let Some(deadline) = parse_local_datetime(&rules, text, self.now()) else {
                    return prompt("bad-datetime");
                };
                if !stages.is_empty() {
                    collected.insert(stages.remove(0), deadline);
                }
                if let Some(next) = stages.first() {
                    let stage = self.t(&format!("stage-{}", next.key()));
                    self.set_pending(
                        who,
                        &Pending::RouteDeadlines {
                            inc,
                            assignments,
                            stages: stages.clone(),
                            collected,
                        },
                    )
                    .await?;
                    return Ok(Reply::say(View::prompt(self.tf(
                        "ask-curator-deadline",
                        &[
                            ("stage", Arg::from(&stage)),
                            ("number", Arg::Num(record.number)),
                        ],
                    ))));
                }
                self.clear_pending(who).await?;
                let cmd = Command::Route {
                    assignments,
                    importance: None,
                    topic: None,
                    location: None,
                    deadlines: collected,
                };
                Ok(match self.transition(&rules, &actor, record, &cmd).await? {
                    Ok(_) => Reply::say(View::text(self.t("ok-routed"))),
                    Err(e) => Reply::say(View::text(self.refusal(&e).text)),
                })
            }
        }
    }

    /// The prompt for a draft's files, with «Готово».
    fn attachments_prompt(&self, inc: IncidentId, text: String) -> View {
        View::text(text).with_buttons(vec![vec![crate::core::view::Button {
            label: self.t("btn-attachments-done"),
            action: crate::core::Action::AttachmentsDone { inc },
        }]])
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
