//! Storage on sqlx: SQLite (embedded default) or PostgreSQL (production, several replicas).
//!
//! The rest of the code sees only `Store` and its narrow API; no SQL lives outside this module.
//! The SQL is written once in the dialect both backends accept (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`); where they differ (claiming outbox rows) each backend has its own statement.
//! Each backend has its own migrations directory.

mod admin;
mod chat;
mod directory;
mod import;
mod incidents;
mod invites;
mod outbox;

use std::str::FromStr;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Timelike, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

pub use admin::{ChangeOutcome, DirectoryChange};
pub use directory::{
    Absence, AbsenceReason, DutyShift, NewOrganisation, NewPerson, Organisation, Person,
};
pub use import::ImportReport;
pub use incidents::{
    Applied, ApplyError, AuditEntry, IncidentContent, MessageKind, NewIncident, Registered, Source,
    StoredDraft, StoredIncident,
};
pub use invites::InviteError;
pub use outbox::{OutboxMessage, QueuedMessage};

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

/// The one handle to everything Otklik keeps.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: Pool,
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
        let pool = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(StdDuration::from_secs(10))
                .foreign_keys(true);
            Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(options)
                    .await?,
            )
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(10)
                    .connect(url)
                    .await?,
            )
        } else {
            return Err(StorageError::UnsupportedUrl(redact(url)));
        };
        Ok(Store { pool })
    }

    /// Applies pending migrations (PostgreSQL takes an advisory lock, so replicas starting
    /// together are safe).
    pub async fn migrate(&self) -> Result<(), StorageError> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Pool::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes every connection (at shutdown).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
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

    /// Whether a messenger update id was already handled.
    pub async fn is_update_processed(&self, update_id: i64) -> Result<bool, StorageError> {
        let found = on_pool!(self, pool => {
            sqlx::query("SELECT 1 AS one FROM processed_updates WHERE update_id = $1")
                .bind(update_id)
                .fetch_optional(pool)
                .await?
                .is_some()
        });
        Ok(found)
    }

    /// Records a messenger update id; `false` if it was already handled. For updates that change
    /// no incident (an incident-changing update is recorded inside `apply`).
    pub async fn record_update(
        &self,
        update_id: i64,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let done = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO processed_updates (update_id, processed_at) VALUES ($1, $2) ON CONFLICT (update_id) DO NOTHING",
            )
            .bind(update_id)
            .bind(ts(at))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }
}

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
