//! Command-line surface of the lab, mountable as a subcommand of another CLI.
//!
//! The `netnym` binary mounts [`LabCommand`] as `netnym lab ...`; the crate's own `netnym-lab`
//! binary runs the same commands directly. Every command is reproducible from `--seed`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// The lab's subcommands.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub enum LabCommand {
    /// Run the unlinkability experiment (designs a-d against every adversary).
    Unlinkability(UnlinkabilityArgs),
    /// Run the collusion simulation (authority + k platforms trying to link accounts).
    Collusion(CollusionArgs),
    /// Privacy-lint a presentation request (anonymity set, entropy, repeated presentations).
    Lint(LintArgs),
    /// Render report.md and SVG plots from the JSON results in a directory.
    Report(ReportArgs),
}

/// Options of `lab unlinkability`.
#[derive(Debug, Args)]
#[non_exhaustive]
pub struct UnlinkabilityArgs {
    /// Number of challenge trials per design and adversary.
    #[arg(long, default_value_t = 10_000)]
    pub trials: u64,
    /// Number of real presentations generated per holder (the pool trials draw from).
    #[arg(long, default_value_t = 64)]
    pub pool: usize,
    /// Presentations of each holder the adversary sees before the challenge.
    #[arg(long, default_value_t = 4)]
    pub samples: usize,
    /// Seed of every random choice; the same seed gives identical JSON.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory the results (unlinkability.json) are written to.
    #[arg(long, default_value = "lab-results")]
    pub out: PathBuf,
    /// Hide progress bars.
    #[arg(long)]
    pub quiet: bool,
}

/// Options of `lab collusion`.
#[derive(Debug, Args)]
#[non_exhaustive]
pub struct CollusionArgs {
    /// Size of the synthetic population.
    #[arg(long, default_value_t = 100_000)]
    pub population: u64,
    /// Number of platforms (the coalition takes the authority plus k of them, k = 0..=platforms).
    #[arg(long, default_value_t = 6)]
    pub platforms: usize,
    /// Seed of every random choice; the same seed gives identical JSON.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory the results (collusion.json) are written to.
    #[arg(long, default_value = "lab-results")]
    pub out: PathBuf,
    /// Hide progress bars.
    #[arg(long)]
    pub quiet: bool,
}

/// Options of `lab lint`.
#[derive(Debug, Args)]
#[non_exhaustive]
pub struct LintArgs {
    /// Path to a presentation request (core `PresentationRequest` JSON), or `-` for stdin.
    pub request: PathBuf,
    /// Size of the population the holder hides in.
    #[arg(long, default_value_t = 1_000_000)]
    pub population: u64,
    /// Minimum acceptable anonymity-set size.
    #[arg(long, default_value_t = 1_000)]
    pub k: u64,
    /// Number of presentations under one pseudonym for the cumulative analysis.
    #[arg(long, default_value_t = 10)]
    pub repeat: u32,
    /// Print the assessment as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also write the assessment to this directory as lint.json.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Options of `lab report`.
#[derive(Debug, Args)]
#[non_exhaustive]
pub struct ReportArgs {
    /// Directory holding unlinkability.json / collusion.json / lint.json; report.md and the SVG
    /// plots are written there.
    #[arg(long, default_value = "lab-results")]
    pub dir: PathBuf,
}

/// Errors of the lab commands.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LabError {
    /// The command is not implemented yet.
    #[error("`lab {0}` is not implemented yet")]
    NotYet(&'static str),
    /// An option has a value the command cannot use.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A JSON input could not be parsed or validated.
    #[error("{path}: {reason}")]
    InvalidInput {
        /// The file.
        path: PathBuf,
        /// Why it was rejected.
        reason: String,
    },
    /// The experiment itself failed (a core-library call returned an error).
    #[error("experiment failed: {0}")]
    Experiment(String),
}

/// Runs one lab command.
///
/// # Errors
/// Returns [`LabError`] when an option is invalid, a file cannot be read or written, an input is
/// malformed, or an experiment fails.
pub fn run(cmd: LabCommand) -> Result<(), LabError> {
    match cmd {
        LabCommand::Unlinkability(_) => Err(LabError::NotYet("unlinkability")),
        LabCommand::Collusion(_) => Err(LabError::NotYet("collusion")),
        LabCommand::Lint(_) => Err(LabError::NotYet("lint")),
        LabCommand::Report(_) => Err(LabError::NotYet("report")),
    }
}
