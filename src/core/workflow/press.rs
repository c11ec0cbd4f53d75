//! What each button does. One arm per action: ask the permission rule (through the state
//! machine, or directly before opening a prompt), then change state or ask for input. Cards that
//! change are redrawn by the delivery worker (`Notice::RefreshCards`), for everyone who has one.

use crate::core::action::Action;
use crate::core::cards;
use crate::core::notices::{Lane, PressedCard};
use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::{Toast, View};
use crate::core::workflow::pending::Pending;
use crate::core::{Core, CoreError, Who};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, Command, TransitionError};
use crate::domain::permission::{permitted, Deed};
use crate::storage::GroupChat;
use crate::texts::Arg;

impl Core {
    /// Whether a person's press counts where it was made: their private chat, or a group chat of
    /// their organisation (the curators' or the head's).
    async fn may_act_here(&self, who: &Who) -> Result<bool, CoreError> {
        if who.in_private() {
            return Ok(true);
        }
        let groups = self.store.group_chat(who.chat()).await?;
        Ok(groups.iter().any(|g| match g {
            GroupChat::Curators(o) | GroupChat::Head(o) => *o == who.org(),
            GroupChat::Discussion { .. } => false,
        }))
    }

    /// Applies a command and answers the press at once with `ok` (what changed), or the
    /// refusal; the card pressed is redrawn before the incident's other cards.
    pub(crate) async fn press_command(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        command: Command,
        ok: String,
        pressed: Option<PressedCard>,
    ) -> Result<Reply, CoreError> {
        Ok(
            match self
                .transition_pressed(rules, actor, record, &command, pressed)
                .await?
            {
                Ok(_) => Reply::toast(ok),
                Err(e) => self.refused(&e),
            },
        )
    }

    /// Asks for typed input: remembers the step and sends the prompt. Pressed in a group, the
    /// question goes to the presser's private chat and is answered there (the group's minute is
    /// for what everyone needs to see); the press says so.
    pub(crate) async fn ask(
        &self,
        who: &Who,
        pending: Pending,
        prompt: String,
    ) -> Result<Reply, CoreError> {
        if who.in_private() {
            self.set_pending(who, &pending).await?;
            return Ok(Reply::say(View::prompt(prompt)));
        }
        let Some(private) = who.in_private_chat() else {
            return Ok(Reply::alert(self.texts.t("err-open-private-chat")));
        };
        self.set_pending(&private, &pending).await?;
        Ok(Reply {
            toast: Some(Toast {
                text: self.texts.t("ok-continue-in-private"),
                alert: false,
            }),
            to_person: vec![View::prompt(prompt)],
            ..Reply::default()
        })
    }

