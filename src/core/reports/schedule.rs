//! When reports are due: the weekly and monthly reports' timers, the periods a button or two
//! dates name, and the rows a fired report timer writes for the head and the curators.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

use super::request::*;
use crate::core::action::ReportSpan;
use crate::core::notices::{recipients, Audience, Directory, Notice};
use crate::core::org::OrgRules;
use crate::core::time::scheduler::TimerPayload;
use crate::core::Core;
use crate::storage::{OutboxRow, Recipient, TimerRow};

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
