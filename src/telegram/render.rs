//! The core's views as Telegram messages: HTML text (escaped, headlines bold, quotes in «»)
//! and an inline keyboard whose buttons carry the encoded actions.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::utils::html::escape;

use crate::core::{Line, View};
use crate::messenger::payload::encode;

/// Telegram's limit for a message's text.
pub const TEXT_LIMIT: usize = 4096;
/// Telegram's limit on a photo's or document's caption (characters).
pub const CAPTION_LIMIT: usize = 1024;

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

/// The HTML text of a view, within Telegram's limit: a view that would not fit has its longest
/// quote shortened (the card keeps its deadline and status lines).
pub fn html(view: &View) -> String {
    html_within(view, TEXT_LIMIT)
}

/// A file's caption: the view's text within Telegram's caption limit.
pub fn caption_html(view: &View) -> String {
    html_within(view, CAPTION_LIMIT)
}

fn html_within(view: &View, limit: usize) -> String {
    crate::messenger::fit::fit(&view.lines, limit, line_html)
}

/// The inline keyboard of a view (empty when it has no buttons).
pub fn keyboard(view: &View) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(view.buttons.iter().map(|row| {
        row.iter()
            .map(|b| InlineKeyboardButton::callback(b.label.clone(), encode(&b.action)))
            .collect::<Vec<_>>()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_kept_within_the_limit() {
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
        assert!(
            text.ends_with("Статус: новый"),
            "{}",
            &text[text.len() - 40..]
        );
    }
}
