//! How every card and notice looks: pure functions from an incident, its organisation, the
//! person (or group) looking at it and the time, to a view. Texts come from `dialogues/`;
//! deadlines are local with the working time left; buttons are exactly those the viewer may
//! press now (the domain's permission rule decides).
//!
//! - `incident.rs`: the executor's card and the curators' card (triage, then status);
//! - `answers.rs`: drafts, approval, publication, consolidation, returns;
//! - `clarification.rs`: a clarification request to post, and its follow-up;
//! - `time.rs`: reminders, deadlines, lateness, weekend alerts and their follow-ups;
//! - here: the shared pieces, and `notice`, which draws each kind of notice (one exhaustive
//!   match: a notice kind without a drawing does not compile).
//!
//! It reads and writes nothing: no store, no sending, no state change — what it needs besides
//! the incident comes in the drawing context (`delivery/drawing.rs` gathers it).

mod answers;
mod clarification;
mod incident;
mod memory;
#[cfg(test)]
mod tests;
mod time;
mod warnings;

pub use answers::{explanation_kinds, explanation_template, no_answer_reasons, return_reasons};
pub use time::department_duty_lines;

use chrono::{DateTime, Datelike, Utc};

use super::action::Action;
use super::notices::Notice;
use super::org::OrgRules;
use super::view::{Button, Line, View};
use crate::domain::content::{IncidentRecord, MessageKind, Source};
use crate::domain::incident::{Actor, DraftKind, IncidentState, Part, PartState};
use crate::domain::permission::{permitted, Deed};
use crate::domain::plan::{calendar_for, Due};
use crate::domain::regulation::{Clock, DeadlineRule, Importance, Stage};
use crate::domain::DepartmentId;
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
    /// The departments' people on call today (Sakhalin 3.9), for the weekend alert.
    pub department_duty: &'a [crate::storage::DepartmentDuty],
    /// Published answers to similar messages, for the executor's card.
    pub similar: &'a [crate::storage::SimilarAnswer],
}

/// How much of a short field (author, topic, location, a department's name) a card shows.
pub const FIELD_LIMIT: usize = 200;
/// How much of a link a card shows (intake takes up to 2 048 characters).
pub const LINK_LIMIT: usize = 1000;

