//! Retention of personal data (152-FZ): every day at the profile's `privacy.run_at`, finished
//! incidents found more than `privacy.keep_days` ago are anonymised (see `domain::retention`),
//! each in its own transaction; `otklik purge` does the same on demand.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::core::org::OrgRules;
use crate::core::time::scheduler::TimerPayload;
use crate::core::{Core, CoreError};
use crate::domain::retention::{anonymise, due_for_anonymising, retention_cutoff};
use crate::domain::OrgId;
use crate::storage::{StorageError, TimerRow};

/// How many incidents one pass reads at a time.
const BATCH: i64 = 200;

impl Core {
    /// The organisation's next daily anonymisation, after `after`.
    pub(crate) fn retention_timer(
        &self,
        rules: &OrgRules,
        after: DateTime<Utc>,
    ) -> Option<TimerRow> {
        let zone = rules.calendar.zone();
        let run_at = rules.regulation().privacy.run_at;
        let mut day = rules.calendar.local_date(after);
        for _ in 0..3 {
            let at = zone
                .from_local_datetime(&day.and_time(run_at))
                .earliest()
                .map(|t| t.with_timezone(&Utc));
            if let Some(at) = at.filter(|t| *t > after) {
                let payload = serde_json::to_value(TimerPayload::Retention { day }).ok()?;
                return Some(TimerRow {
                    incident: None,
                    key: format!("retention:{day}"),
                    kind: "retention".into(),
                    payload,
                    due_at: at,
                });
            }
            day = day.succ_opt()?;
        }
        None
    }

    /// The anonymisation the daily timer runs: everything past the organisation's retention
    /// period now; returns the next day's timer.
    pub(crate) async fn retention_run(
        &self,
        rules: &OrgRules,
        due_at: DateTime<Utc>,
    ) -> Result<Vec<TimerRow>, CoreError> {
        let keep_days = rules.regulation().privacy.keep_days;
        let cutoff = retention_cutoff(self.now(), keep_days);
        let done = self.anonymise_before(rules.org.id, cutoff).await?;
        if done > 0 {
            tracing::info!(
                org = rules.org.id.0,
                anonymised = done,
                "personal data past its retention period removed"
            );
        }
        Ok(self
            .retention_timer(rules, due_at + Duration::minutes(1))
            .into_iter()
            .collect())
    }

    /// Anonymises every finished incident of an organisation found before `cutoff`; returns how
    /// many were.
    pub async fn anonymise_before(
        &self,
        org: OrgId,
        cutoff: DateTime<Utc>,
    ) -> Result<usize, CoreError> {
        let placeholder = self.texts.t("retention-removed");
        // Answers shown to people are kept no longer than what they answered.
        self.store.forget_answers(org, cutoff).await?;
        let mut done = 0;
        loop {
            let ids = self
                .store
                .incidents_to_anonymise(org, cutoff, BATCH)
                .await?;
            if ids.is_empty() {
                return Ok(done);
            }
            let mut progressed = false;
            for id in ids {
                let mut record = match self.store.incident(id).await {
                    Ok(r) => r,
                    Err(StorageError::NotFound(_)) => continue,
                    Err(e) => return Err(e.into()),
                };
                if !due_for_anonymising(&record.workflow, cutoff) {
                    continue;
                }
                anonymise(&mut record, &placeholder);
                let redraw = crate::core::notices::refresh_row("anonymised".into());
                if self
                    .store
                    .anonymise_incident(&record, &[redraw], self.now())
                    .await?
                {
                    done += 1;
                    progressed = true;
                }
            }
            if !progressed {
                return Ok(done);
            }
            self.wake_delivery();
        }
    }
}
