//! sqlx errors to [`StoreError`]: what the caller may retry, what a constraint refused, what is
//! corrupt. Both backends report through the same `DatabaseError` interface (SQLSTATE on
//! PostgreSQL, the extended result code on SQLite).

use sqlx::error::ErrorKind;

use crate::error::StoreError;

/// SQLite primary result codes (the low byte of the extended code) that mean "not now".
const SQLITE_UNAVAILABLE: &[i64] = &[
    5,  // SQLITE_BUSY
    6,  // SQLITE_LOCKED
    8,  // SQLITE_READONLY
    10, // SQLITE_IOERR
    13, // SQLITE_FULL
    14, // SQLITE_CANTOPEN
];
/// SQLite primary result codes that mean a damaged file.
const SQLITE_CORRUPT: &[i64] = &[
    11, // SQLITE_CORRUPT
    26, // SQLITE_NOTADB
];
/// PostgreSQL SQLSTATEs (or classes, two characters) that mean "not now".
const PG_UNAVAILABLE: &[&str] = &[
    "08",    // connection exception
    "40001", // serialization failure
    "40P01", // deadlock detected
    "53",    // insufficient resources (too many connections, disk full)
    "57P01", // admin shutdown
    "57P02", // crash shutdown
    "57P03", // cannot connect now
];

/// Whether `e` is a constraint violation (unique, foreign key, not null, check).
pub(crate) fn is_constraint(e: &sqlx::Error) -> bool {
    matches!(
        e.as_database_error().map(sqlx::error::DatabaseError::kind),
        Some(
            ErrorKind::UniqueViolation
                | ErrorKind::ForeignKeyViolation
                | ErrorKind::NotNullViolation
                | ErrorKind::CheckViolation
        )
    )
}

/// The error's text, for logs and operators (never holds bound values: sqlx does not quote
/// parameters in its messages).
pub(crate) fn describe(e: &sqlx::Error) -> String {
    e.to_string()
}

/// Classify a sqlx error.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    let text = describe(&e);
    match &e {
        sqlx::Error::Database(d) => {
            if is_constraint(&e) {
                return StoreError::Constraint(text);
            }
            let code = d.code().unwrap_or_default();
            if let Ok(n) = code.parse::<i64>() {
                // SQLite: numeric extended result code.
                let primary = n & 0xff;
                if SQLITE_UNAVAILABLE.contains(&primary) {
                    return StoreError::Unavailable(text);
                }
                if SQLITE_CORRUPT.contains(&primary) {
                    return StoreError::Corrupt(text);
                }
                return StoreError::Backend(text);
            }
            if PG_UNAVAILABLE
                .iter()
                .any(|c| code.starts_with(c) && (c.len() == 5 || code.len() == 5))
            {
                return StoreError::Unavailable(text);
            }
            StoreError::Backend(text)
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(text),
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => StoreError::Corrupt(text),
        _ => StoreError::Backend(text),
    }
}
