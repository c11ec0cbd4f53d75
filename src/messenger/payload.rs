//! Inline-button payloads: the core's actions in compact ASCII, and back; every messenger's
//! adapter uses them (Telegram allows 64 bytes, the tighter limit; MAX 1024). The core
//! re-checks the presser; a payload only says what was pressed.

use crate::core::action::{Overview, ReportSpan};
use crate::core::Action;
use crate::domain::incident::{
    DraftKind, DutyAnswerKind, ExplanationKind, NoAnswerReason, ReturnReason,
};
use crate::domain::{DepartmentId, IncidentId, TemplateId};

fn kind_code(k: DraftKind) -> &'static str {
    match k {
        DraftKind::Answer => "a",
        DraftKind::Interim => "i",
        DraftKind::Clarification => "c",
    }
}

fn explanation_code(kind: ExplanationKind) -> &'static str {
    match kind {
        ExplanationKind::NotOurCompetence => "n",
        ExplanationKind::AbuseOfRight => "a",
        ExplanationKind::CourtActs => "c",
        ExplanationKind::AlreadyAnswered => "r",
        ExplanationKind::AnswerOnSite => "s",
    }
}

fn part_code(p: Option<usize>) -> String {
    p.map_or_else(|| "c".to_string(), |p| p.to_string())
}

/// The button payload of an action.
pub fn encode(action: &Action) -> String {
    match *action {
        Action::Accept { inc, part } => format!("ac:{inc}:{part}"),
        Action::StartDraft { inc, part, kind } => format!("dr:{inc}:{part}:{}", kind_code(kind)),
        Action::DraftFrom { inc, part, source } => format!("bf:{inc}:{part}:{source}"),
        Action::Templates { inc, part } => format!("tl:{inc}:{part}"),
        Action::DraftFromTemplate {
            inc,
            part,
            template,
        } => format!("tf:{inc}:{part}:{template}"),
        Action::Return { inc, part } => format!("rt:{inc}:{part}"),
        Action::ReturnWith { inc, part, reason } => format!(
            "rr:{inc}:{part}:{}",
            match reason {
                ReturnReason::NotOurCompetence => "n",
                ReturnReason::AnotherDepartment => "o",
                ReturnReason::Duplicate => "d",
            }
        ),
        Action::AttachmentsDone { inc } => format!("ad:{inc}"),
        Action::SendDraft { inc } => format!("sd:{inc}"),
        Action::EditDraft { inc } => format!("ed:{inc}"),
        Action::CancelDraft { inc } => format!("cx:{inc}"),
        Action::Approve { inc, part, version } => format!("ap:{inc}:{}:{version}", part_code(part)),
        Action::Rework { inc, part, version } => format!("rw:{inc}:{part}:{version}"),
        Action::Published { inc, part } => format!("pb:{inc}:{}", part_code(part)),
        Action::HandedOver { inc, part } => format!("ho:{inc}:{}", part_code(part)),
        Action::AuthorReplied { inc, part } => format!("au:{inc}:{part}"),
        Action::ClarificationPosted { inc, part } => format!("cq:{inc}:{part}"),
        Action::ShowAll { inc } => format!("sa:{inc}"),
        Action::Importance { inc, high } => format!("im:{inc}:{}", if high { "h" } else { "n" }),
        Action::ToggleDepartment { inc, dept } => format!("dp:{inc}:{dept}"),
        Action::Route { inc } => format!("ro:{inc}"),
        Action::NoAnswer { inc } => format!("na:{inc}"),
        Action::NoAnswerWith { inc, reason } => format!(
            "nr:{inc}:{}",
            match reason {
                NoAnswerReason::Threats => "t",
                NoAnswerReason::Obscenity => "o",
                NoAnswerReason::Insults => "i",
                NoAnswerReason::Unreadable => "u",
            }
        ),
        Action::Explanation { inc, part: None } => format!("ex:{inc}"),
        Action::GeneralInterest { inc } => format!("gi:{inc}"),
        Action::ExplanationBack { inc } => format!("eb:{inc}"),
        Action::CrossPostLinks { inc } => format!("cl:{inc}"),
        // A department's explanation for the curator to send (Sakhalin 3.7 ¶2).
        Action::Explanation { inc, part: Some(p) } => format!("xp:{inc}:{p}"),
        Action::ExplanationWith {
            inc,
            part: None,
            kind,
        } => format!("ek:{inc}:{}", explanation_code(kind)),
        Action::ExplanationWith {
            inc,
            part: Some(p),
            kind,
        } => format!("xk:{inc}:{}:{p}", explanation_code(kind)),
        Action::Reroute { inc, part, dept } => format!("rd:{inc}:{part}:{dept}"),
        Action::WriteConsolidated { inc } => format!("wc:{inc}"),
        Action::SetTopic { inc } => format!("tp:{inc}"),
        Action::SetLocation { inc } => format!("lc:{inc}"),
        Action::Appeal { inc } => format!("av:{inc}"),
        Action::DutyAnswer { inc, answer } => format!(
            "du:{inc}:{}",
            match answer {
                DutyAnswerKind::Taken => "t",
                DutyAnswerKind::HandedToDispatch => "d",
            }
        ),
        Action::OpenCard { inc } => format!("oc:{inc}"),
        Action::ReturnToSource { inc } => format!("rs:{inc}"),
        Action::Repeat { inc } => format!("rq:{inc}"),
        Action::AppealNumber { inc } => format!("an:{inc}"),
        Action::AnswerMyself { inc } => format!("om:{inc}"),
        Action::SendOwnAnswer { inc } => format!("os:{inc}"),
        Action::CannotPublish { inc, part } => format!("cp:{inc}:{}", part_code(part)),
        Action::Report { span } => format!(
            "rp:{}",
            match span {
                ReportSpan::ThisWeek => "tw",
                ReportSpan::LastWeek => "lw",
                ReportSpan::ThisMonth => "tm",
                ReportSpan::LastMonth => "lm",
            }
        ),
        Action::Page { list, page } => format!(
            "pg:{}:{page}",
            match list {
                Overview::Open => "o",
                Overview::Overdue => "d",
            }
        ),
    }
}

