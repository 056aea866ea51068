//! Predicates: range statements about hidden attributes (spec/05-presentation.md §Predicates).
//!
//! A request states predicates in a readable form ([`Predicate`]); both the wallet and the
//! verifier lower them, with [`lower`], to inclusive integer [`Bound`]s on attribute scalars.
//! The lowering is a pure function of the request and the schema, so the verifier recomputes
//! every bound itself and never trusts bounds sent by the prover (PRD-rules).

use serde::{Deserialize, Serialize};

use crate::error::DecodeError;
use crate::schema::{AttributeType, Date, Schema};

/// A statement about one or two hidden attributes, as written in a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Predicate {
    /// `birth_date <= reference date - N years`: the holder is at least N years old on the
    /// reference date (the UTC date of the request's `created_at`).
    AgeAtLeast(u32),
    /// `birth_date > reference date - N years`: the holder is younger than N.
    AgeBelow(u32),
    /// `issued_on <= date <= expires_on`.
    ValidOn(String),
    /// The 6-digit `region` code starts with this GB/T 2260 prefix, e.g. `"31"` (Shanghai).
    RegionWithin(String),
    /// A general inclusive range on a date, uint or code attribute; either side optional.
    Range(RangeSpec),
}

/// A general range predicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeSpec {
    /// The attribute.
    pub attribute: String,
    /// Lower bound, inclusive, in the attribute's JSON form (absent: the type's minimum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<serde_json::Value>,
    /// Upper bound, inclusive, in the attribute's JSON form (absent: the type's maximum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<serde_json::Value>,
}

/// An inclusive bound `min <= m <= max` on the scalar of attribute `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bound {
    /// Attribute index in the schema.
    pub index: usize,
    /// Smallest allowed value.
    pub min: u64,
    /// Largest allowed value.
    pub max: u64,
}

/// Largest value of an attribute type's scalar encoding.
fn type_max(ty: AttributeType) -> Option<u64> {
    match ty {
        AttributeType::Date => Some(u64::from(Date::MAX.days())),
        // PRD-007: range proofs take an exclusive upper bound in u64, so 2^64 - 1 is out.
        AttributeType::Uint => Some(u64::MAX - 1),
        AttributeType::Code { digits } => Some(10u64.pow(u32::from(digits)) - 1),
        _ => None,
    }
}

fn invalid(reason: String) -> DecodeError {
    DecodeError::InvalidField {
        field: "predicates",
        reason,
    }
}

/// The date `years` before `reference`, with 29 February mapped to 28 February when the target
/// year is not a leap year (PRD-002).
#[must_use]
pub fn years_before(reference: Date, years: u32) -> Option<Date> {
    let (y, m, d) = reference.ymd();
    let y = y.checked_sub(years)?;
    Date::from_ymd(y, m, d).or_else(|| (m == 2 && d == 29).then(|| Date::from_ymd(y, 2, 28))?)
}

fn numeric_attr(schema: &Schema, name: &str) -> Result<(usize, AttributeType, u64), DecodeError> {
    let index = schema.index_of(name).ok_or_else(|| {
        invalid(format!(
            "attribute {name:?} is not in schema {}",
            schema.id()
        ))
    })?;
    let ty = schema.attributes()[index].ty();
    let max = type_max(ty).ok_or_else(|| {
        invalid(format!(
            "attribute {name:?} is not a date, uint or code and cannot be range-checked"
        ))
    })?;
    Ok((index, ty, max))
}

fn parse_bound(name: &str, ty: AttributeType, v: &serde_json::Value) -> Result<u64, DecodeError> {
    let bad = || invalid(format!("bound for {name:?} does not fit its type"));
    match ty {
        AttributeType::Date => Date::parse(v.as_str().ok_or_else(bad)?)
            .map(|d| u64::from(d.days()))
            .ok_or_else(bad),
        AttributeType::Uint => v.as_u64().ok_or_else(bad),
        AttributeType::Code { digits } => {
            let s = v.as_str().ok_or_else(bad)?;
            if s.len() != usize::from(digits) || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse().map_err(|_| bad())
        }
        _ => Err(bad()),
    }
}

