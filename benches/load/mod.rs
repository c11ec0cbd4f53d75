//! What the load benchmarks share: their clients' latencies summed up.

use std::time::Duration;

/// Throughput and latency of one run of requests.
pub struct Summary {
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
}

impl Summary {
    /// `latencies` of every request of a run that took `elapsed`; `None` for an empty run.
    pub fn of(mut latencies: Vec<Duration>, elapsed: Duration) -> Option<Summary> {
        if latencies.is_empty() {
            return None;
        }
        latencies.sort();
        let at =
            |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
        Some(Summary {
            per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
            p50: at(0.50),
            p99: at(0.99),
        })
    }

    /// "N/s, p50 … ms, p99 … ms".
    pub fn line(&self, unit: &str) -> String {
        format!(
            "{:.0} {unit}/s, p50 {:.1} ms, p99 {:.1} ms",
            self.per_second,
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3
        )
    }
}
