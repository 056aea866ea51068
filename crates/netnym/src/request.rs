//! Presentation requests (spec/05-presentation.md §Request, `REQ-nnn`).
//!
//! A platform asks for one or more credentials; for each it names the schema, the issuer keys it
//! accepts and the attributes to disclose. The request carries the platform's verifier id, a
//! fresh nonce and a validity window. Its canonical digest is bound into the presentation's
//! Fiat–Shamir challenge, so a proof made for one request never verifies for another.

use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

use crate::encoding::{b64, check_envelope, parse_json, unb64, Transcript};
use crate::error::DecodeError;
use crate::keys::KeyId;
use crate::predicate::Predicate;
use crate::schema::Date;

const REQUEST_TYPE: &str = "netnym-presentation-request";
/// Largest request JSON accepted, in bytes.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// Shortest nonce accepted, in bytes (REQ-002: at least 128 bits).
pub const MIN_NONCE_LEN: usize = 16;
/// Longest nonce accepted, in bytes.
pub const MAX_NONCE_LEN: usize = 64;
/// Longest validity window of a request, in seconds (REQ-004).
pub const MAX_REQUEST_TTL: u64 = 24 * 3600;
/// Clock skew tolerated before `created_at`, in seconds (VER-004).
pub const CLOCK_SKEW: u64 = 300;
/// Most credential queries in one request (REQ-005).
pub const MAX_QUERIES: usize = 8;
/// Most accepted issuer keys in one query (REQ-006).
pub const MAX_ACCEPTED_KEYS: usize = 16;
/// Most predicates in one query (REQ-007).
pub const MAX_PREDICATES: usize = 8;

/// What a request asks of one credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialQuery {
    pub(crate) schema_id: String,
    issuer_key_ids: Vec<KeyId>,
    pub(crate) disclose: Vec<String>,
    predicates: Vec<Predicate>,
    non_revoked: Option<NonRevocation>,
}

/// A query's non-revocation condition (REV-008): the credential's `attribute` (a uint, by
/// default `revocation_id`) is a member of registry `registry`'s accumulator at some epoch in
/// `min_epoch..=max_epoch`. The verifier chooses the window; a window that excludes old epochs
/// rejects presentations against a stale accumulator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NonRevocation {
    /// The registry id.
    pub registry_id: KeyId,
    /// The attribute holding the revocation id.
    #[serde(default = "default_revocation_attribute")]
    pub attribute: String,
    /// Oldest accepted epoch.
    pub min_epoch: u64,
    /// Newest accepted epoch.
    pub max_epoch: u64,
}

fn default_revocation_attribute() -> String {
    "revocation_id".to_owned()
}

impl NonRevocation {
    /// Membership of `revocation_id` in `registry_id` at an epoch in `min_epoch..=max_epoch`.
    #[must_use]
    pub fn new(registry_id: KeyId, min_epoch: u64, max_epoch: u64) -> Self {
        Self {
            registry_id,
            attribute: default_revocation_attribute(),
            min_epoch,
            max_epoch,
        }
    }
}

