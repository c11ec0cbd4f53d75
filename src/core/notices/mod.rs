//! Who must hear about what. A transition's events become notices for audiences (the part's
//! executor, the curators, the head, ...), audiences become recipients as the directory stands,
//! and each becomes an outbox row in the same transaction as the state change. The delivery
//! worker draws each notice as a view (`cards::draw`) — one match over this enum, so a notice
//! kind without a drawing does not compile.
//!
//! It decides and sends nothing: who may act is the domain's, what a notice looks like is
//! `cards/`, when it leaves is `delivery/`.
//!
//! `notice.rs` says what a notice is, `audience.rs` who it is for, `events.rs` which event calls
//! for which notice, `rows.rs` and `outbox.rs` how notices become outbox rows (quiet hours,
//! digests).

mod audience;
mod events;
mod notice;
pub(crate) mod outbox;
mod rows;

pub use crate::core::delivery::lane::Lane;
pub use audience::{clarification_publisher, owner, recipients, Audience, Directory};
pub use events::{notices_for, refresh_row};
pub use notice::{Notice, PressedCard, COLLAPSIBLE_KINDS};
pub use rows::{digest_timer, outbox_rows, Planned, Quiet};
