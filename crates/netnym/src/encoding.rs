//! Byte-level encodings shared by every wire object (spec/03-wire-format.md).
//!
//! Group elements and scalars use arkworks' compressed canonical encoding; in JSON they appear as
//! unpadded base64url. Every decoder here validates: points must be on the curve and in the
//! prime-order subgroup (`Validate::Yes`), scalars must be canonical, lengths must be exact.

use ark_bls12_381::{Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::field_hashers::{DefaultFieldHasher, HashToField};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};

use crate::error::DecodeError;

/// Compressed size of a G1 element in bytes.
pub(crate) const G1_LEN: usize = 48;
/// Compressed size of a G2 element in bytes.
pub(crate) const G2_LEN: usize = 96;
/// Size of a scalar in bytes.
pub(crate) const FR_LEN: usize = 32;

/// Encode bytes as unpadded base64url.
pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decode unpadded, canonical base64url (WIRE-005).
pub(crate) fn unb64(field: &'static str, text: &str) -> Result<Vec<u8>, DecodeError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| DecodeError::Encoding {
            field,
            encoding: "unpadded base64url",
        })
}

pub(crate) fn g1_bytes(p: &G1Affine) -> [u8; G1_LEN] {
    let mut out = [0u8; G1_LEN];
    // Serializing a valid affine point into a buffer of exactly its compressed size cannot fail.
    let _ = p.serialize_compressed(&mut out[..]);
    out
}

pub(crate) fn g2_bytes(p: &G2Affine) -> [u8; G2_LEN] {
    let mut out = [0u8; G2_LEN];
    let _ = p.serialize_compressed(&mut out[..]);
    out
}

pub(crate) fn fr_bytes(s: &Fr) -> [u8; FR_LEN] {
    let mut out = [0u8; FR_LEN];
    let _ = s.serialize_compressed(&mut out[..]);
    out
}

/// Decode a compressed G1 point, checking curve and subgroup membership (WIRE-007) and, when
/// `allow_identity` is false, rejecting the identity (WIRE-008).
pub(crate) fn g1_from(
    field: &'static str,
    bytes: &[u8],
    allow_identity: bool,
) -> Result<G1Affine, DecodeError> {
    if bytes.len() != G1_LEN {
        return Err(DecodeError::Length {
            field,
            expected: G1_LEN,
            actual: bytes.len(),
        });
    }
    let p =
        G1Affine::deserialize_compressed(bytes).map_err(|_| DecodeError::InvalidPoint { field })?;
    // WIRE-007: one encoding per point. arkworks 0.4 reads every string with the identity flag
    // as the identity, whatever its other bits; only the re-encoding (`0xC0` and zeros) passes.
    if g1_bytes(&p)[..] != *bytes {
        return Err(DecodeError::InvalidPoint { field });
    }
    if !allow_identity && p.is_zero() {
        return Err(DecodeError::IdentityPoint { field });
    }
    Ok(p)
}

/// Decode a compressed G2 point with the same checks as [`g1_from`].
pub(crate) fn g2_from(
    field: &'static str,
    bytes: &[u8],
    allow_identity: bool,
) -> Result<G2Affine, DecodeError> {
    if bytes.len() != G2_LEN {
        return Err(DecodeError::Length {
            field,
            expected: G2_LEN,
            actual: bytes.len(),
        });
    }
    let p =
        G2Affine::deserialize_compressed(bytes).map_err(|_| DecodeError::InvalidPoint { field })?;
    // WIRE-007: one encoding per point, as for G1.
    if g2_bytes(&p)[..] != *bytes {
        return Err(DecodeError::InvalidPoint { field });
    }
    if !allow_identity && p.is_zero() {
        return Err(DecodeError::IdentityPoint { field });
    }
    Ok(p)
}

/// Decode a canonical scalar (WIRE-009): exactly 32 little-endian bytes, less than the group order.
pub(crate) fn fr_from(field: &'static str, bytes: &[u8]) -> Result<Fr, DecodeError> {
    if bytes.len() != FR_LEN {
        return Err(DecodeError::Length {
            field,
            expected: FR_LEN,
            actual: bytes.len(),
        });
    }
    let s = Fr::deserialize_compressed(bytes).map_err(|_| DecodeError::InvalidScalar { field })?;
    // WIRE-009: arkworks already refuses values `>= r`; the re-encoding keeps that explicit.
    if fr_bytes(&s)[..] != *bytes {
        return Err(DecodeError::InvalidScalar { field });
    }
    Ok(s)
}

