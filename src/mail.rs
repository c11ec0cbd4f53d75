//! The SMTP side: sends the core's letters (59-FZ appeals) with `lettre`.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::core::delivery::SendError;
use crate::core::workflow::appeals::MailPort;

/// How long one letter may take before it counts as failed (and is retried).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// Letters over SMTP; the server comes with each letter (it is per organisation).
#[derive(Debug, Clone, Default)]
pub struct SmtpMail;

#[async_trait]
impl MailPort for SmtpMail {
    async fn send(
        &self,
        smtp: &str,
        from: &str,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), SendError> {
        let letter = Message::builder()
            .from(
                from.parse()
                    .map_err(|e| SendError::Refused(format!("sender: {e}")))?,
            )
            .to(to
                .parse()
                .map_err(|e| SendError::Refused(format!("recipient: {e}")))?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| SendError::Refused(e.to_string()))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp)
            .map_err(|e| SendError::Refused(format!("the mail server address: {e}")))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        transport
            .send(letter)
            .await
            .map(|_| ())
            .map_err(|e| SendError::Failed(e.to_string()))
    }
}
