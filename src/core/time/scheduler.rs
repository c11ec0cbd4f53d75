//! The scheduler: the part of Otklik that acts on time. Every change of an incident rewrites its
//! timers (`timer_rows`, from the domain's plan, in the same transaction); the scheduler claims
//! the timers that are due (one process each, with a lease), turns each into notices — a
//! reminder, the deadline, an escalation, an unanswered weekend alert chased further, a morning
//! digest, the duty roster check, a weekly or monthly report — and marks it fired in the same
//! transaction as the messages it writes, so a restart neither repeats nor skips one. It sleeps
//! until the next timer is due, or until one is written or the clock jumps.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::core::notices::{Audience, Notice};
use crate::core::org::OrgRules;
use crate::core::{Core, CoreError};
use crate::domain::content::ChatRef;
use crate::domain::incident::Incident;
use crate::domain::regulation::{Stage, WeekendRule};
use crate::domain::timers::{plan_timers, TimerKind};
use crate::domain::PersonId;
use crate::storage::{DueTimer, OutboxRow, Recipient, StorageError, TimerRow};

/// What a stored timer says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "timer", rename_all = "snake_case")]
pub enum TimerPayload {
    /// A point of an incident's plan.
    Incident {
        kind: TimerKind,
        part: Option<usize>,
        stage: Option<Stage>,
        deadline: DateTime<Utc>,
    },
    /// A recipient's morning digest of what was held back.
    Digest {
        person: Option<PersonId>,
        chat: Option<ChatRef>,
        since: DateTime<Utc>,
    },
    /// On the last working day before days off: is anybody on duty then?
    DutyCheck { day: NaiveDate },
    /// A weekly or monthly report is due.
    Report {
        request: crate::core::reports::ReportRequest,
    },
    /// The daily removal of personal data past the retention period.
    Retention { day: NaiveDate },
}

/// An incident's timers now, as rows to write with its change.
pub(crate) fn timer_rows(
    incident: &Incident,
    rules: &OrgRules,
) -> Result<Vec<TimerRow>, CoreError> {
    let planned = plan_timers(incident, rules.rules(), &rules.regulation().reminders)?;
    planned
        .into_iter()
        .map(|t| {
            let payload = TimerPayload::Incident {
                kind: t.kind,
                part: t.part,
                stage: t.stage,
                deadline: t.deadline,
            };
            Ok(TimerRow {
                incident: None,
                key: t.key,
                kind: t.kind.key(),
                payload: serde_json::to_value(payload)?,
                due_at: t.at,
            })
        })
        .collect()
}

/// The notices an incident's timer calls for.
fn timer_notices(
    kind: TimerKind,
    part: Option<usize>,
    stage: Option<Stage>,
    deadline: DateTime<Utc>,
) -> Vec<(Audience, Notice)> {
    match (kind, stage) {
        (TimerKind::Reminder, Some(stage)) => vec![(
            Audience::Owner { part, stage },
            Notice::Reminder {
                part,
                stage,
                deadline,
            },
        )],
        (TimerKind::Deadline, Some(stage)) => {
            let notice = Notice::Overdue {
                part,
                stage,
                deadline,
            };
            vec![
                (Audience::Owner { part, stage }, notice.clone()),
                (Audience::Curators, notice),
            ]
        }
        (TimerKind::EscalateToDepartmentHead, Some(stage)) => match part {
            Some(p) => vec![(
                Audience::DepartmentHead(p),
                Notice::Late {
                    part,
                    stage,
                    deadline,
                },
            )],
            None => Vec::new(),
        },
        (TimerKind::EscalateToHead, Some(stage)) => vec![(
            Audience::Head,
            Notice::Late {
                part,
                stage,
                deadline,
            },
        )],
        (TimerKind::DutyUnanswered { step: 1 }, _) => {
            vec![(Audience::RestOnDuty, Notice::DutyUnanswered)]
        }
        (TimerKind::ClarificationFollowUp, _) => match part {
            Some(part) => {
                let notice = Notice::ClarificationUnanswered {
                    part,
                    since: deadline,
                };
                vec![
                    (Audience::Executor(part), notice.clone()),
                    (Audience::Curators, notice),
                ]
            }
            None => Vec::new(),
        },
        (TimerKind::DutyUnanswered { .. }, _) => vec![
            (Audience::Curators, Notice::DutyUnanswered),
            (Audience::Head, Notice::DutyUnanswered),
        ],
        _ => Vec::new(),
    }
}

