//! Otklik started for a test the way `otklik run` starts it (`Application::build`), on a fresh
//! database, against a fake Bot API, with a clock the test sets: an organisation with a
//! curators' group, two departments, a curator and two executors.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use otklik::core::{Conversation, Core, ManualClock, Who};
use otklik::domain::content::{
    ChatRef, IncidentContent, IncidentRecord, MessageKind, Messenger, NewIncident, Source,
};
use otklik::domain::incident::Role;
use otklik::domain::regulation::{Importance, PRESETS};
use otklik::domain::{DepartmentId, OrgId, PersonId};
use otklik::max::webhook::MaxWebhookConfig;
use otklik::max::MaxConfig;
use otklik::messenger::pacing::SendLimits;
use otklik::startup::{Application, Config};
use otklik::storage::{NewAccount, NewOrganisation, NewPerson, Store};
use otklik::telegram::webhook::WebhookConfig;
use otklik::telegram::TelegramConfig;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::db::TestDb;
use super::fake_max::{FakeMax, MAX_TOKEN};
use super::fake_telegram::{Call, FakeTelegram};

pub const CURATOR_CHAT: i64 = -1_001_234;
pub const CURATOR_TG: i64 = 1001;
pub const EXECUTOR_TG: i64 = 2002;
pub const OTHER_EXECUTOR_TG: i64 = 3003;
pub const STRANGER_TG: i64 = 9009;
/// Where webhook-mode tests post updates, and the secret they send.
pub const WEBHOOK_PATH: &str = "/telegram/hook";
pub const WEBHOOK_SECRET: &str = "hook-secret_1";
/// Where MAX webhook tests post updates, and the secret they send.
pub const MAX_WEBHOOK_PATH: &str = "/max/hook";
pub const MAX_WEBHOOK_SECRET: &str = "max-hook-secret_2";

/// 2026-11-23 (a Monday) at a Moscow time.
pub fn moscow(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a time");
    chrono_tz::Europe::Moscow
        .from_local_datetime(&naive)
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc)
}

pub fn telegram_chat(id: i64) -> ChatRef {
    ChatRef {
        messenger: Messenger::Telegram,
        id,
    }
}

/// A person with a Telegram account.
pub fn person(name: &str, tg: i64, roles: Vec<Role>) -> NewPerson {
    NewPerson {
        full_name: name.into(),
        phone: None,
        roles,
        accounts: vec![NewAccount {
            messenger: Messenger::Telegram,
            external_id: Some(tg),
            username: None,
        }],
    }
}

/// The directory every test starts with.
pub struct Seeded {
    pub org: OrgId,
    pub curator: PersonId,
    pub executor: PersonId,
    pub other_executor: PersonId,
    pub dept: DepartmentId,
    pub other_dept: DepartmentId,
}

/// A VK comment as intake takes it in: `text` by `author` under `url`, normal importance, no
/// topic; callers set what their case needs.
pub fn vk_comment(text: &str, author: &str, url: &str, detected_at: DateTime<Utc>) -> NewIncident {
    NewIncident {
        content: IncidentContent {
            source: Source::Vk,
            kind: MessageKind::Comment,
            url: url.into(),
            external_id: None,
            author: author.into(),
            text: text.into(),
            attachments: vec![],
            repeat_of: None,
        },
        reply_to: None,
        detected_at,
        importance: Importance::Normal,
        external_deadline: None,
        topic: None,
        location: None,
    }
}

/// Creates the organisation under a preset, with its people and departments.
pub async fn seed(store: &Store, preset: &str) -> Seeded {
    seed_with(store, preset, "").await
}

/// The same, with TOML tables appended to the preset's profile (e.g. `[privacy]`).
pub async fn seed_with(store: &Store, preset: &str, extra: &str) -> Seeded {
    let toml = PRESETS
        .iter()
        .find(|(n, _)| *n == preset)
        .expect("a preset")
        .1;
    seed_profile(
        store,
        preset,
        &format!("{toml}\n{extra}"),
        Some(CURATOR_CHAT),
    )
    .await
}

