//! # NetNym unlinkability lab
//!
//! A harness for researchers: the formal unlinkability experiment against NetNym and the
//! designs it replaces, a collusion simulation on a synthetic national population, and a
//! privacy linter for presentation requests. `docs/lab.md` (repository root) defines every
//! experiment, adversary, metric and the population model, and lists measured results.
//!
//! ## Modules
//! - [`cli`]: [`cli::LabCommand`] (clap subcommands, mounted by `netnym lab`) and [`cli::run`];
//!   the `netnym-lab` binary runs the same commands.
//! - [`designs`]: the four designs (central, salted-hash SD, NetNym with a unique attribute,
//!   NetNym with predicates and pseudonyms) as working systems, and the [`designs::View`] a
//!   party gets from one login.
//! - [`adversary`]: the coalitions (views: platforms, authority, authority with platforms) and
//!   the adversaries: exact match, component equality, per-byte chi-square, nearest neighbour,
//!   and the authority's transcript match and signature relations.
//! - [`authority`]: what the authority holds (issuance transcripts, register, secret keys) and
//!   its adversaries.
//! - [`controls`]: the positive controls, deliberately broken NetNym variants, one for each
//!   adversary to catch.
//! - [`unlinkability`]: the experiment and its scores (advantage `|2p - 1|`, Wilson 95% CI,
//!   cluster-robust, family-wise).
//! - [`population`]: the synthetic population (age pyramid, GB/T 2260-style regions).
//! - [`collusion`] and [`linking`]: the coalition simulation, its model, and the validation of
//!   the model against real logins.
//! - [`lint`]: [`lint::assess`], the anonymity-set analysis the wallet calls.
//! - [`report`], [`output`], [`stats`], [`seeding`]: reports and plots, atomic writes,
//!   statistics, deterministic sub-generators.
//!
//! Decisions where the task was silent are recorded in `docs/lab.md`.
//!
//! # Example: lint a request before answering it
//! ```
//! use netnym::*;
//! use netnym_lab::lint::{assess, LintOptions, Verdict};
//! use netnym_lab::population::{Population, REFERENCE_UNIX};
//! use rand::SeedableRng;
//!
//! let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let schema = Schema::cn_network_id_v1();
//! let key = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema).public_key().key_id();
//! let query = CredentialQuery::new(
//!     schema.id(),
//!     [key],
//!     ["birth_date".to_owned(), "region".to_owned()],
//! )?;
//! let request = PresentationRequest::new(&mut rng, "shop.example", REFERENCE_UNIX, 300, vec![query])?;
//!
//! let population = Population::synthetic(50_000, 7);
//! let options = LintOptions { k: 100, ..LintOptions::default() };
//! let assessment = assess(&request, &population, options)?;
//! // Birth date and a 6-digit region single out most people.
//! assert_eq!(assessment.verdict, Verdict::Refuse);
//! assert!(assessment.single.fraction_unique > 0.5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod adversary;
pub mod authority;
pub mod cli;
pub mod collusion;
pub mod controls;
pub mod designs;
pub mod flaw;
pub mod guess;
pub mod learned;
pub mod linking;
pub mod lint;
pub mod metadata;
pub mod output;
pub mod population;
pub mod report;
pub mod seeding;
pub mod stats;
pub mod unlinkability;
