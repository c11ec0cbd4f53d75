//! End to end through the real application (long polling, the core, outbox delivery), started
//! by `Application::build` against a local fake Bot API, on SQLite and on PostgreSQL: what
//! executors and curators see and press in their chats.

mod support;

use otklik::domain::content::{IncidentContent, MessageKind, Messenger, NewIncident, Source};
use otklik::domain::incident::{Command, IncidentState, PartState, Role};
use otklik::domain::regulation::Importance;
use otklik::domain::{IncidentId, PersonId};
use otklik::storage::{DutyShift, NewPerson};
use support::app::*;
use support::db::TestDb;

on_both_backends!(
    an_incident_goes_from_routing_to_publication_with_rework,
    clarification_pauses_the_clock_until_the_author_replies,
    a_returned_incident_is_rerouted_and_a_redelivered_press_changes_nothing,
    commands_and_people_who_cannot_be_reached,
    the_curator_sets_the_topic_and_converts_a_message_to_an_official_appeal,
    invites_settings_and_duty_in_chat,
    a_curator_manages_absences_people_and_duty_in_chat,
    a_repeated_message_shows_the_earlier_answer,
    the_curator_enters_a_message_by_hand_or_forwards_it,
    channel_comments_become_incidents_and_the_answer_is_posted_as_a_reply,
    a_crash_between_posting_and_recording_never_posts_twice,
    barnaul_curator_deadlines_deputy_approval_and_a_consolidated_answer,
    a_weekend_emergency_is_taken_by_the_duty_officer,
    added_to_a_group_the_bot_tells_its_id,
);

