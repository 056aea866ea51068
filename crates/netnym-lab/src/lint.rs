//! The privacy linter: what a presentation request reveals about its holder, measured on a
//! population (docs/lab.md §Privacy linter).
//!
//! A request reveals, per credential query, its disclosed attributes and one bit per predicate
//! (whether it holds; a holder for whom it fails cannot answer, so answering reveals that it
//! holds). The linter partitions the population by those revealed values and reports, for a
//! holder drawn at random:
//! - the **expected anonymity-set size** `E[|S|] = sum_c n_c^2 / N` (the number of people who
//!   would have answered identically),
//! - the **entropy** of what is revealed, `H = -sum_c (n_c/N) log2(n_c/N)` bits, and the
//!   remaining **anonymity entropy** `sum_c (n_c/N) log2 n_c` bits (`= log2 N - H`),
//! - the **fraction of holders left below `k`** (in a class smaller than `k`) and the fraction
//!   made **unique**.
//!
//! Predicates are evaluated exactly as the core lowers them ([`netnym::lower`]), at the
//! request's reference date. **Repeated presentations under one pseudonym** are linkable by
//! that platform, so it learns the intersection of what each revealed; the linter models `r`
//! presentations of the same request `interval_days` apart (age predicates move with the
//! reference date, so a platform that asks `age >= 18` every month learns the birth month of
//! holders who turn 18 meanwhile). Without a pseudonym, presentations are unlinkable and
//! repetition reveals nothing more than one presentation.

use serde::{Deserialize, Serialize};

use netnym::{lower, Date, PresentationRequest, Schema, CN_NETWORK_ID_V1};

use crate::linking::FastMap;
use crate::population::{Population, ISSUE_WINDOW_DAYS};
use crate::seeding::mix;

/// Errors of the linter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LintError {
    /// The request asks for a credential the population model does not describe.
    #[error("credential query {index} asks for schema {schema:?}; the population models only cn-network-id/v1")]
    UnsupportedSchema {
        /// Query index.
        index: usize,
        /// Schema id asked for.
        schema: String,
    },
    /// The request is malformed (a predicate the core rejects).
    #[error("credential query {index}: {reason}")]
    InvalidRequest {
        /// Query index.
        index: usize,
        /// The core's reason.
        reason: String,
    },
    /// The population is empty.
    #[error("the population is empty")]
    EmptyPopulation,
}

/// What the wallet should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every holder stays in an anonymity set of at least `k`.
    Acceptable,
    /// Some holders (not the typical one) fall below `k`: warn.
    Warn,
    /// The typical holder falls below `k` (median anonymity set `< k`): refuse by default.
    Refuse,
}

/// Anonymity after a number of presentations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    /// Presentations linked together (1 = a single presentation).
    pub presentations: u32,
    /// Number of distinct answer classes.
    pub classes: usize,
    /// `E[|S|]` for a random holder.
    pub expected_anonymity_set: f64,
    /// Median anonymity-set size of a random holder.
    pub median_anonymity_set: u64,
    /// Bits revealed.
    pub revealed_bits: f64,
    /// Bits of anonymity left, `sum_c (n_c/N) log2 n_c`.
    pub anonymity_bits: f64,
    /// Fraction of holders in a class smaller than `k`.
    pub fraction_below_k: f64,
    /// Fraction of holders made unique.
    pub fraction_unique: f64,
}

/// The linter's assessment of one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Population size.
    pub population: usize,
    /// The threshold.
    pub k: u64,
    /// What the request reveals, readable.
    pub reveals: Vec<String>,
    /// Whether the request asks for a pseudonym (presentations linkable at that platform).
    pub pseudonym: bool,
    /// One presentation.
    pub single: Exposure,
    /// Presentations `1..=repeat` under one pseudonym (empty without a pseudonym).
    pub repeated: Vec<Exposure>,
    /// Days between the repeated presentations.
    pub interval_days: u32,
    /// Verdict for one presentation.
    pub verdict: Verdict,
    /// Verdict after all repeated presentations (same as `verdict` without a pseudonym).
    pub verdict_repeated: Verdict,
}

/// Options of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintOptions {
    /// Minimum acceptable anonymity-set size.
    pub k: u64,
    /// Presentations under one pseudonym to model.
    pub repeat: u32,
    /// Days between them.
    pub interval_days: u32,
}

impl Default for LintOptions {
    fn default() -> Self {
        Self {
            k: 1_000,
            repeat: 12,
            interval_days: 30,
        }
    }
}

