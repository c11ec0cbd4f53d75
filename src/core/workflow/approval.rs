//! Sending a draft back for rework: the press that asks why, the comment typed, and the
//! rework deadline where the curator sets it.

use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::View;
use crate::core::workflow::parse::parse_local_datetime;
use crate::core::workflow::pending::Pending;
use crate::core::{Core, CoreError, Who};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::*;
use crate::domain::permission::{permitted, Deed};
use crate::domain::regulation::*;
use crate::domain::IncidentId;
use crate::texts::Arg;

impl Core {
    /// The rework comment typed: sends the draft back, or asks for the rework deadline.
    pub(crate) async fn rework_comment_typed(
        &self,
        who: &Who,
        text: &str,
        inc: IncidentId,
        part: usize,
        version: u32,
    ) -> Result<Reply, CoreError> {
        let prompt = |key: &str| Ok(Reply::say(View::prompt(self.t(key))));
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

    /// The rework deadline typed: sends the draft back with it.
    pub(crate) async fn rework_deadline_typed(
        &self,
        who: &Who,
        text: &str,
        inc: IncidentId,
        part: usize,
        version: u32,
        comment: String,
    ) -> Result<Reply, CoreError> {
        let prompt = |key: &str| Ok(Reply::say(View::prompt(self.t(key))));
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

    /// «🔁 На доработку»: asks why (and, where the curator sets it, for the rework deadline next).
    pub(crate) async fn ask_rework_comment(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        part: usize,
        version: u32,
    ) -> Result<Reply, CoreError> {
        let may = |deed: Deed| permitted(actor, deed, &record.workflow, rules.regulation());
        let inc = record.id;
        let number = Arg::Num(record.number);
        if let Err(e) = may(Deed::Rework { part }) {
            return Ok(self.refused(&e));
        }
        let current = record
            .workflow
            .parts
            .get(part)
            .and_then(|p| p.current_draft())
            .map(|d| d.version);
        if current != Some(version) {
            return Ok(Reply::alert(self.texts.t("err-stale")));
        }
        let prompt = self.texts.tf("ask-rework-comment", &[("number", number)]);
        self.ask(who, Pending::ReworkComment { inc, part, version }, prompt)
            .await
    }
}
