//! Error types: one enum per operation family (spec/06-verification.md explains which errors are
//! opaque and why).

use thiserror::Error;

/// A schema definition was rejected (spec/02-attributes.md, `SCH-nnn`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The schema JSON could not be parsed.
    #[error("schema JSON is malformed: {0}")]
    Json(String),
    /// SCH-001: the schema id is empty, too long or uses characters outside `[A-Za-z0-9._/:-]`.
    #[error("schema id {0:?} is invalid (1-128 characters from [A-Za-z0-9._/:-])")]
    InvalidId(String),
    /// SCH-002: the schema has no attributes or more than [`crate::MAX_ATTRIBUTES`].
    #[error("schema must have between 1 and {max} attributes, found {found}")]
    AttributeCount {
        /// Number of attributes found.
        found: usize,
        /// Largest number allowed.
        max: usize,
    },
    /// SCH-003: an attribute name is empty, too long or not `[a-z][a-z0-9_]*`.
    #[error("attribute name {0:?} is invalid (1-64 characters, [a-z][a-z0-9_]*)")]
    InvalidAttributeName(String),
    /// SCH-004: two attributes share a name.
    #[error("attribute name {0:?} appears twice")]
    DuplicateAttribute(String),
    /// SCH-005: a schema must have exactly one holder-secret attribute.
    #[error("a schema must have exactly one holder_secret attribute, found {0}")]
    HolderSecretCount(usize),
    /// SCH-006: a `code` attribute declares a digit count outside 1..=18.
    #[error("code attribute {name:?} declares {digits} digits; allowed 1..=18")]
    InvalidCodeDigits {
        /// Attribute name.
        name: String,
        /// Declared digit count.
        digits: u8,
    },
}

/// An attribute value was rejected (spec/02-attributes.md, `ENC-nnn`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AttributeError {
    /// The schema has no attribute of that name.
    #[error("unknown attribute {0:?}")]
    Unknown(String),
    /// A required attribute is missing.
    #[error("missing attribute {0:?}")]
    Missing(String),
    /// The value does not have the JSON type the schema requires.
    #[error("attribute {name:?} expects {expected}")]
    WrongType {
        /// Attribute name.
        name: String,
        /// What the schema expects.
        expected: &'static str,
    },
    /// ENC-001: a date is not `YYYY-MM-DD`, not a real calendar day, or outside 1900-01-01..=9999-12-31.
    #[error("attribute {name:?}: invalid date {value:?} (YYYY-MM-DD, 1900-01-01..=9999-12-31)")]
    InvalidDate {
        /// Attribute name.
        name: String,
        /// Offending value.
        value: String,
    },
    /// ENC-002: a code does not have exactly the declared number of ASCII digits.
    #[error("attribute {name:?}: code must be exactly {digits} ASCII digits")]
    InvalidCode {
        /// Attribute name.
        name: String,
        /// Declared digit count.
        digits: u8,
    },
    /// ENC-003: a string is longer than [`crate::MAX_STRING_BYTES`] bytes.
    #[error("attribute {name:?}: string longer than {max} bytes")]
    StringTooLong {
        /// Attribute name.
        name: String,
        /// Limit in bytes.
        max: usize,
    },
    /// ENC-005: a holder secret can never be given as a clear value.
    #[error("attribute {0:?} is the holder secret and cannot be given in the clear")]
    HolderSecretInClear(String),
}

