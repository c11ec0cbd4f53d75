//! A draft from the button to approval: «✍️ Подготовить ответ» (accepting the part first where
//! needed), the text and files typed after the prompt, and the preview card's buttons — send for
//! approval, edit the text again, or cancel.

use crate::core::workflow::input::Input;
use crate::domain::incident::*;
use crate::domain::permission::{may_start_draft, permitted, Deed};
use crate::domain::IncidentId;

use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::{Line, Toast, View};
use crate::core::workflow::pending::Pending;
use crate::core::{Core, CoreError, Who};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, Command};
use crate::texts::Arg;

impl Core {
    /// «✅ Готово» after the files: the draft's preview.
    pub(crate) async fn attachments_done(
        &self,
        who: &Who,
        rules: &OrgRules,
        record: IncidentRecord,
    ) -> Result<Reply, CoreError> {
        let inc = record.id;
        let Some(Pending::DraftAttachments {
            inc: pending_inc,
            part,
            kind,
            text,
            files,
        }) = self.pending(who).await?
        else {
            return Ok(self.outdated());
        };
        if pending_inc != inc {
            return Ok(self.outdated());
        }
        let preview = self
            .draw(rules, &[], None)
            .draft_preview(&record, kind, &text, &files);
        self.set_pending(
            who,
            &Pending::DraftPreview {
                inc,
                part,
                kind,
                text,
                files,
            },
        )
        .await?;
        Ok(Reply::say(preview))
    }

    /// «📤 На согласование» on the preview.
    pub(crate) async fn send_draft(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
    ) -> Result<Reply, CoreError> {
        let inc = record.id;
        let Some(Pending::DraftPreview {
            inc: pending_inc,
            part,
            kind,
            text,
            files,
        }) = self.pending(who).await?
        else {
            return Ok(Reply::toast(self.texts.t("already-done")));
        };
        if pending_inc != inc {
            return Ok(self.outdated());
        }
        // A template's fields must be filled in first (an old preview's button is refused too).
        let fields = crate::domain::templates::blanks(&text);
        if !fields.is_empty() {
            let fields = fields.join(", ");
            return Ok(Reply::alert(
                self.texts
                    .tf("draft-blanks", &[("fields", Arg::from(&fields))]),
            ));
        }
        let preview = self
            .draw(rules, &[], None)
            .draft_preview(&record, kind, &text, &files);
        let command = Command::SubmitDraft {
            part,
            kind,
            text,
            attachments: files,
        };
        match self.transition(rules, actor, record, &command).await? {
            Ok(_) => {
                self.clear_pending(who).await?;
                let mut sent = preview;
                sent.buttons.clear();
                sent.lines.push(Line::Blank);
                sent.lines.push(Line::Text(self.texts.t("draft-sent")));
                Ok(Reply {
                    toast: Some(Toast {
                        text: self.texts.t("draft-sent"),
                        alert: false,
                    }),
                    edit: Some(sent),
                    ..Reply::default()
                })
            }
            Err(e) => Ok(self.refused(&e)),
        }
    }

    /// «✏️ Изменить» on the preview: asks for the text again.
    pub(crate) async fn edit_draft(
        &self,
        who: &Who,
        record: IncidentRecord,
    ) -> Result<Reply, CoreError> {
        let inc = record.id;
        let number = Arg::Num(record.number);
        let Some(Pending::DraftPreview {
            inc: pending_inc,
            part,
            kind,
            ..
        }) = self.pending(who).await?
        else {
            return Ok(self.outdated());
        };
        if pending_inc != inc {
            return Ok(self.outdated());
        }
        let prompt = self.texts.tf("ask-draft-text", &[("number", number)]);
        self.ask(who, Pending::DraftText { inc, part, kind }, prompt)
            .await
    }

    /// «✖️ Отмена» on the preview.
    pub(crate) async fn cancel_draft(&self, who: &Who) -> Result<Reply, CoreError> {
        self.clear_pending(who).await?;
        Ok(Reply {
            edit: Some(View::text(self.texts.t("draft-cancelled"))),
            ..Reply::default()
        })
    }
}

/// What a draft opens with: its text, and the lines that show it.
pub(crate) struct DraftStart {
    pub text: String,
    pub lines: Vec<Line>,
}

