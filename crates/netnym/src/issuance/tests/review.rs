//! The authority's signature randomness (spec/02-crypto.md §Signatures: `e, s ←$ Fr`, `e`
//! resampled while `e + x = 0`). `bbs_plus` 0.25 draws `e` in
//! `SignatureG1::new_with_committed_messages` and resamples it itself; these tests hold it to that
//! through [`Issuer::issue_blind`].

use std::collections::{HashSet, VecDeque};

use ark_ff::Zero;
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, RngCore, SeedableRng};

use super::*;

/// Signatures in the freshness test.
const SIGNATURES: usize = 2_000;

#[test]
fn iss_sign_e_fresh_per_signature_and_never_minus_x() {
    let (mut r, w, offer) = setup();
    let pk = w.pk();
    let x = *w.issuer.secret_key().scalar();
    let (req, _) = BlindIssuanceRequest::new(&mut r, pk, &offer, &w.link_secret).unwrap();
    let attrs = citizen(pk.schema());
    let mut seen = HashSet::with_capacity(SIGNATURES);
    for _ in 0..SIGNATURES {
        let resp = w.issuer.issue_blind(&mut r, &offer, &req, &attrs).unwrap();
        let e = resp.signature.e;
        assert!(!(e + x).is_zero());
        assert!(seen.insert(fr_bytes(&e)), "e repeated");
    }
    assert_eq!(seen.len(), SIGNATURES);
}

/// An RNG that yields `script` (as 64-bit words) before its ChaCha20 stream: test support, to
/// make the signer draw chosen values.
struct Scripted {
    script: VecDeque<u64>,
    rest: ChaCha20Rng,
}

impl RngCore for Scripted {
    fn next_u32(&mut self) -> u32 {
        self.rest.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.script
            .pop_front()
            .unwrap_or_else(|| self.rest.next_u64())
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.rest.fill_bytes(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.rest.try_fill_bytes(dest)
    }
}

// Test only: scripted on purpose, to force the signer's draws.
impl CryptoRng for Scripted {}

/// The words an `Fr` is sampled from (its Montgomery limbs: ark-ff 0.4 samples the internal
/// representation and rejects values at or above the modulus).
fn words(v: &Fr) -> [u64; 4] {
    v.0 .0
}

/// A signer forced to draw `e = −x` draws again: the signature's `e` is not `−x` and the
/// credential verifies. The same script with another target shows the script does set `e`.
#[test]
fn iss_sign_e_equal_to_minus_x_is_resampled() {
    let (mut r, w, offer) = setup();
    let pk = w.pk();
    let x = *w.issuer.secret_key().scalar();
    let attrs = citizen(pk.schema());
    let s = Fr::from(5u64);
    let sign = |target: Fr, r: &mut ChaCha20Rng| {
        let (req, pending) = BlindIssuanceRequest::new(r, pk, &offer, &w.link_secret).unwrap();
        let mut rng = Scripted {
            script: words(&s).into_iter().chain(words(&target)).collect(),
            rest: ChaCha20Rng::seed_from_u64(9),
        };
        let resp = w
            .issuer
            .issue_blind(&mut rng, &offer, &req, &attrs)
            .unwrap();
        assert_eq!(resp.signature.s, s, "the script sets s first");
        let e = resp.signature.e;
        (e, pending.finish(pk, resp, &w.link_secret))
    };
    let target = Fr::rand(&mut r);
    let (e, cred) = sign(target, &mut r);
    assert_eq!(e, target, "the script sets e");
    cred.unwrap();
    let (e, cred) = sign(-x, &mut r);
    assert_ne!(e, -x);
    assert!(!(e + x).is_zero());
    cred.unwrap().verify(pk, &w.link_secret).unwrap();
}
