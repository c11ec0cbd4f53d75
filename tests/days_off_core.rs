//! Emergencies on days off through the application core (Vorsino 2.10, Yuzhno-Sakhalinsk 3.9):
//! a Friday-evening message wakes whoever the regulation names, the curator (or the operator)
//! answers it with «Ответить самому», it is published and recorded, and nothing of Monday's
//! deadlines is left. On SQLite and on PostgreSQL.

mod support;

use otklik::core::Action;
use otklik::domain::incident::{DutyAnswerKind, IncidentState};
use otklik::domain::regulation::Importance;
use otklik::domain::report::{outcome, Outcome, WorkflowFacts};
use otklik::domain::IncidentId;
use support::app::*;
use support::core_world::*;
use support::db::TestDb;

on_both_backends!(
    vorsino_2_10_a_friday_night_emergency_the_curator_answers_himself,
    yuzhno_sakhalinsk_3_9_the_operator_answers_a_weekend_emergency,
    yuzhno_sakhalinsk_3_9_the_duty_officer_who_took_it_answers_it,
    vorsino_2_10_a_working_day_emergency_goes_to_the_department,
    vorsino_2_10_a_channel_comment_gets_the_curators_answer_from_otklik,
);

fn sakhalin(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .unwrap()
        .and_local_timezone(chrono_tz::Asia::Sakhalin)
        .single()
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// The own answer from the press of «Ответить самому» in `pressed_in` to «Ответить», typed in
/// `private`; returns the reply to «Ответить».
async fn answer_myself(
    w: &World,
    pressed_in: &otklik::core::Who,
    private: &otklik::core::Who,
    inc: IncidentId,
    text: &str,
) -> otklik::core::Reply {
    let asked = w.press(pressed_in, Action::AnswerMyself { inc }).await;
    let prompt = asked
        .to_person
        .iter()
        .chain(&asked.send)
        .map(|v| v.plain())
        .collect::<String>();
    assert!(prompt.contains("отвечает куратор"), "{asked:?}");
    let preview = w.say(private, text).await;
    assert!(
        said(&preview).contains("так его увидит автор"),
        "{}",
        said(&preview)
    );
    assert!(preview.send[0]
        .actions()
        .contains(&Action::SendOwnAnswer { inc }));
    w.press(private, Action::SendOwnAnswer { inc }).await
}

/// Nothing of the incident is left to remind of, now or on Monday.
async fn nothing_left(w: &World, inc: IncidentId, monday_evening: chrono::DateTime<chrono::Utc>) {
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::Published);
    let facts = WorkflowFacts::of(&stored.workflow);
    assert!(
        facts.runs.iter().all(|r| r.late_seconds == Some(0)),
        "{:?}",
        facts.runs
    );
    let broken = facts.runs.iter().any(|r| r.late_seconds != Some(0));
    assert_eq!(outcome(stored.workflow.state, broken), Outcome::InTime);
    assert!(w.store.pending_timers(inc).await.unwrap().is_empty());
    w.clock.set(monday_evening);
    assert_eq!(w.core.fire_due_timers().await.unwrap(), 0);
}

