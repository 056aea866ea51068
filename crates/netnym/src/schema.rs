//! Credential schemas and attribute encoding (spec/02-attributes.md).
//!
//! A [`Schema`] names an ordered list of typed attributes. Its digest fixes the BBS+ generators
//! (one per attribute, derived from a public label), so a signature or proof made under one
//! schema never verifies under another (SCH-010).

use std::sync::Arc;

use ark_bls12_381::{Bls12_381, Fr};
use bbs_plus::setup::SignatureParamsG1;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::encoding::{hash_to_scalar, Transcript};
use crate::error::{AttributeError, SchemaError};
use crate::fixed_base::FixedBaseTable;
use crate::pairing::WnafTable;
use crate::MAX_ATTRIBUTES;

/// Largest string attribute, in bytes (ENC-003).
pub const MAX_STRING_BYTES: usize = 1024;
/// Largest schema JSON accepted, in bytes.
pub const MAX_SCHEMA_BYTES: usize = 16 * 1024;

/// Id of the built-in national network identity schema.
pub const CN_NETWORK_ID_V1: &str = "cn-network-id/v1";

/// Domain separation tag for hashing string attributes to scalars (spec/02-attributes.md ENC-003).
const STRING_DST: &[u8] = b"NETNYM-V1-ATTR-STRING_XMD:SHA-256_";
/// Label prefix of the BBS+ generators (spec/02-crypto.md).
const GENERATOR_LABEL: &[u8] = b"NetNym-v1:BBS+:BLS12-381:generators:";

/// The type of an attribute, which fixes its JSON form and its scalar encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttributeType {
    /// A calendar date `YYYY-MM-DD`, encoded as days since 1900-01-01 (ENC-001).
    Date,
    /// An unsigned 64-bit integer, encoded as itself (ENC-004).
    Uint,
    /// A fixed-width decimal code such as a GB/T 2260 region `"310115"`, encoded as its
    /// integer value so prefixes become ranges (ENC-002).
    Code {
        /// Exact number of digits.
        digits: u8,
    },
    /// A UTF-8 string of at most [`MAX_STRING_BYTES`], hashed to a scalar (ENC-003).
    String,
    /// The holder's link secret: never seen by the authority, never disclosed (ENC-005).
    HolderSecret,
}

impl AttributeType {
    fn tag(self) -> &'static str {
        match self {
            Self::Date => "date",
            Self::Uint => "uint",
            Self::Code { .. } => "code",
            Self::String => "string",
            Self::HolderSecret => "holder_secret",
        }
    }
}

/// One attribute of a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeSpec {
    name: String,
    ty: AttributeType,
}

