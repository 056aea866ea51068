//! The collusion simulation (docs/lab.md §Collusion simulation).
//!
//! A synthetic population holds credentials; a set of platforms, each with a policy, has
//! accounts (a person joins a platform if eligible under its predicates, with the platform's
//! share as probability). A **coalition** — the authority plus the first `k` platforms — pools
//! what it observed and links accounts with [`crate::linking`]:
//! - the platform tables of its `k` platforms;
//! - in design a, the authority's **login log** of every platform (number, platform);
//! - the authority's **issuance register** (what it knows of every person it enrolled: in
//!   every design the attributes; in a the number and certificate; in b the signed payload,
//!   signature and disclosures, since the issuer made the salts; never a NetNym link secret).
//!
//! An account is **linked** when the coalition ties it correctly to another account of the
//! same person: directly (a unique join between two observed tables) or through the register
//! (both accounts uniquely identified). It is **identified** when it is tied uniquely and
//! correctly to a register row (the person's civil identity). Fractions are over all accounts.
//!
//! At population scale the simulation does not run a proof per login: it builds each party's
//! table from a **model** of what each design reveals — the deterministic components of a
//! login, under the same names the real views carry; components that are fresh per login
//! (nonces, proof elements, key-binding signatures, session ids) are left out because they
//! never repeat and the join drops them. [`validate`] checks that model against real logins
//! (real issuance, presentations, signatures) on a small population: the linking results must
//! be identical.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use netnym::{lower, Date, Predicate, Schema};

use crate::designs::{person_attributes, Deployment, Design, DesignError, Policy, View};
use crate::linking::{join, JoinOutcome, Table};
use crate::population::{Population, ISSUE_WINDOW_DAYS, REFERENCE_DAYS};
use crate::seeding::{self, hash64, mix};

/// A platform of the simulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Platform {
    /// Probability that an eligible person has an account.
    pub share: f64,
    /// Its policy.
    pub policy: Policy,
}

fn platform(name: &str, share: f64, disclose: &[&str], predicates: Vec<Predicate>) -> Platform {
    Platform {
        share,
        policy: Policy {
            verifier_id: name.to_owned(),
            disclose: disclose.iter().map(|s| (*s).to_owned()).collect(),
            predicates,
        },
    }
}

/// The built-in platforms, in coalition order (at most 8).
#[must_use]
pub fn default_platforms() -> Vec<Platform> {
    use Predicate::{AgeAtLeast, RegionWithin};
    vec![
        platform("video.example", 0.55, &["birth_date"], vec![AgeAtLeast(18)]),
        platform(
            "shop.example",
            0.5,
            &["family_name", "given_name", "region"],
            vec![],
        ),
        platform(
            "social.example",
            0.6,
            &["birth_date", "region"],
            vec![AgeAtLeast(14)],
        ),
        platform("game.example", 0.3, &["birth_date"], vec![AgeAtLeast(18)]),
        platform(
            "local-sh.example",
            0.5,
            &["birth_date", "region"],
            vec![RegionWithin("31".to_owned()), AgeAtLeast(18)],
        ),
        platform(
            "health.example",
            0.25,
            &["birth_date", "region", "family_name", "given_name"],
            vec![AgeAtLeast(18)],
        ),
        platform("news.example", 0.4, &[], vec![]),
        platform("rail.example", 0.35, &["family_name", "given_name"], vec![]),
    ]
}

/// Configuration of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollusionConfig {
    /// Population size.
    pub population: usize,
    /// Number of built-in platforms used (1..=8).
    pub platforms: usize,
    /// Seed.
    pub seed: u64,
    /// Population size of the real-crypto validation (0: skip).
    pub validate: usize,
}

impl Default for CollusionConfig {
    fn default() -> Self {
        Self {
            population: 100_000,
            platforms: 6,
            seed: 1,
            validate: 40,
        }
    }
}

/// Errors of the collusion simulation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollusionError {
    /// Unusable configuration.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A real login of the validation failed.
    #[error(transparent)]
    Design(#[from] DesignError),
    /// The anonymity ladder failed.
    #[error(transparent)]
    Lint(#[from] crate::lint::LintError),
}

/// Results for one coalition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoalitionPoint {
    /// Platforms in the coalition (besides the authority).
    pub k: usize,
    /// Accounts linked to another account of the same person (directly or via the register).
    pub linked: u64,
    /// Accounts linked by a direct join between two observed tables.
    pub linked_direct: u64,
    /// Accounts identified through the issuance register.
    pub identified: u64,
    /// Accounts uniquely matched to the wrong person somewhere.
    pub mislinked: u64,
    /// linked / all accounts.
    pub linked_fraction: f64,
    /// identified / all accounts.
    pub identified_fraction: f64,
}

