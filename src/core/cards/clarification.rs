//! A clarification request: the card of whoever posts it (to post, to record as posted, then
//! to record the author's reply), and the follow-up when the author stays silent.

use chrono::{DateTime, Utc};

use super::{clipped, Draw, DRAFT_LIMIT};
use crate::core::action::Action;
use crate::core::view::{Line, View};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, DraftKind, PartState};
use crate::domain::permission::Deed;
use crate::texts::Arg;

impl Draw<'_> {
    /// The request to post: the question, where to post it, and what has happened since —
    /// approved and not yet posted (the clock still runs), posted (the clock stands still
    /// where the regulation says so), answered.
    pub(super) fn clarification_to_publish(
        &self,
        inc: &IncidentRecord,
        part: usize,
        viewer: &Actor,
    ) -> View {
        let p = inc.workflow.parts.get(part);
        let question = p
            .and_then(|p| {
                p.drafts
                    .iter()
                    .rev()
                    .find(|d| d.kind == DraftKind::Clarification)
            })
            .map(|d| d.text.clone())
            .unwrap_or_default();
        let number = Arg::Num(inc.number);
        let mut lines = vec![
            Line::Title(self.tf("publish-clarification", &[("number", number)])),
            Line::Blank,
            Line::Quote(clipped(self.texts, &question, DRAFT_LIMIT)),
        ];
        lines.extend(self.link_line(&inc.content.url));
        let pauses = self.rules.regulation().workflow.clarification_pauses_clock;
        match p {
            Some(p) if p.state == PartState::ClarificationApproved => {
                lines.push(Line::Text(self.t(if pauses {
                    "clarification-not-posted-clock-runs"
                } else {
                    "clarification-not-posted"
                })));
            }
            Some(p) => {
                if let Some(since) = p.awaiting_author_since() {
                    lines.push(Line::Text(self.tf(
                        if pauses {
                            "clarification-posted-clock-stopped"
                        } else {
                            "clarification-posted"
                        },
                        &[
                            ("time", Arg::from(&self.time(since))),
                            ("date", Arg::from(&self.date(since))),
                        ],
                    )));
                } else if p.pauses.iter().any(|x| x.end.is_some()) {
                    lines.push(Line::Text(self.t("clarification-answered")));
                }
            }
            None => {}
        }
        View {
            lines,
            buttons: self.clarification_buttons(inc, part, viewer),
            ..View::default()
        }
    }

    /// The author has not answered the request posted at `since`: for the executor and the
    /// curators, with what the viewer may do about it.
    pub(super) fn clarification_unanswered(
        &self,
        inc: &IncidentRecord,
        part: usize,
        since: DateTime<Utc>,
        viewer: &Actor,
    ) -> View {
        let department = inc
            .workflow
            .parts
            .get(part)
            .map(|p| self.rules.department_name(p.department))
            .unwrap_or_default();
        let mut lines = vec![Line::Title(self.tf(
            "notice-clarification-unanswered",
            &[
                ("number", Arg::Num(inc.number)),
                ("time", Arg::from(&self.time(since))),
                ("date", Arg::from(&self.date(since))),
                ("department", Arg::from(&department)),
            ],
        ))];
        let waiting = inc
            .workflow
            .parts
            .get(part)
            .and_then(|p| p.awaiting_author_since())
            .is_some();
        lines.push(Line::Text(self.t(if waiting {
            "clarification-unanswered-what-now"
        } else {
            "clarification-answered"
        })));
        lines.extend(self.link_line(&inc.content.url));
        View {
            lines,
            buttons: self.clarification_buttons(inc, part, viewer),
            ..View::default()
        }
    }

    /// «Запрос опубликован» and «Автор ответил», to whoever may press them now.
    fn clarification_buttons(
        &self,
        inc: &IncidentRecord,
        part: usize,
        viewer: &Actor,
    ) -> Vec<Vec<crate::core::view::Button>> {
        let mut buttons = Vec::new();
        if self.may(viewer, Deed::PostClarification { part }, inc) {
            buttons.push(vec![self.button(
                "btn-clarification-posted",
                Action::ClarificationPosted { inc: inc.id, part },
            )]);
        }
        // The reply is offered once the request is posted (one that comes before is taken all
        // the same, from intake or the executor's own message).
        let posted = inc
            .workflow
            .parts
            .get(part)
            .is_some_and(|p| p.state == PartState::AwaitingAuthor);
        if posted && self.may(viewer, Deed::RecordAuthorReply { part }, inc) {
            buttons.push(vec![self.button(
                "btn-author-replied",
                Action::AuthorReplied { inc: inc.id, part },
            )]);
        }
        buttons
    }
}
