//! A monthly report on SQLite: reading the month's facts (and the month before's, for the
//! comparison), the figures, the chart (PNG) and the workbook (XLSX) with a row for every
//! incident — over 100 000 incidents (goal: under one second) and over 3 000 (a district's busy
//! month).
//!
//! Each database is built once per run with bulk SQL: the incidents spread over November 2026 in
//! ten departments, most answered, one in ten with a late stage, one in twenty split in two parts.
//! `OTKLIK_BENCH_OUT=DIR` keeps the large report's files there, to look at.

use std::time::Duration as StdDuration;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use otklik::core::reports::dates_request;
use otklik::core::{Core, CoreConfig};
use otklik::storage::{NewOrganisation, Store};
use otklik::texts::Texts;
use sqlx::sqlite::SqlitePoolOptions;

const DEPARTMENTS: i64 = 10;

async fn build(
    url: &str,
    incidents: i64,
) -> Result<(Store, otklik::domain::OrgId), Box<dyn std::error::Error>> {
    let store = Store::connect(url).await?;
    let new = NewOrganisation::preset("Бенчмарк", "borovichi").ok_or("no borovichi preset")?;
    let org = store.create_organisation(&new, chrono::Utc::now()).await?;
    for d in 0..DEPARTMENTS {
        store
            .create_department(org, &format!("Отдел №{}", d + 1))
            .await?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?;
    let mut tx = pool.begin().await?;
    // Incidents detected evenly through November (Moscow time is UTC+3).
    let spacing = 30 * 24 * 3600 / incidents;
    let detected = format!(
        "strftime('%Y-%m-%dT%H:%M:%S+00:00', '2026-10-31 21:00:00', '+' || (i * {spacing}) || ' seconds')"
    );
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO incidents (org_id, number, source, kind, url, author, body, attachments, state,
                                importance, detected_at, workflow, version, created_at, updated_at)
         SELECT $2, i, 'vk', 'comment', 'https://vk.com/wall-1_' || i, 'Автор', 'Текст', '[]',
                'published', 'normal', {detected}, '{{}}', 1, {detected}, {detected}
         FROM n"
    ))
    .bind(incidents)
    .bind(org.0)
    .execute(&mut *tx)
    .await?;
    // Facts: most answered; every twentieth split in two parts; every tenth with a late draft.
    sqlx::query(
        "INSERT INTO report_incidents (incident_id, org_id, number, source, url, is_repeat, state,
            importance, topic, location, detected_at, routed_at, first_draft_at, approved_at,
            answered_at, answered_in, parts)
         SELECT id, org_id, number, CASE WHEN id % 3 = 0 THEN 'telegram' ELSE 'vk' END, url,
                id % 17 = 0,
                CASE WHEN id % 10 = 0 THEN 'in_work' WHEN id % 50 = 1 THEN 'no_answer' ELSE 'published' END,
                CASE WHEN id % 20 = 0 THEN 'high' ELSE 'normal' END,
                'Тема ' || (id % 25), 'Район ' || (id % 12), t, t + 600, t + 3600, t + 4200,
                t + 5400, 1800 + (id * 7919) % 30000,
                '[[' || (1 + id % $1) || ',1,false,' || (id % 7 = 0) || ',' ||
                    CASE WHEN id % 7 = 0 THEN 'false' ELSE 'true' END || ',' || (1800 + (id * 7919) % 30000) || ']' ||
                CASE WHEN id % 20 = 0 THEN ',[' || (1 + (id + 1) % $1) || ',1,false,0,true,3600]' ELSE '' END || ']'
         FROM (SELECT id, org_id, number, url, CAST(strftime('%s', detected_at) AS INTEGER) AS t FROM incidents)",
    )
    .bind(DEPARTMENTS)
    .execute(&mut *tx)
    .await?;
    // Four stage runs an incident.
    for (run, stage) in ["routing", "draft", "curator_review", "publication"]
        .iter()
        .enumerate()
    {
        sqlx::query(
            "INSERT INTO report_runs (incident_id, run_no, org_id, detected_at, part_no, stage,
                executor_id, started_at, deadline_at, escalation_at, ended_at, late_seconds)
             SELECT incident_id, $1, org_id, detected_at, CASE WHEN $1 = 0 THEN NULL ELSE 0 END, $2, 1,
                    detected_at, detected_at + 1800, detected_at + 5400, detected_at + 3600,
                    CASE WHEN $2 = 'draft' AND incident_id % 10 = 3 THEN 1800 ELSE 0 END
             FROM report_incidents",
        )
        .bind(run as i64)
        .bind(*stage)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(&pool).await?;
    pool.close().await;
    Ok((store, org))
}

fn bench(c: &mut Criterion) {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => panic!("a runtime: {e}"),
    };
    for (label, incidents) in [("3 000", 3_000), ("100 000", 100_000)] {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("a temporary directory: {e}"),
        };
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let (store, org) = match rt.block_on(build(&url, incidents)) {
            Ok(s) => s,
            Err(e) => panic!("building the database: {e}"),
        };
        let texts = match Texts::load(None) {
            Ok(t) => t,
            Err(e) => panic!("the texts: {e}"),
        };
        let core = Core::new(
            store,
            texts,
            CoreConfig::new(otklik::domain::production_calendar::SHIPPED_RU_CALENDAR.into()),
        );
        let november = match rt.block_on(core.org(org)) {
            Ok(rules) => dates_request(
                &rules,
                NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default(),
                NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default(),
            ),
            Err(e) => panic!("the organisation: {e}"),
        };
        if let (Ok(out), 100_000) = (std::env::var("OTKLIK_BENCH_OUT"), incidents) {
            match rt.block_on(core.make_report(org, november)) {
                Ok(files) => {
                    for f in files.files() {
                        let path = std::path::Path::new(&out).join(&f.name);
                        if let Err(e) = std::fs::write(&path, &f.bytes) {
                            panic!("writing {}: {e}", path.display());
                        }
                    }
                }
                Err(e) => panic!("the report: {e}"),
            }
        }
        let mut group = c.benchmark_group(format!("monthly report, {label} incidents, SQLite"));
        group.sample_size(10);
        group.measurement_time(StdDuration::from_secs(20));
        group.bench_function("facts, figures, PNG and XLSX", |b| {
            b.iter(|| match rt.block_on(core.make_report(org, november)) {
                Ok(files) => assert!(files.files().iter().all(|f| !f.bytes.is_empty())),
                Err(e) => panic!("the report: {e}"),
            })
        });
        group.finish();
        rt.block_on(core.store().close());
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
