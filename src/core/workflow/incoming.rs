//! What any messenger's adapter does with an update from a person, in one place: a message is
//! screened (a stranger writing in private is answered now and then and nothing is recorded),
//! then taken — "/start CODE" redeems an invite, anything else from a known person goes to
//! `Core::message` — and a button press goes to `Core::press`. The adapters only claim the
//! update (so a redelivery changes nothing) between screening and taking, answer the press
//! with its toast at once, and show whatever reply is left.
//!
//! What a known person's press or message shows goes through the outbox, in the lane of answers
//! (`Notice::Show`), written right after the change the press made (not in its transaction: a
//! crash between the two loses the answer, not the change): it waits for no chat's backlog, it
//! is not lost in a restart once written, and a chat that cannot be written to is recorded as
//! such once, without failing the update. A press in a group that opens work of several steps
//! continues in the presser's private chat.

use crate::core::notices::{Lane, Notice};
use crate::core::CoreError;
use crate::core::{Account, Action, Conversation, Core, Input, Reply, Toast, View, Who};
use crate::domain::content::{ChatRef, Messenger};
use crate::storage::{OutboxRow, Recipient};
use crate::texts::Arg;

/// A message before its update is claimed.
pub enum Arrival {
    /// From a known person in their private chat.
    Known(Who),
    /// From a stranger in private: show this (often nothing) and record nothing.
    Stranger(Reply),
    /// In a group, or an invite: who it is from is found when it is taken.
    Later,
}

impl Core {
    /// Screens a message before anything is written for it: a flood from an unlinked account
    /// costs one lookup per message.
    pub async fn arrival(
        &self,
        account: Account,
        place: Conversation,
        text: &str,
    ) -> Result<Arrival, CoreError> {
        if !place.private || text.starts_with("/start ") {
            return Ok(Arrival::Later);
        }
        Ok(match self.identify(account, place).await? {
            Some(who) => Arrival::Known(who),
            None => Arrival::Stranger(self.stranger_reply(account)),
        })
    }

