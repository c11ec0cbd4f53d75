//! Working-time calendar, to the minute: the worked examples of the specification plus working
//! Saturdays, other zones, pauses, day-based arithmetic and the skipping clock.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use otklik::domain::calendar::{CalendarError, Pause, Progress, WorkCalendar};
use otklik::domain::production_calendar::ProductionCalendar;
use otklik::domain::schedule::WeeklySchedule;
use proptest::prelude::*;

fn calendar(zone: Tz) -> WorkCalendar {
    let production = ProductionCalendar::shipped(&[]).unwrap();
    WorkCalendar::new(zone, &WeeklySchedule::default(), &production)
}

static MOSCOW: std::sync::LazyLock<WorkCalendar> =
    std::sync::LazyLock::new(|| calendar(chrono_tz::Europe::Moscow));

fn msk() -> &'static WorkCalendar {
    &MOSCOW
}

/// Local wall-clock time in the calendar's zone.
fn at(cal: &WorkCalendar, s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    cal.zone()
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn show(cal: &WorkCalendar, t: DateTime<Utc>) -> String {
    cal.local(t).format("%Y-%m-%d %H:%M").to_string()
}

fn add(cal: &WorkCalendar, from: &str, minutes: i64) -> String {
    show(
        cal,
        cal.add(at(cal, from), Duration::minutes(minutes)).unwrap(),
    )
}

#[test]
fn worked_examples_of_the_specification() {
    let cal = msk();
    let cases = [
        ("2026-11-20 17:30", 60, "2026-11-23 09:30"),
        ("2026-11-23 09:00", 480, "2026-11-23 18:00"),
        ("2026-11-23 12:45", 30, "2026-11-23 14:15"),
        ("2026-11-24 06:10", 30, "2026-11-24 09:30"),
        ("2025-12-30 16:00", 480, "2026-01-12 16:00"),
        ("2026-01-08 10:00", 30, "2026-01-12 09:30"),
        ("2026-04-30 15:00", 180, "2026-05-04 10:00"),
        ("2026-05-08 16:30", 60, "2026-05-12 09:30"),
    ];
    for (from, minutes, expected) in cases {
        assert_eq!(add(cal, from, minutes), expected, "{from} + {minutes} min");
    }
}

#[test]
fn zero_gives_the_same_instant_even_off_hours() {
    let cal = msk();
    assert_eq!(add(cal, "2026-11-21 11:00", 0), "2026-11-21 11:00");
}

#[test]
fn shortened_days_end_an_hour_early() {
    let cal = msk();
    // 2026-11-03 is shortened (before 4 November): work ends 17:00.
    assert_eq!(add(cal, "2026-11-03 16:30", 30), "2026-11-03 17:00");
    assert_eq!(add(cal, "2026-11-03 16:30", 31), "2026-11-05 09:01");
    assert!(!cal.is_working(at(cal, "2026-11-03 17:15")).unwrap());
}

#[test]
fn working_saturdays_count() {
    let cal = msk();
    // 2025-11-01 is a working (and shortened) Saturday; 3–4 November are off.
    assert_eq!(add(cal, "2025-10-31 17:00", 120), "2025-11-01 10:00");
    assert_eq!(add(cal, "2025-11-01 16:30", 60), "2025-11-05 09:30");
    // 2024-12-28 is a full working Saturday worked as Monday.
    assert_eq!(add(cal, "2024-12-27 17:00", 480), "2024-12-28 17:00");
}

#[test]
fn sakhalin_dates_are_local_even_when_utc_is_still_sunday() {
    let cal = calendar(chrono_tz::Asia::Sakhalin);
    // Mon 2026-11-23 09:00 in Sakhalin (UTC+11) is Sun 22:00 UTC.
    let monday_morning = at(&cal, "2026-11-23 09:00");
    assert_eq!(monday_morning.format("%a").to_string(), "Sun");
    assert!(cal.is_working(monday_morning).unwrap());
    assert_eq!(add(&cal, "2026-11-23 09:00", 60), "2026-11-23 10:00");
    assert_eq!(add(&cal, "2026-11-20 17:30", 60), "2026-11-23 09:30");
}

#[test]
fn barnaul_zone_and_new_year() {
    let cal = calendar(chrono_tz::Asia::Barnaul);
    assert_eq!(add(&cal, "2026-12-30 17:10", 30), "2026-12-30 17:40");
    assert_eq!(add(&cal, "2026-12-30 17:50", 30), "2027-01-11 09:20");
}

#[test]
fn working_time_between_and_next_working_instant() {
    let cal = msk();
    let d = cal
        .working_time_between(at(cal, "2026-11-20 17:30"), at(cal, "2026-11-23 09:30"))
        .unwrap();
    assert_eq!(d, Duration::minutes(60));
    assert_eq!(
        cal.working_time_between(at(cal, "2026-11-23 18:00"), at(cal, "2026-11-23 09:00"))
            .unwrap(),
        Duration::zero()
    );
    let next = cal
        .next_working_instant(at(cal, "2026-11-23 13:20"))
        .unwrap();
    assert_eq!(show(cal, next), "2026-11-23 14:00");
    let same = cal
        .next_working_instant(at(cal, "2026-11-23 10:20"))
        .unwrap();
    assert_eq!(show(cal, same), "2026-11-23 10:20");
    assert!(cal.is_working(at(cal, "2026-11-23 09:00")).unwrap());
    assert!(!cal.is_working(at(cal, "2026-11-23 18:00")).unwrap());
}

#[test]
fn subtract_for_derived_deadlines() {
    let cal = msk();
    let sub = |t: &str, m: i64| show(cal, cal.subtract(at(cal, t), Duration::minutes(m)).unwrap());
    // 4 working hours before Mon 18:00 is Mon 14:00 (lunch does not count).
    assert_eq!(sub("2026-11-23 18:00", 240), "2026-11-23 14:00");
    // 2 working hours before Mon 10:00 is Fri 17:00.
    assert_eq!(sub("2026-11-23 10:00", 120), "2026-11-20 17:00");
    // Across the New Year holidays.
    assert_eq!(sub("2026-01-12 10:00", 120), "2025-12-30 17:00");
    assert_eq!(sub("2026-11-21 11:00", 0), "2026-11-21 11:00");
}

#[test]
fn pauses_stop_the_clock() {
    let cal = msk();
    let pause = |s: &str, e: Option<&str>| Pause {
        start: at(cal, s),
        end: e.map(|e| at(cal, e)),
    };
    // 2 h from Mon 09:00 with a pause 10:00–15:00: one hour before, one after → 16:00.
    let p = [pause("2026-11-23 10:00", Some("2026-11-23 15:00"))];
    let due = cal
        .add_with_pauses(at(cal, "2026-11-23 09:00"), Duration::hours(2), &p)
        .unwrap();
    assert_eq!(due, Progress::Due(at(cal, "2026-11-23 16:00")));
    assert_eq!(
        cal.working_time_between_with_pauses(
            at(cal, "2026-11-23 09:00"),
            at(cal, "2026-11-23 16:00"),
            &p
        )
        .unwrap(),
        Duration::hours(2)
    );
    // A pause that ends after the deadline would have passed still shifts it.
    let p = [pause("2026-11-23 09:30", Some("2026-11-24 09:00"))];
    let due = cal
        .add_with_pauses(at(cal, "2026-11-23 09:00"), Duration::hours(1), &p)
        .unwrap();
    assert_eq!(due, Progress::Due(at(cal, "2026-11-24 09:30")));
    // An open pause: the answer is "paused, 30 minutes left".
    let p = [pause("2026-11-23 09:30", None)];
    let due = cal
        .add_with_pauses(at(cal, "2026-11-23 09:00"), Duration::hours(1), &p)
        .unwrap();
    assert_eq!(
        due,
        Progress::Paused {
            since: at(cal, "2026-11-23 09:30"),
            remaining: Duration::minutes(30)
        }
    );
    // A pause after the deadline changes nothing.
    let p = [pause("2026-11-23 12:00", None)];
    let due = cal
        .add_with_pauses(at(cal, "2026-11-23 09:00"), Duration::hours(1), &p)
        .unwrap();
    assert_eq!(due, Progress::Due(at(cal, "2026-11-23 10:00")));
    // Overlapping pauses are merged.
    let p = [
        pause("2026-11-23 10:00", Some("2026-11-23 11:00")),
        pause("2026-11-23 10:30", Some("2026-11-23 12:00")),
    ];
    let due = cal
        .add_with_pauses(at(cal, "2026-11-23 09:00"), Duration::hours(2), &p)
        .unwrap();
    assert_eq!(due, Progress::Due(at(cal, "2026-11-23 13:00")));
}

#[test]
fn inverted_pause_is_an_error() {
    let cal = msk();
    let p = [Pause {
        start: at(cal, "2026-11-23 12:00"),
        end: Some(at(cal, "2026-11-23 11:00")),
    }];
    assert!(matches!(
        cal.add_with_pauses(at(cal, "2026-11-23 09:00"), Duration::hours(1), &p),
        Err(CalendarError::InvertedPause { .. })
    ));
}

#[test]
fn working_days() {
    let cal = msk();
    let days = |t: &str, n: u32| show(cal, cal.add_working_days(at(cal, t), n).unwrap());
    // 7 working days after Mon 2026-11-23: counting starts Tue → Wed 2026-12-02 18:00.
    assert_eq!(days("2026-11-23 15:00", 7), "2026-12-02 18:00");
    // From a Saturday: Mon is the first.
    assert_eq!(days("2026-11-21 12:00", 1), "2026-11-23 18:00");
    // Across the New Year: after Tue 2025-12-30 the 1st working day is Mon 2026-01-12.
    assert_eq!(days("2025-12-30 10:00", 1), "2026-01-12 18:00");
    assert_eq!(days("2025-12-30 10:00", 7), "2026-01-20 18:00");
    // A shortened day ends at 17:00.
    assert_eq!(days("2026-04-29 10:00", 1), "2026-04-30 17:00");
}

#[test]
fn calendar_time_skipping_non_working_days() {
    let cal = calendar(chrono_tz::Asia::Sakhalin);
    let skip = |t: &str, h: i64| {
        show(
            &cal,
            cal.add_skipping_non_working_days(at(&cal, t), Duration::hours(h))
                .unwrap(),
        )
    };
    // Fri 15:00 + 24 h: Fri 15:00–24:00 (9 h), Sat and Sun skipped, Mon 00:00–15:00.
    assert_eq!(skip("2026-11-20 15:00", 24), "2026-11-23 15:00");
    // Tue 10:00 + 24 h = Wed 10:00 (no day off between).
    assert_eq!(skip("2026-11-24 10:00", 24), "2026-11-25 10:00");
    // Posted on Saturday: counting starts Monday 00:00.
    assert_eq!(skip("2026-11-21 10:00", 24), "2026-11-24 00:00");
}

#[test]
fn outside_the_calendar_is_an_error_not_a_guess() {
    let cal = msk();
    let t = Utc.with_ymd_and_hms(2028, 3, 1, 9, 0, 0).unwrap();
    assert!(matches!(
        cal.add(t, Duration::hours(1)),
        Err(CalendarError::NotCovered { .. })
    ));
    let late = at(cal, "2027-12-30 17:00");
    assert!(matches!(
        cal.add(late, Duration::hours(8)),
        Err(CalendarError::BeyondCoverage { .. })
    ));
    assert!(matches!(
        cal.add(late, Duration::minutes(-1)),
        Err(CalendarError::NegativeDuration(_))
    ));
    assert!(cal
        .is_working_day(NaiveDate::from_ymd_opt(2023, 12, 29).unwrap())
        .is_err());
}

#[test]
fn a_regional_overlay_and_a_custom_schedule() {
    let production = ProductionCalendar::shipped(&["krasnodar_krai".into()]).unwrap();
    let mut schedule = WeeklySchedule::default();
    schedule
        .set_day(chrono::Weekday::Fri, "09:00-13:00, 14:00-16:45")
        .unwrap();
    let cal = WorkCalendar::new(chrono_tz::Europe::Moscow, &schedule, &production);
    // Radonitsa, Tue 2026-04-21, is off in Kuban.
    assert_eq!(add(&cal, "2026-04-20 17:30", 60), "2026-04-22 09:30");
    // Friday ends at 16:45.
    assert_eq!(add(&cal, "2026-11-20 16:00", 60), "2026-11-23 09:15");
}

fn covered_instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 2024-01-01 .. 2027-06-30, to the second.
    let start = Utc
        .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    let end = Utc
        .with_ymd_and_hms(2027, 6, 30, 0, 0, 0)
        .unwrap()
        .timestamp();
    (start..end).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
}

