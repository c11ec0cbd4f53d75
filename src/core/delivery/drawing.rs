//! Drawing a notice for a viewer: the drawing context of an organisation now, and what a card
//! reads besides the incident (the departments ticked at triage, the earlier incident of a
//! repeat, the departments' people on call, published answers to similar messages).

use crate::core::cards::Draw;
use crate::core::notices::Notice;
use crate::core::org::OrgRules;
use crate::core::view::View;
use crate::core::{Core, CoreError};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::Actor;

impl Core {
    /// The drawing context for an organisation, now.
    pub(crate) fn draw<'a>(
        &'a self,
        rules: &'a OrgRules,
        ticked: &'a [crate::domain::DepartmentId],
        earlier: Option<&'a IncidentRecord>,
    ) -> Draw<'a> {
        Draw {
            texts: &self.texts,
            rules,
            now: self.now(),
            ticked,
            earlier,
            department_duty: &[],
            similar: &[],
        }
    }

    /// The earlier incident a repeat refers to, for its card.
    pub(crate) async fn earlier_of(
        &self,
        record: &IncidentRecord,
    ) -> Result<Option<IncidentRecord>, CoreError> {
        match record.content.repeat_of {
            Some(prev) => self.incident_of(record.org, prev).await,
            None => Ok(None),
        }
    }

    /// Draws a notice about an incident for a viewer, reading what the drawing needs.
    pub async fn draw_notice(
        &self,
        rules: &OrgRules,
        notice: &Notice,
        record: &IncidentRecord,
        viewer: &Actor,
    ) -> Result<Option<View>, CoreError> {
        let ticked = if matches!(notice, Notice::Triage | Notice::CuratorCard)
            && record.workflow.state == crate::domain::incident::IncidentState::New
        {
            self.store.triage_departments(record.id).await?
        } else {
            Vec::new()
        };
        let earlier = if matches!(
            notice,
            Notice::Triage
                | Notice::CuratorCard
                | Notice::IncidentCard { .. }
                | Notice::CompetenceCheck { .. }
                | Notice::CompetenceConfirmed { .. }
        ) {
            self.earlier_of(record).await?
        } else {
            None
        };
        // Sakhalin 3.9: the weekend alert names each department's people on call.
        let department_duty = if matches!(notice, Notice::WeekendEmergency | Notice::DutyUnanswered)
        {
            let day = crate::core::org::duty_day(rules, self.now());
            self.store.department_duty(rules.org.id, day).await?
        } else {
            Vec::new()
        };
        let similar = match notice {
            Notice::IncidentCard { part } => self.similar_for_card(record, *part).await?,
            _ => Vec::new(),
        };
        let mut draw = self.draw(rules, &ticked, earlier.as_ref());
        draw.department_duty = &department_duty;
        draw.similar = &similar;
        Ok(draw.notice(notice, record, viewer))
    }
}
