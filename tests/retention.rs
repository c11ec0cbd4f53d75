//! Personal data past the organisation's retention period (152-FZ): the daily run and
//! `otklik purge` remove the author, text, links, drafts and attachments of finished incidents
//! everywhere they are kept, redraw the cards without them, and keep what reports count.

mod support;

use otklik::domain::incident::IncidentState;
use otklik::domain::regulation::Importance;
use otklik::domain::IncidentId;
use support::app::*;
use support::db::TestDb;

on_both_backends!(finished_incidents_lose_their_personal_data_after_the_retention_period);

const DRAFT: &str = "Марфа Игнатьевна, звоните +7 913 555-12-34.";
const REMOVED: &str = "[удалено по истечении срока хранения]";

/// How many messages in the outbox, for any incident or none (an answer to a press is kept
/// there too: a draft's preview, a card opened in private), still mention `needle`.
async fn outbox_mentioning(url: &str, needle: &str) -> i64 {
    let like = format!("%{needle}%");
    let sql = "SELECT COUNT(*) FROM outbox WHERE payload LIKE $1";
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let n = sqlx::query_scalar(sql)
            .bind(&like)
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        n
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let n = sqlx::query_scalar(sql)
            .bind(&like)
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        n
    }
}

/// An incident answered and published through the chats; returns its id.
async fn published(h: &TestApp) -> IncidentId {
    let inc = h
        .incident_for(
            "Сидорова Марфа: нет отопления, +7 913 555-12-34",
            Importance::Normal,
            Some(h.dept),
        )
        .await;
    let id = inc.id;
    let card = h
        .wait(0, "the executor's card", |c| {
            c.chat() == EXECUTOR_TG && c.buttons().contains(&format!("ac:{id}:0"))
        })
        .await;
    let preview = write_draft(h, (&card, &format!("dr:{id}:0:a")), DRAFT, true).await;
    let since = h.fake.mark();
    h.press(EXECUTOR_TG, &preview, &format!("sd:{id}")).await;
    let approval = h
        .wait(since, "approval card", |c| {
            c.chat() == CURATOR_CHAT && c.buttons().contains(&format!("ap:{id}:0:1"))
        })
        .await;
    let since = h.fake.mark();
    h.press(CURATOR_TG, &approval, &format!("ap:{id}:0:1"))
        .await;
    let publish = h
        .wait(since, "publication card", |c| {
            c.chat() == CURATOR_CHAT && c.buttons().contains(&format!("pb:{id}:0"))
        })
        .await;
    let since = h.fake.mark();
    h.press(CURATOR_TG, &publish, &format!("pb:{id}:0")).await;
    // Asked, and given, in the curator's private chat.
    h.wait(since, "ask for the link", |c| {
        c.chat() == CURATOR_TG && c.text().contains("Пришлите ссылку")
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
    h.settle().await;
    id
}

async fn finished_incidents_lose_their_personal_data_after_the_retention_period(db: &TestDb) {
    let mut h = TestApp::start_with("vorsino", "[privacy]\nkeep_days = 30\n", db).await;
    let old = published(&h).await;
    // Still open: kept whatever its age.
    let open = h
        .incident_for("Яма во дворе, Иванов И.", Importance::Normal, Some(h.dept))
        .await
        .id;
    h.settle().await;
    let before = h.store.incident(old).await.unwrap();
    assert_eq!(before.workflow.state, IncidentState::Published);
    assert!(h.store.rows_mentioning(old, "Марфа").await.unwrap() > 0);
    // The link is kept in the report rows too.
    assert!(h.store.rows_mentioning(old, "reply=789").await.unwrap() > 1);

    // 30 days and a night later (across a restart), the daily run at 03:00 removes the content.
    h.walk_to(moscow("2026-12-23 09:00")).await;
    h.crash_and_restart().await;
    assert!(h.store.rows_mentioning(old, "Марфа").await.unwrap() > 0);
    h.walk_to(moscow("2026-12-24 03:01")).await;
    let after = h.store.incident(old).await.unwrap();
    assert_eq!(after.workflow.state, IncidentState::Published);
    assert_eq!(after.content.text, REMOVED);
    assert_eq!(after.content.author, "");
    assert_eq!(after.content.url, "");
    assert!(after.content.attachments.is_empty());
    let draft = &after.workflow.parts[0].drafts[0];
    assert_eq!(draft.text, REMOVED);
    assert!(draft.attachments.is_empty());
    assert_eq!(
        after.workflow.publication.as_ref().map(|p| p.link.as_str()),
        Some("")
    );
    // What reports count stays: the stage times and who held them.
    assert_eq!(after.workflow.log, before.workflow.log);
    assert_eq!(after.workflow.detected_at, before.workflow.detected_at);
    // Nothing of it is left in the drafts table, the audit payloads or the delivered messages.
    for needle in ["Марфа", "913 555", "reply=800", "reply=789"] {
        assert_eq!(
            h.store.rows_mentioning(old, needle).await.unwrap(),
            0,
            "{needle} is still stored"
        );
    }
    // Nor in the answers to presses that showed it (a draft's preview, a card opened in
    // private): they are delivered messages too, kept with no incident of their own. (The open
    // incident shares only the source link, so that one is not looked for here.)
    for needle in ["Марфа", "913 555", "reply=800"] {
        assert_eq!(
            outbox_mentioning(h.database_url(), needle).await,
            0,
            "{needle} is still in the outbox"
        );
    }
    let audit = h.store.audit_log(old).await.unwrap();
    assert!(audit.iter().any(|a| a.command == "anonymise"), "{audit:?}");
    // The cards in the chats are drawn again without it.
    let redrawn = h
        .fake
        .calls()
        .into_iter()
        .rev()
        .find(|c| c.chat() == EXECUTOR_TG && c.method == "editMessageText")
        .expect("the executor's card redrawn");
    assert!(redrawn.text().contains(REMOVED), "{}", redrawn.text());
    assert!(!redrawn.text().contains("Марфа"));
    // The open incident is untouched.
    let still = h.store.incident(open).await.unwrap();
    assert!(still.content.text.contains("Иванов"));

    // `otklik purge` does the same on demand for a newer one; a second run changes nothing.
    h.walk_to(moscow("2026-12-24 10:00")).await;
    let newer = published(&h).await;
    let purge = |before: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_otklik"))
            .args([
                "purge",
                "--organisation",
                "Администрация",
                "--before",
                before,
                "--database-url",
                h.database_url(),
            ])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), said)
    };
    let (ok, said) = purge("26.12.2026");
    assert!(ok, "{said}");
    assert!(said.contains("from 1 finished incident"), "{said}");
    assert_eq!(h.store.rows_mentioning(newer, "Марфа").await.unwrap(), 0);
    let (ok, said) = purge("2026-12-26");
    assert!(ok, "{said}");
    assert!(said.contains("from 0 finished incident"), "{said}");
    let (ok, said) = purge("31.02.2026");
    assert!(!ok);
    assert!(said.contains("is not a date"), "{said}");
    assert!(h
        .store
        .incident(open)
        .await
        .unwrap()
        .content
        .text
        .contains("Иванов"));
}
