//! A draft is checked before the curator on the grounds regional centres return answers for:
//! the executor sees the flags on the preview, may send anyway, and the curator's approval card
//! shows them. Through the core, on SQLite and on PostgreSQL.

mod support;

use otklik::core::{Action, Input};
use otklik::domain::incident::DraftKind;
use support::app::*;
use support::core_world::*;
use support::db::TestDb;

on_both_backends!(
    a_formal_answer_is_flagged_for_the_executor_and_the_curator,
    a_photo_of_the_work_done_clears_the_topics_proof_flag,
);

/// A topic that asks for a photo of the work done, imported with the seeded organisation again.
const WITH_TOPICS: &str = r#"
[[topics]]
name = "Дороги"
proof = "photo"
"#;

async fn world_with_topics(db: &TestDb) -> World {
    let w = World::new(db, "vorsino").await;
    w.import_with(WITH_TOPICS).await;
    w
}

/// An incident routed to the executor, its topic set by the curator.
async fn on_topic(w: &World, text: &str, topic: &str) -> otklik::domain::IncidentId {
    let inc = w.routed(text).await.id;
    let curator = w.curator().await;
    w.press(&curator, Action::SetTopic { inc }).await;
    assert_eq!(said(&w.say(&curator, topic).await), "");
    inc
}

/// The executor's draft up to its preview; the preview's text.
async fn preview(w: &World, inc: otklik::domain::IncidentId, text: &str, photos: usize) -> String {
    let executor = w.executor().await;
    let asked = w
        .press(
            &executor,
            Action::StartDraft {
                inc,
                part: 0,
                kind: DraftKind::Answer,
            },
        )
        .await;
    assert!(asked.send[0].expects_reply, "{asked:?}");
    w.say(&executor, text).await;
    for i in 0..photos {
        let photo = Input {
            attachment: Some(format!("photo:work-{i}")),
            ..Input::text("")
        };
        w.core.message(&executor, photo).await.unwrap();
    }
    let preview = w.press(&executor, Action::AttachmentsDone { inc }).await;
    assert!(preview.send[0]
        .actions()
        .contains(&Action::SendDraft { inc }));
    preview.send[0].plain()
}

async fn a_formal_answer_is_flagged_for_the_executor_and_the_curator(db: &TestDb) {
    let w = world_with_topics(db).await;
    let inc = on_topic(
        &w,
        "Яма на дороге у дома 7 по ул. Мира, колесо пробил",
        "дороги",
    )
    .await;
    let formal = "В рамках компетенции сообщаем, что на основании ст. 12 Федерального закона \
                  от 02.05.2006 № 59-ФЗ, Жилищного кодекса РФ и постановления администрации \
                  № 45 ремонт дороги будет выполнен.";
    let shown = preview(&w, inc, formal, 0).await;
    for flag in [
        "⚠️ Обещание без срока: «В рамках компетенции сообщаем",
        "⚠️ Ссылок на законы и акты: 3 (допустимо не больше 2)",
        "⚠️ Канцелярская формулировка «в рамках компетенции»",
        "⚠️ По этой теме к ответу нужно фото выполненных работ — его нет.",
    ] {
        assert!(shown.contains(flag), "{flag}\n{shown}");
    }
    // Sent anyway: the curator's approval card carries the same flags.
    let executor = w.executor().await;
    let sent = w.press(&executor, Action::SendDraft { inc }).await;
    assert_eq!(toast(&sent), "📤 Отправлено на согласование.");
    w.deliver().await;
    let approval = w.sent(CURATOR_CHAT).pop().unwrap().view.plain();
    assert!(
        approval.contains("ремонт дороги будет выполнен"),
        "{approval}"
    );
    for flag in [
        "⚠️ Обещание без срока",
        "⚠️ Ссылок на законы и акты: 3",
        "⚠️ Канцелярская формулировка «в рамках компетенции»",
        "⚠️ По этой теме к ответу нужно фото",
    ] {
        assert!(approval.contains(flag), "{flag}\n{approval}");
    }
}

async fn a_photo_of_the_work_done_clears_the_topics_proof_flag(db: &TestDb) {
    let w = world_with_topics(db).await;
    // (Both incidents come from one author under one post, so the second is a repeat: the
    // answer says what was done.)
    let good = "Здравствуйте! 3 декабря работы выполнены: яму у дома 7 по ул. Мира \
                заасфальтировали, фото прилагаем. Спасибо, что сообщили.";
    // On a topic that asks for proof: flagged without a photo, clean with two.
    let road = on_topic(&w, "Яма у дома 7 по ул. Мира", "Дороги").await;
    let shown = preview(&w, road, good, 0).await;
    assert!(shown.contains("нужно фото выполненных работ"), "{shown}");
    let executor = w.executor().await;
    w.press(&executor, Action::CancelDraft { inc: road }).await;
    let shown = preview(&w, road, good, 2).await;
    assert!(!shown.contains("⚠️"), "{shown}");
    // A topic without it: the same text needs no photo.
    let heating = on_topic(&w, "Холодные батареи в доме 5", "Отопление").await;
    let shown = preview(&w, heating, good, 0).await;
    assert!(!shown.contains("⚠️"), "{shown}");
}
