//! Answer memory: the executor's card for a new incident offers published answers to similar
//! messages (Russian stemming, not exact words), «Взять за основу» opens the draft with that
//! text, `/find` searches them, and an anonymised incident is no longer offered. Through the
//! core, on SQLite and on PostgreSQL.

mod support;

use otklik::core::Action;
use otklik::domain::IncidentId;
use support::app::*;
use support::core_world::*;
use support::db::TestDb;

on_both_backends!(
    a_new_incident_is_offered_the_answer_to_a_similar_message,
    an_anonymised_answer_is_offered_no_more,
    a_repeat_is_not_offered_its_own_earlier_answer_twice,
    another_organisations_many_answers_do_not_crowd_out_ones_own,
);

const HEATING_ANSWER: &str =
    "Здравствуйте! 2 декабря на теплотрассе по ул. Ленина заменили задвижку, подача тепла в дом 5 \
     восстановлена в 15:30.";
const RUBBISH_ANSWER: &str = "Контейнерная площадка у дома 5 убрана 3 декабря, мусор вывезен.";

/// An incident routed, answered, approved and published.
async fn published(w: &World, text: &str, answer: &str) -> IncidentId {
    let inc = w.routed(text).await.id;
    w.approved_answer(inc, answer).await;
    let curator = w.curator().await;
    w.press(&curator, Action::Published { inc, part: Some(0) })
        .await;
    assert_eq!(
        said(&w.say(&curator, "https://vk.com/wall-1_1?reply=5").await),
        "Публикация записана."
    );
    inc
}

/// The executor's card of an incident, as sent.
fn executor_card(w: &World, inc: IncidentId) -> Sent {
    w.sent(EXECUTOR_TG)
        .into_iter()
        .rev()
        .find(|s| s.view.actions().contains(&Action::Accept { inc, part: 0 }))
        .expect("the executor's card")
}

async fn a_new_incident_is_offered_the_answer_to_a_similar_message(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let heating = published(&w, "Отопление отсутствует, ул. Ленина 5", HEATING_ANSWER).await;
    let rubbish = published(&w, "У дома 5 не вывозят мусор", RUBBISH_ANSWER).await;
    let heating_no = w.store.incident(heating).await.unwrap().number;

    // Other words, the same stems: the heating answer is offered, the rubbish one is not
    // (they share only «дом»).
    let new = w.routed("Нет отопления в доме 5 по Ленина!").await.id;
    let sent = executor_card(&w, new);
    let card = &sent.view;
    let shown = card.plain();
    // (The same author wrote all three, so the card also shows the latest as a repeat, with
    // its answer, above the similar answers.)
    let (_, similar) = shown
        .split_once("📚 Похожие опубликованные ответы:")
        .expect("similar answers on the card");
    assert!(similar.contains("подача тепла в дом 5"), "{shown}");
    assert!(!similar.contains("мусор вывезен"), "{shown}");
    let take = Action::DraftFrom {
        inc: new,
        part: 0,
        source: heating,
    };
    assert!(card.actions().contains(&take), "{card:?}");
    assert!(!card
        .actions()
        .iter()
        .any(|a| matches!(a, Action::DraftFrom { source, .. } if *source == rubbish)));
    assert!(card
        .buttons
        .iter()
        .flatten()
        .any(|b| b.label == format!("📋 Взять за основу №{heating_no}")));

    // «Взять за основу»: the draft holds that text; «Готово» shows it as the answer to send.
    let executor = w.executor().await;
    let opened = w.press(&executor, take).await;
    let prompt = opened.send[0].plain();
    assert!(
        prompt.contains(&format!("За основу взят ответ на №{heating_no}")),
        "{prompt}"
    );
    assert!(prompt.contains(HEATING_ANSWER), "{prompt}");
    let preview = w
        .press(&executor, Action::AttachmentsDone { inc: new })
        .await;
    assert!(preview.send[0].plain().contains(HEATING_ANSWER));
    assert!(preview.send[0]
        .actions()
        .contains(&Action::SendDraft { inc: new }));
    // Once the draft is sent, the card offers nothing more.
    w.press(&executor, Action::SendDraft { inc: new }).await;
    w.deliver().await;
    let redrawn = w.now_shows(EXECUTOR_TG, sent.message).plain();
    assert!(!redrawn.contains("Похожие"), "{redrawn}");

    // /find for an executor: any form of the words.
    let found = w.core.command(&executor, "find", "отоплении Ленина").await;
    let found = said(&found.unwrap().unwrap());
    assert!(found.contains(&format!("№{heating_no}")), "{found}");
    assert!(found.contains("подача тепла"), "{found}");
    assert!(!found.contains("мусор"), "{found}");
    // One word is enough for /find.
    let one = said(
        &w.core
            .command(&executor, "find", "отоплением")
            .await
            .unwrap()
            .unwrap(),
    );
    assert!(one.contains(&format!("№{heating_no}")), "{one}");
    let nothing = said(
        &w.core
            .command(&executor, "find", "снег")
            .await
            .unwrap()
            .unwrap(),
    );
    assert_eq!(nothing, "По запросу «снег» опубликованных ответов нет.");
    let usage = said(
        &w.core
            .command(&executor, "find", "")
            .await
            .unwrap()
            .unwrap(),
    );
    assert!(usage.contains("/find отопление Ленина"), "{usage}");
}

