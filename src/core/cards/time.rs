//! What time brings: reminders before a deadline, the deadline itself, lateness told to those
//! who answer for it, and weekend alerts with their follow-ups. A reminder carries the same
//! buttons as the card the person would act on, while its stage still runs.

use chrono::{DateTime, NaiveDate, Utc};

use super::Draw;
use crate::core::action::Action;
use crate::core::notices::Notice;
use crate::core::org::OrgRules;
use crate::core::view::{Button, Line, View};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, DutyAnswerKind, PartState};
use crate::domain::permission::Deed;
use crate::domain::plan::Due;
use crate::domain::regulation::Stage;
use crate::domain::PersonId;
use crate::texts::Arg;

impl Draw<'_> {
    /// Whether a stage still runs with this deadline (a reminder about it still applies).
    fn still_due(
        &self,
        inc: &IncidentRecord,
        part: Option<usize>,
        stage: Stage,
        deadline: DateTime<Utc>,
    ) -> bool {
        let current = match part {
            None => inc.workflow.current_deadline(),
            Some(i) => inc
                .workflow
                .parts
                .get(i)
                .and_then(|p| p.current_deadline(self.rules.regulation())),
        };
        !inc.workflow.state.is_finished()
            && matches!(current, Some((s, Due::At { at, .. })) if s == stage && at == deadline)
    }

    /// The buttons of the card the viewer would act on now, while the stage runs.
    fn acting_buttons(
        &self,
        inc: &IncidentRecord,
        part: Option<usize>,
        stage: Stage,
        deadline: DateTime<Utc>,
        viewer: &Actor,
    ) -> Vec<Vec<Button>> {
        if !self.still_due(inc, part, stage, deadline) {
            return Vec::new();
        }
        let relevant = self.relevant_notice(inc, viewer);
        let mut buttons = self
            .notice(&relevant, inc, viewer)
            .map(|v| v.buttons)
            .unwrap_or_default();
        buttons.retain(|row| {
            !row.iter()
                .all(|b| matches!(b.action, Action::ShowAll { .. }))
        });
        buttons
    }

    fn stage_name(&self, stage: Stage) -> String {
        self.t(&format!("stage-{}", stage.key()))
    }

    /// Who holds a stage: the part's executor, or the curators.
    fn holder(&self, inc: &IncidentRecord, part: Option<usize>) -> String {
        match part.and_then(|i| inc.workflow.parts.get(i)) {
            Some(p) => format!(
                "{} ({})",
                self.rules.name_of(p.executor),
                self.rules.department_name(p.department)
            ),
            None => self.t("holder-curators"),
        }
    }

    /// «⏰ №1287: до срока «проект ответа» 30 мин рабочего времени (до 10:52, пн, 23 нояб.)».
    pub(super) fn reminder(
        &self,
        inc: &IncidentRecord,
        part: Option<usize>,
        stage: Stage,
        deadline: DateTime<Utc>,
        viewer: &Actor,
    ) -> View {
        let importance = inc.workflow.importance;
        let (left, calendar) =
            self.span_on_clock(stage, importance, self.now.min(deadline), deadline);
        let mut lines = vec![Line::Title(self.tf(
            if calendar {
                "reminder-title-calendar"
            } else {
                "reminder-title"
            },
            &[
                ("number", Arg::Num(inc.number)),
                ("stage", Arg::from(&self.stage_name(stage))),
                ("left", Arg::from(&super::short_span(self.texts, left))),
                ("time", Arg::from(&self.time(deadline))),
                ("date", Arg::from(&self.date(deadline))),
            ],
        ))];
        lines.push(Line::Text(self.excerpt(inc)));
        if !self.still_due(inc, part, stage, deadline) {
            lines.push(Line::Text(self.t("reminder-done")));
        }
        View {
            lines,
            buttons: self.acting_buttons(inc, part, stage, deadline, viewer),
            ..View::default()
        }
    }

    /// The deadline has come: to the owner, and to the curators (who see who holds it).
    pub(super) fn overdue(
        &self,
        inc: &IncidentRecord,
        part: Option<usize>,
        stage: Stage,
        deadline: DateTime<Utc>,
        viewer: &Actor,
    ) -> View {
        let mut lines = vec![Line::Title(self.tf(
            "overdue-title",
            &[
                ("number", Arg::Num(inc.number)),
                ("stage", Arg::from(&self.stage_name(stage))),
                ("time", Arg::from(&self.time(deadline))),
                ("date", Arg::from(&self.date(deadline))),
            ],
        ))];
        lines.extend(self.late_lines(inc, part, stage, deadline));
        View {
            lines,
            buttons: self.acting_buttons(inc, part, stage, deadline, viewer),
            ..View::default()
        }
    }

    /// What a deadline notice says under its title: the message, who holds it, and whether the
    /// stage has been passed since.
    fn late_lines(
        &self,
        inc: &IncidentRecord,
        part: Option<usize>,
        stage: Stage,
        deadline: DateTime<Utc>,
    ) -> Vec<Line> {
        let mut lines = vec![
            Line::Text(self.excerpt(inc)),
            Line::Text(self.tf(
                "overdue-holder",
                &[("who", Arg::from(&self.holder(inc, part)))],
            )),
        ];
        if !self.still_due(inc, part, stage, deadline) {
            lines.push(Line::Text(self.t("reminder-done")));
        }
        lines
    }

    /// Lateness told to a department head or the head: how late, where, who.
    pub(super) fn late(
        &self,
        inc: &IncidentRecord,
        part: Option<usize>,
        stage: Stage,
        deadline: DateTime<Utc>,
    ) -> View {
        let importance = inc.workflow.importance;
        let (late, calendar) =
            self.span_on_clock(stage, importance, deadline, self.now.max(deadline));
        let mut lines = vec![Line::Title(self.tf(
            if calendar {
                "late-title-calendar"
            } else {
                "late-title"
            },
            &[
                ("number", Arg::Num(inc.number)),
                ("late", Arg::from(&super::short_span(self.texts, late))),
                ("stage", Arg::from(&self.stage_name(stage))),
            ],
        ))];
        lines.extend(self.late_lines(inc, part, stage, deadline));
        View {
            lines,
            buttons: vec![vec![
                self.button("btn-open", Action::OpenCard { inc: inc.id })
            ]],
            ..View::default()
        }
    }

    /// One line of what the message is about: network, topic, the start of the text.
    fn excerpt(&self, inc: &IncidentRecord) -> String {
        let text: String = inc.content.text.chars().take(80).collect();
        let more = if inc.content.text.chars().count() > 80 {
            "…"
        } else {
            ""
        };
        format!("«{text}{more}»")
    }

    /// The weekend alert: the curators' card of the incident (its actions for whoever took it),
    /// who answered it, and «Беру» / «Передал в ЕДДС» while nobody has.
    pub(super) fn weekend_emergency(
        &self,
        inc: &IncidentRecord,
        viewer: &Actor,
        unanswered: bool,
    ) -> View {
        let mut card = self.curators_card(inc, viewer);
        card.lines.insert(0, Line::Title(self.t("notice-weekend")));
        if unanswered && inc.workflow.duty_alert.is_some_and(|a| a.answer.is_none()) {
            card.lines.insert(1, Line::Text(self.t("duty-nobody-took")));
        }
        let phones: Vec<String> = self
            .rules
            .active_departments()
            .filter_map(|d| d.head)
            .filter_map(|h| self.rules.person(h))
            .filter_map(|p| p.phone.as_ref().map(|ph| format!("{} {ph}", p.full_name)))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !phones.is_empty() {
            card.lines.push(Line::Text(
                self.tf("duty-phones", &[("phones", Arg::from(&phones.join(", ")))]),
            ));
        }
        let on_call = department_duty_lines(self.rules, self.department_duty);
        if !on_call.is_empty() {
            card.lines.push(Line::Text(self.t("duty-departments")));
            card.lines.extend(on_call.into_iter().map(Line::Text));
        }
        if let Some(answer) = inc.workflow.duty_alert.and_then(|a| a.answer) {
            card.lines.push(Line::Blank);
            card.lines.push(Line::Text(self.duty_answer_line(
                inc,
                answer.kind,
                answer.by,
                answer.at,
            )));
        }
        if self.may(viewer, Deed::AnswerDutyAlert, inc) {
            card.buttons.insert(
                0,
                vec![
                    self.button(
                        "btn-duty-take",
                        Action::DutyAnswer {
                            inc: inc.id,
                            answer: DutyAnswerKind::Taken,
                        },
                    ),
                    self.button(
                        "btn-duty-dispatch",
                        Action::DutyAnswer {
                            inc: inc.id,
                            answer: DutyAnswerKind::HandedToDispatch,
                        },
                    ),
                ],
            );
        }
        card
    }

    pub(super) fn duty_answer_line(
        &self,
        inc: &IncidentRecord,
        kind: DutyAnswerKind,
        by: PersonId,
        at: DateTime<Utc>,
    ) -> String {
        self.tf(
            match kind {
                DutyAnswerKind::Taken => "duty-taken-line",
                DutyAnswerKind::HandedToDispatch => "duty-dispatched-line",
            },
            &[
                ("number", Arg::Num(inc.number)),
                ("name", Arg::from(&self.rules.name_of(by))),
                ("time", Arg::from(&self.time(at))),
            ],
        )
    }

    /// Coming days off with nobody on duty.
    pub(super) fn no_duty_officer(&self, dates: &[NaiveDate]) -> View {
        let days: Vec<String> = dates
            .iter()
            .filter_map(|d| {
                use chrono::TimeZone;
                self.rules
                    .calendar
                    .zone()
                    .from_local_datetime(&d.and_hms_opt(12, 0, 0)?)
                    .earliest()
            })
            .map(|t| self.date(t.with_timezone(&Utc)))
            .collect();
        View::text(self.tf("duty-missing", &[("days", Arg::from(&days.join(", ")))]))
    }

    /// The notice that shows a viewer what to do about an incident now: the approval card when
    /// a draft waits for them, the executor's card for their part, the curators' card
    /// otherwise.
    pub fn relevant_notice(&self, inc: &IncidentRecord, viewer: &Actor) -> Notice {
        let w = &inc.workflow;
        let reg = self.rules.regulation();
        for (i, p) in w.parts.iter().enumerate() {
            match p.state {
                PartState::DraftSubmitted { .. }
                    if self.may(viewer, Deed::Approve { part: Some(i) }, inc) =>
                {
                    let version = p.current_draft().map_or(1, |d| d.version);
                    return Notice::Approval {
                        part: Some(i),
                        version,
                    };
                }
                PartState::Approved { .. }
                    if crate::domain::permission::permitted(
                        viewer,
                        Deed::Publish { part: Some(i) },
                        w,
                        reg,
                    )
                    .is_ok()
                        && !viewer.handles(p.executor) =>
                {
                    return Notice::PublishRequest { part: Some(i) };
                }
                PartState::ClarificationApproved
                    if self.may(viewer, Deed::PostClarification { part: i }, inc) =>
                {
                    return Notice::ClarificationToPublish { part: i };
                }
                PartState::AwaitingAuthor
                    if self.may(viewer, Deed::RecordAuthorReply { part: i }, inc) =>
                {
                    return Notice::ClarificationToPublish { part: i };
                }
                PartState::Returned if self.may(viewer, Deed::Reroute { part: i }, inc) => {
                    return Notice::Returned { part: i };
                }
                _ => {}
            }
        }
        if self.may(viewer, Deed::WriteConsolidated, inc) {
            return Notice::Consolidate;
        }
        if self.may(viewer, Deed::Approve { part: None }, inc) {
            let version = w.consolidated.as_ref().map_or(1, |d| d.version);
            return Notice::Approval {
                part: None,
                version,
            };
        }
        if self.may(viewer, Deed::Publish { part: None }, inc) {
            return Notice::PublishRequest { part: None };
        }
        let mine = w.parts.iter().enumerate().find(|(_, p)| {
            p.state != PartState::Returned
                && (viewer.handles(p.executor) || viewer.heads_departments.contains(&p.department))
        });
        match mine {
            Some((i, _)) => Notice::IncidentCard { part: i },
            None => Notice::CuratorCard,
        }
    }
}

/// Each department's people on call, one line per department: «• Отдел ЖКХ — Иванов Иван
/// +7 914 000-00-00» (Sakhalin 3.9: official comments in working and non-working time).
pub fn department_duty_lines(
    rules: &OrgRules,
    duty: &[crate::storage::DepartmentDuty],
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current: Option<crate::domain::DepartmentId> = None;
    for d in duty {
        let Some(person) = rules.person(d.person) else {
            continue;
        };
        let who = match &d.phone {
            Some(phone) => format!("{} {phone}", person.full_name),
            None => person.full_name.clone(),
        };
        match (current == Some(d.department), lines.last_mut()) {
            (true, Some(last)) => {
                last.push_str(", ");
                last.push_str(&who);
            }
            _ => lines.push(format!("• {} — {who}", rules.department_name(d.department))),
        }
        current = Some(d.department);
    }
    lines
}
