//! Answer memory on the executor's card: published answers to similar messages, each with
//! «Взять за основу», and «Шаблоны» when the library has templates for the topic — while the
//! answer is not drafted yet.

use super::{clipped, Draw};
use crate::core::action::Action;
use crate::core::view::{Button, Line};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, DraftKind, PartState};
use crate::domain::permission::may_start_draft;
use crate::texts::Arg;

/// How much of a remembered answer the card quotes.
const SNIPPET: usize = 160;

impl Draw<'_> {
    /// The lines and the buttons (one row each) of the similar answers, when the viewer may
    /// start the answer.
    pub(super) fn similar_answers(
        &self,
        inc: &IncidentRecord,
        part: usize,
        viewer: &Actor,
    ) -> (Vec<Line>, Vec<Vec<Button>>) {
        let reg = self.rules.regulation();
        if self.similar.is_empty()
            || !may_start_draft(viewer, part, DraftKind::Answer, &inc.workflow, reg)
        {
            return (Vec::new(), Vec::new());
        }
        let mut lines = vec![Line::Blank, Line::Text(self.t("card-similar-header"))];
        let mut rows = Vec::new();
        for (i, a) in self.similar.iter().enumerate() {
            let text = clipped(self.texts, &a.text, SNIPPET);
            let date = self.date(a.at);
            let line = if a.department.is_empty() {
                self.tf(
                    "card-similar-line-nodept",
                    &[
                        ("n", Arg::Num(i as i64 + 1)),
                        ("number", Arg::Num(a.number)),
                        ("date", Arg::from(&date)),
                        ("text", Arg::from(&text)),
                    ],
                )
            } else {
                self.tf(
                    "card-similar-line",
                    &[
                        ("n", Arg::Num(i as i64 + 1)),
                        ("number", Arg::Num(a.number)),
                        ("date", Arg::from(&date)),
                        ("department", Arg::from(&a.department)),
                        ("text", Arg::from(&text)),
                    ],
                )
            };
            lines.push(Line::Text(line));
            rows.push(vec![Button {
                label: self.tf("btn-draft-from", &[("number", Arg::Num(a.number))]),
                action: Action::DraftFrom {
                    inc: inc.id,
                    part,
                    source: a.incident,
                },
            }]);
        }
        (lines, rows)
    }

    /// «🗂 Шаблоны (N)», when the viewer may start the answer, none is drafted yet and the
    /// library has templates for the incident's topic.
    pub(super) fn templates_row(
        &self,
        inc: &IncidentRecord,
        part: usize,
        viewer: &Actor,
    ) -> Option<Vec<Button>> {
        let waiting = inc.workflow.parts.get(part).is_some_and(|p| {
            matches!(p.state, PartState::Routed | PartState::Accepted) && p.drafts.is_empty()
        });
        let reg = self.rules.regulation();
        let count = self
            .rules
            .templates_for(inc.workflow.topic.as_deref())
            .len();
        if !waiting
            || count == 0
            || !may_start_draft(viewer, part, DraftKind::Answer, &inc.workflow, reg)
        {
            return None;
        }
        Some(vec![Button {
            label: self.tf("btn-templates", &[("count", Arg::Num(count as i64))]),
            action: Action::Templates { inc: inc.id, part },
        }])
    }
}
