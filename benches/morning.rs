//! A busy morning in the curators' group, at Telegram's real pace, with the fake Bot API
//! refusing (429, counted) anything beyond Telegram's limits: 30 incidents posted at once, a
//! curator pressing once a second — «Разобрать» in the group, a department and «Направить» on
//! the card in their private chat, incident after incident — and three executors sending drafts
//! for approval meanwhile. Reported: p50/p95 of press → answer (the toast), press → the pressed
//! card redrawn, draft sent → approval card in the group, POST → triage card (the cards that went
//! out one by one; the rest are summed up in one message, counted as such), and limit violations
//! (must be 0). On SQLite and — when TEST_POSTGRES_URL is set — on PostgreSQL.
//!
//! Run with `cargo bench --bench morning` (about a minute and a half per database).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use otklik::domain::incident::Role;
use otklik::messenger::pacing::SendLimits;
use support::app::{
    person, write_draft_as, TestApp, CURATOR_CHAT, CURATOR_TG, EXECUTOR_TG, OTHER_EXECUTOR_TG,
};
use support::db::{Backend, TestDb};
use support::fake_telegram::Call;
use support::morning::{most_in, post, triage_card};

const BATCH: usize = 30;
/// How many incidents the curator triages (three presses each, a second apart).
const TRIAGED: usize = 10;
const THIRD_EXECUTOR_TG: i64 = 4004;

/// p50 and p95 of some latencies, as "p50 … ms, p95 … ms (n)".
fn quantiles(mut v: Vec<Duration>) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.sort();
    let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
    format!(
        "p50 {:.0} ms, p95 {:.0} ms ({})",
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        v.len()
    )
}

