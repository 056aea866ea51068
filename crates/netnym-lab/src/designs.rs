//! The four designs the lab compares, implemented as the systems they model, and what each one
//! shows a platform (a [`View`]).
//!
//! - [`Design::Central`] (a): the seed system. The authority enrolls a citizen under one
//!   *network number* and signs a certificate on it (Ed25519). Every platform receives the number
//!   and the certificate and verifies **online through the authority**, which checks the
//!   certificate, **logs the login** (number, platform) and returns the attributes the platform
//!   asked for.
//! - [`Design::SaltedHash`] (b): SD-JWT / mdoc-style selective disclosure. The issuer salts and
//!   hashes every attribute, signs the digest list and the holder's binding key once (Ed25519),
//!   and the holder shows the **same signed payload and signature** to every platform with the
//!   disclosures asked for and a fresh key-binding signature over the platform's nonce.
//! - [`Design::NetNymUnique`] (c): NetNym (real blind issuance, a revocation registry and
//!   zero-knowledge presentations with non-revocation proofs, from the core library), but the
//!   platform asks for `document_number` besides its attributes.
//! - [`Design::NetNymPredicates`] (d): NetNym where the platform asks only for predicates
//!   (`CredentialQuery::with_predicates`), non-revocation and a per-platform pseudonym
//!   (`PresentationRequest::with_pseudonym`), disclosing no attribute.
//!
//! A NetNym deployment can also be built with a [`Flaw`] (the positive controls of
//! `crate::controls`): [`Deployment::with_flaw`].
//!
//! Every login here is real: signatures are made and checked, NetNym presentations are created
//! and verified by the core [`netnym::Verifier`]; a failed check is an error, never skipped.

mod deploy;
mod wire;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier as _, VerifyingKey};
use rand::Rng;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use netnym::{Issuer, Predicate, RevocationAuthority, Schema};

pub use self::deploy::{IssuanceTranscript, RANGE_BASE, REGISTRY_DOMAIN, STUCK_VALUE};
use self::deploy::{NetNym, NetNymHolder};
pub use self::wire::{netnym_view, transcript_view};
use crate::flaw::Flaw;
use crate::population::Population;

/// A design under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Design {
    /// (a) One network number and certificate, verified online by a logging authority.
    Central,
    /// (b) Salted-hash selective disclosure with one reused issuer signature.
    SaltedHash,
    /// (c) NetNym disclosing a unique attribute (`document_number`).
    NetNymUnique,
    /// (d) NetNym with predicates and per-platform pseudonyms only.
    NetNymPredicates,
}

impl Design {
    /// Every design, in report order.
    pub const ALL: [Self; 4] = [
        Self::Central,
        Self::SaltedHash,
        Self::NetNymUnique,
        Self::NetNymPredicates,
    ];

    /// Short stable id used in JSON and plots.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::Central => "a-central",
            Self::SaltedHash => "b-salted-hash",
            Self::NetNymUnique => "c-netnym-unique",
            Self::NetNymPredicates => "d-netnym-predicates",
        }
    }

    /// One-line description.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::Central => {
                "central: one network number + certificate, online check, authority logs logins"
            }
            Self::SaltedHash => {
                "salted-hash SD (SD-JWT/mdoc pattern): one Ed25519 signature reused"
            }
            Self::NetNymUnique => {
                "NetNym (with non-revocation), platform also asks for document_number"
            }
            Self::NetNymPredicates => {
                "NetNym, predicates + non-revocation + per-platform pseudonym only"
            }
        }
    }

    /// Parse an id (as in [`Design::id`]) or its letter.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|d| d.id() == s || d.id().split('-').next() == Some(s))
    }
}

/// The role of a component in what a platform receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ComponentKind {
    /// What the platform keeps as the result: disclosed values, identifiers, certificates,
    /// signatures it checked, pseudonyms.
    Claim,
    /// Cryptographic proof material.
    Proof,
    /// Framing chosen by the verifier or the same for everyone (nonce, key id, schema id).
    Envelope,
}

/// One named piece of what a platform receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Stable name, e.g. `cred0.proof.A_bar`.
    pub name: String,
    /// Its role.
    pub kind: ComponentKind,
    /// Its bytes (decoded from the wire form).
    pub bytes: Vec<u8>,
}

