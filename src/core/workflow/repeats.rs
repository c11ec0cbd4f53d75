//! Repeated messages (Vorsino 2.8, Borovichi §18): the same author on the same topic, or under
//! the same post. Found at intake and again once the curator sets the topic; marked or unmarked
//! by a curator by hand. A topic set at triage is also checked for a burst (Barnaul §12).

use crate::core::reply::Reply;
use crate::core::view::View;
use crate::core::Who;
use crate::domain::permission::{permitted, Deed};

use chrono::DateTime;
use chrono::Utc;

use crate::core::org::OrgRules;
use crate::core::{Core, CoreError};
use crate::domain::content::IncidentRecord;
use crate::domain::{IncidentId, PersonId};
use crate::storage::OutboxRow;

/// What a curator typed for «🔁 Повтор»: the earlier message's number, or «-» to unmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatInput {
    Of(i64),
    NotARepeat,
}

impl RepeatInput {
    pub fn parse(text: &str) -> Option<RepeatInput> {
        let t = text.trim();
        if t == "-" || t == "—" {
            return Some(RepeatInput::NotARepeat);
        }
        t.trim_start_matches('№')
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(RepeatInput::Of)
    }
}

/// Why a repeat cannot be marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatRefusal {
    NoSuchNumber,
    NotEarlier,
}

fn redraw(at: DateTime<Utc>) -> OutboxRow {
    crate::core::notices::refresh_row(format!("repeat:{}", at.timestamp_micros()))
}

impl Core {
    /// A curator marks (or unmarks) the incident as a repeat of an earlier one by its number.
    pub(crate) async fn mark_repeat(
        &self,
        rules: &OrgRules,
        record: &IncidentRecord,
        input: RepeatInput,
        actor: PersonId,
    ) -> Result<Result<(), RepeatRefusal>, CoreError> {
        let earlier = match input {
            RepeatInput::NotARepeat => None,
            RepeatInput::Of(number) => {
                let Some(id) = self.store.incident_by_number(rules.org.id, number).await? else {
                    return Ok(Err(RepeatRefusal::NoSuchNumber));
                };
                if number >= record.number {
                    return Ok(Err(RepeatRefusal::NotEarlier));
                }
                Some(id)
            }
        };
        let now = self.now();
        self.store
            .set_repeat(rules.org.id, record.id, earlier, actor, now, &[redraw(now)])
            .await?;
        self.wake_delivery();
        Ok(Ok(()))
    }

    /// The topic was set after intake: the message may now be found to repeat an earlier one
    /// on that topic, and may complete a burst.
    pub(crate) async fn topic_set(
        &self,
        rules: &OrgRules,
        record: &IncidentRecord,
        topic: &str,
    ) -> Result<(), CoreError> {
        if record.content.repeat_of.is_none() {
            let since = record.workflow.detected_at - self.config.repeat_window;
            let found: Option<IncidentId> = self
                .store
                .find_repeat(
                    rules.org.id,
                    &record.content.author,
                    &record.content.url,
                    Some(topic),
                    since,
                    Some(record.id),
                )
                .await?;
            if let Some(earlier) = found {
                let now = self.now();
                self.store
                    .set_repeat(
                        rules.org.id,
                        record.id,
                        Some(earlier),
                        PersonId::SYSTEM,
                        now,
                        &[redraw(now)],
                    )
                    .await?;
                self.wake_delivery();
            }
        }
        self.alert_burst(rules, topic, record.workflow.detected_at, record.number)
            .await?;
        Ok(())
    }
}

impl Core {
    /// The number of the earlier incident this one repeats (or «-»).
    pub(crate) async fn repeat_of_typed(
        &self,
        who: &Who,
        text: &str,
        inc: IncidentId,
    ) -> Result<Reply, CoreError> {
        let prompt = |key: &str| Ok(Reply::say(View::prompt(self.t(key))));
        let Some(input) = crate::core::workflow::repeats::RepeatInput::parse(text) else {
            return prompt("bad-repeat");
        };
        self.clear_pending(who).await?;
        let (rules, actor) = self.actor_of(who).await?;
        let Some(record) = self.incident_of(who.org(), inc).await? else {
            return Ok(Reply::say(View::text(self.t("err-wrong-state"))));
        };
        if let Err(e) = permitted(&actor, Deed::Classify, &record.workflow, rules.regulation()) {
            return Ok(Reply::say(View::text(self.refusal(&e).text)));
        }
        let key = match self
            .mark_repeat(&rules, &record, input, actor.person)
            .await?
        {
            Ok(()) if input == crate::core::workflow::repeats::RepeatInput::NotARepeat => {
                "repeat-unmarked"
            }
            Ok(()) => "repeat-marked",
            Err(crate::core::workflow::repeats::RepeatRefusal::NoSuchNumber) => "repeat-no-such",
            Err(crate::core::workflow::repeats::RepeatRefusal::NotEarlier) => "repeat-not-earlier",
        };
        Ok(Reply::say(View::text(self.t(key))))
    }
}
