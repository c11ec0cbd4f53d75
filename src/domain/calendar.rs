//! `WorkCalendar`: working-time arithmetic on an organisation's calendar.
//!
//! All instants are UTC (`DateTime<Utc>`); every date is evaluated in the organisation's zone.
//! Arithmetic is exact to the second (sub-second parts of inputs are dropped).
//!
//! At construction the calendar lays out every working window of every covered day as UTC
//! seconds, with a running total of working seconds before each window. Any question then is one
//! or two binary searches, so the cost does not grow with the span being measured.
//!
//! Definitions (W(t) = working seconds in the covered range before t):
//! - `add(T, N)`: the earliest t ≥ T with W(t) − W(T) ≥ N. 8 h from Mon 09:00 is Mon 18:00;
//!   N = 0 gives T.
//! - `subtract(T, N)`: the latest t ≤ T with W(T) − W(t) ≥ N ("hand in N working hours before
//!   the deadline").
//! - `add_working_days(T, N)`: the end of the last working window of the N-th working day after
//!   T's local date (counting starts the next day).
//! - `add_skipping_non_working_days(T, N)`: calendar time in which whole non-working days do not
//!   count (Yuzhno-Sakhalinsk's "24 hours not counting weekends and holidays").
//! - Pauses [s, r) stop the working clock (a clarification awaiting the author).

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use super::production_calendar::{DayKind, ProductionCalendar};
use super::schedule::WeeklySchedule;

/// Working-time arithmetic failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "{instant} is outside the production calendar ({first_year}–{last_year}); add that year to the calendar file"
    )]
    NotCovered {
        instant: DateTime<Utc>,
        first_year: i32,
        last_year: i32,
    },
    #[error(
        "the result falls after the end of the production calendar ({last_year}); add the next year to the calendar file"
    )]
    BeyondCoverage { last_year: i32 },
    #[error("the result falls before the start of the production calendar ({first_year})")]
    BeforeCoverage { first_year: i32 },
    #[error("a duration cannot be negative: {0}")]
    NegativeDuration(Duration),
    #[error("a pause cannot end before it starts ({start} – {end})")]
    InvertedPause {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
}

/// An interval during which the working clock stands still: [start, end), or still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pause {
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

impl Pause {
    /// The time covered by every one of several pause lists: a clock shared by several parts
    /// stands still only while each part's own clock does. No lists, no pauses.
    pub fn common(lists: &[&[Pause]]) -> Vec<Pause> {
        let Some((first, rest)) = lists.split_first() else {
            return Vec::new();
        };
        let mut common: Vec<Pause> = first.to_vec();
        for list in rest {
            let mut next = Vec::new();
            for a in &common {
                for b in list.iter() {
                    let start = a.start.max(b.start);
                    let end = match (a.end, b.end) {
                        (Some(x), Some(y)) => Some(x.min(y)),
                        (Some(x), None) | (None, Some(x)) => Some(x),
                        (None, None) => None,
                    };
                    if end.is_none_or(|e| e > start) {
                        next.push(Pause { start, end });
                    }
                }
            }
            next.sort_by_key(|p| p.start);
            common = next;
        }
        common
    }
}

/// The outcome of adding working time when the clock may be paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The deadline falls at this instant.
    Due(DateTime<Utc>),
    /// A pause is still open: the clock stopped at `since` with `remaining` working time left.
    Paused {
        since: DateTime<Utc>,
        remaining: Duration,
    },
}

/// Sorted disjoint intervals of counted time, with a running total before each.
#[derive(Debug, Clone, Default)]
struct IntervalClock {
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// `before[i]`: counted seconds before interval i; one more entry holds the total.
    before: Vec<i64>,
}

impl IntervalClock {
    fn push(&mut self, start: i64, end: i64) {
        if end <= start {
            return;
        }
        let total = self.before.last().copied().unwrap_or(0);
        if self.before.is_empty() {
            self.before.push(0);
        }
        // Merge windows that touch (a working day ending at midnight and the next starting then).
        if let Some(last_end) = self.ends.last_mut() {
            if *last_end == start {
                *last_end = end;
                if let Some(t) = self.before.last_mut() {
                    *t = total + (end - start);
                }
                return;
            }
        }
        self.starts.push(start);
        self.ends.push(end);
        self.before.push(total + (end - start));
    }