impl AttributeSpec {
    /// The attribute's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The attribute's type.
    #[must_use]
    pub fn ty(&self) -> AttributeType {
        self.ty
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttribute {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    digits: Option<u8>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    id: String,
    attributes: Vec<RawAttribute>,
}

struct SchemaInner {
    id: String,
    attributes: Vec<AttributeSpec>,
    digest: [u8; 32],
    params: SignatureParamsG1<Bls12_381>,
    /// Fixed-base tables of `h_0` and `h_1..h_n` (the prover's), built on first request
    /// ([`Schema::tables`]) and shared by every clone.
    tables: std::sync::OnceLock<GeneratorTables>,
    /// The verifier's wNAF tables of the same generators ([`Schema::wnaf_tables`]).
    wnaf: std::sync::OnceLock<GeneratorWnaf>,
}

/// wNAF tables of a schema's G1 generators for the verifier's Schnorr sum (spec/06-verification.md
/// §Precomputation).
pub(crate) struct GeneratorWnaf {
    pub(crate) g1: WnafTable,
    pub(crate) h_0: WnafTable,
    pub(crate) h: Vec<WnafTable>,
}

/// Fixed-base tables of a schema's G1 generators (spec/06-verification.md §Precomputation).
pub(crate) struct GeneratorTables {
    pub(crate) h_0: FixedBaseTable,
    pub(crate) h: Vec<FixedBaseTable>,
}

/// A validated credential schema with its derived BBS+ generators. Cheap to clone.
#[derive(Clone)]
pub struct Schema(Arc<SchemaInner>);

impl core::fmt::Debug for Schema {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Schema")
            .field("id", &self.0.id)
            .field("attributes", &self.0.attributes)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        self.0.digest == other.0.digest
    }
}
impl Eq for Schema {}

impl Schema {
    /// Build and validate a schema from `(name, type)` pairs (SCH-001..SCH-006).
    ///
    /// # Errors
    /// [`SchemaError`] naming the first rule broken.
    pub fn new(
        id: &str,
        attributes: impl IntoIterator<Item = (String, AttributeType)>,
    ) -> Result<Self, SchemaError> {
        // SCH-001
        if id.is_empty()
            || id.len() > 128
            || !id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"._/:-".contains(&c))
        {
            return Err(SchemaError::InvalidId(id.chars().take(130).collect()));
        }
        let attributes: Vec<AttributeSpec> = attributes
            .into_iter()
            .take(MAX_ATTRIBUTES + 1)
            .map(|(name, ty)| AttributeSpec { name, ty })
            .collect();
        // SCH-002
        if attributes.is_empty() || attributes.len() > MAX_ATTRIBUTES {
            return Err(SchemaError::AttributeCount {
                found: attributes.len(),
                max: MAX_ATTRIBUTES,
            });
        }
        let mut secrets = 0;
        for (i, a) in attributes.iter().enumerate() {
            // SCH-003
            let valid_name = !a.name.is_empty()
                && a.name.len() <= 64
                && a.name.as_bytes()[0].is_ascii_lowercase()
                && a.name
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_');
            if !valid_name {
                return Err(SchemaError::InvalidAttributeName(
                    a.name.chars().take(66).collect(),
                ));
            }
            // SCH-004
            if attributes[..i].iter().any(|b| b.name == a.name) {
                return Err(SchemaError::DuplicateAttribute(a.name.clone()));
            }
            match a.ty {
                AttributeType::HolderSecret => secrets += 1,
                // SCH-006
                AttributeType::Code { digits } if !(1..=18).contains(&digits) => {
                    return Err(SchemaError::InvalidCodeDigits {
                        name: a.name.clone(),
                        digits,
                    })
                }
                _ => {}
            }
        }
        // SCH-005
        if secrets != 1 {
            return Err(SchemaError::HolderSecretCount(secrets));
        }
        let digest = schema_digest(id, &attributes);
        let mut label = GENERATOR_LABEL.to_vec();
        label.extend_from_slice(crate::encoding::to_hex(&digest).as_bytes());
        // `attributes.len()` is in 1..=64 (SCH-002), so the cast is lossless and non-zero.
        let count = u32::try_from(attributes.len()).unwrap_or(1);
        let params = SignatureParamsG1::<Bls12_381>::new::<blake2::Blake2b512>(&label, count);
        Ok(Self(Arc::new(SchemaInner {
            id: id.to_owned(),
            attributes,
            digest,
            params,
            tables: std::sync::OnceLock::new(),
            wnaf: std::sync::OnceLock::new(),
        })))
    }

