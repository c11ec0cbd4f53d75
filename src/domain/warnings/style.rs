//! The grounds on which an answer is sent back as formal: a promise without a date, a repeated
//! message answered without saying what was done, a pile of legal references, bureaucratic
//! formulas. Each is a plain function over the text, so each is tested on its own.

/// Words that show an answer says what was done.
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

/// How long a quoted sentence may be in a warning.
const QUOTE_LIMIT: usize = 120;

/// Whether an answer to a repeated message says what was done.
pub fn says_what_was_done(text: &str) -> bool {
    let lower = normalise(text);
    MEASURE_WORDS.iter().any(|w| lower.contains(w))
}

/// The first sentence that promises work («будет отремонтировано», «планируется») without a
/// date or a term, shortened for quoting.
pub fn promise_without_term(text: &str) -> Option<String> {
    sentences(text)
        .into_iter()
        .find(|s| {
            let words = words(s);
            words.iter().any(|w| promises(w)) && !names_a_term(&words)
        })
        .map(|s| quote(&s))
}

/// How many laws and regulations the text cites: «ст. 12 Федерального закона от 02.05.2006
/// № 59-ФЗ» is one reference, «Жилищный кодекс РФ и постановление № 354» two.
pub fn law_references(text: &str) -> usize {
    let raw: Vec<String> = text.split_whitespace().map(normalise).collect();
    let mut count = 0;
    let mut last_law: Option<usize> = None;
    // An article or clause waiting for the document it belongs to.
    let mut article: Option<usize> = None;
    for (i, token) in raw.iter().enumerate() {
        let word = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '№');
        if let Some(a) = article {
            if i - a > 4 {
                count += 1;
                article = None;
            }
        }
        if is_document(word) {
            // «Федерального закона ... № 59-ФЗ»: the number belongs to the law just named.
            let same_law = word.ends_with("-фз") && last_law.is_some_and(|l| i - l <= 5);
            if !same_law {
                count += 1;
            }
            if word.starts_with("закон") {
                last_law = Some(i);
            }
            article = None;
        } else if is_article(token) {
            article = Some(i);
        }
    }
    count + usize::from(article.is_some())
}

/// The formulas of the list that the text uses (case and «ё» ignored), in the list's order.
pub fn formulas_in(text: &str, formulas: &[&str]) -> Vec<String> {
    let text = words(text).join(" ");
    formulas
        .iter()
        .map(|f| f.trim())
        .filter(|f| !f.is_empty() && text.contains(&words(f).join(" ")))
        .map(str::to_string)
        .collect()
}

/// Lower case, «ё» as «е».
fn normalise(text: &str) -> String {
    text.to_lowercase().replace('ё', "е")
}

/// The text's words, normalised, without punctuation around them.
fn words(text: &str) -> Vec<String> {
    normalise(text)
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')' | '«' | '»' | '"')
        })
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '.')
                .trim_end_matches('.')
        })
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Sentences: a full stop ends one unless it follows a short abbreviation («ул.», «ст.», «д.»)
/// or sits inside a number («02.05.2006»).
fn sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let ends = match c {
            '!' | '?' | '\n' | ';' => true,
            '.' => {
                let next = chars.get(i + 1).copied();
                let abbreviation = current
                    .split_whitespace()
                    .last()
                    .is_some_and(|w| w.chars().count() <= 3 && w.chars().all(char::is_lowercase));
                next.is_none_or(char::is_whitespace) && !abbreviation
            }
            _ => false,
        };
        if ends {
            push_sentence(&mut out, &mut current);
        } else {
            current.push(c);
        }
    }
    push_sentence(&mut out, &mut current);
    out
}

fn push_sentence(out: &mut Vec<String>, current: &mut String) {
    let s = current.split_whitespace().collect::<Vec<_>>().join(" ");
    if !s.is_empty() {
        out.push(s);
    }
    current.clear();
}

/// A word that promises work in the future.
fn promises(word: &str) -> bool {
    matches!(word, "будет" | "будут")
        || ["планиру", "запланирован", "предусмотрен", "намечен"]
            .iter()
            .any(|p| word.starts_with(p))
}

/// Whether a sentence names when: a date, a month, a year, a number of days or weeks, or a
/// phrase of term («до конца», «в течение», «не позднее»).
fn names_a_term(words: &[String]) -> bool {
    const MONTHS: [&str; 11] = [
        "январ",
        "феврал",
        "март",
        "апрел",
        "июн",
        "июл",
        "август",
        "сентябр",
        "октябр",
        "ноябр",
        "декабр",
    ];
    // Not «срок»: «сроки будут уточнены» is the very answer this check is for.
    const TERM_WORDS: [&str; 8] = [
        "квартал",
        "недел",
        "сутк",
        "суток",
        "дн",
        "месяц",
        "завтра",
        "сегодня",
    ];
    let date_like = |w: &str| {
        let digits = w.chars().filter(char::is_ascii_digit).count();
        (w.contains('.') && digits >= 2 && w.chars().all(|c| c.is_ascii_digit() || c == '.'))
            || (w.len() == 4 && w.starts_with("20") && digits == 4)
    };
    let phrase = words.join(" ");
    // «закона от 02.05.2006» dates a document, not the work.
    let dates_a_document = |i: usize| i > 0 && words[i - 1] == "от";
    words.iter().enumerate().any(|(i, w)| {
        (date_like(w) && !dates_a_document(i))
            || MONTHS.iter().any(|m| w.starts_with(m))
            || matches!(w.as_str(), "мая" | "май" | "мае")
            || TERM_WORDS.iter().any(|t| w.starts_with(t))
    }) || ["до конца", "в течение", "не позднее", "к концу"]
        .iter()
        .any(|p| phrase.contains(p))
}

