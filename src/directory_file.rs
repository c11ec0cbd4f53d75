//! The organisation file an administrator imports and exports (`otklik import` / `export`):
//! the organisation, its regulation, departments, people, topics and duty roster, in TOML.
//!
//! Validation reports every problem with its line and field; a file with any problem is refused
//! whole.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::content::{Messenger, Proof};
use crate::domain::incident::Role;
use crate::domain::problems::Problems;
use crate::domain::regulation::{Regulation, PRESETS};
use crate::domain::templates::{NAME_LIMIT, TEXT_LIMIT};

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryFile {
    pub organisation: OrganisationEntry,
    #[serde(default, rename = "departments")]
    pub departments: Vec<DepartmentEntry>,
    #[serde(default)]
    pub people: Vec<PersonEntry>,
    #[serde(default)]
    pub topics: Vec<TopicEntry>,
    #[serde(default)]
    pub duty: Vec<DutyEntry>,
    /// Model answers; an import adds them or replaces those of the same name (templates the
    /// curators added with `/template` stay).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<TemplateEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationEntry {
    pub name: String,
    /// A preset name (vorsino, borovichi, krymsk, yuzhno-sakhalinsk, barnaul-leninsky) or the path
    /// of a profile file, relative to this file.
    pub regulation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curator_chat_id: Option<i64>,
    /// The messenger the curators' chat is in (`telegram` unless said).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curator_chat_messenger: Option<Messenger>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_chat_id: Option<i64>,
    /// The messenger the head's chat is in (`telegram` unless said).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_chat_messenger: Option<Messenger>,
    /// The discussion group of the organisation's Telegram channel: its comments become
    /// incidents and approved answers are posted as replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discussion_chat_id: Option<i64>,
    /// The channel's username, for links to comments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Overrides the profile's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Days off and working days of this organisation on top of the production calendar.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "dates")]
    pub extra_days_off: Vec<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "dates")]
    pub extra_working_days: Vec<NaiveDate>,
    /// Where Otklik tells the monitoring system what became of the incidents it sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<MonitoringLink>,
    /// Where messages converted to 59-FZ appeals are e-mailed (Vorsino 2.9, Sakhalin 3.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeals: Option<AppealsOffice>,
    /// People (by name, from `[[people]]`) who learn of significant messages with the head, at
    /// once (Barnaul §12: the deputy head and the chief of staff).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub significant_to: Vec<String>,
}

/// The office that registers citizens' appeals, and the mail server to reach it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppealsOffice {
    /// The office's address (admvorsino@yandex.ru, priem@yuzhno-sakh.ru).
    pub office: String,
    /// The sender's address.
    pub from: String,
    /// `smtp://host:port` (STARTTLS when `?tls=required`) or `smtps://user:password@host:465`.
    pub smtp: String,
}

/// The mail server's password stays out of logs.
impl std::fmt::Debug for AppealsOffice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppealsOffice")
            .field("office", &self.office)
            .field("from", &self.from)
            .field("smtp", &"…")
            .finish()
    }
}

/// A plausible e-mail address: something@domain.
fn is_email(s: &str) -> bool {
    s.trim()
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.contains('@'))
}

impl OrganisationEntry {
    /// An organisation with a name and a regulation and nothing else set.
    pub fn bare(name: &str, regulation: &str) -> Self {
        OrganisationEntry {
            name: name.to_string(),
            regulation: regulation.to_string(),
            curator_chat_id: None,
            curator_chat_messenger: None,
            head_chat_id: None,
            head_chat_messenger: None,
            discussion_chat_id: None,
            channel: None,
            time_zone: None,
            extra_days_off: Vec::new(),
            extra_working_days: Vec::new(),
            monitoring: None,
            appeals: None,
            significant_to: Vec::new(),
        }
    }
}

/// The monitoring system's webhook: answers, returns and refusals are posted there, signed with
/// HMAC-SHA256 over the body with the secret (Barnaul §4–§9, Sakhalin 3.2–3.3, Krymsk §7).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringLink {
    pub url: String,
    pub secret: String,
}

/// The secret stays out of logs.
impl std::fmt::Debug for MonitoringLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonitoringLink")
            .field("url", &self.url)
            .field("secret", &"…")
            .finish()
    }
}

