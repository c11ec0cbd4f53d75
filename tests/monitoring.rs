//! The way back to the monitoring system (Barnaul §4–§9, Sakhalin 3.2–3.3, Krymsk §7): Otklik
//! started the way `otklik run` starts it posts signed reports to a local webhook receiver,
//! retries until they are acknowledged, and records each in the audit log. On both backends.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use otklik::core::{Action, Input, Reply, Who};
use otklik::directory_file::MonitoringLink;
use otklik::domain::content::IncidentRecord;
use otklik::domain::incident::{
    ApprovalStep, DraftKind, IncidentState, NoAnswerReason, PartState, Role,
};
use otklik::domain::regulation::Stage;
use otklik::domain::{DepartmentId, IncidentId, PersonId};
use sha2::Sha256;
use support::app::*;
use support::db::TestDb;

on_both_backends!(
    barnaul_9_no_answer_and_an_answer_reach_the_monitoring_system_signed_and_retried,
    barnaul_4_and_8_returned_and_unpublishable_incidents_go_back_to_the_curator,
    barnaul_5_a_consolidated_answer_reaches_the_monitoring_system_as_one_answer,
    vorsino_2_9_an_appeal_is_emailed_to_the_appeals_office,
    yuzhno_sakhalinsk_3_9_the_operators_own_answer_reaches_the_monitoring_system,
    yuzhno_sakhalinsk_3_2_an_answer_on_the_citys_own_page_goes_to_the_department_too,
    yuzhno_sakhalinsk_3_3_an_answer_handed_to_the_department_is_reported_as_handed_over,
    photos_of_the_work_done_reach_the_monitoring_system_as_links_that_expire,
);

const SECRET: &str = "a-long-shared-secret-42";

#[derive(Debug, Clone)]
struct Post {
    headers: HeaderMap,
    body: Bytes,
}

impl Post {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A monitoring system's webhook: refuses the first `fail` posts with 503, takes the rest.
#[derive(Clone, Default)]
struct Receiver {
    posts: Arc<Mutex<Vec<Post>>>,
    refused: Arc<Mutex<Vec<Post>>>,
    fail: Arc<AtomicUsize>,
}

async fn take(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let post = Post { headers, body };
    if r.fail
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        r.refused.lock().unwrap().push(post);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    r.posts.lock().unwrap().push(post);
    StatusCode::NO_CONTENT
}

async fn receiver(fail: usize) -> (Receiver, String) {
    let r = Receiver::default();
    r.fail.store(fail, Ordering::SeqCst);
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(take))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (r, url)
}

