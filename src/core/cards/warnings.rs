//! What a draft's checks say, on the executor's preview and the approval card alike.

use super::{network, Draw};
use crate::domain::content::{IncidentRecord, MessageKind};
use crate::domain::incident::DraftKind;
use crate::domain::warnings::{check_draft, AnswerStyle, DraftFacts, DraftWarning};
use crate::texts::Arg;

impl Draw<'_> {
    /// The warnings for a draft of this incident, worded for the chat.
    pub(super) fn draft_warnings(
        &self,
        inc: &IncidentRecord,
        kind: DraftKind,
        text: &str,
        photos: usize,
    ) -> Vec<String> {
        let to_resident = kind != DraftKind::Clarification;
        let facts = DraftFacts {
            source: inc.content.source,
            to_resident,
            repeated: inc.content.repeat_of.is_some(),
            photos,
            // An interim answer reports no finished work yet.
            photo_required: kind == DraftKind::Answer
                && self.rules.photo_required(inc.workflow.topic.as_deref()),
        };
        // The list lives in `dialogues/`, one formula a line, so it is edited with the wording.
        let list = self.t("check-formulas");
        let formulas: Vec<&str> = list
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let style = AnswerStyle {
            formulas: &formulas,
            law_references: self.rules.regulation().answers.law_references,
        };
        check_draft(text, facts, style)
            .iter()
            .map(|w| self.warning(w, inc))
            .collect()
    }

    fn warning(&self, w: &DraftWarning, inc: &IncidentRecord) -> String {
        let visibility = self.t(if inc.content.kind == MessageKind::Direct {
            "visibility-private"
        } else {
            "visibility-public"
        });
        match w {
            DraftWarning::Phone(v) => self.tf(
                "warn-phone",
                &[
                    ("value", Arg::from(v)),
                    ("visibility", Arg::from(&visibility)),
                ],
            ),
            DraftWarning::Email(v) => self.tf("warn-email", &[("value", Arg::from(v))]),
            DraftWarning::DocumentNumber(v) => self.tf("warn-document", &[("value", Arg::from(v))]),
            DraftWarning::TooLong { limit } => self.tf(
                "warn-too-long",
                &[
                    (
                        "network",
                        Arg::from(&network(self.texts, inc.content.source)),
                    ),
                    ("limit", Arg::Num(*limit as i64)),
                ],
            ),
            DraftWarning::RepeatWithoutMeasures => self.t("warn-repeat"),
            DraftWarning::PromiseWithoutTerm(sentence) => {
                self.tf("warn-promise", &[("sentence", Arg::from(sentence))])
            }
            DraftWarning::TooManyLawReferences { found, allowed } => self.tf(
                "warn-laws",
                &[
                    ("found", Arg::Num(*found as i64)),
                    ("allowed", Arg::Num(*allowed as i64)),
                ],
            ),
            DraftWarning::Formula(f) => self.tf("warn-formula", &[("formula", Arg::from(f))]),
            DraftWarning::NoPhoto => self.t("warn-no-photo"),
        }
    }
}
