//! A part handed back by its department: returned by whoever decides the reason, or — under the
//! competence check (Barnaul §5 ¶1) — proposed by the executor to the department head, who
//! decides the department's competence.

use crate::core::cards;
use crate::core::org::OrgRules;
use crate::core::workflow::pending::Pending;
use crate::domain::content::IncidentRecord;
use crate::domain::incident::*;
use crate::domain::permission::{permitted, Deed};
use crate::texts::Arg;

use crate::core::reply::Reply;
use crate::core::view::View;
use crate::core::{Core, CoreError, Who};
use crate::domain::incident::{Command, ReturnReason};
use crate::domain::permission::decides_return;
use crate::domain::IncidentId;

impl Core {
    /// The return of a part with its reason and comment, typed after choosing the reason.
    pub(crate) async fn return_part(
        &self,
        who: &Who,
        inc: IncidentId,
        part: usize,
        reason: ReturnReason,
        comment: String,
    ) -> Result<Reply, CoreError> {
        let (rules, actor) = self.actor_of(who).await?;
        let Some(record) = self.incident_of(who.org(), inc).await? else {
            self.clear_pending(who).await?;
            return Ok(Reply::say(View::text(self.t("err-wrong-state"))));
        };
        let decides = record
            .workflow
            .parts
            .get(part)
            .is_none_or(|p| decides_return(&actor, p, reason, rules.regulation()));
        if decides {
            let cmd = Command::Return {
                part,
                reason,
                comment,
            };
            return self.finish(who, inc, cmd, "ok-done").await;
        }
        let cmd = Command::ProposeReturn {
            part,
            reason,
            comment,
        };
        self.finish(who, inc, cmd, "ok-return-proposed").await
    }
}

impl Core {
    /// «↩️ Вернуть»: the reasons to choose from.
    pub(crate) async fn ask_return_reason(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        part: usize,
    ) -> Result<Reply, CoreError> {
        let may = |deed: Deed| permitted(actor, deed, &record.workflow, rules.regulation());
        if let Err(e) = may(Deed::Return { part }) {
            return Ok(self.refused(&e));
        }
        Ok(Reply::say(cards::return_reasons(
            &self.texts,
            &record,
            part,
        )))
    }

    /// A reason chosen: asks for the comment (the return, or under the competence check the
    /// proposal to the department head, is made when it is typed).
    pub(crate) async fn return_with(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        part: usize,
        reason: ReturnReason,
    ) -> Result<Reply, CoreError> {
        let may = |deed: Deed| permitted(actor, deed, &record.workflow, rules.regulation());
        let inc = record.id;
        let number = Arg::Num(record.number);
        if let Err(e) = may(Deed::Return { part }) {
            return Ok(self.refused(&e));
        }
        let draw = self.draw(rules, &[], None);
        let mut reply = self
            .ask(
                who,
                Pending::ReturnComment { inc, part, reason },
                self.texts.t("ask-return-comment"),
            )
            .await?;
        reply.edit = Some(View::text(self.texts.tf(
            "return-reason-chosen",
            &[
                ("number", number),
                ("reason", Arg::from(&draw.reason(reason))),
            ],
        )));
        Ok(reply)
    }
}
