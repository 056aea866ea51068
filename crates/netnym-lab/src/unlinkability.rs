//! The unlinkability experiment (docs/lab.md §Unlinkability experiment).
//!
//! Challenger: sets up each design's authority, draws an adult from the synthetic population
//! and enrolls `holders` holders **with identical attributes** except the per-person
//! identifiers (`document_number`, `revocation_id`, and whatever the design itself assigns:
//! network number, salts and binding key, link secret). All use the same policy (disclose
//! `birth_date` and `region`; in design d, `age >= 18`, `region within <province>` and a
//! pseudonym instead).
//!
//! Adversary: a coalition of platform A and platform B. The holders form disjoint pairs
//! `(2m, 2m + 1)`; each trial draws a pair and a fair bit `b`; the adversary receives `samples` labelled logins of each of the two at
//! A and one login at B by the holder selected by `b`, and guesses `b`.
//!
//! Logins are real (NetNym presentations are created and verified by the core library) and cost
//! milliseconds. The **training** logins come from a pool of `pool` logins per holder at A,
//! generated once in parallel (each from its own seeded generator). The **challenge** of every
//! trial is a fresh login at B, used once. Trials of the same pair share per-holder constants
//! (the two pseudonyms at B, the training logins), which give an adversary a bias for that pair
//! in one direction or the other that averages to zero only over many pairs; so the interval is
//! computed with a **cluster-robust** variance over the pairs (a design effect shrinks the
//! Wilson sample size). Cost:
//! `holders * pool + trials` real logins per design (docs/lab.md has the measured numbers).

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::index::sample;
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use netnym::Predicate;

use crate::adversary::Adversary;
use crate::designs::{person_attributes, Deployment, Design, DesignError, Policy, View};
use crate::population::{Population, REFERENCE_DAYS};
use crate::seeding;
use crate::stats::{
    advantage, advantage_interval, bias_interval, design_effect, wilson_n, Interval, Z95,
    Z95_BONFERRONI_4,
};

/// Configuration of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlinkabilityConfig {
    /// Trials per design (each trial is scored by every adversary).
    pub trials: u64,
    /// Holders enrolled (all with the same attributes), grouped in disjoint pairs
    /// `(2m, 2m + 1)`; each trial draws one pair.
    pub holders: usize,
    /// Training logins generated per holder at platform A.
    pub pool: usize,
    /// Labelled logins of each holder given to the adversary per trial.
    pub samples: usize,
    /// Seed.
    pub seed: u64,
    /// The designs to run.
    pub designs: Vec<Design>,
}

impl Default for UnlinkabilityConfig {
    fn default() -> Self {
        Self {
            trials: 10_000,
            holders: 256,
            pool: 8,
            samples: 8,
            seed: 1,
            designs: Design::ALL.to_vec(),
        }
    }
}

/// Errors of the unlinkability experiment.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UnlinkabilityError {
    /// The configuration cannot run.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A login failed (a real verification error: a bug, never expected).
    #[error(transparent)]
    Design(#[from] DesignError),
}

/// One adversary's score against one design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdversaryScore {
    /// Adversary id.
    pub adversary: String,
    /// Correct guesses with evidence.
    pub correct: u64,
    /// Trials without evidence (scored 1/2: the expected value of the fair coin the adversary
    /// would flip).
    pub abstained: u64,
    /// Trials.
    pub trials: u64,
    /// (correct + abstained / 2) / trials.
    pub success_rate: f64,
    /// Design effect of the clustering by holder pair (cluster-robust variance / binomial
    /// variance, at least 1); intervals use `trials / design_effect` as sample size.
    pub design_effect: f64,
    /// 95% Wilson interval of the success rate.
    pub success_ci95: Interval,
    /// `|2p - 1|` at the estimate.
    pub advantage: f64,
    /// 95% interval of `|2p - 1|` (from the Wilson interval).
    pub advantage_ci95: Interval,
    /// 95% interval of the signed bias `2p - 1`.
    pub bias_ci95: Interval,
    /// Whether the advantage interval contains 0 (no distinguishing detected).
    pub indistinguishable: bool,
    /// The advantage interval at 95% family-wise over the four adversaries of a design
    /// (Bonferroni, z = 2.498).
    pub advantage_ci95_familywise: Interval,
}

/// The results for one design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignScores {
    /// Design id.
    pub design: String,
    /// Description.
    pub description: String,
    /// Components in one login view.
    pub components: usize,
    /// Bytes in one login view (first pool entry).
    pub view_bytes: usize,
    /// Per adversary.
    pub adversaries: Vec<AdversaryScore>,
}

