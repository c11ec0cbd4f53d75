-- A topic may ask for proof of work done: a draft answer without a photo is flagged.
ALTER TABLE topics ADD COLUMN proof TEXT;
