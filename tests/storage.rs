//! Storage contract tests: every test runs on SQLite (a temporary file) and on PostgreSQL (a
//! fresh database), persistence only — what the core decides is tested in `core.rs`.

mod support;

use chrono::{Duration, NaiveDate, Utc};
use otklik::core::notices::Notice;
use otklik::domain::content::{ChatRef, Messenger};
use otklik::domain::incident::Role;
use otklik::domain::{IncidentId, OrgId, PersonId};
use otklik::storage::*;
use support::app::{moscow, person, seed, telegram_chat};
use support::db::{Backend, TestDb};

on_both_backends!(
    the_outbox_is_leased_and_survives_a_crash,
    a_restarted_process_takes_over_its_own_claims_at_once,
    each_queue_offers_its_most_urgent_lane_and_a_failure_holds_back_only_its_incident,
    a_cards_redraws_are_coalesced,
    a_groups_triage_backlog_is_summed_up_in_one_message,
    a_queue_that_fell_behind_is_summed_up,
    updates_are_claimed_once_and_pruned,
    conversations_and_cards_are_kept_per_chat,
    an_answer_is_posted_at_most_once,
    bad_directory_input_is_refused,
    import_export_round_trip_and_reimport_changes_nothing,
    barnaul_5_a_departments_supervising_deputy_is_imported_and_exported,
    a_bad_organisation_file_is_refused_whole,
    invites_bind_once_and_expire,
    an_installation_of_the_previous_version_upgrades_and_loses_nothing,
    a_renewed_lease_holds_and_a_lapsed_one_is_taken_over,
);

/// An outbox row for a recipient.
fn row(key: &str, recipient: Recipient) -> OutboxRow {
    OutboxRow {
        incident: None,
        recipient,
        kind: "burst".into(),
        payload: serde_json::json!({"notice": "burst", "topic": "t", "count": 5, "number": 1}),
        key: key.into(),
        lane: 4,
    }
}

/// What the delivery worker does in one round when every chat has room: each queue's next
/// message, claimed.
async fn claim(
    s: &Store,
    now: chrono::DateTime<Utc>,
    lease: Duration,
    owner: &str,
) -> Vec<OutboxMessage> {
    let next = s.next_in_queues(100, now).await.unwrap();
    let ids: Vec<i64> = next.iter().map(|m| m.id).collect();
    s.claim_outbox(&ids, now, lease, owner).await.unwrap()
}

fn ids(messages: &[OutboxMessage]) -> Vec<i64> {
    messages.iter().map(|m| m.id).collect()
}

async fn the_outbox_is_leased_and_survives_a_crash(db: &TestDb) {
    let s = db.store().await;
    let org = seed(&s, "vorsino").await;
    let now = moscow("2026-11-23 10:00");
    let rows = [
        row("a", Recipient::Chat(telegram_chat(-100))),
        row("b", Recipient::Person(org.executor)),
        row("c", Recipient::Worker),
    ];
    s.enqueue(org.org, None, &rows, now).await.unwrap();
    // The same keys again write nothing.
    s.enqueue(org.org, None, &rows, now).await.unwrap();
    assert_eq!(s.pending_outbox().await.unwrap().len(), 3);

    // The worker claims, "crashes" before sending; after a restart and the lease, the same
    // messages come back; once delivered, never again.
    let lease = Duration::seconds(30);
    let claimed = claim(&s, now, lease, "host-a").await;
    assert_eq!(claimed.len(), 3);
    assert_eq!(claimed[0].recipient, Recipient::Chat(telegram_chat(-100)));
    assert_eq!(claimed[1].recipient, Recipient::Person(org.executor));
    assert_eq!(claimed[2].recipient, Recipient::Worker);
    assert!(claim(&s, now, lease, "host-b").await.is_empty());
    let restarted = Store::connect(&db.url).await.unwrap();
    let reclaimed = claim(&restarted, now + Duration::seconds(31), lease, "host-b").await;
    assert_eq!(ids(&reclaimed), ids(&claimed));
    assert!(reclaimed.iter().all(|m| m.attempts == 2));
    for m in &reclaimed[..2] {
        restarted.mark_delivered(m.id, now).await.unwrap();
    }
    restarted
        .mark_failed(reclaimed[2].id, "HTTP 502", now + Duration::minutes(5))
        .await
        .unwrap();
    assert!(
        claim(&restarted, now + Duration::minutes(2), lease, "host-b")
            .await
            .is_empty()
    );
    let retried = claim(&restarted, now + Duration::minutes(5), lease, "host-b").await;
    assert_eq!(ids(&retried), [reclaimed[2].id]);
    restarted.close().await;
}

/// A process started again under its name takes over at once what it held when it died; what
/// another process holds stays that one's until its lease runs out.
async fn a_restarted_process_takes_over_its_own_claims_at_once(db: &TestDb) {
    let s = db.store().await;
    let org = seed(&s, "vorsino").await;
    let now = moscow("2026-11-23 10:00");
    let lease = Duration::seconds(5);
    s.enqueue(
        org.org,
        None,
        &[
            row("mine", Recipient::Person(org.executor)),
            row("theirs", Recipient::Person(org.curator)),
        ],
        now,
    )
    .await
    .unwrap();
    let next = s.next_in_queues(10, now).await.unwrap();
    let mine = s
        .claim_outbox(&[next[0].id], now, lease, "host-a")
        .await
        .unwrap();
    let theirs = s
        .claim_outbox(&[next[1].id], now, lease, "host-b")
        .await
        .unwrap();
    assert_eq!((mine.len(), theirs.len()), (1, 1));
    assert!(claim(&s, now, lease, "host-a").await.is_empty());
    assert_eq!(s.release_claims_of("host-a").await.unwrap(), 1);
    assert_eq!(ids(&claim(&s, now, lease, "host-a").await), ids(&mine));
    s.close().await;
}

/// A row with a kind, a lane and an incident.
fn ranked(
    key: &str,
    recipient: Recipient,
    kind: &str,
    lane: i64,
    incident: Option<IncidentId>,
) -> OutboxRow {
    OutboxRow {
        kind: kind.into(),
        lane,
        incident,
        ..row(key, recipient)
    }
}

