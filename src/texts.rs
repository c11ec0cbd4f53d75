//! Everything a chat user reads comes from `dialogues/ru.ftl` (Fluent), loaded at start so an
//! administrator can edit the wording without rebuilding. The shipped file is also built in, as
//! the fallback when no directory is configured.

use std::path::Path;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::langid;

/// The dialogue file shipped with Otklik.
pub const SHIPPED_RU: &str = include_str!("../dialogues/ru.ftl");

/// The dialogue file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TextsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("dialogue file has errors: {0}")]
    Syntax(String),
}

/// A text could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("no text {0:?} in dialogues")]
    Missing(String),
    #[error("text {key:?}: {errors}")]
    Format { key: String, errors: String },
}

/// The loaded dialogue texts.
pub struct Texts {
    bundle: FluentBundle<FluentResource>,
    strict: bool,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Texts")
    }
}

/// A placeholder value.
pub enum Arg<'a> {
    Str(&'a str),
    Num(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Str(s)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

impl Texts {
    /// Loads `ru.ftl` from a directory, or the built-in file when `dir` is `None`.
    pub fn load(dir: Option<&Path>) -> Result<Self, TextsError> {
        let text = match dir {
            Some(d) => {
                let path = d.join("ru.ftl");
                std::fs::read_to_string(&path).map_err(|source| TextsError::Read {
                    path: path.display().to_string(),
                    source,
                })?
            }
            None => SHIPPED_RU.to_string(),
        };
        Self::parse(&text)
    }

    /// Parses dialogue text.
    pub fn parse(text: &str) -> Result<Self, TextsError> {
        let resource = FluentResource::try_new(text.to_string()).map_err(|(_, errors)| {
            TextsError::Syntax(
                errors
                    .iter()
                    .map(|e| format!("{e:?}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let mut bundle = FluentBundle::new_concurrent(vec![langid!("ru")]);
        // Telegram would show Unicode isolation marks around placeholders.
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource)
            .map_err(|errors| TextsError::Syntax(format!("{errors:?}")))?;
        Ok(Texts {
            bundle,
            strict: false,
        })
    }

    /// In strict mode (tests) a missing text or placeholder panics instead of being logged.
    pub fn strict(mut self) -> Self {
        self.strict = true;
        self
    }

    /// Whether a text exists.
    pub fn has(&self, key: &str) -> bool {
        self.bundle.has_message(key)
    }

    /// Formats a text, reporting every problem.
    pub fn format(&self, key: &str, args: &[(&str, Arg<'_>)]) -> Result<String, TextError> {
        let msg = self
            .bundle
            .get_message(key)
            .ok_or_else(|| TextError::Missing(key.to_string()))?;
        let pattern = msg
            .value()
            .ok_or_else(|| TextError::Missing(key.to_string()))?;
        let mut fargs = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Str(s) => fargs.set(*name, FluentValue::from(*s)),
                Arg::Num(n) => fargs.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        let out = self
            .bundle
            .format_pattern(pattern, Some(&fargs), &mut errors)
            .into_owned();
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(TextError::Format {
                key: key.to_string(),
                errors: format!("{errors:?}"),
            })
        }
    }

    /// A text with placeholders. Problems are logged (or panic in strict mode); the user still
    /// gets the best text available.
    pub fn tf(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        match self.format(key, args) {
            Ok(s) => s,
            Err(e) => {
                if self.strict {
                    panic!("{e}");
                }
                tracing::error!(error = %e, "dialogue text problem");
                key.to_string()
            }
        }
    }

    /// A text without placeholders.
    pub fn t(&self, key: &str) -> String {
        self.tf(key, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals() {
        let t = Texts::load(None).unwrap().strict();
        let h = |n: i64| t.tf("hours", &[("n", n.into())]);
        assert_eq!(h(1), "1 час");
        assert_eq!(h(2), "2 часа");
        assert_eq!(h(5), "5 часов");
        assert_eq!(h(21), "21 час");
        assert_eq!(h(11), "11 часов");
        let d = |n: i64| t.tf("working-days", &[("n", n.into())]);
        assert_eq!(d(1), "1 рабочий день");
        assert_eq!(d(3), "3 рабочих дня");
        assert_eq!(d(7), "7 рабочих дней");
        assert_eq!(t.tf("minutes-ago", &[("n", 1.into())]), "1 минуту");
    }

    #[test]
    fn no_isolation_marks_and_missing_things_are_errors() {
        let t = Texts::load(None).unwrap();
        let s = t.tf("card-title", &[("number", 1287.into())]);
        assert_eq!(s, "Инцидент №1287");
        assert!(matches!(
            t.format("no-such-text", &[]),
            Err(TextError::Missing(_))
        ));
        assert!(matches!(
            t.format("card-title", &[]),
            Err(TextError::Format { .. })
        ));
    }

    #[test]
    fn a_broken_file_is_refused() {
        assert!(Texts::parse("key = { $x").is_err());
    }
}
