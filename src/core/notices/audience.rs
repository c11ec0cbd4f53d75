//! Who a notice is for (`Audience`), and who that is as the directory stands: absences hand a
//! person's notices to their substitute, the duty roster names today's officers.

use crate::core::org::OrgRules;
use crate::domain::incident::{Incident, Role};
use crate::domain::regulation::{Publisher, Regulation, Stage};
use crate::domain::PersonId;
use crate::storage::Recipient;

/// Who a notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The executor of a part (or their substitute while they are absent).
    Executor(usize),
    /// The curators' group chat (or each curator when no group is set).
    Curators,
    /// The head of the organisation (their chat, or each person with the role).
    Head,
    /// The head and whoever the organisation file names to learn of significant messages with
    /// them (Barnaul §12: the deputy head, the chief of staff).
    Significant,
    /// The head of the part's department.
    DepartmentHead(usize),
    /// The deputy supervising a part's department, or every deputy when nobody supervises it
    /// (Barnaul §5).
    Deputies(Option<usize>),
    /// The first of today's duty officers (the curators and the head when nobody is on the
    /// roster).
    FirstOnDuty,
    /// The rest of today's duty officers (the curators and the head when there are none).
    RestOnDuty,
    /// Whoever a stage is waiting for (the executor, a department head, the deputies, the
    /// curators), by the stage and the regulation.
    Owner { part: Option<usize>, stage: Stage },
    /// The delivery worker itself.
    Worker,
}

/// Who posts an approved clarification request and records the author's reply.
pub fn clarification_publisher(part: usize, regulation: &Regulation) -> Audience {
    match regulation.workflow.clarification_publisher {
        Publisher::Executor => Audience::Executor(part),
        Publisher::Curator => Audience::Curators,
    }
}

/// Who posts a general-interest answer on the pages and site: its publisher (the executor of the
/// published part, or of the first one, where executors publish).
pub(super) fn cross_poster(
    part: Option<usize>,
    incident: &Incident,
    regulation: &Regulation,
) -> Audience {
    if regulation.workflow.publisher == Publisher::Curator {
        return Audience::Curators;
    }
    part.or_else(|| incident.parts.iter().position(|p| p.publication.is_some()))
        .map_or(Audience::Curators, Audience::Executor)
}

/// What a notice's recipients are resolved against.
pub struct Directory<'a> {
    pub rules: &'a OrgRules,
    /// The absences in force (absent person, substitute).
    pub absences: &'a [(PersonId, PersonId)],
    /// Today's duty officers.
    pub on_duty: &'a [PersonId],
}

/// The recipients of an audience.
/// `incident` is needed for the audiences of a part (its executor, its department's head).
pub fn recipients(
    audience: Audience,
    incident: Option<&Incident>,
    d: &Directory<'_>,
) -> Vec<Recipient> {
    let org = &d.rules.org;
    let each = |ids: Vec<PersonId>| -> Vec<Recipient> {
        let mut ids = ids;
        ids.sort();
        ids.dedup();
        ids.into_iter().map(Recipient::Person).collect()
    };
    let curators = || match org.curator_chat {
        Some(c) => vec![Recipient::Chat(c)],
        None => each(d.rules.people_with(Role::Curator)),
    };
    match audience {
        Audience::Executor(i) => incident
            .and_then(|inc| inc.parts.get(i))
            .map(|p| {
                vec![Recipient::Person(
                    d.rules.handler_for(p.executor, d.absences),
                )]
            })
            .unwrap_or_default(),
        Audience::Curators => curators(),
        Audience::Head => match org.head_chat {
            Some(c) => vec![Recipient::Chat(c)],
            None => each(d.rules.people_with(Role::Head)),
        },
        Audience::Significant => {
            let mut out = recipients(Audience::Head, incident, d);
            for name in &org.significant_to {
                let person = d
                    .rules
                    .directory
                    .people
                    .iter()
                    .find(|p| p.active && p.full_name.trim() == name.trim());
                if let Some(p) = person {
                    let r = Recipient::Person(d.rules.handler_for(p.id, d.absences));
                    if !out.contains(&r) {
                        out.push(r);
                    }
                }
            }
            out
        }
        Audience::DepartmentHead(i) => incident
            .and_then(|inc| inc.parts.get(i))
            .and_then(|p| d.rules.department_head(p.department))
            .map(|h| vec![Recipient::Person(d.rules.handler_for(h, d.absences))])
            .unwrap_or_default(),
        Audience::Deputies(part) => {
            let supervising = part
                .and_then(|i| incident.and_then(|inc| inc.parts.get(i)))
                .and_then(|p| d.rules.supervising_deputy(p.department));
            match supervising {
                Some(s) => vec![Recipient::Person(d.rules.handler_for(s, d.absences))],
                None => each(d.rules.people_with(Role::Deputy)),
            }
        }
        Audience::FirstOnDuty => match d.on_duty.first() {
            Some(p) => vec![Recipient::Person(*p)],
            None => [curators(), recipients(Audience::Head, incident, d)].concat(),
        },
        Audience::RestOnDuty => {
            if d.on_duty.len() > 1 {
                each(d.on_duty[1..].to_vec())
            } else {
                [curators(), recipients(Audience::Head, incident, d)].concat()
            }
        }
        Audience::Owner { part, stage } => recipients(owner(part, stage, d.rules), incident, d),
        Audience::Worker => vec![Recipient::Worker],
    }
}

/// Whom a stage waits for.
pub fn owner(part: Option<usize>, stage: Stage, rules: &OrgRules) -> Audience {
    let part_or_curators = |a: fn(usize) -> Audience| part.map_or(Audience::Curators, a);
    match stage {
        Stage::Routing | Stage::CuratorReview | Stage::Final | Stage::Explanation => {
            Audience::Curators
        }
        Stage::CompetenceCheck | Stage::DepartmentHeadApproval => {
            part_or_curators(Audience::DepartmentHead)
        }
        Stage::DeputyApproval => Audience::Deputies(part),
        Stage::Publication => match rules.regulation().workflow.publisher {
            Publisher::Executor => part_or_curators(Audience::Executor),
            Publisher::Curator => Audience::Curators,
        },
        Stage::Draft | Stage::Rework | Stage::InterimToFinal | Stage::DepartmentTotal => {
            part_or_curators(Audience::Executor)
        }
    }
}