/// A cursor over a fixed-layout byte string; every read is length checked and the caller must
/// call [`Reader::finish`] so trailing bytes are rejected.
pub(crate) struct Reader<'a> {
    field: &'static str,
    bytes: &'a [u8],
    expected_total: usize,
}

impl<'a> Reader<'a> {
    /// Start reading `bytes`, which must be exactly `expected_total` long (WIRE-006).
    pub(crate) fn new(
        field: &'static str,
        bytes: &'a [u8],
        expected_total: usize,
    ) -> Result<Self, DecodeError> {
        if bytes.len() != expected_total {
            return Err(DecodeError::Length {
                field,
                expected: expected_total,
                actual: bytes.len(),
            });
        }
        Ok(Self {
            field,
            bytes,
            expected_total,
        })
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.bytes.len() < n {
            return Err(DecodeError::Length {
                field: self.field,
                expected: self.expected_total,
                actual: self.expected_total - self.bytes.len(),
            });
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    pub(crate) fn g1(&mut self, allow_identity: bool) -> Result<G1Affine, DecodeError> {
        let field = self.field;
        g1_from(field, self.take(G1_LEN)?, allow_identity)
    }

    pub(crate) fn fr(&mut self) -> Result<Fr, DecodeError> {
        let field = self.field;
        fr_from(field, self.take(FR_LEN)?)
    }

    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::Length {
                field: self.field,
                expected: self.expected_total,
                actual: self.expected_total + self.bytes.len(),
            })
        }
    }
}

/// A domain-separated, length-prefixed transcript of public values, hashed into Fiat–Shamir
/// challenges and digests (spec/02-crypto.md §Transcripts).
///
/// Every item is written as `u32_be(len(label)) || label || u64_be(len(data)) || data`, so no
/// two different sequences of items produce the same bytes.
#[derive(Clone)]
pub(crate) struct Transcript {
    bytes: Vec<u8>,
}

impl Transcript {
    pub(crate) fn new(domain: &[u8]) -> Self {
        let mut t = Self {
            bytes: Vec::with_capacity(1024),
        };
        t.append(b"domain", domain);
        t
    }

    pub(crate) fn append(&mut self, label: &[u8], data: &[u8]) {
        // Labels are short constants; lengths of real data fit u64.
        self.bytes
            .extend_from_slice(&u32::try_from(label.len()).unwrap_or(u32::MAX).to_be_bytes());
        self.bytes.extend_from_slice(label);
        self.bytes
            .extend_from_slice(&u64::try_from(data.len()).unwrap_or(u64::MAX).to_be_bytes());
        self.bytes.extend_from_slice(data);
    }

    pub(crate) fn append_u64(&mut self, label: &[u8], v: u64) {
        self.append(label, &v.to_be_bytes());
    }

    pub(crate) fn append_g1(&mut self, label: &[u8], p: &G1Affine) {
        self.append(label, &g1_bytes(p));
    }

    pub(crate) fn append_fr(&mut self, label: &[u8], s: &Fr) {
        self.append(label, &fr_bytes(s));
    }

    /// SHA-256 of the transcript.
    pub(crate) fn digest(&self) -> [u8; 32] {
        Sha256::digest(&self.bytes).into()
    }

    /// Hash the transcript to a scalar with `expand_message_xmd(SHA-256)` (RFC 9380 §5), using
    /// `dst` as domain separation tag.
    pub(crate) fn challenge(&self, dst: &[u8]) -> Fr {
        hash_to_scalar(dst, &self.bytes)
    }
}

