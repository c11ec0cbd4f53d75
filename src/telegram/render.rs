//! What the cards look like: text (HTML) and buttons, from the incident, the organisation's
//! rules and the dialogue texts. Deadlines are shown in local time with the working time left.

use chrono::{DateTime, Datelike, Utc};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::utils::html::escape;

use super::callback::Action;
use crate::app::{App, OrgRules};
use crate::domain::incident::{
    DraftKind, ExplanationKind, IncidentState, NoAnswerReason, Part, PartState, ReturnReason,
};
use crate::domain::plan::Due;
use crate::domain::regulation::{Importance, Publisher, Stage};
use crate::storage::{MessageKind, Source, StorageError, StoredIncident};
use crate::texts::{Arg, Texts};
use crate::warnings::DraftWarning;

/// How much of a citizen's text a card quotes before "show all".
pub const QUOTE_LIMIT: usize = 1200;

/// How much of a draft a card shows: with the rest of the card it stays under Telegram's 4096.
pub const DRAFT_LIMIT: usize = 3000;

/// The text, HTML-escaped, cut at `limit` characters with a mark.
fn clipped(texts: &Texts, text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return escape(text);
    }
    let cut: String = text.chars().take(limit).collect();
    format!("{}{}", escape(&cut), texts.t("text-truncated"))
}

/// A button: its label and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub action: Action,
}

/// A message to show: HTML text and rows of buttons.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Card {
    pub text: String,
    pub buttons: Vec<Vec<Button>>,
}

impl Card {
    pub fn keyboard(&self) -> InlineKeyboardMarkup {
        InlineKeyboardMarkup::new(self.buttons.iter().map(|row| {
            row.iter()
                .map(|b| InlineKeyboardButton::callback(b.label.clone(), b.action.encode()))
                .collect::<Vec<_>>()
        }))
    }
}