/// Untrusted bytes or JSON could not be decoded (spec/03-wire-format.md, `WIRE-nnn`).
///
/// Decoding errors describe what is structurally wrong: they reveal nothing about secrets, and a
/// client needs them to fix its encoder.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// WIRE-001: input larger than the limit for this object.
    #[error("input is {actual} bytes, larger than the {limit}-byte limit")]
    TooLarge {
        /// Limit in bytes.
        limit: usize,
        /// Actual size.
        actual: usize,
    },
    /// WIRE-002: not valid JSON for this object (includes unknown and duplicated fields).
    #[error("malformed JSON: {0}")]
    Json(String),
    /// WIRE-003: the envelope's `type` is not the expected one.
    #[error("expected object type {expected:?}, found {found:?}")]
    WrongType {
        /// Expected type tag.
        expected: &'static str,
        /// Found type tag.
        found: String,
    },
    /// WIRE-004: the envelope's `version` is not supported.
    #[error("unsupported version {found} (supported: {supported})")]
    UnsupportedVersion {
        /// Version found.
        found: u64,
        /// Version supported.
        supported: u64,
    },
    /// WIRE-005: a field is not unpadded base64url, or not hex where hex is required.
    #[error("field {field:?} is not valid {encoding}")]
    Encoding {
        /// Field name.
        field: &'static str,
        /// Expected text encoding.
        encoding: &'static str,
    },
    /// WIRE-006: a binary field has the wrong length.
    #[error("field {field:?} must be {expected} bytes, found {actual}")]
    Length {
        /// Field name.
        field: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        actual: usize,
    },
    /// WIRE-007: bytes are not a canonical compressed point of the prime-order subgroup.
    #[error("field {field:?} is not a valid compressed group element of the prime-order subgroup")]
    InvalidPoint {
        /// Field name.
        field: &'static str,
    },
    /// WIRE-008: a group element is the identity where that would allow forgery.
    #[error("field {field:?} is the identity element")]
    IdentityPoint {
        /// Field name.
        field: &'static str,
    },
    /// WIRE-009: bytes are not a canonical scalar (little-endian, less than the group order).
    #[error("field {field:?} is not a canonical scalar")]
    InvalidScalar {
        /// Field name.
        field: &'static str,
    },
    /// WIRE-010: a field's value is out of its allowed range or set.
    #[error("field {field:?} is invalid: {reason}")]
    InvalidField {
        /// Field name.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// A schema embedded in the object is invalid.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// An attribute value embedded in the object is invalid.
    #[error(transparent)]
    Attribute(#[from] AttributeError),
}

impl DecodeError {
    /// The spec rule this error reports (`WIRE-nnn`, or `SCH-`/`ENC-` for embedded data).
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "WIRE-001",
            Self::Json(_) => "WIRE-002",
            Self::WrongType { .. } => "WIRE-003",
            Self::UnsupportedVersion { .. } => "WIRE-004",
            Self::Encoding { .. } => "WIRE-005",
            Self::Length { .. } => "WIRE-006",
            Self::InvalidPoint { .. } => "WIRE-007",
            Self::IdentityPoint { .. } => "WIRE-008",
            Self::InvalidScalar { .. } => "WIRE-009",
            Self::InvalidField { .. } => "WIRE-010",
            Self::Schema(_) => "SCH",
            Self::Attribute(_) => "ENC",
        }
    }
}

/// The authority refused an issuance (spec/04-issuance.md, `ISS-nnn`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The request could not be decoded.
    #[error("issuance request is malformed: {0}")]
    Malformed(#[from] DecodeError),
    /// ISS-002: the request names another issuer key.
    #[error("issuance request is for another issuer key")]
    WrongIssuerKey,
    /// ISS-003: the request does not answer this offer's nonce.
    #[error("issuance request does not answer this offer (nonce mismatch)")]
    NonceMismatch,
    /// ISS-004: the request commits to an attribute the authority signs in the clear.
    #[error("issuance request commits to attribute {0:?}, which the authority signs in the clear")]
    CommitsToClearAttribute(String),
    /// ISS-004: the request commits to an attribute the schema does not have.
    #[error("issuance request commits to unknown attribute {0:?}")]
    CommitsToUnknownAttribute(String),
    /// ISS-004: the request does not commit to the schema's holder secret.
    #[error("issuance request does not commit to the holder secret {0:?}")]
    MissingHolderSecretCommitment(String),
    /// ISS-006: the proof of knowledge of the commitment's opening does not verify.
    #[error("proof of knowledge of the committed holder secret is invalid")]
    InvalidCommitmentProof,
    /// ISS-007: the clear attributes do not fit the schema.
    #[error("clear attributes rejected: {0}")]
    Attributes(#[from] AttributeError),
    /// A library invariant failed (a bug, not bad input).
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl IssueError {
    /// The spec rule this error reports (`ISS-nnn`, or the `WIRE-nnn` rule of a decoding error).
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Malformed(e) => e.rule(),
            Self::WrongIssuerKey => "ISS-002",
            Self::NonceMismatch => "ISS-003",
            Self::CommitsToClearAttribute(_)
            | Self::CommitsToUnknownAttribute(_)
            | Self::MissingHolderSecretCommitment(_) => "ISS-004",
            Self::InvalidCommitmentProof => "ISS-006",
            Self::Attributes(_) => "ISS-007",
            Self::Internal(_) => "INTERNAL",
        }
    }
}

