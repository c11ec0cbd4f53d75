//! A pure-domain harness: one incident under a preset regulation, with a movable clock and
//! the people of one organisation. Used by the state-machine and regulation-fidelity tests.
#![allow(dead_code)]
use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use otklik::domain::incident::*;
use otklik::domain::plan::Due;
use otklik::domain::regulation::{Importance, Regulation, Stage};
use otklik::domain::WorkCalendar;

pub const CURATOR: PersonId = PersonId(1);
pub const EXEC: PersonId = PersonId(10);
pub const EXEC2: PersonId = PersonId(20);
pub const SUBSTITUTE: PersonId = PersonId(11);
pub const HEAD_OF_DEPT: PersonId = PersonId(12);
pub const DEPUTY: PersonId = PersonId(13);
pub const HEAD_OF_DEPT2: PersonId = PersonId(22);
pub const OTHER_DEPUTY: PersonId = PersonId(14);
pub const STRANGER: PersonId = PersonId(99);
pub const DEPT: DepartmentId = DepartmentId(100);
pub const DEPT2: DepartmentId = DepartmentId(200);

pub struct World {
    pub reg: Regulation,
    pub cal: WorkCalendar,
    pub now: DateTime<Utc>,
    pub incident: Incident,
    pub events: Vec<Event>,
}

pub fn curator() -> Actor {
    Actor {
        person: CURATOR,
        roles: vec![Role::Curator],
        ..Actor::default()
    }
}
pub fn executor(p: PersonId) -> Actor {
    Actor {
        person: p,
        roles: vec![Role::Executor],
        ..Actor::default()
    }
}
pub fn substitute() -> Actor {
    Actor {
        person: SUBSTITUTE,
        roles: vec![Role::Executor],
        substitutes_for: vec![EXEC],
        ..Actor::default()
    }
}
pub fn dept_head() -> Actor {
    Actor {
        person: HEAD_OF_DEPT,
        roles: vec![Role::DepartmentHead],
        heads_departments: vec![DEPT],
        ..Actor::default()
    }
}
pub fn dept2_head() -> Actor {
    Actor {
        person: HEAD_OF_DEPT2,
        roles: vec![Role::DepartmentHead],
        heads_departments: vec![DEPT2],
        ..Actor::default()
    }
}
/// The deputy supervising both departments.
pub fn deputy() -> Actor {
    Actor {
        person: DEPUTY,
        roles: vec![Role::Deputy],
        supervises_departments: vec![DEPT, DEPT2],
        ..Actor::default()
    }
}
/// A deputy who supervises the second department only.
pub fn other_deputy() -> Actor {
    Actor {
        person: OTHER_DEPUTY,
        roles: vec![Role::Deputy],
        supervises_departments: vec![DEPT2],
        ..Actor::default()
    }
}
pub fn stranger() -> Actor {
    Actor {
        person: STRANGER,
        roles: vec![Role::Executor],
        ..Actor::default()
    }
}

/// The curator's routing to these departments and executors, with the deadlines they set.
pub fn route_command(
    parts: &[(DepartmentId, PersonId)],
    deadlines: BTreeMap<Stage, DateTime<Utc>>,
) -> Command {
    Command::Route {
        assignments: parts
            .iter()
            .map(|(d, e)| Assignment {
                department: *d,
                executor: *e,
            })
            .collect(),
        importance: None,
        topic: Some("ЖКХ".into()),
        location: Some("ул. Ленина, 14".into()),
        deadlines,
    }
}

impl World {
    pub fn new(preset: &str, detected_local: &str, importance: Importance) -> Self {
        Self::with_external(preset, detected_local, importance, None)
    }

    pub fn with_external(
        preset: &str,
        detected_local: &str,
        importance: Importance,
        external: Option<Duration>,
    ) -> Self {
        Self::under(
            Regulation::preset(preset).unwrap(),
            detected_local,
            importance,
            external,
        )
    }

