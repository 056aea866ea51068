//! NetNym unlinkability lab: experiments, baselines, collusion simulation and a privacy linter.
//!
//! See `docs/lab.md` for the experiments, adversaries, metrics and population model.
#![forbid(unsafe_code)]

pub mod cli;
