-- Each organisation may have its own intake token (only its SHA-256 is kept): a monitoring
-- system with it posts into that organisation alone and reads only its incidents.
ALTER TABLE organisations ADD COLUMN ingest_token_sha256 TEXT;
CREATE UNIQUE INDEX organisations_ingest_token ON organisations (ingest_token_sha256);
