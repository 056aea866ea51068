//! Benchmarks crate (see benches/).
