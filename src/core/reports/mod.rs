//! Reports: the weekly and monthly summaries a regulation asks for, and any period on demand —
//! a few lines of text, a chart and a workbook. Scheduled reports are the scheduler's timers
//! (one per organisation and period, fired once across restarts and replicas) that write one
//! outbox row per piece and recipient; each piece is drawn when it is sent. `/report` answers
//! in the chat it was asked in; `otklik report` writes the files.

mod book;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::core::action::{Action, ReportSpan};
use crate::core::notices::{recipients, Audience, Directory, Notice};
use crate::core::org::OrgRules;
use crate::core::time::scheduler::TimerPayload;
use crate::core::view::{Button, Reply, Upload, UploadKind, View};
use crate::core::{Core, CoreError, Who};
use crate::domain::incident::Role;
use crate::domain::report::{figures, Period};
use crate::domain::OrgId;
use crate::storage::{OutboxRow, Recipient, TimerRow};
use crate::texts::Arg;

/// Which report it is (its title).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Weekly,
    Monthly,
    /// Asked for in chat or on the command line.
    Period,
}

impl ReportKind {
    fn key(self) -> &'static str {
        match self {
            ReportKind::Weekly => "weekly",
            ReportKind::Monthly => "monthly",
            ReportKind::Period => "period",
        }
    }
}

/// A report on a period, compared with the period before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReportRequest {
    pub kind: ReportKind,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub previous_from: DateTime<Utc>,
}

impl ReportRequest {
    pub fn period(&self) -> Period {
        Period {
            from: self.from,
            to: self.to,
        }
    }

    pub fn previous(&self) -> Period {
        Period {
            from: self.previous_from,
            to: self.from,
        }
    }
}

/// The three pieces a report is sent as, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportPiece {
    Summary,
    Chart,
    Workbook,
}

impl ReportPiece {
    pub const ALL: [ReportPiece; 3] = [
        ReportPiece::Summary,
        ReportPiece::Chart,
        ReportPiece::Workbook,
    ];
}

/// A report made: the text, and the two files (each as a view with its caption).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFiles {
    pub summary: View,
    pub chart: View,
    pub workbook: View,
}

impl ReportFiles {
    pub fn piece(&self, piece: ReportPiece) -> &View {
        match piece {
            ReportPiece::Summary => &self.summary,
            ReportPiece::Chart => &self.chart,
            ReportPiece::Workbook => &self.workbook,
        }
    }

    pub fn into_views(self) -> Vec<View> {
        vec![self.summary, self.chart, self.workbook]
    }

    /// The chart's PNG bytes and the workbook's XLSX bytes with their file names.
    pub fn files(&self) -> Vec<&Upload> {
        [&self.chart, &self.workbook]
            .into_iter()
            .filter_map(|v| v.file.as_ref())
            .collect()
    }
}

/// The reports made lately, kept a few minutes: a report's three pieces go out as three
/// messages to each recipient, and every organisation's monthly report comes due at once, so
/// each is drawn once.
#[derive(Default)]
pub(crate) struct ReportCache {
    recent: Mutex<Vec<CachedReport>>,
}

/// A report made for an organisation and request at an instant.
type CachedReport = (OrgId, ReportRequest, DateTime<Utc>, Arc<ReportFiles>);

const CACHE_MINUTES: i64 = 10;
/// How many reports are kept.
const CACHE_SIZE: usize = 16;

/// The local midnight starting a day.
fn midnight(rules: &OrgRules, day: NaiveDate) -> DateTime<Utc> {
    let zone = rules.calendar.zone();
    zone.from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| day.and_time(NaiveTime::MIN).and_utc())
}

