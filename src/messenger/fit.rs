//! A view's text within a messenger's limit: a view that would not fit has its longest quote (or
//! text) shortened with an ellipsis, again until it fits, so a card keeps its headline, deadline
//! and status lines in every messenger alike.

use crate::core::Line;

/// The view's lines rendered by `render_line`, joined by newlines, within `limit` characters.
pub fn fit(lines: &[Line], limit: usize, render_line: impl Fn(&Line) -> String) -> String {
    let mut lines = lines.to_vec();
    loop {
        let text = lines
            .iter()
            .map(&render_line)
            .collect::<Vec<_>>()
            .join("\n");
        let length = text.chars().count();
        if length <= limit {
            return text;
        }
        let longest = lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| match l {
                Line::Quote(s) | Line::Preformatted(s) | Line::Text(s) => {
                    Some((i, s.chars().count()))
                }
                _ => None,
            })
            .max_by_key(|(_, n)| *n);
        match longest {
            Some((i, n)) if n > 1 => {
                // Markup can lengthen text: cut a little more than the excess.
                let keep = n.saturating_sub(length - limit + 16).max(1);
                let shorten = |s: &String| -> String {
                    let cut: String = s.chars().take(keep).collect();
                    format!("{cut}…")
                };
                lines[i] = match &lines[i] {
                    Line::Quote(s) => Line::Quote(shorten(s)),
                    Line::Preformatted(s) => Line::Preformatted(shorten(s)),
                    Line::Text(s) => Line::Text(shorten(s)),
                    other => other.clone(),
                };
            }
            _ => return text.chars().take(limit).collect(),
        }
    }
}