/// The results of a run (deterministic in the configuration: no timings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnlinkabilityResults {
    /// Always `"unlinkability"`.
    pub experiment: String,
    /// The configuration.
    pub config: UnlinkabilityConfig,
    /// How advantage is defined.
    pub definition: String,
    /// The policy both platforms use.
    pub policy: Policy,
    /// Per design.
    pub designs: Vec<DesignScores>,
}

/// Wall-clock cost of one design's logins and trials (kept out of the JSON results).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolCost {
    /// Design id.
    pub design: String,
    /// Real logins made (training pool and challenges).
    pub logins: usize,
    /// Seconds for enrollment, logins and scoring.
    pub seconds: f64,
}

/// The definition printed in every report.
pub const ADVANTAGE_DEFINITION: &str = "advantage = |2*Pr[correct] - 1| over a fair challenge \
bit; Pr[correct] is estimated by (correct + abstained/2)/trials, where a trial in which the \
adversary has no evidence counts 1/2 (the expected value of the fair coin it would flip); 95% \
Wilson score interval on that rate with sample size trials / design effect (cluster-robust \
variance over the disjoint holder pairs, since per-holder constants such as pseudonyms are shared \
by the trials of a pair), mapped through |2p - 1|";

const PLATFORMS: [&str; 2] = ["platform-a.example", "platform-b.example"];

fn progress(len: u64, show: bool, msg: String) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg:>28} [{bar:30}] {pos}/{len} {eta}") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(msg);
    pb
}

/// The experiment's policy for the twins drawn from `pop`.
fn policy(province: u32) -> Policy {
    Policy {
        verifier_id: String::new(),
        disclose: vec!["birth_date".to_owned(), "region".to_owned()],
        predicates: vec![
            Predicate::AgeAtLeast(18),
            Predicate::RegionWithin(format!("{province:02}")),
        ],
    }
}

