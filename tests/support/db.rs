//! Fresh databases for tests: a SQLite file in a temporary directory, or — when
//! TEST_POSTGRES_URL is set — a new PostgreSQL database on that server. In CI (CI=true) the
//! PostgreSQL variant of a test fails when PostgreSQL is not configured or cannot be reached;
//! it never skips there.

use std::sync::atomic::{AtomicUsize, Ordering};

use otklik::storage::Store;

static NEXT: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database for one test.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("otklik.db").display());
        TestDb {
            backend: Backend::Sqlite,
            url,
            _dir: Some(dir),
            pg_name: None,
        }
    }

    /// A fresh PostgreSQL database; `None` (the test is skipped) only outside CI when
    /// TEST_POSTGRES_URL is not set.
    pub async fn postgres() -> Option<TestDb> {
        let base = match std::env::var("TEST_POSTGRES_URL") {
            Ok(u) if !u.trim().is_empty() => u,
            _ if std::env::var_os("CI").is_some() => {
                panic!("CI must test PostgreSQL: set TEST_POSTGRES_URL (.ci/run does)")
            }
            _ => {
                eprintln!("TEST_POSTGRES_URL is not set: the PostgreSQL variant is skipped");
                return None;
            }
        };
        let admin = Store::connect_without_migrating(&base)
            .await
            .unwrap_or_else(|e| panic!("TEST_POSTGRES_URL is set but unreachable: {e}"));
        let name = format!(
            "otklik_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        admin
            .create_fresh_database(&name)
            .await
            .expect("a fresh PostgreSQL database");
        admin.close().await;
        let prefix = base.split('?').next().unwrap_or(&base);
        let cut = prefix
            .rfind('/')
            .expect("a database URL with a database name");
        let url = format!("{}/{}", &prefix[..cut], name);
        Some(TestDb {
            backend: Backend::Postgres,
            url,
            _dir: None,
            pg_name: Some(name),
        })
    }

    /// A store on this database, migrated.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url).await.expect("the test database");
        assert_eq!(
            store.backend(),
            match self.backend {
                Backend::Sqlite => otklik::storage::Backend::Sqlite,
                Backend::Postgres => otklik::storage::Backend::Postgres,
            }
        );
        store
    }

    /// Drops a PostgreSQL database once the test is over.
    pub async fn cleanup(self) {
        if let (Some(name), Ok(base)) = (&self.pg_name, std::env::var("TEST_POSTGRES_URL")) {
            if let Ok(admin) = Store::connect_without_migrating(&base).await {
                let _ = admin.drop_database(name).await;
                admin.close().await;
            }
        }
    }
}

/// Runs each listed `async fn name(db: &TestDb)` on SQLite and on PostgreSQL (dropping the
/// PostgreSQL database after a test that passed).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = super::support::db::TestDb::sqlite().await;
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = super::support::db::TestDb::postgres().await {
                        super::$name(&db).await;
                        db.cleanup().await;
                    }
                }
            )*
        }
    };
}
