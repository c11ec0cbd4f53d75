//! Onboarding and administration in chat: `/start CODE` (invites), `/invite`, `/settings`,
//! `/duty`.

use chrono::{Duration, Weekday};
use teloxide::utils::html::escape;

use crate::app::{App, OrgRules};
use crate::domain::incident::Role;
use crate::domain::regulation::{Anchor, Clock, DeadlineRule, Importance, Publisher};
use crate::storage::{InviteError, Person, StorageError};
use crate::texts::{Arg, Texts};

/// How long an invite made in chat stays valid.
pub const INVITE_DAYS: i64 = 14;

fn role_key(r: Role) -> &'static str {
    match r {
        Role::Executor => "executor",
        Role::DepartmentHead => "department_head",
        Role::Deputy => "deputy",
        Role::Curator => "curator",
        Role::Head => "head",
        Role::DutyOfficer => "duty_officer",
        Role::Administrator | Role::System => "administrator",
    }
}

/// The greeting after an invite: who they are and what the bot will send them.
pub fn welcome(texts: &Texts, person: &Person) -> String {
    let mut ordered = person.roles.clone();
    ordered.sort();
    let roles: Vec<String> = ordered
        .iter()
        .map(|r| texts.t(&format!("role-{}", role_key(*r))))
        .collect();
    let mut lines = vec![texts.tf(
        "invite-welcome",
        &[
            ("name", Arg::from(&escape(&person.full_name))),
            ("roles", Arg::from(&roles.join(", "))),
        ],
    )];
    for (role, key) in [
        (Role::Executor, "invite-what-executor"),
        (Role::Curator, "invite-what-curator"),
        (Role::DepartmentHead, "invite-what-department-head"),
        (Role::Deputy, "invite-what-deputy"),
        (Role::Head, "invite-what-head"),
        (Role::DutyOfficer, "invite-what-duty"),
        (Role::Administrator, "invite-what-admin"),
    ] {
        if person.roles.contains(&role) {
            lines.push(texts.t(key));
        }
    }
    lines.join("\n")
}

/// `/start CODE`: binds the account; returns the text to answer.
pub async fn redeem(app: &App, code: &str, user: i64) -> Result<String, StorageError> {
    let texts = &app.texts;
    Ok(
        match app.store.redeem_invite(code, user, app.now()).await? {
            Ok(person) => welcome(texts, &person),
            Err(InviteError::Unknown) => texts.t("invite-unknown"),
            Err(InviteError::Expired) => texts.t("invite-expired"),
            Err(InviteError::Used) => texts.t("invite-used"),
            Err(InviteError::AccountTaken) => texts.t("invite-taken"),
        },
    )
}

/// `/invite NAME`: an invite link for a colleague (administrators and curators).
pub async fn invite(app: &App, by: &Person, query: &str) -> Result<String, StorageError> {
    let texts = &app.texts;
    if !(by.roles.contains(&Role::Administrator) || by.roles.contains(&Role::Curator)) {
        return Ok(texts.t("admin-only"));
    }
    let query = query.trim();
    if query.is_empty() {
        return Ok(texts.t("invite-usage"));
    }
    let found = app.store.find_people(by.org_id, query).await?;
    match found.as_slice() {
        [] => Ok(texts.tf("invite-not-found", &[("query", Arg::from(&escape(query)))])),
        [person] => {
            let code = app
                .store
                .create_invite(person.id, app.now(), Duration::days(INVITE_DAYS))
                .await?;
            let link = format!("https://t.me/{}?start={code}", app.bot_username());
            let days = texts
                .tf("working-days", &[("n", Arg::Num(INVITE_DAYS))])
                .replace("рабочих ", "");
            Ok(texts.tf(
                "invite-link",
                &[
                    ("name", Arg::from(&escape(&person.full_name))),
                    ("days", Arg::from(&days)),
                    ("link", Arg::from(&link)),
                ],
            ))
        }
        many => {
            let names: Vec<String> = many.iter().map(|p| escape(&p.full_name)).collect();
            Ok(texts.tf("invite-many", &[("names", Arg::from(&names.join(", ")))]))
        }
    }
}

