//! The core-level harness of `tests/core.rs` and `tests/days_off_core.rs`: the application core
//! alone over a fresh database, a messenger that records what it is asked to send, a movable
//! clock, and the seeded organisation.

use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use otklik::core::{
    Action, Conversation, Core, CoreConfig, Input, ManualClock, MessengerPort, Reply, SendError,
    View, Who,
};
use otklik::domain::content::{IncidentRecord, Messenger};
use otklik::domain::incident::{DraftKind, Role};
use otklik::domain::regulation::Importance;
use otklik::domain::{IncidentId, PersonId};
use otklik::storage::{DutyShift, Store};
use otklik::texts::Texts;

use super::app::*;
use super::db::TestDb;

/// One thing a recording messenger was asked to do.
#[derive(Debug, Clone)]
pub struct Sent {
    pub chat: i64,
    pub message: i64,
    pub view: View,
    pub edit: bool,
}

/// A messenger that records what it is asked to send.
#[derive(Default)]
pub struct RecordingPort {
    pub log: Mutex<Vec<Sent>>,
    pub next: AtomicI64,
    pub unreachable: Mutex<HashSet<i64>>,
    /// Sends to these chats wait inside the messenger until released.
    pub gates: Mutex<std::collections::HashMap<i64, Arc<Gate>>>,
}

/// A send held inside the messenger: `entered` fires when it arrives, `release` lets it finish.
#[derive(Default)]
pub struct Gate {
    pub entered: tokio::sync::Notify,
    pub release: tokio::sync::Notify,
}

impl RecordingPort {
    /// The next sends to `chat` wait at the returned gate.
    pub fn hold(&self, chat: i64) -> Arc<Gate> {
        let gate = Arc::new(Gate::default());
        self.gates.lock().unwrap().insert(chat, gate.clone());
        gate
    }
}

#[async_trait]
impl MessengerPort for RecordingPort {
    fn messenger(&self) -> Messenger {
        Messenger::Telegram
    }

    /// Telegram's limits.
    fn per_minute(&self, group: bool) -> u32 {
        if group {
            20
        } else {
            60
        }
    }

    /// A group's minute, as if everything were sent within one: 19 less what it got so far.
    fn room(&self, chat: i64) -> Option<u32> {
        if chat > 0 {
            return None;
        }
        let got = self
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.chat == chat)
            .count();
        Some(19u32.saturating_sub(u32::try_from(got).unwrap_or(u32::MAX)))
    }

    async fn send(&self, chat: i64, view: &View) -> Result<i64, SendError> {
        let gate = self.gates.lock().unwrap().get(&chat).cloned();
        if let Some(gate) = gate {
            gate.entered.notify_one();
            gate.release.notified().await;
        }
        if self.unreachable.lock().unwrap().contains(&chat) {
            return Err(SendError::Unreachable("blocked".into()));
        }
        let message = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        self.log.lock().unwrap().push(Sent {
            chat,
            message,
            view: view.clone(),
            edit: false,
        });
        Ok(message)
    }

    async fn edit(&self, chat: i64, message: i64, view: &View) -> Result<(), SendError> {
        self.log.lock().unwrap().push(Sent {
            chat,
            message,
            view: view.clone(),
            edit: true,
        });
        Ok(())
    }

    async fn reply(
        &self,
        chat: i64,
        _to: i64,
        text: &str,
        original: &str,
    ) -> Result<(i64, String), SendError> {
        let id = self.send(chat, &View::text(text)).await?;
        Ok((id, format!("{original}#{id}")))
    }
}

pub struct World {
    pub core: Arc<Core>,
    pub store: Store,
    pub port: Arc<RecordingPort>,
    pub clock: Arc<ManualClock>,
    pub seeded: Seeded,
}