    /// An incident detected at a local time under any profile.
    pub fn under(
        reg: Regulation,
        detected_local: &str,
        importance: Importance,
        external: Option<Duration>,
    ) -> Self {
        let cal = reg.calendar().unwrap();
        let naive =
            chrono::NaiveDateTime::parse_from_str(detected_local, "%Y-%m-%d %H:%M").unwrap();
        let now = cal
            .zone()
            .from_local_datetime(&naive)
            .single()
            .unwrap()
            .with_timezone(&Utc);
        let t = Incident::register(
            Registration {
                detected_at: now,
                received_at: now,
                importance,
                external_deadline: external.map(|d| now + d),
                topic: None,
                location: None,
            },
            Rules {
                regulation: &reg,
                calendar: &cal,
            },
        )
        .unwrap();
        World {
            reg,
            cal,
            now,
            incident: t.incident,
            events: t.events,
        }
    }

    pub fn later(&mut self, minutes: i64) {
        self.now += Duration::minutes(minutes);
    }

    pub fn try_do(&self, actor: &Actor, cmd: Command) -> Result<Transition, TransitionError> {
        apply(
            &self.incident,
            &cmd,
            actor,
            self.now,
            Rules {
                regulation: &self.reg,
                calendar: &self.cal,
            },
        )
    }

    pub fn run(&mut self, actor: &Actor, cmd: Command) -> Vec<Event> {
        let t = self
            .try_do(actor, cmd.clone())
            .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        assert_eq!(t.incident.version, self.incident.version + 1);
        self.incident = t.incident;
        self.events = t.events.clone();
        t.events
    }

    pub fn route(&mut self, parts: &[(DepartmentId, PersonId)]) -> Vec<Event> {
        self.route_with(parts, BTreeMap::new())
    }

    pub fn route_with(
        &mut self,
        parts: &[(DepartmentId, PersonId)],
        deadlines: BTreeMap<Stage, DateTime<Utc>>,
    ) -> Vec<Event> {
        self.run(&curator(), route_command(parts, deadlines))
    }

    pub fn draft(&mut self, actor: &Actor, part: usize, kind: DraftKind, text: &str) -> Vec<Event> {
        self.run(
            actor,
            Command::SubmitDraft {
                part,
                kind,
                text: text.into(),
                attachments: vec!["photo-1".into()],
            },
        )
    }

    pub fn approve(&mut self, actor: &Actor, part: usize) -> Vec<Event> {
        self.run(
            actor,
            Command::Approve {
                part: Some(part),
                version: None,
            },
        )
    }

    pub fn part(&self, i: usize) -> &Part {
        &self.incident.parts[i]
    }

    pub fn local(&self, t: DateTime<Utc>) -> String {
        self.cal.local(t).format("%Y-%m-%d %H:%M").to_string()
    }

    pub fn part_due(&self, i: usize) -> (Stage, String) {
        let (stage, due) = self.part(i).current_deadline(&self.reg).unwrap();
        (stage, self.shown(due))
    }
}

impl World {
    /// Every timer the incident needs now.
    pub fn timers(&self) -> Vec<otklik::domain::timers::PlannedTimer> {
        otklik::domain::timers::plan_timers(
            &self.incident,
            Rules {
                regulation: &self.reg,
                calendar: &self.cal,
            },
            &self.reg.reminders,
        )
        .unwrap()
    }

    /// The incident-level deadline now running, as the curators' card shows it.
    pub fn incident_due(&self) -> (Stage, String) {
        let (stage, due) = self.incident.current_deadline().unwrap();
        (stage, self.shown(due))
    }

    /// A part's deadline of one stage.
    pub fn part_stage_due(&self, i: usize, stage: Stage) -> String {
        let due = self
            .part(i)
            .deadlines
            .iter()
            .find(|(s, _)| *s == stage)
            .unwrap()
            .1;
        self.shown(due)
    }

    fn shown(&self, due: Due) -> String {
        match due {
            Due::At { at, .. } => self.local(at),
            Due::Paused { remaining } => format!("paused {}m", remaining.num_minutes()),
            other => format!("{other:?}"),
        }
    }
}
