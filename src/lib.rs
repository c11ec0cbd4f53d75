//! Otklik: answering citizens' social-network messages under regulated deadlines.
//!
//! `domain` is pure (calendar, regulations, the incident state machine, who may do what);
//! `core` holds every use case and knows no messenger; `telegram` and `http` are adapters that
//! translate; `storage` persists; `startup` wires them.

pub mod cli;
pub mod core;
pub mod directory_file;
pub mod domain;
pub mod http;
pub mod logging;
pub mod mail;
pub mod max;
pub mod messenger;
pub mod reports;
pub mod startup;
pub mod storage;
pub mod telegram;
pub mod texts;
