//! Answers of general interest (Vorsino 2.5, Sakhalin 3.5: plans, announcements, opening hours)
//! are also posted on the organisation's official pages and site: a curator marks the answer, its
//! publisher is reminded once it is published, and records where it was posted.

use crate::core::reply::Reply;
use crate::core::view::View;
use crate::core::workflow::input::is_link;
use crate::core::{Core, CoreError, Who};
use crate::domain::incident::Command;
use crate::domain::IncidentId;

/// The links in a message: every word must be an http(s) link (`None` otherwise).
pub fn parse_links(text: &str) -> Option<Vec<String>> {
    let links: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect();
    (!links.is_empty() && links.iter().all(|l| is_link(l))).then_some(links)
}

impl Core {
    /// The links where the publisher posted a general-interest answer.
    pub(crate) async fn cross_post_links(
        &self,
        who: &Who,
        inc: IncidentId,
        text: &str,
    ) -> Result<Reply, CoreError> {
        let Some(links) = parse_links(text) else {
            return Ok(Reply::say(View::prompt(self.t("bad-cross-post-links"))));
        };
        self.finish(
            who,
            inc,
            Command::RecordCrossPosts { links },
            "cross-posts-recorded",
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::parse_links;

    #[test]
    fn links_are_taken_one_per_word_and_anything_else_refuses_the_lot() {
        assert_eq!(
            parse_links("https://vorsino.ru/news/1\nhttps://vk.com/wall-1_5, https://ok.ru/g/2"),
            Some(vec![
                "https://vorsino.ru/news/1".to_string(),
                "https://vk.com/wall-1_5".into(),
                "https://ok.ru/g/2".into()
            ])
        );
        assert_eq!(parse_links("сайт: https://vorsino.ru/news/1"), None);
        assert_eq!(parse_links("  "), None);
    }
}
