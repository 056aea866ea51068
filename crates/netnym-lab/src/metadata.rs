//! Metadata channels (docs/lab.md §Metadata channels): linkage from what travels around a
//! presentation rather than in its proof — the epoch it proves against, its size, the issuer
//! key id, and the time the wallet takes to answer.
//!
//! The same two-holder game as the unlinkability experiment: holders in disjoint pairs with
//! identical attributes, a fair bit, `samples` labelled logins of each holder at platform A and
//! the challenge login at B. What a platform observes comes from [`model`], whose inputs are
//! measured on real presentations by [`probe`] (the epoch field, sizes, prover times). Each
//! channel is scored in a leaking setting and in the setting that closes it (a request policy or
//! a wallet behaviour), so every closing claim stands next to a measured leak.
//!
//! Unlike `unlinkability.json`, `metadata.json` is not byte-identical across runs with one
//! seed: the prover times are measured.

pub mod model;
pub mod probe;
#[cfg(test)]
mod tests;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::designs::{DesignError, Policy};
use crate::seeding;
use crate::unlinkability::{score, AdversaryScore, PLATFORMS};
use model::{logins, Behaviour, Channel, Habits, Observed};
use probe::ProbeResults;

/// Configuration of the metadata experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetadataConfig {
    /// Trials per setting.
    pub trials: u64,
    /// Holders (in disjoint pairs).
    pub holders: usize,
    /// Labelled logins of each holder per trial.
    pub samples: usize,
    /// Seed.
    pub seed: u64,
    /// Epochs the leaking request policy accepts.
    pub window: u64,
    /// Epochs between a wallet's scheduled witness updates.
    pub update_interval: u64,
    /// Logins happen at uniformly random epochs in `0..horizon`.
    pub horizon: u64,
    /// Share of holders whose wallet presents from a prepared credential.
    pub prepared_share: f64,
    /// Latency noise, ms (uniform in `[0, jitter_ms)`).
    pub jitter_ms: f64,
    /// Timed presentations of each kind (plain, prepared) in the probe.
    pub probe_timings: usize,
    /// Holders in the probe.
    pub probe_holders: usize,
}

impl Default for MetadataConfig {
    fn default() -> Self {
        Self {
            trials: 10_000,
            holders: 256,
            samples: 8,
            seed: 1,
            window: 4,
            update_interval: 7,
            horizon: 60,
            prepared_share: 0.5,
            jitter_ms: 2.0,
            probe_timings: 24,
            probe_holders: 3,
        }
    }
}

/// Errors of the metadata experiment.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// The configuration cannot run.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A real presentation of the probe failed (a bug: never expected).
    #[error(transparent)]
    Design(#[from] DesignError),
}

/// One channel in one setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetadataRow {
    /// Channel id.
    pub channel: String,
    /// Setting id.
    pub setting: String,
    /// What the wallets and platforms do in this setting.
    pub description: String,
    /// The request policy or wallet behaviour this setting applies to close the channel, if
    /// any.
    pub closes_with: Option<String>,
    /// The behaviour parameters.
    pub behaviour: Behaviour,
    /// The channel adversary's score.
    pub score: AdversaryScore,
}

/// The results of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetadataResults {
    /// Always `"metadata"`.
    pub experiment: String,
    /// The configuration.
    pub config: MetadataConfig,
    /// What the real presentations showed.
    pub probe: ProbeResults,
    /// Answers are padded to this many ms in the padding setting: 1.25 times the slowest
    /// measured plain answer.
    pub pad_ms: f64,
    /// Per channel and setting.
    pub rows: Vec<MetadataRow>,
}

impl MetadataResults {
    /// The row of `channel` in `setting`.
    #[must_use]
    pub fn row(&self, channel: &str, setting: &str) -> Option<&MetadataRow> {
        self.rows
            .iter()
            .find(|r| r.channel == channel && r.setting == setting)
    }
}

/// The settings scored: `(channel, setting id, description, closes_with, behaviour)`.
fn settings(
    c: &MetadataConfig,
    pad_ms: f64,
) -> Vec<(
    Channel,
    &'static str,
    String,
    Option<&'static str>,
    Behaviour,
)> {
    let leaky = Behaviour {
        window: c.window,
        update_interval: c.update_interval,
        update_first: false,
        old_keys_kept: true,
        prepared_share: c.prepared_share,
        pad_ms: 0.0,
        jitter_ms: c.jitter_ms,
    };
    let one_epoch = Behaviour { window: 1, ..leaky };
    let update_first = Behaviour {
        update_first: true,
        ..leaky
    };
    let reissued = Behaviour {
        old_keys_kept: false,
        ..leaky
    };
    let padded = Behaviour { pad_ms, ..leaky };
    let (w, u) = (c.window, c.update_interval);
    vec![
        (
            Channel::Epoch,
            "window",
            format!(
                "requests accept {w} epochs; wallets update every {u} epochs at their own phase"
            ),
            None,
            leaky,
        ),
        (
            Channel::Epoch,
            "one-epoch-window",
            "requests accept only the newest epoch".to_owned(),
            Some("request policy: accepted_epochs = 1"),
            one_epoch,
        ),
        (
            Channel::Epoch,
            "update-first",
            format!("requests accept {w} epochs; wallets update to the newest before answering"),
            Some("wallet: update the witness before every answer"),
            update_first,
        ),
        (
            Channel::Size,
            "window",
            format!("requests accept {w} epochs; sizes measured on real presentations"),
            None,
            leaky,
        ),
        (
            Channel::Size,
            "one-epoch-window",
            "requests accept only the newest epoch".to_owned(),
            Some("request policy: accepted_epochs = 1"),
            one_epoch,
        ),
        (
            Channel::KeyId,
            "rotation",
            "the issuer key was rotated; holders enrolled before keep the old key, still accepted"
                .to_owned(),
            None,
            leaky,
        ),
        (
            Channel::KeyId,
            "reissued",
            "every holder re-issued under the new key before requests drop the old one".to_owned(),
            Some("authority: re-issue before a key is retired; requests name one key"),
            reissued,
        ),
        (
            Channel::Latency,
            "mixed-wallets",
            format!(
                "{:.0}% of wallets present from prepared credentials, the rest from plain ones",
                c.prepared_share * 100.0
            ),
            None,
            leaky,
        ),
        (
            Channel::Latency,
            "padded",
            format!("every wallet holds its answer until {pad_ms:.1} ms after the request"),
            Some("wallet: constant answer time (padding to a fixed deadline)"),
            padded,
        ),
    ]
}

