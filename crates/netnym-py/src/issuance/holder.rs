//! The holder: a link secret, credentials with membership witnesses, presentations.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use netnym::{
    Credential as CoreCredential, Holding, IssuerPublicKey, LinkSecret, MembershipWitness,
    Presentation, PresentationRequest,
};

use super::authority::Authority;
use crate::value_error;

/// A holder: its link secret (never leaves the object) and its generator.
#[pyclass(module = "netnym")]
pub struct Holder {
    rng: ChaCha20Rng,
    link_secret: LinkSecret,
}

impl Holder {
    pub(crate) fn link_secret(&self) -> &LinkSecret {
        &self.link_secret
    }
}

#[pymethods]
impl Holder {
    /// A new holder; `seed` makes its secret and proofs reproducible (experiments only).
    #[new]
    #[pyo3(signature = (seed = None))]
    fn new(seed: Option<u64>) -> Self {
        let mut rng = match seed {
            Some(s) => ChaCha20Rng::seed_from_u64(s),
            None => ChaCha20Rng::from_entropy(),
        };
        let link_secret = LinkSecret::generate(&mut rng);
        Self { rng, link_secret }
    }

    /// Answer `request` (the verifier's request JSON, bytes or str) with `credential`: the
    /// presentation's JSON bytes. Ranges use `authority`'s public range parameters.
    ///
    /// # Errors
    /// `ValueError` when the request cannot be parsed or the credential cannot satisfy it.
    fn present<'py>(
        &mut self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
        credential: &Credential,
        authority: &Authority,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = crate::bytes_of(request)?;
        let request = PresentationRequest::from_json(&bytes).map_err(value_error)?;
        let holding = Holding::new(&credential.credential, &credential.public_key)
            .with_witness(&credential.witness);
        let p = Presentation::create_with(
            &mut self.rng,
            &request,
            &[holding],
            &self.link_secret,
            &[authority.range()],
        )
        .map_err(value_error)?;
        Ok(PyBytes::new(py, &p.to_json()))
    }
}

/// A credential with its issuer key and membership witness.
#[pyclass(module = "netnym")]
pub struct Credential {
    credential: CoreCredential,
    public_key: IssuerPublicKey,
    witness: MembershipWitness,
}

impl Credential {
    pub(crate) fn new(
        credential: CoreCredential,
        public_key: IssuerPublicKey,
        witness: MembershipWitness,
    ) -> Self {
        Self {
            credential,
            public_key,
            witness,
        }
    }
}

#[pymethods]
impl Credential {
    /// The signed attributes, as a dict.
    ///
    /// # Errors
    /// Never in practice (conversion to Python objects).
    #[getter]
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pythonize::pythonize(py, &self.credential.attributes().to_json()).map_err(value_error)
    }

    /// The epoch the membership witness is at.
    #[getter]
    fn epoch(&self) -> u64 {
        self.witness.epoch()
    }

    /// Bring the witness to `authority`'s newest epoch (every entry since its own).
    ///
    /// # Errors
    /// `ValueError` when this credential's revocation id was revoked.
    fn update(&mut self, authority: &Authority) -> PyResult<()> {
        let from = self.witness.epoch();
        let missing: Vec<_> = authority
            .epochs()
            .iter()
            .filter(|e| e.epoch() > from)
            .cloned()
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        self.witness.update_all(&missing).map_err(value_error)
    }
}
