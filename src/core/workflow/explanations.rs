//! Explanations instead of an answer (Vorsino 2.7–2.7.1, Sakhalin 3.6–3.7): written from a
//! template whose «[…]» must be filled, by the party the regulation names — the curator, or the
//! department for the curator to send (Sakhalin 3.7 ¶2).

use crate::core::reply::Reply;
use crate::core::view::View;
use crate::core::{Core, CoreError, Who};
use crate::domain::incident::{Command, ExplanationKind};
use crate::domain::IncidentId;

impl Core {
    /// The curator's reason for sending a department's explanation back.
    pub(crate) async fn explanation_back(
        &self,
        who: &Who,
        inc: IncidentId,
        text: &str,
    ) -> Result<Reply, CoreError> {
        if text.is_empty() {
            return Ok(Reply::say(View::prompt(self.t("bad-comment"))));
        }
        let cmd = Command::ReturnPreparedExplanation {
            comment: text.to_string(),
        };
        self.finish(who, inc, cmd, "explanation-returned").await
    }

    /// The explanation's text, typed after choosing its kind: recorded as sent (the curator) or
    /// handed to the curators (a department, `part`).
    pub(crate) async fn explanation_text(
        &self,
        who: &Who,
        inc: IncidentId,
        kind: ExplanationKind,
        part: Option<usize>,
        text: &str,
    ) -> Result<Reply, CoreError> {
        let prompt = |key: &str| Ok(Reply::say(View::prompt(self.t(key))));
        if text.is_empty() {
            return prompt("bad-comment");
        }
        // A template's «[…]» left unfilled would reach the author as is.
        if text.contains('[') && text.contains(']') {
            return prompt("explanation-fill-placeholders");
        }
        let text = text.to_string();
        match part {
            Some(part) => {
                let cmd = Command::PrepareExplanation { part, kind, text };
                self.finish(who, inc, cmd, "explanation-prepared").await
            }
            None => {
                // Under a comment in the organisation's channel Otklik posts it itself.
                let posted_by_otklik = self
                    .incident_of(who.org(), inc)
                    .await?
                    .is_some_and(|r| r.reply_to.is_some());
                let done = if posted_by_otklik {
                    "explanation-recorded-auto"
                } else {
                    "explanation-recorded"
                };
                let cmd = Command::SendExplanation { kind, text };
                self.finish(who, inc, cmd, done).await
            }
        }
    }
}
