//! A local fake Telegram Bot API server for end-to-end tests: it feeds updates to the bot's long
//! polling, answers the methods Otklik calls, keeps the messages it "sent", and records every
//! call. It listens on 127.0.0.1 only.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

pub const BOT_ID: i64 = 7_000_000;

/// One Bot API call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
    /// The message the call created or edited.
    pub message_id: Option<i64>,
    /// Whether the fake did what was asked (not an error).
    pub ok: bool,
    /// When the call arrived.
    pub at: std::time::Instant,
    /// Files uploaded with it.
    pub files: Vec<Upload>,
}

/// A file uploaded in a call.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The form field (the call's `photo` or `document` says `attach://` and this name).
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl Call {
    pub fn chat(&self) -> i64 {
        self.body["chat_id"].as_i64().unwrap_or_default()
    }
    pub fn text(&self) -> &str {
        self.body["text"].as_str().unwrap_or_default()
    }
    /// Every callback payload on the message's buttons.
    pub fn buttons(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(rows) = self.body["reply_markup"]["inline_keyboard"].as_array() {
            for row in rows {
                for b in row.as_array().into_iter().flatten() {
                    if let Some(d) = b["callback_data"].as_str() {
                        out.push(d.to_string());
                    }
                }
            }
        }
        out
    }
    pub fn labels(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(rows) = self.body["reply_markup"]["inline_keyboard"].as_array() {
            for row in rows {
                for b in row.as_array().into_iter().flatten() {
                    out.push(b["text"].as_str().unwrap_or_default().to_string());
                }
            }
        }
        out
    }
}

#[derive(Default)]
struct Inner {
    updates: VecDeque<Value>,
    next_update: i64,
    next_message: i64,
    calls: Vec<Call>,
    /// (chat, message id) → the message as Telegram would return it.
    messages: HashMap<(i64, i64), Value>,
    /// Chats the bot cannot write to (the person never opened the bot).
    unreachable: HashSet<i64>,
    /// Chats where a sent message is taken but never answered (the bot's process dies, or the
    /// answer is lost, between the send and what follows it).
    hanging: HashSet<i64>,
    /// Chats where every message is refused for good (400), as Telegram refuses a message it
    /// cannot parse.
    refusing: HashSet<i64>,
    /// Refuse every `n`th message (send or edit), in turn with 429, 429, 429 and 500.
    fail_every: Option<u64>,
    /// Messages (sends and edits) asked for so far.
    message_calls: u64,
    /// How many times the bot has asked for updates (long polling).
    polls: u64,
    /// Telegram's limits, enforced (time divided by the factor given), and what they saw.
    limits: Option<Limits>,
    /// Chats where requests fail at random: (share answered 429, share answered 500, the dice).
    flaky: HashMap<i64, (f64, f64, rand::rngs::StdRng)>,
    /// Files people sent, by file id, with their bytes (getFile and the file server).
    files: HashMap<String, Vec<u8>>,
}

/// Telegram's documented limits, checked on every message (send or edit) the bot asks for:
/// at most 19 accepted in any 60 s in one group (the 20th within a minute is refused), one a
/// second in a private chat beyond a short burst of three, 30 a second overall. Time runs
/// `factor` times faster. A request the limits refuse is answered 429 and counted.
struct Limits {
    factor: u32,
    accepted: HashMap<i64, VecDeque<std::time::Instant>>,
    overall: VecDeque<std::time::Instant>,
    refused: u64,
}

impl Limits {
    fn scaled(&self, d: Duration) -> Duration {
        d / self.factor.max(1)
    }

    /// Whether one more message to `chat` now breaks a limit; records it if not.
    fn admit(&mut self, chat: i64) -> bool {
        let now = std::time::Instant::now();
        let (most, window) = if chat < 0 {
            (19, self.scaled(Duration::from_secs(60)))
        } else {
            // A burst of three, then one a second: no more than three in three seconds and
            // none within a second of two others.
            (3, self.scaled(Duration::from_secs(3)))
        };
        let second = self.scaled(Duration::from_secs(1));
        let sent = self.accepted.entry(chat).or_default();
        while sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            sent.pop_front();
        }
        let in_second = sent
            .iter()
            .filter(|t| now.duration_since(**t) < second)
            .count();
        while self
            .overall
            .front()
            .is_some_and(|t| now.duration_since(*t) >= second)
        {
            self.overall.pop_front();
        }
        let too_many =
            sent.len() >= most || (chat > 0 && in_second >= 2) || self.overall.len() >= 30;
        if too_many {
            self.refused += 1;
            return false;
        }
        sent.push_back(now);
        self.overall.push_back(now);
        true
    }
}