fn button(texts: &Texts, key: &str, action: Action) -> Button {
    Button {
        label: texts.t(key),
        action,
    }
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

fn kind(texts: &Texts, k: MessageKind) -> String {
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

/// The lines that show one stage's deadline.
pub fn deadline_lines(
    texts: &Texts,
    rules: &OrgRules,
    stage: Stage,
    due: Due,
    now: DateTime<Utc>,
) -> Vec<String> {
    let stage_name = texts.t(&format!("stage-{}", stage.key()));
    match due {
        Due::At { at, .. } => {
            let mut lines = vec![texts.tf(
                "card-deadline",
                &[
                    ("stage", Arg::from(&stage_name)),
                    ("time", Arg::from(&clock_time(rules, at))),
                    ("date", Arg::from(&short_date(texts, rules, at))),
                ],
            )];
            if at > now {
                let left = rules
                    .calendar
                    .working_time_between(now, at)
                    .map(|d| d.num_minutes())
                    .unwrap_or(0);
                let left_text = texts.tf(
                    "time-left",
                    &[("left", Arg::from(&short_span(texts, left)))],
                );
                // Indented under the deadline line (Fluent trims leading spaces of a text).
                lines.push(format!(
                    "   {}",
                    texts.tf("card-left", &[("left", Arg::from(&left_text))])
                ));
            } else {
                let minutes = (now - at).num_minutes();
                lines.push(texts.tf("time-overdue", &[("ago", Arg::from(&ago(texts, minutes)))]));
            }
            lines
        }
        Due::Paused { remaining } => vec![texts.tf(
            "time-paused",
            &[(
                "left",
                Arg::from(&short_span(texts, remaining.num_minutes())),
            )],
        )],
        Due::AwaitingExternal => vec![format!("⏰ {stage_name}: {}", texts.t("time-external"))],
        Due::AwaitingCurator => vec![format!("⏰ {stage_name}: {}", texts.t("time-by-curator"))],
        Due::AfterEvent { .. } => Vec::new(),
    }
}

/// The quoted citizen's message with author, date, link and attachments.
fn quote_block(texts: &Texts, rules: &OrgRules, inc: &StoredIncident) -> (Vec<String>, bool) {
    let c = &inc.content;
    let mut truncated = false;
    let body: String = if c.text.chars().count() > QUOTE_LIMIT {
        truncated = true;
        let cut: String = c.text.chars().take(QUOTE_LIMIT).collect();
        format!("{}{}", escape(&cut), texts.t("text-truncated"))
    } else {
        escape(&c.text)
    };
    let mut lines = vec![
        format!("«{body}»"),
        texts.tf(
            "card-author",
            &[
                ("author", Arg::from(&escape(&c.author))),
                (
                    "date",
                    Arg::from(&format!(
                        "{} {}",
                        short_date(texts, rules, inc.workflow.detected_at),
                        clock_time(rules, inc.workflow.detected_at)
                    )),
                ),
            ],
        ),
    ];
    if !c.url.is_empty() {
        lines.push(texts.tf("card-link", &[("url", Arg::from(&escape(&c.url)))]));
    }
    if !c.attachments.is_empty() {
        let count = texts.tf("photos", &[("n", Arg::Num(c.attachments.len() as i64))]);
        lines.push(texts.tf("card-attachments", &[("count", Arg::from(&count))]));
    }
    (lines, truncated)
}

fn header(texts: &Texts, inc: &StoredIncident) -> Vec<String> {
    let number = Arg::Num(inc.number);
    let title = if inc.workflow.importance == Importance::High {
        texts.tf("card-title-high", &[("number", number)])
    } else {
        texts.tf("card-title", &[("number", number)])
    };
    let mut lines = vec![
        format!("<b>{}</b>", escape(&title)),
        texts.tf(
            "card-source",
            &[
                ("network", Arg::from(&network(texts, inc.content.source))),
                ("kind", Arg::from(&kind(texts, inc.content.kind))),
            ],
        ),
    ];
    let mut place = Vec::new();
    if let Some(t) = &inc.workflow.topic {
        place.push(texts.tf("card-topic", &[("topic", Arg::from(&escape(t)))]));
    }
    if let Some(l) = &inc.workflow.location {
        place.push(texts.tf("card-location", &[("location", Arg::from(&escape(l)))]));
    }
    if !place.is_empty() {
        lines.push(place.join(" · "));
    }
    lines
}

pub fn part_status(texts: &Texts, p: &Part) -> String {
    texts.t(&format!("status-{}", p.state.key()))
}

pub fn incident_status(texts: &Texts, inc: &StoredIncident) -> String {
    match inc.workflow.state {
        IncidentState::New => texts.t("status-routed"),
        IncidentState::InWork | IncidentState::Consolidating => inc
            .workflow
            .parts
            .iter()
            .find(|p| p.state != PartState::Returned)
            .map(|p| part_status(texts, p))
            .unwrap_or_else(|| texts.t("status-returned")),
        IncidentState::AwaitingPublication => texts.t("status-approved"),
        IncidentState::AwaitingFinal => texts.t("status-awaiting_final"),
        IncidentState::Published => texts.t("status-done"),
        other => texts.t(&format!("status-{}", other.key())),
    }
}

/// The executor's card for one part.
pub async fn executor_card(
    app: &App,
    rules: &OrgRules,
    inc: &StoredIncident,
    part: usize,
) -> Result<Card, StorageError> {
    let texts = &app.texts;
    let now = app.now();
    let mut lines = header(texts, inc);
    let Some(p) = inc.workflow.parts.get(part) else {
        return Ok(Card {
            text: lines.join("\n"),
            buttons: Vec::new(),
        });
    };
    if inc.workflow.parts.len() > 1 {
        let dept = app.store.department_name(p.department).await?;
        lines.push(texts.tf("card-part-of", &[("department", Arg::from(&escape(&dept)))]));
    }
    lines.push(String::new());
    let (quote, truncated) = quote_block(texts, rules, inc);
    lines.extend(quote);
    if let Some(prev) = inc.content.repeat_of {
        lines.push(repeat_line(app, rules, prev).await);
    }
    lines.push(String::new());
    if let Some((stage, due)) = p.current_deadline(&rules.org.regulation) {
        lines.extend(deadline_lines(texts, rules, stage, due, now));
    }
    if matches!(p.state, PartState::Routed | PartState::Accepted) {
        if let Some((_, Due::At { at, .. })) = p.deadlines.iter().find(|(s, _)| *s == Stage::Final)
        {
            let line = texts.tf(
                "card-final",
                &[
                    ("time", Arg::from(&clock_time(rules, *at))),
                    ("date", Arg::from(&short_date(texts, rules, *at))),
                ],
            );
            lines.push(format!("   {line}"));
        }
    }
    lines.push(texts.tf(
        "status-line",
        &[("status", Arg::from(&part_status(texts, p)))],
    ));
    let inc_id = inc.id;
    let b = |key: &str, action: Action| button(texts, key, action);
    let regulation = &rules.org.regulation;
    let mut rows: Vec<Vec<Button>> = Vec::new();
    let finished = inc.workflow.state.is_finished();
    if !finished {
        match p.state {
            PartState::Routed => {
                rows.push(vec![
                    b("btn-accept", Action::Accept { inc: inc_id, part }),
                    b("btn-return", Action::Return { inc: inc_id, part }),
                ]);
                rows.push(vec![b(
                    "btn-draft",
                    Action::StartDraft {
                        inc: inc_id,
                        part,
                        kind: DraftKind::Answer,
                    },
                )]);
                rows.push(vec![b(
                    "btn-clarify",
                    Action::StartDraft {
                        inc: inc_id,
                        part,
                        kind: DraftKind::Clarification,
                    },
                )]);
            }
            PartState::Accepted => {
                rows.push(vec![b(
                    "btn-draft",
                    Action::StartDraft {
                        inc: inc_id,
                        part,
                        kind: DraftKind::Answer,
                    },
                )]);
                if regulation.workflow.interim_answers && p.timeline.interim_published_at.is_none()
                {
                    rows.push(vec![b(
                        "btn-interim",
                        Action::StartDraft {
                            inc: inc_id,
                            part,
                            kind: DraftKind::Interim,
                        },
                    )]);
                }
                rows.push(vec![
                    b(
                        "btn-clarify",
                        Action::StartDraft {
                            inc: inc_id,
                            part,
                            kind: DraftKind::Clarification,
                        },
                    ),
                    b("btn-return", Action::Return { inc: inc_id, part }),
                ]);
            }
            PartState::ReworkRequested { kind } => {
                rows.push(vec![b(
                    "btn-draft",
                    Action::StartDraft {
                        inc: inc_id,
                        part,
                        kind,
                    },
                )]);
            }
            PartState::AwaitingFinal => {
                rows.push(vec![b(
                    "btn-draft",
                    Action::StartDraft {
                        inc: inc_id,
                        part,
                        kind: DraftKind::Answer,
                    },
                )]);
            }
            PartState::Approved { .. } if regulation.workflow.publisher == Publisher::Executor => {
                rows.push(vec![b(
                    "btn-published",
                    Action::Published {
                        inc: inc_id,
                        part: Some(part),
                    },
                )]);
            }
            _ => {}
        }
    }
    if truncated {
        rows.push(vec![b("btn-show-all", Action::ShowAll { inc: inc_id })]);
    }
    Ok(Card {
        text: lines.join("\n"),
        buttons: rows,
    })
}

/// "🔁 Повторное сообщение: ранее №N", with the earlier answer when there is one.
async fn repeat_line(app: &App, rules: &OrgRules, prev: i64) -> String {
    let texts = &app.texts;
    let Ok(earlier) = app.store.incident(prev).await else {
        return texts.tf("card-repeat", &[("number", Arg::Num(prev))]);
    };
    let mut line = texts.tf("card-repeat", &[("number", Arg::Num(earlier.number))]);
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
        line.push('\n');
        line.push_str(&texts.tf(
            "card-repeat-answer",
            &[
                ("date", Arg::from(&short_date(texts, rules, at))),
                ("text", Arg::from(&format!("{}{more}", escape(&snippet)))),
            ],
        ));
    }
    line
}

/// The curators' triage card: importance, departments to tick, route / no answer / explanation.
pub async fn triage_card(
    app: &App,
    rules: &OrgRules,
    inc: &StoredIncident,
) -> Result<Card, StorageError> {
    let texts = &app.texts;
    let now = app.now();
    let mut lines = vec![format!(
        "<b>{}</b>",
        escape(&texts.tf(
            "triage-title",
            &[
                ("number", Arg::Num(inc.number)),
                ("network", Arg::from(&network(texts, inc.content.source))),
                ("kind", Arg::from(&kind(texts, inc.content.kind))),
            ],
        ))
    )];
    if let Some(t) = &inc.workflow.topic {
        lines.push(texts.tf("card-topic", &[("topic", Arg::from(&escape(t)))]));
    }
    if let Some(l) = &inc.workflow.location {
        lines.push(texts.tf("card-location", &[("location", Arg::from(&escape(l)))]));
    }
    let (quote, truncated) = quote_block(texts, rules, inc);
    lines.extend(quote);
    if let Some((stage, due)) = inc.workflow.current_deadline() {
        lines.push(String::new());
        lines.extend(deadline_lines(texts, rules, stage, due, now));
    }
    lines.push(texts.t("triage-route-hint"));
    let selected = app.store.triage_departments(inc.id).await?;
    let departments = app.store.departments(inc.org_id).await?;
    let id = inc.id;
    let high = inc.workflow.importance == Importance::High;
    let mark = |label: String, on: bool| {
        if on {
            texts.tf("checked", &[("label", Arg::from(&label))])
        } else {
            label
        }
    };
    let mut rows = vec![vec![
        Button {
            label: mark(texts.t("btn-importance-normal"), !high),
            action: Action::Importance {
                inc: id,
                high: false,
            },
        },
        Button {
            label: mark(texts.t("btn-importance-high"), high),
            action: Action::Importance {
                inc: id,
                high: true,
            },
        },
    ]];
    for pair in departments.chunks(2) {
        rows.push(
            pair.iter()
                .map(|(dept, name)| Button {
                    label: mark(name.clone(), selected.contains(dept)),
                    action: Action::ToggleDepartment {
                        inc: id,
                        dept: *dept,
                    },
                })
                .collect(),
        );
    }
    rows.push(vec![
        button(texts, "btn-topic", Action::SetTopic { inc: id }),
        button(texts, "btn-location", Action::SetLocation { inc: id }),
    ]);
    rows.push(vec![button(texts, "btn-route", Action::Route { inc: id })]);
    rows.push(vec![
        button(texts, "btn-no-answer", Action::NoAnswer { inc: id }),
        button(texts, "btn-explanation", Action::Explanation { inc: id }),
    ]);
    rows.push(vec![button(
        texts,
        "btn-appeal",
        Action::Appeal { inc: id },
    )]);
    if truncated {
        rows.push(vec![button(
            texts,
            "btn-show-all",
            Action::ShowAll { inc: id },
        )]);
    }
    Ok(Card {
        text: lines.join("\n"),
        buttons: rows,
    })
}

/// The curators' card once an incident is routed: who does what, and its status.
pub async fn curator_status_card(
    app: &App,
    rules: &OrgRules,
    inc: &StoredIncident,
) -> Result<Card, StorageError> {
    let texts = &app.texts;
    let mut lines = header(texts, inc);
    lines.push(String::new());
    let (quote, truncated) = quote_block(texts, rules, inc);
    lines.extend(quote);
    lines.push(String::new());
    for p in &inc.workflow.parts {
        let dept = app.store.department_name(p.department).await?;
        let who = app
            .store
            .person(p.executor)
            .await
            .map(|x| x.full_name)
            .unwrap_or_default();
        lines.push(format!(
            "• {} — {}: {}",
            escape(&dept),
            escape(&who),
            part_status(texts, p)
        ));
    }
    if let Some(p) = &inc.workflow.publication {
        lines.push(texts.tf("published-line", &[("url", Arg::from(&escape(&p.link)))]));
    }
    lines.push(texts.tf(
        "status-line",
        &[("status", Arg::from(&incident_status(texts, inc)))],
    ));
    if let (false, Some((stage, due))) = (
        inc.workflow.state.is_finished(),
        inc.workflow.current_deadline(),
    ) {
        lines.extend(deadline_lines(texts, rules, stage, due, app.now()));
    }
    let mut rows = Vec::new();
    if truncated {
        rows.push(vec![button(
            texts,
            "btn-show-all",
            Action::ShowAll { inc: inc.id },
        )]);
    }
    Ok(Card {
        text: lines.join("\n"),
        buttons: rows,
    })
}

/// An approval card for a part's current draft (or the consolidated answer).
pub async fn approval_card(
    app: &App,
    rules: &OrgRules,
    inc: &StoredIncident,
    part: Option<usize>,
) -> Result<Card, StorageError> {
    let texts = &app.texts;
    let draft = match part {
        Some(i) => inc.workflow.parts.get(i).and_then(|p| p.current_draft()),
        None => inc.workflow.consolidated.as_ref(),
    };
    let Some(draft) = draft else {
        return Ok(Card::default());
    };
    let what = texts.t(match draft.kind {
        DraftKind::Answer => "approval-what-answer",
        DraftKind::Interim => "approval-what-interim",
        DraftKind::Clarification => "approval-what-clarification",
    });
    let mut title = texts.tf(
        "approval-title",
        &[("number", Arg::Num(inc.number)), ("what", Arg::from(&what))],
    );
    if inc.workflow.importance == Importance::High {
        title.push_str(" · 🔴");
    }
    let mut lines = vec![format!("<b>{}</b>", escape(&title))];
    let author = app
        .store
        .person(draft.author)
        .await
        .map(|p| p.full_name)
        .unwrap_or_default();
    let dept = match part.and_then(|i| inc.workflow.parts.get(i)) {
        Some(p) => app.store.department_name(p.department).await?,
        None => String::new(),
    };
    lines.push(texts.tf(
        "approval-from",
        &[
            ("name", Arg::from(&escape(&author))),
            ("department", Arg::from(&escape(&dept))),
        ],
    ));
    if let Some((stage, due)) = part
        .and_then(|i| inc.workflow.parts.get(i))
        .and_then(|p| p.current_deadline(&rules.org.regulation))
    {
        lines.extend(deadline_lines(texts, rules, stage, due, app.now()));
    }
    lines.push(String::new());
    lines.push(format!("«{}»", clipped(texts, &draft.text, DRAFT_LIMIT)));
    if !draft.attachments.is_empty() {
        let count = texts.tf("photos", &[("n", Arg::Num(draft.attachments.len() as i64))]);
        lines.push(texts.tf("card-attachments", &[("count", Arg::from(&count))]));
    }
    for w in crate::warnings::check_draft(
        &draft.text,
        inc.content.source,
        inc.content.repeat_of.is_some(),
    ) {
        lines.push(warning_text(texts, &w, inc));
    }
    let version = draft.version;
    let mut row = vec![button(
        texts,
        "btn-approve",
        Action::Approve {
            inc: inc.id,
            part,
            version,
        },
    )];
    if let Some(i) = part {
        row.push(button(
            texts,
            "btn-rework",
            Action::Rework {
                inc: inc.id,
                part: i,
                version,
            },
        ));
    }
    Ok(Card {
        text: lines.join("\n"),
        buttons: vec![row],
    })
}

pub fn warning_text(texts: &Texts, w: &DraftWarning, inc: &StoredIncident) -> String {
    let visibility = texts.t(if inc.content.kind == MessageKind::Direct {
        "visibility-private"
    } else {
        "visibility-public"
    });
    match w {
        DraftWarning::Phone(v) => texts.tf(
            "warn-phone",
            &[
                ("value", Arg::from(&escape(v))),
                ("visibility", Arg::from(&visibility)),
            ],
        ),
        DraftWarning::Email(v) => texts.tf("warn-email", &[("value", Arg::from(&escape(v)))]),
        DraftWarning::DocumentNumber(v) => {
            texts.tf("warn-document", &[("value", Arg::from(&escape(v)))])
        }
        DraftWarning::TooLong { limit } => texts.tf(
            "warn-too-long",
            &[
                ("network", Arg::from(&network(texts, inc.content.source))),
                ("limit", Arg::Num(*limit as i64)),
            ],
        ),
        DraftWarning::RepeatWithoutMeasures => texts.t("warn-repeat"),
    }
}

/// The draft preview the executor sees before sending for approval.
pub fn draft_preview(
    texts: &Texts,
    inc: &StoredIncident,
    kind: DraftKind,
    text: &str,
    attachments: usize,
) -> Card {
    let visibility = texts.t(if inc.content.kind == MessageKind::Direct {
        "visibility-private"
    } else {
        "visibility-public"
    });
    let key = match kind {
        DraftKind::Answer => "preview-answer",
        DraftKind::Interim => "preview-interim",
        DraftKind::Clarification => "preview-clarification",
    };
    let mut lines = vec![texts.tf(
        key,
        &[
            ("number", Arg::Num(inc.number)),
            ("network", Arg::from(&network(texts, inc.content.source))),
            ("visibility", Arg::from(&visibility)),
        ],
    )];
    lines.push(String::new());
    lines.push(format!("«{}»", clipped(texts, text, DRAFT_LIMIT)));
    if attachments > 0 {
        let count = texts.tf("photos", &[("n", Arg::Num(attachments as i64))]);
        lines.push(texts.tf("card-attachments", &[("count", Arg::from(&count))]));
    }
    let repeated = inc.content.repeat_of.is_some() && kind != DraftKind::Clarification;
    let warnings = crate::warnings::check_draft(text, inc.content.source, repeated);
    if !warnings.is_empty() {
        lines.push(String::new());
    }
    for w in &warnings {
        lines.push(warning_text(texts, w, inc));
    }
    let id = inc.id;
    Card {
        text: lines.join("\n"),
        buttons: vec![
            vec![button(
                texts,
                "btn-send-approval",
                Action::SendDraft { inc: id },
            )],
            vec![
                button(texts, "btn-edit", Action::EditDraft { inc: id }),
                button(texts, "btn-cancel", Action::CancelDraft { inc: id }),
            ],
        ],
    }
}

pub fn return_reasons(texts: &Texts, inc: i64, part: usize) -> Card {
    let b = |key: &str, reason| button(texts, key, Action::ReturnWith { inc, part, reason });
    Card {
        text: String::new(),
        buttons: vec![
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
    }
}

pub fn no_answer_reasons(texts: &Texts, inc: i64) -> Vec<Vec<Button>> {
    let b = |key: &str, reason| button(texts, key, Action::NoAnswerWith { inc, reason });
    vec![
        vec![
            b("btn-no-answer-threats", NoAnswerReason::Threats),
            b("btn-no-answer-obscenity", NoAnswerReason::Obscenity),
        ],
        vec![
            b("btn-no-answer-insults", NoAnswerReason::Insults),
            b("btn-no-answer-unreadable", NoAnswerReason::Unreadable),
        ],
    ]
}

pub fn explanation_kinds(texts: &Texts, inc: i64) -> Vec<Vec<Button>> {
    let b = |key: &str, kind| button(texts, key, Action::ExplanationWith { inc, kind });
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
    ]
}

pub fn explanation_template(kind: ExplanationKind) -> &'static str {
    match kind {
        ExplanationKind::NotOurCompetence => "explanation-not-competence",
        ExplanationKind::AbuseOfRight => "explanation-abuse",
        ExplanationKind::CourtActs => "explanation-court",
        ExplanationKind::AlreadyAnswered => "explanation-already-answered",
    }
}

pub fn reason_text(texts: &Texts, r: ReturnReason) -> String {
    texts.t(match r {
        ReturnReason::NotOurCompetence => "reason-not_our_competence",
        ReturnReason::AnotherDepartment => "reason-another_department",
        ReturnReason::Duplicate => "reason-duplicate",
    })
}
