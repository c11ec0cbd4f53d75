//! A local fake MAX Bot API server for end-to-end tests: it feeds updates to the bot's long
//! polling (`GET /updates` with MAX's marker), answers the methods Otklik calls (`/me`,
//! `/messages` send and edit, `/answers`, `/uploads`, `/subscriptions`), keeps the messages it
//! "sent" by their text ids ("mid.…"), and records every call. It checks the token in the
//! `Authorization` header, and, when asked, MAX's documented limit of two messages a second in
//! one chat (a message over it is refused with 429 and counted). It listens on 127.0.0.1 only.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

pub const MAX_BOT_ID: i64 = 8_000_000;
pub const MAX_TOKEN: &str = "max-test-token";
pub const MAX_BOT_USERNAME: &str = "otklik_max_bot";

/// One call the bot made that sends, edits or answers.
#[derive(Debug, Clone)]
pub struct MaxCall {
    /// "send", "edit", "answer", "upload".
    pub method: String,
    /// The chat as Otklik numbers it: a user id (private) or the group chat's id.
    pub chat: i64,
    /// The message sent or edited.
    pub mid: String,
    pub body: Value,
    pub ok: bool,
    pub at: Instant,
}

impl MaxCall {
    /// A call as it arrives now.
    fn new(method: &str, chat: i64, mid: String, body: Value, ok: bool) -> MaxCall {
        MaxCall {
            method: method.into(),
            chat,
            mid,
            body,
            ok,
            at: Instant::now(),
        }
    }

    pub fn text(&self) -> &str {
        self.body["text"].as_str().unwrap_or_default()
    }