/// Lower a query's predicates to bounds (PRD-001..PRD-006), given the schema, the request's
/// reference date and the attributes the query discloses.
///
/// # Errors
/// [`DecodeError::InvalidField`] (`predicates`) when a predicate names a missing or
/// non-numeric attribute, a disclosed attribute, an empty range, or a malformed value.
pub fn lower(
    schema: &Schema,
    predicates: &[Predicate],
    reference: Date,
    disclosed: &[String],
) -> Result<Vec<Bound>, DecodeError> {
    let mut out = Vec::with_capacity(predicates.len() + 1);
    let date_max = u64::from(Date::MAX.days());
    for p in predicates {
        match p {
            Predicate::AgeAtLeast(n) | Predicate::AgeBelow(n) => {
                let (index, ty, _) = numeric_attr(schema, "birth_date")?;
                if ty != AttributeType::Date {
                    return Err(invalid("birth_date is not a date".into()));
                }
                let cutoff = years_before(reference, *n)
                    .ok_or_else(|| invalid(format!("age {n} reaches before 1900")))?;
                let c = u64::from(cutoff.days());
                out.push(if matches!(p, Predicate::AgeAtLeast(_)) {
                    Bound {
                        index,
                        min: 0,
                        max: c,
                    }
                } else {
                    Bound {
                        index,
                        min: c + 1,
                        max: date_max,
                    }
                });
            }
            Predicate::ValidOn(date) => {
                let d = Date::parse(date)
                    .ok_or_else(|| invalid(format!("valid_on {date:?} is not a date")))?;
                let d = u64::from(d.days());
                for (name, min, max) in [("issued_on", 0, d), ("expires_on", d, date_max)] {
                    let (index, ty, _) = numeric_attr(schema, name)?;
                    if ty != AttributeType::Date {
                        return Err(invalid(format!("{name} is not a date")));
                    }
                    out.push(Bound { index, min, max });
                }
            }
            Predicate::RegionWithin(prefix) => {
                let (index, ty, _) = numeric_attr(schema, "region")?;
                let AttributeType::Code { digits } = ty else {
                    return Err(invalid("region is not a code".into()));
                };
                let k = prefix.len();
                if k == 0 || k > usize::from(digits) || !prefix.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(invalid(format!(
                        "region prefix {prefix:?} must be 1..={digits} digits"
                    )));
                }
                let p: u64 = prefix
                    .parse()
                    .map_err(|_| invalid("region prefix".into()))?;
                // k <= digits <= 18, so the power fits u64.
                let scale = 10u64.pow(u32::from(digits) - u32::try_from(k).unwrap_or(0));
                out.push(Bound {
                    index,
                    min: p * scale,
                    max: p * scale + scale - 1,
                });
            }
            Predicate::Range(spec) => {
                let (index, ty, max) = numeric_attr(schema, &spec.attribute)?;
                let lo = spec
                    .min
                    .as_ref()
                    .map(|v| parse_bound(&spec.attribute, ty, v))
                    .transpose()?
                    .unwrap_or(0);
                let hi = spec
                    .max
                    .as_ref()
                    .map(|v| parse_bound(&spec.attribute, ty, v))
                    .transpose()?
                    .unwrap_or(max);
                out.push(Bound {
                    index,
                    min: lo,
                    max: hi,
                });
            }
        }
    }
    for b in &out {
        let name = schema.attributes()[b.index].name();
        // PRD-004: an empty range can never be proven; refuse it as a malformed request.
        if b.min > b.max {
            return Err(invalid(format!("range on {name:?} is empty")));
        }
        // PRD-007
        if b.max == u64::MAX {
            return Err(invalid(format!("range on {name:?} ends above 2^64 - 2")));
        }
        // PRD-005: a disclosed attribute needs no range proof; mixing both is a request error.
        if disclosed.iter().any(|d| d == name) {
            return Err(invalid(format!(
                "{name:?} is both disclosed and range-checked"
            )));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
