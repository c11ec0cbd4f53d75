//! A part handed back by its department: returned by whoever decides the reason, or — under the
//! competence check (Barnaul §5 ¶1) — proposed by the executor to the department head, who
//! decides the department's competence.

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