    /// Parse and validate a schema from its JSON definition (spec/02-attributes.md §JSON).
    ///
    /// # Errors
    /// [`SchemaError::Json`] for malformed JSON (unknown fields, duplicates, bad types) or the
    /// rule-specific variant.
    pub fn from_json(bytes: &[u8]) -> Result<Self, SchemaError> {
        if bytes.len() > MAX_SCHEMA_BYTES {
            return Err(SchemaError::Json(format!(
                "schema is {} bytes, limit {MAX_SCHEMA_BYTES}",
                bytes.len()
            )));
        }
        let raw: RawSchema =
            serde_json::from_slice(bytes).map_err(|e| SchemaError::Json(e.to_string()))?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: RawSchema) -> Result<Self, SchemaError> {
        let mut attrs = Vec::with_capacity(raw.attributes.len());
        for a in raw.attributes.into_iter().take(MAX_ATTRIBUTES + 1) {
            let ty = match (a.ty.as_str(), a.digits) {
                ("date", None) => AttributeType::Date,
                ("uint", None) => AttributeType::Uint,
                ("code", Some(digits)) => AttributeType::Code { digits },
                ("string", None) => AttributeType::String,
                ("holder_secret", None) => AttributeType::HolderSecret,
                (t, d) => {
                    return Err(SchemaError::Json(format!(
                        "attribute {:?}: unknown type {t:?}{}",
                        a.name,
                        if d.is_some() && t != "code" {
                            " (only code takes digits)"
                        } else if t == "code" {
                            " (code needs digits)"
                        } else {
                            ""
                        }
                    )))
                }
            };
            attrs.push((a.name, ty));
        }
        Self::new(&raw.id, attrs)
    }

    /// The schema's JSON definition.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_raw()).unwrap_or_default()
    }

    fn to_raw(&self) -> RawSchema {
        RawSchema {
            id: self.0.id.clone(),
            attributes: self
                .0
                .attributes
                .iter()
                .map(|a| RawAttribute {
                    name: a.name.clone(),
                    ty: a.ty.tag().to_owned(),
                    digits: match a.ty {
                        AttributeType::Code { digits } => Some(digits),
                        _ => None,
                    },
                })
                .collect(),
        }
    }

    /// The built-in `cn-network-id/v1` schema (spec/02-attributes.md §Built-in schema).
    #[must_use]
    pub fn cn_network_id_v1() -> Self {
        use AttributeType as T;
        let attrs = [
            ("link_secret", T::HolderSecret),
            ("revocation_id", T::Uint),
            ("document_type", T::Code { digits: 2 }),
            ("document_number", T::String),
            ("family_name", T::String),
            ("given_name", T::String),
            ("birth_date", T::Date),
            ("region", T::Code { digits: 6 }),
            ("nationality", T::String),
            ("issued_on", T::Date),
            ("expires_on", T::Date),
        ];
        // The built-in definition satisfies every SCH rule (tested), so this cannot fail.
        Self::new(
            CN_NETWORK_ID_V1,
            attrs.into_iter().map(|(n, t)| (n.to_owned(), t)),
        )
        .unwrap_or_else(|e| unreachable!("built-in schema is valid: {e}"))
    }

    /// The schema id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// The attributes, in signing order.
    #[must_use]
    pub fn attributes(&self) -> &[AttributeSpec] {
        &self.0.attributes
    }

    /// Number of attributes (= number of signed messages).
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.attributes.len()
    }

    /// Always false: a schema has at least one attribute.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.attributes.is_empty()
    }

    /// SHA-256 digest of the schema's canonical encoding; bound into generators and challenges.
    #[must_use]
    pub fn digest(&self) -> [u8; 32] {
        self.0.digest
    }

    /// Position of an attribute by name.
    #[must_use]
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.0.attributes.iter().position(|a| a.name == name)
    }

    /// Position of the holder-secret attribute (every schema has exactly one, SCH-005).
    #[must_use]
    pub fn holder_secret_index(&self) -> usize {
        self.0
            .attributes
            .iter()
            .position(|a| a.ty == AttributeType::HolderSecret)
            .unwrap_or(0)
    }

    pub(crate) fn params(&self) -> &SignatureParamsG1<Bls12_381> {
        &self.0.params
    }

    /// The generators' fixed-base tables, built on the first call (140 KiB and a few
    /// milliseconds per generator) and shared by every clone of this schema.
    pub(crate) fn tables(&self) -> &GeneratorTables {
        self.0.tables.get_or_init(|| {
            let p = &self.0.params;
            GeneratorTables {
                h_0: FixedBaseTable::new(&p.h_0),
                h: p.h.iter().map(FixedBaseTable::new).collect(),
            }
        })
    }

    /// The tables if [`Schema::tables`] was called before.
    #[cfg(test)]
    pub(crate) fn tables_if_built(&self) -> Option<&GeneratorTables> {
        self.0.tables.get()
    }

    /// The generators' wNAF tables, shared by every clone of this schema: built on the first
    /// call, with window `w` (`pairing::LAZY_W` on a first verification, about 0.2 ms per
    /// generator; `pairing::PRECOMPUTED_W` from `Verifier::precompute`); later calls get the
    /// tables already built, whatever their `w`.
    pub(crate) fn wnaf_tables(&self, w: usize) -> &GeneratorWnaf {
        self.0.wnaf.get_or_init(|| {
            let p = &self.0.params;
            GeneratorWnaf {
                g1: WnafTable::new(&p.g1, w),
                h_0: WnafTable::new(&p.h_0, w),
                h: p.h.iter().map(|h| WnafTable::new(h, w)).collect(),
            }
        })
    }
}

