//! One scheduler step and one delivery step on a large SQLite database: 100 000 open incidents
//! with ten pending timers each (a million), a million closed incidents whose timers have fired,
//! and a million delivered messages. Goal: finding and claiming what is due takes under 10 ms —
//! its cost grows with what is due, not with what is stored.
//!
//! The database is built once per run with bulk SQL (about a minute); the measured routines are
//! the store's own claims, exactly as the scheduler and the delivery worker call them.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use otklik::storage::{NewOrganisation, Store};
use sqlx::sqlite::SqlitePoolOptions;

const OPEN: i64 = 100_000;
const CLOSED: i64 = 1_000_000;
const TIMERS_PER_OPEN: i64 = 10;
/// How many timers (and messages) are due at the measured step.
const DUE: i64 = 50;

/// "Now" in the benchmark: every pending timer but `DUE` lies ahead of it.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

async fn build(url: &str) -> Result<Store, Box<dyn std::error::Error>> {
    let store = Store::connect(url).await?;
    let new = NewOrganisation::preset("Бенчмарк", "vorsino").ok_or("no vorsino preset")?;
    let org = store.create_organisation(&new, now()).await?;
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?;
    let mut tx = pool.begin().await?;
    // Incidents: the first OPEN are open, the rest closed.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO incidents (org_id, number, source, kind, url, author, body, attachments, state,
                                importance, detected_at, workflow, version, created_at, updated_at)
         SELECT $2, i, 'vk', 'comment', 'https://vk.com/wall-1_' || i, 'Автор', 'Текст', '[]',
                CASE WHEN i <= $3 THEN 'routed' ELSE 'closed' END, 'normal',
                '2026-11-01T09:00:00+00:00', '{}', 1, '2026-11-01T09:00:00+00:00', '2026-11-01T09:00:00+00:00'
         FROM n",
    )
    .bind(OPEN + CLOSED)
    .bind(org.0)
    .bind(OPEN)
    .execute(&mut *tx)
    .await?;
    // Pending timers of open incidents, spread over the thirty days ahead.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1)
         INSERT INTO timers (org_id, incident_id, key, kind, payload, due_at, created_at)
         SELECT $2, 1 + i / $3, 't' || i, 'reminder', '{\"timer\":\"incident\"}',
                strftime('%Y-%m-%dT%H:%M:%S+00:00', '2026-12-01 00:00:00', '+' || (60 + (i * 7919) % 2592000) || ' seconds'),
                '2026-11-01T09:00:00+00:00'
         FROM n",
    )
    .bind(OPEN * TIMERS_PER_OPEN)
    .bind(org.0)
    .bind(TIMERS_PER_OPEN)
    .execute(&mut *tx)
    .await?;
    // Fired timers of closed incidents.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO timers (org_id, incident_id, key, kind, payload, due_at, fired_at, created_at)
         SELECT $2, $3 + i, 'f' || i, 'deadline', '{\"timer\":\"incident\"}',
                '2026-11-02T09:00:00+00:00', '2026-11-02T09:00:00+00:00', '2026-11-01T09:00:00+00:00'
         FROM n",
    )
    .bind(CLOSED)
    .bind(org.0)
    .bind(OPEN)
    .execute(&mut *tx)
    .await?;
    // A million delivered messages.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO outbox (org_id, idempotency_key, person_id, message, payload, created_at,
                             available_at, delivered_at, attempts, recipient_key)
         SELECT $2, 'd' || i, NULL, 'triage', '{}', '2026-11-02T09:00:00+00:00',
                '2026-11-02T09:00:00+00:00', '2026-11-02T09:00:01+00:00', 1, 'c:telegram:' || (i % 500)
         FROM n",
    )
    .bind(CLOSED)
    .bind(org.0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(&pool).await?;
    pool.close().await;
    Ok(store)
}

/// Makes `DUE` timers due and unclaimed, and `DUE` messages waiting, in `DUE` different queues.
async fn arm(url: &str) -> Result<(), sqlx::Error> {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?;
    sqlx::query(
        "UPDATE timers SET due_at = '2026-11-30T23:00:00+00:00', locked_until = NULL
         WHERE id IN (SELECT id FROM timers WHERE fired_at IS NULL ORDER BY id LIMIT $1)",
    )
    .bind(DUE)
    .execute(&pool)
    .await?;
    sqlx::query("DELETE FROM outbox WHERE delivered_at IS NULL")
        .execute(&pool)
        .await?;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO outbox (org_id, idempotency_key, message, payload, created_at, available_at,
                             attempts, recipient_key)
         SELECT 1, 'w' || i || '-' || abs(random()), 'triage', '{}', '2026-11-30T23:00:00+00:00',
                '2026-11-30T23:00:00+00:00', 0, 'c:telegram:' || i
         FROM n",
    )
    .bind(DUE)
    .execute(&pool)
    .await?;
    pool.close().await;
    Ok(())
}

fn bench(c: &mut Criterion) {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => panic!("a runtime: {e}"),
    };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("a temporary directory: {e}"),
    };
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = match rt.block_on(build(&url)) {
        Ok(s) => s,
        Err(e) => panic!("building the database: {e}"),
    };
    let lease = Duration::seconds(60);
    let mut group = c.benchmark_group("scheduler step, 1M pending + 1M fired timers");
    group.sample_size(30);
    group.measurement_time(StdDuration::from_secs(10));
    group.bench_function("claim the 50 due timers", |b| {
        b.iter_batched(
            || {
                if let Err(e) = rt.block_on(arm(&url)) {
                    panic!("arming: {e}");
                }
            },
            |()| {
                let claimed = rt.block_on(store.claim_timers(now(), DUE, lease, "bench"));
                assert_eq!(claimed.map(|c| c.len()).unwrap_or(0) as i64, DUE);
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("when is the next timer due", |b| {
        b.iter(|| rt.block_on(store.next_timer_at()))
    });
    group.bench_function("claim 50 due messages beside 1M delivered", |b| {
        b.iter_batched(
            || {
                if let Err(e) = rt.block_on(arm(&url)) {
                    panic!("arming: {e}");
                }
            },
            |()| {
                let claimed = rt.block_on(async {
                    let next = store.next_in_queues(64, now()).await?;
                    let ids: Vec<i64> = next.iter().map(|m| m.id).collect();
                    store.claim_outbox(&ids, now(), lease, "bench").await
                });
                assert_eq!(claimed.map(|c| c.len()).unwrap_or(0) as i64, DUE);
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    rt.block_on(store.close());
}

criterion_group!(benches, bench);
criterion_main!(benches);
