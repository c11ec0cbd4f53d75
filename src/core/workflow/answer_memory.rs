//! Answer memory in use: the similar answers an executor's card offers, «📋 Взять за основу»
//! (the draft starts from a published answer, then goes on as any draft: new text replaces it,
//! photos, «Готово»), and `/find слова` over the organisation's published answers.

use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::{Line, View};
use crate::core::workflow::drafts::DraftStart;
use crate::core::{Core, CoreError, Who};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, PartState, Role};
use crate::domain::IncidentId;
use crate::storage::SimilarAnswer;
use crate::texts::Arg;

/// How many similar answers a card offers.
pub const ON_A_CARD: usize = 3;
/// How many answers `/find` lists.
const FOUND: usize = 5;
/// How much of each answer `/find` quotes.
const FOUND_SNIPPET: usize = 300;

impl Core {
    /// Published answers to messages like this incident's, for its executor's card while the
    /// part waits for its answer (none once a draft exists).
    pub(crate) async fn similar_for_card(
        &self,
        record: &IncidentRecord,
        part: usize,
    ) -> Result<Vec<SimilarAnswer>, CoreError> {
        let waiting = record.workflow.parts.get(part).is_some_and(|p| {
            matches!(p.state, PartState::Routed | PartState::Accepted) && p.drafts.is_empty()
        });
        if !waiting {
            return Ok(Vec::new());
        }
        // A repeat's earlier incident already has its own line on the card: one more is asked
        // for, in case it is among them.
        let repeat_of = record.content.repeat_of;
        let mut found = self
            .store
            .similar_answers(
                record.org,
                Some(record.id),
                record.workflow.topic.as_deref(),
                &record.content.text,
                ON_A_CARD + usize::from(repeat_of.is_some()),
            )
            .await?;
        found.retain(|a| Some(a.incident) != repeat_of);
        found.truncate(ON_A_CARD);
        Ok(found)
    }

    /// «📋 Взять за основу»: the part accepted where needed, the draft opened with the earlier
    /// answer's text; the executor edits it by sending the corrected text, adds photos, and
    /// presses «Готово».
    pub(crate) async fn draft_from(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        part: usize,
        source: IncidentId,
    ) -> Result<Reply, CoreError> {
        // Only an answer of the same organisation still remembered (not anonymised).
        let Some(base) = self.store.remembered_answer(record.org, source).await? else {
            return Ok(Reply::toast(self.texts.t("draft-from-gone")));
        };
        let prompt = self.texts.tf(
            "draft-from",
            &[
                ("number", Arg::Num(base.number)),
                ("date", Arg::from(&self.local_date(rules, base.at))),
            ],
        );
        let lines = vec![
            Line::Text(prompt),
            Line::Blank,
            Line::Quote(base.text.clone()),
            Line::Blank,
            Line::Text(self.texts.t("draft-from-next")),
        ];
        let start = DraftStart {
            text: base.text,
            lines,
        };
        self.open_draft_with(who, rules, actor, record, part, start)
            .await
    }

    /// `/find слова`: the organisation's published answers to messages with these words (any
    /// form of them), for executors and curators.
    pub(crate) async fn find_answers(&self, who: &Who, query: &str) -> Result<Reply, CoreError> {
        let (rules, actor) = self.actor_of(who).await?;
        let say = |text: String| Ok(Reply::say(View::text(text)));
        if ![Role::Executor, Role::Curator, Role::DepartmentHead]
            .iter()
            .any(|r| actor.has(*r))
        {
            return say(self.texts.t("find-staff-only"));
        }
        let query = query.trim();
        if crate::domain::answer_memory::stems(query).is_empty() {
            return say(self.texts.t("find-usage"));
        }
        let found = self
            .store
            .similar_answers(who.org, None, None, query, FOUND)
            .await?;
        if found.is_empty() {
            return say(self.texts.tf("find-empty", &[("query", Arg::from(query))]));
        }
        let mut lines = vec![Line::Text(
            self.texts.tf("find-header", &[("query", Arg::from(query))]),
        )];
        for a in &found {
            let snippet: String = a.text.chars().take(FOUND_SNIPPET).collect();
            let more = if a.text.chars().count() > FOUND_SNIPPET {
                "…"
            } else {
                ""
            };
            lines.push(Line::Blank);
            lines.push(Line::Text(self.texts.tf(
                "find-line",
                &[
                    ("number", Arg::Num(a.number)),
                    ("date", Arg::from(&self.local_date(&rules, a.at))),
                    ("department", Arg::from(&a.department)),
                ],
            )));
            lines.push(Line::Quote(format!("{snippet}{more}")));
        }
        Ok(Reply::say(View {
            lines,
            ..View::default()
        }))
    }

    /// A date in the organisation's time zone, as cards write it.
    fn local_date(&self, rules: &OrgRules, at: chrono::DateTime<chrono::Utc>) -> String {
        at.with_timezone(&rules.regulation().time_zone)
            .format("%d.%m.%Y")
            .to_string()
    }
}