async fn an_incident_goes_from_routing_to_publication_with_rework(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let reg = h
        .incident(
            "Третий день нет отопления в доме по Ленина 14, в квартирах +14. Куда звонить??",
            Importance::Normal,
        )
        .await;
    let inc = reg.id.0;

    // The curators' group gets the triage card with importance, departments and actions.
    let triage = h.triage(reg.number).await;
    assert!(
        triage.text().contains("«Третий день нет отопления"),
        "{}",
        triage.text()
    );
    assert!(
        triage.text().contains("направить до 12:00, пн, 23 нояб."),
        "{}",
        triage.text()
    );
    // In the group: the importance and «Разобрать», nothing that takes several presses.
    assert_eq!(
        triage.buttons(),
        [
            format!("im:{inc}:n"),
            format!("im:{inc}:h"),
            format!("oc:{inc}")
        ]
    );
    assert_eq!(triage.labels()[2], "🗂 Разобрать");

    // An executor cannot press curator buttons.
    for data in [format!("im:{inc}:h"), format!("dp:{inc}:{}", h.dept)] {
        let refused = h.press(EXECUTOR_TG, &triage, &data).await;
        assert_eq!(refused.body["show_alert"], true);
        assert_eq!(refused.body["text"], "Эта кнопка не для вас.");
    }

    // «Разобрать»: the full triage card, in the curator's private chat.
    let since = h.fake.mark();
    let answer = h.press(CURATOR_TG, &triage, &format!("oc:{inc}")).await;
    assert_eq!(
        answer.body["text"],
        "Карточка №1 — в вашем личном чате с ботом."
    );
    let private = h
        .wait(since, "the triage card in private", |c| {
            c.method == "sendMessage"
                && c.chat() == CURATOR_TG
                && c.buttons().contains(&format!("ro:{inc}"))
        })
        .await;
    assert!(
        private.text().contains("«Третий день нет отопления"),
        "{}",
        private.text()
    );
    for b in [
        format!("dp:{inc}:{}", h.dept),
        format!("dp:{inc}:{}", h.other_dept),
        format!("na:{inc}"),
        format!("ro:{inc}"),
    ] {
        assert!(
            private.buttons().contains(&b),
            "{b}: {:?}",
            private.buttons()
        );
    }
    // Ticking a department edits the card in private and says what it did.
    let since = h.fake.mark();
    let answer = h
        .press(CURATOR_TG, &private, &format!("dp:{inc}:{}", h.dept))
        .await;
    assert_eq!(
        answer.body["text"],
        "✓ Отдел ЖКХ. Отметьте другие отделы или нажмите «Направить»."
    );
    let ticked = h
        .wait(since, "ticked triage card", |c| {
            c.method == "editMessageText"
                && c.chat() == CURATOR_TG
                && c.message_id == private.message_id
                && c.labels().contains(&"Отдел ЖКХ ✓".to_string())
        })
        .await;
    // Unticking and ticking again.
    let since = h.fake.mark();
    let answer = h
        .press(CURATOR_TG, &ticked, &format!("dp:{inc}:{}", h.dept))
        .await;
    assert_eq!(answer.body["text"], "Отметка снята: Отдел ЖКХ.");
    h.wait(since, "unticked triage card", |c| {
        c.method == "editMessageText"
            && c.chat() == CURATOR_TG
            && c.labels().contains(&"Отдел ЖКХ".to_string())
    })
    .await;
    let since = h.fake.mark();
    h.press(CURATOR_TG, &ticked, &format!("dp:{inc}:{}", h.dept))
        .await;
    let ticked = h
        .wait(since, "ticked triage card", |c| {
            c.method == "editMessageText"
                && c.chat() == CURATOR_TG
                && c.labels().contains(&"Отдел ЖКХ ✓".to_string())
        })
        .await;
    // The group's card did not change while the curator ticked.
    assert!(h
        .fake
        .calls()
        .iter()
        .all(|c| !(c.chat() == CURATOR_CHAT && c.method == "editMessageText")));

    // Routing: the executor gets the card with the four buttons and the deadline in local time;
    // the group's card becomes the status card, once.
    let since = h.fake.mark();
    let answer = h.press(CURATOR_TG, &ticked, &format!("ro:{inc}")).await;
    assert_eq!(answer.body["text"], "Направлено: Отдел ЖКХ.");
    let card = h
        .wait(since, "executor card", |c| {
            c.method == "sendMessage"
                && c.chat() == EXECUTOR_TG
                && c.buttons().contains(&format!("ac:{inc}:0"))
        })
        .await;
    let group_card = h
        .wait(since, "the group's card redrawn", |c| {
            c.method == "editMessageText"
                && c.chat() == CURATOR_CHAT
                && c.message_id == triage.message_id
        })
        .await;
    assert!(
        group_card.text().contains("Отдел ЖКХ"),
        "{}",
        group_card.text()
    );
    assert!(
        !group_card.buttons().contains(&format!("oc:{inc}")),
        "{:?}",
        group_card.buttons()
    );
    h.settle().await;
    let group_edits = |since: usize| {
        h.fake
            .calls()
            .iter()
            .skip(since)
            .filter(|c| {
                c.method == "editMessageText"
                    && c.chat() == CURATOR_CHAT
                    && c.message_id == triage.message_id
            })
            .count()
    };
    assert_eq!(group_edits(since), 1);
    let text = card.text();
    assert!(text.contains("<b>Инцидент №1</b>"), "{text}");
    assert!(
        text.contains("ВКонтакте · комментарий (публичный)"),
        "{text}"
    );
    assert!(text.contains("Тема: ЖКХ / отопление"), "{text}");
    assert!(
        text.contains("⏰ проект ответа до 13:00, пн, 23 нояб."),
        "{text}"
    );
    assert!(
        text.contains("осталось 3 ч 0 мин рабочего времени"),
        "{text}"
    );
    assert_eq!(
        card.labels(),
        [
            "✅ Принять",
            "↩️ Вернуть",
            "✍️ Подготовить ответ",
            "❓ Запросить уточнение"
        ]
    );
    assert_eq!(
        card.buttons(),
        [
            format!("ac:{inc}:0"),
            format!("rt:{inc}:0"),
            format!("dr:{inc}:0:a"),
            format!("dr:{inc}:0:c")
        ]
    );

    // A stranger and another executor are refused; nothing changes.
    let answer = h.press(STRANGER_TG, &card, &format!("ac:{inc}:0")).await;
    assert_eq!(
        answer.body["text"],
        "Вы не зарегистрированы в «Отклике». Обратитесь к администратору."
    );
    assert_eq!(answer.body["show_alert"], true);
    let answer = h
        .press(OTHER_EXECUTOR_TG, &card, &format!("ac:{inc}:0"))
        .await;
    assert_eq!(answer.body["text"], "Эта кнопка не для вас.");
    assert_eq!(
        h.store.incident(reg.id).await.unwrap().workflow.parts[0].state,
        PartState::Routed
    );

    // Accept; pressing again is harmless.
    let answer = h.press(EXECUTOR_TG, &card, &format!("ac:{inc}:0")).await;
    assert_eq!(answer.body["text"], "Принято в работу.");
    let accepted = h
        .wait(0, "card after accept", |c| {
            c.method == "editMessageText"
                && c.chat() == EXECUTOR_TG
                && c.text().contains("Принят в работу")
        })
        .await;
    assert!(!accepted.buttons().contains(&format!("ac:{inc}:0")));
    let answer = h.press(EXECUTOR_TG, &card, &format!("ac:{inc}:0")).await;
    assert_eq!(answer.body["text"], "Это уже сделано.");
    assert_eq!(answer.body["show_alert"], false);

    // Draft with text and a photo; the preview warns about a phone number in a public answer.
    let preview = write_draft(
        &h,
        (&accepted, &format!("dr:{inc}:0:a")),
        "Ирина, здравствуйте! Звоните +7 912 345-67-89.",
        true,
    )
    .await;
    assert!(
        preview
            .text()
            .contains("Проект ответа на №1 (ВКонтакте, публично)"),
        "{}",
        preview.text()
    );
    assert!(
        preview
            .text()
            .contains("⚠️ В тексте номер телефона +7 912 345-67-89"),
        "{}",
        preview.text()
    );
    assert!(
        preview.text().contains("📎 1 вложение"),
        "{}",
        preview.text()
    );
    let since = h.fake.mark();
    let answer = h.press(EXECUTOR_TG, &preview, &format!("sd:{inc}")).await;
    assert_eq!(answer.body["text"], "📤 Отправлено на согласование.");

    // The approval card arrives in the curators' group.
    let approval = h
        .wait(since, "approval card", |c| {
            c.chat() == CURATOR_CHAT && c.buttons().contains(&format!("ap:{inc}:0:1"))
        })
        .await;
    assert!(
        approval.text().contains("📝 №1 · проект ответа"),
        "{}",
        approval.text()
    );
    assert!(
        approval.text().contains("от: Петров Алексей (Отдел ЖКХ)"),
        "{}",
        approval.text()
    );
    assert!(
        approval.text().contains("⚠️ В тексте номер телефона"),
        "{}",
        approval.text()
    );
    assert_eq!(approval.labels(), ["✅ Согласовать", "🔁 На доработку"]);
    // The photo follows the approval card, so the curator sees what will be published.
    let photo = h
        .wait(since, "the draft's photo", |c| {
            c.method == "sendPhoto" && c.chat() == CURATOR_CHAT
        })
        .await;
    assert_eq!(
        photo.body["photo"], "AgACAgIAAxkBAAIBphoto",
        "{}",
        photo.body
    );

    // Rework with a comment: pressed in the group, asked and written in the private chat of the
    // curator who pressed.
    let since = h.fake.mark();
    let answer = h
        .press(CURATOR_TG, &approval, &format!("rw:{inc}:0:1"))
        .await;
    assert_eq!(
        answer.body["text"],
        "Продолжите в личном чате с ботом — вопрос уже там."
    );
    h.wait(since, "ask for the comment", |c| {
        c.chat() == CURATOR_TG && c.text().contains("что доработать")
    })
    .await;
    assert!(h
        .fake
        .calls()
        .iter()
        .skip(since)
        .all(|c| !(c.chat() == CURATOR_CHAT && c.text().contains("что доработать"))));
    let since = h.fake.mark();
    h.fake.say(
        CURATOR_TG,
        CURATOR_TG,
        "Уберите телефон, укажите дату восстановления",
    );
    let notice = h
        .wait(since, "rework notice", |c| {
            c.method == "sendMessage"
                && c.chat() == EXECUTOR_TG
                && c.text().contains("возвращён на доработку")
        })
        .await;
    assert!(
        notice
            .text()
            .contains("«Уберите телефон, укажите дату восстановления»"),
        "{}",
        notice.text()
    );
    assert!(
        notice
            .text()
            .contains("«Ирина, здравствуйте! Звоните +7 912 345-67-89.»"),
        "{}",
        notice.text()
    );
    assert!(
        notice.text().contains("Доработать до 11:00, пн, 23 нояб."),
        "{}",
        notice.text()
    );

    // Corrected draft; the old approval card is stale now.
    let preview = write_draft(
        &h,
        (&notice, &format!("dr:{inc}:0:a")),
        "Ирина, здравствуйте! Подача тепла восстановлена 23.11 в 11:40.",
        false,
    )
    .await;
    assert!(!preview.text().contains("⚠️"), "{}", preview.text());
    let since = h.fake.mark();
    h.press(EXECUTOR_TG, &preview, &format!("sd:{inc}")).await;
    let approval2 = h
        .wait(since, "second approval card", |c| {
            c.chat() == CURATOR_CHAT && c.buttons().contains(&format!("ap:{inc}:0:2"))
        })
        .await;
    let stale = h
        .press(CURATOR_TG, &approval, &format!("ap:{inc}:0:1"))
        .await;
    assert_eq!(
        stale.body["text"],
        "Проект уже изменён — откройте новую версию."
    );

    // Approve: the card shows who approved, the group gets the publication card.
    let since = h.fake.mark();
    let answer = h
        .press(CURATOR_TG, &approval2, &format!("ap:{inc}:0:2"))
        .await;
    assert_eq!(answer.body["text"], "Согласовано.");
    h.wait(since, "approved card", |c| {
        c.method == "editMessageText" && c.text().contains("✅ Согласовано: Смирнова Елена, 10:00")
    })
    .await;
    let publish = h
        .wait(since, "publication card", |c| {
            c.chat() == CURATOR_CHAT && c.buttons().contains(&format!("pb:{inc}:0"))
        })
        .await;
    assert!(
        publish.text().contains("опубликуйте согласованный ответ"),
        "{}",
        publish.text()
    );
    // The approval card lost its buttons: it was approved.
    let approved = h
        .wait(since, "approved card", |c| {
            c.method == "editMessageText" && c.message_id == approval2.message_id
        })
        .await;
    assert!(approved.buttons().is_empty(), "{:?}", approved.buttons());

    // Someone the regulation does not let publish is refused at the press, not after typing
    // the link.
    let since = h.fake.mark();
    let refused = h.press(EXECUTOR_TG, &publish, &format!("pb:{inc}:0")).await;
    assert_eq!(refused.body["text"], "Эта кнопка не для вас.");
    assert!(h
        .fake
        .calls()
        .iter()
        .skip(since)
        .all(|c| !c.text().contains("Пришлите ссылку")));

    // Published: a bad link is refused, a good one recorded (asked and typed in the curator's
    // private chat); the executor's card loses its buttons.
    let since = h.fake.mark();
    let answer = h.press(CURATOR_TG, &publish, &format!("pb:{inc}:0")).await;
    assert_eq!(
        answer.body["text"],
        "Продолжите в личном чате с ботом — вопрос уже там."
    );
    h.wait(since, "ask for the link", |c| {
        c.chat() == CURATOR_TG && c.text().contains("Пришлите ссылку")
    })
    .await;
    let since = h.fake.mark();
    h.fake.say(CURATOR_TG, CURATOR_TG, "опубликовали");
    h.wait(since, "bad link", |c| {
        c.chat() == CURATOR_TG && c.text().contains("Нужна ссылка")
    })
    .await;
    let since = h.fake.mark();
    h.fake.say(
        CURATOR_TG,
        CURATOR_TG,
        "https://vk.com/wall-123_456?reply=800",
    );
    h.wait(since, "publication recorded", |c| {
        c.chat() == CURATOR_TG && c.text() == "Публикация записана."
    })
    .await;
    let done = h
        .wait(since, "executor card published", |c| {
            c.method == "editMessageText"
                && c.chat() == EXECUTOR_TG
                && c.text().contains("Ответ опубликован")
        })
        .await;
    assert!(done.buttons().is_empty(), "{:?}", done.buttons());
    let stored = h.store.incident(reg.id).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::Published);
    assert_eq!(
        stored.workflow.publication.unwrap().link,
        "https://vk.com/wall-123_456?reply=800"
    );
    let commands: Vec<String> = h
        .store
        .audit_log(reg.id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.command)
        .collect();
    assert_eq!(
        commands,
        [
            "register",
            "route",
            "accept",
            "submit_draft",
            "request_rework",
            "submit_draft",
            "approve",
            "mark_published"
        ]
    );
}

