-- Schema version 2 (issue 12 item 5): a verifier bounds each client's open presentation
-- requests. `client` is a keyed hash of the client's address (the key lives only in the
-- verifier process), set while the request is open and cleared when it is consumed; NULL for
-- requests stored without a client.
ALTER TABLE presentation_requests ADD COLUMN client BLOB;
CREATE INDEX presentation_requests_client ON presentation_requests(client, expires_at);
UPDATE schema_version SET version = 2;
