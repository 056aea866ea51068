//! The synthetic population (see docs/lab.md §Population model).
//!
//! Every person holds a `cn-network-id/v1` credential. Attributes are drawn independently:
//! - **age** (whole years, 16..=99: the resident ID card is mandatory from 16) from a 5-year
//!   age pyramid whose weights approximate the shares of mainland China's 2020 census, uniform
//!   within a band; the **birth date** is the reference date minus the age and a uniform day
//!   offset within that year;
//! - **region**: a 6-digit GB/T 2260-style code. The 2-digit province prefixes and their weights
//!   are the 31 real provincial-level divisions and their 2020 census populations (millions,
//!   rounded); the 2-digit prefecture and county digits are synthetic: a province of weight `w`
//!   has `clamp(round(w / 6), 2, 20)` prefectures with Zipf(1) weights, each with 8 counties with
//!   Zipf(1) weights;
//! - **issue date**: uniform over the 10 years before the reference date (validity 10 years);
//! - **family name**: Zipf(1) over 400 surnames; **given name**: uniform over 5,000 names;
//! - **document number** and **revocation id**: unique per person (derived from the index);
//!   document type `01` and nationality `CHN` are the same for everyone.
//!
//! Generation is deterministic from the seed and runs in chunks in parallel; 1,000,000 people
//! take well under a second on 2 cores.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use netnym::Date;

/// The reference date of the model (ages are computed at this date): 2025-11-25, as days since
/// 1900-01-01.
pub const REFERENCE_DAYS: u32 = 45_984;
/// Noon UTC of the reference date, Unix seconds: the `created_at` of every simulated request.
pub const REFERENCE_UNIX: u64 = 1_764_072_000;

/// 5-year age bands from 15-19 to 95-99 and their relative weights (percent of the 2020 census
/// population, approximate). The first band is truncated to 16..=19 (4 of 5 years).
pub const AGE_BANDS: [(u32, u32, f64); 17] = [
    (16, 19, 5.2 * 0.8),
    (20, 24, 5.3),
    (25, 29, 6.7),
    (30, 34, 8.7),
    (35, 39, 7.0),
    (40, 44, 6.7),
    (45, 49, 8.2),
    (50, 54, 8.6),
    (55, 59, 7.2),
    (60, 64, 5.1),
    (65, 69, 5.0),
    (70, 74, 3.4),
    (75, 79, 2.2),
    (80, 84, 1.4),
    (85, 89, 0.7),
    (90, 94, 0.2),
    (95, 99, 0.05),
];

/// GB/T 2260 province prefixes and 2020 census populations in millions (rounded).
pub const PROVINCES: [(u32, &str, f64); 31] = [
    (11, "Beijing", 21.9),
    (12, "Tianjin", 13.9),
    (13, "Hebei", 74.6),
    (14, "Shanxi", 34.9),
    (15, "Inner Mongolia", 24.0),
    (21, "Liaoning", 42.6),
    (22, "Jilin", 24.1),
    (23, "Heilongjiang", 31.9),
    (31, "Shanghai", 24.9),
    (32, "Jiangsu", 84.7),
    (33, "Zhejiang", 64.6),
    (34, "Anhui", 61.0),
    (35, "Fujian", 41.5),
    (36, "Jiangxi", 45.2),
    (37, "Shandong", 101.5),
    (41, "Henan", 99.4),
    (42, "Hubei", 57.8),
    (43, "Hunan", 66.4),
    (44, "Guangdong", 126.0),
    (45, "Guangxi", 50.1),
    (46, "Hainan", 10.1),
    (50, "Chongqing", 32.1),
    (51, "Sichuan", 83.7),
    (52, "Guizhou", 38.6),
    (53, "Yunnan", 47.2),
    (54, "Tibet", 3.6),
    (61, "Shaanxi", 39.5),
    (62, "Gansu", 25.0),
    (63, "Qinghai", 5.9),
    (64, "Ningxia", 7.2),
    (65, "Xinjiang", 25.9),
];

