//! NetNym wallet (work in progress).