/// Everything one party received in one login, split into components.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    /// The components, in wire order.
    pub components: Vec<Component>,
}

impl View {
    pub(crate) fn push(
        &mut self,
        name: impl Into<String>,
        kind: ComponentKind,
        bytes: impl Into<Vec<u8>>,
    ) {
        self.components.push(Component {
            name: name.into(),
            kind,
            bytes: bytes.into(),
        });
    }

    /// Total size in bytes.
    #[must_use]
    pub fn byte_len(&self) -> usize {
        self.components.iter().map(|c| c.bytes.len()).sum()
    }
}

/// What a platform asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The platform's verifier id (also the pseudonym scope in design d).
    pub verifier_id: String,
    /// Attributes the platform collects in designs a-c.
    pub disclose: Vec<String>,
    /// The predicates that express what it needs, asked in design d (and gating who can have an
    /// account there in every design).
    pub predicates: Vec<Predicate>,
}

/// One login: what the platform saw and, in design a, what the authority logged.
#[derive(Debug, Clone)]
pub struct Login {
    /// The platform's view.
    pub platform: View,
    /// The authority's log entry (design a only).
    pub authority: Option<View>,
}

/// Errors of a simulated deployment (real cryptographic checks that failed).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DesignError {
    /// A core-library operation failed.
    #[error("core library: {0}")]
    Core(String),
    /// A baseline's signature or digest check failed.
    #[error("baseline verification failed: {0}")]
    Baseline(&'static str),
    /// The holder's credential does not belong to this deployment.
    #[error("holder was enrolled in another design")]
    WrongHolder,
    /// A flaw (positive control) was asked of a design it does not apply to.
    #[error("flaw {0} applies to the NetNym designs only")]
    FlawNotApplicable(&'static str),
}

pub(crate) fn core_err(e: impl core::fmt::Display) -> DesignError {
    DesignError::Core(e.to_string())
}

/// The attributes of person `index` as `cn-network-id/v1` JSON.
#[must_use]
pub fn person_attributes(pop: &Population, index: usize) -> serde_json::Value {
    let p = pop.people()[index];
    let date = |d: u32| netnym::Date::from_days(d).map_or_else(String::new, |d| d.to_string());
    serde_json::json!({
        "revocation_id": index as u64 + 1,
        "document_type": "01",
        "document_number": pop.document_number(index),
        "family_name": format!("family{:03}", p.family),
        "given_name": format!("given{:04}", p.given),
        "birth_date": date(p.birth),
        "region": format!("{:06}", p.region),
        "nationality": "CHN",
        "issued_on": date(p.issued),
        "expires_on": date(p.issued + 3_652),
    })
}

/// A holder enrolled in one deployment.
pub struct Holder {
    inner: HolderInner,
}

impl core::fmt::Debug for Holder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Holder").finish_non_exhaustive()
    }
}

enum HolderInner {
    Central {
        number: String,
        certificate: [u8; 64],
        attributes: serde_json::Value,
    },
    SaltedHash {
        payload: Vec<u8>,
        signature: [u8; 64],
        disclosures: Vec<(String, Vec<u8>)>,
        binding_key: Box<SigningKey>,
    },
    NetNym(Box<NetNymHolder>),
}

impl Holder {
    /// What the authority kept from this holder's enrollment (NetNym designs only).
    #[must_use]
    pub fn transcript(&self) -> Option<&IssuanceTranscript> {
        match &self.inner {
            HolderInner::NetNym(h) => Some(&h.transcript),
            _ => None,
        }
    }
}

/// A deployment of one design: its authority/issuer keys and verification logic.
pub struct Deployment {
    design: Design,
    flaw: Option<Flaw>,
    inner: DeploymentInner,
}

impl core::fmt::Debug for Deployment {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Deployment")
            .field("design", &self.design)
            .field("flaw", &self.flaw)
            .finish_non_exhaustive()
    }
}

enum DeploymentInner {
    Ed25519(Box<SigningKey>),
    NetNym(Box<NetNym>),
}