impl World {
    pub async fn new(db: &TestDb, preset: &str) -> World {
        let store = db.store().await;
        let seeded = seed(&store, preset).await;
        let clock = ManualClock::new(moscow("2026-11-23 10:00"));
        let texts = Texts::load(Some(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dialogues"),
        ))
        .unwrap()
        .strict();
        let mut config =
            CoreConfig::new(otklik::domain::production_calendar::SHIPPED_RU_CALENDAR.into());
        config.clock = clock.clone();
        World {
            core: Arc::new(Core::new(store.clone(), texts, config)),
            store,
            port: Arc::new(RecordingPort::default()),
            clock,
            seeded,
        }
    }

    /// Runs the delivery worker until nothing is due.
    pub async fn deliver(&self) {
        let ports: Vec<Arc<dyn MessengerPort>> = vec![self.port.clone()];
        while self.core.deliver_due(&ports).await.unwrap() > 0 {}
    }

    /// What was sent (not edited) to a chat, in order.
    pub fn sent(&self, chat: i64) -> Vec<Sent> {
        self.port
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.chat == chat && !s.edit)
            .cloned()
            .collect()
    }

    /// The latest look of a message (its last edit, or what was sent).
    pub fn now_shows(&self, chat: i64, message: i64) -> View {
        self.port
            .log
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|s| s.chat == chat && s.message == message)
            .map(|s| s.view.clone())
            .expect("a message")
    }

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
            .unwrap()
            .unwrap()
    }

    /// A duty officer (Telegram 77) on the roster on each of these November 2026 days.
    pub async fn duty_officer_on(&self, days: &[u32]) -> PersonId {
        let duty = self
            .store
            .create_person(
                self.seeded.org,
                &person("Дежурный", 77, vec![Role::DutyOfficer]),
            )
            .await
            .unwrap();
        for day in days {
            let date = chrono::NaiveDate::from_ymd_opt(2026, 11, *day).unwrap();
            let shift = DutyShift {
                person: duty,
                from: date,
                to: date,
                phone: None,
                department: None,
            };
            self.store.add_duty(self.seeded.org, &shift).await.unwrap();
        }
        duty
    }

    /// The curator in their private chat with the bot: where work of several steps goes on
    /// (a press in the group that asks for more continues there).
    pub async fn curator(&self) -> Who {
        self.who(self.seeded.curator, CURATOR_TG).await
    }

    /// The curator pressing in the curators' group.
    pub async fn curator_in_group(&self) -> Who {
        self.who(self.seeded.curator, CURATOR_CHAT).await
    }

    pub async fn executor(&self) -> Who {
        self.who(self.seeded.executor, EXECUTOR_TG).await
    }

    pub async fn press(&self, who: &Who, action: Action) -> Reply {
        self.core.press(who, action, None).await.unwrap()
    }

    pub async fn say(&self, who: &Who, text: &str) -> Reply {
        self.core.message(who, Input::text(text)).await.unwrap()
    }

    pub async fn take_in(
        &self,
        text: &str,
        external_id: Option<&str>,
        importance: Importance,
    ) -> IncidentRecord {
        self.take_in_detected(text, external_id, importance, self.core.now())
            .await
    }

    /// Takes an incident in that the monitoring system detected at `detected_at`.
    pub async fn take_in_detected(
        &self,
        text: &str,
        external_id: Option<&str>,
        importance: Importance,
        detected_at: chrono::DateTime<chrono::Utc>,
    ) -> IncidentRecord {
        let rules = self.core.org(self.seeded.org).await.unwrap();
        let mut new = vk_comment(
            text,
            "Ирина П.",
            "https://vk.com/wall-123_456?reply=789",
            detected_at,
        );
        new.content.external_id = external_id.map(String::from);
        new.importance = importance;
        new.topic = Some("ЖКХ / отопление".into());
        self.core
            .take_in(&rules, new, None, PersonId::SYSTEM)
            .await
            .unwrap()
            .record
    }

    /// Takes an incident in and routes it to the first department through the curators' card.
    pub async fn routed(&self, text: &str) -> IncidentRecord {
        let inc = self.take_in(text, None, Importance::Normal).await;
        let curator = self.curator().await;
        self.press(
            &curator,
            Action::ToggleDepartment {
                inc: inc.id,
                dept: self.seeded.dept,
            },
        )
        .await;
        let reply = self.press(&curator, Action::Route { inc: inc.id }).await;
        assert_eq!(toast(&reply), "Направлено: Отдел ЖКХ.");
        self.deliver().await;
        self.store.incident(inc.id).await.unwrap()
    }

    /// An «answer on the site» explanation the department prepares on part 0, from the template's
    /// prompt to the text.
    pub async fn prepare_explanation(&self, who: &Who, inc: IncidentId, text: &str) -> Reply {
        let kind = otklik::domain::incident::ExplanationKind::AnswerOnSite;
        let with = Action::ExplanationWith {
            inc,
            part: Some(0),
            kind,
        };
        let asked = self.press(who, with).await;
        // Sakhalin 3.6 ¶2: the template asks for the page's address.
        assert!(
            said(&asked).contains("размещён на официальном сайте администрации: [адрес страницы]"),
            "{}",
            said(&asked)
        );
        self.say(who, text).await
    }

    /// The executor's answer, sent and approved by the curator (its first version).
    pub async fn approved_answer(&self, inc: IncidentId, text: &str) {
        let (executor, curator) = (self.executor().await, self.curator().await);
        self.draft(&executor, inc, DraftKind::Answer, text).await;
        let approve = Action::Approve {
            inc,
            part: Some(0),
            version: 1,
        };
        assert_eq!(toast(&self.press(&curator, approve).await), "Согласовано.");
    }

    /// Writes and sends a draft as a person: the prompt, the text, «Готово», «На согласование».
    pub async fn draft(&self, who: &Who, inc: IncidentId, kind: DraftKind, text: &str) -> Reply {
        let asked = self
            .press(who, Action::StartDraft { inc, part: 0, kind })
            .await;
        assert!(asked.send[0].expects_reply, "{asked:?}");
        let files = self.say(who, text).await;
        assert!(
            files.send[0]
                .actions()
                .contains(&Action::AttachmentsDone { inc }),
            "{files:?}"
        );
        let preview = self.press(who, Action::AttachmentsDone { inc }).await;
        assert!(preview.send[0]
            .actions()
            .contains(&Action::SendDraft { inc }));
        self.press(who, Action::SendDraft { inc }).await
    }
}

