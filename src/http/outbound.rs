//! The HTTP client side: posts the core's signed reports to a monitoring system's webhook.

use std::time::Duration;

use async_trait::async_trait;

use crate::core::delivery::SendError;
use crate::core::integrations::monitoring::WebhookPort;

/// How long one post may take before it counts as failed (and is retried).
const POST_TIMEOUT: Duration = Duration::from_secs(15);

/// A webhook client over `reqwest`.
#[derive(Debug, Clone)]
pub struct HttpWebhook {
    client: reqwest::Client,
}

impl HttpWebhook {
    pub fn new() -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(POST_TIMEOUT)
            .user_agent(concat!("otklik/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client })
    }
}

#[async_trait]
impl WebhookPort for HttpWebhook {
    async fn post(
        &self,
        url: &str,
        headers: &[(&'static str, String)],
        body: Vec<u8>,
    ) -> Result<(), SendError> {
        let mut request = self.client.post(url).body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| SendError::Failed(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        match retry_after {
            Some(s) if status == reqwest::StatusCode::TOO_MANY_REQUESTS => {
                Err(SendError::RetryAfter(Duration::from_secs(s.min(600))))
            }
            _ => Err(SendError::Failed(format!("the webhook answered {status}"))),
        }
    }
}
