//! The authority views and the positive controls (docs/lab.md §Authority views, §Positive
//! controls), from real deployments and real runs.

#![allow(clippy::unwrap_used)]

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::SeedableRng;

use netnym::Predicate;
use netnym_lab::adversary::{Adversary, Coalition, Evidence};
use netnym_lab::authority::Knowledge;
use netnym_lab::controls::{designated, Flaw};
use netnym_lab::designs::{Deployment, Design, Holder, Policy, View};
use netnym_lab::unlinkability::{self, UnlinkabilityConfig};

fn twin(id: u64) -> serde_json::Value {
    serde_json::json!({
        "revocation_id": id, "document_type": "01",
        "document_number": format!("3101152000010{id:05}"),
        "family_name": "Li", "given_name": "Na", "birth_date": "1990-05-01",
        "region": "310115", "nationality": "CHN", "issued_on": "2020-01-01",
        "expires_on": "2030-01-01"
    })
}

fn policy(verifier_id: &str) -> Policy {
    Policy {
        verifier_id: verifier_id.to_owned(),
        disclose: vec![],
        predicates: vec![Predicate::AgeAtLeast(18)],
    }
}

fn component<'a>(v: &'a View, name: &str) -> &'a [u8] {
    &v.components.iter().find(|c| c.name == name).unwrap().bytes
}

/// A deployment of design d with `flaw`, two enrolled holders and the authority's knowledge.
fn setup(flaw: Option<Flaw>) -> (Deployment, Vec<Holder>, Knowledge) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let dep = Deployment::with_flaw(Design::NetNymPredicates, flaw, &mut rng).unwrap();
    let attrs = [twin(1), twin(2)];
    let holders: Vec<Holder> = attrs
        .iter()
        .map(|a| dep.enroll(&mut rng, a).unwrap())
        .collect();
    let k = Knowledge::gather(&dep, &holders, &attrs, &["a.example", "b.example"]).unwrap();
    (dep, holders, k)
}

fn login(dep: &Deployment, h: &Holder, at: &str, seed: u64) -> View {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    dep.login(&mut rng, h, &policy(at)).unwrap().platform
}

fn authority_guess(adv: Adversary, k: &Knowledge, challenge: &View) -> (Option<usize>, bool) {
    let records = [vec![k.dossier(0)], vec![k.dossier(1)]];
    let g = adv.guess(
        &Evidence {
            views: [&records[0], &records[1]],
            authority: Some((k, [0, 1])),
            learned: None,
        },
        challenge,
    );
    (g.holder, g.checked)
}

#[test]
fn stuck_wallet_shows_the_issued_signature_and_witness() {
    let (dep, holders, k) = setup(Some(Flaw::StuckRng));
    // The real verifier accepted it (login checks); A' is the issued A, the membership A' the
    // issued witness C.
    let v = login(&dep, &holders[1], "b.example", 9);
    let d = k.dossier(1);
    assert_eq!(
        component(&v, "credentials.0.proof.A_prime"),
        component(d, "issuance.response.signature.A")
    );
    assert_eq!(
        component(&v, "credentials.0.non_revoked.proof.A_prime"),
        component(d, "issuance.witness.witness")
    );
    for adv in [Adversary::TranscriptMatch, Adversary::SignatureRelations] {
        assert_eq!(authority_guess(adv, &k, &v), (Some(1), true), "{adv:?}");
    }
}

#[test]
fn authority_reads_real_proofs_and_finds_nothing_to_link() {
    let (dep, holders, k) = setup(None);
    for (i, h) in holders.iter().enumerate() {
        let v = login(&dep, h, "b.example", 20 + i as u64);
        // checked: the proof satisfies Ā = x·A' and Ā = α·A' with the authority's keys.
        assert_eq!(
            authority_guess(Adversary::SignatureRelations, &k, &v),
            (None, true)
        );
        for adv in [
            Adversary::TranscriptMatch,
            Adversary::ExactMatch,
            Adversary::ComponentEquality,
            Adversary::NearestNeighbour,
        ] {
            assert_eq!(authority_guess(adv, &k, &v).0, None, "{adv:?}");
        }
    }
}