/// The holder could not complete an issuance (spec/04-issuance.md, `ISS-01n`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The issuance response could not be decoded.
    #[error("issuance response is malformed: {0}")]
    Malformed(#[from] DecodeError),
    /// ISS-010: the response is from another issuer key than the one requested.
    #[error("issuance response is from another issuer key")]
    WrongIssuerKey,
    /// ISS-011: the unblinded signature does not verify over the attributes.
    #[error("issued signature does not verify")]
    InvalidSignature,
    /// ISS-012: the link secret given is not the one committed in the request.
    #[error("link secret does not match the one committed in the request")]
    LinkSecretMismatch,
    /// Clear attributes in the response do not fit the schema.
    #[error("attributes rejected: {0}")]
    Attributes(#[from] AttributeError),
}

/// The holder cannot build a presentation for a request (spec/05-presentation.md, `PRE-nnn`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PresentError {
    /// PRE-001: number of credentials given differs from the number of credential queries.
    #[error("request asks for {expected} credentials, {given} given")]
    CredentialCount {
        /// Queries in the request.
        expected: usize,
        /// Credentials given.
        given: usize,
    },
    /// PRE-002: a credential's schema is not the one the query asks for.
    #[error("query {index} asks for schema {expected:?}, credential has {found:?}")]
    SchemaMismatch {
        /// Query index.
        index: usize,
        /// Schema the query names.
        expected: String,
        /// Schema of the credential.
        found: String,
    },
    /// PRE-003: a credential's issuer key is not accepted by the query.
    #[error("query {index} does not accept the credential's issuer key")]
    IssuerNotAccepted {
        /// Query index.
        index: usize,
    },
    /// PRE-004: the query asks to disclose an attribute the schema does not have, or the holder secret.
    #[error("query {index} asks to disclose {name:?}, which cannot be disclosed")]
    CannotDisclose {
        /// Query index.
        index: usize,
        /// Attribute name.
        name: String,
    },
    /// PRE-005: the link secret given does not match the credential.
    #[error("link secret does not match the credential")]
    LinkSecretMismatch,
    /// PRE-007: the credential's attribute does not satisfy a predicate of the request.
    #[error("query {index}: attribute {attribute:?} does not satisfy the requested predicate")]
    PredicateNotSatisfied {
        /// Query index.
        index: usize,
        /// Attribute name.
        attribute: String,
    },
    /// PRE-008: the request's predicates do not fit the credential's schema.
    #[error("query {index}: invalid predicates: {reason}")]
    InvalidRequest {
        /// Query index.
        index: usize,
        /// Why.
        reason: String,
    },
    /// PRE-009: the query asks for non-revocation and the holding's witness cannot prove it.
    #[error("query {index}: cannot prove non-revocation: {reason}")]
    Revocation {
        /// Query index.
        index: usize,
        /// Why.
        reason: &'static str,
    },
    /// PRE-010: the request has predicates and the range parameters it names were not given.
    #[error("query {index}: the range parameters the request names are not available")]
    RangeParams {
        /// Query index.
        index: usize,
    },
    /// PRE-006: the issuer public key given is not the credential's issuer key.
    #[error("issuer public key does not match the credential")]
    WrongIssuerKey,
    /// A library invariant failed (a bug, not bad input).
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// A presentation was not accepted (spec/06-verification.md, `VER-nnn`).
///
/// # Security
/// [`VerifyError::InvalidPresentation`] is deliberately opaque: it does not say which check
/// failed, so a prover learns nothing from the rejection. The failed rule is logged at `debug`
/// level under the `netnym::verify` target.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The presentation bytes could not be decoded (structure only; no cryptographic check ran).
    #[error("presentation is malformed: {0}")]
    Malformed(#[from] DecodeError),
    /// VER-004: the request this presentation answers has expired (or is not valid yet).
    #[error("presentation request is expired or not yet valid")]
    RequestExpired,
    /// Any other failure: the presentation does not prove what the request asks.
    #[error("presentation is invalid")]
    InvalidPresentation,
}

/// The reason a presentation was rejected, by spec rule; kept inside the crate (logs, tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    /// The spec rule that failed, e.g. `VER-009`.
    pub(crate) rule: &'static str,
    /// Human-readable detail for the debug log.
    pub(crate) detail: String,
}

impl Rejection {
    pub(crate) fn new(rule: &'static str, detail: impl Into<String>) -> Self {
        Self {
            rule,
            detail: detail.into(),
        }
    }
}

/// The revocation registry refused an operation (spec/09-revocation.md, `REV-nnn`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RevocationError {
    /// REV-001/REV-003: the domain size or a revocation id is outside `1..=MAX_DOMAIN`.
    #[error("revocation id or domain out of range")]
    Domain,
    /// REV-003/REV-004/REV-007: the id is revoked.
    #[error("revocation id {0} is revoked")]
    Revoked(u64),
    /// REV-004: a batch is empty or larger than the limit.
    #[error("a revocation batch holds 1..=1024 ids")]
    BatchSize,
    /// REV-004: a batch names an id twice.
    #[error("a revocation batch names an id twice")]
    Duplicate,
    /// The entry or witness belongs to another registry.
    #[error("entry of another registry")]
    WrongRegistry,
    /// REV-007: the entry is not the next epoch of the witness.
    #[error("witness is at epoch {have}, entry is epoch {got}: apply entries in order")]
    EpochGap {
        /// The witness's epoch.
        have: u64,
        /// The entry's epoch.
        got: u64,
    },
    /// REV-011: a different accumulator value for an epoch the verifier already knows.
    #[error("epoch {0} is already known with another accumulator value")]
    ConflictingEpoch(u64),
    /// A library invariant failed (a bug, not bad input).
    #[error("internal error: {0}")]
    Internal(&'static str),
}
