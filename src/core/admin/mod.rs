//! Running an organisation: directory commands in chat (`directory.rs`: absences, people, the
//! duty roster), the answer templates (`templates.rs`, `/template`), what `/metrics` reports,
//! the daily anonymisation (152-FZ) and answering people not in the directory.
//!
//! It changes the directory and personal data only; incidents change through `workflow/`.

pub(crate) mod directory;
pub(crate) mod metrics;
pub(crate) mod observe;
pub(crate) mod retention;
pub(crate) mod strangers;
pub(crate) mod templates;