/// A word that names a law or a regulation.
fn is_document(word: &str) -> bool {
    [
        "закон",
        "кодекс",
        "постановлени",
        "распоряжени",
        "приказ",
        "указ",
        "санпин",
        "гост",
        "снип",
    ]
    .iter()
    .any(|d| word.starts_with(d))
        || word.ends_with("-фз")
        || word == "фз"
}

/// An article, part or clause of a document («ст.», «статьей», «п.», «части»).
fn is_article(token: &str) -> bool {
    let word = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '.');
    matches!(
        word,
        "ст."
            | "ст"
            | "п."
            | "пп."
            | "ч."
            | "часть"
            | "части"
            | "частью"
            | "пункт"
            | "пункта"
    ) || word.starts_with("стать")
        || word.starts_with("подпункт")
        || word.starts_with("пунктом")
}

fn quote(sentence: &str) -> String {
    if sentence.chars().count() <= QUOTE_LIMIT {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(QUOTE_LIMIT - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_promise_without_a_date_is_found() {
        assert_eq!(
            promise_without_term("Здравствуйте. Дорога будет отремонтирована. Спасибо!"),
            Some("Дорога будет отремонтирована".into())
        );
        assert_eq!(
            promise_without_term("Замена светильников на ул. Мира запланирована подрядчиком."),
            Some("Замена светильников на ул. Мира запланирована подрядчиком".into())
        );
        assert!(promise_without_term(
            "Вопрос будет решён в ближайшее время, ситуация на контроле."
        )
        .is_some());
        assert!(promise_without_term("Сроки выполнения работ будут уточнены.").is_some());
        assert!(promise_without_term(
            "Согласно закону от 02.05.2006 № 59-ФЗ обращение будет рассмотрено."
        )
        .is_some());
    }

    #[test]
    fn a_promise_with_a_date_or_term_is_fine() {
        for text in [
            "Дорога будет отремонтирована до 15.06.2027.",
            "Яма будет засыпана 10 декабря.",
            "Ремонт кровли запланирован на май 2027 года.",
            "Светильники будут заменены в течение 5 рабочих дней.",
            "Работы будут выполнены до конца недели.",
            "Ремонт предусмотрен во II квартале 2027 года.",
            "Трубу заменили вчера, отопление восстановлено.",
        ] {
            assert_eq!(promise_without_term(text), None, "{text}");
        }
    }

    #[test]
    fn a_long_promise_is_quoted_short() {
        let text = format!("Ремонт {} будет выполнен.", "очень ".repeat(40));
        let quoted = promise_without_term(&text).unwrap_or_default();
        assert_eq!(quoted.chars().count(), QUOTE_LIMIT);
        assert!(quoted.ends_with('…'));
    }

    #[test]
    fn legal_references_are_counted_by_document() {
        assert_eq!(
            law_references(
                "Ответ дан в соответствии со ст. 12 Федерального закона от 02.05.2006 № 59-ФЗ."
            ),
            1
        );
        assert_eq!(
            law_references(
                "Согласно Жилищному кодексу РФ, постановлению Правительства РФ от 13.08.2006 \
                 № 491 и СанПиН 2.1.3684-21 управляющая компания обязана…"
            ),
            3
        );
        assert_eq!(
            law_references("На основании п. 3 ст. 7 обращение направлено в управляющую компанию."),
            1
        );
        assert_eq!(
            law_references("Бригада заменила лампы в подъезде дома 12, свет есть."),
            0
        );
    }

    #[test]
    fn a_repeat_answer_says_what_was_done() {
        assert!(says_what_was_done(
            "Мусор вывезен, контейнерная площадка убрана, меры приняты."
        ));
        assert!(says_what_was_done("Работы ВЫПОЛНЕНЫ 3 декабря."));
        assert!(!says_what_was_done("Ваше сообщение получено и передано."));
    }

    #[test]
    fn formulas_are_found_whatever_the_case_and_spacing() {
        let list = [
            "в установленном порядке",
            "принято к сведению",
            "по мере финансирования",
        ];
        assert_eq!(
            formulas_in(
                "Ваше обращение ПРИНЯТО  к сведению и будет рассмотрено в установленном порядке.",
                &list
            ),
            vec![
                "в установленном порядке".to_string(),
                "принято к сведению".to_string()
            ]
        );
        assert!(formulas_in("Сообщаем, что двор убран 4 декабря.", &list).is_empty());
    }
}
