//! The wallet: an open, decrypted wallet file and its operations.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use netnym::{
    AttributeValue, BlindIssuanceRequest, CheckedCredential, Credential, EpochEntry, Holding,
    IssuanceOffer, IssuanceResponse, IssuerPublicKey, KeyId, LinkSecret, MembershipWitness,
    PendingIssuance, PreparedCredential, Presentation, PresentationRequest, RangeParams,
    RegistryPublicKey, RevocationError,
};
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::check::{check, RequestCheck};
use crate::contents::{
    b64, unb64, ContentsWire, CredentialWire, Disclosure, ParamWire, RevocationWire, CONTENTS_TYPE,
    CONTENTS_VERSION,
};
use crate::error::{
    AddCredentialError, AddPublicError, CreateError, EnrollError, OpenError, PrepareError,
    SaveError, WalletPresentError, WitnessError,
};
use crate::file::{self, FileKey, KdfParams};
use crate::secret::{Password, RecoveryPhrase};
use crate::stored::{StoredCredential, StoredWitness};

/// The outcome of [`Wallet::update_witnesses`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WitnessUpdate {
    /// Credentials whose witness moved to a newer epoch.
    pub updated: Vec<String>,
    /// Credentials found revoked.
    pub revoked: Vec<String>,
}

/// An open wallet. Changes stay in memory until [`Wallet::save`].
///
/// Its credentials are [`CheckedCredential`]s: checked with the link secret when added, and
/// loaded back as checked from the authenticated file, so presenting does not repeat the
/// signature's pairing check. A wallet that stays open and presents often also calls
/// [`Wallet::prepare`].
///
/// # Security
/// Holds the link secret, credentials, witnesses, disclosure history and the derived file key;
/// every one is zeroized on drop, and `Debug` shows counts only.
pub struct Wallet {
    path: PathBuf,
    key: FileKey,
    created_at: u64,
    link_secret: LinkSecret,
    issuers: BTreeMap<KeyId, IssuerPublicKey>,
    registries: BTreeMap<KeyId, RegistryPublicKey>,
    range_params: BTreeMap<KeyId, RangeParams>,
    params: BTreeMap<String, ParamWire>,
    next_credential: u64,
    credentials: Vec<StoredCredential>,
    history: Vec<Disclosure>,
    /// Set by [`Wallet::prepare`]: credentials added later are prepared too.
    keep_prepared: bool,
}

impl core::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Wallet")
            .field("path", &self.path)
            .field("issuers", &self.issuers.len())
            .field("credentials", &self.credentials.len())
            .field("history", &self.history.len())
            .finish_non_exhaustive()
    }
}

impl Wallet {
    /// Create a new wallet at `path` (which must not exist) with a fresh recovery phrase, and
    /// write it. Show the returned phrase to the holder once: it restores the link secret.
    ///
    /// # Errors
    /// [`CreateError::WeakPassword`] for a password under 8 characters,
    /// [`CreateError::GuessablePassword`] for one that is easy to guess (`SEC-003`),
    /// [`CreateError::Save`] when the file exists or cannot be written.
    pub fn create(
        rng: &mut (impl RngCore + CryptoRng),
        path: &Path,
        password: &Password,
        kdf: KdfParams,
        now: u64,
    ) -> Result<(Self, RecoveryPhrase), CreateError> {
        let phrase = RecoveryPhrase::generate(rng);
        let wallet = Self::restore(rng, path, password, kdf, &phrase, now)?;
        Ok((wallet, phrase))
    }

