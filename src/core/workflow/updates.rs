//! What the adapters keep of a messenger's updates and messages, through the core: an update
//! claimed once and finished when its work is done, where long polling left off, and the
//! numbers that stand for messages a messenger names by text.

use crate::core::{Core, CoreError};
use crate::domain::content::Messenger;

/// After how long an update claimed and not finished may be taken over by the same process.
const UNFINISHED_CLAIM_MINUTES: i64 = 2;

impl Core {
    /// Records that an update from a messenger's bot is being handled; `false` for one handled
    /// before (a redelivery), which must change nothing. A claim this process's predecessor made
    /// and never finished (it died in between) is taken over.
    pub async fn claim_update(
        &self,
        messenger: Messenger,
        bot: &str,
        update_id: i64,
    ) -> Result<bool, CoreError> {
        let now = self.now();
        Ok(self
            .store
            .claim_update(
                messenger,
                bot,
                update_id,
                now,
                &self.instance,
                now - chrono::Duration::minutes(UNFINISHED_CLAIM_MINUTES),
            )
            .await?)
    }

    /// Records that the core has done its work for a claimed update (before the adapter shows
    /// the reply: a reply that fails to show does not make the work run twice).
    pub async fn finish_update(
        &self,
        messenger: Messenger,
        bot: &str,
        update_id: i64,
    ) -> Result<(), CoreError> {
        Ok(self.store.finish_update(messenger, bot, update_id).await?)
    }

    /// Where a bot's long polling left off.
    pub async fn update_cursor(
        &self,
        messenger: Messenger,
        bot: &str,
    ) -> Result<Option<i64>, CoreError> {
        Ok(self.store.update_cursor(messenger, bot).await?)
    }

    /// Keeps where a bot's long polling left off (after the updates before it are handled).
    pub async fn keep_update_cursor(
        &self,
        messenger: Messenger,
        bot: &str,
        marker: Option<i64>,
    ) -> Result<(), CoreError> {
        if let Some(marker) = marker {
            self.store
                .keep_update_cursor(messenger, bot, marker)
                .await?;
        }
        Ok(())
    }

    /// The number that stands for a message a messenger names by text (MAX's "mid.…"), or for
    /// an update it names by text: the same text always gives the same positive number.
    pub fn number_for(reference: &str) -> i64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in reference.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        match (h >> 1) as i64 {
            0 => 1,
            n => n,
        }
    }

    /// A message just sent, named by text: its number, remembered so it can be edited later.
    pub async fn remember_message(
        &self,
        messenger: Messenger,
        reference: &str,
    ) -> Result<i64, CoreError> {
        let number = Core::number_for(reference);
        self.store
            .remember_message_ref(messenger, number, reference)
            .await?;
        Ok(number)
    }

    /// The text name of a message remembered by `remember_message`.
    pub async fn message_reference(
        &self,
        messenger: Messenger,
        number: i64,
    ) -> Result<Option<String>, CoreError> {
        Ok(self.store.message_ref(messenger, number).await?)
    }
}