/// Counties per prefecture in the synthetic region tree.
pub const COUNTIES_PER_PREFECTURE: u32 = 8;
/// Number of family names (Zipf(1) weights).
pub const FAMILY_NAMES: u32 = 400;
/// Number of given names (uniform).
pub const GIVEN_NAMES: u32 = 5_000;
/// Days in the issue-date window (10 years).
pub const ISSUE_WINDOW_DAYS: u32 = 3_652;

/// One synthetic person: the attributes the credential would carry, compactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Person {
    /// Birth date, days since 1900-01-01 (the core's [`Date`] encoding).
    pub birth: u32,
    /// 6-digit region code as an integer.
    pub region: u32,
    /// Issue date, days since 1900-01-01 (expiry is 10 years later).
    pub issued: u32,
    /// Family-name index.
    pub family: u16,
    /// Given-name index.
    pub given: u16,
}

impl Person {
    /// Age in whole years at `at` (days since 1900-01-01).
    #[must_use]
    pub fn age_at(&self, at: u32) -> u32 {
        let (Some(b), Some(t)) = (Date::from_days(self.birth), Date::from_days(at)) else {
            return 0;
        };
        let ((by, bm, bd), (ty, tm, td)) = (b.ymd(), t.ymd());
        let years = ty.saturating_sub(by);
        if (tm, td) < (bm, bd) {
            years.saturating_sub(1)
        } else {
            years
        }
    }
}

/// A discrete distribution sampled by binary search over the cumulative weights.
#[derive(Debug, Clone)]
struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<f64>,
}

impl<T: Copy> Weighted<T> {
    fn new(pairs: impl IntoIterator<Item = (T, f64)>) -> Self {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut acc = 0.0;
        for (item, w) in pairs {
            acc += w;
            items.push(item);
            cumulative.push(acc);
        }
        Self { items, cumulative }
    }
    fn sample(&self, rng: &mut impl Rng) -> T {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.gen::<f64>() * total;
        let i = self.cumulative.partition_point(|&c| c <= x);
        self.items[i.min(self.items.len() - 1)]
    }
}

/// The region tree: every 6-digit code with its probability.
#[must_use]
pub fn region_distribution() -> Vec<(u32, f64)> {
    let total: f64 = PROVINCES.iter().map(|p| p.2).sum();
    let mut out = Vec::new();
    for &(code, _, weight) in &PROVINCES {
        let prefectures = prefectures_of(weight);
        let hp: f64 = (1..=prefectures).map(|i| 1.0 / f64::from(i)).sum();
        let hc: f64 = (1..=COUNTIES_PER_PREFECTURE)
            .map(|i| 1.0 / f64::from(i))
            .sum();
        for p in 1..=prefectures {
            for c in 1..=COUNTIES_PER_PREFECTURE {
                let prob = weight / total * (1.0 / f64::from(p) / hp) * (1.0 / f64::from(c) / hc);
                out.push((code * 10_000 + p * 100 + c, prob));
            }
        }
    }
    out
}

fn prefectures_of(weight: f64) -> u32 {
    // Weights are below 200, so the rounded value fits u32; clamp keeps it in 2..=20.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = (weight / 6.0).round() as u32;
    n.clamp(2, 20)
}

/// The probability of each age in years (16..=99).
#[must_use]
pub fn age_distribution() -> Vec<(u32, f64)> {
    let total: f64 = AGE_BANDS.iter().map(|b| b.2).sum();
    AGE_BANDS
        .iter()
        .flat_map(|&(lo, hi, w)| {
            let per = w / total / f64::from(hi - lo + 1);
            (lo..=hi).map(move |a| (a, per))
        })
        .collect()
}

/// A synthetic population, generated from a seed.
#[derive(Debug, Clone)]
pub struct Population {
    people: Vec<Person>,
    seed: u64,
}

const CHUNK: usize = 16_384;

