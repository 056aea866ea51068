//! One design or control: setup, the training pool, the trials, every view's scores.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::index::sample;
use rand::Rng;
use rayon::prelude::*;

use super::{columns, score, DesignScores, PoolCost, UnlinkabilityConfig, UnlinkabilityError};
use super::{ViewScores, PLATFORMS};
use crate::adversary::{Adversary, Coalition, Evidence};
use crate::authority::Knowledge;
use crate::controls::Flaw;
use crate::designs::{person_attributes, Deployment, Design, DesignError, Policy, View};
use crate::learned::LearnedModel;
use crate::population::{Population, REFERENCE_DAYS};
use crate::seeding;

/// The holders' attributes: one adult's, with per-person document number and revocation id.
pub(super) struct Twins {
    /// Attributes of holder `k`.
    pub(super) attributes: Vec<serde_json::Value>,
    /// The adult's province (2-digit prefix of the region).
    pub(super) province: u32,
}

impl Twins {
    /// `count` people with the attributes of one adult drawn from a synthetic population,
    /// differing only in document number and revocation id (the draw does not depend on
    /// `count`).
    pub(super) fn draw(seed: u64, count: usize) -> Self {
        let pop = Population::synthetic(10_000, seed);
        let mut pick = seeding::rng(seed, "twins", 0, 0);
        let base = loop {
            let i = pick.gen_range(0..pop.len());
            if pop.people()[i].age_at(REFERENCE_DAYS) >= 19 {
                break i;
            }
        };
        let template = person_attributes(&pop, base);
        let attributes = (0..count)
            .map(|k| {
                let mut a = template.clone();
                let other = person_attributes(&pop, (base + k) % pop.len());
                a["document_number"] = other["document_number"].clone();
                a["revocation_id"] = other["revocation_id"].clone();
                a
            })
            .collect();
        Self {
            attributes,
            province: pop.people()[base].region / 10_000,
        }
    }
}

/// What to run.
pub(super) struct Target {
    pub(super) design: Design,
    pub(super) flaw: Option<Flaw>,
    /// Seed index (design position, or 100 + flaw position for controls).
    pub(super) index: u64,
    pub(super) trials: u64,
    pub(super) holders: usize,
}

fn progress(len: u64, show: bool, msg: String) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg:>34} [{bar:30}] {pos}/{len} {eta}") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(msg);
    pb
}

/// A trial's outcome per column: `Some(correct)` or `None` (no evidence), whether the
/// adversary found material it can test, and whether the trial counts for the column (the
/// learned adversary does not score trials on the pairs that trained it).
type Outcome = (Option<bool>, bool, bool);

