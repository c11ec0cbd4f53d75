-- Barnaul §5: a department's answer is agreed with its supervising deputy, not any deputy.
ALTER TABLE departments ADD COLUMN supervising_deputy_id BIGINT;