async fn each_queue_offers_its_most_urgent_lane_and_a_failure_holds_back_only_its_incident(
    db: &TestDb,
) {
    let s = db.store().await;
    let org = seed(&s, "vorsino").await;
    let now = moscow("2026-11-23 10:00");
    let (a, b) = (
        insert_incident(&s, org.org, now).await,
        insert_incident(&s, org.org, now).await,
    );
    let group = Recipient::Chat(telegram_chat(-100));
    let rows = [
        ranked("a1", group, "triage", 3, Some(a)),
        ranked("b1", group, "triage", 3, Some(b)),
        ranked("a2", group, "overdue", 2, Some(a)),
        ranked("a3", group, "triage", 3, Some(a)),
        ranked("y", Recipient::Person(org.executor), "triage", 3, Some(a)),
    ];
    s.enqueue(org.org, None, &rows, now).await.unwrap();
    let all = ids(&s.pending_outbox().await.unwrap());
    let (a1, b1, a2, a3, y) = (all[0], all[1], all[2], all[3], all[4]);
    let lease = Duration::seconds(60);

    // One message a queue, the most urgent lane first.
    let claimed = claim(&s, now, lease, "w").await;
    assert_eq!(ids(&claimed), [a2, y]);
    // The group's queue has a message out: nothing more of it now.
    assert!(claim(&s, now, lease, "w").await.is_empty());
    s.mark_delivered(a2, now).await.unwrap();
    s.mark_delivered(y, now).await.unwrap();
    assert_eq!(ids(&claim(&s, now, lease, "w").await), [a1]);

    // a1 fails and waits five minutes: b1 (another incident) goes on, a3 (a1's) does not.
    s.mark_failed(a1, "500", now + Duration::minutes(5))
        .await
        .unwrap();
    let t = now + Duration::minutes(1);
    assert_eq!(ids(&claim(&s, t, lease, "w").await), [b1]);
    s.mark_delivered(b1, t).await.unwrap();
    assert!(claim(&s, t, lease, "w").await.is_empty());
    assert_eq!(s.due_outbox_count(t).await.unwrap(), 0);
    let later = now + Duration::minutes(5);
    assert_eq!(ids(&claim(&s, later, lease, "w").await), [a1]);
    s.mark_delivered(a1, later).await.unwrap();
    assert_eq!(ids(&claim(&s, later, lease, "w").await), [a3]);
    s.close().await;
}

/// A card's redraw waits once: asked for again, nothing more is queued, and the more urgent
/// lane wins.
async fn a_cards_redraws_are_coalesced(db: &TestDb) {
    let s = db.store().await;
    let org = seed(&s, "vorsino").await;
    let now = moscow("2026-11-23 10:00");
    let inc = insert_incident(&s, org.org, now).await;
    let group = Recipient::Chat(telegram_chat(-100));
    let redraw = |key: &str, message: i64, lane: i64| OutboxRow {
        payload: serde_json::json!({"notice": "redraw", "message": message}),
        ..ranked(key, group, "redraw", lane, None)
    };
    s.enqueue_redraws(org.org, inc, &[redraw("r1", 7, 4), redraw("r2", 8, 4)], now)
        .await
        .unwrap();
    s.enqueue_redraws(org.org, inc, &[redraw("r3", 7, 1)], now)
        .await
        .unwrap();
    let pending = s.pending_outbox().await.unwrap();
    assert_eq!(pending.len(), 2);
    assert_eq!(
        pending
            .iter()
            .map(|m| (m.payload["message"].as_i64().unwrap(), m.lane))
            .collect::<Vec<_>>(),
        [(7, 1), (8, 4)]
    );
    // Once claimed, a new change queues a fresh redraw (the one out may have drawn too early).
    let out = claim(&s, now, Duration::seconds(60), "w").await;
    assert_eq!(out.len(), 1);
    s.enqueue_redraws(org.org, inc, &[redraw("r4", 7, 4)], now)
        .await
        .unwrap();
    assert_eq!(s.pending_outbox().await.unwrap().len(), 3);
    s.close().await;
}

/// A group's triage cards beyond its minute are swapped for one summary, in one transaction;
/// the list grows while it lasts, and one summary message waits at a time.
async fn a_groups_triage_backlog_is_summed_up_in_one_message(db: &TestDb) {
    let s = db.store().await;
    let org = seed(&s, "vorsino").await;
    let now = moscow("2026-11-23 10:00");
    let chat = telegram_chat(-100);
    let group = Recipient::Chat(chat);
    let mut incidents = Vec::new();
    for i in 0..5 {
        let inc = insert_incident(&s, org.org, now).await;
        incidents.push(inc);
        s.enqueue(
            org.org,
            Some(inc),
            &[ranked(&format!("t{i}"), group, "triage", 3, None)],
            now,
        )
        .await
        .unwrap();
    }
    let waiting = s.waiting_in("c:telegram:-100", now).await.unwrap();
    assert_eq!(waiting.len(), 5);
    let show = OutboxRow {
        payload: serde_json::json!({"notice": "backlog"}),
        ..ranked("backlog-1", group, "backlog", 3, None)
    };
    let collapse: Vec<i64> = waiting[2..].iter().map(|w| w.id).collect();
    let summed = SummedUp {
        chat,
        org: org.org,
        collapse: &collapse,
    };
    assert_eq!(s.sum_up_backlog(&summed, &show, now).await.unwrap(), 3);
    let pending = s.pending_outbox().await.unwrap();
    assert_eq!(
        pending.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>(),
        ["triage", "triage", "backlog"]
    );
    let summary = s.backlog_summary(chat).await.unwrap().unwrap();
    assert_eq!(summary.incidents, incidents[2..]);
    assert_eq!(summary.message_id, None);
    s.set_backlog_message(chat, 77).await.unwrap();
    // More while it lasts (its incidents still wait for triage): the list grows, the message
    // stays, no second summary waits.
    let show2 = OutboxRow {
        key: "backlog-2".into(),
        ..show.clone()
    };
    let second = [waiting[1].id];
    let more = SummedUp {
        collapse: &second,
        ..summed
    };
    assert_eq!(s.sum_up_backlog(&more, &show2, now).await.unwrap(), 1);
    let summary = s.backlog_summary(chat).await.unwrap().unwrap();
    assert_eq!(
        summary.incidents,
        [incidents[2], incidents[3], incidents[4], incidents[1]]
    );
    assert_eq!(summary.message_id, Some(77));
    assert_eq!(s.pending_outbox().await.unwrap().len(), 2);
    // A row another sender has taken stays as it is.
    let out = claim(&s, now, Duration::seconds(60), "w").await;
    assert_eq!(ids(&out), [waiting[0].id]);
    let taken = [waiting[0].id];
    let third = SummedUp {
        collapse: &taken,
        ..summed
    };
    assert_eq!(s.sum_up_backlog(&third, &show2, now).await.unwrap(), 0);
    assert_eq!(
        s.still_new(&incidents[..2]).await.unwrap(),
        [(incidents[0], 1), (incidents[1], 2)]
    );
    s.close().await;
}

