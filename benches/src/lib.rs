//! Shared fixtures for the NetNym criterion benchmarks (`benches/credential.rs`).
//!
//! Everything here is deterministic: every fixture takes a seed and builds its own
//! [`ChaCha20Rng`], so two runs benchmark the same keys, credentials and proofs.
//!
//! Two families of fixtures:
//! - [`World`]: NetNym's public API end to end (issuer, holder, credential) for a synthetic
//!   schema of `n` attributes built by [`schema`];
//! - [`RawBbs`]: the same message count signed directly with `bbs_plus`, the baseline that shows
//!   what NetNym adds on top of the library.

use std::collections::{BTreeMap, BTreeSet};

use ark_bls12_381::{Bls12_381, Fr};
use ark_std::UniformRand;
use bbs_plus::proof::{PoKOfSignatureG1Proof, PoKOfSignatureG1Protocol};
use bbs_plus::setup::{
    KeypairG2, PreparedPublicKeyG2, PreparedSignatureParamsG1, SignatureParamsG1,
};
use bbs_plus::signature::SignatureG1;
use dock_crypto_utils::signature::MessageOrBlinding;
use netnym::{
    AttributeType, AttributeValue, Attributes, BlindIssuanceRequest, Credential, CredentialQuery,
    IssuanceOffer, Issuer, IssuerPublicKey, IssuerSecretKey, LinkSecret, PresentationRequest,
    Schema,
};
use rand::SeedableRng;
pub use rand_chacha::ChaCha20Rng;
use schnorr_pok::compute_random_oracle_challenge;

/// Attribute counts benchmarked (attribute 0 is the link secret).
pub const SIZES: [usize; 4] = [5, 10, 20, 50];
/// Attribute count of the `keygen` benchmark.
pub const KEYGEN_SIZE: usize = 10;
/// The disclosed attributes of every presentation benchmark.
pub const DISCLOSED: [&str; 2] = ["a1", "a2"];
/// Fixed "now" of every presentation request (2025-11-24T16:00:00Z).
pub const NOW: u64 = 1_764_000_000;
/// Verification time: inside the request's 600 s window.
pub const VERIFY_AT: u64 = NOW + 10;

/// A deterministic RNG.
#[must_use]
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// A schema of `n` attributes: `link_secret` (holder secret) then `a1..a{n-1}` (uint).
///
/// # Panics
/// If `n` is 0 or above the library's attribute limit.
#[must_use]
pub fn schema(n: usize) -> Schema {
    let attrs = core::iter::once(("link_secret".to_owned(), AttributeType::HolderSecret))
        .chain((1..n).map(|i| (format!("a{i}"), AttributeType::Uint)));
    Schema::new(&format!("bench/n{n}"), attrs).expect("bench schema is valid")
}

/// Clear values for [`schema`]: `a{i} = 1000 * i + 7`.
///
/// # Panics
/// If `schema` was not built by [`schema`].
#[must_use]
pub fn attributes(schema: &Schema) -> Attributes {
    let values = (1..schema.len()).map(|i| {
        let i = u64::try_from(i).expect("small index");
        (format!("a{i}"), AttributeValue::Uint(1000 * i + 7))
    });
    Attributes::new(schema, values).expect("bench attributes are valid")
}

/// A presentation request for one credential of `pk`, disclosing `disclose`, valid from
/// [`NOW`] for 600 s.
///
/// # Panics
/// If the query or request is invalid (it is not, for the fixtures here).
#[must_use]
pub fn presentation_request(
    rng: &mut ChaCha20Rng,
    pk: &IssuerPublicKey,
    disclose: &[&str],
) -> PresentationRequest {
    let q = CredentialQuery::new(
        pk.schema().id(),
        [pk.key_id()],
        disclose.iter().map(|s| (*s).to_owned()),
    )
    .expect("bench query is valid");
    PresentationRequest::new(rng, "platform.example", NOW, 600, vec![q])
        .expect("bench request is valid")
}

/// An issuer, a holder and a credential the holder obtained by blind issuance, for a schema of
/// `n` attributes.
#[derive(Debug)]
pub struct World {
    /// The schema.
    pub schema: Schema,
    /// The authority.
    pub issuer: Issuer,
    /// The holder's link secret.
    pub link_secret: LinkSecret,
    /// The clear attributes of the credential.
    pub attributes: Attributes,
    /// The holder's credential.
    pub credential: Credential,
}

impl World {
    /// Build the world for `n` attributes from `seed`.
    ///
    /// # Panics
    /// If any step of issuance fails (it does not, for valid fixtures).
    #[must_use]
    pub fn new(n: usize, seed: u64) -> Self {
        let mut rng = rng(seed);
        let schema = schema(n);
        let issuer = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema);
        let link_secret = LinkSecret::generate(&mut rng);
        let attributes = attributes(&schema);
        let pk = issuer.public_key();
        let offer = IssuanceOffer::new(&mut rng, pk);
        let (req, pending) =
            BlindIssuanceRequest::new(&mut rng, pk, &offer, &link_secret).expect("request");
        let resp = issuer
            .issue_blind(&mut rng, &offer, &req, &attributes)
            .expect("issue");
        let credential = pending.finish(pk, resp, &link_secret).expect("finish");
        Self {
            schema,
            issuer,
            link_secret,
            attributes,
            credential,
        }
    }

    /// The issuer's public key.
    #[must_use]
    pub fn pk(&self) -> &IssuerPublicKey {
        self.issuer.public_key()
    }
}

