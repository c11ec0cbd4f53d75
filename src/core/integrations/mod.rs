//! The systems beside the messengers: reports to the organisation's monitoring system (signed,
//! retried from the outbox), the drafts' files it fetches by signed links (`files.rs`), and what
//! the HTTP intake API shows of an incident.
//!
//! Ports only: the HTTP client and the mail server are adapters (`http::outbound`, `mail`).

pub mod api;
pub mod files;
pub mod mail;
pub mod monitoring;
pub mod webhook;