impl Population {
    /// Generate `size` people from `seed` (deterministic; parallel over fixed-size chunks, each
    /// with its own seeded generator, so the result does not depend on the thread count).
    #[must_use]
    pub fn synthetic(size: usize, seed: u64) -> Self {
        let ages = Weighted::new(age_distribution());
        let regions = Weighted::new(region_distribution());
        let families = Weighted::new((0..FAMILY_NAMES).map(|i| (i, 1.0 / f64::from(i + 1))));
        let chunks: Vec<usize> = (0..size.div_ceil(CHUNK)).collect();
        let people = chunks
            .par_iter()
            .flat_map_iter(|&c| {
                let mut rng = ChaCha20Rng::seed_from_u64(seed);
                rng.set_stream(c as u64 + 1);
                let n = CHUNK.min(size - c * CHUNK);
                (0..n)
                    .map(|_| {
                        let age = ages.sample(&mut rng);
                        let day_in_year = rng.gen_range(0..365);
                        let birth = REFERENCE_DAYS
                            .saturating_sub(age * 36_525 / 100)
                            .saturating_sub(day_in_year);
                        let family = families.sample(&mut rng);
                        Person {
                            birth,
                            region: regions.sample(&mut rng),
                            issued: REFERENCE_DAYS - rng.gen_range(0..ISSUE_WINDOW_DAYS),
                            family: u16::try_from(family).unwrap_or(u16::MAX),
                            given: u16::try_from(rng.gen_range(0..GIVEN_NAMES)).unwrap_or(u16::MAX),
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        Self { people, seed }
    }

    /// The people.
    #[must_use]
    pub fn people(&self) -> &[Person] {
        &self.people
    }
    /// Number of people.
    #[must_use]
    pub fn len(&self) -> usize {
        self.people.len()
    }
    /// Whether the population is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }
    /// The seed it was generated from.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The unique document number of person `index`: region, birth date `YYYYMMDD`, and a
    /// 4-digit sequence (the 18 characters of a resident ID number), then `-index`, which makes
    /// it unique in the population.
    #[must_use]
    pub fn document_number(&self, index: usize) -> String {
        let p = &self.people[index];
        let (y, m, d) = Date::from_days(p.birth).map_or((1900, 1, 1), Date::ymd);
        format!(
            "{:06}{y:04}{m:02}{d:02}{:04}-{index}",
            p.region,
            index % 10_000
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_thread_independent() {
        let a = Population::synthetic(40_000, 7);
        let b = Population::synthetic(40_000, 7);
        assert_eq!(a.people(), b.people());
        let c = Population::synthetic(40_000, 8);
        assert_ne!(a.people(), c.people());
    }

    #[test]
    fn marginals_follow_the_model() {
        let pop = Population::synthetic(200_000, 1);
        let adults = pop
            .people()
            .iter()
            .filter(|p| p.age_at(REFERENCE_DAYS) >= 18)
            .count();
        let expected: f64 = age_distribution()
            .iter()
            .filter(|a| a.0 >= 18)
            .map(|a| a.1)
            .sum();
        #[allow(clippy::cast_precision_loss)]
        let got = adults as f64 / pop.len() as f64;
        assert!((got - expected).abs() < 0.01, "{got} vs {expected}");
        // Guangdong (44) is the largest province: about 126/1412 of the population.
        #[allow(clippy::cast_precision_loss)]
        let gd = pop
            .people()
            .iter()
            .filter(|p| p.region / 10_000 == 44)
            .count() as f64
            / pop.len() as f64;
        assert!((gd - 126.0 / 1409.8).abs() < 0.01, "{gd}");
        assert!(pop
            .people()
            .iter()
            .all(|p| (16..=100).contains(&p.age_at(REFERENCE_DAYS))));
    }

    #[test]
    fn region_distribution_sums_to_one() {
        let s: f64 = region_distribution().iter().map(|r| r.1).sum();
        assert!((s - 1.0).abs() < 1e-9);
        let a: f64 = age_distribution().iter().map(|r| r.1).sum();
        assert!((a - 1.0).abs() < 1e-9);
    }
}
