//! The update stream, with personal data kept out of the log: an update teloxide cannot parse
//! would otherwise be logged whole (names, usernames, message texts) at ERROR by the dispatcher.
//! Here such an update is logged by its id and kind only, and handed on without its content.

use futures_util::stream::{Map, StreamExt};
use teloxide::stop::StopToken;
use teloxide::types::{AllowedUpdate, Update, UpdateKind};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};

/// A listener whose unparsable updates carry no content.
pub struct Redacting<L>(pub L);

type Redact<E> = fn(Result<Update, E>) -> Result<Update, E>;

/// The top-level kinds an update names (`message`, `callback_query`, ...), never their content.
pub fn update_kinds(value: &serde_json::Value) -> Vec<String> {
    value
        .as_object()
        .map(|o| {
            o.keys()
                .filter(|k| k.as_str() != "update_id")
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

fn redact<E>(update: Result<Update, E>) -> Result<Update, E> {
    update.map(|mut u| {
        if let UpdateKind::Error(value) = &u.kind {
            tracing::warn!(
                update = u.id.0,
                kind = ?update_kinds(value),
                "an update could not be read and is skipped"
            );
            u.kind = UpdateKind::Error(serde_json::Value::Null);
        }
        u
    })
}

impl<'a, L> AsUpdateStream<'a> for Redacting<L>
where
    L: AsUpdateStream<'a>,
    L::StreamErr: 'a,
{
    type StreamErr = L::StreamErr;
    type Stream = Map<L::Stream, Redact<L::StreamErr>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        self.0.as_stream().map(redact as Redact<L::StreamErr>)
    }
}

impl<L, E> UpdateListener for Redacting<L>
where
    L: UpdateListener<Err = E>,
    Self: for<'a> AsUpdateStream<'a, StreamErr = E>,
{
    type Err = E;

    fn stop_token(&mut self) -> StopToken {
        self.0.stop_token()
    }

    fn hint_allowed_updates(&mut self, hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.0.hint_allowed_updates(hint)
    }
}
