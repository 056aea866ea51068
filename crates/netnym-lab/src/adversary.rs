//! The adversaries of the unlinkability experiment and the coalitions (views) they run in.
//!
//! Each adversary gets [`Evidence`] about holder 0 and holder 1 — labelled views (training
//! logins at platform A; in the authority's views also the authority's record of each holder)
//! and, in the authority's views, the authority's [`Knowledge`] — and one challenge view, and
//! returns the holder it believes made the challenge, or no guess when it has no evidence
//! either way (the experiment scores such a trial 1/2, the expected value of the fair coin the
//! adversary would flip).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::authority::{signature_relations, transcript_match, Knowledge};
use crate::designs::{ComponentKind, View};
use crate::guess::decide;
pub use crate::guess::Guess;
use crate::learned::LearnedModel;
use crate::stats::{chi2_critical, chi2_two_rows};

/// Standard-normal quantile of the per-position chi-square test (alpha = 0.001).
const CHI2_Z: f64 = 3.090_232;

/// Who the adversary is: which parties pool what they saw (docs/lab.md §Views).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Coalition {
    /// Platforms A and B: labelled logins at A, the challenge login at B.
    Platforms,
    /// The authority alone: its record of every enrollment (issuance transcripts, register,
    /// witnesses), its issuer and registry secret keys, and the challenge presentation as
    /// platform B received it (in design a, also its own log of the login).
    Authority,
    /// The authority and both platforms: the authority's record and keys plus the labelled
    /// logins at A.
    AuthorityPlatforms,
}

impl Coalition {
    /// Every coalition, in report order.
    pub const ALL: [Self; 3] = [Self::Platforms, Self::Authority, Self::AuthorityPlatforms];

    /// Stable id.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::Platforms => "platforms",
            Self::Authority => "authority",
            Self::AuthorityPlatforms => "authority+platforms",
        }
    }

    /// One-line description.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::Platforms => "platforms A and B (labelled logins at A, challenge at B)",
            Self::Authority => {
                "the authority alone (issuance transcripts, register, witnesses, both secret keys; \
                 the challenge as B received it)"
            }
            Self::AuthorityPlatforms => {
                "the authority with platforms A and B (its record and keys plus the logins at A)"
            }
        }
    }

    /// Parse an id.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == s)
    }

    /// Whether the authority is in the coalition.
    #[must_use]
    pub fn has_authority(self) -> bool {
        self != Self::Platforms
    }

    /// Whether the platforms' labelled logins are in the coalition.
    #[must_use]
    pub fn has_platforms(self) -> bool {
        self != Self::Authority
    }
}

/// An adversary of the battery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Adversary {
    /// Baseline attack: every claim of the challenge (every `Claim` component: disclosed
    /// values, identifiers, certificates, reused signatures, pseudonyms) appears, same name and
    /// bytes, in one labelled view. Between two logins of one policy this is equality of their
    /// claims; against the authority's record it asks whether the record explains the claims.
    ExactMatch,
    /// Counts components (any kind, matched by name) byte-equal to a labelled view's; the
    /// holder with more equal components wins.
    ComponentEquality,
    /// Per byte position of every component, a chi-square test of the two holders' byte
    /// histograms (alpha = 0.001, Wilson–Hilferty critical value); over the significant
    /// positions, a naive-Bayes score of the challenge's bytes decides.
    ByteChiSquare,
    /// 1-nearest neighbour on the serialized components, Hamming distance in bits (a missing or
    /// shorter component counts all its missing bits).
    NearestNeighbour,
    /// The authority's name-blind search: counts the challenge's values (of at least
    /// [`crate::authority::MIN_MATCH_LEN`] bytes) found anywhere in what the coalition holds
    /// about a holder (issuance transcript, signature `A`, `e`, `s'`, witness, register,
    /// labelled logins), whatever field they are in.
    TranscriptMatch,
    /// The authority's algebra with its secret keys: checks that the proof is one it can read
    /// (`Ā = x·A'`, membership `Ā = α·A'`), then tests per holder `A' = k·A` and membership
    /// `A' = k·C` (witness) for small `k`, and `(e + x)·A' − d = k·h_0` (the `d` relation with
    /// known `e`, `x`) for small `k`: a signature or witness not (or weakly) randomized.
    SignatureRelations,
    /// A random forest trained on held-out holders' login pairs to tell *same holder* from
    /// *twins* (`crate::learned`); names the holder whose labelled logins it more often pairs
    /// with the challenge.
    Learned,
}

impl Adversary {
    /// Every adversary, in report order.
    pub const ALL: [Self; 7] = [
        Self::ExactMatch,
        Self::ComponentEquality,
        Self::ByteChiSquare,
        Self::NearestNeighbour,
        Self::TranscriptMatch,
        Self::SignatureRelations,
        Self::Learned,
    ];