/// One revealed feature of a holder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Feature {
    /// A disclosed attribute (schema index).
    Attribute(usize),
    /// A bound the core lowered a predicate to; its reference date is part of it.
    Bound { index: usize, min: u64, max: u64 },
}

/// The scalar the population model gives attribute `index` of person `i` (equal scalars iff
/// equal values).
fn scalar(schema: &Schema, pop: &Population, i: usize, index: usize) -> u64 {
    let p = &pop.people()[i];
    match schema.attributes()[index].name() {
        "revocation_id" | "document_number" => i as u64 + 1,
        "document_type" => 1,
        "family_name" => u64::from(p.family),
        "given_name" => u64::from(p.given),
        "birth_date" => u64::from(p.birth),
        "region" => u64::from(p.region),
        "issued_on" => u64::from(p.issued),
        "expires_on" => u64::from(p.issued + ISSUE_WINDOW_DAYS),
        // nationality (the same for everyone), link_secret (never revealed).
        _ => 0,
    }
}

fn features(
    schema: &Schema,
    request: &PresentationRequest,
    reference: Date,
) -> Result<(Vec<Feature>, Vec<String>), LintError> {
    let mut out = Vec::new();
    let mut labels = Vec::new();
    for (index, q) in request.credentials().iter().enumerate() {
        if q.schema_id() != CN_NETWORK_ID_V1 {
            return Err(LintError::UnsupportedSchema {
                index,
                schema: q.schema_id().to_owned(),
            });
        }
        for name in q.disclose() {
            let a = schema
                .index_of(name)
                .ok_or_else(|| LintError::InvalidRequest {
                    index,
                    reason: format!("attribute {name:?} is not in the schema"),
                })?;
            out.push(Feature::Attribute(a));
            labels.push(format!("disclose {name}"));
        }
        let bounds = lower(schema, q.predicates(), reference, q.disclose()).map_err(|e| {
            LintError::InvalidRequest {
                index,
                reason: e.to_string(),
            }
        })?;
        for b in bounds {
            out.push(Feature::Bound {
                index: b.index,
                min: b.min,
                max: b.max,
            });
        }
        for p in q.predicates() {
            labels.push(format!(
                "predicate {}",
                serde_json::to_string(p).unwrap_or_default()
            ));
        }
    }
    if request.pseudonym() {
        labels.push("pseudonym (linkable at this platform only)".to_owned());
    }
    Ok((out, labels))
}

fn keys(schema: &Schema, pop: &Population, feats: &[Feature], keys: &mut [u64]) {
    for (i, k) in keys.iter_mut().enumerate() {
        let mut h = *k;
        for f in feats {
            let v = match f {
                Feature::Attribute(a) => scalar(schema, pop, i, *a),
                Feature::Bound { index, min, max } => {
                    let s = scalar(schema, pop, i, *index);
                    u64::from((*min..=*max).contains(&s))
                }
            };
            h = mix(h ^ mix(v));
        }
        *k = h;
    }
}

