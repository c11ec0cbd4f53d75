//! Who acts, and where: a messenger account, a conversation, and the person behind them as the
//! core knows them (`Core::identify` makes a `Who`).

use crate::domain::content::{ChatRef, Messenger};
use crate::domain::{OrgId, PersonId};

/// A messenger account: the messenger and the person's id there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Account {
    pub messenger: Messenger,
    pub id: i64,
}

/// Where a person talks to the bot: a messenger chat, private or a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Conversation {
    pub chat: ChatRef,
    pub private: bool,
}

/// Who is acting, and in which conversation. Made by `Core::identify` from a messenger account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who {
    pub(super) person: PersonId,
    pub(super) org: OrgId,
    pub(super) place: Conversation,
    /// The person's private chat with the bot in the conversation's messenger, if they have an
    /// account there (where multi-step work started in a group goes on).
    pub(super) private: Option<ChatRef>,
}

impl Who {
    pub fn person(&self) -> PersonId {
        self.person
    }

    pub fn org(&self) -> OrgId {
        self.org
    }

    /// The messenger chat the person wrote or pressed in.
    pub fn chat(&self) -> ChatRef {
        self.place.chat
    }

    /// Whether it is the person's private chat with the bot.
    pub fn in_private(&self) -> bool {
        self.place.private
    }

    /// The person's private chat with the bot (in this conversation's messenger).
    pub fn private_chat(&self) -> Option<ChatRef> {
        if self.place.private {
            return Some(self.place.chat);
        }
        self.private
    }

    /// The same person in their private chat with the bot.
    pub fn in_private_chat(&self) -> Option<Who> {
        self.private_chat().map(|chat| Who {
            place: Conversation {
                chat,
                private: true,
            },
            ..*self
        })
    }
}