fn minutes() -> impl Strategy<Value = i64> {
    0i64..(5 * 8 * 60)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn add_is_monotonic_in_t_and_n(t in covered_instant(), dt in 0i64..200_000, a in minutes(), b in minutes()) {
        let cal = msk();
        let t2 = t + Duration::seconds(dt);
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(cal.add(t, Duration::minutes(lo)).unwrap() <= cal.add(t, Duration::minutes(hi)).unwrap());
        prop_assert!(cal.add(t, Duration::minutes(a)).unwrap() <= cal.add(t2, Duration::minutes(a)).unwrap());
    }

    #[test]
    fn add_composes(t in covered_instant(), a in minutes(), b in minutes()) {
        let cal = msk();
        let step = cal.add(cal.add(t, Duration::minutes(a)).unwrap(), Duration::minutes(b)).unwrap();
        prop_assert_eq!(step, cal.add(t, Duration::minutes(a + b)).unwrap());
    }

    #[test]
    fn working_time_between_inverts_add(t in covered_instant(), n in minutes()) {
        let cal = msk();
        let due = cal.add(t, Duration::minutes(n)).unwrap();
        prop_assert!(due >= t);
        prop_assert_eq!(cal.working_time_between(t, due).unwrap(), Duration::minutes(n));
    }

    #[test]
    fn subtract_leaves_exactly_n(t in covered_instant(), n in minutes()) {
        let cal = msk();
        let start = t + Duration::days(30);
        let earlier = cal.subtract(start, Duration::minutes(n)).unwrap();
        prop_assert!(earlier <= start);
        prop_assert_eq!(cal.working_time_between(earlier, start).unwrap(), Duration::minutes(n));
    }

    #[test]
    fn same_instant_in_any_offset_gives_the_same_answer(t in covered_instant(), n in minutes(), offset_h in -12i32..=14) {
        let cal = msk();
        let offset = FixedOffset::east_opt(offset_h * 3600).unwrap();
        let shown = t.with_timezone(&offset);
        let again = shown.with_timezone(&Utc);
        prop_assert_eq!(cal.add(t, Duration::minutes(n)).unwrap(), cal.add(again, Duration::minutes(n)).unwrap());
    }

    #[test]
    fn pause_never_makes_a_deadline_earlier(t in covered_instant(), n in minutes(), ps in 0i64..100_000, len in 0i64..100_000) {
        let cal = msk();
        let pause = Pause { start: t + Duration::seconds(ps), end: Some(t + Duration::seconds(ps + len)) };
        let plain = cal.add(t, Duration::minutes(n)).unwrap();
        match cal.add_with_pauses(t, Duration::minutes(n), &[pause]).unwrap() {
            Progress::Due(d) => {
                prop_assert!(d >= plain);
                prop_assert_eq!(cal.working_time_between_with_pauses(t, d, &[pause]).unwrap(), Duration::minutes(n));
            }
            Progress::Paused { .. } => prop_assert!(false, "a closed pause cannot leave the clock paused"),
        }
    }
}