fn exposure(keys: &[u64], k: u64, presentations: u32) -> Exposure {
    let mut counts: FastMap<u64, u64> = FastMap::default();
    for &key in keys {
        *counts.entry(key).or_insert(0) += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = keys.len() as f64;
    let mut expected = 0.0;
    let mut revealed = 0.0;
    let mut anonymity = 0.0;
    let mut below = 0u64;
    let mut unique = 0u64;
    let mut sizes: Vec<u64> = Vec::with_capacity(counts.len());
    for &c in counts.values() {
        #[allow(clippy::cast_precision_loss)]
        let f = c as f64;
        expected += f * f / n;
        revealed -= f / n * (f / n).log2();
        anonymity += f / n * f.log2();
        if c < k {
            below += c;
        }
        if c == 1 {
            unique += 1;
        }
        sizes.push(c);
    }
    // Median holder's class size: sort classes by size, walk to the middle holder.
    sizes.sort_unstable();
    let half = (keys.len() as u64).div_ceil(2);
    let mut acc = 0u64;
    let mut median = 0u64;
    for s in &sizes {
        acc += s;
        if acc >= half {
            median = *s;
            break;
        }
    }
    #[allow(clippy::cast_precision_loss)]
    Exposure {
        presentations,
        classes: counts.len(),
        expected_anonymity_set: expected,
        median_anonymity_set: median,
        revealed_bits: revealed.max(0.0),
        anonymity_bits: anonymity,
        fraction_below_k: below as f64 / n,
        fraction_unique: unique as f64 / n,
    }
}

fn verdict(e: &Exposure, k: u64) -> Verdict {
    if e.median_anonymity_set < k {
        Verdict::Refuse
    } else if e.fraction_below_k > 0.0 {
        Verdict::Warn
    } else {
        Verdict::Acceptable
    }
}

/// Assess `request` against `population` (see the module docs).
///
/// # Errors
/// [`LintError`] for a schema other than `cn-network-id/v1`, a predicate the core rejects, or
/// an empty population.
pub fn assess(
    request: &PresentationRequest,
    population: &Population,
    options: LintOptions,
) -> Result<Assessment, LintError> {
    if population.is_empty() {
        return Err(LintError::EmptyPopulation);
    }
    let schema = Schema::cn_network_id_v1();
    let reference = request.reference_date();
    let (feats, reveals) = features(&schema, request, reference)?;
    let mut acc = vec![0u64; population.len()];
    keys(&schema, population, &feats, &mut acc);
    let single = exposure(&acc, options.k, 1);
    let mut repeated = Vec::new();
    if request.pseudonym() {
        repeated.push(single.clone());
        for j in 1..options.repeat.max(1) {
            let days = reference
                .days()
                .saturating_add(j.saturating_mul(options.interval_days));
            let at = Date::from_days(days).unwrap_or(Date::MAX);
            let (f, _) = features(&schema, request, at)?;
            keys(&schema, population, &f, &mut acc);
            repeated.push(exposure(&acc, options.k, j + 1));
        }
    }
    let v = verdict(&single, options.k);
    let v_rep = repeated.last().map_or(v, |e| verdict(e, options.k));
    Ok(Assessment {
        population: population.len(),
        k: options.k,
        reveals,
        pseudonym: request.pseudonym(),
        single,
        repeated,
        interval_days: options.interval_days,
        verdict: v,
        verdict_repeated: v_rep,
    })
}

/// One step of the anonymity ladder: a request and what it leaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LadderStep {
    /// What the request asks for.
    pub label: String,
    /// Attributes disclosed.
    pub disclosed: usize,
    /// One presentation.
    pub exposure: Exposure,
}

/// Requests from "nothing" to "a unique attribute", assessed on `population` (for the report's
/// anonymity-set-vs-disclosure plot). Every request is built with the core's request API.
///
/// # Errors
/// [`LintError`] if the core rejects one of the built-in requests (a bug).
pub fn ladder(population: &Population, k: u64) -> Result<Vec<LadderStep>, LintError> {
    use netnym::{CredentialQuery, Issuer, IssuerSecretKey, Predicate};
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0);
    let schema = Schema::cn_network_id_v1();
    let key = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema)
        .public_key()
        .key_id();
    let steps: Vec<(&str, Vec<&str>, Vec<Predicate>)> = vec![
        ("pseudonym only", vec![], vec![]),
        ("age >= 18", vec![], vec![Predicate::AgeAtLeast(18)]),
        (
            "age >= 18, region within 31",
            vec![],
            vec![
                Predicate::AgeAtLeast(18),
                Predicate::RegionWithin("31".to_owned()),
            ],
        ),
        ("region", vec!["region"], vec![]),
        ("birth_date", vec!["birth_date"], vec![]),
        ("birth_date, region", vec!["birth_date", "region"], vec![]),
        (
            "birth_date, region, family_name",
            vec!["birth_date", "region", "family_name"],
            vec![],
        ),
        (
            "birth_date, region, names",
            vec!["birth_date", "region", "family_name", "given_name"],
            vec![],
        ),
        ("document_number", vec!["document_number"], vec![]),
    ];
    let mut out = Vec::new();
    for (label, disclose, predicates) in steps {
        let bad = |e: netnym::DecodeError| LintError::InvalidRequest {
            index: 0,
            reason: e.to_string(),
        };
        let q = CredentialQuery::new(schema.id(), [key], disclose.iter().map(|s| (*s).to_owned()))
            .and_then(|q| q.with_predicates(predicates))
            .map_err(bad)?;
        let request = PresentationRequest::new(
            &mut rng,
            "ladder.example",
            crate::population::REFERENCE_UNIX,
            300,
            vec![q],
        )
        .map_err(bad)?
        .with_pseudonym();
        let a = assess(
            &request,
            population,
            LintOptions {
                k,
                repeat: 1,
                interval_days: 30,
            },
        )?;
        out.push(LadderStep {
            label: label.to_owned(),
            disclosed: disclose.len(),
            exposure: a.single,
        });
    }
    Ok(out)
}
