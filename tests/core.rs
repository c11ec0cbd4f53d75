//! Whole flows through the application core alone — no messenger: presses, messages and
//! intake go in as core calls; what comes out are view models (the replies, and the notices the
//! delivery worker hands to a recording messenger port). On SQLite and on PostgreSQL.

mod support;

use std::sync::Arc;

use chrono::Duration;
use otklik::core::action::Overview;
use otklik::core::{Account, Action, Conversation, Core, CoreConfig, MessengerPort, View, Who};
use otklik::domain::content::{
    IncidentContent, IncidentRecord, MessageKind, Messenger, NewIncident, Source,
};
use otklik::domain::incident::{
    DraftKind, DutyAnswerKind, IncidentState, PartState, ReturnReason, Role,
};
use otklik::domain::regulation::Importance;
use otklik::domain::{DepartmentId, IncidentId, PersonId};
use otklik::storage::{Absence, AbsenceReason, DutyShift, NewOrganisation, Store};
use otklik::texts::Texts;
use support::app::*;
use support::db::TestDb;

on_both_backends!(
    an_incident_goes_from_intake_to_publication_with_rework,
    a_clarification_pauses_the_clock_until_the_author_replies,
    a_returned_part_shows_it_everywhere_and_goes_to_another_department,
    buttons_and_ids_of_another_organisation_are_refused,
    publication_is_refused_at_the_press,
    two_curators_approving_at_once_make_one_transition,
    an_absent_executors_incidents_go_to_the_substitute,
    intake_is_idempotent_by_external_id,
    a_weekend_emergency_reaches_the_duty_officer,
    a_pending_input_expires,
    a_press_reads_the_incident_once_and_a_refusal_writes_nothing,
    a_directory_change_is_noticed_without_a_restart,
    the_overview_pages_open_incidents_most_urgent_first_and_opens_cards,
    a_queue_that_falls_behind_is_summed_up_in_one_message,
    two_processes_fire_each_timer_once,
    a_weekend_emergency_is_decided_by_when_it_is_taken_in,
    vorsino_2_2_3_the_department_total_is_on_both_cards,
    krymsk_10_settings_say_where_the_profile_departs_from_the_text,
    vorsino_2_7_1_an_explanation_is_edited_before_it_goes_out,
    vorsino_2_7_1_the_abuse_of_right_explanation_states_the_regulations_grounds,
    yuzhno_sakhalinsk_3_7_the_department_prepares_the_explanation_the_operator_sends_it,
    vorsino_2_5_a_general_interest_answer_goes_to_the_pages_and_site_too,
    yuzhno_sakhalinsk_3_9_the_weekend_alert_names_each_departments_people_on_call,
    yuzhno_sakhalinsk_3_8_a_routed_message_becomes_an_appeal_from_the_status_card,
    krymsk_5_an_absence_for_another_reason_hands_the_work_to_the_substitute,
    vorsino_2_8_a_repeat_is_the_same_author_and_a_curator_marks_it,
    barnaul_12_a_topic_set_at_triage_completes_a_burst,
    barnaul_5_an_absent_heads_substitute_decides_competence_and_the_executor_only_proposes,
    barnaul_12_a_significant_message_at_night_reaches_the_head_and_those_named_at_once,
    vorsino_2_7_only_the_explanations_the_regulation_lists_are_offered,
    borovichi_2_no_explanations_and_no_59_fz_appeals,
    krymsk_3_no_explanations_and_no_59_fz_appeals,
    borovichi_22_the_responsible_deputy_asks_for_the_report,
    yuzhno_sakhalinsk_3_3_an_answer_handed_to_the_department_meets_the_term,
    vorsino_2_7_an_explanation_under_the_channels_comment_is_posted_there,
    a_change_while_a_card_is_on_its_way_reaches_the_card,
);

use support::core_world::*;

async fn an_incident_goes_from_intake_to_publication_with_rework(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let d = &w.seeded;
    let inc = w
        .take_in(
            "Третий день нет отопления",
            Some("IM-1287"),
            Importance::Normal,
        )
        .await;
    let id = inc.id;
    w.deliver().await;

    // The curators' triage card: the message, the routing deadline, and what may be done.
    let triage = w.sent(CURATOR_CHAT).pop().unwrap();
    let text = triage.view.plain();
    assert!(text.contains("Новое сообщение №1 · ВКонтакте"), "{text}");
    assert!(text.contains("«Третий день нет отопления»"), "{text}");
    assert!(text.contains("направить до 12:00, пн, 23 нояб."), "{text}");
    // In the group, one press each: importance, or «Разобрать» for the card in private.
    assert_eq!(
        triage.view.actions(),
        [
            Action::Importance {
                inc: id,
                high: false
            },
            Action::Importance {
                inc: id,
                high: true
            },
            Action::OpenCard { inc: id },
        ]
    );
    let opened = w
        .press(&w.curator_in_group().await, Action::OpenCard { inc: id })
        .await;
    assert_eq!(toast(&opened), "Карточка №1 — в вашем личном чате с ботом.");
    w.deliver().await;
    let private = w.sent(CURATOR_TG).pop().unwrap();
    let actions = private.view.actions();
    for a in [
        Action::ToggleDepartment {
            inc: id,
            dept: d.dept,
        },
        Action::Route { inc: id },
        Action::NoAnswer { inc: id },
        Action::Explanation {
            inc: id,
            part: None,
        },
        Action::Appeal { inc: id },
    ] {
        assert!(actions.contains(&a), "{a:?} in {actions:?}");
    }

    // Triage: an executor may not; the curator ticks the department and routes.
    let curator = w.curator().await;
    let executor = w.executor().await;
    let refused = w
        .press(
            &executor,
            Action::ToggleDepartment {
                inc: id,
                dept: d.dept,
            },
        )
        .await;
    assert_eq!(toast(&refused), "Эта кнопка не для вас.");
    let ticked = w
        .press(
            &curator,
            Action::ToggleDepartment {
                inc: id,
                dept: d.dept,
            },
        )
        .await;
    let labels: Vec<String> = ticked
        .edit
        .unwrap()
        .buttons
        .iter()
        .flatten()
        .map(|b| b.label.clone())
        .collect();
    assert!(labels.contains(&"Отдел ЖКХ ✓".to_string()), "{labels:?}");
    assert_eq!(
        toast(&w.press(&curator, Action::Route { inc: id }).await),
        "Направлено: Отдел ЖКХ."
    );
    w.deliver().await;

    // The executor's card: four actions, the deadline in local time with the working time left.
    let card = w.sent(EXECUTOR_TG).pop().unwrap();
    let text = card.view.plain();
    assert!(
        text.contains("⏰ проект ответа до 13:00, пн, 23 нояб."),
        "{text}"
    );
    assert!(
        text.contains("осталось 3 ч 0 мин рабочего времени"),
        "{text}"
    );
    assert_eq!(
        card.view.actions(),
        [
            Action::Accept { inc: id, part: 0 },
            Action::Return { inc: id, part: 0 },
            Action::StartDraft {
                inc: id,
                part: 0,
                kind: DraftKind::Answer
            },
            Action::StartDraft {
                inc: id,
                part: 0,
                kind: DraftKind::Clarification
            },
        ]
    );
    // The curators' card turned into the status card.
    let status = w.now_shows(CURATOR_CHAT, triage.message);
    assert!(
        status
            .plain()
            .contains("• Отдел ЖКХ — Петров Алексей: 📥 Новый, ждёт принятия"),
        "{}",
        status.plain()
    );
    // Vorsino 2.7: an explanation may still be needed, within 8 wh of detection.
    assert_eq!(
        status.actions(),
        [
            Action::Explanation {
                inc: id,
                part: None
            },
            Action::Appeal { inc: id },
            Action::Repeat { inc: id },
            Action::GeneralInterest { inc: id }
        ]
    );
    assert!(
        status
            .plain()
            .contains("📄 разъяснение, если оно нужно, — до 10:00, вт, 24 нояб."),
        "{}",
        status.plain()
    );

    // Accept, then a draft with a phone number: rework.
    assert_eq!(
        toast(
            &w.press(&executor, Action::Accept { inc: id, part: 0 })
                .await
        ),
        "Принято в работу."
    );
    w.deliver().await;
    assert!(!w
        .now_shows(EXECUTOR_TG, card.message)
        .actions()
        .contains(&Action::Accept { inc: id, part: 0 }));
    let sent = w
        .draft(
            &executor,
            id,
            DraftKind::Answer,
            "Ирина, здравствуйте! Звоните +7 912 345-67-89.",
        )
        .await;
    assert_eq!(toast(&sent), "📤 Отправлено на согласование.");
    w.deliver().await;
    let approval = w.sent(CURATOR_CHAT).pop().unwrap();
    assert!(
        approval
            .view
            .plain()
            .contains("⚠️ В тексте номер телефона +7 912 345-67-89"),
        "{}",
        approval.view.plain()
    );
    assert_eq!(
        approval.view.actions(),
        [
            Action::Approve {
                inc: id,
                part: Some(0),
                version: 1
            },
            Action::Rework {
                inc: id,
                part: 0,
                version: 1
            },
        ]
    );
    let asked = w
        .press(
            &curator,
            Action::Rework {
                inc: id,
                part: 0,
                version: 1,
            },
        )
        .await;
    assert!(said(&asked).contains("что доработать"), "{}", said(&asked));
    assert_eq!(said(&w.say(&curator, "Уберите телефон").await), "Готово.");
    w.deliver().await;
    let rework = w.sent(EXECUTOR_TG).pop().unwrap();
    assert!(
        rework.view.plain().contains("«Уберите телефон»"),
        "{}",
        rework.view.plain()
    );
    assert!(
        rework
            .view
            .plain()
            .contains("Доработать до 11:00, пн, 23 нояб."),
        "{}",
        rework.view.plain()
    );
    assert_eq!(
        rework.view.actions(),
        [Action::StartDraft {
            inc: id,
            part: 0,
            kind: DraftKind::Answer
        }]
    );
    // The first approval card says what became of it, and offers nothing more.
    let first = w.now_shows(CURATOR_CHAT, approval.message);
    assert!(
        first
            .plain()
            .contains("🔁 На доработку: Смирнова Елена, 10:00"),
        "{}",
        first.plain()
    );
    assert!(first.actions().is_empty());

    // The corrected draft; the old card's button is stale; approval; publication.
    w.draft(
        &executor,
        id,
        DraftKind::Answer,
        "Ирина, здравствуйте! Тепло дали в 11:40.",
    )
    .await;
    w.deliver().await;
    assert!(w
        .now_shows(EXECUTOR_TG, rework.message)
        .actions()
        .is_empty());
    let stale = w
        .press(
            &curator,
            Action::Approve {
                inc: id,
                part: Some(0),
                version: 1,
            },
        )
        .await;
    assert_eq!(toast(&stale), "Проект уже изменён — откройте новую версию.");
    let approval2 = w.sent(CURATOR_CHAT).pop().unwrap();
    assert_eq!(
        toast(
            &w.press(
                &curator,
                Action::Approve {
                    inc: id,
                    part: Some(0),
                    version: 2
                }
            )
            .await
        ),
        "Согласовано."
    );
    w.deliver().await;
    assert!(w
        .now_shows(CURATOR_CHAT, approval2.message)
        .plain()
        .contains("✅ Согласовано: Смирнова Елена, 10:00"));
    let publish = w.sent(CURATOR_CHAT).pop().unwrap();
    assert_eq!(
        publish.view.actions(),
        [
            Action::Published {
                inc: id,
                part: Some(0)
            },
            Action::CannotPublish {
                inc: id,
                part: Some(0)
            }
        ]
    );
    w.press(
        &curator,
        Action::Published {
            inc: id,
            part: Some(0),
        },
    )
    .await;
    assert!(said(&w.say(&curator, "опубликовали").await).contains("Нужна ссылка"));
    assert_eq!(
        said(
            &w.say(&curator, "https://vk.com/wall-123_456?reply=800")
                .await
        ),
        "Публикация записана."
    );
    w.deliver().await;
    let done = w.now_shows(EXECUTOR_TG, card.message);
    assert!(
        done.plain().contains("Статус: ✔️ Ответ опубликован"),
        "{}",
        done.plain()
    );
    assert!(done.actions().is_empty());
    let published = w.now_shows(CURATOR_CHAT, publish.message);
    assert!(published
        .plain()
        .contains("🔗 https://vk.com/wall-123_456?reply=800"));
    assert!(published.actions().is_empty());

    // Persisted: the state, both drafts with their reviews, every step in the audit log.
    let stored = w.store.incident(id).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::Published);
    assert_eq!(stored.content.external_id.as_deref(), Some("IM-1287"));
    let drafts = w.store.drafts(id).await.unwrap();
    assert_eq!(drafts.len(), 2);
    assert_eq!(drafts[0].reviews[0]["rework_comment"], "Уберите телефон");
    let audit = w.store.audit_log(id).await.unwrap();
    let commands: Vec<&str> = audit.iter().map(|a| a.command.as_str()).collect();
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
    assert_eq!(audit[1].actor, d.curator);
    assert_eq!(audit[1].to_state.as_deref(), Some("in_work [routed]"));
    assert_eq!(audit[7].to_state.as_deref(), Some("published [done]"));
    assert!(w
        .store
        .open_assignments(&[d.executor])
        .await
        .unwrap()
        .is_empty());
}

