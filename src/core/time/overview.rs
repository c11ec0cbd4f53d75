//! Overviews of open incidents: `/open` (most urgent first) and `/overdue` (the late ones, by
//! department), paged with buttons, each line opening the incident's card; the morning digest
//! (what is due today, what is late, what arrived since the evening); and the one message a long
//! queue for a chat is summed up into. Curators, the head and the deputies see the whole
//! organisation; everyone else sees their own parts.

use chrono::{DateTime, Utc};

use crate::core::action::{Action, Overview};
use crate::core::cards::{clock_time, short_date};
use crate::core::org::OrgRules;
use crate::core::view::{Button, Line, View};
use crate::core::{Core, CoreError};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, PartState};
use crate::domain::permission::may_see_overview;
use crate::domain::plan::Due;
use crate::domain::regulation::Stage;
use crate::domain::PersonId;
use crate::texts::Arg;

/// Lines on one page of an overview.
pub const PAGE: i64 = 8;

/// What an overview line says of an incident: its most urgent running deadline and who holds it.
struct Urgency {
    stage: Stage,
    at: DateTime<Utc>,
    /// The part, for its department and executor; `None` while the curators hold it.
    part: Option<usize>,
}

fn urgency(
    record: &IncidentRecord,
    rules: &OrgRules,
    only_part_of: Option<&[PersonId]>,
) -> Option<Urgency> {
    let w = &record.workflow;
    let mut best: Option<Urgency> = None;
    let mut consider = |stage: Stage, due: Due, part: Option<usize>| {
        if let Due::At { at, .. } = due {
            if best.as_ref().is_none_or(|b| at < b.at) {
                best = Some(Urgency { stage, at, part });
            }
        }
    };
    if only_part_of.is_none() {
        if let Some((stage, due)) = w.current_deadline() {
            consider(stage, due, None);
        }
    }
    for (i, p) in w.parts.iter().enumerate() {
        if matches!(p.state, PartState::Returned | PartState::Done) {
            continue;
        }
        if let Some(people) = only_part_of {
            if !people.contains(&p.executor) {
                continue;
            }
        }
        if let Some((stage, due)) = p.current_deadline(rules.regulation()) {
            consider(stage, due, Some(i));
        }
    }
    best
}

impl Core {
    /// One line of an overview: number, topic, who holds it, the stage, the time left or late.
    fn overview_line(
        &self,
        rules: &OrgRules,
        record: &IncidentRecord,
        u: Option<&Urgency>,
    ) -> String {
        let texts = &self.texts;
        let now = self.now();
        let topic = record
            .workflow
            .topic
            .as_deref()
            .map(|t| crate::core::cards::field(texts, t))
            .unwrap_or_else(|| crate::core::cards::network(texts, record.content.source));
        let Some(u) = u else {
            return texts.tf(
                "overview-line-paused",
                &[
                    ("number", Arg::Num(record.number)),
                    ("topic", Arg::from(&topic)),
                ],
            );
        };
        let who = match u.part.and_then(|i| record.workflow.parts.get(i)) {
            Some(p) => rules.name_of(p.executor),
            None => texts.t("holder-curators"),
        };
        let minutes = |from, to| {
            rules
                .calendar
                .working_time_between(from, to)
                .map(|d| d.num_minutes())
                .unwrap_or(0)
        };
        let (key, span) = if u.at > now {
            ("overview-left", minutes(now, u.at))
        } else {
            ("overview-late", minutes(u.at, now))
        };
        // Over lunch or a night no working minute passes: the time says more than "0 min".
        let when = match (span, u.at > now) {
            (0, true) => texts.tf(
                "overview-due-at",
                &[("time", Arg::from(&clock_time(rules, u.at)))],
            ),
            (0, false) => texts.t("overview-just-late"),
            _ => texts.tf(
                key,
                &[(
                    "span",
                    Arg::from(&crate::core::cards::short_span_text(texts, span)),
                )],
            ),
        };
        texts.tf(
            "overview-line",
            &[
                ("number", Arg::Num(record.number)),
                ("topic", Arg::from(&topic)),
                ("who", Arg::from(&who)),
                (
                    "stage",
                    Arg::from(&texts.t(&format!("stage-{}", u.stage.key()))),
                ),
                ("when", Arg::from(&when)),
            ],
        )
    }

