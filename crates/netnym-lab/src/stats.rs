//! Statistics: success-rate confidence intervals, the advantage metric, chi-square helpers.

use serde::{Deserialize, Serialize};

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;
/// z for a two-sided 95% family-wise interval over 4 comparisons (Bonferroni: 98.75% each).
pub const Z95_BONFERRONI_4: f64 = 2.497_705_474_412_85;

/// z of a two-sided 95% family-wise interval over `family` comparisons (Bonferroni: each at
/// `1 - 0.05 / family`): `Φ⁻¹(1 - 0.025 / family)`. `family = 1` gives [`Z95`], `4` gives
/// [`Z95_BONFERRONI_4`].
#[must_use]
pub fn bonferroni_z95(family: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)] // families are small
    let m = family.max(1) as f64;
    normal_quantile(1.0 - 0.025 / m)
}

/// The standard normal quantile `Φ⁻¹(p)` for `p` in (0, 1), by Wichura's algorithm AS 241
/// (PPND16, relative accuracy about 1e-16). Returns ±infinity at 0 and 1, NaN outside.
#[must_use]
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let poly = |c: &[f64], x: f64| c.iter().rev().fold(0.0, |acc, &k| acc * x + k);
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        return q * poly(&AS241_A, r) / poly(&AS241_B, r);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let z = if r <= 5.0 {
        let r = r - 1.6;
        poly(&AS241_C, r) / poly(&AS241_D, r)
    } else {
        let r = r - 5.0;
        poly(&AS241_E, r) / poly(&AS241_F, r)
    };
    if q < 0.0 {
        -z
    } else {
        z
    }
}

// Coefficients of AS 241 (Wichura 1988, Applied Statistics 37(3), 477-484), lowest degree first.
const AS241_A: [f64; 8] = [
    3.387_132_872_796_366_5,
    1.331_416_678_917_843_8e2,
    1.971_590_950_306_551_3e3,
    1.373_169_376_550_946e4,
    4.592_195_393_154_987e4,
    6.726_577_092_700_87e4,
    3.343_057_558_358_813e4,
    2.509_080_928_730_122_7e3,
];
const AS241_B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091e1,
    6.871_870_074_920_579e2,
    5.394_196_021_424_751e3,
    2.121_379_430_158_659_7e4,
    3.930_789_580_009_271e4,
    2.872_908_573_572_194_3e4,
    5.226_495_278_852_545e3,
];
const AS241_C: [f64; 8] = [
    1.423_437_110_749_683_5,
    4.630_337_846_156_546,
    5.769_497_221_460_691,
    3.647_848_324_763_204_5,
    1.270_458_252_452_368_4,
    2.417_807_251_774_506e-1,
    2.272_384_498_926_918_4e-2,
    7.745_450_142_783_414e-4,
];
const AS241_D: [f64; 8] = [
    1.0,
    2.053_191_626_637_759,
    1.676_384_830_183_803_8,
    6.897_673_349_851e-1,
    1.481_039_764_274_800_8e-1,
    1.519_866_656_361_645_7e-2,
    5.475_938_084_995_345e-4,
    1.050_750_071_644_416_9e-9,
];
const AS241_E: [f64; 8] = [
    6.657_904_643_501_103,
    5.463_784_911_164_114,
    1.784_826_539_917_291_3,
    2.965_605_718_285_048_7e-1,
    2.653_218_952_657_612_4e-2,
    1.242_660_947_388_078_4e-3,
    2.711_555_568_743_487_6e-5,
    2.010_334_399_292_288_1e-7,
];
const AS241_F: [f64; 8] = [
    1.0,
    5.998_322_065_558_88e-1,
    1.369_298_809_227_358e-1,
    1.487_536_129_085_061_5e-2,
    7.868_691_311_456_133e-4,
    1.846_318_317_510_054_8e-5,
    1.421_511_758_316_446e-7,
    2.044_263_103_389_939_7e-15,
];

/// A closed interval `[lo, hi]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Interval {
    /// Whether `x` lies in the interval.
    #[must_use]
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }
}

/// Wilson score interval for a binomial proportion with `successes` out of `trials`, at the
/// normal quantile `z` (use [`Z95`] for 95%). `trials == 0` gives `[0, 1]`.
#[must_use]
pub fn wilson(successes: u64, trials: u64, z: f64) -> Interval {
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    wilson_f(successes as f64, trials, z)
}