const CENTRAL_DST: &[u8] = b"netnym-lab/central/certificate/v1";
const KB_DST: &[u8] = b"netnym-lab/sd/key-binding/v1";

impl Deployment {
    /// Set up the authority of `design` with fresh keys from `rng`.
    ///
    /// # Errors
    /// [`DesignError::Core`] if the core library refuses a setup step (never expected).
    pub fn new(design: Design, rng: &mut ChaCha20Rng) -> Result<Self, DesignError> {
        Self::with_flaw(design, None, rng)
    }

    /// Set up `design` with a deliberate `flaw` (a positive control, `crate::controls`).
    /// Flaws break NetNym: they apply to designs c and d only.
    ///
    /// # Errors
    /// [`DesignError::FlawNotApplicable`] for a flaw on a baseline; [`DesignError::Core`] if
    /// the core library refuses a setup step.
    pub fn with_flaw(
        design: Design,
        flaw: Option<Flaw>,
        rng: &mut ChaCha20Rng,
    ) -> Result<Self, DesignError> {
        let inner = match (design, flaw) {
            (Design::Central | Design::SaltedHash, None) => {
                DeploymentInner::Ed25519(Box::new(SigningKey::generate(rng)))
            }
            (Design::Central | Design::SaltedHash, Some(f)) => {
                return Err(DesignError::FlawNotApplicable(f.id()))
            }
            (Design::NetNymUnique | Design::NetNymPredicates, _) => {
                DeploymentInner::NetNym(Box::new(NetNym::new(flaw, rng)?))
            }
        };
        Ok(Self {
            design,
            flaw,
            inner,
        })
    }

    /// The flaw this deployment was built with.
    #[must_use]
    pub fn flaw(&self) -> Option<Flaw> {
        self.flaw
    }

    /// The authority's secrets and public setup, as the authority holds them: its issuer(s)
    /// (secret keys included), its revocation registry (secret key `α` included) and the
    /// schema. `None` for the baselines.
    #[must_use]
    pub fn netnym_authority(&self) -> Option<(&[Issuer], &RevocationAuthority, &Schema)> {
        match &self.inner {
            DeploymentInner::NetNym(n) => Some((n.issuers(), n.registry(), n.schema())),
            DeploymentInner::Ed25519(_) => None,
        }
    }

    /// The design.
    #[must_use]
    pub fn design(&self) -> Design {
        self.design
    }

    /// Enroll a holder with `attributes` (`cn-network-id/v1` JSON).
    ///
    /// # Errors
    /// [`DesignError`] when issuance fails.
    pub fn enroll(
        &self,
        rng: &mut ChaCha20Rng,
        attributes: &serde_json::Value,
    ) -> Result<Holder, DesignError> {
        let inner = match (&self.inner, self.design) {
            (DeploymentInner::Ed25519(key), Design::Central) => {
                let number: String = (0..18)
                    .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
                    .collect();
                let certificate = key.sign(&[CENTRAL_DST, number.as_bytes()].concat());
                HolderInner::Central {
                    number,
                    certificate: certificate.to_bytes(),
                    attributes: attributes.clone(),
                }
            }
            (DeploymentInner::Ed25519(key), _) => {
                let binding_key = SigningKey::generate(rng);
                let obj = attributes
                    .as_object()
                    .ok_or(DesignError::Baseline("attributes are not an object"))?;
                let mut disclosures = Vec::with_capacity(obj.len());
                let mut digests = Vec::with_capacity(obj.len());
                for (name, value) in obj {
                    let mut salt = [0u8; 16];
                    rng.fill(&mut salt);
                    let d = serde_json::to_vec(&serde_json::json!([
                        URL_SAFE_NO_PAD.encode(salt),
                        name,
                        value
                    ]))
                    .map_err(core_err)?;
                    digests.push(URL_SAFE_NO_PAD.encode(Sha256::digest(&d)));
                    disclosures.push((name.clone(), d));
                }
                digests.sort();
                let payload = serde_json::to_vec(&serde_json::json!({
                    "iss": "authority.example",
                    "_sd": digests,
                    "cnf": URL_SAFE_NO_PAD.encode(binding_key.verifying_key().to_bytes()),
                }))
                .map_err(core_err)?;
                let signature = key.sign(&payload).to_bytes();
                HolderInner::SaltedHash {
                    payload,
                    signature,
                    disclosures,
                    binding_key: Box::new(binding_key),
                }
            }
            (DeploymentInner::NetNym(n), _) => {
                HolderInner::NetNym(Box::new(n.enroll(rng, attributes)?))
            }
        };
        Ok(Holder { inner })
    }