    /// A page of an overview for a viewer.
    pub(crate) async fn overview(
        &self,
        rules: &OrgRules,
        viewer: &Actor,
        list: Overview,
        page: u16,
    ) -> Result<View, CoreError> {
        if !may_see_overview(viewer) {
            return self.own_overview(rules, viewer, None).await;
        }
        let now = self.now();
        let late_at = matches!(list, Overview::Overdue).then_some(now);
        let offset = i64::from(page) * PAGE;
        let (ids, total) = self
            .store
            .open_incidents(rules.org.id, late_at, PAGE, offset)
            .await?;
        let texts = &self.texts;
        let pages = ((total + PAGE - 1) / PAGE).max(1);
        let title = match list {
            Overview::Open => "overview-open-title",
            Overview::Overdue => "overview-overdue-title",
        };
        let mut lines = vec![Line::Title(texts.tf(
            title,
            &[
                ("count", Arg::Num(total)),
                ("page", Arg::Num(i64::from(page) + 1)),
                ("pages", Arg::Num(pages)),
            ],
        ))];
        if total == 0 {
            lines.push(Line::Text(texts.t(match list {
                Overview::Open => "overview-open-empty",
                Overview::Overdue => "overview-overdue-empty",
            })));
        }
        let mut records = Vec::new();
        for id in ids {
            if let Some(r) = self.incident_of(rules.org.id, id).await? {
                records.push(r);
            }
        }
        let mut group = None;
        for r in &records {
            let u = urgency(r, rules, None);
            if list == Overview::Overdue {
                // Grouped by the department that holds it (the curators' while not routed).
                let dept = u
                    .as_ref()
                    .and_then(|u| u.part)
                    .and_then(|i| r.workflow.parts.get(i))
                    .map(|p| rules.department_name(p.department))
                    .unwrap_or_else(|| texts.t("overview-not-routed"));
                if group.as_ref() != Some(&dept) {
                    lines.push(Line::Title(dept.clone()));
                    group = Some(dept);
                }
            }
            lines.push(Line::Text(self.overview_line(rules, r, u.as_ref())));
        }
        let mut buttons = open_buttons(records.iter().map(|r| (r.id, r.number)));
        let mut nav = Vec::new();
        if page > 0 {
            nav.push(Button {
                label: texts.t("btn-page-back"),
                action: Action::Page {
                    list,
                    page: page - 1,
                },
            });
        }
        if i64::from(page) + 1 < pages {
            nav.push(Button {
                label: texts.t("btn-page-next"),
                action: Action::Page {
                    list,
                    page: page + 1,
                },
            });
        }
        if !nav.is_empty() {
            buttons.push(nav);
        }
        Ok(View {
            lines,
            buttons,
            ..View::default()
        })
    }

    /// A person's own open parts (and those they substitute for): due today and late first.
    async fn own_overview(
        &self,
        rules: &OrgRules,
        viewer: &Actor,
        title: Option<String>,
    ) -> Result<View, CoreError> {
        let texts = &self.texts;
        let mut people = vec![viewer.person];
        people.extend(viewer.substitutes_for.iter().copied());
        let items = self.store.open_assignments(&people).await?;
        let mut lines = Vec::new();
        if let Some(t) = title {
            lines.push(Line::Title(t));
        }
        lines.push(Line::Text(texts.tf(
            "my-header",
            &[(
                "count",
                Arg::from(&texts.tf("incidents-count", &[("n", Arg::Num(items.len() as i64))])),
            )],
        )));
        let mut shown = Vec::new();
        for item in items.iter().take(PAGE as usize * 2) {
            let Some(record) = self.incident_of(rules.org.id, item.incident).await? else {
                continue;
            };
            let u = urgency(&record, rules, Some(&people));
            lines.push(Line::Text(self.overview_line(rules, &record, u.as_ref())));
            shown.push((record.id, record.number));
        }
        Ok(View {
            lines,
            buttons: open_buttons(shown.into_iter()),
            ..View::default()
        })
    }