    /// Stable id.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::ExactMatch => "exact-match",
            Self::ComponentEquality => "component-equality",
            Self::ByteChiSquare => "byte-chi-square",
            Self::NearestNeighbour => "nearest-neighbour",
            Self::TranscriptMatch => "transcript-match",
            Self::SignatureRelations => "signature-relations",
            Self::Learned => "learned",
        }
    }

    /// Parse an id.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id() == s)
    }

    /// The adversaries that run in a view. The authority's own adversaries need its record;
    /// byte-chi-square needs at least 6 labelled samples per holder to reach significance
    /// (2s > 10.83 at df = 1), and the authority alone has one record per holder, so it runs
    /// only where the platforms' logins are pooled. The learned adversary is trained on login
    /// pairs, so it runs where the labelled views are logins only: the platforms' view.
    #[must_use]
    pub fn in_view(view: Coalition) -> &'static [Self] {
        match view {
            Coalition::Platforms => &[
                Self::ExactMatch,
                Self::ComponentEquality,
                Self::ByteChiSquare,
                Self::NearestNeighbour,
                Self::Learned,
            ],
            Coalition::Authority => &[
                Self::ExactMatch,
                Self::ComponentEquality,
                Self::NearestNeighbour,
                Self::TranscriptMatch,
                Self::SignatureRelations,
            ],
            Coalition::AuthorityPlatforms => &Self::ALL[..6],
        }
    }

    /// The adversary's guess on `challenge` from `evidence`.
    #[must_use]
    pub fn guess(self, evidence: &Evidence<'_>, challenge: &View) -> Guess {
        let train = [evidence.views[0].as_slice(), evidence.views[1].as_slice()];
        let looked = |holder| Guess {
            holder,
            checked: true,
        };
        match self {
            Self::ExactMatch => looked(exact_match(train, challenge)),
            Self::ComponentEquality => looked(component_equality(train, challenge)),
            Self::ByteChiSquare => looked(byte_chi_square(train, challenge)),
            Self::NearestNeighbour => looked(nearest_neighbour(train, challenge)),
            Self::TranscriptMatch => match evidence.authority {
                Some(_) => looked(transcript_match(train, challenge)),
                None => Guess::default(),
            },
            Self::SignatureRelations => match evidence.authority {
                Some((k, holders)) => signature_relations(k, holders, challenge),
                None => Guess::default(),
            },
            Self::Learned => match evidence.learned {
                Some(model) => looked(model.guess(train, challenge)),
                None => Guess::default(),
            },
        }
    }
}

/// What the adversary holds about the two holders of a trial.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// Labelled views of holder 0 and holder 1: training logins, and in the authority's
    /// views the authority's record of the holder ([`Knowledge::dossier`]).
    pub views: [&'a Vec<&'a View>; 2],
    /// The authority's knowledge and the two holders' indices in it (authority views only).
    pub authority: Option<(&'a Knowledge, [usize; 2])>,
    /// The learned adversary's model, when one was trained for the design.
    pub learned: Option<&'a LearnedModel>,
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
    // Every claim of the challenge appears in `v` (a record may hold several values under one
    // name, e.g. the pseudonyms of one holder at several platforms).
    let explains = |v: &View| {
        let have = claims(v);
        target.iter().all(|c| have.binary_search(c).is_ok())
    };
    let hit = |h: usize| train[h].iter().any(|v| explains(v));
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

/// Whether `v` holds a component named `name` with exactly `bytes` (several components may
/// share a name in an authority record).
fn has_equal(v: &View, index: usize, name: &str, bytes: &[u8]) -> bool {
    match v.components.get(index) {
        Some(c) if c.name == name && c.bytes == bytes => true,
        _ => v
            .components
            .iter()
            .any(|c| c.name == name && c.bytes == bytes),
    }
}

fn component_equality(train: [&[&View]; 2], challenge: &View) -> Option<usize> {
    let mut score = [0.0; 2];
    for (h, views) in train.iter().enumerate() {
        for v in *views {
            for (i, c) in challenge.components.iter().enumerate() {
                if has_equal(v, i, &c.name, &c.bytes) {
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

/// Hamming distance in bits from `bytes` to the nearest component of `v` named `name` (all
/// its bits when there is none).
fn distance(v: &View, index: usize, name: &str, bytes: &[u8]) -> u64 {
    let missing = 8 * bytes.len() as u64;
    match v.components.get(index) {
        Some(c) if c.name == name => hamming(bytes, &c.bytes),
        _ => v
            .components
            .iter()
            .filter(|c| c.name == name)
            .map(|c| hamming(bytes, &c.bytes))
            .min()
            .unwrap_or(missing),
    }
}

fn nearest_neighbour(train: [&[&View]; 2], challenge: &View) -> Option<usize> {
    let mut best = [u64::MAX; 2];
    for (h, views) in train.iter().enumerate() {
        for v in *views {
            let d: u64 = challenge
                .components
                .iter()
                .enumerate()
                .map(|(i, c)| distance(v, i, &c.name, &c.bytes))
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