async fn clarification_pauses_the_clock_until_the_author_replies(db: &TestDb) {
    let h = TestApp::start("borovichi", db).await;
    let reg = h.incident("Когда починят лифт?", Importance::Normal).await;
    let inc = reg.id.0;
    let triage = h.triage(reg.number).await;
    let card = h.route(&triage, inc, h.dept).await;
    // "Запросить уточнение" on a new card accepts it and asks for the question.
    let preview = write_draft(
        &h,
        (&card, &format!("dr:{inc}:0:c")),
        "Уточните, пожалуйста, адрес дома?",
        false,
    )
    .await;
    assert!(
        preview.text().contains("Вопрос автору сообщения №1"),
        "{}",
        preview.text()
    );
    let since = h.fake.mark();
    h.press(EXECUTOR_TG, &preview, &format!("sd:{inc}")).await;
    let approval = h
        .wait(since, "clarification approval", |c| {
            c.chat() == CURATOR_CHAT && c.text().contains("уточнение автору")
        })
        .await;
    let since = h.fake.mark();
    h.press(CURATOR_TG, &approval, &format!("ap:{inc}:0:1"))
        .await;
    // Borovichi §10: the executor posts the question, records that it is posted (the clock
    // stops then) and records the author's reply.
    let publish = h
        .wait(since, "publish the question", |c| {
            c.chat() == EXECUTOR_TG && c.buttons().contains(&format!("cq:{inc}:0"))
        })
        .await;
    assert!(
        publish
            .text()
            .contains("«Уточните, пожалуйста, адрес дома?»"),
        "{}",
        publish.text()
    );
    assert_eq!(publish.buttons(), [format!("cq:{inc}:0")]);
    let since = h.fake.mark();
    let posted = h.press(EXECUTOR_TG, &publish, &format!("cq:{inc}:0")).await;
    assert_eq!(
        posted.body["text"],
        "Записано: запрос опубликован, срок остановлен до ответа автора."
    );
    h.wait(since, "the posted request's card", |c| {
        c.chat() == EXECUTOR_TG
            && c.method == "editMessageText"
            && c.buttons() == [format!("au:{inc}:0")]
    })
    .await;
    let paused = h
        .wait(since, "paused card", |c| {
            c.chat() == EXECUTOR_TG
                && c.method == "editMessageText"
                && c.text().contains("⏸ срок приостановлен")
        })
        .await;
    assert!(
        paused.text().contains("останется 4 ч 0 мин"),
        "{}",
        paused.text()
    );
    // Nobody else records it.
    let refused = h
        .press(OTHER_EXECUTOR_TG, &publish, &format!("au:{inc}:0"))
        .await;
    assert_eq!(refused.body["text"], "Эта кнопка не для вас.");
    let since = h.fake.mark();
    h.press(EXECUTOR_TG, &publish, &format!("au:{inc}:0")).await;
    h.wait(since, "ask for the reply", |c| {
        c.chat() == EXECUTOR_TG && c.text().contains("Пришлите ответ автора")
    })
    .await;
    let since = h.fake.mark();
    h.fake
        .say(EXECUTOR_TG, EXECUTOR_TG, "Ленина, 14, второй подъезд");
    let notice = h
        .wait(since, "author reply notice", |c| {
            c.chat() == EXECUTOR_TG
                && c.method == "sendMessage"
                && c.text().contains("автор ответил")
        })
        .await;
    assert!(
        notice.text().contains("«Ленина, 14, второй подъезд»"),
        "{}",
        notice.text()
    );
    let resumed = h
        .wait(since, "resumed card", |c| {
            c.chat() == EXECUTOR_TG
                && c.method == "editMessageText"
                && c.text().contains("⏰ проект ответа до")
        })
        .await;
    assert!(!resumed.text().contains("⏸"), "{}", resumed.text());
    assert_eq!(
        h.store.incident(reg.id).await.unwrap().workflow.parts[0]
            .pauses
            .len(),
        1
    );
}

async fn a_returned_incident_is_rerouted_and_a_redelivered_press_changes_nothing(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let reg = h.incident("Яма на дороге у школы", Importance::High).await;
    let inc = reg.id.0;
    let triage = h.triage(reg.number).await;
    let card = h.route(&triage, inc, h.dept).await;
    assert!(
        card.text().contains("🔴 Инцидент №1 · ВЫСОКАЯ важность"),
        "{}",
        card.text()
    );

    // Return: reason, comment, and the curators get the card with the other departments.
    let since = h.fake.mark();
    h.press(EXECUTOR_TG, &card, &format!("rt:{inc}:0")).await;
    let reasons = h
        .wait(since, "return reasons", |c| {
            c.chat() == EXECUTOR_TG && c.buttons().contains(&format!("rr:{inc}:0:o"))
        })
        .await;
    let since = h.fake.mark();
    h.press(EXECUTOR_TG, &reasons, &format!("rr:{inc}:0:o"))
        .await;
    h.wait(since, "ask for comment", |c| {
        c.chat() == EXECUTOR_TG && c.text().contains("Коротко поясните")
    })
    .await;
    let since = h.fake.mark();
    h.fake
        .say(EXECUTOR_TG, EXECUTOR_TG, "Дороги — это благоустройство");
    let returned = h
        .wait(since, "returned card", |c| {
            c.chat() == CURATOR_CHAT && c.text().contains("возвращён")
        })
        .await;
    assert!(
        returned
            .text()
            .contains("Причина: другой отдел — «Дороги — это благоустройство»"),
        "{}",
        returned.text()
    );
    assert_eq!(returned.buttons(), [format!("rd:{inc}:0:{}", h.other_dept)]);
    // The returning executor's card shows that it is returned, and offers nothing more.
    let executor_card = h
        .wait(since, "the returning executor's card", |c| {
            c.method == "editMessageText"
                && c.chat() == EXECUTOR_TG
                && c.message_id == card.message_id
                && c.text().contains("Возвращён куратору")
        })
        .await;
    assert!(
        executor_card.buttons().is_empty(),
        "{:?}",
        executor_card.buttons()
    );
    // A forged button naming a department the organisation does not have: an outdated card.
    let forged = h
        .press(CURATOR_TG, &returned, &format!("rd:{inc}:0:987654"))
        .await;
    assert_eq!(
        forged.body["text"],
        "Сейчас это действие недоступно: карточка устарела."
    );

    // Re-route to the other department: its executor gets the card.
    let since = h.fake.mark();
    let answer = h
        .press(
            CURATOR_TG,
            &returned,
            &format!("rd:{inc}:0:{}", h.other_dept),
        )
        .await;
    assert_eq!(answer.body["text"], "Направлено: Благоустройство.");
    let other_card = h
        .wait(since, "card for the other executor", |c| {
            c.chat() == OTHER_EXECUTOR_TG && c.buttons().contains(&format!("ac:{inc}:1"))
        })
        .await;

    // A press delivered twice (Telegram redelivery) is applied once.
    let update = h
        .fake
        .press_update(OTHER_EXECUTOR_TG, &other_card, &format!("ac:{inc}:1"));
    let since = h.fake.mark();
    h.fake.push_twice(update);
    h.fake.say(OTHER_EXECUTOR_TG, OTHER_EXECUTOR_TG, "/help");
    h.wait(since, "help after the redelivery", |c| {
        c.chat() == OTHER_EXECUTOR_TG && c.text().contains("помогает отвечать")
    })
    .await;
    let accepts = h
        .store
        .audit_log(reg.id)
        .await
        .unwrap()
        .iter()
        .filter(|a| a.command == "accept")
        .count();
    assert_eq!(accepts, 1);
}

