//! Answer memory: an incident's published answer is remembered in the transaction that
//! publishes it, and found again by the message it answered — FTS5 over Snowball stems on
//! SQLite, `to_tsvector('russian', …)` on PostgreSQL. Anonymising an incident forgets it.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{on_pool, BeginWrite, StorageError, Store, Writer};
use crate::domain::answer_memory::{close_enough, stems, words};
use crate::domain::{IncidentId, OrgId};

/// How many candidates the index ranks before the closeness check picks the best.
const CANDIDATES: i64 = 30;
/// How many best matches of the text (across organisations) SQLite ranks for the topic.
const RANKED: i64 = 60;
/// How many answers the stems asked for may occur in, together (SQLite): the rarest stems
/// are taken until this is reached, and at least two are.
const STEM_BUDGET: i64 = 5000;

/// The stems to ask the index for, rarest first: a message's street and house number tell
/// more than «дом» and «улица», and asking for every stem would rank every answer.
fn rarest(mut counted: Vec<(i64, &str)>) -> Vec<&str> {
    counted.sort();
    let mut total = 0;
    let mut asked = Vec::new();
    for (docs, stem) in counted {
        if asked.len() >= 2 && total + docs > STEM_BUDGET {
            break;
        }
        total += docs;
        asked.push(stem);
    }
    asked
}

/// An answer to remember.
#[derive(Debug, Clone)]
pub struct RememberedAnswer {
    pub incident: IncidentId,
    pub org: OrgId,
    pub number: i64,
    pub topic: Option<String>,
    pub department: String,
    pub at: DateTime<Utc>,
    pub message: String,
    pub answer: String,
}

/// A remembered answer found for a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimilarAnswer {
    pub incident: IncidentId,
    pub number: i64,
    pub at: DateTime<Utc>,
    pub department: String,
    pub text: String,
}

/// A topic as compared: lower case, trimmed.
pub(crate) fn topic_key(topic: Option<&str>) -> String {
    topic.map(|t| t.trim().to_lowercase()).unwrap_or_default()
}

/// Remembers an incident's answer once it is published, on an open transaction (either
/// backend): reads the message it answered, unless it is remembered already or anonymised.
macro_rules! remember_answer {
    ($tx:expr, $id:expr, $workflow:expr) => {
        if let Some(a) = $crate::domain::answer_memory::published_answer($workflow) {
            let row = sqlx::query(
                "SELECT i.org_id, i.number, i.body, COALESCE(d.name, '') AS department
                 FROM incidents i LEFT JOIN departments d ON d.id = $2
                 WHERE i.id = $1 AND i.anonymised_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM answer_memory m WHERE m.incident_id = $1)",
            )
            .bind($id)
            .bind(a.department.map(|d| d.0))
            .fetch_optional(&mut *$tx)
            .await?;
            if let Some(row) = row {
                let remembered = $crate::storage::answer_memory::RememberedAnswer {
                    incident: $crate::domain::IncidentId($id),
                    org: $crate::domain::OrgId(row.try_get("org_id")?),
                    number: row.try_get("number")?,
                    topic: $workflow.topic.clone(),
                    department: row.try_get("department")?,
                    at: a.at,
                    message: row.try_get("body")?,
                    answer: a.text,
                };
                $crate::storage::answer_memory::insert_answer!($tx, &remembered);
            }
        }
    };
}
pub(crate) use remember_answer;