impl CredentialQuery {
    /// Ask for a credential of `schema_id` from one of `issuer_key_ids`, disclosing `disclose`.
    ///
    /// # Errors
    /// [`DecodeError::InvalidField`] when the query breaks REQ-006.
    pub fn new(
        schema_id: &str,
        issuer_key_ids: impl IntoIterator<Item = KeyId>,
        disclose: impl IntoIterator<Item = String>,
    ) -> Result<Self, DecodeError> {
        let mut issuer_key_ids: Vec<KeyId> = issuer_key_ids.into_iter().collect();
        let mut disclose: Vec<String> = disclose.into_iter().collect();
        let invalid = |field, reason: String| DecodeError::InvalidField { field, reason };
        // REQ-006
        if schema_id.is_empty() || schema_id.len() > 128 {
            return Err(invalid("schema_id", "must be 1..=128 bytes".to_owned()));
        }
        if issuer_key_ids.is_empty() || issuer_key_ids.len() > MAX_ACCEPTED_KEYS {
            return Err(invalid(
                "issuer_key_ids",
                format!("must list 1..={MAX_ACCEPTED_KEYS} keys"),
            ));
        }
        issuer_key_ids.sort();
        if issuer_key_ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(invalid("issuer_key_ids", "lists a key twice".to_owned()));
        }
        if disclose.len() > crate::MAX_ATTRIBUTES {
            return Err(invalid("disclose", "too many attributes".to_owned()));
        }
        disclose.sort();
        if disclose.windows(2).any(|w| w[0] == w[1]) {
            return Err(invalid("disclose", "names an attribute twice".to_owned()));
        }
        if disclose.iter().any(|n| n.is_empty() || n.len() > 64) {
            return Err(invalid(
                "disclose",
                "attribute names are 1..=64 bytes".to_owned(),
            ));
        }
        Ok(Self {
            schema_id: schema_id.to_owned(),
            issuer_key_ids,
            disclose,
            predicates: Vec::new(),
            non_revoked: None,
        })
    }

    /// Require proof of non-revocation (REQ-008: `min_epoch <= max_epoch`, attribute name 1..=64
    /// bytes).
    ///
    /// # Errors
    /// [`DecodeError::InvalidField`] when the condition breaks REQ-008.
    pub fn with_non_revocation(mut self, condition: NonRevocation) -> Result<Self, DecodeError> {
        if condition.min_epoch > condition.max_epoch {
            return Err(DecodeError::InvalidField {
                field: "non_revoked",
                reason: "min_epoch is after max_epoch".to_owned(),
            });
        }
        if condition.attribute.is_empty() || condition.attribute.len() > 64 {
            return Err(DecodeError::InvalidField {
                field: "non_revoked",
                reason: "attribute names are 1..=64 bytes".to_owned(),
            });
        }
        self.non_revoked = Some(condition);
        Ok(self)
    }

    /// The non-revocation condition, if any.
    #[must_use]
    pub fn non_revoked(&self) -> Option<&NonRevocation> {
        self.non_revoked.as_ref()
    }

    /// Add predicates on hidden attributes (REQ-007: at most [`MAX_PREDICATES`]).
    ///
    /// # Errors
    /// [`DecodeError::InvalidField`] when there are too many.
    pub fn with_predicates(
        mut self,
        predicates: impl IntoIterator<Item = Predicate>,
    ) -> Result<Self, DecodeError> {
        self.predicates.extend(predicates);
        if self.predicates.len() > MAX_PREDICATES {
            return Err(DecodeError::InvalidField {
                field: "predicates",
                reason: format!("at most {MAX_PREDICATES} predicates per credential"),
            });
        }
        Ok(self)
    }

    /// The schema id asked for.
    #[must_use]
    pub fn schema_id(&self) -> &str {
        &self.schema_id
    }
    /// The accepted issuer keys, sorted.
    #[must_use]
    pub fn issuer_key_ids(&self) -> &[KeyId] {
        &self.issuer_key_ids
    }
    /// The attributes to disclose, sorted by name.
    #[must_use]
    pub fn disclose(&self) -> &[String] {
        &self.disclose
    }
    /// The predicates on hidden attributes.
    #[must_use]
    pub fn predicates(&self) -> &[Predicate] {
        &self.predicates
    }
}

/// A platform's presentation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentationRequest {
    pub(crate) verifier_id: String,
    pub(crate) nonce: Vec<u8>,
    pub(crate) created_at: u64,
    pub(crate) expires_at: u64,
    pub(crate) credentials: Vec<CredentialQuery>,
    pub(crate) pseudonym: bool,
    pub(crate) range_params: Option<KeyId>,
    pub(crate) digest: [u8; 32],
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryWire {
    schema_id: String,
    issuer_key_ids: Vec<String>,
    disclose: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    predicates: Vec<Predicate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    non_revoked: Option<NonRevocation>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    verifier_id: String,
    nonce: String,
    created_at: u64,
    expires_at: u64,
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pseudonym: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    range_params: Option<KeyId>,
    credentials: Vec<QueryWire>,
}

impl PresentationRequest {
    /// A new request with a fresh 32-byte nonce, valid from `now` for `ttl` seconds.
    ///
    /// # Errors
    /// [`DecodeError::InvalidField`] when the result would break REQ-003..REQ-005.
    pub fn new(
        rng: &mut (impl RngCore + CryptoRng),
        verifier_id: &str,
        now: u64,
        ttl: u64,
        credentials: Vec<CredentialQuery>,
    ) -> Result<Self, DecodeError> {
        let mut nonce = vec![0u8; 32];
        rng.fill_bytes(&mut nonce);
        Self::from_parts(
            verifier_id.to_owned(),
            nonce,
            now,
            now.saturating_add(ttl),
            credentials,
            false,
        )
    }

