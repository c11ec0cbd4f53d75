//! 59-FZ appeals (Vorsino 2.9, Sakhalin 3.8): a message that needs an official answer is
//! converted with the author's consent and contacts, and e-mailed to the appeals office from the
//! outbox (retried until the mail server takes it; each letter sent is audited). Without an
//! office in the organisation file the curator gets the letter to send by hand.

use crate::core::cards::{clock_time, network, short_date};
use crate::core::delivery::Outcome;
pub use crate::core::integrations::mail::MailPort;
use crate::core::org::OrgRules;
use crate::core::reply::Reply;
use crate::core::view::{Line, View};
use crate::core::workflow::pending::Pending;
use crate::core::{Core, CoreError, Who};
use crate::domain::content::IncidentRecord;
use crate::domain::incident::{AppealContact, Command};
use crate::storage::OutboxMessage;
use crate::texts::{Arg, Texts};

/// The letter to the appeals office: (subject, body).
pub fn appeal_letter(
    texts: &Texts,
    rules: &OrgRules,
    record: &IncidentRecord,
    contact: &AppealContact,
) -> (String, String) {
    let at = record.workflow.detected_at;
    let date = format!("{} {}", short_date(texts, rules, at), clock_time(rules, at));
    let phone = if contact.phone.trim().is_empty() {
        texts.t("appeal-no-phone")
    } else {
        contact.phone.clone()
    };
    let subject = texts.tf("appeal-subject", &[("number", Arg::Num(record.number))]);
    let body = texts.tf(
        "appeal-body",
        &[
            ("organisation", Arg::from(&rules.org.name)),
            ("name", Arg::from(&contact.full_name)),
            ("address", Arg::from(&contact.address)),
            ("phone", Arg::from(&phone)),
            ("network", Arg::from(&network(texts, record.content.source))),
            ("url", Arg::from(&record.content.url)),
            ("date", Arg::from(&date)),
            ("text", Arg::from(&record.content.text)),
        ],
    );
    (subject, body)
}

impl Core {
    /// E-mails a converted appeal; the letter and its audit record are one transaction.
    pub(crate) async fn email_appeal(
        &self,
        m: &OutboxMessage,
        record: &IncidentRecord,
    ) -> Result<Outcome, CoreError> {
        let rules = self.org(m.org).await?;
        let (Some(office), Some(contact)) = (&rules.org.appeals, &record.workflow.appeal) else {
            tracing::info!(
                id = m.id,
                "no appeals office or no appeal any more; letter dropped"
            );
            return Ok(Outcome::Delivered);
        };
        let Some(port) = &self.config.mail else {
            tracing::warn!(id = m.id, "no mail client runs; the appeal waits");
            return Ok(Outcome::RetryIn(chrono::Duration::minutes(5)));
        };
        let (subject, body) = appeal_letter(&self.texts, &rules, record, contact);
        match port
            .send(
                office.smtp.trim(),
                office.from.trim(),
                office.office.trim(),
                &subject,
                &body,
            )
            .await
        {
            Ok(()) => {
                let audit = serde_json::json!({ "to": office.office.trim(), "subject": subject });
                self.store
                    .acknowledge_outbox(m, "appeal_emailed", &audit, self.now())
                    .await?;
                tracing::info!(
                    id = m.id,
                    incident = record.number,
                    "an appeal was e-mailed to the appeals office"
                );
                Ok(Outcome::Recorded)
            }
            Err(e) => {
                tracing::warn!(id = m.id, incident = record.number, error = %e, "the mail server did not take an appeal; it will be retried");
                Ok(Outcome::RetryIn(chrono::Duration::minutes(1)))
            }
        }
    }

    /// One step of converting a message to an appeal: consent, name, address, phone.
    pub(crate) async fn appeal_step(
        &self,
        who: &Who,
        text: &str,
        pending: Pending,
    ) -> Result<Reply, CoreError> {
        let prompt = |key: &str| Ok(Reply::say(View::prompt(self.t(key))));
        match pending {
            Pending::AppealConsent { inc } => {
                if !["да", "согласен", "согласна"].contains(&text.trim().to_lowercase().as_str())
                {
                    return prompt("appeal-consent-needed");
                }
                let consent_at = Some(self.now());
                self.set_pending(who, &Pending::AppealName { inc, consent_at })
                    .await?;
                prompt("ask-appeal-name")
            }
            Pending::AppealName { inc, consent_at } => {
                if text.is_empty() {
                    return prompt("bad-comment");
                }
                self.set_pending(
                    who,
                    &Pending::AppealAddress {
                        inc,
                        name: text.to_string(),
                        consent_at,
                    },
                )
                .await?;
                prompt("ask-appeal-address")
            }
            Pending::AppealAddress {
                inc,
                name,
                consent_at,
            } => {
                if text.is_empty() {
                    return prompt("bad-comment");
                }
                self.set_pending(
                    who,
                    &Pending::AppealPhone {
                        inc,
                        name,
                        address: text.to_string(),
                        consent_at,
                    },
                )
                .await?;
                prompt("ask-appeal-phone")
            }
            Pending::AppealPhone {
                inc,
                name,
                address,
                consent_at,
            } => {
                // The phone is optional: «-» leaves it out.
                let phone = if text.trim() == "-" {
                    String::new()
                } else if text.chars().filter(char::is_ascii_digit).count() < 5 {
                    return prompt("ask-appeal-phone");
                } else {
                    text.to_string()
                };
                self.clear_pending(who).await?;
                let (rules, actor) = self.actor_of(who).await?;
                let Some(record) = self.incident_of(who.org(), inc).await? else {
                    return Ok(Reply::say(View::text(self.t("err-wrong-state"))));
                };
                let contact = AppealContact {
                    full_name: name,
                    address,
                    phone,
                    consent: consent_at.map(|at| (at, actor.person)),
                };
                let cmd = Command::ConvertToAppeal {
                    contact: contact.clone(),
                };
                Ok(match self.transition(&rules, &actor, record, &cmd).await? {
                    Ok(done) => Reply::say(self.appeal_done(&rules, &done.record, &contact)),
                    Err(e) => Reply::say(View::text(self.refusal(&e).text)),
                })
            }
            // Only the appeal's steps are handed here.
            _ => Ok(Reply::nothing()),
        }
    }

    /// What the curator is told once a message is an appeal: that it went to the appeals office
    /// by e-mail, or (no office in the organisation file) the letter to send.
    fn appeal_done(
        &self,
        rules: &OrgRules,
        record: &crate::domain::content::IncidentRecord,
        contact: &AppealContact,
    ) -> View {
        let number = Arg::Num(record.number);
        if let Some(office) = &rules.org.appeals {
            return View::text(self.tf(
                "appeal-sent",
                &[
                    ("number", number),
                    ("office", Arg::from(office.office.trim())),
                ],
            ));
        }
        let (subject, body) = appeal_letter(&self.texts, rules, record, contact);
        View {
            lines: vec![
                Line::Text(self.tf("appeal-done", &[("number", number)])),
                Line::Blank,
                Line::Preformatted(format!("{subject}\n\n{body}")),
            ],
            ..View::default()
        }
    }
}
