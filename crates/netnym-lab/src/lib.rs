//! NetNym unlinkability lab: experiments, baselines, collusion simulation and a privacy linter.
//!
//! See `docs/lab.md` for the experiments, adversaries, metrics and population model.
#![forbid(unsafe_code)]

pub mod adversary;
pub mod cli;
pub mod collusion;
pub mod designs;
pub mod linking;
pub mod lint;
pub mod output;
pub mod population;
pub mod report;
pub mod seeding;
pub mod stats;
pub mod unlinkability;