    /// One login of `holder` at the platform with `policy`: the platform makes a request with a
    /// fresh nonce, the holder answers, the platform (and in design a the authority) verifies.
    ///
    /// # Errors
    /// [`DesignError`] when the holder cannot answer or verification fails.
    pub fn login(
        &self,
        rng: &mut ChaCha20Rng,
        holder: &Holder,
        policy: &Policy,
    ) -> Result<Login, DesignError> {
        if let (DeploymentInner::NetNym(n), HolderInner::NetNym(h)) = (&self.inner, &holder.inner) {
            return n.login(self.design, rng, h, policy);
        }
        let mut nonce = [0u8; 32];
        rng.fill(&mut nonce);
        match (&self.inner, &holder.inner) {
            (
                DeploymentInner::Ed25519(key),
                HolderInner::Central {
                    number,
                    certificate,
                    attributes,
                },
            ) => {
                // The platform forwards number + certificate to the authority, which checks the
                // certificate, logs the login and returns the requested attributes.
                let cert = Signature::from_bytes(certificate);
                key.verifying_key()
                    .verify(&[CENTRAL_DST, number.as_bytes()].concat(), &cert)
                    .map_err(|_| DesignError::Baseline("certificate"))?;
                let mut session = [0u8; 16];
                rng.fill(&mut session);
                let mut log = View::default();
                log.push("central.number", ComponentKind::Claim, number.as_bytes());
                log.push(
                    "log.platform",
                    ComponentKind::Envelope,
                    policy.verifier_id.as_bytes(),
                );
                let mut view = View::default();
                view.push("nonce", ComponentKind::Envelope, nonce);
                view.push("central.number", ComponentKind::Claim, number.as_bytes());
                view.push("central.certificate", ComponentKind::Claim, *certificate);
                view.push("central.session", ComponentKind::Envelope, session);
                for name in &policy.disclose {
                    let v = attributes
                        .get(name)
                        .ok_or(DesignError::Baseline("attribute"))?;
                    view.push(
                        format!("central.attr.{name}"),
                        ComponentKind::Claim,
                        serde_json::to_vec(v).map_err(core_err)?,
                    );
                }
                Ok(Login {
                    platform: view,
                    authority: Some(log),
                })
            }
            (
                DeploymentInner::Ed25519(key),
                HolderInner::SaltedHash {
                    payload,
                    signature,
                    disclosures,
                    binding_key,
                },
            ) => {
                let shown: Vec<&(String, Vec<u8>)> = disclosures
                    .iter()
                    .filter(|(n, _)| policy.disclose.contains(n))
                    .collect();
                let mut kb_msg = [KB_DST, policy.verifier_id.as_bytes(), &nonce].concat();
                kb_msg.extend_from_slice(&Sha256::digest(payload));
                for (_, d) in &shown {
                    kb_msg.extend_from_slice(&Sha256::digest(d));
                }
                let kb = binding_key.sign(&kb_msg);
                verify_salted_hash(
                    &key.verifying_key(),
                    payload,
                    signature,
                    &shown,
                    &kb_msg,
                    &kb,
                )?;
                let mut view = View::default();
                view.push("nonce", ComponentKind::Envelope, nonce);
                view.push("sd.payload", ComponentKind::Claim, payload.clone());
                view.push("sd.signature", ComponentKind::Claim, *signature);
                for (name, d) in shown {
                    view.push(
                        format!("sd.disclosure.{name}"),
                        ComponentKind::Claim,
                        d.clone(),
                    );
                }
                view.push("sd.kb_signature", ComponentKind::Proof, kb.to_bytes());
                Ok(Login {
                    platform: view,
                    authority: None,
                })
            }
            _ => Err(DesignError::WrongHolder),
        }
    }

