//! The decrypted contents and their JSON form (inside the encryption only).
//!
//! ```json
//! { "type": "netnym-wallet-contents", "version": 1, "created_at": 1764000000,
//!   "link_secret": "<base64url, 32 bytes>",
//!   "issuers": ["<issuer public key JSON>", ...],
//!   "registries": ["<revocation registry public key JSON>", ...],
//!   "range_params": ["<range-proof parameters JSON>", ...],
//!   "params": { "<name>": { "json": "<public parameter JSON>", "added_at": 0 } },
//!   "next_credential": 3,
//!   "credentials": [ { "id": "cred-1", "issuer_key_id": "...", "added_at": 0,
//!                      "credential": "<base64url of the core credential JSON>",
//!                      "revocation": { "witness": "<base64url of the core witness JSON>",
//!                                    "revoked": false } } ],
//!   "history": [ { "verifier_id": "shop.example", "at": 0, "credential_ids": ["cred-1"],
//!                  "disclosed": [["region", "310115"]], "proven": ["age at least 18"],
//!                  "pseudonym": "<nym>" } ] }
//! ```
//!
//! Secret fields are decoded into zeroizing buffers; base64 is used for nested secret JSON so
//! the parser copies it without an intermediate unescaping buffer.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

pub(crate) const CONTENTS_TYPE: &str = "netnym-wallet-contents";
pub(crate) const CONTENTS_VERSION: u64 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContentsWire {
    #[serde(rename = "type")]
    pub(crate) ty: String,
    pub(crate) version: u64,
    pub(crate) created_at: u64,
    pub(crate) link_secret: Zeroizing<String>,
    pub(crate) issuers: Vec<String>,
    pub(crate) registries: Vec<String>,
    pub(crate) range_params: Vec<String>,
    pub(crate) params: BTreeMap<String, ParamWire>,
    pub(crate) next_credential: u64,
    pub(crate) credentials: Vec<CredentialWire>,
    pub(crate) history: Vec<Disclosure>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParamWire {
    pub(crate) json: String,
    pub(crate) added_at: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CredentialWire {
    pub(crate) id: String,
    pub(crate) issuer_key_id: String,
    pub(crate) added_at: u64,
    pub(crate) credential: Zeroizing<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) revocation: Option<RevocationWire>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RevocationWire {
    pub(crate) witness: Zeroizing<String>,
    pub(crate) revoked: bool,
}

/// One presentation the wallet made: what it told which platform, and when.
///
/// # Security
/// Personal data: zeroized on drop; `Debug` shows the platform and time only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    /// The platform's verifier id.
    pub verifier_id: String,
    /// When the presentation was made, Unix seconds.
    pub at: u64,
    /// The wallet ids of the credentials used, in query order.
    pub credential_ids: Vec<String>,
    /// Disclosed attributes as (name, value).
    pub disclosed: Vec<(String, String)>,
    /// Statements proven without revealing the attribute (e.g. "age at least 18").
    pub proven: Vec<String>,
    /// The pseudonym shown to this platform, if the request asked for one.
    pub pseudonym: Option<String>,
}

impl core::fmt::Debug for Disclosure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Disclosure")
            .field("verifier_id", &self.verifier_id)
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

pub(crate) fn b64(bytes: &[u8]) -> Zeroizing<String> {
    Zeroizing::new(URL_SAFE_NO_PAD.encode(bytes))
}

pub(crate) fn unb64(s: &str) -> Option<Zeroizing<Vec<u8>>> {
    URL_SAFE_NO_PAD.decode(s).ok().map(Zeroizing::new)
}
