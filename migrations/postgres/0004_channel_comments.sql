-- Comments captured from the organisation's Telegram channel: where they live, so the approved
-- answer can be published as a reply.
ALTER TABLE organisations ADD COLUMN discussion_chat_id BIGINT;
ALTER TABLE organisations ADD COLUMN channel_username TEXT;
ALTER TABLE incidents ADD COLUMN reply_chat_id BIGINT;
ALTER TABLE incidents ADD COLUMN reply_message_id BIGINT;
