//! Directory changes in chat, for administrators and curators: `/away`, `/back`, `/add`,
//! `/move`, `/deactivate`, `/activate`, `/duty_add`, `/duty_remove`, `/admin`. Each is one
//! transaction with its audit record; an absence that has started hands the person's open
//! incidents to the substitute at once.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::core::cards::short_date;
use crate::core::notices::Notice;
use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::View;
use crate::core::{Core, CoreError, Who};
use crate::domain::incident::Role;
use crate::storage::{
    Absence, AbsenceReason, Department, DirectoryChange, DutyShift, NewPerson, OutboxRow, Person,
    Recipient,
};
use crate::texts::{Arg, Texts};

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

/// The reason of `/away`: one of the words, or «иное: …» with the reason in words (Krymsk §5).
fn reason_from_word(word: &str) -> Option<AbsenceReason> {
    let word = word.trim();
    if let Some((head, why)) = word.split_once(':') {
        let other =
            ["иное", "другое", "иная причина"].contains(&head.trim().to_lowercase().as_str());
        let why = crate::domain::content::storable(why.trim());
        return (other && !why.is_empty()).then_some(AbsenceReason::Other(why));
    }
    let lower = word.to_lowercase();
    match lower.as_str() {
        "болезнь" | "больничный" => Some(AbsenceReason::Illness),
        "отпуск" => Some(AbsenceReason::Vacation),
        "командировка" => Some(AbsenceReason::BusinessTrip),
        "учёба" | "учеба" => Some(AbsenceReason::Study),
        _ => None,
    }
}

