use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::*;

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(99)
}

fn registry(domain: u64) -> (RevocationAuthority, EpochEntry, InMemoryRevokedSet) {
    let (auth, genesis) = RevocationAuthority::generate(&mut rng(), domain).unwrap();
    (auth, genesis, InMemoryRevokedSet::default())
}

#[test]
fn rev_002_genesis_witness_verifies_for_every_domain_id() {
    let (auth, genesis, set) = registry(16);
    for id in 1..=16 {
        let w = auth.witness(id, &genesis, &set).unwrap();
        assert!(w.verify(auth.public_key()), "id {id}");
        assert_eq!(w.epoch(), 0);
    }
}

#[test]
fn rev_003_no_witness_outside_domain_or_for_revoked_id() {
    let (auth, genesis, mut set) = registry(8);
    assert_eq!(
        auth.witness(0, &genesis, &set).unwrap_err(),
        RevocationError::Domain
    );
    assert_eq!(
        auth.witness(9, &genesis, &set).unwrap_err(),
        RevocationError::Domain
    );
    let e1 = auth.revoke(&genesis, &[3], &mut set).unwrap();
    assert_eq!(
        auth.witness(3, &e1, &set).unwrap_err(),
        RevocationError::Revoked(3)
    );
}

#[test]
fn rev_003_forged_witness_for_non_member_does_not_verify() {
    let (auth, genesis, mut set) = registry(8);
    let w = auth.witness(5, &genesis, &set).unwrap();
    let e1 = auth.revoke(&genesis, &[5], &mut set).unwrap();
    // The old witness is not a witness against the new value.
    let mut stale = w.clone();
    stale.accumulator = *e1.accumulator();
    stale.epoch = 1;
    assert!(!stale.verify(auth.public_key()));
    // A witness claimed for another id does not verify either.
    let mut other = w;
    other.id = 6;
    assert!(!other.verify(auth.public_key()));
}

#[test]
fn rev_004_revoke_checks_batch_and_leaves_state_unchanged_on_error() {
    let (auth, genesis, mut set) = registry(8);
    assert_eq!(
        auth.revoke(&genesis, &[], &mut set).unwrap_err(),
        RevocationError::BatchSize
    );
    assert_eq!(
        auth.revoke(&genesis, &[2, 2], &mut set).unwrap_err(),
        RevocationError::Duplicate
    );
    assert_eq!(
        auth.revoke(&genesis, &[2, 9], &mut set).unwrap_err(),
        RevocationError::Domain
    );
    assert_eq!(set.revoked_count(), 0);
    let e1 = auth.revoke(&genesis, &[4, 2], &mut set).unwrap();
    assert_eq!(e1.revoked(), &[2, 4]);
    assert_eq!(e1.epoch(), 1);
    assert_eq!(
        auth.revoke(&e1, &[4], &mut set).unwrap_err(),
        RevocationError::Revoked(4)
    );
    assert_eq!(set.revoked_count(), 2);
}

#[test]
fn rev_007_holder_updates_witness_from_public_entries_only() {
    let (auth, genesis, mut set) = registry(32);
    let mut w = auth.witness(7, &genesis, &set).unwrap();
    let mut revoked_w = auth.witness(9, &genesis, &set).unwrap();
    let e1 = auth.revoke(&genesis, &[1, 2, 3], &mut set).unwrap();
    let e2 = auth.revoke(&e1, &[9], &mut set).unwrap();
    // Entries travel as JSON.
    let e1 = EpochEntry::from_json(&e1.to_json()).unwrap();
    let e2 = EpochEntry::from_json(&e2.to_json()).unwrap();
    // Out of order is refused.
    assert_eq!(
        w.clone().update(&e2).unwrap_err(),
        RevocationError::EpochGap { have: 0, got: 2 }
    );
    w.update(&e1).unwrap();
    w.update(&e2).unwrap();
    assert_eq!(w.epoch(), 2);
    assert!(w.verify(auth.public_key()));
    // Equal to the witness the authority would compute now.
    assert_eq!(w, auth.witness(7, &e2, &set).unwrap());
    // The revoked holder cannot move past its revocation.
    revoked_w.update(&e1).unwrap();
    assert_eq!(
        revoked_w.update(&e2).unwrap_err(),
        RevocationError::Revoked(9)
    );
}

#[test]
fn rev_001_registry_key_round_trips_and_rejects_tampering() {
    let (auth, _, _) = registry(8);
    let pk = auth.public_key();
    let back = RegistryPublicKey::from_json(&pk.to_json()).unwrap();
    assert_eq!(&back, pk);
    let mut v: serde_json::Value = serde_json::from_slice(&pk.to_json()).unwrap();
    v["domain"] = 9.into();
    let err = RegistryPublicKey::from_json(&serde_json::to_vec(&v).unwrap()).unwrap_err();
    assert_eq!(err.rule(), "WIRE-010");
    v["domain"] = 0.into();
    let err = RegistryPublicKey::from_json(&serde_json::to_vec(&v).unwrap()).unwrap_err();
    assert_eq!(err.rule(), "WIRE-010");
    // Secret round trip.
    let sk = RevocationAuthority::from_json(&auth.to_json()).unwrap();
    assert_eq!(sk.public_key(), pk);
    assert!(!format!("{sk:?}").contains(&b64(&fr_bytes(&auth.sk.0))));
}