/// RFC 9380 hash_to_field to one BLS12-381 scalar with SHA-256, L = 48 bytes (no modular bias).
pub(crate) fn hash_to_scalar(dst: &[u8], msg: &[u8]) -> Fr {
    let hasher = <DefaultFieldHasher<Sha256> as HashToField<Fr>>::new(dst);
    // `hash_to_field(msg, 1)` always returns exactly one element.
    hasher
        .hash_to_field(msg, 1)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// Parse a lowercase hex string of exactly `N` bytes (WIRE-005, WIRE-006).
pub(crate) fn hex_array<const N: usize>(
    field: &'static str,
    text: &str,
) -> Result<[u8; N], DecodeError> {
    // Only `0-9a-f`: `u8::from_str_radix` alone would also take a leading `+` (found by the
    // `text_parsers` fuzz target: "+7" parsed as 0x07, two spellings of one key id).
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    if text.len() != 2 * N || !text.bytes().all(|c| nibble(c).is_some()) {
        return Err(DecodeError::Encoding {
            field,
            encoding: "lowercase hex of the exact length",
        });
    }
    let mut out = [0u8; N];
    for (o, pair) in out.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        if let (Some(hi), Some(lo)) = (nibble(pair[0]), nibble(pair[1])) {
            *o = (hi << 4) | lo;
        }
    }
    Ok(out)
}

/// Lowercase hex.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    s
}

/// Parse JSON from untrusted bytes with a size limit (WIRE-001, WIRE-002).
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    limit: usize,
) -> Result<T, DecodeError> {
    if bytes.len() > limit {
        return Err(DecodeError::TooLarge {
            limit,
            actual: bytes.len(),
        });
    }
    serde_json::from_slice(bytes).map_err(|e| DecodeError::Json(e.to_string()))
}

/// Check an envelope's type and version (WIRE-003, WIRE-004).
pub(crate) fn check_envelope(
    expected_type: &'static str,
    found_type: &str,
    version: u64,
) -> Result<(), DecodeError> {
    if found_type != expected_type {
        return Err(DecodeError::WrongType {
            expected: expected_type,
            found: found_type.chars().take(64).collect(),
        });
    }
    if version != crate::WIRE_VERSION {
        return Err(DecodeError::UnsupportedVersion {
            found: version,
            supported: crate::WIRE_VERSION,
        });
    }
    Ok(())
}

/// A JSON object deserialized into an ordered list of entries that rejects duplicate keys
/// (serde_json's maps silently keep the last duplicate).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct StrictMap<V>(pub(crate) Vec<(String, V)>);

impl<V: serde::Serialize> serde::Serialize for StrictMap<V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de, V: serde::Deserialize<'de>> serde::Deserialize<'de> for StrictMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor<V>(core::marker::PhantomData<V>);
        impl<'de, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visitor<V> {
            type Value = StrictMap<V>;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a JSON object without duplicate keys")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out: Vec<(String, V)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, V>()? {
                    if out.iter().any(|(e, _)| *e == k) {
                        return Err(serde::de::Error::custom(format!("duplicate key {k:?}")));
                    }
                    if out.len() >= crate::MAX_ATTRIBUTES {
                        return Err(serde::de::Error::custom("too many entries"));
                    }
                    out.push((k, v));
                }
                Ok(StrictMap(out))
            }
        }
        d.deserialize_map(Visitor(core::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::hex_array;
    use crate::error::DecodeError;
    use crate::keys::KeyId;

    /// One spelling per value: exactly `2·N` characters of `0-9a-f` (regression: a leading `+`
    /// in a pair was accepted, `fuzz/regressions/text_parsers/crash-908ac5b6…`).
    #[test]
    fn hex_is_canonical_lowercase_only() {
        let id = "721357e6".repeat(8);
        let key = KeyId::parse(&id).unwrap();
        assert_eq!(key.to_string(), id);
        let refused = DecodeError::Encoding {
            field: "f",
            encoding: "lowercase hex of the exact length",
        };
        for bad in ["+7", "7+", "-1", " 7", "7 ", "7A", "0x", "g0", "é"] {
            assert_eq!(hex_array::<1>("f", bad), Err(refused.clone()), "{bad:?}");
        }
        assert!(KeyId::parse(&format!("+{}", &id[1..])).is_err());
        assert_eq!(hex_array::<2>("f", "00ff"), Ok([0x00, 0xff]));
        assert_eq!(hex_array::<1>("f", "a"), Err(refused));
    }
}
