//! What a verified presentation exposes (spec/06-verification.md, stage 3).

use crate::keys::KeyId;
use crate::pseudonym::Pseudonym;
use crate::schema::AttributeValue;

/// A presentation that passed every check; the only way to read disclosed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPresentation {
    pub(super) verifier_id: String,
    pub(super) credentials: Vec<VerifiedCredential>,
    pub(super) pseudonym: Option<Pseudonym>,
}

/// The verified claims about one credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCredential {
    pub(super) key_id: KeyId,
    pub(super) schema_id: String,
    pub(super) disclosed: Vec<(String, AttributeValue)>,
}

impl VerifiedCredential {
    /// The issuer key that signed the credential.
    #[must_use]
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }
    /// The credential's schema id.
    #[must_use]
    pub fn schema_id(&self) -> &str {
        &self.schema_id
    }
    /// The disclosed attributes, in schema order.
    #[must_use]
    pub fn disclosed(&self) -> &[(String, AttributeValue)] {
        &self.disclosed
    }
    /// A disclosed attribute by name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        self.disclosed
            .iter()
            .find_map(|(n, v)| (n == name).then_some(v))
    }
}

impl VerifiedPresentation {
    /// The verifier id of the request this presentation answered.
    #[must_use]
    pub fn verifier_id(&self) -> &str {
        &self.verifier_id
    }
    /// The verified credentials, in request order.
    #[must_use]
    pub fn credentials(&self) -> &[VerifiedCredential] {
        &self.credentials
    }
    /// The holder's pseudonym at this verifier, when the request asked for one.
    #[must_use]
    pub fn pseudonym(&self) -> Option<Pseudonym> {
        self.pseudonym
    }
    /// The verified claims as JSON.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "verifier_id": self.verifier_id,
            "credentials": self.credentials.iter().map(|c| serde_json::json!({
                "issuer_key_id": c.key_id.to_string(),
                "schema_id": c.schema_id,
                "disclosed": c.disclosed.iter()
                    .map(|(n, v)| (n.clone(), v.to_json()))
                    .collect::<serde_json::Map<_, _>>(),
            })).collect::<Vec<_>>(),
        });
        if let Some(nym) = self.pseudonym {
            v["pseudonym"] = serde_json::Value::String(nym.to_string());
        }
        v
    }
}