/// The methods that put a message into a chat or change one: what Telegram's limits count.
fn is_message(method: &str) -> bool {
    matches!(
        method,
        "sendMessage"
            | "editMessageText"
            | "sendPhoto"
            | "sendDocument"
            | "sendVideo"
            | "sendLocation"
    )
}

fn too_many_requests() -> (axum::http::StatusCode, Json<Value>) {
    (
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        Json(json!({"ok": false, "error_code": 429,
            "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}})),
    )
}

/// How a faulty Telegram refuses a message, in turn.
const FAULTS: [u16; 4] = [429, 429, 429, 500];

#[derive(Clone, Default)]
pub struct FakeTelegram {
    inner: Arc<Mutex<Inner>>,
}

/// A message update as Telegram posts it to a webhook.
pub fn message_update(update_id: i64, user: i64, chat: i64, text: &str) -> Value {
    json!({"update_id": update_id, "message": {"message_id": update_id, "date": 1_795_000_000,
        "chat": chat_json(chat), "from": user_json(user), "text": text}})
}

fn chat_json(id: i64) -> Value {
    if id < 0 {
        json!({"id": id, "type": "supergroup", "title": "Кураторы"})
    } else {
        json!({"id": id, "type": "private", "first_name": format!("user{id}")})
    }
}

fn user_json(id: i64) -> Value {
    json!({"id": id, "is_bot": false, "first_name": format!("user{id}"), "language_code": "ru"})
}

fn ok(result: Value) -> Json<Value> {
    Json(json!({"ok": true, "result": result}))
}

fn error(code: i64, description: &str) -> Json<Value> {
    Json(json!({"ok": false, "error_code": code, "description": description}))
}

/// Reads a request body: JSON, or a multipart form — its text fields as JSON, its uploaded files
/// (name, file name, bytes) aside.
fn read_body(bytes: &[u8]) -> (Value, Vec<Upload>) {
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        return (v, Vec::new());
    }
    let mut map = serde_json::Map::new();
    let mut files = Vec::new();
    let Some(end) = bytes.windows(2).position(|w| w == b"\r\n") else {
        return (Value::Object(map), files);
    };
    let boundary = &bytes[..end];
    let mut rest = &bytes[end + 2..];
    let mut delimiter = b"\r\n".to_vec();
    delimiter.extend_from_slice(boundary);
    while let Some(at) = rest.windows(delimiter.len()).position(|w| w == delimiter) {
        let part = &rest[..at];
        rest = &rest[(at + delimiter.len() + 2).min(rest.len())..];
        let Some(split) = part.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..split]).to_string();
        let content = &part[split + 4..];
        let attr = |name: &str| -> Option<String> {
            let key = format!("{name}=\"");
            let from = headers.find(&key)? + key.len();
            let len = headers[from..].find('"')?;
            Some(headers[from..from + len].to_string())
        };
        let Some(name) = attr("name") else {
            continue;
        };
        match attr("filename") {
            Some(file_name) => files.push(Upload {
                field: name,
                file_name,
                bytes: content.to_vec(),
            }),
            None => {
                let value = String::from_utf8_lossy(content).to_string();
                let parsed = serde_json::from_str::<Value>(&value).unwrap_or(Value::String(value));
                map.insert(name, parsed);
            }
        }
    }
    (Value::Object(map), files)
}

