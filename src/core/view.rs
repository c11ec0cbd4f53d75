//! View models: what to show, as data. A card, a prompt, a refusal. Adapters turn them into their
//! messenger's markup (Telegram: HTML and an inline keyboard) and never decide what they contain.
//! Text here is plain (not escaped); each line says what kind of line it is.

use serde::{Deserialize, Serialize};

use crate::core::action::Action;

/// One line of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Line {
    /// The headline (bold in Telegram).
    Title(String),
    Text(String),
    /// A line under the one before it (working time left under a deadline).
    Indented(String),
    /// The citizen's words or a draft, quoted.
    Quote(String),
    Blank,
    /// Text to copy as it is (an e-mail to forward).
    Preformatted(String),
}

/// A button: its label and what pressing it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub label: String,
    pub action: Action,
}

/// A message to show. Serialised when it waits in the outbox (an answer to a press); a file
/// Otklik made is not (a report goes as its own notice and is drawn when it is sent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub lines: Vec<Line>,
    /// Rows of buttons (at most two a row, the likely action first).
    pub buttons: Vec<Vec<Button>>,
    /// A prompt: the next message of the person answers it (in a group the adapter asks the
    /// messenger to make it a reply, so it reaches the bot in privacy mode).
    pub expects_reply: bool,
    /// Files (opaque ids of the adapter's messenger) to send after the message.
    pub attachments: Vec<String>,
    /// A file Otklik made (a report's chart or spreadsheet): sent as the message itself, the
    /// lines being its caption.
    #[serde(skip)]
    pub file: Option<Upload>,
}

/// A file to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub name: String,
    pub kind: UploadKind,
    pub bytes: Vec<u8>,
}

/// How a file is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadKind {
    /// A picture shown in the chat (PNG).
    Image,
    /// A file to download (a spreadsheet).
    Document,
}

impl View {
    /// One plain text message.
    pub fn text(text: impl Into<String>) -> View {
        View {
            lines: vec![Line::Text(text.into())],
            ..View::default()
        }
    }

    /// A question whose answer is the person's next message.
    pub fn prompt(text: impl Into<String>) -> View {
        View {
            lines: vec![Line::Text(text.into())],
            expects_reply: true,
            ..View::default()
        }
    }

    pub fn with_buttons(mut self, buttons: Vec<Vec<Button>>) -> View {
        self.buttons = buttons;
        self
    }

    /// Every action on the view's buttons.
    pub fn actions(&self) -> Vec<Action> {
        self.buttons.iter().flatten().map(|b| b.action).collect()
    }

    /// The text without markup, one line per line (logs and tests).
    pub fn plain(&self) -> String {
        self.lines
            .iter()
            .map(|l| match l {
                Line::Title(s) | Line::Text(s) | Line::Preformatted(s) => s.clone(),
                Line::Indented(s) => format!("   {s}"),
                Line::Quote(s) => format!("«{s}»"),
                Line::Blank => String::new(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A fingerprint of what the view shows, stable across runs (FNV-1a), so a card is edited
    /// only when it would change.
    pub fn fingerprint(&self) -> i64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |s: &str| {
            for b in s.bytes().chain(std::iter::once(0xff)) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        eat(&self.plain());
        for row in &self.buttons {
            for b in row {
                eat(&b.label);
                eat(&format!("{:?}", b.action));
            }
            eat("/");
        }
        // 0 means "unknown" in the cards table.
        match h as i64 {
            0 => 1,
            v => v,
        }
    }
}

/// A short answer to a button press (a toast; an alert when it must be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub alert: bool,
}
