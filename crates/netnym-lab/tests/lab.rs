//! End-to-end tests of the lab from real runs (small configurations).

// Helpers outside `#[test]` functions unwrap like the tests (the lint allows it only inside).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use netnym::{
    CredentialQuery, Issuer, IssuerSecretKey, Predicate, PresentationRequest, RangeParams, Schema,
};
use netnym_lab::adversary::Coalition;
use netnym_lab::collusion::{self, CollusionConfig};
use netnym_lab::controls::Flaw;
use netnym_lab::designs::Design;
use netnym_lab::lint::{self, LintOptions, Verdict};
use netnym_lab::output::to_json;
use netnym_lab::population::{Population, REFERENCE_UNIX};
use netnym_lab::unlinkability::{self, UnlinkabilityConfig};
use rand::SeedableRng;

fn small(designs: Vec<Design>, trials: u64, seed: u64) -> UnlinkabilityConfig {
    UnlinkabilityConfig {
        trials,
        holders: 16,
        pool: 8,
        // The chi-square adversary needs 2 * samples > 10.83 (its df = 1 critical value) to
        // find even a perfectly separated byte position.
        samples: 8,
        seed,
        designs,
        views: Coalition::ALL.to_vec(),
        controls: vec![],
        control_trials: 1,
        control_holders: 4,
    }
}

#[test]
fn baselines_link_and_netnym_predicates_do_not_in_any_view() {
    let (r, _) = unlinkability::run(&small(Design::ALL.to_vec(), 200, 11), false).unwrap();
    assert_eq!(r.designs.len(), 4);
    assert!(r.controls.is_empty());
    for d in &r.designs[..3] {
        // a, b and c expose a per-holder constant the platforms see across logins, and the
        // authority finds in its register (number, signed payload, document number).
        for (view, name) in [
            ("platforms", "exact-match"),
            ("platforms", "component-equality"),
            ("platforms", "byte-chi-square"),
            ("platforms", "learned"),
            ("authority", "exact-match"),
            ("authority", "transcript-match"),
            ("authority+platforms", "exact-match"),
        ] {
            let a = d.score(view, name).unwrap();
            assert!(
                a.advantage_ci95.lo > 0.9 && !a.indistinguishable,
                "{} / {view} / {name}: {a:?}",
                d.design
            );
        }
    }
    let d = &r.designs[3];
    assert_eq!(d.design, "d-netnym-predicates");
    // Every adversary of every view: 5 + 5 + 6 scores.
    assert_eq!(d.scores().count(), 16);
    for (view, a) in d.scores() {
        // Sixteen scores at 95% each would flag one by chance in most runs, so the test asks
        // for the family-wise 95% interval (Bonferroni over the sixteen) to contain 0.
        assert_eq!(a.family_size, 16);
        assert!(a.advantage_ci95_familywise.contains(0.0), "{view}: {a:?}");
        // The learned adversary scores only the trials on pairs that did not train it (the
        // second half of the 8 pairs); every other adversary scores all.
        let trials = if a.adversary == "learned" {
            assert!((50..150).contains(&a.trials), "{a:?}");
            a.trials
        } else {
            200
        };
        assert_eq!(a.trials, trials);
        // Every adversary had material to test (the authority's algebra verified every
        // proof with its keys): its 0 is not "could not look".
        assert_eq!(a.checked, trials, "{view}: {a:?}");
    }
    // With no evidence at all (pseudonyms differ per platform, nothing else repeats, the
    // authority cannot compute a pseudonym and finds none of its values), these abstain on
    // every trial, so their rate is exactly 1/2.
    for (view, name) in [
        ("platforms", "exact-match"),
        ("platforms", "component-equality"),
        ("authority", "exact-match"),
        ("authority", "component-equality"),
        ("authority", "transcript-match"),
        ("authority", "signature-relations"),
        ("authority+platforms", "transcript-match"),
        ("authority+platforms", "signature-relations"),
    ] {
        let a = d.score(view, name).unwrap();
        assert_eq!((a.abstained, a.advantage), (200, 0.0), "{view}: {a:?}");
        assert!(a.indistinguishable);
    }
}

#[test]
fn same_seed_same_json_and_another_seed_differs() {
    let cfg = UnlinkabilityConfig {
        trials: 12,
        holders: 4,
        pool: 4,
        samples: 2,
        seed: 5,
        designs: vec![Design::Central, Design::NetNymPredicates],
        views: Coalition::ALL.to_vec(),
        controls: vec![Flaw::StuckRng],
        control_trials: 6,
        control_holders: 4,
    };
    let a = to_json(&unlinkability::run(&cfg, false).unwrap().0);
    let b = to_json(&unlinkability::run(&cfg, false).unwrap().0);
    assert_eq!(a, b);
    let mut other = cfg;
    other.seed = 6;
    let c = to_json(&unlinkability::run(&other, false).unwrap().0);
    assert_ne!(a, c);
}

