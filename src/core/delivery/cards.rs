//! Cards after a change, coalesced: the change asks for a redraw of every card whose drawing
//! changed (the card pressed in the lane of answers, the rest as information), at most one
//! waiting per card; each is drawn again, as the incident is then, when its chat's turn comes —
//! so several changes in a row cost the chat one edit, and a card that ends up as it was costs
//! nothing. Also the group's backlog summary, drawn and redrawn in place.

use std::sync::Arc;

use super::{port_for, MessengerPort, Outcome, SendError};
use crate::core::notices::{Lane, Notice, PressedCard};
use crate::core::{Core, CoreError};
use crate::domain::content::{ChatRef, IncidentRecord};
use crate::storage::{OutboxMessage, OutboxRow, Recipient};

impl Core {
    /// Asks for a redraw of each card of the incident whose drawing changed.
    pub(super) async fn fan_out_redraws(
        &self,
        record: &IncidentRecord,
        pressed: Option<PressedCard>,
        ports: &[Arc<dyn MessengerPort>],
    ) -> Result<Outcome, CoreError> {
        let rules = self.org(record.org).await?;
        self.redraw_backlog_listing(record, &rules).await?;
        let cards = self.store.cards_of(record.id).await?;
        if cards.is_empty() {
            return Ok(Outcome::Delivered);
        }
        let absences = self.store.absences_at(record.org, self.now()).await?;
        // Unique per fan-out (the clock may stand still in tests; a key written before is
        // skipped by the outbox).
        let stamp = format!(
            "v{}:{}",
            record.workflow.version,
            crate::core::workflow::press::rand_suffix()
        );
        let mut rows = Vec::new();
        for card in cards {
            if port_for(ports, card.chat.messenger).is_none() {
                continue;
            }
            let Ok(notice) = serde_json::from_value::<Notice>(card.notice.clone()) else {
                continue;
            };
            let viewer = self
                .viewer(&rules, card.viewer, card.chat, &absences)
                .await?;
            let Some(view) = self.draw_notice(&rules, &notice, record, &viewer).await? else {
                continue;
            };
            if view.fingerprint() == card.rendered {
                continue;
            }
            let first =
                pressed.is_some_and(|p| p.chat == card.chat && p.message == card.message_id);
            let redraw = Notice::Redraw {
                message: card.message_id,
            };
            rows.push(OutboxRow {
                incident: None,
                recipient: Recipient::Chat(card.chat),
                kind: redraw.kind().to_string(),
                payload: redraw.to_json(),
                key: format!(
                    "redraw:{}:{}:{}:{stamp}",
                    card.chat.messenger.key(),
                    card.chat.id,
                    card.message_id
                ),
                lane: if first { Lane::Answer } else { Lane::Info }.number(),
            });
        }
        if !rows.is_empty() {
            self.store
                .enqueue_redraws(record.org, record.id, &rows, self.now())
                .await?;
            self.wake_delivery();
        }
        Ok(Outcome::Delivered)
    }

    /// An incident the group's backlog summary lists was triaged: the summary is redrawn
    /// without it (as information: when the group's minute has room).
    async fn redraw_backlog_listing(
        &self,
        record: &IncidentRecord,
        rules: &crate::core::OrgRules,
    ) -> Result<(), CoreError> {
        let Some(chat) = rules.org.curator_chat.filter(|c| c.is_group()) else {
            return Ok(());
        };
        if record.workflow.state == crate::domain::incident::IncidentState::New {
            return Ok(());
        }
        let listed = self
            .store
            .backlog_summary(chat)
            .await?
            .is_some_and(|s| s.message_id.is_some() && s.incidents.contains(&record.id));
        if listed {
            let recipient = Recipient::Chat(chat);
            let mut row = super::backlog::backlog_row(
                recipient,
                &crate::storage::queue_key(&recipient, None),
                Some(record.id.0),
            );
            row.lane = Lane::Info.number();
            self.store
                .redraw_backlog(record.org, &row, self.now())
                .await?;
            self.wake_delivery();
        }
        Ok(())
    }

