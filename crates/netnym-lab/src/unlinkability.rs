//! The unlinkability experiment (docs/lab.md §Unlinkability experiment).
//!
//! Challenger: sets up each design's authority, draws an adult from the synthetic population
//! and enrolls `holders` holders **with identical attributes** except the per-person
//! identifiers (`document_number`, `revocation_id`, and whatever the design itself assigns:
//! network number, salts and binding key, link secret). All use the same policy (disclose
//! `birth_date` and `region`; in design d, `age >= 18`, `region within <province>`,
//! non-revocation and a pseudonym instead).
//!
//! Adversary: a [`Coalition`] — platforms A and B, the authority alone, or the authority with
//! both platforms. The holders form disjoint pairs `(2m, 2m + 1)`; each trial draws a pair and
//! a fair bit `b`; the adversary receives what its coalition holds about the two holders
//! (`samples` labelled logins of each at A; the authority's record of each) and the login at B
//! of the holder `b` selects, and guesses `b`. Every trial is scored for every view at once.
//!
//! **Positive controls**: the same experiment on design d with one deliberate [`Flaw`] each
//! (`crate::controls`), so that every adversary is shown to catch the flaw it is built for.
//!
//! Logins are real (NetNym presentations are created and verified by the core library) and cost
//! milliseconds. The **training** logins come from a pool of `pool` logins per holder at A,
//! generated once in parallel (each from its own seeded generator). The **challenge** of every
//! trial is a fresh login at B, used once. Trials of the same pair share per-holder constants
//! (the two pseudonyms at B, the training logins, the authority's records), which give an
//! adversary a bias for that pair in one direction or the other that averages to zero only over
//! many pairs; so the interval is computed with a **cluster-robust** variance over the pairs (a
//! design effect shrinks the Wilson sample size). Cost: `holders * pool + trials` real logins
//! per design or control (docs/lab.md has the measured numbers).

mod target;

use serde::{Deserialize, Serialize};

use netnym::Predicate;

use crate::adversary::{Adversary, Coalition};
use crate::controls::Flaw;
use crate::designs::{Design, DesignError, Policy};
use crate::stats::{
    advantage, advantage_interval, bias_interval, bonferroni_z95, design_effect, wilson_n,
    Interval, Z95,
};

/// Configuration of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlinkabilityConfig {
    /// Trials per design (each trial is scored by every adversary of every view).
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
    /// The coalitions (views) to score.
    pub views: Vec<Coalition>,
    /// The positive controls to run (design d with one flaw each).
    pub controls: Vec<Flaw>,
    /// Trials per control.
    pub control_trials: u64,
    /// Holders per control.
    pub control_holders: usize,
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
            views: Coalition::ALL.to_vec(),
            controls: Flaw::ALL.to_vec(),
            control_trials: 1_000,
            control_holders: 64,
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

/// One adversary's score against one design (or control) in one view.
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
    /// Trials in which the adversary found material it can test (signature-relations: a proof
    /// it verified with the authority's keys; the others look at every trial).
    pub checked: u64,
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
    /// The advantage interval at 95% family-wise over the `family_size` scores of this design
    /// or control (Bonferroni).
    pub advantage_ci95_familywise: Interval,
    /// Number of scores in the family (every adversary of every view run on the design).
    pub family_size: usize,
}

/// The scores of one view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewScores {
    /// Coalition id.
    pub view: String,
    /// Per adversary that runs in the view.
    pub adversaries: Vec<AdversaryScore>,
}

/// The results for one design or control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignScores {
    /// Design id, or for a control the flaw id.
    pub design: String,
    /// Description.
    pub description: String,
    /// For a control: the design the flaw is applied to.
    pub base: Option<String>,
    /// Trials.
    pub trials: u64,
    /// Holders.
    pub holders: usize,
    /// Components in one login view.
    pub components: usize,
    /// Bytes in one login view (first pool entry).
    pub view_bytes: usize,
    /// Per view.
    pub views: Vec<ViewScores>,
}

impl DesignScores {
    /// The score of `adversary` in `view`, if it ran.
    #[must_use]
    pub fn score(&self, view: &str, adversary: &str) -> Option<&AdversaryScore> {
        self.views
            .iter()
            .find(|v| v.view == view)?
            .adversaries
            .iter()
            .find(|a| a.adversary == adversary)
    }