async fn a_clarification_pauses_the_clock_until_the_author_replies(db: &TestDb) {
    let w = World::new(db, "borovichi").await;
    let inc = w.routed("Когда починят лифт?").await.id;
    let card = w.sent(EXECUTOR_TG).pop().unwrap();
    let executor = w.executor().await;
    let curator = w.curator().await;
    // «Запросить уточнение» on a new card accepts it first.
    w.draft(&executor, inc, DraftKind::Clarification, "Уточните адрес?")
        .await;
    w.deliver().await;
    let approval = w.sent(CURATOR_CHAT).pop().unwrap();
    assert!(
        approval.view.plain().contains("уточнение автору"),
        "{}",
        approval.view.plain()
    );
    w.press(
        &curator,
        Action::Approve {
            inc,
            part: Some(0),
            version: 1,
        },
    )
    .await;
    w.deliver().await;
    // Borovichi §10: the executor posts the request (and records the reply).
    let publish = w.sent(EXECUTOR_TG).pop().unwrap();
    assert!(
        publish.view.plain().contains("«Уточните адрес?»"),
        "{}",
        publish.view.plain()
    );
    // Approved is not posted: the clock still runs, and only «Запрос опубликован» is offered.
    assert_eq!(
        publish.view.actions(),
        [Action::ClarificationPosted { inc, part: 0 }]
    );
    assert!(
        publish
            .view
            .plain()
            .contains("срок идёт, пока запрос не опубликован"),
        "{}",
        publish.view.plain()
    );
    let running = w.now_shows(EXECUTOR_TG, card.message).plain();
    assert!(!running.contains("⏸"), "{running}");
    // Posted half an hour later: the clock stops from then.
    w.clock.advance(Duration::minutes(30));
    let curator_in_group = w.curator_in_group().await;
    let refused = w
        .press(
            &curator_in_group,
            Action::ClarificationPosted { inc, part: 0 },
        )
        .await;
    assert_eq!(toast(&refused), "Эта кнопка не для вас.");
    let posted = w
        .press(&executor, Action::ClarificationPosted { inc, part: 0 })
        .await;
    assert_eq!(
        toast(&posted),
        "Записано: запрос опубликован, срок остановлен до ответа автора."
    );
    w.deliver().await;
    let publish_now = w.now_shows(EXECUTOR_TG, publish.message);
    assert_eq!(
        publish_now.actions(),
        [Action::AuthorReplied { inc, part: 0 }]
    );
    assert!(
        publish_now.plain().contains(
            "⏸ Запрос опубликован 10:30, пн, 23 нояб.: срок остановлен до ответа автора."
        ),
        "{}",
        publish_now.plain()
    );
    let paused = w.now_shows(EXECUTOR_TG, card.message);
    assert!(
        paused.plain().contains("⏸ срок приостановлен"),
        "{}",
        paused.plain()
    );
    // Borovichi §10: the incident's own deadline stops too, on the curators' card and in the
    // scheduler's index.
    let curators_card = w.sent(CURATOR_CHAT)[0].message;
    let status = w.now_shows(CURATOR_CHAT, curators_card).plain();
    assert!(
        status.contains("⏸ срок приостановлен: ждём ответа автора (останется 7 ч 30 мин)"),
        "{status}"
    );
    assert!(!status.contains("⏰ ответ"), "{status}");
    assert!(
        paused.plain().contains("останется 3 ч 30 мин"),
        "{}",
        paused.plain()
    );

    // The author stays silent for the profile's follow-up term (8 working hours from Mon 10:30:
    // Tue 10:30): the executor and the curators are told, with «Автор ответил» for whoever may
    // record the reply.
    let (executor_before, curators_before) =
        (w.sent(EXECUTOR_TG).len(), w.sent(CURATOR_CHAT).len());
    w.clock.set(moscow("2026-11-24 10:29"));
    w.core.fire_due_timers().await.unwrap();
    w.deliver().await;
    assert_eq!(w.sent(EXECUTOR_TG).len(), executor_before);
    w.clock.set(moscow("2026-11-24 10:30"));
    w.core.fire_due_timers().await.unwrap();
    w.deliver().await;
    let unanswered = "⏳ №1 (Отдел ЖКХ): автор не ответил на запрос уточнения, опубликованный 10:30, пн, 23 нояб.";
    let to_executor = w.sent(EXECUTOR_TG);
    assert_eq!(to_executor.len(), executor_before + 1);
    let followed = to_executor.last().unwrap();
    assert!(
        followed.view.plain().contains(unanswered),
        "{}",
        followed.view.plain()
    );
    assert_eq!(
        followed.view.actions(),
        [Action::AuthorReplied { inc, part: 0 }]
    );
    let to_curators = w.sent(CURATOR_CHAT);
    assert_eq!(to_curators.len(), curators_before + 1);
    let told = to_curators.last().unwrap().view.plain();
    assert!(told.contains(unanswered), "{told}");

    // Half an hour later the author answers; the clock goes on from where it stopped (3 h 30
    // min of the draft's working time from Tue 11:00, with the lunch break).
    w.clock.set(moscow("2026-11-24 11:00"));
    let other = w.who(w.seeded.other_executor, OTHER_EXECUTOR_TG).await;
    let refused = w
        .press(&other, Action::AuthorReplied { inc, part: 0 })
        .await;
    assert_eq!(toast(&refused), "Эта кнопка не для вас.");
    w.press(&executor, Action::AuthorReplied { inc, part: 0 })
        .await;
    assert_eq!(said(&w.say(&executor, "Ленина, 14").await), "Готово.");
    w.deliver().await;
    let notice = w.sent(EXECUTOR_TG).pop().unwrap();
    assert!(
        notice.view.plain().contains("«Ленина, 14»"),
        "{}",
        notice.view.plain()
    );
    let resumed = w.now_shows(EXECUTOR_TG, card.message);
    assert!(
        resumed
            .plain()
            .contains("⏰ проект ответа до 15:30, вт, 24 нояб."),
        "{}",
        resumed.plain()
    );
    assert!(w
        .now_shows(EXECUTOR_TG, publish.message)
        .actions()
        .is_empty());
    // The follow-up's buttons go with the pause.
    assert!(w
        .now_shows(EXECUTOR_TG, followed.message)
        .actions()
        .is_empty());
    // Resumed at Tue 11:00 with 7 h 30 min left: Wed 10:30 on the curators' card.
    let status = w.now_shows(CURATOR_CHAT, curators_card).plain();
    assert!(
        status.contains("⏰ ответ до 10:30, ср, 25 нояб."),
        "{status}"
    );
}

async fn vorsino_2_2_3_the_department_total_is_on_both_cards(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    w.routed("Когда уберут снег?").await;
    let total = "обработка в отделе — до 18:00, пн, 23 нояб.";
    let card = w.sent(EXECUTOR_TG).pop().unwrap().view.plain();
    assert!(card.contains(total), "{card}");
    let status = w
        .now_shows(CURATOR_CHAT, w.sent(CURATOR_CHAT)[0].message)
        .plain();
    assert!(status.contains(total), "{status}");
}