async fn vorsino_2_10_a_friday_night_emergency_the_curator_answers_himself(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    // Friday 27.11.2026 20:00: Vorsino's Friday ended at 16:45, Monday is the next working day.
    w.clock.set(moscow("2026-11-27 20:00"));
    let inc = w
        .take_in(
            "Прорвало трубу на Ленина, 5, вода в подъезде",
            None,
            Importance::High,
        )
        .await
        .id;
    w.deliver().await;
    // 2.10: the curators are alerted at once, with «Ответить самому» on the card.
    let alert = w
        .sent(CURATOR_CHAT)
        .into_iter()
        .find(|s| s.view.plain().contains("🚨 Выходной день"))
        .expect("the weekend alert in the curators' group");
    assert!(alert.view.actions().contains(&Action::AnswerMyself { inc }));
    // The executor has nothing: the curator answers on days off.
    assert!(w.sent(EXECUTOR_TG).is_empty());
    let executor = w.executor().await;
    let refused = w.press(&executor, Action::AnswerMyself { inc }).await;
    assert!(refused.toast.is_some_and(|t| t.alert));
    // Pressed in the group, the text is asked for in the curator's private chat; the draft
    // checks apply (a phone number in a public answer).
    w.clock.set(moscow("2026-11-27 20:20"));
    let (group, private) = (w.curator_in_group().await, w.curator().await);
    let asked = w.press(&group, Action::AnswerMyself { inc }).await;
    assert_eq!(
        toast(&asked),
        "Продолжите в личном чате с ботом — вопрос уже там."
    );
    let warned = w
        .say(&private, "Ирина, бригада выехала. Звоните 89001234567.")
        .await;
    assert!(
        said(&warned).contains("⚠️ В тексте номер телефона"),
        "{}",
        said(&warned)
    );
    let text = "Ирина, здравствуйте! Аварийная бригада на месте, воду дадут к 23:00.";
    let sent = answer_myself(&w, &private, &private, inc, text).await;
    assert_eq!(toast(&sent), "✍️ Ответ на №1 записан.");
    assert!(
        said(&sent).contains("Опубликуйте ответ на №1 и пришлите ссылку"),
        "{}",
        said(&sent)
    );
    // Published by hand (2.2.3: the curator publishes), the link recorded.
    w.clock.set(moscow("2026-11-27 20:30"));
    let link = "https://vk.com/wall-123_456?reply=999";
    assert_eq!(said(&w.say(&private, link).await), "Публикация записана.");
    w.deliver().await;
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.publication.unwrap().link, link);
    assert_eq!(stored.workflow.consolidated.unwrap().text, text);
    // The group's card says who answered and shows the link.
    let card = w.now_shows(CURATOR_CHAT, alert.message).plain();
    assert!(card.contains("✍️ Ответ куратора"), "{card}");
    assert!(card.contains(link), "{card}");
    // On time; no Monday reminders or overdue notices.
    nothing_left(&w, inc, moscow("2026-11-30 19:00")).await;
}

async fn yuzhno_sakhalinsk_3_9_the_operator_answers_a_weekend_emergency(db: &TestDb) {
    let w = World::new(db, "yuzhno-sakhalinsk").await;
    w.duty_officer_on(&[28]).await;
    // Friday 20:00 local: the roster of Saturday is woken, not nobody.
    w.clock.set(sakhalin("2026-11-27 20:00"));
    let inc = w
        .take_in("Упало дерево на провода, нет света", None, Importance::High)
        .await
        .id;
    w.deliver().await;
    let alerts = w.sent(77);
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].view.plain().contains("🚨 Выходной день"));
    // Nobody takes it: after 30 minutes the curators (the operator) and the head are told.
    w.clock.set(sakhalin("2026-11-27 20:31"));
    while w.core.fire_due_timers().await.unwrap() > 0 {}
    w.deliver().await;
    let chased = w
        .sent(CURATOR_CHAT)
        .into_iter()
        .find(|s| s.view.plain().contains("Никто из дежурных пока не взял"))
        .expect("the curators are told nobody took it");
    assert!(chased
        .view
        .actions()
        .contains(&Action::AnswerMyself { inc }));
    // 3.9: the operator answers it himself.
    let (group, private) = (w.curator_in_group().await, w.curator().await);
    let text = "Здравствуйте! Бригада электросетей выехала, свет дадут к полуночи.";
    let sent = answer_myself(&w, &group, &private, inc, text).await;
    assert_eq!(toast(&sent), "✍️ Ответ на №1 записан.");
    w.clock.set(sakhalin("2026-11-27 21:00"));
    let link = "https://vk.com/wall-123_456?reply=1000";
    assert_eq!(said(&w.say(&private, link).await), "Публикация записана.");
    w.deliver().await;
    // The duty officer's alert no longer asks to take it.
    let officer_card = w.now_shows(77, alerts[0].message);
    assert!(!officer_card
        .actions()
        .iter()
        .any(|a| matches!(a, Action::DutyAnswer { .. })));
    nothing_left(&w, inc, sakhalin("2026-11-30 20:00")).await;
}