/// Results for one design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignCollusion {
    /// Design id.
    pub design: String,
    /// k = 0..=platforms.
    pub coalitions: Vec<CoalitionPoint>,
}

/// Per-platform facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformSummary {
    /// Verifier id.
    pub name: String,
    /// Share of eligible people with an account.
    pub share: f64,
    /// The policy.
    pub policy: Policy,
    /// Accounts.
    pub accounts: u64,
}

/// Model-vs-real comparison for one design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationResult {
    /// Design id.
    pub design: String,
    /// Real logins made and verified.
    pub real_logins: u64,
    /// Model results.
    pub model: Vec<CoalitionPoint>,
    /// Results from real logins.
    pub real: Vec<CoalitionPoint>,
    /// Whether they agree for every coalition.
    pub agree: bool,
}

/// The results of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollusionResults {
    /// Always `"collusion"`.
    pub experiment: String,
    /// The configuration.
    pub config: CollusionConfig,
    /// The platforms, in coalition order.
    pub platforms: Vec<PlatformSummary>,
    /// All accounts.
    pub accounts: u64,
    /// Per design.
    pub designs: Vec<DesignCollusion>,
    /// The real-crypto validation on a small population.
    pub validation: Vec<ValidationResult>,
    /// Anonymity set vs what a request reveals, on this population (k = 1,000).
    pub anonymity_ladder: Vec<crate::lint::LadderStep>,
}

/// Whether person `i` satisfies `predicates` (evaluated as the core lowers them, at the model's
/// reference date).
fn eligible(schema: &Schema, pop: &Population, i: usize, predicates: &[Predicate]) -> bool {
    let reference = Date::from_days(REFERENCE_DAYS).unwrap_or(Date::MAX);
    let Ok(bounds) = lower(schema, predicates, reference, &[]) else {
        return false;
    };
    let p = &pop.people()[i];
    bounds.iter().all(|b| {
        let v = match schema.attributes()[b.index].name() {
            "birth_date" => u64::from(p.birth),
            "region" => u64::from(p.region),
            "issued_on" => u64::from(p.issued),
            "expires_on" => u64::from(p.issued + ISSUE_WINDOW_DAYS),
            _ => return false,
        };
        (b.min..=b.max).contains(&v)
    })
}

/// Members of each platform: sorted person indices.
#[must_use]
pub fn memberships(pop: &Population, platforms: &[Platform], seed: u64) -> Vec<Vec<u32>> {
    let schema = Schema::cn_network_id_v1();
    platforms
        .iter()
        .enumerate()
        .map(|(pi, pl)| {
            let salt = mix(seed ^ mix(pi as u64 + 0x51));
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            let cut = (pl.share.clamp(0.0, 1.0) * u64::MAX as f64) as u64;
            (0..pop.len())
                .into_par_iter()
                .filter(|&i| {
                    mix(salt ^ i as u64) < cut && eligible(&schema, pop, i, &pl.policy.predicates)
                })
                .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
                .collect()
        })
        .collect()
}

const ATTRIBUTES: [&str; 10] = [
    "revocation_id",
    "document_type",
    "document_number",
    "family_name",
    "given_name",
    "birth_date",
    "region",
    "nationality",
    "issued_on",
    "expires_on",
];

/// Model value of attribute `name` of person `i` (equal iff the real JSON values are equal).
fn attr_value(pop: &Population, i: usize, name: &str) -> u64 {
    let p = &pop.people()[i];
    let v = match name {
        "revocation_id" | "document_number" => i as u64 + 1,
        "family_name" => u64::from(p.family),
        "given_name" => u64::from(p.given),
        "birth_date" => u64::from(p.birth),
        "region" => u64::from(p.region),
        "issued_on" => u64::from(p.issued),
        "expires_on" => u64::from(p.issued + ISSUE_WINDOW_DAYS),
        _ => 0,
    };
    mix(v ^ hash64(&[name.as_bytes()]))
}