async fn a_returned_part_shows_it_everywhere_and_goes_to_another_department(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let d = &w.seeded;
    let inc = w.routed("Яма на дороге").await.id;
    let card = w.sent(EXECUTOR_TG).pop().unwrap();
    let executor = w.executor().await;
    let curator = w.curator().await;
    let menu = w.press(&executor, Action::Return { inc, part: 0 }).await;
    assert!(menu.send[0].actions().contains(&Action::ReturnWith {
        inc,
        part: 0,
        reason: ReturnReason::AnotherDepartment
    }));
    w.press(
        &executor,
        Action::ReturnWith {
            inc,
            part: 0,
            reason: ReturnReason::AnotherDepartment,
        },
    )
    .await;
    assert_eq!(
        said(&w.say(&executor, "Это благоустройство").await),
        "Готово."
    );
    w.deliver().await;

    // The returning executor's card shows that it is returned, with no buttons.
    let returned_card = w.now_shows(EXECUTOR_TG, card.message);
    assert!(
        returned_card
            .plain()
            .contains("Статус: ↩️ Возвращён куратору"),
        "{}",
        returned_card.plain()
    );
    assert!(
        returned_card.actions().is_empty(),
        "{:?}",
        returned_card.actions()
    );
    // The curators may send it to the other department only.
    let returned = w.sent(CURATOR_CHAT).pop().unwrap();
    assert!(returned
        .view
        .plain()
        .contains("другой отдел — «Это благоустройство»"));
    assert_eq!(
        returned.view.actions(),
        [Action::Reroute {
            inc,
            part: 0,
            dept: d.other_dept
        }]
    );
    assert_eq!(
        toast(
            &w.press(
                &curator,
                Action::Reroute {
                    inc,
                    part: 0,
                    dept: d.other_dept
                }
            )
            .await
        ),
        "Направлено: Благоустройство."
    );
    w.deliver().await;
    let other = w.sent(OTHER_EXECUTOR_TG).pop().unwrap();
    assert!(other
        .view
        .actions()
        .contains(&Action::Accept { inc, part: 1 }));
    assert!(w
        .now_shows(CURATOR_CHAT, returned.message)
        .actions()
        .is_empty());
    // Routing the same part again is already done.
    let again = w
        .press(
            &curator,
            Action::Reroute {
                inc,
                part: 0,
                dept: d.other_dept,
            },
        )
        .await;
    assert_eq!(toast(&again), "Это уже сделано.");
}

async fn buttons_and_ids_of_another_organisation_are_refused(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let d = &w.seeded;
    // Another organisation in the same installation, with its department and executor.
    let other_org = w
        .store
        .create_organisation(
            &NewOrganisation {
                name: "Соседи".into(),
                regulation_name: "vorsino".into(),
                regulation_toml: otklik::domain::regulation::PRESETS[0].1.into(),
                curator_chat: Some(telegram_chat(-777)),
                head_chat: None,
            },
            w.core.now(),
        )
        .await
        .unwrap();
    let foreign_dept = w
        .store
        .create_department(other_org, "Их отдел")
        .await
        .unwrap();
    let foreign_exec = w
        .store
        .create_person(
            other_org,
            &person("Чужой Исполнитель", 8008, vec![Role::Executor]),
        )
        .await
        .unwrap();
    w.store
        .add_to_department(foreign_dept, foreign_exec)
        .await
        .unwrap();
    // A stranger's account is nobody.
    let stranger = w
        .core
        .identify(
            Account {
                messenger: Messenger::Telegram,
                id: STRANGER_TG,
            },
            Conversation {
                chat: telegram_chat(STRANGER_TG),
                private: true,
            },
        )
        .await
        .unwrap();
    assert!(stranger.is_none());

    let inc = w.take_in("Нет воды", None, Importance::Normal).await.id;
    let curator = w.curator().await;
    let outdated = "Сейчас это действие недоступно: карточка устарела.";
    // A forged button naming the other organisation's department: the outdated-card answer, and
    // nothing is ticked.
    let forged = w
        .press(
            &curator,
            Action::ToggleDepartment {
                inc,
                dept: foreign_dept,
            },
        )
        .await;
    assert_eq!(toast(&forged), outdated);
    assert!(w.store.triage_departments(inc).await.unwrap().is_empty());
    // A department ticked some other way is not routed to either.
    w.store
        .toggle_triage_department(inc, foreign_dept)
        .await
        .unwrap();
    let route = w.press(&curator, Action::Route { inc }).await;
    assert_eq!(toast(&route), "Отметьте хотя бы один отдел.");
    // An unknown department id: the same.
    let unknown = w
        .press(
            &curator,
            Action::ToggleDepartment {
                inc,
                dept: DepartmentId(999_999),
            },
        )
        .await;
    assert_eq!(toast(&unknown), outdated);
    // The other organisation's incident is as good as unknown.
    let theirs = w
        .core
        .take_in(
            &w.core.org(other_org).await.unwrap(),
            NewIncident {
                content: IncidentContent {
                    source: Source::Vk,
                    kind: MessageKind::Comment,
                    url: "https://vk.com/x".into(),
                    external_id: None,
                    author: "Житель".into(),
                    text: "Их сообщение".into(),
                    attachments: vec![],
                    repeat_of: None,
                },
                reply_to: None,
                detected_at: w.core.now(),
                importance: Importance::Normal,
                external_deadline: None,
                topic: None,
                location: None,
            },
            None,
            PersonId::SYSTEM,
        )
        .await
        .unwrap()
        .record
        .id;
    let foreign = w.press(&curator, Action::ShowAll { inc: theirs }).await;
    assert_eq!(toast(&foreign), outdated);
    assert!(foreign.to_person.is_empty());

    // Routed to our department, returned, and re-routed by a forged button to theirs: refused.
    w.press(
        &curator,
        Action::ToggleDepartment {
            inc,
            dept: foreign_dept,
        },
    )
    .await;
    w.press(&curator, Action::ToggleDepartment { inc, dept: d.dept })
        .await;
    assert_eq!(
        toast(&w.press(&curator, Action::Route { inc }).await),
        "Направлено: Отдел ЖКХ."
    );
    let executor = w.executor().await;
    w.press(
        &executor,
        Action::ReturnWith {
            inc,
            part: 0,
            reason: ReturnReason::NotOurCompetence,
        },
    )
    .await;
    w.say(&executor, "-").await;
    let reroute = w
        .press(
            &curator,
            Action::Reroute {
                inc,
                part: 0,
                dept: foreign_dept,
            },
        )
        .await;
    assert_eq!(toast(&reroute), outdated);
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.parts.len(), 1);
    assert_eq!(stored.workflow.parts[0].department, d.dept);
    w.deliver().await;
    assert!(
        w.sent(8008).is_empty(),
        "the other organisation's executor saw nothing"
    );
}

async fn publication_is_refused_at_the_press(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let inc = w.routed("Нет света").await.id;
    let executor = w.executor().await;
    w.approved_answer(inc, "Свет дадут к вечеру.").await;
    // Under Vorsino's regulation the curator publishes: the executor is refused at once, and is
    // not asked for a link.
    let refused = w
        .press(&executor, Action::Published { inc, part: Some(0) })
        .await;
    assert_eq!(toast(&refused), "Эта кнопка не для вас.");
    assert!(refused.send.is_empty());
    let next = w.say(&executor, "https://vk.com/wall-1_1").await;
    assert_eq!(said(&next), "Не понял. /help — справка.");
    assert_eq!(
        w.store.incident(inc).await.unwrap().workflow.state,
        IncidentState::InWork
    );
}

async fn two_curators_approving_at_once_make_one_transition(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let second_curator = w
        .store
        .create_person(
            w.seeded.org,
            &person("Орлова Н.", 1002, vec![Role::Curator]),
        )
        .await
        .unwrap();
    let executor = w.executor().await;
    let a = w.curator().await;
    let b = w.who(second_curator, CURATOR_CHAT).await;
    for round in 0..4 {
        let inc = w.routed(&format!("Сообщение {round}")).await.id;
        w.draft(&executor, inc, DraftKind::Answer, "Ответ").await;
        let approve = Action::Approve {
            inc,
            part: Some(0),
            version: 1,
        };
        let (x, y) = tokio::join!(
            w.core.press(&a, approve, None),
            w.core.press(&b, approve, None)
        );
        let mut toasts = vec![toast(&x.unwrap()), toast(&y.unwrap())];
        toasts.sort();
        assert_eq!(
            toasts,
            ["Согласовано.", "Это уже сделано."],
            "round {round}"
        );
        let audit = w.store.audit_log(inc).await.unwrap();
        assert_eq!(audit.iter().filter(|e| e.command == "approve").count(), 1);
        let publish = w
            .store
            .pending_outbox()
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.incident == Some(inc) && m.kind == "publish_request")
            .count();
        assert_eq!(publish, 1);
    }
}

async fn an_absent_executors_incidents_go_to_the_substitute(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let d = &w.seeded;
    let t0 = w.core.now();
    w.store
        .add_absence(
            d.org,
            &Absence {
                person: d.executor,
                substitute: d.other_executor,
                from: t0 - Duration::days(1),
                until: t0 + Duration::days(3),
                reason: AbsenceReason::Vacation,
            },
        )
        .await
        .unwrap();
    let inc = w.routed("Сломана скамейка").await.id;
    // The card goes to the substitute, who may act on it.
    assert!(w.sent(EXECUTOR_TG).is_empty());
    let card = w.sent(OTHER_EXECUTOR_TG).pop().unwrap();
    assert!(card
        .view
        .actions()
        .contains(&Action::Accept { inc, part: 0 }));
    let substitute = w.who(d.other_executor, OTHER_EXECUTOR_TG).await;
    assert_eq!(
        toast(&w.press(&substitute, Action::Accept { inc, part: 0 }).await),
        "Принято в работу."
    );
    // After the absence, the substitute can no longer act and the executor can.
    w.clock.advance(Duration::days(4));
    let later = w
        .press(
            &substitute,
            Action::StartDraft {
                inc,
                part: 0,
                kind: DraftKind::Answer,
            },
        )
        .await;
    assert_eq!(toast(&later), "Эта кнопка не для вас.");
    let executor = w.executor().await;
    assert!(
        w.press(
            &executor,
            Action::StartDraft {
                inc,
                part: 0,
                kind: DraftKind::Answer
            }
        )
        .await
        .send[0]
            .expects_reply
    );
    // A deactivated person is nobody.
    w.store.set_person_active(d.executor, false).await.unwrap();
    let gone = w
        .core
        .identify(
            Account {
                messenger: Messenger::Telegram,
                id: EXECUTOR_TG,
            },
            Conversation {
                chat: telegram_chat(EXECUTOR_TG),
                private: true,
            },
        )
        .await
        .unwrap();
    assert!(gone.is_none());
}

async fn intake_is_idempotent_by_external_id(db: &TestDb) {
    let w = World::new(db, "barnaul-leninsky").await;
    let first = w.take_in("Раз", Some("IM-77"), Importance::Normal).await;
    let second = w.take_in("Раз", Some("IM-77"), Importance::Normal).await;
    assert_eq!((first.id, first.number), (second.id, second.number));
    let other = w.take_in("Два", Some("IM-78"), Importance::Normal).await;
    assert_eq!(other.number, 2);
    // Two deliveries of one new external id at once make one incident.
    let (a, b) = tokio::join!(
        w.take_in("Три", Some("IM-79"), Importance::Normal),
        w.take_in("Три", Some("IM-79"), Importance::Normal),
    );
    assert_eq!(a.id, b.id);
    assert_eq!(w.store.audit_log(a.id).await.unwrap().len(), 1);
    w.deliver().await;
    let triage = w
        .sent(CURATOR_CHAT)
        .iter()
        .filter(|s| s.view.plain().contains("Новое сообщение"))
        .count();
    assert_eq!(triage, 3);
}

