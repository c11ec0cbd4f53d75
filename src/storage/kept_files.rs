//! Copies of the files drafts carry, kept so the monitoring system can fetch them by a signed
//! link (`core::integrations::files`) whatever the messenger does with its own copy.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{on_pool, ts, BeginWrite, StorageError, Store, Writer};
use crate::domain::{IncidentId, OrgId};

/// A kept file, as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptFile {
    pub org: OrgId,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A file to keep.
#[derive(Debug, Clone)]
pub struct FileToKeep<'a> {
    pub key: &'a str,
    pub org: OrgId,
    pub incident: IncidentId,
    /// The messenger's id of the file ("photo:…").
    pub file_ref: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

impl Store {
    /// Keeps a copy (a second copy under the same key is ignored: the file is the same).
    pub async fn keep_file(
        &self,
        f: &FileToKeep<'_>,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            sqlx::query(
                "INSERT INTO kept_files (key, org_id, incident_id, file_ref, content_type, bytes, kept_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO NOTHING",
            )
            .bind(f.key)
            .bind(f.org.0)
            .bind(f.incident.0)
            .bind(f.file_ref)
            .bind(f.content_type)
            .bind(f.bytes)
            .bind(ts(at))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Whether a copy is kept under this key.
    pub async fn file_kept(&self, key: &str) -> Result<bool, StorageError> {
        let found = on_pool!(self, pool => {
            sqlx::query("SELECT 1 AS one FROM kept_files WHERE key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await?
                .is_some()
        });
        Ok(found)
    }

    /// The copy kept under this key.
    pub async fn kept_file(&self, key: &str) -> Result<Option<KeptFile>, StorageError> {
        let found = on_pool!(self, pool => {
            sqlx::query("SELECT org_id, content_type, bytes FROM kept_files WHERE key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<_, sqlx::Error> {
                    Ok(KeptFile {
                        org: OrgId(r.try_get("org_id")?),
                        content_type: r.try_get("content_type")?,
                        bytes: r.try_get("bytes")?,
                    })
                })
                .transpose()?
        });
        Ok(found)
    }
}
