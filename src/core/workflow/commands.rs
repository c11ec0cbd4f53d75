//! Commands anyone in the directory can run, and joining by invite: `/start`, `/help`, `/my`,
//! `/settings`, `/duty`, `/new`, `/cancel`, `/invite`. Directory commands are in `admin/directory.rs`.

use chrono::{Duration, Weekday};

use crate::core::cards::{department_duty_lines, short_date};
use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::{Button, Line, View};
use crate::core::workflow::pending::Pending;
use crate::core::{Account, Action, Core, CoreError, Who};
use crate::domain::incident::Role;
use crate::domain::plan::Due;
use crate::domain::regulation::{
    Anchor, Clock, DeadlineRule, ExplanationAuthor, Importance, Publisher, Term, WeekendRule,
};
use crate::storage::{InviteError, Person};
use crate::texts::{Arg, Texts};

/// How long an invite made in chat stays valid.
pub const INVITE_DAYS: i64 = 14;

pub(crate) fn role_key(r: Role) -> &'static str {
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
            ("name", Arg::from(&person.full_name)),
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

/// A term counted from an event, in words («8 ч рабочего времени», «1 рабочий день»).
fn term_words(texts: &Texts, term: Term) -> String {
    match term {
        Term::Within { duration, clock } => texts.tf(
            "term-within",
            &[
                ("duration", Arg::from(&duration_words(texts, duration))),
                ("clock", Arg::from(&texts.t(clock_key(clock)))),
            ],
        ),
        Term::WorkingDays { days } => texts.tf("working-days", &[("n", Arg::Num(i64::from(days)))]),
    }
}

fn clock_key(clock: Clock) -> &'static str {
    match clock {
        Clock::Working => "clock-working",
        Clock::Calendar => "clock-calendar",
        Clock::CalendarSkippingNonWorkingDays => "clock-calendar_skipping_non_working_days",
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
            let clock = texts.t(clock_key(*clock));
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
        DeadlineRule::SameAs { stage } => texts.tf(
            "rule-same-as",
            &[(
                "stage",
                Arg::from(&texts.t(&format!("stage-{}", stage.key()))),
            )],
        ),
    }
}

