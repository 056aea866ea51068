-- Schema version 3: one citizen per document (IMP-005). Each registered citizen's
-- (document_type, document_number) is recorded once; citizens registered before this version
-- are copied in revocation-id order, and a document that two of them already share stays
-- with the first (the import rules did not exist when they were registered).
CREATE TABLE citizen_documents (
    document_type   TEXT NOT NULL,
    document_number TEXT NOT NULL,
    citizen_id      TEXT NOT NULL UNIQUE REFERENCES citizens(citizen_id),
    PRIMARY KEY (document_type, document_number)
) STRICT;
INSERT INTO citizen_documents (document_type, document_number, citizen_id)
    SELECT json_extract(attributes, '$.document_type'),
           json_extract(attributes, '$.document_number'),
           citizen_id
    FROM citizens
    WHERE json_extract(attributes, '$.document_type') IS NOT NULL
      AND json_extract(attributes, '$.document_number') IS NOT NULL
    ORDER BY revocation_id
    ON CONFLICT DO NOTHING;
UPDATE schema_version SET version = 3;
