//! Answers and clarification requests Otklik publishes itself (a reply under a comment in the
//! organisation's channel): at most once, whatever happens between posting and recording; and,
//! where it cannot post, asking the publisher to do it by hand. Called by the delivery worker for
//! `Notice::AutoPublish` and `Notice::AutoPostClarification`.

use std::sync::Arc;

use chrono::Duration;

use crate::core::delivery::{port_for, Outcome};
use crate::core::notices::{Audience, Notice};
use crate::core::org::OrgRules;
use crate::core::{Core, CoreError, MessengerPort, SendError};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Command, Draft, DraftKind, IncidentState};
use crate::domain::permission::{permitted, Deed};
use crate::domain::PersonId;
use crate::storage::{AnswerKey, OutboxMessage, PublicationClaim};

/// What Otklik posts under the citizen's comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Posting {
    /// The approved answer of a part (`None`: the consolidated answer).
    Answer(Option<usize>),
    /// The approved clarification request of a part: the clock stops when it is posted
    /// (Borovichi §10).
    Clarification(usize),
    /// The explanation sent instead of an answer (Vorsino 2.7, Sakhalin 3.7): recorded as sent
    /// already, so posting it changes nothing in the incident.
    Explanation,
}

/// The publication key's version for an explanation (an answer's are its drafts' 1, 2, …).
const EXPLANATION_VERSION: u32 = u32::MAX;

impl Posting {
    fn part(self) -> Option<usize> {
        match self {
            Posting::Answer(part) => part,
            Posting::Clarification(part) => Some(part),
            Posting::Explanation => None,
        }
    }

    /// Whether it is still to be posted: not published by hand meanwhile, still approved.
    fn due(self, record: &IncidentRecord, rules: &OrgRules) -> bool {
        let system = crate::core::workflow::intake::intake_actor();
        let deed = match self {
            Posting::Answer(part) => Deed::Publish { part },
            Posting::Clarification(part) => Deed::PostClarification { part },
            Posting::Explanation => {
                return record.workflow.state == IncidentState::ExplanationSent
                    && record.workflow.explanation.is_some()
            }
        };
        permitted(&system, deed, &record.workflow, rules.regulation()).is_ok()
    }

    /// The text to post and the version that keys its publication.
    fn text(self, record: &IncidentRecord) -> Option<(String, u32)> {
        match self {
            Posting::Explanation => record
                .workflow
                .explanation
                .as_ref()
                .map(|(_, text)| (text.clone(), EXPLANATION_VERSION)),
            _ => self.draft(record).map(|d| (d.text.clone(), d.version)),
        }
    }

    fn draft(self, record: &IncidentRecord) -> Option<&Draft> {
        let last = |part: usize, clarification: bool| {
            record.workflow.parts.get(part).and_then(|p| {
                p.drafts
                    .iter()
                    .rev()
                    .find(|d| (d.kind == DraftKind::Clarification) == clarification)
            })
        };
        match self {
            Posting::Answer(Some(i)) => last(i, false),
            Posting::Answer(None) => record.workflow.consolidated.as_ref(),
            Posting::Clarification(i) => last(i, true),
            Posting::Explanation => None,
        }
    }

    /// The command that records it as posted, with this link (none for an explanation, which
    /// was recorded when it was sent).
    fn command(self, link: &str) -> Option<Command> {
        match self {
            Posting::Answer(part) => Some(Command::MarkPublished {
                part,
                link: link.to_string(),
            }),
            Posting::Clarification(part) => Some(Command::RecordClarificationPosted { part }),
            Posting::Explanation => None,
        }
    }

    /// What asks people to post it by hand (`doubt`: to check whether it went out).
    fn by_hand(self, doubt: bool) -> Notice {
        match self {
            Posting::Answer(part) if doubt => Notice::PublishInDoubt { part },
            Posting::Answer(part) => Notice::PublishRequest { part },
            Posting::Clarification(part) if doubt => Notice::ClarificationInDoubt { part },
            Posting::Clarification(part) => Notice::ClarificationToPublish { part },
            Posting::Explanation if doubt => Notice::ExplanationInDoubt,
            Posting::Explanation => Notice::ExplanationToPost,
        }
    }
}

