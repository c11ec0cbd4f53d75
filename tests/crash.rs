//! The crash tests: a few hundred incidents posted through the HTTP API while Otklik is killed at
//! random moments and started again on the same database. At the end every accepted incident is
//! stored once and routed as asked, every card has reached its chat, nothing waits or failed, and
//! the duplicate private messages (the ones in flight at a kill) are counted and bounded. The kill
//! moments come from a fixed seed.
//!
//! Two kinds of kill: the real binary (`otklik run`) killed with SIGKILL, on the wall clock; and
//! the application inside the test process stopped where it stands, on the test's clock.

mod support;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Timelike;
use otklik::domain::incident::IncidentState;
use otklik::domain::IncidentId;
use otklik::messenger::pacing::SendLimits;
use otklik::storage::Store;
use rand::{Rng, SeedableRng};
use serde_json::json;
use support::app::*;
use support::db::TestDb;
use support::fake_telegram::{Call, FakeTelegram};

on_both_backends!(
    sigkill_of_the_real_process_loses_nothing,
    sigterm_in_the_middle_of_fifty_cards_sends_each_once,
    sigterm_during_a_burst_loses_nothing,
    a_few_hundred_incidents_survive_random_kills,
);

const TOKEN: &str = "secret-token";

/// incident number → its id and the chat its card must reach (None: a triage card for the
/// curators).
type Expected = BTreeMap<i64, (i64, Option<i64>)>;

/// The body of the i-th incident: a third to each department, a third left for triage.
fn incident_body(i: usize) -> (serde_json::Value, Option<i64>) {
    let department = match i % 3 {
        0 => Some(("Отдел ЖКХ", EXECUTOR_TG)),
        1 => Some(("Благоустройство", OTHER_EXECUTOR_TG)),
        _ => None,
    };
    let mut body = json!({
        "external_id": format!("IM-{i}"),
        "source": "vk",
        "url": format!("https://vk.com/wall-1_{i}"),
        "author": format!("Житель {i}"),
        "text": format!("Обращение {i}"),
        "topic": format!("Тема {}", i % 7),
    });
    if let Some((name, _)) = department {
        body["department"] = json!(name);
    }
    (body, department.map(|(_, chat)| chat))
}

