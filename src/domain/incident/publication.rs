//! An answer recorded as published — the incident's consolidated one or a part's, interim or
//! final — or handed to the body that publishes it (Sakhalin 3.3).

use super::{DraftKind, Event, Incident, PartState, Publication, TransitionError};

/// Records an answer as published (or, where the regulation allows, handed to the body that
/// publishes it: Sakhalin 3.3) — the incident's, or a part's.
pub(super) fn record_publication(
    incident: &Incident,
    next: &mut Incident,
    events: &mut Vec<Event>,
    part: Option<usize>,
    publication: Publication,
) -> Result<(), TransitionError> {
    let link = publication.link.clone();
    match part {
        None => {
            next.publication = Some(publication);
            for p in next.parts.iter_mut().filter(|p| p.active()) {
                p.state = PartState::Done;
            }
            events.push(Event::Published {
                part: None,
                link,
                interim: false,
            });
        }
        Some(i) => {
            let PartState::Approved { kind } = incident.parts[i].state else {
                return Err(TransitionError::NoSuchPart(i));
            };
            let interim = kind == DraftKind::Interim;
            let publication = Publication {
                interim,
                ..publication
            };
            let np = &mut next.parts[i];
            np.publication = Some(publication.clone());
            if interim {
                np.state = PartState::AwaitingFinal;
                np.timeline.interim_published_at = Some(publication.at);
                np.timeline.approved_at = None;
            } else {
                np.state = PartState::Done;
            }
            if next.publication.is_none() || !interim {
                next.publication = Some(publication);
            }
            events.push(Event::Published {
                part: Some(i),
                link,
                interim,
            });
        }
    }
    Ok(())
}
