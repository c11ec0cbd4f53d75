//! Update handling under load: the whole application in webhook mode (as `otklik run` starts it
//! with OTKLIK_WEBHOOK_URL) against a fake Bot API. An executor has `OTKLIK_BENCH_PRESSES`
//! (1 000 by default) new incidents, each with its card; 32 clients post the presses of
//! «Принять» on every card to the webhook at once, as Telegram does with its webhook
//! connections. A webhook request is answered once its update is handled (the transition
//! committed, the answer to the press and the card's redraw queued), so its latency is the
//! update's handling time. On SQLite and — when TEST_POSTGRES_URL is set — on PostgreSQL.
//!
//! Goal (issue 15): over 500 presses/s, p99 under 50 ms. Run with `cargo bench --bench updates`.

#[path = "../tests/support/mod.rs"]
mod support;

mod load;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use load::Summary;
use otklik::domain::regulation::Importance;
use otklik::messenger::pacing::SendLimits;
use support::app::{TestApp, EXECUTOR_TG, WEBHOOK_PATH, WEBHOOK_SECRET};
use support::db::{Backend, TestDb};

const CLIENTS: usize = 32;

async fn run(db: TestDb, presses: usize) -> Result<(), String> {
    let name = match db.backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    // Sending paced far above Telegram's limits: the benchmark measures handling, not pacing.
    let h = TestApp::start_webhook_paced("vorsino", &db, SendLimits::TELEGRAM.faster(1000)).await;
    for i in 0..presses {
        h.incident_for(&format!("Сообщение {i}"), Importance::Normal, Some(h.dept))
            .await;
    }
    // Every card on the executor's phone, with its «Принять».
    let deadline = Instant::now() + Duration::from_secs(300);
    let cards = loop {
        let cards = h.accept_presses(EXECUTOR_TG);
        if cards.len() >= presses {
            break cards;
        }
        if Instant::now() > deadline {
            return Err(format!("only {} of {presses} cards arrived", cards.len()));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let updates: Arc<Vec<serde_json::Value>> = Arc::new(
        cards
            .into_iter()
            .enumerate()
            .map(|(i, mut u)| {
                u["update_id"] = serde_json::json!(10_000_000 + i);
                u
            })
            .collect(),
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .map_err(|e| e.to_string())?;
    let url = format!("http://{}{WEBHOOK_PATH}", h.http);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (client, url, next, updates) =
            (client.clone(), url.clone(), next.clone(), updates.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(update) = updates.get(i) else {
                    return Ok::<_, String>(latencies);
                };
                let sent = Instant::now();
                let status = client
                    .post(&url)
                    .header("x-telegram-bot-api-secret-token", WEBHOOK_SECRET)
                    .json(update)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?
                    .status();
                if !status.is_success() {
                    return Err(format!("press {i}: {status}"));
                }
                latencies.push(sent.elapsed());
            }
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.map_err(|e| e.to_string())??);
    }
    let run = Summary::of(latencies, started.elapsed()).ok_or("no press was posted")?;
    // Every press was handled: each incident is now in work.
    let accepted = h
        .store
        .execute_raw("UPDATE incidents SET updated_at = updated_at WHERE state = 'in_work'")
        .await
        .map_err(|e| e.to_string())?;
    if accepted as usize != presses {
        return Err(format!("{accepted} of {presses} incidents were accepted"));
    }
    println!(
        "updates/{name}: {} ({presses} presses, {CLIENTS} clients)",
        run.line("presses")
    );
    drop(h);
    db.cleanup().await;
    Ok(())
}

fn main() -> Result<(), String> {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if filter.is_some_and(|f| !"updates".contains(&f)) {
        return Ok(());
    }
    let presses = std::env::var("OTKLIK_BENCH_PRESSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        run(TestDb::sqlite().await, presses).await?;
        if std::env::var("TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
            if let Some(db) = TestDb::postgres().await {
                run(db, presses).await?;
            }
        }
        Ok(())
    })
}
