//! Shared fixtures for the crate's unit tests and test vectors.

use rand_chacha::ChaCha20Rng;

pub(crate) use crate::test_support::{citizen_json, rng, NOW};
use crate::*;

pub(crate) fn citizen(schema: &Schema) -> Attributes {
    Attributes::from_json(schema, &citizen_json()).expect("fixture attributes are valid")
}

/// Everything a test needs: issuer, holder, credential.
pub(crate) struct World {
    pub(crate) issuer: Issuer,
    pub(crate) link_secret: LinkSecret,
    pub(crate) credential: Credential,
}

impl World {
    pub(crate) fn new(rng: &mut ChaCha20Rng) -> Self {
        let schema = Schema::cn_network_id_v1();
        let issuer = Issuer::new(IssuerSecretKey::generate(rng), &schema);
        let link_secret = LinkSecret::generate(rng);
        let credential = issue(rng, &issuer, &link_secret);
        Self {
            issuer,
            link_secret,
            credential,
        }
    }

    pub(crate) fn pk(&self) -> &IssuerPublicKey {
        self.issuer.public_key()
    }

    pub(crate) fn request(&self, rng: &mut ChaCha20Rng, disclose: &[&str]) -> PresentationRequest {
        request_for(rng, self.pk(), disclose)
    }

    pub(crate) fn present(
        &self,
        rng: &mut ChaCha20Rng,
        request: &PresentationRequest,
    ) -> Presentation {
        Presentation::create(
            rng,
            request,
            &[(&self.credential, self.pk())],
            &self.link_secret,
        )
        .expect("fixture presentation")
    }

    pub(crate) fn verifier(&self) -> Verifier {
        Verifier::new([self.pk().clone()])
    }
}

pub(crate) fn issue(rng: &mut ChaCha20Rng, issuer: &Issuer, ls: &LinkSecret) -> Credential {
    issue_with(rng, issuer, ls, &citizen(issuer.public_key().schema()))
}

pub(crate) fn issue_with(
    rng: &mut ChaCha20Rng,
    issuer: &Issuer,
    ls: &LinkSecret,
    attributes: &Attributes,
) -> Credential {
    let pk = issuer.public_key();
    let offer = IssuanceOffer::new(rng, pk);
    let (req, pending) = BlindIssuanceRequest::new(rng, pk, &offer, ls).expect("request");
    let resp = issuer
        .issue_blind(rng, &offer, &req, attributes)
        .expect("issue");
    pending.finish(pk, resp, ls).expect("finish")
}

/// The fixture citizen with some attributes changed.
pub(crate) fn citizen_with(schema: &Schema, changes: &[(&str, serde_json::Value)]) -> Attributes {
    let mut j = citizen_json();
    for (k, v) in changes {
        j[*k] = v.clone();
    }
    Attributes::from_json(schema, &j).expect("fixture attributes are valid")
}

pub(crate) fn request_for(
    rng: &mut ChaCha20Rng,
    pk: &IssuerPublicKey,
    disclose: &[&str],
) -> PresentationRequest {
    let q = CredentialQuery::new(
        pk.schema().id(),
        [pk.key_id()],
        disclose.iter().map(|s| (*s).to_owned()),
    )
    .expect("query");
    PresentationRequest::new(rng, "platform.example", NOW, 600, vec![q]).expect("request")
}
