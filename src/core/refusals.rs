//! What a person is told when the state machine refuses a command.

use super::view::{Reply, Toast};
use super::Core;
use crate::domain::incident::TransitionError;

impl Core {
    /// What to tell a person whose command was refused.
    pub(crate) fn refusal(&self, e: &TransitionError) -> Toast {
        let t = |k: &str| self.texts.t(k);
        match e {
            TransitionError::AlreadyDone(_) => Toast {
                text: t("already-done"),
                alert: false,
            },
            TransitionError::NotAllowed(_) => Toast {
                text: t("err-not-allowed"),
                alert: true,
            },
            TransitionError::WrongState { .. } | TransitionError::NoSuchPart(_) => Toast {
                text: t("err-wrong-state"),
                alert: true,
            },
            TransitionError::StaleDraft { .. } => Toast {
                text: t("err-stale"),
                alert: true,
            },
            TransitionError::NotInRegulation(_) => Toast {
                text: t("err-not-in-regulation"),
                alert: true,
            },
            TransitionError::Invalid(_) | TransitionError::MissingCuratorDeadline(_) => Toast {
                text: t("err-invalid"),
                alert: true,
            },
            TransitionError::Calendar(_) => Toast {
                text: t("err-internal"),
                alert: true,
            },
        }
    }

    pub(super) fn refused(&self, e: &TransitionError) -> Reply {
        Reply {
            toast: Some(self.refusal(e)),
            ..Reply::default()
        }
    }
}