/// The same, under a whole profile's text, with or without the curators' group chat (without
/// it, curators get their notices in private).
pub async fn seed_profile(
    store: &Store,
    name: &str,
    toml: &str,
    curator_chat: Option<i64>,
) -> Seeded {
    let preset = name;
    let org = store
        .create_organisation(
            &NewOrganisation {
                name: "Администрация".into(),
                regulation_name: preset.into(),
                regulation_toml: toml.into(),
                curator_chat: curator_chat.map(telegram_chat),
                head_chat: None,
            },
            moscow("2026-11-23 09:00"),
        )
        .await
        .expect("an organisation");
    let curator = store
        .create_person(
            org,
            &person("Смирнова Елена", CURATOR_TG, vec![Role::Curator]),
        )
        .await
        .expect("a curator");
    let executor = store
        .create_person(
            org,
            &person("Петров Алексей", EXECUTOR_TG, vec![Role::Executor]),
        )
        .await
        .expect("an executor");
    let other_executor = store
        .create_person(
            org,
            &person("Сидорова Анна", OTHER_EXECUTOR_TG, vec![Role::Executor]),
        )
        .await
        .expect("an executor");
    let dept = store
        .create_department(org, "Отдел ЖКХ")
        .await
        .expect("a department");
    let other_dept = store
        .create_department(org, "Благоустройство")
        .await
        .expect("a department");
    store
        .add_to_department(dept, executor)
        .await
        .expect("membership");
    store
        .add_to_department(other_dept, other_executor)
        .await
        .expect("membership");
    Seeded {
        org,
        curator,
        executor,
        other_executor,
        dept,
        other_dept,
    }
}

fn dialogues() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dialogues")
}

/// A running Otklik with its fake Telegram.
pub struct TestApp {
    pub fake: FakeTelegram,
    pub fake_url: String,
    pub core: Arc<Core>,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub http: SocketAddr,
    pub org: OrgId,
    pub curator: PersonId,
    pub executor: PersonId,
    pub other_executor: PersonId,
    pub dept: DepartmentId,
    pub other_dept: DepartmentId,
    db_url: String,
    limits: SendLimits,
    webhook: Option<WebhookConfig>,
    /// MAX's fake, when the application runs MAX too.
    pub max: Option<FakeMax>,
    max_url: Option<(String, SendLimits, Option<MaxWebhookConfig>)>,
    /// The process's name among replicas (kept across its restarts).
    name: String,
    stop: CancellationToken,
    running: Option<JoinHandle<()>>,
}

/// A second instance of the application beside a `TestApp`.
pub struct Replica {
    pub core: Arc<Core>,
    pub http: SocketAddr,
    stop: CancellationToken,
    running: Option<JoinHandle<()>>,
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.stop.cancel();
        if let Some(h) = self.running.take() {
            h.abort();
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.cancel();
        if let Some(h) = self.running.take() {
            h.abort();
        }
    }
}

/// How fast the application under test sends: Telegram's rhythm, twenty times faster.
pub fn test_limits() -> SendLimits {
    SendLimits::TELEGRAM.faster(20)
}

/// Builds and starts the application as `main` does.
pub async fn launch(
    db_url: &str,
    fake_url: &str,
    clock: Arc<ManualClock>,
) -> (Arc<Core>, SocketAddr, CancellationToken, JoinHandle<()>) {
    launch_paced(db_url, fake_url, clock, test_limits()).await
}

/// Builds and starts the application as `main` does, sending at the pace given.
pub async fn launch_paced(
    db_url: &str,
    fake_url: &str,
    clock: Arc<ManualClock>,
    limits: SendLimits,
) -> (Arc<Core>, SocketAddr, CancellationToken, JoinHandle<()>) {
    launch_configured(db_url, fake_url, clock, limits, None).await
}

