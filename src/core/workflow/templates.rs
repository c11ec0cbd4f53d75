//! Answer templates in use: «🗂 Шаблоны» on the executor's card lists those for the incident's
//! topic; a template picked opens the draft with its text, and the executor sends it back with
//! the fields in square brackets filled in (the preview will not send a draft with a field left).

use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::{Button, Line, View};
use crate::core::workflow::drafts::DraftStart;
use crate::core::{Action, Core, CoreError, Who};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, DraftKind};
use crate::domain::templates::blanks;
use crate::domain::TemplateId;
use crate::texts::Arg;

/// How many templates the list shows (a keyboard stays within what a phone shows).
pub const LISTED: usize = 20;

impl Core {
    /// «🗂 Шаблоны»: the templates for the incident's topic, one button each.
    pub(crate) async fn template_list(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        part: usize,
    ) -> Result<Reply, CoreError> {
        if let Some(refusal) = self.draft_refusal(rules, actor, &record, part, DraftKind::Answer) {
            return Ok(refusal);
        }
        let topic = record.workflow.topic.as_deref();
        let mut found = rules.templates_for(topic);
        if found.is_empty() {
            return Ok(Reply::alert(self.texts.t("templates-none")));
        }
        // Those for the topic first, then those for any topic.
        found.sort_by_key(|t| t.topic.is_none());
        let topic_line = match topic {
            Some(t) => self.texts.tf("templates-topic", &[("topic", Arg::from(t))]),
            None => String::new(),
        };
        let header = self.texts.tf(
            "templates-header",
            &[
                ("number", Arg::Num(record.number)),
                ("topic", Arg::from(&topic_line)),
            ],
        );
        let buttons = found
            .iter()
            .take(LISTED)
            .map(|t| {
                vec![Button {
                    label: t.name.clone(),
                    action: Action::DraftFromTemplate {
                        inc: record.id,
                        part,
                        template: t.id,
                    },
                }]
            })
            .collect();
        Ok(Reply::say(View::text(header).with_buttons(buttons)))
    }

    /// A template picked: the part accepted where needed, the draft opened with its text.
    pub(crate) async fn draft_from_template(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        part: usize,
        template: TemplateId,
    ) -> Result<Reply, CoreError> {
        let Some(chosen) = rules.templates.iter().find(|t| t.id == template).cloned() else {
            return Ok(Reply::alert(self.texts.t("template-gone")));
        };
        let fields = blanks(&chosen.text);
        let next = if fields.is_empty() {
            self.texts.t("draft-from-next")
        } else {
            let fields = fields.join(", ");
            self.texts.tf(
                "draft-from-template-next",
                &[("fields", Arg::from(&fields))],
            )
        };
        let lines = vec![
            Line::Text(
                self.texts
                    .tf("draft-from-template", &[("name", Arg::from(&chosen.name))]),
            ),
            Line::Blank,
            // Set apart so a tap copies it, to fill the fields in.
            Line::Preformatted(chosen.text.clone()),
            Line::Blank,
            Line::Text(next),
        ];
        let start = DraftStart {
            text: chosen.text,
            lines,
        };
        self.open_draft_with(who, rules, actor, record, part, start)
            .await
    }
}