#[test]
fn unusable_unlinkability_config_is_rejected() {
    let mut cfg = small(vec![Design::Central], 10, 1);
    cfg.holders = 3;
    let e = unlinkability::run(&cfg, false).unwrap_err();
    assert!(
        matches!(e, unlinkability::UnlinkabilityError::Config(_)),
        "{e}"
    );
    cfg.holders = 4;
    cfg.samples = 9;
    assert!(unlinkability::run(&cfg, false).is_err());
    cfg.samples = 2;
    cfg.views.clear();
    let e = unlinkability::run(&cfg, false).unwrap_err();
    assert_eq!(e.to_string(), "invalid configuration: no view selected");
    cfg.views = vec![Coalition::Authority];
    cfg.controls = vec![Flaw::SharedScope];
    cfg.control_holders = 2;
    let e = unlinkability::run(&cfg, false).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid configuration: controls need control_trials >= 1 and control_holders >= 4"
    );
}

#[test]
fn collusion_model_matches_real_logins_and_shows_each_designs_linkage() {
    let cfg = CollusionConfig {
        population: 5_000,
        platforms: 6,
        seed: 3,
        validate: 24,
    };
    let r = collusion::run(&cfg, &|_| {}).unwrap();
    assert_eq!(r.validation.len(), 4);
    for v in &r.validation {
        assert!(v.real_logins > 15, "{}: {}", v.design, v.real_logins);
        assert!(
            v.agree,
            "{}: model {:?} real {:?}",
            v.design, v.model, v.real
        );
    }
    let by = |id: &str| r.designs.iter().find(|d| d.design == id).unwrap();
    let (a, b, c, d) = (
        by("a-central"),
        by("b-salted-hash"),
        by("c-netnym-unique"),
        by("d-netnym-predicates"),
    );
    // The central authority alone (k = 0) links every account of anyone with two accounts.
    assert!(
        a.coalitions[0].linked_fraction > 0.8,
        "{:?}",
        a.coalitions[0]
    );
    assert!((a.coalitions[0].identified_fraction - 1.0).abs() < 1e-12);
    // b and c need platforms in the coalition, then link as much as a.
    assert_eq!(b.coalitions[0].linked, 0);
    assert_eq!(c.coalitions[0].linked, 0);
    let full = cfg.platforms;
    assert_eq!(b.coalitions[full].linked, a.coalitions[0].linked);
    assert_eq!(c.coalitions[full].linked, a.coalitions[0].linked);
    // Linking grows with the coalition.
    assert!(b.coalitions.windows(2).all(|w| w[0].linked <= w[1].linked));
    // d: predicates and scoped pseudonyms give the coalition nothing to join on.
    for p in &d.coalitions {
        assert_eq!((p.linked, p.identified, p.mislinked), (0, 0, 0), "{p:?}");
    }
    // Reproducible.
    let again = collusion::run(&cfg, &|_| {}).unwrap();
    assert_eq!(to_json(&r), to_json(&again));
}

#[test]
fn collusion_rejects_bad_platform_count() {
    let cfg = CollusionConfig {
        population: 100,
        platforms: 9,
        seed: 1,
        validate: 0,
    };
    let e = collusion::run(&cfg, &|_| {}).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid configuration: platforms must be 1..=8"
    );
}

/// The requests shipped in `requests/` (regenerated with `NETNYM_LAB_BLESS=1`).
fn sample_requests() -> Vec<(&'static str, PresentationRequest)> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(42);
    let schema = Schema::cn_network_id_v1();
    let key = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema)
        .public_key()
        .key_id();
    let q = |disclose: &[&str], predicates: Vec<Predicate>| {
        CredentialQuery::new(schema.id(), [key], disclose.iter().map(|s| (*s).to_owned()))
            .unwrap()
            .with_predicates(predicates)
            .unwrap()
    };
    let range = RangeParams::generate(&mut rng, 16).unwrap().id();
    let req = |rng: &mut rand_chacha::ChaCha20Rng, q: CredentialQuery| {
        let has_predicates = !q.predicates().is_empty();
        let r =
            PresentationRequest::new(rng, "video.example", REFERENCE_UNIX, 300, vec![q]).unwrap();
        if has_predicates {
            r.with_range_params(range)
        } else {
            r
        }
    };
    vec![
        (
            "age-over-18-pseudonym.json",
            req(&mut rng, q(&[], vec![Predicate::AgeAtLeast(18)])).with_pseudonym(),
        ),
        (
            "birth-date-region.json",
            req(&mut rng, q(&["birth_date", "region"], vec![])),
        ),
        (
            "document-number.json",
            req(&mut rng, q(&["document_number"], vec![])),
        ),
    ]
}

fn requests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("requests")
}

#[test]
fn shipped_sample_requests_are_current() {
    for (name, r) in sample_requests() {
        let path = requests_dir().join(name);
        if std::env::var_os("NETNYM_LAB_BLESS").is_some() {
            std::fs::write(&path, r.to_json()).unwrap();
        }
        let shipped = std::fs::read(&path).unwrap();
        assert_eq!(
            PresentationRequest::from_json(&shipped).unwrap(),
            r,
            "{name}"
        );
    }
}

