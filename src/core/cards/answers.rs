//! Drafts, approval, publication, consolidation and returns.

use super::{clipped, network, Draw, DRAFT_LIMIT};
use crate::core::action::Action;
use crate::core::view::{Button, Line, View};
use crate::domain::content::{IncidentRecord, MessageKind};
use crate::domain::incident::{
    Actor, ApprovalStep, Draft, DraftKind, ExplanationKind, IncidentState, NoAnswerReason,
    PartState, Publication, ReturnReason,
};
use crate::domain::permission::{may_start_draft, Deed};
use crate::domain::plan::Due;
use crate::domain::regulation::{Importance, Publisher};
use crate::domain::templates::blanks;
use crate::domain::DepartmentId;
use crate::texts::{Arg, Texts};

impl Draw<'_> {
    pub(super) fn draft_of<'i>(
        &self,
        inc: &'i IncidentRecord,
        part: Option<usize>,
        version: u32,
    ) -> Option<&'i Draft> {
        match part {
            Some(i) => inc
                .workflow
                .parts
                .get(i)?
                .drafts
                .iter()
                .find(|d| d.version == version),
            None => inc
                .workflow
                .consolidated
                .as_ref()
                .filter(|d| d.version == version),
        }
    }

    /// An approval card for a draft version (or the consolidated answer), with what became of it.
    pub fn approval_card(
        &self,
        inc: &IncidentRecord,
        part: Option<usize>,
        version: u32,
        viewer: &Actor,
    ) -> View {
        let Some(draft) = self.draft_of(inc, part, version) else {
            return View {
                lines: vec![
                    Line::Title(self.tf(
                        "approval-title",
                        &[
                            ("number", Arg::Num(inc.number)),
                            ("what", Arg::from(&self.t("approval-what-answer"))),
                        ],
                    )),
                    Line::Text(self.t("card-superseded")),
                ],
                ..View::default()
            };
        };
        let what = self.t(match draft.kind {
            DraftKind::Answer => "approval-what-answer",
            DraftKind::Interim => "approval-what-interim",
            DraftKind::Clarification => "approval-what-clarification",
        });
        let mut title = self.tf(
            "approval-title",
            &[("number", Arg::Num(inc.number)), ("what", Arg::from(&what))],
        );
        if inc.workflow.importance == Importance::High {
            title.push_str(" · 🔴");
        }
        let mut lines = vec![Line::Title(title)];
        let p = part.and_then(|i| inc.workflow.parts.get(i));
        let dept = p
            .map(|p| self.rules.department_name(p.department))
            .unwrap_or_default();
        lines.push(Line::Text(self.tf(
            "approval-from",
            &[
                ("name", Arg::from(&self.rules.name_of(draft.author))),
                ("department", Arg::from(&dept)),
            ],
        )));
        let current = match part {
            Some(_) => p.and_then(|p| p.current_draft()).map(|d| d.version) == Some(version),
            None => true,
        };
        let pending = match p {
            Some(p) => current && matches!(p.state, PartState::DraftSubmitted { .. }),
            None => inc.workflow.state == IncidentState::Consolidating,
        };
        if pending {
            if let Some((stage, due)) = p.and_then(|p| p.current_deadline(self.rules.regulation()))
            {
                lines.extend(self.deadline_lines(stage, inc.workflow.importance, due));
            }
        }
        lines.push(Line::Blank);
        lines.push(Line::Quote(clipped(self.texts, &draft.text, DRAFT_LIMIT)));
        if !draft.attachments.is_empty() {
            let count = self.tf("photos", &[("n", Arg::Num(draft.attachments.len() as i64))]);
            lines.push(Line::Text(
                self.tf("card-attachments", &[("count", Arg::from(&count))]),
            ));
        }
        for w in self.draft_warnings(inc, draft.kind, &draft.text, photos(&draft.attachments)) {
            lines.push(Line::Text(w));
        }
        for r in &draft.reviews {
            let key = if r.rework_comment.is_some() {
                "reworked-line"
            } else {
                "approved-line"
            };
            lines.push(Line::Blank);
            lines.push(Line::Text(self.tf(
                key,
                &[
                    ("name", Arg::from(&self.rules.name_of(r.by))),
                    ("time", Arg::from(&self.time(r.at))),
                    ("step", Arg::from(&self.t(step_key(r.step)))),
                ],
            )));
        }
        let mut row = Vec::new();
        if pending && self.may(viewer, Deed::Approve { part }, inc) {
            row.push(self.button(
                "btn-approve",
                Action::Approve {
                    inc: inc.id,
                    part,
                    version,
                },
            ));
        }
        if let Some(i) = part {
            if pending && self.may(viewer, Deed::Rework { part: i }, inc) {
                row.push(self.button(
                    "btn-rework",
                    Action::Rework {
                        inc: inc.id,
                        part: i,
                        version,
                    },
                ));
            }
        }
        View {
            lines,
            buttons: if row.is_empty() {
                Vec::new()
            } else {
                vec![row]
            },
            expects_reply: false,
            attachments: draft.attachments.clone(),
            file: None,
        }
    }

    /// The answer to publish (the part's latest answer or interim; the consolidated answer).
    pub(super) fn answer_of<'i>(
        &self,
        inc: &'i IncidentRecord,
        part: Option<usize>,
    ) -> Option<&'i Draft> {
        match part {
            Some(i) => inc.workflow.parts.get(i).and_then(|p| {
                p.drafts
                    .iter()
                    .rev()
                    .find(|d| d.kind != DraftKind::Clarification)
            }),
            None => inc.workflow.consolidated.as_ref(),
        }
    }

    /// The line saying where an answer went: its link, or that it was handed over (Sakhalin
    /// 3.3).
    pub(super) fn publication_line(&self, p: &Publication) -> Line {
        Line::Text(if p.handed_over {
            self.tf(
                "handed-over-line",
                &[
                    ("date", Arg::from(&self.date(p.at))),
                    ("time", Arg::from(&self.time(p.at))),
                ],
            )
        } else {
            self.tf("published-line", &[("url", Arg::from(&p.link))])
        })
    }

    /// A request to publish an approved answer and record the link.
    pub(super) fn publish_request(
        &self,
        inc: &IncidentRecord,
        part: Option<usize>,
        viewer: &Actor,
    ) -> View {
        let number = Arg::Num(inc.number);
        let by_executor = part.is_some()
            && self.rules.regulation().workflow.publisher == Publisher::Executor
            && !viewer.has(crate::domain::incident::Role::Curator);
        let title = if by_executor {
            self.tf("notice-publish-executor", &[("number", number)])
        } else {
            self.tf("publish-title", &[("number", number)])
        };
        let mut lines = vec![Line::Title(title)];
        if let Some(d) = self.answer_of(inc, part) {
            lines.push(Line::Blank);
            lines.push(Line::Quote(clipped(self.texts, &d.text, DRAFT_LIMIT)));
        }
        self.publish_tail(inc, part, viewer, lines)
    }

    /// The link to the message and, once published, the publication; the «Опубликовано» button
    /// while the viewer may record it.
    pub(super) fn publish_tail(
        &self,
        inc: &IncidentRecord,
        part: Option<usize>,
        viewer: &Actor,
        mut lines: Vec<Line>,
    ) -> View {
        lines.extend(self.link_line(&inc.content.url));
        let publication = match part {
            Some(i) => inc
                .workflow
                .parts
                .get(i)
                .and_then(|p| p.publication.as_ref()),
            None => inc.workflow.publication.as_ref(),
        };
        lines.extend(publication.map(|p| self.publication_line(p)));
        lines.extend(self.publication_problem_line(inc));
        View {
            lines,
            buttons: self.publish_buttons(inc, part, viewer),
            ..View::default()
        }
    }

    /// «Опубликовано» and «Не удаётся опубликовать» (Barnaul §8), for whoever publishes.
    pub(super) fn publish_buttons(
        &self,
        inc: &IncidentRecord,
        part: Option<usize>,
        viewer: &Actor,
    ) -> Vec<Vec<Button>> {
        let mut row = Vec::new();
        if self.may(viewer, Deed::Publish { part }, inc) {
            row.push(self.button("btn-published", Action::Published { inc: inc.id, part }));
        }
        // Sakhalin 3.3: or handed to the regional Department, which publishes it.
        if self.may(viewer, Deed::HandOver { part }, inc) {
            row.push(self.button("btn-handed-over", Action::HandedOver { inc: inc.id, part }));
        }
        if self.may(viewer, Deed::ReportCannotPublish { part }, inc) {
            row.push(self.button(
                "btn-cannot-publish",
                Action::CannotPublish { inc: inc.id, part },
            ));
        }
        if row.is_empty() {
            Vec::new()
        } else {
            vec![row]
        }
    }

    /// Why the answer could not be published, once someone said so.
    pub(super) fn publication_problem_line(&self, inc: &IncidentRecord) -> Option<Line> {
        let (_, reason) = inc.workflow.publication_impossible.as_ref()?;
        Some(Line::Text(self.tf(
            "cannot-publish-line",
            &[("reason", Arg::from(&super::field(self.texts, reason)))],
        )))
    }

    pub(super) fn publish_in_doubt(
        &self,
        inc: &IncidentRecord,
        part: Option<usize>,
        viewer: &Actor,
    ) -> View {
        let mut lines = vec![Line::Title(self.tf(
            "notice-publish-in-doubt",
            &[("number", Arg::Num(inc.number))],
        ))];
        if let Some(d) = self.answer_of(inc, part) {
            lines.push(Line::Blank);
            lines.push(Line::Quote(clipped(self.texts, &d.text, DRAFT_LIMIT)));
        }
        self.publish_tail(inc, part, viewer, lines)
    }

    pub(super) fn consolidate(&self, inc: &IncidentRecord, viewer: &Actor) -> View {
        let mut lines = vec![Line::Title(
            self.tf("consolidate-title", &[("number", Arg::Num(inc.number))]),
        )];
        for p in inc
            .workflow
            .parts
            .iter()
            .filter(|p| p.state != PartState::Returned)
        {
            if let Some(d) = p.current_draft() {
                lines.push(Line::Blank);
                lines.push(Line::Title(self.rules.department_name(p.department)));
                lines.push(Line::Quote(clipped(self.texts, &d.text, DRAFT_LIMIT / 2)));
            }
        }
        let mut buttons = Vec::new();
        if self.may(viewer, Deed::WriteConsolidated, inc) {
            buttons.push(vec![
                self.button("btn-draft", Action::WriteConsolidated { inc: inc.id })
            ]);
        }
        View {
            lines,
            buttons,
            ..View::default()
        }
    }

    pub(super) fn returned(&self, inc: &IncidentRecord, part: usize, viewer: &Actor) -> View {
        let Some(p) = inc.workflow.parts.get(part) else {
            return View::default();
        };
        let (reason, comment) = p
            .returned
            .as_ref()
            .map(|(r, c)| {
                (
                    self.reason(*r),
                    if c.is_empty() {
                        String::new()
                    } else {
                        format!(" — «{c}»")
                    },
                )
            })
            .unwrap_or_default();
        let lines = vec![Line::Text(self.tf(
            "returned-title",
            &[
                ("number", Arg::Num(inc.number)),
                (
                    "department",
                    Arg::from(&self.rules.department_name(p.department)),
                ),
                ("name", Arg::from(&self.rules.name_of(p.executor))),
                ("reason", Arg::from(&reason)),
                ("comment", Arg::from(&comment)),
            ],
        ))];
        let mut buttons = Vec::new();
        if self.may(viewer, Deed::Reroute { part }, inc) {
            let taken: Vec<DepartmentId> = inc
                .workflow
                .parts
                .iter()
                .filter(|q| q.state != PartState::Returned)
                .map(|q| q.department)
                .collect();
            let candidates: Vec<_> = self
                .rules
                .active_departments()
                .filter(|d| d.id != p.department && !taken.contains(&d.id))
                .collect();
            buttons = candidates
                .chunks(2)
                .map(|pair| {
                    pair.iter()
                        .map(|d| Button {
                            label: d.name.clone(),
                            action: Action::Reroute {
                                inc: inc.id,
                                part,
                                dept: d.id,
                            },
                        })
                        .collect()
                })
                .collect();
        }
        View {
            lines,
            buttons,
            ..View::default()
        }
    }

    pub fn reason(&self, r: ReturnReason) -> String {
        self.t(match r {
            ReturnReason::NotOurCompetence => "reason-not_our_competence",
            ReturnReason::AnotherDepartment => "reason-another_department",
            ReturnReason::Duplicate => "reason-duplicate",
        })
    }

    /// The executor's notice of rework, with the comment and their text, and the button to
    /// write again while they may.
    pub(super) fn rework(
        &self,
        inc: &IncidentRecord,
        part: usize,
        version: u32,
        comment: &str,
        viewer: &Actor,
    ) -> View {
        let p = inc.workflow.parts.get(part);
        let previous = p
            .and_then(|p| {
                if version > 0 {
                    p.drafts.iter().find(|d| d.version == version)
                } else {
                    p.current_draft()
                }
            })
            .map(|d| d.text.clone())
            .unwrap_or_default();
        let mut lines = vec![Line::Text(self.tf(
            "notice-rework",
            &[
                ("number", Arg::Num(inc.number)),
                ("comment", Arg::from(comment)),
                (
                    "text",
                    Arg::from(&clipped(self.texts, &previous, DRAFT_LIMIT)),
                ),
            ],
        ))];
        let reworking = p.is_some_and(|p| matches!(p.state, PartState::ReworkRequested { .. }));
        if reworking {
            if let Some(Due::At { at, .. }) = p
                .and_then(|p| p.current_deadline(self.rules.regulation()))
                .map(|(_, d)| d)
            {
                lines.push(Line::Text(self.tf(
                    "notice-rework-due",
                    &[
                        ("time", Arg::from(&self.time(at))),
                        ("date", Arg::from(&self.date(at))),
                    ],
                )));
            }
        }
        View {
            lines,
            buttons: self.write_again(inc, part, viewer),
            ..View::default()
        }
    }

    /// The first writing action the viewer may take on the part (rework, the final answer).
    pub(super) fn write_again(
        &self,
        inc: &IncidentRecord,
        part: usize,
        viewer: &Actor,
    ) -> Vec<Vec<Button>> {
        let reg = self.rules.regulation();
        for (kind, key) in [
            (DraftKind::Answer, "btn-draft"),
            (DraftKind::Interim, "btn-interim"),
            (DraftKind::Clarification, "btn-clarify"),
        ] {
            if may_start_draft(viewer, part, kind, &inc.workflow, reg) {
                return vec![vec![self.button(
                    key,
                    Action::StartDraft {
                        inc: inc.id,
                        part,
                        kind,
                    },
                )]];
            }
        }
        Vec::new()
    }

    /// The draft preview the executor sees before sending it for approval.
    pub fn draft_preview(
        &self,
        inc: &IncidentRecord,
        kind: DraftKind,
        text: &str,
        files: &[String],
    ) -> View {
        let attachments = files.len();
        let visibility = self.t(if inc.content.kind == MessageKind::Direct {
            "visibility-private"
        } else {
            "visibility-public"
        });
        let key = match kind {
            DraftKind::Answer => "preview-answer",
            DraftKind::Interim => "preview-interim",
            DraftKind::Clarification => "preview-clarification",
        };
        let mut lines = vec![
            Line::Text(self.tf(
                key,
                &[
                    ("number", Arg::Num(inc.number)),
                    (
                        "network",
                        Arg::from(&network(self.texts, inc.content.source)),
                    ),
                    ("visibility", Arg::from(&visibility)),
                ],
            )),
            Line::Blank,
            Line::Quote(clipped(self.texts, text, DRAFT_LIMIT)),
        ];
        if attachments > 0 {
            let count = self.tf("photos", &[("n", Arg::Num(attachments as i64))]);
            lines.push(Line::Text(
                self.tf("card-attachments", &[("count", Arg::from(&count))]),
            ));
        }
        let warnings = self.draft_warnings(inc, kind, text, photos(files));
        if !warnings.is_empty() {
            lines.push(Line::Blank);
        }
        for w in warnings {
            lines.push(Line::Text(w));
        }
        let id = inc.id;
        let mut buttons = vec![vec![
            self.button("btn-edit", Action::EditDraft { inc: id }),
            self.button("btn-cancel", Action::CancelDraft { inc: id }),
        ]];
        // A template's field left unfilled: the draft cannot go to approval yet.
        let fields = blanks(text);
        if fields.is_empty() {
            buttons.insert(
                0,
                vec![self.button("btn-send-approval", Action::SendDraft { inc: id })],
            );
        } else {
            let fields = fields.join(", ");
            lines.push(Line::Blank);
            lines.push(Line::Text(
                self.tf("warn-blanks", &[("fields", Arg::from(&fields))]),
            ));
        }
        View {
            lines,
            buttons,
            ..View::default()
        }
    }
}

