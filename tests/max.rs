//! MAX end to end, through the real application with Telegram and MAX both on (one process, one
//! core, one outbox), against local fakes of both Bot APIs, on SQLite and on PostgreSQL: an
//! executor who works in MAX while the curators work in a Telegram group.

mod support;

use otklik::domain::content::Messenger;
use otklik::domain::incident::{IncidentState, PartState, Role};
use otklik::domain::regulation::Importance;
use otklik::domain::{DepartmentId, PersonId};
use otklik::messenger::pacing::SendLimits;
use otklik::storage::NewPerson;
use serde_json::json;
use support::app::*;
use support::db::TestDb;
use support::fake_max::{MaxCall, MAX_BOT_ID};

on_both_backends!(
    an_executor_in_max_answers_and_the_curators_in_telegram_approve,
    a_restart_loses_nothing_in_max,
    max_is_sent_to_within_its_limits,
    the_organisation_file_says_which_messenger_each_chat_and_person_is_in,
    max_updates_by_webhook_need_the_secret_and_count_once,
    curators_in_a_max_group_route_to_an_executor_in_telegram,
);

/// The curators' group chat in MAX.
const MAX_CURATORS: i64 = -70_000_111;
/// The curator's MAX user id.
const MAX_CURATOR: i64 = 4_400_002;

/// The executor's MAX user id.
const MAX_EXECUTOR: i64 = 4_400_001;
/// Someone in MAX Otklik does not know.
const MAX_STRANGER: i64 = 4_400_999;

/// A new executor with no messenger account yet, and an invite for them.
async fn new_executor_with_invite(h: &TestApp) -> (PersonId, String) {
    let person = h
        .store
        .create_person(
            h.org,
            &NewPerson {
                full_name: "Кузнецов Иван".into(),
                phone: None,
                roles: vec![Role::Executor],
                accounts: Vec::new(),
            },
        )
        .await
        .unwrap();
    (person, invite(h, person).await)
}

/// An invite code for a person.
async fn invite(h: &TestApp, person: PersonId) -> String {
    h.store
        .create_invite(person, h.core.now(), chrono::Duration::days(14))
        .await
        .unwrap()
}

/// A department whose only executor works in MAX and has opened the bot by invite.
async fn executor_in_max(h: &TestApp) -> (PersonId, DepartmentId) {
    let (person, code) = new_executor_with_invite(h).await;
    let dept = h
        .store
        .create_department(h.org, "Дорожное хозяйство")
        .await
        .unwrap();
    h.store.add_to_department(dept, person).await.unwrap();
    // The invite link opens the bot in MAX with the code as the start payload.
    let since = h.max().mark();
    h.max().start_bot(MAX_EXECUTOR, Some(&code));
    let welcome = h
        .max()
        .wait_for(since, "welcome", |c| {
            c.method == "send" && c.chat == MAX_EXECUTOR
        })
        .await;
    assert!(
        welcome.text().contains("Здравствуйте, Кузнецов Иван!"),
        "{}",
        welcome.text()
    );
    assert_eq!(
        h.store.account_of(person, Messenger::Max).await.unwrap(),
        Some(MAX_EXECUTOR)
    );
    (person, dept)
}

/// Routes an incident from its triage card in the curators' Telegram group; returns the
/// executor's card in MAX.
async fn route_to_max(h: &TestApp, number: i64, inc: i64, dept: DepartmentId) -> MaxCall {
    let triage = h.triage(number).await;
    // Ticked on the full card, in the curator's private chat.
    let private = h.triage_in_private(&triage, inc).await;
    let since = h.fake.mark();
    h.press(CURATOR_TG, &private, &format!("dp:{inc}:{dept}"))
        .await;
    let ticked = h
        .wait(since, "ticked triage card", |c| {
            c.method == "editMessageText"
                && c.chat() == CURATOR_TG
                && c.text().contains(&format!("Новое сообщение №{number}"))
                && c.labels()
                    .iter()
                    .any(|l| l.ends_with('✓') && !l.starts_with("обычная"))
        })
        .await;
    let since = h.max().mark();
    let answer = h.press(CURATOR_TG, &ticked, &format!("ro:{inc}")).await;
    assert_eq!(answer.body["text"], "Направлено: Дорожное хозяйство.");
    h.max()
        .wait_for(since, "the executor's card in MAX", |c| {
            c.method == "send"
                && c.chat == MAX_EXECUTOR
                && c.buttons().contains(&format!("ac:{inc}:0"))
        })
        .await
}

