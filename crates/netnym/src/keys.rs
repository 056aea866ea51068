//! Issuer keys (spec/07-key-management.md).
//!
//! The issuer secret key is a scalar `x`; the public key is `w = g2 * x` with `g2` the schema's
//! generator in G2. A key is bound to exactly one schema. The key id is
//! `SHA-256(transcript("NetNym-v1:key-id", schema digest, w))`, so it names both.

use ark_bls12_381::{Bls12_381, Fr, G2Affine};
use ark_ec::{pairing::Pairing, CurveGroup};
use ark_ff::{UniformRand, Zero};
use bbs_plus::setup::{PreparedPublicKeyG2, PublicKeyG2};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::encoding::{
    b64, check_envelope, fr_bytes, fr_from, g2_bytes, g2_from, hex_array, parse_json, to_hex,
    unb64, Transcript,
};
use crate::error::DecodeError;
use crate::schema::{Schema, MAX_SCHEMA_BYTES};

/// Largest public key JSON accepted, in bytes.
pub const MAX_PUBLIC_KEY_BYTES: usize = MAX_SCHEMA_BYTES + 1024;
const PUBLIC_KEY_TYPE: &str = "netnym-issuer-public-key";
const SECRET_KEY_TYPE: &str = "netnym-issuer-secret-key";

/// A 32-byte issuer key id, shown as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub(crate) [u8; 32]);

impl KeyId {
    /// Parse the lowercase-hex form.
    ///
    /// # Errors
    /// [`DecodeError::Encoding`] unless `s` is 64 lowercase hex digits.
    pub fn parse(s: &str) -> Result<Self, DecodeError> {
        hex_array::<32>("key_id", s).map(Self)
    }
    /// The raw bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl core::fmt::Display for KeyId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}
impl Serialize for KeyId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl core::fmt::Debug for KeyId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// The issuer's secret key.
///
/// # Security
/// Zeroized on drop, redacted in `Debug`, compared in constant time. Export only through
/// [`IssuerSecretKey::to_json`], which returns a zeroizing buffer; encrypting it at rest is the
/// store's job (spec/07-key-management.md).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct IssuerSecretKey(Fr);

impl core::fmt::Debug for IssuerSecretKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Avoids printing the secret scalar.
        f.debug_struct("IssuerSecretKey").finish_non_exhaustive()
    }
}

impl ConstantTimeEq for IssuerSecretKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        let a = Zeroizing::new(fr_bytes(&self.0));
        let b = Zeroizing::new(fr_bytes(&other.0));
        a.ct_eq(&*b)
    }
}
impl PartialEq for IssuerSecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for IssuerSecretKey {}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretKeyWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    secret_key: String,
}

impl Drop for SecretKeyWire {
    fn drop(&mut self) {
        self.secret_key.zeroize();
    }
}

impl IssuerSecretKey {
    /// Generate a fresh non-zero key.
    #[must_use]
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        loop {
            let x = Fr::rand(rng);
            if !x.is_zero() {
                return Self(x);
            }
        }
    }

    pub(crate) fn scalar(&self) -> &Fr {
        &self.0
    }

    /// Serialize as JSON (`{"type","version","secret_key"}`) in a zeroizing buffer.
    #[must_use]
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let bytes = Zeroizing::new(fr_bytes(&self.0));
        let wire = SecretKeyWire {
            ty: SECRET_KEY_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            secret_key: b64(&*bytes),
        };
        Zeroizing::new(serde_json::to_vec(&wire).unwrap_or_default())
    }

    /// Parse the JSON form.
    ///
    /// # Errors
    /// [`DecodeError`] for malformed JSON, a wrong type or version, a non-canonical or zero scalar.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DecodeError> {
        let wire: SecretKeyWire = parse_json(bytes, 1024)?;
        check_envelope(SECRET_KEY_TYPE, &wire.ty, wire.version)?;
        let raw = Zeroizing::new(unb64("secret_key", &wire.secret_key)?);
        let x = fr_from("secret_key", &raw)?;
        if x.is_zero() {
            return Err(DecodeError::InvalidScalar {
                field: "secret_key",
            });
        }
        Ok(Self(x))
    }
}