/// `/settings`: the regulation and calendar in plain Russian.
pub fn settings(texts: &Texts, rules: &OrgRules) -> View {
    let reg = rules.regulation();
    let (first, last) = rules.calendar.covered_years();
    let mut lines = vec![
        Line::Title(texts.tf("settings-title", &[("name", Arg::from(&reg.name))])),
        Line::Text(texts.tf(
            "settings-calendar",
            &[
                ("first", Arg::Num(i64::from(first))),
                ("last", Arg::Num(i64::from(last))),
                ("zone", Arg::from(reg.time_zone.name())),
            ],
        )),
        Line::Blank,
        Line::Text(texts.t("settings-normal")),
    ];
    let line = |stage: crate::domain::regulation::Stage, rule: &DeadlineRule| {
        Line::Text(texts.tf(
            "settings-line",
            &[
                (
                    "stage",
                    Arg::from(&texts.t(&format!("stage-{}", stage.key()))),
                ),
                ("rule", Arg::from(&rule_words(texts, rule))),
            ],
        ))
    };
    let normal = reg.stages(Importance::Normal);
    for (stage, rule) in &normal {
        lines.push(line(*stage, rule));
    }
    let high: Vec<Line> = reg
        .stages(Importance::High)
        .into_iter()
        .filter(|(s, r)| normal.iter().any(|(ns, nr)| ns == s && nr != r))
        .map(|(s, r)| line(s, r))
        .collect();
    if !high.is_empty() {
        lines.push(Line::Blank);
        lines.push(Line::Text(texts.t("settings-high")));
        lines.extend(high);
    }
    if !reg.departures.is_empty() {
        lines.push(Line::Blank);
        lines.push(Line::Text(texts.t("settings-departures")));
        for d in &reg.departures {
            let stage = texts.t(&d.subject.text_key());
            let key = match d.importance {
                Importance::High => "settings-departure-high",
                Importance::Normal => "settings-departure",
            };
            lines.push(Line::Text(texts.tf(
                key,
                &[("stage", Arg::from(&stage)), ("why", Arg::from(&d.why))],
            )));
        }
    }
    lines.push(Line::Blank);
    lines.push(Line::Text(texts.t(match reg.workflow.publisher {
        Publisher::Curator => "settings-publisher-curator",
        Publisher::Executor => "settings-publisher-executor",
    })));
    if reg.workflow.clarification_pauses_clock {
        lines.push(Line::Text(texts.t("settings-pauses")));
    }
    if let Some(term) = reg.workflow.clarification_follow_up {
        lines.push(Line::Text(texts.tf(
            "settings-follow-up",
            &[("term", Arg::from(&term_words(texts, term)))],
        )));
    }
    // Borovichi §5: the curator works the regional centre's hours.
    if let Some(hours) = &reg.curator_schedule {
        let days: Vec<String> = (1..=7u32)
            .filter_map(|n| {
                let day = Weekday::try_from(u8::try_from(n - 1).ok()?).ok()?;
                let windows = hours.windows(day);
                (!windows.is_empty()).then(|| {
                    let spans: Vec<String> = windows.iter().map(ToString::to_string).collect();
                    format!("{} {}", texts.t(&format!("weekday-{n}")), spans.join(", "))
                })
            })
            .collect();
        lines.push(Line::Text(texts.tf(
            "settings-curator-schedule",
            &[("hours", Arg::from(&days.join("; ")))],
        )));
    }
    if reg.workflow.explanations_by == ExplanationAuthor::Department {
        lines.push(Line::Text(texts.t("settings-explanations-department")));
    }
    if reg.workflow.cross_posting {
        lines.push(Line::Text(texts.t("settings-cross-posting")));
    }
    lines.push(Line::Text(texts.t(match reg.workflow.weekend_rule {
        WeekendRule::NextWorkingDay => "settings-weekend-next_working_day",
        WeekendRule::Curator => "settings-weekend-curator",
        WeekendRule::DutyOfficer => "settings-weekend-duty_officer",
    })));
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
        lines.push(Line::Text(texts.tf(
            "settings-reports-weekly",
            &[
                ("weekday", Arg::from(&texts.t(&format!("weekday-{n}")))),
                (
                    "time",
                    Arg::from(&reg.reports.weekly_at.format("%H:%M").to_string()),
                ),
            ],
        )));
    }
    if reg.reports.monthly {
        lines.push(Line::Text(texts.tf(
            "settings-reports-monthly",
            &[(
                "time",
                Arg::from(&reg.reports.monthly_at.format("%H:%M").to_string()),
            )],
        )));
    }
    View {
        lines,
        ..View::default()
    }
}

impl Core {
    /// A command; `None` when the name is not a command (the text is then taken as input).
    pub async fn command(
        &self,
        who: &Who,
        name: &str,
        args: &str,
    ) -> Result<Option<Reply>, CoreError> {
        let say = |text: String| Ok(Some(Reply::say(View::text(text))));
        match name {
            "start" if who.in_private() => {
                let person = self.store.person(who.person()).await?;
                say(welcome(&self.texts, &person))
            }
            "help" => say(self.texts.t("help")),
            "my" if who.in_private() => Ok(Some(self.my_incidents(who).await?)),
            "settings" => {
                let rules = self.org(who.org).await?;
                Ok(Some(Reply::say(settings(&self.texts, &rules))))
            }
            "duty" => Ok(Some(Reply::say(self.duty(who).await?))),
            "report" => Ok(Some(self.report_command(who, args).await?)),
            "find" => Ok(Some(self.find_answers(who, args).await?)),
            "template" => Ok(Some(self.template_command(who, args).await?)),
            "open" | "overdue" => {
                let (rules, actor) = self.actor_of(who).await?;
                let list = if name == "open" {
                    crate::core::action::Overview::Open
                } else {
                    crate::core::action::Overview::Overdue
                };
                Ok(Some(Reply::say(
                    self.overview(&rules, &actor, list, 0).await?,
                )))
            }
            "new" => {
                let (rules, actor) = self.actor_of(who).await?;
                if !actor.has(Role::Curator) {
                    return say(self.texts.t("admin-only"));
                }
                let fresh = Pending::NewIncident {
                    link: None,
                    source: None,
                    author: None,
                    text: None,
                    detected_at: None,
                };
                Ok(Some(self.ask_new_incident(who, &rules, fresh).await?))
            }
            "cancel" => {
                self.clear_pending(who).await?;
                say(self.texts.t("input-cancelled"))
            }
            "invite" => say(self.invite(who, args).await?),
            "away" | "back" | "add" | "move" | "deactivate" | "activate" | "duty_add"
            | "duty_remove" | "admin" => Ok(Some(self.directory_command(who, name, args).await?)),
            _ => Ok(None),
        }
    }

