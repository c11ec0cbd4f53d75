//! Triage presses on the curators' card: the importance, the full text, ticking departments,
//! routing to them (asking for the deadlines the curator sets where the regulation says so), and
//! rerouting a part.

use crate::core::view::View;
use crate::core::workflow::parse::parse_local_datetime;
use crate::domain::regulation::*;
use crate::domain::IncidentId;
use chrono::{DateTime, Utc};

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
    /// A department ticked or unticked on the triage card (the card is redrawn in place).
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

    /// «📨 Направить»: routes to the ticked departments (asking for the curator's deadlines first where
    /// the regulation says so).
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

    /// Reroutes a part to another department.
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

impl Core {
    /// The message's full text, in the presser's private chat.
    pub(crate) async fn show_full_text(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
    ) -> Result<Reply, CoreError> {
        let may = |deed: Deed| permitted(actor, deed, &record.workflow, rules.regulation());
        let number = Arg::Num(record.number);
        if let Err(e) = may(Deed::ReadFullText) {
            return Ok(self.refused(&e));
        }
        let mut views = vec![View::text(
            self.texts.tf("full-text", &[("number", number)]),
        )];
        let chars: Vec<char> = record.content.text.chars().collect();
        for chunk in chars.chunks(3500) {
            views.push(View::text(chunk.iter().collect::<String>()));
        }
        Ok(Reply {
            to_person: views,
            ..Reply::default()
        })
    }

    /// «обычная» / «высокая» on the curators' card.
    pub(crate) async fn set_importance(
        &self,
        rules: &OrgRules,
        actor: &Actor,
        record: IncidentRecord,
        card: Option<PressedCard>,
        high: bool,
    ) -> Result<Reply, CoreError> {
        let t = |key: &str| self.texts.t(key);
        let importance = if high {
            Importance::High
        } else {
            Importance::Normal
        };
        let ok = if high {
            "ok-importance-high"
        } else {
            "ok-importance-normal"
        };
        self.press_command(
            rules,
            actor,
            record,
            Command::SetImportance { importance },
            t(ok),
            card,
        )
        .await
    }

    /// A deadline the curator sets at routing typed: asks for the next one, or routes.
    pub(crate) async fn route_deadline_typed(
        &self,
        who: &Who,
        text: &str,
        inc: IncidentId,
        assignments: Vec<Assignment>,
        mut stages: Vec<Stage>,
        mut collected: BTreeMap<Stage, DateTime<Utc>>,
    ) -> Result<Reply, CoreError> {
        let prompt = |key: &str| Ok(Reply::say(View::prompt(self.t(key))));
        let (rules, actor) = self.actor_of(who).await?;
        let Some(record) = self.incident_of(who.org(), inc).await? else {
            self.clear_pending(who).await?;
            return Ok(Reply::say(View::text(self.t("err-wrong-state"))));
        };
        let Some(deadline) = parse_local_datetime(&rules, text, self.now()) else {
            return prompt("bad-datetime");
        };
        if !stages.is_empty() {
            collected.insert(stages.remove(0), deadline);
        }
        if let Some(next) = stages.first() {
            let stage = self.t(&format!("stage-{}", next.key()));
            self.set_pending(
                who,
                &Pending::RouteDeadlines {
                    inc,
                    assignments,
                    stages: stages.clone(),
                    collected,
                },
            )
            .await?;
            return Ok(Reply::say(View::prompt(self.tf(
                "ask-curator-deadline",
                &[
                    ("stage", Arg::from(&stage)),
                    ("number", Arg::Num(record.number)),
                ],
            ))));
        }
        self.clear_pending(who).await?;
        let cmd = Command::Route {
            assignments,
            importance: None,
            topic: None,
            location: None,
            deadlines: collected,
        };
        Ok(match self.transition(&rules, &actor, record, &cmd).await? {
            Ok(_) => Reply::say(View::text(self.t("ok-routed"))),
            Err(e) => Reply::say(View::text(self.refusal(&e).text)),
        })
    }
}