/// The same, taking Telegram updates by webhook when one is given.
pub async fn launch_configured(
    db_url: &str,
    fake_url: &str,
    clock: Arc<ManualClock>,
    limits: SendLimits,
    webhook: Option<WebhookConfig>,
) -> (Arc<Core>, SocketAddr, CancellationToken, JoinHandle<()>) {
    launch_with_max(db_url, fake_url, clock, limits, webhook, None).await
}

/// The same, with MAX on too when its fake's URL and pace are given.
pub async fn launch_with_max(
    db_url: &str,
    fake_url: &str,
    clock: Arc<ManualClock>,
    limits: SendLimits,
    webhook: Option<WebhookConfig>,
    max: Option<(&str, SendLimits, Option<MaxWebhookConfig>)>,
) -> (Arc<Core>, SocketAddr, CancellationToken, JoinHandle<()>) {
    launch_named(
        db_url,
        fake_url,
        clock,
        limits,
        webhook,
        max,
        &instance_name("app"),
    )
    .await
}

/// A name for one process among replicas, unique in this test run (replicas in one test
/// process must not share the host's name: a restart takes over what its name held).
pub fn instance_name(what: &str) -> String {
    use rand::distributions::{Alphanumeric, DistString};
    format!(
        "{what}-{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 8)
    )
}

/// The same, as the process named `name` (a restart under the same name takes over its claims).
pub async fn launch_named(
    db_url: &str,
    fake_url: &str,
    clock: Arc<ManualClock>,
    limits: SendLimits,
    webhook: Option<WebhookConfig>,
    max: Option<(&str, SendLimits, Option<MaxWebhookConfig>)>,
    name: &str,
) -> (Arc<Core>, SocketAddr, CancellationToken, JoinHandle<()>) {
    let mut config = Config::new(
        db_url,
        otklik::domain::production_calendar::SHIPPED_RU_CALENDAR.into(),
    );
    config.name = name.to_string();
    config.telegram = Some(TelegramConfig {
        token: "123:TEST".into(),
        api_url: Some(fake_url.parse().expect("the fake's URL")),
        limits,
        webhook,
    });
    config.max = max.map(|(url, limits, webhook)| MaxConfig {
        token: MAX_TOKEN.into(),
        api_url: Some(url.parse().expect("the MAX fake's URL")),
        limits,
        webhook,
    });
    config.dialogues_dir = Some(dialogues());
    config.http_addr = SocketAddr::from(([127, 0, 0, 1], 0));
    config.ingest_token = "secret-token".into();
    config.metrics_token = "metrics-token".into();
    // Short, so tests of slow clients finish quickly; real clients send at once.
    config.http_limits = otklik::http::HttpLimits {
        header_timeout: std::time::Duration::from_millis(500),
        body_timeout: std::time::Duration::from_millis(500),
        request_timeout: std::time::Duration::from_secs(20),
        max_connections: 64,
        shutdown_grace: std::time::Duration::from_secs(2),
    };
    config.clock = clock;
    config.strict_texts = true;
    let app = Application::build(config).await.expect("Otklik starts");
    let core = app.core().clone();
    let http = app.http_addr();
    let stop = app.stop_token();
    let running = tokio::spawn(app.run_until_stopped());
    (core, http, stop, running)
}

impl TestApp {
    /// Starts Otklik on a fresh database under a preset, at 10:00 on Monday 23 November 2026.
    pub async fn start(preset: &str, db: &TestDb) -> TestApp {
        TestApp::start_paced(preset, db, test_limits()).await
    }

    /// Starts Otklik under a preset with TOML tables appended to its profile.
    pub async fn start_with(preset: &str, extra: &str, db: &TestDb) -> TestApp {
        TestApp::start_seeded(preset, extra, db, test_limits(), None).await
    }

    /// Starts Otklik taking Telegram updates by webhook (at `WEBHOOK_PATH`, with
    /// `WEBHOOK_SECRET`) instead of long polling.
    pub async fn start_webhook(preset: &str, db: &TestDb) -> TestApp {
        TestApp::start_webhook_paced(preset, db, test_limits()).await
    }

