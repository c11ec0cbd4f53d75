//! Otklik: answering citizens' social-network messages under regulated deadlines.
//!
//! `domain` is pure (calendar, regulations, incident state machine); everything else is an
//! adapter around it.

pub mod app;
pub mod cli;
pub mod directory_file;
pub mod domain;
pub mod http;
pub mod intake;
pub mod notify;
pub mod storage;
pub mod telegram;
pub mod texts;
pub mod warnings;
