//! People who write to the bot without being in the directory. They are told once in a while
//! how to get access — not on every message — so a flood from an unlinked account costs a
//! lookup and nothing else: no reply per message, no stored state, memory bounded.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::core::Account;

/// How often one stranger is answered at most.
pub const ANSWER_EVERY_MINUTES: i64 = 10;
/// How many strangers are remembered at once; beyond it the oldest are forgotten.
const REMEMBERED: usize = 4096;

/// When each recent stranger was last answered.
#[derive(Default)]
pub struct Strangers {
    answered: Mutex<HashMap<Account, DateTime<Utc>>>,
}

impl Strangers {
    /// Whether to answer this stranger now (and remember that they were).
    pub fn answer_now(&self, account: Account, now: DateTime<Utc>) -> bool {
        let Ok(mut answered) = self.answered.lock() else {
            return true;
        };
        let window = Duration::minutes(ANSWER_EVERY_MINUTES);
        if answered
            .get(&account)
            .is_some_and(|t| now - *t < window && *t <= now)
        {
            return false;
        }
        if answered.len() >= REMEMBERED {
            answered.retain(|_, t| now - *t < window);
            if answered.len() >= REMEMBERED {
                answered.clear();
            }
        }
        answered.insert(account, now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::content::Messenger;

    #[test]
    fn a_stranger_is_answered_once_in_a_while_and_memory_stays_bounded() {
        let s = Strangers::default();
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let a = Account {
            messenger: Messenger::Telegram,
            id: 1,
        };
        assert!(s.answer_now(a, t0));
        assert!(!s.answer_now(a, t0 + Duration::minutes(9)));
        assert!(s.answer_now(a, t0 + Duration::minutes(10)));
        for id in 0..(REMEMBERED as i64 * 3) {
            let b = Account {
                messenger: Messenger::Telegram,
                id: 1000 + id,
            };
            assert!(s.answer_now(b, t0 + Duration::minutes(10)));
        }
        assert!(s.answered.lock().map(|m| m.len()).unwrap_or(0) <= REMEMBERED);
    }
}
