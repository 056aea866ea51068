//! The `netnym` command (work in progress).
fn main() {}
