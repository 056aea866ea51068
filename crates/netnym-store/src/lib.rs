//! NetNym store (work in progress).
