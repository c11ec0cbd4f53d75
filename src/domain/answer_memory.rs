//! Answer memory: an incident's published answer, kept so the next executor facing a similar
//! message starts from it. Messages are compared by their words' stems (Snowball's Russian
//! stemmer), so «нет отопления» finds «отопление отсутствует».

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rust_stemmers::{Algorithm, Stemmer};

use super::incident::{DraftKind, Incident};
use super::DepartmentId;

/// Words too common to tell messages apart.
const STOP_WORDS: [&str; 24] = [
    "что",
    "это",
    "как",
    "для",
    "при",
    "или",
    "так",
    "уже",
    "еще",
    "все",
    "был",
    "была",
    "были",
    "есть",
    "его",
    "она",
    "они",
    "мне",
    "нас",
    "вас",
    "меня",
    "когда",
    "где",
    "уважаемые",
];

/// The answer an incident got, as remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedAnswer {
    pub at: DateTime<Utc>,
    pub department: Option<DepartmentId>,
    pub text: String,
}

/// The incident's final answer once it is published (or handed over): the consolidated answer,
/// or the first part's published one. Interim answers and clarifications are not remembered.
pub fn published_answer(incident: &Incident) -> Option<PublishedAnswer> {
    let final_answer = |kind: DraftKind| kind == DraftKind::Answer;
    if let (Some(d), Some(p)) = (&incident.consolidated, &incident.publication) {
        if final_answer(d.kind) && !p.interim {
            return Some(PublishedAnswer {
                at: p.at,
                department: None,
                text: d.text.clone(),
            });
        }
    }
    incident.parts.iter().find_map(|p| {
        let publication = p.publication.as_ref().filter(|p| !p.interim)?;
        let draft = p.drafts.iter().rev().find(|d| final_answer(d.kind))?;
        Some(PublishedAnswer {
            at: publication.at,
            department: Some(p.department),
            text: draft.text.clone(),
        })
    })
}

/// The distinct stems of a text's meaningful words, in order of first use.
pub fn stems(text: &str) -> Vec<String> {
    let stemmer = Stemmer::create(Algorithm::Russian);
    let mut seen = BTreeSet::new();
    words(text)
        .into_iter()
        .map(|w| stemmer.stem(&w).into_owned())
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

/// A text's meaningful words: lower case, «ё» as «е», no numbers, no words under three
/// letters, no stop words.
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace('ё', "е")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !STOP_WORDS.contains(w))
        .map(str::to_string)
        .collect()
}

/// Whether a remembered message is close enough to a new one to be offered: they share at
/// least two stems (one when the new message has only one), so one common word — «дом» —
/// is not enough.
pub fn close_enough(query: &[String], remembered: &[String]) -> bool {
    let shared = query.iter().filter(|s| remembered.contains(s)).count();
    shared >= query.len().clamp(1, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_forms_of_a_word_share_a_stem() {
        let a = stems("Нет отопления в доме 5 по ул. Ленина");
        let b = stems("Отопление отсутствует, ул. Ленина 5");
        assert!(a.contains(&"отоплен".to_string()), "{a:?}");
        assert!(close_enough(&a, &b), "{a:?} {b:?}");
        let unrelated = stems("Уберите мусор у дома 12 на Садовой");
        assert!(!close_enough(&a, &unrelated), "{a:?} {unrelated:?}");
    }

    #[test]
    fn numbers_short_and_stop_words_are_left_out() {
        assert_eq!(
            words("Что это? Яма 20 см у дома №5, ЁЛКА"),
            ["яма", "дома", "елка"]
        );
        assert_eq!(stems("дома дом домов").len(), 1);
    }
}
