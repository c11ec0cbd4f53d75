//! Explanations instead of an answer (Vorsino 2.7–2.7.1, Sakhalin 3.6–3.7): written from a
//! template whose «[…]» must be filled, by the party the regulation names — the curator, or the
//! department for the curator to send (Sakhalin 3.7 ¶2).

use crate::core::cards;
use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::View;
use crate::core::workflow::pending::Pending;
use crate::core::{Core, CoreError, Who};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, Command, ExplanationKind, TransitionError};
use crate::domain::permission::{permitted, Deed};
use crate::domain::IncidentId;
use crate::texts::Arg;

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

impl Core {
    /// «📄 Разъяснение»: the kinds the regulation provides, or the department's prepared one sent as
    /// it is.
    pub(crate) async fn explanation_kinds(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        part: Option<usize>,
    ) -> Result<Reply, CoreError> {
        let may = |deed: Deed| permitted(actor, deed, &record.workflow, rules.regulation());
        let number = Arg::Num(record.number);
        if let Err(e) = may(explain_deed(part)) {
            return Ok(self.refused(&e));
        }
        // Sakhalin 3.7 ¶2: the curator sends what the department prepared, as it is.
        if let (None, Some(prepared)) = (part, record.workflow.prepared_explanation.clone()) {
            let cmd = Command::SendExplanation {
                kind: prepared.kind,
                text: prepared.text.clone(),
            };
            // Under a channel comment Otklik posts it itself.
            let key = if record.reply_to.is_some() {
                "explanation-prepared-sent-auto"
            } else {
                "explanation-prepared-sent"
            };
            return match self.transition(rules, actor, record, &cmd).await? {
                Ok(_) => Ok(Reply::say(View::text(self.texts.tf(
                    key,
                    &[("number", number), ("text", Arg::from(&prepared.text))],
                )))),
                Err(e) => Ok(self.refused(&e)),
            };
        }
        Ok(Reply::say(cards::explanation_kinds(
            &self.texts,
            &record,
            part,
            &rules.regulation().workflow.explanations,
        )))
    }

    /// A kind chosen: asks for the text, from the kind's template.
    pub(crate) async fn explanation_template(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        kind: ExplanationKind,
        part: Option<usize>,
    ) -> Result<Reply, CoreError> {
        let may = |deed: Deed| permitted(actor, deed, &record.workflow, rules.regulation());
        let inc = record.id;
        let number = Arg::Num(record.number);
        if let Err(e) = may(explain_deed(part)) {
            return Ok(self.refused(&e));
        }
        // A button of a kind the regulation does not provide (an old card, a forged one).
        if !rules.regulation().workflow.explanations.contains(&kind) {
            return Ok(self.refused(&TransitionError::NotInRegulation(
                "this kind of explanation",
            )));
        }
        // Vorsino 2.7.1, Sakhalin 3.7: the template is edited before it goes out (the
        // competent body, the appeal procedure, the site's address).
        let prompt = format!(
            "{}\n\n{}",
            self.texts.tf("ask-explanation-text", &[("number", number)]),
            self.texts.t(cards::explanation_template(kind))
        );
        self.ask(who, Pending::ExplanationText { inc, kind, part }, prompt)
            .await
    }
}

/// The curator's explanation (`None`), or one the part's department prepares.
fn explain_deed(part: Option<usize>) -> Deed {
    part.map_or(Deed::Explain, |part| Deed::PrepareExplanation { part })
}