/// A duration in words: "2 часа", "30 минут", "1 час 30 минут".
fn duration_words(texts: &Texts, d: Duration) -> String {
    let m = d.num_minutes();
    let (h, m) = (m / 60, m % 60);
    match (h, m) {
        (0, 0) => texts.t("rule-at-once"),
        (0, m) => texts.tf("minutes", &[("n", Arg::Num(m))]),
        (h, 0) => texts.tf("hours", &[("n", Arg::Num(h))]),
        (h, m) => format!(
            "{} {}",
            texts.tf("hours", &[("n", Arg::Num(h))]),
            texts.tf("minutes", &[("n", Arg::Num(m))])
        ),
    }
}

fn anchor_key(a: Anchor) -> &'static str {
    match a {
        Anchor::Detection => "from-detection",
        Anchor::Routed => "from-routed",
        Anchor::ApprovalStepStarted => "from-approval_step_started",
        Anchor::Approved => "from-approved",
        Anchor::ReworkRequested => "from-rework_requested",
        Anchor::InterimPublished => "from-interim_published",
    }
}

fn rule_words(texts: &Texts, rule: &DeadlineRule) -> String {
    match rule {
        DeadlineRule::Within { duration, from, .. } if duration.is_zero() => {
            format!("{} {}", texts.t("rule-at-once"), texts.t(anchor_key(*from)))
        }
        DeadlineRule::Within {
            duration,
            clock,
            from,
            min_working,
        } => {
            let clock = texts.t(match clock {
                Clock::Working => "clock-working",
                Clock::Calendar => "clock-calendar",
                Clock::CalendarSkippingNonWorkingDays => "clock-calendar_skipping_non_working_days",
            });
            let mut s = texts.tf(
                "rule-within",
                &[
                    ("duration", Arg::from(&duration_words(texts, *duration))),
                    ("clock", Arg::from(&clock)),
                    ("from", Arg::from(&texts.t(anchor_key(*from)))),
                ],
            );
            if let Some(m) = min_working {
                s.push_str(&texts.tf(
                    "rule-min-working",
                    &[("duration", Arg::from(&duration_words(texts, *m)))],
                ));
            }
            s
        }
        DeadlineRule::WorkingDays { days, from } => texts.tf(
            "rule-working-days",
            &[
                (
                    "days",
                    Arg::from(&texts.tf("working-days", &[("n", Arg::Num(i64::from(*days)))])),
                ),
                ("from", Arg::from(&texts.t(anchor_key(*from)))),
            ],
        ),
        DeadlineRule::BeforeFinal { duration } => texts.tf(
            "rule-before-final",
            &[("duration", Arg::from(&duration_words(texts, *duration)))],
        ),
        DeadlineRule::External => texts.t("rule-external"),
        DeadlineRule::SetByCurator => texts.t("rule-curator"),
    }
}