/// The local noon of a day, for the duty roster check.
fn local_noon(rules: &OrgRules, day: NaiveDate) -> Option<DateTime<Utc>> {
    rules
        .calendar
        .zone()
        .from_local_datetime(&day.and_hms_opt(12, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The next last working day before days off, at or after `from` (its noon must be ahead of
/// `after`), with the days off that follow it; `None` past the calendar's years.
fn next_duty_check(
    rules: &OrgRules,
    from: NaiveDate,
    after: DateTime<Utc>,
) -> Option<(NaiveDate, DateTime<Utc>, Vec<NaiveDate>)> {
    let working = |d: NaiveDate| rules.calendar.is_working_day(d).ok();
    let mut day = from;
    for _ in 0..400 {
        let next = day.succ_opt()?;
        if working(day)? && !working(next)? {
            let at = local_noon(rules, day)?;
            if at > after {
                let mut off = Vec::new();
                let mut d = next;
                while !working(d)? {
                    off.push(d);
                    d = d.succ_opt()?;
                }
                return Some((day, at, off));
            }
        }
        day = next;
    }
    None
}

impl Core {
    /// Fires the timers due now (a batch); returns how many were handled.
    pub async fn fire_due_timers(&self) -> Result<usize, CoreError> {
        let due = self
            .store
            .claim_timers(self.now(), 50, self.lease(), &self.name)
            .await?;
        let n = due.len();
        let ids: Vec<i64> = due.iter().map(|t| t.id).collect();
        self.while_leased(crate::core::delivery::lease::Leased::Timers, &ids, async {
            for t in due {
                if let Err(e) = self.fire(&t).await {
                    // The lease runs out and the timer is tried again.
                    tracing::error!(timer = t.id, key = %t.key, error = %e, "a timer could not fire");
                }
            }
        })
        .await;
        if n > 0 {
            self.wake_delivery();
        }
        Ok(n)
    }

    async fn fire(&self, t: &DueTimer) -> Result<(), CoreError> {
        let payload: TimerPayload = match serde_json::from_value(t.payload.clone()) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(timer = t.id, error = %e, "a timer cannot be read; it is dropped");
                self.store.fire_timer(t, &[], &[], self.now()).await?;
                return Ok(());
            }
        };
        let rules = self.org(t.org).await?;
        let (rows, follow_ups) = match payload {
            TimerPayload::Incident {
                kind,
                part,
                stage,
                deadline,
            } => {
                self.incident_timer(&rules, t, kind, part, stage, deadline)
                    .await?
            }
            TimerPayload::Digest {
                person,
                chat,
                since,
            } => {
                let recipient = match (person, chat) {
                    (Some(p), _) => Recipient::Person(p),
                    (None, Some(c)) => Recipient::Chat(c),
                    (None, None) => Recipient::Worker,
                };
                let notice = Notice::Digest { since };
                let row = OutboxRow {
                    incident: None,
                    recipient,
                    kind: notice.kind().into(),
                    payload: notice.to_json(),
                    lane: notice.lane().number(),
                    key: format!("timer:{}", t.id),
                };
                (vec![row], Vec::new())
            }
            TimerPayload::DutyCheck { day } => self.duty_check(&rules, t, day).await?,
            TimerPayload::Report { request } => self.report_rows(&rules, t.id, request, t.due_at),
            TimerPayload::Retention { .. } => {
                (Vec::new(), self.retention_run(&rules, t.due_at).await?)
            }
        };
        self.store
            .fire_timer(t, &rows, &follow_ups, self.now())
            .await?;
        Ok(())
    }

    /// A point of an incident's plan: if the incident still needs it (its stage still runs with
    /// that deadline), the notices; otherwise nothing.
    async fn incident_timer(
        &self,
        rules: &OrgRules,
        t: &DueTimer,
        kind: TimerKind,
        part: Option<usize>,
        stage: Option<Stage>,
        deadline: DateTime<Utc>,
    ) -> Result<(Vec<OutboxRow>, Vec<TimerRow>), CoreError> {
        let Some(id) = t.incident else {
            return Ok((Vec::new(), Vec::new()));
        };
        let record = match self.store.incident(id).await {
            Ok(r) => r,
            Err(StorageError::NotFound(_)) => return Ok((Vec::new(), Vec::new())),
            Err(e) => return Err(e.into()),
        };
        let still = timer_rows(&record.workflow, rules)?
            .iter()
            .any(|r| crate::storage::timers::stored_key(Some(id), &r.key) == t.key);
        // A reminder that comes at or after its deadline (Otklik was down when it was due)
        // says nothing the deadline's own notice does not.
        let stale = kind == TimerKind::Reminder && self.now() >= deadline;
        if !still || stale {
            return Ok((Vec::new(), Vec::new()));
        }
        let notices = timer_notices(kind, part, stage, deadline);
        let planned = self
            .rows_for(
                rules,
                &record.workflow,
                &notices,
                &format!("timer:{}", t.id),
            )
            .await?;
        Ok((planned.rows, planned.digests))
    }

    /// The duty roster check: tells the curators which coming days off have nobody on duty, and
    /// sets the next check. A check that comes late (the process was down past its day) only
    /// sets the next one: the days it was about have begun.
    async fn duty_check(
        &self,
        rules: &OrgRules,
        t: &DueTimer,
        day: NaiveDate,
    ) -> Result<(Vec<OutboxRow>, Vec<TimerRow>), CoreError> {
        let now = self.now();
        let today = rules.calendar.local_date(now);
        let mut rows = Vec::new();
        let off = match next_duty_check(rules, day, t.due_at - Duration::seconds(1)) {
            Some((_, _, off)) if today == day => off,
            _ => Vec::new(),
        };
        let mut empty = Vec::new();
        for d in off {
            if self.store.on_duty(rules.org.id, d).await?.is_empty() {
                empty.push(d);
            }
        }
        if !empty.is_empty() {
            let notice = Notice::NoDutyOfficer { dates: empty };
            let dir = crate::core::notices::Directory {
                rules,
                absences: &[],
                on_duty: &[],
            };
            for r in crate::core::notices::recipients(Audience::Curators, None, &dir) {
                rows.push(OutboxRow {
                    incident: None,
                    recipient: r,
                    kind: notice.kind().into(),
                    payload: notice.to_json(),
                    lane: notice.lane().number(),
                    key: format!("timer:{}:{}", t.id, rows.len()),
                });
            }
        }
        let from = day.succ_opt().unwrap_or(day).max(today);
        let next = self.duty_check_timer(rules, from, now.max(t.due_at))?;
        Ok((rows, next.into_iter().collect()))
    }

    /// The next duty roster check of an organisation whose regulation keeps a duty roster.
    fn duty_check_timer(
        &self,
        rules: &OrgRules,
        from: NaiveDate,
        after: DateTime<Utc>,
    ) -> Result<Option<TimerRow>, CoreError> {
        if rules.regulation().workflow.weekend_rule != WeekendRule::DutyOfficer {
            return Ok(None);
        }
        let Some((day, at, _)) = next_duty_check(rules, from, after) else {
            return Ok(None);
        };
        Ok(Some(TimerRow {
            incident: None,
            key: format!("dutycheck:{day}"),
            kind: "duty_check".into(),
            payload: serde_json::to_value(TimerPayload::DutyCheck { day })?,
            due_at: at,
        }))
    }

    /// Keeps each organisation's next duty roster check and next reports set.
    pub async fn schedule_org_timers(&self) -> Result<(), CoreError> {
        let now = self.now();
        for org in self.store.organisation_ids().await? {
            let rules = self.org(org).await?;
            let today = rules.calendar.local_date(now);
            let mut timers: Vec<TimerRow> = self
                .duty_check_timer(&rules, today, now)?
                .into_iter()
                .collect();
            timers.extend(self.report_timers(&rules, now));
            timers.extend(self.retention_timer(&rules, now));
            if !timers.is_empty() {
                self.store.add_org_timers(org, &timers, now).await?;
            }
        }
        self.timers_written();
        Ok(())
    }
}

/// Runs until cancelled: fires what is due, then sleeps until the next timer, a new timer, or a
/// jump of the clock. Every few minutes it looks again anyway (timers written by another
/// process do not wake this one).
pub async fn run(core: Arc<Core>, cancel: CancellationToken) {
    let mut jumps = core.clock().jumps();
    let mut last_check: Option<DateTime<Utc>> = None;
    loop {
        if cancel.is_cancelled() {
            break;
        }
        match core.fire_due_timers().await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "the scheduler failed"),
        }
        let now = core.now();
        if last_check.is_none_or(|t| now - t > Duration::hours(1) || now < t) {
            last_check = Some(now);
            if let Err(e) = core.schedule_org_timers().await {
                tracing::warn!(error = %e, "cannot schedule the duty roster checks and reports");
            }
        }
        let wait = match core.store.next_timer_at().await {
            Ok(Some(t)) => (t - now).clamp(Duration::zero(), Duration::minutes(5)),
            Ok(None) => Duration::minutes(5),
            Err(e) => {
                tracing::error!(error = %e, "the scheduler cannot read its timers");
                Duration::seconds(30)
            }
        };
        let wait = wait.to_std().unwrap_or_default() + std::time::Duration::from_millis(5);
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = tokio::time::sleep(wait) => {}
            _ = core.timer_written() => {}
            _ = crate::core::time::clock::jumped(&mut jumps) => {}
        }
    }
}