    /// Counted seconds before t.
    fn counted_before(&self, t: i64) -> i64 {
        let idx = self.starts.partition_point(|&s| s <= t);
        if idx == 0 {
            return 0;
        }
        let i = idx - 1;
        self.before[i] + (t.min(self.ends[i]) - self.starts[i])
    }

    /// The earliest instant at which `target` counted seconds have elapsed (target > 0).
    fn instant_reaching(&self, target: i64) -> Option<i64> {
        // First interval whose end total reaches the target.
        // No interval at all (a schedule without working time) answers "never", not a panic.
        let totals = self.before.get(1..).unwrap_or_default();
        let j = totals.partition_point(|&total| total < target);
        if j >= self.starts.len() {
            return None;
        }
        Some(self.starts[j] + (target - self.before[j]))
    }

    /// The latest instant at which exactly `target` counted seconds have elapsed.
    fn latest_instant_at(&self, target: i64) -> Option<i64> {
        let totals = self.before.get(1..).unwrap_or_default();
        let j = totals.partition_point(|&total| total <= target);
        if j >= self.starts.len() {
            return None;
        }
        if target < self.before[j] {
            return None;
        }
        Some(self.starts[j] + (target - self.before[j]))
    }

    fn contains(&self, t: i64) -> bool {
        let idx = self.starts.partition_point(|&s| s <= t);
        idx > 0 && t < self.ends[idx - 1]
    }

    fn next_start_at_or_after(&self, t: i64) -> Option<i64> {
        if self.contains(t) {
            return Some(t);
        }
        let idx = self.starts.partition_point(|&s| s < t);
        self.starts.get(idx).copied()
    }
}

/// A working window shown in local time: [start, end).
pub type LocalWindow = (DateTime<Tz>, DateTime<Tz>);

/// A pause as (start, end or still open).
type PauseSpan = (DateTime<Utc>, Option<DateTime<Utc>>);

/// Per covered local date: where it starts in UTC and which working windows it has.
#[derive(Debug, Clone, Copy)]
struct DayInfo {
    /// Last working instant of the day (end of its last window), if it is a working day.
    last_window_end: Option<i64>,
}

/// An organisation's working calendar: zone, weekly hours and production calendar, laid out for
/// fast arithmetic over the covered years.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    zone: Tz,
    first_date: NaiveDate,
    first_year: i32,
    last_year: i32,
    /// UTC second of each covered date's local midnight, plus the end of the last date.
    day_starts: Vec<i64>,
    days: Vec<DayInfo>,
    /// Indices (into `days`) of working days, ascending.
    working_days: Vec<u32>,
    /// `working_days_through[i]`: how many working days have index ≤ i.
    working_days_through: Vec<u32>,
    working: IntervalClock,
    skip_non_working: IntervalClock,
    /// The curator's own calendar where their hours differ (Borovichi §5: the regional
    /// centre's hours).
    curators: Option<Box<WorkCalendar>>,
}

impl WorkCalendar {
    /// The same calendar with the curator working other hours (same zone and production
    /// calendar).
    pub fn with_curator_schedule(
        mut self,
        schedule: &WeeklySchedule,
        production: &ProductionCalendar,
    ) -> Self {
        self.curators = Some(Box::new(WorkCalendar::new(self.zone, schedule, production)));
        self
    }

    /// The calendar the curator's own stages count on: theirs where the profile gives it.
    pub fn curators(&self) -> &WorkCalendar {
        self.curators.as_deref().unwrap_or(self)
    }

