//! The holder's link secret (spec/07-key-management.md §Link secret): the hidden attribute that
//! binds every credential of one holder together and derives its per-platform pseudonyms. The
//! authority never sees it (blind issuance, spec/04-issuance.md); presentations prove knowledge
//! of it without revealing it (spec/05-presentation.md).

use ark_bls12_381::Fr;
use ark_ff::{UniformRand, Zero};
use rand_core::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::encoding::{fr_bytes, fr_from};
use crate::error::DecodeError;

/// The holder's link secret: the hidden attribute that binds credentials to one holder and
/// derives per-platform pseudonyms.
///
/// # Security
/// Zeroized on drop, redacted in `Debug`, compared in constant time; export through
/// [`LinkSecret::to_bytes`] only (a zeroizing buffer).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct LinkSecret(Fr);

impl core::fmt::Debug for LinkSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Avoids printing the secret scalar.
        f.debug_struct("LinkSecret").finish_non_exhaustive()
    }
}

impl ConstantTimeEq for LinkSecret {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        let a = Zeroizing::new(fr_bytes(&self.0));
        let b = Zeroizing::new(fr_bytes(&other.0));
        a.ct_eq(&*b)
    }
}
impl PartialEq for LinkSecret {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for LinkSecret {}

impl LinkSecret {
    /// Generate a fresh non-zero link secret.
    #[must_use]
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        loop {
            let x = Fr::rand(rng);
            if !x.is_zero() {
                return Self(x);
            }
        }
    }

    /// The 32-byte canonical encoding, in a zeroizing buffer.
    #[must_use]
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(fr_bytes(&self.0))
    }

    /// Parse the 32-byte canonical encoding.
    ///
    /// # Errors
    /// [`DecodeError`] for a wrong length, a non-canonical or a zero scalar.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let x = fr_from("link_secret", bytes)?;
        if x.is_zero() {
            return Err(DecodeError::InvalidScalar {
                field: "link_secret",
            });
        }
        Ok(Self(x))
    }

    pub(crate) fn scalar(&self) -> &Fr {
        &self.0
    }
}
