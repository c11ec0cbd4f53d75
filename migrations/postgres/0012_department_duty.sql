-- Sakhalin 3.9: each responsible structure keeps its own list of people on call for official
-- comments; a shift may belong to a department (NULL: the organisation's duty officer).
ALTER TABLE duty_roster ADD COLUMN department_id BIGINT REFERENCES departments(id);
