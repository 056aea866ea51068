//! The learned adversary (docs/lab.md §Learned adversary): a random forest (`smartcore`)
//! trained to tell whether two logins come from the same holder.
//!
//! **Training** uses only held-out holders: the training pools (logins at platform A) of the
//! first half of the holder pairs. Each example is a pair of logins, labelled *same holder*
//! (two logins of one holder) or *twins* (one login of each holder of a pair: identical
//! attributes, different people); classes are balanced. **Features** of a pair, per component
//! name of the design's login view: whether the two components are byte-equal, the fraction of
//! equal bytes over the shorter one, and the length ratio; plus the whole views' size ratio.
//!
//! **Guessing** (trials on the other half of the pairs only): the challenge is paired with each
//! labelled login of both holders; the holder with more pairs predicted *same holder* is named,
//! none on a tie.

use rand::seq::index::sample;
use rand_chacha::ChaCha20Rng;
use smartcore::ensemble::random_forest_classifier::{
    RandomForestClassifier, RandomForestClassifierParameters,
};
use smartcore::linalg::basic::matrix::DenseMatrix;

use crate::designs::View;
use crate::guess::decide;

/// Examples per class at most.
pub const MAX_EXAMPLES_PER_CLASS: usize = 2_000;
/// Trees in the forest.
pub const TREES: u16 = 50;

type Forest = RandomForestClassifier<f64, u32, DenseMatrix<f64>, Vec<u32>>;

/// A trained same-holder classifier for one design's logins.
pub struct LearnedModel {
    names: Vec<String>,
    forest: Forest,
    /// Pairs `[0, held_out)` trained the model; trials on them are not scored.
    held_out: usize,
}

impl core::fmt::Debug for LearnedModel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LearnedModel")
            .field("features", &(3 * self.names.len() + 1))
            .field("held_out", &self.held_out)
            .finish_non_exhaustive()
    }
}

/// Equal bytes of `a` and `b` over the shorter length (1 for two empty strings).
fn equal_fraction(a: &[u8], b: &[u8]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return f64::from(u8::from(a.len() == b.len()));
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / n as f64
}

fn ratio(a: usize, b: usize) -> f64 {
    let (lo, hi) = (a.min(b), a.max(b));
    if hi == 0 {
        1.0
    } else {
        lo as f64 / hi as f64
    }
}

/// The bytes of `v`'s component `name`, trying position `i` first (empty when absent).
fn component<'v>(v: &'v View, i: usize, name: &str) -> &'v [u8] {
    match v.components.get(i) {
        Some(c) if c.name == name => &c.bytes,
        _ => v
            .components
            .iter()
            .find(|c| c.name == name)
            .map_or(&[], |c| c.bytes.as_slice()),
    }
}

/// The features of the pair `(a, b)` (module docs).
fn features(names: &[String], a: &View, b: &View) -> Vec<f64> {
    let mut f = Vec::with_capacity(3 * names.len() + 1);
    for (i, name) in names.iter().enumerate() {
        let (x, y) = (component(a, i, name), component(b, i, name));
        f.push(f64::from(u8::from(x == y)));
        f.push(equal_fraction(x, y));
        f.push(ratio(x.len(), y.len()));
    }
    f.push(ratio(a.byte_len(), b.byte_len()));
    f
}

impl LearnedModel {
    /// Train on the pools of pairs `0..pairs / 2`: `pool(h)` is holder `h`'s labelled logins.
    /// `None` when there is too little to learn from (fewer than 4 pairs, or pools of one).
    #[must_use]
    pub fn train<'a>(
        pool: impl Fn(usize) -> &'a [View],
        pairs: usize,
        rng: &mut ChaCha20Rng,
        seed: u64,
    ) -> Option<Self> {
        let held_out = pairs / 2;
        if held_out < 2 || pool(0).len() < 2 {
            return None;
        }
        let names: Vec<String> = pool(0)[0]
            .components
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let mut same: Vec<(&View, &View)> = Vec::new();
        let mut twins: Vec<(&View, &View)> = Vec::new();
        for m in 0..held_out {
            let (a, b) = (pool(2 * m), pool(2 * m + 1));
            for i in 0..a.len() {
                for j in 0..b.len() {
                    twins.push((&a[i], &b[j]));
                    if i < j {
                        same.push((&a[i], &a[j]));
                        same.push((&b[i], &b[j]));
                    }
                }
            }
        }
        let n = same.len().min(twins.len()).min(MAX_EXAMPLES_PER_CLASS);
        let mut rows = Vec::with_capacity(2 * n);
        let mut labels = Vec::with_capacity(2 * n);
        for (label, set) in [(1u32, &same), (0u32, &twins)] {
            for k in sample(rng, set.len(), n) {
                let (x, y) = set[k];
                rows.push(features(&names, x, y));
                labels.push(label);
            }
        }
        let x = DenseMatrix::from_2d_vec(&rows).ok()?;
        let params = RandomForestClassifierParameters::default()
            .with_n_trees(TREES)
            .with_seed(seed);
        let forest = Forest::fit(&x, &labels, params).ok()?;
        Some(Self {
            names,
            forest,
            held_out,
        })
    }

    /// Whether trials on pair `m` are scored (the pair did not train the model).
    #[must_use]
    pub fn scores_pair(&self, m: usize) -> bool {
        m >= self.held_out
    }

    /// The holder whose labelled logins the classifier more often calls the challenge's.
    #[must_use]
    pub fn guess(&self, train: [&[&View]; 2], challenge: &View) -> Option<usize> {
        let rows: Vec<Vec<f64>> = train
            .iter()
            .flat_map(|views| views.iter().map(|v| features(&self.names, v, challenge)))
            .collect();
        let x = DenseMatrix::from_2d_vec(&rows).ok()?;
        let predicted = self.forest.predict(&x).ok()?;
        let n0 = train[0].len();
        let count = |r: &[u32]| r.iter().filter(|&&p| p == 1).count() as f64;
        decide([count(&predicted[..n0]), count(&predicted[n0..])])
    }
}
