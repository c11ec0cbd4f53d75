//! Working-time arithmetic across the New Year holidays. Goal: under 200 ns per call.

use chrono::{Duration, TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use otklik::domain::production_calendar::ProductionCalendar;
use otklik::domain::schedule::WeeklySchedule;
use otklik::domain::WorkCalendar;

fn bench(c: &mut Criterion) {
    let production = match ProductionCalendar::shipped(&[]) {
        Ok(p) => p,
        Err(e) => panic!("shipped calendar: {e}"),
    };
    let cal = WorkCalendar::new(
        chrono_tz::Europe::Moscow,
        &WeeklySchedule::default(),
        &production,
    );
    // Tue 2025-12-30 16:00 MSK: the next working day is 12 January.
    let t = Utc.with_ymd_and_hms(2025, 12, 30, 13, 0, 0).unwrap();
    let eight_hours = Duration::minutes(480);
    c.bench_function("add 480 working minutes across New Year", |b| {
        b.iter(|| cal.add(black_box(t), black_box(eight_hours)))
    });
    c.bench_function("add 7 working days across New Year", |b| {
        b.iter(|| cal.add_working_days(black_box(t), black_box(7)))
    });
    c.bench_function("working time between across New Year", |b| {
        let end = t + Duration::days(14);
        b.iter(|| cal.working_time_between(black_box(t), black_box(end)))
    });
    c.bench_function("build a four-year calendar", |b| {
        b.iter(|| {
            WorkCalendar::new(
                chrono_tz::Europe::Moscow,
                &WeeklySchedule::default(),
                black_box(&production),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
