//! Answer templates: an organisation's library of model answers (`[[templates]]` in the
//! organisation file, kept up by curators with `/template`), each for one topic or for any, with
//! fields in square brackets («[дата]», «[адрес]») the executor fills in. A draft cannot go to
//! approval while a field is left unfilled.

use super::TemplateId;

/// The longest template name (it is a button's label).
pub const NAME_LIMIT: usize = 60;
/// The longest template text: with the prompt around it, it stays within one message.
pub const TEXT_LIMIT: usize = 3000;

/// The longest field name taken for a field: a longer bracketed text is the answer's own words.
const FIELD_LIMIT: usize = 60;

/// One template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerTemplate {
    pub id: TemplateId,
    pub name: String,
    /// The topic it is for; `None`: any topic.
    pub topic: Option<String>,
    pub text: String,
}

impl AnswerTemplate {
    /// Whether the template suits an incident of this topic (topics match in any case; a
    /// template without a topic suits every incident).
    pub fn suits(&self, topic: Option<&str>) -> bool {
        match (&self.topic, topic) {
            (None, _) => true,
            (Some(mine), Some(theirs)) => {
                mine.trim().to_lowercase() == theirs.trim().to_lowercase()
            }
            (Some(_), None) => false,
        }
    }
}

/// The fields still unfilled in a text, as written («[дата]»), in order, each once. A field is
/// a bracketed text on one line, short and not empty of letters or dots («[…]», «[...]» count).
pub fn blanks(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find([']', '[', '\n']) else {
            break;
        };
        if after[close..].starts_with(']') {
            let inside = &after[..close];
            let length = inside.chars().count();
            let fieldlike = length <= FIELD_LIMIT
                && inside
                    .chars()
                    .any(|c| c.is_alphabetic() || c == '…' || c == '.' || c == '_');
            let field = format!("[{inside}]");
            if fieldlike && !found.contains(&field) {
                found.push(field);
            }
            rest = &after[close + 1..];
        } else {
            rest = &after[close..];
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(topic: Option<&str>) -> AnswerTemplate {
        AnswerTemplate {
            id: TemplateId(1),
            name: "Ямочный ремонт".into(),
            topic: topic.map(str::to_string),
            text: String::new(),
        }
    }

    #[test]
    fn the_fields_left_unfilled_are_found_in_order_once_each() {
        let text = "Здравствуйте! Ремонт дороги по ул. [улица] будет выполнен до [дата]. \
                    Подрядчик: [...]. Контроль — [улица].";
        assert_eq!(blanks(text), vec!["[улица]", "[дата]", "[...]"]);
        assert_eq!(blanks("Срок — до […]."), vec!["[…]"]);
        assert_eq!(
            blanks("Ответственный: [ФИО_исполнителя]"),
            vec!["[ФИО_исполнителя]"]
        );
    }

    #[test]
    fn a_filled_answer_has_no_fields() {
        let filled =
            "Здравствуйте! Ремонт дороги по ул. Ленина будет выполнен до 15 мая 2027 года.";
        assert!(blanks(filled).is_empty());
        // Brackets that are not fields: numbers, a long aside, a bracket never closed.
        assert!(blanks("Пункт [1] плана, сноска [12]").is_empty());
        let aside = format!("[{}]", "очень длинное пояснение ".repeat(5));
        assert!(blanks(&aside).is_empty());
        assert!(blanks("Смета [в работе").is_empty());
        assert!(blanks("[]").is_empty());
        // A field broken across lines is not one.
        assert!(blanks("[да\nта]").is_empty());
    }

    #[test]
    fn nested_brackets_leave_the_inner_field() {
        assert_eq!(blanks("[[дата]]"), vec!["[дата]"]);
    }

    #[test]
    fn a_template_suits_its_topic_in_any_case_and_one_without_a_topic_suits_all() {
        assert!(template(Some("Дороги")).suits(Some(" дороги")));
        assert!(!template(Some("Дороги")).suits(Some("ЖКХ")));
        assert!(!template(Some("Дороги")).suits(None));
        assert!(template(None).suits(Some("ЖКХ")));
        assert!(template(None).suits(None));
    }
}