/// The first call after `since` matching `pred`, waited for (at most two minutes).
async fn first(
    h: &TestApp,
    since: usize,
    what: &str,
    pred: impl Fn(&Call) -> bool,
) -> Result<Call, String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(c) = h.fake.calls().into_iter().skip(since).find(|c| pred(c)) {
            return Ok(c);
        }
        if Instant::now() > deadline {
            return Err(format!("no {what} within two minutes"));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// What the curator's presses measured: press → toast, press → the pressed card redrawn.
#[derive(Default)]
struct Presses {
    answered: Vec<Duration>,
    redrawn: Vec<Duration>,
}

/// Presses a button on `message` and measures the answer and, if `redraws`, the edit of the
/// pressed message.
async fn press(
    h: &TestApp,
    user: i64,
    message: &Call,
    data: &str,
    redraws: bool,
    out: &mut Presses,
) -> Result<Call, String> {
    let since = h.fake.mark();
    let at = Instant::now();
    h.fake.press(user, message, data);
    let answer = first(h, since, "answer", |c| c.method == "answerCallbackQuery").await?;
    out.answered.push(answer.at.duration_since(at));
    if redraws {
        let edit = first(h, since, "redraw", |c| {
            c.ok && c.method == "editMessageText"
                && c.chat() == message.chat()
                && c.message_id == message.message_id
        })
        .await?;
        out.redrawn.push(edit.at.duration_since(at));
        return Ok(edit);
    }
    Ok(answer)
}

/// The curator triages the first `TRIAGED` incidents of the batch, a press a second.
async fn curator(h: &TestApp, mark: usize, batch: &[(i64, i64)]) -> Result<Presses, String> {
    let mut out = Presses::default();
    for (inc, number) in batch.iter().take(TRIAGED) {
        let opener = format!("oc:{inc}");
        // Its card in the group, or the summary listing it.
        let group = first(h, mark, "a triage card or the summary", |c| {
            c.ok && c.chat() == CURATOR_CHAT
                && c.buttons().contains(&opener)
                && (c.text().contains(&format!("№{number} ")) || c.text().starts_with("📨"))
        })
        .await?;
        let since = h.fake.mark();
        press(h, CURATOR_TG, &group, &opener, false, &mut out).await?;
        let private = first(h, since, "the card in private", |c| {
            c.chat() == CURATOR_TG && c.buttons().contains(&format!("ro:{inc}"))
        })
        .await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let ticked = press(
            h,
            CURATOR_TG,
            &private,
            &format!("dp:{inc}:{}", h.dept),
            true,
            &mut out,
        )
        .await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        press(h, CURATOR_TG, &ticked, &format!("ro:{inc}"), true, &mut out).await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(out)
}

/// Three executors send their drafts, five seconds apart; draft → approval card in the group.
async fn executors(h: &TestApp, drafts: &[(i64, i64, i64, Call)]) -> Result<Vec<Duration>, String> {
    let mut out = Vec::new();
    for (user, inc, number, preview) in drafts {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let since = h.fake.mark();
        let at = Instant::now();
        h.fake.press(*user, preview, &format!("sd:{inc}"));
        let card = first(h, since, "the approval card", |c| {
            c.ok && c.method == "sendMessage"
                && c.chat() == CURATOR_CHAT
                && c.text().contains(&format!("№{number}"))
                && c.buttons().iter().any(|b| b.starts_with("ap:"))
        })
        .await?;
        out.push(card.at.duration_since(at));
    }
    Ok(out)
}

async fn run(db: TestDb) -> Result<(), String> {
    let name = match db.backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let h = TestApp::start_paced("vorsino", &db, SendLimits::TELEGRAM).await;
    h.fake.enforce_limits(1);
    // A third department with its executor.
    let roads = h
        .store
        .create_department(h.org, "Дороги")
        .await
        .map_err(|e| e.to_string())?;
    let third = h
        .store
        .create_person(
            h.org,
            &person("Кузнецов Иван", THIRD_EXECUTOR_TG, vec![Role::Executor]),
        )
        .await
        .map_err(|e| e.to_string())?;
    h.store
        .add_to_department(roads, third)
        .await
        .map_err(|e| e.to_string())?;
    // Each executor has an incident of their own with a draft ready to send.
    let mut drafts = Vec::new();
    for (i, (user, department)) in [
        (EXECUTOR_TG, "Отдел ЖКХ"),
        (OTHER_EXECUTOR_TG, "Благоустройство"),
        (THIRD_EXECUTOR_TG, "Дороги"),
    ]
    .into_iter()
    .enumerate()
    {
        let (inc, number) = post(&h, 1000 + i, Some(department)).await;
        let card = first(&h, 0, "an executor's card", |c| {
            c.chat() == user && c.buttons().contains(&format!("ac:{inc}:0"))
        })
        .await?;
        let preview = write_draft_as(
            &h,
            user,
            (&card, &format!("dr:{inc}:0:a")),
            "Сделаем до пятницы.",
            false,
        )
        .await;
        drafts.push((user, inc, number, preview));
    }
    // Let the group's minute start empty, as on a quiet morning.
    tokio::time::sleep(Duration::from_secs(61)).await;

    let mark = h.fake.mark();
    let posted: Vec<((i64, i64), Instant)> = futures_util::future::join_all((0..BATCH).map(|i| {
        let h = &h;
        async move { (post(h, i, None).await, Instant::now()) }
    }))
    .await;
    let batch: Vec<(i64, i64)> = posted.iter().map(|(b, _)| *b).collect();
    let (presses, approvals) = tokio::join!(curator(&h, mark, &batch), executors(&h, &drafts));
    let (presses, approvals) = (presses?, approvals?);
    // Whatever is still going out (lower lanes) goes out; then the figures.
    let deadline = Instant::now() + Duration::from_secs(120);
    while h
        .store
        .due_outbox_count(h.core.now())
        .await
        .map_err(|e| e.to_string())?
        > 0
    {
        if Instant::now() > deadline {
            return Err("the outbox did not empty within two minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let calls = h.fake.calls();
    let mut to_card = Vec::new();
    for ((_, number), at) in &posted {
        if let Some(card) = triage_card(&calls, *number) {
            to_card.push(card.at.duration_since(*at));
        }
    }
    let summed_up = BATCH - to_card.len();
    let violations = h.fake.limit_refusals();
    println!(
        "busy morning, {name}: press → answer {}; press → redraw {}; draft → approval card {}; \
         POST → triage card {} ({summed_up} summed up in one message); group's busiest minute: {} \
         messages; limit violations: {violations}",
        quantiles(presses.answered),
        quantiles(presses.redrawn),
        quantiles(approvals),
        quantiles(to_card),
        most_in(&calls, CURATOR_CHAT, Duration::from_secs(60)),
    );
    if violations > 0 {
        return Err(format!("{violations} messages broke Telegram's limits"));
    }
    drop(h);
    db.cleanup().await;
    Ok(())
}

fn main() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => panic!("a runtime: {e}"),
    };
    runtime.block_on(async {
        let sqlite = TestDb::sqlite().await;
        if let Err(e) = run(sqlite).await {
            panic!("SQLite: {e}");
        }
        if let Some(pg) = TestDb::postgres().await {
            if let Err(e) = run(pg).await {
                panic!("PostgreSQL: {e}");
            }
        }
    });
}