/// A local date and time as an instant.
fn local_instant(rules: &OrgRules, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    rules
        .calendar
        .zone()
        .from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The calendar week or month a button names, compared with the one before it.
pub fn span_request(rules: &OrgRules, span: ReportSpan, now: DateTime<Utc>) -> ReportRequest {
    let today = rules.calendar.local_date(now);
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let month = first_of_month(today);
    let prev_month = |d: NaiveDate| d.checked_sub_months(Months::new(1)).unwrap_or(d);
    let next_month = |d: NaiveDate| d.checked_add_months(Months::new(1)).unwrap_or(d);
    let (from, to, previous) = match span {
        ReportSpan::ThisWeek => (
            monday,
            monday + Duration::days(7),
            monday - Duration::days(7),
        ),
        ReportSpan::LastWeek => (
            monday - Duration::days(7),
            monday,
            monday - Duration::days(14),
        ),
        ReportSpan::ThisMonth => (month, next_month(month), prev_month(month)),
        ReportSpan::LastMonth => (prev_month(month), month, prev_month(prev_month(month))),
    };
    ReportRequest {
        kind: ReportKind::Period,
        from: midnight(rules, from),
        to: midnight(rules, to),
        previous_from: midnight(rules, previous),
    }
}

/// Two dates, both included, compared with as many days before them.
pub fn dates_request(rules: &OrgRules, first: NaiveDate, last: NaiveDate) -> ReportRequest {
    let (first, last) = (first.min(last), first.max(last));
    let days = (last - first).num_days() + 1;
    ReportRequest {
        kind: ReportKind::Period,
        from: midnight(rules, first),
        to: midnight(rules, last + Duration::days(1)),
        previous_from: midnight(rules, first - Duration::days(days)),
    }
}

/// Reads a date written "ДД.ММ.ГГГГ" or "ГГГГ-ММ-ДД".
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
}

/// The next weekly report at or after `after`: its instant and request.
fn next_weekly(
    rules: &OrgRules,
    after: DateTime<Utc>,
) -> Option<(DateTime<Utc>, ReportRequest, String)> {
    let reports = &rules.regulation().reports;
    let weekday: Weekday = reports.weekly?;
    let mut day = rules.calendar.local_date(after);
    for _ in 0..8 {
        if day.weekday() == weekday {
            if let Some(at) = local_instant(rules, day, reports.weekly_at) {
                if at >= after {
                    let request = ReportRequest {
                        kind: ReportKind::Weekly,
                        from: at - Duration::days(7),
                        to: at,
                        previous_from: at - Duration::days(14),
                    };
                    return Some((at, request, format!("report:weekly:{day}")));
                }
            }
        }
        day = day.succ_opt()?;
    }
    None
}

/// The next monthly report (the first working day of a month) at or after `after`, on the
/// month before it.
fn next_monthly(
    rules: &OrgRules,
    after: DateTime<Utc>,
) -> Option<(DateTime<Utc>, ReportRequest, String)> {
    let reports = &rules.regulation().reports;
    if !reports.monthly {
        return None;
    }
    let mut month = first_of_month(rules.calendar.local_date(after));
    for _ in 0..3 {
        let mut day = month;
        while !rules.calendar.is_working_day(day).ok()? {
            day = day.succ_opt()?;
        }
        if let Some(at) = local_instant(rules, day, reports.monthly_at) {
            if at >= after {
                let prev = month.checked_sub_months(Months::new(1))?;
                let request = ReportRequest {
                    kind: ReportKind::Monthly,
                    from: midnight(rules, prev),
                    to: midnight(rules, month),
                    previous_from: midnight(rules, prev.checked_sub_months(Months::new(1))?),
                };
                return Some((
                    at,
                    request,
                    format!("report:monthly:{}", month.format("%Y-%m")),
                ));
            }
        }
        month = month.checked_add_months(Months::new(1))?;
    }
    None
}

impl Core {
    /// Writes the report rows of incidents stored before reports kept them (after an upgrade);
    /// returns how many.
    pub async fn backfill_report_facts(&self) -> Result<usize, CoreError> {
        let ids = self.store.incidents_without_report_facts().await?;
        for id in &ids {
            self.store.write_report_facts(*id).await?;
        }
        if !ids.is_empty() {
            tracing::info!(
                incidents = ids.len(),
                "report facts written for older incidents"
            );
        }
        Ok(ids.len())
    }