async fn handle(
    State(fake): State<FakeTelegram>,
    Path((_token, method)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> (axum::http::StatusCode, Json<Value>) {
    let (body, files) = read_body(&bytes);
    // teloxide writes method names as "SendMessage"; the Bot API accepts any case.
    let method = {
        let mut c = method.chars();
        c.next()
            .map(|f| f.to_lowercase().chain(c).collect::<String>())
            .unwrap_or_default()
    };
    if method == "getUpdates" {
        fake.inner.lock().unwrap().polls += 1;
        let offset = body["offset"].as_i64().unwrap_or(0);
        // A short long-poll: wait a little for updates, then answer.
        for _ in 0..20 {
            {
                let mut inner = fake.inner.lock().unwrap();
                while inner
                    .updates
                    .front()
                    .is_some_and(|u| u["update_id"].as_i64().unwrap_or(0) < offset)
                {
                    inner.updates.pop_front();
                }
                if !inner.updates.is_empty() {
                    let batch: Vec<Value> = inner.updates.iter().cloned().collect();
                    return (axum::http::StatusCode::OK, ok(Value::Array(batch)));
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        return (axum::http::StatusCode::OK, ok(json!([])));
    }
    let (status, answer, hang) = {
        let mut inner = fake.inner.lock().unwrap();
        inner.calls.push(Call {
            method: method.to_string(),
            body: body.clone(),
            message_id: body["message_id"].as_i64(),
            ok: true,
            at: std::time::Instant::now(),
            files,
        });
        let (status, answer, hang) = match fault(&mut inner, &method, &body) {
            Some(fault) => (fault.0, fault.1, false),
            None => {
                let (answer, hang) = respond(&mut inner, &method, &body);
                (axum::http::StatusCode::OK, answer, hang)
            }
        };
        if answer.0["ok"] == json!(false) {
            if let Some(call) = inner.calls.last_mut() {
                call.ok = false;
            }
        }
        (status, answer, hang)
    };
    if hang {
        std::future::pending::<()>().await;
    }
    (status, answer)
}

/// The injected fault for this call, if it is one.
fn fault(
    inner: &mut Inner,
    method: &str,
    body: &Value,
) -> Option<(axum::http::StatusCode, Json<Value>)> {
    if !is_message(method) {
        return None;
    }
    let chat = body["chat_id"].as_i64().unwrap_or_default();
    if let Some((p429, p500, dice)) = inner.flaky.get_mut(&chat) {
        use rand::Rng;
        let roll: f64 = dice.gen();
        if roll < *p429 {
            return Some(too_many_requests());
        }
        if roll < *p429 + *p500 {
            return Some((
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                Json(
                    json!({"ok": false, "error_code": 500, "description": "Internal Server Error"}),
                ),
            ));
        }
    }
    if let Some(limits) = inner.limits.as_mut() {
        if !limits.admit(chat) {
            return Some(too_many_requests());
        }
    }
    if !matches!(method, "sendMessage" | "editMessageText") {
        return None;
    }
    let every = inner.fail_every?;
    inner.message_calls += 1;
    if !inner.message_calls.is_multiple_of(every) {
        return None;
    }
    let code = FAULTS[((inner.message_calls / every) % FAULTS.len() as u64) as usize];
    Some(if code == 429 {
        too_many_requests()
    } else {
        (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"ok": false, "error_code": 500, "description": "Internal Server Error"})),
        )
    })
}

/// Answers a Bot API call (other than getUpdates); `true` when the answer must never arrive.
fn respond(inner: &mut Inner, method: &str, body: &Value) -> (Json<Value>, bool) {
    let answer = match method {
        "getMe" => ok(
            json!({"id": BOT_ID, "is_bot": true, "first_name": "Отклик", "username": "otklik_test_bot",
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false, "can_connect_to_business": false, "has_main_web_app": false}),
        ),
        "sendPhoto" | "sendVideo" | "sendDocument" | "sendLocation" => {
            inner.next_message += 1;
            let chat = body["chat_id"].as_i64().unwrap_or_default();
            let id = inner.next_message;
            ok(
                json!({"message_id": id, "date": 1_795_000_000, "chat": chat_json(chat),
                "from": {"id": BOT_ID, "is_bot": true, "first_name": "Отклик"}, "caption": body["caption"].clone()}),
            )
        }
        "sendMessage" => {
            let chat = body["chat_id"].as_i64().unwrap_or_default();
            // Telegram's limit, counted on the text as sent (tags included: stricter than
            // Telegram, which counts after parsing).
            if body["text"].as_str().unwrap_or_default().chars().count() > 4096 {
                return (error(400, "Bad Request: message is too long"), false);
            }
            if inner.refusing.contains(&chat) {
                return (
                    error(
                        400,
                        "Bad Request: can't parse entities: unsupported start tag",
                    ),
                    false,
                );
            }
            if inner.unreachable.contains(&chat) {
                return (
                    error(
                        403,
                        "Forbidden: bot can't initiate conversation with a user",
                    ),
                    false,
                );
            }
            inner.next_message += 1;
            let id = inner.next_message;
            let mut msg = json!({
                "message_id": id, "date": 1_795_000_000, "chat": chat_json(chat),
                "from": {"id": BOT_ID, "is_bot": true, "first_name": "Отклик", "username": "otklik_test_bot"},
                "text": body["text"].clone(),
            });
            if !body["reply_markup"].is_null() {
                msg["reply_markup"] = body["reply_markup"].clone();
            }
            inner.messages.insert((chat, id), msg.clone());
            if let Some(call) = inner.calls.last_mut() {
                call.message_id = Some(id);
            }
            if inner.hanging.contains(&chat) {
                // Telegram has the message; the bot never hears back.
                return (ok(msg), true);
            }
            ok(msg)
        }
        "getFile" => {
            let id = body["file_id"].as_str().unwrap_or_default();
            match inner.files.get(id) {
                Some(bytes) => ok(json!({
                    "file_id": id, "file_unique_id": format!("u-{id}"),
                    "file_size": bytes.len(), "file_path": format!("photos/{id}.jpg"),
                })),
                None => error(400, "Bad Request: invalid file_id"),
            }
        }
        "getWebhookInfo" => {
            ok(json!({"url": "", "has_custom_certificate": false, "pending_update_count": 0}))
        }
        "editMessageText" => {
            let chat = body["chat_id"].as_i64().unwrap_or_default();
            let id = body["message_id"].as_i64().unwrap_or_default();
            if body["text"].as_str().unwrap_or_default().chars().count() > 4096 {
                return (error(400, "Bad Request: message is too long"), false);
            }
            let Some(old) = inner.messages.get(&(chat, id)).cloned() else {
                return (error(400, "Bad Request: message to edit not found"), false);
            };
            let markup = if body["reply_markup"].is_null() {
                Value::Null
            } else {
                body["reply_markup"].clone()
            };
            if old["text"] == body["text"] && old["reply_markup"] == markup {
                return (error(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"), false);
            }
            let mut msg = old;
            msg["text"] = body["text"].clone();
            msg["reply_markup"] = markup;
            msg["edit_date"] = json!(1_795_000_100);
            inner.messages.insert((chat, id), msg.clone());
            ok(msg)
        }
        _ => ok(json!(true)),
    };
    (answer, false)
}

/// The Bot API's file server: `/file/bot<token>/photos/<file id>.jpg`.
async fn download(
    State(fake): State<FakeTelegram>,
    Path((_token, _folder, name)): Path<(String, String, String)>,
) -> (axum::http::StatusCode, Vec<u8>) {
    let id = name.trim_end_matches(".jpg");
    match fake.inner.lock().unwrap().files.get(id) {
        Some(bytes) => (axum::http::StatusCode::OK, bytes.clone()),
        None => (axum::http::StatusCode::NOT_FOUND, Vec::new()),
    }
}

impl FakeTelegram {
    /// A file a person sent, as Telegram keeps it: getFile finds it and the file server gives
    /// out these bytes.
    pub fn put_file(&self, id: &str, bytes: &[u8]) {
        self.inner
            .lock()
            .unwrap()
            .files
            .insert(id.to_string(), bytes.to_vec());
    }

    /// Starts the server; returns it and its base URL.
    pub async fn start() -> (FakeTelegram, String) {
        let fake = FakeTelegram::default();
        let app = Router::new()
            .route("/{token}/{method}", post(handle))
            .route("/file/{token}/{folder}/{name}", get(download))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        (fake, format!("http://{addr}/"))
    }

    /// Enforces Telegram's limits (`Limits`) from now on, time running `factor` times faster.
    pub fn enforce_limits(&self, factor: u32) {
        self.inner.lock().unwrap().limits = Some(Limits {
            factor,
            accepted: HashMap::new(),
            overall: VecDeque::new(),
            refused: 0,
        });
    }

    /// How many messages the enforced limits refused (429).
    pub fn limit_refusals(&self) -> u64 {
        self.inner
            .lock()
            .unwrap()
            .limits
            .as_ref()
            .map_or(0, |l| l.refused)
    }

    /// Messages to `chat` fail at random from now on: a share answered 429 (retry after 1), a
    /// share answered 500; the dice are seeded.
    pub fn flaky(&self, chat: i64, p429: f64, p500: f64, seed: u64) {
        use rand::SeedableRng;
        self.inner
            .lock()
            .unwrap()
            .flaky
            .insert(chat, (p429, p500, rand::rngs::StdRng::seed_from_u64(seed)));
    }

    /// How many times the bot has asked for updates.
    pub fn polls(&self) -> u64 {
        self.inner.lock().unwrap().polls
    }

    pub fn set_unreachable(&self, chat: i64) {
        self.inner.lock().unwrap().unreachable.insert(chat);
    }

    /// Updates the bot has not confirmed yet (it confirms a batch by asking for the next).
    pub fn unconfirmed_updates(&self) -> usize {
        self.inner.lock().unwrap().updates.len()
    }

    /// Every message to this chat is refused for good from now on.
    pub fn refuse_in(&self, chat: i64) {
        self.inner.lock().unwrap().refusing.insert(chat);
    }

    /// Refuses every `n`th message from now on (429, 429, 429, 500 in turn).
    pub fn fail_every(&self, n: u64) {
        self.inner.lock().unwrap().fail_every = Some(n);
    }

    /// Messages sent to this chat are kept, but their answer never comes back.
    pub fn hang_on(&self, chat: i64) {
        self.inner.lock().unwrap().hanging.insert(chat);
    }

    /// Answers messages to this chat again.
    pub fn release(&self, chat: i64) {
        self.inner.lock().unwrap().hanging.remove(&chat);
    }

    /// Queues an update as given (its id set); returns the id.
    pub fn push(&self, mut update: Value) -> i64 {
        let mut inner = self.inner.lock().unwrap();
        inner.next_update += 1;
        let id = inner.next_update;
        update["update_id"] = json!(id);
        inner.updates.push_back(update);
        id
    }

    /// Pushes an update twice with one id in one batch (Telegram redelivering what a crashed
    /// bot had not confirmed).
    pub fn push_twice(&self, mut update: Value) -> i64 {
        let mut inner = self.inner.lock().unwrap();
        inner.next_update += 1;
        let id = inner.next_update;
        update["update_id"] = json!(id);
        inner.updates.push_back(update.clone());
        inner.updates.push_back(update);
        id
    }

    /// A text message from a user in a chat (their private chat when `chat` = `user`).
    pub fn say(&self, user: i64, chat: i64, text: &str) -> i64 {
        let id = 100_000 + self.inner.lock().unwrap().next_update;
        self.push(json!({"message": {"message_id": id, "date": 1_795_000_000, "chat": chat_json(chat), "from": user_json(user), "text": text}}))
    }

    /// A message forwarded by a user into a chat, originally written by `author` (hidden user).
    pub fn forward(&self, user: i64, chat: i64, author: &str, text: &str) -> i64 {
        let id = 100_000 + self.inner.lock().unwrap().next_update;
        self.push(json!({"message": {"message_id": id, "date": 1_795_000_000, "chat": chat_json(chat), "from": user_json(user), "text": text,
            "forward_origin": {"type": "hidden_user", "sender_user_name": author, "date": 1_794_990_000}}}))
    }

    /// A comment by a user in a channel's discussion group, under the channel's post `post`.
    pub fn comment(
        &self,
        user: i64,
        discussion: i64,
        channel: i64,
        post: i64,
        text: &str,
    ) -> (i64, i64) {
        let mut inner = self.inner.lock().unwrap();
        inner.next_message += 1;
        let id = inner.next_message;
        drop(inner);
        let channel_chat = json!({"id": channel, "type": "channel", "title": "Администрация", "username": "vorsino_adm"});
        let root = json!({"message_id": 1, "date": 1_794_990_000, "chat": chat_json(discussion), "sender_chat": channel_chat,
            "is_automatic_forward": true, "text": "Пост администрации",
            "forward_origin": {"type": "channel", "chat": channel_chat, "message_id": post, "date": 1_794_990_000}});
        let update = self.push(json!({"message": {"message_id": id, "date": 1_795_000_000, "chat": chat_json(discussion),
            "from": user_json(user), "text": text, "reply_to_message": root, "message_thread_id": 1}}));
        (update, id)
    }

    /// The channel's own post forwarded into its discussion group (not a comment).
    pub fn channel_post(&self, discussion: i64, channel: i64, post: i64) -> i64 {
        let channel_chat = json!({"id": channel, "type": "channel", "title": "Администрация", "username": "vorsino_adm"});
        self.push(json!({"message": {"message_id": 900 + post, "date": 1_795_000_000, "chat": chat_json(discussion),
            "sender_chat": channel_chat, "is_automatic_forward": true, "text": "Новый пост",
            "forward_origin": {"type": "channel", "chat": channel_chat, "message_id": post, "date": 1_795_000_000}}}))
    }

    /// A photo (with an optional caption) from a user in their private chat.
    pub fn photo(&self, user: i64, file_id: &str) -> i64 {
        let id = 100_000 + self.inner.lock().unwrap().next_update;
        self.push(json!({"message": {"message_id": id, "date": 1_795_000_000, "chat": chat_json(user), "from": user_json(user),
            "photo": [{"file_id": file_id, "file_unique_id": format!("u{file_id}"), "width": 1280, "height": 960, "file_size": 1000}]}}))
    }

    /// A place shared by a user in their private chat.
    pub fn location(&self, user: i64, latitude: f64, longitude: f64) -> i64 {
        let id = 100_000 + self.inner.lock().unwrap().next_update;
        self.push(json!({"message": {"message_id": id, "date": 1_795_000_000, "chat": chat_json(user), "from": user_json(user),
            "location": {"latitude": latitude, "longitude": longitude}}}))
    }

    /// The update for a button press on a message the bot sent; returns (update id, update).
    pub fn press_update(&self, user: i64, message: &Call, data: &str) -> Value {
        let chat = message.chat();
        let inner = self.inner.lock().unwrap();
        let id = message
            .message_id
            .expect("a message the bot sent or edited");
        let msg = inner
            .messages
            .get(&(chat, id))
            .cloned()
            .unwrap_or(json!({}));
        json!({"callback_query": {"id": format!("cq{}", inner.next_update + 1), "from": user_json(user), "message": msg,
            "chat_instance": "ci", "data": data}})
    }

    /// A user presses a button on a message the bot sent.
    pub fn press(&self, user: i64, message: &Call, data: &str) -> i64 {
        let update = self.press_update(user, message, data);
        self.push(update)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.inner.lock().unwrap().calls.clone()
    }

    /// Waits (at most 15 s) for a call matching `pred` among those made after `since` calls.
    pub async fn wait_for(&self, since: usize, what: &str, pred: impl Fn(&Call) -> bool) -> Call {
        self.wait_within(since, what, 15, pred).await
    }

    /// The same, for work that may take long on a loaded machine (drawing a report).
    pub async fn wait_within(
        &self,
        since: usize,
        what: &str,
        seconds: u64,
        pred: impl Fn(&Call) -> bool,
    ) -> Call {
        for _ in 0..seconds * 20 {
            if let Some(c) = self.calls().into_iter().skip(since).find(|c| pred(c)) {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let seen: Vec<String> = self
            .calls()
            .iter()
            .skip(since)
            .map(|c| format!("{} → {}: {}", c.method, c.chat(), c.body))
            .collect();
        panic!(
            "timed out waiting for {what}; calls since {since}:\n{}",
            seen.join("\n")
        );
    }

    pub fn mark(&self) -> usize {
        self.inner.lock().unwrap().calls.len()
    }
}