    /// Redraws one card as the incident is now (nothing is sent if it would not change).
    pub(super) async fn redraw(
        &self,
        m: &OutboxMessage,
        chat: ChatRef,
        message: i64,
        record: &IncidentRecord,
        ports: &[Arc<dyn MessengerPort>],
    ) -> Result<Outcome, CoreError> {
        let (Some(card), Some(port)) = (
            self.store.card(chat, message).await?,
            port_for(ports, chat.messenger),
        ) else {
            return Ok(Outcome::Skipped);
        };
        let Ok(notice) = serde_json::from_value::<Notice>(card.notice.clone()) else {
            return Ok(Outcome::Skipped);
        };
        let rules = self.org(m.org).await?;
        let absences = match card.viewer {
            Some(_) => self.store.absences_at(record.org, self.now()).await?,
            None => Vec::new(),
        };
        let viewer = self.viewer(&rules, card.viewer, chat, &absences).await?;
        let Some(mut view) = self.draw_notice(&rules, &notice, record, &viewer).await? else {
            return Ok(Outcome::Skipped);
        };
        let fingerprint = view.fingerprint();
        if fingerprint == card.rendered {
            return Ok(Outcome::Skipped);
        }
        view.attachments.clear();
        match port.edit(chat.id, message, &view).await {
            Ok(()) | Err(SendError::NotModified) => {
                self.store
                    .set_card_rendered(chat, message, fingerprint)
                    .await?;
                Ok(Outcome::Delivered)
            }
            // Deleted or too old to edit: the card is sent again (in a turn of its own).
            Err(SendError::Gone) => {
                port.turn(chat.id).await;
                match port.send(chat.id, &view).await {
                    Ok(new_id) => {
                        self.store
                            .move_card(chat, message, new_id, fingerprint)
                            .await?;
                        Ok(Outcome::Delivered)
                    }
                    Err(e) => {
                        self.failed_redraw(e, chat, message, fingerprint, port)
                            .await
                    }
                }
            }
            Err(e) => {
                self.failed_redraw(e, chat, message, fingerprint, port)
                    .await
            }
        }
    }

    /// A redraw that failed: tried again when it may pass; not when the chat cannot be written
    /// to or the messenger refused it (the card is taken as drawn, or it would be retried
    /// forever).
    async fn failed_redraw(
        &self,
        e: SendError,
        chat: ChatRef,
        message: i64,
        fingerprint: i64,
        port: &Arc<dyn MessengerPort>,
    ) -> Result<Outcome, CoreError> {
        if let SendError::Unreachable(_) | SendError::Refused(_) = &e {
            tracing::warn!(error = %e, "a card cannot be redrawn");
            self.store
                .set_card_rendered(chat, message, fingerprint)
                .await?;
            return Ok(Outcome::Delivered);
        }
        self.failed_send(e, None, chat, port).await
    }

    /// A group's backlog summary: sent, or redrawn where it is shown.
    pub(super) async fn show_backlog(
        &self,
        m: &OutboxMessage,
        chat: ChatRef,
        ports: &[Arc<dyn MessengerPort>],
    ) -> Result<Outcome, CoreError> {
        let (Some(summary), Some(port)) = (
            self.store.backlog_summary(chat).await?,
            port_for(ports, chat.messenger),
        ) else {
            return Ok(Outcome::Skipped);
        };
        if summary.org != m.org {
            return Ok(Outcome::Skipped);
        }
        let waiting = self.store.still_new(&summary.incidents).await?;
        let view = match (waiting.is_empty(), summary.message_id) {
            // Every one listed is triaged: the summary says so, and the next starts anew.
            (true, Some(_)) => self.backlog_view(&[]),
            (true, None) => return Ok(Outcome::Skipped),
            (false, _) => self.backlog_view(&waiting),
        };
        if let Some(message) = summary.message_id {
            match port.edit(chat.id, message, &view).await {
                Ok(()) | Err(SendError::NotModified) => return Ok(Outcome::Delivered),
                Err(SendError::Gone) => port.turn(chat.id).await,
                Err(e) => return self.failed_send(e, None, chat, port).await,
            }
        }
        match port.send(chat.id, &view).await {
            Ok(message) => {
                self.store.set_backlog_message(chat, message).await?;
                Ok(Outcome::Delivered)
            }
            Err(e) => self.failed_send(e, None, chat, port).await,
        }
    }
}
