//! The answer's outcome from its card: published (the link asked for), handed over, of general
//! interest, or no answer with its reason.

use crate::core::notices::PressedCard;
use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::View;
use crate::core::workflow::pending::Pending;
use crate::core::{Core, CoreError, Who};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::*;
use crate::domain::permission::{permitted, Deed};
use crate::texts::Arg;

impl Core {
    /// «📨 Передан в департамент»: the approved answer handed over instead of published.
    pub(crate) async fn handed_over(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        card: Option<PressedCard>,
        part: Option<usize>,
    ) -> Result<Reply, CoreError> {
        let t = |key: &str| self.texts.t(key);
        self.press_command(
            rules,
            actor,
            record,
            Command::HandOver { part },
            t("ok-handed-over"),
            card,
        )
        .await
    }

    /// «🔗 Опубликовано»: asks for the link (refused at the press, not after the link is typed).
    pub(crate) async fn ask_publication_link(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        part: Option<usize>,
    ) -> Result<Reply, CoreError> {
        let may = |deed: Deed| permitted(actor, deed, &record.workflow, rules.regulation());
        let inc = record.id;
        let number = Arg::Num(record.number);
        // Refused at the press, not after the link was typed.
        if let Err(e) = may(Deed::Publish { part }) {
            return Ok(self.refused(&e));
        }
        let prompt = self.texts.tf("ask-link", &[("number", number)]);
        self.ask(who, Pending::PublishLink { inc, part }, prompt)
            .await
    }

    /// Marks (or unmarks) the answer as of general interest.
    pub(crate) async fn general_interest(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        card: Option<PressedCard>,
    ) -> Result<Reply, CoreError> {
        let t = |key: &str| self.texts.t(key);
        let on = !record.workflow.general_interest;
        let ok = if on {
            "ok-general-interest"
        } else {
            "ok-general-interest-off"
        };
        let cmd = Command::SetGeneralInterest { on };
        self.press_command(rules, actor, record, cmd, t(ok), card)
            .await
    }

    /// A reason chosen for leaving the message without an answer.
    pub(crate) async fn no_answer_with(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        reason: NoAnswerReason,
    ) -> Result<Reply, CoreError> {
        match self
            .transition(rules, actor, record, &Command::MarkNoAnswer { reason })
            .await?
        {
            Ok(done) => Ok(Reply {
                edit: Some(View::text(self.texts.tf(
                    "no-answer-done",
                    &[("number", Arg::Num(done.record.number))],
                ))),
                ..Reply::default()
            }),
            Err(e) => Ok(self.refused(&e)),
        }
    }
}
