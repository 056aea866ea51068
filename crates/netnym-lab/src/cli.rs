//! Command-line surface of the lab, mountable as a subcommand of another CLI.
//!
//! The `netnym` binary mounts [`LabCommand`] as `netnym lab ...`; the crate's own `netnym-lab`
//! binary runs the same commands directly. Every command is reproducible from `--seed`.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use indicatif::ProgressBar;

use crate::adversary::Coalition;
use crate::collusion::{self, CollusionConfig};
use crate::controls::Flaw;
use crate::designs::Design;
use crate::lint::{self, LintOptions};
use crate::metadata::{self, MetadataConfig};
use crate::output::{to_json, write_atomic};
use crate::population::Population;
use crate::report;
use crate::unlinkability::{self, UnlinkabilityConfig};

pub use crate::report::{collusion_table, controls_table, metadata_table, unlinkability_table};

/// The lab's subcommands.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub enum LabCommand {
    /// Run the unlinkability experiment (designs a-d and the positive controls, against every
    /// adversary of every view: platforms, authority, authority with platforms).
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
    /// Holders enrolled with identical attributes, in disjoint pairs; every trial draws a pair.
    #[arg(long, default_value_t = 256)]
    pub holders: usize,
    /// Training logins generated per holder at platform A (trials draw from this pool; every
    /// challenge is a fresh login).
    #[arg(long, default_value_t = 8)]
    pub pool: usize,
    /// Presentations of each holder the adversary sees before the challenge.
    #[arg(long, default_value_t = 8)]
    pub samples: usize,
    /// Seed of every random choice; the same seed gives identical JSON.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory the results (unlinkability.json) are written to.
    #[arg(long, default_value = "lab-results")]
    pub out: PathBuf,
    /// Designs to run (ids or letters a, b, c, d), comma-separated; `none` for none.
    #[arg(long, value_delimiter = ',', default_value = "a,b,c,d")]
    pub designs: Vec<String>,
    /// Views (adversary coalitions) to score: platforms, authority, authority+platforms;
    /// comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "platforms,authority,authority+platforms"
    )]
    pub views: Vec<String>,
    /// Positive controls to run (flaw ids: shared-scope, reused-randomness, partitioned-keys,
    /// non-blind-issuance, stuck-rng), comma-separated; `none` for none.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "shared-scope,reused-randomness,partitioned-keys,non-blind-issuance,stuck-rng"
    )]
    pub controls: Vec<String>,
    /// Trials per positive control (their effects are large; fewer trials suffice).
    #[arg(long, default_value_t = 1_000)]
    pub control_trials: u64,
    /// Holders per positive control.
    #[arg(long, default_value_t = 64)]
    pub control_holders: usize,
    /// Trials per setting of the metadata-channel experiment (metadata.json); 0 skips it.
    #[arg(long, default_value_t = 10_000)]
    pub metadata_trials: u64,
    /// Metadata: epochs a request accepts in the leaking setting.
    #[arg(long, default_value_t = 4)]
    pub window: u64,
    /// Metadata: epochs between a wallet's scheduled witness updates.
    #[arg(long, default_value_t = 7)]
    pub update_interval: u64,
    /// Metadata: share of wallets presenting from prepared credentials.
    #[arg(long, default_value_t = 0.5)]
    pub prepared_share: f64,
    /// Metadata: latency noise in ms (uniform in [0, jitter)).
    #[arg(long, default_value_t = 2.0)]
    pub jitter_ms: f64,
    /// Metadata: timed real presentations of each kind (plain, prepared).
    #[arg(long, default_value_t = 24)]
    pub probe_timings: usize,
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
    /// Population size of the real-crypto validation of the model (0: skip).
    #[arg(long, default_value_t = 40)]
    pub validate: usize,
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
    /// Days between the repeated presentations.
    #[arg(long, default_value_t = 30)]
    pub interval_days: u32,
    /// Seed of the synthetic population.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
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
    /// The unlinkability experiment failed.
    #[error(transparent)]
    Unlinkability(#[from] unlinkability::UnlinkabilityError),
    /// The metadata experiment failed.
    #[error(transparent)]
    Metadata(#[from] metadata::MetadataError),
    /// The collusion simulation failed.
    #[error(transparent)]
    Collusion(#[from] collusion::CollusionError),
    /// Writing results failed.
    #[error(transparent)]
    Write(#[from] crate::output::WriteError),
    /// The privacy linter failed.
    #[error(transparent)]
    Lint(#[from] lint::LintError),
    /// Rendering the report failed.
    #[error(transparent)]
    Report(#[from] report::ReportError),
    /// The population-scale model disagreed with the real-crypto validation.
    #[error(
        "the collusion model disagrees with the real logins (see validation in collusion.json)"
    )]
    ModelMismatch,
}

/// Parse a comma-separated list option (`none` alone: empty).
fn parse_list<T>(
    values: &[String],
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, LabError> {
    if values.len() == 1 && values[0].trim() == "none" {
        return Ok(Vec::new());
    }
    values
        .iter()
        .map(|v| {
            parse(v.trim()).ok_or_else(|| LabError::InvalidOption(format!("unknown {what} {v:?}")))
        })
        .collect()
}

fn run_unlinkability(a: &UnlinkabilityArgs) -> Result<(), LabError> {
    let config = UnlinkabilityConfig {
        trials: a.trials,
        holders: a.holders,
        pool: a.pool,
        samples: a.samples,
        seed: a.seed,
        designs: parse_list(&a.designs, "design", Design::parse)?,
        views: parse_list(&a.views, "view", Coalition::parse)?,
        controls: parse_list(&a.controls, "control", Flaw::parse)?,
        control_trials: a.control_trials,
        control_holders: a.control_holders,
    };
    if !(config.designs.is_empty() && config.controls.is_empty() && a.metadata_trials > 0) {
        run_games(&config, a)?;
    }
    if a.metadata_trials > 0 {
        let m = MetadataConfig {
            trials: a.metadata_trials,
            holders: a.holders,
            samples: a.samples,
            seed: a.seed,
            window: a.window,
            update_interval: a.update_interval,
            prepared_share: a.prepared_share,
            jitter_ms: a.jitter_ms,
            probe_timings: a.probe_timings,
            ..MetadataConfig::default()
        };
        let (attributes, policy) = unlinkability::twins(a.seed, a.holders.max(4));
        let results = metadata::run(&m, &attributes, &policy)?;
        write_atomic(&a.out.join("metadata.json"), &to_json(&results))?;
        println!("metadata channels:\n{}", metadata_table(&results));
        println!("wrote {}", a.out.join("metadata.json").display());
    }
    report::render(&a.out)?;
    println!("wrote {}", a.out.join("report.md").display());
    Ok(())
}

/// The designs and controls of the unlinkability game.
fn run_games(config: &UnlinkabilityConfig, a: &UnlinkabilityArgs) -> Result<(), LabError> {
    let (results, costs) = unlinkability::run(config, !a.quiet)?;
    write_atomic(&a.out.join("unlinkability.json"), &to_json(&results))?;
    write_atomic(&a.out.join("unlinkability-cost.json"), &to_json(&costs))?;
    for view in &results.config.views {
        println!(
            "view {}:\n{}",
            view.id(),
            unlinkability_table(&results, *view)
        );
    }
    if !results.controls.is_empty() {
        println!("positive controls:\n{}", controls_table(&results));
    }
    for c in &costs {
        println!(
            "cost {}: {} real logins (made and verified) and scoring in {:.2} s wall ({:.2} ms per login)",
            c.design,
            c.logins,
            c.seconds,
            c.seconds * 1000.0 / c.logins.max(1) as f64
        );
    }
    println!("wrote {}", a.out.join("unlinkability.json").display());
    Ok(())
}

fn read_request(path: &Path) -> Result<Vec<u8>, LabError> {
    let io = |source| LabError::Io {
        path: path.to_path_buf(),
        source,
    };
    let limit = netnym::MAX_REQUEST_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(io)?;
    } else {
        std::fs::File::open(path)
            .map_err(io)?
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(io)?;
    }
    Ok(bytes)
}

fn run_lint(a: &LintArgs) -> Result<(), LabError> {
    let bytes = read_request(&a.request)?;
    let request =
        netnym::PresentationRequest::from_json(&bytes).map_err(|e| LabError::InvalidInput {
            path: a.request.clone(),
            reason: e.to_string(),
        })?;
    let size = usize::try_from(a.population)
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| LabError::InvalidOption("population must be at least 1".to_owned()))?;
    let population = Population::synthetic(size, a.seed);
    let assessment = lint::assess(
        &request,
        &population,
        LintOptions {
            k: a.k,
            repeat: a.repeat.max(1),
            interval_days: a.interval_days,
        },
    )?;
    if a.json {
        print!("{}", String::from_utf8_lossy(&to_json(&assessment)));
    } else {
        print!("{}", report::lint_md(&assessment));
    }
    if let Some(dir) = &a.out {
        write_atomic(&dir.join("lint.json"), &to_json(&assessment))?;
        report::render(dir)?;
    }
    Ok(())
}

fn run_collusion(a: &CollusionArgs) -> Result<(), LabError> {
    let config = CollusionConfig {
        population: usize::try_from(a.population)
            .map_err(|_| LabError::InvalidOption("population too large".to_owned()))?,
        platforms: a.platforms,
        seed: a.seed,
        validate: a.validate,
    };
    let pb = if a.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    let t = std::time::Instant::now();
    let results = collusion::run(&config, &|stage| pb.set_message(stage.to_owned()))?;
    pb.finish_and_clear();
    write_atomic(&a.out.join("collusion.json"), &to_json(&results))?;
    println!("{}", collusion_table(&results));
    for v in &results.validation {
        println!(
            "validation {}: {} real logins, model {} real",
            v.design,
            v.real_logins,
            if v.agree { "==" } else { "!=" }
        );
    }
    println!(
        "population {}, {} accounts, {:.1} s; wrote {}",
        results.config.population,
        results.accounts,
        t.elapsed().as_secs_f64(),
        a.out.join("collusion.json").display()
    );
    if results.validation.iter().any(|v| !v.agree) {
        return Err(LabError::ModelMismatch);
    }
    report::render(&a.out)?;
    println!("wrote {}", a.out.join("report.md").display());
    Ok(())
}

/// Runs one lab command.
///
/// # Errors
/// Returns [`LabError`] when an option is invalid, a file cannot be read or written, an input is
/// malformed, or an experiment fails.
pub fn run(cmd: LabCommand) -> Result<(), LabError> {
    match cmd {
        LabCommand::Unlinkability(a) => run_unlinkability(&a),
        LabCommand::Collusion(a) => run_collusion(&a),
        LabCommand::Lint(a) => run_lint(&a),
        LabCommand::Report(a) => {
            for path in report::render(&a.dir)? {
                println!("wrote {}", path.display());
            }
            Ok(())
        }
    }
}