    /// What the authority itself knows about `holder` after enrolling it with `attributes`,
    /// under the component names of the views (the collusion simulation's register, and the
    /// start of the authority's record in the unlinkability experiment's authority views): every
    /// attribute; in design a the number and certificate; in b the signed payload, the
    /// signature and every disclosure (the issuer chose the salts); in c and d the issuer key and
    /// schema, never the link secret.
    #[must_use]
    pub fn register_view(&self, holder: &Holder, attributes: &serde_json::Value) -> View {
        let mut view = View::default();
        let empty = serde_json::Map::new();
        let attrs = attributes.as_object().unwrap_or(&empty);
        match (&self.inner, &holder.inner) {
            (
                _,
                HolderInner::Central {
                    number,
                    certificate,
                    ..
                },
            ) => {
                view.push("central.number", ComponentKind::Claim, number.as_bytes());
                view.push("central.certificate", ComponentKind::Claim, *certificate);
                for (name, v) in attrs {
                    view.push(
                        format!("central.attr.{name}"),
                        ComponentKind::Claim,
                        serde_json::to_vec(v).unwrap_or_default(),
                    );
                }
            }
            (
                _,
                HolderInner::SaltedHash {
                    payload,
                    signature,
                    disclosures,
                    ..
                },
            ) => {
                view.push("sd.payload", ComponentKind::Claim, payload.clone());
                view.push("sd.signature", ComponentKind::Claim, *signature);
                for (name, d) in disclosures {
                    view.push(
                        format!("sd.disclosure.{name}"),
                        ComponentKind::Claim,
                        d.clone(),
                    );
                }
            }
            (DeploymentInner::NetNym(n), HolderInner::NetNym(h)) => {
                let (pk, schema) = (n.public_key(h), n.schema());
                view.push("type", ComponentKind::Envelope, "netnym-presentation");
                view.push(
                    "version",
                    ComponentKind::Envelope,
                    netnym::WIRE_VERSION.to_string(),
                );
                view.push(
                    "credentials.0.issuer_key_id",
                    ComponentKind::Envelope,
                    pk.key_id().to_string(),
                );
                view.push(
                    "credentials.0.schema_id",
                    ComponentKind::Envelope,
                    schema.id(),
                );
                for (name, v) in attrs {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    view.push(
                        format!("credentials.0.disclosed.{name}"),
                        ComponentKind::Claim,
                        text.into_bytes(),
                    );
                }
            }
            (DeploymentInner::Ed25519(_), HolderInner::NetNym { .. }) => {}
        }
        view
    }
}

fn verify_salted_hash(
    issuer: &VerifyingKey,
    payload: &[u8],
    signature: &[u8; 64],
    shown: &[&(String, Vec<u8>)],
    kb_msg: &[u8],
    kb: &Signature,
) -> Result<(), DesignError> {
    issuer
        .verify(payload, &Signature::from_bytes(signature))
        .map_err(|_| DesignError::Baseline("issuer signature"))?;
    let parsed: serde_json::Value =
        serde_json::from_slice(payload).map_err(|_| DesignError::Baseline("payload"))?;
    let digests = parsed["_sd"]
        .as_array()
        .ok_or(DesignError::Baseline("payload digests"))?;
    for (_, d) in shown {
        let h = serde_json::Value::String(URL_SAFE_NO_PAD.encode(Sha256::digest(d)));
        if !digests.contains(&h) {
            return Err(DesignError::Baseline("disclosure digest"));
        }
    }
    let cnf = parsed["cnf"]
        .as_str()
        .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or(DesignError::Baseline("binding key"))?;
    cnf.verify(kb_msg, kb)
        .map_err(|_| DesignError::Baseline("key-binding signature"))
}

/// Hands out fixed bytes as "randomness": lets the platform choose the nonce that the core's
/// `PresentationRequest::new` draws. Only used for nonces, never for secrets.
struct FixedBytes(Vec<u8>);

impl rand_core::RngCore for FixedBytes {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }
    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for (i, b) in dest.iter_mut().enumerate() {
            *b = self.0.get(i % self.0.len().max(1)).copied().unwrap_or(0);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl rand_core::CryptoRng for FixedBytes {}