    /// Lays out the calendar for every year the production calendar covers.
    pub fn new(zone: Tz, schedule: &WeeklySchedule, production: &ProductionCalendar) -> Self {
        let first_year = production.first_year();
        let last_year = production.last_year();
        let first_date = NaiveDate::from_ymd_opt(first_year, 1, 1).unwrap_or(NaiveDate::MIN);
        let end_date = NaiveDate::from_ymd_opt(last_year + 1, 1, 1).unwrap_or(NaiveDate::MAX);
        let mut cal = WorkCalendar {
            zone,
            first_date,
            first_year,
            last_year,
            day_starts: Vec::new(),
            days: Vec::new(),
            working_days: Vec::new(),
            working_days_through: Vec::new(),
            working: IntervalClock::default(),
            skip_non_working: IntervalClock::default(),
            curators: None,
        };
        let mut count = 0u32;
        for (index, date) in first_date
            .iter_days()
            .take_while(|d| *d < end_date)
            .enumerate()
        {
            let start = local_instant(zone, date, 0);
            let next = local_instant(zone, date.succ_opt().unwrap_or(date), 0);
            cal.day_starts.push(start);
            let mut kind = production.day_kind(date).unwrap_or(DayKind::NonWorking);
            let mut weekday = production.schedule_weekday(date);
            // An organisation whose own hours include a weekend day works it, unless it is a
            // holiday or a listed day off (the production calendar is written for a 5-day week).
            if kind == DayKind::NonWorking
                && matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
                && !schedule.windows(date.weekday()).is_empty()
                && production.covers(date)
                && !production.is_day_off(date)
            {
                kind = DayKind::Working;
                weekday = date.weekday();
            }
            let base = schedule.windows(weekday);
            let windows = match kind {
                DayKind::NonWorking => Vec::new(),
                DayKind::Working => base.to_vec(),
                DayKind::Shortened => {
                    WeeklySchedule::shortened(base, production.shortened_by_minutes())
                }
            };
            let mut last_window_end = None;
            for w in &windows {
                let s = local_instant(zone, date, w.start);
                let e = local_instant(zone, date, w.end);
                cal.working.push(s, e);
                last_window_end = Some(e);
            }
            if last_window_end.is_some() {
                cal.skip_non_working.push(start, next);
                cal.working_days.push(index as u32);
                count += 1;
            }
            cal.working_days_through.push(count);
            cal.days.push(DayInfo { last_window_end });
        }
        cal.day_starts.push(local_instant(zone, end_date, 0));
        cal
    }

    /// The organisation's time zone.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// An instant in the organisation's local time.
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<Tz> {
        t.with_timezone(&self.zone)
    }

    /// The covered years, inclusive.
    pub fn covered_years(&self) -> (i32, i32) {
        (self.first_year, self.last_year)
    }

    fn check(&self, t: DateTime<Utc>) -> Result<i64, CalendarError> {
        let s = t.timestamp();
        let (Some(&first), Some(&end)) = (self.day_starts.first(), self.day_starts.last()) else {
            return Err(self.not_covered(t));
        };
        if s < first || s >= end {
            return Err(self.not_covered(t));
        }
        Ok(s)
    }

    fn not_covered(&self, t: DateTime<Utc>) -> CalendarError {
        CalendarError::NotCovered {
            instant: t,
            first_year: self.first_year,
            last_year: self.last_year,
        }
    }

    fn seconds(d: Duration) -> Result<i64, CalendarError> {
        if d < Duration::zero() {
            return Err(CalendarError::NegativeDuration(d));
        }
        Ok(d.num_seconds())
    }

    fn to_utc(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Whether T falls inside a working window.
    pub fn is_working(&self, t: DateTime<Utc>) -> Result<bool, CalendarError> {
        Ok(self.working.contains(self.check(t)?))
    }

    /// T itself if it is working time, otherwise the start of the next working window.
    pub fn next_working_instant(&self, t: DateTime<Utc>) -> Result<DateTime<Utc>, CalendarError> {
        let s = self.check(t)?;
        self.working
            .next_start_at_or_after(s)
            .map(Self::to_utc)
            .ok_or(CalendarError::BeyondCoverage {
                last_year: self.last_year,
            })
    }

    /// Whether a local date is a working day (has any working window).
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let idx = self.day_index_of_date(date)?;
        Ok(self.days[idx].last_window_end.is_some())
    }

    fn day_index_of_date(&self, date: NaiveDate) -> Result<usize, CalendarError> {
        let idx = (date - self.first_date).num_days();
        if idx < 0 || idx as usize >= self.days.len() {
            return Err(CalendarError::NotCovered {
                instant: Self::to_utc(local_instant(self.zone, date, 0)),
                first_year: self.first_year,
                last_year: self.last_year,
            });
        }
        Ok(idx as usize)
    }