#[test]
fn non_blind_authority_computes_the_pseudonym() {
    let (dep, holders, k) = setup(Some(Flaw::NonBlindIssuance));
    let v = login(&dep, &holders[0], "b.example", 5);
    // The record holds H(scope)·ls for each scope the authority knows; the one at b.example is
    // the pseudonym the holder showed there.
    let nyms: Vec<&[u8]> = k
        .dossier(0)
        .components
        .iter()
        .filter(|c| c.name == "pseudonym.nym")
        .map(|c| c.bytes.as_slice())
        .collect();
    assert_eq!(nyms.len(), 2);
    assert_eq!(nyms[1], component(&v, "pseudonym.nym"));
    assert_eq!(
        authority_guess(Adversary::ExactMatch, &k, &v),
        (Some(0), true)
    );
}

#[test]
fn flaws_apply_to_netnym_only() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let e = Deployment::with_flaw(Design::Central, Some(Flaw::StuckRng), &mut rng).unwrap_err();
    assert_eq!(
        e.to_string(),
        "flaw stuck-rng applies to the NetNym designs only"
    );
}

#[test]
fn partitioned_keys_show_in_the_presentation() {
    let (dep, holders, k) = setup(Some(Flaw::PartitionedKeys));
    let v = login(&dep, &holders[0], "b.example", 1);
    let key = component(&v, "credentials.0.issuer_key_id");
    let offered = component(k.dossier(0), "issuance.offer.issuer_key_id");
    assert_eq!(key, offered);
    assert_ne!(key, component(k.dossier(1), "issuance.offer.issuer_key_id"));
    // The secret key JSON is what the authority's algebra reads: it holds a 32-byte scalar.
    let (issuers, _, _) = dep.netnym_authority().unwrap();
    assert_eq!(issuers.len(), netnym::MAX_ACCEPTED_KEYS);
    let sk: serde_json::Value = serde_json::from_slice(&issuers[0].secret_key().to_json()).unwrap();
    let raw = URL_SAFE_NO_PAD
        .decode(sk["secret_key"].as_str().unwrap())
        .unwrap();
    assert_eq!(raw.len(), 32);
}

fn controls_config(controls: Vec<Flaw>, seed: u64) -> UnlinkabilityConfig {
    UnlinkabilityConfig {
        trials: 1,
        holders: 4,
        pool: 8,
        // The chi-square adversary needs 2 * samples > 10.83 (df = 1) to fire at all.
        samples: 8,
        seed,
        designs: vec![],
        views: Coalition::ALL.to_vec(),
        controls,
        control_trials: 40,
        control_holders: 8,
    }
}

#[test]
fn every_adversary_catches_its_control_in_every_view() {
    let (r, _) = unlinkability::run(&controls_config(Flaw::ALL.to_vec(), 21), false).unwrap();
    assert_eq!(r.controls.len(), Flaw::ALL.len());
    for view in Coalition::ALL {
        for adv in Adversary::in_view(view) {
            let flaw = designated(view, *adv).unwrap();
            let c = r.controls.iter().find(|c| c.design == flaw.id()).unwrap();
            let s = c.score(view.id(), adv.id()).unwrap();
            // The learned adversary scores only trials on the pairs that did not train it.
            let trials = if *adv == Adversary::Learned {
                assert!((10..35).contains(&s.trials), "{s:?}");
                s.trials
            } else {
                40
            };
            assert_eq!(s.trials, trials);
            assert_eq!(
                s.checked,
                trials,
                "{} / {} / {}",
                view.id(),
                adv.id(),
                flaw.id()
            );
            assert!(
                !s.advantage_ci95.contains(0.0)
                    && !s.advantage_ci95_familywise.contains(0.0)
                    && s.advantage > 0.9,
                "{} / {} on {}: {s:?}",
                view.id(),
                adv.id(),
                flaw.id()
            );
        }
    }
}