macro_rules! insert_answer {
    ($tx:expr, $a:expr) => {{
        let a: &$crate::storage::answer_memory::RememberedAnswer = $a;
        sqlx::query(
            "INSERT INTO answer_memory
                (incident_id, org_id, number, topic_key, department, published_at, message, answer, stems)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(a.incident.0)
        .bind(a.org.0)
        .bind(a.number)
        .bind($crate::storage::answer_memory::topic_key(a.topic.as_deref()))
        .bind(&a.department)
        .bind($crate::storage::ts(a.at))
        .bind(&a.message)
        .bind(&a.answer)
        .bind($crate::domain::answer_memory::stems(&a.message).join(" "))
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use insert_answer;

type Candidate = (i64, i64, DateTime<Utc>, String, String, String);

impl Store {
    /// Remembers answers in one transaction (a rebuilt index, a benchmark's history); an
    /// incident remembered already is skipped.
    pub async fn remember_answers(&self, answers: &[RememberedAnswer]) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.writer(self).begin_write().await?;
            for a in answers {
                sqlx::query("DELETE FROM answer_memory WHERE incident_id = $1")
                    .bind(a.incident.0)
                    .execute(&mut *tx)
                    .await?;
                insert_answer!(tx, a);
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// A remembered answer of an organisation (`None`: not remembered, anonymised, or another
    /// organisation's).
    pub async fn remembered_answer(
        &self,
        org: OrgId,
        incident: IncidentId,
    ) -> Result<Option<SimilarAnswer>, StorageError> {
        let found: Option<Candidate> = on_pool!(self, pool => {
            sqlx::query(
                "SELECT incident_id, number, published_at, department, answer, stems
                 FROM answer_memory WHERE incident_id = $1 AND org_id = $2",
            )
            .bind(incident.0)
            .bind(org.0)
            .fetch_optional(pool)
            .await?
            .as_ref()
            .map(candidate)
            .transpose()?
        });
        Ok(
            found.map(|(id, number, at, department, text, _)| SimilarAnswer {
                incident: IncidentId(id),
                number,
                at,
                department,
                text,
            }),
        )
    }

    /// Up to `limit` published answers of an organisation to messages like `text`, those on the
    /// same topic first, then the closest; `exclude` is the incident asking.
    pub async fn similar_answers(
        &self,
        org: OrgId,
        exclude: Option<IncidentId>,
        topic: Option<&str>,
        text: &str,
        limit: usize,
    ) -> Result<Vec<SimilarAnswer>, StorageError> {
        let wanted = stems(text);
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let topic = Some(topic_key(topic)).filter(|t| !t.is_empty());
        let exclude = exclude.map_or(0, |i| i.0);
        let candidates: Vec<Candidate> = match &self.pool {
            super::Pool::Sqlite(pool) => {
                // How many answers each stem occurs in; only the rarest are asked for.
                let terms = serde_json::to_string(&wanted)?;
                let counted: Vec<(i64, String)> = sqlx::query(
                    "SELECT term, docs FROM answer_memory_terms
                     WHERE term IN (SELECT value FROM json_each($1)) AND docs > 0",
                )
                .bind(terms)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("docs")?, r.try_get("term")?)) })
                .collect::<Result<_, _>>()?;
                let asked = rarest(counted.iter().map(|(d, t)| (*d, t.as_str())).collect());
                // No stem known: nothing answered anything like it. A message of one stem (a
                // `/find` of one word) is matched on that one.
                if asked.is_empty() || (asked.len() < 2 && wanted.len() >= 2) {
                    return Ok(Vec::new());
                }
                // Stems are letters and digits only; quoted, they are plain terms. Those with
                // both of the two rarest first (a street and a house number), all of them if
                // that is not enough.
                let quoted: Vec<String> = asked.iter().map(|s| format!("\"{s}\"")).collect();
                // The index holds every organisation's answers: when the best matches are
                // mostly another's, the last pass ranks many more.
                let mut found = Vec::new();
                let any = quoted.join(" OR ");
                for (query, ranked) in [
                    (quoted[..quoted.len().min(2)].join(" AND "), RANKED),
                    (any.clone(), RANKED),
                    (any, RANKED * 20),
                ] {
                    found = sqlx::query(
                        "SELECT m.incident_id, m.number, m.published_at, m.department, m.answer, m.stems
                         FROM (SELECT rowid AS id, rank FROM answer_memory_fts
                               WHERE answer_memory_fts MATCH $1 ORDER BY rank LIMIT $6) f
                         JOIN answer_memory m ON m.incident_id = f.id
                         WHERE m.org_id = $2 AND m.incident_id <> $3
                         ORDER BY (m.topic_key = $4) DESC, f.rank
                         LIMIT $5",
                    )
                    .bind(query)
                    .bind(org.0)
                    .bind(exclude)
                    .bind(&topic)
                    .bind(CANDIDATES)
                    .bind(ranked)
                    .fetch_all(pool)
                    .await?
                    .iter()
                    .map(candidate)
                    .collect::<Result<Vec<_>, _>>()?;
                    if found.len() >= limit {
                        break;
                    }
                }
                found
            }
            super::Pool::Postgres(pool) => {
                // Words are letters and digits only: no operator can be smuggled in.
                let query = words(text).join(" | ");
                sqlx::query(
                    "SELECT m.incident_id, m.number, m.published_at, m.department, m.answer, m.stems
                     FROM answer_memory m
                     WHERE m.search @@ to_tsquery('russian', $1) AND m.org_id = $2
                       AND m.incident_id <> $3
                     ORDER BY (m.topic_key = $4) DESC NULLS LAST,
                              ts_rank(m.search, to_tsquery('russian', $1)) DESC
                     LIMIT $5",
                )
                .bind(query)
                .bind(org.0)
                .bind(exclude)
                .bind(&topic)
                .bind(CANDIDATES)
                .fetch_all(pool)
                .await?
                .iter()
                .map(candidate)
                .collect::<Result<_, _>>()?
            }
        };
        Ok(candidates
            .into_iter()
            .filter(|c| {
                let remembered: Vec<String> = c.5.split(' ').map(str::to_string).collect();
                close_enough(&wanted, &remembered)
            })
            .take(limit)
            .map(|(id, number, at, department, text, _)| SimilarAnswer {
                incident: IncidentId(id),
                number,
                at,
                department,
                text,
            })
            .collect())
    }
}

fn candidate<R: Row>(r: &R) -> Result<Candidate, sqlx::Error>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> DateTime<Utc>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    Ok((
        r.try_get("incident_id")?,
        r.try_get("number")?,
        r.try_get("published_at")?,
        r.try_get("department")?,
        r.try_get("answer")?,
        r.try_get("stems")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rarest_stems_are_asked_for_within_the_budget_and_at_least_two() {
        let counted = vec![
            (100_000, "дом"),
            (2_500, "ленин"),
            (1_000, "5"),
            (16_000, "отоплен"),
        ];
        assert_eq!(rarest(counted), ["5", "ленин"]);
        assert_eq!(
            rarest(vec![(90_000, "дом"), (60_000, "улиц")]),
            ["улиц", "дом"]
        );
        assert_eq!(rarest(vec![(3, "а"), (4, "б"), (5, "в")]), ["а", "б", "в"]);
        assert!(rarest(Vec::new()).is_empty());
    }
}