fn schema_digest(id: &str, attributes: &[AttributeSpec]) -> [u8; 32] {
    let mut t = Transcript::new(b"NetNym-v1:schema");
    t.append(b"id", id.as_bytes());
    t.append_u64(b"count", attributes.len() as u64);
    for a in attributes {
        t.append(b"name", a.name.as_bytes());
        t.append(b"type", a.ty.tag().as_bytes());
        if let AttributeType::Code { digits } = a.ty {
            t.append_u64(b"digits", u64::from(digits));
        }
    }
    t.digest()
}

/// A calendar date, stored as days since 1900-01-01 (ENC-001).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(u32);

impl Date {
    /// Earliest representable date, 1900-01-01 (day 0).
    pub const MIN: Self = Self(0);

    /// Latest representable date, 9999-12-31.
    pub const MAX: Self = Self(Self::MAX_DAYS);

    /// Days from 1900-01-01 to 9999-12-31.
    const MAX_DAYS: u32 = 2_958_463;

    /// Build from year, month, day; `None` unless it is a real day in 1900-01-01..=9999-12-31.
    #[must_use]
    pub fn from_ymd(year: u32, month: u32, day: u32) -> Option<Self> {
        if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        let days = days_from_civil(year, month, day) - days_from_civil(1900, 1, 1);
        u32::try_from(days).ok().map(Self)
    }

    /// Build from days since 1900-01-01; `None` past 9999-12-31.
    #[must_use]
    pub fn from_days(days: u32) -> Option<Self> {
        (days <= Self::MAX_DAYS).then_some(Self(days))
    }

    /// Days since 1900-01-01.
    #[must_use]
    pub fn days(self) -> u32 {
        self.0
    }

    /// The date of a Unix timestamp (UTC).
    #[must_use]
    pub fn from_unix(seconds: u64) -> Option<Self> {
        // 1970-01-01 is day 25567 since 1900-01-01.
        let days = seconds / 86_400 + 25_567;
        u32::try_from(days).ok().and_then(Self::from_days)
    }

    /// `(year, month, day)`.
    #[must_use]
    pub fn ymd(self) -> (u32, u32, u32) {
        civil_from_days(i64::from(self.0) + days_from_civil(1900, 1, 1))
    }

    /// Parse strict `YYYY-MM-DD`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: core::ops::Range<usize>| -> Option<u32> {
            let part = &b[r];
            if !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            core::str::from_utf8(part).ok()?.parse().ok()
        };
        Self::from_ymd(num(0..4)?, num(5..7)?, num(8..10)?)
    }
}

impl core::fmt::Display for Date {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(y: u32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: u32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // bounded by Date's range
fn civil_from_days(z: i64) -> (u32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    ((y + i64::from(m <= 2)) as u32, m as u32, d as u32)
}

/// A clear attribute value.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttributeValue {
    /// A date attribute.
    Date(Date),
    /// An unsigned integer attribute.
    Uint(u64),
    /// A code attribute (its digits, validated against the schema's width).
    Code(String),
    /// A string attribute.
    String(String),
}

impl core::fmt::Debug for AttributeValue {
    // Attribute values are personal data: Debug shows only the type.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Date(_) => f.write_str("Date(..)"),
            Self::Uint(_) => f.write_str("Uint(..)"),
            Self::Code(_) => f.write_str("Code(..)"),
            Self::String(_) => f.write_str("String(..)"),
        }
    }
}

