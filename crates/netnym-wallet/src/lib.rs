//! # NetNym wallet
//!
//! The holder's wallet: one password-encrypted file holding the link secret (backed by a
//! 24-word recovery phrase), credentials, pinned issuer keys and public parameters, revocation
//! witnesses and the history of what was disclosed to which platform; and the check before
//! presenting, which tells the holder what a request would reveal.
//!
//! ## Modules (re-exported at the root)
//! - file: the encrypted file format ([`KdfParams`], format table in the module docs):
//!   Argon2id (parameters in the header) and XChaCha20-Poly1305 with the whole header as
//!   associated data; atomic saves (temporary file, fsync, rename, mode 0600).
//! - secret: [`Password`], [`RecoveryPhrase`] (BIP-39 English, 24 words; the link secret is
//!   `SHA-512(DST || entropy) mod r`).
//! - wallet: [`Wallet`] (create, restore, open, save, enroll, prepare, present).
//! - stored: [`StoredCredential`] (checked, optionally prepared), [`StoredWitness`], what the
//!   wallet keeps per credential.
//! - check: [`RequestCheck`], the satisfiability decision and the reveal summary.
//! - error: one error enum per operation.
//!
//! ## Decisions
//! - **Wrong password vs damage.** The header carries a 16-byte key check derived from the
//!   Argon2 output, so a wrong password is reported as [`OpenError::WrongPassword`] and a
//!   modified file as [`OpenError::Corrupted`] (the AEAD tag still protects everything; the
//!   check value gives an attacker nothing the tag does not). Opening never writes.
//! - **Pinning.** Issuer keys, revocation registry keys and range-proof parameters are pinned
//!   by id (each id commits to the value); other public parameters by name: a different value
//!   under a stored name is refused. Typed values are validated when first stored and again,
//!   by the same core decoder, on every open (for range parameters that is `base` pairings
//!   per open: the core has no trusted-input constructor).
//! - **Range-proof parameters.** A request with predicates names its parameters; the wallet
//!   answers only with parameters it has pinned, so a platform cannot make it prove against
//!   parameters of its own choosing without the holder importing them.
//! - **Checked credentials.** A credential is stored only after its signature verifies with the
//!   wallet's link secret, and is loaded back from the file as a `netnym::CheckedCredential`
//!   (`from_authenticated_json`: every decoding and subgroup check, no pairing check). The AEAD
//!   tag is the reason: whoever wrote a file that opens had the password's key and could read
//!   the link secret beside the credentials; this code writes only checked credentials.
//!   Presenting from them skips the pairing check of PRE-005 (a one-shot process such as the
//!   CLI pays only for the proof); a wallet that stays open also calls [`Wallet::prepare`]
//!   for the fixed-base tables of `netnym::PreparedCredential` (memory only).
//! - **Credential choice.** For each query the newest credential that satisfies it is used.
//! - **Validity.** A credential is presented only when `issued_on <= today <= expires_on`
//!   (when its schema has those dates), even if the request does not ask for `valid_on`.
//! - **Revocation.** Each credential keeps the core's membership witness
//!   ([`Wallet::set_witness`], checked against the pinned registry key and the credential's
//!   `revocation_id`); [`Wallet::update_witnesses`] applies the authority's public epoch log
//!   and marks a credential revoked when an entry lists its id. A query that asks for
//!   non-revocation is answered only with a witness at an epoch in its window.
//! - **Limits.** One process at a time: concurrent writers are not locked out (the last save
//!   wins, never a torn file). Zeroization is best effort: the JSON parser and the core's
//!   decoders make short-lived copies that are not cleared.
//!
//! # Example
//! ```
//! use netnym::*;
//! use netnym_wallet::{KdfParams, Password, Wallet};
//! use rand::{rngs::OsRng, SeedableRng};
//!
//! let mut rng = rand_chacha::ChaCha20Rng::from_rng(OsRng)?;
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("wallet.nnw");
//! let password = Password::new("correct horse battery".to_owned());
//! let now = 1_764_000_000;
//! let (mut wallet, phrase) = Wallet::create(&mut rng, &path, &password, KdfParams::INSECURE_FAST, now)?;
//! assert_eq!(phrase.expose().split(' ').count(), 24);
//!
//! // The authority publishes its key; the wallet stores it and enrolls.
//! let schema = Schema::cn_network_id_v1();
//! let issuer = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema);
//! let (key_id, _) = wallet.add_issuer_key(&issuer.public_key().to_json())?;
//! let offer = IssuanceOffer::new(&mut rng, issuer.public_key());
//! let (request, pending) = wallet.begin_enrollment(&mut rng, &offer)?;
//! let attributes = Attributes::from_json(&schema, &serde_json::json!({
//!     "revocation_id": 7, "document_type": "01", "document_number": "310115200001011234",
//!     "family_name": "Li", "given_name": "Na", "birth_date": "2000-01-01",
//!     "region": "310115", "nationality": "CHN", "issued_on": "2024-01-01",
//!     "expires_on": "2034-01-01"
//! }))?;
//! let response = issuer.issue_blind(&mut rng, &offer, &request, &attributes)?;
//! wallet.finish_enrollment(pending, key_id, &response.to_json(), now)?;
//! wallet.save(&mut rng)?;
//!
//! // Range-proof parameters the authority publishes (checked once when stored).
//! let range = RangeParams::generate(&mut rng, 16)?;
//! wallet.add_range_params(&range.to_json())?;
//!
//! // A platform asks for age >= 18; the wallet says what it would reveal, then proves.
//! let query = CredentialQuery::new(schema.id(), [key_id], [])?
//!     .with_predicates([Predicate::AgeAtLeast(18)])?;
//! let ask = PresentationRequest::new(&mut rng, "shop.example", now, 300, vec![query])?
//!     .with_pseudonym()
//!     .with_range_params(range.id());
//! let check = wallet.check_request(&ask, now);
//! assert!(check.is_satisfiable());
//! assert!(check.to_string().contains("age at least 18"));
//! let (presentation, _) = wallet.present(&mut rng, &ask, now)?;
//! let verified = Verifier::new([issuer.public_key().clone()])
//!     .with_range_params(range)
//!     .verify_json(&ask, &presentation.to_json(), now)?;
//! assert!(verified.pseudonym().is_some());
//!
//! // Reopen with the password.
//! let reopened = Wallet::open(&path, &password)?;
//! assert_eq!(reopened.credentials().len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod check;
mod contents;
mod error;
mod file;
mod secret;
mod stored;
mod wallet;

pub use crate::check::{statement, utc, QueryCheck, RequestCheck, Unsatisfied};
pub use crate::contents::Disclosure;
pub use crate::error::*;
pub use crate::file::{KdfParams, FORMAT_VERSION, HEADER_LEN, MAX_WALLET_BYTES};
pub use crate::secret::{
    Password, RecoveryPhrase, MIN_PASSWORD_CHARS, MIN_PASSWORD_SCORE, PHRASE_WORDS,
};
pub use crate::stored::{StoredCredential, StoredWitness};
pub use crate::wallet::{Wallet, WitnessUpdate};