fn step_key(step: ApprovalStep) -> &'static str {
    match step {
        ApprovalStep::DepartmentHead => "step-department_head",
        ApprovalStep::Deputy => "step-deputy",
        ApprovalStep::Curator => "step-curator",
    }
}

/// The reasons to choose from when returning a part.
pub fn return_reasons(texts: &Texts, inc: &IncidentRecord, part: usize) -> View {
    let b = |key: &str, reason| Button {
        label: texts.t(key),
        action: Action::ReturnWith {
            inc: inc.id,
            part,
            reason,
        },
    };
    View::text(texts.tf("ask-return-reason", &[("number", Arg::Num(inc.number))])).with_buttons(
        vec![
            vec![b(
                "btn-reason-not-competence",
                ReturnReason::NotOurCompetence,
            )],
            vec![b(
                "btn-reason-another-department",
                ReturnReason::AnotherDepartment,
            )],
            vec![b("btn-reason-duplicate", ReturnReason::Duplicate)],
        ],
    )
}

/// The reasons to choose from when a message gets no answer.
pub fn no_answer_reasons(texts: &Texts, inc: &IncidentRecord) -> View {
    let b = |key: &str, reason| Button {
        label: texts.t(key),
        action: Action::NoAnswerWith {
            inc: inc.id,
            reason,
        },
    };
    View::text(texts.tf("ask-no-answer-reason", &[("number", Arg::Num(inc.number))])).with_buttons(
        vec![
            vec![
                b("btn-no-answer-threats", NoAnswerReason::Threats),
                b("btn-no-answer-obscenity", NoAnswerReason::Obscenity),
            ],
            vec![
                b("btn-no-answer-insults", NoAnswerReason::Insults),
                b("btn-no-answer-unreadable", NoAnswerReason::Unreadable),
            ],
        ],
    )
}

