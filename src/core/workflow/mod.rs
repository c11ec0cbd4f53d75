//! What a person does to an incident: each button (`press.rs`, one arm per action) and what is
//! typed after a prompt (`input.rs`, the step waited for in `pending.rs`) go to the file of their
//! job — triage, drafts, approval, returns, the outcome (published, no answer), clarification
//! requests, explanations, 59-FZ appeals, cross-posts, repeats, the curator's own answer, answer
//! memory (similar answers, «Взять за основу», `/find`), answer templates («Шаблоны») — and
//! commands (`commands.rs`) and intake of new messages (`intake.rs`) beside them. Every command
//! of the state machine goes through `commit.rs`: the domain's `apply`, then one transaction with
//! its audit record and its notices (made by `notices/`); intake registers a new incident with
//! the same helpers.
//!
//! It must not send anything itself: what people are told goes out as notices through the
//! outbox (`delivery/` sends them), and answers to the presser as a `Reply`.

pub(crate) mod answer_memory;
pub mod appeals;
pub(crate) mod approval;
pub(crate) mod clarifications;
pub(crate) mod commands;
pub(crate) mod commit;
pub(crate) mod cross_posts;
pub(crate) mod drafts;
pub(crate) mod explanations;
pub mod incoming;
pub mod input;
pub mod intake;
pub(crate) mod outcome;
pub(crate) mod own_answer;
pub(crate) mod parse;
pub(crate) mod pending;
pub(crate) mod press;
pub(crate) mod refusals;
pub(crate) mod repeats;
pub(crate) mod returns;
pub(crate) mod templates;
pub(crate) mod triage;
pub(crate) mod updates;
