//! An incident's life between commands: registering it, and settling it after each change —
//! deadlines recomputed, the stage log brought up to date, consolidation and escalation raised.

use super::stage_record;
use super::*;
use crate::domain::permission::consolidates;
use crate::domain::regulation::WeekendRule;

impl Incident {
    /// Registers a new incident awaiting triage.
    pub fn register(reg: Registration, rules: Rules<'_>) -> Result<Transition, TransitionError> {
        let mut incident = Incident {
            state: IncidentState::New,
            importance: reg.importance,
            detected_at: reg.detected_at,
            external_deadline: reg.external_deadline,
            topic: reg.topic,
            location: reg.location,
            parts: Vec::new(),
            curator_set: BTreeMap::new(),
            consolidated: None,
            consolidated_approved_at: None,
            publication: None,
            appeal: None,
            no_answer: None,
            explanation: None,
            prepared_explanation: None,
            general_interest: false,
            cross_posts: Vec::new(),
            deadlines: Vec::new(),
            duty_alert: None,
            own_answer: false,
            returned_to_source: None,
            publication_impossible: None,
            appeal_registration: None,
            log: StageLog::default(),
            version: 1,
        };
        incident.recompute(rules)?;
        stage_record::record(&mut incident, rules, reg.received_at)?;
        let mut events = vec![Event::Registered];
        if reg.importance == Importance::High {
            events.extend(incident.raise_high_importance(rules, reg.received_at)?);
        }
        Ok(Transition { incident, events })
    }

    /// An emergency: high importance under a regulation that handles emergencies on non-working
    /// days too (it is not held back outside working hours).
    pub fn is_emergency(&self, regulation: &Regulation) -> bool {
        self.importance == Importance::High
            && regulation.workflow.weekend_rule != WeekendRule::NextWorkingDay
    }

    /// The deadline of the incident-level stage now running: routing while new; once every
    /// part still at work has published an interim answer, the final answer after it (Borovichi
    /// §16, Krymsk §15); otherwise the final deadline, stopped while every part waits for the
    /// author (Borovichi §10).
    pub fn current_deadline(&self) -> Option<(Stage, Due)> {
        let find = |stage| self.deadlines.iter().find(|(s, _)| *s == stage).copied();
        match self.state {
            IncidentState::New => find(Stage::Routing),
            s if s.is_finished() => None,
            _ => match find(Stage::InterimToFinal) {
                Some(interim @ (_, Due::At { .. } | Due::Paused { .. })) => Some(interim),
                _ => find(Stage::Final),
            },
        }
    }

    /// Whether a (non-interim) answer has been published, whole or for some department.
    pub fn answer_published(&self) -> bool {
        let published = |p: &Option<Publication>| p.as_ref().is_some_and(|p| !p.interim);
        published(&self.publication) || self.parts.iter().any(|p| published(&p.publication))
    }

    pub(super) fn active_parts(&self) -> impl Iterator<Item = &Part> {
        self.parts.iter().filter(|p| p.active())
    }

    /// Recomputes every deadline from what has happened.
    pub(super) fn recompute(&mut self, rules: Rules<'_>) -> Result<(), CalendarError> {
        let detected = Timeline::detected(self.detected_at);
        let routed_at = self.parts.iter().filter_map(|p| p.timeline.routed_at).min();
        // The incident waits for its final answer after an interim one only when every part
        // still at work has published one; then the latest of them governs.
        let working: Vec<&Part> = self
            .active_parts()
            .filter(|p| p.state != PartState::Done)
            .collect();
        let interims: Option<Vec<DateTime<Utc>>> = working
            .iter()
            .map(|p| p.timeline.interim_published_at)
            .collect();
        let interim_published_at = interims.and_then(|t| t.into_iter().max());
        let active: Vec<&[Pause]> = self.active_parts().map(|p| p.pauses.as_slice()).collect();
        let pauses = Pause::common(&active);
        let incident_timeline = Timeline {
            routed_at,
            approved_at: self.consolidated_approved_at,
            interim_published_at,
            ..detected.clone()
        };
        let input = PlanInput {
            importance: Some(self.importance),
            timeline: incident_timeline,
            pauses: &pauses,
            external_deadline: self.external_deadline,
            curator_set: self.curator_set.clone(),
        };
        self.deadlines = plan(rules.regulation, rules.calendar, &input)?;
        for part in &mut self.parts {
            let mut timeline = part.timeline.clone();
            timeline.detected_at = Some(self.detected_at);
            let input = PlanInput {
                importance: Some(self.importance),
                timeline,
                pauses: &part.pauses,
                external_deadline: self.external_deadline,
                curator_set: self.curator_set.clone(),
            };
            part.deadlines = plan(rules.regulation, rules.calendar, &input)?;
        }
        Ok(())
    }

    /// Derives the incident state from its parts after a part-level change.
    pub(super) fn settle(&mut self, rules: Rules<'_>) -> Vec<Event> {
        if self.state.is_finished() || self.state == IncidentState::New {
            return Vec::new();
        }
        let active: Vec<&Part> = self.active_parts().collect();
        if self.own_answer && active.is_empty() {
            self.state = if self.publication.is_some() {
                IncidentState::Published
            } else {
                IncidentState::AwaitingPublication
            };
            return Vec::new();
        }
        if active.is_empty() {
            self.state = IncidentState::New;
            return Vec::new();
        }
        if consolidates(self, rules.regulation) {
            if self.publication.is_some() {
                self.state = IncidentState::Published;
            } else if self.consolidated_approved_at.is_some() {
                self.state = IncidentState::AwaitingPublication;
            } else if active
                .iter()
                .all(|p| matches!(p.state, PartState::Approved { .. }))
            {
                if self.state != IncidentState::Consolidating {
                    self.state = IncidentState::Consolidating;
                    return vec![Event::ConsolidationRequested];
                }
            } else {
                self.state = IncidentState::InWork;
            }
            return Vec::new();
        }
        self.state = if active.iter().all(|p| p.state == PartState::Done) {
            IncidentState::Published
        } else if active
            .iter()
            .all(|p| matches!(p.state, PartState::Done | PartState::AwaitingFinal))
        {
            IncidentState::AwaitingFinal
        } else {
            IncidentState::InWork
        };
        Vec::new()
    }

    /// The escalation and the weekend alert a high-importance incident calls for at `at` (when
    /// it was taken in, or made high); a weekend alert is remembered so the duty officer can
    /// answer it.
    pub(super) fn raise_high_importance(
        &mut self,
        rules: Rules<'_>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Event>, CalendarError> {
        let mut events = Vec::new();
        if rules.regulation.escalation.high_importance_to_head {
            events.push(Event::EscalatedToHead);
        }
        let rule = rules.regulation.workflow.weekend_rule;
        if rule != WeekendRule::NextWorkingDay {
            // A day off, or the evening before days off (`days_off::duty_day`).
            if crate::domain::days_off::duty_day(rules.calendar, at)?.is_some() {
                events.push(Event::WeekendEmergency { rule });
                if self.duty_alert.is_none() {
                    self.duty_alert = Some(DutyAlert {
                        raised_at: at,
                        answer: None,
                    });
                }
            }
        }
        Ok(events)
    }
}
