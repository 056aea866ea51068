//! The authority: issuer key, public range parameters and a revocation registry; blind
//! issuance and revocation.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use netnym::{
    Attributes, BlindIssuanceRequest, EpochEntry, InMemoryRevokedSet, IssuanceOffer, Issuer,
    IssuerPublicKey, IssuerSecretKey, RangeParams, RevocationAuthority, Schema,
};

use super::holder::{Credential, Holder};
use crate::value_error;

/// Digit base of the authority's range parameters.
const RANGE_BASE: u16 = 16;

/// An authority for the `cn-network-id/v1` schema: an issuer key, public range parameters
/// (base 16) and a revocation registry over ids `1..=revocation_domain`, with its epoch log.
///
/// `seed` makes every key and proof reproducible (for experiments; omit it otherwise).
#[pyclass(module = "netnym")]
pub struct Authority {
    rng: ChaCha20Rng,
    schema: Schema,
    issuer: Issuer,
    range: RangeParams,
    registry: RevocationAuthority,
    revoked: InMemoryRevokedSet,
    epochs: Vec<EpochEntry>,
}

impl Authority {
    pub(crate) fn public_key(&self) -> &IssuerPublicKey {
        self.issuer.public_key()
    }
    pub(crate) fn schema(&self) -> &Schema {
        &self.schema
    }
    pub(crate) fn range(&self) -> &RangeParams {
        &self.range
    }
    pub(crate) fn registry(&self) -> &RevocationAuthority {
        &self.registry
    }
    pub(crate) fn epochs(&self) -> &[EpochEntry] {
        &self.epochs
    }
    fn latest(&self) -> &EpochEntry {
        // `new` pushes the genesis entry and nothing removes entries.
        &self.epochs[self.epochs.len() - 1]
    }
}

#[pymethods]
impl Authority {
    /// A new authority.
    ///
    /// # Errors
    /// `ValueError` for a revocation domain outside the library's bounds.
    #[new]
    #[pyo3(signature = (seed = None, revocation_domain = 131_072))]
    fn new(seed: Option<u64>, revocation_domain: u64) -> PyResult<Self> {
        let mut rng = match seed {
            Some(s) => ChaCha20Rng::seed_from_u64(s),
            None => ChaCha20Rng::from_entropy(),
        };
        let schema = Schema::cn_network_id_v1();
        let issuer = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema);
        let range = RangeParams::generate(&mut rng, RANGE_BASE).map_err(value_error)?;
        let (registry, genesis) =
            RevocationAuthority::generate(&mut rng, revocation_domain).map_err(value_error)?;
        Ok(Self {
            rng,
            schema,
            issuer,
            range,
            registry,
            revoked: InMemoryRevokedSet::default(),
            epochs: vec![genesis],
        })
    }

    /// The issuer public key (JSON bytes).
    fn issuer_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.public_key().to_json())
    }

    /// The newest epoch number.
    #[getter]
    fn epoch(&self) -> u64 {
        self.latest().epoch()
    }

    /// Enroll `holder` with `attributes` (a dict in the schema's JSON form, including
    /// `revocation_id`): the offer, the holder's blind request (its link secret stays hidden),
    /// the signature, the holder's check, and a membership witness at the newest epoch.
    ///
    /// # Errors
    /// `ValueError` when the attributes do not fit the schema, the id is revoked or outside the
    /// domain.
    fn enroll(&mut self, holder: &Holder, attributes: &Bound<'_, PyAny>) -> PyResult<Credential> {
        let json: serde_json::Value = pythonize::depythonize(attributes).map_err(value_error)?;
        let id = json["revocation_id"]
            .as_u64()
            .ok_or_else(|| value_error("attributes need an integer revocation_id"))?;
        let attrs = Attributes::from_json(&self.schema, &json).map_err(value_error)?;
        let pk = self.issuer.public_key().clone();
        let offer = IssuanceOffer::new(&mut self.rng, &pk);
        let (request, pending) =
            BlindIssuanceRequest::new(&mut self.rng, &pk, &offer, holder.link_secret())
                .map_err(value_error)?;
        let response = self
            .issuer
            .issue_blind(&mut self.rng, &offer, &request, &attrs)
            .map_err(value_error)?;
        let credential = pending
            .finish(&pk, response, holder.link_secret())
            .map_err(value_error)?;
        let witness = self
            .registry
            .witness(id, self.latest(), &self.revoked)
            .map_err(value_error)?;
        Ok(Credential::new(credential, pk, witness))
    }

    /// Revoke `ids` (1..=1024 distinct ids, none revoked before) and publish the next epoch;
    /// returns the new epoch number. Holders bring their credentials up to date with
    /// `Credential.update(authority)`.
    ///
    /// # Errors
    /// `ValueError` for an empty or too large batch, a duplicate, revoked or out-of-domain id.
    fn revoke(&mut self, ids: Vec<u64>) -> PyResult<u64> {
        let current = self.latest().clone();
        let next = self
            .registry
            .revoke(&current, &ids, &mut self.revoked)
            .map_err(value_error)?;
        let epoch = next.epoch();
        self.epochs.push(next);
        Ok(epoch)
    }
}
