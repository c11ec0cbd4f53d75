//! Presses and messages from people a card is not for, through the real application and the fake
//! Bot API: a forged button for another person's incident, a real button pressed by a stranger
//! or by an executor of another department, a button pressed in a foreign chat, a stranger
//! flooding the bot, invite links used twice or after they expire. Nothing changes, nothing
//! leaks, and the work a stranger causes is bounded.

mod support;

use chrono::Duration;
use otklik::domain::incident::{PartState, Role};
use otklik::domain::regulation::Importance;
use otklik::domain::IncidentId;
use otklik::storage::NewPerson;
use serde_json::json;
use support::app::*;
use support::db::TestDb;

on_both_backends!(
    buttons_work_only_for_whom_and_where_they_are_meant,
    a_stranger_flooding_the_bot_gets_a_bounded_answer_and_leaves_nothing,
    an_invite_works_once_and_not_after_it_expires,
);

const FOREIGN_GROUP: i64 = -1_009_999;
const NOT_FOR_YOU: &str = "Эта кнопка не для вас.";
const OUTDATED: &str = "Сейчас это действие недоступно: карточка устарела.";

async fn buttons_work_only_for_whom_and_where_they_are_meant(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let mine = h
        .incident_for("Нет света", Importance::Normal, Some(h.dept))
        .await;
    let theirs = h
        .incident_for("Яма на дороге", Importance::Normal, Some(h.other_dept))
        .await;
    let my_card = h
        .wait(0, "the executor's card", |c| {
            c.chat() == EXECUTOR_TG && c.buttons().contains(&format!("ac:{}:0", mine.id))
        })
        .await;
    let their_card = h
        .wait(0, "the other executor's card", |c| {
            c.chat() == OTHER_EXECUTOR_TG && c.buttons().contains(&format!("ac:{}:0", theirs.id))
        })
        .await;

    // A forged payload on the executor's own card, naming another department's incident.
    for data in [
        format!("ac:{}:0", theirs.id),
        format!("dr:{}:0:a", theirs.id),
        format!("rt:{}:0", theirs.id),
        format!("sa:{}", theirs.id),
    ] {
        let answer = h.press(EXECUTOR_TG, &my_card, &data).await;
        let text = answer.body["text"].as_str().unwrap_or_default().to_string();
        assert!(text == NOT_FOR_YOU || text == OUTDATED, "{data}: {text}");
    }
    // A real button pressed by an executor of another department, on the other executor's card
    // (as a forged client could) and in the curators' group: not theirs either way.
    let answer = h
        .press(EXECUTOR_TG, &their_card, &format!("ac:{}:0", theirs.id))
        .await;
    assert_eq!(answer.body["text"], NOT_FOR_YOU);
    let status_card = h
        .wait(0, "the curators' card", |c| {
            c.chat() == CURATOR_CHAT && c.text().contains(&format!("№{}", theirs.number))
        })
        .await;
    let answer = h
        .press(EXECUTOR_TG, &status_card, &format!("ac:{}:0", theirs.id))
        .await;
    assert_eq!(answer.body["text"], NOT_FOR_YOU);
    let answer = h
        .press(STRANGER_TG, &my_card, &format!("ac:{}:0", mine.id))
        .await;
    assert_eq!(
        answer.body["text"],
        "Вы не зарегистрированы в «Отклике». Обратитесь к администратору."
    );
    // Curators' buttons pressed by the curator in a group that is not the organisation's: the
    // card was copied there (or forged) — nothing happens and nothing is shown there.
    let since = h.fake.mark();
    for data in [
        format!("sa:{}", mine.id),
        format!("oc:{}", theirs.id),
        format!("na:{}", mine.id),
        "pg:o:0".to_string(),
        "rp:tw".to_string(),
    ] {
        h.fake.push(json!({"callback_query": {
            "id": format!("forged-{data}"), "from": {"id": CURATOR_TG, "is_bot": false, "first_name": "c"},
            "message": {"message_id": 5, "date": 1_795_000_000,
                "chat": {"id": FOREIGN_GROUP, "type": "supergroup", "title": "Чужая группа"},
                "text": "копия карточки"},
            "chat_instance": "foreign", "data": data}}));
        let answer = h
            .wait(since, &format!("the answer to {data}"), |c| {
                c.method == "answerCallbackQuery"
                    && c.body["callback_query_id"] == format!("forged-{data}")
            })
            .await;
        assert_eq!(answer.body["text"], OUTDATED, "{data}");
    }
    h.settle().await;
    assert!(
        h.fake
            .calls()
            .iter()
            .all(|c| c.chat() != FOREIGN_GROUP || c.method == "answerCallbackQuery"),
        "something was shown in a foreign group"
    );

    // Nothing changed.
    for id in [mine.id, theirs.id] {
        let stored = h.store.incident(id).await.unwrap();
        assert_eq!(stored.workflow.parts[0].state, PartState::Routed, "{id:?}");
    }
    assert!(h.store.incident(IncidentId(3)).await.is_err());
}