/// The shortest secret accepted: HMAC keys shorter than this are guessable.
const MONITORING_SECRET_MIN: usize = 16;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentEntry {
    pub name: String,
    /// The name of the department head (a person of this file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// The deputy who supervises the department and agrees its answers (Barnaul §5); without
    /// one, any deputy does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervising_deputy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonEntry {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telegram_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telegram_username: Option<String>,
    /// The person's MAX user id, when known (otherwise an invite binds it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_id: Option<i64>,
    /// The messenger their notices go to when they are in both (`telegram` or `max`); unless
    /// said, Telegram.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messenger: Option<Messenger>,
    pub roles: Vec<Role>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicEntry {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// `proof = "photo"`: an answer on this topic shows the work done in a photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<Proof>,
}

/// A model answer: fields to fill in are written in square brackets («[дата]»).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateEntry {
    pub name: String,
    /// The topic (from `[[topics]]`) it is for; without it, any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyEntry {
    pub person: String,
    #[serde(with = "date")]
    pub from: NaiveDate,
    #[serde(with = "date")]
    pub to: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The department the person is on call for, for official comments (Sakhalin 3.9); without
    /// it, the organisation's duty officer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

/// A file that cannot be imported, with every problem.
#[derive(Debug, thiserror::Error)]
#[error("the organisation file cannot be imported:\n{0}")]
pub struct DirectoryFileError(pub Problems);

/// A validated file with its regulation profile text resolved.
#[derive(Debug, Clone)]
pub struct ValidDirectory {
    pub file: DirectoryFile,
    pub regulation_toml: String,
    /// What imports but will not work as the regulation expects (English, for the CLI's output
    /// and the log).
    pub warnings: Vec<String>,
}

/// The 1-based line of the n-th `[[section]]` header, for messages.
fn entry_line(text: &str, section: &str, index: usize) -> Option<usize> {
    let header = format!("[[{section}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .nth(index)
        .map(|(i, _)| i + 1)
}

impl DirectoryFile {
    /// Parses and validates a file; `base` resolves a regulation profile path.
    pub fn parse(text: &str, base: Option<&Path>) -> Result<ValidDirectory, DirectoryFileError> {
        let mut problems = Problems::default();
        let file: DirectoryFile = toml::from_str(text).map_err(|e| {
            let mut p = Problems::default();
            p.push("", e.to_string().trim().replace('\n', "\n  "));
            DirectoryFileError(p)
        })?;
        let at = |section: &str, i: usize, field: &str| match entry_line(text, section, i) {
            Some(line) => format!("line {line}: {section}[{i}].{field}"),
            None => format!("{section}[{i}].{field}"),
        };

        // The regulation: a preset or a profile file, then the organisation's overrides.
        let regulation_toml = regulation_text(&file.organisation, base, &mut problems);
        let mut warnings = Vec::new();
        if let Some(t) = &regulation_toml {
            match Regulation::from_toml(t) {
                Err(e) => problems.push("organisation.regulation", e.to_string()),
                // Barnaul §5 ¶1: a department without a head can never confirm its competence.
                Ok(reg) if reg.workflow.competence_check => {
                    for (i, d) in file.departments.iter().enumerate() {
                        if d.head.as_deref().is_none_or(|h| h.trim().is_empty()) {
                            warnings.push(format!(
                                "{}: not set: under this regulation the department head confirms \
                                 competence (workflow.competence_check); incidents routed to {:?} \
                                 would wait for nobody",
                                at("departments", i, "head"),
                                d.name
                            ));
                        }
                    }
                }
                Ok(_) => {}
            }
        }
        if file.organisation.name.trim().is_empty() {
            problems.push("organisation.name", "must not be empty".into());
        }
        check_connections(&file.organisation, &mut problems);

        let mut department_names = BTreeSet::new();
        for (i, d) in file.departments.iter().enumerate() {
            if d.name.trim().is_empty() {
                problems.push(&at("departments", i, "name"), "must not be empty".into());
            } else if !department_names.insert(d.name.trim().to_string()) {
                problems.push(
                    &at("departments", i, "name"),
                    format!("{:?} is listed twice", d.name),
                );
            }
        }
        let mut person_names = BTreeSet::new();
        let mut telegram_ids = BTreeSet::new();
        let mut max_ids = BTreeSet::new();
        for (i, p) in file.people.iter().enumerate() {
            if p.name.trim().is_empty() {
                problems.push(&at("people", i, "name"), "must not be empty".into());
            } else if !person_names.insert(p.name.trim().to_string()) {
                problems.push(
                    &at("people", i, "name"),
                    format!("{:?} is listed twice (names identify people)", p.name),
                );
            }
            if p.roles.is_empty() {
                problems.push(&at("people", i, "roles"), "give at least one role".into());
            }
            if p.roles.contains(&Role::System) {
                problems.push(
                    &at("people", i, "roles"),
                    "\"system\" is not a role for people".into(),
                );
            }
            if let Some(id) = p.telegram_id {
                if id <= 0 {
                    problems.push(
                        &at("people", i, "telegram_id"),
                        "a Telegram user id is a positive number".into(),
                    );
                } else if !telegram_ids.insert(id) {
                    problems.push(
                        &at("people", i, "telegram_id"),
                        format!("{id} belongs to two people"),
                    );
                }
            }
            if let Some(id) = p.max_id {
                if id <= 0 {
                    problems.push(
                        &at("people", i, "max_id"),
                        "a MAX user id is a positive number".into(),
                    );
                } else if !max_ids.insert(id) {
                    problems.push(
                        &at("people", i, "max_id"),
                        format!("{id} belongs to two people"),
                    );
                }
            }
            if let Some(u) = &p.telegram_username {
                let u = u.trim_start_matches('@');
                if u.len() < 4 || !u.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    problems.push(
                        &at("people", i, "telegram_username"),
                        format!("{u:?} is not a Telegram username"),
                    );
                }
            }
            for d in &p.departments {
                if !department_names.contains(d.trim()) {
                    problems.push(
                        &at("people", i, "departments"),
                        format!("no department {d:?} in [[departments]]"),
                    );
                }
            }
        }
        for name in &file.organisation.significant_to {
            if !person_names.contains(name.trim()) {
                problems.push(
                    "organisation.significant_to",
                    format!("no person {name:?} in [[people]]"),
                );
            }
        }
        for (i, d) in file.departments.iter().enumerate() {
            if let Some(h) = &d.head {
                if !person_names.contains(h.trim()) {
                    problems.push(
                        &at("departments", i, "head"),
                        format!("no person {h:?} in [[people]]"),
                    );
                }
            }
            if let Some(name) = &d.supervising_deputy {
                let deputy = file
                    .people
                    .iter()
                    .find(|p| p.name.trim() == name.trim())
                    .map(|p| p.roles.contains(&Role::Deputy));
                match deputy {
                    None => problems.push(
                        &at("departments", i, "supervising_deputy"),
                        format!("no person {name:?} in [[people]]"),
                    ),
                    Some(false) => problems.push(
                        &at("departments", i, "supervising_deputy"),
                        format!("{name:?} does not have the deputy role"),
                    ),
                    Some(true) => {}
                }
            }
        }
        let mut topic_names = BTreeSet::new();
        for (i, t) in file.topics.iter().enumerate() {
            if !topic_names.insert(t.name.trim().to_string()) || t.name.trim().is_empty() {
                problems.push(
                    &at("topics", i, "name"),
                    format!("{:?} is empty or listed twice", t.name),
                );
            }
            if let Some(d) = &t.department {
                if !department_names.contains(d.trim()) {
                    problems.push(
                        &at("topics", i, "department"),
                        format!("no department {d:?} in [[departments]]"),
                    );
                }
            }
        }
        let mut template_names = BTreeSet::new();
        for (i, t) in file.templates.iter().enumerate() {
            if !template_names.insert(t.name.trim().to_string()) || t.name.trim().is_empty() {
                problems.push(
                    &at("templates", i, "name"),
                    format!("{:?} is empty or listed twice", t.name),
                );
            }
            if let Some(topic) = &t.topic {
                if !topic_names.contains(topic.trim()) {
                    problems.push(
                        &at("templates", i, "topic"),
                        format!("no topic {topic:?} in [[topics]]"),
                    );
                }
            }
            if t.name.trim().chars().count() > NAME_LIMIT {
                problems.push(
                    &at("templates", i, "name"),
                    format!("longer than {NAME_LIMIT} characters"),
                );
            }
            if t.text.trim().is_empty() {
                problems.push(&at("templates", i, "text"), "the text is empty".to_string());
            } else if t.text.trim().chars().count() > TEXT_LIMIT {
                problems.push(
                    &at("templates", i, "text"),
                    format!("longer than {TEXT_LIMIT} characters"),
                );
            }
        }
        for (i, d) in file.duty.iter().enumerate() {
            if !person_names.contains(d.person.trim()) {
                problems.push(
                    &at("duty", i, "person"),
                    format!("no person {:?} in [[people]]", d.person),
                );
            }
            if let Some(dep) = &d.department {
                if !department_names.contains(dep.trim()) {
                    problems.push(
                        &at("duty", i, "department"),
                        format!("no department {dep:?} in [[departments]]"),
                    );
                }
            }
            if d.to < d.from {
                problems.push(
                    &at("duty", i, "to"),
                    format!("{} is before {}", d.to, d.from),
                );
            }
        }
        match (problems.is_empty(), regulation_toml) {
            (true, Some(regulation_toml)) => Ok(ValidDirectory {
                file,
                regulation_toml,
                warnings,
            }),
            _ => Err(DirectoryFileError(problems)),
        }
    }

    /// The file as TOML.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string_pretty(self)
    }
}

