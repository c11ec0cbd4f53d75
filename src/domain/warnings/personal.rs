//! Checks a draft before it goes for approval: personal data in a public answer, text over the
//! network's limit, a repeated message answered without saying what was done.

use super::content::Source;

/// Something the executor should look at before sending a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftWarning {
    Phone(String),
    Email(String),
    DocumentNumber(String),
    TooLong { limit: usize },
    RepeatWithoutMeasures,
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

/// Words that show an answer to a repeated message says what was done.
const MEASURE_WORDS: [&str; 9] = [
    "принят",
    "выполн",
    "устран",
    "сделан",
    "провед",
    "мер",
    "работ",
    "отремонт",
    "восстанов",
];

/// Every warning for a draft text.
pub fn check_draft(text: &str, source: Source, repeated: bool) -> Vec<DraftWarning> {
    let mut out = Vec::new();
    for run in digit_runs(text) {
        let digits: String = run.chars().filter(char::is_ascii_digit).collect();
        let n = digits.len();
        let groups: Vec<usize> = run
            .split(|c: char| !c.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .map(str::len)
            .collect();
        // СНИЛС is written 123-456-789 01.
        let snils_like = groups == [3, 3, 3, 2] && !run.trim_start().starts_with('+');
        if snils_like {
            out.push(DraftWarning::DocumentNumber(run.trim().to_string()));
        } else if (n == 11 && (digits.starts_with('7') || digits.starts_with('8')))
            || (n == 10 && digits.starts_with('9'))
            || (run.trim_start().starts_with('+') && (10..=13).contains(&n))
        {
            out.push(DraftWarning::Phone(run.trim().to_string()));
        } else if n == 10 {
            out.push(DraftWarning::DocumentNumber(run.trim().to_string()));
        }
    }
    for word in text.split_whitespace() {
        let w = word
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '@' && c != '.')
            .trim_end_matches('.');
        if let Some((user, domain)) = w.split_once('@') {
            if !user.is_empty() && domain.contains('.') && !domain.ends_with('.') {
                out.push(DraftWarning::Email(w.to_string()));
            }
        }
    }
    if let Some(limit) = text_limit(source) {
        if text.chars().count() > limit {
            out.push(DraftWarning::TooLong { limit });
        }
    }
    if repeated {
        let lower = text.to_lowercase();
        if !MEASURE_WORDS.iter().any(|w| lower.contains(w)) {
            out.push(DraftWarning::RepeatWithoutMeasures);
        }
    }
    out
}

/// Maximal runs of digits with the separators phone and document numbers use.
fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_ascii_digit()
            || (!current.is_empty() && matches!(c, ' ' | '-' | '(' | ')'))
            || (current.is_empty() && c == '+')
        {
            current.push(c);
        } else {
            push_run(&mut runs, &mut current);
        }
    }
    push_run(&mut runs, &mut current);
    runs
}

fn push_run(runs: &mut Vec<String>, current: &mut String) {
    let trimmed = current.trim_end_matches([' ', '-', '(']).to_string();
    if trimmed.chars().filter(char::is_ascii_digit).count() >= 10 {
        runs.push(trimmed);
    }
    current.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_personal_data() {
        let w = check_draft(
            "Ирина, позвоните +7 (912) 345-67-89 или пишите ivanova@mail.ru. СНИЛС 123-456-789 01, паспорт 4510 123456.",
            Source::Vk,
            false,
        );
        assert!(
            w.contains(&DraftWarning::Phone("+7 (912) 345-67-89".into())),
            "{w:?}"
        );
        assert!(
            w.contains(&DraftWarning::Email("ivanova@mail.ru".into())),
            "{w:?}"
        );
        assert!(
            w.contains(&DraftWarning::DocumentNumber("123-456-789 01".into())),
            "{w:?}"
        );
        assert!(
            w.contains(&DraftWarning::DocumentNumber("4510 123456".into())),
            "{w:?}"
        );
        let w = check_draft("Звоните +7 912 345-67-89.", Source::Vk, false);
        assert_eq!(w, vec![DraftWarning::Phone("+7 912 345-67-89".into())]);
    }

    #[test]
    fn dates_and_short_numbers_are_fine() {
        assert!(check_draft(
            "Авария устранена 27.11.2026 в 11:40, дом 14, кв. 5.",
            Source::Vk,
            false
        )
        .is_empty());
    }

    #[test]
    fn length_and_repeats() {
        let long = "а".repeat(4097);
        assert_eq!(
            check_draft(&long, Source::Telegram, false),
            vec![DraftWarning::TooLong { limit: 4096 }]
        );
        assert_eq!(
            check_draft("Спасибо за обращение", Source::Vk, true),
            vec![DraftWarning::RepeatWithoutMeasures]
        );
        assert!(check_draft(
            "Трубу заменили, работы выполнены 1 декабря",
            Source::Vk,
            true
        )
        .is_empty());
    }
}
