//! Every text the code asks for exists in dialogues/ru.ftl, so a missing key is caught here and
//! not by a user; and no chat text is written in the code.

use otklik::domain::incident::IncidentState;
use otklik::domain::regulation::Stage;
use otklik::texts::Texts;

/// Every string literal that looks like a text key (kebab-case) in the chat-facing code.
fn keys_in_code() -> Vec<String> {
    let mut keys = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![
        root.join("src/core"),
        root.join("src/telegram"),
        root.join("src/max"),
        root.join("src/messenger"),
    ];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for path in files {
        let source = std::fs::read_to_string(path).unwrap();
        for (i, chunk) in source.split('"').enumerate() {
            let is_literal = i % 2 == 1;
            let kebab = chunk.contains('-')
                && chunk.chars().any(|c| c.is_ascii_lowercase())
                && !chunk.starts_with('-')
                && !chunk.ends_with('-')
                && chunk
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if is_literal && kebab {
                keys.push(chunk.to_string());
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

#[test]
fn every_key_the_code_uses_exists() {
    let texts = Texts::load(Some(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/dialogues"
    ))))
    .unwrap();
    let keys = keys_in_code();
    assert!(keys.len() > 80, "too few keys found: {keys:?}");
    let missing: Vec<&String> = keys.iter().filter(|k| !texts.has(k)).collect();
    assert!(
        missing.is_empty(),
        "missing in dialogues/ru.ftl: {missing:?}"
    );
}

#[test]
fn every_key_built_at_run_time_exists() {
    let texts = Texts::load(None).unwrap();
    let mut keys: Vec<String> = Vec::new();
    keys.extend(Stage::ALL.iter().map(|s| format!("stage-{}", s.key())));
    keys.push(otklik::domain::regulation::Subject::ClarificationFollowUp.text_key());
    // A calendar-clock deadline outside office hours (`cards::Draw::due_key`).
    for key in [
        "card-deadline",
        "card-final",
        "card-department-total",
        "card-explanation-deadline",
    ] {
        keys.push(format!("{key}-outside-hours"));
    }
    keys.extend((1..=7).map(|d| format!("weekday-{d}")));
    keys.extend((1..=12).map(|m| format!("month-{m}")));
    for state in [
        "routed",
        "accepted",
        "draft_submitted",
        "rework_requested",
        "clarification_approved",
        "awaiting_author",
        "approved",
        "awaiting_final",
        "done",
        "returned",
    ] {
        keys.push(format!("status-{state}"));
    }
    for state in [
        IncidentState::NoAnswer,
        IncidentState::ExplanationSent,
        IncidentState::ConvertedToAppeal,
        IncidentState::Closed,
    ] {
        keys.push(format!("status-{}", state.key()));
    }
    for role in [
        "executor",
        "department_head",
        "deputy",
        "curator",
        "head",
        "duty_officer",
        "administrator",
    ] {
        keys.push(format!("role-{role}"));
    }
    let missing: Vec<&String> = keys.iter().filter(|k| !texts.has(k)).collect();
    assert!(
        missing.is_empty(),
        "missing in dialogues/ru.ftl: {missing:?}"
    );
}

#[test]
fn an_edited_dialogue_file_is_used_without_rebuilding() {
    let dir = tempfile::tempdir().unwrap();
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/dialogues/ru.ftl")).unwrap();
    std::fs::write(
        dir.path().join("ru.ftl"),
        shipped.replace("btn-accept = ✅ Принять", "btn-accept = ✅ Беру"),
    )
    .unwrap();
    let texts = Texts::load(Some(dir.path())).unwrap();
    assert_eq!(texts.t("btn-accept"), "✅ Беру");
    assert!(Texts::load(Some(std::path::Path::new("/nonexistent"))).is_err());
}
