//! What the adapters report as they work (HTTP requests, updates, messenger errors), and the
//! `/metrics` page: the gauges read from the store at each scrape, and every counter.

use std::time::Duration;

use crate::core::{Core, CoreError};

impl Core {
    /// An HTTP request answered (by route pattern, never the path with its ids).
    pub fn observe_http(&self, route: &str, status: u16, took: Duration) {
        if let Some(m) = &self.metrics {
            m.http
                .with_label_values(&[route, &status.to_string()])
                .observe(took.as_secs_f64());
        }
    }

    /// A messenger update handled; `kind`: "message", "callback", ...
    pub fn observe_update(&self, messenger: &str, kind: &str, took: Duration) {
        if let Some(m) = &self.metrics {
            m.updates
                .with_label_values(&[messenger, kind])
                .observe(took.as_secs_f64());
        }
    }

    /// A message a messenger did not take; `kind`: "rate_limited", "unreachable", ...
    pub fn messenger_error(&self, messenger: &str, kind: &str) {
        if let Some(m) = &self.metrics {
            m.messenger_errors
                .with_label_values(&[messenger, kind])
                .inc();
        }
    }

    /// The `/metrics` page: the gauges read from the store now, and every counter.
    pub async fn metrics_text(&self) -> Result<String, CoreError> {
        let Some(m) = &self.metrics else {
            return Ok(String::new());
        };
        let now = self.now();
        m.set(&self.store.figures(now).await?, now);
        Ok(m.render()?)
    }
}
