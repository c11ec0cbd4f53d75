//! An organisation's answer templates: read whole into the organisation's cached rules, saved
//! by name (a template of the same name is replaced) from the organisation file or by a
//! curator's `/template`.

use sqlx::Row;

use super::{on_pool, StorageError, Store};
use crate::domain::templates::AnswerTemplate;
use crate::domain::{OrgId, TemplateId};

/// Saves a template by name: `$1` organisation, `$2` name, `$3` topic, `$4` text.
pub(crate) const SAVE_TEMPLATE: &str =
    "INSERT INTO answer_templates (org_id, name, topic, body) VALUES ($1, $2, $3, $4)
     ON CONFLICT (org_id, name) DO UPDATE SET topic = excluded.topic, body = excluded.body";

/// A template to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTemplate {
    pub name: String,
    pub topic: Option<String>,
    pub text: String,
}

impl Store {
    /// The organisation's templates, by name.
    pub async fn templates(&self, org: OrgId) -> Result<Vec<AnswerTemplate>, StorageError> {
        let rows = on_pool!(self, pool => {
            sqlx::query("SELECT id, name, topic, body FROM answer_templates WHERE org_id = $1 ORDER BY name, id")
                .bind(org.0)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<_, sqlx::Error> {
                    Ok(AnswerTemplate {
                        id: TemplateId(r.try_get("id")?),
                        name: r.try_get("name")?,
                        topic: r.try_get("topic")?,
                        text: r.try_get("body")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }
}
