//! The public data `netnym verify --issuer FILE` reads.
//!
//! The file holds either one issuer public key (the core `netnym-issuer-public-key` JSON), or an
//! **issuer bundle**, which `netnym demo --out` writes:
//!
//! ```json
//! {"type": "netnym-issuer-bundle", "version": 1,
//!  "issuer_keys": [<netnym-issuer-public-key>, ...],
//!  "range_params": [<netnym-range-params>, ...],
//!  "registries": [<netnym-registry-public-key>, ...],
//!  "epochs": [<netnym-revocation-epoch>, ...]}
//! ```
//!
//! `range_params` (public range-proof parameters) are needed for requests with predicates;
//! `registries` and `epochs` (the authority's public revocation log, or the part of it a
//! verifier accepts) for requests that ask for non-revocation. Embedded
//! objects are the core's JSON envelopes as JSON values, each validated by the core decoder.

use netnym::{EpochEntry, IssuerPublicKey, RangeParams, RegistryPublicKey, Verifier};
use serde::{Deserialize, Serialize};

/// The bundle's type tag.
pub(crate) const BUNDLE_TYPE: &str = "netnym-issuer-bundle";
/// Largest issuer file accepted, in bytes.
pub(crate) const MAX_BUNDLE_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BundleWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    issuer_keys: Vec<serde_json::Value>,
    #[serde(default)]
    range_params: Vec<serde_json::Value>,
    #[serde(default)]
    registries: Vec<serde_json::Value>,
    #[serde(default)]
    epochs: Vec<serde_json::Value>,
}

/// Issuer keys, registry keys and epoch entries a verifier trusts.
#[derive(Debug, Clone, Default)]
pub(crate) struct IssuerBundle {
    pub(crate) keys: Vec<IssuerPublicKey>,
    pub(crate) range_params: Vec<RangeParams>,
    pub(crate) registries: Vec<RegistryPublicKey>,
    pub(crate) epochs: Vec<EpochEntry>,
}

fn embedded<T, E: core::fmt::Display>(
    what: &str,
    i: usize,
    v: &serde_json::Value,
    parse: impl Fn(&[u8]) -> Result<T, E>,
) -> Result<T, String> {
    let bytes = serde_json::to_vec(v).map_err(|e| format!("{what}[{i}]: {e}"))?;
    parse(&bytes).map_err(|e| format!("{what}[{i}]: {e}"))
}

impl IssuerBundle {
    /// Parse an issuer public key or a bundle.
    pub(crate) fn from_json(bytes: &[u8]) -> Result<Self, String> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
        let ty = v.get("type").and_then(serde_json::Value::as_str);
        if ty == Some(BUNDLE_TYPE) {
            let w: BundleWire = serde_json::from_value(v).map_err(|e| e.to_string())?;
            if w.version != 1 {
                return Err(format!("unsupported bundle version {}", w.version));
            }
            if w.issuer_keys.is_empty() {
                return Err("the bundle lists no issuer key".to_owned());
            }
            let keys = w
                .issuer_keys
                .iter()
                .enumerate()
                .map(|(i, k)| embedded("issuer_keys", i, k, IssuerPublicKey::from_json))
                .collect::<Result<_, _>>()?;
            let range_params = w
                .range_params
                .iter()
                .enumerate()
                .map(|(i, k)| embedded("range_params", i, k, RangeParams::from_json))
                .collect::<Result<_, _>>()?;
            let registries = w
                .registries
                .iter()
                .enumerate()
                .map(|(i, k)| embedded("registries", i, k, RegistryPublicKey::from_json))
                .collect::<Result<_, _>>()?;
            let epochs = w
                .epochs
                .iter()
                .enumerate()
                .map(|(i, k)| embedded("epochs", i, k, EpochEntry::from_json))
                .collect::<Result<_, _>>()?;
            Ok(Self {
                keys,
                range_params,
                registries,
                epochs,
            })
        } else {
            let key = IssuerPublicKey::from_json(bytes).map_err(|e| e.to_string())?;
            Ok(Self {
                keys: vec![key],
                ..Self::default()
            })
        }
    }

    /// The bundle JSON (pretty).
    pub(crate) fn to_json(&self) -> Vec<u8> {
        let val = |b: Vec<u8>| serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null);
        let w = BundleWire {
            ty: BUNDLE_TYPE.to_owned(),
            version: 1,
            issuer_keys: self.keys.iter().map(|k| val(k.to_json())).collect(),
            range_params: self.range_params.iter().map(|k| val(k.to_json())).collect(),
            registries: self.registries.iter().map(|k| val(k.to_json())).collect(),
            epochs: self.epochs.iter().map(|e| val(e.to_json())).collect(),
        };
        serde_json::to_vec_pretty(&w).unwrap_or_default()
    }

    /// A verifier trusting everything in the bundle. Epochs of registries not in the bundle
    /// are an error.
    pub(crate) fn verifier(&self) -> Result<Verifier, String> {
        let mut v = Verifier::new(self.keys.iter().cloned());
        for p in &self.range_params {
            v = v.with_range_params(p.clone());
        }
        for r in &self.registries {
            v = v.with_registry(r.clone());
        }
        for e in &self.epochs {
            v.add_epoch(e)
                .map_err(|err| format!("epoch {}: {err}", e.epoch()))?;
        }
        Ok(v)
    }
}
