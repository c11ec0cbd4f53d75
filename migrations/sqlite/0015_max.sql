-- MAX: its messages are named by text ids ("mid.…"), the core by numbers; the adapter keeps
-- which number stands for which message, to edit a card it sent.
CREATE TABLE message_refs (
    messenger  TEXT    NOT NULL,
    number     INTEGER  NOT NULL,
    reference  TEXT    NOT NULL,
    PRIMARY KEY (messenger, number)
);
-- The messenger a person wants their notices in, when they are reachable in more than one
-- (the organisation file's `messenger`); NULL: Telegram first.
ALTER TABLE people ADD COLUMN preferred_messenger TEXT;
-- Where long polling left off, per messenger and bot (MAX counts the updates before the marker
-- it is given as read, so a restart starts from the last marker handled).
CREATE TABLE update_cursors (
    messenger  TEXT    NOT NULL,
    bot        TEXT    NOT NULL,
    marker     INTEGER  NOT NULL,
    PRIMARY KEY (messenger, bot)
);