async fn a_stranger_flooding_the_bot_gets_a_bounded_answer_and_leaves_nothing(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let since = h.fake.mark();
    for i in 0..200 {
        h.fake
            .say(STRANGER_TG, STRANGER_TG, &format!("сообщение {i}"));
    }
    // The first message is answered with how to get access.
    h.wait(since, "the answer to the stranger", |c| {
        c.chat() == STRANGER_TG && c.text().contains("ссылку-приглашение")
    })
    .await;
    // Wait until the bot has handled every message, not only fetched it: one still queued
    // when the clock moves on would be answered as the "later" message.
    h.wait_handled("telegram", "message", 200).await;
    assert_eq!(h.fake.unconfirmed_updates(), 0, "the flood was not read");
    h.settle().await;
    let answers = |h: &TestApp| {
        h.fake
            .calls()
            .iter()
            .skip(since)
            .filter(|c| c.chat() == STRANGER_TG && c.method == "sendMessage")
            .count()
    };
    assert_eq!(answers(&h), 1, "a flood is answered once");
    // Nothing about the stranger is stored.
    assert!(h
        .store
        .account_holder(otklik::domain::content::Messenger::Telegram, STRANGER_TG)
        .await
        .unwrap()
        .is_none());
    assert!(h.store.pending_outbox().await.unwrap().is_empty());
    // Later, they are told again (once).
    h.clock.advance(Duration::minutes(11));
    let again = h.fake.mark();
    h.fake.say(STRANGER_TG, STRANGER_TG, "ещё раз");
    h.fake.say(STRANGER_TG, STRANGER_TG, "и ещё");
    h.wait(again, "the second answer", |c| {
        c.chat() == STRANGER_TG && c.method == "sendMessage"
    })
    .await;
}

async fn an_invite_works_once_and_not_after_it_expires(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let newcomer = |name: &str| NewPerson {
        full_name: name.into(),
        roles: vec![Role::Executor],
        ..NewPerson::default()
    };
    let first = h
        .store
        .create_person(h.org, &newcomer("Новиков Павел"))
        .await
        .unwrap();
    let second = h
        .store
        .create_person(h.org, &newcomer("Зайцева Ольга"))
        .await
        .unwrap();
    let code = h
        .store
        .create_invite(first, h.core.now(), Duration::days(1))
        .await
        .unwrap();
    let late = h
        .store
        .create_invite(second, h.core.now(), Duration::days(1))
        .await
        .unwrap();
    let since = h.fake.mark();
    h.fake.say(4004, 4004, &format!("/start {code}"));
    let welcome = h.wait(since, "welcome", |c| c.chat() == 4004).await;
    assert!(welcome.text().contains("Новиков"), "{}", welcome.text());
    // The same link a second time, from another account.
    h.fake.say(4005, 4005, &format!("/start {code}"));
    let used = h.wait(since, "used", |c| c.chat() == 4005).await;
    assert!(used.text().contains("уже использовано"), "{}", used.text());
    // A link two days old.
    h.clock.advance(Duration::days(2));
    h.fake.say(4006, 4006, &format!("/start {late}"));
    let expired = h.wait(since, "expired", |c| c.chat() == 4006).await;
    assert!(expired.text().contains("истёк"), "{}", expired.text());
    let tg = otklik::domain::content::Messenger::Telegram;
    assert_eq!(
        h.store
            .account_holder(tg, 4004)
            .await
            .unwrap()
            .map(|a| a.person),
        Some(first)
    );
    for account in [4005, 4006] {
        assert!(h.store.account_holder(tg, account).await.unwrap().is_none());
    }
}
