//! How every card and notice looks: pure functions from an incident, its organisation, the
//! person (or group) looking at it and the time, to a view. Texts come from `dialogues/`;
//! deadlines are local with the working time left; buttons are exactly those the viewer may
//! press now (the domain's permission rule decides).

use chrono::{DateTime, Datelike, Utc};

use super::action::Action;
use super::notices::Notice;
use super::org::OrgRules;
use super::view::{Button, Line, View};
use crate::domain::content::{IncidentRecord, MessageKind, Source};
use crate::domain::incident::{
    Actor, ApprovalStep, Draft, DraftKind, DutyAnswerKind, ExplanationKind, IncidentState,
    NoAnswerReason, Part, PartState, ReturnReason,
};
use crate::domain::permission::{may_start_draft, permitted, Deed};
use crate::domain::plan::Due;
use crate::domain::regulation::{Importance, Publisher, Stage};
use crate::domain::warnings::{check_draft, DraftWarning};
use crate::domain::{DepartmentId, PersonId};
use crate::texts::{Arg, Texts};

/// How much of a citizen's text a card quotes before "show all".
pub const QUOTE_LIMIT: usize = 1200;

/// How much of a draft a card shows: with the rest of the card it stays within a message.
pub const DRAFT_LIMIT: usize = 3000;

/// What drawing needs besides the incident: texts, the organisation, the time, and what was read
/// for this drawing (departments ticked on a triage card, the earlier incident of a repeat).
pub struct Draw<'a> {
    pub texts: &'a Texts,
    pub rules: &'a OrgRules,
    pub now: DateTime<Utc>,
    pub ticked: &'a [DepartmentId],
    pub earlier: Option<&'a IncidentRecord>,
}

fn clipped(texts: &Texts, text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let cut: String = text.chars().take(limit).collect();
    format!("{cut}{}", texts.t("text-truncated"))
}

pub fn network(texts: &Texts, s: Source) -> String {
    texts.t(match s {
        Source::Vk => "network-vk",
        Source::Ok => "network-ok",
        Source::Telegram => "network-telegram",
        Source::Max => "network-max",
        Source::Web => "network-web",
        Source::Other => "network-other",
    })
}

fn message_kind(texts: &Texts, k: MessageKind) -> String {
    texts.t(match k {
        MessageKind::Comment => "kind-comment",
        MessageKind::Direct => "kind-direct",
        MessageKind::Post => "kind-post",
    })
}

/// "пт, 27 нояб."
pub fn short_date(texts: &Texts, rules: &OrgRules, t: DateTime<Utc>) -> String {
    let local = rules.calendar.local(t);
    texts.tf(
        "date-short",
        &[
            (
                "weekday",
                Arg::from(&texts.t(&format!("weekday-{}", local.weekday().number_from_monday()))),
            ),
            ("day", Arg::Num(i64::from(local.day()))),
            (
                "month",
                Arg::from(&texts.t(&format!("month-{}", local.month()))),
            ),
        ],
    )
}

pub fn clock_time(rules: &OrgRules, t: DateTime<Utc>) -> String {
    rules.calendar.local(t).format("%H:%M").to_string()
}

/// "2 ч 10 мин" / "25 мин".
fn short_span(texts: &Texts, minutes: i64) -> String {
    if minutes >= 60 {
        texts.tf(
            "time-left-short",
            &[
                ("hours", Arg::Num(minutes / 60)),
                ("minutes", Arg::Num(minutes % 60)),
            ],
        )
    } else {
        texts.tf("time-left-minutes", &[("minutes", Arg::Num(minutes))])
    }
}

/// "10 минут" / "2 часа".
fn ago(texts: &Texts, minutes: i64) -> String {
    if minutes >= 120 {
        texts.tf("hours", &[("n", Arg::Num(minutes / 60))])
    } else {
        texts.tf("minutes-ago", &[("n", Arg::Num(minutes.max(1)))])
    }
}

