//! The deployment files in `deploy/` stay in step with the code: the systemd unit runs as its
//! own user with the hardening options on, the container image is multi-stage and runs as a
//! non-root user with every directory the build needs copied in, and every setting the files
//! give is one Otklik reads (listed in `.env.example`).

use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The settings `.env.example` lists (every one Otklik reads).
fn known_settings() -> BTreeSet<String> {
    read(".env.example")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect()
}

/// `NAME` in `NAME=value` or `NAME: value`, for the OTKLIK_ and DATABASE_ settings in a text.
fn settings_in(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("OTKLIK_") || *w == "DATABASE_URL")
        .map(String::from)
        .collect()
}

#[test]
fn the_systemd_unit_runs_as_its_own_user_hardened() {
    let unit = read("deploy/otklik.service");
    for line in [
        "User=otklik",
        "ExecStart=/usr/local/bin/otklik run",
        "KillSignal=SIGTERM",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "CapabilityBoundingSet=",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "SystemCallFilter=@system-service",
        "StateDirectory=otklik",
    ] {
        assert!(unit.lines().any(|l| l.trim() == line), "missing {line:?}");
    }
    let unknown: Vec<String> = settings_in(&unit)
        .difference(&known_settings())
        .cloned()
        .collect();
    assert!(unknown.is_empty(), "{unknown:?}");
}

#[test]
fn the_container_is_multi_stage_non_root_and_copies_what_the_build_needs() {
    let file = read("deploy/Dockerfile");
    let stages = file.lines().filter(|l| l.starts_with("FROM ")).count();
    assert_eq!(stages, 2, "a build stage and a small runtime stage");
    let user = file
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER line");
    assert!(!["root", "0"].contains(&user.trim()), "{user}");
    // Every directory the crate needs at build time is copied in (include_str!, migrate!,
    // include_bytes!, the manifest's benches).
    let copied: BTreeSet<&str> = file
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .filter(|l| !l.starts_with("--from"))
        .flat_map(|l| l.split_whitespace())
        .collect();
    for needed in [
        "src",
        "migrations",
        "dialogues",
        "regulations",
        "calendars",
        "assets",
        "benches",
        "Cargo.lock",
    ] {
        assert!(copied.contains(needed), "{needed} is not copied");
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(needed).exists(),
            "{needed}"
        );
    }
    let unknown: Vec<String> = settings_in(&file)
        .difference(&known_settings())
        .cloned()
        .collect();
    assert!(unknown.is_empty(), "{unknown:?}");
}

#[test]
fn the_compose_file_builds_that_image_with_postgresql() {
    let compose = read("deploy/compose.yaml");
    assert!(compose.contains("dockerfile: deploy/Dockerfile"));
    assert!(compose.contains("image: postgres:"));
    assert!(compose.contains("DATABASE_URL: postgres://"));
    let unknown: Vec<String> = settings_in(&compose)
        .difference(&known_settings())
        .cloned()
        .collect();
    assert!(unknown.is_empty(), "{unknown:?}");
}