/// The organisation's regulation profile as text: a preset or a file beside the organisation
/// file, with the organisation's overrides applied.
fn regulation_text(
    organisation: &OrganisationEntry,
    base: Option<&Path>,
    problems: &mut Problems,
) -> Option<String> {
    let regulation_toml = match PRESETS.iter().find(|(n, _)| *n == organisation.regulation) {
        Some((_, t)) => Some(t.to_string()),
        None => {
            let path = base
                .unwrap_or(Path::new("."))
                .join(&organisation.regulation);
            match std::fs::read_to_string(&path) {
                Ok(t) => Some(t),
                Err(e) => {
                    problems.push(
                        "organisation.regulation",
                        format!(
                            "{:?} is neither a preset ({}) nor a readable file ({}: {e})",
                            organisation.regulation,
                            PRESETS.map(|(n, _)| n).join(", "),
                            path.display()
                        ),
                    );
                    None
                }
            }
        }
    };
    regulation_toml.and_then(|t| match apply_overrides(&t, organisation) {
        Ok(t) => Some(t),
        Err(e) => {
            problems.push("organisation", e);
            None
        }
    })
}

/// The addresses the organisation is connected to: its monitoring system and its appeals office.
fn check_connections(organisation: &OrganisationEntry, problems: &mut Problems) {
    if let Some(m) = &organisation.monitoring {
        match url::Url::parse(m.url.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => problems.push(
                "organisation.monitoring.url",
                format!("{:?} is not an http(s) address", m.url),
            ),
        }
        if m.secret.trim().chars().count() < MONITORING_SECRET_MIN {
            problems.push(
                "organisation.monitoring.secret",
                format!("must be at least {MONITORING_SECRET_MIN} characters"),
            );
        }
    }
    if let Some(a) = &organisation.appeals {
        for (field, value) in [("office", &a.office), ("from", &a.from)] {
            if !is_email(value) {
                problems.push(
                    &format!("organisation.appeals.{field}"),
                    format!("{value:?} is not an e-mail address"),
                );
            }
        }
        if !url::Url::parse(a.smtp.trim()).is_ok_and(|u| matches!(u.scheme(), "smtp" | "smtps")) {
            problems.push(
                "organisation.appeals.smtp",
                "give smtp://host:port or smtps://user:password@host:465".to_string(),
            );
        }
    }
}