/// A short field as a card shows it: clipped, so no stored value can push a card past a
/// messenger's limit.
pub fn field(texts: &Texts, text: &str) -> String {
    clipped(texts, text, FIELD_LIMIT)
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

/// "2 ч 10 мин" / "25 мин" (for the overview).
pub fn short_span_text(texts: &Texts, minutes: i64) -> String {
    short_span(texts, minutes)
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

    /// The clock a stage counts on, where it is calendar time (Sakhalin 3.3: 24 hours skipping
    /// days off); `None` for working time.
    fn calendar_clock(&self, stage: Stage, importance: Importance) -> Option<Clock> {
        let reg = self.rules.regulation();
        let rule = match reg.rule(stage, importance) {
            Some(DeadlineRule::SameAs { stage: other }) => reg.rule(*other, importance),
            rule => rule,
        };
        match rule {
            Some(DeadlineRule::Within {
                clock: clock @ (Clock::Calendar | Clock::CalendarSkippingNonWorkingDays),
                ..
            }) => Some(*clock),
            _ => None,
        }
    }

    /// The minutes from `from` to `to` on the clock a stage counts on, and whether that is
    /// calendar time (Sakhalin 3.3) rather than working time.
    fn span_on_clock(
        &self,
        stage: Stage,
        importance: Importance,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> (i64, bool) {
        let calendar = &self.rules.calendar;
        let (span, on_calendar) = match self.calendar_clock(stage, importance) {
            None => (calendar.working_time_between(from, to), false),
            Some(Clock::CalendarSkippingNonWorkingDays) => (
                calendar.time_skipping_non_working_days_between(from, to),
                true,
            ),
            Some(_) => (Ok(to - from), true),
        };
        (span.map(|d| d.num_minutes()).unwrap_or(0), on_calendar)
    }

    /// Whether a calendar-clock deadline falls outside the office's hours (an instant that ends
    /// a working window is inside).
    fn outside_office_hours(&self, stage: Stage, at: DateTime<Utc>) -> bool {
        let calendar = calendar_for(self.rules.regulation(), &self.rules.calendar, stage);
        let working = |t| calendar.is_working(t).unwrap_or(true);
        !working(at) && !working(at - chrono::Duration::minutes(1))
    }

    /// The deadline line's text key: with «(вне рабочего времени)» for a calendar-clock stage
    /// due outside office hours.
    fn due_key(
        &self,
        stage: Stage,
        importance: Importance,
        at: DateTime<Utc>,
        key: &str,
    ) -> String {
        if self.calendar_clock(stage, importance).is_some() && self.outside_office_hours(stage, at)
        {
            format!("{key}-outside-hours")
        } else {
            key.to_string()
        }
    }

    /// The lines that show one stage's deadline, with the time left: working time, or calendar
    /// time for a stage on the calendar clock.
    pub fn deadline_lines(&self, stage: Stage, importance: Importance, due: Due) -> Vec<Line> {
        let stage_name = self.t(&format!("stage-{}", stage.key()));
        match due {
            Due::At { at, .. } => {
                let mut lines = vec![Line::Text(self.tf(
                    &self.due_key(stage, importance, at, "card-deadline"),
                    &[
                        ("stage", Arg::from(&stage_name)),
                        ("time", Arg::from(&self.time(at))),
                        ("date", Arg::from(&self.date(at))),
                    ],
                ))];
                if at > self.now {
                    let (left, calendar) = self.span_on_clock(stage, importance, self.now, at);
                    let key = if calendar {
                        "time-left-calendar"
                    } else {
                        "time-left"
                    };
                    let left = self.tf(key, &[("left", Arg::from(&short_span(self.texts, left)))]);
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
        let author = if c.author.trim().is_empty() {
            self.t("new-author-unknown")
        } else {
            clipped(self.texts, &c.author, FIELD_LIMIT)
        };
        let mut lines = vec![
            Line::Quote(clipped(self.texts, &c.text, QUOTE_LIMIT)),
            Line::Text(self.tf(
                "card-author",
                &[
                    ("author", Arg::from(&author)),
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
        lines.extend(self.link_line(&c.url));
        if !c.attachments.is_empty() {
            let count = self.tf("photos", &[("n", Arg::Num(c.attachments.len() as i64))]);
            lines.push(Line::Text(
                self.tf("card-attachments", &[("count", Arg::from(&count))]),
            ));
        }
        (lines, truncated)
    }

    /// The «🔗 link» line of a card (clipped), when there is a link.
    pub(super) fn link_line(&self, url: &str) -> Option<Line> {
        (!url.is_empty()).then(|| {
            Line::Text(self.tf(
                "card-link",
                &[("url", Arg::from(&clipped(self.texts, url, LINK_LIMIT)))],
            ))
        })
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
            place.push(self.tf("card-topic", &[("topic", Arg::from(&field(self.texts, t)))]));
        }
        if let Some(l) = &inc.workflow.location {
            place.push(self.tf(
                "card-location",
                &[("location", Arg::from(&field(self.texts, l)))],
            ));
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
}

impl Draw<'_> {
    /// Draws an incident notice for a viewer. `None` for notices that are not drawn (work for
    /// the delivery worker).
    pub fn notice(&self, notice: &Notice, inc: &IncidentRecord, viewer: &Actor) -> Option<View> {
        let number = Arg::Num(inc.number);
        let view = match notice {
            Notice::Triage | Notice::CuratorCard => self.curators_card(inc, viewer),
            Notice::IncidentCard { part } => self.executor_card(inc, *part, viewer),
            Notice::CompetenceCheck { part } => {
                let mut card = self.executor_card(inc, *part, viewer);
                let proposed = inc
                    .workflow
                    .parts
                    .get(*part)
                    .and_then(|p| p.proposed_return.as_ref());
                let line = match proposed {
                    Some(proposal) => self.tf(
                        if proposal.comment.is_empty() {
                            "notice-return-proposed-bare"
                        } else {
                            "notice-return-proposed"
                        },
                        &[
                            ("number", number),
                            ("name", Arg::from(&self.rules.name_of(proposal.by))),
                            ("reason", Arg::from(&self.reason(proposal.reason))),
                            ("comment", Arg::from(&proposal.comment)),
                        ],
                    ),
                    None => self.tf("notice-competence", &[("number", number)]),
                };
                card.lines.insert(0, Line::Text(line));
                card
            }
            Notice::CompetenceConfirmed { part } => {
                let mut card = self.executor_card(inc, *part, viewer);
                card.lines.insert(
                    0,
                    Line::Text(self.tf("notice-competence-confirmed", &[("number", number)])),
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
            Notice::ClarificationInDoubt { part } => {
                let mut card = self.clarification_to_publish(inc, *part, viewer);
                card.lines.insert(
                    0,
                    Line::Text(self.tf("notice-posting-in-doubt", &[("number", number)])),
                );
                card
            }
            Notice::ClarificationUnanswered { part, since } => {
                self.clarification_unanswered(inc, *part, *since, viewer)
            }
            Notice::Consolidate => self.consolidate(inc, viewer),
            Notice::Returned { part } => self.returned(inc, *part, viewer),
            Notice::CrossPost => self.cross_post(inc, viewer),
            Notice::ExplanationReturned { part, comment } => {
                let mut card = self.executor_card(inc, *part, viewer);
                card.lines.insert(
                    0,
                    Line::Title(self.tf(
                        "notice-explanation-returned",
                        &[("number", number), ("comment", Arg::from(comment))],
                    )),
                );
                card
            }
            Notice::ExplanationPrepared { part } => {
                let mut card = self.status_card(inc, Some(viewer));
                card.lines.insert(
                    0,
                    Line::Title(
                        self.tf(
                            "notice-explanation-prepared",
                            &[
                                ("number", number),
                                (
                                    "department",
                                    Arg::from(
                                        &inc.workflow
                                            .parts
                                            .get(*part)
                                            .map(|p| self.rules.department_name(p.department))
                                            .unwrap_or_default(),
                                    ),
                                ),
                            ],
                        ),
                    ),
                );
                card
            }
            Notice::CannotPublish { .. } => self.titled_status(
                self.tf(
                    "notice-cannot-publish",
                    &[
                        ("number", number),
                        (
                            "reason",
                            Arg::from(
                                &inc.workflow
                                    .publication_impossible
                                    .as_ref()
                                    .map(|(_, r)| field(self.texts, r))
                                    .unwrap_or_default(),
                            ),
                        ),
                    ],
                ),
                inc,
            ),
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
            Notice::WeekendEmergency => self.weekend_emergency(inc, viewer, false),
            Notice::DutyUnanswered => self.weekend_emergency(inc, viewer, true),
            Notice::Reminder {
                part,
                stage,
                deadline,
            } => self.reminder(inc, *part, *stage, *deadline, viewer),
            Notice::Overdue {
                part,
                stage,
                deadline,
            } => self.overdue(inc, *part, *stage, *deadline, viewer),
            Notice::Late {
                part,
                stage,
                deadline,
            } => self.late(inc, *part, *stage, *deadline),
            Notice::DutyAnswered => {
                let answer = inc.workflow.duty_alert.and_then(|a| a.answer)?;
                View::text(self.duty_answer_line(inc, answer.kind, answer.by, answer.at))
            }
            Notice::Unreachable { .. }
            | Notice::Undeliverable { .. }
            | Notice::Burst { .. }
            | Notice::NoDutyOfficer { .. } => return self.standalone(notice),
            // Drawn with what the delivery reads for them (the overview, the report).
            Notice::Digest { .. } | Notice::Collapsed { .. } | Notice::Report { .. } => {
                return None
            }
            Notice::ExplanationToPost | Notice::ExplanationInDoubt => {
                let key = if *notice == Notice::ExplanationInDoubt {
                    "notice-explanation-in-doubt"
                } else {
                    "notice-explanation-to-post"
                };
                let text = inc
                    .workflow
                    .explanation
                    .as_ref()
                    .map(|(_, text)| text.clone())
                    .unwrap_or_default();
                let mut lines = vec![Line::Text(
                    self.tf(key, &[("number", number), ("text", Arg::from(&text))]),
                )];
                lines.extend(self.link_line(&inc.content.url));
                View {
                    lines,
                    ..View::default()
                }
            }
            Notice::AutoPublish { .. }
            | Notice::AutoPostClarification { .. }
            | Notice::AutoPostExplanation
            | Notice::ToMonitoring { .. }
            | Notice::AppealEmail
            | Notice::RefreshCards { .. }
            | Notice::Redraw { .. }
            | Notice::Show { .. }
            | Notice::Backlog => return None,
        };
        Some(view)
    }

    /// Draws a notice that is not about one incident (a burst, an unreachable person).
    pub fn standalone(&self, notice: &Notice) -> Option<View> {
        match notice {
            Notice::Unreachable { person, number } => Some(View::text(self.tf(
                // An answer to the person themselves is about no incident.
                if *number == 0 {
                    "notice-unreachable-answer"
                } else {
                    "notice-unreachable"
                },
                &[
                    ("name", Arg::from(&self.rules.name_of(*person))),
                    ("number", Arg::Num(*number)),
                ],
            ))),
            Notice::Undeliverable { person, number } => {
                let whom = match person {
                    Some(p) => self.rules.name_of(*p),
                    None => self.t("undeliverable-group"),
                };
                Some(View::text(self.tf(
                    "notice-undeliverable",
                    &[("whom", Arg::from(&whom)), ("number", Arg::Num(*number))],
                )))
            }
            Notice::Burst {
                topic,
                count,
                number,
            } => Some(View::text(self.tf(
                "notice-burst",
                &[
                    ("count", Arg::Num(*count)),
                    ("topic", Arg::from(&field(self.texts, topic))),
                    ("number", Arg::Num(*number)),
                ],
            ))),
            Notice::NoDutyOfficer { dates } => Some(self.no_duty_officer(dates)),
            _ => None,
        }
    }
}
