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
use otklik::core::{Action, Input, Who};
use otklik::directory_file::MonitoringLink;
use otklik::domain::content::IncidentRecord;
use otklik::domain::incident::{DraftKind, IncidentState, NoAnswerReason};
use otklik::domain::PersonId;
use sha2::Sha256;
use support::app::*;
use support::db::TestDb;

on_both_backends!(
    barnaul_9_no_answer_and_an_answer_reach_the_monitoring_system_signed_and_retried,
    barnaul_4_and_8_returned_and_unpublishable_incidents_go_back_to_the_curator,
    vorsino_2_9_an_appeal_is_emailed_to_the_appeals_office,
    yuzhno_sakhalinsk_3_9_the_operators_own_answer_reaches_the_monitoring_system,
    yuzhno_sakhalinsk_3_2_an_answer_on_the_citys_own_page_goes_to_the_department_too,
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

async fn from_monitoring(h: &TestApp, text: &str, external_id: Option<&str>) -> IncidentRecord {
    let rules = h.core.org(h.org).await.unwrap();
    let mut new = vk_comment(
        text,
        "Ирина П.",
        "https://vk.com/wall-1_2?reply=3",
        h.core.now(),
    );
    new.content.external_id = external_id.map(String::from);
    h.core
        .take_in(&rules, new, None, PersonId::SYSTEM)
        .await
        .unwrap()
        .record
}

async fn press(h: &TestApp, who: &Who, action: Action) {
    h.core.press(who, action, None).await.unwrap();
}

async fn say(h: &TestApp, who: &Who, text: &str) {
    h.core.message(who, Input::text(text)).await.unwrap();
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
/// chat) and has its answer drafted and approved (in the curators' group).
async fn approved(h: &TestApp, curator: &Who, executor: &Who, inc: otklik::domain::IncidentId) {
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

async fn barnaul_9_no_answer_and_an_answer_reach_the_monitoring_system_signed_and_retried(
    db: &TestDb,
) {
    let (h, r) = linked("vorsino", db, 1).await;
    let curator = h.who(h.curator, CURATOR_CHAT).await;
    // Where a press in the group continues: the curator's private chat.
    let in_private = h.who(h.curator, CURATOR_TG).await;
    let executor = h.who(h.executor, EXECUTOR_TG).await;

    // An incident the administration found itself is nobody else's business.
    let own = from_monitoring(&h, "Нашли сами", None).await;
    press(&h, &in_private, Action::NoAnswer { inc: own.id }).await;
    press(
        &h,
        &in_private,
        Action::NoAnswerWith {
            inc: own.id,
            reason: NoAnswerReason::Obscenity,
        },
    )
    .await;

    // Barnaul §9 ¶5: an obscene message is passed on; the first try is refused, the retry
    // (after the back-off, on the test's clock) is taken, with the same delivery id.
    let obscene = from_monitoring(&h, "***", Some("IM-9")).await;
    press(&h, &in_private, Action::NoAnswer { inc: obscene.id }).await;
    press(
        &h,
        &in_private,
        Action::NoAnswerWith {
            inc: obscene.id,
            reason: NoAnswerReason::Obscenity,
        },
    )
    .await;
    h.settle().await;
    h.walk_to(h.core.now() + chrono::Duration::minutes(1)).await;
    let posts = acknowledged(&r, 1).await;
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

    // Sakhalin 3.2 / Barnaul §6–§7: the approved answer, then its publication with the link.
    let asked = from_monitoring(&h, "Когда уберут снег?", Some("IM-10")).await;
    let inc = asked.id;
    approved(&h, &curator, &executor, inc).await;
    press(&h, &curator, Action::Published { inc, part: Some(0) }).await;
    say(&h, &in_private, "https://vk.com/wall-1_2?reply=99").await;
    h.settle().await;
    let posts = acknowledged(&r, 3).await;
    let events: Vec<String> = posts
        .iter()
        .map(|p| p.json()["event"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(events, ["no_answer", "answer_approved", "published"]);
    let published = posts[2].json();
    assert_eq!(published["incident"]["external_id"], "IM-10");
    assert_eq!(published["answer"]["text"], "Снег уберут до вечера.");
    assert_eq!(
        published["answer"]["link"],
        "https://vk.com/wall-1_2?reply=99"
    );
    assert_eq!(published["answer"]["interim"], false);
    assert_eq!(posts[1].json()["answer"]["text"], "Снег уберут до вечера.");
    for p in &posts {
        assert_eq!(p.header("x-otklik-signature"), signed(&p.body));
    }

    // Each acknowledgement is in the audit log, with what was sent.
    let audit = h.store.audit_log(inc).await.unwrap();
    let told: Vec<String> = audit
        .iter()
        .filter(|a| a.command == "monitoring_notified")
        .map(|a| a.payload["event"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(told, ["answer_approved", "published"]);
    assert!(h
        .store
        .audit_log(own.id)
        .await
        .unwrap()
        .iter()
        .all(|a| a.command != "monitoring_notified"));
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
    let own = from_monitoring(&h, "Когда починят фонарь у школы?", None).await;
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
    let (h, r) = linked("vorsino", db, 0).await;
    let curator = h.who(h.curator, CURATOR_CHAT).await;
    // Where the full triage card is, and where a press in the group continues.
    let in_private = h.who(h.curator, CURATOR_TG).await;
    let executor = h.who(h.executor, EXECUTOR_TG).await;

    // §4 ¶2: not the district's competence — the triage card (opened from the group in the
    // curator's private chat) offers to hand it back.
    let foreign = from_monitoring(&h, "Когда отремонтируют трассу?", Some("IM-11")).await;
    let button = format!("rs:{}", foreign.id);
    let triage = h.triage(foreign.number).await;
    let card = h.triage_in_private(&triage, foreign.id).await;
    assert!(card.buttons().contains(&button), "{:?}", card.buttons());
    let own = from_monitoring(&h, "Нашли сами", None).await;
    let triage = h.triage(own.number).await;
    let own_card = h.triage_in_private(&triage, own.id).await;
    assert!(
        !own_card.buttons().iter().any(|b| b.starts_with("rs:")),
        "an incident found by the administration has nowhere to go back to"
    );
    press(&h, &in_private, Action::ReturnToSource { inc: foreign.id }).await;
    say(&h, &in_private, "Трасса краевая: это Минтранс края").await;
    let stored = h.store.incident(foreign.id).await.unwrap();
    assert_eq!(stored.workflow.state, IncidentState::Closed);
    h.settle().await;
    let posts = acknowledged(&r, 1).await;
    let returned = posts[0].json();
    assert_eq!(returned["event"], "returned");
    assert_eq!(returned["reason"], "Трасса краевая: это Минтранс края");
    assert_eq!(returned["incident"]["external_id"], "IM-11");

    // §8: the approved answer cannot be posted — the Curator is told why; nothing else changes.
    let blocked = from_monitoring(&h, "Когда уберут снег?", Some("IM-12")).await;
    approved(&h, &curator, &executor, blocked.id).await;
    let cannot = Action::CannotPublish {
        inc: blocked.id,
        part: Some(0),
    };
    press(&h, &curator, cannot).await;
    say(&h, &in_private, "Комментарии под постом закрыты").await;
    h.settle().await;
    let posts = acknowledged(&r, 3).await;
    let events: Vec<String> = posts
        .iter()
        .map(|p| p.json()["event"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(events, ["returned", "answer_approved", "cannot_publish"]);
    assert_eq!(posts[2].json()["reason"], "Комментарии под постом закрыты");
    let stored = h.store.incident(blocked.id).await.unwrap();
    assert_eq!(
        stored.workflow.publication_impossible,
        Some((Some(0), "Комментарии под постом закрыты".to_string()))
    );
    // Said once; publishing later is still possible.
    let again = h.core.press(&curator, cannot, None).await.unwrap();
    assert!(again.toast.is_some(), "{again:?}");
    let publish = Action::Published {
        inc: blocked.id,
        part: Some(0),
    };
    press(&h, &curator, publish).await;
    say(&h, &in_private, "https://vk.com/wall-1_2?reply=100").await;
    assert_eq!(
        h.store.incident(blocked.id).await.unwrap().workflow.state,
        IncidentState::Published
    );
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
    let inc = from_monitoring(&h, "Прошу пересчитать плату за вывоз мусора", None).await;
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