fn signed(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A message the administration found itself: no monitoring system sent it (no external id).
async fn found_here(h: &TestApp, text: &str) -> IncidentRecord {
    let rules = h.core.org(h.org).await.unwrap();
    let new = vk_comment(
        text,
        "Ирина П.",
        "https://vk.com/wall-1_2?reply=3",
        h.core.now(),
    );
    h.core
        .take_in(&rules, new, None, PersonId::SYSTEM)
        .await
        .unwrap()
        .record
}

async fn press(h: &TestApp, who: &Who, action: Action) -> Reply {
    h.core.press(who, action, None).await.unwrap()
}

async fn say(h: &TestApp, who: &Who, text: &str) -> Reply {
    h.core.message(who, Input::text(text)).await.unwrap()
}

/// What a reply says: its toast and the messages it sends, one text.
fn said(reply: &Reply) -> String {
    reply
        .toast
        .iter()
        .map(|t| t.text.clone())
        .chain(reply.send.iter().map(|v| v.plain()))
        .collect::<Vec<_>>()
        .join("\n---\n")
}

/// The events the receiver holds, in order.
fn events(posts: &[Post]) -> Vec<String> {
    posts
        .iter()
        .map(|p| p.json()["event"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The events of an incident's acknowledged reports, from its audit log.
async fn notified(h: &TestApp, inc: IncidentId) -> Vec<String> {
    h.store
        .audit_log(inc)
        .await
        .unwrap()
        .iter()
        .filter(|a| a.command == "monitoring_notified")
        .map(|a| a.payload["event"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Waits (at most 30 s) until the receiver holds `n` acknowledged posts.
async fn acknowledged(r: &Receiver, n: usize) -> Vec<Post> {
    for _ in 0..3000 {
        let posts = r.posts.lock().unwrap().clone();
        if posts.len() >= n {
            return posts;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!(
        "the receiver did not get {n} posts: {:?}",
        r.posts.lock().unwrap()
    );
}

/// Otklik under a preset, with a webhook receiver that refuses its first `fail` posts.
async fn linked(preset: &str, db: &TestDb, fail: usize) -> (TestApp, Receiver) {
    let h = TestApp::start(preset, db).await;
    let (r, url) = receiver(fail).await;
    let mut entry = otklik::directory_file::OrganisationEntry::bare("Администрация", preset);
    entry.monitoring = Some(MonitoringLink {
        url,
        secret: SECRET.into(),
    });
    h.store.set_settings(h.org, &entry).await.unwrap();
    (h, r)
}

/// Routes an incident to the first department (on the triage card in the curator's private
/// chat) and has its answer drafted and approved (in the curators' group): a workflow without
/// curator-set terms, competence check or deputy (Sakhalin's).
async fn approved(h: &TestApp, curator: &Who, executor: &Who, inc: IncidentId) {
    let in_private = h.who(h.curator, CURATOR_TG).await;
    press(
        h,
        &in_private,
        Action::ToggleDepartment { inc, dept: h.dept },
    )
    .await;
    press(h, &in_private, Action::Route { inc }).await;
    press(
        h,
        executor,
        Action::StartDraft {
            inc,
            part: 0,
            kind: DraftKind::Answer,
        },
    )
    .await;
    say(h, executor, "Снег уберут до вечера.").await;
    press(h, executor, Action::AttachmentsDone { inc }).await;
    press(h, executor, Action::SendDraft { inc }).await;
    press(
        h,
        curator,
        Action::Approve {
            inc,
            part: Some(0),
            version: 1,
        },
    )
    .await;
}

const DEPUTY_TG: i64 = 6006;
const DEPT_HEAD_TG: i64 = 7007;

/// Otklik under Barnaul's own profile (`barnaul-leninsky`) linked to a webhook receiver that
/// refuses its first `fail` posts, and who works an incident there (§3–§6): the curator (the
/// regulation's «Контролёр») in the group and in private, the two executors, the head of both
/// departments and the supervising deputy.
struct Barnaul {
    h: TestApp,
    r: Receiver,
    curator: Who,
    in_private: Who,
    executor: Who,
    other_executor: Who,
    dept_head: Who,
    deputy: Who,
}

async fn barnaul(db: &TestDb, fail: usize) -> Barnaul {
    let (h, r) = linked("barnaul-leninsky", db, fail).await;
    let deputy = h
        .store
        .create_person(
            h.org,
            &person("Заместитель Ольга", DEPUTY_TG, vec![Role::Deputy]),
        )
        .await
        .unwrap();
    let dept_head = h
        .store
        .create_person(
            h.org,
            &person(
                "Руководитель Иван",
                DEPT_HEAD_TG,
                vec![Role::DepartmentHead],
            ),
        )
        .await
        .unwrap();
    for dept in [h.dept, h.other_dept] {
        h.store.set_department_head(dept, dept_head).await.unwrap();
    }
    Barnaul {
        curator: h.who(h.curator, CURATOR_CHAT).await,
        in_private: h.who(h.curator, CURATOR_TG).await,
        executor: h.who(h.executor, EXECUTOR_TG).await,
        other_executor: h.who(h.other_executor, OTHER_EXECUTOR_TG).await,
        dept_head: h.who(dept_head, DEPT_HEAD_TG).await,
        deputy: h.who(deputy, DEPUTY_TG).await,
        h,
        r,
    }
}

/// The monitoring system's own deadline for what it sends (Barnaul §4, §7): Wednesday
/// 25.11.2026 18:00 in Barnaul.
fn system_deadline() -> chrono::DateTime<chrono::Utc> {
    moscow("2026-11-25 14:00")
}

/// A message the monitoring system sends to Barnaul: with its id and its deadline.
async fn from_the_system(h: &TestApp, text: &str, external_id: &str) -> IncidentRecord {
    let rules = h.core.org(h.org).await.unwrap();
    let mut new = vk_comment(
        text,
        "Ирина П.",
        "https://vk.com/wall-1_2?reply=3",
        h.core.now(),
    );
    new.content.external_id = Some(external_id.into());
    new.external_deadline = Some(system_deadline());
    let record = h
        .core
        .take_in(&rules, new, None, PersonId::SYSTEM)
        .await
        .unwrap()
        .record;
    assert_eq!(record.workflow.external_deadline, Some(system_deadline()));
    record
}

/// Barnaul §4–§5: the curator routes the incident to these departments from the triage card in
/// private and types the term for the draft (Tuesday 24.11 16:00 in Barnaul); the head of each
/// department confirms it is theirs.
async fn barnaul_routed(b: &Barnaul, inc: IncidentId, depts: &[DepartmentId]) {
    let h = &b.h;
    for &dept in depts {
        press(h, &b.in_private, Action::ToggleDepartment { inc, dept }).await;
    }
    let asked = press(h, &b.in_private, Action::Route { inc }).await;
    assert!(said(&asked).contains("срок"), "{}", said(&asked));
    let routed = say(h, &b.in_private, "24.11 16:00").await;
    assert!(said(&routed).contains("Направлено"), "{}", said(&routed));
    let stored = h.store.incident(inc).await.unwrap();
    assert_eq!(
        stored.workflow.curator_set.get(&Stage::Draft),
        Some(&moscow("2026-11-24 12:00")),
        "the curator's term, read in Barnaul's time"
    );
    for part in 0..depts.len() {
        press(h, &b.dept_head, Action::Accept { inc, part }).await;
    }
    let stored = h.store.incident(inc).await.unwrap();
    assert!(
        stored
            .workflow
            .parts
            .iter()
            .all(|p| p.state == PartState::Accepted),
        "{:?}",
        stored.workflow.parts
    );
}

/// Barnaul §5–§6: an executor drafts the part's answer, the supervising deputy agrees it, then
/// the curator approves it.
async fn barnaul_answered(b: &Barnaul, executor: &Who, inc: IncidentId, part: usize, text: &str) {
    let h = &b.h;
    press(
        h,
        executor,
        Action::StartDraft {
            inc,
            part,
            kind: DraftKind::Answer,
        },
    )
    .await;
    say(h, executor, text).await;
    press(h, executor, Action::AttachmentsDone { inc }).await;
    press(h, executor, Action::SendDraft { inc }).await;
    let approve = Action::Approve {
        inc,
        part: Some(part),
        version: 1,
    };
    // The curator cannot skip the deputy.
    let early = press(h, &b.curator, approve).await;
    assert!(early.toast.is_some(), "{early:?}");
    let stored = h.store.incident(inc).await.unwrap();
    assert!(
        matches!(
            stored.workflow.parts[part].state,
            PartState::DraftSubmitted {
                step: ApprovalStep::Deputy,
                ..
            }
        ),
        "{:?}",
        stored.workflow.parts[part].state
    );
    press(h, &b.deputy, approve).await;
    press(h, &b.curator, approve).await;
    let stored = h.store.incident(inc).await.unwrap();
    assert!(
        matches!(
            stored.workflow.parts[part].state,
            PartState::Approved { .. }
        ),
        "{:?}",
        stored.workflow.parts[part].state
    );
}

async fn barnaul_9_no_answer_and_an_answer_reach_the_monitoring_system_signed_and_retried(
    db: &TestDb,
) {
    let b = barnaul(db, 1).await;
    let (h, r) = (&b.h, &b.r);

    // An incident the administration found itself is nobody else's business.
    let own = found_here(h, "Нашли сами").await;
    press(h, &b.in_private, Action::NoAnswer { inc: own.id }).await;
    press(
        h,
        &b.in_private,
        Action::NoAnswerWith {
            inc: own.id,
            reason: NoAnswerReason::Obscenity,
        },
    )
    .await;
    assert_eq!(
        h.store.incident(own.id).await.unwrap().workflow.state,
        IncidentState::NoAnswer
    );

    // §9 ¶5: an obscene message is passed on to the Curator; the first try is refused, the retry
    // (after the back-off, on the test's clock) is taken, with the same delivery id.
    let obscene = from_the_system(h, "***", "IM-9").await;
    press(h, &b.in_private, Action::NoAnswer { inc: obscene.id }).await;
    press(
        h,
        &b.in_private,
        Action::NoAnswerWith {
            inc: obscene.id,
            reason: NoAnswerReason::Obscenity,
        },
    )
    .await;
    h.settle().await;
    h.walk_to(h.core.now() + chrono::Duration::minutes(1)).await;
    let posts = acknowledged(r, 1).await;
    let refused = r.refused.lock().unwrap().clone();
    assert_eq!(refused.len(), 1);
    assert_eq!(
        refused[0].header("x-otklik-delivery"),
        posts[0].header("x-otklik-delivery")
    );
    let body = posts[0].json();
    assert_eq!(body["event"], "no_answer");
    assert_eq!(body["reason"], "obscenity");
    assert_eq!(body["incident"]["external_id"], "IM-9");
    assert_eq!(body["incident"]["number"], obscene.number);
    assert_eq!(body["organisation"], "Администрация");
    assert_eq!(posts[0].header("x-otklik-event"), "no_answer");
    assert_eq!(
        posts[0].header("x-otklik-signature"),
        signed(&posts[0].body)
    );
    assert_eq!(posts[0].header("content-type"), "application/json");

    // §5–§7: one department's answer, agreed by the supervising deputy and approved by the
    // curator, goes to the system; then its publication, with the link.
    let asked = from_the_system(h, "Когда уберут снег?", "IM-10").await;
    let inc = asked.id;
    barnaul_routed(&b, inc, &[h.dept]).await;
    barnaul_answered(&b, &b.executor, inc, 0, "Снег уберут до вечера.").await;
    press(h, &b.curator, Action::Published { inc, part: Some(0) }).await;
    say(h, &b.in_private, "https://vk.com/wall-1_2?reply=99").await;
    assert_eq!(
        h.store.incident(inc).await.unwrap().workflow.state,
        IncidentState::Published
    );
    h.settle().await;
    let posts = acknowledged(r, 3).await;
    assert_eq!(
        events(&posts),
        ["no_answer", "answer_approved", "published"]
    );
    let approved = posts[1].json();
    assert_eq!(approved["incident"]["external_id"], "IM-10");
    assert_eq!(approved["part"], 0);
    assert_eq!(approved["answer"]["text"], "Снег уберут до вечера.");
    let published = posts[2].json();
    assert_eq!(published["incident"]["external_id"], "IM-10");
    assert_eq!(published["part"], 0);
    assert_eq!(published["answer"]["text"], "Снег уберут до вечера.");
    assert_eq!(
        published["answer"]["link"],
        "https://vk.com/wall-1_2?reply=99"
    );
    assert_eq!(published["answer"]["interim"], false);
    for p in &posts {
        assert_eq!(p.header("x-otklik-signature"), signed(&p.body));
    }

    // Each acknowledgement is in the audit log, with what was sent; the administration's own
    // find was never reported.
    assert_eq!(notified(h, inc).await, ["answer_approved", "published"]);
    assert_eq!(notified(h, obscene.id).await, ["no_answer"]);
    assert!(notified(h, own.id).await.is_empty());
}

async fn yuzhno_sakhalinsk_3_9_the_operators_own_answer_reaches_the_monitoring_system(db: &TestDb) {
    let (h, r) = linked("yuzhno-sakhalinsk", db, 0).await;
    // Saturday 28.11.2026 12:00 in Yuzhno-Sakhalinsk (01:00 UTC).
    h.clock.set(moscow("2026-11-28 04:00"));
    let rules = h.core.org(h.org).await.unwrap();
    let mut new = vk_comment(
        "Прорвало трубу",
        "Ирина П.",
        "https://vk.com/wall-1_2?reply=3",
        h.core.now(),
    );
    new.content.external_id = Some("IM-39".into());
    new.importance = otklik::domain::regulation::Importance::High;
    let taken = h
        .core
        .take_in(&rules, new, None, PersonId::SYSTEM)
        .await
        .unwrap();
    let inc = taken.record.id;
    let in_private = h.who(h.curator, CURATOR_TG).await;
    press(&h, &in_private, Action::AnswerMyself { inc }).await;
    say(&h, &in_private, "Аварийная бригада на месте.").await;
    press(&h, &in_private, Action::SendOwnAnswer { inc }).await;
    say(&h, &in_private, "https://vk.com/wall-1_2?reply=77").await;
    h.settle().await;
    let posts = acknowledged(&r, 2).await;
    let events: Vec<String> = posts
        .iter()
        .map(|p| p.json()["event"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(events, ["answer_approved", "published"]);
    let published = posts[1].json();
    assert_eq!(published["incident"]["external_id"], "IM-39");
    assert_eq!(published["part"], serde_json::Value::Null);
    assert_eq!(published["answer"]["text"], "Аварийная бригада на месте.");
    assert_eq!(
        published["answer"]["link"],
        "https://vk.com/wall-1_2?reply=77"
    );
}

/// Sakhalin 3.2 ¶3: the operator sends every answer to the regional Department — also the answer
/// to a message found on the city's own pages, which the monitoring system never sent (no
/// external id: the report carries the message's link).
async fn yuzhno_sakhalinsk_3_2_an_answer_on_the_citys_own_page_goes_to_the_department_too(
    db: &TestDb,
) {
    let (h, r) = linked("yuzhno-sakhalinsk", db, 0).await;
    let curator = h.who(h.curator, CURATOR_CHAT).await;
    let in_private = h.who(h.curator, CURATOR_TG).await;
    let executor = h.who(h.executor, EXECUTOR_TG).await;
    let own = found_here(&h, "Когда починят фонарь у школы?").await;
    let inc = own.id;
    approved(&h, &curator, &executor, inc).await;
    press(&h, &curator, Action::Published { inc, part: Some(0) }).await;
    say(&h, &in_private, "https://vk.com/wall-1_2?reply=77").await;
    h.settle().await;
    let posts = acknowledged(&r, 2).await;
    let events: Vec<String> = posts
        .iter()
        .map(|p| p.json()["event"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(events, ["answer_approved", "published"]);
    let published = posts[1].json();
    assert_eq!(
        published["incident"]["external_id"],
        serde_json::Value::Null
    );
    assert_eq!(
        published["incident"]["url"],
        "https://vk.com/wall-1_2?reply=3"
    );
    assert_eq!(
        published["answer"]["link"],
        "https://vk.com/wall-1_2?reply=77"
    );
    assert_eq!(
        posts[1].header("x-otklik-signature"),
        signed(&posts[1].body)
    );
}

/// Sakhalin 3.3: the operator hands the approved answer to the regional Department instead of
/// publishing it; the report says so (no link).
async fn yuzhno_sakhalinsk_3_3_an_answer_handed_to_the_department_is_reported_as_handed_over(
    db: &TestDb,
) {
    let (h, r) = linked("yuzhno-sakhalinsk", db, 0).await;
    let curator = h.who(h.curator, CURATOR_CHAT).await;
    let executor = h.who(h.executor, EXECUTOR_TG).await;
    let asked = from_the_system(&h, "Когда откроют каток?", "IM-33").await;
    let inc = asked.id;
    approved(&h, &curator, &executor, inc).await;
    press(&h, &curator, Action::HandedOver { inc, part: Some(0) }).await;
    h.settle().await;
    let posts = acknowledged(&r, 2).await;
    let handed = posts[1].json();
    assert_eq!(handed["event"], "published");
    assert_eq!(handed["incident"]["external_id"], "IM-33");
    assert_eq!(handed["answer"]["handed_over"], true);
    assert_eq!(handed["answer"]["link"], "");
    assert_eq!(posts[0].json()["answer"]["text"], "Снег уберут до вечера.");
    assert_eq!(
        posts[1].header("x-otklik-signature"),
        signed(&posts[1].body)
    );
}

#[test]
fn the_organisation_file_gives_the_webhook_and_refuses_a_bad_one() {
    let file = |url: &str, secret: &str| {
        format!(
            "[organisation]\nname = \"Администрация\"\nregulation = \"barnaul-leninsky\"\n\n\
             [organisation.monitoring]\nurl = \"{url}\"\nsecret = \"{secret}\"\n"
        )
    };
    let good = otklik::directory_file::DirectoryFile::parse(
        &file("https://im.example.ru/hook", SECRET),
        None,
    )
    .unwrap();
    let link = good.file.organisation.monitoring.clone().unwrap();
    assert_eq!(link.url, "https://im.example.ru/hook");
    assert!(
        !format!("{link:?}").contains(SECRET),
        "the secret stays out of logs"
    );
    let err = otklik::directory_file::DirectoryFile::parse(&file("ftp://x", "short"), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("organisation.monitoring.url: \"ftp://x\" is not an http(s) address"),
        "{err}"
    );
    assert!(
        err.contains("organisation.monitoring.secret: must be at least 16 characters"),
        "{err}"
    );
    let appeals = |office: &str, smtp: &str| {
        format!(
            "[organisation]\nname = \"Администрация\"\nregulation = \"vorsino\"\n\n\
             [organisation.appeals]\noffice = \"{office}\"\nfrom = \"otklik@example.ru\"\nsmtp = \"{smtp}\"\n"
        )
    };
    let good = otklik::directory_file::DirectoryFile::parse(
        &appeals(
            "priem@yuzhno-sakh.ru",
            "smtps://user:pass@smtp.example.ru:465",
        ),
        None,
    )
    .unwrap();
    let office = good.file.organisation.appeals.clone().unwrap();
    assert!(
        !format!("{office:?}").contains("pass"),
        "the password stays out of logs"
    );
    let err = otklik::directory_file::DirectoryFile::parse(&appeals("приёмная", "http://x"), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("organisation.appeals.office: \"приёмная\" is not an e-mail address"),
        "{err}"
    );
    assert!(
        err.contains("organisation.appeals.smtp: give smtp://"),
        "{err}"
    );
}

async fn barnaul_4_and_8_returned_and_unpublishable_incidents_go_back_to_the_curator(db: &TestDb) {
    let b = barnaul(db, 0).await;
    let (h, r) = (&b.h, &b.r);

    // §4 ¶2: not the district's competence — the triage card (opened from the group in the
    // curator's private chat) offers to hand it back at once.
    let foreign = from_the_system(h, "Когда отремонтируют трассу?", "IM-11").await;
    let button = format!("rs:{}", foreign.id);
    let triage = h.triage(foreign.number).await;
    let card = h.triage_in_private(&triage, foreign.id).await;
    assert!(card.buttons().contains(&button), "{:?}", card.buttons());
    let own = found_here(h, "Нашли сами").await;
    let triage = h.triage(own.number).await;
    let own_card = h.triage_in_private(&triage, own.id).await;
    assert!(
        !own_card.buttons().iter().any(|b| b.starts_with("rs:")),
        "an incident found by the administration has nowhere to go back to"
    );
    press(h, &b.in_private, Action::ReturnToSource { inc: foreign.id }).await;
    say(h, &b.in_private, "Трасса краевая: это Минтранс края").await;
    let stored = h.store.incident(foreign.id).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::Closed);
    h.settle().await;
    let posts = acknowledged(r, 1).await;
    let returned = posts[0].json();
    assert_eq!(returned["event"], "returned");
    assert_eq!(returned["reason"], "Трасса краевая: это Минтранс края");
    assert_eq!(returned["incident"]["external_id"], "IM-11");
    assert_eq!(
        posts[0].header("x-otklik-signature"),
        signed(&posts[0].body)
    );

    // §8: the answer, agreed by the deputy and approved, cannot be posted — the Curator is told
    // why; nothing else changes.
    let blocked = from_the_system(h, "Когда уберут снег?", "IM-12").await;
    barnaul_routed(&b, blocked.id, &[h.dept]).await;
    barnaul_answered(&b, &b.executor, blocked.id, 0, "Снег уберут до вечера.").await;
    let cannot = Action::CannotPublish {
        inc: blocked.id,
        part: Some(0),
    };
    press(h, &b.curator, cannot).await;
    say(h, &b.in_private, "Комментарии под постом закрыты").await;
    h.settle().await;
    let posts = acknowledged(r, 3).await;
    assert_eq!(
        events(&posts),
        ["returned", "answer_approved", "cannot_publish"]
    );
    let cannot_publish = posts[2].json();
    assert_eq!(cannot_publish["reason"], "Комментарии под постом закрыты");
    assert_eq!(cannot_publish["incident"]["external_id"], "IM-12");
    assert_eq!(cannot_publish["part"], 0);
    for p in &posts {
        assert_eq!(p.header("x-otklik-signature"), signed(&p.body));
    }
    let stored = h.store.incident(blocked.id).await.unwrap();
    assert_eq!(
        stored.workflow.publication_impossible,
        Some((Some(0), "Комментарии под постом закрыты".to_string()))
    );
    assert_eq!(stored.workflow.state, IncidentState::InWork);
    // Said once; publishing later is still possible.
    let again = h.core.press(&b.curator, cannot, None).await.unwrap();
    assert!(again.toast.is_some(), "{again:?}");
    let publish = Action::Published {
        inc: blocked.id,
        part: Some(0),
    };
    press(h, &b.curator, publish).await;
    say(h, &b.in_private, "https://vk.com/wall-1_2?reply=100").await;
    assert_eq!(
        h.store.incident(blocked.id).await.unwrap().workflow.state,
        IncidentState::Published
    );
    h.settle().await;
    let posts = acknowledged(r, 4).await;
    assert_eq!(
        events(&posts),
        ["returned", "answer_approved", "cannot_publish", "published"]
    );
    assert_eq!(notified(h, foreign.id).await, ["returned"]);
    assert_eq!(
        notified(h, blocked.id).await,
        ["answer_approved", "cannot_publish", "published"]
    );
    assert!(notified(h, own.id).await.is_empty());
}

/// Barnaul §5 ¶3, §6–§7: a message for two departments gets one consolidated answer — each
/// department's part is agreed and approved but not reported; the curator's merged answer is
/// what the monitoring system is told of, approved and then published, with no part.
async fn barnaul_5_a_consolidated_answer_reaches_the_monitoring_system_as_one_answer(db: &TestDb) {
    let b = barnaul(db, 0).await;
    let (h, r) = (&b.h, &b.r);
    let asked = from_the_system(h, "Во дворе яма и не вывозят мусор", "IM-20").await;
    let inc = asked.id;
    barnaul_routed(&b, inc, &[h.dept, h.other_dept]).await;
    barnaul_answered(&b, &b.executor, inc, 0, "Мусор вывезут сегодня.").await;
    barnaul_answered(&b, &b.other_executor, inc, 1, "Яму засыплют до пятницы.").await;
    let stored = h.store.incident(inc).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::Consolidating);

    // The curator merges the parts (asked in private), approves and publishes the merged answer.
    let merged = "Мусор вывезут сегодня, яму засыплют до пятницы.";
    press(h, &b.curator, Action::WriteConsolidated { inc }).await;
    say(h, &b.in_private, merged).await;
    let stored = h.store.incident(inc).await.unwrap();
    assert_eq!(
        stored
            .workflow
            .consolidated
            .as_ref()
            .map(|d| d.text.as_str()),
        Some(merged)
    );
    press(
        h,
        &b.curator,
        Action::Approve {
            inc,
            part: None,
            version: 1,
        },
    )
    .await;
    press(h, &b.curator, Action::Published { inc, part: None }).await;
    say(h, &b.in_private, "https://vk.com/wall-1_2?reply=120").await;
    assert_eq!(
        h.store.incident(inc).await.unwrap().workflow.state,
        IncidentState::Published
    );
    h.settle().await;
    let posts = acknowledged(r, 2).await;
    assert_eq!(
        events(&posts),
        ["answer_approved", "published"],
        "the parts' approvals are not reported, only the consolidated answer"
    );
    let approved = posts[0].json();
    assert_eq!(approved["incident"]["external_id"], "IM-20");
    assert_eq!(approved["incident"]["number"], asked.number);
    assert_eq!(approved["part"], serde_json::Value::Null);
    assert_eq!(approved["answer"]["text"], merged);
    assert_eq!(approved["answer"]["interim"], false);
    let published = posts[1].json();
    assert_eq!(published["incident"]["external_id"], "IM-20");
    assert_eq!(published["part"], serde_json::Value::Null);
    assert_eq!(published["answer"]["text"], merged);
    assert_eq!(
        published["answer"]["link"],
        "https://vk.com/wall-1_2?reply=120"
    );
    assert_eq!(published["answer"]["interim"], false);
    for p in &posts {
        assert_eq!(p.header("x-otklik-signature"), signed(&p.body));
        assert_eq!(p.header("x-otklik-event"), p.json()["event"]);
    }
    assert_eq!(notified(h, inc).await, ["answer_approved", "published"]);
}

/// A mail server: refuses the first `busy` connections with 421, takes every letter after.
#[derive(Clone, Default)]
struct MailServer {
    letters: Arc<Mutex<Vec<(String, String, String)>>>,
    busy: Arc<AtomicUsize>,
}

async fn mail_server(busy: usize) -> (MailServer, String) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let server = MailServer::default();
    server.busy.store(busy, Ordering::SeqCst);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let s = server.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let s = s.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let refuse = s
                    .busy
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if refuse {
                    let _ = write.write_all(b"421 busy, try later\r\n").await;
                    return;
                }
                let _ = write.write_all(b"220 fake ESMTP\r\n").await;
                let (mut from, mut to, mut data) = (String::new(), String::new(), String::new());
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            s.letters.lock().unwrap().push((
                                from.clone(),
                                to.clone(),
                                data.clone(),
                            ));
                            let _ = write.write_all(b"250 queued\r\n").await;
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 fake\r\n"
                    } else if upper.starts_with("MAIL FROM") {
                        from = line.clone();
                        b"250 ok\r\n"
                    } else if upper.starts_with("RCPT TO") {
                        to = line.clone();
                        b"250 ok\r\n"
                    } else if upper == "DATA" {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if upper == "QUIT" {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (server, url)
}

async fn vorsino_2_9_an_appeal_is_emailed_to_the_appeals_office(db: &TestDb) {
    let h = TestApp::start("vorsino", db).await;
    let (mail, smtp) = mail_server(1).await;
    let mut entry = otklik::directory_file::OrganisationEntry::bare("Администрация", "vorsino");
    entry.appeals = Some(otklik::directory_file::AppealsOffice {
        office: "admvorsino@yandex.ru".into(),
        from: "otklik@vorsino.example".into(),
        smtp,
    });
    h.store.set_settings(h.org, &entry).await.unwrap();
    let curator = h.who(h.curator, CURATOR_CHAT).await;
    // Pressed in the group, the questions are asked and answered in the curator's private chat.
    let in_private = h.who(h.curator, CURATOR_TG).await;
    let inc = found_here(&h, "Прошу пересчитать плату за вывоз мусора").await;
    press(&h, &curator, Action::Appeal { inc: inc.id }).await;
    for answer in ["да", "Иванова Ирина Петровна", "irina@example.org", "-"] {
        say(&h, &in_private, answer).await;
    }
    // The first connection finds the server busy; the retry a minute on delivers it.
    h.settle().await;
    h.walk_to(h.core.now() + chrono::Duration::minutes(2)).await;
    let mut letters = Vec::new();
    for _ in 0..3000 {
        letters = mail.letters.lock().unwrap().clone();
        if !letters.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(letters.len(), 1, "one letter, after one refusal");
    let (from, to, data) = &letters[0];
    assert!(from.contains("otklik@vorsino.example"), "{from}");
    assert!(to.contains("admvorsino@yandex.ru"), "{to}");
    assert!(data.contains("Subject:"), "{data}");
    let audit = h.store.audit_log(inc.id).await.unwrap();
    let sent: Vec<&serde_json::Value> = audit
        .iter()
        .filter(|a| a.command == "appeal_emailed")
        .map(|a| &a.payload)
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["to"], "admvorsino@yandex.ru");
    let stored = h.store.incident(inc.id).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::ConvertedToAppeal);

    // Sakhalin 3.8: the office's registration number is recorded and shown.
    h.wait(0, "status card with the registration button", |c| {
        c.chat() == CURATOR_CHAT && c.buttons().contains(&format!("an:{}", inc.id))
    })
    .await;
    let executor = h.who(h.executor, EXECUTOR_TG).await;
    let refused = h
        .core
        .press(&executor, Action::AppealNumber { inc: inc.id }, None)
        .await
        .unwrap();
    assert!(refused.toast.is_some());
    press(&h, &curator, Action::AppealNumber { inc: inc.id }).await;
    say(&h, &in_private, "ОГ-1234/2026").await;
    let stored = h.store.incident(inc.id).await.unwrap();
    assert_eq!(
        stored.workflow.appeal_registration.as_deref(),
        Some("ОГ-1234/2026")
    );
    h.settle().await;
    h.wait(0, "the number on the card", |c| {
        c.chat() == CURATOR_CHAT
            && c.method == "editMessageText"
            && c.text()
                .contains("📝 Обращение зарегистрировано: ОГ-1234/2026")
    })
    .await;
}

/// The draft's two photos, as the phone sent them (Telegram file ids and their bytes).
const PHOTOS: [(&str, &[u8]); 2] = [
    (
        "AgACAgIAAxkBAAIBwork1",
        b"\xff\xd8\xff\xe0 first photo of the lamp",
    ),
    (
        "AgACAgIAAxkBAAIBwork2",
        b"\xff\xd8\xff\xe0 second photo of the lamp",
    ),
];

/// Proof from the phone: two photos and the place sent with the draft travel with the approval
/// card, and the monitoring system's reports give the photos as links to Otklik's own copies,
/// which answer 200 while valid and 403 once expired (or forged), and the place as coordinates. Telegram's side is the fake Bot API throughout.
async fn photos_of_the_work_done_reach_the_monitoring_system_as_links_that_expire(db: &TestDb) {
    let (h, r) = linked("yuzhno-sakhalinsk", db, 0).await;
    // 10:00 on Tuesday in Yuzhno-Sakhalinsk: cards go out at once, not in the morning.
    h.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 23, 0, 0).unwrap());
    for (id, bytes) in PHOTOS {
        h.fake.put_file(id, bytes);
    }
    let curator = h.who(h.curator, CURATOR_CHAT).await;
    let in_private = h.who(h.curator, CURATOR_TG).await;
    let executor = h.who(h.executor, EXECUTOR_TG).await;
    let inc = found_here(&h, "Не горит фонарь у школы №3").await.id;
    press(
        &h,
        &in_private,
        Action::ToggleDepartment { inc, dept: h.dept },
    )
    .await;
    press(&h, &in_private, Action::Route { inc }).await;
    let start = Action::StartDraft {
        inc,
        part: 0,
        kind: DraftKind::Answer,
    };
    press(&h, &executor, start).await;

    // The text and the two photos come from the phone, through Telegram.
    let since = h.fake.mark();
    h.fake.say(
        EXECUTOR_TG,
        EXECUTOR_TG,
        "Фонарь у школы №3 заменён 7 декабря, фото прилагаем.",
    );
    h.wait(since, "the ask for photos", |c| {
        c.chat() == EXECUTOR_TG && c.text().contains("Пришлите фото")
    })
    .await;
    for (id, _) in PHOTOS {
        h.fake.photo(EXECUTOR_TG, id);
    }
    // And where the work was done.
    h.fake.location(EXECUTOR_TG, 46.9591, 142.738);
    h.wait(since, "both photos and the place taken", |c| {
        c.chat() == EXECUTOR_TG && c.text().contains("Добавлено: 3 вложения")
    })
    .await;
    let since = h.fake.mark();
    let preview = press(&h, &executor, Action::AttachmentsDone { inc }).await;
    assert!(
        said(&preview).contains("📎 3 вложения"),
        "{}",
        said(&preview)
    );
    let sent = press(&h, &executor, Action::SendDraft { inc }).await;
    assert_eq!(said(&sent), "📤 Отправлено на согласование.");
    // They follow the approval card to the curators.
    for (id, _) in PHOTOS {
        h.wait(since, "a photo under the approval card", |c| {
            c.method == "sendPhoto" && c.chat() == CURATOR_CHAT && c.body["photo"] == id
        })
        .await;
    }
    h.wait(since, "the place under the approval card", |c| {
        c.method == "sendLocation" && c.chat() == CURATOR_CHAT && c.body["latitude"] == 46.9591
    })
    .await;
    let approve = Action::Approve {
        inc,
        part: Some(0),
        version: 1,
    };
    press(&h, &curator, approve).await;
    press(&h, &curator, Action::Published { inc, part: Some(0) }).await;
    say(&h, &in_private, "https://vk.com/wall-1_2?reply=78").await;
    h.settle().await;

    // Both reports give the two photos as links under Otklik's address.
    let posts = acknowledged(&r, 2).await;
    assert_eq!(events(&posts), ["answer_approved", "published"]);
    let files = posts[1].json()["answer"]["files"].clone();
    assert_eq!(posts[0].json()["answer"]["files"], files);
    let mut given = files.as_array().unwrap().clone();
    // The place goes as its coordinates, after the photos.
    let place = given.pop().unwrap();
    assert_eq!(
        place,
        serde_json::json!({"type": "location", "latitude": 46.9591, "longitude": 142.738})
    );
    let links: Vec<String> = given
        .iter()
        .map(|f| {
            assert_eq!(f["type"], "photo", "{f}");
            f["url"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(links.len(), 2, "{files}");
    let base = format!("http://{}/files/", h.http);
    for link in &links {
        assert!(link.starts_with(&base), "{link}");
        assert!(!link.contains("AgAC"), "the file id shows in {link}");
    }

    // While valid, each link gives its photo; a forged signature gets nothing.
    let client = reqwest::Client::new();
    for (link, (_, bytes)) in links.iter().zip(PHOTOS) {
        let got = client.get(link).send().await.unwrap();
        assert_eq!(got.status(), 200, "{link}");
        assert_eq!(got.headers()["content-type"], "image/jpeg");
        assert_eq!(got.bytes().await.unwrap().as_ref(), bytes);
    }
    let forged = format!("{}0", &links[0][..links[0].len() - 1]);
    let forged = if forged == links[0] {
        format!("{}1", &links[0][..links[0].len() - 1])
    } else {
        forged
    };
    assert_eq!(client.get(&forged).send().await.unwrap().status(), 403);
    let unsigned = links[0].split('?').next().unwrap().to_string();
    assert_eq!(client.get(&unsigned).send().await.unwrap().status(), 403);

    // A week and a day later the links have expired.
    h.clock.advance(chrono::Duration::days(8));
    for link in &links {
        let got = client.get(link).send().await.unwrap();
        assert_eq!(got.status(), 403, "{link}");
        let body: serde_json::Value = got.json().await.unwrap();
        assert_eq!(body["error"], "the link has expired");
    }
}