    /// Ask for a per-platform pseudonym (scope: the verifier id) linked to the credentials'
    /// link secret (NYM-001).
    #[must_use]
    pub fn with_pseudonym(mut self) -> Self {
        self.pseudonym = true;
        self.digest = self.compute_digest();
        self
    }

    /// Name the range-proof parameters predicates are proven with (REQ-009: a request whose
    /// queries have predicates needs them to be answerable; without them the wallet refuses,
    /// PRE-010, and the verifier rejects, VER-020).
    #[must_use]
    pub fn with_range_params(mut self, id: KeyId) -> Self {
        self.range_params = Some(id);
        self.digest = self.compute_digest();
        self
    }

    /// The range-proof parameters' id, if predicates are asked for.
    #[must_use]
    pub fn range_params(&self) -> Option<KeyId> {
        self.range_params
    }

    fn from_parts(
        verifier_id: String,
        nonce: Vec<u8>,
        created_at: u64,
        expires_at: u64,
        credentials: Vec<CredentialQuery>,
        pseudonym: bool,
    ) -> Result<Self, DecodeError> {
        let invalid = |field, reason: &str| DecodeError::InvalidField {
            field,
            reason: reason.to_owned(),
        };
        // REQ-002
        if !(MIN_NONCE_LEN..=MAX_NONCE_LEN).contains(&nonce.len()) {
            return Err(DecodeError::Length {
                field: "nonce",
                expected: MIN_NONCE_LEN.max(nonce.len().min(MAX_NONCE_LEN)),
                actual: nonce.len(),
            });
        }
        // REQ-003
        if verifier_id.is_empty()
            || verifier_id.len() > 255
            || !verifier_id.bytes().all(|c| (0x21..=0x7e).contains(&c))
        {
            return Err(invalid(
                "verifier_id",
                "must be 1..=255 printable ASCII characters without spaces",
            ));
        }
        // REQ-004
        if expires_at <= created_at || expires_at - created_at > MAX_REQUEST_TTL {
            return Err(invalid(
                "expires_at",
                "must be after created_at by at most 24 hours",
            ));
        }
        // REQ-005
        if credentials.is_empty() || credentials.len() > MAX_QUERIES {
            return Err(invalid("credentials", "must hold 1..=8 credential queries"));
        }
        let mut r = Self {
            verifier_id,
            nonce,
            created_at,
            expires_at,
            credentials,
            pseudonym,
            range_params: None,
            digest: [0u8; 32],
        };
        r.digest = r.compute_digest();
        Ok(r)
    }

    /// The canonical digest bound into every presentation for this request.
    pub(crate) fn compute_digest(&self) -> [u8; 32] {
        let mut t = Transcript::new(b"NetNym-v1:presentation-request");
        t.append_u64(b"version", crate::WIRE_VERSION);
        t.append(b"verifier_id", self.verifier_id.as_bytes());
        t.append(b"nonce", &self.nonce);
        t.append_u64(b"created_at", self.created_at);
        t.append_u64(b"expires_at", self.expires_at);
        t.append_u64(b"pseudonym", u64::from(self.pseudonym));
        match &self.range_params {
            None => t.append_u64(b"range_params", 0),
            Some(id) => {
                t.append_u64(b"range_params", 1);
                t.append(b"range_params_id", id.as_bytes());
            }
        }
        t.append_u64(b"queries", self.credentials.len() as u64);
        for q in &self.credentials {
            t.append(b"schema_id", q.schema_id.as_bytes());
            t.append_u64(b"keys", q.issuer_key_ids.len() as u64);
            for k in &q.issuer_key_ids {
                t.append(b"key_id", k.as_bytes());
            }
            t.append_u64(b"disclose", q.disclose.len() as u64);
            for n in &q.disclose {
                t.append(b"name", n.as_bytes());
            }
            t.append_u64(b"predicates", q.predicates.len() as u64);
            for p in &q.predicates {
                // serde_json writes our predicate types deterministically.
                t.append(b"predicate", &serde_json::to_vec(p).unwrap_or_default());
            }
            match &q.non_revoked {
                None => t.append_u64(b"non_revoked", 0),
                Some(nr) => {
                    t.append_u64(b"non_revoked", 1);
                    t.append(b"registry_id", nr.registry_id.as_bytes());
                    t.append(b"attribute", nr.attribute.as_bytes());
                    t.append_u64(b"min_epoch", nr.min_epoch);
                    t.append_u64(b"max_epoch", nr.max_epoch);
                }
            }
        }
        t.digest()
    }

