//! NetNym lab (work in progress).