async fn commands_and_people_who_cannot_be_reached(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    // /start for a known person and for a stranger.
    let since = h.fake.mark();
    h.fake.say(EXECUTOR_TG, EXECUTOR_TG, "/start");
    let hello = h.wait(since, "greeting", |c| c.chat() == EXECUTOR_TG).await;
    assert!(
        hello.text().contains("Здравствуйте, Петров Алексей!"),
        "{}",
        hello.text()
    );
    assert!(hello.text().contains("исполнитель"), "{}", hello.text());
    let since = h.fake.mark();
    h.fake.say(STRANGER_TG, STRANGER_TG, "/start");
    let no = h.wait(since, "refusal", |c| c.chat() == STRANGER_TG).await;
    assert!(
        no.text().contains("только для сотрудников"),
        "{}",
        no.text()
    );

    // /my lists open incidents, most urgent first.
    let first = h.incident("Первое", Importance::Normal).await;
    let triage = h.triage(first.number).await;
    h.route(&triage, first.id, h.dept).await;
    let since = h.fake.mark();
    h.fake.say(EXECUTOR_TG, EXECUTOR_TG, "/my");
    let my = h
        .wait(since, "/my", |c| {
            c.chat() == EXECUTOR_TG && c.text().contains("Ваши открытые")
        })
        .await;
    assert!(
        my.text().contains("Ваши открытые: 1 инцидент"),
        "{}",
        my.text()
    );
    assert!(
        my.text()
            .contains("• №1 — 📥 Новый, ждёт принятия, до 13:00 пн, 23 нояб."),
        "{}",
        my.text()
    );

    // Someone who never opened the bot: the curators are told.
    h.fake.set_unreachable(OTHER_EXECUTOR_TG);
    let second = h.incident("Второе", Importance::Normal).await;
    let triage = h.triage(second.number).await;
    let private = h.triage_in_private(&triage, second.id).await;
    let since = h.fake.mark();
    h.press(
        CURATOR_TG,
        &private,
        &format!("dp:{}:{}", second.id, h.other_dept),
    )
    .await;
    let ticked = h
        .wait(since, "ticked", |c| {
            c.method == "editMessageText"
                && c.chat() == CURATOR_TG
                && c.text().contains("Новое сообщение №2")
                && c.labels().iter().any(|l| l == "Благоустройство ✓")
        })
        .await;
    let since = h.fake.mark();
    let answer = h
        .press(CURATOR_TG, &ticked, &format!("ro:{}", second.id))
        .await;
    assert_eq!(answer.body["text"], "Направлено: Благоустройство.");
    let warn = h
        .wait(since, "unreachable warning", |c| {
            c.chat() == CURATOR_CHAT && c.text().contains("Не удаётся написать")
        })
        .await;
    assert!(warn.text().contains("Сидорова Анна"), "{}", warn.text());
    assert!(warn.text().contains("№2"), "{}", warn.text());
}

async fn the_curator_sets_the_topic_and_converts_a_message_to_an_official_appeal(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let reg = h
        .incident(
            "Прошу разобраться с начислениями за вывоз мусора",
            Importance::Normal,
        )
        .await;
    let inc = reg.id.0;
    let triage = h.triage(reg.number).await;
    // The topic, the location and the appeal are on the card in the curator's private chat.
    assert!(!triage.buttons().contains(&format!("tp:{inc}")));
    assert!(!triage.buttons().contains(&format!("av:{inc}")));
    let private = h.triage_in_private(&triage, inc).await;
    assert!(private.buttons().contains(&format!("tp:{inc}")));
    assert!(private.buttons().contains(&format!("lc:{inc}")));
    assert!(private.buttons().contains(&format!("av:{inc}")));

    let since = h.fake.mark();
    h.press(CURATOR_TG, &private, &format!("lc:{inc}")).await;
    h.wait(since, "ask for the location", |c| {
        c.chat() == CURATOR_TG && c.text().contains("Локация для №1")
    })
    .await;
    let since = h.fake.mark();
    h.fake.say(CURATOR_TG, CURATOR_TG, "ул. Садовая, 3");
    let edited = h
        .wait(since, "triage card with location", |c| {
            c.method == "editMessageText"
                && c.chat() == CURATOR_TG
                && c.message_id == private.message_id
                && c.text().contains("Локация: ул. Садовая, 3")
        })
        .await;
    assert!(edited.buttons().contains(&format!("ro:{inc}")));

    // Pressed in the group, the appeal's questions go to the presser's private chat too.
    let since = h.fake.mark();
    let answer = h.press(CURATOR_TG, &triage, &format!("av:{inc}")).await;
    assert_eq!(
        answer.body["text"],
        "Продолжите в личном чате с ботом — вопрос уже там."
    );
    h.wait(since, "ask for consent", |c| {
        c.chat() == CURATOR_TG && c.text().contains("Получите согласие")
    })
    .await;
    // Vorsino 2.9: nothing goes on without the author's consent; the phone is optional.
    for (answer, next) in [
        ("не знаю", "Без согласия автора"),
        ("да", "Фамилия, имя и отчество"),
        ("Иванова Ирина Петровна", "Почтовый адрес"),
        ("irina@example.org", "Телефон автора"),
        ("123", "Телефон автора"),
    ] {
        let since = h.fake.mark();
        h.fake.say(CURATOR_TG, CURATOR_TG, answer);
        h.wait(since, next, |c| {
            c.chat() == CURATOR_TG && c.text().contains(next)
        })
        .await;
    }
    let since = h.fake.mark();
    h.fake.say(CURATOR_TG, CURATOR_TG, "-");
    let email = h
        .wait(since, "appeal e-mail", |c| {
            c.chat() == CURATOR_TG && c.text().contains("оформлен как обращение")
        })
        .await;
    assert!(
        email.text().contains("Заявитель: Иванова Ирина Петровна"),
        "{}",
        email.text()
    );
    assert!(
        email.text().contains("Адрес для ответа: irina@example.org"),
        "{}",
        email.text()
    );
    assert!(
        email.text().contains("Прошу разобраться с начислениями"),
        "{}",
        email.text()
    );
    assert!(
        email.text().contains("Телефон: не указан"),
        "{}",
        email.text()
    );
    let stored = h.store.incident(reg.id).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::ConvertedToAppeal);
    let contact = stored.workflow.appeal.clone().unwrap();
    assert_eq!(contact.phone, "");
    assert!(contact.consent.is_some());
    assert_eq!(stored.workflow.location.as_deref(), Some("ул. Садовая, 3"));
}