fn reason_words(texts: &Texts, r: &AbsenceReason) -> String {
    match r {
        AbsenceReason::Illness => texts.t("reason-illness"),
        AbsenceReason::Vacation => texts.t("reason-vacation"),
        AbsenceReason::BusinessTrip => texts.t("reason-business_trip"),
        AbsenceReason::Study => texts.t("reason-study"),
        AbsenceReason::Other(why) => why.clone(),
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
        .map(|t| short_date(texts, rules, t + Duration::hours(12)))
        .unwrap_or_else(|| d.to_string())
}

impl Core {
    /// The one active person whose name contains the text, or what to answer.
    async fn one_person(
        &self,
        who: &Who,
        query: &str,
    ) -> Result<Result<Person, String>, CoreError> {
        let texts = &self.texts;
        let found = self.store.find_people(who.org(), query.trim()).await?;
        Ok(match found.as_slice() {
            [] => Err(texts.tf("invite-not-found", &[("query", Arg::from(query.trim()))])),
            [p] => Ok(p.clone()),
            many => {
                let names: Vec<String> = many.iter().map(|p| p.full_name.clone()).collect();
                Err(texts.tf("invite-many", &[("names", Arg::from(&names.join(", ")))]))
            }
        })
    }

    /// A directory command by an administrator or curator.
    pub(crate) async fn directory_command(
        &self,
        who: &Who,
        command: &str,
        args: &str,
    ) -> Result<Reply, CoreError> {
        let say = |text: String| Ok(Reply::say(View::text(text)));
        let texts = &self.texts;
        let (rules, actor) = self.actor_of(who).await?;
        if !(actor.has(Role::Administrator) || actor.has(Role::Curator)) {
            return say(texts.t("admin-only"));
        }
        let parts: Vec<&str> = args
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let bad =
            |example: &str| say(texts.tf("admin-bad-format", &[("example", Arg::from(example))]));
        let org = who.org();
        let now = self.now();
        let today = rules.calendar.local_date(now);
        macro_rules! person {
            ($q:expr) => {
                match self.one_person(who, $q).await? {
                    Ok(p) => p,
                    Err(text) => return say(text),
                }
            };
        }
        let answer = match (command, parts.as_slice()) {
            ("admin", _) => texts.t("admin-help"),
            ("away", [name, dates, reason, substitute]) => {
                return self
                    .start_absence(who, &rules, name, dates, reason, substitute)
                    .await;
            }
            ("away", _) => return bad("/away Петров; 24.11–28.11; отпуск; Иванов"),
            ("back", [name]) => {
                let person = person!(name);
                self.change_directory(
                    who,
                    DirectoryChange::EndAbsence { person: person.id },
                    Vec::new(),
                )
                .await?;
                texts.tf("back-done", &[("person", Arg::from(&person.full_name))])
            }
            ("back", _) => return bad("/back Петров"),
            ("deactivate" | "activate", [name]) => {
                let active = command == "activate";
                // Deactivated people are found too, so they can be switched back on.
                let person = if active {
                    match self.store.find_inactive_person(org, name).await? {
                        Some(p) => p,
                        None => person!(name),
                    }
                } else {
                    person!(name)
                };
                self.change_directory(
                    who,
                    DirectoryChange::SetActive {
                        person: person.id,
                        active,
                    },
                    Vec::new(),
                )
                .await?;
                texts.tf(
                    if active {
                        "activate-done"
                    } else {
                        "deactivate-done"
                    },
                    &[("person", Arg::from(&person.full_name))],
                )
            }
            ("deactivate", _) => return bad("/deactivate Петров"),
            ("activate", _) => return bad("/activate Петров"),
            ("move", [name, department]) => {
                let person = person!(name);
                let dept = match self.department_named(rules.as_ref(), department) {
                    Ok(dept) => dept,
                    Err(text) => return say(text),
                };
                let (id, dept_name) = (dept.id, dept.name.clone());
                self.change_directory(
                    who,
                    DirectoryChange::Move {
                        person: person.id,
                        department: id,
                    },
                    Vec::new(),
                )
                .await?;
                texts.tf(
                    "move-done",
                    &[
                        ("person", Arg::from(&person.full_name)),
                        ("department", Arg::from(&dept_name)),
                    ],
                )
            }
            ("move", _) => return bad("/move Петров; Благоустройство"),
            ("add", [full_name, role, rest @ ..]) if rest.len() <= 1 => {
                return self
                    .add_person(who, &rules, full_name, role, rest.first().copied())
                    .await;
            }
            ("add", _) => return bad("/add Новиков Павел Андреевич; исполнитель; Отдел ЖКХ"),
            ("duty_add", [name, dates, rest @ ..]) if rest.len() <= 1 => {
                return self
                    .add_duty(who, &rules, name, dates, rest.first().copied())
                    .await;
            }
            ("duty_add", _) => return bad("/duty_add Кузнецов; 31.12–10.01[; Отдел ЖКХ]"),
            ("duty_remove", [name]) => {
                let person = person!(name);
                let c = DirectoryChange::RemoveDuty {
                    person: person.id,
                    from: today,
                };
                self.change_directory(who, c, Vec::new()).await?;
                texts.tf("duty-removed", &[("person", Arg::from(&person.full_name))])
            }
            ("duty_remove", _) => return bad("/duty_remove Кузнецов"),
            _ => texts.t("admin-help"),
        };
        say(answer)
    }

    /// `/away Петров; 24.11–28.11; отпуск; Иванов`: an absence with its substitute; one that has
    /// started hands the person's open incidents over at once.
    async fn start_absence(
        &self,
        who: &Who,
        rules: &OrgRules,
        name: &str,
        dates: &str,
        reason: &str,
        substitute: &str,
    ) -> Result<Reply, CoreError> {
        let say = |text: String| Ok(Reply::say(View::text(text)));
        let texts = &self.texts;
        let now = self.now();
        let today = rules.calendar.local_date(now);
        let answer = {
            let person = match self.one_person(who, name).await? {
                Ok(p) => p,
                Err(text) => return say(text),
            };
            let substitute = match self.one_person(who, substitute).await? {
                Ok(p) => p,
                Err(text) => return say(text),
            };
            let Some((from, to)) = date_range(dates, today) else {
                return say(texts.t("admin-bad-dates"));
            };
            let Some(reason) = reason_from_word(reason) else {
                return say(texts.t("admin-bad-reason"));
            };
            let (Some(start), Some(end)) = (
                local_midnight(rules, from),
                to.succ_opt().and_then(|d| local_midnight(rules, d)),
            ) else {
                return say(texts.t("admin-bad-dates"));
            };
            if person.id == substitute.id {
                return say(texts.t("admin-self-substitute"));
            }
            // An absence that has started hands the open incidents over now.
            let mut rows = Vec::new();
            if start <= now && now < end {
                for open in self.store.open_assignments(&[person.id]).await? {
                    let notice = Notice::IncidentCard { part: open.part };
                    rows.push(OutboxRow {
                        incident: Some(open.incident),
                        recipient: Recipient::Person(substitute.id),
                        kind: notice.kind().to_string(),
                        payload: notice.to_json(),
                        lane: notice.lane().number(),
                        key: format!(
                            "handover:{}:{}:{}:{}",
                            person.id,
                            substitute.id,
                            start.timestamp(),
                            open.part
                        ),
                    });
                }
            }
            let handed_over = rows.len();
            let reason_text = reason_words(texts, &reason);
            let absence = Absence {
                person: person.id,
                substitute: substitute.id,
                from: start,
                until: end,
                reason,
            };
            self.change_directory(who, DirectoryChange::Absence(absence), rows)
                .await?;
            texts.tf(
                "away-done",
                &[
                    ("substitute", Arg::from(&substitute.full_name)),
                    ("person", Arg::from(&person.full_name)),
                    ("from", Arg::from(&day_label(texts, rules, from))),
                    ("to", Arg::from(&day_label(texts, rules, to))),
                    ("reason", Arg::from(&reason_text)),
                    ("count", Arg::Num(handed_over as i64)),
                ],
            )
        };
        say(answer)
    }

    /// `/duty_add Кузнецов; 31.12–10.01[; Отдел ЖКХ]`: a duty shift, for a department where one is
    /// named (Sakhalin 3.9).
    async fn add_duty(
        &self,
        who: &Who,
        rules: &OrgRules,
        name: &str,
        dates: &str,
        department: Option<&str>,
    ) -> Result<Reply, CoreError> {
        let say = |text: String| Ok(Reply::say(View::text(text)));
        let texts = &self.texts;
        let now = self.now();
        let today = rules.calendar.local_date(now);
        let answer = {
            let person = match self.one_person(who, name).await? {
                Ok(p) => p,
                Err(text) => return say(text),
            };
            let Some((from, to)) = date_range(dates, today) else {
                return say(texts.t("admin-bad-dates"));
            };
            // Sakhalin 3.9: a department's person on call for official comments.
            let department = match department.map(|d| self.department_named(rules, d)) {
                None => None,
                Some(Ok(dept)) => Some(dept),
                Some(Err(text)) => return say(text),
            };
            let shift = DutyShift {
                person: person.id,
                from,
                to,
                phone: person.phone.clone(),
                department: department.map(|d| d.id),
            };
            self.change_directory(who, DirectoryChange::AddDuty(shift), Vec::new())
                .await?;
            let (from, to) = (day_label(texts, rules, from), day_label(texts, rules, to));
            let mut args = vec![
                ("person", Arg::from(&person.full_name)),
                ("from", Arg::from(&from)),
                ("to", Arg::from(&to)),
            ];
            let key = match department {
                None => "duty-done",
                Some(d) => {
                    args.push(("department", Arg::from(&d.name)));
                    "duty-done-department"
                }
            };
            texts.tf(key, &args)
        };
        say(answer)
    }

    /// `/add Новиков Павел Андреевич; исполнитель; Отдел ЖКХ`: a new person, with their invite.
    async fn add_person(
        &self,
        who: &Who,
        rules: &OrgRules,
        full_name: &str,
        role: &str,
        department: Option<&str>,
    ) -> Result<Reply, CoreError> {
        let say = |text: String| Ok(Reply::say(View::text(text)));
        let texts = &self.texts;
        let answer = {
            let Some(role) = role_from_word(role) else {
                return say(texts.tf("admin-bad-role", &[("role", Arg::from(role))]));
            };
            let department = match department.map(|d| self.department_named(rules, d)) {
                None => None,
                Some(Ok(dept)) => Some(dept.id),
                Some(Err(text)) => return say(text),
            };
            let new = NewPerson {
                full_name: full_name.to_string(),
                roles: vec![role],
                ..NewPerson::default()
            };
            let outcome = self
                .change_directory(
                    who,
                    DirectoryChange::AddPerson {
                        person: new,
                        department,
                    },
                    Vec::new(),
                )
                .await?;
            let mut text = texts.tf("add-done", &[("person", Arg::from(full_name))]);
            if let Some(id) = outcome.person {
                let person = self.store.person(id).await?;
                text.push('\n');
                text.push_str(&self.invite_text(who, &person).await?);
            }
            text
        };
        say(answer)
    }

    /// The active department a command names, or what to tell the person when there is none.
    fn department_named<'r>(
        &self,
        rules: &'r OrgRules,
        name: &str,
    ) -> Result<&'r Department, String> {
        rules.department_named(name).ok_or_else(|| {
            self.texts
                .tf("admin-no-department", &[("name", Arg::from(name))])
        })
    }

    /// A directory change by the person in `who`, in one transaction with its audit record and
    /// the rows it sends (the delivery worker is woken for them).
    pub(crate) async fn change_directory(
        &self,
        who: &Who,
        change: DirectoryChange,
        rows: Vec<OutboxRow>,
    ) -> Result<crate::storage::ChangeOutcome, CoreError> {
        let outcome = self
            .store
            .change_directory(who.org(), who.person(), self.now(), &change, &rows)
            .await?;
        self.wake_delivery();
        Ok(outcome)
    }
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

    #[test]
    fn krymsk_5_absence_for_other_reasons_in_words() {
        assert_eq!(
            reason_from_word("Иное: курсы ГО"),
            Some(AbsenceReason::Other("курсы ГО".into()))
        );
        assert_eq!(reason_from_word("иное:  "), None);
        assert_eq!(reason_from_word("каникулы: лето"), None);
    }
}