/// Presses a button in MAX and waits for the bot to answer the press; returns the answer.
async fn press_in_max(h: &TestApp, user: i64, message: &MaxCall, payload: &str) -> MaxCall {
    let since = h.max().mark();
    h.max().press(user, message, payload);
    h.max()
        .wait_for(since, &format!("answer to {payload}"), |c| {
            c.method == "answer"
        })
        .await
}

async fn an_executor_in_max_answers_and_the_curators_in_telegram_approve(db: &TestDb) {
    let h = TestApp::start_with_max("vorsino", db, SendLimits::MAX.faster(20)).await;
    let (_, dept) = executor_in_max(&h).await;
    let reg = h
        .incident(
            "Яма на дороге у школы №3, машины объезжают по тротуару",
            Importance::Normal,
        )
        .await;
    let inc = reg.id.0;

    // The card in MAX: the same card as in Telegram, in MAX's HTML, with the four actions.
    let card = route_to_max(&h, reg.number, inc, dept).await;
    assert!(
        card.text().contains("<b>Инцидент №1</b>"),
        "{}",
        card.text()
    );
    assert!(
        card.text().contains("«Яма на дороге у школы №3"),
        "{}",
        card.text()
    );
    assert_eq!(card.body["format"], "html");
    assert_eq!(
        card.labels(),
        [
            "✅ Принять",
            "↩️ Вернуть",
            "✍️ Подготовить ответ",
            "❓ Запросить уточнение"
        ]
    );
    // Nothing about it went to Telegram's executors.
    assert!(h
        .fake
        .calls()
        .iter()
        .all(|c| !c.buttons().contains(&format!("ac:{inc}:0"))));

    // A stranger's press in MAX is refused and changes nothing.
    let refused = press_in_max(&h, MAX_STRANGER, &card, &format!("ac:{inc}:0")).await;
    assert_eq!(
        refused.body["notification"],
        "Вы не зарегистрированы в «Отклике». Обратитесь к администратору."
    );
    assert_eq!(
        h.store.incident(reg.id).await.unwrap().workflow.parts[0].state,
        PartState::Routed
    );

    // Accept: the answer to the press, and the card edited in place.
    let since = h.max().mark();
    let accepted = press_in_max(&h, MAX_EXECUTOR, &card, &format!("ac:{inc}:0")).await;
    assert_eq!(accepted.body["notification"], "Принято в работу.");
    let edited = h
        .max()
        .wait_for(since, "the card after accept", |c| {
            c.method == "edit" && c.mid == card.mid && c.text().contains("Принят в работу")
        })
        .await;
    assert!(!edited.buttons().contains(&format!("ac:{inc}:0")));
    assert!(edited.buttons().contains(&format!("dr:{inc}:0:a")));

    // A draft with a photo, written in MAX.
    let since = h.max().mark();
    press_in_max(&h, MAX_EXECUTOR, &edited, &format!("dr:{inc}:0:a")).await;
    h.max()
        .wait_for(since, "ask for the text", |c| {
            c.chat == MAX_EXECUTOR && c.text().contains("одним сообщением")
        })
        .await;
    let since = h.max().mark();
    h.max().say(
        MAX_EXECUTOR,
        "Здравствуйте! Яму заделают до пятницы, подрядчик уведомлён.",
    );
    h.max()
        .wait_for(since, "ask for attachments", |c| {
            c.chat == MAX_EXECUTOR && c.text().contains("Пришлите фото")
        })
        .await;
    let since = h.max().mark();
    h.max().say_with(
        MAX_EXECUTOR,
        "",
        json!({"attachments": [{"type": "image", "payload": {"token": "img-tok-1", "url": "https://i.max.example/1.jpg"}}]}),
    );
    let ask = h
        .max()
        .wait_for(since, "attachment added", |c| {
            c.chat == MAX_EXECUTOR && c.text().contains("Добавлено: 1")
        })
        .await;
    let since = h.max().mark();
    press_in_max(&h, MAX_EXECUTOR, &ask, &format!("ad:{inc}")).await;
    let preview = h
        .max()
        .wait_for(since, "draft preview", |c| {
            c.chat == MAX_EXECUTOR && c.buttons().contains(&format!("sd:{inc}"))
        })
        .await;
    assert!(
        preview.text().contains("Проект ответа на №1"),
        "{}",
        preview.text()
    );
    assert!(preview.text().contains("📎 1"), "{}", preview.text());
    let since = h.fake.mark();
    let sent = press_in_max(&h, MAX_EXECUTOR, &preview, &format!("sd:{inc}")).await;
    assert_eq!(sent.body["notification"], "📤 Отправлено на согласование.");

    // Approval in the curators' Telegram group.
    let approval = h
        .wait(since, "approval card", |c| {
            c.chat() == CURATOR_CHAT && c.buttons().contains(&format!("ap:{inc}:0:1"))
        })
        .await;
    assert!(
        approval.text().contains("Яму заделают до пятницы"),
        "{}",
        approval.text()
    );
    let since = h.fake.mark();
    h.press(CURATOR_TG, &approval, &format!("ap:{inc}:0:1"))
        .await;
    let publish = h
        .wait(since, "publication card", |c| {
            c.chat() == CURATOR_CHAT && c.buttons().contains(&format!("pb:{inc}:0"))
        })
        .await;
    // The link is asked for, and given, in the curator's private chat.
    let since = h.fake.mark();
    h.press(CURATOR_TG, &publish, &format!("pb:{inc}:0")).await;
    h.wait(since, "ask for the link", |c| {
        c.chat() == CURATOR_TG && c.text().contains("Пришлите ссылку")
    })
    .await;
    let since_max = h.max().mark();
    h.fake.say(
        CURATOR_TG,
        CURATOR_TG,
        "https://vk.com/wall-123_456?reply=801",
    );
    h.wait(since, "publication recorded", |c| {
        c.chat() == CURATOR_TG && c.text() == "Публикация записана."
    })
    .await;

    // The executor's card in MAX shows the answer published and has no buttons left.
    let done = h
        .max()
        .wait_for(since_max, "the card published", |c| {
            c.method == "edit" && c.mid == card.mid && c.text().contains("Ответ опубликован")
        })
        .await;
    assert!(done.buttons().is_empty(), "{:?}", done.buttons());
    let stored = h.store.incident(reg.id).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::Published);
    // Every MAX call carried the bot's token and was paced: nothing refused.
    assert!(
        h.max().calls().iter().all(|c| c.ok),
        "{:#?}",
        h.max().calls()
    );
    assert_eq!(h.max().over_limit(), 0);
}

