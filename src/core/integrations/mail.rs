//! The port a letter leaves by (59-FZ appeals to the appeals office): implemented over SMTP by
//! `crate::mail`.

use async_trait::async_trait;

use crate::core::delivery::SendError;

/// Sends one letter. Implemented over SMTP by `crate::mail`.
#[async_trait]
pub trait MailPort: Send + Sync + std::fmt::Debug {
    /// `Ok` once the mail server accepted the letter.
    async fn send(
        &self,
        smtp: &str,
        from: &str,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), SendError>;
}
