//! The curator's own answer to an emergency on days off (Vorsino 2.10, Yuzhno-Sakhalinsk 3.9):
//! «Ответить самому» on the curators' card asks, in the presser's private chat, for the text
//! (a photo or document may come with it), shows it as it will go out with the draft checks'
//! warnings, and on «Ответить» records it as the incident's approved answer. Then it is published
//! as any approved answer: by Otklik itself under a channel comment, otherwise by the curator,
//! who is asked for the link at once. The duty officer's answer to the weekend alert («✅ Беру»,
//! or handed to the dispatch service) is here too.

use crate::core::notices::PressedCard;
use crate::domain::incident::*;

use crate::core::action::Action;
use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::{Line, Toast, View};
use crate::core::workflow::input::Input;
use crate::core::workflow::pending::Pending;
use crate::core::{Core, CoreError, Who};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, Command, DraftKind};
use crate::domain::permission::{permitted, Deed};
use crate::domain::IncidentId;
use crate::texts::Arg;

impl Core {
    /// A press of «Ответить самому», «Ответить» or «Изменить» on the own answer's preview.
    pub(crate) async fn press_own_answer(
        &self,
        who: &Who,
        action: Action,
        (rules, actor): (&OrgRules, &Actor),
        record: IncidentRecord,
    ) -> Result<Reply, CoreError> {
        let inc = record.id;
        if let Err(e) = permitted(
            actor,
            Deed::AnswerAsCurator,
            &record.workflow,
            rules.regulation(),
        ) {
            return Ok(Reply {
                toast: Some(self.refusal(&e)),
                ..Reply::default()
            });
        }
        let number = Arg::Num(record.number);
        if !matches!(action, Action::SendOwnAnswer { .. }) {
            let prompt = self.tf("ask-own-answer", &[("number", number)]);
            return self.ask(who, Pending::OwnAnswerText { inc }, prompt).await;
        }
        let Some(Pending::OwnAnswerPreview {
            inc: pending_inc,
            text,
            files,
        }) = self.pending(who).await?
        else {
            return Ok(Reply::toast(self.t("already-done")));
        };
        if pending_inc != inc {
            return Ok(Reply::alert(self.t("err-wrong-state")));
        }
        let auto = record.reply_to.is_some();
        let command = Command::AnswerAsCurator {
            text,
            attachments: files,
        };
        let done = match self.transition(rules, actor, record, &command).await? {
            Ok(done) => done,
            Err(e) => {
                return Ok(Reply {
                    toast: Some(self.refusal(&e)),
                    ..Reply::default()
                })
            }
        };
        self.clear_pending(who).await?;
        let number = || Arg::Num(done.record.number);
        let recorded = self.tf("own-answer-recorded", &[("number", number())]);
        let mut reply = Reply {
            toast: Some(Toast {
                text: recorded.clone(),
                alert: false,
            }),
            edit: Some(View::text(recorded)),
            ..Reply::default()
        };
        // Otklik replies under a channel comment itself; elsewhere the curator posts it now.
        if auto {
            reply.send.push(View::text(
                self.tf("own-answer-auto", &[("number", number())]),
            ));
        } else {
            self.set_pending(who, &Pending::PublishLink { inc, part: None })
                .await?;
            reply.send.push(View::prompt(
                self.tf("ask-own-answer-link", &[("number", number())]),
            ));
        }
        Ok(reply)
    }

    /// The own answer's text, typed after «Ответить самому»: its preview with the warnings.
    pub(crate) async fn own_answer_text(
        &self,
        who: &Who,
        inc: IncidentId,
        input: &Input,
        text: &str,
    ) -> Result<Reply, CoreError> {
        if text.is_empty() {
            return Ok(Reply::say(View::prompt(self.t("draft-empty"))));
        }
        let Some((record, rules)) = self.incident_and_rules(who.org(), inc).await? else {
            self.clear_pending(who).await?;
            return Ok(Reply::say(View::text(self.t("err-wrong-state"))));
        };
        let files: Vec<String> = input.attachment.iter().cloned().collect();
        let mut preview =
            self.draw(&rules, &[], None)
                .draft_preview(&record, DraftKind::Answer, text, &files);
        preview.lines[0] =
            Line::Text(self.tf("own-answer-preview", &[("number", Arg::Num(record.number))]));
        let button = |key: &str, action| crate::core::view::Button {
            label: self.t(key),
            action,
        };
        preview.buttons = vec![
            vec![button("btn-own-answer-send", Action::SendOwnAnswer { inc })],
            vec![
                button("btn-edit", Action::AnswerMyself { inc }),
                button("btn-cancel", Action::CancelDraft { inc }),
            ],
        ];
        let pending = Pending::OwnAnswerPreview {
            inc,
            text: text.to_string(),
            files,
        };
        self.set_pending(who, &pending).await?;
        Ok(Reply::say(preview))
    }
}

impl Core {
    /// The duty officer's answer to the weekend alert: taken, or handed to the dispatch service.
    pub(crate) async fn answer_duty_alert(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        card: Option<PressedCard>,
        answer: DutyAnswerKind,
    ) -> Result<Reply, CoreError> {
        let t = |key: &str| self.texts.t(key);
        let key = match answer {
            crate::domain::incident::DutyAnswerKind::Taken => "ok-duty-taken",
            crate::domain::incident::DutyAnswerKind::HandedToDispatch => "ok-duty-dispatched",
        };
        self.press_command(
            rules,
            actor,
            record,
            Command::AnswerDutyAlert { answer },
            t(key),
            card,
        )
        .await
    }
}
