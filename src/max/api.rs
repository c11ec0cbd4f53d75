//! A small typed client of the MAX Bot API (dev.max.ru), for the calls Otklik makes: who the bot
//! is, send, edit, answer a button, long polling, and the webhook subscription. The token goes
//! in the `Authorization` header (MAX no longer takes it in the query).
//!
//! Written here on `reqwest` + `serde` rather than on the `maxbot` crate: that crate changed its
//! major version twice within months, keeps its base URL and rate limit in process-wide globals
//! (two bots in one process, or a test double, cannot differ) and paces requests itself, which
//! Otklik already does per chat.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The MAX Bot API's address.
pub const DEFAULT_API_URL: &str = "https://platform-api2.max.ru";

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum MaxError {
    /// The network, or an answer that could not be read: the call may or may not have happened.
    #[error("cannot reach MAX: {0}")]
    Network(#[from] reqwest::Error),
    /// MAX answered with an error.
    #[error("MAX answered {status}: {code} {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
}

/// A MAX user (a person or a bot).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct User {
    pub user_id: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub is_bot: bool,
}

impl User {
    /// The name to show.
    pub fn full_name(&self) -> String {
        if let Some(n) = self.name.as_ref().filter(|n| !n.trim().is_empty()) {
            return n.trim().to_string();
        }
        [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Where a message went.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Recipient {
    #[serde(default)]
    pub chat_id: Option<i64>,
    /// "dialog" (a private chat with the bot), "chat" (a group) or "channel".
    #[serde(default)]
    pub chat_type: String,
    #[serde(default)]
    pub user_id: Option<i64>,
}

/// A message's content.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct MessageBody {
    pub mid: String,
    #[serde(default)]
    pub seq: i64,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub attachments: Vec<Value>,
}

/// A message forwarded or replied to.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct LinkedMessage {
    /// "forward" or "reply".
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub sender: Option<User>,
    #[serde(default)]
    pub message: Option<LinkedBody>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct LinkedBody {
    #[serde(default)]
    pub text: Option<String>,
}

/// A message.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Message {
    #[serde(default)]
    pub sender: Option<User>,
    #[serde(default)]
    pub recipient: Recipient,
    #[serde(default)]
    pub timestamp: i64,
    #[serde(default)]
    pub link: Option<LinkedMessage>,
    pub body: MessageBody,
    #[serde(default)]
    pub url: Option<String>,
}

/// A press of a callback button.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Callback {
    pub callback_id: String,
    #[serde(default)]
    pub payload: Option<String>,
    pub user: User,
}

/// An event the bot is told of. Kinds Otklik does not handle are kept as `Other`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "update_type", rename_all = "snake_case")]
pub enum Update {
    MessageCreated {
        #[serde(default)]
        timestamp: i64,
        message: Message,
    },
    MessageCallback {
        #[serde(default)]
        timestamp: i64,
        callback: Callback,
        #[serde(default)]
        message: Option<Message>,
    },
    /// A person opened the bot (a deep link's start payload comes with it).
    BotStarted {
        #[serde(default)]
        timestamp: i64,
        chat_id: i64,
        user: User,
        #[serde(default)]
        payload: Option<String>,
    },
    /// The bot was added to a group chat.
    BotAdded {
        #[serde(default)]
        timestamp: i64,
        chat_id: i64,
        #[serde(default)]
        is_channel: bool,
    },
    #[serde(other)]
    Other,
}

/// The update kinds Otklik asks for.
pub const UPDATE_TYPES: [&str; 4] = [
    "message_created",
    "message_callback",
    "bot_started",
    "bot_added",
];

/// A button of an inline keyboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    #[serde(rename = "type")]
    pub kind: String,
    pub text: String,
    pub payload: String,
}

/// A message to send or the new look of one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewMessage {
    pub text: String,
    /// "html".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// An empty list removes the keyboard of an edited message.
    pub attachments: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<Value>,
}

/// The target of a new message: a person's private chat or a group chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    User(i64),
    Chat(i64),
}

#[derive(Deserialize)]
struct Sent {
    message: Message,
}

