//! What every messenger adapter shares and no single messenger owns: the pace of sending
//! (`pacing`), the text form of a button's action (`payload`), and how a view too long for a
//! message is shortened (`fit`).

pub mod fit;
pub mod pacing;
pub mod payload;

/// What is wrong with a webhook setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookSettingError {
    /// Not an http(s) URL with a path.
    Url,
    /// Not `secret_length` characters of `A-Z a-z 0-9 _ -`.
    Secret,
}

/// Checks a webhook's URL and secret as an administrator gives them (both messengers take the
/// same alphabet for secrets, in different lengths).
pub fn check_webhook(
    url: &str,
    secret: &str,
    secret_length: std::ops::RangeInclusive<usize>,
) -> Result<(url::Url, String), WebhookSettingError> {
    let parsed = url::Url::parse(url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http") && u.path().len() > 1)
        .ok_or(WebhookSettingError::Url)?;
    let secret = secret.trim();
    let valid = secret_length.contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !valid {
        return Err(WebhookSettingError::Secret);
    }
    Ok((parsed, secret.to_string()))
}
