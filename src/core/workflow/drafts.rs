//! The draft's last steps on its preview card: attachments done, send for approval, edit the
//! text again, or cancel. The text itself is typed in `input.rs`.

use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::{Line, Toast, View};
use crate::core::workflow::pending::Pending;
use crate::core::{Core, CoreError, Who};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, Command};
use crate::texts::Arg;

impl Core {
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
            .draft_preview(&record, kind, &text, files.len());
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
        let preview = self
            .draw(rules, &[], None)
            .draft_preview(&record, kind, &text, files.len());
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

    pub(crate) async fn cancel_draft(&self, who: &Who) -> Result<Reply, CoreError> {
        self.clear_pending(who).await?;
        Ok(Reply {
            edit: Some(View::text(self.texts.t("draft-cancelled"))),
            ..Reply::default()
        })
    }
}