    /// The earliest instant t ≥ T by which N of working time has passed.
    pub fn add(&self, t: DateTime<Utc>, n: Duration) -> Result<DateTime<Utc>, CalendarError> {
        let s = self.check(t)?;
        let n = Self::seconds(n)?;
        if n == 0 {
            return Ok(Self::to_utc(s));
        }
        let target = self.working.counted_before(s) + n;
        self.working
            .instant_reaching(target)
            .map(Self::to_utc)
            .ok_or(CalendarError::BeyondCoverage {
                last_year: self.last_year,
            })
    }

    /// The latest instant t ≤ T that leaves N of working time before T.
    pub fn subtract(&self, t: DateTime<Utc>, n: Duration) -> Result<DateTime<Utc>, CalendarError> {
        let s = self.check(t)?;
        let n = Self::seconds(n)?;
        let target = self.working.counted_before(s) - n;
        if target < 0 {
            return Err(CalendarError::BeforeCoverage {
                first_year: self.first_year,
            });
        }
        let latest = self.working.latest_instant_at(target).unwrap_or(s);
        Ok(Self::to_utc(latest.min(s)))
    }

    /// Working time in [a, b); zero when b ≤ a.
    pub fn working_time_between(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> Result<Duration, CalendarError> {
        self.counted_between(&self.working, a, b)
    }

    /// Calendar time in [a, b) not counting whole non-working days (the clock of Sakhalin 3.3);
    /// zero when b ≤ a.
    pub fn time_skipping_non_working_days_between(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> Result<Duration, CalendarError> {
        self.counted_between(&self.skip_non_working, a, b)
    }

    /// What `clock` counts in [a, b); zero when b ≤ a.
    fn counted_between(
        &self,
        clock: &IntervalClock,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> Result<Duration, CalendarError> {
        let (sa, sb) = (self.check(a)?, self.check_end(b)?);
        if sb <= sa {
            return Ok(Duration::zero());
        }
        Ok(Duration::seconds(
            clock.counted_before(sb) - clock.counted_before(sa),
        ))
    }

    /// Like `check`, but the end of the covered range itself is allowed (for interval ends).
    fn check_end(&self, t: DateTime<Utc>) -> Result<i64, CalendarError> {
        let s = t.timestamp();
        match self.day_starts.last() {
            Some(&end) if s == end => Ok(s),
            _ => self.check(t),
        }
    }

    /// Working time in [a, b) not covered by any pause (an open pause runs to b).
    pub fn working_time_between_with_pauses(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
        pauses: &[Pause],
    ) -> Result<Duration, CalendarError> {
        let total = self.working_time_between(a, b)?;
        let mut paused = Duration::zero();
        for (ps, pe) in merged_pauses(pauses)? {
            let start = ps.max(a);
            let end = pe.unwrap_or(b).min(b);
            if end > start {
                paused += self.working_time_between(start, end)?;
            }
        }
        Ok(total - paused)
    }

    /// Adds N of working time to T while the clock stands still during pauses.
    pub fn add_with_pauses(
        &self,
        t: DateTime<Utc>,
        n: Duration,
        pauses: &[Pause],
    ) -> Result<Progress, CalendarError> {
        Self::seconds(n)?;
        let mut current = t;
        let mut remaining = n;
        for (ps, pe) in merged_pauses(pauses)? {
            if let Some(end) = pe {
                if end <= current {
                    continue;
                }
            }
            if ps > current {
                let due = self.add(current, remaining)?;
                if due <= ps {
                    return Ok(Progress::Due(due));
                }
                remaining -= self.working_time_between(current, ps)?;
            }
            match pe {
                Some(end) => current = current.max(end),
                None => {
                    return Ok(Progress::Paused {
                        since: ps.max(t),
                        remaining,
                    })
                }
            }
        }
        Ok(Progress::Due(self.add(current, remaining)?))
    }

    /// The end of the last working window of the N-th working day after T's local date.
    pub fn add_working_days(
        &self,
        t: DateTime<Utc>,
        n: u32,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let s = self.check(t)?;
        if n == 0 {
            return Ok(Self::to_utc(s));
        }
        let day = self.day_starts.partition_point(|&d| d <= s) - 1;
        let done = self.working_days_through[day] as usize;
        let target = done + n as usize - 1;
        let beyond = CalendarError::BeyondCoverage {
            last_year: self.last_year,
        };
        let &idx = self.working_days.get(target).ok_or(beyond.clone())?;
        self.days[idx as usize]
            .last_window_end
            .map(Self::to_utc)
            .ok_or(beyond)
    }

    /// Adds N of calendar time to T, not counting whole non-working days.
    pub fn add_skipping_non_working_days(
        &self,
        t: DateTime<Utc>,
        n: Duration,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let s = self.check(t)?;
        let n = Self::seconds(n)?;
        if n == 0 {
            return Ok(Self::to_utc(s));
        }
        let target = self.skip_non_working.counted_before(s) + n;
        self.skip_non_working
            .instant_reaching(target)
            .map(Self::to_utc)
            .ok_or(CalendarError::BeyondCoverage {
                last_year: self.last_year,
            })
    }

    /// The local dates covered by the calendar.
    pub fn first_date(&self) -> NaiveDate {
        self.first_date
    }

    /// The local date of an instant.
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        self.local(t).date_naive()
    }

    /// Today's working windows as local times (for display).
    pub fn working_windows_on(&self, date: NaiveDate) -> Result<Vec<LocalWindow>, CalendarError> {
        let idx = self.day_index_of_date(date)?;
        let (start, end) = (self.day_starts[idx], self.day_starts[idx + 1]);
        let first = self.working.starts.partition_point(|&s| s < start);
        let mut out = Vec::new();
        for i in first..self.working.starts.len() {
            if self.working.starts[i] >= end {
                break;
            }
            out.push((
                self.local(Self::to_utc(self.working.starts[i])),
                self.local(Self::to_utc(self.working.ends[i].min(end))),
            ));
        }
        Ok(out)
    }

    /// Year of a local date, for error messages.
    pub fn year_of(&self, t: DateTime<Utc>) -> i32 {
        self.local(t).year()
    }
}

/// The UTC second of a local wall-clock time (minutes after midnight) on a date.
fn local_instant(zone: Tz, date: NaiveDate, minutes: u32) -> i64 {
    let naive = date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minutes));
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.timestamp(),
        LocalResult::Ambiguous(a, _) => a.timestamp(),
        // A wall-clock time skipped by a zone change: take the instant an hour later.
        LocalResult::None => zone
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map(|t| t.timestamp())
            .unwrap_or_else(|| naive.and_utc().timestamp()),
    }
}

