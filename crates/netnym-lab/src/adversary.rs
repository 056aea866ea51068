//! The adversaries of the unlinkability experiment. Each sees labelled training views of holder
//! 0 and holder 1 and one challenge view, and returns the holder it believes made the challenge,
//! or `None` when it has no evidence either way (the experiment scores such a trial 1/2, the
//! expected value of the fair coin the adversary would flip).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::designs::{ComponentKind, View};
use crate::stats::{chi2_critical, chi2_two_rows};

/// Standard-normal quantile of the per-position chi-square test (alpha = 0.001).
const CHI2_Z: f64 = 3.090_232;

/// An adversary of the battery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Adversary {
    /// Baseline attack: the challenge's claims (every `Claim` component: disclosed values,
    /// identifiers, certificates, reused signatures, pseudonyms) equal a training view's claims.
    ExactMatch,
    /// Counts components (any kind, matched by name) byte-equal to a training view's; the holder
    /// with more equal components wins.
    ComponentEquality,
    /// Per byte position of every component, a chi-square test of the two holders' byte
    /// histograms (alpha = 0.001, Wilson–Hilferty critical value); over the significant
    /// positions, a naive-Bayes score of the challenge's bytes decides.
    ByteChiSquare,
    /// 1-nearest neighbour on the serialized components, Hamming distance in bits (a missing or
    /// shorter component counts all its missing bits).
    NearestNeighbour,
}

impl Adversary {
    /// Every adversary, in report order.
    pub const ALL: [Self; 4] = [
        Self::ExactMatch,
        Self::ComponentEquality,
        Self::ByteChiSquare,
        Self::NearestNeighbour,
    ];

    /// Stable id.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::ExactMatch => "exact-match",
            Self::ComponentEquality => "component-equality",
            Self::ByteChiSquare => "byte-chi-square",
            Self::NearestNeighbour => "nearest-neighbour",
        }
    }

    /// The adversary's guess, or `None` without evidence.
    #[must_use]
    pub fn guess(self, train: [&[&View]; 2], challenge: &View) -> Option<usize> {
        match self {
            Self::ExactMatch => exact_match(train, challenge),
            Self::ComponentEquality => component_equality(train, challenge),
            Self::ByteChiSquare => byte_chi_square(train, challenge),
            Self::NearestNeighbour => nearest_neighbour(train, challenge),
        }
    }
}

fn decide(score: [f64; 2]) -> Option<usize> {
    if score[0] > score[1] {
        Some(0)
    } else if score[1] > score[0] {
        Some(1)
    } else {
        None
    }
}

fn claims(v: &View) -> Vec<(&str, &[u8])> {
    let mut c: Vec<(&str, &[u8])> = v
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::Claim)
        .map(|c| (c.name.as_str(), c.bytes.as_slice()))
        .collect();
    c.sort_unstable();
    c
}

fn exact_match(train: [&[&View]; 2], challenge: &View) -> Option<usize> {
    let target = claims(challenge);
    let hit = |h: usize| train[h].iter().any(|v| claims(v) == target);
    match (hit(0), hit(1)) {
        (true, false) => Some(0),
        (false, true) => Some(1),
        _ => None,
    }
}

/// The component of `v` named `name`, trying the same position first.
fn component<'a>(v: &'a View, index: usize, name: &str) -> Option<&'a [u8]> {
    match v.components.get(index) {
        Some(c) if c.name == name => Some(&c.bytes),
        _ => v
            .components
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.bytes.as_slice()),
    }
}

fn component_equality(train: [&[&View]; 2], challenge: &View) -> Option<usize> {
    let mut score = [0.0; 2];
    for (h, views) in train.iter().enumerate() {
        for v in *views {
            for (i, c) in challenge.components.iter().enumerate() {
                if component(v, i, &c.name) == Some(c.bytes.as_slice()) {
                    score[h] += 1.0;
                }
            }
        }
    }
    decide(score)
}

fn byte_chi_square(train: [&[&View]; 2], challenge: &View) -> Option<usize> {
    let mut score = [0.0f64; 2];
    let mut significant = 0usize;
    // (byte value, count in holder 0, count in holder 1), reused per position.
    let mut table: Vec<(u8, u32, u32)> = Vec::with_capacity(64);
    let comps: [Vec<Vec<Option<&[u8]>>>; 2] = [0, 1].map(|h| {
        train[h]
            .iter()
            .map(|v| {
                challenge
                    .components
                    .iter()
                    .enumerate()
                    .map(|(i, c)| component(v, i, &c.name))
                    .collect()
            })
            .collect()
    });
    for (ci, c) in challenge.components.iter().enumerate() {
        for (pos, &x) in c.bytes.iter().enumerate() {
            table.clear();
            let mut n = [0u32; 2];
            for (h, views) in comps.iter().enumerate() {
                for v in views {
                    let Some(b) = v[ci].and_then(|bytes| bytes.get(pos)) else {
                        continue;
                    };
                    n[h] += 1;
                    match table.iter_mut().find(|e| e.0 == *b) {
                        Some(e) => {
                            if h == 0 {
                                e.1 += 1;
                            } else {
                                e.2 += 1;
                            }
                        }
                        None => table.push((*b, u32::from(h == 0), u32::from(h == 1))),
                    }
                }
            }
            let a: Vec<u32> = table.iter().map(|e| e.1).collect();
            let b: Vec<u32> = table.iter().map(|e| e.2).collect();
            let (stat, df) = chi2_two_rows(&a, &b);
            if df == 0 || stat <= chi2_critical(df, CHI2_Z) {
                continue;
            }
            significant += 1;
            let hit = table.iter().find(|e| e.0 == x);
            for h in 0..2 {
                let count = hit.map_or(0, |e| if h == 0 { e.1 } else { e.2 });
                score[h] += ((f64::from(count) + 0.5) / (f64::from(n[h]) + 128.0)).ln();
            }
        }
    }
    if significant == 0 {
        None
    } else {
        decide(score)
    }
}

fn hamming(a: &[u8], b: &[u8]) -> u64 {
    let common: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from((x ^ y).count_ones()))
        .sum();
    common + 8 * (a.len().abs_diff(b.len()) as u64)
}

fn nearest_neighbour(train: [&[&View]; 2], challenge: &View) -> Option<usize> {
    let mut best = [u64::MAX; 2];
    for (h, views) in train.iter().enumerate() {
        for v in *views {
            let d: u64 = challenge
                .components
                .iter()
                .enumerate()
                .map(|(i, c)| match component(v, i, &c.name) {
                    Some(b) => hamming(&c.bytes, b),
                    None => 8 * c.bytes.len() as u64,
                })
                .sum();
            best[h] = best[h].min(d);
        }
    }
    // Smaller distance is better: negate into a score.
    #[allow(clippy::cast_precision_loss)]
    decide([-(best[0] as f64), -(best[1] as f64)])
}

/// Counts of distinct components used by the battery, for reports.
#[must_use]
pub fn component_histogram(v: &View) -> HashMap<ComponentKind, usize> {
    let mut m = HashMap::new();
    for c in &v.components {
        *m.entry(c.kind).or_insert(0) += 1;
    }
    m
}
