//! Triage presses on the curators' card: ticking departments, routing to them (asking for the
//! deadlines the curator sets where the regulation says so), and rerouting a part.

use crate::core::notices::PressedCard;
use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::Toast;
use crate::core::workflow::pending::Pending;
use crate::core::{Core, CoreError, Who};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{Actor, Assignment, Command, Role};
use crate::domain::permission::{permitted, Deed};
use crate::domain::regulation::{DeadlineRule, Stage};
use crate::domain::DepartmentId;
use crate::texts::Arg;
use std::collections::BTreeMap;

impl Core {
    pub(crate) async fn toggle_department(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        pressed: Option<i64>,
        dept: DepartmentId,
    ) -> Result<Reply, CoreError> {
        let may = |deed: Deed| permitted(actor, deed, &record.workflow, rules.regulation());
        let inc = record.id;
        if let Err(e) = may(Deed::Route) {
            return Ok(self.refused(&e));
        }
        // Only this organisation's active departments can be ticked.
        if rules.department(dept).filter(|d| d.active).is_none() {
            return Ok(self.outdated());
        }
        let ticked = self.store.toggle_triage_department(inc, dept).await?;
        let earlier = self.earlier_of(&record).await?;
        // Drawn as the presser's card is drawn: for the group, or for them in private.
        let viewer = if who.in_private() {
            actor.clone()
        } else {
            OrgRules::group_actor(Role::Curator)
        };
        let view = self
            .draw(rules, &ticked, earlier.as_ref())
            .curators_card(&record, &viewer);
        if let Some(message) = pressed {
            if self.store.card(who.chat(), message).await?.is_some() {
                self.store
                    .set_card_rendered(who.chat(), message, view.fingerprint())
                    .await?;
            }
        }
        let name = rules.department_name(dept);
        let key = if ticked.contains(&dept) {
            "ok-department-ticked"
        } else {
            "ok-department-unticked"
        };
        Ok(Reply {
            toast: Some(Toast {
                text: self.texts.tf(key, &[("department", Arg::from(&name))]),
                alert: false,
            }),
            edit: Some(view),
            ..Reply::default()
        })
    }

    pub(crate) async fn route_ticked(
        &self,
        who: &Who,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        card: Option<PressedCard>,
    ) -> Result<Reply, CoreError> {
        let may = |deed: Deed| permitted(actor, deed, &record.workflow, rules.regulation());
        let inc = record.id;
        let number = Arg::Num(record.number);
        if let Err(e) = may(Deed::Route) {
            return Ok(self.refused(&e));
        }
        let ticked = self.store.triage_departments(inc).await?;
        let mut assignments = Vec::new();
        for d in ticked {
            // A department of another organisation (or one closed since) is skipped.
            let Some(department) = rules.department(d).filter(|x| x.active) else {
                continue;
            };
            match rules.executor_of(d) {
                Some(executor) => assignments.push(Assignment {
                    department: d,
                    executor,
                }),
                None => {
                    return Ok(Reply::alert(self.texts.tf(
                        "err-no-executor",
                        &[("department", Arg::from(&department.name))],
                    )))
                }
            }
        }
        if assignments.is_empty() {
            return Ok(Reply::alert(self.texts.t("err-no-department")));
        }
        let stages: Vec<Stage> = rules
            .regulation()
            .stages(record.workflow.importance)
            .into_iter()
            .filter(|(s, r)| **r == DeadlineRule::SetByCurator && *s != Stage::Rework)
            .map(|(s, _)| s)
            .collect();
        if let Some(first) = stages.first() {
            let stage = self.texts.t(&format!("stage-{}", first.key()));
            let prompt = self.texts.tf(
                "ask-curator-deadline",
                &[("stage", Arg::from(&stage)), ("number", number)],
            );
            let pending = Pending::RouteDeadlines {
                inc,
                assignments,
                stages,
                collected: BTreeMap::new(),
            };
            return self.ask(who, pending, prompt).await;
        }
        let ok = self.routed_toast(rules, &assignments);
        let command = Command::Route {
            assignments,
            importance: None,
            topic: None,
            location: None,
            deadlines: BTreeMap::new(),
        };
        self.press_command(rules, actor, record, command, ok, card)
            .await
    }

    pub(crate) async fn reroute_to(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        card: Option<PressedCard>,
        part: usize,
        dept: DepartmentId,
    ) -> Result<Reply, CoreError> {
        let may = |deed: Deed| permitted(actor, deed, &record.workflow, rules.regulation());
        if let Err(e) = may(Deed::Reroute { part }) {
            return Ok(self.refused(&e));
        }
        // A department from the button is checked against the presser's organisation.
        let Some(department) = rules.department(dept).filter(|d| d.active) else {
            return Ok(self.outdated());
        };
        let Some(executor) = rules.executor_of(dept) else {
            return Ok(Reply::alert(self.texts.tf(
                "err-no-executor",
                &[("department", Arg::from(&department.name))],
            )));
        };
        let assignment = Assignment {
            department: dept,
            executor,
        };
        let ok = self.routed_toast(rules, &[assignment]);
        let command = Command::Reroute { part, assignment };
        self.press_command(rules, actor, record, command, ok, card)
            .await
    }

    /// What a press that routed says: to which departments.
    pub(crate) fn routed_toast(&self, rules: &OrgRules, assignments: &[Assignment]) -> String {
        let names: Vec<String> = assignments
            .iter()
            .map(|a| rules.department_name(a.department))
            .collect();
        self.texts.tf(
            "ok-routed-to",
            &[("departments", Arg::from(&names.join(", ")))],
        )
    }
}
