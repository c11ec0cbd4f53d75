//! The core's views as MAX messages: HTML text (MAX's subset: b, i, pre), and an inline keyboard
//! attachment whose callback buttons carry the encoded actions. MAX's limits are kept here: 4 000
//! characters of text (a longer card is shortened as in Telegram), 128 characters of a button's
//! text, seven buttons a row and thirty rows.

use serde_json::{json, Value};

use super::api::{Button, NewMessage};
use crate::core::{Line, View};
use crate::messenger::fit::fit;
use crate::messenger::payload::encode;

/// MAX's limit for a message's text.
pub const TEXT_LIMIT: usize = 4000;
/// MAX's limit for a button's text.
pub const BUTTON_TEXT_LIMIT: usize = 128;
const BUTTONS_PER_ROW: usize = 7;
const ROWS: usize = 30;

/// Escapes text for MAX's HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn line_html(line: &Line) -> String {
    match line {
        Line::Title(s) => format!("<b>{}</b>", escape(s)),
        Line::Text(s) => escape(s),
        Line::Indented(s) => format!("   {}", escape(s)),
        Line::Quote(s) => format!("«{}»", escape(s)),
        Line::Blank => String::new(),
        Line::Preformatted(s) => format!("<pre>{}</pre>", escape(s)),
    }
}

/// The HTML text of a view, within MAX's limit.
pub fn html(view: &View) -> String {
    fit(&view.lines, TEXT_LIMIT, line_html)
}

/// The view's buttons as MAX's inline keyboard attachment (`None` without buttons).
pub fn keyboard(view: &View) -> Option<Value> {
    if view.buttons.is_empty() {
        return None;
    }
    let rows: Vec<Vec<Button>> = view
        .buttons
        .iter()
        .take(ROWS)
        .map(|row| {
            row.iter()
                .take(BUTTONS_PER_ROW)
                .map(|b| Button {
                    kind: "callback".to_string(),
                    text: b.label.chars().take(BUTTON_TEXT_LIMIT).collect(),
                    payload: encode(&b.action),
                })
                .collect()
        })
        .collect();
    Some(json!({"type": "inline_keyboard", "payload": {"buttons": rows}}))
}

/// A view as a message to send or to edit into: its text, the files it carries that are MAX's own
/// (in the message itself: MAX replaces a message's attachments when it is edited, so an edit
/// names them again), and its keyboard.
pub fn message(view: &View) -> NewMessage {
    let mut attachments: Vec<Value> = view
        .attachments
        .iter()
        .filter_map(|a| file_attachment(a))
        .collect();
    attachments.extend(keyboard(view));
    NewMessage {
        text: html(view),
        format: Some("html".to_string()),
        attachments,
        link: None,
    }
}

/// A file a person sent in MAX, kept as "max_image:TOKEN" (or max_video, max_file; an image with
/// the address MAX serves it at as "max_image:TOKEN@URL"), sent on by its token; files from
/// another messenger cannot be.
pub fn file_attachment(id: &str) -> Option<Value> {
    if let Some((lat, lon)) = crate::domain::content::location_of(id) {
        return Some(json!({"type": "location", "latitude": lat, "longitude": lon}));
    }
    let (kind, rest) = id.split_once(':')?;
    let token = rest.split_once('@').map_or(rest, |(token, _)| token);
    let kind = match kind {
        "max_image" => "image",
        "max_video" => "video",
        "max_file" => "file",
        _ => return None,
    };
    Some(json!({"type": kind, "payload": {"token": token}}))
}

/// How a file in a MAX message is kept: its kind and token.
pub fn attachment_id(attachment: &Value) -> Option<String> {
    if attachment["type"] == "location" {
        // MAX gives the coordinates on the attachment (or in its payload).
        let at = |field: &str| {
            attachment[field]
                .as_f64()
                .or_else(|| attachment["payload"][field].as_f64())
        };
        return Some(crate::domain::content::location_attachment(
            at("latitude")?,
            at("longitude")?,
        ));
    }
    let kind = match attachment["type"].as_str()? {
        "image" => "max_image",
        "video" => "max_video",
        "file" => "max_file",
        _ => return None,
    };
    let token = attachment["payload"]["token"].as_str()?;
    // An image's address, to keep a copy of it for the monitoring system (a token has no '@').
    match attachment["payload"]["url"].as_str() {
        Some(url) if kind == "max_image" && !token.contains('@') => {
            Some(format!("{kind}:{token}@{url}"))
        }
        _ => Some(format!("{kind}:{token}")),
    }
}

/// The address a kept MAX image can be fetched at.
pub fn image_url(id: &str) -> Option<&str> {
    let (_, url) = id.strip_prefix("max_image:")?.split_once('@')?;
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Action, Button as ViewButton};
    use crate::domain::IncidentId;

    #[test]
    fn a_long_card_is_shortened_and_keeps_its_status() {
        let view = View {
            lines: vec![
                Line::Title("№1 <важно>".into()),
                Line::Quote("a&b".repeat(3000)),
                Line::Text("Статус: новый".into()),
            ],
            ..View::default()
        };
        let text = html(&view);
        assert!(text.starts_with("<b>№1 &lt;важно&gt;</b>"));
        assert!(text.chars().count() <= TEXT_LIMIT);
        assert!(text.ends_with("Статус: новый"));
    }

    #[test]
    fn buttons_keep_within_maxs_limits() {
        let label = "д".repeat(300);
        let view = View::text("x").with_buttons(vec![
            vec![
                ViewButton {
                    label: label.clone(),
                    action: Action::ShowAll { inc: IncidentId(5) },
                };
                9
            ];
            40
        ]);
        let kb = keyboard(&view).unwrap_or_default();
        let rows = kb["payload"]["buttons"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(rows.len(), ROWS);
        assert_eq!(rows[0].as_array().map(Vec::len), Some(BUTTONS_PER_ROW));
        assert_eq!(
            rows[0][0]["text"].as_str().map(|t| t.chars().count()),
            Some(BUTTON_TEXT_LIMIT)
        );
        assert_eq!(rows[0][0]["payload"], "sa:5");
        assert_eq!(rows[0][0]["type"], "callback");
    }

    #[test]
    fn files_of_another_messenger_are_not_sent() {
        assert!(file_attachment("photo:AgAC").is_none());
        let image =
            json!({"type": "image", "payload": {"token": "t1", "url": "https://i.max.ru/a?r=1"}});
        let kept = attachment_id(&image).unwrap_or_default();
        assert_eq!(kept, "max_image:t1@https://i.max.ru/a?r=1");
        assert_eq!(image_url(&kept), Some("https://i.max.ru/a?r=1"));
        assert_eq!(
            file_attachment(&kept),
            Some(json!({"type": "image", "payload": {"token": "t1"}}))
        );
        assert_eq!(image_url("max_image:t1"), None);
        let place = json!({"type": "location", "latitude": 46.9591, "longitude": 142.738});
        let kept = attachment_id(&place).unwrap_or_default();
        assert_eq!(kept, "location:46.959100,142.738000");
        assert_eq!(file_attachment(&kept), Some(place));
        let a = file_attachment("max_image:tok1").unwrap_or_default();
        assert_eq!(a["payload"]["token"], "tok1");
        assert_eq!(attachment_id(&a).as_deref(), Some("max_image:tok1"));
    }
}