    /// The morning digest for a recipient: what arrived since `since`, and the overview (the
    /// organisation's for curators and heads, their own for everyone else).
    pub(crate) async fn digest(
        &self,
        rules: &OrgRules,
        viewer: &Actor,
        since: DateTime<Utc>,
    ) -> Result<View, CoreError> {
        let texts = &self.texts;
        let now = self.now();
        let title = texts.tf(
            "digest-title",
            &[
                ("date", Arg::from(&short_date(texts, rules, now))),
                ("time", Arg::from(&clock_time(rules, now))),
            ],
        );
        let arrived = self.store.incidents_since(rules.org.id, since).await?;
        let arrived = texts.tf(
            "digest-arrived",
            &[
                (
                    "since",
                    Arg::from(&format!(
                        "{} {}",
                        short_date(texts, rules, since),
                        clock_time(rules, since)
                    )),
                ),
                (
                    "count",
                    Arg::from(&texts.tf("incidents-count", &[("n", Arg::Num(arrived))])),
                ),
            ],
        );
        if !may_see_overview(viewer) {
            let mut view = self.own_overview(rules, viewer, Some(title)).await?;
            view.lines.insert(1, Line::Text(arrived));
            return Ok(view);
        }
        let mut view = self.overview(rules, viewer, Overview::Open, 0).await?;
        view.lines.insert(0, Line::Title(title));
        view.lines.insert(1, Line::Text(arrived));
        // Barnaul §12: the significant messages of the night stand out, not only in the list.
        let significant = self.store.significant_since(rules.org.id, since).await?;
        if !significant.is_empty() {
            let numbers: Vec<String> = significant.iter().map(|(_, n)| format!("№{n}")).collect();
            view.lines.insert(
                2,
                Line::Text(texts.tf(
                    "digest-significant",
                    &[("numbers", Arg::from(&numbers.join(", ")))],
                )),
            );
        }
        view.buttons.push(vec![Button {
            label: texts.t("btn-overdue"),
            action: Action::Page {
                list: Overview::Overdue,
                page: 0,
            },
        }]);
        Ok(view)
    }

    /// A long queue for a chat, summed up.
    pub(crate) fn collapsed(&self, count: i64) -> View {
        View::text(self.texts.tf("collapsed", &[("count", Arg::Num(count))])).with_buttons(vec![
            vec![Button {
                label: self.texts.t("btn-overview"),
                action: Action::Page {
                    list: Overview::Open,
                    page: 0,
                },
            }],
        ])
    }
}

/// How many incidents a backlog summary lists with a button each (the rest: the overview).
const BACKLOG_BUTTONS: usize = 40;

impl Core {
    /// A group's triage cards that did not fit its next minute: one message, a button each to
    /// open the card in the presser's private chat.
    pub(crate) fn backlog_view(&self, waiting: &[(crate::domain::IncidentId, i64)]) -> View {
        if waiting.is_empty() {
            return View::text(self.texts.t("backlog-done"));
        }
        let count = i64::try_from(waiting.len()).unwrap_or(i64::MAX);
        let mut buttons = open_buttons(waiting.iter().take(BACKLOG_BUTTONS).copied());
        buttons.push(vec![Button {
            label: self.texts.t("btn-overview"),
            action: Action::Page {
                list: Overview::Open,
                page: 0,
            },
        }]);
        View::text(self.texts.tf("backlog", &[("count", Arg::Num(count))])).with_buttons(buttons)
    }
}

/// «№12» buttons that open cards, four a row.
fn open_buttons(items: impl Iterator<Item = (crate::domain::IncidentId, i64)>) -> Vec<Vec<Button>> {
    let all: Vec<Button> = items
        .map(|(inc, number)| Button {
            label: format!("№{number}"),
            action: Action::OpenCard { inc },
        })
        .collect();
    all.chunks(4).map(|c| c.to_vec()).collect()
}