pub fn toast(reply: &Reply) -> String {
    reply
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

pub fn said(reply: &Reply) -> String {
    reply
        .send
        .iter()
        .map(View::plain)
        .collect::<Vec<_>>()
        .join("\n---\n")
}

/// The seeded organisation as an organisation file (the same names and accounts), for tests
/// that import it again with more: topics, templates.
pub const SEEDED_FILE: &str = r#"
[organisation]
name = "Администрация"
regulation = "vorsino"
curator_chat_id = -1001234

[[departments]]
name = "Отдел ЖКХ"

[[departments]]
name = "Благоустройство"

[[people]]
name = "Смирнова Елена"
roles = ["curator"]
telegram_id = 1001

[[people]]
name = "Петров Алексей"
roles = ["executor"]
telegram_id = 2002
departments = ["Отдел ЖКХ"]

[[people]]
name = "Сидорова Анна"
roles = ["executor"]
telegram_id = 3003
departments = ["Благоустройство"]
"#;

impl World {
    /// Imports the seeded organisation again with `more` (TOML sections) added.
    pub async fn import_with(&self, more: &str) {
        let text = format!("{SEEDED_FILE}\n{more}");
        let file = otklik::directory_file::DirectoryFile::parse(&text, None).unwrap();
        self.store
            .import_directory(&file, self.core.now())
            .await
            .unwrap();
    }
}
