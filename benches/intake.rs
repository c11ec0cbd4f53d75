//! HTTP intake under load: the whole application (`Application::build`, as `otklik run` starts
//! it) against a fake Bot API, 32 clients posting incidents at once over real HTTP, on SQLite
//! and — when TEST_POSTGRES_URL is set — on PostgreSQL. Measured into an empty database and
//! again with `OTKLIK_BENCH_STORED` (100 000 by default) incidents already stored, so a cost that
//! grows with what is stored shows up as a fall in throughput.
//!
//! With TEST_POSTGRES_URL, also two replicas on one PostgreSQL database sharing the posts, and
//! every triage card counted: each must reach the curators exactly once.
//!
//! Goal (issue 15): over 1 000 incidents/s on SQLite at 32 clients on a 2-core machine, and the
//! same throughput with 100 000 stored. Run with `cargo bench --bench intake`.

#[path = "../tests/support/mod.rs"]
mod support;

mod load;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use load::Summary;
use otklik::messenger::pacing::SendLimits;
use serde_json::json;
use support::app::{TestApp, CURATOR_CHAT};
use support::db::{Backend, TestDb};

const CLIENTS: usize = 32;
const TOKEN: &str = "secret-token";
/// Posts in the two-replica run: every card then goes to one curators' chat, which the fake
/// takes far faster than Telegram would, and the run waits for the last one.
const REPLICA_POSTS: usize = 1_000;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `count` incidents posted by `CLIENTS` clients; ids start at `first`.
async fn burst(replicas: &[SocketAddr], first: usize, count: usize) -> Result<Summary, String> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .map_err(|e| e.to_string())?;
    let urls: Arc<Vec<String>> = Arc::new(
        replicas
            .iter()
            .map(|a| format!("http://{a}/api/v1/incidents"))
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (client, urls, next) = (client.clone(), urls.clone(), next.clone());
        clients.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count {
                    return Ok::<_, String>(latencies);
                }
                let n = first + i;
                // Many authors, posts and a few topics, as a monitoring feed brings them.
                let mut body = json!({
                    "external_id": format!("bench-{n}"),
                    "source": "vk",
                    "url": format!("https://vk.com/wall-1_{}?reply={n}", n % 700),
                    "author": format!("Житель {}", n % 997),
                    "text": "Во дворе дома не убран снег, проехать невозможно",
                    "detected_at": "2026-11-23T09:55:00+03:00",
                });
                if n.is_multiple_of(4) {
                    body["topic"] = json!(format!("тема {}", n % 20));
                }
                let sent = Instant::now();
                let resp = client
                    .post(&urls[n % urls.len()])
                    .bearer_auth(TOKEN)
                    .json(&body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = resp.status();
                let text = resp.text().await.map_err(|e| e.to_string())?;
                if status.as_u16() != 201 {
                    return Err(format!("incident {n}: {status}: {text}"));
                }
                latencies.push(sent.elapsed());
            }
        }));
    }
    let mut latencies = Vec::new();
    for c in clients {
        latencies.extend(c.await.map_err(|e| e.to_string())??);
    }
    Summary::of(latencies, started.elapsed()).ok_or_else(|| "no incident was posted".into())
}

/// Stores `count` earlier incidents of the benchmark's organisation with bulk SQL: spread over
/// the sixty days before, by many authors, on the posts and topics the burst uses. Each carries
/// the first incident's workflow; the application fills in their report facts when it starts.
async fn fill(db: &TestDb, org: i64, count: usize) -> Result<(), sqlx::Error> {
    let count = count as i64;
    match db.backend {
        Backend::Sqlite => {
            // The application keeps delivering cards meanwhile: wait for its writes.
            let options = db
                .url
                .parse::<sqlx::sqlite::SqliteConnectOptions>()?
                .busy_timeout(Duration::from_secs(120));
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await?;
            let mut tx = pool.begin().await?;
            sqlx::query(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
                 INSERT INTO incidents (org_id, number, source, kind, url, author, body, attachments,
                        state, importance, topic, detected_at, workflow, version, created_at, updated_at)
                 SELECT $2, 1000000 + i, 'vk', 'comment', 'https://vk.com/wall-1_' || (i % 700) || '?reply=x' || i,
                        'Житель ' || (i % 997), 'Текст', '[]', 'closed', 'normal',
                        CASE WHEN i % 4 = 0 THEN 'тема ' || (i % 20) END,
                        strftime('%Y-%m-%dT%H:%M:%S+00:00', '2026-11-23 06:00:00', '-' || (i * 51) || ' seconds'),
                        (SELECT workflow FROM incidents WHERE org_id = $2 ORDER BY id LIMIT 1), 1, '2026-09-01T09:00:00+00:00', '2026-09-01T09:00:00+00:00'
                 FROM n",
            )
            .bind(count)
            .bind(org)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            sqlx::query("ANALYZE").execute(&pool).await?;
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(&db.url)
                .await?;
            sqlx::query(
                "INSERT INTO incidents (org_id, number, source, kind, url, author, body, attachments,
                        state, importance, topic, detected_at, workflow, version, created_at, updated_at)
                 SELECT $2, 1000000 + i, 'vk', 'comment', 'https://vk.com/wall-1_' || (i % 700) || '?reply=x' || i,
                        'Житель ' || (i % 997), 'Текст', '[]', 'closed', 'normal',
                        CASE WHEN i % 4 = 0 THEN 'тема ' || (i % 20) END,
                        TIMESTAMPTZ '2026-11-23 06:00:00+00' - make_interval(secs => i * 51),
                        (SELECT workflow FROM incidents WHERE org_id = $2 ORDER BY id LIMIT 1), 1, TIMESTAMPTZ '2026-09-01 09:00:00+00', TIMESTAMPTZ '2026-09-01 09:00:00+00'
                 FROM generate_series(1, $1) AS i",
            )
            .bind(count)
            .bind(org)
            .execute(&pool)
            .await?;
            sqlx::query("ANALYZE").execute(&pool).await?;
            pool.close().await;
        }
    }
    Ok(())
}

