//! Storage on sqlx: SQLite (embedded default) or PostgreSQL (production, several replicas).
//!
//! Persistence only: the application core decides what to write (the new workflow state, the
//! audit records, the outbox rows with their recipients) and storage writes it, atomically. No
//! SQL lives outside this module. The SQL is written once in the dialect both backends accept
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT`); where they differ (claiming outbox rows)
//! each backend has its own statement. Each backend has its own migrations directory.

mod absence;
mod accounts;
mod admin;
pub(crate) mod answer_memory;
mod arrivals;
mod backlog;
mod conversations;
mod directory;
mod duty;
mod figures;
mod history;
mod import;
mod incidents;
mod invites;
mod kept_files;
mod outbox;
mod publications;
mod redraws;
mod repeats;
mod reports;
mod retention;
mod templates;
pub(crate) mod timers;
mod tokens;

use std::str::FromStr;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Timelike, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{Connection, Row};

pub use accounts::{AccountHolder, GroupChat};
pub use admin::{ChangeOutcome, DirectoryChange};
pub use answer_memory::{RememberedAnswer, SimilarAnswer};
pub use backlog::{BacklogSummary, SummedUp, Waiting};
pub use conversations::{CardRow, StoredConversation};
pub use directory::{
    Absence, AbsenceReason, Department, DirectorySnapshot, NewAccount, NewOrganisation, NewPerson,
    Organisation, Person, Topic,
};
pub use duty::{DepartmentDuty, DutyShift};
pub use figures::Figures;
pub use import::ImportReport;
pub use incidents::{AuditEntry, AuditRecord, Commit, NewRecord, OpenAssignment, StoredDraft};
pub use invites::InviteError;
pub use kept_files::{FileToKeep, KeptFile};
pub(crate) use outbox::queue_key;
pub use outbox::{
    Backlog, OutboxMessage, OutboxRow, Recipient, APPEAL_EMAIL_KIND, MONITORING_KIND,
};
pub use publications::{AnswerKey, PublicationClaim};
pub use templates::NewTemplate;
pub use timers::{DueTimer, TimerRow};

/// Runs the same code against whichever pool is configured. The body is compiled once per
/// backend, so it must only use what both drivers offer.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::storage::Pool::Sqlite($pool) => $body,
            $crate::storage::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported DATABASE_URL {0:?}: use sqlite://FILE or postgres://...")]
    UnsupportedUrl(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
}

impl From<serde_json::Error> for StorageError {
    fn from(e: serde_json::Error) -> Self {
        StorageError::Corrupt(e.to_string())
    }
}

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`, waiting up to the busy timeout): a deferred transaction that reads first
/// and writes later fails with "database is locked" when another process (an `otklik import`
/// beside the running bot) wrote in between, and the busy timeout cannot help it.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>>
           + Send;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<
        Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>,
    > + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<
        Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>,
    > + Send {
        self.begin()
    }
}

/// Where a write goes. On SQLite every write transaction of the process goes through one
/// connection of its own, so writers queue in order (fairly) instead of sleeping and retrying on
/// SQLite's busy handler, where one may starve behind the others for many seconds; reads keep
/// their own connections (WAL lets them run beside the writer). PostgreSQL writes on its pool.
pub(crate) trait Writer {
    fn writer<'a>(&'a self, store: &'a Store) -> &'a Self;
}

impl Writer for SqlitePool {
    fn writer<'a>(&'a self, store: &'a Store) -> &'a Self {
        store.sqlite_writer.as_ref().unwrap_or(self)
    }
}

impl Writer for PgPool {
    fn writer<'a>(&'a self, _store: &'a Store) -> &'a Self {
        self
    }
}

/// The one handle to everything Otklik keeps.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    /// SQLite only: the one connection writes go through (see `Writer`).
    sqlite_writer: Option<SqlitePool>,
    url: String,
    /// How many times an incident was read (a button press should cost one).
    incident_reads: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// PostgreSQL: the connection holding this process's name while it runs (`hold_name`).
    name_lock: std::sync::Arc<tokio::sync::Mutex<Option<sqlx::PgConnection>>>,
}

/// How long a SQLite writer waits for another one before giving up.
const SQLITE_BUSY_TIMEOUT: StdDuration = StdDuration::from_secs(15);

fn sqlite_options(url: &str) -> Result<SqliteConnectOptions, sqlx::Error> {
    Ok(SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .foreign_keys(true))
}

impl Store {
    /// Connects by URL (`sqlite://otklik.db`, `postgres://user@host/db`) and applies migrations.
    /// A SQLite file is created on first use and runs in WAL mode.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        let store = Self::connect_without_migrating(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without touching the schema.
    pub async fn connect_without_migrating(url: &str) -> Result<Self, StorageError> {
        let (pool, sqlite_writer) = if url.starts_with("sqlite:") {
            let readers = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(sqlite_options(url)?)
                .await?;
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(sqlite_options(url)?)
                .await?;
            (Pool::Sqlite(readers), Some(writer))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .connect(url)
                .await?;
            (Pool::Postgres(pool), None)
        } else {
            return Err(StorageError::UnsupportedUrl(redact(url)));
        };
        Ok(Store {
            pool,
            sqlite_writer,
            url: url.to_string(),
            incident_reads: Default::default(),
            name_lock: Default::default(),
        })
    }

    /// Applies pending migrations (PostgreSQL takes an advisory lock, so replicas starting
    /// together are safe).
    pub async fn migrate(&self) -> Result<(), StorageError> {
        self.migrate_to(None).await
    }