impl Draw<'_> {
    fn t(&self, key: &str) -> String {
        self.texts.t(key)
    }

    fn tf(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.texts.tf(key, args)
    }

    fn button(&self, key: &str, action: Action) -> Button {
        Button {
            label: self.t(key),
            action,
        }
    }

    fn date(&self, t: DateTime<Utc>) -> String {
        short_date(self.texts, self.rules, t)
    }

    fn time(&self, t: DateTime<Utc>) -> String {
        clock_time(self.rules, t)
    }

    fn may(&self, viewer: &Actor, deed: Deed, inc: &IncidentRecord) -> bool {
        permitted(viewer, deed, &inc.workflow, self.rules.regulation()).is_ok()
    }

    /// The lines that show one stage's deadline, with the working time left.
    pub fn deadline_lines(&self, stage: Stage, due: Due) -> Vec<Line> {
        let stage_name = self.t(&format!("stage-{}", stage.key()));
        match due {
            Due::At { at, .. } => {
                let mut lines = vec![Line::Text(self.tf(
                    "card-deadline",
                    &[
                        ("stage", Arg::from(&stage_name)),
                        ("time", Arg::from(&self.time(at))),
                        ("date", Arg::from(&self.date(at))),
                    ],
                ))];
                if at > self.now {
                    let left = self
                        .rules
                        .calendar
                        .working_time_between(self.now, at)
                        .map(|d| d.num_minutes())
                        .unwrap_or(0);
                    let left = self.tf(
                        "time-left",
                        &[("left", Arg::from(&short_span(self.texts, left)))],
                    );
                    lines.push(Line::Indented(
                        self.tf("card-left", &[("left", Arg::from(&left))]),
                    ));
                } else {
                    let minutes = (self.now - at).num_minutes();
                    lines.push(Line::Text(self.tf(
                        "time-overdue",
                        &[("ago", Arg::from(&ago(self.texts, minutes)))],
                    )));
                }
                lines
            }
            Due::Paused { remaining } => vec![Line::Text(self.tf(
                "time-paused",
                &[(
                    "left",
                    Arg::from(&short_span(self.texts, remaining.num_minutes())),
                )],
            ))],
            Due::AwaitingExternal => vec![Line::Text(format!(
                "⏰ {stage_name}: {}",
                self.t("time-external")
            ))],
            Due::AwaitingCurator => vec![Line::Text(format!(
                "⏰ {stage_name}: {}",
                self.t("time-by-curator")
            ))],
            Due::AfterEvent { .. } => Vec::new(),
        }
    }

    /// The quoted citizen's message with author, date, link and attachments; and whether the
    /// text was cut.
    fn quote_block(&self, inc: &IncidentRecord) -> (Vec<Line>, bool) {
        let c = &inc.content;
        let truncated = c.text.chars().count() > QUOTE_LIMIT;
        let mut lines = vec![
            Line::Quote(clipped(self.texts, &c.text, QUOTE_LIMIT)),
            Line::Text(self.tf(
                "card-author",
                &[
                    ("author", Arg::from(&c.author)),
                    (
                        "date",
                        Arg::from(&format!(
                            "{} {}",
                            self.date(inc.workflow.detected_at),
                            self.time(inc.workflow.detected_at)
                        )),
                    ),
                ],
            )),
        ];
        if !c.url.is_empty() {
            lines.push(Line::Text(
                self.tf("card-link", &[("url", Arg::from(&c.url))]),
            ));
        }
        if !c.attachments.is_empty() {
            let count = self.tf("photos", &[("n", Arg::Num(c.attachments.len() as i64))]);
            lines.push(Line::Text(
                self.tf("card-attachments", &[("count", Arg::from(&count))]),
            ));
        }
        (lines, truncated)
    }

    fn header(&self, inc: &IncidentRecord) -> Vec<Line> {
        let number = Arg::Num(inc.number);
        let title = if inc.workflow.importance == Importance::High {
            self.tf("card-title-high", &[("number", number)])
        } else {
            self.tf("card-title", &[("number", number)])
        };
        let mut lines = vec![
            Line::Title(title),
            Line::Text(self.tf(
                "card-source",
                &[
                    (
                        "network",
                        Arg::from(&network(self.texts, inc.content.source)),
                    ),
                    (
                        "kind",
                        Arg::from(&message_kind(self.texts, inc.content.kind)),
                    ),
                ],
            )),
        ];
        let mut place = Vec::new();
        if let Some(t) = &inc.workflow.topic {
            place.push(self.tf("card-topic", &[("topic", Arg::from(t))]));
        }
        if let Some(l) = &inc.workflow.location {
            place.push(self.tf("card-location", &[("location", Arg::from(l))]));
        }
        if !place.is_empty() {
            lines.push(Line::Text(place.join(" · ")));
        }
        lines
    }

    pub fn part_status(&self, p: &Part) -> String {
        self.t(&format!("status-{}", p.state.key()))
    }

    pub fn incident_status(&self, inc: &IncidentRecord) -> String {
        match inc.workflow.state {
            IncidentState::New => self.t("status-routed"),
            IncidentState::InWork | IncidentState::Consolidating => inc
                .workflow
                .parts
                .iter()
                .find(|p| p.state != PartState::Returned)
                .map(|p| self.part_status(p))
                .unwrap_or_else(|| self.t("status-returned")),
            IncidentState::AwaitingPublication => self.t("status-approved"),
            IncidentState::AwaitingFinal => self.t("status-awaiting_final"),
            IncidentState::Published => self.t("status-done"),
            other => self.t(&format!("status-{}", other.key())),
        }
    }

    /// "🔁 Повторное сообщение: ранее №N", with the earlier answer when there is one.
    fn repeat_lines(&self, inc: &IncidentRecord) -> Vec<Line> {
        let Some(prev) = inc.content.repeat_of else {
            return Vec::new();
        };
        let Some(earlier) = self.earlier.filter(|e| e.id == prev) else {
            return vec![Line::Text(
                self.tf("card-repeat", &[("number", Arg::Num(prev.0))]),
            )];
        };
        let mut lines = vec![Line::Text(
            self.tf("card-repeat", &[("number", Arg::Num(earlier.number))]),
        )];
        let published = earlier.workflow.parts.iter().find_map(|p| {
            let publication = p.publication.as_ref()?;
            let draft = p
                .drafts
                .iter()
                .rev()
                .find(|d| d.kind != DraftKind::Clarification)?;
            Some((publication.at, draft.text.clone()))
        });
        if let Some((at, text)) = published {
            let snippet: String = text.chars().take(200).collect();
            let more = if text.chars().count() > 200 {
                "…"
            } else {
                ""
            };
            lines.push(Line::Text(self.tf(
                "card-repeat-answer",
                &[
                    ("date", Arg::from(&self.date(at))),
                    ("text", Arg::from(&format!("{snippet}{more}"))),
                ],
            )));
        }
        lines
    }

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
        lines.push(Line::Blank);
        if !inc.workflow.state.is_finished() {
            if let Some((stage, due)) = p.current_deadline(self.rules.regulation()) {
                lines.extend(self.deadline_lines(stage, due));
            }
            if matches!(p.state, PartState::Routed | PartState::Accepted) {
                if let Some((_, Due::At { at, .. })) =
                    p.deadlines.iter().find(|(s, _)| *s == Stage::Final)
                {
                    lines.push(Line::Indented(self.tf(
                        "card-final",
                        &[
                            ("time", Arg::from(&self.time(*at))),
                            ("date", Arg::from(&self.date(*at))),
                        ],
                    )));
                }
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
    fn executor_buttons(
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
            let mut row = vec![self.button("btn-accept", Action::Accept { inc: id, part })];
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
        if self.may(viewer, Deed::Publish { part: Some(part) }, inc) {
            rows.push(vec![self.button(
                "btn-published",
                Action::Published {
                    inc: id,
                    part: Some(part),
                },
            )]);
        }
        rows
    }

    /// The curators' card: triage while the incident is new, its status after.
    pub fn curators_card(&self, inc: &IncidentRecord, viewer: &Actor) -> View {
        if inc.workflow.state == IncidentState::New {
            self.triage_card(inc, viewer)
        } else {
            self.status_card(inc)
        }
    }

    /// The triage card: importance, departments to tick, route / no answer / explanation.
    fn triage_card(&self, inc: &IncidentRecord, viewer: &Actor) -> View {
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
            lines.push(Line::Text(
                self.tf("card-topic", &[("topic", Arg::from(t))]),
            ));
        }
        if let Some(l) = &inc.workflow.location {
            lines.push(Line::Text(
                self.tf("card-location", &[("location", Arg::from(l))]),
            ));
        }
        let (quote, truncated) = self.quote_block(inc);
        lines.extend(quote);
        lines.extend(self.repeat_lines(inc));
        if let Some((stage, due)) = inc.workflow.current_deadline() {
            lines.push(Line::Blank);
            lines.extend(self.deadline_lines(stage, due));
        }
        let id = inc.id;
        let mut rows = Vec::new();
        let may_route = self.may(viewer, Deed::Route, inc);
        if may_route {
            lines.push(Line::Text(self.t("triage-route-hint")));
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
            ]);
        }
        if may_route {
            rows.push(vec![self.button("btn-route", Action::Route { inc: id })]);
        }
        let mut row = Vec::new();
        if self.may(viewer, Deed::MarkNoAnswer, inc) {
            row.push(self.button("btn-no-answer", Action::NoAnswer { inc: id }));
        }
        if self.may(viewer, Deed::Explain, inc) {
            row.push(self.button("btn-explanation", Action::Explanation { inc: id }));
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

    /// The curators' card once an incident is routed: who does what, and its status.
    fn status_card(&self, inc: &IncidentRecord) -> View {
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
        }
        if let Some(p) = &inc.workflow.publication {
            lines.push(Line::Text(
                self.tf("published-line", &[("url", Arg::from(&p.link))]),
            ));
        }
        lines.push(Line::Text(self.tf(
            "status-line",
            &[("status", Arg::from(&self.incident_status(inc)))],
        )));
        if let (false, Some((stage, due))) = (
            inc.workflow.state.is_finished(),
            inc.workflow.current_deadline(),
        ) {
            lines.extend(self.deadline_lines(stage, due));
        }
        let mut rows = Vec::new();
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

    fn draft_of<'i>(
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
                lines.extend(self.deadline_lines(stage, due));
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
        let repeated = inc.content.repeat_of.is_some() && draft.kind != DraftKind::Clarification;
        for w in check_draft(&draft.text, inc.content.source, repeated) {
            lines.push(Line::Text(self.warning(&w, inc)));
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
        }
    }

    pub fn warning(&self, w: &DraftWarning, inc: &IncidentRecord) -> String {
        let visibility = self.t(if inc.content.kind == MessageKind::Direct {
            "visibility-private"
        } else {
            "visibility-public"
        });
        match w {
            DraftWarning::Phone(v) => self.tf(
                "warn-phone",
                &[
                    ("value", Arg::from(v)),
                    ("visibility", Arg::from(&visibility)),
                ],
            ),
            DraftWarning::Email(v) => self.tf("warn-email", &[("value", Arg::from(v))]),
            DraftWarning::DocumentNumber(v) => self.tf("warn-document", &[("value", Arg::from(v))]),
            DraftWarning::TooLong { limit } => self.tf(
                "warn-too-long",
                &[
                    (
                        "network",
                        Arg::from(&network(self.texts, inc.content.source)),
                    ),
                    ("limit", Arg::Num(*limit as i64)),
                ],
            ),
            DraftWarning::RepeatWithoutMeasures => self.t("warn-repeat"),
        }
    }

    /// The answer to publish (the part's latest answer or interim; the consolidated answer).
    fn answer_of<'i>(&self, inc: &'i IncidentRecord, part: Option<usize>) -> Option<&'i Draft> {
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

    fn published_link<'i>(&self, inc: &'i IncidentRecord, part: Option<usize>) -> Option<&'i str> {
        match part {
            Some(i) => inc.workflow.parts.get(i)?.publication.as_ref(),
            None => inc.workflow.publication.as_ref(),
        }
        .map(|p| p.link.as_str())
    }

    /// A request to publish an approved answer and record the link.
    fn publish_request(&self, inc: &IncidentRecord, part: Option<usize>, viewer: &Actor) -> View {
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
    fn publish_tail(
        &self,
        inc: &IncidentRecord,
        part: Option<usize>,
        viewer: &Actor,
        mut lines: Vec<Line>,
    ) -> View {
        if !inc.content.url.is_empty() {
            lines.push(Line::Text(
                self.tf("card-link", &[("url", Arg::from(&inc.content.url))]),
            ));
        }
        if let Some(link) = self.published_link(inc, part) {
            lines.push(Line::Text(
                self.tf("published-line", &[("url", Arg::from(link))]),
            ));
        }
        let mut buttons = Vec::new();
        if self.may(viewer, Deed::Publish { part }, inc) {
            buttons.push(vec![
                self.button("btn-published", Action::Published { inc: inc.id, part })
            ]);
        }
        View {
            lines,
            buttons,
            ..View::default()
        }
    }

    fn publish_in_doubt(&self, inc: &IncidentRecord, part: Option<usize>, viewer: &Actor) -> View {
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

    fn clarification_to_publish(&self, inc: &IncidentRecord, part: usize, viewer: &Actor) -> View {
        let question = inc
            .workflow
            .parts
            .get(part)
            .and_then(|p| {
                p.drafts
                    .iter()
                    .rev()
                    .find(|d| d.kind == DraftKind::Clarification)
            })
            .map(|d| d.text.clone())
            .unwrap_or_default();
        let mut lines = vec![
            Line::Title(self.tf("publish-clarification", &[("number", Arg::Num(inc.number))])),
            Line::Blank,
            Line::Quote(clipped(self.texts, &question, DRAFT_LIMIT)),
        ];
        if !inc.content.url.is_empty() {
            lines.push(Line::Text(
                self.tf("card-link", &[("url", Arg::from(&inc.content.url))]),
            ));
        }
        let replied = inc
            .workflow
            .parts
            .get(part)
            .is_some_and(|p| p.pauses.iter().any(|x| x.end.is_some()))
            && inc
                .workflow
                .parts
                .get(part)
                .is_some_and(|p| p.state != PartState::AwaitingAuthor);
        if replied {
            lines.push(Line::Text(self.t("clarification-answered")));
        }
        let mut buttons = Vec::new();
        if self.may(viewer, Deed::RecordAuthorReply { part }, inc) {
            buttons.push(vec![self.button(
                "btn-author-replied",
                Action::AuthorReplied { inc: inc.id, part },
            )]);
        }
        View {
            lines,
            buttons,
            ..View::default()
        }
    }

    fn consolidate(&self, inc: &IncidentRecord, viewer: &Actor) -> View {
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

    fn returned(&self, inc: &IncidentRecord, part: usize, viewer: &Actor) -> View {
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

    /// A notice with the status card under it (escalations to the head).
    fn titled_status(&self, title: String, inc: &IncidentRecord) -> View {
        let mut card = self.status_card(inc);
        card.lines.insert(0, Line::Title(title));
        card
    }

    fn weekend_emergency(&self, inc: &IncidentRecord, viewer: &Actor) -> View {
        let mut card = self.titled_status(self.t("notice-weekend"), inc);
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

    fn duty_answer_line(
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

    /// The executor's notice of rework, with the comment and their text, and the button to
    /// write again while they may.
    fn rework(
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
    fn write_again(&self, inc: &IncidentRecord, part: usize, viewer: &Actor) -> Vec<Vec<Button>> {
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

    /// Draws an incident notice for a viewer. `None` for notices that are not drawn (work for
    /// the delivery worker).
    pub fn notice(&self, notice: &Notice, inc: &IncidentRecord, viewer: &Actor) -> Option<View> {
        let number = Arg::Num(inc.number);
        let view = match notice {
            Notice::Triage | Notice::CuratorCard => self.curators_card(inc, viewer),
            Notice::IncidentCard { part } => self.executor_card(inc, *part, viewer),
            Notice::CompetenceCheck { part } => {
                let mut card = self.executor_card(inc, *part, viewer);
                card.lines.insert(
                    0,
                    Line::Text(self.tf("notice-competence", &[("number", number)])),
                );
                card
            }
            Notice::ImportanceRaised => {
                View::text(self.tf("notice-importance", &[("number", number)]))
            }
            Notice::Approval { part, version } => self.approval_card(inc, *part, *version, viewer),
            Notice::Rework {
                part,
                version,
                comment,
            } => self.rework(inc, *part, *version, comment, viewer),
            Notice::AuthorReplied { part, text } => View {
                lines: vec![Line::Text(self.tf(
                    "notice-author-reply",
                    &[("number", number), ("text", Arg::from(text))],
                ))],
                buttons: self.write_again(inc, *part, viewer),
                ..View::default()
            },
            Notice::PublishRequest { part } => self.publish_request(inc, *part, viewer),
            Notice::PublishInDoubt { part } => self.publish_in_doubt(inc, *part, viewer),
            Notice::AutoPublished { link, .. } => View::text(self.tf(
                "published-auto",
                &[("number", number), ("url", Arg::from(link))],
            )),
            Notice::ClarificationToPublish { part } => {
                self.clarification_to_publish(inc, *part, viewer)
            }
            Notice::Consolidate => self.consolidate(inc, viewer),
            Notice::Returned { part } => self.returned(inc, *part, viewer),
            Notice::Escalation => self.titled_status(
                self.tf(
                    "notice-escalation",
                    &[
                        ("number", number),
                        (
                            "network",
                            Arg::from(&network(self.texts, inc.content.source)),
                        ),
                    ],
                ),
                inc,
            ),
            Notice::WeekendEmergency => self.weekend_emergency(inc, viewer),
            Notice::DutyAnswered => {
                let answer = inc.workflow.duty_alert.and_then(|a| a.answer)?;
                View::text(self.duty_answer_line(inc, answer.kind, answer.by, answer.at))
            }
            Notice::Unreachable { .. } | Notice::Burst { .. } => return self.standalone(notice),
            Notice::AutoPublish { .. } | Notice::RefreshCards => return None,
        };
        Some(view)
    }

    /// Draws a notice that is not about one incident (a burst, an unreachable person).
    pub fn standalone(&self, notice: &Notice) -> Option<View> {
        match notice {
            Notice::Unreachable { person, number } => Some(View::text(self.tf(
                "notice-unreachable",
                &[
                    ("name", Arg::from(&self.rules.name_of(*person))),
                    ("number", Arg::Num(*number)),
                ],
            ))),
            Notice::Burst {
                topic,
                count,
                number,
            } => Some(View::text(self.tf(
                "notice-burst",
                &[
                    ("count", Arg::Num(*count)),
                    ("topic", Arg::from(topic)),
                    ("number", Arg::Num(*number)),
                ],
            ))),
            _ => None,
        }
    }

    /// The draft preview the executor sees before sending it for approval.
    pub fn draft_preview(
        &self,
        inc: &IncidentRecord,
        kind: DraftKind,
        text: &str,
        attachments: usize,
    ) -> View {
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
        let repeated = inc.content.repeat_of.is_some() && kind != DraftKind::Clarification;
        let warnings = check_draft(text, inc.content.source, repeated);
        if !warnings.is_empty() {
            lines.push(Line::Blank);
        }
        for w in &warnings {
            lines.push(Line::Text(self.warning(w, inc)));
        }
        let id = inc.id;
        View {
            lines,
            buttons: vec![
                vec![self.button("btn-send-approval", Action::SendDraft { inc: id })],
                vec![
                    self.button("btn-edit", Action::EditDraft { inc: id }),
                    self.button("btn-cancel", Action::CancelDraft { inc: id }),
                ],
            ],
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

/// The kinds of standard explanation to choose from.
pub fn explanation_kinds(texts: &Texts, inc: &IncidentRecord) -> View {
    let b = |key: &str, kind| Button {
        label: texts.t(key),
        action: Action::ExplanationWith { inc: inc.id, kind },
    };
    View::text(texts.tf("ask-explanation-kind", &[("number", Arg::Num(inc.number))])).with_buttons(
        vec![
            vec![b(
                "btn-explanation-not-competence",
                ExplanationKind::NotOurCompetence,
            )],
            vec![b("btn-explanation-abuse", ExplanationKind::AbuseOfRight)],
            vec![b("btn-explanation-court", ExplanationKind::CourtActs)],
            vec![b(
                "btn-explanation-already-answered",
                ExplanationKind::AlreadyAnswered,
            )],
        ],
    )
}

/// The template key of a standard explanation.
pub fn explanation_template(kind: ExplanationKind) -> &'static str {
    match kind {
        ExplanationKind::NotOurCompetence => "explanation-not-competence",
        ExplanationKind::AbuseOfRight => "explanation-abuse",
        ExplanationKind::CourtActs => "explanation-court",
        ExplanationKind::AlreadyAnswered => "explanation-already-answered",
    }
}
