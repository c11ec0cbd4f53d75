//! What any messenger's adapter does with an update from a person, in one place: a message is
//! screened (a stranger writing in private is answered now and then and nothing is recorded),
//! then taken — "/start CODE" redeems an invite, anything else from a known person goes to
//! `Core::message` — and a button press goes to `Core::press`. The adapters only claim the
//! update (so a redelivery changes nothing) between screening and taking, and show the reply.

use super::{Account, Action, Conversation, Core, Input, Reply, View, Who};
use crate::core::CoreError;
use crate::domain::content::{ChatRef, Messenger};
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
                Some(who) => self.message(&who, input).await,
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
                Some(who) => self.press(&who, action, pressed).await,
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
