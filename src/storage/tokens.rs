//! Organisations' own intake tokens, kept as their SHA-256 (never the token itself).

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::Writer;
use super::{on_pool, StorageError, Store};
use crate::domain::OrgId;

/// The stored form of a token.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Gives an organisation this intake token (replacing its old one), or takes it away.
    pub async fn set_ingest_token(
        &self,
        org: OrgId,
        token: Option<&str>,
    ) -> Result<(), StorageError> {
        let digest = token.map(token_digest);
        let n = on_pool!(self, pool => {
            sqlx::query("UPDATE organisations SET ingest_token_sha256 = $1 WHERE id = $2")
                .bind(&digest)
                .bind(org.0)
                .execute(pool.writer(self))
                .await?
                .rows_affected()
        });
        if n == 0 {
            return Err(StorageError::NotFound(format!("organisation {}", org.0)));
        }
        Ok(())
    }

    /// The organisation an intake token belongs to.
    pub async fn organisation_by_token(&self, token: &str) -> Result<Option<OrgId>, StorageError> {
        let digest = token_digest(token);
        let id = on_pool!(self, pool => {
            sqlx::query("SELECT id FROM organisations WHERE ingest_token_sha256 = $1")
                .bind(&digest)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<i64, _>("id"))
                .transpose()?
        });
        Ok(id.map(OrgId))
    }
}

#[cfg(test)]
mod tests {
    use super::token_digest;

    #[test]
    fn only_a_digest_of_the_token_is_stored() {
        let d = token_digest("krymsk-token");
        assert_eq!(d.len(), 64);
        assert!(d.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(!d.contains("krymsk"));
        assert_ne!(d, token_digest("krymsk-token2"));
    }
}