impl Core {
    /// «✍️ Подготовить ответ» (or a clarification request): accepts the part first where needed, then
    /// asks for the text.
    pub(crate) async fn start_draft(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        part: usize,
        kind: DraftKind,
    ) -> Result<Reply, CoreError> {
        let inc = record.id;
        let number = Arg::Num(record.number);
        if let Some(refusal) = self
            .open_for_draft(rules, actor, record, part, kind)
            .await?
        {
            return Ok(refusal);
        }
        let key = match kind {
            DraftKind::Answer => "ask-draft-text",
            DraftKind::Interim => "ask-interim-text",
            DraftKind::Clarification => "ask-clarification-text",
        };
        let prompt = self.texts.tf(key, &[("number", number)]);
        self.ask(who, Pending::DraftText { inc, part, kind }, prompt)
            .await
    }

    /// Whether the actor may start this draft now, accepting a part still routed (starting
    /// the answer accepts it); `Some(reply)` is the refusal to show instead.
    pub(crate) async fn open_for_draft(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        part: usize,
        kind: DraftKind,
    ) -> Result<Option<Reply>, CoreError> {
        if let Some(refusal) = self.draft_refusal(rules, actor, &record, part, kind) {
            return Ok(Some(refusal));
        }
        let routed = record
            .workflow
            .parts
            .get(part)
            .is_some_and(|p| p.state == PartState::Routed);
        if routed {
            if let Err(e) = self
                .transition(rules, actor, record, &Command::Accept { part })
                .await?
            {
                return Ok(Some(self.refused(&e)));
            }
        }
        Ok(None)
    }

    /// Why the actor may not start this draft now (`None`: they may).
    pub(crate) fn draft_refusal(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: &IncidentRecord,
        part: usize,
        kind: DraftKind,
    ) -> Option<Reply> {
        if may_start_draft(actor, part, kind, &record.workflow, rules.regulation()) {
            return None;
        }
        let deed = Deed::Draft { part, kind };
        Some(
            match permitted(actor, deed, &record.workflow, rules.regulation()) {
                Err(e) => self.refused(&e),
                Ok(()) => self.outdated(),
            },
        )
    }

    /// Opens an answer's draft with a text to start from (an earlier answer, a template): the
    /// part accepted where needed, the text kept as the draft, and `lines` shown with «Готово»;
    /// a corrected text sent next replaces it, photos may follow.
    pub(crate) async fn open_draft_with(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        part: usize,
        start: DraftStart,
    ) -> Result<Reply, CoreError> {
        let DraftStart { text, lines } = start;
        let (inc, kind) = (record.id, DraftKind::Answer);
        if let Some(refusal) = self
            .open_for_draft(rules, actor, record, part, kind)
            .await?
        {
            return Ok(refusal);
        }
        let files = Vec::new();
        self.set_pending(
            who,
            &Pending::DraftAttachments {
                inc,
                part,
                kind,
                text,
                files,
            },
        )
        .await?;
        let view = View {
            lines,
            ..View::default()
        };
        Ok(Reply::say(view.with_buttons(vec![vec![
            crate::core::view::Button {
                label: self.texts.t("btn-attachments-done"),
                action: crate::core::Action::AttachmentsDone { inc },
            },
        ]])))
    }

    /// The draft's text typed: asks for files next, or shows the preview.
    pub(crate) async fn draft_text_typed(
        &self,
        who: &Who,
        input: &Input,
        text: &str,
        inc: IncidentId,
        part: usize,
        kind: DraftKind,
    ) -> Result<Reply, CoreError> {
        let prompt = |key: &str| Ok(Reply::say(View::prompt(self.t(key))));
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

    /// A file (or more text) sent while the draft collects its files.
    pub(crate) async fn draft_attachment_sent(
        &self,
        who: &Who,
        input: &Input,
        text: &str,
        step: Pending,
    ) -> Result<Reply, CoreError> {
        let Pending::DraftAttachments {
            inc,
            part,
            kind,
            text: draft,
            mut files,
        } = step
        else {
            return Ok(self.outdated());
        };
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

    /// The prompt for a draft's files, with «Готово».
    fn attachments_prompt(&self, inc: IncidentId, text: String) -> View {
        View::text(text).with_buttons(vec![vec![crate::core::view::Button {
            label: self.t("btn-attachments-done"),
            action: crate::core::Action::AttachmentsDone { inc },
        }]])
    }
}