/// [`wilson`] with a fractional success count (abstentions scored 1/2: the interval is then
/// conservative, since a {0, 1/2, 1} score has at most the Bernoulli variance).
#[must_use]
pub fn wilson_f(successes: f64, trials: u64, z: f64) -> Interval {
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    wilson_n(successes, trials as f64, z)
}

/// [`wilson`] with a fractional (effective) sample size `n`, e.g. the number of trials divided
/// by a design effect.
#[must_use]
pub fn wilson_n(successes: f64, n: f64, z: f64) -> Interval {
    if n <= 0.0 {
        return Interval { lo: 0.0, hi: 1.0 };
    }
    let s = successes;
    let p = s / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Interval {
        lo: (centre - half).max(0.0),
        hi: (centre + half).min(1.0),
    }
}

/// Design effect of clustered scores: the cluster-robust (CR1) variance of the mean of the
/// scores, divided by the binomial variance `p(1-p)/T`, at least 1. `clusters` holds, per
/// cluster, the sum of its scores (each in [0, 1]) and its number of trials. Returns
/// `(mean, design effect)`; with fewer than two clusters or `p` at 0 or 1 the effect is 1.
#[must_use]
pub fn design_effect(clusters: &[(f64, u64)]) -> (f64, f64) {
    let t: u64 = clusters.iter().map(|c| c.1).sum();
    if t == 0 {
        return (0.5, 1.0);
    }
    #[allow(clippy::cast_precision_loss)]
    let tf = t as f64;
    let p = clusters.iter().map(|c| c.0).sum::<f64>() / tf;
    let used: Vec<&(f64, u64)> = clusters.iter().filter(|c| c.1 > 0).collect();
    let var_bin = p * (1.0 - p) / tf;
    if used.len() < 2 || var_bin <= 0.0 {
        return (p, 1.0);
    }
    #[allow(clippy::cast_precision_loss)]
    let c = used.len() as f64;
    #[allow(clippy::cast_precision_loss)]
    let ss: f64 = used.iter().map(|(s, n)| (s - *n as f64 * p).powi(2)).sum();
    let var_cr = c / (c - 1.0) * ss / (tf * tf);
    (p, (var_cr / var_bin).max(1.0))
}

/// The distinguishing advantage of a guesser with success probability `p` in a two-holder
/// experiment with a fair challenge bit: `|2p - 1|` (0: no better than a coin; 1: always right
/// or always wrong, which an adversary can flip).
#[must_use]
pub fn advantage(p: f64) -> f64 {
    (2.0 * p - 1.0).abs()
}

/// The signed bias `2p - 1` mapped over a success-rate interval: `[2lo - 1, 2hi - 1]`.
#[must_use]
pub fn bias_interval(success: Interval) -> Interval {
    Interval {
        lo: 2.0 * success.lo - 1.0,
        hi: 2.0 * success.hi - 1.0,
    }
}

/// The interval of `|2p - 1|` implied by a success-rate interval: it contains 0 exactly when the
/// success interval contains 1/2.
#[must_use]
pub fn advantage_interval(success: Interval) -> Interval {
    let a = advantage(success.lo);
    let b = advantage(success.hi);
    if success.contains(0.5) {
        Interval {
            lo: 0.0,
            hi: a.max(b),
        }
    } else {
        Interval {
            lo: a.min(b),
            hi: a.max(b),
        }
    }
}

/// Upper `alpha` quantile of the chi-square distribution with `df` degrees of freedom, by the
/// Wilson–Hilferty cube approximation (relative error below 1% for df >= 1 at the tails we use),
/// given the standard-normal quantile `z` of the same tail (3.090 for alpha = 0.001).
#[must_use]
pub fn chi2_critical(df: usize, z: f64) -> f64 {
    if df == 0 {
        return f64::INFINITY;
    }
    #[allow(clippy::cast_precision_loss)]
    let k = df as f64;
    let t = 2.0 / (9.0 * k);
    k * (1.0 - t + z * t.sqrt()).powi(3)
}

