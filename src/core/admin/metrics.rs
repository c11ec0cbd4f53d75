//! What `/metrics` says, in Prometheus' text format: counters and histograms the adapters feed
//! as they work (HTTP intake latency, update handling latency, messenger errors by kind), and
//! gauges read from the store at each scrape (incidents by organisation and state, overdue
//! incidents, the outbox queue and its oldest message, timers due). One registry per core, so
//! several applications in one process (tests) keep their own figures.

use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

use crate::storage::Figures;

/// Latency buckets, in seconds: from a millisecond to ten seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The figures of one application.
pub struct Metrics {
    registry: Registry,
    pub(crate) http: HistogramVec,
    pub(crate) updates: HistogramVec,
    pub(crate) messenger_errors: IntCounterVec,
    incidents: IntGaugeVec,
    overdue: IntGaugeVec,
    outbox_pending: IntGauge,
    outbox_oldest: Gauge,
    timers_due: IntGauge,
}

impl Metrics {
    /// A fresh registry with every metric registered.
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let histogram = |name: &str, help: &str, labels: &[&str]| {
            HistogramVec::new(
                HistogramOpts::new(name, help).buckets(BUCKETS.to_vec()),
                labels,
            )
        };
        let m = Metrics {
            registry: Registry::new(),
            http: histogram(
                "otklik_http_request_duration_seconds",
                "HTTP API requests by route and status",
                &["route", "status"],
            )?,
            updates: histogram(
                "otklik_update_duration_seconds",
                "Messenger updates (messages, button presses) handled, by messenger and kind",
                &["messenger", "kind"],
            )?,
            messenger_errors: IntCounterVec::new(
                Opts::new(
                    "otklik_messenger_errors_total",
                    "Messages a messenger did not take, by messenger and kind",
                ),
                &["messenger", "kind"],
            )?,
            incidents: IntGaugeVec::new(
                Opts::new("otklik_incidents", "Incidents by organisation and state"),
                &["organisation", "state"],
            )?,
            overdue: IntGaugeVec::new(
                Opts::new(
                    "otklik_incidents_overdue",
                    "Open incidents with a stage past its deadline, by organisation",
                ),
                &["organisation"],
            )?,
            outbox_pending: IntGauge::new(
                "otklik_outbox_pending",
                "Messages queued and not yet delivered",
            )?,
            outbox_oldest: Gauge::new(
                "otklik_outbox_oldest_age_seconds",
                "Age of the oldest message not yet delivered (0 when none)",
            )?,
            timers_due: IntGauge::new("otklik_timers_due", "Timers due and not yet fired")?,
        };
        m.registry.register(Box::new(m.http.clone()))?;
        m.registry.register(Box::new(m.updates.clone()))?;
        m.registry.register(Box::new(m.messenger_errors.clone()))?;
        m.registry.register(Box::new(m.incidents.clone()))?;
        m.registry.register(Box::new(m.overdue.clone()))?;
        m.registry.register(Box::new(m.outbox_pending.clone()))?;
        m.registry.register(Box::new(m.outbox_oldest.clone()))?;
        m.registry.register(Box::new(m.timers_due.clone()))?;
        Ok(m)
    }

    /// The gauges, set from the stored state.
    pub(crate) fn set(&self, f: &Figures, now: chrono::DateTime<chrono::Utc>) {
        // Reset first: an organisation or state with nothing left must not keep its last value.
        self.incidents.reset();
        for (org, state, n) in &f.incidents {
            self.incidents.with_label_values(&[org, state]).set(*n);
        }
        self.overdue.reset();
        for (org, n) in &f.overdue {
            self.overdue.with_label_values(&[org]).set(*n);
        }
        self.outbox_pending.set(f.outbox_pending);
        let age = f
            .outbox_oldest
            .map(|t| (now - t).num_milliseconds().max(0) as f64 / 1000.0)
            .unwrap_or(0.0);
        self.outbox_oldest.set(age);
        self.timers_due.set(f.timers_due);
    }

    pub(crate) fn render(&self) -> Result<String, prometheus::Error> {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}