/// Parses a payload; `None` for anything malformed (an old or forged button).
pub fn decode(data: &str) -> Option<Action> {
    let mut it = data.split(':');
    let tag = it.next()?;
    let fields: Vec<&str> = it.collect();
    if tag == "rp" {
        let span = match fields.as_slice() {
            ["tw"] => ReportSpan::ThisWeek,
            ["lw"] => ReportSpan::LastWeek,
            ["tm"] => ReportSpan::ThisMonth,
            ["lm"] => ReportSpan::LastMonth,
            _ => return None,
        };
        return Some(Action::Report { span });
    }
    if tag == "pg" {
        let list = match *fields.first()? {
            "o" => Overview::Open,
            "d" => Overview::Overdue,
            _ => return None,
        };
        if fields.len() != 2 {
            return None;
        }
        return Some(Action::Page {
            list,
            page: fields[1].parse().ok()?,
        });
    }
    let num = |i: usize| -> Option<i64> { fields.get(i)?.parse().ok() };
    let idx = |i: usize| -> Option<usize> { fields.get(i)?.parse().ok() };
    let opt_part = |i: usize| -> Option<Option<usize>> {
        match *fields.get(i)? {
            "c" => Some(None),
            s => s.parse().ok().map(Some),
        }
    };
    let inc = IncidentId(num(0)?);
    let expect = |n: usize| if fields.len() == n { Some(()) } else { None };
    let action = match tag {
        "ac" => {
            expect(2)?;
            Action::Accept { inc, part: idx(1)? }
        }
        "dr" => {
            expect(3)?;
            let kind = match fields[2] {
                "a" => DraftKind::Answer,
                "i" => DraftKind::Interim,
                "c" => DraftKind::Clarification,
                _ => return None,
            };
            Action::StartDraft {
                inc,
                part: idx(1)?,
                kind,
            }
        }
        "bf" => {
            expect(3)?;
            Action::DraftFrom {
                inc,
                part: idx(1)?,
                source: IncidentId(num(2)?),
            }
        }
        "tl" => {
            expect(2)?;
            Action::Templates { inc, part: idx(1)? }
        }
        "tf" => {
            expect(3)?;
            Action::DraftFromTemplate {
                inc,
                part: idx(1)?,
                template: TemplateId(num(2)?),
            }
        }
        "rt" => {
            expect(2)?;
            Action::Return { inc, part: idx(1)? }
        }
        "rr" => {
            expect(3)?;
            let reason = match fields[2] {
                "n" => ReturnReason::NotOurCompetence,
                "o" => ReturnReason::AnotherDepartment,
                "d" => ReturnReason::Duplicate,
                _ => return None,
            };
            Action::ReturnWith {
                inc,
                part: idx(1)?,
                reason,
            }
        }
        "ad" | "sd" | "ed" | "cx" | "sa" | "ro" | "na" | "ex" | "wc" | "tp" | "lc" | "av"
        | "oc" | "rs" | "rq" | "an" | "gi" | "cl" | "eb" | "om" | "os" => {
            expect(1)?;
            match tag {
                "eb" => Action::ExplanationBack { inc },
                "om" => Action::AnswerMyself { inc },
                "os" => Action::SendOwnAnswer { inc },
                "gi" => Action::GeneralInterest { inc },
                "cl" => Action::CrossPostLinks { inc },
                "an" => Action::AppealNumber { inc },
                "rq" => Action::Repeat { inc },
                "oc" => Action::OpenCard { inc },
                "rs" => Action::ReturnToSource { inc },
                "ad" => Action::AttachmentsDone { inc },
                "sd" => Action::SendDraft { inc },
                "ed" => Action::EditDraft { inc },
                "cx" => Action::CancelDraft { inc },
                "sa" => Action::ShowAll { inc },
                "ro" => Action::Route { inc },
                "na" => Action::NoAnswer { inc },
                "ex" => Action::Explanation { inc, part: None },
                "tp" => Action::SetTopic { inc },
                "lc" => Action::SetLocation { inc },
                "av" => Action::Appeal { inc },
                _ => Action::WriteConsolidated { inc },
            }
        }
        "ap" => {
            expect(3)?;
            Action::Approve {
                inc,
                part: opt_part(1)?,
                version: fields[2].parse().ok()?,
            }
        }
        "rw" => {
            expect(3)?;
            Action::Rework {
                inc,
                part: idx(1)?,
                version: fields[2].parse().ok()?,
            }
        }
        "pb" => {
            expect(2)?;
            Action::Published {
                inc,
                part: opt_part(1)?,
            }
        }
        "ho" => {
            expect(2)?;
            Action::HandedOver {
                inc,
                part: opt_part(1)?,
            }
        }
        "cp" => {
            expect(2)?;
            Action::CannotPublish {
                inc,
                part: opt_part(1)?,
            }
        }
        "au" => {
            expect(2)?;
            Action::AuthorReplied { inc, part: idx(1)? }
        }
        "cq" => {
            expect(2)?;
            Action::ClarificationPosted { inc, part: idx(1)? }
        }
        "im" => {
            expect(2)?;
            let high = match fields[1] {
                "h" => true,
                "n" => false,
                _ => return None,
            };
            Action::Importance { inc, high }
        }
        "dp" => {
            expect(2)?;
            Action::ToggleDepartment {
                inc,
                dept: DepartmentId(num(1)?),
            }
        }
        "nr" => {
            expect(2)?;
            let reason = match fields[1] {
                "t" => NoAnswerReason::Threats,
                "o" => NoAnswerReason::Obscenity,
                "i" => NoAnswerReason::Insults,
                "u" => NoAnswerReason::Unreadable,
                _ => return None,
            };
            Action::NoAnswerWith { inc, reason }
        }
        "xp" => {
            expect(2)?;
            Action::Explanation {
                inc,
                part: Some(idx(1)?),
            }
        }
        "ek" | "xk" => {
            let part = if tag == "xk" {
                expect(3)?;
                Some(idx(2)?)
            } else {
                expect(2)?;
                None
            };
            let kind = match fields[1] {
                "n" => ExplanationKind::NotOurCompetence,
                "a" => ExplanationKind::AbuseOfRight,
                "c" => ExplanationKind::CourtActs,
                "r" => ExplanationKind::AlreadyAnswered,
                "s" => ExplanationKind::AnswerOnSite,
                _ => return None,
            };
            Action::ExplanationWith { inc, part, kind }
        }
        "rd" => {
            expect(3)?;
            Action::Reroute {
                inc,
                part: idx(1)?,
                dept: DepartmentId(num(2)?),
            }
        }
        "du" => {
            expect(2)?;
            let answer = match fields[1] {
                "t" => DutyAnswerKind::Taken,
                "d" => DutyAnswerKind::HandedToDispatch,
                _ => return None,
            };
            Action::DutyAnswer { inc, answer }
        }
        _ => return None,
    };
    Some(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_within_64_bytes() {
        let big = IncidentId(i64::MAX);
        let dept = DepartmentId(i64::MAX);
        let small = IncidentId(3);
        let actions = [
            Action::Accept { inc: big, part: 3 },
            Action::StartDraft {
                inc: big,
                part: 0,
                kind: DraftKind::Clarification,
            },
            Action::DraftFrom {
                inc: big,
                part: 0,
                source: big,
            },
            Action::Templates { inc: big, part: 9 },
            Action::DraftFromTemplate {
                inc: big,
                part: 9,
                template: TemplateId(i64::MAX),
            },
            Action::Return {
                inc: small,
                part: 0,
            },
            Action::ReturnWith {
                inc: small,
                part: 0,
                reason: ReturnReason::Duplicate,
            },
            Action::AttachmentsDone { inc: small },
            Action::SendDraft { inc: small },
            Action::EditDraft { inc: small },
            Action::CancelDraft { inc: small },
            Action::Approve {
                inc: big,
                part: None,
                version: u32::MAX,
            },
            Action::Approve {
                inc: small,
                part: Some(2),
                version: 4,
            },
            Action::Rework {
                inc: big,
                part: 1,
                version: 7,
            },
            Action::Published {
                inc: small,
                part: None,
            },
            Action::Published {
                inc: small,
                part: Some(0),
            },
            Action::HandedOver {
                inc: big,
                part: None,
            },
            Action::AuthorReplied {
                inc: small,
                part: 0,
            },
            Action::ClarificationPosted { inc: big, part: 3 },
            Action::ShowAll { inc: small },
            Action::Importance {
                inc: small,
                high: true,
            },
            Action::ToggleDepartment { inc: big, dept },
            Action::Route { inc: small },
            Action::NoAnswer { inc: small },
            Action::NoAnswerWith {
                inc: small,
                reason: NoAnswerReason::Unreadable,
            },
            Action::Explanation {
                inc: small,
                part: None,
            },
            Action::Explanation {
                inc: big,
                part: Some(2),
            },
            Action::ExplanationWith {
                inc: small,
                part: None,
                kind: ExplanationKind::CourtActs,
            },
            Action::ExplanationWith {
                inc: big,
                part: Some(0),
                kind: ExplanationKind::NotOurCompetence,
            },
            Action::ExplanationWith {
                inc: small,
                part: None,
                kind: ExplanationKind::AnswerOnSite,
            },
            Action::Reroute {
                inc: big,
                part: 9,
                dept,
            },
            Action::WriteConsolidated { inc: small },
            Action::SetTopic { inc: big },
            Action::SetLocation { inc: big },
            Action::Appeal { inc: big },
            Action::DutyAnswer {
                inc: big,
                answer: DutyAnswerKind::HandedToDispatch,
            },
            Action::OpenCard { inc: big },
            Action::ReturnToSource { inc: big },
            Action::Repeat { inc: small },
            Action::AnswerMyself { inc: big },
            Action::SendOwnAnswer { inc: small },
            Action::GeneralInterest { inc: big },
            Action::ExplanationBack { inc: small },
            Action::CrossPostLinks { inc: small },
            Action::AppealNumber { inc: big },
            Action::CannotPublish {
                inc: small,
                part: None,
            },
            Action::CannotPublish {
                inc: big,
                part: Some(3),
            },
            Action::Page {
                list: Overview::Overdue,
                page: u16::MAX,
            },
            Action::Report {
                span: ReportSpan::ThisWeek,
            },
            Action::Report {
                span: ReportSpan::LastMonth,
            },
        ];
        for a in actions {
            let data = encode(&a);
            assert!(data.len() <= 64, "{data} is {} bytes", data.len());
            assert_eq!(decode(&data), Some(a), "{data}");
        }
    }

    #[test]
    fn malformed_payloads_are_ignored() {
        for bad in [
            "", "ac", "ac:x:0", "ac:1", "ac:1:0:9", "zz:1", "dr:1:0:q", "ap:1:z:1", "im:1:x",
            "du:1:x", "dp:1:z", "pg:x:1", "pg:o", "pg:o:x", "oc:1:2", "rp", "rp:xx", "rp:tw:1",
            "xp:1", "xk:1:n", "xk:1:q:0",
        ] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
