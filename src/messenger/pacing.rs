//! A messenger's limits on sending, kept on our side so the messenger never has to refuse a
//! message. What is counted, and why:
//!
//! - **Telegram, a group chat**: at most 20 messages a minute (Bot FAQ, "My bot is hitting
//!   limits, how do I avoid this?": "your bot will not be able to send more than 20 messages per
//!   minute to the same group"). Edits count too: the Bot API's developers say edits share that
//!   budget with new messages, about 20 a minute per chat in all (tdlib/td issue 2592). So a
//!   group's sends *and* edits are counted together in a rolling window, at most 19 in any 61 s
//!   (one message and one second spare: Telegram counts a message when it arrives, and the
//!   network delays some more than others). It is a window, not a spacing: what fits in the minute goes
//!   out at once — a short burst of 4 back to back, then about one a second (the FAQ's "avoid
//!   sending more than one message per second" in any chat) — instead of one every 3 seconds.
//! - **Telegram, a private chat**: about one message a second (the same FAQ): one per 1.1 s.
//! - **Telegram, overall**: about 30 messages a second (the FAQ's bulk limit): 28 in any second.
//! - **MAX**: 30 requests a second to the API, no more than two messages a second into one chat
//!   (dev.max.ru, "Ограничения"): one per 0.55 s in any chat, 28 a second overall.
//! - **Not counted**: answers to button presses (`answerCallbackQuery`, MAX's `/answers`) are not
//!   chat messages; they never wait here.
//! - **429**: a refusal with `retry_after` holds that one chat (not the bot) for exactly that long.
//!
//! The pacing does not wait by itself: the delivery worker asks `try_turn` and, when the chat has
//! no room yet, learns when it will — so it can spend the chat's next turn on whatever matters
//! most at that moment (see `core::delivery`). `turn` waits, for the few sends outside the worker
//! (a stranger's answer, a draft's attachments after its card).
//!
//! The counting is our own rather than `governor`'s: a rolling window, a per-chat hold and a
//! non-blocking "when" are what the worker needs, and governor's keyed limiters offer none of the
//! three.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Spacing: up to `burst` messages back to back, then one every `every` (a GCRA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub every: Duration,
    pub burst: u32,
}

/// A rolling window: at most `most` messages in any `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub most: u32,
    pub per: Duration,
}

/// What one chat takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatLimit {
    pub pace: Pace,
    pub window: Option<Window>,
}

impl Pace {
    fn tolerance(&self) -> Duration {
        self.every * self.burst.max(1).saturating_sub(1)
    }

    /// The same pace, `factor` times faster (tests run a messenger's rhythm in less time).
    pub fn faster(self, factor: u32) -> Pace {
        Pace {
            every: self.every / factor.max(1),
            burst: self.burst,
        }
    }
}

impl ChatLimit {
    /// The most messages this limit lets through in any window of `span` (the burst at its
    /// start, then one per period; never more than the rolling window allows).
    pub fn most_in(&self, span: Duration) -> u32 {
        let every = self.pace.every.as_nanos().max(1);
        let periods = span.as_nanos().div_ceil(every).saturating_sub(1);
        let spaced = self
            .pace
            .burst
            .max(1)
            .saturating_add(u32::try_from(periods).unwrap_or(u32::MAX));
        match self.window {
            // Windows laid end to end: each full one adds `most`, a part of one at most `most`.
            Some(w) => {
                let windows = span.as_nanos().div_ceil(w.per.as_nanos().max(1));
                let cap = u32::try_from(windows)
                    .unwrap_or(u32::MAX)
                    .saturating_mul(w.most);
                spaced.min(cap)
            }
            None => spaced,
        }
    }

    pub fn faster(self, factor: u32) -> ChatLimit {
        ChatLimit {
            pace: self.pace.faster(factor),
            window: self.window.map(|w| Window {
                most: w.most,
                per: w.per / factor.max(1),
            }),
        }
    }
}

/// How fast the bot sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendLimits {
    pub overall: Pace,
    pub private_chat: ChatLimit,
    pub group_chat: ChatLimit,
}