    /// A button press by `who`. `pressed` is the message the button was on.
    pub async fn press(
        &self,
        who: &Who,
        action: Action,
        pressed: Option<i64>,
    ) -> Result<Reply, CoreError> {
        // A button works in the person's own chat with the bot and in their organisation's
        // groups; a card copied (or forged) into any other group does nothing there, so no
        // incident's content can be drawn into a foreign chat.
        if !self.may_act_here(who).await? {
            return Ok(self.outdated());
        }
        let Some(id) = action.incident() else {
            return match action {
                Action::Report { span } => self.press_report(who, span).await,
                _ => self.press_overview(who, action).await,
            };
        };
        // One read of the incident (with its organisation's directory version); another
        // organisation's incident is as good as unknown.
        let Some((record, rules)) = self.incident_and_rules(who.org(), id).await? else {
            return Ok(self.outdated());
        };
        let actor = self.actor_in(&rules, who).await?;
        let may = |deed: Deed| permitted(&actor, deed, &record.workflow, rules.regulation());
        let number = Arg::Num(record.number);
        let inc = record.id;
        let card = pressed.map(|message| PressedCard {
            chat: who.chat(),
            message,
        });
        let t = |key: &str| self.texts.t(key);
        match action {
            Action::Accept { part, .. } => {
                self.press_command(
                    &rules,
                    &actor,
                    record,
                    Command::Accept { part },
                    t("ok-accepted"),
                    card,
                )
                .await
            }
            Action::StartDraft { part, kind, .. } => {
                self.start_draft(who, &rules, &actor, record, part, kind)
                    .await
            }
            Action::DraftFrom { part, source, .. } => {
                self.draft_from(who, &rules, &actor, record, part, source)
                    .await
            }
            Action::Templates { part, .. } => {
                self.template_list(&rules, &actor, record, part).await
            }
            Action::DraftFromTemplate { part, template, .. } => {
                self.draft_from_template(who, &rules, &actor, record, part, template)
                    .await
            }
            Action::Return { part, .. } => {
                self.ask_return_reason(&rules, &actor, record, part).await
            }
            Action::ReturnWith { part, reason, .. } => {
                self.return_with(who, &rules, &actor, record, part, reason)
                    .await
            }
            Action::AttachmentsDone { .. } => self.attachments_done(who, &rules, record).await,
            Action::SendDraft { .. } => self.send_draft(who, &rules, &actor, record).await,
            Action::EditDraft { .. } => self.edit_draft(who, record).await,
            Action::CancelDraft { .. } => self.cancel_draft(who).await,
            Action::Approve { part, version, .. } => {
                let command = Command::Approve {
                    part,
                    version: Some(version),
                };
                self.press_command(&rules, &actor, record, command, t("ok-approved"), card)
                    .await
            }
            Action::Rework { part, version, .. } => {
                self.ask_rework_comment(who, &rules, &actor, record, part, version)
                    .await
            }
            Action::HandedOver { part, .. } => {
                self.handed_over(&rules, &actor, record, card, part).await
            }
            Action::Published { part, .. } => {
                self.ask_publication_link(who, &rules, &actor, record, part)
                    .await
            }
            Action::AppealNumber { .. } => {
                if let Err(e) = may(Deed::RecordAppealRegistration) {
                    return Ok(self.refused(&e));
                }
                let prompt = self.texts.tf("ask-appeal-number", &[("number", number)]);
                self.ask(who, Pending::AppealRegistration { inc }, prompt)
                    .await
            }
            Action::GeneralInterest { .. } => {
                self.general_interest(&rules, &actor, record, card).await
            }
            Action::ExplanationBack { .. } => {
                if let Err(e) = may(Deed::ReturnPreparedExplanation) {
                    return Ok(self.refused(&e));
                }
                let prompt = self.texts.tf("ask-explanation-back", &[("number", number)]);
                self.ask(who, Pending::ExplanationBackComment { inc }, prompt)
                    .await
            }
            Action::CrossPostLinks { .. } => {
                if let Err(e) = may(Deed::RecordCrossPosts) {
                    return Ok(self.refused(&e));
                }
                let prompt = self.texts.tf("ask-cross-post-links", &[("number", number)]);
                self.ask(who, Pending::CrossPostLinks { inc }, prompt).await
            }
            Action::Repeat { .. } => {
                if let Err(e) = may(Deed::Classify) {
                    return Ok(self.refused(&e));
                }
                let prompt = self.texts.tf("ask-repeat", &[("number", number)]);
                self.ask(who, Pending::RepeatOf { inc }, prompt).await
            }
            Action::ReturnToSource { .. } => {
                if let Err(e) = may(Deed::ReturnToSource) {
                    return Ok(self.refused(&e));
                }
                let prompt = self.texts.tf("ask-return-to-source", &[("number", number)]);
                self.ask(who, Pending::ReturnToSourceReason { inc }, prompt)
                    .await
            }
            Action::CannotPublish { part, .. } => {
                if let Err(e) = may(Deed::ReportCannotPublish { part }) {
                    return Ok(self.refused(&e));
                }
                let prompt = self.texts.tf("ask-cannot-publish", &[("number", number)]);
                self.ask(who, Pending::CannotPublishReason { inc, part }, prompt)
                    .await
            }
            Action::AuthorReplied { part, .. } => {
                self.press_author_replied(who, &rules, &actor, &record, part)
                    .await
            }
            Action::ClarificationPosted { part, .. } => {
                self.press_clarification_posted(&rules, &actor, record, part, card)
                    .await
            }
            Action::ShowAll { .. } => self.show_full_text(&rules, &actor, record).await,
            Action::Importance { high, .. } => {
                self.set_importance(&rules, &actor, record, card, high)
                    .await
            }
            Action::ToggleDepartment { dept, .. } => {
                self.toggle_department(who, &rules, &actor, record, pressed, dept)
                    .await
            }
            Action::Route { .. } => self.route_ticked(who, &rules, &actor, record, card).await,
            Action::NoAnswer { .. } => {
                if let Err(e) = may(Deed::MarkNoAnswer) {
                    return Ok(self.refused(&e));
                }
                Ok(Reply::say(cards::no_answer_reasons(&self.texts, &record)))
            }
            Action::NoAnswerWith { reason, .. } => {
                self.no_answer_with(&rules, &actor, record, reason).await
            }
            Action::Explanation { part, .. } => {
                self.explanation_kinds(&rules, &actor, record, part).await
            }
            Action::ExplanationWith { kind, part, .. } => {
                self.explanation_template(who, &rules, &actor, record, kind, part)
                    .await
            }
            Action::Reroute { part, dept, .. } => {
                self.reroute_to(&rules, &actor, record, card, part, dept)
                    .await
            }
            Action::SetTopic { .. } | Action::SetLocation { .. } => {
                if let Err(e) = may(Deed::Classify) {
                    return Ok(self.refused(&e));
                }
                let (pending, key) = match action {
                    Action::SetTopic { .. } => (Pending::Topic { inc }, "ask-topic"),
                    _ => (Pending::Location { inc }, "ask-location"),
                };
                let prompt = self.texts.tf(key, &[("number", number)]);
                self.ask(who, pending, prompt).await
            }
            Action::Appeal { .. } => {
                if let Err(e) = may(Deed::ConvertToAppeal) {
                    return Ok(self.refused(&e));
                }
                let prompt = self.texts.tf("ask-appeal-consent", &[("number", number)]);
                self.ask(who, Pending::AppealConsent { inc }, prompt).await
            }
            Action::WriteConsolidated { .. } => {
                if let Err(e) = may(Deed::WriteConsolidated) {
                    return Ok(self.refused(&e));
                }
                let prompt = self.texts.tf("ask-consolidated", &[("number", number)]);
                self.ask(who, Pending::Consolidated { inc }, prompt).await
            }
            Action::OpenCard { .. } => self.open_card(who, &rules, &actor, record).await,
            Action::Page { .. } | Action::Report { .. } => self.press_overview(who, action).await,
            Action::AnswerMyself { .. } | Action::SendOwnAnswer { .. } => {
                let by = (rules.as_ref(), &actor);
                self.press_own_answer(who, action, by, record).await
            }
            Action::DutyAnswer { answer, .. } => {
                self.answer_duty_alert(&rules, &actor, record, card, answer)
                    .await
            }
        }
    }