    /// Makes a report (or takes the one just made for the same request).
    pub async fn report(
        &self,
        org: OrgId,
        request: ReportRequest,
    ) -> Result<Arc<ReportFiles>, CoreError> {
        let now = self.now();
        if let Ok(recent) = self.reports.recent.lock() {
            let fresh = |made: DateTime<Utc>| {
                (Duration::zero()..Duration::minutes(CACHE_MINUTES)).contains(&(now - made))
            };
            if let Some((_, _, _, files)) = recent
                .iter()
                .find(|(o, r, made, _)| *o == org && *r == request && fresh(*made))
            {
                return Ok(files.clone());
            }
        }
        let files = Arc::new(self.make_report(org, request).await?);
        if let Ok(mut recent) = self.reports.recent.lock() {
            recent.retain(|(o, r, _, _)| !(*o == org && *r == request));
            if recent.len() >= CACHE_SIZE {
                recent.remove(0);
            }
            recent.push((org, request, now, files.clone()));
        }
        Ok(files)
    }

    /// Makes a report from the stored facts: the text, the chart and the workbook.
    pub async fn make_report(
        &self,
        org: OrgId,
        request: ReportRequest,
    ) -> Result<ReportFiles, CoreError> {
        let now = self.now();
        let rules = self.org(org).await?;
        // The two periods are read side by side (two connections).
        let (facts, previous) = tokio::try_join!(
            self.store.report_facts(org, request.period()),
            self.store.report_facts(org, request.previous())
        )?;
        let current = figures(&facts, now, rules.rules())?;
        let before = figures(&previous, now, rules.rules())?;
        // Drawing and writing the files takes a while on a busy month: off the async workers.
        let texts = self.texts.clone();
        tokio::task::spawn_blocking(move || {
            let book = book::Book {
                texts: &texts,
                rules: &rules,
                request,
                now,
            };
            book.files(&facts, &current, &before)
        })
        .await
        .map_err(|e| CoreError::Interrupted(e.to_string()))?
    }

    /// `/report`: with two dates, that period; otherwise buttons for the usual periods.
    pub(crate) async fn report_command(&self, who: &Who, args: &str) -> Result<Reply, CoreError> {
        let (rules, actor) = self.actor_of(who).await?;
        if !may_see_reports(&actor) {
            return Ok(Reply::say(View::text(self.texts.t("report-not-allowed"))));
        }
        let words: Vec<&str> = args.split_whitespace().collect();
        if words.is_empty() {
            let button = |key: &str, span| Button {
                label: self.texts.t(key),
                action: Action::Report { span },
            };
            return Ok(Reply::say(
                View::text(self.texts.t("report-choose")).with_buttons(vec![
                    vec![
                        button("report-this-week", ReportSpan::ThisWeek),
                        button("report-last-week", ReportSpan::LastWeek),
                    ],
                    vec![
                        button("report-this-month", ReportSpan::ThisMonth),
                        button("report-last-month", ReportSpan::LastMonth),
                    ],
                ]),
            ));
        }
        let dates: Vec<Option<NaiveDate>> = words.iter().map(|w| parse_date(w)).collect();
        let (first, last) = match dates.as_slice() {
            [Some(a), Some(b)] => (*a, *b),
            [Some(a)] => (*a, *a),
            _ => return Ok(Reply::say(View::text(self.texts.t("report-bad-dates")))),
        };
        let (min, max) = rules.calendar.covered_years();
        let covered = |d: NaiveDate| (min..=max).contains(&d.year());
        if !covered(first) || !covered(last) {
            return Ok(Reply::say(View::text(self.texts.tf(
                "report-outside-calendar",
                &[
                    ("first", Arg::Num(i64::from(min))),
                    ("last", Arg::Num(i64::from(max))),
                ],
            ))));
        }
        let request = dates_request(&rules, first, last);
        self.report_reply(who, request).await
    }

