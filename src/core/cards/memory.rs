//! Answer memory on the executor's card: published answers to similar messages, each with
//! «Взять за основу», while the answer is not drafted yet.

use super::{clipped, Draw};
use crate::core::action::Action;
use crate::core::view::{Button, Line};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, DraftKind};
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
}