async fn an_anonymised_answer_is_offered_no_more(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    published(&w, "Отопление отсутствует, ул. Ленина 5", HEATING_ANSWER).await;
    let org = w.seeded.org;
    let search = || {
        w.store
            .similar_answers(org, None, None, "нет отопления Ленина", 3)
    };
    assert_eq!(search().await.unwrap().len(), 1);
    w.core
        .anonymise_before(org, w.core.now() + chrono::Duration::days(1))
        .await
        .unwrap();
    assert!(search().await.unwrap().is_empty());
    let new = w.routed("Нет отопления в доме 5 по Ленина").await.id;
    let shown = executor_card(&w, new).view.plain();
    assert!(!shown.contains("Похожие"), "{shown}");
    assert!(!shown.contains("подача тепла"), "{shown}");
}

async fn a_repeat_is_not_offered_its_own_earlier_answer_twice(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let heating = published(&w, "Отопление отсутствует, ул. Ленина 5", HEATING_ANSWER).await;
    // The same author again: a repeat of the heating incident, whose answer the card already
    // shows on the repeat's line — not again among the similar answers.
    let new = w.routed("Нет отопления в доме 5 по Ленина!").await;
    assert_eq!(new.content.repeat_of, Some(heating));
    let card = executor_card(&w, new.id).view;
    assert!(
        !card.plain().contains("Похожие опубликованные ответы"),
        "{}",
        card.plain()
    );
    assert!(!card
        .actions()
        .iter()
        .any(|a| matches!(a, Action::DraftFrom { .. })));
}

async fn another_organisations_many_answers_do_not_crowd_out_ones_own(db: &TestDb) {
    use otklik::storage::{NewOrganisation, RememberedAnswer};
    let w = World::new(db, "vorsino").await;
    let neighbours = NewOrganisation::preset("Соседняя администрация", "vorsino").unwrap();
    let other = w
        .store
        .create_organisation(&neighbours, w.core.now())
        .await
        .unwrap();
    let answer = |id: i64, org| RememberedAnswer {
        incident: IncidentId(1_000 + id),
        org,
        number: id,
        topic: None,
        department: String::new(),
        at: w.core.now(),
        message: "Нет отопления на улице Ленина".into(),
        answer: format!("Ответ №{id}: отопление восстановлено."),
    };
    // The neighbours' 200 answers match best; ours is one.
    let theirs: Vec<RememberedAnswer> = (1..=200).map(|i| answer(i, other)).collect();
    w.store.remember_answers(&theirs).await.unwrap();
    w.store
        .remember_answers(&[answer(500, w.seeded.org)])
        .await
        .unwrap();
    let found = w
        .store
        .similar_answers(w.seeded.org, None, None, "отопления нет, Ленина", 3)
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].number, 500);
}