pub(super) fn run(
    config: &UnlinkabilityConfig,
    t: &Target,
    twins: &Twins,
    pol: &Policy,
    show: bool,
) -> Result<(DesignScores, PoolCost), UnlinkabilityError> {
    let clock = Instant::now();
    let di = t.index;
    let id = t.flaw.map_or(t.design.id(), Flaw::id);
    let mut setup = seeding::rng(config.seed, "setup", di, 0);
    let deployment = Deployment::with_flaw(t.design, t.flaw, &mut setup)?;
    let attrs = &twins.attributes[..t.holders];
    let holders = attrs
        .iter()
        .map(|a| deployment.enroll(&mut setup, a))
        .collect::<Result<Vec<_>, _>>()?;
    let at = |p: usize| Policy {
        verifier_id: Flaw::verifier_id(t.flaw, PLATFORMS[p]),
        ..pol.clone()
    };
    let (pol_a, pol_b) = (at(0), at(1));
    let knowledge = if config.views.iter().any(|v| v.has_authority()) {
        let scopes = [pol_a.verifier_id.as_str(), pol_b.verifier_id.as_str()];
        Some(Knowledge::gather(&deployment, &holders, attrs, &scopes)?)
    } else {
        None
    };

    let cols = columns(&config.views);
    // The training pool: `pool` logins of each holder at platform A.
    let jobs: Vec<(usize, usize)> = (0..t.holders)
        .flat_map(|h| (0..config.pool).map(move |i| (h, i)))
        .collect();
    let pb = progress(jobs.len() as u64, show, format!("{id} training logins"));
    let views: Vec<View> = jobs
        .par_iter()
        .map(|&(h, i)| {
            let mut rng = seeding::rng(config.seed, "login", di, (h * config.pool + i) as u64);
            let login = deployment.login(&mut rng, &holders[h], &pol_a);
            pb.inc(1);
            login.map(|l| l.platform)
        })
        .collect::<Result<_, _>>()?;
    pb.finish_and_clear();
    let train_pool = |h: usize| &views[h * config.pool..][..config.pool];
    // The learned adversary's model, trained on the first half of the pairs (held out from
    // its scored trials).
    let learned = if cols.iter().any(|(_, a)| *a == Adversary::Learned) {
        let mut rng = seeding::rng(config.seed, "learned", di, 0);
        LearnedModel::train(train_pool, t.holders / 2, &mut rng, config.seed)
    } else {
        None
    };

    // Trials: each challenge is a fresh login at platform B, used once, scored in every view.
    let pb = progress(t.trials, show, format!("{id} trials"));
    let outcomes: Vec<(usize, Vec<Outcome>)> = (0..t.trials)
        .into_par_iter()
        .map(|trial| {
            let mut rng = seeding::rng(config.seed, "trial", di, trial);
            // One of the disjoint holder pairs (2m, 2m + 1), and the challenge bit.
            let m = rng.gen_range(0..t.holders / 2);
            let pair = [2 * m, 2 * m + 1];
            let b = usize::from(rng.gen::<bool>());
            let logins: [Vec<&View>; 2] = pair.map(|h| {
                sample(&mut rng, config.pool, config.samples)
                    .into_iter()
                    .map(|i| &train_pool(h)[i])
                    .collect()
            });
            let mut login_rng = seeding::rng(config.seed, "challenge", di, trial);
            let login = deployment.login(&mut login_rng, &holders[pair[b]], &pol_b)?;
            // What the authority sees of the challenge: the presentation as platform B
            // received it and, in design a, its own log of the login.
            let mut seen_by_authority = login.platform.clone();
            if let Some(log) = &login.authority {
                seen_by_authority
                    .components
                    .extend(log.components.iter().cloned());
            }
            let records: [Vec<&View>; 2] = pair.map(|h| {
                knowledge
                    .as_ref()
                    .map(|k| vec![k.dossier(h)])
                    .unwrap_or_default()
            });
            let pooled: [Vec<&View>; 2] = [0, 1].map(|i| {
                let mut v = records[i].clone();
                v.extend(logins[i].iter().copied());
                v
            });
            let out: Vec<Outcome> = cols
                .iter()
                .map(|&(view, adv)| {
                    let (train, challenge) = match view {
                        Coalition::Platforms => (&logins, &login.platform),
                        Coalition::Authority => (&records, &seen_by_authority),
                        Coalition::AuthorityPlatforms => (&pooled, &seen_by_authority),
                    };
                    if adv == Adversary::Learned
                        && learned.as_ref().is_some_and(|l| !l.scores_pair(m))
                    {
                        // The pair trained the model: not a held-out trial.
                        return (None, false, false);
                    }
                    let evidence = Evidence {
                        views: [&train[0], &train[1]],
                        authority: knowledge
                            .as_ref()
                            .filter(|_| view.has_authority())
                            .map(|k| (k, pair)),
                        learned: learned.as_ref(),
                    };
                    let g = adv.guess(&evidence, challenge);
                    (g.holder.map(|h| h == b), g.checked, true)
                })
                .collect();
            pb.inc(1);
            Ok((m, out))
        })
        .collect::<Result<_, DesignError>>()?;
    pb.finish_and_clear();
    let cost = PoolCost {
        design: id.to_owned(),
        logins: jobs.len() + usize::try_from(t.trials).unwrap_or(usize::MAX),
        seconds: clock.elapsed().as_secs_f64(),
    };

    let family = cols.len();
    let mut per_view: Vec<ViewScores> = config
        .views
        .iter()
        .map(|v| ViewScores {
            view: v.id().to_owned(),
            adversaries: Vec::new(),
        })
        .collect();
    for (k, (view, adv)) in cols.iter().enumerate() {
        let mut clusters = vec![(0.0f64, 0u64); t.holders / 2];
        let (mut correct, mut abstained, mut checked) = (0u64, 0u64, 0u64);
        for (m, o) in &outcomes {
            let (guess, looked, counts) = o[k];
            if !counts {
                continue;
            }
            checked += u64::from(looked);
            let x = match guess {
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
        let clusters: Vec<(f64, u64)> = clusters.into_iter().filter(|c| c.1 > 0).collect();
        let s = score(adv.id(), (correct, abstained, checked), &clusters, family);
        if let Some(v) = per_view.iter_mut().find(|v| v.view == view.id()) {
            v.adversaries.push(s);
        }
    }
    Ok((
        DesignScores {
            design: id.to_owned(),
            description: t
                .flaw
                .map_or_else(|| t.design.describe(), Flaw::describe)
                .to_owned(),
            base: t.flaw.map(|_| t.design.id().to_owned()),
            trials: t.trials,
            holders: t.holders,
            components: views[0].components.len(),
            view_bytes: views[0].byte_len(),
            views: per_view,
        },
        cost,
    ))
}
