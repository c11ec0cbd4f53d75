//! What happens because time passes: the scheduler turns due timers into notices (reminders,
//! deadlines, escalations, the weekend duty alert and its repeats, digests after quiet hours,
//! scheduled reports), overviews (`/open`, `/overdue`, the morning digest), and the injected
//! clock every use case reads.
//!
//! Which timers an incident has is the domain's (`domain::timers`); how a reminder reads is
//! `cards/time.rs`. It must not send: its notices go to the outbox.

pub mod clock;
pub(crate) mod overview;
pub mod scheduler;