/// Pearson chi-square statistic of a 2×C contingency table given as two count rows over the same
/// categories; returns the statistic and the degrees of freedom (non-empty columns − 1).
#[must_use]
pub fn chi2_two_rows(a: &[u32], b: &[u32]) -> (f64, usize) {
    let na: u64 = a.iter().map(|&x| u64::from(x)).sum();
    let nb: u64 = b.iter().map(|&x| u64::from(x)).sum();
    let n = na + nb;
    if na == 0 || nb == 0 {
        return (0.0, 0);
    }
    let mut stat = 0.0;
    let mut cols = 0usize;
    #[allow(clippy::cast_precision_loss)]
    let (fa, fb, fnn) = (na as f64, nb as f64, n as f64);
    for (&x, &y) in a.iter().zip(b) {
        let c = u64::from(x) + u64::from(y);
        if c == 0 {
            continue;
        }
        cols += 1;
        #[allow(clippy::cast_precision_loss)]
        let fc = c as f64;
        let ea = fa * fc / fnn;
        let eb = fb * fc / fnn;
        stat += (f64::from(x) - ea).powi(2) / ea + (f64::from(y) - eb).powi(2) / eb;
    }
    (stat, cols.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_known_values() {
        // 50/100 at 95%: [0.4038, 0.5962] (standard table value).
        let i = wilson(50, 100, Z95);
        assert!(
            (i.lo - 0.4038).abs() < 1e-3 && (i.hi - 0.5962).abs() < 1e-3,
            "{i:?}"
        );
        // 100/100: upper end 1, lower end 0.9630.
        let i = wilson(100, 100, Z95);
        assert!(
            (i.lo - 0.9630).abs() < 1e-3 && (i.hi - 1.0).abs() < 1e-12,
            "{i:?}"
        );
    }

    #[test]
    fn advantage_interval_contains_zero_iff_success_contains_half() {
        let i = advantage_interval(wilson(510, 1000, Z95));
        assert_eq!(i.lo, 0.0);
        let i = advantage_interval(wilson(1000, 1000, Z95));
        assert!(i.lo > 0.99 && !i.contains(0.0));
        let i = advantage_interval(wilson(0, 1000, Z95));
        assert!(i.lo > 0.99, "always wrong is also full advantage");
    }

    #[test]
    fn chi2_critical_close_to_tables() {
        // Table values at alpha = 0.001: df 1 -> 10.83, df 10 -> 29.59, df 100 -> 149.45.
        for (df, want) in [(1, 10.83), (10, 29.59), (100, 149.45)] {
            let got = chi2_critical(df, 3.090_232);
            assert!((got - want).abs() / want < 0.05, "df {df}: {got} vs {want}");
        }
    }

    #[test]
    fn design_effect_is_one_for_independent_and_large_for_clustered_scores() {
        // Clusters whose rates match the overall rate: no inflation.
        let (p, d) = design_effect(&[(5.0, 10), (5.0, 10), (5.0, 10), (5.0, 10)]);
        assert_eq!((p, d), (0.5, 1.0));
        // All-or-nothing clusters: every trial in a cluster agrees, deff ~ cluster size.
        let (p, d) = design_effect(&[(10.0, 10), (0.0, 10), (10.0, 10), (0.0, 10)]);
        assert!((p - 0.5).abs() < 1e-12);
        assert!(d > 10.0, "{d}");
    }

    #[test]
    fn normal_quantile_matches_tables() {
        assert!((normal_quantile(0.975) - Z95).abs() < 1e-12);
        assert!((bonferroni_z95(1) - Z95).abs() < 1e-12);
        assert!((bonferroni_z95(4) - Z95_BONFERRONI_4).abs() < 1e-12);
        // 0.999 -> 3.090232306 (the chi-square test's tail); 1e-10 -> -6.361340902.
        assert!((normal_quantile(0.999) - 3.090_232_306_167_813).abs() < 1e-12);
        assert!((normal_quantile(1e-10) + 6.361_340_902_404_056).abs() < 1e-9);
        assert_eq!(normal_quantile(0.5), 0.0);
        assert!(normal_quantile(1.5).is_nan());
    }

    #[test]
    fn chi2_perfect_separation_equals_n() {
        let (s, df) = chi2_two_rows(&[8, 0], &[0, 8]);
        assert!((s - 16.0).abs() < 1e-9);
        assert_eq!(df, 1);
        let (s, _) = chi2_two_rows(&[4, 4], &[4, 4]);
        assert!(s.abs() < 1e-12);
    }
}