/// Posts one incident until the API takes it: a kill may cut a request, and the same
/// `external_id` again is safe (it answers the incident already stored). Returns (id, number).
async fn post_until_taken(
    client: &reqwest::Client,
    base: &str,
    body: &serde_json::Value,
) -> (i64, i64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let sent = client
            .post(format!("{base}/api/v1/incidents"))
            .header("authorization", format!("Bearer {TOKEN}"))
            .json(body)
            .send()
            .await;
        if let Ok(resp) = sent {
            let status = resp.status().as_u16();
            if let Ok(answer) = resp.json::<serde_json::Value>().await {
                if status == 200 || status == 201 {
                    let id = answer["id"].as_i64().expect("an id");
                    return (id, answer["number"].as_i64().expect("a number"));
                }
                assert!(status >= 500, "{status}: {answer}");
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the API never took {body}");
}

/// The incidents a group's backlog summary («📨 Ещё N новых сообщений», a «№k» button each)
/// listed in any of its versions: a group's new cards beyond what its minute carries are summed
/// up there instead of sent one by one.
fn summed_up(calls: &[Call], chat: i64) -> std::collections::BTreeSet<i64> {
    calls
        .iter()
        .filter(|c| c.ok && c.chat() == chat)
        .filter(|c| matches!(c.method.as_str(), "sendMessage" | "editMessageText"))
        .filter(|c| c.text().starts_with("📨 Ещё"))
        .flat_map(|c| c.buttons())
        .filter_map(|b| b.strip_prefix("oc:").and_then(|id| id.parse().ok()))
        .collect()
}

/// The incidents whose card to `chat` was summed up (its outbox row collapsed into a summary)
/// instead of sent.
async fn collapsed_cards(db_url: &str, chat: i64) -> std::collections::BTreeSet<i64> {
    let sql = "SELECT incident_id FROM outbox
               WHERE chat_id = $1 AND incident_id IS NOT NULL
                 AND last_error = 'collapsed into a summary'";
    let ids: Vec<i64> = if db_url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(db_url).await.unwrap();
        let ids = sqlx::query_scalar(sql)
            .bind(chat)
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        ids
    } else {
        let pool = sqlx::PgPool::connect(db_url).await.unwrap();
        let ids = sqlx::query_scalar(sql)
            .bind(chat)
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        ids
    };
    ids.into_iter().collect()
}

/// Every incident stored once and routed; every card arrived (the curators' in `curators`);
/// returns the duplicate messages.
async fn check_outcome(
    store: &Store,
    calls: &[Call],
    expected: &Expected,
    count: usize,
    curators: i64,
) -> usize {
    check_outcome_summed_up(store, calls, expected, count, curators, &Default::default()).await
}

/// The same, where the curators' chat is a group whose new cards may be summed up when they
/// come faster than its minute carries: a new incident's card came or is listed (a «№k» button)
/// in the group's backlog summary; the card of one routed at intake came, or was summed up
/// (`collapsed`: the incidents whose card row was collapsed into the summary) while a summary
/// was shown.
async fn check_outcome_summed_up(
    store: &Store,
    calls: &[Call],
    expected: &Expected,
    count: usize,
    curators: i64,
    collapsed: &std::collections::BTreeSet<i64>,
) -> usize {
    assert_eq!(expected.len(), count, "an incident was stored twice");
    for (number, (id, chat)) in expected {
        let record = store
            .incident(IncidentId(*id))
            .await
            .unwrap_or_else(|e| panic!("incident №{number} is lost: {e}"));
        let want = match chat {
            Some(_) => IncidentState::InWork,
            None => IncidentState::New,
        };
        assert_eq!(record.workflow.state, want, "№{number}");
    }
    let sent = |chat: i64, marker: &str| -> usize {
        calls
            .iter()
            .filter(|c| c.ok && c.method == "sendMessage" && c.chat() == chat)
            .filter(|c| c.text().contains(marker))
            .count()
    };
    let listed = summed_up(calls, curators);
    if !collapsed.is_empty() {
        assert!(
            !listed.is_empty(),
            "cards were summed up, but no summary came"
        );
    }
    let mut duplicates = 0;
    for (number, (id, chat)) in expected {
        let marker = match chat {
            Some(_) => format!("Инцидент №{number}</b>"),
            None => format!("Новое сообщение №{number} ·"),
        };
        let private = chat.map(|c| sent(c, &marker)).unwrap_or(1);
        let group = sent(curators, &marker);
        assert!(private >= 1, "№{number}: the executor's card never came");
        let summed = match chat {
            // Still new: the summary lists it, to open in private.
            None => listed.contains(id),
            // Routed at intake: nothing to triage; the summary's overview has it.
            Some(_) => collapsed.contains(id),
        };
        assert!(
            group >= 1 || summed,
            "№{number}: the curators' card never came (nor was it summed up)"
        );
        // Sent by a process that died before it recorded so, then summed up by its successor:
        // the crash's one repeat in that chat.
        let also_summed = usize::from(group >= 1 && collapsed.contains(id));
        duplicates += private - 1 + group.saturating_sub(1) + also_summed;
    }
    assert!(store.pending_outbox().await.unwrap().is_empty());
    assert!(store.failed_outbox().await.unwrap().is_empty());
    duplicates
}

/// A profile under which every minute of these few minutes is working time, whenever CI runs:
/// round the clock every day, holidays worked, in a zone where it is now about noon (so not
/// within the last hour of a shortened pre-holiday day). Quiet hours would otherwise hold the
/// cards until morning.
fn round_the_clock_profile() -> String {
    let utc_hour = chrono::Utc::now().hour() as i32;
    let offset = (12 - utc_hour).clamp(-12, 14);
    let zone = match offset {
        0 => "Etc/GMT".to_string(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    };
    let calendar: toml::Value =
        toml::from_str(otklik::domain::production_calendar::SHIPPED_RU_CALENDAR).unwrap();
    let mut days_off: Vec<String> = Vec::new();
    for year in calendar["years"].as_table().unwrap().values() {
        for list in ["days_off", "holidays"] {
            for d in year[list].as_array().unwrap() {
                days_off.push(format!("\"{}\"", d.as_str().unwrap()));
            }
        }
    }
    let preset = include_str!("../regulations/borovichi.toml").replace(
        "time_zone = \"Europe/Moscow\"",
        &format!("time_zone = \"{zone}\""),
    );
    let all_day = "\"00:00-24:00\"";
    format!(
        "{preset}\n[schedule]\nmon = {all_day}\ntue = {all_day}\nwed = {all_day}\nthu = {all_day}\nfri = {all_day}\nsat = {all_day}\nsun = {all_day}\n[calendar]\nextra_working_days = [{}]\n",
        days_off.join(", ")
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `otklik run`, as an administrator starts it, against the fake Bot API.
fn start_bot(db_url: &str, fake_url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_otklik"))
        .arg("run")
        .env("DATABASE_URL", db_url)
        .env("OTKLIK_TELEGRAM_TOKEN", "123:TEST")
        .env("OTKLIK_TELEGRAM_API_URL", fake_url)
        .env("OTKLIK_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("OTKLIK_INGEST_TOKEN", TOKEN)
        .env("RUST_LOG", "error")
        .env_remove("OTKLIK_CALENDAR_FILE")
        .env_remove("OTKLIK_DIALOGUES_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("otklik run starts")
}

async fn wait_until_up(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("otklik run did not come up at {base}");
}

/// `otklik run` started on a seeded database against a fresh fake Bot API, up and answering.
struct RealBot {
    store: Store,
    fake: FakeTelegram,
    db_url: String,
    fake_url: String,
    port: u16,
    base: String,
    client: reqwest::Client,
    bot: Child,
}

impl RealBot {
    async fn start(db: &TestDb) -> RealBot {
        let store = db.store().await;
        // Curators in private: the real process sends at Telegram's pace, and a private chat
        // takes a message a second where a group takes twenty a minute.
        seed_profile(&store, "borovichi", &round_the_clock_profile(), None).await;
        let (fake, fake_url) = FakeTelegram::start().await;
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let bot = start_bot(&db.url, &fake_url, port);
        wait_until_up(&client, &base).await;
        RealBot {
            store,
            fake,
            db_url: db.url.clone(),
            fake_url,
            port,
            base,
            client,
            bot,
        }
    }

    /// `otklik run` again on the same database, port and fake (after the last one ended).
    fn start_again(&mut self) {
        self.bot = start_bot(&self.db_url, &self.fake_url, self.port);
    }

    /// Stops the process as systemd does (SIGTERM); it must be gone within ten seconds.
    async fn terminate(&mut self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.bot.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.bot.try_wait().expect("the process").is_none() {
            assert!(
                Instant::now() < deadline,
                "otklik run did not stop within 10 s of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits (at most three minutes) until nothing is left to send, then checks the outcome
    /// (`check_outcome`, the curators in private); returns the duplicate messages.
    async fn outcome(&self, expected: &Expected, count: usize) -> usize {
        let deadline = Instant::now() + Duration::from_secs(180);
        while !self.store.pending_outbox().await.unwrap().is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        check_outcome(&self.store, &self.fake.calls(), expected, count, CURATOR_TG).await
    }
}

/// Every card sent to a private chat more than once: (chat, how many extra sends).
fn duplicates_by_chat(calls: &[Call]) -> BTreeMap<i64, usize> {
    let mut seen: BTreeMap<(i64, String), usize> = BTreeMap::new();
    for c in calls
        .iter()
        .filter(|c| c.ok && c.method == "sendMessage" && c.chat() > 0)
    {
        *seen.entry((c.chat(), c.text().to_string())).or_default() += 1;
    }
    let mut out: BTreeMap<i64, usize> = BTreeMap::new();
    for ((chat, _), n) in seen {
        if n > 1 {
            *out.entry(chat).or_default() += n - 1;
        }
    }
    out
}

async fn sigkill_of_the_real_process_loses_nothing(db: &TestDb) {
    // The real process sends at Telegram's pace, so fewer incidents than in the in-process
    // test, with kills more often.
    const INCIDENTS: usize = 30;
    let mut real = RealBot::start(db).await;
    let (base, client) = (real.base.clone(), real.client.clone());
    let mut rng = rand::rngs::StdRng::seed_from_u64(1130);
    let mut kills = 0;
    let mut expected = Expected::new();
    for i in 0..INCIDENTS {
        let (body, chat) = incident_body(i);
        let (id, number) = post_until_taken(&client, &base, &body).await;
        expected.insert(number, (id, chat));
        if rng.gen_ratio(1, 5) {
            tokio::time::sleep(Duration::from_millis(rng.gen_range(0..60))).await;
            real.bot.kill().expect("SIGKILL");
            real.bot.wait().expect("the killed process");
            kills += 1;
            let waiting = real
                .store
                .due_outbox_count(chrono::Utc::now())
                .await
                .unwrap();
            let mark = real.fake.mark();
            let restarted = Instant::now();
            real.start_again();
            wait_until_up(&client, &base).await;
            // What the dead process had out is its restarted self's at once, not after a lease.
            if waiting > 0 {
                let next = real
                    .fake
                    .wait_for(mark, "a message after the restart", |c| {
                        c.ok && c.method == "sendMessage"
                    })
                    .await;
                let took = next.at.duration_since(restarted);
                assert!(
                    took < Duration::from_secs(5),
                    "delivery resumed {took:?} after the restart"
                );
            }
        }
    }
    assert!(kills >= 5, "only {kills} kills");
    let duplicates = real.outcome(&expected, INCIDENTS).await;
    println!("SIGKILL: {INCIDENTS} incidents, {kills} kills, {duplicates} duplicate messages");
    // A chat has one message out at a time: a kill repeats at most that one.
    for (chat, extra) in duplicates_by_chat(&real.fake.calls()) {
        assert!(
            extra <= kills,
            "{extra} duplicates in chat {chat} after {kills} kills"
        );
    }
    // SIGTERM ends the process promptly.
    real.terminate().await;
    real.store.close().await;
}

/// SIGTERM while fifty cards are going out (each incident's card to its executor and to the
/// curator): the process finishes and records what it has out and starts nothing else; after a
/// restart every card arrives exactly once.
async fn sigterm_in_the_middle_of_fifty_cards_sends_each_once(db: &TestDb) {
    const INCIDENTS: usize = 25;
    let mut real = RealBot::start(db).await;
    let (base, client) = (real.base.clone(), real.client.clone());
    let mut expected = Expected::new();
    // Every incident routed at intake: two cards each.
    for i in (0..).filter(|i| i % 3 != 2).take(INCIDENTS) {
        let (body, chat) = incident_body(i);
        let (id, number) = post_until_taken(&client, &base, &body).await;
        expected.insert(number, (id, chat));
    }
    let cards = |calls: &[Call]| {
        calls
            .iter()
            .filter(|c| c.ok && c.method == "sendMessage" && c.chat() > 0)
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while cards(&real.fake.calls()) < 15 {
        assert!(
            Instant::now() < deadline,
            "the cards did not start going out"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    real.terminate().await;
    let at_stop = cards(&real.fake.calls());
    assert!(at_stop < 2 * INCIDENTS, "the stop came after the last card");
    real.start_again();
    wait_until_up(&client, &base).await;
    let duplicates = real.outcome(&expected, INCIDENTS).await;
    assert_eq!(duplicates, 0, "cards sent twice after a SIGTERM");
    assert_eq!(cards(&real.fake.calls()), 2 * INCIDENTS);
    real.terminate().await;
    real.store.close().await;
}

async fn sigterm_during_a_burst_loses_nothing(db: &TestDb) {
    const INCIDENTS: usize = 40;
    const CLIENTS: usize = 8;
    let mut real = RealBot::start(db).await;
    let (base, client) = (real.base.clone(), real.client.clone());
    // Eight monitoring clients post at once, each retrying what the stop cut off.
    let taken = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut posting = tokio::task::JoinSet::new();
    for c in 0..CLIENTS {
        let (client, base, taken) = (client.clone(), base.clone(), taken.clone());
        posting.spawn(async move {
            let mut mine = Vec::new();
            for i in (c..INCIDENTS).step_by(CLIENTS) {
                let (body, chat) = incident_body(i);
                let (id, number) = post_until_taken(&client, &base, &body).await;
                taken.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                mine.push((number, (id, chat)));
            }
            mine
        });
    }
    // SIGTERM in the middle of the burst, then the service is started again.
    let deadline = Instant::now() + Duration::from_secs(60);
    while taken.load(std::sync::atomic::Ordering::SeqCst) < INCIDENTS / 3 {
        assert!(Instant::now() < deadline, "the burst did not start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    real.terminate().await;
    let at_stop = taken.load(std::sync::atomic::Ordering::SeqCst);
    assert!(at_stop < INCIDENTS, "the stop came after the burst");
    real.start_again();
    let mut expected = Expected::new();
    while let Some(done) = posting.join_next().await {
        expected.extend(done.expect("a client"));
    }
    // A graceful stop finishes the message in hand: nothing is lost and nothing sent twice.
    let duplicates = real.outcome(&expected, INCIDENTS).await;
    assert_eq!(duplicates, 0, "messages sent twice after a SIGTERM");
    real.terminate().await;
    real.store.close().await;
}

async fn a_few_hundred_incidents_survive_random_kills(db: &TestDb) {
    const INCIDENTS: usize = 200;
    let mut h = TestApp::start_paced("vorsino", db, SendLimits::TELEGRAM.faster(200)).await;
    let client = reqwest::Client::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261130);
    let mut kills = 0;
    let mut expected = Expected::new();
    for i in 0..INCIDENTS {
        let (mut body, chat) = incident_body(i);
        body["detected_at"] = json!("2026-11-23T10:00:00+03:00");
        let (id, number) = post_until_taken(&client, &format!("http://{}", h.http), &body).await;
        expected.insert(number, (id, chat));
        // Now and then, at a random moment while cards are being sent: kill and restart.
        if rng.gen_ratio(1, 20) {
            tokio::time::sleep(Duration::from_millis(rng.gen_range(0..40))).await;
            h.crash_and_restart().await;
            kills += 1;
        }
    }
    assert!(kills >= 5, "only {kills} kills");
    // After a kill, the dead process's leases run out and a cut send is retried after a
    // backoff, both on the bot's clock: move it on until nothing waits.
    for _ in 0..30 {
        h.clock.advance(chrono::Duration::seconds(10));
        h.core.wake_delivery();
        h.settle().await;
        if h.store.pending_outbox().await.unwrap().is_empty() {
            break;
        }
    }
    let collapsed = collapsed_cards(h.database_url(), CURATOR_CHAT).await;
    let duplicates = check_outcome_summed_up(
        &h.store,
        &h.fake.calls(),
        &expected,
        INCIDENTS,
        CURATOR_CHAT,
        &collapsed,
    )
    .await;
    println!("in-process: {INCIDENTS} incidents, {kills} kills, {duplicates} duplicate messages");
    // At most the message in flight in each of the three chats per kill.
    assert!(
        duplicates <= kills * 3,
        "{duplicates} duplicates after {kills} kills"
    );
}