/// `/settings`: the regulation and calendar in plain Russian.
pub fn settings(texts: &Texts, rules: &OrgRules) -> String {
    let reg = &rules.org.regulation;
    let (first, last) = rules.calendar.covered_years();
    let mut lines = vec![
        format!(
            "<b>{}</b>",
            escape(&texts.tf("settings-title", &[("name", Arg::from(&reg.name))]))
        ),
        texts.tf(
            "settings-calendar",
            &[
                ("first", Arg::Num(i64::from(first))),
                ("last", Arg::Num(i64::from(last))),
                ("zone", Arg::from(reg.time_zone.name())),
            ],
        ),
        String::new(),
        texts.t("settings-normal"),
    ];
    let line = |stage: crate::domain::regulation::Stage, rule: &DeadlineRule| {
        texts.tf(
            "settings-line",
            &[
                (
                    "stage",
                    Arg::from(&texts.t(&format!("stage-{}", stage.key()))),
                ),
                ("rule", Arg::from(&rule_words(texts, rule))),
            ],
        )
    };
    let normal = reg.stages(Importance::Normal);
    for (stage, rule) in &normal {
        lines.push(line(*stage, rule));
    }
    let high: Vec<String> = reg
        .stages(Importance::High)
        .into_iter()
        .filter(|(s, r)| normal.iter().any(|(ns, nr)| ns == s && nr != r))
        .map(|(s, r)| line(s, r))
        .collect();
    if !high.is_empty() {
        lines.push(String::new());
        lines.push(texts.t("settings-high"));
        lines.extend(high);
    }
    lines.push(String::new());
    lines.push(texts.t(match reg.workflow.publisher {
        Publisher::Curator => "settings-publisher-curator",
        Publisher::Executor => "settings-publisher-executor",
    }));
    if reg.workflow.clarification_pauses_clock {
        lines.push(texts.t("settings-pauses"));
    }
    let weekend = match reg.workflow.weekend_rule {
        crate::domain::regulation::WeekendRule::NextWorkingDay => {
            "settings-weekend-next_working_day"
        }
        crate::domain::regulation::WeekendRule::Curator => "settings-weekend-curator",
        crate::domain::regulation::WeekendRule::DutyOfficer => "settings-weekend-duty_officer",
    };
    lines.push(texts.t(weekend));
    if let Some(day) = reg.reports.weekly {
        let n = match day {
            Weekday::Mon => 1,
            Weekday::Tue => 2,
            Weekday::Wed => 3,
            Weekday::Thu => 4,
            Weekday::Fri => 5,
            Weekday::Sat => 6,
            Weekday::Sun => 7,
        };
        lines.push(texts.tf(
            "settings-reports-weekly",
            &[("weekday", Arg::from(&texts.t(&format!("weekday-{n}"))))],
        ));
    }
    if reg.reports.monthly {
        lines.push(texts.t("settings-reports-monthly"));
    }
    lines.join("\n")
}

/// `/duty`: who is on duty on the non-working days of the next two weeks.
pub async fn duty(app: &App, rules: &OrgRules) -> Result<String, StorageError> {
    let texts = &app.texts;
    let today = rules.calendar.local_date(app.now());
    let mut lines = vec![texts.t("duty-title")];
    for offset in 0..14 {
        let Some(date) = today.checked_add_signed(Duration::days(offset)) else {
            continue;
        };
        // Outside the calendar's years, treat the day as unknown and skip it.
        if rules.calendar.is_working_day(date).unwrap_or(true) {
            continue;
        }
        let ids = app.store.on_duty(rules.org.id, date).await?;
        let mut names = Vec::new();
        for id in ids {
            let p = app.store.person(id).await?;
            names.push(match p.phone {
                Some(phone) => format!("{} ({})", escape(&p.full_name), escape(&phone)),
                None => escape(&p.full_name),
            });
        }
        let names = if names.is_empty() {
            texts.t("duty-nobody")
        } else {
            names.join(", ")
        };
        let noon = date.and_hms_opt(12, 0, 0).and_then(|t| {
            use chrono::TimeZone;
            rules.calendar.zone().from_local_datetime(&t).earliest()
        });
        let local = noon
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|| app.now());
        lines.push(texts.tf(
            "duty-line",
            &[
                (
                    "date",
                    Arg::from(&super::render::short_date(texts, rules, local)),
                ),
                ("names", Arg::from(&names)),
            ],
        ));
    }
    if lines.len() == 1 {
        lines.push(texts.t("duty-none"));
    }
    Ok(lines.join("\n"))
}

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::storage::{AbsenceReason, DirectoryChange, NewPerson};

/// Whether a person may change the directory in chat.
fn may_administer(p: &Person) -> bool {
    p.roles.contains(&Role::Administrator) || p.roles.contains(&Role::Curator)
}