/// Pauses sorted and merged; an open pause swallows everything after its start.
fn merged_pauses(pauses: &[Pause]) -> Result<Vec<PauseSpan>, CalendarError> {
    let mut list: Vec<PauseSpan> = Vec::with_capacity(pauses.len());
    for p in pauses {
        if let Some(end) = p.end {
            if end < p.start {
                return Err(CalendarError::InvertedPause {
                    start: p.start,
                    end,
                });
            }
        }
        list.push((p.start, p.end));
    }
    list.sort_by_key(|p| p.0);
    let mut out: Vec<PauseSpan> = Vec::with_capacity(list.len());
    for (s, e) in list {
        if let Some(last) = out.last_mut() {
            match last.1 {
                None => continue,
                Some(le) if s <= le => {
                    last.1 = e.map(|e| e.max(le));
                    continue;
                }
                _ => {}
            }
        }
        out.push((s, e));
    }
    Ok(out)
}

#[cfg(test)]
mod pause_tests {
    use super::Pause;
    use chrono::{TimeZone, Utc};

    fn at(h: u32) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn common_pauses_are_where_every_list_is_paused() {
        let a = [
            Pause {
                start: at(8),
                end: Some(at(12)),
            },
            Pause {
                start: at(14),
                end: None,
            },
        ];
        let b = [Pause {
            start: at(10),
            end: Some(at(15)),
        }];
        let open = [Pause {
            start: at(9),
            end: None,
        }];
        assert_eq!(
            Pause::common(&[&a, &b, &open]),
            vec![
                Pause {
                    start: at(10),
                    end: Some(at(12))
                },
                Pause {
                    start: at(14),
                    end: Some(at(15))
                },
            ]
        );
        assert_eq!(Pause::common(&[&a]), a.to_vec());
        assert!(Pause::common(&[&a, &[]]).is_empty());
        assert!(Pause::common(&[]).is_empty());
    }
}