impl Zeroize for AttributeValue {
    fn zeroize(&mut self) {
        match self {
            Self::Date(d) => d.0.zeroize(),
            Self::Uint(v) => v.zeroize(),
            Self::Code(s) | Self::String(s) => s.zeroize(),
        }
    }
}

impl AttributeValue {
    /// Validate this value against an attribute type (ENC-001..ENC-005).
    ///
    /// # Errors
    /// [`AttributeError`] naming the broken rule.
    pub fn check(&self, spec: &AttributeSpec) -> Result<(), AttributeError> {
        let name = || spec.name.clone();
        match (spec.ty, self) {
            (AttributeType::HolderSecret, _) => Err(AttributeError::HolderSecretInClear(name())),
            (AttributeType::Date, Self::Date(_)) | (AttributeType::Uint, Self::Uint(_)) => Ok(()),
            (AttributeType::Code { digits }, Self::Code(c)) => {
                if c.len() == usize::from(digits) && c.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(())
                } else {
                    Err(AttributeError::InvalidCode {
                        name: name(),
                        digits,
                    })
                }
            }
            (AttributeType::String, Self::String(s)) => {
                if s.len() <= MAX_STRING_BYTES {
                    Ok(())
                } else {
                    Err(AttributeError::StringTooLong {
                        name: name(),
                        max: MAX_STRING_BYTES,
                    })
                }
            }
            (ty, _) => Err(AttributeError::WrongType {
                name: name(),
                expected: expected_json(ty),
            }),
        }
    }

    /// The scalar this value is signed as. Assumes [`AttributeValue::check`] passed.
    #[must_use]
    pub(crate) fn to_scalar(&self) -> Fr {
        match self {
            Self::Date(d) => Fr::from(d.0),
            Self::Uint(v) => Fr::from(*v),
            // Validated codes have at most 18 digits, so they fit u64.
            Self::Code(c) => Fr::from(c.parse::<u64>().unwrap_or(u64::MAX)),
            Self::String(s) => hash_to_scalar(STRING_DST, s.as_bytes()),
        }
    }

    /// Parse the JSON form of a value for the given attribute.
    ///
    /// # Errors
    /// [`AttributeError`] when the JSON form or the value is invalid.
    pub fn from_json(spec: &AttributeSpec, v: &serde_json::Value) -> Result<Self, AttributeError> {
        let wrong = || AttributeError::WrongType {
            name: spec.name.clone(),
            expected: expected_json(spec.ty),
        };
        let value = match spec.ty {
            AttributeType::HolderSecret => {
                return Err(AttributeError::HolderSecretInClear(spec.name.clone()))
            }
            AttributeType::Date => {
                let s = v.as_str().ok_or_else(wrong)?;
                Self::Date(Date::parse(s).ok_or_else(|| AttributeError::InvalidDate {
                    name: spec.name.clone(),
                    value: s.chars().take(32).collect(),
                })?)
            }
            AttributeType::Uint => Self::Uint(v.as_u64().ok_or_else(wrong)?),
            AttributeType::Code { .. } => Self::Code(v.as_str().ok_or_else(wrong)?.to_owned()),
            AttributeType::String => Self::String(v.as_str().ok_or_else(wrong)?.to_owned()),
        };
        value.check(spec)?;
        Ok(value)
    }

    /// The JSON form of this value.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Date(d) => serde_json::Value::String(d.to_string()),
            Self::Uint(v) => serde_json::Value::from(*v),
            Self::Code(s) | Self::String(s) => serde_json::Value::String(s.clone()),
        }
    }
}