async fn invites_settings_and_duty_in_chat(db: &TestDb) {
    let h = TestApp::start("borovichi", db).await;
    let newcomer = h
        .store
        .create_person(
            h.org,
            &NewPerson {
                full_name: "Новиков Павел Андреевич".into(),
                roles: vec![Role::Executor, Role::DutyOfficer],
                phone: Some("+7 900 111-22-33".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    // Someone without an invite is not let in.
    let since = h.fake.mark();
    h.fake.say(4004, 4004, "привет");
    let no = h.wait(since, "refusal", |c| c.chat() == 4004).await;
    assert!(
        no.text().contains("только для сотрудников"),
        "{}",
        no.text()
    );

    // A curator asks for an invite in chat; an executor may not.
    let since = h.fake.mark();
    h.fake.say(EXECUTOR_TG, EXECUTOR_TG, "/invite Новиков");
    let refused = h.wait(since, "refusal", |c| c.chat() == EXECUTOR_TG).await;
    assert!(
        refused.text().contains("для администратора или куратора"),
        "{}",
        refused.text()
    );
    let since = h.fake.mark();
    h.fake.say(CURATOR_TG, CURATOR_TG, "/invite новиков");
    let link = h
        .wait(since, "invite link", |c| {
            c.chat() == CURATOR_TG && c.text().contains("t.me/")
        })
        .await;
    assert!(
        link.text()
            .contains("Ссылка-приглашение для Новиков Павел Андреевич (действует 14"),
        "{}",
        link.text()
    );
    let code = link
        .text()
        .rsplit("start=")
        .next()
        .unwrap()
        .trim()
        .to_string();
    assert!(
        link.text().contains("https://t.me/otklik_test_bot?start="),
        "{}",
        link.text()
    );

    // Opening the link binds the account and greets with the roles and what will come.
    let since = h.fake.mark();
    h.fake.say(4004, 4004, &format!("/start {code}"));
    let hello = h.wait(since, "welcome", |c| c.chat() == 4004).await;
    assert!(
        hello
            .text()
            .contains("Здравствуйте, Новиков Павел Андреевич!"),
        "{}",
        hello.text()
    );
    assert!(
        hello.text().contains("исполнитель, дежурный"),
        "{}",
        hello.text()
    );
    assert!(
        hello
            .text()
            .contains("экстренные сообщения по графику дежурств"),
        "{}",
        hello.text()
    );
    assert_eq!(
        h.store
            .account_of(newcomer, Messenger::Telegram)
            .await
            .unwrap(),
        Some(4004)
    );
    // The same link again is refused.
    let since = h.fake.mark();
    h.fake.say(4005, 4005, &format!("/start {code}"));
    let used = h.wait(since, "used invite", |c| c.chat() == 4005).await;
    assert!(used.text().contains("уже использовано"), "{}", used.text());

    // /settings shows the regulation in plain Russian.
    let since = h.fake.mark();
    h.fake.say(EXECUTOR_TG, EXECUTOR_TG, "/settings");
    let settings = h
        .wait(since, "settings", |c| {
            c.chat() == EXECUTOR_TG && c.text().contains("Регламент")
        })
        .await;
    let text = settings.text();
    assert!(
        text.contains("Администрация Боровичского муниципального района"),
        "{text}"
    );
    assert!(
        text.contains("• направить: 30 минут рабочего времени с момента выявления"),
        "{text}"
    );
    assert!(
        text.contains("• ответ: 8 часов рабочего времени с момента выявления"),
        "{text}"
    );
    assert!(
        text.contains("• проект ответа: не позднее чем за 4 часа рабочего времени до срока ответа"),
        "{text}"
    );
    assert!(
        text.contains("• окончательный ответ: 7 рабочих дней после промежуточного ответа"),
        "{text}"
    );
    assert!(
        text.contains("Ежемесячный отчёт главе: в первый рабочий день месяца, 10:00."),
        "{text}"
    );
    assert!(
        text.contains("Высокая важность — иначе:\n• проект ответа: не позднее чем за 2 часа"),
        "{text}"
    );
    assert!(text.contains("• ответ: 4 часа рабочего времени"), "{text}");
    assert!(
        text.contains("Запрос уточнения останавливает срок"),
        "{text}"
    );
    assert!(text.contains("часовой пояс Europe/Moscow"), "{text}");

    // /duty lists today and the coming week with the duty officer's phone; a day off with
    // nobody on duty stands out.
    h.store
        .add_duty(
            h.org,
            &DutyShift {
                person: newcomer,
                from: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
                to: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
                phone: None,
                department: None,
            },
        )
        .await
        .unwrap();
    let since = h.fake.mark();
    h.fake.say(CURATOR_TG, CURATOR_TG, "/duty");
    let duty = h
        .wait(since, "duty", |c| {
            c.chat() == CURATOR_TG && c.text().contains("Дежурства")
        })
        .await;
    assert!(
        duty.text()
            .contains("• сб, 28 нояб.: Новиков Павел Андреевич (+7 900 111-22-33)"),
        "{}",
        duty.text()
    );
    let lines: Vec<&str> = duty.text().lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "• пн, 23 нояб. — рабочий день",
            "• вт, 24 нояб. — рабочий день",
            "• ср, 25 нояб. — рабочий день",
            "• чт, 26 нояб. — рабочий день",
            "• пт, 27 нояб. — рабочий день",
            "• сб, 28 нояб.: Новиков Павел Андреевич (+7 900 111-22-33)",
            "• вс, 29 нояб. — ⚠️ никто не назначен",
            "• пн, 30 нояб. — рабочий день",
        ],
        "{}",
        duty.text()
    );
}

async fn a_curator_manages_absences_people_and_duty_in_chat(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let reg = h
        .incident("Не горит фонарь у дома 5", Importance::Normal)
        .await;
    let triage = h.triage(reg.number).await;
    h.route(&triage, reg.id, h.dept).await;

    let say = |text: &'static str| {
        let fake = h.fake.clone();
        async move {
            let since = fake.mark();
            fake.say(CURATOR_TG, CURATOR_TG, text);
            fake.wait_for(since, text, |c| {
                c.chat() == CURATOR_TG && c.method == "sendMessage"
            })
            .await
        }
    };
    // Executors cannot change the directory.
    let since = h.fake.mark();
    h.fake.say(EXECUTOR_TG, EXECUTOR_TG, "/deactivate Сидорова");
    let no = h.wait(since, "refusal", |c| c.chat() == EXECUTOR_TG).await;
    assert!(
        no.text().contains("для администратора или куратора"),
        "{}",
        no.text()
    );

    // Absence: the open incident goes to the substitute at once, who may act on it.
    let away = say("/away Петров; 23.11–27.11; отпуск; Сидорова").await;
    assert!(away.text().contains("Сидорова Анна замещает Петров Алексей с пн, 23 нояб. по пт, 27 нояб. (отпуск). Передано открытых инцидентов: 1."), "{}", away.text());
    let card = h
        .wait(0, "card for the substitute", |c| {
            c.chat() == OTHER_EXECUTOR_TG && c.buttons().contains(&format!("ac:{}:0", reg.id))
        })
        .await;
    let answer = h
        .press(OTHER_EXECUTOR_TG, &card, &format!("ac:{}:0", reg.id))
        .await;
    assert_eq!(answer.body["text"], "Принято в работу.");
    let back = say("/back Петров").await;
    assert!(back.text().contains("снова на месте"), "{}", back.text());
    // Krymsk §5: "other reasons" are accepted in the administrator's words.
    let other =
        say("/away Петров; 30.11–01.12; иное: курсы по гражданской обороне; Сидорова").await;
    assert!(
        other.text().contains("(курсы по гражданской обороне)"),
        "{}",
        other.text()
    );
    let bad = say("/away Петров; 30.11–01.12; иное:; Сидорова").await;
    assert!(bad.text().contains("«иное: » и причина"), "{}", bad.text());
    say("/back Петров").await;

    // Bad input gets an example, not a guess.
    let bad = say("/away Петров; завтра; отпуск; Сидорова").await;
    assert!(bad.text().contains("Не понял даты"), "{}", bad.text());
    let bad = say("/away Петров").await;
    assert!(
        bad.text()
            .contains("Пример: /away Петров; 24.11–28.11; отпуск; Иванов"),
        "{}",
        bad.text()
    );

    // Add a person (with an invite), move, deactivate and reactivate, add a duty shift.
    let added = say("/add Новиков Павел Андреевич; исполнитель; Отдел ЖКХ").await;
    assert!(
        added
            .text()
            .contains("Добавлен сотрудник Новиков Павел Андреевич"),
        "{}",
        added.text()
    );
    assert!(
        added.text().contains("https://t.me/otklik_test_bot?start="),
        "{}",
        added.text()
    );
    let moved = say("/move Новиков; Благоустройство").await;
    assert!(
        moved.text().contains("теперь в отделе «Благоустройство»"),
        "{}",
        moved.text()
    );
    let off = say("/deactivate Новиков").await;
    assert!(
        off.text().contains("Новиков Павел Андреевич отключён"),
        "{}",
        off.text()
    );
    let on = say("/activate Новиков").await;
    assert!(on.text().contains("снова подключён"), "{}", on.text());
    let duty = say("/duty_add Новиков; 31.12–10.01").await;
    assert!(
        duty.text().contains("дежурит с чт, 31 дек. по вс, 10 янв."),
        "{}",
        duty.text()
    );
    let roster = say("/duty").await;
    assert!(roster.text().contains("Дежурства"), "{}", roster.text());
    let removed = say("/duty_remove Новиков").await;
    assert!(
        removed.text().contains("снят с предстоящих дежурств"),
        "{}",
        removed.text()
    );
    let jan = chrono::NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
    assert!(h.store.on_duty(h.org, jan).await.unwrap().is_empty());

    // Every change left an audit record by the curator.
    let audit = h.store.directory_audit(h.org).await.unwrap();
    let commands: Vec<&str> = audit.iter().map(|a| a.command.as_str()).collect();
    assert_eq!(
        audit[2].payload["reason"]["other"],
        "курсы по гражданской обороне"
    );
    assert_eq!(
        commands,
        [
            "directory.absence",
            "directory.end_absence",
            "directory.absence",
            "directory.end_absence",
            "directory.add_person",
            "directory.move",
            "directory.set_active",
            "directory.set_active",
            "directory.add_duty",
            "directory.remove_duty"
        ]
    );
    assert!(audit.iter().all(|a| a.actor == h.curator));
}

