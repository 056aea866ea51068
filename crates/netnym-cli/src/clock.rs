//! The wall clock the commands read.

/// The current time in Unix seconds (0 if the system clock is set before 1970).
pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
