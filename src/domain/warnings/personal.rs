//! Personal data in a public answer: phone numbers, e-mail addresses, passport and СНИЛС
//! numbers.

use super::DraftWarning;

/// Phone numbers, e-mail addresses and document numbers in a text.
pub fn personal_data(text: &str) -> Vec<DraftWarning> {
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
        let w = personal_data(
            "Ирина, позвоните +7 (912) 345-67-89 или пишите ivanova@mail.ru. СНИЛС 123-456-789 01, паспорт 4510 123456.",
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
        let w = personal_data("Звоните +7 912 345-67-89.");
        assert_eq!(w, vec![DraftWarning::Phone("+7 912 345-67-89".into())]);
    }

    #[test]
    fn dates_and_short_numbers_are_fine() {
        assert!(personal_data("Авария устранена 27.11.2026 в 11:40, дом 14, кв. 5.").is_empty());
    }
}