/// An issuer's public key together with the schema it signs.
#[derive(Clone)]
pub struct IssuerPublicKey {
    schema: Schema,
    w: G2Affine,
    prepared: PreparedPublicKeyG2<Bls12_381>,
    /// The schema's `g2`, prepared once for pairings.
    g2_prepared: <Bls12_381 as Pairing>::G2Prepared,
    key_id: KeyId,
}

impl core::fmt::Debug for IssuerPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IssuerPublicKey")
            .field("key_id", &self.key_id)
            .field("schema", &self.schema.id())
            .finish_non_exhaustive()
    }
}

impl PartialEq for IssuerPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key_id == other.key_id
    }
}
impl Eq for IssuerPublicKey {}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicKeyWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    key_id: String,
    schema: serde_json::Value,
    public_key: String,
}

impl IssuerPublicKey {
    /// Derive the public key of `sk` for `schema`.
    #[must_use]
    pub fn from_secret(sk: &IssuerSecretKey, schema: &Schema) -> Self {
        let w = (schema.params().g2 * sk.0).into_affine();
        Self::from_parts(schema.clone(), w)
    }

    fn from_parts(schema: Schema, w: G2Affine) -> Self {
        let key_id = key_id(&schema, &w);
        let prepared = PreparedPublicKeyG2::from(PublicKeyG2::<Bls12_381>(w));
        let g2_prepared = schema.params().g2.into();
        Self {
            schema,
            w,
            prepared,
            g2_prepared,
            key_id,
        }
    }

    /// The key id.
    #[must_use]
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The schema this key signs.
    #[must_use]
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    pub(crate) fn prepared(&self) -> &PreparedPublicKeyG2<Bls12_381> {
        &self.prepared
    }

    pub(crate) fn g2_prepared(&self) -> &<Bls12_381 as Pairing>::G2Prepared {
        &self.g2_prepared
    }

    /// Compressed bytes of `w`.
    #[must_use]
    pub fn public_key_bytes(&self) -> [u8; 96] {
        g2_bytes(&self.w)
    }

    /// The JSON envelope published by the authority.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        let schema: serde_json::Value =
            serde_json::from_str(&self.schema.to_json()).unwrap_or(serde_json::Value::Null);
        let wire = PublicKeyWire {
            ty: PUBLIC_KEY_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            key_id: self.key_id.to_string(),
            schema,
            public_key: b64(&self.public_key_bytes()),
        };
        serde_json::to_vec_pretty(&wire).unwrap_or_default()
    }

    /// Parse and validate a published public key (KEY-001..KEY-003).
    ///
    /// # Errors
    /// [`DecodeError`]: malformed JSON, wrong type or version, invalid schema, invalid or identity
    /// point (KEY-001), or a key id that does not match the key and schema (KEY-002).
    pub fn from_json(bytes: &[u8]) -> Result<Self, DecodeError> {
        let wire: PublicKeyWire = parse_json(bytes, MAX_PUBLIC_KEY_BYTES)?;
        check_envelope(PUBLIC_KEY_TYPE, &wire.ty, wire.version)?;
        let schema_bytes =
            serde_json::to_vec(&wire.schema).map_err(|e| DecodeError::Json(e.to_string()))?;
        let schema = Schema::from_json(&schema_bytes)?;
        // KEY-001: on curve, in G2's prime-order subgroup, not the identity (x = 0 forges).
        let w = g2_from("public_key", &unb64("public_key", &wire.public_key)?, false)?;
        let pk = Self::from_parts(schema, w);
        // KEY-002
        if KeyId::parse(&wire.key_id)? != pk.key_id {
            return Err(DecodeError::InvalidField {
                field: "key_id",
                reason: "does not match the public key and schema".to_owned(),
            });
        }
        Ok(pk)
    }
}

fn key_id(schema: &Schema, w: &G2Affine) -> KeyId {
    let mut t = Transcript::new(b"NetNym-v1:key-id");
    t.append(b"schema", &schema.digest());
    t.append(b"w", &g2_bytes(w));
    KeyId(t.digest())
}
