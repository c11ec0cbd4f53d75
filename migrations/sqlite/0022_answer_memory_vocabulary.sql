-- How many remembered answers each stem occurs in: a search asks the index only for the rarest
-- stems of a message (a street, a house number), not for words every message has («дом»), so
-- it ranks a few thousand answers rather than all of them.
CREATE VIRTUAL TABLE answer_memory_vocab USING fts5vocab (answer_memory_fts, 'row');
