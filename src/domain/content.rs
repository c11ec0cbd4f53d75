//! What intake knows of a citizen's message: where it was found, what it says, and (when Otklik
//! can answer it itself) where it lives in a messenger. Pure data, shared by every way in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{IncidentId, OrgId};
use super::incident::Incident;
use super::regulation::Importance;

/// The longest value (in characters) intake takes for each text field; beyond it the request is
/// refused (`422`), so that no stored field can make a card too long for a messenger.
pub mod limits {
    pub const EXTERNAL_ID: usize = 200;
    pub const URL: usize = 2048;
    pub const AUTHOR: usize = 256;
    /// A VK post holds up to 16 384 characters.
    pub const TEXT: usize = 16_384;
    pub const TOPIC: usize = 200;
    pub const LOCATION: usize = 500;
    pub const NAME: usize = 200;
    pub const ATTACHMENTS: usize = 20;
}

/// Text from a messenger as it is stored: NUL characters removed (PostgreSQL cannot store
/// them, and they carry nothing a person wrote).
pub fn storable(text: &str) -> String {
    text.replace('\0', "")
}

/// Where a message was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Vk,
    Ok,
    Telegram,
    Max,
    Web,
    Other,
}

impl Source {
    pub fn key(self) -> &'static str {
        match self {
            Source::Vk => "vk",
            Source::Ok => "ok",
            Source::Telegram => "telegram",
            Source::Max => "max",
            Source::Web => "web",
            Source::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        [
            Source::Vk,
            Source::Ok,
            Source::Telegram,
            Source::Max,
            Source::Web,
            Source::Other,
        ]
        .into_iter()
        .find(|x| x.key() == s)
    }
}

/// Public comment, private message, or a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Comment,
    Direct,
    Post,
}

impl MessageKind {
    pub fn key(self) -> &'static str {
        match self {
            MessageKind::Comment => "comment",
            MessageKind::Direct => "direct",
            MessageKind::Post => "post",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        [MessageKind::Comment, MessageKind::Direct, MessageKind::Post]
            .into_iter()
            .find(|x| x.key() == s)
    }
}

/// What the citizen wrote and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentContent {
    pub source: Source,
    pub kind: MessageKind,
    /// The link to the message; empty when there is none (a message entered by hand).
    pub url: String,
    pub external_id: Option<String>,
    pub author: String,
    pub text: String,
    pub attachments: Vec<String>,
    pub repeat_of: Option<IncidentId>,
}

/// A messenger chat (a private chat, a group, a channel's discussion group).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChatRef {
    pub messenger: Messenger,
    pub id: i64,
}

impl ChatRef {
    /// Whether it is a group chat: both messengers number groups (and channels) below zero and a
    /// private chat with the person's own (positive) id.
    pub fn is_group(&self) -> bool {
        self.id < 0
    }
}

/// The messengers Otklik talks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Messenger {
    Telegram,
    Max,
}

impl Messenger {
    pub fn key(self) -> &'static str {
        match self {
            Messenger::Telegram => "telegram",
            Messenger::Max => "max",
        }
    }

    pub fn parse(s: &str) -> Option<Messenger> {
        [Messenger::Telegram, Messenger::Max]
            .into_iter()
            .find(|m| m.key() == s)
    }
}

/// Where a message lives in a messenger, when Otklik can publish the answer there itself (a
/// comment in the organisation's own channel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTarget {
    pub chat: ChatRef,
    pub message: i64,
}

/// A new incident from intake.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub content: IncidentContent,
    pub reply_to: Option<ReplyTarget>,
    pub detected_at: DateTime<Utc>,
    pub importance: Importance,
    pub external_deadline: Option<DateTime<Utc>>,
    pub topic: Option<String>,
    pub location: Option<String>,
}

/// An incident as kept: its identity, the citizen's message and the workflow state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRecord {
    pub id: IncidentId,
    pub org: OrgId,
    /// The organisation's running number, the one people say («№ 1287»).
    pub number: i64,
    pub content: IncidentContent,
    pub reply_to: Option<ReplyTarget>,
    pub workflow: Incident,
}

/// What a topic asks an answer to show of the work done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    /// A photo of the work done.
    Photo,
}

impl Proof {
    pub fn key(self) -> &'static str {
        match self {
            Proof::Photo => "photo",
        }
    }

    pub fn parse(key: &str) -> Option<Proof> {
        match key {
            "photo" => Some(Proof::Photo),
            _ => None,
        }
    }
}

/// A place shared with a draft, kept among its files as "location:LAT,LON" (six decimals: about
/// 10 cm), the same in every messenger.
pub fn location_attachment(latitude: f64, longitude: f64) -> String {
    format!("location:{latitude:.6},{longitude:.6}")
}

/// The coordinates of a kept place (`None` for a file, or a malformed or impossible place).
pub fn location_of(attachment: &str) -> Option<(f64, f64)> {
    let (lat, lon) = attachment.strip_prefix("location:")?.split_once(',')?;
    let (lat, lon): (f64, f64) = (lat.parse().ok()?, lon.parse().ok()?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

#[cfg(test)]
mod location_tests {
    use super::*;

    #[test]
    fn a_place_is_kept_and_read_back() {
        let kept = location_attachment(46.959_1, 142.738);
        assert_eq!(kept, "location:46.959100,142.738000");
        assert_eq!(location_of(&kept), Some((46.9591, 142.738)));
        assert_eq!(location_of("photo:AgAC"), None);
        assert_eq!(location_of("location:91,0"), None);
        assert_eq!(location_of("location:abc"), None);
    }
}
