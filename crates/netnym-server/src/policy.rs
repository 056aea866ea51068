//! A platform's verification policy (JSON or TOML), validated at load.

use std::path::Path;

use netnym::{
    CredentialQuery, Date, DecodeError, IssuerPublicKey, KeyId, NonRevocation, Predicate,
    PresentationRequest, Schema, CN_NETWORK_ID_V1,
};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

mod oidc;

pub use self::oidc::{OidcClient, OidcClientPolicy, OidcPolicy, OidcSettings};

/// Longest request validity (the core's `MAX_REQUEST_TTL`).
pub const MAX_VALIDITY_SECONDS: u64 = 86_400;

/// A policy could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The file cannot be read.
    #[error("cannot read policy file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid JSON/TOML for a policy.
    #[error("policy file is not valid {format}: {detail}")]
    Syntax {
        /// `JSON` or `TOML`.
        format: &'static str,
        /// Parser message (with position).
        detail: String,
    },
    /// A field is invalid.
    #[error("invalid policy: {0}")]
    Invalid(String),
}

fn default_schema() -> String {
    CN_NETWORK_ID_V1.to_owned()
}
fn default_true() -> bool {
    true
}
fn default_validity() -> u64 {
    300
}
fn default_window() -> u64 {
    1
}

/// The policy file's contents (field names as in API.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The verifier id (pseudonym scope), 1..=128 bytes.
    pub verifier_id: String,
    /// Accepted issuer key ids (64 hex each).
    pub issuer_key_ids: Vec<String>,
    /// The credential schema (default `cn-network-id/v1`).
    #[serde(default = "default_schema")]
    pub schema_id: String,
    /// Attributes to disclose.
    #[serde(default)]
    pub disclose: Vec<String>,
    /// Predicates in the core's JSON form, plus `{"valid_on": "today"}`.
    #[serde(default)]
    pub predicates: Vec<serde_json::Value>,
    /// Ask for a per-platform pseudonym (accounts). Default true.
    #[serde(default = "default_true")]
    pub pseudonym: bool,
    /// Request validity, 1..=86400 seconds. Default 300.
    #[serde(default = "default_validity")]
    pub validity_seconds: u64,
    /// Require proof of non-revocation (needs the authority's registry key). Default false.
    #[serde(default)]
    pub non_revoked: bool,
    /// How many of the newest epochs are accepted (1 = only the latest). Default 1.
    #[serde(default = "default_window")]
    pub accepted_epochs: u64,
    /// The OpenID Connect facade (spec/13-oidc.md); absent: no OIDC routes. Not shown by
    /// `GET /v1/policy`.
    #[serde(default, skip_serializing)]
    pub oidc: Option<OidcPolicy>,
}

/// One policy predicate: a fixed core predicate, or validity on the request's date.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PolicyPredicate {
    Fixed(Predicate),
    ValidToday,
}

/// A validated policy, ready to make requests.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    policy: Policy,
    key_ids: Vec<KeyId>,
    predicates: Vec<PolicyPredicate>,
    schema: Schema,
    oidc: Option<OidcSettings>,
}

impl Policy {
    /// Parse a policy from JSON or TOML text (`format` from the file extension: `.toml` is
    /// TOML, anything else JSON).
    ///
    /// # Errors
    /// [`PolicyError::Syntax`].
    pub fn parse(text: &str, toml_format: bool) -> Result<Self, PolicyError> {
        if toml_format {
            toml::from_str(text).map_err(|e| PolicyError::Syntax {
                format: "TOML",
                detail: e.to_string(),
            })
        } else {
            serde_json::from_str(text).map_err(|e| PolicyError::Syntax {
                format: "JSON",
                detail: e.to_string(),
            })
        }
    }