    /// Every score, across views.
    pub fn scores(&self) -> impl Iterator<Item = (&str, &AdversaryScore)> {
        self.views
            .iter()
            .flat_map(|v| v.adversaries.iter().map(move |a| (v.view.as_str(), a)))
    }
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
    /// Per positive control.
    pub controls: Vec<DesignScores>,
}

/// Wall-clock cost of one design's logins and trials (kept out of the JSON results).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolCost {
    /// Design or control id.
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
by the trials of a pair), mapped through |2p - 1|; family-wise: Bonferroni over every score of \
the design or control";

/// The two platforms of the game.
pub const PLATFORMS: [&str; 2] = ["platform-a.example", "platform-b.example"];

/// The experiment's policy for twins living in `province`.
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

/// The experiment's holders for `seed`: `count` people with one adult's attributes (differing
/// only in document number and revocation id), and the platforms' policy for them (verifier id
/// left empty). The metadata experiment uses the same.
#[must_use]
pub fn twins(seed: u64, count: usize) -> (Vec<serde_json::Value>, Policy) {
    let t = target::Twins::draw(seed, count);
    let p = policy(t.province);
    (t.attributes, p)
}

fn check(config: &UnlinkabilityConfig) -> Result<(), UnlinkabilityError> {
    let bad = |m: &str| Err(UnlinkabilityError::Config(m.to_owned()));
    if config.trials == 0
        || config.samples == 0
        || config.pool < config.samples
        || config.holders < 4
    {
        return bad("need trials >= 1, holders >= 4, samples >= 1 and pool >= samples");
    }
    if !config.controls.is_empty() && (config.control_trials == 0 || config.control_holders < 4) {
        return bad("controls need control_trials >= 1 and control_holders >= 4");
    }
    if config.designs.is_empty() && config.controls.is_empty() {
        return bad("no design or control selected");
    }
    if config.views.is_empty() {
        return bad("no view selected");
    }
    Ok(())
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
    check(config)?;
    let twins = target::Twins::draw(config.seed, config.holders.max(config.control_holders));
    let pol = policy(twins.province);
    let mut costs = Vec::new();
    let mut run_one = |spec: target::Target| -> Result<DesignScores, UnlinkabilityError> {
        let (scores, cost) = target::run(config, &spec, &twins, &pol, show_progress)?;
        costs.push(cost);
        Ok(scores)
    };
    let designs = config
        .designs
        .iter()
        .enumerate()
        .map(|(i, &design)| {
            run_one(target::Target {
                design,
                flaw: None,
                index: i as u64,
                trials: config.trials,
                holders: config.holders,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let controls = config
        .controls
        .iter()
        .map(|&flaw| {
            run_one(target::Target {
                design: Design::NetNymPredicates,
                flaw: Some(flaw),
                // Seeds of controls are apart from those of designs, and fixed per flaw.
                index: 100 + Flaw::ALL.iter().position(|f| *f == flaw).unwrap_or(0) as u64,
                trials: config.control_trials,
                holders: config.control_holders,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        UnlinkabilityResults {
            experiment: "unlinkability".to_owned(),
            config: config.clone(),
            definition: ADVANTAGE_DEFINITION.to_owned(),
            policy: pol,
            designs,
            controls,
        },
        costs,
    ))
}

/// The adversaries of each view, in report order: `(view, adversary)` for every score.
#[must_use]
pub fn columns(views: &[Coalition]) -> Vec<(Coalition, Adversary)> {
    views
        .iter()
        .flat_map(|&v| Adversary::in_view(v).iter().map(move |&a| (v, a)))
        .collect()
}

/// Score an adversary from its per-pair clusters `(sum of scores, trials)`, with `correct`
/// guesses, `abstained` trials and `checked` trials in total, in a family of `family_size`
/// scores.
#[must_use]
pub fn score(
    adversary: &str,
    (correct, abstained, checked): (u64, u64, u64),
    clusters: &[(f64, u64)],
    family_size: usize,
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
        checked,
        success_rate: p,
        design_effect: deff,
        success_ci95: ci,
        advantage: advantage(p),
        advantage_ci95: adv_ci,
        bias_ci95: bias_interval(ci),
        indistinguishable: adv_ci.contains(0.0),
        advantage_ci95_familywise: advantage_interval(wilson_n(
            p * n_eff,
            n_eff,
            bonferroni_z95(family_size),
        )),
        family_size,
    }
}
