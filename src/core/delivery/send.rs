//! Sending one message: the notice drawn for its recipient and handed to the messenger, cards
//! remembered for later redraws, and what a failure means (retry soon, wait as asked, or give
//! up and tell the curators).

use std::sync::Arc;

use chrono::Duration;

use super::{port_for, Dest, MessengerPort, Outcome, SendError};
use crate::core::delivery::publish::Posting;
use crate::core::notices::{Audience, Notice};
use crate::core::org::OrgRules;
use crate::core::view::View;
use crate::core::{Core, CoreError};
use crate::domain::content::{ChatRef, IncidentRecord, Messenger};
use crate::domain::incident::{Actor, Role};
use crate::domain::PersonId;
use crate::storage::{CardRow, GroupChat, OutboxMessage, OutboxRow, Recipient, StorageError};

impl Core {
    pub(super) async fn deliver_one(
        &self,
        m: &OutboxMessage,
        dest: &Dest,
        ports: &Arc<[Arc<dyn MessengerPort>]>,
    ) -> Result<Outcome, CoreError> {
        let notice: Notice = match serde_json::from_value(m.payload.clone()) {
            Ok(n) => n,
            Err(e) => {
                // Kept in the table for someone to read, but not tried again: it would hold its
                // incident's messages back for good.
                tracing::error!(id = m.id, error = %e, "an outbox row cannot be read; it is skipped");
                return Ok(Outcome::Skipped);
            }
        };
        let record = match m.incident {
            Some(id) => match self.store.incident(id).await {
                Ok(r) => Some(r),
                Err(StorageError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        match (&notice, record) {
            (Notice::RefreshCards { pressed }, Some(r)) => {
                self.fan_out_redraws(&r, *pressed, ports).await
            }
            (Notice::AutoPublish { part }, Some(r)) => {
                self.auto_publish(m, &r, Posting::Answer(*part), ports)
                    .await
            }
            (Notice::AutoPostClarification { part }, Some(r)) => {
                self.auto_publish(m, &r, Posting::Clarification(*part), ports)
                    .await
            }
            (Notice::AutoPostExplanation, Some(r)) => {
                self.auto_publish(m, &r, Posting::Explanation, ports).await
            }
            (Notice::ToMonitoring { event, at }, Some(r)) => {
                self.tell_monitoring(m, &r, event, *at, ports).await
            }
            (Notice::AppealEmail, Some(r)) => self.email_appeal(m, &r).await,
            (
                Notice::RefreshCards { .. }
                | Notice::AutoPublish { .. }
                | Notice::AutoPostClarification { .. }
                | Notice::AutoPostExplanation
                | Notice::ToMonitoring { .. }
                | Notice::AppealEmail,
                None,
            ) => Ok(Outcome::Delivered),
            (Notice::Redraw { message }, record) => match (m.recipient, record) {
                (Recipient::Chat(chat), Some(r)) => self.redraw(m, chat, *message, &r, ports).await,
                _ => Ok(Outcome::Skipped),
            },
            (Notice::Show { view, edit, person }, _) => match m.recipient {
                Recipient::Chat(chat) => self.show(chat, view, *edit, *person, ports).await,
                _ => Ok(Outcome::Skipped),
            },
            (Notice::Backlog, _) => match m.recipient {
                Recipient::Chat(chat) => self.show_backlog(m, chat, ports).await,
                _ => Ok(Outcome::Skipped),
            },
            (_, record) => {
                self.deliver_notice(m, dest, &notice, record.as_ref(), ports)
                    .await
            }
        }
    }

    /// The actor a card is drawn for: the person, or a group acting as its members would.
    pub(super) async fn viewer(
        &self,
        rules: &OrgRules,
        person: Option<PersonId>,
        chat: ChatRef,
        absences: &[(PersonId, PersonId)],
    ) -> Result<Actor, CoreError> {
        if let Some(p) = person {
            return Ok(rules.actor(p, absences));
        }
        let groups = self.store.group_chat(chat).await?;
        let role = groups
            .iter()
            .find_map(|g| match g {
                GroupChat::Head(o) if *o == rules.org.id => Some(Role::Head),
                GroupChat::Curators(o) if *o == rules.org.id => Some(Role::Curator),
                _ => None,
            })
            .unwrap_or(Role::Curator);
        Ok(OrgRules::group_actor(role))
    }

    /// Where a message to a recipient goes: the port, the chat, and the person it is for. The
    /// scheduler found (and took the turn for) the chat; a person it could not place is looked
    /// up here, and waits for the turn.
    async fn place(
        &self,
        m: &OutboxMessage,
        dest: &Dest,
        ports: &[Arc<dyn MessengerPort>],
    ) -> Result<Result<(Arc<dyn MessengerPort>, i64, Option<PersonId>), Outcome>, CoreError> {
        Ok(match m.recipient {
            Recipient::Worker => Err(Outcome::Delivered),
            Recipient::Person(p) => {
                let chat = match dest {
                    Dest::Chat(messenger, chat) => Some((*messenger, *chat)),
                    Dest::Queue(_) => self.private_chat_of(ports, p).await?,
                };
                match chat.and_then(|(messenger, chat)| {
                    port_for(ports, messenger).map(|port| (port.clone(), chat))
                }) {
                    Some((port, chat)) => {
                        if matches!(dest, Dest::Queue(_)) {
                            port.turn(chat).await;
                        }
                        Ok((port, chat, Some(p)))
                    }
                    // Never opened the bot in a messenger Otklik runs.
                    None => {
                        let messenger = ports
                            .first()
                            .map(|p| p.messenger())
                            .unwrap_or(Messenger::Telegram);
                        Err(Outcome::Unreachable(p, messenger))
                    }
                }
            }
            Recipient::Chat(c) => match port_for(ports, c.messenger) {
                // A private chat is its person's: the card is drawn for them.
                Some(port) if !c.is_group() => {
                    let person = self
                        .store
                        .account_holder(c.messenger, c.id)
                        .await?
                        .map(|h| h.person);
                    Ok((port.clone(), c.id, person))
                }
                Some(port) => Ok((port.clone(), c.id, None)),
                None => {
                    tracing::warn!(
                        messenger = c.messenger.key(),
                        "no adapter runs for this chat's messenger"
                    );
                    Err(Outcome::RetryIn(Duration::minutes(5)))
                }
            },
        })
    }

    /// Sends one notice to its recipient and remembers it when it is a card.
    async fn deliver_notice(
        &self,
        m: &OutboxMessage,
        dest: &Dest,
        notice: &Notice,
        record: Option<&IncidentRecord>,
        ports: &Arc<[Arc<dyn MessengerPort>]>,
    ) -> Result<Outcome, CoreError> {
        let rules = self.org(m.org).await?;
        let (port, chat, person) = match self.place(m, dest, ports).await? {
            Ok(placed) => placed,
            Err(outcome) => return Ok(outcome),
        };
        let chat_ref = ChatRef {
            messenger: port.messenger(),
            id: chat,
        };
        let absences = match person {
            Some(_) => self.store.absences_at(rules.org.id, self.now()).await?,
            None => Vec::new(),
        };
        let viewer = self.viewer(&rules, person, chat_ref, &absences).await?;
        let view = match (notice, record) {
            (Notice::Digest { since }, _) => Some(self.digest(&rules, &viewer, *since).await?),
            (Notice::Collapsed { count }, _) => Some(self.collapsed(*count)),
            (Notice::Report { report, piece }, _) => {
                Some(self.report_piece(&rules, *report, *piece).await?)
            }
            (_, Some(r)) => self.draw_notice(&rules, notice, r, &viewer).await?,
            (_, None) => self.draw(&rules, &[], None).standalone(notice),
        };
        let Some(view) = view else {
            return Ok(Outcome::Skipped);
        };
        match port.send(chat, &view).await {
            Ok(message_id) => {
                if let (true, Some(r)) = (notice.is_card(), record) {
                    self.store
                        .add_card(&CardRow {
                            chat: chat_ref,
                            message_id,
                            incident: r.id,
                            viewer: person,
                            notice: notice.to_json(),
                            rendered: view.fingerprint(),
                        })
                        .await?;
                    // A change that landed while this card was on its way found no card to
                    // redraw: the card is brought up to date now.
                    let latest = self.store.incident(r.id).await?;
                    if latest.workflow.version != r.workflow.version {
                        self.fan_out_redraws(&latest, None, ports).await?;
                    }
                }
                Ok(Outcome::Delivered)
            }
            Err(e) => self.failed_send(e, person, chat_ref, &port).await,
        }
    }

    /// An answer to a press or a message, as it was drawn: sent, or shown in place of the
    /// message pressed.
    pub(super) async fn show(
        &self,
        chat: ChatRef,
        view: &View,
        edit: Option<i64>,
        person: Option<PersonId>,
        ports: &[Arc<dyn MessengerPort>],
    ) -> Result<Outcome, CoreError> {
        let Some(port) = port_for(ports, chat.messenger) else {
            return Ok(Outcome::RetryIn(Duration::minutes(5)));
        };
        let sent = match edit {
            Some(message) => port.edit(chat.id, message, view).await,
            None => port.send(chat.id, view).await.map(|_| ()),
        };
        match sent {
            Ok(()) => Ok(Outcome::Delivered),
            // The message pressed is gone: nothing left to show the answer in.
            Err(SendError::Gone) if edit.is_some() => Ok(Outcome::Skipped),
            Err(e) => self.failed_send(e, person, chat, port).await,
        }
    }

    /// What a failed send means for the message: done (an edit that changed nothing), a person
    /// who cannot be reached, a chat that moved, a wait the messenger asked for (that chat holds
    /// exactly that long), a refusal for good, or a failure to try again soon.
    pub(super) async fn failed_send(
        &self,
        e: SendError,
        person: Option<PersonId>,
        chat: ChatRef,
        port: &Arc<dyn MessengerPort>,
    ) -> Result<Outcome, CoreError> {
        tracing::warn!(error = %e, chat = chat.id, "a message was not delivered");
        self.messenger_error(chat.messenger.key(), send_error_kind(&e));
        // A message the messenger refused does not count against the chat's limits; one that
        // failed on the way (a 5xx, a timeout) may have gone out, and counts.
        if !matches!(e, SendError::Failed(_)) {
            port.give_back(chat.id);
        }
        Ok(match e {
            SendError::NotModified => Outcome::Delivered,
            SendError::Unreachable(_) => {
                // An answer in a private chat is the chat's person's.
                let person = match person {
                    Some(p) => Some(p),
                    None if !chat.is_group() => self
                        .store
                        .account_holder(chat.messenger, chat.id)
                        .await?
                        .map(|h| h.person),
                    None => None,
                };
                match person {
                    Some(p) => Outcome::Unreachable(p, chat.messenger),
                    // A group that removed the bot: nothing to do until it is added back.
                    None => Outcome::Delivered,
                }
            }
            SendError::ChatMoved(new_id) => {
                self.store.move_chat(chat, new_id).await?;
                Outcome::Postponed(Duration::zero())
            }
            SendError::RetryAfter(d) => {
                // The chat waits exactly as long as asked.
                port.hold(chat.id, d);
                Outcome::Postponed(Duration::from_std(d).unwrap_or(Duration::seconds(30)))
            }
            SendError::Refused(reason) => Outcome::Refused(reason),
            SendError::Gone | SendError::Failed(_) => Outcome::Failed,
        })
    }

    /// The incident number a message is about (0 when none, or it is gone).
    async fn number_of(&self, m: &OutboxMessage) -> i64 {
        match m.incident {
            Some(id) => self.store.incident(id).await.map(|r| r.number).unwrap_or(0),
            None => 0,
        }
    }

    /// Rows telling the curators about a message that did not go out; never to `except` (the
    /// recipient that failed: telling it would loop). When that was the curators' group itself,
    /// each curator is told in private.
    fn tell_curators(
        rules: &OrgRules,
        m: &OutboxMessage,
        notice: &Notice,
        key: String,
        except: Recipient,
    ) -> Vec<OutboxRow> {
        let mut whom = crate::core::notices::recipients(
            Audience::Curators,
            None,
            &crate::core::notices::Directory {
                rules,
                absences: &[],
                on_duty: &[],
            },
        );
        if whom.contains(&except) {
            whom = rules
                .people_with(Role::Curator)
                .into_iter()
                .map(Recipient::Person)
                .collect();
        }
        whom.into_iter()
            .filter(|r| *r != except)
            .map(|r| OutboxRow {
                incident: m.incident,
                recipient: r,
                kind: notice.kind().to_string(),
                payload: notice.to_json(),
                lane: notice.lane().number(),
                key: key.clone(),
            })
            .collect()
    }

    /// Tells the curators that a person cannot be written to, and marks the account.
    pub(super) async fn report_unreachable(
        &self,
        m: &OutboxMessage,
        person: PersonId,
        messenger: Messenger,
    ) -> Result<(), CoreError> {
        self.store.set_unreachable(person, messenger, true).await?;
        let rules = self.org(m.org).await?;
        let notice = Notice::Unreachable {
            person,
            number: self.number_of(m).await,
        };
        let key = format!("unreachable:{}:{person}", m.id);
        let rows = Self::tell_curators(&rules, m, &notice, key, Recipient::Person(person));
        self.store.enqueue(m.org, None, &rows, self.now()).await?;
        self.wake_delivery();
        Ok(())
    }

    /// Takes a refused message out of its queue and tells the curators which incident could not
    /// be shown to whom (a refused notice of that kind is not reported again: it would loop).
    pub(super) async fn give_up(&self, m: &OutboxMessage, reason: &str) -> Result<(), CoreError> {
        tracing::error!(id = m.id, kind = %m.kind, incident = ?m.incident.map(|i| i.0), error = %reason, "the messenger refused a message for good; it will not be retried");
        let mut rows = Vec::new();
        if m.kind != "undeliverable" {
            let rules = self.org(m.org).await?;
            let person = match m.recipient {
                Recipient::Person(p) => Some(p),
                _ => None,
            };
            let notice = Notice::Undeliverable {
                person,
                number: self.number_of(m).await,
            };
            let key = format!("undeliverable:{}", m.id);
            rows = Self::tell_curators(&rules, m, &notice, key, m.recipient);
        }
        self.store
            .give_up_outbox(m, reason, &rows, self.now())
            .await?;
        self.wake_delivery();
        Ok(())
    }
}

/// The kind of a send error, as `/metrics` counts it.
fn send_error_kind(e: &SendError) -> &'static str {
    match e {
        SendError::NotModified => "not_modified",
        SendError::Gone => "gone",
        SendError::Unreachable(_) => "unreachable",
        SendError::ChatMoved(_) => "chat_moved",
        SendError::RetryAfter(_) => "rate_limited",
        SendError::Refused(_) => "refused",
        SendError::Failed(_) => "failed",
    }
}