async fn a_restart_loses_nothing_in_max(db: &TestDb) {
    let mut h = TestApp::start_with_max("vorsino", db, SendLimits::MAX.faster(20)).await;
    let (_, dept) = executor_in_max(&h).await;
    let reg = h
        .incident("Не вывозят мусор третью неделю", Importance::Normal)
        .await;
    let inc = reg.id.0;
    let card = route_to_max(&h, reg.number, inc, dept).await;

    // The application dies; the executor presses «Принять» while it is down. MAX keeps the
    // update, and the restarted bot takes it and edits the card it sent before the crash (the
    // card's MAX id is remembered in the database).
    //
    // The press was even claimed by the process that died (it got the update and died before
    // the change): the restarted one takes the unfinished claim over.
    h.settle().await;
    let press = h
        .max()
        .press_update(MAX_EXECUTOR, &card, &format!("ac:{inc}:0"));
    let key = format!("c:{}", press["callback"]["callback_id"].as_str().unwrap());
    let now = h.core.now();
    assert!(h
        .store
        .claim_update(
            Messenger::Max,
            &MAX_BOT_ID.to_string(),
            otklik::core::Core::number_for(&key),
            now,
            "the-process-that-died",
            now,
        )
        .await
        .unwrap());
    h.crash().await;
    h.max().push(press);
    h.restart().await;
    let answer = h
        .max()
        .wait_for(0, "the answer to the press", |c| c.method == "answer")
        .await;
    assert_eq!(answer.body["notification"], "Принято в работу.");
    h.max()
        .wait_for(0, "the card after accept", |c| {
            c.method == "edit" && c.mid == card.mid && c.text().contains("Принят в работу")
        })
        .await;
    h.settle().await;
    assert_eq!(
        h.store.incident(reg.id).await.unwrap().workflow.parts[0].state,
        PartState::Accepted
    );
    let accepts = h
        .store
        .audit_log(reg.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.command == "accept")
        .count();
    assert_eq!(accepts, 1, "the press was taken once");

    // A restarted bot goes on from the marker it kept: it never asks MAX without one again
    // (which would skip what MAX delivered to the process that died).
    h.crash_and_restart().await;
    let since = h.max().mark();
    press_in_max(&h, MAX_EXECUTOR, &card, &format!("dr:{inc}:0:a")).await;
    h.max()
        .wait_for(since, "ask for the text", |c| {
            c.chat == MAX_EXECUTOR && c.text().contains("одним сообщением")
        })
        .await;
    assert_eq!(h.max().polls_without_marker(), 1);
    // One card in MAX for the incident, never a second.
    h.settle().await;
    let cards = h
        .max()
        .calls()
        .iter()
        .filter(|c| c.method == "send" && c.buttons().contains(&format!("ac:{inc}:0")))
        .count();
    assert_eq!(cards, 1);
}