/// The baseline: `n` random messages signed directly with `bbs_plus`, and the revealed set
/// matching NetNym's (`a1`, `a2` are message indices 1 and 2).
#[derive(Debug)]
pub struct RawBbs {
    /// Signature parameters (generators).
    pub params: SignatureParamsG1<Bls12_381>,
    /// The same parameters with `g2` prepared for pairings (prepared once, outside the loop).
    pub prepared_params: PreparedSignatureParamsG1<Bls12_381>,
    /// The signer's key pair.
    pub keypair: KeypairG2<Bls12_381>,
    /// The public key, prepared for pairings.
    pub prepared_pk: PreparedPublicKeyG2<Bls12_381>,
    /// The signed messages.
    pub messages: Vec<Fr>,
    /// The signature.
    pub signature: SignatureG1<Bls12_381>,
    /// Indices of the revealed messages.
    pub revealed_indices: BTreeSet<usize>,
    /// The revealed messages by index.
    pub revealed: BTreeMap<usize, Fr>,
}

impl RawBbs {
    /// Sign `n` random messages from `seed`, revealing indices 1 and 2.
    ///
    /// # Panics
    /// If `n < 3` or signing fails.
    #[must_use]
    pub fn new(n: usize, seed: u64) -> Self {
        assert!(n >= 3, "need at least 3 messages to reveal indices 1 and 2");
        let mut rng = rng(seed);
        let count = u32::try_from(n).expect("small message count");
        let messages: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let params = SignatureParamsG1::<Bls12_381>::generate_using_rng(&mut rng, count);
        let keypair = KeypairG2::<Bls12_381>::generate_using_rng(&mut rng, &params);
        let signature =
            SignatureG1::<Bls12_381>::new(&mut rng, &messages, &keypair.secret_key, &params)
                .expect("bbs+ signing");
        let revealed_indices: BTreeSet<usize> = [1, 2].into_iter().collect();
        let revealed = revealed_indices.iter().map(|&i| (i, messages[i])).collect();
        Self {
            prepared_params: params.clone().into(),
            prepared_pk: keypair.public_key.clone().into(),
            params,
            keypair,
            messages,
            signature,
            revealed_indices,
            revealed,
        }
    }

    /// [`RawBbs::new`] over the given messages instead of random ones (for example the
    /// scalars a NetNym credential signs, to compare provers on the same inputs: multiplying
    /// by small scalars is cheaper).
    ///
    /// # Panics
    /// If there are fewer than 3 messages or signing fails.
    #[must_use]
    pub fn with_messages(messages: Vec<Fr>, seed: u64) -> Self {
        let mut raw = Self::new(messages.len(), seed);
        raw.signature = SignatureG1::<Bls12_381>::new(
            &mut rng(seed),
            &messages,
            &raw.keypair.secret_key,
            &raw.params,
        )
        .expect("bbs+ signing");
        raw.revealed = raw
            .revealed_indices
            .iter()
            .map(|&i| (i, messages[i]))
            .collect();
        raw.messages = messages;
        raw
    }

    /// `PoKOfSignatureG1Protocol::init` + challenge (Blake2b-512 over the public key and the
    /// protocol's challenge contribution) + `gen_proof`, as in bbs_plus's own tests.
    ///
    /// # Panics
    /// If the library refuses the inputs (it does not, for this fixture).
    pub fn prove(&self, rng: &mut ChaCha20Rng) -> PoKOfSignatureG1Proof<Bls12_381> {
        let protocol = PoKOfSignatureG1Protocol::init(
            rng,
            &self.signature,
            &self.params,
            self.messages.iter().enumerate().map(|(i, m)| {
                if self.revealed_indices.contains(&i) {
                    MessageOrBlinding::RevealMessage(m)
                } else {
                    MessageOrBlinding::BlindMessageRandomly(m)
                }
            }),
        )
        .expect("bbs+ proof init");
        let mut bytes = self.challenge_prefix();
        protocol
            .challenge_contribution(&self.revealed, &self.params, &mut bytes)
            .expect("challenge contribution");
        let challenge = compute_random_oracle_challenge::<Fr, blake2::Blake2b512>(&bytes);
        protocol.gen_proof(&challenge).expect("bbs+ gen_proof")
    }

    /// Recompute the challenge and run `PoKOfSignatureG1Proof::verify`. With `prepared`, the
    /// public key and parameters prepared once in [`RawBbs::new`] are passed (cloned); without,
    /// the library prepares `w` and `g2` for the pairing on every call.
    ///
    /// # Errors
    /// The library's error when the proof does not verify.
    pub fn verify(
        &self,
        proof: &PoKOfSignatureG1Proof<Bls12_381>,
        prepared: bool,
    ) -> Result<(), bbs_plus::error::BBSPlusError> {
        let mut bytes = self.challenge_prefix();
        proof.challenge_contribution(&self.revealed, &self.params, &mut bytes)?;
        let challenge = compute_random_oracle_challenge::<Fr, blake2::Blake2b512>(&bytes);
        if prepared {
            proof.verify(
                &self.revealed,
                &challenge,
                self.prepared_pk.clone(),
                self.prepared_params.clone(),
            )
        } else {
            proof.verify(
                &self.revealed,
                &challenge,
                self.keypair.public_key.clone(),
                self.params.clone(),
            )
        }
    }

    fn challenge_prefix(&self) -> Vec<u8> {
        use ark_serialize::CanonicalSerialize;
        let mut bytes = Vec::with_capacity(1024);
        self.keypair
            .public_key
            .serialize_compressed(&mut bytes)
            .expect("serialize to Vec");
        bytes
    }
}