async fn a_repeated_message_shows_the_earlier_answer(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    // The first message is answered and published.
    let first = h.incident("Когда уберут мусор?", Importance::Normal).await;
    let curator = h.who(h.curator, CURATOR_CHAT).await;
    let executor = h.who(h.executor, EXECUTOR_TG).await;
    let steps = [
        (
            &curator,
            Command::Route {
                assignments: vec![otklik::domain::incident::Assignment {
                    department: h.dept,
                    executor: h.executor,
                }],
                importance: None,
                topic: None,
                location: None,
                deadlines: Default::default(),
            },
        ),
        (&executor, Command::Accept { part: 0 }),
        (
            &executor,
            Command::SubmitDraft {
                part: 0,
                kind: otklik::domain::incident::DraftKind::Answer,
                text: "Вывоз назначен на среду.".into(),
                attachments: vec![],
            },
        ),
        (
            &curator,
            Command::Approve {
                part: Some(0),
                version: None,
            },
        ),
        (
            &curator,
            Command::MarkPublished {
                part: Some(0),
                link: "https://vk.com/wall-1_5".into(),
            },
        ),
    ];
    for (who, cmd) in steps {
        h.core.apply_as(who, first.id, cmd).await.unwrap().unwrap();
    }
    // The same author asks again.
    let rules = h.core.org(h.org).await.unwrap();
    let second = h
        .core
        .take_in(
            &rules,
            NewIncident {
                content: IncidentContent {
                    source: Source::Vk,
                    kind: MessageKind::Comment,
                    url: "https://vk.com/wall-123_456?reply=790".into(),
                    external_id: None,
                    author: "Ирина П.".into(),
                    text: "Мусор так и не вывезли!".into(),
                    attachments: vec![],
                    repeat_of: None,
                },
                reply_to: None,
                detected_at: h.core.now(),
                importance: Importance::Normal,
                external_deadline: None,
                topic: Some("ЖКХ / отопление".into()),
                location: None,
            },
            None,
            PersonId::SYSTEM,
        )
        .await
        .unwrap()
        .record;
    assert_eq!(second.content.repeat_of, Some(first.id));
    let triage = h.triage(second.number).await;
    let card = h.route(&triage, second.id.0, h.dept).await;
    assert!(
        card.text()
            .contains("🔁 Повторное сообщение: ранее №1. В ответе укажите, что сделано."),
        "{}",
        card.text()
    );
    assert!(
        card.text()
            .contains("Ответ пн, 23 нояб.: «Вывоз назначен на среду.»"),
        "{}",
        card.text()
    );
    // A draft that does not say what was done gets a warning.
    let preview = write_draft(
        &h,
        (&card, &format!("dr:{}:0:a", second.id.0)),
        "Спасибо за обращение.",
        false,
    )
    .await;
    assert!(
        preview
            .text()
            .contains("⚠️ Это повторное сообщение: напишите, какие меры приняты."),
        "{}",
        preview.text()
    );
}

async fn the_curator_enters_a_message_by_hand_or_forwards_it(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let talk = |user: i64, chat: i64, text: &'static str, expect: &'static str| {
        let fake = h.fake.clone();
        async move {
            let since = fake.mark();
            fake.say(user, chat, text);
            fake.wait_for(since, expect, |c| {
                c.chat() == chat && c.method == "sendMessage" && c.text().contains(expect)
            })
            .await
        }
    };
    // Executors cannot create incidents.
    talk(
        EXECUTOR_TG,
        EXECUTOR_TG,
        "/new",
        "для администратора или куратора",
    )
    .await;
    // Step by step in the group: link (the network is read from it), author, text.
    let ask = talk(CURATOR_TG, CURATOR_CHAT, "/new", "Пришлите ссылку").await;
    assert_eq!(ask.body["reply_markup"]["force_reply"], true);
    talk(CURATOR_TG, CURATOR_CHAT, "не ссылка", "Нужна ссылка").await;
    talk(
        CURATOR_TG,
        CURATOR_CHAT,
        "https://ok.ru/group/1/topic/2",
        "Автор",
    )
    .await;
    talk(CURATOR_TG, CURATOR_CHAT, "Николай С.", "Текст сообщения").await;
    let done = talk(
        CURATOR_TG,
        CURATOR_CHAT,
        "Почему не вывозят мусор с Садовой?",
        "Создан инцидент №1",
    )
    .await;
    assert!(
        done.text().contains("карточка — в группе кураторов"),
        "{}",
        done.text()
    );
    let triage = h.triage(1).await;
    assert!(
        triage.text().contains("Одноклассники · комментарий"),
        "{}",
        triage.text()
    );
    assert!(triage.text().contains("— Николай С."), "{}", triage.text());

    // Skipping the link asks for the network.
    talk(CURATOR_TG, CURATOR_CHAT, "/new", "Пришлите ссылку").await;
    talk(CURATOR_TG, CURATOR_CHAT, "-", "Из какой сети").await;
    talk(CURATOR_TG, CURATOR_CHAT, "фейсбук", "Не понял сеть").await;
    talk(CURATOR_TG, CURATOR_CHAT, "сайт", "Автор").await;
    talk(CURATOR_TG, CURATOR_CHAT, "-", "Текст сообщения").await;
    talk(
        CURATOR_TG,
        CURATOR_CHAT,
        "Яма на дороге",
        "Создан инцидент №2",
    )
    .await;
    let second = h.store.incident(IncidentId(2)).await.unwrap();
    assert_eq!(second.content.source, Source::Web);
    assert_eq!(second.content.author, "автор не указан");

    // A forwarded message brings its text and author; only the link and network are asked.
    let since = h.fake.mark();
    h.fake.forward(
        CURATOR_TG,
        CURATOR_TG,
        "Мария К.",
        "Во дворе не горят фонари",
    );
    h.wait(since, "ask for the link", |c| {
        c.chat() == CURATOR_TG && c.text().contains("Пришлите ссылку")
    })
    .await;
    talk(
        CURATOR_TG,
        CURATOR_TG,
        "https://vk.com/wall-1_77",
        "Создан инцидент №3",
    )
    .await;
    let third = h.store.incident(IncidentId(3)).await.unwrap();
    assert_eq!(
        (
            third.content.author.as_str(),
            third.content.text.as_str(),
            third.content.source
        ),
        ("Мария К.", "Во дворе не горят фонари", Source::Vk)
    );
}

const DISCUSSION: i64 = -1_009_999;
const CHANNEL: i64 = -1_008_888;

/// Connects the organisation to its channel's discussion group; a citizen comments; the
/// incident is routed and its answer drafted and approved. Returns (comment id, approval card).
async fn comment_answered_and_approved(h: &TestApp) -> (i64, support::fake_telegram::Call) {
    // No restart after the change: the organisation's version tells the running bot.
    h.store
        .set_channel(h.org, Some(telegram_chat(DISCUSSION)), Some("@vorsino_adm"))
        .await
        .unwrap();
    // The channel's own post and a colleague's comment are not incidents; a citizen's is.
    h.fake.channel_post(DISCUSSION, CHANNEL, 42);
    h.fake.comment(
        EXECUTOR_TG,
        DISCUSSION,
        CHANNEL,
        42,
        "Коллеги, уже работаем",
    );
    let (_, comment) = h.fake.comment(
        5005,
        DISCUSSION,
        CHANNEL,
        42,
        "Когда починят дорогу на Лесной?",
    );
    let triage = h.triage(1).await;
    assert!(
        triage.text().contains("Telegram · комментарий (публичный)"),
        "{}",
        triage.text()
    );
    assert!(
        triage.text().contains("«Когда починят дорогу на Лесной?»"),
        "{}",
        triage.text()
    );
    let stored = h.store.incident(IncidentId(1)).await.unwrap();
    assert_eq!(
        stored.content.url,
        format!("https://t.me/vorsino_adm/42?comment={comment}")
    );
    assert!(
        h.store.incident(IncidentId(2)).await.is_err(),
        "only the citizen's comment is an incident"
    );
    let card = h.route(&triage, 1, h.dept).await;
    let preview = write_draft(
        h,
        (&card, "dr:1:0:a"),
        "Здравствуйте! Ремонт дороги на Лесной — 25 ноября.",
        false,
    )
    .await;
    let since = h.fake.mark();
    h.press(EXECUTOR_TG, &preview, "sd:1").await;
    let approval = h
        .wait(since, "approval", |c| {
            c.chat() == CURATOR_CHAT && c.buttons().contains(&"ap:1:0:1".to_string())
        })
        .await;
    (comment, approval)
}

