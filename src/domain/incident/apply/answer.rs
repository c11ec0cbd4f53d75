//! The answer's way out: published, handed over, cannot be published, of general interest and
//! where it was cross-posted.

use super::change::*;
use crate::domain::incident::publication::record_publication;
use crate::domain::incident::*;

pub(super) fn mark_published(
    c: &mut Change<'_>,
    part: &Option<usize>,
    link: &str,
) -> Result<(), TransitionError> {
    let incident = c.before;
    let actor = c.actor;
    let at = c.at;
    let next = &mut c.next;
    let events = &mut c.events;
    let link = non_empty(link, "the publication link")?;
    let publication = Publication {
        link,
        at,
        by: actor.person,
        interim: false,
        handed_over: false,
    };
    record_publication(incident, next, events, *part, publication)?;
    Ok(())
}

pub(super) fn hand_over(c: &mut Change<'_>, part: &Option<usize>) -> Result<(), TransitionError> {
    let incident = c.before;
    let actor = c.actor;
    let at = c.at;
    let next = &mut c.next;
    let events = &mut c.events;
    let publication = Publication {
        link: String::new(),
        at,
        by: actor.person,
        interim: false,
        handed_over: true,
    };
    record_publication(incident, next, events, *part, publication)?;
    Ok(())
}

pub(super) fn set_general_interest(c: &mut Change<'_>, on: &bool) -> Result<(), TransitionError> {
    let incident = c.before;
    let next = &mut c.next;
    let events = &mut c.events;
    if incident.general_interest == *on {
        return Err(TransitionError::AlreadyDone(if *on {
            "marked as of general interest"
        } else {
            "not of general interest"
        }));
    }
    next.general_interest = *on;
    events.push(Event::GeneralInterestSet { on: *on });
    Ok(())
}

pub(super) fn record_cross_posts(
    c: &mut Change<'_>,
    links: &[String],
) -> Result<(), TransitionError> {
    let next = &mut c.next;
    let events = &mut c.events;
    let links: Vec<String> = links
        .iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if links.is_empty() {
        return Err(TransitionError::Invalid("give at least one link".into()));
    }
    next.cross_posts.extend(links.iter().cloned());
    events.push(Event::CrossPosted { links });
    Ok(())
}

pub(super) fn report_cannot_publish(
    c: &mut Change<'_>,
    part: &Option<usize>,
    reason: &str,
) -> Result<(), TransitionError> {
    let next = &mut c.next;
    let events = &mut c.events;
    let reason = non_empty(reason, "the reason")?;
    next.publication_impossible = Some((*part, reason.clone()));
    events.push(Event::PublicationImpossible {
        part: *part,
        reason,
    });
    Ok(())
}