    /// A report button.
    pub(crate) async fn press_report(
        &self,
        who: &Who,
        span: ReportSpan,
    ) -> Result<Reply, CoreError> {
        let (rules, actor) = self.actor_of(who).await?;
        if !may_see_reports(&actor) {
            return Ok(Reply::alert(self.texts.t("report-not-allowed")));
        }
        let request = span_request(&rules, span, self.now());
        self.report_reply(who, request).await
    }

    async fn report_reply(&self, who: &Who, request: ReportRequest) -> Result<Reply, CoreError> {
        // Made now (and kept a few minutes), so each piece is drawn from it when it is sent.
        self.report(who.org(), request).await?;
        Ok(Reply {
            notices: ReportPiece::ALL
                .into_iter()
                .map(|piece| Notice::Report {
                    report: request,
                    piece,
                })
                .collect(),
            ..Reply::default()
        })
    }

    /// The view of one piece of a report, for the delivery worker.
    pub(crate) async fn report_piece(
        &self,
        rules: &OrgRules,
        request: ReportRequest,
        piece: ReportPiece,
    ) -> Result<View, CoreError> {
        let files = self.report(rules.org.id, request).await?;
        Ok(files.piece(piece).clone())
    }

    /// Keeps an organisation's next weekly and monthly report timers set.
    pub(crate) fn report_timers(&self, rules: &OrgRules, after: DateTime<Utc>) -> Vec<TimerRow> {
        [next_weekly(rules, after), next_monthly(rules, after)]
            .into_iter()
            .flatten()
            .filter_map(|(at, request, key)| {
                let payload = serde_json::to_value(TimerPayload::Report { request }).ok()?;
                Some(TimerRow {
                    incident: None,
                    key,
                    kind: "report".into(),
                    payload,
                    due_at: at,
                })
            })
            .collect()
    }

    /// A report timer fired: the pieces for the head and the curators, and the next timer of
    /// the same kind.
    pub(crate) fn report_rows(
        &self,
        rules: &OrgRules,
        timer: i64,
        request: ReportRequest,
        due_at: DateTime<Utc>,
    ) -> (Vec<OutboxRow>, Vec<TimerRow>) {
        let dir = Directory {
            rules,
            absences: &[],
            on_duty: &[],
        };
        let mut to: Vec<Recipient> = recipients(Audience::Head, None, &dir);
        for r in recipients(Audience::Curators, None, &dir) {
            if !to.contains(&r) {
                to.push(r);
            }
        }
        let mut rows = Vec::new();
        for (i, recipient) in to.into_iter().enumerate() {
            for piece in ReportPiece::ALL {
                let notice = Notice::Report {
                    report: request,
                    piece,
                };
                rows.push(OutboxRow {
                    incident: None,
                    recipient,
                    kind: notice.kind().into(),
                    payload: notice.to_json(),
                    lane: notice.lane().number(),
                    key: format!("timer:{timer}:{i}:{piece:?}"),
                });
            }
        }
        let next = self
            .report_timers(rules, due_at + Duration::minutes(1))
            .into_iter()
            .filter(|t| {
                t.key
                    .starts_with(&format!("report:{}:", request.kind.key()))
            })
            .collect();
        (rows, next)
    }
}

/// Curators, heads, deputies (Borovichi §22: the responsible official, a deputy head, prepares the
/// monthly summary) and administrators see reports.
fn may_see_reports(actor: &crate::domain::incident::Actor) -> bool {
    [Role::Curator, Role::Head, Role::Deputy, Role::Administrator]
        .into_iter()
        .any(|r| actor.has(r))
}

/// A file view: the file with its caption.
pub(crate) fn file_view(caption: String, name: String, kind: UploadKind, bytes: Vec<u8>) -> View {
    View {
        file: Some(Upload { name, kind, bytes }),
        ..View::text(caption)
    }
}
