//! Proof from the phone, for the monitoring system: the files a draft carries are copied from
//! the messenger before the first report that names them goes out, and the report gives each as
//! a link under Otklik's own address — `/files/<key>?expires=<unix time>&signature=<hex>`,
//! signed with the organisation's webhook secret, refused once it expires. A shared place goes
//! as its coordinates.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::core::delivery::{MessengerPort, SendError};
use crate::core::org::OrgRules;
use crate::core::{Core, CoreError};
use crate::domain::content::{location_of, IncidentRecord, Messenger};
use crate::domain::OrgId;
use crate::storage::{FileToKeep, KeptFile};

/// Where kept files are served.
pub const FILES_PATH: &str = "/files";

/// What a link asks for, as answered.
#[derive(Debug)]
pub enum FileAccess {
    File(KeptFile),
    /// No such file (never kept, or the incident was anonymised).
    NotFound,
    /// The signature does not match, or the organisation has no webhook secret any more.
    Forbidden,
    Expired,
}

/// The key a kept file is stored and linked under: a hash of the organisation and the
/// messenger's id of the file, so a link shows neither.
pub fn file_key(org: OrgId, file: &str) -> String {
    let digest = Sha256::digest(format!("{org}:{file}").as_bytes());
    hex::encode(&digest[..16])
}

/// The link's signature: hex HMAC-SHA256 of `<key>:<expires>` under the organisation's secret.
pub fn link_signature(secret: &str, key: &str, expires: i64) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{key}:{expires}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The messenger a draft's file came from, and what it is ("photo", "video", "document").
pub fn origin(file: &str) -> (Messenger, &'static str) {
    match file.split_once(':').map_or("photo", |(kind, _)| kind) {
        "video" => (Messenger::Telegram, "video"),
        "document" => (Messenger::Telegram, "document"),
        "max_image" => (Messenger::Max, "photo"),
        "max_video" => (Messenger::Max, "video"),
        "max_file" => (Messenger::Max, "document"),
        _ => (Messenger::Telegram, "photo"),
    }
}

impl Core {
    /// The links a report gives for a draft's files, valid for the configured time from `now`.
    pub(crate) fn file_links(
        &self,
        rules: &OrgRules,
        files: &[String],
        now: DateTime<Utc>,
    ) -> Vec<serde_json::Value> {
        let Some(link) = &rules.org.monitoring else {
            return Vec::new();
        };
        let expires = (now + self.config.file_link_ttl).timestamp();
        let base = self.config.public_url.trim_end_matches('/');
        files
            .iter()
            .map(|f| {
                // A place is given as it is; only files are served.
                if let Some((latitude, longitude)) = location_of(f) {
                    return json!({"type": "location", "latitude": latitude, "longitude": longitude});
                }
                let key = file_key(rules.org.id, f);
                let signature = link_signature(&link.secret, &key, expires);
                json!({
                    "type": origin(f).1,
                    "url": format!("{base}{FILES_PATH}/{key}?expires={expires}&signature={signature}"),
                })
            })
            .collect()
    }

    /// Copies a draft's files from their messenger, those not copied yet; the files kept. `Err`
    /// with the wait when a messenger failed for now; a file its messenger will not hand out is
    /// left out (and logged), as it never will be.
    pub(crate) async fn keep_files(
        &self,
        record: &IncidentRecord,
        files: &[String],
        ports: &[std::sync::Arc<dyn MessengerPort>],
    ) -> Result<Result<Vec<String>, Duration>, CoreError> {
        let mut kept = Vec::new();
        for file in files {
            if location_of(file).is_some() {
                kept.push(file.clone());
                continue;
            }
            let key = file_key(record.org, file);
            if self.store.file_kept(&key).await? {
                kept.push(file.clone());
                continue;
            }
            let (messenger, _) = origin(file);
            let Some(port) = ports.iter().find(|p| p.messenger() == messenger) else {
                tracing::warn!(incident = record.number, ?messenger, "a draft's file is from a messenger not running here; the report goes without it");
                continue;
            };
            match port.fetch_file(file).await {
                Ok(fetched) => {
                    let keep = FileToKeep {
                        key: &key,
                        org: record.org,
                        incident: record.id,
                        file_ref: file,
                        content_type: &fetched.content_type,
                        bytes: &fetched.bytes,
                    };
                    self.store.keep_file(&keep, self.now()).await?;
                    kept.push(file.clone());
                    tracing::info!(
                        incident = record.number,
                        size = fetched.bytes.len(),
                        "a draft's file is kept"
                    );
                }
                Err(SendError::Refused(e)) => {
                    tracing::warn!(incident = record.number, error = %e, "the messenger does not hand out a draft's file; the report goes without it");
                }
                Err(SendError::RetryAfter(wait)) => {
                    return Ok(Err(Duration::from_std(wait).unwrap_or(Duration::minutes(1))));
                }
                Err(e) => {
                    tracing::warn!(incident = record.number, error = %e, "cannot copy a draft's file now; the report waits");
                    return Ok(Err(Duration::seconds(30)));
                }
            }
        }
        Ok(Ok(kept))
    }

    /// A kept file asked for by a link: checked against the organisation's secret and the time.
    pub async fn file_by_link(
        &self,
        key: &str,
        expires: i64,
        signature: &str,
    ) -> Result<FileAccess, CoreError> {
        let Some(file) = self.store.kept_file(key).await? else {
            return Ok(FileAccess::NotFound);
        };
        let rules = self.org(file.org).await?;
        let Some(link) = &rules.org.monitoring else {
            return Ok(FileAccess::Forbidden);
        };
        let expected = link_signature(&link.secret, key, expires);
        // Compared in constant time.
        let matches = expected.len() == signature.len()
            && expected
                .bytes()
                .zip(signature.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !matches {
            return Ok(FileAccess::Forbidden);
        }
        if self.now().timestamp() > expires {
            return Ok(FileAccess::Expired);
        }
        Ok(FileAccess::File(file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_hides_the_file_id_and_differs_between_organisations() {
        let a = file_key(OrgId(1), "photo:AgACAgIAAxkBAAIB");
        assert_eq!(a.len(), 32);
        assert!(!a.contains("AgAC"));
        assert_ne!(a, file_key(OrgId(2), "photo:AgACAgIAAxkBAAIB"));
        assert_eq!(a, file_key(OrgId(1), "photo:AgACAgIAAxkBAAIB"));
    }

    #[test]
    fn a_signature_covers_the_key_and_the_expiry() {
        let s = link_signature("a long shared secret", "k", 100);
        assert_eq!(s.len(), 64);
        assert_ne!(s, link_signature("a long shared secret", "k", 101));
        assert_ne!(s, link_signature("a long shared secret", "j", 100));
        assert_ne!(s, link_signature("another secret here", "k", 100));
    }

    #[test]
    fn a_files_origin_comes_from_its_prefix() {
        assert_eq!(origin("photo:x"), (Messenger::Telegram, "photo"));
        assert_eq!(origin("document:x"), (Messenger::Telegram, "document"));
        assert_eq!(origin("max_image:x"), (Messenger::Max, "photo"));
    }
}