    /// `/my`: the person's open incidents (and those they substitute for), most urgent first.
    async fn my_incidents(&self, who: &Who) -> Result<Reply, CoreError> {
        let (rules, actor) = self.actor_of(who).await?;
        let mut executors = vec![who.person()];
        executors.extend(actor.substitutes_for.iter().copied());
        let items = self.store.open_assignments(&executors).await?;
        if items.is_empty() {
            return Ok(Reply::say(View::text(self.texts.t("my-empty"))));
        }
        let mut lines = vec![Line::Text(
            self.texts.tf(
                "my-header",
                &[(
                    "count",
                    Arg::from(
                        &self
                            .texts
                            .tf("incidents-count", &[("n", Arg::Num(items.len() as i64))]),
                    ),
                )],
            ),
        )];
        let mut rows = Vec::new();
        let draw = self.draw(&rules, &[], None);
        for item in items {
            let Some(record) = self.incident_of(who.org(), item.incident).await? else {
                continue;
            };
            let Some(p) = record.workflow.parts.get(item.part) else {
                continue;
            };
            let due = match p.current_deadline(rules.regulation()) {
                Some((_, Due::At { at, .. })) => self.texts.tf(
                    "my-due",
                    &[
                        (
                            "time",
                            Arg::from(&crate::core::cards::clock_time(&rules, at)),
                        ),
                        ("date", Arg::from(&short_date(&self.texts, &rules, at))),
                    ],
                ),
                _ => String::new(),
            };
            lines.push(Line::Text(self.texts.tf(
                "my-item",
                &[
                    ("number", Arg::Num(record.number)),
                    ("status", Arg::from(&draw.part_status(p))),
                    ("due", Arg::from(&due)),
                ],
            )));
            rows.push(vec![Button {
                label: format!("№{}", record.number),
                action: Action::ShowAll { inc: record.id },
            }]);
        }
        Ok(Reply::say(View {
            lines,
            buttons: rows,
            ..View::default()
        }))
    }

    /// `/duty`: who is on duty today and on each day of the coming week, with their phones;
    /// days off with nobody on duty stand out.
    async fn duty(&self, who: &Who) -> Result<View, CoreError> {
        let rules = self.org(who.org).await?;
        let texts = &self.texts;
        let today = rules.calendar.local_date(self.now());
        let mut lines = vec![Line::Title(texts.t("duty-title"))];
        for offset in 0..=7 {
            let Some(date) = today.checked_add_signed(Duration::days(offset)) else {
                continue;
            };
            // Outside the calendar's years the day is unknown: it is skipped.
            let Ok(working) = rules.calendar.is_working_day(date) else {
                continue;
            };
            let ids = self.store.on_duty(rules.org.id, date).await?;
            let names: Vec<String> = ids
                .iter()
                .filter_map(|id| rules.person(*id))
                .map(|p| match &p.phone {
                    Some(phone) => format!("{} ({phone})", p.full_name),
                    None => p.full_name.clone(),
                })
                .collect();
            let noon = date.and_hms_opt(12, 0, 0).and_then(|t| {
                use chrono::TimeZone;
                rules.calendar.zone().from_local_datetime(&t).earliest()
            });
            let at = noon
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_else(|| self.now());
            let date = short_date(texts, &rules, at);
            let line = match (working, names.is_empty()) {
                (true, true) => texts.tf("duty-line-working", &[("date", Arg::from(&date))]),
                (false, true) => texts.tf("duty-line-nobody", &[("date", Arg::from(&date))]),
                (_, false) => texts.tf(
                    "duty-line",
                    &[
                        ("date", Arg::from(&date)),
                        ("names", Arg::from(&names.join(", "))),
                    ],
                ),
            };
            lines.push(Line::Text(line));
        }
        // Sakhalin 3.9: each department's people on call for official comments.
        let on_call = department_duty_lines(
            &rules,
            &self.store.department_duty(rules.org.id, today).await?,
        );
        if !on_call.is_empty() {
            lines.push(Line::Blank);
            lines.push(Line::Text(texts.t("duty-departments")));
            lines.extend(on_call.into_iter().map(Line::Text));
        }
        Ok(View {
            lines,
            ..View::default()
        })
    }

