//! What a report says, laid out: the few lines of text a head reads in the chat preview, the
//! chart's data, and the workbook's sheets (summary, violations, every incident). Every word
//! comes from the dialogues; dates are the organisation's local time.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use super::{file_view, ReportFiles, ReportKind, ReportRequest};
use crate::core::notices::{owner, Audience};
use crate::core::org::OrgRules;
use crate::core::view::{Line, UploadKind, View};
use crate::core::CoreError;
use crate::domain::regulation::Importance;
use crate::domain::report::{late_runs, outcome, AnswerTime, Figures, IncidentFacts, Outcome};
use crate::reports::{chart_png, workbook_xlsx, Cell, ChartData, ChartLabels, Sheet, Table};
use crate::texts::{Arg, Texts};

/// How many topics the text names.
const TOP_TOPICS: usize = 3;
/// The most bars the chart of incidents per day has.
const MAX_BARS: i64 = 62;

pub(super) struct Book<'a> {
    pub texts: &'a Texts,
    pub rules: &'a OrgRules,
    pub request: ReportRequest,
    pub now: DateTime<Utc>,
}

fn hours(d: Duration) -> String {
    let h = d.num_minutes() as f64 / 60.0;
    format!("{h:.1}").replace('.', ",")
}

fn percent(share: Option<f64>) -> String {
    share.map_or("—".into(), |s| format!("{:.0}%", s * 100.0))
}

