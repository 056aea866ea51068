//! What a platform observes around each presentation, from a model of holders and wallets fed
//! by the probe's measurements (docs/lab.md §Metadata channels), and the adversaries that use it.
//!
//! Per holder (constant across trials, as a real holder's habits are): the phase of its wallet's
//! witness updates, the enrollment cohort that decides which issuer key signed it, and whether
//! its wallet presents from a prepared credential. Per login: the time (an epoch), the epoch of
//! the witness the wallet proves against, the presentation's size, the issuer key id, and the
//! answer latency.

use rand::Rng;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

use super::probe::ProbeResults;
use crate::guess::decide;
use crate::seeding;

/// How wallets and platforms behave in one setting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Behaviour {
    /// Epochs a request accepts (`accepted_epochs` of the verifier's policy): the newest and
    /// the `window - 1` before it.
    pub window: u64,
    /// Epochs between a wallet's scheduled witness updates (each wallet has its own phase).
    pub update_interval: u64,
    /// The wallet updates its witness to the newest epoch before every answer.
    pub update_first: bool,
    /// Holders enrolled before the issuer key rotation keep their credential under the old
    /// key, which requests still accept; otherwise every holder was re-issued under the new key
    /// before the old one was dropped from requests.
    pub old_keys_kept: bool,
    /// Share of holders whose wallet presents from a prepared credential.
    pub prepared_share: f64,
    /// The wallet holds every answer until this many ms after the request (0: no padding).
    pub pad_ms: f64,
    /// Network and scheduling noise added to every latency: uniform in `[0, jitter_ms)`.
    pub jitter_ms: f64,
}

/// What a platform sees of one login besides the proof.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observed {
    /// The epoch of the witness the presentation proves against.
    pub epoch: u64,
    /// Presentation size, bytes.
    pub size: usize,
    /// Index of the issuer key that signed the credential (0: old, 1: new).
    pub key: u8,
    /// Time from the request to the answer, ms.
    pub latency_ms: f64,
}

/// A holder's habits.
#[derive(Debug, Clone, Copy)]
pub struct Habits {
    phase: u64,
    before_rotation: bool,
    prepared: bool,
}

impl Habits {
    /// Holder `h`'s habits under `seed` (independent of the setting, so that every setting
    /// scores the same holders).
    #[must_use]
    pub fn draw(seed: u64, h: usize, b: &Behaviour) -> Self {
        let mut rng = seeding::rng(seed, "metadata-holder", h as u64, 0);
        Self {
            phase: rng.gen_range(0..b.update_interval.max(1)),
            before_rotation: rng.gen_bool(0.5),
            prepared: rng.gen_bool(b.prepared_share.clamp(0.0, 1.0)),
        }
    }
}

/// The logins of one holder at the given times (any order), in that order: the wallet's
/// witness epoch follows its update schedule, and is brought to the newest epoch when it has
/// fallen out of the request's window (the request would otherwise fail) or when the wallet
/// updates before every answer.
#[must_use]
pub fn logins(
    rng: &mut ChaCha20Rng,
    probe: &ProbeResults,
    b: &Behaviour,
    habits: &Habits,
    times: &[u64],
) -> Vec<Observed> {
    let u = b.update_interval.max(1);
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by_key(|&i| times[i]);
    let mut witness: Option<u64> = None;
    let mut out = vec![None; times.len()];
    for i in order {
        let t = times[i];
        // The newest scheduled update at or before t (none before the first one).
        let scheduled = (t >= habits.phase).then(|| t - (t - habits.phase) % u);
        let mut w = match (witness, scheduled) {
            (Some(a), Some(s)) => a.max(s),
            (a, s) => a.or(s).unwrap_or(t),
        };
        if b.update_first || t - w >= b.window.max(1) {
            w = t;
        }
        witness = Some(w);
        let prove = sample(rng, probe, habits.prepared);
        let latency_ms = prove.max(b.pad_ms) + rng.gen::<f64>() * b.jitter_ms;
        out[i] = Some(Observed {
            epoch: w,
            size: probe.size_at(w),
            key: u8::from(!(b.old_keys_kept && habits.before_rotation)),
            latency_ms,
        });
    }
    out.into_iter().flatten().collect()
}

/// One measured answer time of a wallet of the given kind.
fn sample(rng: &mut ChaCha20Rng, probe: &ProbeResults, prepared: bool) -> f64 {
    let pool = if prepared {
        &probe.prove_ms_prepared
    } else {
        &probe.prove_ms_plain
    };
    if pool.is_empty() {
        0.0
    } else {
        pool[rng.gen_range(0..pool.len())]
    }
}

/// A metadata adversary: one channel each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Channel {
    /// The epoch the presentation proves against: with the wallets' update interval known,
    /// naive Bayes over the epoch's residue modulo the interval (the update phase).
    Epoch,
    /// The presentation size: naive Bayes over the sizes seen per holder.
    Size,
    /// The issuer key id: which holder's logins carried the challenge's key.
    KeyId,
    /// The answer latency: the holder whose mean log-latency is nearest.
    Latency,
}

impl Channel {
    /// Stable id.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::Epoch => "epoch",
            Self::Size => "size",
            Self::KeyId => "key-id",
            Self::Latency => "latency",
        }
    }

    /// The holder this channel's adversary names, from each holder's labelled logins.
    #[must_use]
    pub fn guess(
        self,
        b: &Behaviour,
        train: [&[Observed]; 2],
        challenge: &Observed,
    ) -> Option<usize> {
        match self {
            Self::Epoch => {
                let u = b.update_interval.max(1);
                let r = challenge.epoch % u;
                naive_bayes(train, |o| o.epoch % u == r, u as f64)
            }
            Self::Size => naive_bayes(train, |o| o.size == challenge.size, 2.0),
            Self::KeyId => {
                let has = |h: usize| train[h].iter().any(|o| o.key == challenge.key);
                match (has(0), has(1)) {
                    (true, false) => Some(0),
                    (false, true) => Some(1),
                    _ => None,
                }
            }
            Self::Latency => {
                let mean = |h: usize| {
                    let n = train[h].len().max(1) as f64;
                    train[h]
                        .iter()
                        .map(|o| o.latency_ms.max(1e-6).ln())
                        .sum::<f64>()
                        / n
                };
                let x = challenge.latency_ms.max(1e-6).ln();
                decide([-(x - mean(0)).abs(), -(x - mean(1)).abs()])
            }
        }
    }
}

/// `ln((hits + 1/2) / (n + k/2))` per holder, `k` the number of values the feature takes.
fn naive_bayes(train: [&[Observed]; 2], hit: impl Fn(&Observed) -> bool, k: f64) -> Option<usize> {
    let score = |h: usize| {
        let hits = train[h].iter().filter(|o| hit(o)).count() as f64;
        ((hits + 0.5) / (train[h].len() as f64 + k / 2.0)).ln()
    };
    decide([score(0), score(1)])
}