    /// Read a policy file (`.toml` → TOML, else JSON; at most 64 KiB).
    ///
    /// # Errors
    /// [`PolicyError`].
    pub fn from_file(path: &Path) -> Result<Self, PolicyError> {
        let io = |source| PolicyError::Io {
            path: path.display().to_string(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.len() > 64 * 1024 {
            return Err(PolicyError::Invalid("policy file above 64 KiB".to_owned()));
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let toml_format = path.extension().is_some_and(|e| e == "toml");
        let mut policy = Self::parse(&text, toml_format)?;
        if let Some(oidc) = &mut policy.oidc {
            oidc.resolve_paths(path.parent().unwrap_or_else(|| Path::new(".")));
        }
        Ok(policy)
    }

    /// Validate against the issuer keys the verifier trusts.
    ///
    /// # Errors
    /// [`PolicyError::Invalid`] naming the problem: an unknown or malformed key id, a key of
    /// another schema, an unknown / secret attribute, an invalid predicate, a validity outside
    /// 1..=86400, an empty epoch window.
    pub fn validate(self, trusted: &[IssuerPublicKey]) -> Result<LoadedPolicy, PolicyError> {
        let bad = |m: String| PolicyError::Invalid(m);
        // The core's REQ-003 (printable ASCII, no spaces) within this service's 128 bytes
        // (regression: `fuzz/regressions/policy_parse/crash-bad89683…` loaded a policy with a
        // space in its id, whose every request then failed).
        if self.verifier_id.is_empty()
            || self.verifier_id.len() > 128
            || !self.verifier_id.bytes().all(|c| (0x21..=0x7e).contains(&c))
        {
            return Err(bad(
                "verifier_id must be 1..=128 printable ASCII characters without spaces".to_owned(),
            ));
        }
        if !(1..=MAX_VALIDITY_SECONDS).contains(&self.validity_seconds) {
            return Err(bad(format!(
                "validity_seconds must be 1..={MAX_VALIDITY_SECONDS}"
            )));
        }
        if self.accepted_epochs == 0 {
            return Err(bad("accepted_epochs must be at least 1".to_owned()));
        }
        let mut key_ids = Vec::with_capacity(self.issuer_key_ids.len());
        let mut schema = None;
        for k in &self.issuer_key_ids {
            let id = KeyId::parse(k).map_err(|e| bad(format!("issuer_key_ids: {e}")))?;
            let pk = trusted
                .iter()
                .find(|pk| pk.key_id() == id)
                .ok_or_else(|| bad(format!("issuer key {k} is not among the trusted keys")))?;
            if pk.schema().id() != self.schema_id {
                return Err(bad(format!(
                    "issuer key {k} is for schema {:?}, not {:?}",
                    pk.schema().id(),
                    self.schema_id
                )));
            }
            schema = Some(pk.schema().clone());
            key_ids.push(id);
        }
        let schema = schema.ok_or_else(|| bad("issuer_key_ids must not be empty".to_owned()))?;
        for name in &self.disclose {
            let i = schema
                .index_of(name)
                .ok_or_else(|| bad(format!("disclose: unknown attribute {name:?}")))?;
            if schema.attributes()[i].ty() == netnym::AttributeType::HolderSecret {
                return Err(bad(format!("disclose: {name:?} is the holder's secret")));
            }
        }
        let mut predicates = Vec::with_capacity(self.predicates.len());
        for p in &self.predicates {
            if *p == serde_json::json!({"valid_on": "today"}) {
                predicates.push(PolicyPredicate::ValidToday);
            } else {
                let fixed: Predicate = serde_json::from_value(p.clone())
                    .map_err(|e| bad(format!("predicate {p}: {e}")))?;
                predicates.push(PolicyPredicate::Fixed(fixed));
            }
        }
        let oidc = match &self.oidc {
            None => None,
            // The ID token's `sub` is the platform pseudonym (OIDC-004).
            Some(_) if !self.pseudonym => {
                return Err(bad(
                    "an oidc section needs pseudonym = true: the ID token's sub is the \
                     pseudonym (OIDC-004)"
                        .to_owned(),
                ))
            }
            Some(o) => Some(o.validate().map_err(bad)?),
        };
        let loaded = LoadedPolicy {
            policy: self,
            key_ids,
            predicates,
            schema,
            oidc,
        };
        // Lower the predicates once now, so a bad one fails at load, not per request.
        let today = Date::from_unix(netnym_store::unix_now())
            .ok_or_else(|| bad("the clock is out of range".to_owned()))?;
        netnym::lower(
            &loaded.schema,
            &loaded.predicates_on(today),
            today,
            &loaded.policy.disclose,
        )
        .map_err(|e| bad(format!("predicates: {e}")))?;
        loaded
            .query(today, None)
            .map_err(|e| bad(format!("query: {e}")))?;
        // And the whole request the service will make from it, so that nothing the core
        // refuses survives validation (the nonce of this trial request is never used).
        let mut trial = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::from_seed([7u8; 32]);
        loaded
            .request(&mut trial, netnym_store::unix_now(), None, None)
            .map_err(|e| bad(format!("request: {e}")))?;
        Ok(loaded)
    }
}

impl LoadedPolicy {
    /// The policy as loaded.
    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The verifier id.
    #[must_use]
    pub fn verifier_id(&self) -> &str {
        &self.policy.verifier_id
    }

    /// The schema of the accepted keys.
    #[must_use]
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The validated OpenID Connect section, if any.
    #[must_use]
    pub fn oidc(&self) -> Option<&OidcSettings> {
        self.oidc.as_ref()
    }

    fn predicates_on(&self, today: Date) -> Vec<Predicate> {
        self.predicates
            .iter()
            .map(|p| match p {
                PolicyPredicate::Fixed(p) => p.clone(),
                PolicyPredicate::ValidToday => Predicate::ValidOn(today.to_string()),
            })
            .collect()
    }

    fn query(
        &self,
        today: Date,
        non_revoked: Option<NonRevocation>,
    ) -> Result<CredentialQuery, DecodeError> {
        let mut q = CredentialQuery::new(
            &self.policy.schema_id,
            self.key_ids.iter().copied(),
            self.policy.disclose.iter().cloned(),
        )?
        .with_predicates(self.predicates_on(today))?;
        if let Some(nr) = non_revoked {
            q = q.with_non_revocation(nr)?;
        }
        Ok(q)
    }

    /// A fresh request at `now`; `window` is the accepted `(registry, min_epoch, max_epoch)`
    /// when the policy asks for non-revocation; `range_params` names the range-proof parameters
    /// when it has predicates.
    ///
    /// # Errors
    /// [`DecodeError`] if the core refuses the request (not expected after validation).
    pub fn request(
        &self,
        rng: &mut (impl RngCore + CryptoRng),
        now: u64,
        window: Option<(KeyId, u64, u64)>,
        range_params: Option<KeyId>,
    ) -> Result<PresentationRequest, DecodeError> {
        let today = Date::from_unix(now).ok_or(DecodeError::InvalidField {
            field: "created_at",
            reason: "out of range".to_owned(),
        })?;
        let nr = window.map(|(reg, min, max)| NonRevocation::new(reg, min, max));
        let q = self.query(today, nr)?;
        let r = PresentationRequest::new(
            rng,
            &self.policy.verifier_id,
            now,
            self.policy.validity_seconds,
            vec![q],
        )?;
        let r = if self.policy.pseudonym {
            r.with_pseudonym()
        } else {
            r
        };
        Ok(match range_params {
            Some(id) if self.has_predicates() => r.with_range_params(id),
            _ => r,
        })
    }

    /// Whether the policy has predicates (and so needs range-proof parameters).
    #[must_use]
    pub fn has_predicates(&self) -> bool {
        !self.predicates.is_empty()
    }
}