fn person_secret(seed: u64, design: Design, i: usize, tag: &str) -> u64 {
    mix(mix(seed ^ hash64(&[design.id().as_bytes(), tag.as_bytes()])) ^ i as u64)
}

const NETNYM_CONSTS: [&str; 4] = [
    "type",
    "version",
    "credentials.0.issuer_key_id",
    "credentials.0.schema_id",
];

/// The model's fields and values of one login / register row.
fn model_row(
    design: Design,
    seed: u64,
    pop: &Population,
    i: usize,
    kind: RowKind<'_>,
) -> Vec<(String, u64)> {
    let secret = |tag: &str| person_secret(seed, design, i, tag);
    let all: Vec<&str> = ATTRIBUTES.to_vec();
    let (disclose, register): (Vec<&str>, bool) = match kind {
        RowKind::Platform(_, pol) => (pol.disclose.iter().map(String::as_str).collect(), false),
        RowKind::Log => (Vec::new(), false),
        RowKind::Register => (all, true),
    };
    let mut row = Vec::new();
    match design {
        Design::Central => {
            row.push(("central.number".to_owned(), secret("number")));
            if !matches!(kind, RowKind::Log) {
                row.push(("central.certificate".to_owned(), secret("cert")));
                for n in disclose {
                    row.push((format!("central.attr.{n}"), attr_value(pop, i, n)));
                }
            }
        }
        Design::SaltedHash => {
            row.push(("sd.payload".to_owned(), secret("payload")));
            row.push(("sd.signature".to_owned(), secret("signature")));
            for n in disclose {
                row.push((format!("sd.disclosure.{n}"), secret(n)));
            }
        }
        Design::NetNymUnique | Design::NetNymPredicates => {
            for c in NETNYM_CONSTS {
                row.push((
                    c.to_owned(),
                    hash64(&[design.id().as_bytes(), c.as_bytes()]),
                ));
            }
            let mut names: Vec<&str> = if design == Design::NetNymUnique || register {
                disclose
            } else {
                Vec::new()
            };
            if design == Design::NetNymUnique && !names.contains(&"document_number") {
                names.push("document_number");
            }
            for n in names {
                row.push((
                    format!("credentials.0.disclosed.{n}"),
                    attr_value(pop, i, n),
                ));
            }
            if let (Design::NetNymPredicates, RowKind::Platform(pi, _)) = (design, kind) {
                row.push((
                    "pseudonym.nym".to_owned(),
                    mix(secret("link_secret") ^ mix(pi as u64)),
                ));
            }
        }
    }
    row
}

#[derive(Clone, Copy)]
enum RowKind<'a> {
    Platform(usize, &'a Policy),
    Log,
    Register,
}

fn table_from_rows(rows: impl Iterator<Item = (u32, Vec<(String, u64)>)>) -> Table {
    let mut table: Option<Table> = None;
    let mut filler = 0u64;
    for (person, row) in rows {
        let t = table.get_or_insert_with(|| Table::new(row.iter().map(|r| r.0.clone()).collect()));
        let map: HashMap<&str, u64> = row.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        let values: Vec<u64> = t
            .fields
            .iter()
            .map(|f| {
                map.get(f.as_str()).copied().unwrap_or_else(|| {
                    // A component missing from this row: a value no other row has.
                    filler += 1;
                    mix(0xdead_beef ^ filler)
                })
            })
            .collect();
        t.push(person, &values);
    }
    table.unwrap_or_else(|| Table::new(Vec::new()))
}

/// The tables one design gives the parties.
struct Tables {
    platforms: Vec<Table>,
    logs: Option<Vec<Table>>,
    register: Table,
}

fn build_table(
    design: Design,
    seed: u64,
    pop: &Population,
    kind: RowKind<'_>,
    rows: &[u32],
) -> Table {
    let rows: Vec<(u32, Vec<(String, u64)>)> = rows
        .par_iter()
        .map(|&i| (i, model_row(design, seed, pop, i as usize, kind)))
        .collect();
    table_from_rows(rows.into_iter())
}

