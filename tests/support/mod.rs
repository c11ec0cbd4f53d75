//! The one test harness: fresh databases on both backends (`db`), a fake Telegram Bot API
//! (`fake_telegram`) and a fake MAX Bot API (`fake_max`), and Otklik started the way `otklik run` starts it (`app`).
//! Each test binary uses part of it.
#![allow(dead_code)]

pub mod app;
pub mod core_world;
pub mod db;
pub mod fake_max;
pub mod fake_telegram;
pub mod files;
pub mod morning;
