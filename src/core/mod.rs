//! The application core: every use case in one place, knowing no messenger.
//!
//! Each thing a person can do is one call taking *who* (`Who`: a person, resolved by the adapter
//! from its messenger account, in a conversation) and *what* (a typed `Action`, a text, a
//! command), and returning *what to show* (`Reply`, made of `View`s) after committing the state
//! change (one transaction with its audit record and outbox rows), or a refusal with its reason.
//!
//! Rooms, each with its module comment saying what it owns and what it must not reach into:
//!
//! - `workflow/` — what a person does to an incident: buttons (`press.rs`), multi-step input
//!   (`input.rs`), commands, intake, and the commit of a command (`commit.rs`);
//! - `notices/` — who must hear about what: a transition's events become notices for audiences,
//!   and notices become outbox rows (quiet hours, absences, the duty roster);
//! - `time/` — what the clock does: the scheduler (timers → notices: reminders, deadlines,
//!   escalations, weekend duty), overviews and the morning digest, the injected clock;
//! - `delivery/` — the outbox worker: which chat gets what next, in lanes, within each
//!   messenger's limits; coalesced redraws; answers Otklik posts under comments;
//! - `cards/` — every card as a view; `reports/` — what a report says and when it is sent;
//! - `integrations/` — the monitoring system's reports and what the intake API shows;
//! - `admin/` — directory commands, `/metrics`, retention, strangers.
//!
//! Beside them, the core's shared vocabulary only: `app.rs` (the `Core` value every use case is
//! a method of), `action.rs`, `view.rs`, `reply.rs`, `who.rs`, `org.rs`, `error.rs`.

pub mod action;
pub mod admin;
mod app;
pub mod cards;
pub mod delivery;
pub mod error;
pub mod integrations;
pub mod notices;
pub mod org;
pub mod reply;
pub mod reports;
pub mod time;
pub mod view;
mod who;
pub mod workflow;

pub use action::Action;
pub use app::{default_name, Core, CoreConfig};
pub use delivery::{MessengerPort, SendError};
pub use error::CoreError;
pub use org::OrgRules;
pub use reply::Reply;
pub use time::clock::{Clock, ManualClock, SystemClock};
pub use view::{Button, Line, Toast, View};
pub use who::{Account, Conversation, Who};
pub use workflow::input::Input;
