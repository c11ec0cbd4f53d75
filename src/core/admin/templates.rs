//! `/template`: the curators keep the organisation's answer templates — list them, add or
//! replace one by name (for a topic or for any), remove one. Each change is a directory change:
//! one transaction with its audit record, and the cached rules reload.

use crate::core::reply::Reply;
use crate::core::view::View;
use crate::core::{Core, CoreError, Who};
use crate::domain::incident::Role;
use crate::domain::templates::{NAME_LIMIT, TEXT_LIMIT};
use crate::storage::{DirectoryChange, NewTemplate};
use crate::texts::Arg;

/// What `/template …` asks for.
#[derive(Debug, PartialEq, Eq)]
enum TemplateCommand<'a> {
    List,
    Remove(&'a str),
    /// `Название; [Тема;] Текст`: the second part is a topic only when it names one (or is
    /// «-» or «все»); otherwise it is the beginning of the text, which may hold «;» itself.
    Save {
        name: &'a str,
        second: Option<&'a str>,
        rest: &'a str,
    },
    Malformed,
}

fn parse(args: &str) -> TemplateCommand<'_> {
    let args = args.trim();
    if args.is_empty() {
        return TemplateCommand::List;
    }
    if let Some(name) = args
        .strip_prefix("удалить")
        .filter(|r| r.starts_with(char::is_whitespace))
    {
        return TemplateCommand::Remove(name.trim());
    }
    let mut parts = args.splitn(3, ';').map(str::trim);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(name), Some(text), None) if !name.is_empty() && !text.is_empty() => {
            TemplateCommand::Save {
                name,
                second: None,
                rest: text,
            }
        }
        (Some(name), Some(second), Some(rest)) if !name.is_empty() && !rest.is_empty() => {
            TemplateCommand::Save {
                name,
                second: Some(second),
                rest,
            }
        }
        _ => TemplateCommand::Malformed,
    }
}

impl Core {
    /// `/template` for curators and administrators.
    pub(crate) async fn template_command(&self, who: &Who, args: &str) -> Result<Reply, CoreError> {
        let say = |text: String| Ok(Reply::say(View::text(text)));
        let (rules, actor) = self.actor_of(who).await?;
        if !(actor.has(Role::Curator) || actor.has(Role::Administrator)) {
            return say(self.texts.t("admin-only"));
        }
        let topic_label = |topic: &Option<String>| match topic {
            Some(t) => self.texts.tf("template-topic", &[("topic", Arg::from(t))]),
            None => self.texts.t("template-any-topic"),
        };
        let known = |name: &str| {
            rules
                .templates
                .iter()
                .find(|t| t.name.to_lowercase() == name.to_lowercase())
        };
        match parse(args) {
            TemplateCommand::List => {
                let mut text = if rules.templates.is_empty() {
                    self.texts.t("template-list-empty")
                } else {
                    let count = Arg::Num(rules.templates.len() as i64);
                    let mut text = self.texts.tf("template-list-header", &[("count", count)]);
                    for t in &rules.templates {
                        text.push('\n');
                        text.push_str(&self.texts.tf(
                            "template-list-line",
                            &[
                                ("name", Arg::from(&t.name)),
                                ("topic", Arg::from(&topic_label(&t.topic))),
                            ],
                        ));
                    }
                    text
                };
                text.push_str("\n\n");
                text.push_str(&self.texts.t("template-usage"));
                say(text)
            }
            TemplateCommand::Malformed => say(self.texts.t("template-usage")),
            TemplateCommand::Remove(name) => {
                let Some(found) = known(name) else {
                    return say(self
                        .texts
                        .tf("template-not-found", &[("name", Arg::from(name))]));
                };
                let name = found.name.clone();
                self.change_directory(
                    who,
                    DirectoryChange::RemoveTemplate { name: name.clone() },
                    Vec::new(),
                )
                .await?;
                say(self
                    .texts
                    .tf("template-removed", &[("name", Arg::from(&name))]))
            }
            TemplateCommand::Save { name, second, rest } => {
                // The second part is a topic when it names one; «-» or «все»: any topic.
                let (topic, text) = match second {
                    Some(s) if s == "-" || s.to_lowercase() == "все" => (None, rest.to_string()),
                    Some(s) => match rules
                        .directory
                        .topics
                        .iter()
                        .find(|t| t.name.to_lowercase() == s.to_lowercase())
                    {
                        Some(t) => (Some(t.name.clone()), rest.to_string()),
                        None => (None, format!("{s}; {rest}")),
                    },
                    None => (None, rest.to_string()),
                };
                if name.chars().count() > NAME_LIMIT {
                    let limit = Arg::Num(NAME_LIMIT as i64);
                    return say(self.texts.tf("template-name-too-long", &[("limit", limit)]));
                }
                if text.chars().count() > TEXT_LIMIT {
                    let limit = Arg::Num(TEXT_LIMIT as i64);
                    return say(self.texts.tf("template-too-long", &[("limit", limit)]));
                }
                // The same name in another case replaces that template.
                let name = known(name).map_or_else(|| name.to_string(), |t| t.name.clone());
                let key = if known(&name).is_some() {
                    "template-replaced"
                } else {
                    "template-saved"
                };
                let label = topic_label(&topic);
                let fields = crate::domain::templates::blanks(&text).join(", ");
                self.change_directory(
                    who,
                    DirectoryChange::SaveTemplate(NewTemplate {
                        name: name.clone(),
                        topic,
                        text,
                    }),
                    Vec::new(),
                )
                .await?;
                let mut answer = self.texts.tf(
                    key,
                    &[("name", Arg::from(&name)), ("topic", Arg::from(&label))],
                );
                if !fields.is_empty() {
                    answer.push('\n');
                    answer.push_str(
                        &self
                            .texts
                            .tf("template-fields", &[("fields", Arg::from(&fields))]),
                    );
                }
                say(answer)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_read_into_what_it_asks_for() {
        assert_eq!(parse("  "), TemplateCommand::List);
        assert_eq!(parse("удалить Ямы"), TemplateCommand::Remove("Ямы"));
        assert_eq!(
            parse("Ямы; Дороги; Ремонт до [дата]; контроль — отдел"),
            TemplateCommand::Save {
                name: "Ямы",
                second: Some("Дороги"),
                rest: "Ремонт до [дата]; контроль — отдел",
            }
        );
        assert_eq!(
            parse("Общий; Спасибо за обращение"),
            TemplateCommand::Save {
                name: "Общий",
                second: None,
                rest: "Спасибо за обращение",
            }
        );
        assert_eq!(parse("Без текста"), TemplateCommand::Malformed);
        assert_eq!(parse("; текст"), TemplateCommand::Malformed);
        // «удалитьЯмы» is a name, not a removal (and without text, malformed).
        assert_eq!(parse("удалитьЯмы"), TemplateCommand::Malformed);
    }
}
