//! What the adapter shows after a press or a message: a toast, an edit of the pressed message,
//! messages to send, and notices drawn when they are sent.

use crate::core::notices::Notice;
use crate::core::view::{Toast, View};

/// What the adapter shows after a press or a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// The answer to the press itself (`None`: answer silently).
    pub toast: Option<Toast>,
    /// A new look for the message the button was on.
    pub edit: Option<View>,
    /// Messages to send into the conversation, in order.
    pub send: Vec<View>,
    /// Messages for the person's private chat (e.g. a long text asked for in a group).
    pub to_person: Vec<View>,
    /// Notices drawn when they are sent (a report's pieces), for the conversation.
    pub notices: Vec<Notice>,
}

impl Reply {
    pub fn toast(text: String) -> Reply {
        Reply {
            toast: Some(Toast { text, alert: false }),
            ..Reply::default()
        }
    }

    pub fn alert(text: String) -> Reply {
        Reply {
            toast: Some(Toast { text, alert: true }),
            ..Reply::default()
        }
    }

    pub fn say(view: View) -> Reply {
        Reply {
            send: vec![view],
            ..Reply::default()
        }
    }

    pub fn nothing() -> Reply {
        Reply::default()
    }
}