    /// The same, sending at the pace given.
    pub async fn start_webhook_paced(preset: &str, db: &TestDb, limits: SendLimits) -> TestApp {
        let hook = WebhookConfig::new(
            &format!("https://otklik.example.ru{WEBHOOK_PATH}"),
            WEBHOOK_SECRET,
        )
        .expect("a valid webhook");
        TestApp::start_seeded(preset, "", db, limits, Some(hook)).await
    }

    /// Another instance of the application as this one was started, on the same database,
    /// fake Telegram and clock, named `name`.
    async fn launch_again(
        &self,
        name: &str,
    ) -> (Arc<Core>, SocketAddr, CancellationToken, JoinHandle<()>) {
        launch_named(
            &self.db_url,
            &self.fake_url,
            self.clock.clone(),
            self.limits,
            self.webhook.clone(),
            self.max_url
                .as_ref()
                .map(|(u, l, w)| (u.as_str(), *l, w.clone())),
            name,
        )
        .await
    }

    /// Starts Otklik with Telegram and MAX both on, MAX sending at the pace given.
    pub async fn start_with_max(preset: &str, db: &TestDb, max_limits: SendLimits) -> TestApp {
        TestApp::start_seeded_with(
            preset,
            "",
            db,
            test_limits(),
            None,
            Some((max_limits, None)),
        )
        .await
    }

    /// The same, MAX's updates coming by webhook to `MAX_WEBHOOK_PATH`.
    pub async fn start_with_max_webhook(preset: &str, db: &TestDb) -> TestApp {
        let hook = MaxWebhookConfig::new(
            &format!("https://otklik.example.ru{MAX_WEBHOOK_PATH}"),
            MAX_WEBHOOK_SECRET,
        )
        .expect("a valid webhook");
        let limits = SendLimits::MAX.faster(20);
        TestApp::start_seeded_with(
            preset,
            "",
            db,
            test_limits(),
            None,
            Some((limits, Some(hook))),
        )
        .await
    }

    /// MAX's fake (the application must run MAX).
    pub fn max(&self) -> &FakeMax {
        self.max.as_ref().expect("the application runs MAX")
    }

    /// A person's presses of «Принять» on every card sent to their private chat, as updates
    /// (ids not set).
    pub fn accept_presses(&self, user: i64) -> Vec<serde_json::Value> {
        self.fake
            .calls()
            .into_iter()
            .filter(|c| c.method == "sendMessage" && c.chat() == user)
            .filter_map(|c| {
                let accept = c.buttons().into_iter().find(|b| b.starts_with("ac:"))?;
                Some(self.fake.press_update(user, &c, &accept))
            })
            .collect()
    }

    /// Starts another replica of the application on the same database, fake Telegram and
    /// clock (PostgreSQL: replicas share their work through it).
    pub async fn replica(&self) -> Replica {
        let (core, http, stop, running) = self.launch_again(&instance_name("replica")).await;
        Replica {
            core,
            http,
            stop,
            running: Some(running),
        }
    }

    /// The database the application runs on.
    pub fn database_url(&self) -> &str {
        &self.db_url
    }

    /// The same, sending at the pace given.
    pub async fn start_paced(preset: &str, db: &TestDb, limits: SendLimits) -> TestApp {
        TestApp::start_seeded(preset, "", db, limits, None).await
    }

    async fn start_seeded(
        preset: &str,
        extra: &str,
        db: &TestDb,
        limits: SendLimits,
        webhook: Option<WebhookConfig>,
    ) -> TestApp {
        TestApp::start_seeded_with(preset, extra, db, limits, webhook, None).await
    }