#[test]
fn rev_005_epoch_entry_validation() {
    let (auth, genesis, mut set) = registry(8);
    let e1 = auth.revoke(&genesis, &[1, 2], &mut set).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&e1.to_json()).unwrap();
    v["revoked"] = serde_json::json!([2, 1]);
    assert_eq!(
        EpochEntry::from_json(&serde_json::to_vec(&v).unwrap())
            .unwrap_err()
            .rule(),
        "WIRE-010"
    );
    v["revoked"] = serde_json::json!([1, 2, 3]);
    assert_eq!(
        EpochEntry::from_json(&serde_json::to_vec(&v).unwrap())
            .unwrap_err()
            .rule(),
        "WIRE-010"
    );
    let mut g: serde_json::Value = serde_json::from_slice(&genesis.to_json()).unwrap();
    g["accumulator"] = b64(&[0xc0; 1]).into();
    assert!(EpochEntry::from_json(&serde_json::to_vec(&g).unwrap()).is_err());
}

#[test]
fn rev_006_witness_json_checked_against_registry() {
    let (auth, genesis, set) = registry(8);
    let (other, _) = RevocationAuthority::generate(&mut ChaCha20Rng::seed_from_u64(5), 8).unwrap();
    let w = auth.witness(4, &genesis, &set).unwrap();
    let back = MembershipWitness::from_json(&w.to_json(), auth.public_key()).unwrap();
    assert_eq!(back, w);
    let err = MembershipWitness::from_json(&w.to_json(), other.public_key()).unwrap_err();
    assert_eq!(err.rule(), "WIRE-010");
}

#[test]
fn rev_011_verifier_refuses_a_second_value_for_a_known_epoch() {
    let (auth, genesis, mut set) = registry(8);
    let e1 = auth.revoke(&genesis, &[1], &mut set).unwrap();
    let mut v = crate::Verifier::new([]).with_registry(auth.public_key().clone());
    v.add_epoch(&genesis).unwrap();
    v.add_epoch(&genesis).unwrap(); // idempotent
                                    // Epoch 1's value relabelled as epoch 0.
    let mut forged = e1;
    forged.epoch = 0;
    assert_eq!(
        v.add_epoch(&forged).unwrap_err(),
        RevocationError::ConflictingEpoch(0)
    );
    // An entry of an untrusted registry.
    let (other, og) = RevocationAuthority::generate(&mut ChaCha20Rng::seed_from_u64(8), 8).unwrap();
    let _ = other;
    assert_eq!(
        v.add_epoch(&og).unwrap_err(),
        RevocationError::WrongRegistry
    );
}

#[test]
fn rev_001_imported_secret_key_rechecked() {
    // α = −3 would make id 3's witness undefined.
    let alpha = -Fr::from(3u64);
    let w = format!(
        r#"{{"type":"netnym-registry-secret-key","version":1,"domain":8,"secret_key":"{}"}}"#,
        b64(&fr_bytes(&alpha))
    );
    assert_eq!(
        RevocationAuthority::from_json(w.as_bytes()).unwrap_err(),
        DecodeError::InvalidScalar {
            field: "secret_key"
        }
    );
}

#[test]
fn rev_007_update_all_equals_entry_by_entry_updates() {
    let (auth, genesis, mut set) = registry(200);
    let start = auth.witness(200, &genesis, &set).unwrap();
    let mut entries = Vec::new();
    let mut current = genesis;
    // Batches of different sizes, including single ids.
    for ids in [
        vec![1u64],
        (2..40).collect(),
        vec![77],
        (100..164).collect::<Vec<u64>>(),
    ] {
        current = auth.revoke(&current, &ids, &mut set).unwrap();
        entries.push(current.clone());
    }
    for n in 0..=entries.len() {
        let mut one_by_one = start.clone();
        for e in &entries[..n] {
            one_by_one.update(e).unwrap();
        }
        let mut at_once = start.clone();
        at_once.update_all(&entries[..n]).unwrap();
        assert_eq!(at_once, one_by_one, "after {n} entries");
        assert!(at_once.verify(auth.public_key()));
    }
}

#[test]
fn rev_007_update_all_checks_every_entry_and_leaves_the_witness_on_error() {
    let (auth, genesis, mut set) = registry(50);
    let start = auth.witness(10, &genesis, &set).unwrap();
    let e1 = auth.revoke(&genesis, &[1, 2], &mut set).unwrap();
    let e2 = auth.revoke(&e1, &[10], &mut set).unwrap();
    let e3 = auth.revoke(&e2, &[3], &mut set).unwrap();
    let mut w = start.clone();
    assert_eq!(
        w.update_all(&[e1.clone(), e2]).unwrap_err(),
        RevocationError::Revoked(10)
    );
    assert_eq!(w, start);
    assert_eq!(
        w.update_all(&[e1.clone(), e3]).unwrap_err(),
        RevocationError::EpochGap { have: 1, got: 3 }
    );
    assert_eq!(w, start);
    let (other, other_genesis) =
        RevocationAuthority::generate(&mut ChaCha20Rng::seed_from_u64(100), 50).unwrap();
    let mut other_set = InMemoryRevokedSet::default();
    let foreign = other.revoke(&other_genesis, &[4], &mut other_set).unwrap();
    assert_eq!(
        w.update_all(&[foreign]).unwrap_err(),
        RevocationError::WrongRegistry
    );
    assert_eq!(w, start);
    w.update_all(&[]).unwrap();
    assert_eq!(w, start);
}
