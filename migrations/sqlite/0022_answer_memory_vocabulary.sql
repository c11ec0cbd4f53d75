-- How many remembered answers each stem occurs in, kept by triggers: a search asks the index
-- only for the rarest stems of a message (a street, a house number), not for words every
-- message has («дом»), so it ranks a few answers rather than all of them. Stems are letters and
-- digits only, so the space-separated list reads as a JSON array.
CREATE TABLE answer_memory_terms (
    term TEXT    PRIMARY KEY,
    docs INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO answer_memory_terms (term, docs)
SELECT j.value, COUNT(DISTINCT m.incident_id)
FROM answer_memory m, json_each('["' || replace(m.stems, ' ', '","') || '"]') j
WHERE j.value <> ''
GROUP BY j.value;

CREATE TRIGGER answer_memory_terms_ai AFTER INSERT ON answer_memory BEGIN
    INSERT INTO answer_memory_terms (term, docs)
        SELECT DISTINCT value, 1 FROM json_each('["' || replace(new.stems, ' ', '","') || '"]')
        WHERE value <> ''
        ON CONFLICT (term) DO UPDATE SET docs = docs + 1;
END;
CREATE TRIGGER answer_memory_terms_ad AFTER DELETE ON answer_memory BEGIN
    UPDATE answer_memory_terms SET docs = docs - 1
    WHERE term IN (SELECT value FROM json_each('["' || replace(old.stems, ' ', '","') || '"]'));
END;