#[derive(Deserialize)]
struct Updates {
    #[serde(default)]
    updates: Vec<Value>,
    #[serde(default)]
    marker: Option<i64>,
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// A file transfer's answer, or its failure as MAX's error named `code`.
fn transferred(
    resp: reqwest::Response,
    code: &str,
    message: &str,
) -> Result<reqwest::Response, MaxError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    Err(MaxError::Api {
        status: status.as_u16(),
        code: code.into(),
        message: message.into(),
    })
}

/// A bot's connection to the MAX Bot API.
#[derive(Clone)]
pub struct MaxApi {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl std::fmt::Debug for MaxApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaxApi").field("base", &self.base).finish()
    }
}

impl MaxApi {
    pub fn new(token: &str, base: Option<&url::Url>) -> Result<MaxApi, MaxError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()?;
        let base = base
            .map(|u| u.as_str().to_string())
            .unwrap_or_else(|| DEFAULT_API_URL.to_string());
        Ok(MaxApi {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
        })
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&impl Serialize>,
        timeout: Duration,
    ) -> Result<T, MaxError> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", &self.token)
            .query(query)
            .timeout(timeout);
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.map_err(|e| e.without_url())?;
        let status = resp.status();
        if !status.is_success() {
            let body: ErrorBody = resp.json().await.unwrap_or_default();
            return Err(MaxError::Api {
                status: status.as_u16(),
                code: body.code,
                message: body.message,
            });
        }
        Ok(resp.json().await.map_err(|e| e.without_url())?)
    }

    /// Who the bot is.
    pub async fn me(&self) -> Result<User, MaxError> {
        self.call(
            reqwest::Method::GET,
            "/me",
            &[],
            None::<&()>,
            Duration::from_secs(30),
        )
        .await
    }

    /// Sends a message; returns it as MAX stored it.
    pub async fn send(&self, to: Target, message: &NewMessage) -> Result<Message, MaxError> {
        let query = match to {
            Target::User(id) => [("user_id", id.to_string())],
            Target::Chat(id) => [("chat_id", id.to_string())],
        };
        let sent: Sent = self
            .call(
                reqwest::Method::POST,
                "/messages",
                &query,
                Some(message),
                Duration::from_secs(30),
            )
            .await?;
        Ok(sent.message)
    }

    /// Makes a message show something else.
    pub async fn edit(&self, mid: &str, message: &NewMessage) -> Result<(), MaxError> {
        let _: Value = self
            .call(
                reqwest::Method::PUT,
                "/messages",
                &[("message_id", mid.to_string())],
                Some(message),
                Duration::from_secs(30),
            )
            .await?;
        Ok(())
    }

    /// Answers a button press, with a notification to the presser when there is text.
    pub async fn answer(
        &self,
        callback_id: &str,
        notification: Option<&str>,
    ) -> Result<(), MaxError> {
        let body = match notification {
            Some(text) => serde_json::json!({ "notification": text }),
            None => serde_json::json!({}),
        };
        let _: Value = self
            .call(
                reqwest::Method::POST,
                "/answers",
                &[("callback_id", callback_id.to_string())],
                Some(&body),
                Duration::from_secs(30),
            )
            .await?;
        Ok(())
    }

    /// Long polling: waits up to `wait` for updates after `marker`; returns them (each as it
    /// came, to be read one by one) and the marker of the next.
    pub async fn updates(
        &self,
        marker: Option<i64>,
        wait: Duration,
    ) -> Result<(Vec<Value>, Option<i64>), MaxError> {
        let mut query = vec![
            ("timeout", wait.as_secs().to_string()),
            ("limit", "100".to_string()),
            ("types", UPDATE_TYPES.join(",")),
        ];
        if let Some(m) = marker {
            query.push(("marker", m.to_string()));
        }
        let got: Updates = self
            .call(
                reqwest::Method::GET,
                "/updates",
                &query,
                None::<&()>,
                wait + Duration::from_secs(15),
            )
            .await?;
        Ok((got.updates, got.marker))
    }

    /// A file MAX serves at an address it gave (an image a person sent): its bytes and content
    /// type. Only MAX's own https addresses are followed (or, for a test double, its own host).
    pub async fn download(&self, url: &str) -> Result<(Vec<u8>, Option<String>), MaxError> {
        let refused = |message: &str| MaxError::Api {
            status: 400,
            code: "download.refused".into(),
            message: message.into(),
        };
        let parsed = url::Url::parse(url).map_err(|_| refused("not an address"))?;
        let own_host = url::Url::parse(&self.base)
            .ok()
            .and_then(|b| b.host_str().map(str::to_string));
        if parsed.scheme() != "https" && parsed.host_str().map(str::to_string) != own_host {
            return Err(refused("only https addresses are fetched"));
        }
        let resp = self
            .http
            .get(parsed)
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .map_err(|e| e.without_url())?;
        let resp = transferred(resp, "download", "the file was not given")?;
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = resp.bytes().await.map_err(|e| e.without_url())?;
        Ok((bytes.to_vec(), content_type))
    }

    /// Uploads a file ("image" or "file") made by Otklik; returns the payload that attaches it
    /// to a message. MAX gives an address to upload to, then a token for what was uploaded.
    pub async fn upload(&self, kind: &str, name: &str, bytes: Vec<u8>) -> Result<Value, MaxError> {
        let slot: Value = self
            .call(
                reqwest::Method::POST,
                "/uploads",
                &[("type", kind.to_string())],
                None::<&()>,
                Duration::from_secs(30),
            )
            .await?;
        let Some(url) = slot["url"].as_str() else {
            return Err(MaxError::Api {
                status: 200,
                code: "upload.url".into(),
                message: "no upload address in MAX's answer".into(),
            });
        };
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
        let resp = self
            .http
            .post(url)
            .header("Authorization", &self.token)
            .multipart(reqwest::multipart::Form::new().part("data", part))
            .timeout(Duration::from_secs(120))
            .send()
            .await
            .map_err(|e| e.without_url())?;
        let resp = transferred(resp, "upload", "the file was not taken")?;
        let uploaded: Value = resp.json().await.map_err(|e| e.without_url())?;
        // Images come back as {"photos": {...}} (attached as they are), files as {"token": …}.
        if uploaded.get("photos").is_some() {
            return Ok(uploaded);
        }
        match uploaded["token"].as_str().or(slot["token"].as_str()) {
            Some(token) => Ok(serde_json::json!({ "token": token })),
            None => Err(MaxError::Api {
                status: 200,
                code: "upload.token".into(),
                message: "no token for the uploaded file".into(),
            }),
        }
    }

    /// Subscribes the bot's updates to a webhook; MAX sends `secret` in the
    /// `X-Max-Bot-Api-Secret` header of each.
    pub async fn subscribe(&self, url: &str, secret: &str) -> Result<(), MaxError> {
        let body = serde_json::json!({
            "url": url,
            "update_types": UPDATE_TYPES,
            "secret": secret,
        });
        let _: Value = self
            .call(
                reqwest::Method::POST,
                "/subscriptions",
                &[],
                Some(&body),
                Duration::from_secs(30),
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_are_read_by_kind() {
        let press: Update = serde_json::from_value(serde_json::json!({
            "update_type": "message_callback", "timestamp": 1,
            "callback": {"callback_id": "cb.1", "payload": "ac:5:0", "user": {"user_id": 9, "name": "Анна"}},
            "message": {"recipient": {"chat_id": 77, "chat_type": "dialog"}, "body": {"mid": "mid.1", "seq": 1}}
        }))
        .unwrap_or(Update::Other);
        assert!(
            matches!(press, Update::MessageCallback { ref callback, .. } if callback.payload.as_deref() == Some("ac:5:0"))
        );
        let unknown: Update = serde_json::from_value(
            serde_json::json!({"update_type": "chat_title_changed", "timestamp": 1}),
        )
        .unwrap_or(Update::BotStarted {
            timestamp: 0,
            chat_id: 0,
            user: User::default(),
            payload: None,
        });
        assert!(matches!(unknown, Update::Other));
    }

    #[test]
    fn names() {
        let u = User {
            user_id: 1,
            first_name: Some("Анна".into()),
            last_name: Some("Сидорова".into()),
            ..User::default()
        };
        assert_eq!(u.full_name(), "Анна Сидорова");
    }
}
