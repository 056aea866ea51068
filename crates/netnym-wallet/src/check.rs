//! The check before presenting: can a stored credential answer a request, and what would the
//! presentation reveal?
//!
//! For each credential query the wallet tries its credentials, newest first, and keeps the first
//! that passes every check the core would make (schema, accepted issuer key, disclosable
//! attributes, predicates lowered with [`netnym::lower`] and evaluated on the clear values) plus
//! the holder-side check that the credential is valid today (`issued_on <= today <=
//! expires_on` when the schema has those dates). A request that is expired or not yet valid is
//! refused as a whole.

use netnym::{
    lower, years_before, AttributeType, AttributeValue, CredentialQuery, Date, Predicate,
    PresentationRequest, Schema, CLOCK_SKEW,
};

use crate::stored::StoredCredential;

/// Why a stored credential cannot answer a query.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsatisfied {
    /// The credential has another schema.
    SchemaMismatch {
        /// The credential's schema.
        found: String,
    },
    /// The query does not accept the credential's issuer key.
    IssuerNotAccepted,
    /// The query asks to disclose an attribute the schema does not have (or the link secret).
    CannotDisclose(String),
    /// The query's predicates do not fit the schema (a malformed request).
    InvalidPredicates(String),
    /// The credential's attribute does not satisfy a predicate.
    PredicateNotSatisfied {
        /// The predicate, as a readable statement.
        statement: String,
    },
    /// The credential expired.
    Expired {
        /// Its `expires_on` date.
        expires_on: String,
    },
    /// The credential is not valid yet.
    NotYetValid {
        /// Its `issued_on` date.
        issued_on: String,
    },
    /// The query asks for non-revocation and the credential has no witness of that registry.
    NoWitness,
    /// The authority's epoch log revoked the credential.
    Revoked,
    /// The witness is at an epoch outside the query's window (update the wallet).
    WitnessEpoch {
        /// The witness's epoch.
        epoch: u64,
        /// Oldest accepted epoch.
        min: u64,
        /// Newest accepted epoch.
        max: u64,
    },
}

impl core::fmt::Display for Unsatisfied {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::SchemaMismatch { found } => write!(f, "it is a {found} credential"),
            Self::IssuerNotAccepted => f.write_str("its issuer key is not accepted"),
            Self::CannotDisclose(n) => write!(f, "attribute {n:?} cannot be disclosed"),
            Self::InvalidPredicates(r) => write!(f, "the request's predicates are invalid: {r}"),
            Self::PredicateNotSatisfied { statement } => {
                write!(f, "it does not satisfy \"{statement}\"")
            }
            Self::Expired { expires_on } => write!(f, "it expired on {expires_on}"),
            Self::NotYetValid { issued_on } => write!(f, "it is valid only from {issued_on}"),
            Self::NoWitness => f.write_str("it has no revocation witness for the requested registry"),
            Self::Revoked => f.write_str("it has been revoked"),
            Self::WitnessEpoch { epoch, min, max } => write!(
                f,
                "its revocation witness is at epoch {epoch}, the request accepts {min}..={max} (run a wallet update)"
            ),
        }
    }
}

/// The outcome for one credential query.
#[derive(Clone, PartialEq, Eq)]
pub struct QueryCheck {
    schema_id: String,
    chosen: Option<String>,
    issuer_key_id: Option<String>,
    rejected: Vec<(String, Unsatisfied)>,
    reveal: Vec<(String, String)>,
    proves: Vec<String>,
    hidden: Vec<String>,
}

impl core::fmt::Debug for QueryCheck {
    // Revealed values are personal data: Debug shows names only.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("QueryCheck")
            .field("schema_id", &self.schema_id)
            .field("chosen", &self.chosen)
            .field("rejected", &self.rejected)
            .field(
                "reveal",
                &self.reveal.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("proves", &self.proves)
            .finish_non_exhaustive()
    }
}