    /// JSON form.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(&RequestWire {
            ty: REQUEST_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            verifier_id: self.verifier_id.clone(),
            nonce: b64(&self.nonce),
            created_at: self.created_at,
            expires_at: self.expires_at,
            pseudonym: self.pseudonym,
            range_params: self.range_params,
            credentials: self
                .credentials
                .iter()
                .map(|q| QueryWire {
                    schema_id: q.schema_id.clone(),
                    issuer_key_ids: q.issuer_key_ids.iter().map(ToString::to_string).collect(),
                    disclose: q.disclose.clone(),
                    predicates: q.predicates.clone(),
                    non_revoked: q.non_revoked.clone(),
                })
                .collect(),
        })
        .unwrap_or_default()
    }

    /// Parse and validate (REQ-001..REQ-006).
    ///
    /// # Errors
    /// [`DecodeError`] naming the rule or field at fault.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DecodeError> {
        let w: RequestWire = parse_json(bytes, MAX_REQUEST_BYTES)?;
        check_envelope(REQUEST_TYPE, &w.ty, w.version)?;
        if w.credentials.len() > MAX_QUERIES {
            return Err(DecodeError::InvalidField {
                field: "credentials",
                reason: "must hold 1..=8 credential queries".to_owned(),
            });
        }
        let mut queries = Vec::with_capacity(w.credentials.len());
        for q in w.credentials {
            if q.issuer_key_ids.len() > MAX_ACCEPTED_KEYS {
                return Err(DecodeError::InvalidField {
                    field: "issuer_key_ids",
                    reason: format!("must list 1..={MAX_ACCEPTED_KEYS} keys"),
                });
            }
            let keys = q
                .issuer_key_ids
                .iter()
                .map(|k| KeyId::parse(k))
                .collect::<Result<Vec<_>, _>>()?;
            let mut query = CredentialQuery::new(&q.schema_id, keys, q.disclose)?
                .with_predicates(q.predicates)?;
            if let Some(nr) = q.non_revoked {
                query = query.with_non_revocation(nr)?;
            }
            queries.push(query);
        }
        let nonce = unb64("nonce", &w.nonce)?;
        // REQ-009 is not a decoding rule: a request with predicates and no `range_params` is
        // well-formed (the builder can make one) but unanswerable (PRE-010, VER-020).
        let mut r = Self::from_parts(
            w.verifier_id,
            nonce,
            w.created_at,
            w.expires_at,
            queries,
            w.pseudonym,
        )?;
        if let Some(id) = w.range_params {
            r = r.with_range_params(id);
        }
        Ok(r)
    }

    /// The platform's verifier id, also the pseudonym scope (NYM-001).
    #[must_use]
    pub fn verifier_id(&self) -> &str {
        &self.verifier_id
    }
    /// The nonce.
    #[must_use]
    pub fn nonce(&self) -> &[u8] {
        &self.nonce
    }
    /// Creation time, Unix seconds.
    #[must_use]
    pub fn created_at(&self) -> u64 {
        self.created_at
    }
    /// Expiry time, Unix seconds.
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }
    /// The credential queries.
    #[must_use]
    pub fn credentials(&self) -> &[CredentialQuery] {
        &self.credentials
    }
    /// Whether a per-platform pseudonym is asked for.
    #[must_use]
    pub fn pseudonym(&self) -> bool {
        self.pseudonym
    }
    /// The reference date of age predicates: the UTC date of `created_at` (PRD-001).
    #[must_use]
    pub fn reference_date(&self) -> Date {
        Date::from_unix(self.created_at).unwrap_or(Date::MAX)
    }
    /// The canonical digest (spec/05-presentation.md §Request digest).
    #[must_use]
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }
}
