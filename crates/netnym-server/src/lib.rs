//! NetNym server (work in progress).