impl QueryCheck {
    /// The schema asked for.
    #[must_use]
    pub fn schema_id(&self) -> &str {
        &self.schema_id
    }
    /// The wallet id of the credential that would answer, if any.
    #[must_use]
    pub fn chosen(&self) -> Option<&str> {
        self.chosen.as_deref()
    }
    /// Credentials tried and why each cannot answer.
    #[must_use]
    pub fn rejected(&self) -> &[(String, Unsatisfied)] {
        &self.rejected
    }
    /// Attributes that would be disclosed, as (name, value), in the query's order.
    #[must_use]
    pub fn reveal(&self) -> &[(String, String)] {
        &self.reveal
    }
    /// Statements proven without revealing the attributes.
    #[must_use]
    pub fn proves(&self) -> &[String] {
        &self.proves
    }
    /// Attributes that stay hidden (other than the link secret).
    #[must_use]
    pub fn hidden(&self) -> &[String] {
        &self.hidden
    }
}

/// The result of checking a request against the wallet, with a readable summary
/// ([`core::fmt::Display`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestCheck {
    verifier_id: String,
    expires_at: u64,
    pseudonym: bool,
    request_problem: Option<String>,
    queries: Vec<QueryCheck>,
}

impl RequestCheck {
    /// Whether every query has a credential (and the request is valid now).
    #[must_use]
    pub fn is_satisfiable(&self) -> bool {
        self.request_problem.is_none() && self.queries.iter().all(|q| q.chosen.is_some())
    }

