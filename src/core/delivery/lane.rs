//! Which messages of one chat go first (`core::delivery` sends by it): the lane of each notice.

use crate::core::notices::Notice;

/// Which messages of one chat go first: a lower lane never waits for a higher one. Within a
/// lane, an incident's messages keep their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lane {
    /// What answers a person's own press or message (the card they pressed, a prompt they asked
    /// for): they are looking at the screen.
    Answer = 1,
    /// What someone must act on: approval requests, returns, clarifications, overdue notices.
    Act = 2,
    /// New triage cards.
    NewCard = 3,
    /// Information: status redraws, digests, reports on schedule.
    Info = 4,
}

impl Lane {
    /// The number storage orders by.
    pub fn number(self) -> i64 {
        self as i64
    }
}

impl Notice {
    /// Which lane the message waits in (see `Lane`).
    pub fn lane(&self) -> Lane {
        match self {
            Notice::Show { .. } => Lane::Answer,
            Notice::Triage => Lane::NewCard,
            // The curators' card of an incident routed at intake: its status, to know of.
            Notice::CuratorCard
            | Notice::ImportanceRaised
            | Notice::AutoPublish { .. }
            | Notice::AutoPostClarification { .. }
            | Notice::AutoPostExplanation
            | Notice::ToMonitoring { .. }
            | Notice::AppealEmail
            | Notice::AutoPublished { .. }
            | Notice::DutyAnswered
            | Notice::RefreshCards { .. }
            | Notice::Redraw { .. }
            | Notice::Digest { .. }
            | Notice::Collapsed { .. }
            | Notice::NoDutyOfficer { .. }
            | Notice::Report { .. } => Lane::Info,
            Notice::IncidentCard { .. }
            | Notice::CompetenceCheck { .. }
            | Notice::CompetenceConfirmed { .. }
            | Notice::Approval { .. }
            | Notice::Rework { .. }
            | Notice::AuthorReplied { .. }
            | Notice::PublishRequest { .. }
            | Notice::CannotPublish { .. }
            | Notice::PublishInDoubt { .. }
            | Notice::ClarificationToPublish { .. }
            | Notice::ClarificationUnanswered { .. }
            | Notice::ClarificationInDoubt { .. }
            | Notice::ExplanationToPost
            | Notice::ExplanationInDoubt
            | Notice::Consolidate
            | Notice::Returned { .. }
            | Notice::CrossPost
            | Notice::ExplanationReturned { .. }
            | Notice::ExplanationPrepared { .. }
            | Notice::Escalation
            | Notice::WeekendEmergency
            | Notice::DutyUnanswered
            | Notice::Unreachable { .. }
            | Notice::Undeliverable { .. }
            | Notice::Burst { .. }
            // The cards that did not fit, listed: the curators act on it before any card left.
            | Notice::Backlog
            | Notice::Reminder { .. }
            | Notice::Overdue { .. }
            | Notice::Late { .. } => Lane::Act,
        }
    }
}
