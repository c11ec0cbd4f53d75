//! What a person is told when their press or command is refused: the state machine's refusal
//! as a short toast or an alert.

use crate::core::reply::Reply;
use crate::core::view::Toast;
use crate::core::Core;
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

    pub(crate) fn refused(&self, e: &TransitionError) -> Reply {
        Reply {
            toast: Some(self.refusal(e)),
            ..Reply::default()
        }
    }

    /// The refusal for a button that no longer applies (an old card, a forged payload).
    pub(crate) fn outdated(&self) -> Reply {
        Reply::alert(self.texts.t("err-wrong-state"))
    }
}