async fn max_is_sent_to_within_its_limits(db: &TestDb) {
    // MAX's own pace (two messages a second in one chat), and the fake refuses any message
    // over it.
    let h = TestApp::start_with_max("vorsino", db, SendLimits::MAX).await;
    let (_, dept) = executor_in_max(&h).await;
    h.max().enforce_chat_limit();
    let since = h.max().mark();
    for i in 0..6 {
        h.incident_for(
            &format!("Не горит фонарь у дома {i} по улице Мира"),
            Importance::Normal,
            Some(dept),
        )
        .await;
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let sent = loop {
        let sent: Vec<MaxCall> = h
            .max()
            .calls()
            .into_iter()
            .skip(since)
            .filter(|c| c.ok && c.method == "send" && c.chat == MAX_EXECUTOR)
            .collect();
        if sent.len() >= 6 || std::time::Instant::now() > deadline {
            break sent;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(sent.len(), 6, "every card arrived");
    assert_eq!(h.max().over_limit(), 0, "no message went over MAX's limit");
    // No three messages to one chat within a second.
    for w in sent.windows(3) {
        assert!(
            w[2].at.duration_since(w[0].at) >= std::time::Duration::from_secs(1),
            "{:?}",
            w[2].at.duration_since(w[0].at)
        );
    }
}

async fn the_organisation_file_says_which_messenger_each_chat_and_person_is_in(db: &TestDb) {
    let store = db.store().await;
    let text = r#"
[organisation]
name = "Администрация"
regulation = "vorsino"
curator_chat_id = -70000111
curator_chat_messenger = "max"
head_chat_id = -1001999

[[departments]]
name = "Отдел ЖКХ"

[[people]]
name = "Смирнова Елена"
roles = ["curator"]
telegram_id = 1001
max_id = 5001
messenger = "max"

[[people]]
name = "Петров Алексей"
roles = ["executor"]
telegram_id = 2002
max_id = 5002
departments = ["Отдел ЖКХ"]

[[people]]
name = "Сидорова Анна"
roles = ["executor"]
max_id = 5003
departments = ["Отдел ЖКХ"]
"#;
    let valid = otklik::directory_file::DirectoryFile::parse(text, None).unwrap();
    let report = store
        .import_directory(&valid, moscow("2026-11-23 09:00"))
        .await
        .unwrap();
    let org = report.organisation_id;
    let chat = |messenger, id| otklik::domain::content::ChatRef { messenger, id };
    // The curators' chat is a MAX chat; the head's, without a messenger named, Telegram's.
    assert_eq!(
        store
            .group_chat(chat(Messenger::Max, -70000111))
            .await
            .unwrap(),
        [otklik::storage::GroupChat::Curators(org)]
    );
    assert!(store
        .group_chat(chat(Messenger::Telegram, -70000111))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .group_chat(chat(Messenger::Telegram, -1001999))
            .await
            .unwrap(),
        [otklik::storage::GroupChat::Head(org)]
    );
    // Notices go to the messenger the file prefers, else Telegram, else MAX.
    let holder = |id| store.account_holder(Messenger::Max, id);
    let curator = holder(5001).await.unwrap().unwrap().person;
    let executor = holder(5002).await.unwrap().unwrap().person;
    let max_only = holder(5003).await.unwrap().unwrap().person;
    assert_eq!(
        store.messengers_of(curator).await.unwrap(),
        [Messenger::Max, Messenger::Telegram]
    );
    assert_eq!(
        store.messengers_of(executor).await.unwrap(),
        [Messenger::Telegram, Messenger::Max]
    );
    assert_eq!(
        store.messengers_of(max_only).await.unwrap(),
        [Messenger::Max]
    );
    // Exported as imported, and imported again unchanged.
    let exported = store.export_directory("Администрация").await.unwrap();
    assert_eq!(
        exported.organisation.curator_chat_messenger,
        Some(Messenger::Max)
    );
    assert_eq!(exported.organisation.head_chat_messenger, None);
    let elena = &exported.people[0];
    assert_eq!(
        (elena.max_id, elena.messenger),
        (Some(5001), Some(Messenger::Max))
    );
    assert_eq!(exported.people[2].max_id, Some(5003));
    let again =
        otklik::directory_file::DirectoryFile::parse(&exported.to_toml().unwrap(), None).unwrap();
    store
        .import_directory(&again, moscow("2026-11-23 10:00"))
        .await
        .unwrap();
    assert_eq!(
        store.messengers_of(curator).await.unwrap(),
        [Messenger::Max, Messenger::Telegram]
    );
    assert_eq!(
        store
            .group_chat(chat(Messenger::Max, -70000111))
            .await
            .unwrap(),
        [otklik::storage::GroupChat::Curators(org)]
    );
    // A MAX id given to two people is refused with the line that says it.
    let twice = text.replace("max_id = 5003", "max_id = 5002");
    let err = otklik::directory_file::DirectoryFile::parse(&twice, None).unwrap_err();
    assert!(
        err.to_string().contains("5002 belongs to two people"),
        "{err}"
    );
}

async fn max_updates_by_webhook_need_the_secret_and_count_once(db: &TestDb) {
    let h = TestApp::start_with_max_webhook("vorsino", db).await;
    // Otklik subscribed its webhook with the secret, for the updates it handles.
    let subscribed = h
        .max()
        .wait_for(0, "the subscription", |c| c.method == "subscribe")
        .await;
    assert_eq!(
        subscribed.body["url"],
        format!("https://otklik.example.ru{MAX_WEBHOOK_PATH}")
    );
    assert_eq!(subscribed.body["secret"], MAX_WEBHOOK_SECRET);
    assert_eq!(h.max().polls(), 0, "no long polling beside the webhook");

    let (person, code) = new_executor_with_invite(&h).await;
    let started = json!({"update_type": "bot_started", "timestamp": 1_795_000_000_123i64,
        "chat_id": 600_001, "user": {"user_id": MAX_EXECUTOR, "name": "Иван"}, "payload": code});
    let post = |secret: Option<&'static str>| {
        let mut req = reqwest::Client::new()
            .post(format!("http://{}{MAX_WEBHOOK_PATH}", h.http))
            .header("content-type", "application/json")
            .body(started.to_string());
        if let Some(s) = secret {
            req = req.header("X-Max-Bot-Api-Secret", s);
        }
        async move {
            req.send()
                .await
                .expect("the server answers")
                .status()
                .as_u16()
        }
    };
    // Without the secret, or with a wrong one: 401, and nothing happens.
    assert_eq!(post(None).await, 401);
    assert_eq!(post(Some("wrong-secret")).await, 401);
    assert_eq!(
        h.store.account_of(person, Messenger::Max).await.unwrap(),
        None
    );
    // With it: handled before the answer; the same update again (MAX's retry) changes nothing.
    assert_eq!(post(Some(MAX_WEBHOOK_SECRET)).await, 200);
    assert_eq!(
        h.store.account_of(person, Messenger::Max).await.unwrap(),
        Some(MAX_EXECUTOR)
    );
    assert_eq!(post(Some(MAX_WEBHOOK_SECRET)).await, 200);
    h.settle().await;
    let welcomes = h
        .max()
        .calls()
        .iter()
        .filter(|c| c.method == "send" && c.chat == MAX_EXECUTOR)
        .count();
    assert_eq!(welcomes, 1);
}

async fn curators_in_a_max_group_route_to_an_executor_in_telegram(db: &TestDb) {
    let h = TestApp::start_with_max("vorsino", db, SendLimits::MAX.faster(20)).await;
    h.store
        .set_curator_chat(
            h.org,
            otklik::domain::content::ChatRef {
                messenger: Messenger::Max,
                id: MAX_CURATORS,
            },
        )
        .await
        .unwrap();
    // The curator (in Telegram already) opens the bot in MAX too.
    let code = invite(&h, h.curator).await;
    let since = h.max().mark();
    h.max().start_bot(MAX_CURATOR, Some(&code));
    h.max()
        .wait_for(since, "welcome", |c| c.chat == MAX_CURATOR)
        .await;

    // Added to a new group, the bot says what to put into the organisation file; re-added to
    // the curators' chat, it says nothing.
    let since = h.max().mark();
    h.max().bot_added(-70_000_222, MAX_CURATOR);
    let hint = h
        .max()
        .wait_for(since, "the hint in the new group", |c| {
            c.chat == -70_000_222
        })
        .await;
    assert!(
        hint.text()
            .contains("curator_chat_id = -70000222 и curator_chat_messenger = \"max\""),
        "{}",
        hint.text()
    );
    h.max().bot_added(MAX_CURATORS, MAX_CURATOR);
    h.max().bot_added(-70_000_333, MAX_CURATOR);
    h.max()
        .wait_for(since, "the hint in another group", |c| {
            c.chat == -70_000_333
        })
        .await;
    assert!(h.max().calls().iter().all(|c| c.chat != MAX_CURATORS));

    let reg = h
        .incident("Сломана скамейка в сквере", Importance::Normal)
        .await;
    let inc = reg.id.0;
    let triage = h
        .max()
        .wait_for(0, "the triage card in the MAX group", |c| {
            c.method == "send"
                && c.chat == MAX_CURATORS
                && c.text()
                    .contains(&format!("Новое сообщение №{}", reg.number))
        })
        .await;
    // In the group: the importance and «Разобрать».
    assert_eq!(
        triage.buttons(),
        [
            format!("im:{inc}:n"),
            format!("im:{inc}:h"),
            format!("oc:{inc}")
        ]
    );
    // Nothing of it in Telegram's old curators' group.
    assert!(h.fake.calls().iter().all(|c| c.chat() != CURATOR_CHAT));

    // Someone in the MAX group who is not in the directory is refused.
    let refused = press_in_max(&h, MAX_STRANGER, &triage, &format!("oc:{inc}")).await;
    assert_eq!(
        refused.body["notification"],
        "Вы не зарегистрированы в «Отклике». Обратитесь к администратору."
    );
    // The curator opens the card from the MAX group: the full card comes to their private chat
    // in MAX, where they tick and route; the executor's card goes to Telegram.
    let since = h.max().mark();
    let opened = press_in_max(&h, MAX_CURATOR, &triage, &format!("oc:{inc}")).await;
    assert_eq!(
        opened.body["notification"],
        "Карточка №1 — в вашем личном чате с ботом."
    );
    let private = h
        .max()
        .wait_for(since, "the triage card in private", |c| {
            c.method == "send"
                && c.chat == MAX_CURATOR
                && c.buttons().contains(&format!("ro:{inc}"))
        })
        .await;
    let since = h.max().mark();
    let ticked = press_in_max(&h, MAX_CURATOR, &private, &format!("dp:{inc}:{}", h.dept)).await;
    assert_eq!(
        ticked.body["notification"],
        "✓ Отдел ЖКХ. Отметьте другие отделы или нажмите «Направить»."
    );
    let ticked = h
        .max()
        .wait_for(since, "the ticked triage card", |c| {
            c.method == "edit"
                && c.mid == private.mid
                && c.labels().iter().any(|l| l == "Отдел ЖКХ ✓")
        })
        .await;
    let since_tg = h.fake.mark();
    let since = h.max().mark();
    let routed = press_in_max(&h, MAX_CURATOR, &ticked, &format!("ro:{inc}")).await;
    assert_eq!(routed.body["notification"], "Направлено: Отдел ЖКХ.");
    let card = h
        .wait(since_tg, "the executor's card in Telegram", |c| {
            c.method == "sendMessage"
                && c.chat() == EXECUTOR_TG
                && c.buttons().contains(&format!("ac:{inc}:0"))
        })
        .await;
    // The group's card becomes the status card.
    let status = h
        .max()
        .wait_for(since, "the group's card redrawn", |c| {
            c.method == "edit" && c.mid == triage.mid
        })
        .await;
    assert!(status.text().contains("Отдел ЖКХ"), "{}", status.text());
    h.press(EXECUTOR_TG, &card, &format!("ac:{inc}:0")).await;
    let preview = write_draft(
        &h,
        (&card, &format!("dr:{inc}:0:a")),
        "Здравствуйте! Скамейку заменят на этой неделе.",
        false,
    )
    .await;
    let since = h.max().mark();
    h.press(EXECUTOR_TG, &preview, &format!("sd:{inc}")).await;
    let approval = h
        .max()
        .wait_for(since, "the approval card in the MAX group", |c| {
            c.chat == MAX_CURATORS && c.buttons().contains(&format!("ap:{inc}:0:1"))
        })
        .await;
    let since = h.max().mark();
    press_in_max(&h, MAX_CURATOR, &approval, &format!("ap:{inc}:0:1")).await;
    let publish = h
        .max()
        .wait_for(since, "the publication card", |c| {
            c.chat == MAX_CURATORS && c.buttons().contains(&format!("pb:{inc}:0"))
        })
        .await;
    // Typed input asked for in the group: the link is asked, and given, in the presser's
    // private chat in MAX.
    let since = h.max().mark();
    let answer = press_in_max(&h, MAX_CURATOR, &publish, &format!("pb:{inc}:0")).await;
    assert_eq!(
        answer.body["notification"],
        "Продолжите в личном чате с ботом — вопрос уже там."
    );
    h.max()
        .wait_for(since, "ask for the link", |c| {
            c.chat == MAX_CURATOR && c.text().contains("Пришлите ссылку")
        })
        .await;
    let since = h.max().mark();
    h.max()
        .say(MAX_CURATOR, "https://vk.com/wall-123_456?reply=900");
    h.max()
        .wait_for(since, "publication recorded", |c| {
            c.chat == MAX_CURATOR && c.text() == "Публикация записана."
        })
        .await;
    assert_eq!(
        h.store.incident(reg.id).await.unwrap().workflow.state,
        IncidentState::Published
    );
}

/// An image a person sent in MAX comes with the address MAX serves it at: Otklik keeps it with
/// the draft's file and can take its own copy for the monitoring system; only MAX's https
/// addresses (or its own host, for a test double) are followed.
#[tokio::test]
async fn an_image_sent_in_max_can_be_copied_from_the_address_max_gave() {
    let (fake, base) = support::fake_max::FakeMax::start().await;
    let url = fake.put_image("work.jpg", b"\xff\xd8\xff\xe0 a lamp replaced");
    let attachment = json!({"type": "image", "payload": {"token": "img-tok-9", "url": url}});
    let kept = otklik::max::render::attachment_id(&attachment).unwrap();
    assert_eq!(kept, format!("max_image:img-tok-9@{url}"));

    let api =
        otklik::max::api::MaxApi::new("token", Some(&url::Url::parse(&base).unwrap())).unwrap();
    let image = otklik::max::render::image_url(&kept).unwrap();
    let (bytes, content_type) = api.download(image).await.unwrap();
    assert_eq!(bytes, b"\xff\xd8\xff\xe0 a lamp replaced");
    assert_eq!(content_type.as_deref(), Some("image/jpeg"));
    // Gone at MAX: refused (4xx), so a report goes without it rather than waiting for ever.
    let gone = api.download(&format!("{base}/images/none.jpg")).await;
    assert!(
        matches!(
            gone,
            Err(otklik::max::api::MaxError::Api { status: 404, .. })
        ),
        "{gone:?}"
    );
    // Another host over plain http is not followed.
    let elsewhere = api.download("http://example.org/work.jpg").await;
    assert!(
        matches!(
            elsewhere,
            Err(otklik::max::api::MaxError::Api { status: 400, .. })
        ),
        "{elsewhere:?}"
    );
}