async fn channel_comments_become_incidents_and_the_answer_is_posted_as_a_reply(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let (comment, approval) = comment_answered_and_approved(&h).await;

    // Approved: Otklik replies to the comment itself and records the link.
    let since = h.fake.mark();
    h.press(CURATOR_TG, &approval, "ap:1:0:1").await;
    let reply = h
        .wait(since, "reply in the discussion group", |c| {
            c.chat() == DISCUSSION && c.method == "sendMessage"
        })
        .await;
    assert_eq!(
        reply.text(),
        "Здравствуйте! Ремонт дороги на Лесной — 25 ноября."
    );
    assert_eq!(reply.body["reply_parameters"]["message_id"], comment);
    let note = h
        .wait(since, "published note", |c| {
            c.chat() == CURATOR_CHAT && c.text().contains("опубликован в комментариях канала")
        })
        .await;
    let link = format!(
        "https://t.me/vorsino_adm/42?comment={}",
        reply.message_id.unwrap()
    );
    assert!(note.text().contains(&link), "{}", note.text());
    let published = h.store.incident(IncidentId(1)).await.unwrap();
    assert_eq!(published.workflow.state, IncidentState::Published);
    assert_eq!(published.workflow.publication.unwrap().link, link);

    // The same author comments again under the same post: a repeat of the first incident.
    h.fake
        .comment(5005, DISCUSSION, CHANNEL, 42, "Так когда же?");
    // (Its card may be summed up: the group just had a minute's worth of notices.)
    h.triage_or_summed_up(2, 2).await;
    assert_eq!(
        h.store
            .incident(IncidentId(2))
            .await
            .unwrap()
            .content
            .repeat_of,
        Some(IncidentId(1))
    );
}

async fn a_crash_between_posting_and_recording_never_posts_twice(db: &TestDb) {
    let mut h = TestApp::start("vorsino", db).await;
    let (_, approval) = comment_answered_and_approved(&h).await;

    // Telegram takes the reply, but the bot dies before it hears back.
    h.fake.hang_on(DISCUSSION);
    let since = h.fake.mark();
    h.press(CURATOR_TG, &approval, "ap:1:0:1").await;
    h.wait(since, "the reply reaches Telegram", |c| {
        c.chat() == DISCUSSION && c.method == "sendMessage"
    })
    .await;
    h.crash_and_restart().await;
    h.fake.release(DISCUSSION);
    // After the lease of the dead worker runs out, the new one takes the message over...
    let since = h.fake.mark();
    h.clock.advance(chrono::Duration::minutes(2));
    h.core.wake_delivery();
    // ...and asks the curators to check instead of posting again.
    let doubt = h
        .wait(since, "the curators are asked to check", |c| {
            c.chat() == CURATOR_CHAT && c.text().contains("не удалось подтвердить")
        })
        .await;
    assert_eq!(doubt.buttons(), ["pb:1:0", "cp:1:0"]);
    let replies = h
        .fake
        .calls()
        .iter()
        .filter(|c| c.chat() == DISCUSSION && c.method == "sendMessage")
        .count();
    assert_eq!(replies, 1, "the answer is posted at most once");
    let stored = h.store.incident(IncidentId(1)).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::InWork);
    assert_eq!(
        h.store
            .publication_state(otklik::storage::AnswerKey {
                incident: IncidentId(1),
                part: Some(0),
                version: 1
            })
            .await
            .unwrap()
            .as_deref(),
        Some("in_doubt")
    );

    // The curator checks, finds the reply and records its link (asked and typed in their
    // private chat).
    let since = h.fake.mark();
    let answer = h.press(CURATOR_TG, &doubt, "pb:1:0").await;
    assert_eq!(
        answer.body["text"],
        "Продолжите в личном чате с ботом — вопрос уже там."
    );
    h.wait(since, "ask for the link", |c| {
        c.chat() == CURATOR_TG && c.text().contains("Пришлите ссылку")
    })
    .await;
    let since = h.fake.mark();
    h.fake.say(
        CURATOR_TG,
        CURATOR_TG,
        "https://t.me/vorsino_adm/42?comment=77",
    );
    h.wait(since, "recorded", |c| {
        c.chat() == CURATOR_TG && c.text() == "Публикация записана."
    })
    .await;
    assert_eq!(
        h.store
            .incident(IncidentId(1))
            .await
            .unwrap()
            .workflow
            .state,
        IncidentState::Published
    );
    let replies = h
        .fake
        .calls()
        .iter()
        .filter(|c| c.chat() == DISCUSSION && c.method == "sendMessage")
        .count();
    assert_eq!(replies, 1);
}

async fn a_weekend_emergency_is_taken_by_the_duty_officer(db: &TestDb) {
    const DUTY_TG: i64 = 7007;
    let h = TestApp::start("yuzhno-sakhalinsk", db).await;
    let duty = h
        .store
        .create_person(
            h.org,
            &person("Кузнецов Игорь", DUTY_TG, vec![Role::DutyOfficer]),
        )
        .await
        .unwrap();
    // Saturday 28 November: a high-importance message wakes the duty officer.
    let saturday = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    h.store
        .add_duty(
            h.org,
            &DutyShift {
                person: duty,
                from: saturday,
                to: saturday,
                phone: Some("+7 900 000-00-07".into()),
                department: None,
            },
        )
        .await
        .unwrap();
    let sakhalin = chrono::NaiveDateTime::parse_from_str("2026-11-28 11:00", "%Y-%m-%d %H:%M")
        .unwrap()
        .and_local_timezone(chrono_tz::Asia::Sakhalin)
        .single()
        .unwrap()
        .with_timezone(&chrono::Utc);
    h.clock.set(sakhalin);
    h.incident("Прорвало трубу, вода заливает дорогу", Importance::High)
        .await;
    let alert = h
        .wait(0, "the duty officer's alert", |c| {
            c.chat() == DUTY_TG && c.text().contains("Выходной день")
        })
        .await;
    assert_eq!(alert.labels(), ["✅ Беру", "📞 Передал в ЕДДС"]);
    // Somebody else cannot take it; the duty officer does, once.
    let refused = h.press(EXECUTOR_TG, &alert, "du:1:t").await;
    assert_eq!(refused.body["text"], "Эта кнопка не для вас.");
    let taken = h.press(DUTY_TG, &alert, "du:1:t").await;
    assert_eq!(taken.body["text"], "Вы взяли сообщение в работу.");
    let answered = h
        .wait(0, "the alert says who took it", |c| {
            c.method == "editMessageText"
                && c.chat() == DUTY_TG
                && c.text().contains("взял дежурный Кузнецов Игорь")
        })
        .await;
    // Once taken, the alert carries the usual actions: the duty officer routes it as a curator.
    let buttons = answered.buttons();
    assert!(
        !buttons.iter().any(|b| b.starts_with("du:"))
            && buttons.iter().any(|b| b.starts_with("dp:1:")),
        "{buttons:?}"
    );
    h.wait(0, "the curators are told", |c| {
        c.chat() == CURATOR_CHAT
            && c.method == "sendMessage"
            && c.text().contains("взял дежурный Кузнецов Игорь")
    })
    .await;
    let again = h.press(DUTY_TG, &alert, "du:1:d").await;
    assert_eq!(again.body["text"], "Это уже сделано.");
    let commands: Vec<String> = h
        .store
        .audit_log(IncidentId(1))
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.command)
        .collect();
    assert_eq!(commands, ["register", "answer_duty_alert"]);
}

