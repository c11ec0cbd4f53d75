//! Making a report: the period's facts read once, the figures, the text, the chart and the
//! workbook (`book.rs`), kept a few minutes; `/report` and its buttons.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use super::request::*;
use super::schedule::*;
use crate::core::action::{Action, ReportSpan};
use crate::core::notices::Notice;
use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::{Button, View};
use crate::core::{Core, CoreError, Who};
use crate::domain::incident::Role;
use crate::domain::report::figures;
use crate::domain::OrgId;
use crate::texts::Arg;

impl Core {
    /// Writes the report rows of incidents stored before reports kept them (after an upgrade);
    /// returns how many.
    pub async fn backfill_report_facts(&self) -> Result<usize, CoreError> {
        let ids = self.store.incidents_without_report_facts().await?;
        for id in &ids {
            self.store.write_report_facts(*id).await?;
        }
        if !ids.is_empty() {
            tracing::info!(
                incidents = ids.len(),
                "report facts written for older incidents"
            );
        }
        Ok(ids.len())
    }

    /// Makes a report (or takes the one just made for the same request).
    pub async fn report(
        &self,
        org: OrgId,
        request: ReportRequest,
    ) -> Result<Arc<ReportFiles>, CoreError> {
        let now = self.now();
        if let Some(files) = self.reports.fresh(org, request, now) {
            return Ok(files);
        }
        let files = Arc::new(self.make_report(org, request).await?);
        self.reports.keep(org, request, now, files.clone());
        Ok(files)
    }

    /// Makes a report from the stored facts: the text, the chart and the workbook.
    pub async fn make_report(
        &self,
        org: OrgId,
        request: ReportRequest,
    ) -> Result<ReportFiles, CoreError> {
        let now = self.now();
        let rules = self.org(org).await?;
        // The two periods are read side by side (two connections).
        let (facts, previous) = tokio::try_join!(
            self.store.report_facts(org, request.period()),
            self.store.report_facts(org, request.previous())
        )?;
        let current = figures(&facts, now, rules.rules())?;
        let before = figures(&previous, now, rules.rules())?;
        // Drawing and writing the files takes a while on a busy month: off the async workers.
        let texts = self.texts.clone();
        tokio::task::spawn_blocking(move || {
            let book = super::book::Book {
                texts: &texts,
                rules: &rules,
                request,
                now,
            };
            book.files(&facts, &current, &before)
        })
        .await
        .map_err(|e| CoreError::Interrupted(e.to_string()))?
    }

    /// `/report`: with two dates, that period; otherwise buttons for the usual periods.
    pub(crate) async fn report_command(&self, who: &Who, args: &str) -> Result<Reply, CoreError> {
        let (rules, actor) = self.actor_of(who).await?;
        if !may_see_reports(&actor) {
            return Ok(Reply::say(View::text(self.texts.t("report-not-allowed"))));
        }
        let words: Vec<&str> = args.split_whitespace().collect();
        if words.is_empty() {
            let button = |key: &str, span| Button {
                label: self.texts.t(key),
                action: Action::Report { span },
            };
            return Ok(Reply::say(
                View::text(self.texts.t("report-choose")).with_buttons(vec![
                    vec![
                        button("report-this-week", ReportSpan::ThisWeek),
                        button("report-last-week", ReportSpan::LastWeek),
                    ],
                    vec![
                        button("report-this-month", ReportSpan::ThisMonth),
                        button("report-last-month", ReportSpan::LastMonth),
                    ],
                ]),
            ));
        }
        let dates: Vec<Option<NaiveDate>> = words.iter().map(|w| parse_date(w)).collect();
        let (first, last) = match dates.as_slice() {
            [Some(a), Some(b)] => (*a, *b),
            [Some(a)] => (*a, *a),
            _ => return Ok(Reply::say(View::text(self.texts.t("report-bad-dates")))),
        };
        let (min, max) = rules.calendar.covered_years();
        let covered = |d: NaiveDate| (min..=max).contains(&d.year());
        if !covered(first) || !covered(last) {
            return Ok(Reply::say(View::text(self.texts.tf(
                "report-outside-calendar",
                &[
                    ("first", Arg::Num(i64::from(min))),
                    ("last", Arg::Num(i64::from(max))),
                ],
            ))));
        }
        let request = dates_request(&rules, first, last);
        self.report_reply(who, request).await
    }

    /// A report button.
    pub(crate) async fn press_report(
        &self,
        who: &Who,
        span: ReportSpan,
    ) -> Result<Reply, CoreError> {
        let (rules, actor) = self.actor_of(who).await?;
        if !may_see_reports(&actor) {
            return Ok(Reply::alert(self.texts.t("report-not-allowed")));
        }
        let request = span_request(&rules, span, self.now());
        self.report_reply(who, request).await
    }

    async fn report_reply(&self, who: &Who, request: ReportRequest) -> Result<Reply, CoreError> {
        // Made now (and kept a few minutes), so each piece is drawn from it when it is sent.
        self.report(who.org(), request).await?;
        Ok(Reply {
            notices: ReportPiece::ALL
                .into_iter()
                .map(|piece| Notice::Report {
                    report: request,
                    piece,
                })
                .collect(),
            ..Reply::default()
        })
    }

    /// The view of one piece of a report, for the delivery worker.
    pub(crate) async fn report_piece(
        &self,
        rules: &OrgRules,
        request: ReportRequest,
        piece: ReportPiece,
    ) -> Result<View, CoreError> {
        let files = self.report(rules.org.id, request).await?;
        Ok(files.piece(piece).clone())
    }
}

/// Curators, heads, deputies (Borovichi §22: the responsible official, a deputy head, prepares the
/// monthly summary) and administrators see reports.
fn may_see_reports(actor: &crate::domain::incident::Actor) -> bool {
    [Role::Curator, Role::Head, Role::Deputy, Role::Administrator]
        .into_iter()
        .any(|r| actor.has(r))
}