/// Writes the organisation's time zone and calendar overrides into the profile text.
fn apply_overrides(profile: &str, org: &OrganisationEntry) -> Result<String, String> {
    if org.time_zone.is_none() && org.extra_days_off.is_empty() && org.extra_working_days.is_empty()
    {
        return Ok(profile.to_string());
    }
    let mut table: toml::Table = profile
        .parse()
        .map_err(|e| format!("regulation profile: {e}"))?;
    if let Some(tz) = &org.time_zone {
        if let Some(toml::Value::Table(p)) = table.get_mut("profile") {
            p.insert("time_zone".into(), toml::Value::String(tz.clone()));
        }
    }
    let dates = |list: &[NaiveDate]| {
        toml::Value::Array(
            list.iter()
                .map(|d| toml::Value::String(d.to_string()))
                .collect(),
        )
    };
    let calendar = table
        .entry("calendar")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let toml::Value::Table(c) = calendar {
        if !org.extra_days_off.is_empty() {
            c.insert("extra_days_off".into(), dates(&org.extra_days_off));
        }
        if !org.extra_working_days.is_empty() {
            c.insert("extra_working_days".into(), dates(&org.extra_working_days));
        }
    }
    toml::to_string(&table).map_err(|e| e.to_string())
}

/// A date written as a TOML date (`2026-12-31`) or as a string (`"2026-12-31"`).
#[derive(Deserialize)]
#[serde(untagged)]
enum DateValue {
    Toml(toml::value::Datetime),
    Text(String),
}

impl DateValue {
    fn date<E: serde::de::Error>(self) -> Result<NaiveDate, E> {
        let text = match self {
            DateValue::Toml(d) => d.to_string(),
            DateValue::Text(s) => s,
        };
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|_| E::custom(format!("{text:?} is not a date like 2026-12-31")))
    }
}

mod date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        super::DateValue::deserialize(d)?.date()
    }
}

mod dates {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(list: &[NaiveDate], s: S) -> Result<S::Ok, S::Error> {
        list.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
        Vec::<super::DateValue>::deserialize(d)?
            .into_iter()
            .map(super::DateValue::date)
            .collect()
    }
}