    /// Applies a domain command to an incident as a person (administrative tools and tests; the
    /// messenger adapters go through `press` and `message`). `Ok(Err(_))` is the refusal.
    pub async fn apply_as(
        &self,
        who: &Who,
        incident: crate::domain::IncidentId,
        command: Command,
    ) -> Result<Result<IncidentRecord, Toast>, CoreError> {
        let (rules, actor) = self.actor_of(who).await?;
        let Some(record) = self.incident_of(who.org(), incident).await? else {
            return Ok(Err(self.refusal(&TransitionError::NoSuchPart(0))));
        };
        Ok(
            match self.transition(&rules, &actor, record, &command).await? {
                Ok(done) => Ok(done.record),
                Err(e) => Err(self.refusal(&e)),
            },
        )
    }

    /// A page of an overview, drawn in place of the pressed message.
    async fn press_overview(&self, who: &Who, action: Action) -> Result<Reply, CoreError> {
        let Action::Page { list, page } = action else {
            return Ok(self.outdated());
        };
        let (rules, actor) = self.actor_of(who).await?;
        let view = self.overview(&rules, &actor, list, page).await?;
        Ok(Reply {
            edit: Some(view),
            ..Reply::default()
        })
    }
}

/// A few random letters, so two presses in one millisecond make two messages.
pub(crate) fn rand_suffix() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 6)
}

impl Core {
    /// Sends the card the presser would act on to their private chat.
    pub(crate) async fn open_card(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
    ) -> Result<Reply, CoreError> {
        let may = |deed: Deed| permitted(actor, deed, &record.workflow, rules.regulation());
        let number = Arg::Num(record.number);
        if let Err(e) = may(Deed::ReadFullText) {
            return Ok(self.refused(&e));
        }
        // The card the presser would act on, sent to their private chat (from a group
        // too: what one person works on does not spend the group's minute), as a card
        // later changes redraw.
        let notice = self.draw(rules, &[], None).relevant_notice(&record, actor);
        // Their private chat in the messenger they pressed in.
        let recipient = match who.private_chat() {
            Some(chat) => crate::storage::Recipient::Chat(chat),
            None => crate::storage::Recipient::Person(who.person()),
        };
        let row = crate::storage::OutboxRow {
            incident: None,
            recipient,
            kind: notice.kind().into(),
            payload: notice.to_json(),
            lane: Lane::Answer.number(),
            key: format!(
                "open:{}:{}:{}",
                who.person(),
                self.now().timestamp_millis(),
                rand_suffix()
            ),
        };
        self.store
            .enqueue(record.org, Some(record.id), &[row], self.now())
            .await?;
        self.wake_delivery();
        Ok(if who.in_private() {
            Reply::nothing()
        } else {
            Reply::toast(self.texts.tf("ok-card-in-private", &[("number", number)]))
        })
    }
}