#[test]
fn linter_measures_what_requests_reveal() {
    let pop = Population::synthetic(100_000, 9);
    let reqs = sample_requests();
    let opts = LintOptions {
        k: 100,
        repeat: 12,
        interval_days: 30,
    };
    let age = lint::assess(&reqs[0].1, &pop, opts).unwrap();
    let bdr = lint::assess(&reqs[1].1, &pop, opts).unwrap();
    let doc = lint::assess(&reqs[2].1, &pop, opts).unwrap();
    // A unique attribute makes everyone unique: refuse.
    assert_eq!(doc.single.fraction_unique, 1.0);
    assert_eq!(doc.verdict, Verdict::Refuse);
    // Birth date + 6-digit region leaves almost everyone below k = 100.
    assert!(bdr.single.median_anonymity_set < 100, "{:?}", bdr.single);
    assert_eq!(bdr.verdict, Verdict::Refuse);
    assert!(
        bdr.repeated.is_empty(),
        "no pseudonym: repetition adds nothing"
    );
    // age >= 18 splits the population in two classes.
    assert_eq!(age.single.classes, 2);
    assert!(age.single.expected_anonymity_set > 80_000.0);
    assert_eq!(age.verdict, Verdict::Acceptable);
    // Under one pseudonym, monthly age checks reveal the birth month of those turning 18.
    assert_eq!(age.repeated.len(), 12);
    assert_eq!(age.repeated[0], age.single);
    assert!(age.repeated[11].classes > age.single.classes);
    assert!(age.repeated[11].fraction_below_k > 0.0);
    assert_eq!(age.verdict_repeated, Verdict::Warn);
    // Entropy identity: revealed + remaining = log2 N.
    let n = (pop.len() as f64).log2();
    for e in [&age.single, &bdr.single, &doc.single] {
        assert!(
            (e.revealed_bits + e.anonymity_bits - n).abs() < 1e-6,
            "{e:?}"
        );
    }
}

#[test]
fn linter_rejects_other_schemas() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let schema = Schema::cn_network_id_v1();
    let key = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema)
        .public_key()
        .key_id();
    let q = CredentialQuery::new("other-schema/v1", [key], ["region".to_owned()]).unwrap();
    let r = PresentationRequest::new(&mut rng, "x.example", REFERENCE_UNIX, 60, vec![q]).unwrap();
    let e = lint::assess(&r, &Population::synthetic(10, 1), LintOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "credential query 0 asks for schema \"other-schema/v1\"; the population models only cn-network-id/v1"
    );
}

fn lab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_netnym-lab"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_commands_run_and_write_reports() {
    let dir = std::env::temp_dir().join(format!("netnym-lab-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.to_str().unwrap();
    // report on an empty directory is an error with a clear message.
    let r = lab(&["report", "--dir", out]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("no unlinkability.json"));

    let r = lab(&[
        "unlinkability",
        "--trials",
        "60",
        "--holders",
        "4",
        "--pool",
        "4",
        "--samples",
        "2",
        "--designs",
        "a,b",
        "--views",
        "platforms,authority",
        "--controls",
        "stuck-rng",
        "--control-trials",
        "6",
        "--control-holders",
        "4",
        "--metadata-trials",
        "200",
        "--probe-timings",
        "2",
        "--quiet",
        "--out",
        out,
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let r = lab(&[
        "collusion",
        "--population",
        "3000",
        "--platforms",
        "4",
        "--validate",
        "12",
        "--quiet",
        "--out",
        out,
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let req = requests_dir().join("age-over-18-pseudonym.json");
    let r = lab(&[
        "lint",
        req.to_str().unwrap(),
        "--population",
        "20000",
        "--k",
        "50",
        "--out",
        out,
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(String::from_utf8_lossy(&r.stdout).contains("Verdict"));
    let r = lab(&["report", "--dir", out]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    for f in [
        "unlinkability.json",
        "metadata.json",
        "collusion.json",
        "lint.json",
        "report.md",
        "advantage.svg",
        "advantage-authority.svg",
        "linking.svg",
        "anonymity.svg",
    ] {
        let p = dir.join(f);
        assert!(std::fs::metadata(&p).unwrap().len() > 100, "{f}");
    }
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("a-central") && md.contains("Privacy lint"));
    assert!(md.contains("## Metadata channels") && md.contains("one-epoch-window"));
    assert!(md.contains("### View: authority") && md.contains("| stuck-rng |"));
    let r = lab(&["unlinkability", "--views", "everyone", "--out", out]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("unknown view \"everyone\""));

    // A malformed request is refused with the core's reason.
    let bad = dir.join("bad.json");
    std::fs::write(&bad, b"{\"type\":\"netnym-presentation-request\"}").unwrap();
    let r = lab(&["lint", bad.to_str().unwrap()]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("bad.json"));
    let _ = std::fs::remove_dir_all(&dir);
}
