//! A messenger's limits on sending, kept on our side (Telegram: about 30 messages a second
//! overall, one a second in a private chat, 20 a minute in a group; MAX: 30 requests a second
//! overall, two messages a second in any one chat). Every message the bot sends or edits — a card
//! from the outbox or the answer to a button — waits here for its turn, so the messenger never
//! has to refuse one. The limiters are `governor`'s (GCRA), one overall and one per chat.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

/// One limit: up to `burst` messages at once, then one every `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub every: Duration,
    pub burst: u32,
}

impl Pace {
    /// The most messages this pace lets through in any window of `window`: the burst at its
    /// start, then one per period inside it.
    pub fn most_in(&self, window: Duration) -> u32 {
        let every = self.every.as_nanos().max(1);
        let periods = window.as_nanos().div_ceil(every).saturating_sub(1);
        self.burst
            .max(1)
            .saturating_add(u32::try_from(periods).unwrap_or(u32::MAX))
    }

    fn quota(&self) -> Quota {
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.every.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }

    /// The same pace, `factor` times faster (tests run Telegram's rhythm in less time).
    pub fn faster(self, factor: u32) -> Pace {
        Pace {
            every: self.every / factor.max(1),
            burst: self.burst,
        }
    }
}

/// How fast the bot sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendLimits {
    pub overall: Pace,
    pub private_chat: Pace,
    pub group_chat: Pace,
}

impl SendLimits {
    /// Telegram's published limits with a margin for the network's jitter: at most 28 messages
    /// in any second overall (of 30), one per 1.1 s in a private chat (of one a second), 18 in
    /// any minute in a group (of 20).
    pub const TELEGRAM: SendLimits = SendLimits {
        overall: Pace {
            every: Duration::from_millis(40),
            burst: 4,
        },
        private_chat: Pace {
            every: Duration::from_millis(1100),
            burst: 1,
        },
        group_chat: Pace {
            every: Duration::from_secs(4),
            burst: 4,
        },
    };

    /// MAX's published limits (dev.max.ru: 30 requests a second to the API, no more than two
    /// messages a second into one dialogue, group chat or channel) with the same margin: at most
    /// 28 in any second overall, one per 0.55 s in any chat.
    pub const MAX: SendLimits = SendLimits {
        overall: Pace {
            every: Duration::from_millis(40),
            burst: 4,
        },
        private_chat: Pace {
            every: Duration::from_millis(550),
            burst: 1,
        },
        group_chat: Pace {
            every: Duration::from_millis(550),
            burst: 1,
        },
    };

    /// All three, `factor` times faster.
    pub fn faster(self, factor: u32) -> SendLimits {
        SendLimits {
            overall: self.overall.faster(factor),
            private_chat: self.private_chat.faster(factor),
            group_chat: self.group_chat.faster(factor),
        }
    }
}

impl Default for SendLimits {
    fn default() -> Self {
        SendLimits::TELEGRAM
    }
}

/// Whether a chat id is a group's: in Telegram groups, supergroups and channels are negative;
/// the MAX adapter numbers its group chats the same way (a private chat is the person's id).
pub fn is_group(chat: i64) -> bool {
    chat < 0
}

/// The limiters every send of one bot goes through.
pub struct Pacing {
    limits: SendLimits,
    overall: DefaultDirectRateLimiter,
    private_chats: DefaultKeyedRateLimiter<i64>,
    group_chats: DefaultKeyedRateLimiter<i64>,
    waits: AtomicU64,
}

/// How many sends between forgetting chats that have been quiet long enough.
const FORGET_EVERY: u64 = 4096;

impl Pacing {
    pub fn new(limits: SendLimits) -> Pacing {
        Pacing {
            limits,
            overall: RateLimiter::direct(limits.overall.quota()),
            private_chats: RateLimiter::keyed(limits.private_chat.quota()),
            group_chats: RateLimiter::keyed(limits.group_chat.quota()),
            waits: AtomicU64::new(0),
        }
    }

    pub fn limits(&self) -> SendLimits {
        self.limits
    }

    /// Waits until one more message may go to `chat`: first its chat's turn, then the bot's.
    pub async fn turn(&self, chat: i64) {
        if is_group(chat) {
            self.group_chats.until_key_ready(&chat).await;
        } else {
            self.private_chats.until_key_ready(&chat).await;
        }
        self.overall.until_ready().await;
        if self.waits.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            // A chat whose limiter is full again needs no state.
            self.group_chats.retain_recent();
            self.private_chats.retain_recent();
        }
    }

    /// The most messages one chat takes in a minute.
    pub fn per_minute(&self, group: bool) -> u32 {
        let pace = if group {
            self.limits.group_chat
        } else {
            self.limits.private_chat
        };
        pace.most_in(Duration::from_secs(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The defaults never exceed what Telegram allows, in any window.
    #[test]
    fn the_defaults_keep_within_telegrams_limits() {
        let l = SendLimits::TELEGRAM;
        assert!(l.overall.most_in(Duration::from_secs(1)) <= 30);
        assert_eq!(l.private_chat.most_in(Duration::from_secs(1)), 1);
        assert!(l.group_chat.most_in(Duration::from_secs(60)) <= 20);
        assert_eq!(l.overall.most_in(Duration::from_secs(1)), 28);
        assert_eq!(l.group_chat.most_in(Duration::from_secs(60)), 18);
    }

    /// MAX: two messages a second in any one chat, 30 requests a second overall.
    #[test]
    fn the_max_limits_keep_within_maxs() {
        let l = SendLimits::MAX;
        assert!(l.overall.most_in(Duration::from_secs(1)) <= 30);
        assert_eq!(l.private_chat.most_in(Duration::from_secs(1)), 2);
        assert_eq!(l.group_chat.most_in(Duration::from_secs(1)), 2);
    }

    #[tokio::test]
    async fn a_burst_is_spread_out() {
        let pacing = Pacing::new(SendLimits::TELEGRAM.faster(100));
        let start = std::time::Instant::now();
        for _ in 0..3 {
            pacing.turn(42).await;
        }
        // Two gaps of 11 ms in a private chat.
        assert!(
            start.elapsed() >= Duration::from_millis(21),
            "{:?}",
            start.elapsed()
        );
    }
}