/// The kinds of standard explanation the regulation provides, to choose from.
pub fn explanation_kinds(
    texts: &Texts,
    inc: &IncidentRecord,
    part: Option<usize>,
    provided: &[ExplanationKind],
) -> View {
    let buttons = provided
        .iter()
        .map(|kind| {
            vec![Button {
                label: texts.t(explanation_button(*kind)),
                action: Action::ExplanationWith {
                    inc: inc.id,
                    part,
                    kind: *kind,
                },
            }]
        })
        .collect();
    View::text(texts.tf("ask-explanation-kind", &[("number", Arg::Num(inc.number))]))
        .with_buttons(buttons)
}

/// The button label of a standard explanation.
fn explanation_button(kind: ExplanationKind) -> &'static str {
    match kind {
        ExplanationKind::NotOurCompetence => "btn-explanation-not-competence",
        ExplanationKind::AbuseOfRight => "btn-explanation-abuse",
        ExplanationKind::CourtActs => "btn-explanation-court",
        ExplanationKind::AlreadyAnswered => "btn-explanation-already-answered",
        ExplanationKind::AnswerOnSite => "btn-explanation-answer-on-site",
    }
}

/// The template key of a standard explanation.
pub fn explanation_template(kind: ExplanationKind) -> &'static str {
    match kind {
        ExplanationKind::NotOurCompetence => "explanation-not-competence",
        ExplanationKind::AbuseOfRight => "explanation-abuse",
        ExplanationKind::CourtActs => "explanation-court",
        ExplanationKind::AlreadyAnswered => "explanation-already-answered",
        ExplanationKind::AnswerOnSite => "explanation-answer-on-site",
    }
}

/// How many of a draft's attachments show the work (a shared place does not).
fn photos(files: &[String]) -> usize {
    files
        .iter()
        .filter(|f| crate::domain::content::location_of(f).is_none())
        .count()
}