async fn a_weekend_emergency_reaches_the_duty_officer(db: &TestDb) {
    let w = World::new(db, "yuzhno-sakhalinsk").await;
    let duty = w.duty_officer_on(&[21]).await;
    // Saturday 10:00 in Sakhalin is still Friday 23:00 UTC: the roster is read on the local date.
    let t = chrono::NaiveDateTime::parse_from_str("2026-11-21 10:00", "%Y-%m-%d %H:%M")
        .unwrap()
        .and_local_timezone(chrono_tz::Asia::Sakhalin)
        .single()
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert_eq!(t.format("%a").to_string(), "Fri");
    w.clock.set(t);
    let inc = w.take_in("Прорвало трубу", None, Importance::High).await.id;
    w.deliver().await;
    let alert = w.sent(77).pop().unwrap();
    assert!(
        alert.view.plain().contains("🚨 Выходной день"),
        "{}",
        alert.view.plain()
    );
    assert_eq!(
        &alert.view.actions()[..2],
        [
            Action::DutyAnswer {
                inc,
                answer: DutyAnswerKind::Taken
            },
            Action::DutyAnswer {
                inc,
                answer: DutyAnswerKind::HandedToDispatch
            },
        ]
    );
    let officer = w.who(duty, 77).await;
    assert_eq!(
        toast(
            &w.press(
                &officer,
                Action::DutyAnswer {
                    inc,
                    answer: DutyAnswerKind::HandedToDispatch
                }
            )
            .await
        ),
        "Записано: передано в ЕДДС."
    );
    w.deliver().await;
    let answered = w.now_shows(77, alert.message);
    assert!(
        answered.plain().contains("передал в ЕДДС"),
        "{}",
        answered.plain()
    );
    assert!(!answered
        .actions()
        .iter()
        .any(|a| matches!(a, Action::DutyAnswer { .. })));
}

async fn a_pending_input_expires(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let inc = w.routed("Нет газа").await.id;
    let executor = w.executor().await;
    w.press(
        &executor,
        Action::StartDraft {
            inc,
            part: 0,
            kind: DraftKind::Answer,
        },
    )
    .await;
    // A day later, the text does not land in the forgotten prompt.
    w.clock.advance(Duration::hours(25));
    let late = w.say(&executor, "Газ дали").await;
    assert!(
        said(&late).contains("Время на ввод истекло"),
        "{}",
        said(&late)
    );
    assert!(w.store.drafts(inc).await.unwrap().is_empty());
    assert_eq!(
        said(&w.say(&executor, "Газ дали").await),
        "Не понял. /help — справка."
    );
}

async fn a_press_reads_the_incident_once_and_a_refusal_writes_nothing(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let inc = w.routed("Не убран снег").await.id;
    let executor = w.executor().await;
    let before = w.store.incident_reads();
    assert_eq!(
        toast(&w.press(&executor, Action::Accept { inc, part: 0 }).await),
        "Принято в работу."
    );
    assert_eq!(
        w.store.incident_reads() - before,
        1,
        "one read of the incident per press"
    );
    // A refused press writes no audit record and no message.
    let audit = w.store.audit_log(inc).await.unwrap().len();
    let outbox = w.store.pending_outbox().await.unwrap().len();
    let other = w.who(w.seeded.other_executor, OTHER_EXECUTOR_TG).await;
    let refused = w.press(&other, Action::Return { inc, part: 0 }).await;
    assert_eq!(toast(&refused), "Эта кнопка не для вас.");
    assert_eq!(w.store.audit_log(inc).await.unwrap().len(), audit);
    assert_eq!(w.store.pending_outbox().await.unwrap().len(), outbox);
    assert_eq!(
        w.store.incident(inc).await.unwrap().workflow.parts[0].state,
        PartState::Accepted
    );
}

async fn a_directory_change_is_noticed_without_a_restart(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let inc = w.take_in("Где автобус?", None, Importance::Normal).await.id;
    let curator = w.curator().await;
    let first = w
        .press(
            &curator,
            Action::ToggleDepartment {
                inc,
                dept: w.seeded.dept,
            },
        )
        .await
        .edit
        .unwrap();
    assert!(!first.plain().is_empty());
    // A department added while the core runs (as an import beside the bot would).
    let transport = w
        .store
        .create_department(w.seeded.org, "Транспорт")
        .await
        .unwrap();
    let again = w
        .press(
            &curator,
            Action::ToggleDepartment {
                inc,
                dept: transport,
            },
        )
        .await
        .edit
        .expect("the new department is known at once");
    let labels: Vec<String> = again
        .buttons
        .iter()
        .flatten()
        .map(|b| b.label.clone())
        .collect();
    assert!(labels.contains(&"Транспорт ✓".to_string()), "{labels:?}");
    // Without an executor there, routing says so by name.
    let route = w.press(&curator, Action::Route { inc }).await;
    assert_eq!(toast(&route), "В отделе «Транспорт» нет исполнителя.");
}

async fn the_overview_pages_open_incidents_most_urgent_first_and_opens_cards(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    // 10:00: №1 is routed at once (its draft is due at 13:00); №2 and №3 wait for routing
    // (due at 12:00).
    let first = w.routed("Яма на дороге").await;
    for text in ["Нет света", "Не вывозят мусор"] {
        w.take_in(text, None, Importance::Normal).await;
    }
    // 12:30: eight more (due for routing at 15:30).
    w.clock.set(moscow("2026-11-23 12:30"));
    for i in 0..8 {
        w.take_in(&format!("Вопрос {i}"), None, Importance::Normal)
            .await;
    }
    w.clock.set(moscow("2026-11-23 13:30"));
    let curator = w.curator().await;
    let numbers = |view: &View| -> Vec<i64> {
        view.actions()
            .iter()
            .filter_map(|a| match a {
                Action::OpenCard { inc } => Some(inc.0),
                _ => None,
            })
            .collect()
    };

    let open = w.say(&curator, "/open").await;
    let page = &open.send[0];
    let text = page.plain();
    assert!(text.starts_with("📋 Открытые: 11 (стр. 1 из 2)"), "{text}");
    assert_eq!(numbers(page), [2, 3, 1, 4, 5, 6, 7, 8], "{text}");
    // 13:30 is lunch: №2 is an hour of working time late, №1 became late at 13:00.
    assert!(
        text.contains("• №2 · ЖКХ / отопление · кураторы · направить · ❗ просрочено на 1 ч 0 мин"),
        "{text}"
    );
    assert!(
        text.contains("• №1 · ЖКХ / отопление · Петров Алексей · проект ответа · ❗ срок истёк"),
        "{text}"
    );
    assert!(
        text.contains("• №4 · ЖКХ / отопление · кураторы · направить · осталось 1 ч 30 мин"),
        "{text}"
    );
    assert!(page.actions().contains(&Action::Page {
        list: Overview::Open,
        page: 1
    }));
    let next = w
        .press(
            &curator,
            Action::Page {
                list: Overview::Open,
                page: 1,
            },
        )
        .await;
    let second = next.edit.expect("the page is drawn in place");
    assert!(second.plain().starts_with("📋 Открытые: 11 (стр. 2 из 2)"));
    assert_eq!(numbers(&second), [9, 10, 11]);
    assert!(second.actions().contains(&Action::Page {
        list: Overview::Open,
        page: 0
    }));

    // Only the late ones, by the department that holds them.
    let overdue = w.say(&curator, "/overdue").await;
    let text = overdue.send[0].plain();
    assert!(
        text.starts_with("❗ Просроченные: 3 (стр. 1 из 1)"),
        "{text}"
    );
    let not_routed = text.find("Не распределены").expect(&text);
    let housing = text.find("Отдел ЖКХ").expect(&text);
    assert!(not_routed < text.find("№2").unwrap() && text.find("№3").unwrap() < housing);
    assert!(housing < text.find("№1").unwrap(), "{text}");

    // An executor sees their own.
    let executor = w.executor().await;
    let own = w.say(&executor, "/open").await;
    assert_eq!(numbers(&own.send[0]), [1], "{}", own.send[0].plain());

    // A line opens the incident's card in the presser's private chat.
    w.deliver().await;
    let opened = w.press(&curator, Action::OpenCard { inc: first.id }).await;
    assert!(opened.send.is_empty() && opened.edit.is_none());
    w.deliver().await;
    let card = w.sent(CURATOR_TG).pop().unwrap();
    assert!(card.view.plain().contains("№1"), "{}", card.view.plain());
    assert!(
        card.view.plain().contains("«Яма на дороге»"),
        "{}",
        card.view.plain()
    );
}

