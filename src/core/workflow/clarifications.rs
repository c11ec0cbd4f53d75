//! The buttons of a clarification request after its approval: «Запрос опубликован» — the
//! request reached the author, so the clock stops from this press (Borovichi §10; where Otklik
//! replies under the message itself, `delivery/publish.rs` records the posting) — and «Автор ответил».

use crate::core::notices::PressedCard;
use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::workflow::pending::Pending;
use crate::core::{Core, CoreError, Who};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, Command};
use crate::domain::permission::{permitted, Deed};
use crate::texts::Arg;

impl Core {
    /// «Запрос опубликован»: the request is recorded as posted now.
    pub(crate) async fn press_clarification_posted(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        part: usize,
        pressed: Option<PressedCard>,
    ) -> Result<Reply, CoreError> {
        let key = if rules.regulation().workflow.clarification_pauses_clock {
            "ok-clarification-posted-clock-stopped"
        } else {
            "ok-clarification-posted"
        };
        let ok = self.texts.t(key);
        let command = Command::RecordClarificationPosted { part };
        self.press_command(rules, actor, record, command, ok, pressed)
            .await
    }

    /// «Автор ответил»: asks for the author's reply (refused at the press, not after typing).
    pub(crate) async fn press_author_replied(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: &IncidentRecord,
        part: usize,
    ) -> Result<Reply, CoreError> {
        let deed = Deed::RecordAuthorReply { part };
        if let Err(e) = permitted(actor, deed, &record.workflow, rules.regulation()) {
            return Ok(self.refused(&e));
        }
        let prompt = self
            .texts
            .tf("ask-author-reply", &[("number", Arg::Num(record.number))]);
        let pending = Pending::AuthorReply {
            inc: record.id,
            part,
        };
        self.ask(who, pending, prompt).await
    }
}