async fn a_queue_that_fell_behind_is_summed_up(db: &TestDb) {
    let s = db.store().await;
    let org = seed(&s, "vorsino").await;
    let now = moscow("2026-11-23 10:00");
    let group = Recipient::Chat(telegram_chat(-100));
    let mut rows: Vec<OutboxRow> = (0..10)
        .map(|i| ranked(&format!("t{i}"), group, "triage", 3, None))
        .collect();
    rows.push(ranked("alert", group, "weekend_emergency", 2, None));
    rows.push(ranked(
        "r",
        Recipient::Person(org.executor),
        "reminder",
        2,
        None,
    ));
    s.enqueue(org.org, None, &rows, now).await.unwrap();
    let kinds = ["triage", "reminder"];

    let backlogs = s.backlogs(&kinds, 5, now).await.unwrap();
    assert_eq!(backlogs.len(), 1);
    let b = &backlogs[0];
    assert_eq!((b.recipient, b.count, b.org), (group, 10, org.org));

    let collapsed = s
        .collapse_backlog(
            b,
            &kinds,
            3,
            |count, lane, _| OutboxRow {
                payload: serde_json::json!({"notice": "collapsed", "count": count}),
                ..ranked("summary", group, "collapsed", lane, None)
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(collapsed, 7);
    let pending = s.pending_outbox().await.unwrap();
    let kinds_left: Vec<&str> = pending.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(
        kinds_left,
        [
            "triage",
            "triage",
            "triage",
            "weekend_emergency",
            "reminder",
            "collapsed"
        ]
    );
    let summary = pending.last().unwrap();
    assert_eq!(summary.payload["count"], 7);
    assert_eq!(summary.recipient, group);
    assert_eq!(summary.lane, 3);
    // Nothing is left to sum up.
    assert!(s.backlogs(&kinds, 5, now).await.unwrap().is_empty());
    s.close().await;
}

async fn updates_are_claimed_once_and_pruned(db: &TestDb) {
    let s = db.store().await;
    let t0 = moscow("2026-11-23 10:00");
    let claim = |bot: &'static str, messenger, id, instance: &'static str, at| {
        let s = s.clone();
        async move {
            s.claim_update(messenger, bot, id, at, instance, at - Duration::minutes(2))
                .await
                .unwrap()
        }
    };
    assert!(claim("7000000", Messenger::Telegram, 9001, "a", t0).await);
    s.finish_update(Messenger::Telegram, "7000000", 9001)
        .await
        .unwrap();
    // A redelivery of the same update is refused, by any process; another bot's update of the
    // same id is not.
    assert!(!claim("7000000", Messenger::Telegram, 9001, "a", t0).await);
    assert!(
        !claim(
            "7000000",
            Messenger::Telegram,
            9001,
            "b",
            t0 + Duration::hours(1)
        )
        .await
    );
    assert!(claim("7000001", Messenger::Telegram, 9001, "a", t0).await);
    assert!(claim("7000000", Messenger::Max, 9001, "a", t0).await);
    // Claimed and never finished (the process died between the claim and the change): the
    // same process refuses it for a while (it may still be at work), another takes it over.
    assert!(
        !claim(
            "7000001",
            Messenger::Telegram,
            9001,
            "a",
            t0 + Duration::seconds(30)
        )
        .await
    );
    assert!(
        claim(
            "7000001",
            Messenger::Telegram,
            9001,
            "b",
            t0 + Duration::seconds(30)
        )
        .await
    );
    assert!(
        !claim(
            "7000001",
            Messenger::Telegram,
            9001,
            "b",
            t0 + Duration::seconds(40)
        )
        .await
    );
    // After a few minutes even the same process takes it again.
    assert!(
        claim(
            "7000001",
            Messenger::Telegram,
            9001,
            "b",
            t0 + Duration::minutes(3)
        )
        .await
    );
    s.claim_update(
        Messenger::Telegram,
        "7000000",
        9002,
        t0 + Duration::days(5),
        "a",
        t0 + Duration::days(5),
    )
    .await
    .unwrap();
    assert_eq!(s.prune_updates(t0 + Duration::days(3)).await.unwrap(), 3);
    assert_eq!(s.processed_update_count().await.unwrap(), 1);
}

async fn conversations_and_cards_are_kept_per_chat(db: &TestDb) {
    let s = db.store().await;
    let org = seed(&s, "vorsino").await;
    let t0 = moscow("2026-11-23 10:00");
    let group = telegram_chat(-100);
    // Two curators in one group never share a pending input.
    s.set_conversation(group, org.curator, &serde_json::json!({"step": "a"}), t0)
        .await
        .unwrap();
    let other = s
        .create_person(org.org, &person("Орлова Н.", 1002, vec![Role::Curator]))
        .await
        .unwrap();
    s.set_conversation(group, other, &serde_json::json!({"step": "b"}), t0)
        .await
        .unwrap();
    let mine = s.conversation(group, org.curator).await.unwrap().unwrap();
    assert_eq!(mine.state["step"], "a");
    assert_eq!(mine.updated_at, t0);
    s.clear_conversation(group, org.curator).await.unwrap();
    assert!(s.conversation(group, org.curator).await.unwrap().is_none());
    assert_eq!(
        s.conversation(group, other).await.unwrap().unwrap().state["step"],
        "b"
    );
    assert_eq!(
        s.prune_conversations(t0 + Duration::hours(1))
            .await
            .unwrap(),
        1
    );

    // Cards: remembered per message, redrawn, moved when sent again, followed to a new chat id.
    let inc = insert_incident(&s, org.org, t0).await;
    let card = CardRow {
        chat: group,
        message_id: 10,
        incident: inc,
        viewer: None,
        notice: Notice::Triage.to_json(),
        rendered: 5,
    };
    s.add_card(&card).await.unwrap();
    s.add_card(&CardRow {
        chat: telegram_chat(2002),
        message_id: 11,
        viewer: Some(org.executor),
        notice: Notice::IncidentCard { part: 0 }.to_json(),
        ..card.clone()
    })
    .await
    .unwrap();
    assert_eq!(s.card(group, 10).await.unwrap(), Some(card.clone()));
    s.set_card_rendered(group, 10, 7).await.unwrap();
    s.move_card(group, 10, 12, 8).await.unwrap();
    assert!(s.card(group, 10).await.unwrap().is_none());
    assert_eq!(s.card(group, 12).await.unwrap().unwrap().rendered, 8);
    s.move_chat(group, -1_000_000_000_100).await.unwrap();
    let cards = s.cards_of(inc).await.unwrap();
    assert_eq!(cards.len(), 2);
    assert!(cards.iter().any(|c| c.chat.id == -1_000_000_000_100));
    let notices: Vec<Notice> = cards
        .iter()
        .map(|c| serde_json::from_value(c.notice.clone()).unwrap())
        .collect();
    assert!(notices.contains(&Notice::IncidentCard { part: 0 }));
}

/// A bare incident of the organisation (the core writes real ones).
async fn insert_incident(s: &Store, org: OrgId, at: chrono::DateTime<Utc>) -> IncidentId {
    let regulation = s.organisation(org).await.unwrap().regulation;
    let calendar = regulation.calendar().unwrap();
    let workflow = otklik::domain::incident::Incident::register(
        otklik::domain::incident::Registration {
            detected_at: at,
            received_at: at,
            importance: otklik::domain::regulation::Importance::Normal,
            external_deadline: None,
            topic: None,
            location: None,
        },
        otklik::domain::incident::Rules {
            regulation: &regulation,
            calendar: &calendar,
        },
    )
    .unwrap()
    .incident;
    let content = otklik::domain::content::IncidentContent {
        source: otklik::domain::content::Source::Vk,
        kind: otklik::domain::content::MessageKind::Comment,
        url: "https://vk.com/wall-1_2".into(),
        external_id: None,
        author: "Ирина П.".into(),
        text: "Нет отопления".into(),
        attachments: vec![],
        repeat_of: None,
    };
    s.insert_incident(
        &NewRecord {
            org,
            content: &content,
            reply_to: None,
            workflow: &workflow,
            next_deadline: None,
            part_due: vec![],
            audit: vec![],
            outbox: vec![],
            timers: vec![],
            org_timers: vec![],
        },
        at,
    )
    .await
    .unwrap()
    .id
}

async fn an_answer_is_posted_at_most_once(db: &TestDb) {
    let s = db.store().await;
    let org = seed(&s, "vorsino").await;
    let t0 = moscow("2026-11-23 10:00");
    let inc = insert_incident(&s, org.org, t0).await;
    let v1 = AnswerKey {
        incident: inc,
        part: Some(0),
        version: 1,
    };
    let v2 = AnswerKey { version: 2, ..v1 };
    // The first caller may send; anyone after it finds the reply in doubt, and only the first
    // of them tells people.
    assert_eq!(
        s.claim_publication(v1, t0).await.unwrap(),
        PublicationClaim::Claimed
    );
    assert_eq!(
        s.claim_publication(v1, t0).await.unwrap(),
        PublicationClaim::InDoubt { first: true }
    );
    assert_eq!(
        s.claim_publication(v1, t0).await.unwrap(),
        PublicationClaim::InDoubt { first: false }
    );
    // A send refused for sure can be tried again; a sent reply is recorded with its link.
    assert_eq!(
        s.claim_publication(v2, t0).await.unwrap(),
        PublicationClaim::Claimed
    );
    s.release_publication(v2).await.unwrap();
    assert_eq!(
        s.claim_publication(v2, t0).await.unwrap(),
        PublicationClaim::Claimed
    );
    assert!(s
        .finish_publication(v2, (77, "https://t.me/x/1?comment=77"), None, t0)
        .await
        .unwrap());
    assert_eq!(
        s.claim_publication(v2, t0).await.unwrap(),
        PublicationClaim::Sent {
            message_id: 77,
            link: "https://t.me/x/1?comment=77".into()
        }
    );
    assert_eq!(
        s.publication_state(v2).await.unwrap().as_deref(),
        Some("sent")
    );
    let consolidated = AnswerKey { part: None, ..v1 };
    assert_eq!(s.publication_state(consolidated).await.unwrap(), None);
}

async fn bad_directory_input_is_refused(db: &TestDb) {
    let s = db.store().await;
    let org = seed(&s, "krymsk").await;
    let t0 = Utc::now();
    let absence = |person, substitute, until| Absence {
        person,
        substitute,
        from: t0,
        until,
        reason: AbsenceReason::Illness,
    };
    let bad = s
        .add_absence(
            org.org,
            &absence(org.executor, org.executor, t0 + Duration::days(1)),
        )
        .await;
    assert!(matches!(bad, Err(StorageError::Invalid(_))));
    let bad = s
        .add_absence(org.org, &absence(org.executor, org.other_executor, t0))
        .await;
    assert!(matches!(bad, Err(StorageError::Invalid(_))));
    let bad = s
        .create_organisation(
            &NewOrganisation {
                name: "X".into(),
                regulation_name: "x".into(),
                regulation_toml: "[profile]\nid='x'".into(),
                curator_chat: None,
                head_chat: None,
            },
            t0,
        )
        .await;
    assert!(matches!(bad, Err(StorageError::Invalid(_))));
    assert!(matches!(
        s.incident(IncidentId(424242)).await,
        Err(StorageError::NotFound(_))
    ));
    assert!(matches!(
        s.organisation(OrgId(424242)).await,
        Err(StorageError::NotFound(_))
    ));
    // A department and a person of two organisations cannot be joined.
    let other = s
        .create_organisation(
            &NewOrganisation {
                name: "Другая".into(),
                regulation_name: "vorsino".into(),
                regulation_toml: otklik::domain::regulation::PRESETS[0].1.into(),
                curator_chat: None,
                head_chat: None,
            },
            t0,
        )
        .await
        .unwrap();
    let stranger = s
        .create_person(other, &person("Чужой", 31337, vec![Role::DepartmentHead]))
        .await
        .unwrap();
    assert!(matches!(
        s.set_department_head(org.dept, stranger).await,
        Err(StorageError::Invalid(_))
    ));
    let change = DirectoryChange::Move {
        person: stranger,
        department: org.dept,
    };
    assert!(matches!(
        s.change_directory(org.org, org.curator, t0, &change, &[])
            .await,
        Err(StorageError::Invalid(_))
    ));
    assert!(matches!(
        Store::connect("mysql://x").await,
        Err(StorageError::UnsupportedUrl(_))
    ));
}

const EXAMPLE: &str = include_str!("../examples/organisation.toml");

fn example() -> otklik::directory_file::ValidDirectory {
    otklik::directory_file::DirectoryFile::parse(EXAMPLE, None).unwrap()
}

async fn import_export_round_trip_and_reimport_changes_nothing(db: &TestDb) {
    let s = db.store().await;
    let t0 = Utc::now();
    let report = s.import_directory(&example(), t0).await.unwrap();
    assert!(report.created_organisation);
    assert_eq!(
        (
            report.departments,
            report.people_added,
            report.people_deactivated
        ),
        (2, 5, 0)
    );
    let name = "Администрация СП «Село Ворсино»";
    let exported = s.export_directory(name).await.unwrap();
    // Topics come back as written, with the proof a topic asks for.
    assert_eq!(exported.topics, example().file.topics);
    assert_eq!(
        exported.topics[1].proof,
        Some(otklik::domain::content::Proof::Photo)
    );
    // Templates too, by name.
    assert_eq!(exported.templates.len(), 2);
    for t in &example().file.templates {
        assert!(exported.templates.contains(t), "{t:?} not exported");
    }
    let text = exported.to_toml().unwrap();
    let version = s
        .organisation_version(report.organisation_id)
        .await
        .unwrap();

    // Re-importing the same file, or the exported one, changes nothing but the version (which
    // tells running processes to read the directory again).
    let again = s.import_directory(&example(), t0).await.unwrap();
    assert_eq!(
        (
            again.created_organisation,
            again.people_added,
            again.people_deactivated
        ),
        (false, 0, 0)
    );
    assert_eq!(again.organisation_id, report.organisation_id);
    assert!(
        s.organisation_version(report.organisation_id)
            .await
            .unwrap()
            > version
    );
    let reparsed = otklik::directory_file::DirectoryFile::parse(&text, None).unwrap();
    s.import_directory(&reparsed, t0).await.unwrap();
    assert_eq!(s.export_directory(name).await.unwrap(), exported);

    // What was imported: chats, roles, heads, members, regulation, duty across the New Year.
    let org = s.organisation(report.organisation_id).await.unwrap();
    assert_eq!(org.regulation.id, "vorsino");
    assert_eq!(org.curator_chat, Some(telegram_chat(-1001234567890)));
    let dir = s.directory(org.id).await.unwrap();
    let head = dir
        .people
        .iter()
        .find(|p| p.roles.contains(&Role::DepartmentHead))
        .unwrap()
        .id;
    let housing = dir
        .departments
        .iter()
        .find(|d| d.name == "Отдел ЖКХ")
        .unwrap();
    assert_eq!(housing.head, Some(head));
    assert_eq!(housing.members.len(), 2);
    for day in ["2026-12-31", "2027-01-01", "2027-01-07", "2027-01-10"] {
        let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        assert_eq!(s.on_duty(org.id, date).await.unwrap(), vec![head], "{day}");
    }
    assert!(s
        .on_duty(org.id, NaiveDate::from_ymd_opt(2027, 1, 11).unwrap())
        .await
        .unwrap()
        .is_empty());
    // Sakhalin 3.9: the department's shift, with the person's phone where it gives none.
    assert_eq!(
        s.department_duty(org.id, NaiveDate::from_ymd_opt(2027, 1, 2).unwrap())
            .await
            .unwrap(),
        vec![otklik::storage::DepartmentDuty {
            department: housing.id,
            person: head,
            phone: Some("+7 900 000-00-04".into()),
        }]
    );
    assert!(exported
        .duty
        .iter()
        .any(|d| d.department.as_deref() == Some("Отдел ЖКХ")));

    // A person bound through an invite keeps the binding across re-imports; one removed from the
    // file is deactivated, not deleted.
    let curator = dir
        .people
        .iter()
        .find(|p| p.roles.contains(&Role::Curator))
        .unwrap()
        .id;
    let code = s
        .create_invite(curator, t0, Duration::days(1))
        .await
        .unwrap();
    s.redeem_invite(&code, Messenger::Telegram, 555, t0)
        .await
        .unwrap()
        .unwrap();
    let mut smaller = example();
    smaller
        .file
        .people
        .retain(|p| p.name != "Орлов Виктор Николаевич");
    let report = s.import_directory(&smaller, t0).await.unwrap();
    assert_eq!(report.people_deactivated, 1);
    assert_eq!(
        s.account_of(curator, Messenger::Telegram).await.unwrap(),
        Some(555)
    );
    let heads: Vec<PersonId> = s
        .directory(org.id)
        .await
        .unwrap()
        .people
        .iter()
        .filter(|p| p.active && p.roles.contains(&Role::Head))
        .map(|p| p.id)
        .collect();
    assert!(heads.is_empty());
    assert_eq!(s.export_directory(name).await.unwrap().people.len(), 4);
}

async fn a_bad_organisation_file_is_refused_whole(db: &TestDb) {
    let s = db.store().await;
    let bad = EXAMPLE
        .replace("regulation = \"vorsino\"", "regulation = \"moscow\"")
        .replace(
            "departments = [\"Отдел ЖКХ\"]",
            "departments = [\"Отдел кадров\"]",
        )
        .replace("roles = [\"head\"]", "roles = []")
        .replace("person = \"Кузнецов Игорь Петрович\"", "person = \"Никто\"")
        .replace(
            "topic = \"Дороги и благоустройство\"",
            "topic = \"Озеленение\"",
        )
        .replace(
            "text = \"Здравствуйте! Спасибо за сообщение. [что сделано] — [дата].\"",
            "text = \" \"",
        );
    let err = otklik::directory_file::DirectoryFile::parse(&bad, None)
        .unwrap_err()
        .to_string();
    for needle in [
        "organisation.regulation: \"moscow\" is neither a preset",
        "line 46: people[1].departments: no department \"Отдел кадров\"",
        "people[4].roles: give at least one role",
        "duty[0].person: no person \"Никто\"",
        "templates[0].topic: no topic \"Озеленение\" in [[topics]]",
        "templates[1].text: the text is empty",
    ] {
        assert!(err.contains(needle), "{needle:?} not in:\n{err}");
    }
    // A syntax error names its line.
    let err = otklik::directory_file::DirectoryFile::parse("[organisation]\nname = ", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2"), "{err}");
    // Nothing was written.
    assert!(s
        .organisation_id("Администрация СП «Село Ворсино»")
        .await
        .unwrap()
        .is_none());
}

async fn invites_bind_once_and_expire(db: &TestDb) {
    let s = db.store().await;
    let org = seed(&s, "vorsino").await;
    let t0 = moscow("2026-11-23 10:00");
    let newcomer = s
        .create_person(
            org.org,
            &NewPerson {
                full_name: "Новиков Павел".into(),
                roles: vec![Role::Executor],
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
    let without = s
        .people_without_account(org.org, Messenger::Telegram)
        .await
        .unwrap();
    assert_eq!(without.len(), 1);
    let code = s
        .create_invite(newcomer, t0, Duration::days(14))
        .await
        .unwrap();
    assert_eq!(code.len(), 24);
    let tg = Messenger::Telegram;
    // Someone else's account cannot take it over.
    assert_eq!(
        s.redeem_invite(&code, tg, 2002, t0).await.unwrap(),
        Err(InviteError::AccountTaken)
    );
    let person = s
        .redeem_invite(&code, tg, 777, t0 + Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(person.id, newcomer);
    let holder = s.account_holder(tg, 777).await.unwrap().unwrap();
    assert_eq!((holder.person, holder.org), (newcomer, org.org));
    assert_eq!(
        s.redeem_invite(&code, tg, 778, t0).await.unwrap(),
        Err(InviteError::Used)
    );
    assert_eq!(
        s.redeem_invite("nope", tg, 778, t0).await.unwrap(),
        Err(InviteError::Unknown)
    );
    let late = s
        .create_invite(org.executor, t0, Duration::days(1))
        .await
        .unwrap();
    assert_eq!(
        s.redeem_invite(&late, tg, 779, t0 + Duration::days(2))
            .await
            .unwrap(),
        Err(InviteError::Expired)
    );
    assert!(s
        .people_without_account(org.org, tg)
        .await
        .unwrap()
        .is_empty());
    // A deactivated person's account no longer identifies anyone.
    s.set_person_active(newcomer, false).await.unwrap();
    assert!(s.account_holder(tg, 777).await.unwrap().is_none());
}

/// What the previous release wrote: an organisation with its chats on the row, people with
/// Telegram ids, a routed incident with its cards, a pending draft, undelivered messages.
fn previous_release_rows(workflow: &str) -> Vec<String> {
    let toml = otklik::domain::regulation::PRESETS[0].1.replace('\'', "''");
    let t = "'2026-11-23T07:00:00+00:00'";
    vec![
        format!(
            "INSERT INTO organisations (id, name, regulation_name, regulation_toml, curator_chat_id, head_chat_id,
                next_number, created_at, discussion_chat_id, channel_username)
             VALUES (1, 'Администрация', 'vorsino', '{toml}', -100500, 4242, 2, {t}, -100900, 'vorsino_adm')"
        ),
        "INSERT INTO people (id, org_id, full_name, phone, telegram_user_id, telegram_username, active, unreachable)
         VALUES (1, 1, 'Смирнова Елена', NULL, 1001, 'smirnova', TRUE, FALSE),
                (2, 1, 'Петров Алексей', '+7 900', 2002, NULL, TRUE, TRUE),
                (3, 1, 'Новиков Павел', NULL, NULL, 'novikov', TRUE, FALSE)"
            .into(),
        "INSERT INTO person_roles (person_id, role) VALUES (1, 'curator'), (2, 'executor'), (3, 'executor')".into(),
        "INSERT INTO departments (id, org_id, name, head_person_id, active) VALUES (1, 1, 'Отдел ЖКХ', NULL, TRUE)".into(),
        "INSERT INTO department_members (department_id, person_id) VALUES (1, 2)".into(),
        format!(
            "INSERT INTO incidents (id, org_id, number, source, kind, url, external_id, author, body, attachments,
                repeat_of, state, importance, topic, location, detected_at, external_deadline, next_deadline_at,
                workflow, version, created_at, updated_at)
             VALUES (1, 1, 1, 'vk', 'comment', 'https://vk.com/wall-1_2', 'IM-1', 'Ирина П.', 'Нет отопления', '[]',
                NULL, 'in_work', 'normal', NULL, NULL, {t}, NULL, NULL, '{workflow}', 2, {t}, {t})"
        ),
        "INSERT INTO assignments (incident_id, part_no, department_id, executor_id, state, due_at) VALUES (1, 0, 1, 2, 'routed', NULL)".into(),
        "INSERT INTO cards (incident_id, chat_id, message_id) VALUES (1, -100500, 10), (1, 2002, 11)".into(),
        format!(
            "INSERT INTO conversations (chat_id, user_id, state, updated_at)
             VALUES (2002, 2002, '{{\"step\":\"draft_text\",\"inc\":1,\"part\":0,\"kind\":\"answer\"}}', {t})"
        ),
        format!(
            "INSERT INTO outbox (org_id, idempotency_key, incident_id, person_id, chat_id, message, payload, created_at, available_at)
             VALUES (1, 'k1', 1, 2, NULL, 'incident_card',
                     '{{\"incident_id\":1,\"number\":1,\"event\":{{\"event\":\"routed\",\"part\":0,\"department\":1,\"executor\":2}}}}', {t}, {t}),
                    (1, 'k2', 1, NULL, -100500, 'status',
                     '{{\"incident_id\":1,\"number\":1,\"event\":{{\"event\":\"accepted\",\"part\":0}}}}', {t}, {t}),
                    (1, 'k3', 1, 2, NULL, 'rework',
                     '{{\"incident_id\":1,\"number\":1,\"event\":{{\"event\":\"rework_requested\",\"part\":0,\"version\":1,\"comment\":\"Дополнить\"}}}}', {t}, {t}),
                    (1, 'k4', NULL, NULL, -100500, 'burst',
                     '{{\"topic\":\"Мусор\",\"count\":6,\"number\":1}}', {t}, {t}),
                    (1, 'k5', 1, NULL, -100500, 'consolidated_approval',
                     '{{\"incident_id\":1,\"number\":1,\"event\":{{\"event\":\"approval_requested\",\"part\":null,\"step\":\"curator\",\"kind\":\"answer\",\"version\":3}}}}', {t}, {t})"
        ),
        format!("INSERT INTO processed_updates (update_id, processed_at) VALUES (5, {t})"),
    ]
}

async fn an_installation_of_the_previous_version_upgrades_and_loses_nothing(db: &TestDb) {
    // The database as the previous release left it (migrations 1–4), with its data.
    let old = Store::connect_without_migrating(&db.url).await.unwrap();
    old.migrate_to(Some(4)).await.unwrap();
    let regulation = otklik::domain::Regulation::preset("vorsino").unwrap();
    let calendar = regulation.calendar().unwrap();
    let rules = otklik::domain::incident::Rules {
        regulation: &regulation,
        calendar: &calendar,
    };
    let registered = otklik::domain::incident::Incident::register(
        otklik::domain::incident::Registration {
            detected_at: moscow("2026-11-23 10:00"),
            received_at: moscow("2026-11-23 10:00"),
            importance: otklik::domain::regulation::Importance::Normal,
            external_deadline: None,
            topic: None,
            location: None,
        },
        rules,
    )
    .unwrap()
    .incident;
    let curator = otklik::domain::incident::Actor {
        person: PersonId(1),
        roles: vec![Role::Curator],
        ..Default::default()
    };
    let routed = otklik::domain::incident::apply(
        &registered,
        &otklik::domain::incident::Command::Route {
            assignments: vec![otklik::domain::incident::Assignment {
                department: otklik::domain::DepartmentId(1),
                executor: PersonId(2),
            }],
            importance: None,
            topic: None,
            location: None,
            deadlines: Default::default(),
        },
        &curator,
        moscow("2026-11-23 10:05"),
        rules,
    )
    .unwrap()
    .incident;
    // The previous release's workflow JSON had no fields added since.
    let mut json = serde_json::to_value(&routed).unwrap();
    json.as_object_mut().unwrap().remove("duty_alert");
    json.as_object_mut().unwrap().remove("log");
    for p in json["parts"].as_array_mut().unwrap() {
        p.as_object_mut().unwrap().remove("rerouted");
    }
    for sql in previous_release_rows(&json.to_string()) {
        old.execute_raw(&sql).await.unwrap();
    }
    if db.backend == Backend::Postgres {
        // Explicit ids above: the sequences move past them, as they would have.
        for table in ["organisations", "people", "departments", "incidents"] {
            old.execute_raw(&format!(
                "SELECT setval('{table}_id_seq', (SELECT MAX(id) FROM {table}))"
            ))
            .await
            .unwrap();
        }
    }
    old.close().await;

    // `otklik migrate` upgrades it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_otklik"))
        .arg("migrate")
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = Store::connect(&db.url).await.unwrap();

    // People became accounts; the unreachable flag and usernames were kept.
    let tg = Messenger::Telegram;
    let curator = s.account_holder(tg, 1001).await.unwrap().unwrap();
    assert_eq!((curator.person, curator.org), (PersonId(1), OrgId(1)));
    assert!(
        s.account_holder(tg, 2002)
            .await
            .unwrap()
            .unwrap()
            .unreachable
    );
    let without: Vec<String> = s
        .people_without_account(OrgId(1), tg)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.full_name)
        .collect();
    assert_eq!(without, ["Новиков Павел"]);
    let exported = s.export_directory("Администрация").await.unwrap();
    let usernames: Vec<Option<String>> = exported
        .people
        .iter()
        .map(|p| p.telegram_username.clone())
        .collect();
    assert_eq!(
        usernames,
        [
            Some("@smirnova".to_string()),
            None,
            Some("@novikov".to_string())
        ]
    );
    assert_eq!(
        s.person(PersonId(2)).await.unwrap().phone.as_deref(),
        Some("+7 900")
    );

    // The organisation's chats.
    let org = s.organisation(OrgId(1)).await.unwrap();
    assert_eq!(org.curator_chat, Some(telegram_chat(-100500)));
    assert_eq!(org.head_chat, Some(telegram_chat(4242)));
    assert_eq!(org.discussion_chat, Some(telegram_chat(-100900)));
    assert_eq!(org.channel_username.as_deref(), Some("vorsino_adm"));
    assert_eq!(
        s.group_chat(telegram_chat(-100900)).await.unwrap(),
        [GroupChat::Discussion {
            org: OrgId(1),
            channel_username: Some("vorsino_adm".into())
        }]
    );

    // The incident, its cards (now with what drew them) and the pending draft.
    let incident = s.incident(IncidentId(1)).await.unwrap();
    let mut without_log = routed.clone();
    without_log.log = Default::default();
    assert_eq!(incident.workflow, without_log);

    // Reports: an incident stored before reports kept their facts gets them when Otklik starts.
    assert_eq!(
        s.incidents_without_report_facts().await.unwrap(),
        [IncidentId(1)]
    );
    let core = otklik::core::Core::new(
        s.clone(),
        otklik::texts::Texts::load(None).unwrap(),
        otklik::core::CoreConfig::new(
            otklik::domain::production_calendar::SHIPPED_RU_CALENDAR.into(),
        ),
    );
    assert_eq!(core.backfill_report_facts().await.unwrap(), 1);
    assert!(s.incidents_without_report_facts().await.unwrap().is_empty());
    let week = otklik::domain::report::Period {
        from: moscow("2026-11-23 00:00"),
        to: moscow("2026-11-30 00:00"),
    };
    let facts = s.report_facts(OrgId(1), week).await.unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(
        facts[0].workflow.state,
        otklik::domain::incident::IncidentState::InWork
    );
    assert_eq!(facts[0].workflow.parts.len(), 1);
    let cards = s.cards_of(IncidentId(1)).await.unwrap();
    let drawn: Vec<(ChatRef, i64, Option<PersonId>, Notice)> = cards
        .iter()
        .map(|c| {
            (
                c.chat,
                c.message_id,
                c.viewer,
                serde_json::from_value(c.notice.clone()).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        drawn,
        [
            (telegram_chat(-100500), 10, None, Notice::CuratorCard),
            (
                telegram_chat(2002),
                11,
                Some(PersonId(2)),
                Notice::IncidentCard { part: 0 }
            ),
        ]
    );
    let pending = s
        .conversation(telegram_chat(2002), PersonId(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pending.state["step"], "draft_text");

    // Undelivered messages became typed notices for the same recipients.
    let outbox = s.pending_outbox().await.unwrap();
    let notices: Vec<(Recipient, Notice)> = outbox
        .iter()
        .map(|m| {
            (
                m.recipient,
                serde_json::from_value(m.payload.clone()).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        notices,
        [
            (
                Recipient::Person(PersonId(2)),
                Notice::IncidentCard { part: 0 }
            ),
            (
                Recipient::Chat(telegram_chat(-100500)),
                Notice::RefreshCards { pressed: None }
            ),
            (
                Recipient::Person(PersonId(2)),
                Notice::Rework {
                    part: 0,
                    version: 1,
                    comment: "Дополнить".into()
                }
            ),
            (
                Recipient::Chat(telegram_chat(-100500)),
                Notice::Burst {
                    topic: "Мусор".into(),
                    count: 6,
                    number: 1
                }
            ),
            (
                Recipient::Chat(telegram_chat(-100500)),
                Notice::Approval {
                    part: None,
                    version: 3
                }
            ),
        ]
    );

    // Numbering goes on; migrating again changes nothing.
    let next = s
        .insert_incident(
            &NewRecord {
                org: OrgId(1),
                content: &incident.content,
                reply_to: None,
                workflow: &incident.workflow,
                next_deadline: None,
                part_due: vec![],
                audit: vec![],
                outbox: vec![],
                timers: vec![],
                org_timers: vec![],
            },
            Utc::now(),
        )
        .await;
    // The same external id: the existing incident.
    assert_eq!(next.unwrap().number, 1);
    s.migrate().await.unwrap();
    assert_eq!(s.processed_update_count().await.unwrap(), 0);
    s.close().await;
}

/// `otklik import` beside the running bot, on SQLite: two processes write one file at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_beside_a_running_bot_does_not_fail_with_database_is_locked() {
    let db = TestDb::sqlite().await;
    let bot = db.store().await;
    let importer = Store::connect(&db.url).await.unwrap();
    let dir = example();
    let report = importer.import_directory(&dir, Utc::now()).await.unwrap();
    let org = report.organisation_id;
    let group = telegram_chat(-5);
    let writer = tokio::spawn(async move {
        for i in 0..400 {
            // The bot's writes: pending input, handled updates, directory changes.
            let person = PersonId(1 + (i % 5));
            bot.set_conversation(group, person, &serde_json::json!({"i": i}), Utc::now())
                .await?;
            bot.claim_update(Messenger::Telegram, "1", i, Utc::now(), "a", Utc::now())
                .await?;
            bot.change_directory(
                org,
                person,
                Utc::now(),
                &DirectoryChange::EndAbsence { person },
                &[],
            )
            .await?;
        }
        Ok::<_, StorageError>(())
    });
    for _ in 0..60 {
        importer.import_directory(&dir, Utc::now()).await.unwrap();
    }
    writer.await.unwrap().unwrap();
}

async fn a_renewed_lease_holds_and_a_lapsed_one_is_taken_over(db: &TestDb) {
    let s = db.store().await;
    let org = seed(&s, "vorsino").await;
    let now = moscow("2026-11-23 10:00");
    let lease = Duration::seconds(5);
    s.enqueue(
        org.org,
        None,
        &[row("a", Recipient::Person(org.executor))],
        now,
    )
    .await
    .unwrap();
    s.add_org_timers(
        org.org,
        &[TimerRow {
            incident: None,
            key: "t".into(),
            kind: "digest".into(),
            payload: serde_json::json!({}),
            due_at: now,
        }],
        now,
    )
    .await
    .unwrap();
    let message = claim(&s, now, lease, "w").await;
    let timer = s.claim_timers(now, 10, lease, "w").await.unwrap();
    assert_eq!((message.len(), timer.len()), (1, 1));
    // A live worker renews its claims: 20 s later they are still its own.
    let ids = |v: &[i64]| v.to_vec();
    for step in [4, 8, 12, 16, 20] {
        let at = now + Duration::seconds(step);
        assert!(claim(&s, at, lease, "w2").await.is_empty());
        assert!(s
            .claim_timers(at, 10, lease, "w2")
            .await
            .unwrap()
            .is_empty());
        s.renew_outbox_lease(&ids(&[message[0].id]), at + lease)
            .await
            .unwrap();
        s.renew_timer_lease(&ids(&[timer[0].id]), at + lease)
            .await
            .unwrap();
    }
    // It dies: a few seconds after its last renewal, the work is taken over.
    let after = now + Duration::seconds(26);
    assert_eq!(claim(&s, after, lease, "w2").await.len(), 1);
    assert_eq!(
        s.claim_timers(after, 10, lease, "w2").await.unwrap().len(),
        1
    );
    // A delivered message is not renewed back into a lease.
    s.mark_delivered(message[0].id, after).await.unwrap();
    s.renew_outbox_lease(&[message[0].id], after + lease)
        .await
        .unwrap();
    assert!(s.pending_outbox().await.unwrap().is_empty());
}

const BARNAUL: &str = r#"
[organisation]
name = "Администрация Ленинского района"
regulation = "barnaul-leninsky"

[[departments]]
name = "Отдел ЖКХ"
supervising_deputy = "Зайцев Олег"

[[departments]]
name = "Отдел благоустройства"

[[people]]
name = "Зайцев Олег"
roles = ["deputy"]

[[people]]
name = "Волков Пётр"
roles = ["executor"]
departments = ["Отдел ЖКХ"]
"#;

async fn barnaul_5_a_departments_supervising_deputy_is_imported_and_exported(db: &TestDb) {
    let s = db.store().await;
    let file = otklik::directory_file::DirectoryFile::parse(BARNAUL, None).unwrap();
    let report = s.import_directory(&file, Utc::now()).await.unwrap();
    let dir = s.directory(report.organisation_id).await.unwrap();
    let deputy = dir
        .people
        .iter()
        .find(|p| p.full_name == "Зайцев Олег")
        .unwrap()
        .id;
    let supervised: Vec<(&str, Option<PersonId>)> = dir
        .departments
        .iter()
        .map(|d| (d.name.as_str(), d.supervising_deputy))
        .collect();
    assert_eq!(
        supervised,
        vec![("Отдел ЖКХ", Some(deputy)), ("Отдел благоустройства", None)]
    );
    let exported = s
        .export_directory("Администрация Ленинского района")
        .await
        .unwrap();
    assert_eq!(
        exported.departments[0].supervising_deputy.as_deref(),
        Some("Зайцев Олег")
    );
    // Only a person with the deputy role can supervise.
    let wrong = BARNAUL.replace(
        "supervising_deputy = \"Зайцев Олег\"",
        "supervising_deputy = \"Волков Пётр\"",
    );
    let err = otklik::directory_file::DirectoryFile::parse(&wrong, None).unwrap_err();
    assert!(
        err.to_string()
            .contains("line 6: departments[0].supervising_deputy: \"Волков Пётр\" does not have the deputy role"),
        "{err}"
    );
}