impl Core {
    /// Publishes an approved answer (or clarification request) as a reply to the citizen's
    /// comment, at most once: the reply is recorded as being sent before it is sent, and as sent
    /// — with the publication — after. A reply found in between (the process died there, or the
    /// answer of the messenger was lost) is never sent again: the publisher is asked to check
    /// and record it.
    pub(crate) async fn auto_publish(
        &self,
        m: &OutboxMessage,
        record: &IncidentRecord,
        posting: Posting,
        ports: &[Arc<dyn MessengerPort>],
    ) -> Result<Outcome, CoreError> {
        let rules = self.org(record.org).await?;
        let part = posting.part();
        // Already published (by hand, or by an earlier attempt) or no longer approved.
        if !posting.due(record, &rules) {
            return Ok(Outcome::Delivered);
        }
        let (Some(target), Some((text, version))) = (&record.reply_to, posting.text(record)) else {
            return self.ask_to_publish(m, record, posting, false).await;
        };
        let Some(port) = port_for(ports, target.chat.messenger) else {
            return Ok(Outcome::RetryIn(Duration::minutes(5)));
        };
        let key = AnswerKey {
            incident: record.id,
            part,
            version,
        };
        match self.store.claim_publication(key, self.now()).await? {
            PublicationClaim::Sent { message_id, link } => {
                self.record_publication(&rules, record.clone(), key, posting, (message_id, &link))
                    .await?;
                return Ok(Outcome::Delivered);
            }
            PublicationClaim::InDoubt { first: true } => {
                return self.ask_to_publish(m, record, posting, true).await
            }
            PublicationClaim::InDoubt { first: false } => return Ok(Outcome::Delivered),
            PublicationClaim::Claimed => {}
        }
        match port
            .reply(target.chat.id, target.message, &text, &record.content.url)
            .await
        {
            Ok((message_id, link)) => {
                self.record_publication(&rules, record.clone(), key, posting, (message_id, &link))
                    .await?;
                Ok(Outcome::Delivered)
            }
            // The messenger said no: nothing went out, a later attempt may send.
            Err(SendError::RetryAfter(d)) => {
                self.store.release_publication(key).await?;
                Ok(Outcome::RetryIn(
                    Duration::from_std(d).unwrap_or(Duration::seconds(30)),
                ))
            }
            Err(e @ (SendError::Refused(_) | SendError::Unreachable(_) | SendError::Gone)) => {
                tracing::warn!(error = %e, "the answer could not be posted under the comment");
                self.store.release_publication(key).await?;
                self.ask_to_publish(m, record, posting, false).await
            }
            Err(SendError::ChatMoved(new_id)) => {
                self.store.release_publication(key).await?;
                self.store.move_chat(target.chat, new_id).await?;
                Ok(Outcome::RetryIn(Duration::zero()))
            }
            // Unknown whether it went out: never sent again; people check.
            Err(e @ (SendError::Failed(_) | SendError::NotModified)) => {
                tracing::warn!(error = %e, "unknown whether the answer was posted");
                self.store.doubt_publication(key).await?;
                self.ask_to_publish(m, record, posting, true).await
            }
        }
    }

    /// Records a reply as sent and the answer as published (or the clarification request as
    /// posted), in one transaction.
    async fn record_publication(
        &self,
        rules: &OrgRules,
        mut record: IncidentRecord,
        key: AnswerKey,
        posting: Posting,
        (message_id, link): (i64, &str),
    ) -> Result<(), CoreError> {
        let part = key.part;
        let system = crate::core::workflow::intake::intake_actor();
        let Some(command) = posting.command(link) else {
            self.store
                .finish_publication(key, (message_id, link), None, self.now())
                .await?;
            return Ok(());
        };
        for _ in 0..5 {
            let now = self.now();
            let t = match crate::domain::incident::apply(
                &record.workflow,
                &command,
                &system,
                now,
                rules.rules(),
            ) {
                Ok(t) => t,
                // Published meanwhile (by hand): the reply is still recorded.
                Err(_) => {
                    self.store
                        .finish_publication(key, (message_id, link), None, now)
                        .await?;
                    return Ok(());
                }
            };
            // The curators hear of an answer posted; a request posted shows on the cards.
            let notices = match posting {
                Posting::Answer(_) => vec![(
                    Audience::Curators,
                    Notice::AutoPublished {
                        part,
                        link: link.to_string(),
                    },
                )],
                Posting::Clarification(_) | Posting::Explanation => Vec::new(),
            };
            let commit = self
                .prepare_commit(
                    rules,
                    PersonId::SYSTEM,
                    &record,
                    &command,
                    &t,
                    crate::core::workflow::commit::Besides {
                        notices,
                        pressed: None,
                    },
                )
                .await?;
            if self
                .store
                .finish_publication(key, (message_id, link), Some(&commit), now)
                .await?
            {
                self.wake_delivery();
                self.timers_written();
                return Ok(());
            }
            record = self.store.incident(record.id).await?;
        }
        Err(CoreError::Conflict)
    }

    /// Asks the publisher (the curators, or the executor where the regulation says so) to
    /// publish or check the answer (or the clarification request) by hand.
    async fn ask_to_publish(
        &self,
        m: &OutboxMessage,
        record: &IncidentRecord,
        posting: Posting,
        doubt: bool,
    ) -> Result<Outcome, CoreError> {
        let rules = self.org(record.org).await?;
        let notice = posting.by_hand(doubt);
        let audience = match (posting, rules.regulation().workflow.publisher) {
            (Posting::Clarification(p), _) => {
                crate::core::notices::clarification_publisher(p, rules.regulation())
            }
            (Posting::Answer(Some(p)), crate::domain::regulation::Publisher::Executor) => {
                Audience::Executor(p)
            }
            _ => Audience::Curators,
        };
        let planned = self
            .rows_for(
                &rules,
                &record.workflow,
                &[(audience, notice)],
                &format!("publish:{}", m.id),
            )
            .await?;
        self.store
            .enqueue(record.org, Some(record.id), &planned.rows, self.now())
            .await?;
        self.store
            .add_org_timers(record.org, &planned.digests, self.now())
            .await?;
        self.wake_delivery();
        Ok(Outcome::Delivered)
    }
}