impl SendLimits {
    /// Telegram's limits with a margin for the network's jitter (see the module's comment).
    pub const TELEGRAM: SendLimits = SendLimits {
        overall: Pace {
            every: Duration::from_millis(40),
            burst: 4,
        },
        private_chat: ChatLimit {
            pace: Pace {
                every: Duration::from_millis(1100),
                burst: 1,
            },
            window: None,
        },
        group_chat: ChatLimit {
            pace: Pace {
                every: Duration::from_millis(1000),
                burst: 4,
            },
            window: Some(Window {
                most: 19,
                per: Duration::from_secs(61),
            }),
        },
    };

    /// MAX's limits with the same margin: 28 a second overall, one per 0.55 s in any chat.
    pub const MAX: SendLimits = SendLimits {
        overall: Pace {
            every: Duration::from_millis(40),
            burst: 4,
        },
        private_chat: ChatLimit {
            pace: Pace {
                every: Duration::from_millis(550),
                burst: 1,
            },
            window: None,
        },
        group_chat: ChatLimit {
            pace: Pace {
                every: Duration::from_millis(550),
                burst: 1,
            },
            window: None,
        },
    };

    /// All of it, `factor` times faster.
    pub fn faster(self, factor: u32) -> SendLimits {
        SendLimits {
            overall: self.overall.faster(factor),
            private_chat: self.private_chat.faster(factor),
            group_chat: self.group_chat.faster(factor),
        }
    }

