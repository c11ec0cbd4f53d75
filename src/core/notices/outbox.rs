//! A transition's notices as outbox rows: the recipients as the directory stands now (absences,
//! the duty roster), and quiet hours turning them into digests.

use crate::core::notices::{outbox_rows, Audience, Directory, Notice};

use crate::core::notices;
use crate::core::org::OrgRules;
use crate::core::{Core, CoreError};
use crate::domain::incident::Incident;
use crate::domain::PersonId;

impl Core {
    /// The directory notices are resolved against, read only as far as the audiences need.
    async fn notice_directory(
        &self,
        rules: &OrgRules,
        audiences: &[Audience],
    ) -> Result<(Vec<(PersonId, PersonId)>, Vec<PersonId>), CoreError> {
        let now = self.now();
        let absences = if audiences.iter().any(|a| {
            matches!(
                a,
                Audience::Executor(_) | Audience::DepartmentHead(_) | Audience::Owner { .. }
            )
        }) {
            self.store.absences_at(rules.org.id, now).await?
        } else {
            Vec::new()
        };
        let on_duty = if audiences
            .iter()
            .any(|a| matches!(a, Audience::FirstOnDuty | Audience::RestOnDuty))
        {
            self.store
                .on_duty(rules.org.id, crate::core::org::duty_day(rules, now))
                .await?
        } else {
            Vec::new()
        };
        Ok((absences, on_duty))
    }

    /// Quiet hours for an incident's notices now: outside the organisation's working time,
    /// unless the incident is an emergency the regulation handles on days off.
    pub(crate) fn quiet(&self, rules: &OrgRules, incident: &Incident) -> Option<notices::Quiet> {
        if incident.is_emergency(rules.regulation()) {
            return None;
        }
        let now = self.now();
        // Outside the calendar's years nothing is held: better a message at night than none.
        if rules.calendar.is_working(now).unwrap_or(true) {
            return None;
        }
        let until = rules.calendar.next_working_instant(now).ok()?;
        Some(notices::Quiet {
            until,
            day: rules.calendar.local_date(until),
            now,
        })
    }

    /// The outbox rows for notices about an incident (and the digests quiet hours turn them
    /// into).
    pub(crate) async fn rows_for(
        &self,
        rules: &OrgRules,
        incident: &Incident,
        notices: &[(Audience, Notice)],
        tag: &str,
    ) -> Result<notices::Planned, CoreError> {
        let audiences: Vec<Audience> = notices.iter().map(|(a, _)| *a).collect();
        let (absences, on_duty) = self.notice_directory(rules, &audiences).await?;
        let dir = Directory {
            rules,
            absences: &absences,
            on_duty: &on_duty,
        };
        let quiet = self.quiet(rules, incident);
        Ok(outbox_rows(notices, incident, &dir, tag, quiet.as_ref()))
    }
}
