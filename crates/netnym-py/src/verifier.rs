//! The verifier (a platform): requests and verification.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use netnym::{
    CredentialQuery, NonRevocation, ParsedPresentation, Predicate, PresentationRequest,
    Verifier as CoreVerifier,
};

use crate::issuance::Authority;
use crate::{bytes_of, unix_now, value_error};

/// A platform's verifier for one authority's keys: `verifier_id` names the platform (and
/// scopes its pseudonyms).
#[pyclass(module = "netnym")]
pub struct Verifier {
    verifier_id: String,
    schema_id: String,
    key_ids: Vec<netnym::KeyId>,
    registry: netnym::KeyId,
    range_id: netnym::KeyId,
    epochs: (u64, u64),
    inner: CoreVerifier,
}

#[pymethods]
impl Verifier {
    /// A verifier trusting `authority`'s issuer key, range parameters, registry and every epoch
    /// published so far; requests accept the newest `accepted_epochs` epochs.
    ///
    /// # Errors
    /// `ValueError` when an epoch entry is refused.
    #[new]
    #[pyo3(signature = (authority, verifier_id, accepted_epochs = 1))]
    fn new(authority: &Authority, verifier_id: String, accepted_epochs: u64) -> PyResult<Self> {
        let mut inner = CoreVerifier::new([authority.public_key().clone()])
            .with_range_params(authority.range().clone())
            .with_registry(authority.registry().public_key().clone());
        for e in authority.epochs() {
            inner.add_epoch(e).map_err(value_error)?;
        }
        let newest = authority
            .epochs()
            .last()
            .map_or(0, netnym::EpochEntry::epoch);
        Ok(Self {
            verifier_id,
            schema_id: authority.schema().id().to_owned(),
            key_ids: vec![authority.public_key().key_id()],
            registry: authority.registry().public_key().id(),
            range_id: authority.range().id(),
            epochs: (newest.saturating_sub(accepted_epochs.max(1) - 1), newest),
            inner,
        })
    }

    /// A fresh request (JSON bytes): attributes to `disclose`, `predicates` (dicts or lists in
    /// the request's JSON form, e.g. `{"age_at_least": 18}`), non-revocation, a pseudonym.
    ///
    /// # Errors
    /// `ValueError` for an unknown attribute or an invalid predicate.
    #[pyo3(signature = (disclose = Vec::new(), predicates = None, non_revoked = true, pseudonym = true, validity = 300))]
    fn request<'py>(
        &self,
        py: Python<'py>,
        disclose: Vec<String>,
        predicates: Option<&Bound<'py, PyAny>>,
        non_revoked: bool,
        pseudonym: bool,
        validity: u64,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let predicates: Vec<Predicate> = match predicates {
            Some(p) => pythonize::depythonize(p).map_err(value_error)?,
            None => Vec::new(),
        };
        let has_predicates = !predicates.is_empty();
        let mut query = CredentialQuery::new(&self.schema_id, self.key_ids.clone(), disclose)
            .and_then(|q| q.with_predicates(predicates))
            .map_err(value_error)?;
        if non_revoked {
            query = query
                .with_non_revocation(NonRevocation::new(
                    self.registry,
                    self.epochs.0,
                    self.epochs.1,
                ))
                .map_err(value_error)?;
        }
        let mut request = PresentationRequest::new(
            &mut rand::rngs::OsRng,
            &self.verifier_id,
            unix_now(),
            validity,
            vec![query],
        )
        .map_err(value_error)?;
        if has_predicates {
            request = request.with_range_params(self.range_id);
        }
        if pseudonym {
            request = request.with_pseudonym();
        }
        Ok(PyBytes::new(py, &request.to_json()))
    }

    /// Verify `presentation` against `request` (both JSON, bytes or str): a dict with
    /// `claims` (what was disclosed and proven) and `pseudonym` (or `None`).
    ///
    /// # Errors
    /// `ValueError("invalid presentation")` for any failed check (opaque, as in the library),
    /// or a parse error naming the field.
    fn verify<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
        presentation: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = PresentationRequest::from_json(&bytes_of(request)?).map_err(value_error)?;
        if request.verifier_id() != self.verifier_id {
            return Err(value_error("the request was made for another verifier"));
        }
        let parsed =
            ParsedPresentation::from_json(&bytes_of(presentation)?).map_err(value_error)?;
        let verified = self
            .inner
            .verify(&request, &parsed, unix_now())
            .map_err(|_| value_error("invalid presentation"))?;
        let out = serde_json::json!({
            "claims": verified.to_json(),
            "pseudonym": verified.pseudonym().map(|p| p.to_string()),
        });
        pythonize::pythonize(py, &out).map_err(value_error)
    }
}
