//! The BBS+ signature on the wire: `A ‖ e ‖ s`, 112 bytes (spec/03-wire-format.md, the
//! `signature` field of the issuance response, where `s` is still blinded, and of the credential).

use ark_bls12_381::{Bls12_381, G1Affine};
use bbs_plus::signature::SignatureG1;
use zeroize::Zeroizing;

use crate::encoding::{fr_bytes, g1_bytes, Reader, FR_LEN, G1_LEN};
use crate::error::DecodeError;

/// Encoded signature length: `A` (48) || `e` (32) || `s` (32).
pub(crate) const SIGNATURE_LEN: usize = G1_LEN + 2 * FR_LEN;

/// Encode `A ‖ e ‖ s` into a zeroizing buffer (a credential's signature is wallet secret).
pub(crate) fn encode_signature(sig: &SignatureG1<Bls12_381>) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(SIGNATURE_LEN));
    out.extend_from_slice(&g1_bytes(&sig.A));
    out.extend_from_slice(&fr_bytes(&sig.e));
    out.extend_from_slice(&fr_bytes(&sig.s));
    out
}

/// Decode `A ‖ e ‖ s`: exactly [`SIGNATURE_LEN`] bytes, `A` a valid non-identity G1 point
/// (WIRE-007, WIRE-008), `e` and `s` canonical scalars (WIRE-009).
///
/// # Errors
/// [`DecodeError`] naming the `signature` field.
pub(crate) fn decode_signature(bytes: &[u8]) -> Result<SignatureG1<Bls12_381>, DecodeError> {
    let mut r = Reader::new("signature", bytes, SIGNATURE_LEN)?;
    let A: G1Affine = r.g1(false)?;
    let e = r.fr()?;
    let s = r.fr()?;
    r.finish()?;
    Ok(SignatureG1 { A, e, s })
}