async fn a_queue_that_falls_behind_is_summed_up_in_one_message(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    // A burst: 50 messages at once; the curators' group takes 19 a minute.
    for i in 0..50 {
        w.take_in(&format!("Жалоба {i}"), None, Importance::Normal)
            .await;
    }
    w.deliver().await;
    let sent = w.sent(CURATOR_CHAT);
    let cards: Vec<&Sent> = sent
        .iter()
        .filter(|s| s.view.plain().contains("Новое сообщение"))
        .collect();
    // Of the minute's 19: four kept for what people do, one for the burst alert waiting ahead
    // of the cards, one for the summary; 13 cards, the first ones, in order.
    assert_eq!(cards.len(), 13);
    for (i, c) in cards.iter().enumerate() {
        assert!(
            c.view
                .plain()
                .contains(&format!("Новое сообщение №{} ", i + 1)),
            "{}",
            c.view.plain()
        );
    }
    // The rest: one message, a button each to open it in private, and the overview.
    let summary = sent
        .iter()
        .find(|s| s.view.plain().starts_with("📨"))
        .expect("the summary");
    assert!(
        summary
            .view
            .plain()
            .starts_with("📨 Ещё 37 новых сообщений — чтобы карточки не задерживали"),
        "{}",
        summary.view.plain()
    );
    let actions = summary.view.actions();
    assert_eq!(actions.len(), 38);
    assert_eq!(
        actions[0],
        Action::OpenCard {
            inc: IncidentId(14)
        }
    );
    assert_eq!(
        actions[36],
        Action::OpenCard {
            inc: IncidentId(50)
        }
    );
    assert_eq!(
        actions[37],
        Action::Page {
            list: Overview::Open,
            page: 0
        }
    );
    // Besides: the burst alert (fifty on one topic), ahead of the cards still waiting.
    let others: Vec<String> = sent
        .iter()
        .map(|s| s.view.plain())
        .filter(|t| !t.contains("Новое сообщение") && !t.starts_with("📨"))
        .collect();
    assert_eq!(others.len(), 1, "{others:?}");
    assert!(others[0].starts_with("📈 Всплеск активности"), "{others:?}");
    // A number opens that card in the presser's private chat, not in the group.
    let opened = w
        .press(
            &w.curator_in_group().await,
            Action::OpenCard {
                inc: IncidentId(30),
            },
        )
        .await;
    assert_eq!(
        toast(&opened),
        "Карточка №30 — в вашем личном чате с ботом."
    );
    w.deliver().await;
    let card = w.sent(CURATOR_TG).pop().unwrap();
    assert!(card.view.plain().contains("Новое сообщение №30 "));
    assert_eq!(w.sent(CURATOR_CHAT).len(), sent.len());
    // More arrive while the group's minute is used up: they join the summary, redrawn rather
    // than sent again.
    for i in 0..25 {
        w.take_in(&format!("Ещё жалоба {i}"), None, Importance::Normal)
            .await;
    }
    w.deliver().await;
    let now_sent = w.sent(CURATOR_CHAT);
    assert_eq!(now_sent.len(), sent.len());
    assert!(!now_sent
        .iter()
        .any(|s| s.view.plain().starts_with("📨") && s.message != summary.message));
    let redrawn = w.now_shows(CURATOR_CHAT, summary.message);
    assert!(
        redrawn.plain().starts_with("📨 Ещё 62 новых сообщения"),
        "{}",
        redrawn.plain()
    );
    // Nothing is lost: the overview has all of them.
    let open = w.say(&w.curator().await, "/open").await;
    assert!(open.send[0].plain().starts_with("📋 Открытые: 75"));
}

async fn two_processes_fire_each_timer_once(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    for i in 0..20 {
        w.take_in(&format!("Жалоба {i}"), None, Importance::Normal)
            .await;
    }
    // Two days on: every routing and final timer of the twenty is due.
    w.clock.set(moscow("2026-11-25 17:00"));
    let mut due = 0;
    for id in 1..=20 {
        due += w
            .store
            .pending_timers(IncidentId(id))
            .await
            .unwrap()
            .iter()
            .filter(|t| t.due_at <= w.core.now())
            .count();
    }
    // Each: the routing stage's two reminders and deadline, and the final answer's deadline.
    assert_eq!(due, 20 * 4);
    // A second process: its own connections to the same database.
    let other_store = Store::connect(&db.url).await.unwrap();
    let texts = Texts::load(None).unwrap();
    let mut config =
        CoreConfig::new(otklik::domain::production_calendar::SHIPPED_RU_CALENDAR.into());
    config.clock = w.clock.clone();
    let other = Arc::new(Core::new(other_store, texts, config));
    let run = |core: Arc<Core>| async move {
        let mut fired = 0;
        loop {
            let n = core.fire_due_timers().await.unwrap();
            if n == 0 {
                return fired;
            }
            fired += n;
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(run(w.core.clone())),
        tokio::spawn(run(other.clone()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a + b, due, "first fired {a}, second {b}");
    assert_eq!(w.store.fired_timer_count().await.unwrap() as usize, due);
    // And again: nothing.
    assert_eq!(other.fire_due_timers().await.unwrap(), 0);
    assert_eq!(w.core.fire_due_timers().await.unwrap(), 0);
}

async fn a_weekend_emergency_is_decided_by_when_it_is_taken_in(db: &TestDb) {
    let w = World::new(db, "yuzhno-sakhalinsk").await;
    w.duty_officer_on(&[21, 28]).await;
    let sakhalin = |s: &str| {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_local_timezone(chrono_tz::Asia::Sakhalin)
            .single()
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    // Detected last Saturday, posted on Wednesday: an ordinary working-day message.
    w.clock.set(sakhalin("2026-11-25 11:00"));
    w.take_in_detected(
        "Прорвало трубу",
        None,
        Importance::High,
        sakhalin("2026-11-21 10:00"),
    )
    .await;
    w.deliver().await;
    assert!(w.sent(77).is_empty());
    // Detected on Friday evening, taken in on Saturday: the duty officer is woken.
    w.clock.set(sakhalin("2026-11-28 09:30"));
    w.take_in_detected(
        "Упало дерево на провода",
        None,
        Importance::High,
        sakhalin("2026-11-27 18:30"),
    )
    .await;
    w.deliver().await;
    let alerts = w.sent(77);
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].view.plain().contains("🚨 Выходной день"));
}

async fn krymsk_10_settings_say_where_the_profile_departs_from_the_text(db: &TestDb) {
    let w = World::new(db, "krymsk").await;
    let settings = said(&w.say(&w.executor().await, "/settings").await);
    assert!(
        settings.contains("Администрация муниципального образования Крымский район"),
        "{settings}"
    );
    assert!(
        settings.contains("Где профиль читает текст регламента не буквально:"),
        "{settings}"
    );
    assert!(
        settings.contains("• проект ответа (высокая важность): п. 10 требует проект за 4 часа"),
        "{settings}"
    );
    assert!(
        settings.contains("• направить: в тексте — «30 минут» без слова «рабочих»"),
        "{settings}"
    );
}

async fn vorsino_2_7_1_an_explanation_is_edited_before_it_goes_out(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    // Routed already: the department found it is not ours.
    let inc = w.routed("Почему не чинят федеральную трассу?").await.id;
    let curator = w.curator().await;
    let kinds = w
        .press(&curator, Action::Explanation { inc, part: None })
        .await;
    assert!(
        said(&kinds).contains("Какое разъяснение"),
        "{}",
        said(&kinds)
    );
    let asked = w
        .press(
            &curator,
            Action::ExplanationWith {
                inc,
                part: None,
                kind: otklik::domain::incident::ExplanationKind::NotOurCompetence,
            },
        )
        .await;
    assert!(
        said(&asked).contains("Он относится к компетенции [орган или должностное лицо]"),
        "{}",
        said(&asked)
    );
    // Nothing is sent while a «[…]» is left in the text.
    let unfilled = w
        .say(
            &curator,
            "Вопрос относится к компетенции [орган или должностное лицо].",
        )
        .await;
    assert!(
        said(&unfilled).contains("квадратных скобках"),
        "{}",
        said(&unfilled)
    );
    let text = "Здравствуйте! Трасса Р-22 — федеральная, ею занимается ФКУ Упрдор «Москва — Волгоград», тел. 8-800-000-00-00.";
    let done = w.say(&curator, text).await;
    assert_eq!(
        said(&done),
        "📄 Разъяснение записано. Опубликуйте его в ответ автору."
    );
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::ExplanationSent);
    assert_eq!(
        stored.workflow.explanation,
        Some((
            otklik::domain::incident::ExplanationKind::NotOurCompetence,
            text.to_string()
        ))
    );
}

/// Vorsino 2.7, 2.7.1 (and Sakhalin 3.7): abuse of right is a demand to act around the law or
/// another bad-faith exercise of rights — not insults or threats, which get no answer (2.6). The
/// template says so and cannot go out unedited.
async fn vorsino_2_7_1_the_abuse_of_right_explanation_states_the_regulations_grounds(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let inc = w
        .take_in(
            "Выдайте мне разрешение на стройку без экспертизы",
            None,
            Importance::Normal,
        )
        .await
        .id;
    let curator = w.curator().await;
    let asked = said(
        &w.press(
            &curator,
            Action::ExplanationWith {
                inc,
                part: None,
                kind: otklik::domain::incident::ExplanationKind::AbuseOfRight,
            },
        )
        .await,
    );
    assert!(asked.contains("действия в обход закона"), "{asked}");
    assert!(asked.contains("недобросовестное"), "{asked}");
    assert!(
        asked.contains("Злоупотребление правом недопустимо"),
        "{asked}"
    );
    for no_answer_ground in ["оскорбител", "угроз"] {
        assert!(!asked.contains(no_answer_ground), "{asked}");
    }
    // The template as offered, copied back unedited, is refused.
    let template = asked
        .lines()
        .find(|l| l.starts_with("Здравствуйте!"))
        .unwrap_or_default()
        .to_string();
    assert!(template.contains("[чего требует автор]"), "{asked}");
    let refused = said(&w.say(&curator, &template).await);
    assert!(refused.contains("квадратных скобках"), "{refused}");
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::New);
}

/// Every button label of a view.
fn labels(view: &View) -> Vec<String> {
    view.buttons
        .iter()
        .flatten()
        .map(|b| b.label.clone())
        .collect()
}