    /// Applies the migrations up to and including `version` (all when `None`). Upgrade tests
    /// build a database as an older release left it this way.
    pub async fn migrate_to(&self, version: Option<i64>) -> Result<(), StorageError> {
        let keep = |m: &sqlx::migrate::Migration| version.is_none_or(|v| m.version <= v);
        match &self.pool {
            Pool::Sqlite(_) => {
                let mut migrator = sqlx::migrate!("./migrations/sqlite");
                migrator.migrations = migrator
                    .migrations
                    .iter()
                    .filter(|m| keep(m))
                    .cloned()
                    .collect::<Vec<_>>()
                    .into();
                // Migrations that rebuild a table need foreign keys off (SQLite's documented
                // procedure); every key is checked afterwards.
                let mut conn = sqlx::SqliteConnection::connect_with(
                    &sqlite_options(&self.url)?.foreign_keys(false),
                )
                .await?;
                migrator.run(&mut conn).await?;
                let broken = sqlx::query("PRAGMA foreign_key_check")
                    .fetch_all(&mut conn)
                    .await?;
                conn.close().await?;
                if let Some(row) = broken.first() {
                    let table: String = row.try_get(0).unwrap_or_default();
                    return Err(StorageError::Corrupt(format!(
                        "after migrating, {} rows break foreign keys (first in table {table})",
                        broken.len()
                    )));
                }
            }
            Pool::Postgres(p) => {
                let mut migrator = sqlx::migrate!("./migrations/postgres");
                migrator.migrations = migrator
                    .migrations
                    .iter()
                    .filter(|m| keep(m))
                    .cloned()
                    .collect::<Vec<_>>()
                    .into();
                migrator.run(p).await?
            }
        }
        Ok(())
    }

    /// Holds a process's name while the process runs: `false` when another live process holds
    /// it (two processes under one name must not take each other's claims over). PostgreSQL
    /// keeps a session advisory lock on a connection of its own; SQLite is one process's.
    pub async fn hold_name(&self, name: &str) -> Result<bool, StorageError> {
        if matches!(self.pool, Pool::Sqlite(_)) {
            return Ok(true);
        }
        let mut held = self.name_lock.lock().await;
        if held.is_some() {
            return Ok(true);
        }
        // FNV-1a of the name: the same name, the same lock, in every process.
        let key = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut conn = sqlx::PgConnection::connect(&self.url).await?;
        let got: bool = sqlx::query("SELECT pg_try_advisory_lock(7302, $1) AS got")
            .bind((key ^ (key >> 32)) as u32 as i32)
            .fetch_one(&mut conn)
            .await?
            .try_get("got")?;
        if got {
            *held = Some(conn);
        } else {
            let _ = conn.close().await;
        }
        Ok(got)
    }

    /// How many incidents this store has read since it was opened.
    pub fn incident_reads(&self) -> u64 {
        self.incident_reads
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn count_incident_read(&self) {
        self.incident_reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes every connection (at shutdown).
    pub async fn close(&self) {
        if let Some(held) = self.name_lock.lock().await.take() {
            let _ = held.close().await;
        }
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
        if let Some(w) = &self.sqlite_writer {
            w.close().await;
        }
    }

    /// PostgreSQL only: drops and creates an empty database on this server (test suites and
    /// first installs use it). The name must be lowercase letters, digits and underscores.
    pub async fn create_fresh_database(&self, name: &str) -> Result<(), StorageError> {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(StorageError::Invalid(format!("bad database name {name:?}")));
        }
        let Pool::Postgres(pool) = &self.pool else {
            return Err(StorageError::Invalid(
                "databases are created on PostgreSQL only".into(),
            ));
        };
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(pool)
            .await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(pool)
            .await?;
        Ok(())
    }

    /// PostgreSQL only: drops a database created by `create_fresh_database`.
    pub async fn drop_database(&self, name: &str) -> Result<(), StorageError> {
        let valid = name.starts_with("otklik_")
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        let (true, Pool::Postgres(pool)) = (valid, &self.pool) else {
            return Err(StorageError::Invalid(format!("will not drop {name:?}")));
        };
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(pool)
            .await?;
        Ok(())
    }

    /// Runs one SQL statement as given (upgrade tests fill a database the way an older release
    /// did). Not for application use.
    pub async fn execute_raw(&self, sql: &str) -> Result<u64, StorageError> {
        let n = on_pool!(self, pool => sqlx::raw_sql(sql).execute(pool).await?.rows_affected());
        Ok(n)
    }
}

/// Rows one multi-row INSERT writes at most (12 values each stays under SQLite's 32 766
/// bound parameters).
pub(crate) const ROWS_PER_INSERT: usize = 500;

/// Instants are kept to the whole second: deadlines are exact to the second, and SQLite compares
/// timestamps as text, which needs one format.
pub(crate) fn ts(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap_or(t)
}

/// A database URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A key of an enum that serialises as a snake_case string.
pub(crate) fn key<T: serde::Serialize>(v: &T) -> Result<String, StorageError> {
    match serde_json::to_value(v)? {
        serde_json::Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

/// The enum value of a stored key.
pub(crate) fn from_key<T: for<'de> serde::Deserialize<'de>>(s: &str) -> Result<T, StorageError> {
    Ok(serde_json::from_value(serde_json::Value::String(
        s.to_string(),
    ))?)
}

/// An instant to the whole second, as storage keeps it (the core computes with the same
/// instants it stores).
pub fn ts_public(t: DateTime<Utc>) -> DateTime<Utc> {
    ts(t)
}