/// Run the experiment.
///
/// # Errors
/// [`UnlinkabilityError::Config`] for an unusable configuration, [`UnlinkabilityError::Design`]
/// if a real login fails.
pub fn run(
    config: &UnlinkabilityConfig,
    show_progress: bool,
) -> Result<(UnlinkabilityResults, Vec<PoolCost>), UnlinkabilityError> {
    if config.trials == 0
        || config.samples == 0
        || config.pool < config.samples
        || config.holders < 4
    {
        return Err(UnlinkabilityError::Config(
            "need trials >= 1, holders >= 4, samples >= 1 and pool >= samples".to_owned(),
        ));
    }
    if config.designs.is_empty() {
        return Err(UnlinkabilityError::Config("no design selected".to_owned()));
    }
    // The holders: `holders` people with the attributes of one adult drawn from a synthetic
    // population, differing only in document number and revocation id.
    let pop = Population::synthetic(10_000, config.seed);
    let mut pick = seeding::rng(config.seed, "twins", 0, 0);
    let base = loop {
        let i = pick.gen_range(0..pop.len());
        if pop.people()[i].age_at(REFERENCE_DAYS) >= 19 {
            break i;
        }
    };
    let template = person_attributes(&pop, base);
    let attrs: Vec<serde_json::Value> = (0..config.holders)
        .map(|k| {
            let mut a = template.clone();
            let other = person_attributes(&pop, (base + k) % pop.len());
            a["document_number"] = other["document_number"].clone();
            a["revocation_id"] = other["revocation_id"].clone();
            a
        })
        .collect();
    let pol = policy(pop.people()[base].region / 10_000);

    let mut designs = Vec::new();
    let mut costs = Vec::new();
    for (di, &design) in config.designs.iter().enumerate() {
        let t = Instant::now();
        let mut setup = seeding::rng(config.seed, "setup", di as u64, 0);
        let deployment = Deployment::new(design, &mut setup);
        let holders = attrs
            .iter()
            .map(|a| deployment.enroll(&mut setup, a))
            .collect::<Result<Vec<_>, _>>()?;
        // The training pool: `pool` logins of each holder at platform A.
        let jobs: Vec<(usize, usize)> = (0..config.holders)
            .flat_map(|h| (0..config.pool).map(move |i| (h, i)))
            .collect();
        let pb = progress(
            jobs.len() as u64,
            show_progress,
            format!("{} training logins", design.id()),
        );
        let at = |p: usize| {
            let mut pol = pol.clone();
            pol.verifier_id = PLATFORMS[p].to_owned();
            pol
        };
        let (pol_a, pol_b) = (at(0), at(1));
        let views: Vec<View> = jobs
            .par_iter()
            .map(|&(h, i)| {
                let mut rng = seeding::rng(
                    config.seed,
                    "login",
                    di as u64,
                    (h * config.pool + i) as u64,
                );
                let login = deployment.login(&mut rng, &holders[h], &pol_a);
                pb.inc(1);
                login.map(|l| l.platform)
            })
            .collect::<Result<_, _>>()?;
        pb.finish_and_clear();
        let train_pool = |h: usize| &views[h * config.pool..][..config.pool];

        // Trials: each challenge is a fresh login at platform B, used once.
        let pb = progress(
            config.trials,
            show_progress,
            format!("{} trials", design.id()),
        );
        let outcomes: Vec<(usize, [Option<bool>; Adversary::ALL.len()])> = (0..config.trials)
            .into_par_iter()
            .map(|trial| {
                let mut rng = seeding::rng(config.seed, "trial", di as u64, trial);
                // One of the disjoint holder pairs (2m, 2m + 1), and the challenge bit.
                let m = rng.gen_range(0..config.holders / 2);
                let (h0, h1) = (2 * m, 2 * m + 1);
                let b = usize::from(rng.gen::<bool>());
                let train: [Vec<&View>; 2] = [h0, h1].map(|h| {
                    sample(&mut rng, config.pool, config.samples)
                        .into_iter()
                        .map(|i| &train_pool(h)[i])
                        .collect()
                });
                let mut login_rng = seeding::rng(config.seed, "challenge", di as u64, trial);
                let holder = &holders[if b == 0 { h0 } else { h1 }];
                let challenge = deployment.login(&mut login_rng, holder, &pol_b)?.platform;
                // Per adversary: Some(correct) or None (no evidence).
                let mut out = [None; Adversary::ALL.len()];
                for (k, adv) in Adversary::ALL.iter().enumerate() {
                    out[k] = adv
                        .guess([&train[0], &train[1]], &challenge)
                        .map(|g| g == b);
                }
                pb.inc(1);
                Ok((m, out))
            })
            .collect::<Result<_, DesignError>>()?;
        pb.finish_and_clear();
        costs.push(PoolCost {
            design: design.id().to_owned(),
            logins: jobs.len() + usize::try_from(config.trials).unwrap_or(usize::MAX),
            seconds: t.elapsed().as_secs_f64(),
        });
        let adversaries = Adversary::ALL
            .iter()
            .enumerate()
            .map(|(k, adv)| {
                let mut clusters = vec![(0.0f64, 0u64); config.holders / 2];
                let (mut correct, mut abstained) = (0u64, 0u64);
                for (m, o) in &outcomes {
                    let x = match o[k] {
                        Some(true) => {
                            correct += 1;
                            1.0
                        }
                        Some(false) => 0.0,
                        None => {
                            abstained += 1;
                            0.5
                        }
                    };
                    clusters[*m].0 += x;
                    clusters[*m].1 += 1;
                }
                score(adv.id(), correct, abstained, &clusters)
            })
            .collect();
        designs.push(DesignScores {
            design: design.id().to_owned(),
            description: design.describe().to_owned(),
            components: views[0].components.len(),
            view_bytes: views[0].byte_len(),
            adversaries,
        });
    }
    Ok((
        UnlinkabilityResults {
            experiment: "unlinkability".to_owned(),
            config: config.clone(),
            definition: ADVANTAGE_DEFINITION.to_owned(),
            policy: pol,
            designs,
        },
        costs,
    ))
}

/// Score an adversary from its per-pair clusters `(sum of scores, trials)`, with `correct`
/// guesses and `abstained` trials in total.
#[must_use]
pub fn score(
    adversary: &str,
    correct: u64,
    abstained: u64,
    clusters: &[(f64, u64)],
) -> AdversaryScore {
    let trials: u64 = clusters.iter().map(|c| c.1).sum();
    let (p, deff) = design_effect(clusters);
    #[allow(clippy::cast_precision_loss)]
    let n_eff = trials as f64 / deff;
    let ci = wilson_n(p * n_eff, n_eff, Z95);
    let adv_ci = advantage_interval(ci);
    AdversaryScore {
        adversary: adversary.to_owned(),
        correct,
        abstained,
        trials,
        success_rate: p,
        design_effect: deff,
        success_ci95: ci,
        advantage: advantage(p),
        advantage_ci95: adv_ci,
        bias_ci95: bias_interval(ci),
        indistinguishable: adv_ci.contains(0.0),
        advantage_ci95_familywise: advantage_interval(wilson_n(p * n_eff, n_eff, Z95_BONFERRONI_4)),
    }
}