    /// Why the request cannot be answered, in one line, or `None` when it can.
    #[must_use]
    pub fn problem(&self) -> Option<String> {
        if let Some(p) = &self.request_problem {
            return Some(p.clone());
        }
        let parts: Vec<String> = self
            .queries
            .iter()
            .enumerate()
            .filter(|(_, q)| q.chosen.is_none())
            .map(|(i, q)| {
                if q.rejected.is_empty() {
                    format!(
                        "query {}: no {} credential in the wallet",
                        i + 1,
                        q.schema_id
                    )
                } else {
                    let why: Vec<String> = q
                        .rejected
                        .iter()
                        .map(|(id, r)| format!("{id}: {r}"))
                        .collect();
                    format!("query {}: {}", i + 1, why.join("; "))
                }
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(" | "))
    }

    /// The platform asking.
    #[must_use]
    pub fn verifier_id(&self) -> &str {
        &self.verifier_id
    }
    /// Whether the platform asks for the holder's pseudonym.
    #[must_use]
    pub fn pseudonym(&self) -> bool {
        self.pseudonym
    }
    /// One entry per credential query, in request order.
    #[must_use]
    pub fn queries(&self) -> &[QueryCheck] {
        &self.queries
    }
}

impl core::fmt::Display for RequestCheck {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        writeln!(
            f,
            "{} asks for {} credential{} (request valid until {}).",
            self.verifier_id,
            self.queries.len(),
            if self.queries.len() == 1 { "" } else { "s" },
            utc(self.expires_at)
        )?;
        for (i, q) in self.queries.iter().enumerate() {
            match &q.chosen {
                Some(id) => writeln!(
                    f,
                    "Credential {} ({}, issuer {}…): your {id}",
                    i + 1,
                    q.schema_id,
                    q.issuer_key_id
                        .as_deref()
                        .map_or("?", |k| k.get(..12).unwrap_or(k))
                )?,
                None => writeln!(f, "Credential {} ({}): none available", i + 1, q.schema_id)?,
            }
            if q.reveal.is_empty() {
                writeln!(f, "  reveals: nothing in the clear")?;
            } else {
                let r: Vec<String> = q.reveal.iter().map(|(n, v)| format!("{n} = {v}")).collect();
                writeln!(f, "  reveals: {}", r.join(", "))?;
            }
            if !q.proves.is_empty() {
                writeln!(f, "  proves without revealing: {}", q.proves.join("; "))?;
            }
            if !q.hidden.is_empty() {
                writeln!(f, "  stays hidden: {}", q.hidden.join(", "))?;
            }
        }
        if self.pseudonym {
            writeln!(
                f,
                "Pseudonym: shown. {} sees the same pseudonym every time you sign in there; \
                 other platforms see unrelated ones.",
                self.verifier_id
            )?;
        } else {
            writeln!(
                f,
                "Pseudonym: not shown. This presentation cannot be linked to your other ones."
            )?;
        }
        match self.problem() {
            None => write!(f, "The wallet can answer this request."),
            Some(p) => write!(f, "The wallet cannot answer this request: {p}"),
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC` for Unix seconds.
#[must_use]
pub fn utc(ts: u64) -> String {
    let date = Date::from_unix(ts).map_or_else(|| "?".to_owned(), |d| d.to_string());
    let s = ts % 86_400;
    format!(
        "{date} {:02}:{:02}:{:02} UTC",
        s / 3600,
        (s % 3600) / 60,
        s % 60
    )
}

/// A predicate as a sentence for the holder.
#[must_use]
pub fn statement(p: &Predicate, reference: Date) -> String {
    match p {
        Predicate::AgeAtLeast(n) => match years_before(reference, *n) {
            Some(c) => format!("age at least {n} (born on or before {c})"),
            None => format!("age at least {n}"),
        },
        Predicate::AgeBelow(n) => match years_before(reference, *n) {
            Some(c) => format!("younger than {n} (born after {c})"),
            None => format!("younger than {n}"),
        },
        Predicate::ValidOn(d) => {
            format!("credential valid on {d} (issued_on <= {d} <= expires_on)")
        }
        Predicate::RegionWithin(prefix) => format!("region code starts with {prefix}"),
        Predicate::Range(r) => {
            let show =
                |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            match (&r.min, &r.max) {
                (Some(a), Some(b)) => {
                    format!("{} between {} and {}", r.attribute, show(a), show(b))
                }
                (Some(a), None) => format!("{} at least {}", r.attribute, show(a)),
                (None, Some(b)) => format!("{} at most {}", r.attribute, show(b)),
                (None, None) => format!("{} has a value", r.attribute),
            }
        }
        other => format!("{other:?}"),
    }
}

/// The clear value as text.
pub(crate) fn value_text(v: &AttributeValue) -> String {
    match v.to_json() {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

fn scalar_u64(v: &AttributeValue) -> Option<u64> {
    match v {
        AttributeValue::Date(d) => Some(u64::from(d.days())),
        AttributeValue::Uint(x) => Some(*x),
        AttributeValue::Code(c) => c.parse().ok(),
        _ => None,
    }
}

fn date_attr(schema: &Schema, cred: &StoredCredential, name: &str) -> Option<Date> {
    let i = schema.index_of(name)?;
    if schema.attributes()[i].ty() != AttributeType::Date {
        return None;
    }
    match cred.credential().attributes().get(name)? {
        AttributeValue::Date(d) => Some(*d),
        _ => None,
    }
}

struct Answer {
    reveal: Vec<(String, String)>,
    proves: Vec<String>,
    hidden: Vec<String>,
}

fn try_credential(
    query: &CredentialQuery,
    request: &PresentationRequest,
    cred: &StoredCredential,
    today: Date,
) -> Result<Answer, Unsatisfied> {
    let attrs = cred.credential().attributes();
    let schema = attrs.schema();
    if schema.id() != query.schema_id() {
        return Err(Unsatisfied::SchemaMismatch {
            found: schema.id().to_owned(),
        });
    }
    if !query.issuer_key_ids().contains(&cred.credential().key_id()) {
        return Err(Unsatisfied::IssuerNotAccepted);
    }
    let mut reveal = Vec::new();
    for name in query.disclose() {
        match (schema.index_of(name), attrs.get(name)) {
            (Some(i), Some(v)) if schema.attributes()[i].ty() != AttributeType::HolderSecret => {
                reveal.push((name.clone(), value_text(v)));
            }
            _ => return Err(Unsatisfied::CannotDisclose(name.clone())),
        }
    }
    let reference = request.reference_date();
    let mut proves = Vec::new();
    let mut proven_attrs = Vec::new();
    for p in query.predicates() {
        let text = statement(p, reference);
        let bounds = lower(
            schema,
            core::slice::from_ref(p),
            reference,
            query.disclose(),
        )
        .map_err(|e| Unsatisfied::InvalidPredicates(e.to_string()))?;
        for b in bounds {
            let name = schema.attributes()[b.index].name();
            let ok = attrs
                .get(name)
                .and_then(scalar_u64)
                .is_some_and(|x| (b.min..=b.max).contains(&x));
            if !ok {
                return Err(Unsatisfied::PredicateNotSatisfied { statement: text });
            }
            proven_attrs.push(name.to_owned());
        }
        proves.push(text);
    }
    if let Some(nr) = query.non_revoked() {
        let w = cred
            .witness()
            .filter(|w| w.witness().registry() == nr.registry_id)
            .ok_or(Unsatisfied::NoWitness)?;
        if w.revoked() {
            return Err(Unsatisfied::Revoked);
        }
        if !(nr.min_epoch..=nr.max_epoch).contains(&w.epoch()) {
            return Err(Unsatisfied::WitnessEpoch {
                epoch: w.epoch(),
                min: nr.min_epoch,
                max: nr.max_epoch,
            });
        }
        proves.push(format!(
            "not revoked (revocation registry epoch {})",
            w.epoch()
        ));
    }
    if let Some(exp) = date_attr(schema, cred, "expires_on") {
        if exp < today {
            return Err(Unsatisfied::Expired {
                expires_on: exp.to_string(),
            });
        }
    }
    if let Some(iss) = date_attr(schema, cred, "issued_on") {
        if iss > today {
            return Err(Unsatisfied::NotYetValid {
                issued_on: iss.to_string(),
            });
        }
    }
    let hidden = schema
        .attributes()
        .iter()
        .filter(|a| a.ty() != AttributeType::HolderSecret)
        .map(|a| a.name().to_owned())
        .filter(|n| !query.disclose().contains(n))
        .collect();
    Ok(Answer {
        reveal,
        proves,
        hidden,
    })
}

/// Check `request` against `credentials` (newest last) at time `now`.
pub(crate) fn check(
    request: &PresentationRequest,
    credentials: &[StoredCredential],
    has_range_params: impl Fn(&netnym::KeyId) -> bool,
    now: u64,
) -> RequestCheck {
    let needs_range = request
        .credentials()
        .iter()
        .any(|q| !q.predicates().is_empty());
    // VER-004's window: expired strictly after expires_at, with the core's clock skew before
    // created_at.
    let request_problem = if now > request.expires_at() {
        Some(format!(
            "the request expired at {}",
            utc(request.expires_at())
        ))
    } else if now.saturating_add(CLOCK_SKEW) < request.created_at() {
        Some(format!(
            "the request is dated in the future ({})",
            utc(request.created_at())
        ))
    } else if needs_range {
        match request.range_params() {
            Some(id) if !has_range_params(&id) => Some(format!(
                "the wallet does not have the range-proof parameters {id} this request names"
            )),
            None => Some("the request has predicates but names no range-proof parameters".into()),
            Some(_) => None,
        }
    } else {
        None
    };
    let today = Date::from_unix(now).unwrap_or(Date::MAX);
    let queries = request
        .credentials()
        .iter()
        .map(|q| {
            let mut out = QueryCheck {
                schema_id: q.schema_id().to_owned(),
                chosen: None,
                issuer_key_id: None,
                rejected: Vec::new(),
                reveal: Vec::new(),
                proves: Vec::new(),
                hidden: Vec::new(),
            };
            for cred in credentials.iter().rev() {
                match try_credential(q, request, cred, today) {
                    Ok(a) => {
                        out.chosen = Some(cred.id().to_owned());
                        out.issuer_key_id = Some(cred.credential().key_id().to_string());
                        out.reveal = a.reveal;
                        out.proves = a.proves;
                        out.hidden = a.hidden;
                        break;
                    }
                    Err(r) => out.rejected.push((cred.id().to_owned(), r)),
                }
            }
            out
        })
        .collect();
    RequestCheck {
        verifier_id: request.verifier_id().to_owned(),
        expires_at: request.expires_at(),
        pseudonym: request.pseudonym(),
        request_problem,
        queries,
    }
}
