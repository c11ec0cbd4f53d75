//! The executor's card and the curators' card.

use super::{message_kind, network, Draw};
use crate::core::action::Action;
use crate::core::view::{Button, Line, View};
use crate::core::OrgRules;
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, ApprovalStep, DraftKind, IncidentState, Part, PartState};
use crate::domain::permission::{may_start_draft, Deed};
use crate::domain::plan::Due;
use crate::domain::regulation::{Importance, Stage};
use crate::texts::Arg;

impl Draw<'_> {
    /// The executor's card for one part, with the buttons the viewer may press.
    pub fn executor_card(&self, inc: &IncidentRecord, part: usize, viewer: &Actor) -> View {
        let mut lines = self.header(inc);
        let Some(p) = inc.workflow.parts.get(part) else {
            return View {
                lines,
                ..View::default()
            };
        };
        if inc.workflow.parts.len() > 1 {
            lines.push(Line::Text(self.tf(
                "card-part-of",
                &[(
                    "department",
                    Arg::from(&self.rules.department_name(p.department)),
                )],
            )));
        }
        lines.push(Line::Blank);
        let (quote, truncated) = self.quote_block(inc);
        lines.extend(quote);
        lines.extend(self.repeat_lines(inc));
        let (similar, take_as_base) = self.similar_answers(inc, part, viewer);
        lines.extend(similar);
        lines.push(Line::Blank);
        if !inc.workflow.state.is_finished() {
            if let Some((stage, due)) = p.current_deadline(self.rules.regulation()) {
                lines.extend(self.deadline_lines(stage, inc.workflow.importance, due));
            }
            if matches!(p.state, PartState::Routed | PartState::Accepted) {
                lines.extend(self.stage_due_line(
                    &p.deadlines,
                    Stage::Final,
                    inc.workflow.importance,
                    "card-final",
                ));
            }
            lines.extend(self.department_total_line(p, inc.workflow.importance));
            // Sakhalin 3.7: the department prepares explanations, under their own term.
            if self.may(viewer, Deed::PrepareExplanation { part }, inc) {
                lines.extend(self.explanation_deadline_line(inc));
            }
        }
        let status = if inc.workflow.state.is_finished() && p.state != PartState::Returned {
            self.incident_status(inc)
        } else {
            self.part_status(p)
        };
        lines.push(Line::Text(
            self.tf("status-line", &[("status", Arg::from(&status))]),
        ));
        let mut rows = self.executor_buttons(inc, part, viewer);
        rows.extend(self.templates_row(inc, part, viewer));
        rows.extend(take_as_base);
        if truncated {
            rows.push(vec![
                self.button("btn-show-all", Action::ShowAll { inc: inc.id })
            ]);
        }
        View {
            lines,
            buttons: rows,
            ..View::default()
        }
    }

    /// The executor's actions on a part: accept and return, draft, interim, clarify, published.
    pub(super) fn executor_buttons(
        &self,
        inc: &IncidentRecord,
        part: usize,
        viewer: &Actor,
    ) -> Vec<Vec<Button>> {
        let w = &inc.workflow;
        let reg = self.rules.regulation();
        let id = inc.id;
        let Some(p) = w.parts.get(part) else {
            return Vec::new();
        };
        let may_accept = self.may(viewer, Deed::Accept { part }, inc);
        let may_return = self.may(viewer, Deed::Return { part }, inc);
        let draft = |kind| may_start_draft(viewer, part, kind, w, reg);
        let start = |key: &str, kind| {
            self.button(
                key,
                Action::StartDraft {
                    inc: id,
                    part,
                    kind,
                },
            )
        };
        let mut rows = Vec::new();
        if may_accept {
            // Under a competence check accepting is the head's confirmation (Barnaul §5).
            let label = if reg.workflow.competence_check {
                "btn-confirm-competence"
            } else {
                "btn-accept"
            };
            let mut row = vec![self.button(label, Action::Accept { inc: id, part })];
            if may_return {
                row.push(self.button("btn-return", Action::Return { inc: id, part }));
            }
            rows.push(row);
        }
        if draft(DraftKind::Answer) {
            rows.push(vec![start("btn-draft", DraftKind::Answer)]);
        }
        // An interim answer is offered once the part is accepted.
        if p.state != PartState::Routed && draft(DraftKind::Interim) {
            rows.push(vec![start("btn-interim", DraftKind::Interim)]);
        }
        let mut last = Vec::new();
        if draft(DraftKind::Clarification) {
            last.push(start("btn-clarify", DraftKind::Clarification));
        }
        if may_return && !may_accept {
            last.push(self.button("btn-return", Action::Return { inc: id, part }));
        }
        if !last.is_empty() {
            rows.push(last);
        }
        // Sakhalin 3.7 ¶2: the department prepares an explanation for the curator to send.
        if self.may(viewer, Deed::PrepareExplanation { part }, inc) {
            rows.push(vec![self.button(
                "btn-prepare-explanation",
                Action::Explanation {
                    inc: id,
                    part: Some(part),
                },
            )]);
        }
        rows.extend(self.publish_buttons(inc, Some(part), viewer));
        rows
    }

    /// The curators' card: triage while the incident is new, its status after.
    pub fn curators_card(&self, inc: &IncidentRecord, viewer: &Actor) -> View {
        if inc.workflow.state == IncidentState::New {
            self.triage_card(inc, viewer)
        } else {
            self.status_card(inc, Some(viewer))
        }
    }

    /// The triage card: importance, departments to tick, route / no answer / explanation.
    pub(super) fn triage_card(&self, inc: &IncidentRecord, viewer: &Actor) -> View {
        let mut lines = vec![Line::Title(self.tf(
            "triage-title",
            &[
                ("number", Arg::Num(inc.number)),
                (
                    "network",
                    Arg::from(&network(self.texts, inc.content.source)),
                ),
                (
                    "kind",
                    Arg::from(&message_kind(self.texts, inc.content.kind)),
                ),
            ],
        ))];
        if let Some(t) = &inc.workflow.topic {
            lines.push(Line::Text(self.tf(
                "card-topic",
                &[("topic", Arg::from(&super::field(self.texts, t)))],
            )));
        }
        if let Some(l) = &inc.workflow.location {
            lines.push(Line::Text(self.tf(
                "card-location",
                &[("location", Arg::from(&super::field(self.texts, l)))],
            )));
        }
        let (quote, truncated) = self.quote_block(inc);
        lines.extend(quote);
        lines.extend(self.repeat_lines(inc));
        if let Some((stage, due)) = inc.workflow.current_deadline() {
            lines.push(Line::Blank);
            lines.extend(self.deadline_lines(stage, inc.workflow.importance, due));
        }
        lines.extend(self.explanation_deadline_line(inc));
        let id = inc.id;
        let mut rows = Vec::new();
        let may_route = self.may(viewer, Deed::Route, inc);
        // In the group, one press each: importance, or «Разобрать» — the ticks, the topic and the
        // reasons take several presses, so they happen on the card in the presser's private
        // chat, and the group's card changes once, when the incident is routed.
        let in_group = OrgRules::is_group_actor(viewer);
        if may_route {
            let hint = if in_group {
                "triage-group-hint"
            } else {
                "triage-route-hint"
            };
            lines.push(Line::Text(self.t(hint)));
        }
        let mark = |label: String, on: bool| {
            if on {
                self.tf("checked", &[("label", Arg::from(&label))])
            } else {
                label
            }
        };
        if self.may(viewer, Deed::SetImportance, inc) {
            let high = inc.workflow.importance == Importance::High;
            rows.push(vec![
                Button {
                    label: mark(self.t("btn-importance-normal"), !high),
                    action: Action::Importance {
                        inc: id,
                        high: false,
                    },
                },
                Button {
                    label: mark(self.t("btn-importance-high"), high),
                    action: Action::Importance {
                        inc: id,
                        high: true,
                    },
                },
            ]);
        }
        // Vorsino 2.10, Sakhalin 3.9: on days off the curator answers an emergency himself.
        if self.may(viewer, Deed::AnswerAsCurator, inc) {
            rows.push(vec![
                self.button("btn-own-answer", Action::AnswerMyself { inc: id })
            ]);
        }
        if in_group {
            if self.may(viewer, Deed::ReadFullText, inc) {
                rows.push(vec![self.button("btn-triage", Action::OpenCard { inc: id })]);
            }
            return View {
                lines,
                buttons: rows,
                ..View::default()
            };
        }
        if may_route {
            let departments: Vec<_> = self.rules.active_departments().collect();
            for pair in departments.chunks(2) {
                rows.push(
                    pair.iter()
                        .map(|d| Button {
                            label: mark(d.name.clone(), self.ticked.contains(&d.id)),
                            action: Action::ToggleDepartment {
                                inc: id,
                                dept: d.id,
                            },
                        })
                        .collect(),
                );
            }
        }
        if self.may(viewer, Deed::Classify, inc) {
            rows.push(vec![
                self.button("btn-topic", Action::SetTopic { inc: id }),
                self.button("btn-location", Action::SetLocation { inc: id }),
                self.button("btn-repeat", Action::Repeat { inc: id }),
            ]);
        }
        if may_route {
            rows.push(vec![self.button("btn-route", Action::Route { inc: id })]);
        }
        // Barnaul §4 ¶2: not our competence — back to the monitoring system it came from.
        if self.rules.org.monitoring.is_some()
            && inc.content.external_id.is_some()
            && self.may(viewer, Deed::ReturnToSource, inc)
        {
            rows.push(vec![self.button(
                "btn-return-to-source",
                Action::ReturnToSource { inc: id },
            )]);
        }
        let mut row = Vec::new();
        if self.may(viewer, Deed::MarkNoAnswer, inc) {
            row.push(self.button("btn-no-answer", Action::NoAnswer { inc: id }));
        }
        if self.may(viewer, Deed::Explain, inc) {
            row.push(self.button(
                "btn-explanation",
                Action::Explanation {
                    inc: id,
                    part: None,
                },
            ));
        }
        if !row.is_empty() {
            rows.push(row);
        }
        if self.may(viewer, Deed::ConvertToAppeal, inc) {
            rows.push(vec![self.button("btn-appeal", Action::Appeal { inc: id })]);
        }
        if truncated {
            rows.push(vec![
                self.button("btn-show-all", Action::ShowAll { inc: id })
            ]);
        }
        View {
            lines,
            buttons: rows,
            ..View::default()
        }
    }

    /// The department's own total (Vorsino 2.2.3 "7 wh", Sakhalin 3.2 "23 h") while the part is
    /// in the department's hands, where the regulation sets one.
    fn department_total_line(&self, p: &Part, importance: Importance) -> Option<Line> {
        let in_department = match p.state {
            PartState::Routed | PartState::Accepted | PartState::ReworkRequested { .. } => true,
            PartState::DraftSubmitted { step, .. } => step != ApprovalStep::Curator,
            _ => false,
        };
        if !in_department || p.timeline.interim_published_at.is_some() {
            return None;
        }
        self.stage_due_line(
            &p.deadlines,
            Stage::DepartmentTotal,
            importance,
            "card-department-total",
        )
    }

    /// «<what> — до 18:00, пн, 23 нояб.» for a stage due at an instant.
    fn stage_due_line(
        &self,
        deadlines: &[(Stage, Due)],
        stage: Stage,
        importance: Importance,
        key: &str,
    ) -> Option<Line> {
        let (_, due) = deadlines.iter().find(|(s, _)| *s == stage)?;
        let at = due.instant()?;
        Some(Line::Indented(self.tf(
            &self.due_key(stage, importance, at, key),
            &[
                ("time", Arg::from(&self.time(at))),
                ("date", Arg::from(&self.date(at))),
            ],
        )))
    }

    /// The curators' card once an incident is routed: who does what, and its status.
    /// `viewer`: the curators the card is for (they get its buttons); `None` for a notice.
    pub(super) fn status_card(&self, inc: &IncidentRecord, viewer: Option<&Actor>) -> View {
        let mut lines = self.header(inc);
        lines.push(Line::Blank);
        let (quote, truncated) = self.quote_block(inc);
        lines.extend(quote);
        lines.push(Line::Blank);
        for p in &inc.workflow.parts {
            lines.push(Line::Text(format!(
                "• {} — {}: {}",
                self.rules.department_name(p.department),
                self.rules.name_of(p.executor),
                self.part_status(p)
            )));
            if !inc.workflow.state.is_finished() {
                lines.extend(self.department_total_line(p, inc.workflow.importance));
            }
        }
        lines.extend(self.own_answer_lines(inc));
        if let Some(p) = &inc.workflow.publication {
            lines.push(self.publication_line(p));
        }
        lines.extend(self.publication_problem_line(inc));
        if let Some(number) = &inc.workflow.appeal_registration {
            lines.push(Line::Text(self.tf(
                "appeal-number-line",
                &[("registration", Arg::from(&super::field(self.texts, number)))],
            )));
        }
        if let Some(why) = &inc.workflow.returned_to_source {
            lines.push(Line::Text(self.tf(
                "returned-to-source-line",
                &[("reason", Arg::from(&super::field(self.texts, why)))],
            )));
        }
        lines.push(Line::Text(self.tf(
            "status-line",
            &[("status", Arg::from(&self.incident_status(inc)))],
        )));
        if let (false, Some((stage, due))) = (
            inc.workflow.state.is_finished(),
            inc.workflow.current_deadline(),
        ) {
            lines.extend(self.deadline_lines(stage, inc.workflow.importance, due));
        }
        let mut rows = Vec::new();
        // Sakhalin 3.7–3.8: an explanation, or a 59-FZ appeal, may still be needed once the
        // department has looked at the message.
        if let Some(viewer) = viewer {
            let mut row = Vec::new();
            if self.may(viewer, Deed::Explain, inc) {
                lines.extend(self.explanation_deadline_line(inc));
                // Sakhalin 3.7 ¶2: what the department prepared, sent with one press.
                let label = match &inc.workflow.prepared_explanation {
                    Some(prepared) => {
                        lines.push(Line::Text(self.tf(
                            "card-prepared-explanation",
                            &[("text", Arg::from(&super::field(self.texts, &prepared.text)))],
                        )));
                        "btn-send-prepared-explanation"
                    }
                    None => "btn-explanation",
                };
                row.push(self.button(
                    label,
                    Action::Explanation {
                        inc: inc.id,
                        part: None,
                    },
                ));
            }
            if self.may(viewer, Deed::ReturnPreparedExplanation, inc) {
                row.push(self.button(
                    "btn-explanation-back",
                    Action::ExplanationBack { inc: inc.id },
                ));
            }
            if self.may(viewer, Deed::ConvertToAppeal, inc) {
                row.push(self.button("btn-appeal", Action::Appeal { inc: inc.id }));
            }
            if self.may(viewer, Deed::Classify, inc) {
                row.push(self.button("btn-repeat", Action::Repeat { inc: inc.id }));
            }
            if self.may(viewer, Deed::RecordAppealRegistration, inc) {
                row.push(self.button("btn-appeal-number", Action::AppealNumber { inc: inc.id }));
            }
            if !row.is_empty() {
                rows.push(row);
            }
            rows.extend(self.general_interest_buttons(inc, viewer));
        }
        lines.extend(self.general_interest_line(inc));
        if truncated {
            rows.push(vec![
                self.button("btn-show-all", Action::ShowAll { inc: inc.id })
            ]);
        }
        View {
            lines,
            buttons: rows,
            ..View::default()
        }
    }

    /// Who answered an emergency on days off himself, and what (Vorsino 2.10, Sakhalin 3.9).
    fn own_answer_lines(&self, inc: &IncidentRecord) -> Vec<Line> {
        match (&inc.workflow.consolidated, inc.workflow.own_answer) {
            (Some(answer), true) => vec![
                Line::Text(self.tf(
                    "own-answer-line",
                    &[
                        ("name", Arg::from(&self.rules.name_of(answer.author))),
                        ("time", Arg::from(&self.time(answer.submitted_at))),
                    ],
                )),
                Line::Quote(super::clipped(self.texts, &answer.text, super::DRAFT_LIMIT)),
            ],
            _ => Vec::new(),
        }
    }

    /// A general-interest answer and where it was posted besides the reply (Vorsino 2.5,
    /// Sakhalin 3.5).
    fn general_interest_line(&self, inc: &IncidentRecord) -> Option<Line> {
        let w = &inc.workflow;
        w.general_interest.then(|| {
            Line::Text(if w.cross_posts.is_empty() {
                self.t("card-general-interest")
            } else {
                self.tf(
                    "card-cross-posted",
                    &[("links", Arg::from(&w.cross_posts.join("\n")))],
                )
            })
        })
    }

    /// Mark or unmark general interest (curators); record where it was posted (its publisher).
    fn general_interest_buttons(&self, inc: &IncidentRecord, viewer: &Actor) -> Vec<Vec<Button>> {
        let mut row = Vec::new();
        if self.may(viewer, Deed::MarkGeneralInterest, inc) {
            let label = if inc.workflow.general_interest {
                "btn-general-interest-off"
            } else {
                "btn-general-interest"
            };
            row.push(self.button(label, Action::GeneralInterest { inc: inc.id }));
        }
        if self.may(viewer, Deed::RecordCrossPosts, inc) {
            row.push(self.button(
                "btn-cross-post-links",
                Action::CrossPostLinks { inc: inc.id },
            ));
        }
        if row.is_empty() {
            Vec::new()
        } else {
            vec![row]
        }
    }

    /// The publisher's reminder: a general-interest answer is published, post it on the official
    /// pages and site too and record the links.
    pub(super) fn cross_post(&self, inc: &IncidentRecord, viewer: &Actor) -> View {
        let w = &inc.workflow;
        let published: Vec<&str> = w
            .publication
            .iter()
            .chain(w.parts.iter().filter_map(|p| p.publication.as_ref()))
            .filter(|p| !p.interim && !p.link.is_empty())
            .map(|p| p.link.as_str())
            .collect();
        let mut lines = vec![Line::Title(
            self.tf("notice-cross-post", &[("number", Arg::Num(inc.number))]),
        )];
        if !published.is_empty() {
            lines.push(Line::Text(self.tf(
                "cross-post-answer",
                &[("links", Arg::from(&published.join("\n")))],
            )));
        }
        let mut buttons = Vec::new();
        if self.may(viewer, Deed::RecordCrossPosts, inc) {
            buttons.push(vec![self.button(
                "btn-cross-post-links",
                Action::CrossPostLinks { inc: inc.id },
            )]);
        }
        View {
            lines,
            buttons,
            ..View::default()
        }
    }

    /// When an explanation is due, where the regulation sets a term (Vorsino 2.7: 8 wh,
    /// Sakhalin 3.7: 12 wh).
    fn explanation_deadline_line(&self, inc: &IncidentRecord) -> Option<Line> {
        self.stage_due_line(
            &inc.workflow.deadlines,
            Stage::Explanation,
            inc.workflow.importance,
            "card-explanation-deadline",
        )
    }

    /// A notice with the status card under it (escalations to the head).
    pub(super) fn titled_status(&self, title: String, inc: &IncidentRecord) -> View {
        let mut card = self.status_card(inc, None);
        card.lines.insert(0, Line::Title(title));
        card
    }
}