/// The one active person whose name contains the text, or the text to answer.
async fn one_person(
    app: &App,
    org: i64,
    query: &str,
) -> Result<Result<Person, String>, StorageError> {
    let texts = &app.texts;
    let found = app.store.find_people(org, query.trim()).await?;
    Ok(match found.as_slice() {
        [] => Err(texts.tf(
            "invite-not-found",
            &[("query", Arg::from(&escape(query.trim())))],
        )),
        [p] => Ok(p.clone()),
        many => {
            let names: Vec<String> = many.iter().map(|p| escape(&p.full_name)).collect();
            Err(texts.tf("invite-many", &[("names", Arg::from(&names.join(", ")))]))
        }
    })
}

/// "24.11–28.11" (years optional) → the first and last day.
fn date_range(text: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let (a, b) = text.trim().split_once(['–', '—', '-'])?;
    let parse = |s: &str, not_before: NaiveDate| -> Option<NaiveDate> {
        let s = s.trim();
        if let Ok(d) = NaiveDate::parse_from_str(s, "%d.%m.%Y") {
            return Some(d);
        }
        let d = NaiveDate::parse_from_str(&format!("{s}.{}", not_before.format("%Y")), "%d.%m.%Y")
            .ok()?;
        if d < not_before {
            NaiveDate::parse_from_str(
                &format!(
                    "{s}.{}",
                    d.format("%Y").to_string().parse::<i32>().ok()? + 1
                ),
                "%d.%m.%Y",
            )
            .ok()
        } else {
            Some(d)
        }
    };
    let from = parse(a, today - Duration::days(180))?;
    let to = parse(b, from)?;
    (to >= from).then_some((from, to))
}

fn role_from_word(word: &str) -> Option<Role> {
    match word.trim().to_lowercase().as_str() {
        "исполнитель" | "executor" => Some(Role::Executor),
        "руководитель отдела" | "руководитель" | "department_head" => {
            Some(Role::DepartmentHead)
        }
        "заместитель" | "deputy" => Some(Role::Deputy),
        "куратор" | "curator" => Some(Role::Curator),
        "глава" | "head" => Some(Role::Head),
        "дежурный" | "duty_officer" => Some(Role::DutyOfficer),
        "администратор" | "administrator" => Some(Role::Administrator),
        _ => None,
    }
}

fn reason_from_word(word: &str) -> Option<AbsenceReason> {
    match word.trim().to_lowercase().as_str() {
        "болезнь" | "больничный" => Some(AbsenceReason::Illness),
        "отпуск" => Some(AbsenceReason::Vacation),
        "командировка" => Some(AbsenceReason::BusinessTrip),
        "учёба" | "учеба" => Some(AbsenceReason::Study),
        _ => None,
    }
}

fn reason_key(r: AbsenceReason) -> &'static str {
    match r {
        AbsenceReason::Illness => "reason-illness",
        AbsenceReason::Vacation => "reason-vacation",
        AbsenceReason::BusinessTrip => "reason-business_trip",
        AbsenceReason::Study => "reason-study",
    }
}