async fn yuzhno_sakhalinsk_3_7_the_department_prepares_the_explanation_the_operator_sends_it(
    db: &TestDb,
) {
    let w = World::new(db, "yuzhno-sakhalinsk").await;
    // Mon 11:00 in Yuzhno-Sakhalinsk (UTC+11): within its working day.
    w.clock.set(moscow("2026-11-23 03:00"));
    let inc = w.routed("Когда отремонтируют дорогу на Чехова?").await.id;
    let (curator, executor) = (w.curator().await, w.executor().await);
    let settings = said(&w.say(&executor, "/settings").await);
    assert!(
        settings.contains("Разъяснения готовит подразделение, куратор их отправляет."),
        "{settings}"
    );
    // The operator has no explanation of its own to write.
    let status = w.sent(CURATOR_CHAT).last().unwrap().view.clone();
    assert!(!labels(&status).contains(&"📄 Разъяснение".to_string()));
    w.press(&curator, Action::Explanation { inc, part: None })
        .await;
    assert_eq!(
        w.store.incident(inc).await.unwrap().workflow.state,
        IncidentState::InWork
    );
    // The department does, from the executor's card.
    let card = w.sent(EXECUTOR_TG).last().unwrap().view.clone();
    assert!(
        labels(&card).contains(&"📄 Разъяснение вместо ответа".to_string()),
        "{:?}",
        labels(&card)
    );
    // 3.7: twelve working hours of posting (Mon 11:00 → Tue 16:00).
    assert!(
        card.plain()
            .contains("📄 разъяснение, если оно нужно, — до 16:00, вт, 24 нояб."),
        "{}",
        card.plain()
    );
    let kinds = w
        .press(&executor, Action::Explanation { inc, part: Some(0) })
        .await;
    assert!(
        said(&kinds).contains("Какое разъяснение"),
        "{}",
        said(&kinds)
    );
    // 3.6 ¶2 and 3.7: all five kinds, court acts among them, with the decision and the appeal.
    assert_eq!(
        labels(&kinds.send[0]),
        [
            "Не наша компетенция",
            "Злоупотребление правом",
            "Судебные акты",
            "Уже отвечали",
            "Ответ есть на сайте"
        ]
    );
    let court = said(
        &w.press(
            &executor,
            Action::ExplanationWith {
                inc,
                part: Some(0),
                kind: otklik::domain::incident::ExplanationKind::CourtActs,
            },
        )
        .await,
    );
    assert!(
        court.contains("[суд, дата и номер решения]")
            && court.contains("[куда и в какой срок подаётся жалоба]"),
        "{court}"
    );
    let text = "Здравствуйте! Ответ о ремонте улицы Чехова размещён на сайте: https://yuzhno-sakh.ru/news/123";
    let done = w.prepare_explanation(&executor, inc, text).await;
    assert_eq!(
        said(&done),
        "📄 Разъяснение передано куратору: он отправит его автору."
    );
    w.deliver().await;
    let notice = w.sent(CURATOR_CHAT).last().unwrap().view.clone();
    assert!(
        notice
            .plain()
            .contains("разъяснение от подразделения «Отдел ЖКХ»")
            && notice.plain().contains(text),
        "{}",
        notice.plain()
    );
    // The operator may send it back with what to fix; the department prepares it again.
    assert!(labels(&notice).contains(&"↩️ Вернуть отделу".to_string()));
    let asked = w.press(&curator, Action::ExplanationBack { inc }).await;
    assert!(said(&asked).contains("Что исправить"), "{}", said(&asked));
    assert_eq!(
        said(&w.say(&curator, "Укажите ссылку на сайт").await),
        "↩️ Разъяснение возвращено отделу."
    );
    assert!(w
        .store
        .incident(inc)
        .await
        .unwrap()
        .workflow
        .prepared_explanation
        .is_none());
    w.deliver().await;
    let back = w.sent(EXECUTOR_TG).last().unwrap().view.clone();
    assert!(
        back.plain()
            .contains("куратор вернул разъяснение — «Укажите ссылку на сайт»"),
        "{}",
        back.plain()
    );
    assert!(labels(&back).contains(&"📄 Разъяснение вместо ответа".to_string()));
    w.prepare_explanation(&executor, inc, text).await;
    w.deliver().await;
    let notice = w.sent(CURATOR_CHAT).last().unwrap().view.clone();
    let send = notice
        .buttons
        .iter()
        .flatten()
        .find(|b| b.label == "📨 Отправить разъяснение отдела")
        .expect("the send button")
        .action;
    let sent = w.press(&curator, send).await;
    assert!(said(&sent).contains(text), "{}", said(&sent));
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::ExplanationSent);
    assert_eq!(
        stored.workflow.explanation,
        Some((
            otklik::domain::incident::ExplanationKind::AnswerOnSite,
            text.to_string()
        ))
    );
}

async fn vorsino_2_5_a_general_interest_answer_goes_to_the_pages_and_site_too(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let inc = w.routed("Когда начнётся запись в кружки ДК?").await.id;
    let (curator, executor) = (w.curator().await, w.executor().await);
    // The curator marks it from the status card.
    let status = w.sent(CURATOR_CHAT).last().unwrap().clone();
    assert!(status
        .view
        .actions()
        .contains(&Action::GeneralInterest { inc }));
    assert_eq!(
        toast(&w.press(&curator, Action::GeneralInterest { inc }).await),
        "Отмечено: ответ общего интереса."
    );
    // Nobody records links before the answer is out, and only the publisher does.
    let early = w.press(&curator, Action::CrossPostLinks { inc }).await;
    assert!(
        w.store
            .incident(inc)
            .await
            .unwrap()
            .workflow
            .general_interest
    );
    assert!(
        !said(&early).contains("Пришлите ссылки"),
        "{}",
        said(&early)
    );
    w.press(&executor, Action::Accept { inc, part: 0 }).await;
    w.approved_answer(
        inc,
        "Запись в кружки ДК — с 1 декабря, по будням с 10 до 18.",
    )
    .await;
    w.press(&curator, Action::Published { inc, part: Some(0) })
        .await;
    w.say(&curator, "https://vk.com/wall-123_456?reply=801")
        .await;
    w.deliver().await;
    let reminder = w
        .sent(CURATOR_CHAT)
        .into_iter()
        .find(|s| s.view.plain().contains("ответ интересен многим"))
        .expect("the publisher is reminded");
    assert!(
        reminder
            .view
            .plain()
            .contains("https://vk.com/wall-123_456?reply=801"),
        "{}",
        reminder.view.plain()
    );
    assert_eq!(reminder.view.actions(), [Action::CrossPostLinks { inc }]);
    let refused = w.press(&executor, Action::CrossPostLinks { inc }).await;
    assert!(
        !said(&refused).contains("Пришлите ссылки"),
        "{}",
        said(&refused)
    );
    let asked = w.press(&curator, Action::CrossPostLinks { inc }).await;
    assert!(said(&asked).contains("Пришлите ссылки"), "{}", said(&asked));
    assert!(said(&w.say(&curator, "на сайте").await).contains("Нужны ссылки"));
    let links = "https://vorsino.ru/news/dk-kruzhki https://ok.ru/group/1/topic/2";
    assert_eq!(said(&w.say(&curator, links).await), "🔗 Ссылки записаны.");
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(
        stored.workflow.cross_posts,
        vec![
            "https://vorsino.ru/news/dk-kruzhki".to_string(),
            "https://ok.ru/group/1/topic/2".into()
        ]
    );
    w.deliver().await;
    let card = w.now_shows(CURATOR_CHAT, status.message);
    assert!(
        card.plain()
            .contains("Ответ общего интереса размещён также: https://vorsino.ru/news/dk-kruzhki"),
        "{}",
        card.plain()
    );
}

async fn yuzhno_sakhalinsk_3_9_the_weekend_alert_names_each_departments_people_on_call(
    db: &TestDb,
) {
    let w = World::new(db, "yuzhno-sakhalinsk").await;
    let curator = w.curator().await;
    let duty = w.duty_officer_on(&[28]).await;
    let saturday = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    // The heads of structures name their people on call (with phones).
    let unknown = said(
        &w.say(&curator, "/duty_add Петров; 28.11–29.11; Транспорт")
            .await,
    );
    assert_eq!(unknown, "Отдел «Транспорт» не найден.");
    let added = said(
        &w.say(&curator, "/duty_add Петров; 28.11–29.11; Отдел ЖКХ")
            .await,
    );
    assert!(
        added.contains("Петров Алексей на связи от подразделения «Отдел ЖКХ»"),
        "{added}"
    );
    w.store
        .add_duty(
            w.seeded.org,
            &DutyShift {
                person: w.seeded.other_executor,
                from: saturday,
                to: saturday,
                phone: Some("+7 914 000-00-02".into()),
                department: Some(w.seeded.other_dept),
            },
        )
        .await
        .unwrap();
    // They are not the organisation's duty officers: the alert wakes only the roster's.
    assert_eq!(
        w.store.on_duty(w.seeded.org, saturday).await.unwrap(),
        vec![duty]
    );
    // Saturday 10:00 in Yuzhno-Sakhalinsk.
    w.clock.set(moscow("2026-11-28 02:00"));
    w.take_in("Прорвало трубу на Ленина, 5", None, Importance::High)
        .await;
    w.deliver().await;
    let alert = w.sent(77).pop().unwrap().view.plain();
    assert!(
        alert.contains(
            "📞 На связи от подразделений сегодня:\n• Отдел ЖКХ — Петров Алексей\n• Благоустройство — Сидорова Анна +7 914 000-00-02"
        ),
        "{alert}"
    );
    assert!(w.sent(EXECUTOR_TG).is_empty());
    let roster = said(&w.say(&curator, "/duty").await);
    assert!(
        roster.contains("• Благоустройство — Сидорова Анна +7 914 000-00-02"),
        "{roster}"
    );
}

async fn yuzhno_sakhalinsk_3_8_a_routed_message_becomes_an_appeal_from_the_status_card(
    db: &TestDb,
) {
    let w = World::new(db, "yuzhno-sakhalinsk").await;
    // Mon 11:00 in Yuzhno-Sakhalinsk.
    w.clock.set(moscow("2026-11-23 03:00"));
    let inc = w
        .routed("Прошу разобраться с начислениями за капремонт")
        .await
        .id;
    let curator = w.curator().await;
    // The department found documents are needed: the operator converts it from the status card.
    let status = w.sent(CURATOR_CHAT).last().unwrap().view.clone();
    assert!(status.actions().contains(&Action::Appeal { inc }));
    let consent = w.press(&curator, Action::Appeal { inc }).await;
    assert!(said(&consent).contains("59-ФЗ"), "{}", said(&consent));
    // Nothing goes without the author's consent; the phone only with it.
    assert!(!said(&w.say(&curator, "не знаю").await).contains("Фамилия"));
    for answer in [
        "да",
        "Иванова Ирина Петровна",
        "693000, Южно-Сахалинск, ул. Ленина, 1",
    ] {
        w.say(&curator, answer).await;
    }
    let done = said(&w.say(&curator, "-").await);
    assert!(done.contains("оформлен как обращение по 59-ФЗ"), "{done}");
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::ConvertedToAppeal);
    let contact = stored.workflow.appeal.unwrap();
    assert_eq!(contact.phone, "");
    assert!(contact.consent.is_some());
    // The registration number the appeals department gives is recorded.
    w.press(&curator, Action::AppealNumber { inc }).await;
    w.say(&curator, "ОГ-77/2026").await;
    assert_eq!(
        w.store
            .incident(inc)
            .await
            .unwrap()
            .workflow
            .appeal_registration
            .as_deref(),
        Some("ОГ-77/2026")
    );
}

async fn krymsk_5_an_absence_for_another_reason_hands_the_work_to_the_substitute(db: &TestDb) {
    let w = World::new(db, "krymsk").await;
    let curator = w.curator().await;
    let away = said(
        &w.say(
            &curator,
            "/away Петров; 23.11–25.11; иное: курсы по гражданской обороне; Сидорова",
        )
        .await,
    );
    assert!(away.contains("(курсы по гражданской обороне)"), "{away}");
    let inc = w.routed("Не вывозят мусор").await;
    assert_eq!(inc.workflow.parts[0].executor, w.seeded.executor);
    // The card goes to the substitute, who may act on it.
    assert!(w.sent(EXECUTOR_TG).is_empty());
    let card = w
        .sent(OTHER_EXECUTOR_TG)
        .pop()
        .expect("the substitute's card");
    assert!(card.view.actions().contains(&Action::Accept {
        inc: inc.id,
        part: 0
    }));
}