    fn for_chat(&self, chat: i64) -> ChatLimit {
        if is_group(chat) {
            self.group_chat
        } else {
            self.private_chat
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

/// What is known of one chat's recent messages.
#[derive(Debug)]
struct ChatState {
    /// The GCRA's theoretical arrival time: the pace allows the next message at
    /// `tat - tolerance`.
    tat: Instant,
    /// The messages within the rolling window, oldest first (only where a window applies).
    sent: VecDeque<Instant>,
    /// A 429 said to wait until then.
    held_until: Option<Instant>,
}

impl ChatState {
    fn new(now: Instant) -> ChatState {
        ChatState {
            tat: now,
            sent: VecDeque::new(),
            held_until: None,
        }
    }

    /// When this chat takes its next message under `limit` (now or earlier: at once), leaving
    /// `keep_free` places of its window free.
    fn ready_at(&mut self, limit: &ChatLimit, now: Instant, keep_free: u32) -> Instant {
        let mut at = self.tat.checked_sub(limit.pace.tolerance()).unwrap_or(now);
        if let Some(w) = limit.window {
            while self.sent.front().is_some_and(|t| *t + w.per <= now) {
                self.sent.pop_front();
            }
            let most = w.most.saturating_sub(keep_free).max(1) as usize;
            if self.sent.len() >= most {
                at = at.max(self.sent[self.sent.len() - most] + w.per);
            }
        }
        if let Some(h) = self.held_until {
            if h <= now {
                self.held_until = None;
            } else {
                at = at.max(h);
            }
        }
        at
    }

    fn take(&mut self, limit: &ChatLimit, now: Instant) {
        self.tat = self.tat.max(now) + limit.pace.every;
        if limit.window.is_some() {
            self.sent.push_back(now);
        }
    }

    /// Undoes the last `take` (the message was not sent after all).
    fn give_back(&mut self, limit: &ChatLimit) {
        self.tat = self.tat.checked_sub(limit.pace.every).unwrap_or(self.tat);
        if limit.window.is_some() {
            self.sent.pop_back();
        }
    }

    /// Whether the chat's state says nothing any more (it may be forgotten).
    fn is_idle(&self, limit: &ChatLimit, now: Instant) -> bool {
        self.tat <= now
            && self.held_until.is_none_or(|h| h <= now)
            && limit
                .window
                .is_none_or(|w| self.sent.back().is_none_or(|t| *t + w.per <= now))
    }
}

struct State {
    chats: HashMap<i64, ChatState>,
    /// The overall GCRA's theoretical arrival time.
    overall_tat: Instant,
    turns: u64,
}

/// The limits every message of one bot keeps; shared by the delivery worker and the adapter.
pub struct Pacing {
    limits: SendLimits,
    state: Mutex<State>,
}

/// How many turns between forgetting chats that have been quiet long enough.
const FORGET_EVERY: u64 = 4096;

impl Pacing {
    pub fn new(limits: SendLimits) -> Pacing {
        Pacing {
            limits,
            state: Mutex::new(State {
                chats: HashMap::new(),
                overall_tat: Instant::now(),
                turns: 0,
            }),
        }
    }

    pub fn limits(&self) -> SendLimits {
        self.limits
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while the lock was held leaves counts that are still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a turn for one message to `chat` at `now` if the chat and the bot have room —
    /// leaving `keep_free` places of the chat's rolling window free (for what matters more) —
    /// otherwise says when they will (nothing is taken then).
    pub fn try_turn_at(&self, chat: i64, now: Instant, keep_free: u32) -> Result<(), Instant> {
        let limit = self.limits.for_chat(chat);
        let overall = self.limits.overall;
        let mut state = self.state();
        let overall_at = state
            .overall_tat
            .checked_sub(overall.tolerance())
            .unwrap_or(now);
        let chat_state = state
            .chats
            .entry(chat)
            .or_insert_with(|| ChatState::new(now));
        let at = chat_state.ready_at(&limit, now, keep_free).max(overall_at);
        if at > now {
            return Err(at);
        }
        chat_state.take(&limit, now);
        state.overall_tat = state.overall_tat.max(now) + overall.every;
        state.turns += 1;
        if state.turns.is_multiple_of(FORGET_EVERY) {
            let limits = self.limits;
            state
                .chats
                .retain(|c, s| !s.is_idle(&limits.for_chat(*c), now));
        }
        Ok(())
    }

    /// `try_turn_at` now.
    pub fn try_turn(&self, chat: i64, keep_free: u32) -> Result<(), Instant> {
        self.try_turn_at(chat, Instant::now(), keep_free)
    }

    /// Waits for a turn for one message to `chat`, and takes it.
    pub async fn turn(&self, chat: i64) {
        while let Err(at) = self.try_turn(chat, 0) {
            tokio::time::sleep_until(at).await;
        }
    }

    /// Counts a message sent to `chat` `ago` ago (by this process before it restarted): a
    /// restart does not forget how full a group's minute is.
    pub fn sent_before(&self, chat: i64, ago: Duration) {
        let limit = self.limits.for_chat(chat);
        let now = Instant::now();
        let Some(at) = now.checked_sub(ago) else {
            return;
        };
        let mut state = self.state();
        let s = state
            .chats
            .entry(chat)
            .or_insert_with(|| ChatState::new(now));
        if limit.window.is_some() {
            let place = s.sent.partition_point(|t| *t <= at);
            s.sent.insert(place, at);
        }
        s.tat = s.tat.max(at + limit.pace.every);
    }

    /// The messenger has answered the message last sent to `chat`: it arrived no later than now,
    /// so the chat's next message keeps its pace from here, not from when this one was sent (a
    /// request slowed on its way — a loaded machine, the network — would otherwise reach the
    /// messenger too close to the next one). Only one message is on its way to a chat at a time.
    pub fn arrived(&self, chat: i64) {
        self.arrived_at(chat, Instant::now())
    }

    /// `arrived`, the messenger's answer having come at `now`.
    pub fn arrived_at(&self, chat: i64, now: Instant) {
        let limit = self.limits.for_chat(chat);
        if let Some(s) = self.state().chats.get_mut(&chat) {
            s.tat = s.tat.max(now + limit.pace.every);
            if let Some(last) = s.sent.back_mut() {
                *last = (*last).max(now);
            }
        }
    }

    /// Gives back the last turn taken for `chat`: nothing was sent with it (a redraw that turned
    /// out to change nothing). Only the chat's count: the bot's overall one is a second long.
    pub fn give_back(&self, chat: i64) {
        let limit = self.limits.for_chat(chat);
        if let Some(s) = self.state().chats.get_mut(&chat) {
            s.give_back(&limit);
        }
    }

    /// The messenger refused a message to `chat` with "retry after `wait`": nothing goes to that
    /// chat before then.
    pub fn hold(&self, chat: i64, wait: Duration) {
        let now = Instant::now();
        let mut state = self.state();
        let s = state
            .chats
            .entry(chat)
            .or_insert_with(|| ChatState::new(now));
        let until = now + wait;
        s.held_until = Some(s.held_until.map_or(until, |h| h.max(until)));
    }

    /// The most messages one chat takes in a minute.
    pub fn per_minute(&self, group: bool) -> u32 {
        let limit = if group {
            self.limits.group_chat
        } else {
            self.limits.private_chat
        };
        limit.most_in(Duration::from_secs(60))
    }

    /// How many more messages `chat`'s rolling window takes now (`None`: no window applies).
    pub fn room(&self, chat: i64) -> Option<u32> {
        let w = self.limits.for_chat(chat).window?;
        let now = Instant::now();
        let mut state = self.state();
        let Some(s) = state.chats.get_mut(&chat) else {
            return Some(w.most);
        };
        while s.sent.front().is_some_and(|t| *t + w.per <= now) {
            s.sent.pop_front();
        }
        Some(
            w.most
                .saturating_sub(u32::try_from(s.sent.len()).unwrap_or(u32::MAX)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROUP: i64 = -100;
    const PERSON: i64 = 42;

    /// Sends to `chat` as fast as the pacing allows, starting at `start`; the moments, as
    /// milliseconds after the start.
    fn drain(p: &Pacing, chat: i64, n: usize, start: Instant) -> Vec<u128> {
        let mut now = start;
        let mut out = Vec::new();
        while out.len() < n {
            match p.try_turn_at(chat, now, 0) {
                Ok(()) => out.push((now - start).as_millis()),
                Err(at) => {
                    assert!(at > now);
                    now = at;
                }
            }
        }
        out
    }

    /// Any 60 s window holds at most `most` of `times` (milliseconds).
    fn most_in_window(times: &[u128], window: u128) -> usize {
        times
            .iter()
            .enumerate()
            .map(|(i, t)| times[i..].iter().take_while(|u| **u < t + window).count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn the_defaults_keep_within_telegrams_limits() {
        let l = SendLimits::TELEGRAM;
        assert_eq!(l.overall_most_in_a_second(), 28);
        assert_eq!(l.private_chat.most_in(Duration::from_secs(1)), 1);
        assert_eq!(l.group_chat.most_in(Duration::from_secs(60)), 19);
        assert_eq!(l.group_chat.most_in(Duration::from_secs(1)), 4);
    }

    impl SendLimits {
        fn overall_most_in_a_second(&self) -> u32 {
            ChatLimit {
                pace: self.overall,
                window: None,
            }
            .most_in(Duration::from_secs(1))
        }
    }

    #[test]
    fn the_max_limits_keep_within_maxs() {
        let l = SendLimits::MAX;
        assert!(l.overall_most_in_a_second() <= 30);
        assert_eq!(l.private_chat.most_in(Duration::from_secs(1)), 2);
        assert_eq!(l.group_chat.most_in(Duration::from_secs(1)), 2);
    }

    /// Twelve cards to a group: four at once, then one a second — all within 8 s, although a
    /// spacing of one per 3 s would have taken 33 s.
    #[tokio::test]
    async fn a_group_takes_what_fits_in_the_minute_at_once() {
        let p = Pacing::new(SendLimits::TELEGRAM);
        let times = drain(&p, GROUP, 12, Instant::now());
        assert_eq!(&times[..4], &[0, 0, 0, 0]);
        assert_eq!(
            &times[4..],
            &[1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]
        );
    }

    /// The 20th message within a minute would be refused by Telegram: the 19th is the last one
    /// until the first ages out, and no 60 s window ever holds more than 19.
    #[tokio::test]
    async fn a_group_never_gets_twenty_in_a_minute() {
        let p = Pacing::new(SendLimits::TELEGRAM);
        let times = drain(&p, GROUP, 60, Instant::now());
        assert_eq!(times[18], 15_000);
        assert_eq!(times[19], 61_000);
        assert_eq!(most_in_window(&times, 61_000), 19);
    }

    #[tokio::test]
    async fn a_private_chat_takes_one_message_per_1_1_s() {
        let p = Pacing::new(SendLimits::TELEGRAM);
        let times = drain(&p, PERSON, 4, Instant::now());
        assert_eq!(times, vec![0, 1100, 2200, 3300]);
    }

    /// A message that reached the messenger late (a slow request) keeps the chat's pace from its
    /// arrival: the next one is not sent closer to it than the pace allows.
    #[tokio::test]
    async fn a_late_arrival_moves_the_next_turn() {
        let p = Pacing::new(SendLimits::TELEGRAM);
        let start = Instant::now();
        assert!(p.try_turn_at(PERSON, start, 0).is_ok());
        p.arrived_at(PERSON, start + Duration::from_millis(300));
        assert_eq!(
            p.try_turn_at(PERSON, start + Duration::from_millis(1100), 0),
            Err(start + Duration::from_millis(1400))
        );
        assert!(p
            .try_turn_at(PERSON, start + Duration::from_millis(1400), 0)
            .is_ok());
    }

    #[tokio::test]
    async fn the_bot_keeps_28_a_second_over_every_chat() {
        let p = Pacing::new(SendLimits::TELEGRAM);
        let start = Instant::now();
        let mut now = start;
        let mut sent = Vec::new();
        let mut chat = 1;
        while sent.len() < 100 {
            match p.try_turn_at(chat, now, 0) {
                Ok(()) => {
                    sent.push((now - start).as_millis());
                    chat += 1;
                }
                Err(at) => now = at,
            }
        }
        assert_eq!(most_in_window(&sent, 1000), 28);
    }

    /// A 429 holds that chat for exactly the time asked, and no other chat.
    #[tokio::test]
    async fn a_refusal_holds_only_its_chat() {
        let p = Pacing::new(SendLimits::TELEGRAM);
        let before = Instant::now();
        p.hold(GROUP, Duration::from_secs(3));
        let now = Instant::now();
        let until = p.try_turn_at(GROUP, now, 0).unwrap_err();
        assert!(until >= before + Duration::from_secs(3) && until <= now + Duration::from_secs(3));
        assert_eq!(p.try_turn_at(GROUP - 1, now, 0), Ok(()));
        assert_eq!(p.try_turn_at(GROUP, until, 0), Ok(()));
    }

    /// A restarted process is told what went out in the last minute: the group's window is as
    /// full as it was.
    #[tokio::test]
    async fn messages_sent_before_a_restart_still_count() {
        let p = Pacing::new(SendLimits::TELEGRAM);
        for ago in 1..=17 {
            p.sent_before(GROUP, Duration::from_secs(ago));
        }
        let now = Instant::now();
        assert_eq!(p.try_turn_at(GROUP, now, 0), Ok(()));
        assert_eq!(
            p.try_turn_at(GROUP, now + Duration::from_secs(1), 0),
            Ok(())
        );
        // The 20th within 61 s waits for the oldest to age out.
        let until = p
            .try_turn_at(GROUP, now + Duration::from_secs(2), 0)
            .unwrap_err();
        assert!(until > now + Duration::from_secs(40), "{:?}", until - now);
    }

    #[tokio::test]
    async fn a_turn_given_back_is_there_again() {
        let p = Pacing::new(SendLimits::TELEGRAM);
        let now = Instant::now();
        assert_eq!(p.try_turn_at(PERSON, now, 0), Ok(()));
        assert!(p.try_turn_at(PERSON, now, 0).is_err());
        p.give_back(PERSON);
        assert_eq!(p.try_turn_at(PERSON, now, 0), Ok(()));
    }

    /// Four places of the group's window kept free: the 16th message of a minute waits for the
    /// window, unless it is one that may use them.
    #[tokio::test]
    async fn places_kept_free_are_for_what_may_use_them() {
        let p = Pacing::new(SendLimits::TELEGRAM);
        let start = Instant::now();
        let mut now = start;
        let mut sent = 0;
        while sent < 15 {
            match p.try_turn_at(GROUP, now, 4) {
                Ok(()) => sent += 1,
                Err(at) => now = at,
            }
        }
        assert_eq!(now - start, Duration::from_secs(11));
        let later = now + Duration::from_secs(1);
        let until = p.try_turn_at(GROUP, later, 4).unwrap_err();
        assert_eq!(until, start + Duration::from_secs(61));
        assert_eq!(p.try_turn_at(GROUP, later, 0), Ok(()));
    }

    #[tokio::test]
    async fn the_window_says_how_much_room_is_left() {
        let p = Pacing::new(SendLimits::TELEGRAM);
        assert_eq!(p.room(GROUP), Some(19));
        drain(&p, GROUP, 5, Instant::now());
        assert_eq!(p.room(GROUP), Some(14));
        assert_eq!(p.room(PERSON), None);
        assert_eq!(p.per_minute(true), 19);
        assert_eq!(p.per_minute(false), 55);
    }

    #[tokio::test]
    async fn faster_limits_keep_their_shape() {
        let p = Pacing::new(SendLimits::TELEGRAM.faster(10));
        let times = drain(&p, GROUP, 20, Instant::now());
        assert_eq!(times[4], 100);
        assert_eq!(times[19], 6100);
    }
}
