//! When an emergency counts as one of days off (Vorsino 2.10, Yuzhno-Sakhalinsk 3.9: the curator
//! or the duty roster answers emergencies «в выходные и праздничные дни»): on a non-working day,
//! and also after the last working day's hours before one (Friday evening, the evening before a
//! holiday) — nobody is at work until after the days off. A weekday night is not: the office
//! opens the next morning.

use chrono::{DateTime, NaiveDate, Utc};

use super::calendar::{CalendarError, WorkCalendar};

/// The day off whose duty covers the instant `at`: its own local date when that is not a working
/// day; after the last working hours before days off, the first day off that follows; `None` on
/// a working day and on the night before another working day.
pub fn duty_day(
    calendar: &WorkCalendar,
    at: DateTime<Utc>,
) -> Result<Option<NaiveDate>, CalendarError> {
    let day = calendar.local_date(at);
    if !calendar.is_working_day(day)? {
        return Ok(Some(day));
    }
    let next_work = calendar.local_date(calendar.next_working_instant(at)?);
    // Before the day's hours, or in its lunch break, the working day is still ahead; after them
    // the next working time is tomorrow's unless days off come first.
    Ok(day.succ_opt().filter(|tomorrow| next_work > *tomorrow))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::regulation::Regulation;
    use chrono::TimeZone;

    fn at(reg: &Regulation, local: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
        reg.time_zone
            .from_local_datetime(&naive)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn day(s: &str) -> Option<NaiveDate> {
        Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    #[test]
    fn friday_after_hours_is_saturdays_duty_and_a_weekday_night_is_nobodys() {
        let reg = Regulation::preset("vorsino").unwrap();
        let cal = reg.calendar().unwrap();
        let d = |s: &str| duty_day(&cal, at(&reg, s)).unwrap();
        // Vorsino's Friday ends at 16:45.
        assert_eq!(d("2026-11-27 16:44"), None);
        assert_eq!(d("2026-11-27 16:45"), day("2026-11-28"));
        assert_eq!(d("2026-11-27 20:00"), day("2026-11-28"));
        assert_eq!(d("2026-11-27 23:59"), day("2026-11-28"));
        assert_eq!(d("2026-11-28 00:00"), day("2026-11-28"));
        assert_eq!(d("2026-11-29 23:59"), day("2026-11-29"));
        // Monday before the office opens, Friday's lunch, Tuesday night: working days ahead.
        assert_eq!(d("2026-11-30 07:00"), None);
        assert_eq!(d("2026-11-27 13:30"), None);
        assert_eq!(d("2026-11-24 20:00"), None);
        assert_eq!(d("2026-11-27 08:00"), None);
    }

    #[test]
    fn the_evening_before_a_holiday_is_the_holidays_duty() {
        let reg = Regulation::preset("yuzhno-sakhalinsk").unwrap();
        let cal = reg.calendar().unwrap();
        let d = |s: &str| duty_day(&cal, at(&reg, s)).unwrap();
        // 4 November is a holiday; 3 November a shortened day (to 17:00).
        assert_eq!(d("2026-11-03 16:59"), None);
        assert_eq!(d("2026-11-03 17:00"), day("2026-11-04"));
        assert_eq!(d("2026-11-04 12:00"), day("2026-11-04"));
        assert_eq!(d("2026-11-04 23:00"), day("2026-11-04"));
        // The New Year holidays: from the evening of 30 December (31 December is off in 2026).
        assert_eq!(d("2026-12-30 19:00"), day("2026-12-31"));
    }
}