async fn run(db: TestDb, posts: usize, stored: usize) -> Result<(), String> {
    let name = match db.backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let app = TestApp::start("vorsino", &db).await;
    let empty = burst(&[app.http], 0, posts).await?;
    println!(
        "intake/{name}/empty: {} ({posts} posts, {CLIENTS} clients)",
        empty.line("incidents")
    );
    // The earlier incidents are written with the application stopped (as a restore or an
    // upgrade would leave them), then it starts again on the fuller database.
    let mut app = app;
    if !app.stop_within(Duration::from_secs(10)).await {
        return Err("the application did not stop within 10 s".into());
    }
    fill(&db, app.org.0, stored)
        .await
        .map_err(|e| e.to_string())?;
    app.crash_and_restart().await;
    let full = burst(&[app.http], posts, posts).await?;
    println!("intake/{name}/{stored} stored: {}", full.line("incidents"));
    drop(app);
    db.cleanup().await;
    Ok(())
}

/// Two replicas on one PostgreSQL database in webhook mode, the posts shared between them; then
/// every triage card must have reached the curators exactly once.
async fn two_replicas(db: TestDb, posts: usize) -> Result<(), String> {
    // Sent far above Telegram's pace, so no backlog is summed up and each card can be counted.
    let app = TestApp::start_webhook_paced("vorsino", &db, SendLimits::TELEGRAM.faster(1000)).await;
    let other = app.replica().await;
    let run = burst(&[app.http, other.http], 0, posts).await?;
    let draining = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(300);
    while !app
        .store
        .pending_outbox()
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        if Instant::now() > deadline {
            let left = app
                .store
                .pending_outbox()
                .await
                .map_err(|e| e.to_string())?;
            return Err(format!(
                "the replicas did not send everything within 5 minutes: {} left, the first {:?}",
                left.len(),
                left.first()
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut cards = std::collections::BTreeMap::<String, usize>::new();
    for c in app.fake.calls() {
        if c.method == "sendMessage"
            && c.chat() == CURATOR_CHAT
            && c.text().contains("Новое сообщение №")
        {
            *cards.entry(c.text().to_string()).or_default() += 1;
        }
    }
    let twice = cards.values().filter(|n| **n > 1).count();
    if cards.len() != posts || twice > 0 {
        return Err(format!(
            "{} distinct triage cards for {posts} incidents, {twice} sent more than once",
            cards.len()
        ));
    }
    println!(
        "intake/PostgreSQL/two replicas: {}; every card sent once, the last {:.1} s after the burst",
        run.line("incidents"),
        draining.elapsed().as_secs_f64()
    );
    drop(other);
    drop(app);
    db.cleanup().await;
    Ok(())
}

fn main() -> Result<(), String> {
    // `cargo bench` passes `--bench`; a name filter is matched against "intake".
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if filter.is_some_and(|f| !"intake".contains(&f)) {
        return Ok(());
    }
    let posts = env_usize("OTKLIK_BENCH_POSTS", 3_000);
    let stored = env_usize("OTKLIK_BENCH_STORED", 100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        run(TestDb::sqlite().await, posts, stored).await?;
        if std::env::var("TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
            if let Some(db) = TestDb::postgres().await {
                run(db, posts, stored).await?;
            }
            if let Some(db) = TestDb::postgres().await {
                two_replicas(db, posts.min(REPLICA_POSTS)).await?;
            }
        }
        Ok(())
    })
}