fn model_tables(
    design: Design,
    seed: u64,
    pop: &Population,
    platforms: &[Platform],
    members: &[Vec<u32>],
) -> Tables {
    let build = |kind: RowKind<'_>, rows: &[u32]| build_table(design, seed, pop, kind, rows);
    let tables = platforms
        .iter()
        .zip(members)
        .enumerate()
        .map(|(pi, (pl, m))| build(RowKind::Platform(pi, &pl.policy), m))
        .collect();
    let logs = (design == Design::Central)
        .then(|| members.iter().map(|m| build(RowKind::Log, m)).collect());
    let everyone: Vec<u32> = (0..pop.len())
        .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    Tables {
        platforms: tables,
        logs,
        register: build(RowKind::Register, &everyone),
    }
}

/// Evaluate every coalition k = 0..=platforms over the tables.
fn coalitions(tables: &Tables, people: usize) -> Vec<CoalitionPoint> {
    let n = tables.platforms.len();
    let total: u64 = tables.platforms.iter().map(|t| t.len() as u64).sum();
    // Observed table of platform p for coalition size k: the platform's own table, or the
    // authority's log of it, or nothing.
    let observed = |p: usize, k: usize| -> Option<(usize, &Table)> {
        if p < k {
            Some((2 * p, &tables.platforms[p]))
        } else {
            tables.logs.as_ref().map(|l| (2 * p + 1, &l[p]))
        }
    };
    let mut cache: HashMap<(usize, usize), JoinOutcome> = HashMap::new();
    let mut ident_cache: HashMap<usize, JoinOutcome> = HashMap::new();
    let mut out = Vec::new();
    for k in 0..=n {
        let obs: Vec<(usize, usize, &Table)> = (0..n)
            .filter_map(|p| observed(p, k).map(|(id, t)| (p, id, t)))
            .collect();
        // Identification through the register.
        let mut ident_count = vec![0u8; people];
        let mut ident: Vec<Vec<bool>> = Vec::new();
        for &(_, id, t) in &obs {
            let j = ident_cache
                .entry(id)
                .or_insert_with(|| join(t, &tables.register));
            for (row, &ok) in j.linked.iter().enumerate() {
                if ok {
                    let c = &mut ident_count[t.persons[row] as usize];
                    *c = c.saturating_add(1);
                }
            }
            ident.push(j.linked.clone());
        }
        let mut point = CoalitionPoint {
            k,
            linked: 0,
            linked_direct: 0,
            identified: 0,
            mislinked: 0,
            linked_fraction: 0.0,
            identified_fraction: 0.0,
        };
        for (a, &(_, ida, ta)) in obs.iter().enumerate() {
            let mut direct = vec![false; ta.len()];
            let mut wrong = vec![false; ta.len()];
            for &(_, idb, tb) in &obs {
                if ida == idb {
                    continue;
                }
                let j = cache.entry((ida, idb)).or_insert_with(|| join(ta, tb));
                for r in 0..ta.len() {
                    direct[r] |= j.linked[r];
                    wrong[r] |= j.mislinked[r];
                }
            }
            wrong
                .iter_mut()
                .zip(&ident_cache[&ida].mislinked)
                .for_each(|(w, m)| *w |= *m);
            for r in 0..ta.len() {
                let identified = ident[a][r];
                let via_register = identified && ident_count[ta.persons[r] as usize] >= 2;
                point.identified += u64::from(identified);
                point.linked_direct += u64::from(direct[r]);
                point.linked += u64::from(direct[r] || via_register);
                point.mislinked += u64::from(wrong[r]);
            }
        }
        #[allow(clippy::cast_precision_loss)]
        {
            point.linked_fraction = point.linked as f64 / total.max(1) as f64;
            point.identified_fraction = point.identified as f64 / total.max(1) as f64;
        }
        out.push(point);
    }
    out
}

fn check(config: &CollusionConfig) -> Result<Vec<Platform>, CollusionError> {
    let all = default_platforms();
    if config.platforms == 0 || config.platforms > all.len() {
        return Err(CollusionError::Config(format!(
            "platforms must be 1..={}",
            all.len()
        )));
    }
    if config.population < 2 || config.population > u32::MAX as usize {
        return Err(CollusionError::Config(
            "population must be 2..=4294967295".to_owned(),
        ));
    }
    Ok(all.into_iter().take(config.platforms).collect())
}