impl Book<'_> {
    fn t(&self, key: &str) -> String {
        self.texts.t(key)
    }

    fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        self.rules.calendar.local(t).naive_local()
    }

    /// "01.11.2026 – 30.11.2026" (the last day included), or with times when the period does
    /// not start at midnight (the weekly report runs from one report to the next).
    fn period_words(&self) -> String {
        let (from, to) = (self.local(self.request.from), self.local(self.request.to));
        if from.time() == chrono::NaiveTime::MIN && to.time() == chrono::NaiveTime::MIN {
            let last = to - Duration::days(1);
            if last.date() == from.date() {
                return from.format("%d.%m.%Y").to_string();
            }
            return format!("{} – {}", from.format("%d.%m.%Y"), last.format("%d.%m.%Y"));
        }
        format!(
            "{} – {}",
            from.format("%d.%m.%Y %H:%M"),
            to.format("%d.%m.%Y %H:%M")
        )
    }

    fn title(&self) -> String {
        let kind = match self.request.kind {
            ReportKind::Weekly => "report-title-weekly",
            ReportKind::Monthly => "report-title-monthly",
            ReportKind::Period => "report-title-period",
        };
        self.texts.tf(
            kind,
            &[
                ("period", Arg::from(&self.period_words())),
                ("organisation", Arg::from(&self.rules.org.name)),
            ],
        )
    }

    pub fn files(
        &self,
        facts: &[IncidentFacts],
        current: &Figures,
        before: &Figures,
    ) -> Result<ReportFiles, CoreError> {
        let summary = self.summary(current, before);
        let chart = chart_png(&self.chart_data(current), &self.chart_labels())?;
        let sheets = vec![
            self.summary_sheet(current, before),
            self.violations_sheet(current),
            self.incidents_sheet(facts)?,
        ];
        let workbook = workbook_xlsx(&sheets)?;
        let stem = format!(
            "otklik-{}-{}",
            self.local(self.request.from).format("%Y%m%d"),
            self.local(self.request.to - Duration::seconds(1))
                .format("%Y%m%d")
        );
        Ok(ReportFiles {
            summary,
            chart: file_view(
                self.t("report-chart-caption"),
                format!("{stem}.png"),
                UploadKind::Image,
                chart,
            ),
            workbook: file_view(
                self.t("report-workbook-caption"),
                format!("{stem}.xlsx"),
                UploadKind::Document,
                workbook,
            ),
        })
    }

    /// The text: a title and a few lines.
    fn summary(&self, f: &Figures, before: &Figures) -> View {
        let n = |v: usize| Arg::Num(v as i64);
        let change = f.total as i64 - before.total as i64;
        let change = match change {
            0 => self.t("report-same"),
            c if c > 0 => format!("+{c}"),
            c => c.to_string(),
        };
        let mut lines = vec![
            Line::Title(self.title()),
            Line::Text(self.texts.tf(
                "report-line-total",
                &[("total", n(f.total)), ("change", Arg::from(&change))],
            )),
        ];
        let answered = f.count(Outcome::InTime) + f.count(Outcome::Late);
        lines.push(Line::Text(self.texts.tf(
            "report-line-outcomes",
            &[
                ("in_time", n(f.count(Outcome::InTime))),
                ("answered", n(answered)),
                ("share", Arg::from(&percent(f.on_time_share()))),
                ("late", n(f.count(Outcome::Late))),
                ("open", n(f.count(Outcome::Open))),
            ],
        )));
        if let (Some(m), Some(p)) = (f.answer_time.median, f.answer_time.p90) {
            lines.push(Line::Text(self.texts.tf(
                "report-line-time",
                &[
                    ("median", Arg::from(&hours(m))),
                    ("p90", Arg::from(&hours(p))),
                ],
            )));
        }
        lines.push(Line::Text(self.texts.tf(
            "report-line-violations",
            &[
                ("violations", n(f.violations.len())),
                ("escalated", n(f.escalated)),
            ],
        )));
        if f.approved > 0 {
            lines.push(Line::Text(self.texts.tf(
                "report-line-quality",
                &[
                    ("reworks", Arg::Num(i64::from(f.reworks))),
                    ("first_try", Arg::from(&percent(f.first_try_share()))),
                ],
            )));
        }
        let mut topics: Vec<(&String, &usize)> = f.by_topic.iter().collect();
        topics.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        if !topics.is_empty() {
            let list: Vec<String> = topics
                .iter()
                .take(TOP_TOPICS)
                .map(|(t, c)| format!("{t} — {c}"))
                .collect();
            lines.push(Line::Text(self.texts.tf(
                "report-line-topics",
                &[("topics", Arg::from(&list.join(", ")))],
            )));
        }
        if f.repeats > 0 || !f.bursts.is_empty() {
            lines.push(Line::Text(self.texts.tf(
                "report-line-repeats",
                &[("repeats", n(f.repeats)), ("bursts", n(f.bursts.len()))],
            )));
        }
        View {
            lines,
            ..View::default()
        }
    }

    fn chart_data(&self, f: &Figures) -> ChartData {
        let first = self.local(self.request.from).date();
        let last = self.local(self.request.to - Duration::seconds(1)).date();
        // A long period is drawn in bars of several days (each labelled with its first day), so
        // a bar stays wide enough to see on a phone.
        let span = (last - first).num_days() + 1;
        let step = (span + MAX_BARS - 1) / MAX_BARS;
        let mut days = Vec::new();
        let mut start = first;
        while start <= last {
            let end = (start + Duration::days(step - 1)).min(last);
            let (normal, high) = f
                .per_day
                .range(start..=end)
                .fold((0, 0), |(n, h), (_, (a, b))| (n + a, h + b));
            days.push((start.format("%d.%m").to_string(), normal, high));
            start = end + Duration::days(1);
        }
        let mut departments: Vec<(String, f64)> = f
            .by_department
            .iter()
            .filter_map(|(id, d)| Some((self.rules.department_name(*id), d.on_time_share()?)))
            .collect();
        departments.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        ChartData { days, departments }
    }

    fn chart_labels(&self) -> ChartLabels {
        ChartLabels {
            per_day: self.t("report-chart-per-day"),
            normal: self.t("report-importance-normal"),
            high: self.t("report-importance-high"),
            on_time: self.t("report-chart-on-time"),
            nothing_answered: self.t("report-chart-nothing-answered"),
        }
    }

    fn headings(&self) -> Vec<String> {
        vec![
            self.title(),
            self.texts.tf(
                "report-made-at",
                &[(
                    "time",
                    Arg::from(&self.local(self.now).format("%d.%m.%Y %H:%M").to_string()),
                )],
            ),
            self.t("report-definitions"),
        ]
    }

    fn header(&self, keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| self.t(k)).collect()
    }

    fn summary_sheet(&self, f: &Figures, before: &Figures) -> Sheet {
        let count = |v: usize| Cell::Count(v as i64);
        let time = |a: &AnswerTime, median: bool| {
            let d = if median { a.median } else { a.p90 };
            d.map_or(Cell::Empty, |d| {
                Cell::Hours(d.num_seconds() as f64 / 3600.0)
            })
        };
        let mut main: Vec<(String, Cell, Cell)> = vec![(
            self.t("report-row-total"),
            count(f.total),
            count(before.total),
        )];
        for o in Outcome::ALL {
            main.push((
                self.t(&format!("report-outcome-{}", o.key())),
                count(f.count(o)),
                count(before.count(o)),
            ));
        }
        main.extend([
            (
                self.t("report-row-returned"),
                count(f.returned),
                count(before.returned),
            ),
            (
                self.t("report-row-repeats"),
                count(f.repeats),
                count(before.repeats),
            ),
            (
                self.t("report-row-bursts"),
                count(f.bursts.len()),
                count(before.bursts.len()),
            ),
            (
                self.t("report-row-on-time-share"),
                Cell::opt_share(f.on_time_share()),
                Cell::opt_share(before.on_time_share()),
            ),
            (
                self.t("report-row-median"),
                time(&f.answer_time, true),
                time(&before.answer_time, true),
            ),
            (
                self.t("report-row-p90"),
                time(&f.answer_time, false),
                time(&before.answer_time, false),
            ),
            (
                self.t("report-row-violations"),
                count(f.violations.len()),
                count(before.violations.len()),
            ),
            (
                self.t("report-row-escalated"),
                count(f.escalated),
                count(before.escalated),
            ),
            (
                self.t("report-row-reworks"),
                Cell::Count(i64::from(f.reworks)),
                Cell::Count(i64::from(before.reworks)),
            ),
            (
                self.t("report-row-first-try"),
                Cell::opt_share(f.first_try_share()),
                Cell::opt_share(before.first_try_share()),
            ),
        ]);
        let mut tables = vec![Table {
            title: self.t("report-table-main"),
            header: self.header(&[
                "report-col-figure",
                "report-col-period",
                "report-col-previous",
            ]),
            rows: main
                .into_iter()
                .map(|(label, a, b)| vec![Cell::Text(label), a, b])
                .collect(),
        }];
        tables.push(Table {
            title: self.t("report-table-departments"),
            header: self.header(&[
                "report-col-department",
                "report-col-parts",
                "report-col-answered",
                "report-col-on-time",
                "report-col-on-time-share",
                "report-col-median",
                "report-col-p90",
                "report-col-reworks",
                "report-col-first-try",
                "report-col-returned",
                "report-col-violations",
            ]),
            rows: f
                .by_department
                .iter()
                .map(|(id, d)| {
                    vec![
                        Cell::Text(self.rules.department_name(*id)),
                        count(d.parts),
                        count(d.answered),
                        count(d.on_time),
                        Cell::opt_share(d.on_time_share()),
                        time(&d.answer_time, true),
                        time(&d.answer_time, false),
                        Cell::Count(i64::from(d.reworks)),
                        Cell::opt_share(d.first_try_share()),
                        count(d.returned),
                        count(d.violations),
                    ]
                })
                .collect(),
        });
        let by = |title: &str, col: &str, items: Vec<(String, usize)>| Table {
            title: self.t(title),
            header: self.header(&[col, "report-col-count"]),
            rows: items
                .into_iter()
                .map(|(k, v)| vec![Cell::Text(k), count(v)])
                .collect(),
        };
        tables.push(by(
            "report-table-executors",
            "report-col-executor",
            f.by_executor
                .iter()
                .map(|(p, n)| (self.rules.name_of(*p), *n))
                .collect(),
        ));
        tables.push(by(
            "report-table-sources",
            "report-col-source",
            f.by_source
                .iter()
                .map(|(s, n)| (self.t(&format!("network-{s}")), *n))
                .collect(),
        ));
        tables.push(by(
            "report-table-importance",
            "report-col-importance",
            f.by_importance
                .iter()
                .map(|(k, n)| (self.t(&format!("report-importance-{k}")), *n))
                .collect(),
        ));
        tables.push(by(
            "report-table-topics",
            "report-col-topic",
            f.by_topic.iter().map(|(k, n)| (k.clone(), *n)).collect(),
        ));
        tables.push(by(
            "report-table-locations",
            "report-col-location",
            f.by_location.iter().map(|(k, n)| (k.clone(), *n)).collect(),
        ));
        tables.push(Table {
            title: self.t("report-table-bursts"),
            header: self.header(&["report-col-topic", "report-col-started", "report-col-count"]),
            rows: f
                .bursts
                .iter()
                .map(|b| {
                    vec![
                        Cell::Text(b.topic.clone()),
                        Cell::Time(self.local(b.started_at)),
                        count(b.count),
                    ]
                })
                .collect(),
        });
        Sheet {
            name: self.t("report-sheet-summary"),
            heading: self.headings(),
            tables,
            widths: vec![
                42.0, 14.0, 14.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0,
            ],
        }
    }

    /// Who a late stage waited for.
    fn holder(&self, v: &crate::domain::report::Violation) -> String {
        let department = v.department.map(|d| self.rules.department_name(d));
        match owner(v.part, v.stage, self.rules) {
            Audience::Executor(_) => v
                .executor
                .map(|p| self.rules.name_of(p))
                .unwrap_or_default(),
            Audience::DepartmentHead(_) => self.texts.tf(
                "report-holder-department-head",
                &[("department", Arg::from(&department.unwrap_or_default()))],
            ),
            Audience::Deputies(_) => self.t("report-holder-deputies"),
            Audience::Head => self.t("report-holder-head"),
            _ => self.t("report-holder-curators"),
        }
    }

    fn violations_sheet(&self, f: &Figures) -> Sheet {
        let rows = f
            .violations
            .iter()
            .map(|v| {
                vec![
                    Cell::Count(v.number),
                    Cell::Link(v.url.clone()),
                    Cell::Text(self.t(&format!("stage-{}", v.stage.key()))),
                    Cell::Text(
                        v.department
                            .map(|d| self.rules.department_name(d))
                            .unwrap_or_default(),
                    ),
                    Cell::Text(self.holder(v)),
                    Cell::Time(self.local(v.deadline)),
                    match v.ended_at {
                        Some(t) => Cell::Time(self.local(t)),
                        None => Cell::Text(self.t("report-still-running")),
                    },
                    Cell::Hours(v.late_by.num_seconds() as f64 / 3600.0),
                    Cell::Text(self.t(if v.escalated {
                        "report-yes"
                    } else {
                        "report-no"
                    })),
                ]
            })
            .collect();
        self.list_sheet(
            "report-sheet-violations",
            &[
                ("report-col-number", 8.0),
                ("report-col-link", 40.0),
                ("report-col-stage", 26.0),
                ("report-col-department", 28.0),
                ("report-col-holder", 28.0),
                ("report-col-deadline", 17.0),
                ("report-col-ended", 17.0),
                ("report-col-late-hours", 12.0),
                ("report-col-escalated", 11.0),
            ],
            rows,
        )
    }

    /// A sheet with one long table under the report's title: columns with their widths.
    fn list_sheet(&self, name: &str, columns: &[(&str, f64)], rows: Vec<Vec<Cell>>) -> Sheet {
        Sheet {
            name: self.t(name),
            heading: vec![self.title()],
            tables: vec![Table {
                title: String::new(),
                header: columns.iter().map(|(key, _)| self.t(key)).collect(),
                rows,
            }],
            widths: columns.iter().map(|(_, w)| *w).collect(),
        }
    }

    fn incidents_sheet(&self, facts: &[IncidentFacts]) -> Result<Sheet, CoreError> {
        let time = |t: Option<DateTime<Utc>>| Cell::opt_time(t.map(|t| self.local(t)));
        let mut rows = Vec::with_capacity(facts.len());
        for i in facts {
            let w = &i.workflow;
            let late = !late_runs(i, self.now, self.rules.rules())?.is_empty();
            let departments: Vec<String> = w
                .parts
                .iter()
                .map(|p| self.rules.department_name(p.department))
                .collect();
            let executors: Vec<String> = w
                .parts
                .iter()
                .map(|p| self.rules.name_of(p.executor))
                .collect();
            let importance = match w.importance {
                Importance::High => "report-importance-high",
                Importance::Normal => "report-importance-normal",
            };
            rows.push(vec![
                Cell::Count(i.number),
                // Plain text: a hyperlink per row would double the file and the time to write it.
                Cell::Text(i.url.clone()),
                Cell::Text(self.t(&format!("network-{}", i.source.key()))),
                Cell::Text(self.t(importance)),
                Cell::Text(w.topic.clone().unwrap_or_default()),
                Cell::Text(w.location.clone().unwrap_or_default()),
                time(Some(w.detected_at)),
                time(w.routed_at),
                time(w.first_draft_at),
                time(w.approved_at),
                time(w.answered_at),
                Cell::opt_hours(w.answered_in),
                Cell::Text(self.t(&format!("report-outcome-{}", outcome(w.state, late).key()))),
                Cell::Text(departments.join("; ")),
                Cell::Text(executors.join("; ")),
                Cell::Count(w.parts.iter().map(|p| i64::from(p.reworks)).sum()),
                Cell::Text(self.t(if i.repeat { "report-yes" } else { "report-no" })),
            ]);
        }
        Ok(self.list_sheet(
            "report-sheet-incidents",
            &[
                ("report-col-number", 8.0),
                ("report-col-link", 40.0),
                ("report-col-source", 14.0),
                ("report-col-importance", 11.0),
                ("report-col-topic", 20.0),
                ("report-col-location", 20.0),
                ("report-col-detected", 17.0),
                ("report-col-routed", 17.0),
                ("report-col-first-draft", 17.0),
                ("report-col-approved", 17.0),
                ("report-col-published", 17.0),
                ("report-col-answer-hours", 12.0),
                ("report-col-outcome", 20.0),
                ("report-col-department", 28.0),
                ("report-col-executor", 28.0),
                ("report-col-reworks", 10.0),
                ("report-col-repeat", 8.0),
            ],
            rows,
        ))
    }
}