fn local_midnight(rules: &OrgRules, d: NaiveDate) -> Option<DateTime<Utc>> {
    rules
        .calendar
        .zone()
        .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn day_label(texts: &Texts, rules: &OrgRules, d: NaiveDate) -> String {
    local_midnight(rules, d)
        .map(|t| super::render::short_date(texts, rules, t + Duration::hours(12)))
        .unwrap_or_else(|| d.to_string())
}

/// The directory commands (`/away`, `/back`, `/add`, `/move`, `/deactivate`, `/activate`,
/// `/duty_add`); `None` when the command is not one of them.
pub async fn directory_command(
    app: &App,
    rules: &OrgRules,
    by: &Person,
    command: &str,
    args: &str,
) -> Result<Option<String>, StorageError> {
    let texts = &app.texts;
    let known = [
        "/duty_remove",
        "/away",
        "/back",
        "/add",
        "/move",
        "/deactivate",
        "/activate",
        "/duty_add",
        "/admin",
    ];
    if !known.contains(&command) {
        return Ok(None);
    }
    if !may_administer(by) {
        return Ok(Some(texts.t("admin-only")));
    }
    let parts: Vec<&str> = args
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let bad = |example: &str| {
        Ok(Some(texts.tf(
            "admin-bad-format",
            &[("example", Arg::from(example))],
        )))
    };
    let org = by.org_id;
    let now = app.now();
    let today = rules.calendar.local_date(now);
    let name = |p: &Person| escape(&p.full_name);
    macro_rules! person {
        ($q:expr) => {
            match one_person(app, org, $q).await? {
                Ok(p) => p,
                Err(text) => return Ok(Some(text)),
            }
        };
    }
    let answer = match (command, parts.as_slice()) {
        ("/admin", _) => texts.t("admin-help"),
        ("/away", [who, dates, reason, substitute]) => {
            let person = person!(who);
            let substitute = person!(substitute);
            let Some((from, to)) = date_range(dates, today) else {
                return Ok(Some(texts.t("admin-bad-dates")));
            };
            let Some(reason) = reason_from_word(reason) else {
                return Ok(Some(texts.t("admin-bad-reason")));
            };
            let (Some(start), Some(end)) = (
                local_midnight(rules, from),
                to.succ_opt().and_then(|d| local_midnight(rules, d)),
            ) else {
                return Ok(Some(texts.t("admin-bad-dates")));
            };
            let absence = crate::storage::Absence {
                person: person.id,
                substitute: substitute.id,
                from: start,
                until: end,
                reason,
            };
            let outcome = app
                .store
                .change_directory(org, by.id, now, &DirectoryChange::Absence(absence))
                .await?;
            app.outbox_ready.notify_one();
            texts.tf(
                "away-done",
                &[
                    ("substitute", Arg::from(&name(&substitute))),
                    ("person", Arg::from(&name(&person))),
                    ("from", Arg::from(&day_label(texts, rules, from))),
                    ("to", Arg::from(&day_label(texts, rules, to))),
                    ("reason", Arg::from(&texts.t(reason_key(reason)))),
                    ("count", Arg::Num(outcome.handed_over as i64)),
                ],
            )
        }
        ("/away", _) => return bad("/away Петров; 24.11–28.11; отпуск; Иванов"),
        ("/back", [who]) => {
            let person = person!(who);
            app.store
                .change_directory(
                    org,
                    by.id,
                    now,
                    &DirectoryChange::EndAbsence { person: person.id },
                )
                .await?;
            texts.tf("back-done", &[("person", Arg::from(&name(&person)))])
        }
        ("/back", _) => return bad("/back Петров"),
        ("/deactivate" | "/activate", [who]) => {
            let active = command == "/activate";
            // Deactivated people are found too, so they can be switched back on.
            let person = if active {
                match app.store.find_inactive_person(org, who).await? {
                    Some(p) => p,
                    None => person!(who),
                }
            } else {
                person!(who)
            };
            app.store
                .change_directory(
                    org,
                    by.id,
                    now,
                    &DirectoryChange::SetActive {
                        person: person.id,
                        active,
                    },
                )
                .await?;
            texts.tf(
                if active {
                    "activate-done"
                } else {
                    "deactivate-done"
                },
                &[("person", Arg::from(&name(&person)))],
            )
        }
        ("/deactivate", _) => return bad("/deactivate Петров"),
        ("/activate", _) => return bad("/activate Петров"),
        ("/move", [who, department]) => {
            let person = person!(who);
            let departments = app.store.departments(org).await?;
            let Some((dept, dept_name)) = departments
                .iter()
                .find(|(_, n)| n.to_lowercase() == department.to_lowercase())
            else {
                return Ok(Some(texts.tf(
                    "admin-no-department",
                    &[("name", Arg::from(&escape(department)))],
                )));
            };
            app.store
                .change_directory(
                    org,
                    by.id,
                    now,
                    &DirectoryChange::Move {
                        person: person.id,
                        department: *dept,
                    },
                )
                .await?;
            texts.tf(
                "move-done",
                &[
                    ("person", Arg::from(&name(&person))),
                    ("department", Arg::from(&escape(dept_name))),
                ],
            )
        }
        ("/move", _) => return bad("/move Петров; Благоустройство"),
        ("/add", [full_name, role, rest @ ..]) if rest.len() <= 1 => {
            let Some(role) = role_from_word(role) else {
                return Ok(Some(
                    texts.tf("admin-bad-role", &[("role", Arg::from(&escape(role)))]),
                ));
            };
            let department = match rest.first() {
                None => None,
                Some(d) => {
                    let departments = app.store.departments(org).await?;
                    match departments
                        .iter()
                        .find(|(_, n)| n.to_lowercase() == d.to_lowercase())
                    {
                        Some((id, _)) => Some(*id),
                        None => {
                            return Ok(Some(
                                texts.tf("admin-no-department", &[("name", Arg::from(&escape(d)))]),
                            ))
                        }
                    }
                }
            };
            let new = NewPerson {
                full_name: full_name.to_string(),
                roles: vec![role],
                ..NewPerson::default()
            };
            let outcome = app
                .store
                .change_directory(
                    org,
                    by.id,
                    now,
                    &DirectoryChange::AddPerson {
                        person: new,
                        department,
                    },
                )
                .await?;
            let mut text = texts.tf("add-done", &[("person", Arg::from(&escape(full_name)))]);
            if let Some(id) = outcome.person {
                let person = app.store.person(id).await?;
                let code = app
                    .store
                    .create_invite(person.id, now, Duration::days(INVITE_DAYS))
                    .await?;
                let link = format!("https://t.me/{}?start={code}", app.bot_username());
                let days = texts
                    .tf("working-days", &[("n", Arg::Num(INVITE_DAYS))])
                    .replace("рабочих ", "");
                text.push('\n');
                text.push_str(&texts.tf(
                    "invite-link",
                    &[
                        ("name", Arg::from(&name(&person))),
                        ("days", Arg::from(&days)),
                        ("link", Arg::from(&link)),
                    ],
                ));
            }
            text
        }
        ("/add", _) => return bad("/add Новиков Павел Андреевич; исполнитель; Отдел ЖКХ"),
        ("/duty_add", [who, dates]) => {
            let person = person!(who);
            let Some((from, to)) = date_range(dates, today) else {
                return Ok(Some(texts.t("admin-bad-dates")));
            };
            let shift = crate::storage::DutyShift {
                person: person.id,
                from,
                to,
                phone: person.phone.clone(),
            };
            app.store
                .change_directory(org, by.id, now, &DirectoryChange::AddDuty(shift))
                .await?;
            texts.tf(
                "duty-done",
                &[
                    ("person", Arg::from(&name(&person))),
                    ("from", Arg::from(&day_label(texts, rules, from))),
                    ("to", Arg::from(&day_label(texts, rules, to))),
                ],
            )
        }
        ("/duty_remove", [who]) => {
            let person = person!(who);
            let change = DirectoryChange::RemoveDuty {
                person: person.id,
                from: today,
            };
            app.store.change_directory(org, by.id, now, &change).await?;
            texts.tf("duty-removed", &[("person", Arg::from(&name(&person)))])
        }
        ("/duty_remove", _) => return bad("/duty_remove Кузнецов"),
        _ => return bad("/duty_add Кузнецов; 31.12–10.01"),
    };
    Ok(Some(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_ranges() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            date_range("24.11–28.11", today),
            Some((d("2026-11-24"), d("2026-11-28")))
        );
        assert_eq!(
            date_range("31.12-10.01", today),
            Some((d("2026-12-31"), d("2027-01-10")))
        );
        assert_eq!(
            date_range("01.12.2026 — 03.12.2026", today),
            Some((d("2026-12-01"), d("2026-12-03")))
        );
        assert_eq!(date_range("завтра", today), None);
        assert_eq!(date_range("28.11–24.11.2026", today), None);
    }

    #[test]
    fn words() {
        assert_eq!(role_from_word("Исполнитель"), Some(Role::Executor));
        assert_eq!(role_from_word("шеф"), None);
        assert_eq!(reason_from_word("учеба"), Some(AbsenceReason::Study));
    }
}