/// A message from an author under a post, with no topic yet.
async fn message_from(w: &World, author: &str, post: &str) -> IncidentRecord {
    let rules = w.core.org(w.seeded.org).await.unwrap();
    let url = format!("https://vk.com/{post}?reply={}", author.len());
    let new = vk_comment("Когда починят дорогу?", author, &url, w.core.now());
    w.core
        .take_in(&rules, new, None, PersonId::SYSTEM)
        .await
        .unwrap()
        .record
}

async fn set_topic(w: &World, who: &Who, inc: IncidentId, topic: &str) {
    w.press(who, Action::SetTopic { inc }).await;
    assert_eq!(said(&w.say(who, topic).await), "");
}

async fn vorsino_2_8_a_repeat_is_the_same_author_and_a_curator_marks_it(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let curator = w.curator().await;
    let store = &w.store;
    let repeat_of = |id| async move { store.incident(id).await.unwrap().content.repeat_of };
    let first = message_from(&w, "Ирина П.", "wall-1_10").await;
    // Someone else under the same post is not a repeat.
    let neighbour = message_from(&w, "Олег С.", "wall-1_10").await;
    assert_eq!(repeat_of(neighbour.id).await, None);
    // The same author under the same post is.
    let again = message_from(&w, "Ирина П.", "wall-1_10").await;
    assert_eq!(repeat_of(again.id).await, Some(first.id));
    // The same author elsewhere, once the curator sets the same topic on both.
    let elsewhere = message_from(&w, "Ирина П.", "wall-1_77").await;
    assert_eq!(repeat_of(elsewhere.id).await, None);
    set_topic(&w, &curator, first.id, "Дороги").await;
    set_topic(&w, &curator, elsewhere.id, "дороги").await;
    assert_eq!(repeat_of(elsewhere.id).await, Some(first.id));

    // By hand: unmark, mark by number, refuse a later one.
    let ask = w.press(&curator, Action::Repeat { inc: again.id }).await;
    assert!(said(&ask).contains("Пришлите его номер"), "{}", said(&ask));
    assert_eq!(
        said(&w.say(&curator, "-").await),
        "Отметка «повторное» снята."
    );
    assert_eq!(repeat_of(again.id).await, None);
    w.press(&curator, Action::Repeat { inc: neighbour.id })
        .await;
    assert!(said(&w.say(&curator, "первое").await).contains("Нужен номер"));
    assert!(
        said(&w.say(&curator, &format!("№{}", again.number)).await).contains("только более раннее")
    );
    w.press(&curator, Action::Repeat { inc: neighbour.id })
        .await;
    assert!(
        said(&w.say(&curator, &first.number.to_string()).await).contains("Отмечено как повторное")
    );
    assert_eq!(repeat_of(neighbour.id).await, Some(first.id));
    let audit = w.store.audit_log(again.id).await.unwrap();
    assert!(audit.iter().any(|a| a.command == "unmark_repeat"));
    // An executor cannot.
    let executor = w.executor().await;
    let refused = w.press(&executor, Action::Repeat { inc: first.id }).await;
    assert_eq!(toast(&refused), "Эта кнопка не для вас.");
}

async fn barnaul_12_a_topic_set_at_triage_completes_a_burst(db: &TestDb) {
    const HEAD_TG: i64 = 8001;
    const CHIEF_TG: i64 = 8003;
    let w = World::new(db, "barnaul-leninsky").await;
    // §12: the head, and the chief of staff the organisation file names, hear of it too.
    for (name, tg, role) in [
        ("Глава Андрей", HEAD_TG, Role::Head),
        ("Управделами Нина", CHIEF_TG, Role::Administrator),
    ] {
        w.store
            .create_person(w.seeded.org, &person(name, tg, vec![role]))
            .await
            .unwrap();
    }
    let mut entry =
        otklik::directory_file::OrganisationEntry::bare("Администрация", "barnaul-leninsky");
    entry.significant_to = vec!["Управделами Нина".into()];
    w.store.set_settings(w.seeded.org, &entry).await.unwrap();
    let curator = w.curator().await;
    for i in 0..5 {
        let m = message_from(&w, &format!("Житель {i}"), &format!("wall-2_{i}")).await;
        set_topic(&w, &curator, m.id, "Снег во дворах").await;
    }
    w.deliver().await;
    let burst = w
        .sent(CURATOR_CHAT)
        .into_iter()
        .map(|s| s.view.plain())
        .find(|t| t.contains("Всплеск активности"));
    assert!(
        burst
            .as_deref()
            .is_some_and(|t| t.contains("5 сообщений на тему «Снег во дворах»")),
        "{burst:?}"
    );
    for tg in [HEAD_TG, CHIEF_TG] {
        let told: Vec<String> = w.sent(tg).into_iter().map(|s| s.view.plain()).collect();
        assert!(
            told.iter().any(|t| t.contains("Всплеск активности")),
            "{tg}: {told:?}"
        );
    }
}

/// Barnaul at Monday 23.11.2026 11:00 local (UTC+7): a department head away on leave, their
/// substitute, and an incident routed to the head's department.
async fn barnaul_routed_with_the_head_away(w: &World) -> (IncidentId, PersonId) {
    const HEAD_TG: i64 = 7007;
    const ACTING_TG: i64 = 7008;
    w.clock.set(moscow("2026-11-23 07:00"));
    let head = w
        .store
        .create_person(
            w.seeded.org,
            &person("Руководитель Иван", HEAD_TG, vec![Role::DepartmentHead]),
        )
        .await
        .unwrap();
    let acting = w
        .store
        .create_person(
            w.seeded.org,
            &person("Исполняющая Мария", ACTING_TG, vec![Role::Executor]),
        )
        .await
        .unwrap();
    w.store
        .set_department_head(w.seeded.dept, head)
        .await
        .unwrap();
    let now = w.core.now();
    w.store
        .add_absence(
            w.seeded.org,
            &Absence {
                person: head,
                substitute: acting,
                from: now - Duration::days(1),
                until: now + Duration::days(7),
                reason: AbsenceReason::Vacation,
            },
        )
        .await
        .unwrap();
    let inc = w
        .take_in("Во дворе нет освещения", None, Importance::Normal)
        .await
        .id;
    let curator = w.curator().await;
    let dept = w.seeded.dept;
    w.press(&curator, Action::ToggleDepartment { inc, dept })
        .await;
    let asked = w.press(&curator, Action::Route { inc }).await;
    assert!(said(&asked).contains("срок"), "{}", said(&asked));
    let routed = w.say(&curator, "24.11 16:00").await;
    assert!(said(&routed).contains("Направлено"), "{}", said(&routed));
    w.deliver().await;
    (inc, acting)
}

/// Barnaul §5 ¶1: the head of the department checks competence — while the head is away, their
/// substitute does; the executor who finds the message is not the department's does not decide
/// it, the acting head does.
async fn barnaul_5_an_absent_heads_substitute_decides_competence_and_the_executor_only_proposes(
    db: &TestDb,
) {
    const ACTING_TG: i64 = 7008;
    let w = World::new(db, "barnaul-leninsky").await;
    let (inc, acting) = barnaul_routed_with_the_head_away(&w).await;
    // The competence card reaches the substitute with the head's buttons.
    let check = w.sent(ACTING_TG).pop().expect("the competence card");
    assert!(
        check.view.plain().contains("подтвердите компетенцию"),
        "{}",
        check.view.plain()
    );
    assert!(
        check
            .view
            .actions()
            .contains(&Action::Accept { inc, part: 0 }),
        "{:?}",
        check.view.actions()
    );
    // The executor finds it is not the department's: proposed to the acting head, not returned.
    let executor = w.executor().await;
    w.press(&executor, Action::Return { inc, part: 0 }).await;
    w.press(
        &executor,
        Action::ReturnWith {
            inc,
            part: 0,
            reason: ReturnReason::NotOurCompetence,
        },
    )
    .await;
    let proposed = w
        .say(&executor, "Освещение во дворах — у управляющей компании")
        .await;
    assert!(
        said(&proposed).contains("Передано руководителю отдела"),
        "{}",
        said(&proposed)
    );
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.parts[0].state, PartState::Routed);
    assert_eq!(
        stored.workflow.parts[0]
            .proposed_return
            .as_ref()
            .map(|p| p.reason),
        Some(ReturnReason::NotOurCompetence)
    );
    w.deliver().await;
    let to_decide = w.sent(ACTING_TG).pop().unwrap();
    assert!(
        to_decide
            .view
            .plain()
            .contains("считает, что сообщение не для вашего отдела"),
        "{}",
        to_decide.view.plain()
    );
    assert!(to_decide.view.plain().contains("у управляющей компании"));
    // The acting head decides: returned to the curators as not the department's.
    let head = w.who(acting, ACTING_TG).await;
    w.press(&head, Action::Return { inc, part: 0 }).await;
    w.press(
        &head,
        Action::ReturnWith {
            inc,
            part: 0,
            reason: ReturnReason::NotOurCompetence,
        },
    )
    .await;
    let done = w.say(&head, "-").await;
    assert_eq!(said(&done), "Готово.");
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.parts[0].state, PartState::Returned);
    let audit = w.store.audit_log(inc).await.unwrap();
    assert!(
        audit.iter().any(|a| a.command == "propose_return"),
        "{audit:?}"
    );
}

