//! Checks a draft before it goes for approval, on the grounds regional centres (ЦУР) return
//! answers for rework: personal data in a public answer, text over the network's limit, a
//! repeated message answered without saying what was done, a promise without a date or term,
//! laws cited by number beyond what the profile allows, bureaucratic formulas (a list kept in
//! `dialogues/`), and no photo where the topic asks for proof of work done. The executor sees
//! the flags before sending and may send anyway; the curator's approval card shows them too.

mod personal;
mod style;

pub use personal::personal_data;
pub use style::{formulas_in, law_references, promise_without_term, says_what_was_done};

use super::content::Source;

/// Something the executor should look at before sending a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftWarning {
    Phone(String),
    Email(String),
    DocumentNumber(String),
    TooLong {
        limit: usize,
    },
    RepeatWithoutMeasures,
    /// A promise of work with no date or term: the sentence that makes it.
    PromiseWithoutTerm(String),
    /// More laws and regulations cited by number than the profile allows.
    TooManyLawReferences {
        found: usize,
        allowed: usize,
    },
    /// A formula from the list of bureaucratic ones.
    Formula(String),
    /// The topic asks for a photo of the work done and the draft has none.
    NoPhoto,
}

/// What is known about a draft besides its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DraftFacts {
    /// Where the answer is published (its length limit).
    pub source: Source,
    /// An answer or interim answer to the resident (not a request for clarification, which
    /// is only checked for personal data and length).
    pub to_resident: bool,
    /// The incident repeats an earlier message.
    pub repeated: bool,
    /// The photos attached to the draft.
    pub photos: usize,
    /// The incident's topic asks for a photo of the work done.
    pub photo_required: bool,
}

/// The organisation's view of a good answer: its list of bureaucratic formulas and how many
/// legal references an answer may carry.
#[derive(Debug, Clone, Copy)]
pub struct AnswerStyle<'a> {
    pub formulas: &'a [&'a str],
    pub law_references: usize,
}

/// How long an answer may be in a network, where the limit is known.
pub fn text_limit(source: Source) -> Option<usize> {
    match source {
        // Telegram messages; MAX keeps the same order of limit.
        Source::Telegram => Some(4096),
        Source::Max => Some(4000),
        _ => None,
    }
}

/// Every warning for a draft text, in the order the executor reads them.
pub fn check_draft(text: &str, facts: DraftFacts, style: AnswerStyle<'_>) -> Vec<DraftWarning> {
    let mut out = personal_data(text);
    if let Some(limit) = text_limit(facts.source) {
        if text.chars().count() > limit {
            out.push(DraftWarning::TooLong { limit });
        }
    }
    if !facts.to_resident {
        return out;
    }
    if facts.repeated && !says_what_was_done(text) {
        out.push(DraftWarning::RepeatWithoutMeasures);
    }
    if let Some(sentence) = promise_without_term(text) {
        out.push(DraftWarning::PromiseWithoutTerm(sentence));
    }
    let found = law_references(text);
    if found > style.law_references {
        out.push(DraftWarning::TooManyLawReferences {
            found,
            allowed: style.law_references,
        });
    }
    for f in formulas_in(text, style.formulas) {
        out.push(DraftWarning::Formula(f));
    }
    if facts.photo_required && facts.photos == 0 {
        out.push(DraftWarning::NoPhoto);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORMULAS: [&str; 2] = ["в установленном порядке", "в рамках компетенции"];

    fn style() -> AnswerStyle<'static> {
        AnswerStyle {
            formulas: &FORMULAS,
            law_references: 2,
        }
    }

    fn facts() -> DraftFacts {
        DraftFacts {
            source: Source::Vk,
            to_resident: true,
            repeated: false,
            photos: 0,
            photo_required: false,
        }
    }

    #[test]
    fn a_good_answer_passes() {
        let text =
            "Здравствуйте! 3 декабря бригада МУП «Теплосеть» заменила участок трубы у дома 5 \
                    по ул. Ленина, отопление восстановлено в 16:20. Благодарим за обращение.";
        assert_eq!(check_draft(text, facts(), style()), vec![]);
    }

    #[test]
    fn length_limit_of_the_network() {
        let long = "Трубу заменили 1 декабря. ".repeat(200);
        let telegram = DraftFacts {
            source: Source::Telegram,
            ..facts()
        };
        assert_eq!(
            check_draft(&long, telegram, style()),
            vec![DraftWarning::TooLong { limit: 4096 }]
        );
        assert_eq!(check_draft(&long, facts(), style()), vec![]);
    }

    #[test]
    fn a_repeated_message_needs_what_was_done() {
        let repeated = DraftFacts {
            repeated: true,
            ..facts()
        };
        assert_eq!(
            check_draft(
                "Спасибо за обращение, информация передана.",
                repeated,
                style()
            ),
            vec![DraftWarning::RepeatWithoutMeasures]
        );
        assert_eq!(
            check_draft(
                "Трубу заменили, работы выполнены 1 декабря.",
                repeated,
                style()
            ),
            vec![]
        );
    }

    #[test]
    fn a_topic_that_asks_for_proof_needs_a_photo() {
        let proof = DraftFacts {
            photo_required: true,
            ..facts()
        };
        let text = "Яма у дома 7 по ул. Мира засыпана и заасфальтирована 2 декабря.";
        assert_eq!(
            check_draft(text, proof, style()),
            vec![DraftWarning::NoPhoto]
        );
        let with_photo = DraftFacts { photos: 2, ..proof };
        assert_eq!(check_draft(text, with_photo, style()), vec![]);
    }

    #[test]
    fn a_request_for_clarification_is_checked_for_personal_data_only() {
        let clarification = DraftFacts {
            to_resident: false,
            repeated: true,
            photo_required: true,
            ..facts()
        };
        let text = "Уточните, пожалуйста, адрес; вопрос будет рассмотрен в установленном порядке.";
        assert_eq!(check_draft(text, clarification, style()), vec![]);
        assert_eq!(
            check_draft("Позвоните +7 912 345-67-89.", clarification, style()),
            vec![DraftWarning::Phone("+7 912 345-67-89".into())]
        );
    }

    #[test]
    fn every_flag_of_a_formal_answer_at_once() {
        let text =
            "В рамках компетенции сообщаем, что в соответствии со ст. 12 Федерального закона \
                    от 02.05.2006 № 59-ФЗ, Жилищным кодексом РФ и постановлением Правительства РФ \
                    № 354 ремонт будет выполнен.";
        let w = check_draft(text, facts(), style());
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(
            matches!(&w[0], DraftWarning::PromiseWithoutTerm(s) if s.starts_with("В рамках компетенции сообщаем")),
            "{w:?}"
        );
        assert_eq!(
            w[1],
            DraftWarning::TooManyLawReferences {
                found: 3,
                allowed: 2
            }
        );
        assert_eq!(w[2], DraftWarning::Formula("в рамках компетенции".into()));
    }
}