fn check(c: &MetadataConfig) -> Result<(), MetadataError> {
    if c.trials == 0
        || c.holders < 4
        || c.samples == 0
        || c.window == 0
        || c.update_interval == 0
        || c.horizon == 0
        || c.probe_timings == 0
        || c.probe_holders == 0
        || !(0.0..=1.0).contains(&c.prepared_share)
        || !c.jitter_ms.is_finite()
        || c.jitter_ms < 0.0
    {
        return Err(MetadataError::Config(
            "need trials, samples, window, update_interval, horizon, probe_timings and \
             probe_holders >= 1, holders >= 4, prepared_share in [0, 1] and jitter_ms >= 0"
                .to_owned(),
        ));
    }
    Ok(())
}

/// Run the experiment for holders with the given attributes (`config.probe_holders` of them
/// present in the probe) under `policy`, the probe presenting to platform B.
///
/// # Errors
/// [`MetadataError::Config`] for an unusable configuration; [`MetadataError::Design`] if a real
/// presentation fails.
pub fn run(
    config: &MetadataConfig,
    attributes: &[serde_json::Value],
    policy: &Policy,
) -> Result<MetadataResults, MetadataError> {
    check(config)?;
    let n = config.probe_holders.min(attributes.len());
    let at_b = Policy {
        verifier_id: PLATFORMS[1].to_owned(),
        ..policy.clone()
    };
    let probe = probe::run(config.seed, &attributes[..n], &at_b, config.probe_timings)?;
    let slowest = probe.prove_ms_plain.iter().copied().fold(0.0, f64::max);
    let pad_ms = (slowest * 1.25 * 10.0).ceil() / 10.0;
    let all = settings(config, pad_ms);
    let family = all.len();
    let rows = all
        .into_iter()
        .enumerate()
        .map(|(i, (channel, setting, description, closes, b))| {
            let s = play(config, &probe, i as u64, channel, &b, family);
            MetadataRow {
                channel: channel.id().to_owned(),
                setting: setting.to_owned(),
                description,
                closes_with: closes.map(str::to_owned),
                behaviour: b,
                score: s,
            }
        })
        .collect();
    Ok(MetadataResults {
        experiment: "metadata".to_owned(),
        config: config.clone(),
        probe,
        pad_ms,
        rows,
    })
}

/// The trials of one setting, scored for its channel.
fn play(
    c: &MetadataConfig,
    probe: &ProbeResults,
    index: u64,
    channel: Channel,
    b: &Behaviour,
    family: usize,
) -> AdversaryScore {
    let pairs = c.holders / 2;
    let habits: Vec<Habits> = (0..2 * pairs).map(|h| Habits::draw(c.seed, h, b)).collect();
    let mut clusters = vec![(0.0, 0u64); pairs];
    let (mut correct, mut abstained) = (0u64, 0u64);
    for trial in 0..c.trials {
        let mut rng = seeding::rng(c.seed, "metadata-trial", index, trial);
        let pair = rng.gen_range(0..pairs);
        let bit = usize::from(rng.gen_bool(0.5));
        let mut train: [Vec<Observed>; 2] = [Vec::new(), Vec::new()];
        let mut challenge = None;
        for (k, slot) in train.iter_mut().enumerate() {
            let mut times: Vec<u64> = (0..c.samples)
                .map(|_| rng.gen_range(0..c.horizon))
                .collect();
            if k == bit {
                times.push(rng.gen_range(0..c.horizon));
            }
            let mut seen = logins(&mut rng, probe, b, &habits[2 * pair + k], &times);
            if k == bit {
                challenge = seen.pop();
            }
            *slot = seen;
        }
        let Some(challenge) = challenge else { continue };
        let points = match channel.guess(b, [&train[0], &train[1]], &challenge) {
            Some(g) if g == bit => {
                correct += 1;
                1.0
            }
            Some(_) => 0.0,
            None => {
                abstained += 1;
                0.5
            }
        };
        clusters[pair].0 += points;
        clusters[pair].1 += 1;
    }
    let clusters: Vec<(f64, u64)> = clusters.into_iter().filter(|c| c.1 > 0).collect();
    score(
        channel.id(),
        (correct, abstained, c.trials),
        &clusters,
        family,
    )
}