    /// Create a wallet at `path` (which must not exist) whose link secret comes from
    /// `phrase`, and write it. Credentials are not in the phrase: enroll again (a new
    /// credential on the same link secret keeps every platform pseudonym).
    ///
    /// # Errors
    /// As [`Wallet::create`], plus [`CreateError::Phrase`].
    pub fn restore(
        rng: &mut (impl RngCore + CryptoRng),
        path: &Path,
        password: &Password,
        kdf: KdfParams,
        phrase: &RecoveryPhrase,
        now: u64,
    ) -> Result<Self, CreateError> {
        password.check_new()?;
        let link_secret = phrase.link_secret()?;
        let key = FileKey::new_random(rng, password, kdf).map_err(SaveError::Internal)?;
        let wallet = Self {
            path: path.to_owned(),
            key,
            created_at: now,
            link_secret,
            issuers: BTreeMap::new(),
            registries: BTreeMap::new(),
            range_params: BTreeMap::new(),
            params: BTreeMap::new(),
            next_credential: 1,
            credentials: Vec::new(),
            history: Vec::new(),
            keep_prepared: false,
        };
        wallet.write(rng, true)?;
        Ok(wallet)
    }

    /// Open and decrypt the wallet at `path`. The file is only read.
    ///
    /// # Errors
    /// [`OpenError::WrongPassword`] for a wrong password; [`OpenError::Truncated`],
    /// [`OpenError::Corrupted`], [`OpenError::NotAWallet`],
    /// [`OpenError::UnsupportedVersion`] or [`OpenError::InvalidContents`] for a damaged file;
    /// [`OpenError::Io`] when it cannot be read.
    pub fn open(path: &Path, password: &Password) -> Result<Self, OpenError> {
        let (plaintext, key) = file::open(path, password)?;
        Self::decode(path, key, &plaintext)
    }

    fn decode(path: &Path, key: FileKey, plaintext: &[u8]) -> Result<Self, OpenError> {
        let bad = |s: &str| OpenError::InvalidContents(s.to_owned());
        let w: ContentsWire = serde_json::from_slice(plaintext)
            .map_err(|e| OpenError::InvalidContents(e.to_string()))?;
        if w.ty != CONTENTS_TYPE || w.version != CONTENTS_VERSION {
            return Err(bad("unknown contents type or version"));
        }
        let ls = unb64(&w.link_secret).ok_or_else(|| bad("link secret encoding"))?;
        let link_secret = LinkSecret::from_bytes(&ls).map_err(|_| bad("link secret"))?;
        let mut issuers = BTreeMap::new();
        for json in &w.issuers {
            let pk = IssuerPublicKey::from_json(json.as_bytes())
                .map_err(|e| OpenError::InvalidContents(format!("issuer key: {e}")))?;
            issuers.insert(pk.key_id(), pk);
        }
        let mut registries = BTreeMap::new();
        for json in &w.registries {
            let rk = RegistryPublicKey::from_json(json.as_bytes())
                .map_err(|e| OpenError::InvalidContents(format!("registry key: {e}")))?;
            registries.insert(rk.id(), rk);
        }
        let mut range_params = BTreeMap::new();
        for json in &w.range_params {
            let rp = RangeParams::from_json(json.as_bytes())
                .map_err(|e| OpenError::InvalidContents(format!("range parameters: {e}")))?;
            range_params.insert(rp.id(), rp);
        }
        let mut credentials = Vec::with_capacity(w.credentials.len());
        for c in &w.credentials {
            let key_id = KeyId::parse(&c.issuer_key_id).map_err(|_| bad("credential key id"))?;
            let pk = issuers
                .get(&key_id)
                .ok_or_else(|| bad("credential of an issuer key that is not stored"))?;
            let json = unb64(&c.credential).ok_or_else(|| bad("credential encoding"))?;
            // Only the pairing check is skipped: the AEAD tag authenticated these bytes under
            // the password's key, and this wallet wrote only credentials it had checked with
            // the link secret stored beside them (spec/07-key-management.md §Wallet file).
            let credential = CheckedCredential::from_authenticated_json(&json, pk, &link_secret)
                .map_err(|e| OpenError::InvalidContents(format!("credential {}: {e}", c.id)))?;
            let witness = match &c.revocation {
                None => None,
                Some(r) => {
                    let json = unb64(&r.witness).ok_or_else(|| bad("witness encoding"))?;
                    let witness = registries
                        .values()
                        .find_map(|rk| MembershipWitness::from_json(&json, rk).ok())
                        .ok_or_else(|| bad("witness does not verify under a stored registry"))?;
                    Some(StoredWitness {
                        witness,
                        revoked: r.revoked,
                    })
                }
            };
            credentials.push(StoredCredential {
                id: c.id.clone(),
                credential,
                added_at: c.added_at,
                witness,
                prepared: None,
            });
        }
        let mut w = w;
        Ok(Self {
            path: path.to_owned(),
            key,
            created_at: w.created_at,
            link_secret,
            issuers,
            registries,
            range_params,
            params: core::mem::take(&mut w.params),
            next_credential: w.next_credential,
            credentials,
            history: core::mem::take(&mut w.history),
            keep_prepared: false,
        })
    }