async fn barnaul_curator_deadlines_deputy_approval_and_a_consolidated_answer(db: &TestDb) {
    const DEPUTY_TG: i64 = 6006;
    const DEPT_HEAD_TG: i64 = 7007;
    let h = TestApp::start("barnaul-leninsky", db).await;
    h.store
        .create_person(
            h.org,
            &person("Заместитель Ольга", DEPUTY_TG, vec![Role::Deputy]),
        )
        .await
        .unwrap();
    let dept_head = h
        .store
        .create_person(
            h.org,
            &person(
                "Руководитель Иван",
                DEPT_HEAD_TG,
                vec![Role::DepartmentHead],
            ),
        )
        .await
        .unwrap();
    for dept in [h.dept, h.other_dept] {
        h.store.set_department_head(dept, dept_head).await.unwrap();
    }
    let reg = h
        .incident("Во дворе яма и не вывозят мусор", Importance::Normal)
        .await;
    let triage = h.triage(reg.number).await;
    let private = h.triage_in_private(&triage, 1).await;
    let since = h.fake.mark();
    h.press(CURATOR_TG, &private, &format!("dp:1:{}", h.dept))
        .await;
    h.wait(since, "first tick", |c| {
        c.method == "editMessageText"
            && c.chat() == CURATOR_TG
            && c.labels().iter().any(|l| l == "Отдел ЖКХ ✓")
    })
    .await;
    let since = h.fake.mark();
    h.press(CURATOR_TG, &private, &format!("dp:1:{}", h.other_dept))
        .await;
    let ticked = h
        .wait(since, "both ticked", |c| {
            c.method == "editMessageText"
                && c.chat() == CURATOR_TG
                && c.labels().iter().any(|l| l == "Благоустройство ✓")
                && c.labels().iter().any(|l| l == "Отдел ЖКХ ✓")
        })
        .await;

    // Barnaul's curator sets the draft and deputy deadlines when routing (in private, where
    // the card is).
    let since = h.fake.mark();
    h.press(CURATOR_TG, &ticked, "ro:1").await;
    h.wait(since, "draft deadline", |c| {
        c.chat() == CURATOR_TG && c.text().contains("срок «проект ответа»")
    })
    .await;
    let since = h.fake.mark();
    h.fake.say(CURATOR_TG, CURATOR_TG, "завтра");
    h.wait(since, "bad date", |c| {
        c.chat() == CURATOR_TG && c.text().contains("Не понял дату")
    })
    .await;
    // Barnaul §5: the deputy agrees the answer within the draft's term; nothing more is asked.
    let since = h.fake.mark();
    h.fake.say(CURATOR_TG, CURATOR_TG, "23.11 16:00");
    h.wait(since, "routed", |c| {
        c.chat() == CURATOR_TG && c.text() == "Направлено."
    })
    .await;
    // Barnaul §5: the executors wait while the department head checks competence.
    let waiting = h
        .wait(since, "card 1", |c| {
            c.chat() == EXECUTOR_TG && c.text().contains("Часть отдела: Отдел ЖКХ")
        })
        .await;
    assert_eq!(waiting.buttons(), ["rt:1:0"], "{}", waiting.text());
    assert!(
        waiting.text().contains("подтвердить компетенцию до"),
        "{}",
        waiting.text()
    );
    let mut cards = Vec::new();
    for (user, part) in [(EXECUTOR_TG, 0), (OTHER_EXECUTOR_TG, 1)] {
        let check = h
            .wait(since, "competence check", |c| {
                c.chat() == DEPT_HEAD_TG && c.buttons().contains(&format!("ac:1:{part}"))
            })
            .await;
        assert!(
            check.labels().iter().any(|l| l == "✅ Наша компетенция"),
            "{:?}",
            check.labels()
        );
        let confirmed = h.fake.mark();
        h.press(DEPT_HEAD_TG, &check, &format!("ac:1:{part}")).await;
        cards.push(
            h.wait(confirmed, "competence confirmed", |c| {
                c.chat() == user
                    && c.text()
                        .contains("руководитель отдела подтвердил компетенцию")
                    && c.buttons().contains(&format!("dr:1:{part}:a"))
            })
            .await,
        );
    }
    let (card0, card1) = (cards[0].clone(), cards[1].clone());

    // Each part: draft → the deputy approves in a private chat → the curator approves.
    for (user, card, part, text) in [
        (EXECUTOR_TG, &card0, 0, "Мусор вывезут сегодня."),
        (OTHER_EXECUTOR_TG, &card1, 1, "Яму засыплют до пятницы."),
    ] {
        let preview =
            write_draft_as(&h, user, (card, &format!("dr:1:{part}:a")), text, false).await;
        let since = h.fake.mark();
        h.press(user, &preview, "sd:1").await;
        let for_deputy = h
            .wait(since, "deputy's approval card", |c| {
                c.chat() == DEPUTY_TG && c.buttons().contains(&format!("ap:1:{part}:1"))
            })
            .await;
        let early = h
            .press(CURATOR_TG, &for_deputy, &format!("ap:1:{part}:1"))
            .await;
        assert_eq!(
            early.body["text"], "Эта кнопка не для вас.",
            "the curator cannot skip the deputy"
        );
        let since = h.fake.mark();
        h.press(DEPUTY_TG, &for_deputy, &format!("ap:1:{part}:1"))
            .await;
        let for_curator = h
            .wait(since, "curator's approval card", |c| {
                c.chat() == CURATOR_CHAT && c.buttons().contains(&format!("ap:1:{part}:1"))
            })
            .await;
        h.press(CURATOR_TG, &for_curator, &format!("ap:1:{part}:1"))
            .await;
    }

    // Both parts approved: the curator merges them, approves and publishes.
    let consolidate = h
        .wait(0, "consolidation card", |c| {
            c.chat() == CURATOR_CHAT && c.buttons().contains(&"wc:1".to_string())
        })
        .await;
    assert!(
        consolidate.text().contains("«Мусор вывезут сегодня.»")
            && consolidate.text().contains("«Яму засыплют до пятницы.»"),
        "{}",
        consolidate.text()
    );
    let since = h.fake.mark();
    let answer = h.press(CURATOR_TG, &consolidate, "wc:1").await;
    assert_eq!(
        answer.body["text"],
        "Продолжите в личном чате с ботом — вопрос уже там."
    );
    h.wait(since, "ask for the merged text", |c| {
        c.chat() == CURATOR_TG && c.text().contains("сводного ответа")
    })
    .await;
    let since = h.fake.mark();
    h.fake.say(
        CURATOR_TG,
        CURATOR_TG,
        "Мусор вывезут сегодня, яму засыплют до пятницы.",
    );
    let merged = h
        .wait(since, "consolidated approval card", |c| {
            c.chat() == CURATOR_CHAT && c.buttons().contains(&"ap:1:c:1".to_string())
        })
        .await;
    let since = h.fake.mark();
    h.press(CURATOR_TG, &merged, "ap:1:c:1").await;
    let publish = h
        .wait(since, "publication card", |c| {
            c.chat() == CURATOR_CHAT && c.buttons().contains(&"pb:1:c".to_string())
        })
        .await;
    let since = h.fake.mark();
    h.press(CURATOR_TG, &publish, "pb:1:c").await;
    h.wait(since, "ask for the link", |c| {
        c.chat() == CURATOR_TG && c.text().contains("Пришлите ссылку")
    })
    .await;
    let since = h.fake.mark();
    h.fake
        .say(CURATOR_TG, CURATOR_TG, "https://im.example/incidents/1");
    h.wait(since, "recorded", |c| {
        c.chat() == CURATOR_TG && c.text() == "Публикация записана."
    })
    .await;
    let done = h.store.incident(IncidentId(1)).await.unwrap();
    assert_eq!(done.workflow.state, IncidentState::Published);
    assert_eq!(
        done.workflow.consolidated.unwrap().text,
        "Мусор вывезут сегодня, яму засыплют до пятницы."
    );
}

/// The bot added to a group (Telegram's `my_chat_member` update).
fn added_to(chat: i64) -> serde_json::Value {
    let bot = serde_json::json!({"id": support::fake_telegram::BOT_ID, "is_bot": true, "first_name": "Отклик"});
    serde_json::json!({"my_chat_member": {
        "chat": {"id": chat, "type": "supergroup", "title": "Кураторы"},
        "from": {"id": CURATOR_TG, "is_bot": false, "first_name": "Елена"},
        "date": 1_795_000_000,
        "old_chat_member": {"user": bot.clone(), "status": "left"},
        "new_chat_member": {"user": bot, "status": "member"},
    }})
}

async fn added_to_a_group_the_bot_tells_its_id(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    // A new group is told what to put into the organisation file.
    let since = h.fake.mark();
    h.fake.push(added_to(-1_009_876));
    let hint = h
        .wait(since, "the hint in the new group", |c| {
            c.method == "sendMessage" && c.chat() == -1_009_876
        })
        .await;
    assert!(
        hint.text().contains("curator_chat_id = -1009876"),
        "{}",
        hint.text()
    );
    assert!(
        !hint.text().contains("curator_chat_messenger"),
        "{}",
        hint.text()
    );
    // The curators' own group, the bot added again, is told nothing.
    h.fake.push(added_to(CURATOR_CHAT));
    h.fake.push(added_to(-1_005_555));
    h.wait(since, "the hint in another group", |c| {
        c.chat() == -1_005_555
    })
    .await;
    // All three are handled (and counted in /metrics) before nothing in the curators' group
    // can be told apart from not yet.
    h.wait_handled("telegram", "added", 3).await;
    assert!(h
        .fake
        .calls()
        .iter()
        .skip(since)
        .all(|c| c.chat() != CURATOR_CHAT));
}