    fn keyboard(&self) -> Vec<Value> {
        self.body["attachments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["type"] == "inline_keyboard")
            .flat_map(|a| {
                a["payload"]["buttons"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .flat_map(|row| row.as_array().cloned().unwrap_or_default())
            .collect()
    }

    /// Every callback payload on the message's buttons.
    pub fn buttons(&self) -> Vec<String> {
        self.keyboard()
            .iter()
            .filter_map(|b| b["payload"].as_str().map(str::to_string))
            .collect()
    }

    pub fn labels(&self) -> Vec<String> {
        self.keyboard()
            .iter()
            .filter_map(|b| b["text"].as_str().map(str::to_string))
            .collect()
    }
}

#[derive(Default)]
struct Inner {
    /// Images MAX serves, by name.
    images: HashMap<String, Vec<u8>>,
    /// Every update ever queued; `marker` counts into it.
    updates: Vec<Value>,
    /// Updates handed out in a poll: without a marker, a poll starts after them (they count as
    /// read, as MAX treats updates it delivered).
    delivered: usize,
    next_message: u64,
    calls: Vec<MaxCall>,
    /// mid → (chat, message body).
    messages: HashMap<String, (i64, Value)>,
    /// Enforce MAX's two messages a second per chat.
    limit_per_chat: bool,
    /// Messages refused for going over the limit.
    over_limit: usize,
    /// Chats that blocked the bot.
    blocked: HashSet<i64>,
    /// Polls answered.
    polls: usize,
    /// Polls that passed no marker.
    polls_without_marker: usize,
}

#[derive(Clone)]
pub struct FakeMax {
    inner: Arc<Mutex<Inner>>,
    notify: Arc<tokio::sync::Notify>,
    base: String,
}

fn user_json(id: i64) -> Value {
    json!({"user_id": id, "name": format!("user{id}"), "is_bot": false})
}

fn error(status: StatusCode, code: &str, message: &str) -> (StatusCode, Json<Value>) {
    (status, Json(json!({"code": code, "message": message})))
}

type Answer = (StatusCode, Json<Value>);

impl FakeMax {
    /// Starts the fake on a free port; returns it and its base URL.
    pub async fn start() -> (FakeMax, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let fake = FakeMax {
            inner: Arc::default(),
            notify: Arc::default(),
            base: base.clone(),
        };
        let app = Router::new()
            .route("/me", get(me))
            .route("/updates", get(updates))
            .route("/messages", post(send).put(edit))
            .route("/answers", post(answer))
            .route("/uploads", post(upload_slot))
            .route("/upload-target", post(upload))
            .route("/subscriptions", post(subscribe))
            .route("/images/{name}", get(image))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (fake, base)
    }

    /// An image MAX serves at `<base>/images/<name>` (as it gives images a person sent).
    pub fn put_image(&self, name: &str, bytes: &[u8]) -> String {
        self.inner
            .lock()
            .unwrap()
            .images
            .insert(name.to_string(), bytes.to_vec());
        format!("{}/images/{name}", self.base)
    }

    /// From now on, a message that would be the third in one chat within a second is refused
    /// with 429 (MAX's documented limit) and counted.
    pub fn enforce_chat_limit(&self) {
        self.inner.lock().unwrap().limit_per_chat = true;
    }

    /// Messages refused for going over MAX's limit.
    pub fn over_limit(&self) -> usize {
        self.inner.lock().unwrap().over_limit
    }

    /// The person blocked the bot: messages to them are refused (403).
    pub fn block(&self, user: i64) {
        self.inner.lock().unwrap().blocked.insert(user);
    }

    /// Queues an update as given.
    pub fn push(&self, mut update: Value) {
        update["timestamp"] = json!(1_795_000_000_000i64);
        self.inner.lock().unwrap().updates.push(update);
        self.notify.notify_waiters();
    }

    /// A message written in the bot's private chat.
    pub fn say(&self, user: i64, text: &str) {
        self.say_with(user, text, Value::Null);
    }

    /// The same, with MAX attachments (files) or a link (a forward).
    pub fn say_with(&self, user: i64, text: &str, extra: Value) {
        let n = self.inner.lock().unwrap().updates.len();
        let mut message = json!({
            "sender": user_json(user),
            "recipient": {"chat_id": 500_000 + user, "chat_type": "dialog", "user_id": MAX_BOT_ID},
            "timestamp": 1_795_000_000_000i64,
            "body": {"mid": format!("mid.in{n:08}"), "seq": n, "text": text},
        });
        if let Some(files) = extra.get("attachments") {
            message["body"]["attachments"] = files.clone();
        }
        if let Some(link) = extra.get("link") {
            message["link"] = link.clone();
        }
        self.push(json!({"update_type": "message_created", "message": message}));
    }

    /// A message written in a group chat.
    pub fn say_in_group(&self, user: i64, chat: i64, text: &str) {
        let n = self.inner.lock().unwrap().updates.len();
        self.push(json!({"update_type": "message_created", "message": {
            "sender": user_json(user),
            "recipient": {"chat_id": chat, "chat_type": "chat"},
            "body": {"mid": format!("mid.in{n:08}"), "seq": n, "text": text},
        }}));
    }

    /// A person opens the bot, by an invite link's payload or without one.
    pub fn start_bot(&self, user: i64, payload: Option<&str>) {
        self.push(
            json!({"update_type": "bot_started", "chat_id": 500_000 + user,
            "user": user_json(user), "payload": payload}),
        );
    }

    /// The bot is added to a group chat.
    pub fn bot_added(&self, chat: i64, by: i64) {
        self.push(json!({"update_type": "bot_added", "chat_id": chat, "user": user_json(by), "is_channel": false}));
    }

    /// The update of a press of a button on a message the bot sent.
    pub fn press_update(&self, user: i64, message: &MaxCall, payload: &str) -> Value {
        let n = self.inner.lock().unwrap().updates.len();
        let recipient = if message.chat < 0 {
            json!({"chat_id": message.chat, "chat_type": "chat"})
        } else {
            json!({"chat_id": 500_000 + message.chat, "chat_type": "dialog", "user_id": message.chat})
        };
        json!({"update_type": "message_callback", "timestamp": 1_795_000_000_000i64,
            "callback": {"callback_id": format!("cb.{n}"), "payload": payload, "user": user_json(user), "timestamp": 1},
            "message": {"sender": user_json(MAX_BOT_ID), "recipient": recipient,
                "body": {"mid": message.mid, "seq": 1, "text": message.text()}}})
    }

    /// A press of a button on a message the bot sent.
    pub fn press(&self, user: i64, message: &MaxCall, payload: &str) {
        let update = self.press_update(user, message, payload);
        self.push(update);
    }

    pub fn calls(&self) -> Vec<MaxCall> {
        self.inner.lock().unwrap().calls.clone()
    }

    pub fn mark(&self) -> usize {
        self.inner.lock().unwrap().calls.len()
    }

    /// Polls answered so far.
    pub fn polls(&self) -> usize {
        self.inner.lock().unwrap().polls
    }

    /// Polls answered that passed no marker (a bot that did not know where it left off).
    pub fn polls_without_marker(&self) -> usize {
        self.inner.lock().unwrap().polls_without_marker
    }

    /// The first call since `since` that matches, waiting up to 30 s for it.
    pub async fn wait_for(
        &self,
        since: usize,
        what: &str,
        pred: impl Fn(&MaxCall) -> bool,
    ) -> MaxCall {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(c) = self
                .calls()
                .into_iter()
                .skip(since)
                .find(|c| c.ok && pred(c))
            {
                return c;
            }
            if Instant::now() > deadline {
                let seen: Vec<String> = self
                    .calls()
                    .iter()
                    .skip(since)
                    .map(|c| format!("{} {} {:?}", c.method, c.chat, c.text().lines().next()))
                    .collect();
                panic!("MAX: no {what} within 30 s; calls since: {seen:#?}");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// What a message shows now (after its edits).
    pub fn message(&self, mid: &str) -> Option<Value> {
        self.inner
            .lock()
            .unwrap()
            .messages
            .get(mid)
            .map(|(_, b)| b.clone())
    }
}

fn authorised(headers: &HeaderMap) -> Result<(), Answer> {
    match headers.get("Authorization").and_then(|v| v.to_str().ok()) {
        Some(MAX_TOKEN) => Ok(()),
        _ => Err(error(
            StatusCode::UNAUTHORIZED,
            "verify.token",
            "Invalid access_token",
        )),
    }
}

/// An image, as MAX's file server gives it.
async fn image(
    State(fake): State<FakeMax>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> (StatusCode, [(&'static str, &'static str); 1], Vec<u8>) {
    match fake.inner.lock().unwrap().images.get(&name) {
        Some(bytes) => (
            StatusCode::OK,
            [("content-type", "image/jpeg")],
            bytes.clone(),
        ),
        None => (
            StatusCode::NOT_FOUND,
            [("content-type", "text/plain")],
            Vec::new(),
        ),
    }
}

async fn me(headers: HeaderMap) -> Answer {
    if let Err(e) = authorised(&headers) {
        return e;
    }
    (
        StatusCode::OK,
        Json(
            json!({"user_id": MAX_BOT_ID, "name": "Отклик", "username": MAX_BOT_USERNAME, "is_bot": true}),
        ),
    )
}

async fn updates(
    State(fake): State<FakeMax>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    if let Err(e) = authorised(&headers) {
        return e;
    }
    let wait = q
        .get("timeout")
        .and_then(|t| t.parse::<u64>().ok())
        .unwrap_or(30)
        .min(1);
    let deadline = Instant::now() + Duration::from_secs(wait);
    loop {
        let notified = fake.notify.notified();
        {
            let mut inner = fake.inner.lock().unwrap();
            let from = q
                .get("marker")
                .and_then(|m| m.parse::<usize>().ok())
                .unwrap_or(inner.delivered)
                .min(inner.updates.len());
            if from < inner.updates.len() || Instant::now() >= deadline {
                let batch: Vec<Value> = inner.updates[from..].to_vec();
                let next = inner.updates.len();
                inner.delivered = inner.delivered.max(next);
                inner.polls += 1;
                if !q.contains_key("marker") {
                    inner.polls_without_marker += 1;
                }
                return (
                    StatusCode::OK,
                    Json(json!({"updates": batch, "marker": next})),
                );
            }
        }
        let _ = tokio::time::timeout(Duration::from_millis(200), notified).await;
    }
}

/// The chat a call sends to, as Otklik numbers it.
fn chat_of(q: &HashMap<String, String>) -> Option<i64> {
    q.get("user_id")
        .or_else(|| q.get("chat_id"))
        .and_then(|v| v.parse().ok())
}

async fn send(
    State(fake): State<FakeMax>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Answer {
    if let Err(e) = authorised(&headers) {
        return e;
    }
    let Some(chat) = chat_of(&q) else {
        return error(
            StatusCode::BAD_REQUEST,
            "proto.payload",
            "user_id or chat_id is required",
        );
    };
    let mut inner = fake.inner.lock().unwrap();
    let now = Instant::now();
    let mut call = MaxCall {
        method: "send".into(),
        chat,
        mid: String::new(),
        body: body.clone(),
        ok: false,
        at: now,
    };
    let refused = if body["text"].as_str().unwrap_or_default().chars().count() > 4000 {
        Some(error(
            StatusCode::BAD_REQUEST,
            "proto.payload",
            "text: size must be between 0 and 4000",
        ))
    } else if inner.blocked.contains(&chat) {
        Some(error(
            StatusCode::FORBIDDEN,
            "chat.denied",
            "chat.denied: dialog is blocked",
        ))
    } else if inner.limit_per_chat
        && inner
            .calls
            .iter()
            .filter(|c| c.ok && c.chat == chat && matches!(c.method.as_str(), "send" | "edit"))
            .filter(|c| now.duration_since(c.at) < Duration::from_secs(1))
            .count()
            >= 2
    {
        inner.over_limit += 1;
        Some(error(
            StatusCode::TOO_MANY_REQUESTS,
            "too.many.requests",
            "Too many requests",
        ))
    } else {
        None
    };
    if let Some(refused) = refused {
        inner.calls.push(call);
        return refused;
    }
    inner.next_message += 1;
    let mid = format!("mid.{:016x}{:016x}", chat, inner.next_message);
    call.mid = mid.clone();
    call.ok = true;
    inner.calls.push(call);
    inner.messages.insert(mid.clone(), (chat, body.clone()));
    let recipient = if chat < 0 {
        json!({"chat_id": chat, "chat_type": "chat"})
    } else {
        json!({"chat_id": 500_000 + chat, "chat_type": "dialog", "user_id": chat})
    };
    (
        StatusCode::OK,
        Json(json!({"message": {
            "sender": {"user_id": MAX_BOT_ID, "name": "Отклик", "is_bot": true},
            "recipient": recipient,
            "timestamp": 1_795_000_000_000i64,
            "body": {"mid": mid, "seq": inner.next_message, "text": body["text"], "attachments": body["attachments"]},
        }})),
    )
}

async fn edit(
    State(fake): State<FakeMax>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Answer {
    if let Err(e) = authorised(&headers) {
        return e;
    }
    let mid = q.get("message_id").cloned().unwrap_or_default();
    let mut inner = fake.inner.lock().unwrap();
    let Some((chat, _)) = inner.messages.get(&mid).cloned() else {
        inner.calls.push(MaxCall::new("edit", 0, mid, body, false));
        return error(StatusCode::NOT_FOUND, "not.found", "message not found");
    };
    inner.messages.insert(mid.clone(), (chat, body.clone()));
    inner
        .calls
        .push(MaxCall::new("edit", chat, mid, body, true));
    (StatusCode::OK, Json(json!({"success": true})))
}

async fn answer(
    State(fake): State<FakeMax>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Answer {
    if let Err(e) = authorised(&headers) {
        return e;
    }
    let mut inner = fake.inner.lock().unwrap();
    let mut body = body;
    body["callback_id"] = json!(q.get("callback_id"));
    inner
        .calls
        .push(MaxCall::new("answer", 0, String::new(), body, true));
    (StatusCode::OK, Json(json!({"success": true})))
}

async fn upload_slot(State(fake): State<FakeMax>, headers: HeaderMap) -> Answer {
    if let Err(e) = authorised(&headers) {
        return e;
    }
    (
        StatusCode::OK,
        Json(json!({"url": format!("{}/upload-target", fake.base)})),
    )
}

async fn upload(State(fake): State<FakeMax>, body: axum::body::Bytes) -> Answer {
    let mut inner = fake.inner.lock().unwrap();
    let n = inner.calls.len();
    inner.calls.push(MaxCall::new(
        "upload",
        0,
        String::new(),
        json!({"bytes": body.len()}),
        true,
    ));
    (
        StatusCode::OK,
        Json(json!({"token": format!("upload-{n}")})),
    )
}

async fn subscribe(
    State(fake): State<FakeMax>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Answer {
    if let Err(e) = authorised(&headers) {
        return e;
    }
    fake.inner
        .lock()
        .unwrap()
        .calls
        .push(MaxCall::new("subscribe", 0, String::new(), body, true));
    (StatusCode::OK, Json(json!({"success": true})))
}