    /// `/invite NAME`: an invite link for a colleague (administrators and curators).
    async fn invite(&self, who: &Who, query: &str) -> Result<String, CoreError> {
        let texts = &self.texts;
        let (_, actor) = self.actor_of(who).await?;
        if !(actor.has(Role::Administrator) || actor.has(Role::Curator)) {
            return Ok(texts.t("admin-only"));
        }
        let query = query.trim();
        if query.is_empty() {
            return Ok(texts.t("invite-usage"));
        }
        let found = self.store.find_people(who.org(), query).await?;
        Ok(match found.as_slice() {
            [] => texts.tf("invite-not-found", &[("query", Arg::from(query))]),
            [person] => self.invite_text(who, person).await?,
            many => {
                let names: Vec<String> = many.iter().map(|p| p.full_name.clone()).collect();
                texts.tf("invite-many", &[("names", Arg::from(&names.join(", ")))])
            }
        })
    }

    /// A fresh invite for a person, as the text to pass on.
    pub(crate) async fn invite_text(
        &self,
        who: &Who,
        person: &Person,
    ) -> Result<String, CoreError> {
        let code = self
            .store
            .create_invite(person.id, self.now(), Duration::days(INVITE_DAYS))
            .await?;
        let link = self.invite_link(who.chat().messenger, &code);
        let days = self.texts.tf("days", &[("n", Arg::Num(INVITE_DAYS))]);
        Ok(self.texts.tf(
            "invite-link",
            &[
                ("name", Arg::from(&person.full_name)),
                ("days", Arg::from(&days)),
                ("link", Arg::from(&link)),
            ],
        ))
    }

    /// `/start CODE` from a messenger account: binds it to the invited person.
    pub async fn redeem_invite(&self, account: Account, code: &str) -> Result<Reply, CoreError> {
        let texts = &self.texts;
        let text = match self
            .store
            .redeem_invite(code.trim(), account.messenger, account.id, self.now())
            .await?
        {
            Ok(person) => welcome(texts, &person),
            Err(InviteError::Unknown) => texts.t("invite-unknown"),
            Err(InviteError::Expired) => texts.t("invite-expired"),
            Err(InviteError::Used) => texts.t("invite-used"),
            Err(InviteError::AccountTaken) => texts.t("invite-taken"),
        };
        Ok(Reply::say(View::text(text)))
    }

    /// What a stranger who writes to the bot in private is told: how to get access, at most
    /// once every few minutes (a flood gets nothing more).
    pub fn stranger_reply(&self, account: Account) -> Reply {
        if self.strangers.answer_now(account, self.now()) {
            Reply::say(View::text(self.texts.t("start-unknown")))
        } else {
            Reply::nothing()
        }
    }

    /// What a stranger who presses a button is told.
    pub fn stranger_toast(&self) -> Reply {
        Reply::alert(self.texts.t("err-unknown-user"))
    }

    /// The answer to a button whose payload cannot be read (an old or forged button).
    pub fn unreadable_button(&self) -> Reply {
        Reply::alert(self.texts.t("err-wrong-state"))
    }

    /// The answer to a press when something failed inside (the adapter logs the error).
    pub fn internal_error_toast(&self) -> Reply {
        Reply::alert(self.texts.t("err-internal"))
    }

    /// The answer to a message when something failed inside (the adapter logs the error).
    pub fn internal_error_message(&self) -> Reply {
        Reply::say(View::text(self.texts.t("err-internal")))
    }
}