/// Run the simulation (model at population scale, plus the validation if configured).
///
/// # Errors
/// [`CollusionError`] for a bad configuration or a failed real login in the validation.
pub fn run(
    config: &CollusionConfig,
    progress: &dyn Fn(&str),
) -> Result<CollusionResults, CollusionError> {
    let platforms = check(config)?;
    progress("generating population");
    let pop = Population::synthetic(config.population, config.seed);
    let members = memberships(&pop, &platforms, config.seed);
    let accounts: u64 = members.iter().map(|m| m.len() as u64).sum();
    let mut designs = Vec::new();
    for design in Design::ALL {
        progress(design.id());
        let tables = model_tables(design, config.seed, &pop, &platforms, &members);
        designs.push(DesignCollusion {
            design: design.id().to_owned(),
            coalitions: coalitions(&tables, pop.len()),
        });
    }
    progress("anonymity ladder");
    let anonymity_ladder = crate::lint::ladder(&pop, 1_000)?;
    let validation = if config.validate > 0 {
        progress("validating the model with real logins");
        validate(config.validate, &platforms, config.seed)?
    } else {
        Vec::new()
    };
    Ok(CollusionResults {
        experiment: "collusion".to_owned(),
        config: config.clone(),
        platforms: platforms
            .iter()
            .zip(&members)
            .map(|(p, m)| PlatformSummary {
                name: p.policy.verifier_id.clone(),
                share: p.share,
                policy: p.policy.clone(),
                accounts: m.len() as u64,
            })
            .collect(),
        accounts,
        designs,
        validation,
        anonymity_ladder,
    })
}

fn view_row(v: &View) -> Vec<(String, u64)> {
    v.components
        .iter()
        .map(|c| (c.name.clone(), hash64(&[&c.bytes])))
        .collect()
}

/// Validate the model: on a population of `size`, every person is enrolled in every design for
/// real and logs in for real at every platform they have an account with; the coalition's
/// linking over the real views must equal its linking over the model's tables.
///
/// # Errors
/// [`CollusionError::Design`] when a real login fails.
pub fn validate(
    size: usize,
    platforms: &[Platform],
    seed: u64,
) -> Result<Vec<ValidationResult>, CollusionError> {
    let pop = Population::synthetic(size, seed ^ 0x7661_6c69);
    let members = memberships(&pop, platforms, seed);
    let mut out = Vec::new();
    for (di, design) in Design::ALL.into_iter().enumerate() {
        let mut rng = seeding::rng(seed, "validate-setup", di as u64, 0);
        let deployment = Deployment::new(design, &mut rng)?;
        let attrs: Vec<serde_json::Value> =
            (0..pop.len()).map(|i| person_attributes(&pop, i)).collect();
        let holders = attrs
            .iter()
            .map(|a| deployment.enroll(&mut rng, a))
            .collect::<Result<Vec<_>, _>>()?;
        let mut logs = Vec::new();
        let mut tables = Vec::new();
        let mut logins = 0u64;
        for (pi, (pl, m)) in platforms.iter().zip(&members).enumerate() {
            let results: Vec<(u32, crate::designs::Login)> = m
                .par_iter()
                .map(|&i| {
                    let mut r = seeding::rng(
                        seed,
                        "validate-login",
                        di as u64,
                        (pi << 32 | i as usize) as u64,
                    );
                    deployment
                        .login(&mut r, &holders[i as usize], &pl.policy)
                        .map(|l| (i, l))
                })
                .collect::<Result<_, _>>()?;
            logins += results.len() as u64;
            tables.push(table_from_rows(
                results.iter().map(|(i, l)| (*i, view_row(&l.platform))),
            ));
            if design == Design::Central {
                logs.push(table_from_rows(results.iter().filter_map(|(i, l)| {
                    l.authority.as_ref().map(|a| (*i, view_row(a)))
                })));
            }
        }
        let register = table_from_rows((0..pop.len()).map(|i| {
            (
                u32::try_from(i).unwrap_or(u32::MAX),
                view_row(&deployment.register_view(&holders[i], &attrs[i])),
            )
        }));
        let real = coalitions(
            &Tables {
                platforms: tables,
                logs: (design == Design::Central).then_some(logs),
                register,
            },
            pop.len(),
        );
        let model = coalitions(
            &model_tables(design, seed, &pop, platforms, &members),
            pop.len(),
        );
        out.push(ValidationResult {
            design: design.id().to_owned(),
            real_logins: logins,
            agree: model == real,
            model,
            real,
        });
    }
    Ok(out)
}
