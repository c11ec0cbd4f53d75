//! An organisation as the core works with it: its regulation laid out on its calendar and its
//! directory, cached per directory version (an import or a directory change bumps the version,
//! and the next use reloads it — no restart needed).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::RwLock;

use crate::domain::content::Proof;
use crate::domain::incident::{Actor, Role, Rules};
use crate::domain::templates::AnswerTemplate;
use crate::domain::{DepartmentId, OrgId, PersonId, Regulation, WorkCalendar};
use crate::storage::{Department, DirectorySnapshot, Organisation, Person};

/// An organisation with its rules and directory.
#[derive(Debug)]
pub struct OrgRules {
    pub org: Organisation,
    pub calendar: WorkCalendar,
    pub directory: DirectorySnapshot,
    /// The answer templates, by name.
    pub templates: Vec<AnswerTemplate>,
}

impl OrgRules {
    pub fn rules(&self) -> Rules<'_> {
        Rules {
            regulation: &self.org.regulation,
            calendar: &self.calendar,
        }
    }

    pub fn regulation(&self) -> &Regulation {
        &self.org.regulation
    }

    pub fn person(&self, id: PersonId) -> Option<&Person> {
        self.directory.people.iter().find(|p| p.id == id)
    }

    /// A person's full name (empty for someone not in this organisation).
    pub fn name_of(&self, id: PersonId) -> String {
        self.person(id)
            .map(|p| p.full_name.clone())
            .unwrap_or_default()
    }

    /// A department of this organisation (active or not).
    pub fn department(&self, id: DepartmentId) -> Option<&Department> {
        self.directory.departments.iter().find(|d| d.id == id)
    }

    pub fn department_name(&self, id: DepartmentId) -> String {
        self.department(id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    }

    /// Whether an answer on this topic must show the work done in a photo (`proof = "photo"`
    /// in the organisation file; topics are matched in any case).
    pub fn photo_required(&self, topic: Option<&str>) -> bool {
        let Some(topic) = topic.map(|t| t.trim().to_lowercase()) else {
            return false;
        };
        self.directory
            .topics
            .iter()
            .any(|t| t.name.to_lowercase() == topic && t.proof == Some(Proof::Photo))
    }

    /// The templates for an incident of this topic (and those for any topic), by name.
    pub fn templates_for(&self, topic: Option<&str>) -> Vec<&AnswerTemplate> {
        self.templates.iter().filter(|t| t.suits(topic)).collect()
    }

    /// The departments incidents can be routed to, by name.
    pub fn active_departments(&self) -> impl Iterator<Item = &Department> {
        self.directory.departments.iter().filter(|d| d.active)
    }

    /// An active department of this organisation named so (any case).
    pub fn department_named(&self, name: &str) -> Option<&Department> {
        let name = name.trim().to_lowercase();
        self.active_departments()
            .find(|d| d.name.to_lowercase() == name)
    }

    /// Who new incidents of a department go to: its first active executor. `None` for a
    /// department of another organisation, an inactive one, or one without executors.
    pub fn executor_of(&self, dept: DepartmentId) -> Option<PersonId> {
        let d = self.department(dept).filter(|d| d.active)?;
        let mut members: Vec<PersonId> = d.members.clone();
        members.sort();
        members.into_iter().find(|p| {
            self.person(*p)
                .is_some_and(|p| p.active && p.roles.contains(&Role::Executor))
        })
    }

    pub fn department_head(&self, dept: DepartmentId) -> Option<PersonId> {
        self.department(dept).and_then(|d| d.head)
    }

    /// The active people with a role.
    pub fn people_with(&self, role: Role) -> Vec<PersonId> {
        self.directory
            .people
            .iter()
            .filter(|p| p.active && p.roles.contains(&role))
            .map(|p| p.id)
            .collect()
    }

    /// The active deputy who supervises a department (Barnaul §5), if one is named.
    pub fn supervising_deputy(&self, department: DepartmentId) -> Option<PersonId> {
        self.department(department)?
            .supervising_deputy
            .filter(|s| self.person(*s).is_some_and(|p| p.active))
    }

    /// The actor a person is, given the absences in force (absent person, substitute). A
    /// deactivated person, or someone of another organisation, has no roles and can do nothing.
    pub fn actor(&self, person: PersonId, absences: &[(PersonId, PersonId)]) -> Actor {
        let Some(p) = self.person(person).filter(|p| p.active) else {
            return Actor {
                person,
                ..Actor::default()
            };
        };
        let mut substitutes_for: Vec<PersonId> = absences
            .iter()
            .filter(|(_, s)| *s == person)
            .map(|(a, _)| *a)
            .collect();
        substitutes_for.sort();
        substitutes_for.dedup();
        // The absent head's substitute is the acting head (Barnaul §5 ¶1: someone must confirm
        // competence while the head is away).
        let heads_departments: Vec<DepartmentId> = self
            .active_departments()
            .filter(|d| {
                d.head
                    .is_some_and(|h| h == person || substitutes_for.contains(&h))
            })
            .map(|d| d.id)
            .collect();
        let mut roles = p.roles.clone();
        if !heads_departments.is_empty() && !roles.contains(&Role::DepartmentHead) {
            roles.push(Role::DepartmentHead);
        }
        // A deputy agrees the departments they supervise, and those nobody supervises.
        let supervises_departments = if p.roles.contains(&Role::Deputy) {
            self.active_departments()
                .filter(|d| {
                    self.supervising_deputy(d.id)
                        .is_none_or(|s| s == person || substitutes_for.contains(&s))
                })
                .map(|d| d.id)
                .collect()
        } else {
            Vec::new()
        };
        Actor {
            person,
            roles,
            heads_departments,
            supervises_departments,
            substitutes_for,
        }
    }

    /// Whether an actor is a group chat (`group_actor`), not a person.
    pub fn is_group_actor(actor: &Actor) -> bool {
        actor.person == PersonId(0)
    }

    /// A group chat acting as one of its members would: the curators' group as a curator.
    pub fn group_actor(role: Role) -> Actor {
        Actor {
            person: PersonId(0),
            roles: vec![role],
            ..Actor::default()
        }
    }

    /// Who handles a person's incidents: their substitute while they are absent (following a
    /// substitute's own absence, at most a few steps), otherwise themselves.
    pub fn handler_for(&self, person: PersonId, absences: &[(PersonId, PersonId)]) -> PersonId {
        let mut current = person;
        for _ in 0..4 {
            match absences.iter().find(|(a, _)| *a == current) {
                Some((_, s)) if *s != person => current = *s,
                _ => break,
            }
        }
        current
    }
}

/// The cache of organisations, keyed by id, each valid for one directory version.
#[derive(Default)]
pub(crate) struct OrgCache {
    entries: RwLock<HashMap<OrgId, Arc<OrgRules>>>,
}

impl OrgCache {
    pub(crate) async fn get(&self, id: OrgId, version: i64) -> Option<Arc<OrgRules>> {
        self.entries
            .read()
            .await
            .get(&id)
            .filter(|r| r.org.version == version)
            .cloned()
    }

    pub(crate) async fn put(&self, rules: Arc<OrgRules>) {
        self.entries.write().await.insert(rules.org.id, rules);
    }
}

/// The date of the duty roster that covers `now`: the day off it falls in, or (after the last
/// working hours before days off) the first of them (`days_off::duty_day`); otherwise today.
pub(crate) fn duty_day(rules: &OrgRules, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    crate::domain::days_off::duty_day(&rules.calendar, now)
        .ok()
        .flatten()
        .unwrap_or_else(|| rules.calendar.local_date(now))
}