    async fn start_seeded_with(
        preset: &str,
        extra: &str,
        db: &TestDb,
        limits: SendLimits,
        webhook: Option<WebhookConfig>,
        max_limits: Option<(SendLimits, Option<MaxWebhookConfig>)>,
    ) -> TestApp {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "warn".into()),
            )
            .with_test_writer()
            .try_init();
        let store = db.store().await;
        let seeded = seed_with(&store, preset, extra).await;
        let (fake, fake_url) = FakeTelegram::start().await;
        let clock = ManualClock::new(moscow("2026-11-23 10:00"));
        let (max, max_url) = match max_limits {
            Some((l, hook)) => {
                let (fake, url) = FakeMax::start().await;
                (Some(fake), Some((url, l, hook)))
            }
            None => (None, None),
        };
        let name = instance_name("app");
        let (core, http, stop, running) = launch_named(
            &db.url,
            &fake_url,
            clock.clone(),
            limits,
            webhook.clone(),
            max_url
                .as_ref()
                .map(|(u, l, w)| (u.as_str(), *l, w.clone())),
            &name,
        )
        .await;
        TestApp {
            name,
            fake,
            fake_url,
            core,
            store,
            clock,
            http,
            org: seeded.org,
            curator: seeded.curator,
            executor: seeded.executor,
            other_executor: seeded.other_executor,
            dept: seeded.dept,
            other_dept: seeded.other_dept,
            db_url: db.url.clone(),
            limits,
            webhook,
            max,
            max_url,
            stop,
            running: Some(running),
        }
    }

    /// Kills the application mid-work (as a crash would) and starts a new one on the same
    /// database and fake Telegram.
    pub async fn crash_and_restart(&mut self) {
        self.crash().await;
        self.restart().await;
    }

    /// A crash as the operating system ends a process: the application stops where it stands
    /// and its database connections end with it (SQLite rolls back what a dead process had
    /// open). In this test process the stopped application's connections would outlive it and
    /// could keep SQLite's write lock; they are closed, and this waits (at most 60 s) until the
    /// database takes writes again. `restart` starts the application again.
    pub async fn crash(&mut self) {
        if let Some(h) = self.running.take() {
            h.abort();
            let _ = h.await;
        }
        let closing = self.core.store().close();
        if tokio::time::timeout(std::time::Duration::from_secs(10), closing)
            .await
            .is_err()
        {
            panic!("the stopped application's database connections did not close");
        }
        if self.db_url.starts_with("sqlite:") {
            wait_until_sqlite_writable(&self.db_url).await;
        }
    }

    /// Starts a new application on the same database, fakes and clock.
    pub async fn restart(&mut self) {
        let name = self.name.clone();
        let (core, http, stop, running) = self.launch_again(&name).await;
        self.core = core;
        self.http = http;
        self.stop = stop;
        self.running = Some(running);
    }

    /// Stops the application as SIGTERM does; returns whether it finished within `limit`.
    pub async fn stop_within(&mut self, limit: std::time::Duration) -> bool {
        self.stop.cancel();
        match self.running.take() {
            Some(h) => tokio::time::timeout(limit, h).await.is_ok(),
            None => true,
        }
    }

    /// A person acting in a chat.
    pub async fn who(&self, person: PersonId, chat: i64) -> Who {
        self.core
            .who(
                person,
                Conversation {
                    chat: telegram_chat(chat),
                    private: chat > 0,
                },
            )
            .await
            .expect("the directory")
            .expect("an active person")
    }

    /// A new incident arrives from a monitoring system (VK, no department given).
    pub async fn incident(&self, text: &str, importance: Importance) -> IncidentRecord {
        self.incident_for(text, importance, None).await
    }

    /// A new incident arrives, routed at intake to a department when one is given.
    pub async fn incident_for(
        &self,
        text: &str,
        importance: Importance,
        department: Option<DepartmentId>,
    ) -> IncidentRecord {
        let rules = self.core.org(self.org).await.expect("the organisation");
        let mut new = vk_comment(
            text,
            "Ирина П.",
            "https://vk.com/wall-123_456?reply=789",
            self.core.now(),
        );
        new.importance = importance;
        new.topic = Some("ЖКХ / отопление".into());
        self.core
            .take_in(&rules, new, department, PersonId::SYSTEM)
            .await
            .expect("intake")
            .record
    }

    /// Waits (at most 60 s) until the bot has done everything due at the clock's time: no timer
    /// due and unfired, no message due and unsent.
    pub async fn settle(&self) {
        for _ in 0..6000 {
            let now = self.core.now();
            let timers_due = self
                .store
                .next_timer_at()
                .await
                .expect("the timers")
                .is_some_and(|t| t <= now);
            let messages_due = self.store.due_outbox_count(now).await.expect("the outbox");
            if !timers_due && messages_due == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the bot did not settle at {}", self.core.now());
    }

    /// How many updates of a kind ("message", "callback") the bot has finished handling, as
    /// `/metrics` counts them: a confirmed update may still wait in its chat's queue.
    pub async fn updates_handled(&self, messenger: &str, kind: &str) -> u64 {
        let text = self.core.metrics_text().await.expect("the metrics");
        let line = format!(
            "otklik_update_duration_seconds_count{{kind=\"{kind}\",messenger=\"{messenger}\"}} "
        );
        text.lines()
            .find_map(|l| l.strip_prefix(&line))
            .map_or(0, |n| n.trim().parse().expect("a count"))
    }

    /// Waits (at most 60 s) until the bot has handled `n` updates of a kind in all.
    pub async fn wait_handled(&self, messenger: &str, kind: &str, n: u64) {
        for _ in 0..6000 {
            if self.updates_handled(messenger, kind).await >= n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!(
            "the bot handled {} {messenger} {kind} updates, not {n}",
            self.updates_handled(messenger, kind).await
        );
    }

    /// Moves the clock and waits until the bot has done what became due.
    pub async fn walk_to(&self, at: DateTime<Utc>) {
        self.clock.set(at);
        self.settle().await;
    }

    /// The first lines of the messages sent (not edited) since a mark, by chat, each chat's in
    /// alphabetical order (chats are sent to side by side).
    pub fn sent_since(&self, since: usize) -> std::collections::BTreeMap<i64, Vec<String>> {
        let mut out: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
        for c in self.fake.calls().into_iter().skip(since) {
            if c.method == "sendMessage" && c.ok {
                let first = c.text().lines().next().unwrap_or_default().to_string();
                out.entry(c.chat()).or_default().push(first);
            }
        }
        for lines in out.values_mut() {
            lines.sort();
        }
        out
    }

    pub async fn wait(&self, since: usize, what: &str, pred: impl Fn(&Call) -> bool) -> Call {
        self.fake.wait_for(since, what, pred).await
    }

    /// Presses a button and waits for the bot to answer the press; returns the answer.
    pub async fn press(&self, user: i64, message: &Call, data: &str) -> Call {
        let since = self.fake.mark();
        self.fake.press(user, message, data);
        self.wait(since, &format!("answer to {data}"), |c| {
            c.method == "answerCallbackQuery"
        })
        .await
    }

    /// The triage card of an incident in the curators' group.
    pub async fn triage(&self, number: i64) -> Call {
        self.wait(0, "triage card", |c| {
            c.method == "sendMessage"
                && c.chat() == CURATOR_CHAT
                && c.text().contains(&format!("Новое сообщение №{number}"))
        })
        .await
    }

    /// «Разобрать» on an incident's card in the group: the triage card with the departments,
    /// in the curator's private chat.
    pub async fn triage_in_private(&self, group_card: &Call, inc: impl std::fmt::Display) -> Call {
        let since = self.fake.mark();
        let answer = self
            .press(CURATOR_TG, group_card, &format!("oc:{inc}"))
            .await;
        assert!(
            answer.body["text"]
                .as_str()
                .unwrap_or_default()
                .contains("в вашем личном чате с ботом"),
            "{}",
            answer.body
        );
        self.wait(since, "the triage card in private", |c| {
            c.method == "sendMessage"
                && c.chat() == CURATOR_TG
                && c.buttons().contains(&format!("ro:{inc}"))
        })
        .await
    }

    /// Routes an incident from its triage card in the group to a department (ticked on the card
    /// in the curator's private chat); returns the executor's card.
    pub async fn route(
        &self,
        triage: &Call,
        inc: impl std::fmt::Display,
        dept: DepartmentId,
    ) -> Call {
        let private = self.triage_in_private(triage, &inc).await;
        let since = self.fake.mark();
        self.press(CURATOR_TG, &private, &format!("dp:{inc}:{dept}"))
            .await;
        let ticked = self
            .wait(since, "ticked triage card", |c| {
                c.method == "editMessageText"
                    && c.chat() == CURATOR_TG
                    && c.text().contains("Новое сообщение")
                    && c.labels()
                        .iter()
                        .any(|l| l.ends_with('✓') && !l.starts_with("обычная"))
            })
            .await;
        let since = self.fake.mark();
        self.press(CURATOR_TG, &ticked, &format!("ro:{inc}")).await;
        let chat = if dept == self.dept {
            EXECUTOR_TG
        } else {
            OTHER_EXECUTOR_TG
        };
        self.wait(since, "executor card", |c| {
            c.method == "sendMessage"
                && c.chat() == chat
                && c.buttons().contains(&format!("ac:{inc}:0"))
        })
        .await
    }
}

/// Writes a draft in an executor's private chat: text, optional photo, «Готово»; returns the
/// preview.
pub async fn write_draft_as(
    h: &TestApp,
    user: i64,
    start_button: (&Call, &str),
    text: &str,
    photo: bool,
) -> Call {
    let since = h.fake.mark();
    h.press(user, start_button.0, start_button.1).await;
    h.wait(since, "ask for the text", |c| {
        c.chat() == user && c.text().contains("одним сообщением")
            || c.text().contains("Напишите вопрос")
            || c.text().contains("промежуточный ответ")
    })
    .await;
    let since = h.fake.mark();
    h.fake.say(user, user, text);
    let mut ask = h
        .wait(since, "ask for attachments", |c| {
            c.chat() == user && c.text().contains("Пришлите фото")
        })
        .await;
    if photo {
        let since = h.fake.mark();
        h.fake.photo(user, "AgACAgIAAxkBAAIBphoto");
        ask = h
            .wait(since, "attachment added", |c| {
                c.chat() == user && c.text().contains("Добавлено: 1 вложение")
            })
            .await;
    }
    let since = h.fake.mark();
    let done = ask.buttons()[0].clone();
    assert!(done.starts_with("ad:"), "{done}");
    h.press(user, &ask, &done).await;
    h.wait(since, "draft preview", |c| {
        c.chat() == user && c.buttons().iter().any(|b| b.starts_with("sd:"))
    })
    .await
}

/// The same, by the first executor.
pub async fn write_draft(
    h: &TestApp,
    start_button: (&Call, &str),
    text: &str,
    photo: bool,
) -> Call {
    write_draft_as(h, EXECUTOR_TG, start_button, text, photo).await
}

/// Waits (at most 60 s) until a new connection can take SQLite's write lock.
async fn wait_until_sqlite_writable(url: &str) {
    use sqlx::Connection;
    use std::str::FromStr;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .expect("a SQLite URL")
        .busy_timeout(std::time::Duration::from_millis(500));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .expect("the test database");
        let free = sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut conn)
            .await
            .is_ok();
        if free {
            sqlx::query("ROLLBACK")
                .execute(&mut conn)
                .await
                .expect("a rollback");
        }
        let _ = conn.close().await;
        if free {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "SQLite's write lock is still held a minute after the application stopped"
        );
    }
}

impl TestApp {
    /// The triage card of an incident in the curators' group — or, when the group's minute was
    /// full as it came, the group's backlog summary («📨 Ещё N новых сообщений») listing it with
    /// a «№k» button (`oc:{inc}`) instead.
    pub async fn triage_or_summed_up(&self, number: i64, inc: impl std::fmt::Display) -> Call {
        let open = format!("oc:{inc}");
        let card = format!("Новое сообщение №{number} ·");
        self.wait(0, "triage card or the summary listing it", |c| {
            c.chat() == CURATOR_CHAT
                && ((c.method == "sendMessage" && c.text().contains(&card))
                    || (c.text().starts_with("📨 Ещё") && c.buttons().contains(&open)))
        })
        .await
    }
}