/// Barnaul §12: a significant message reaches the head «незамедлительно» — at 20:00 too — and the
/// deputy head and the chief of staff the organisation file names; the next morning's digest
/// marks it.
async fn barnaul_12_a_significant_message_at_night_reaches_the_head_and_those_named_at_once(
    db: &TestDb,
) {
    const HEAD_TG: i64 = 8001;
    const DEPUTY_TG: i64 = 8002;
    const CHIEF_TG: i64 = 8003;
    let w = World::new(db, "barnaul-leninsky").await;
    for (name, tg, role) in [
        ("Глава Андрей", HEAD_TG, Role::Head),
        ("Заместитель Ольга", DEPUTY_TG, Role::Deputy),
        ("Управделами Нина", CHIEF_TG, Role::Administrator),
    ] {
        w.store
            .create_person(w.seeded.org, &person(name, tg, vec![role]))
            .await
            .unwrap();
    }
    let mut entry =
        otklik::directory_file::OrganisationEntry::bare("Администрация", "barnaul-leninsky");
    entry.significant_to = vec!["Заместитель Ольга".into(), "Управделами Нина".into()];
    w.store.set_settings(w.seeded.org, &entry).await.unwrap();
    // Monday 23.11.2026 20:00 in Barnaul (UTC+7): after hours.
    w.clock.set(moscow("2026-11-23 16:00"));
    let inc = w
        .take_in("На трассе перевернулся автобус", None, Importance::High)
        .await;
    w.deliver().await;
    for tg in [HEAD_TG, DEPUTY_TG, CHIEF_TG] {
        let alert = w.sent(tg);
        assert_eq!(alert.len(), 1, "{tg}: {alert:?}");
        assert!(
            alert[0].view.plain().contains(&format!("№{}", inc.number)),
            "{}",
            alert[0].view.plain()
        );
    }
    // Everything else waits for the morning: the curators' digest marks the significant one.
    let before = w.sent(CURATOR_CHAT).len();
    w.clock.set(moscow("2026-11-24 05:01"));
    while w.core.fire_due_timers().await.unwrap() > 0 {}
    w.deliver().await;
    let digest = w
        .sent(CURATOR_CHAT)
        .into_iter()
        .skip(before)
        .map(|s| s.view.plain())
        .find(|t| t.contains("Сводка"))
        .expect("the morning digest");
    assert!(
        digest.contains(&format!("❗ Значимые (высокая важность): №{}", inc.number)),
        "{digest}"
    );
}

/// Vorsino 2.7 (and 2.9 ¶2): explanations for questions outside its competence, abuse of right,
/// questions answered before, and answers on the site — no court acts (Sakhalin 3.7 has them).
async fn vorsino_2_7_only_the_explanations_the_regulation_lists_are_offered(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let inc = w
        .take_in("Отмените решение суда о сносе", None, Importance::Normal)
        .await
        .id;
    let curator = w.curator().await;
    let kinds = w
        .press(&curator, Action::Explanation { inc, part: None })
        .await;
    let offered = labels(&kinds.send[0]);
    assert_eq!(
        offered,
        [
            "Не наша компетенция",
            "Злоупотребление правом",
            "Уже отвечали",
            "Ответ есть на сайте"
        ],
        "{offered:?}"
    );
    // A forged or old button of another kind is refused.
    let court = w
        .press(
            &curator,
            Action::ExplanationWith {
                inc,
                part: None,
                kind: otklik::domain::incident::ExplanationKind::CourtActs,
            },
        )
        .await;
    assert!(court.send.is_empty(), "{}", said(&court));
    assert!(!toast(&court).is_empty());
}

/// Borovichi §2 and Krymsk §3: 59-FZ does not apply, and neither regulation provides explanations
/// instead of an answer: the curators' card offers neither.
async fn borovichi_2_no_explanations_and_no_59_fz_appeals(db: &TestDb) {
    no_explanations_and_no_appeals(db, "borovichi").await;
}

async fn krymsk_3_no_explanations_and_no_59_fz_appeals(db: &TestDb) {
    no_explanations_and_no_appeals(db, "krymsk").await;
}

async fn no_explanations_and_no_appeals(db: &TestDb, preset: &str) {
    {
        let w = World::new(db, preset).await;
        let inc = w
            .take_in("Прошу принять обращение", None, Importance::Normal)
            .await;
        w.deliver().await;
        let card = w.sent(CURATOR_CHAT).pop().expect("the triage card");
        let actions = card.view.actions();
        assert!(
            !actions
                .iter()
                .any(|a| matches!(a, Action::Appeal { .. } | Action::Explanation { .. })),
            "{preset}: {actions:?}"
        );
        let curator = w.curator().await;
        let refused = w.press(&curator, Action::Appeal { inc: inc.id }).await;
        assert!(refused.send.is_empty(), "{preset}: {}", said(&refused));
        let refused = w
            .press(
                &curator,
                Action::Explanation {
                    inc: inc.id,
                    part: None,
                },
            )
            .await;
        assert!(refused.send.is_empty(), "{preset}: {}", said(&refused));
        assert!(!toast(&refused).is_empty(), "{preset}");
        // Nor later, on the curators' status card of a routed message.
        let routed = w.routed("Прошу разъяснить порядок").await;
        let status = w
            .sent(CURATOR_CHAT)
            .into_iter()
            .rev()
            .find(|s| s.view.plain().contains(&format!("№{}", routed.number)))
            .expect("the status card");
        let actions = w.now_shows(CURATOR_CHAT, status.message).actions();
        assert!(
            !actions
                .iter()
                .any(|a| matches!(a, Action::Appeal { .. } | Action::Explanation { .. })),
            "{preset}: {actions:?}"
        );
    }
}

/// Borovichi §22: the official responsible for the work (a deputy head) prepares the monthly
/// summary for the head — so a deputy may ask for a report.
async fn borovichi_22_the_responsible_deputy_asks_for_the_report(db: &TestDb) {
    const DEPUTY_TG: i64 = 6006;
    let w = World::new(db, "borovichi").await;
    let deputy = w
        .store
        .create_person(
            w.seeded.org,
            &person("Заместитель Ольга", DEPUTY_TG, vec![Role::Deputy]),
        )
        .await
        .unwrap();
    let who = w.who(deputy, DEPUTY_TG).await;
    let asked = said(&w.say(&who, "/report").await);
    assert!(asked.contains("За какой период отчёт"), "{asked}");
    // An executor still may not.
    let executor = w.executor().await;
    let refused = said(&w.say(&executor, "/report").await);
    assert!(refused.contains("Отчёты доступны"), "{refused}");
}

/// Sakhalin 3.3: the operator publishes the answer — or hands it to the regional Department of
/// information policy; either meets the 24 hours. Vorsino's regulation has no such way.
async fn yuzhno_sakhalinsk_3_3_an_answer_handed_to_the_department_meets_the_term(db: &TestDb) {
    let w = World::new(db, "yuzhno-sakhalinsk").await;
    // Mon 11:00 in Yuzhno-Sakhalinsk (UTC+11).
    w.clock.set(moscow("2026-11-23 03:00"));
    let inc = w.routed("Когда откроют каток на площади?").await.id;
    w.approved_answer(inc, "Каток откроют 1 декабря.").await;
    w.deliver().await;
    let request = w
        .sent(CURATOR_CHAT)
        .into_iter()
        .rev()
        .find(|s| {
            s.view
                .actions()
                .contains(&Action::HandedOver { inc, part: Some(0) })
        })
        .expect("the publication request with «Передан в департамент»");
    assert!(request
        .view
        .actions()
        .contains(&Action::Published { inc, part: Some(0) }));
    let curator = w.curator_in_group().await;
    let handed = w
        .press(&curator, Action::HandedOver { inc, part: Some(0) })
        .await;
    assert_eq!(
        toast(&handed),
        "Записано: ответ передан в департамент информационной политики."
    );
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::Published);
    let publication = stored.workflow.publication.clone().unwrap();
    assert!(publication.handed_over);
    assert_eq!(publication.at, w.core.now());
    assert!(stored.workflow.current_deadline().is_none());
    // The curators' card says where the answer went.
    w.deliver().await;
    let card = w
        .sent(CURATOR_CHAT)
        .into_iter()
        .find(|s| s.view.plain().contains(&format!("№{}", stored.number)))
        .expect("the curators' card");
    let shows = w.now_shows(CURATOR_CHAT, card.message).plain();
    assert!(
        shows.contains("📨 Ответ передан в департамент информационной политики"),
        "{shows}"
    );
    assert!(w
        .store
        .audit_log(inc)
        .await
        .unwrap()
        .iter()
        .any(|a| a.command == "hand_over"));
}

/// Vorsino 2.7: an explanation goes to the author like an answer — under a comment in the
/// administration's own channel Otklik posts it there itself, once.
async fn vorsino_2_7_an_explanation_under_the_channels_comment_is_posted_there(db: &TestDb) {
    const DISCUSSION: i64 = -100_777;
    let w = World::new(db, "vorsino").await;
    let rules = w.core.org(w.seeded.org).await.unwrap();
    let mut new = vk_comment(
        "Почему не чинят федеральную трассу?",
        "Ирина П.",
        "https://t.me/vorsino/12?comment=34",
        w.core.now(),
    );
    new.reply_to = Some(otklik::domain::content::ReplyTarget {
        chat: telegram_chat(DISCUSSION),
        message: 34,
    });
    let inc = w
        .core
        .take_in(&rules, new, None, PersonId::SYSTEM)
        .await
        .unwrap()
        .record
        .id;
    let curator = w.curator().await;
    w.press(&curator, Action::Explanation { inc, part: None })
        .await;
    w.press(
        &curator,
        Action::ExplanationWith {
            inc,
            part: None,
            kind: otklik::domain::incident::ExplanationKind::NotOurCompetence,
        },
    )
    .await;
    let text =
        "Здравствуйте! Трасса Р-22 — федеральная, ею занимается ФКУ Упрдор «Москва — Волгоград».";
    let done = said(&w.say(&curator, text).await);
    assert!(done.contains("«Отклик» опубликует его"), "{done}");
    w.deliver().await;
    w.deliver().await;
    let posted = w.sent(DISCUSSION);
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(posted[0].view.plain(), text);
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::ExplanationSent);
}

async fn a_change_while_a_card_is_on_its_way_reaches_the_card(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    let gate = w.port.hold(CURATOR_CHAT);
    let inc = w.take_in("Нет света", None, Importance::Normal).await.id;
    // The triage card is drawn and on its way to the curators' chat...
    let (core, ports) = (
        w.core.clone(),
        vec![w.port.clone() as Arc<dyn MessengerPort>],
    );
    let sending = tokio::spawn(async move { core.deliver_due(&ports).await });
    gate.entered.notified().await;
    w.port.gates.lock().unwrap().remove(&CURATOR_CHAT);
    // ...when a curator routes the incident (from another device), and the redraw finds no card
    // yet.
    let curator = w.curator().await;
    let dept = w.seeded.dept;
    w.press(&curator, Action::ToggleDepartment { inc, dept })
        .await;
    assert_eq!(
        toast(&w.press(&curator, Action::Route { inc }).await),
        "Направлено: Отдел ЖКХ."
    );
    w.deliver().await;
    gate.release.notify_one();
    sending.await.unwrap().unwrap();
    w.deliver().await;
    // The card in the chat shows the routed incident, not the triage it was drawn as.
    let card = w.sent(CURATOR_CHAT)[0].message;
    let shows = w.now_shows(CURATOR_CHAT, card);
    assert!(
        !shows
            .actions()
            .iter()
            .any(|a| matches!(a, Action::Route { .. })),
        "{}",
        shows.plain()
    );
    assert!(
        shows.plain().contains("Отдел ЖКХ — Петров Алексей"),
        "{}",
        shows.plain()
    );
}