fn expected_json(ty: AttributeType) -> &'static str {
    match ty {
        AttributeType::Date => "a \"YYYY-MM-DD\" string",
        AttributeType::Uint => "a non-negative integer below 2^64",
        AttributeType::Code { .. } => "a string of decimal digits",
        AttributeType::String => "a string",
        AttributeType::HolderSecret => "no clear value (holder secret)",
    }
}

/// The clear attribute values of one credential, aligned with the schema (the holder-secret slot
/// is empty). Personal data: `Debug` is redacted and values are zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Attributes {
    schema: Schema,
    values: Vec<Option<AttributeValue>>,
}

impl core::fmt::Debug for Attributes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Attributes")
            .field("schema", &self.schema.id())
            .finish_non_exhaustive()
    }
}

impl Drop for Attributes {
    fn drop(&mut self) {
        for v in self.values.iter_mut().flatten() {
            v.zeroize();
        }
    }
}

impl Attributes {
    /// Build from `(name, value)` pairs: every non-secret attribute exactly once, no secret.
    ///
    /// # Errors
    /// [`AttributeError`] for an unknown, duplicated, missing, secret or invalid attribute.
    pub fn new(
        schema: &Schema,
        values: impl IntoIterator<Item = (String, AttributeValue)>,
    ) -> Result<Self, AttributeError> {
        let mut slots: Vec<Option<AttributeValue>> = vec![None; schema.len()];
        for (name, value) in values {
            let i = schema
                .index_of(&name)
                .ok_or_else(|| AttributeError::Unknown(name.chars().take(66).collect()))?;
            let spec = &schema.attributes()[i];
            value.check(spec)?;
            if slots[i].is_some() {
                return Err(AttributeError::WrongType {
                    name,
                    expected: "a single value (given twice)",
                });
            }
            slots[i] = Some(value);
        }
        for (spec, slot) in schema.attributes().iter().zip(&slots) {
            if spec.ty != AttributeType::HolderSecret && slot.is_none() {
                return Err(AttributeError::Missing(spec.name.clone()));
            }
        }
        Ok(Self {
            schema: schema.clone(),
            values: slots,
        })
    }

    /// Parse from a JSON object `{name: value}` (duplicated keys rejected).
    ///
    /// # Errors
    /// [`AttributeError`] as for [`Attributes::new`]; `WrongType` for non-object JSON.
    pub fn from_json(schema: &Schema, json: &serde_json::Value) -> Result<Self, AttributeError> {
        let obj = json.as_object().ok_or(AttributeError::WrongType {
            name: String::from("(attributes)"),
            expected: "a JSON object",
        })?;
        let mut pairs = Vec::with_capacity(obj.len());
        for (k, v) in obj {
            let i = schema
                .index_of(k)
                .ok_or_else(|| AttributeError::Unknown(k.chars().take(66).collect()))?;
            pairs.push((
                k.clone(),
                AttributeValue::from_json(&schema.attributes()[i], v)?,
            ));
        }
        Self::new(schema, pairs)
    }

    /// The JSON object form.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for (spec, v) in self.schema.attributes().iter().zip(&self.values) {
            if let Some(v) = v {
                m.insert(spec.name.clone(), v.to_json());
            }
        }
        serde_json::Value::Object(m)
    }

    /// The schema these values follow.
    #[must_use]
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Value of an attribute by name (`None` for the holder secret or an unknown name).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        self.schema
            .index_of(name)
            .and_then(|i| self.values[i].as_ref())
    }

    /// `(index, value)` of every clear attribute.
    pub(crate) fn iter_indexed(&self) -> impl Iterator<Item = (usize, &AttributeValue)> {
        self.values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_ref().map(|v| (i, v)))
    }

    /// The scalars of all attributes in schema order; `holder_secret` fills the secret slot.
    pub(crate) fn scalars(&self, holder_secret: &Fr) -> Vec<Fr> {
        self.values
            .iter()
            .map(|v| match v {
                Some(v) => v.to_scalar(),
                None => *holder_secret,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
