//! The administrator's configuration files: what a regulation profile or a production calendar
//! says is honoured, what it cannot mean is refused by the check with its place, and nothing in
//! them can make the calendar panic.

use std::process::Command;

use chrono::{DateTime, Duration, TimeZone, Utc};
use otklik::domain::calendar::{CalendarError, WorkCalendar};
use otklik::domain::production_calendar::ProductionCalendar;
use otklik::domain::regulation::Regulation;
use otklik::domain::schedule::ScheduleSpec;

fn otklik(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_otklik"))
        .args(args)
        .env_remove("OTKLIK_CALENDAR_FILE")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn at(cal: &WorkCalendar, s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    cal.zone()
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn show(cal: &WorkCalendar, t: DateTime<Utc>) -> String {
    cal.local(t).format("%a %Y-%m-%d %H:%M").to_string()
}

fn calendar_with(spec: ScheduleSpec) -> WorkCalendar {
    let production = ProductionCalendar::shipped(&[]).unwrap();
    WorkCalendar::new(
        chrono_tz::Europe::Moscow,
        &spec.build().unwrap(),
        &production,
    )
}

/// Borovichi with its own hours replaced by `schedule` (TOML lines of a `[schedule]` table).
fn borovichi_with_schedule(schedule: &str) -> String {
    let preset = include_str!("../regulations/borovichi.toml");
    format!("{preset}\n[schedule]\n{schedule}\n")
}

#[test]
fn weekend_hours_in_a_profile_are_worked() {
    let cal = calendar_with(ScheduleSpec {
        sat: Some("10:00-16:00".into()),
        ..ScheduleSpec::default()
    });
    // Saturday 10:00 + 30 working minutes is Saturday 10:30, not Monday 09:30.
    let due = cal
        .add(at(&cal, "2026-12-05 10:00"), Duration::minutes(30))
        .unwrap();
    assert_eq!(show(&cal, due), "Sat 2026-12-05 10:30");
    // Friday 17:30 + 1 h: half an hour on Friday, the rest on Saturday morning.
    let due = cal
        .add(at(&cal, "2026-12-04 17:30"), Duration::hours(1))
        .unwrap();
    assert_eq!(show(&cal, due), "Sat 2026-12-05 10:30");
    assert!(cal.is_working(at(&cal, "2026-12-05 12:00")).unwrap());
    assert!(!cal.is_working(at(&cal, "2026-12-06 12:00")).unwrap());
    // Working days count the Saturday too.
    let due = cal
        .add_working_days(at(&cal, "2026-12-04 12:00"), 1)
        .unwrap();
    assert_eq!(show(&cal, due), "Sat 2026-12-05 16:00");
    // A public holiday on a Saturday is off even so (3 January 2026 is a Saturday).
    assert!(!cal.is_working(at(&cal, "2026-01-03 12:00")).unwrap());
    assert!(cal.is_working(at(&cal, "2026-01-10 12:00")).unwrap());
}

#[test]
fn a_weekend_only_profile_passes_the_check_and_gives_weekend_deadlines() {
    let text = borovichi_with_schedule(
        "mon = \"off\"\ntue = \"off\"\nwed = \"off\"\nthu = \"off\"\nfri = \"off\"\nsat = \"10:00-16:00\"\nsun = \"10:00-16:00\"",
    );
    let reg = Regulation::from_toml(&text).unwrap();
    let cal = reg.calendar().unwrap();
    let due = cal
        .add(at(&cal, "2026-12-02 12:00"), Duration::hours(8))
        .unwrap();
    assert_eq!(show(&cal, due), "Sun 2026-12-06 12:00");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("weekends.toml");
    std::fs::write(&file, &text).unwrap();
    let (ok, out, err) = otklik(&["check-regulation", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.starts_with("OK: "), "{out}");
    let (ok, out, err) = otklik(&[
        "deadlines",
        "--regulation",
        file.to_str().unwrap(),
        "--detected",
        "2026-12-02T12:00:00+03:00",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.lines()
            .any(|l| l == "routing           Sat 2026-12-05 10:30"),
        "{out}"
    );
}

#[test]
fn a_profile_without_working_time_is_refused_and_the_calendar_never_panics() {
    let text = borovichi_with_schedule(
        "mon = \"off\"\ntue = \"off\"\nwed = \"off\"\nthu = \"off\"\nfri = \"off\"",
    );
    let err = Regulation::from_toml(&text).unwrap_err().to_string();
    assert!(
        err.contains("schedule: the week has no working hours at all"),
        "{err}"
    );

    // Built directly, a calendar without working time answers errors, not a panic.
    let off = || Some("off".to_string());
    let cal = calendar_with(ScheduleSpec {
        mon: off(),
        tue: off(),
        wed: off(),
        thu: off(),
        fri: off(),
        ..ScheduleSpec::default()
    });
    let t = at(&cal, "2026-12-02 12:00");
    assert!(matches!(
        cal.add(t, Duration::minutes(30)),
        Err(CalendarError::BeyondCoverage { .. })
    ));
    assert!(cal.next_working_instant(t).is_err());
    assert!(cal.add_working_days(t, 1).is_err());
    assert!(cal.subtract(t, Duration::minutes(30)).is_err());
    assert_eq!(
        cal.working_time_between(t, t + Duration::days(3)).unwrap(),
        Duration::zero()
    );
}

#[test]
fn a_misspelt_calendar_key_is_refused_with_its_line() {
    let shipped = include_str!("../calendars/ru.toml");
    let misspelt = shipped.replacen("days_off = [\"2026-", "days_of = [\"2026-", 1);
    assert_ne!(misspelt, shipped);
    let line = misspelt
        .lines()
        .position(|l| l.starts_with("days_of = "))
        .unwrap()
        + 1;
    let err = ProductionCalendar::parse(&misspelt, &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("days_of"), "{err}");
    assert!(err.contains(&format!("line {line}")), "{err}");

    // A year that leaves out one of its lists is refused too: an empty list must be written.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ru.toml");
    std::fs::write(
        &file,
        format!("{shipped}\n[years.2028]\nholidays = []\ndays_off = [\"2028-01-03\"]\nworking_weekends = []\n"),
    )
    .unwrap();
    let (ok, _, err) = otklik(&["check-calendar", file.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("missing field `shortened`"), "{err}");

    std::fs::write(&file, &misspelt).unwrap();
    let (ok, _, err) = otklik(&["check-calendar", file.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("unknown field `days_of`"), "{err}");
}

#[test]
fn an_at_once_stage_is_due_at_the_next_working_minute() {
    // Barnaul §4: routing "at once" (0m). Detected at 03:00 on a Saturday (Barnaul time), it is
    // due when the office opens on Monday, not at 03:00 on Saturday.
    let (ok, out, err) = otklik(&[
        "deadlines",
        "--regulation",
        "barnaul-leninsky",
        "--detected",
        "2026-12-05T03:00:00+07:00",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.lines()
            .any(|l| l == "routing           Mon 2026-12-07 09:00"),
        "{out}"
    );
    // Inside working hours "at once" is the detection instant itself.
    let (ok, out, err) = otklik(&[
        "deadlines",
        "--regulation",
        "barnaul-leninsky",
        "--detected",
        "2026-12-07T10:15:00+07:00",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.lines()
            .any(|l| l == "routing           Mon 2026-12-07 10:15"),
        "{out}"
    );
}

#[test]
fn the_retention_period_comes_from_the_profile_within_bounds() {
    let preset = include_str!("../regulations/vorsino.toml");
    let reg = Regulation::from_toml(preset).unwrap();
    assert_eq!(reg.privacy.keep_days, 3 * 365);
    assert_eq!(reg.privacy.run_at.to_string(), "03:00:00");
    let reg = Regulation::from_toml(&format!(
        "{preset}\n[privacy]\nkeep_days = 365\nrun_at = \"02:30\"\n"
    ))
    .unwrap();
    assert_eq!(reg.privacy.keep_days, 365);
    assert_eq!(reg.privacy.run_at.to_string(), "02:30:00");
    for bad in [
        "keep_days = 5",
        "keep_days = 40000",
        "run_at = \"25:00\"",
        "keep = 1",
    ] {
        let err = Regulation::from_toml(&format!("{preset}\n[privacy]\n{bad}\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("privacy") || err.contains("unknown field"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn the_legal_references_an_answer_may_cite_come_from_the_profile() {
    let preset = include_str!("../regulations/vorsino.toml");
    let reg = Regulation::from_toml(preset).unwrap();
    assert_eq!(reg.answers.law_references, 2);
    let reg = Regulation::from_toml(&format!("{preset}\n[answers]\nlaw_references = 0\n")).unwrap();
    assert_eq!(reg.answers.law_references, 0);
    let err = Regulation::from_toml(&format!("{preset}\n[answers]\nlaws = 1\n"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field"), "{err}");
}