    fn encode(&self) -> Zeroizing<Vec<u8>> {
        let wire = ContentsWire {
            ty: CONTENTS_TYPE.to_owned(),
            version: CONTENTS_VERSION,
            created_at: self.created_at,
            link_secret: b64(&*self.link_secret.to_bytes()),
            issuers: self
                .issuers
                .values()
                .map(|pk| String::from_utf8_lossy(&pk.to_json()).into_owned())
                .collect(),
            registries: self
                .registries
                .values()
                .map(|rk| String::from_utf8_lossy(&rk.to_json()).into_owned())
                .collect(),
            range_params: self
                .range_params
                .values()
                .map(|rp| String::from_utf8_lossy(&rp.to_json()).into_owned())
                .collect(),
            params: self
                .params
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        ParamWire {
                            json: v.json.clone(),
                            added_at: v.added_at,
                        },
                    )
                })
                .collect(),
            next_credential: self.next_credential,
            credentials: self
                .credentials
                .iter()
                .map(|c| CredentialWire {
                    id: c.id.clone(),
                    issuer_key_id: c.credential().key_id().to_string(),
                    added_at: c.added_at,
                    credential: b64(&c.credential().to_json()),
                    revocation: c.witness.as_ref().map(|w| RevocationWire {
                        witness: b64(&Zeroizing::new(w.witness.to_json())),
                        revoked: w.revoked,
                    }),
                })
                .collect(),
            history: self.history.clone(),
        };
        // Serializing plain structs and maps with string keys cannot fail.
        Zeroizing::new(serde_json::to_vec(&wire).unwrap_or_default())
    }

    fn write(
        &self,
        rng: &mut (impl RngCore + CryptoRng),
        create_new: bool,
    ) -> Result<(), SaveError> {
        let plaintext = self.encode();
        let bytes = file::seal(rng, &self.key, &plaintext).map_err(SaveError::Internal)?;
        file::write_atomic(rng, &self.path, &bytes, create_new)
    }

    /// Encrypt and write the wallet atomically (temporary file, fsync, rename; mode 0600),
    /// with a fresh nonce and the key derived when it was opened.
    ///
    /// # Errors
    /// [`SaveError::Io`]; the previous file is then intact.
    pub fn save(&self, rng: &mut (impl RngCore + CryptoRng)) -> Result<(), SaveError> {
        self.write(rng, false)
    }

    /// Re-encrypt under a new password (new salt, optionally new KDF parameters) and save.
    ///
    /// # Errors
    /// [`CreateError::WeakPassword`], [`CreateError::GuessablePassword`] or
    /// [`CreateError::Save`].
    pub fn change_password(
        &mut self,
        rng: &mut (impl RngCore + CryptoRng),
        new_password: &Password,
        kdf: KdfParams,
    ) -> Result<(), CreateError> {
        new_password.check_new()?;
        self.key = FileKey::new_random(rng, new_password, kdf).map_err(SaveError::Internal)?;
        Ok(self.write(rng, false)?)
    }

    /// The wallet file path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The KDF parameters of the file.
    #[must_use]
    pub fn kdf_params(&self) -> KdfParams {
        self.key.kdf()
    }
    /// When the wallet was created, Unix seconds.
    #[must_use]
    pub fn created_at(&self) -> u64 {
        self.created_at
    }
    /// The link secret.
    #[must_use]
    pub fn link_secret(&self) -> &LinkSecret {
        &self.link_secret
    }

    /// Store an issuer public key (validated by [`IssuerPublicKey::from_json`]: encoding,
    /// subgroup, key id). Keys are pinned by key id; adding a stored key again is a no-op.
    /// Returns the key id and whether it was new.
    ///
    /// # Errors
    /// [`AddPublicError::Invalid`] for bytes that do not validate.
    pub fn add_issuer_key(&mut self, json: &[u8]) -> Result<(KeyId, bool), AddPublicError> {
        let pk = IssuerPublicKey::from_json(json).map_err(|e| AddPublicError::Invalid {
            what: "issuer public key",
            reason: e.to_string(),
        })?;
        let id = pk.key_id();
        if self.issuers.contains_key(&id) {
            return Ok((id, false));
        }
        self.issuers.insert(id, pk);
        Ok((id, true))
    }

    /// A stored issuer key.
    #[must_use]
    pub fn issuer_key(&self, id: &KeyId) -> Option<&IssuerPublicKey> {
        self.issuers.get(id)
    }

    /// Every stored issuer key.
    pub fn issuer_keys(&self) -> impl Iterator<Item = &IssuerPublicKey> {
        self.issuers.values()
    }

    /// Cache a public parameter (e.g. the authority's revocation registry key or range-proof
    /// parameters) under `name`, after `validate` accepts it (the caller parses it with the
    /// core type). The first value stored under a name is pinned: storing the same bytes again
    /// is a no-op returning `false`; different bytes are refused.
    ///
    /// # Errors
    /// [`AddPublicError::Invalid`] when `validate` refuses or the bytes are not UTF-8;
    /// [`AddPublicError::Conflict`] when another value is pinned.
    pub fn add_public_param(
        &mut self,
        name: &str,
        json: &[u8],
        validate: impl FnOnce(&[u8]) -> Result<(), String>,
        now: u64,
    ) -> Result<bool, AddPublicError> {
        let text = std::str::from_utf8(json).map_err(|_| AddPublicError::Invalid {
            what: "public parameter",
            reason: "not UTF-8".to_owned(),
        })?;
        if let Some(existing) = self.params.get(name) {
            if existing.json == text {
                return Ok(false);
            }
            return Err(AddPublicError::Conflict {
                what: "public parameter",
                name: name.to_owned(),
            });
        }
        validate(json).map_err(|reason| AddPublicError::Invalid {
            what: "public parameter",
            reason,
        })?;
        self.params.insert(
            name.to_owned(),
            ParamWire {
                json: text.to_owned(),
                added_at: now,
            },
        );
        Ok(true)
    }

    /// A cached public parameter.
    #[must_use]
    pub fn public_param(&self, name: &str) -> Option<&[u8]> {
        self.params.get(name).map(|p| p.json.as_bytes())
    }

    /// Start a blind issuance with a stored issuer key: the request to send to the authority
    /// and the state to keep for [`Wallet::finish_enrollment`].
    ///
    /// # Errors
    /// [`EnrollError::UnknownIssuer`] or [`EnrollError::Offer`].
    pub fn begin_enrollment(
        &self,
        rng: &mut (impl RngCore + CryptoRng),
        offer: &IssuanceOffer,
    ) -> Result<(BlindIssuanceRequest, PendingIssuance), EnrollError> {
        let pk = self
            .issuers
            .get(&offer.key_id())
            .ok_or_else(|| EnrollError::UnknownIssuer(offer.key_id().to_string()))?;
        Ok(BlindIssuanceRequest::new(
            rng,
            pk,
            offer,
            &self.link_secret,
        )?)
    }

    /// Finish a blind issuance with the authority's response JSON and store the credential.
    /// Returns the new credential's id.
    ///
    /// # Errors
    /// [`AddCredentialError`] when the response is malformed or does not verify.
    pub fn finish_enrollment(
        &mut self,
        pending: PendingIssuance,
        key_id: KeyId,
        response_json: &[u8],
        now: u64,
    ) -> Result<String, AddCredentialError> {
        let pk = self
            .issuers
            .get(&key_id)
            .ok_or_else(|| AddCredentialError::UnknownIssuer(key_id.to_string()))?;
        let response = IssuanceResponse::from_json(response_json, pk)?;
        // ISS-011 checks the signature: stored as checked, without a second check.
        let credential = pending.finish_checked(pk, response, &self.link_secret)?;
        self.store(credential, now)
    }

    /// Store a credential after checking it verifies under its (stored) issuer key with this
    /// wallet's link secret. Returns its id.
    ///
    /// # Errors
    /// [`AddCredentialError::UnknownIssuer`] or [`AddCredentialError::DoesNotVerify`].
    pub fn add_credential(
        &mut self,
        credential: Credential,
        now: u64,
    ) -> Result<String, AddCredentialError> {
        let pk = self
            .issuers
            .get(&credential.key_id())
            .ok_or_else(|| AddCredentialError::UnknownIssuer(credential.key_id().to_string()))?;
        let checked = credential
            .check(pk, &self.link_secret)
            .map_err(|_| AddCredentialError::DoesNotVerify)?;
        self.store(checked, now)
    }

    /// Store a credential checked with this wallet's link secret (and prepare it when the
    /// wallet keeps prepared credentials).
    fn store(
        &mut self,
        credential: CheckedCredential,
        now: u64,
    ) -> Result<String, AddCredentialError> {
        let key_id = credential.credential().key_id();
        let prepared = if self.keep_prepared {
            let pk = self
                .issuers
                .get(&key_id)
                .ok_or_else(|| AddCredentialError::UnknownIssuer(key_id.to_string()))?;
            Some(
                PreparedCredential::new(credential.credential(), pk, &self.link_secret)
                    .map_err(|_| AddCredentialError::DoesNotVerify)?,
            )
        } else {
            None
        };
        let id = format!("cred-{}", self.next_credential);
        self.next_credential += 1;
        self.credentials.push(StoredCredential {
            id: id.clone(),
            credential,
            added_at: now,
            witness: None,
            prepared,
        });
        Ok(id)
    }

    /// Prepare every stored credential for fast presentations ([`PreparedCredential`]:
    /// signature checked once more, fixed-base tables built) and keep preparing credentials
    /// added later, for a wallet that stays open and presents many times (an app, a daemon).
    /// The tables live in memory only; they cost about 1.3 MiB per credential plus 0.4 MiB per
    /// generator of each schema, and about 70 ms for a schema's first credential. A process
    /// that opens the wallet to present once (the CLI) does not call this: its checked
    /// credentials already skip the pairing check. Returns how many credentials this call
    /// prepared.
    ///
    /// # Errors
    /// [`PrepareError`] when a stored credential cannot be prepared; those prepared before it
    /// stay prepared.
    pub fn prepare(&mut self) -> Result<usize, PrepareError> {
        self.keep_prepared = true;
        let mut count = 0;
        for c in self.credentials.iter_mut().filter(|c| c.prepared.is_none()) {
            let key_id = c.credential().key_id();
            let pk = self
                .issuers
                .get(&key_id)
                .ok_or_else(|| PrepareError::UnknownIssuer(key_id.to_string()))?;
            let prepared = PreparedCredential::new(c.credential(), pk, &self.link_secret).map_err(
                |source| PrepareError::Credential {
                    id: c.id.clone(),
                    source,
                },
            )?;
            c.prepared = Some(prepared);
            count += 1;
        }
        Ok(count)
    }

    /// The stored credentials, oldest first.
    #[must_use]
    pub fn credentials(&self) -> &[StoredCredential] {
        &self.credentials
    }

    /// A stored credential by id.
    #[must_use]
    pub fn credential(&self, id: &str) -> Option<&StoredCredential> {
        self.credentials.iter().find(|c| c.id == id)
    }

    /// Store a revocation registry public key (validated by
    /// [`RegistryPublicKey::from_json`]), pinned by id like issuer keys. Returns the id and
    /// whether it was new.
    ///
    /// # Errors
    /// [`AddPublicError::Invalid`] for bytes that do not validate.
    pub fn add_registry_key(&mut self, json: &[u8]) -> Result<(KeyId, bool), AddPublicError> {
        let rk = RegistryPublicKey::from_json(json).map_err(|e| AddPublicError::Invalid {
            what: "registry public key",
            reason: e.to_string(),
        })?;
        let id = rk.id();
        if self.registries.contains_key(&id) {
            return Ok((id, false));
        }
        self.registries.insert(id, rk);
        Ok((id, true))
    }

    /// Store range-proof parameters (validated by [`RangeParams::from_json`], which checks
    /// every digit signature), pinned by id. Returns the id and whether they were new.
    ///
    /// # Errors
    /// [`AddPublicError::Invalid`] for bytes that do not validate.
    pub fn add_range_params(&mut self, json: &[u8]) -> Result<(KeyId, bool), AddPublicError> {
        let rp = RangeParams::from_json(json).map_err(|e| AddPublicError::Invalid {
            what: "range-proof parameters",
            reason: e.to_string(),
        })?;
        let id = rp.id();
        if self.range_params.contains_key(&id) {
            return Ok((id, false));
        }
        self.range_params.insert(id, rp);
        Ok((id, true))
    }

    /// Stored range-proof parameters.
    #[must_use]
    pub fn range_params(&self, id: &KeyId) -> Option<&RangeParams> {
        self.range_params.get(id)
    }

    /// A stored registry key.
    #[must_use]
    pub fn registry_key(&self, id: &KeyId) -> Option<&RegistryPublicKey> {
        self.registries.get(id)
    }

    /// Store (or replace) the membership witness of a credential, as the authority sent it at
    /// enrollment. It must verify against the stored registry key and be for the credential's
    /// `revocation_id`.
    ///
    /// # Errors
    /// [`WitnessError`] naming the failed check.
    pub fn set_witness(
        &mut self,
        id: &str,
        registry: &KeyId,
        witness_json: &[u8],
    ) -> Result<(), WitnessError> {
        let rk = self
            .registries
            .get(registry)
            .ok_or_else(|| WitnessError::UnknownRegistry(registry.to_string()))?;
        let witness = MembershipWitness::from_json(witness_json, rk)?;
        let c = self
            .credentials
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or_else(|| WitnessError::UnknownCredential(id.to_owned()))?;
        let credential = match c.credential().attributes().get("revocation_id") {
            Some(AttributeValue::Uint(x)) => *x,
            _ => 0,
        };
        if credential != witness.revocation_id() {
            return Err(WitnessError::WrongRevocationId {
                witness: witness.revocation_id(),
                credential,
            });
        }
        c.witness = Some(StoredWitness {
            witness,
            revoked: false,
        });
        Ok(())
    }

    /// Bring every witness up to date with entries of the authority's public epoch log
    /// (entries already applied are skipped; the rest must be consecutive). A credential whose
    /// id an entry revokes is marked revoked and is no longer offered for queries that ask for
    /// non-revocation. All or nothing: on error no witness changes.
    ///
    /// # Errors
    /// [`WitnessError::Update`] for a gap in the entries or an internal failure.
    pub fn update_witnesses(
        &mut self,
        entries: &[EpochEntry],
    ) -> Result<WitnessUpdate, WitnessError> {
        let mut sorted: Vec<&EpochEntry> = entries.iter().collect();
        sorted.sort_by_key(|e| e.epoch());
        let mut report = WitnessUpdate::default();
        let mut staged = Vec::new();
        for (i, c) in self.credentials.iter().enumerate() {
            let Some(sw) = &c.witness else { continue };
            if sw.revoked {
                continue;
            }
            let mut w = sw.witness.clone();
            let mut revoked = false;
            let (registry, from) = (w.registry(), w.epoch());
            for e in sorted
                .iter()
                .filter(|e| e.registry() == registry && e.epoch() > from)
            {
                match w.update(e) {
                    Ok(()) => {}
                    Err(RevocationError::Revoked(_)) => {
                        revoked = true;
                        break;
                    }
                    Err(other) => return Err(other.into()),
                }
            }
            if revoked {
                report.revoked.push(c.id.clone());
                staged.push((i, sw.witness.clone(), true));
            } else if w.epoch() != sw.witness.epoch() {
                report.updated.push(c.id.clone());
                staged.push((i, w, false));
            }
        }
        for (i, witness, revoked) in staged {
            self.credentials[i].witness = Some(StoredWitness { witness, revoked });
        }
        Ok(report)
    }

    /// The disclosure history, oldest first.
    #[must_use]
    pub fn history(&self) -> &[Disclosure] {
        &self.history
    }

    /// Check whether the wallet can answer `request` at time `now` (Unix seconds), and what
    /// the presentation would reveal. Display the result to the holder before presenting.
    #[must_use]
    pub fn check_request(&self, request: &PresentationRequest, now: u64) -> RequestCheck {
        check(
            request,
            &self.credentials,
            |id| self.range_params.contains_key(id),
            now,
        )
    }

    /// Build a presentation answering `request` with the credentials
    /// [`Wallet::check_request`] chooses, and record it in the history (save afterwards).
    ///
    /// # Errors
    /// [`WalletPresentError::Unsatisfiable`] with the reason when no credential fits;
    /// [`WalletPresentError::Core`] when the core refuses.
    pub fn present(
        &mut self,
        rng: &mut (impl RngCore + CryptoRng),
        request: &PresentationRequest,
        now: u64,
    ) -> Result<(Presentation, RequestCheck), WalletPresentError> {
        let checked = self.check_request(request, now);
        if let Some(problem) = checked.problem() {
            return Err(WalletPresentError::Unsatisfiable(problem));
        }
        let mut chosen = Vec::with_capacity(checked.queries().len());
        for q in checked.queries() {
            let cred = q
                .chosen()
                .and_then(|id| self.credential(id))
                .ok_or_else(|| WalletPresentError::Unsatisfiable("no credential".to_owned()))?;
            let pk = self
                .issuers
                .get(&cred.credential().key_id())
                .ok_or_else(|| WalletPresentError::Unsatisfiable("issuer key missing".into()))?;
            // PRE-005 without pairings either way: the prepared credential or the checked one.
            let mut holding = match &cred.prepared {
                Some(p) => p.holding(),
                None => Holding::from_checked(&cred.credential, pk),
            };
            if let Some(w) = &cred.witness {
                holding = holding.with_witness(&w.witness);
            }
            chosen.push(holding);
        }
        let params: Vec<&RangeParams> = request
            .range_params()
            .and_then(|id| self.range_params.get(&id))
            .into_iter()
            .collect();
        let presentation =
            Presentation::create_with(rng, request, &chosen, &self.link_secret, &params)?;
        self.history.push(Disclosure {
            verifier_id: request.verifier_id().to_owned(),
            at: now,
            credential_ids: checked
                .queries()
                .iter()
                .filter_map(|q| q.chosen().map(str::to_owned))
                .collect(),
            disclosed: checked
                .queries()
                .iter()
                .flat_map(|q| q.reveal().iter().cloned())
                .collect(),
            proven: checked
                .queries()
                .iter()
                .flat_map(|q| q.proves().iter().cloned())
                .collect(),
            pseudonym: presentation.pseudonym().map(|n| n.to_string()),
        });
        Ok((presentation, checked))
    }
}