    /// Takes a message whose update is claimed; `known` is the person `arrival` found. An error
    /// inside is logged and answered with an apology in private (silence in a group).
    pub async fn take_message(
        &self,
        account: Account,
        place: Conversation,
        known: Option<Who>,
        input: Input,
    ) -> Reply {
        let reply = async {
            // An invite link opens the bot with "/start CODE".
            if let (true, Some(code)) = (
                place.private,
                input
                    .text
                    .strip_prefix("/start ")
                    .map(str::trim)
                    .filter(|c| !c.is_empty()),
            ) {
                return self.redeem_invite(account, code).await;
            }
            let who = match known {
                Some(who) => Some(who),
                None => self.identify(account, place).await?,
            };
            match who {
                Some(who) => {
                    let reply = self.message(&who, input).await?;
                    self.queue_reply(&who, None, reply, false).await
                }
                None if place.private => Ok(self.stranger_reply(account)),
                None => Ok(Reply::nothing()),
            }
        }
        .await;
        match reply {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(messenger = account.messenger.key(), error = %e, "a message could not be handled");
                if place.private {
                    self.internal_error_message()
                } else {
                    Reply::nothing()
                }
            }
        }
    }

    /// Takes a button press whose update is claimed: `action` is `None` for a payload the
    /// adapter could not read; `pressed` is the message the button was on.
    pub async fn take_press(
        &self,
        account: Account,
        place: Conversation,
        action: Option<Action>,
        pressed: Option<i64>,
    ) -> Reply {
        let reply = async {
            let Some(action) = action else {
                return Ok(self.unreadable_button());
            };
            match self.identify(account, place).await? {
                Some(who) => {
                    let reply = self.press(&who, action, pressed).await?;
                    self.queue_reply(&who, pressed, reply, true).await
                }
                None => Ok(self.stranger_toast()),
            }
        }
        .await;
        match reply {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(messenger = account.messenger.key(), error = %e, "a button press could not be handled");
                self.internal_error_toast()
            }
        }
    }

    /// Queues what a reply shows (in the lane of answers) and returns what is left for the
    /// adapter: the toast. The pressed message's new look stays where it was pressed; what a
    /// press in a group sends goes to the presser's private chat (the group's minute is for
    /// what everyone needs to see), and the press says so.
    async fn queue_reply(
        &self,
        who: &Who,
        pressed: Option<i64>,
        mut reply: Reply,
        from_press: bool,
    ) -> Result<Reply, CoreError> {
        let here = who.chat();
        let private = who.private_chat();
        // A press in a group whose answer goes to the presser's private chat says so.
        let moved = from_press
            && !who.in_private()
            && !(reply.send.is_empty() && reply.notices.is_empty() && reply.to_person.is_empty());
        // A question or a choice is continued there; anything else was just sent there.
        let continued = reply
            .send
            .iter()
            .chain(&reply.to_person)
            .any(|v| v.expects_reply || !v.buttons.is_empty());
        let onward = if from_press { private } else { Some(here) };
        let mut shown: Vec<(ChatRef, Notice)> = Vec::new();
        if let (Some(view), Some(message)) = (reply.edit.take(), pressed) {
            shown.push((here, self.show_notice(who, here, view, Some(message))));
        }
        let mut lost = false;
        for view in std::mem::take(&mut reply.send) {
            match onward {
                Some(chat) => shown.push((chat, self.show_notice(who, chat, view, None))),
                None => lost = true,
            }
        }
        for notice in std::mem::take(&mut reply.notices) {
            match onward {
                Some(chat) => shown.push((chat, notice)),
                None => lost = true,
            }
        }
        for view in std::mem::take(&mut reply.to_person) {
            match private {
                Some(chat) => shown.push((chat, self.show_notice(who, chat, view, None))),
                None => lost = true,
            }
        }
        if lost {
            // Nowhere to continue: the person has no private chat with the bot here.
            reply.toast = Some(Toast {
                text: self.texts.t("err-open-private-chat"),
                alert: true,
            });
        } else if moved && reply.toast.is_none() {
            let key = if continued {
                "ok-continue-in-private"
            } else {
                "ok-sent-to-private"
            };
            reply.toast = Some(Toast {
                text: self.texts.t(key),
                alert: false,
            });
        }
        if shown.is_empty() {
            return Ok(reply);
        }
        let stamp = self.now().timestamp_micros();
        // Presses within one clock tick (tests stop the clock) still make their own rows.
        let suffix = crate::core::workflow::press::rand_suffix();
        let rows: Vec<OutboxRow> = shown
            .into_iter()
            .enumerate()
            .map(|(i, (chat, notice))| OutboxRow {
                incident: None,
                recipient: Recipient::Chat(chat),
                kind: notice.kind().to_string(),
                payload: notice.to_json(),
                key: format!("show:{}:{stamp}:{suffix}:{i}", who.person()),
                lane: Lane::Answer.number(),
            })
            .collect();
        self.store
            .enqueue(who.org(), None, &rows, self.now())
            .await?;
        self.wake_delivery();
        Ok(reply)
    }

    /// An answer to show in `chat`: in a private chat it is the person's (who cannot be reached
    /// if it fails); a group's is the group's.
    fn show_notice(&self, who: &Who, chat: ChatRef, view: View, edit: Option<i64>) -> Notice {
        Notice::Show {
            view,
            edit,
            person: (!chat.is_group()).then_some(who.person()),
        }
    }

    /// The bot was added to a group chat: the chat's id is logged, and a chat no organisation
    /// works in yet is told what the administrator puts into the organisation file to make it
    /// the curators' chat.
    pub async fn added_to_chat(&self, chat: ChatRef) -> Result<Reply, CoreError> {
        let known = !self.store.group_chat(chat).await?.is_empty();
        tracing::info!(
            messenger = chat.messenger.key(),
            chat = chat.id,
            known,
            "the bot was added to a group chat"
        );
        if known {
            return Ok(Reply::nothing());
        }
        let key = match chat.messenger {
            Messenger::Telegram => "chat-added",
            Messenger::Max => "chat-added-max",
        };
        let id = chat.id.to_string();
        Ok(Reply::say(View::text(
            self.texts.tf(key, &[("chat", Arg::from(&id))]),
        )))
    }
}
