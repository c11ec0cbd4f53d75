//! Each shipped preset gives exactly the deadlines its regulation implies, for normal and high
//! importance, across a weekend and across a holiday.

use chrono::{DateTime, TimeZone, Utc};
use otklik::domain::plan::{plan, Due, PlanInput, Timeline};
use otklik::domain::regulation::{Importance, Regulation, RegulationError, Stage, PRESETS};
use otklik::domain::WorkCalendar;

struct Case {
    reg: Regulation,
    cal: WorkCalendar,
}

impl Case {
    fn new(name: &str) -> Self {
        let reg = Regulation::preset(name).unwrap();
        let cal = reg.calendar().unwrap();
        Case { reg, cal }
    }

    fn at(&self, s: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        self.cal
            .zone()
            .from_local_datetime(&naive)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    /// Stage → local due time (or a word for the non-instant cases).
    fn plan(
        &self,
        detected: &str,
        importance: Importance,
        external: Option<&str>,
    ) -> Vec<(Stage, String)> {
        let input = PlanInput {
            importance: Some(importance),
            timeline: Timeline::detected(self.at(detected)),
            external_deadline: external.map(|e| self.at(e)),
            ..PlanInput::default()
        };
        plan(&self.reg, &self.cal, &input)
            .unwrap()
            .into_iter()
            .map(|(s, d)| {
                let shown = match d {
                    Due::At { at, .. } => self.cal.local(at).format("%Y-%m-%d %H:%M").to_string(),
                    Due::Paused { .. } => "paused".into(),
                    Due::AwaitingExternal => "external".into(),
                    Due::AwaitingCurator => "curator".into(),
                    Due::AfterEvent { .. } => "after event".into(),
                };
                (s, shown)
            })
            .collect()
    }
}

fn get(plan: &[(Stage, String)], stage: Stage) -> &str {
    plan.iter()
        .find(|(s, _)| *s == stage)
        .map(|(_, d)| d.as_str())
        .unwrap_or_else(|| panic!("no {stage} in {plan:?}"))
}

fn expect(plan: &[(Stage, String)], expected: &[(Stage, &str)]) {
    for (stage, due) in expected {
        assert_eq!(get(plan, *stage), *due, "{stage} in {plan:#?}");
    }
}

#[test]
fn every_preset_is_valid() {
    for (name, _) in PRESETS {
        let reg = Regulation::preset(name).unwrap();
        assert_eq!(reg.id, name);
        reg.calendar().unwrap();
    }
}

#[test]
fn vorsino() {
    let c = Case::new("vorsino");
    use Stage::*;
    // A Monday morning: every step on the same day, the final one the next morning.
    let p = c.plan("2026-11-23 10:00", Importance::Normal, None);
    expect(
        &p,
        &[
            (Routing, "2026-11-23 12:00"),
            (Draft, "2026-11-23 13:00"),
            (CuratorReview, "2026-11-23 14:30"),
            (Rework, "2026-11-23 15:30"),
            (Publication, "2026-11-23 15:00"),
            (DepartmentTotal, "2026-11-23 18:00"),
            (Final, "2026-11-24 10:00"),
            (Explanation, "2026-11-24 10:00"),
        ],
    );
    // Friday ends at 16:45: routing spills over the weekend.
    let p = c.plan("2026-11-20 16:00", Importance::Normal, None);
    expect(
        &p,
        &[(Routing, "2026-11-23 10:15"), (Final, "2026-11-23 17:15")],
    );
    // Tue 2026-11-03 is shortened (17:00), 4 November is a holiday.
    let p = c.plan("2026-11-03 15:00", Importance::High, None);
    expect(&p, &[(Final, "2026-11-05 16:00")]);
}

#[test]
fn borovichi() {
    let c = Case::new("borovichi");
    use Stage::*;
    let p = c.plan("2026-11-23 10:00", Importance::Normal, None);
    expect(
        &p,
        &[
            (Routing, "2026-11-23 10:30"),
            (Final, "2026-11-24 10:00"),
            (Draft, "2026-11-23 15:00"),
            (CuratorReview, "2026-11-23 15:30"),
            (Publication, "2026-11-23 16:00"),
            (Rework, "2026-11-23 16:30"),
            (InterimToFinal, "after event"),
        ],
    );
    let p = c.plan("2026-11-23 10:00", Importance::High, None);
    expect(
        &p,
        &[(Final, "2026-11-23 15:00"), (Draft, "2026-11-23 12:00")],
    );
    // Across the New Year holidays.
    let p = c.plan("2025-12-30 16:00", Importance::Normal, None);
    expect(
        &p,
        &[(Final, "2026-01-12 16:00"), (Draft, "2026-01-12 11:00")],
    );
    // Across a weekend, high importance.
    let p = c.plan("2026-11-20 16:30", Importance::High, None);
    expect(
        &p,
        &[
            (Routing, "2026-11-20 17:00"),
            (Final, "2026-11-23 11:30"),
            (Draft, "2026-11-23 09:30"),
        ],
    );
}

#[test]
fn krymsk() {
    let c = Case::new("krymsk");
    use Stage::*;
    let p = c.plan("2026-11-23 10:00", Importance::Normal, None);
    expect(
        &p,
        &[
            (Routing, "2026-11-23 10:30"),
            (Final, "2026-11-24 10:00"),
            (Draft, "2026-11-23 15:00"),
        ],
    );
    let p = c.plan("2026-11-23 10:00", Importance::High, None);
    expect(
        &p,
        &[(Final, "2026-11-23 15:00"), (Draft, "2026-11-23 14:00")],
    );
    // Radonitsa (Tue 2026-04-21) is a day off in Krasnodar Krai.
    let p = c.plan("2026-04-20 15:00", Importance::Normal, None);
    expect(&p, &[(Final, "2026-04-22 15:00")]);
    // Across the May holidays: 30 April shortened, 1–3 May off.
    let p = c.plan("2026-04-30 15:00", Importance::High, None);
    expect(&p, &[(Final, "2026-05-04 11:00")]);
}

#[test]
fn yuzhno_sakhalinsk() {
    let c = Case::new("yuzhno-sakhalinsk");
    use Stage::*;
    // Friday afternoon: 24 hours not counting the weekend → Monday 15:00.
    let p = c.plan("2026-11-20 15:00", Importance::Normal, None);
    expect(
        &p,
        &[
            (Routing, "2026-11-20 18:00"),
            (Draft, "2026-11-23 13:00"),
            (DepartmentTotal, "2026-11-23 14:00"),
            (Final, "2026-11-23 15:00"),
            (Explanation, "2026-11-24 10:00"),
        ],
    );
    // Posted Monday evening before a shortened day and a holiday: 24 calendar hours would end
    // Tue 18:00 with only 7 working hours inside; at least 8 are required → Thu 10:00.
    let p = c.plan("2026-11-02 18:00", Importance::Normal, None);
    expect(&p, &[(Final, "2026-11-05 10:00")]);
    // Posted on Saturday: counting starts on Monday.
    let p = c.plan("2026-11-21 10:00", Importance::High, None);
    expect(
        &p,
        &[(Final, "2026-11-24 00:00"), (Routing, "2026-11-23 12:00")],
    );
}

#[test]
fn barnaul_leninsky() {
    let c = Case::new("barnaul-leninsky");
    use Stage::*;
    let p = c.plan(
        "2026-11-23 10:00",
        Importance::Normal,
        Some("2026-11-24 10:00"),
    );
    expect(
        &p,
        &[
            (Routing, "2026-11-23 10:00"),
            (CompetenceCheck, "2026-11-23 10:30"),
            (Draft, "curator"),
            (DeputyApproval, "curator"),
            (Rework, "curator"),
            (Publication, "2026-11-24 10:00"),
            (Final, "2026-11-24 10:00"),
        ],
    );
    let p = c.plan("2026-11-21 10:00", Importance::High, None);
    expect(
        &p,
        &[(CompetenceCheck, "2026-11-23 09:30"), (Final, "external")],
    );
    assert_eq!(c.reg.reports.weekly, Some(chrono::Weekday::Fri));
    assert!(c.reg.escalation.bursts_to_head);
}

#[test]
fn check_regulation_reports_every_problem_with_its_path() {
    let text = r#"
[profile]
id = "x"
name = "X"
time_zone = "Europe/Atlantis"

[schedule]
mon = "9-18"

[workflow]
deputy_approval = true

[reports]
weekly = "friday"

[stages.routing]
within = "2 hours"

[stages.draft]
before_final = "9h"

[stages.final]
within = "8h"
clock = "working"

[stages.publication]
within = "30m"
external = true

[stages.lunch]
within = "1h"

[stages.curator_review]
same_as = "rework"

[stages.rework]
same_as = "rework"

[curator_schedule]
tue = "25:00-26:00"

[high.stages.explanation]
within = "1h"
"#;
    let err = Regulation::from_toml(text).unwrap_err();
    let RegulationError::Invalid(problems) = &err else {
        panic!("{err}")
    };
    let msg = err.to_string();
    for needle in [
        "profile.time_zone",
        "schedule.mon",
        "reports.weekly",
        "stages.routing.within",
        "stages.draft.before_final: 9h before a final deadline of 8h",
        "stages.publication: give exactly one of",
        "stages.lunch: unknown stage",
        "stages.deputy_approval: missing",
        "high.stages.explanation: overrides a stage that has no normal-importance rule",
        "stages.rework.same_as: a stage cannot take its own term",
        "stages.curator_review.same_as: rework has no term of its own to take",
        "curator_schedule.tue",
    ] {
        assert!(msg.contains(needle), "{needle:?} missing from:\n{msg}");
    }
    assert!(problems.len() >= 9);
}

#[test]
fn unknown_fields_and_presets_are_refused() {
    let err = Regulation::from_toml(
        "[profile]\nid='x'\nname='X'\ntime_zone='Europe/Moscow'\ncolour='red'\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("colour"), "{err}");
    let err = Regulation::preset("moscow").unwrap_err().to_string();
    assert!(err.contains("vorsino"), "{err}");
}

#[test]
fn report_times_come_from_the_profile() {
    let barnaul = Regulation::preset("barnaul-leninsky").unwrap();
    assert_eq!(barnaul.reports.weekly, Some(chrono::Weekday::Fri));
    assert_eq!(barnaul.reports.weekly_at.to_string(), "16:00:00");
    let vorsino = Regulation::preset("vorsino").unwrap();
    assert!(vorsino.reports.monthly);
    assert_eq!(vorsino.reports.monthly_at.to_string(), "10:00:00");

    let base = otklik::domain::regulation::PRESETS
        .iter()
        .find(|(n, _)| *n == "borovichi")
        .unwrap()
        .1;
    let text = base.replace(
        "monthly = true",
        "monthly = true\nweekly = \"mon\"\nweekly_at = \"09:30\"",
    );
    let custom =
        Regulation::from_toml(&text.replace("monthly_at = \"10:00\"", "monthly_at = \"08:15\""))
            .unwrap();
    assert_eq!(custom.reports.weekly, Some(chrono::Weekday::Mon));
    assert_eq!(custom.reports.weekly_at.to_string(), "09:30:00");
    assert_eq!(custom.reports.monthly_at.to_string(), "08:15:00");
    let err = Regulation::from_toml(&text.replace("09:30", "25:00"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("reports.weekly_at: \"25:00\" is not a time of day"),
        "{err}"
    );
}

/// The clarification follow-up is a term from the request's posting, for every importance.
#[test]
fn a_clarification_follow_up_is_a_term_from_the_posting() {
    let base = "[profile]\nid='x'\nname='X'\ntime_zone='Europe/Moscow'\n\
                [stages.routing]\nwithin='30m'\n[stages.draft]\nwithin='2h'\n\
                [stages.final]\nwithin='8h'\n";
    let ok = Regulation::from_toml(&format!(
        "{base}[stages.clarification_follow_up]\nwithin_working_days = 2\n"
    ))
    .unwrap();
    assert_eq!(
        ok.workflow.clarification_follow_up,
        Some(otklik::domain::regulation::Term::WorkingDays { days: 2 })
    );
    assert_eq!(
        Regulation::from_toml(base)
            .unwrap()
            .workflow
            .clarification_follow_up,
        None
    );
    let err = Regulation::from_toml(&format!(
        "{base}[stages.clarification_follow_up]\nwithin = '0m'\nfrom = 'detection'\n\
         [high.stages.clarification_follow_up]\nwithin = '1h'\n"
    ))
    .unwrap_err()
    .to_string();
    for needle in [
        "stages.clarification_follow_up.within: must be more than zero",
        "stages.clarification_follow_up.from: the follow-up counts from the request's posting",
        "high.stages.clarification_follow_up: the follow-up does not depend on importance",
    ] {
        assert!(err.contains(needle), "{needle:?} missing from:\n{err}");
    }
}