async fn yuzhno_sakhalinsk_3_9_the_duty_officer_who_took_it_answers_it(db: &TestDb) {
    let w = World::new(db, "yuzhno-sakhalinsk").await;
    let duty = w.duty_officer_on(&[28]).await;
    w.clock.set(sakhalin("2026-11-28 10:00"));
    let inc = w
        .take_in("Прорвало трубу на Ленина, 5", None, Importance::High)
        .await
        .id;
    w.deliver().await;
    let officer = w.who(duty, 77).await;
    let alert = w.sent(77).pop().unwrap();
    assert!(!alert.view.actions().contains(&Action::AnswerMyself { inc }));
    let take = Action::DutyAnswer {
        inc,
        answer: DutyAnswerKind::Taken,
    };
    w.press(&officer, take).await;
    w.deliver().await;
    // «Беру»: the duty officer acts as the operator on it.
    let taken = w.now_shows(77, alert.message);
    assert!(taken.actions().contains(&Action::AnswerMyself { inc }));
    let sent = answer_myself(&w, &officer, &officer, inc, "Аварийная служба выехала.").await;
    assert_eq!(toast(&sent), "✍️ Ответ на №1 записан.");
    let link = "https://vk.com/wall-123_456?reply=1001";
    assert_eq!(said(&w.say(&officer, link).await), "Публикация записана.");
    nothing_left(&w, inc, sakhalin("2026-11-30 20:00")).await;
}

async fn vorsino_2_10_a_working_day_emergency_goes_to_the_department(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    // Friday 15:00, in working hours: no weekend alert, no own answer (2.1–2.2).
    w.clock.set(moscow("2026-11-27 15:00"));
    let inc = w
        .take_in("Прорвало трубу на Ленина, 5", None, Importance::High)
        .await
        .id;
    w.deliver().await;
    assert!(w
        .sent(CURATOR_CHAT)
        .iter()
        .all(|s| !s.view.plain().contains("🚨 Выходной день")
            && !s.view.actions().contains(&Action::AnswerMyself { inc })));
    let asked = w
        .press(&w.curator().await, Action::AnswerMyself { inc })
        .await;
    assert!(asked.toast.is_some_and(|t| t.alert));
}

async fn vorsino_2_10_a_channel_comment_gets_the_curators_answer_from_otklik(db: &TestDb) {
    let w = World::new(db, "vorsino").await;
    w.clock.set(moscow("2026-11-28 11:00"));
    // A comment in the administration's own channel: Otklik replies to it itself.
    let rules = w.core.org(w.seeded.org).await.unwrap();
    let mut new = vk_comment(
        "Прорвало трубу на Ленина, 5",
        "Ирина П.",
        "https://t.me/vorsino/12?comment=34",
        w.core.now(),
    );
    new.importance = Importance::High;
    new.reply_to = Some(otklik::domain::content::ReplyTarget {
        chat: telegram_chat(-100_777),
        message: 34,
    });
    let inc = w
        .core
        .take_in(&rules, new, None, otklik::domain::PersonId::SYSTEM)
        .await
        .unwrap()
        .record
        .id;
    let private = w.curator().await;
    let text = "Ирина, аварийная бригада на месте.";
    let sent = answer_myself(&w, &private, &private, inc, text).await;
    assert!(
        said(&sent).contains("«Отклик» опубликует ответ на №1 сам"),
        "{}",
        said(&sent)
    );
    w.deliver().await;
    let posted = w.sent(-100_777);
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].view.plain(), text);
    let stored = w.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::Published);
    assert!(stored
        .workflow
        .publication
        .unwrap()
        .link
        .starts_with("https://t.me/vorsino/12?comment=34#"));
    nothing_left(&w, inc, moscow("2026-11-30 19:00")).await;
}
