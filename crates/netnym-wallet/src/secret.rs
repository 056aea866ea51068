//! Secret newtypes: the wallet password and the recovery phrase, and the derivation of the link
//! secret from the phrase.
//!
//! # Recovery phrase
//! A phrase is 24 words of the BIP-39 English list encoding 256 bits of entropy plus an 8-bit
//! checksum (BIP-39). The link secret is derived from the entropy by a wide reduction:
//! `link_secret = OS2IP_LE(SHA-512(DST || entropy)) mod r` with
//! `DST = "NetNym-v1:wallet:link-secret:bip39-entropy"` and `r` the BLS12-381 scalar field
//! order (bias below 2^-250). The BIP-39 seed (PBKDF2) is not used: the entropy is already
//! uniform, and one fixed, documented map is easier to re-implement.

use ark_bls12_381::Fr;
use ark_ff::PrimeField;
use ark_serialize::CanonicalSerialize;
use bip39::{Language, Mnemonic};
use netnym::LinkSecret;
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha512};
use zeroize::{Zeroize, Zeroizing};

use crate::error::PhraseError;

/// Domain separation tag of the phrase-to-link-secret map.
const LINK_SECRET_DST: &[u8] = b"NetNym-v1:wallet:link-secret:bip39-entropy";
/// Words in a recovery phrase.
pub const PHRASE_WORDS: usize = 24;
/// Shortest password accepted when creating a wallet or changing its password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Lowest zxcvbn score (0..=4) of a new wallet password: 2, about 10^6 guesses or more, each
/// of which costs an attacker holding the file one 64 MiB Argon2id evaluation
/// (docs/operations.md § Secrets, `SEC-003`).
pub const MIN_PASSWORD_SCORE: u8 = 2;

/// The wallet password.
///
/// # Security
/// Zeroized on drop, redacted in `Debug`.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wrap a password (taken by value so no copy is left behind).
    #[must_use]
    pub fn new(password: String) -> Self {
        Self(Zeroizing::new(password))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Whether two passwords are equal (constant time in the length of the shorter), e.g.
    /// to confirm a new password typed twice.
    #[must_use]
    pub fn same_as(&self, other: &Self) -> bool {
        subtle::ConstantTimeEq::ct_eq(self.as_bytes(), other.as_bytes()).into()
    }

    pub(crate) fn chars(&self) -> usize {
        self.0.chars().count()
    }

    /// `SEC-003`: a new password has at least [`MIN_PASSWORD_CHARS`] characters and a zxcvbn
    /// score of at least [`MIN_PASSWORD_SCORE`].
    pub(crate) fn check_new(&self) -> Result<(), crate::error::CreateError> {
        if self.chars() < MIN_PASSWORD_CHARS {
            return Err(crate::error::CreateError::WeakPassword {
                min: MIN_PASSWORD_CHARS,
            });
        }
        // zxcvbn's cost grows with the length; past 100 characters the prefix decides.
        let head: Zeroizing<String> = Zeroizing::new(self.0.chars().take(100).collect());
        let score = u8::from(zxcvbn::zxcvbn(&head, &[]).score());
        if score < MIN_PASSWORD_SCORE {
            return Err(crate::error::CreateError::GuessablePassword {
                score,
                min: MIN_PASSWORD_SCORE,
            });
        }
        Ok(())
    }
}

impl core::fmt::Debug for Password {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// A 24-word BIP-39 English recovery phrase.
///
/// # Security
/// Zeroized on drop, redacted in `Debug`; read it with [`RecoveryPhrase::expose`] only to show
/// it to the holder once.
pub struct RecoveryPhrase(Zeroizing<String>);

impl core::fmt::Debug for RecoveryPhrase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RecoveryPhrase(..)")
    }
}

impl RecoveryPhrase {
    /// A fresh phrase from 256 bits of `rng` output.
    #[must_use]
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut entropy = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *entropy);
        Self::from_entropy(&entropy)
    }

    fn from_entropy(entropy: &[u8; 32]) -> Self {
        // 32 bytes is a valid BIP-39 entropy length, so this cannot fail.
        match Mnemonic::from_entropy_in(Language::English, entropy) {
            Ok(m) => Self(Zeroizing::new(m.to_string())),
            Err(e) => unreachable!("32-byte entropy is valid BIP-39 input: {e}"),
        }
    }

    /// Parse a phrase typed by the holder: words separated by any whitespace, any case.
    ///
    /// # Errors
    /// [`PhraseError`] for a wrong word count, an unknown word or a bad checksum.
    pub fn parse(text: &str) -> Result<Self, PhraseError> {
        let normalized = Zeroizing::new(
            text.split_whitespace()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
                .join(" "),
        );
        let count = normalized.split(' ').filter(|w| !w.is_empty()).count();
        if count != PHRASE_WORDS {
            return Err(PhraseError::WordCount(count));
        }
        let m =
            Mnemonic::parse_in_normalized(Language::English, &normalized).map_err(|e| match e {
                bip39::Error::UnknownWord(i) => PhraseError::UnknownWord(i + 1),
                bip39::Error::BadWordCount(n) => PhraseError::WordCount(n),
                _ => PhraseError::Checksum,
            })?;
        Ok(Self(Zeroizing::new(m.to_string())))
    }

    /// The phrase, space separated, to show to the holder.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The link secret this phrase backs.
    ///
    /// # Errors
    /// [`PhraseError::Degenerate`] when the derivation gives zero (probability 2^-255).
    pub fn link_secret(&self) -> Result<LinkSecret, PhraseError> {
        let m = Mnemonic::parse_in_normalized(Language::English, &self.0)
            .map_err(|_| PhraseError::Checksum)?;
        let (mut entropy, len) = m.to_entropy_array();
        let mut h = Sha512::new();
        h.update(LINK_SECRET_DST);
        h.update(&entropy[..len]);
        entropy.zeroize();
        let mut wide = Zeroizing::new([0u8; 64]);
        wide.copy_from_slice(&h.finalize());
        let mut x = Fr::from_le_bytes_mod_order(&*wide);
        let mut bytes = Zeroizing::new(Vec::with_capacity(32));
        // Serializing a field element into a Vec cannot fail.
        let ok = x.serialize_compressed(&mut *bytes).is_ok();
        x.zeroize();
        if !ok {
            return Err(PhraseError::Degenerate);
        }
        LinkSecret::from_bytes(&bytes).map_err(|_| PhraseError::Degenerate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn phrase_round_trips_and_gives_the_same_link_secret() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let p = RecoveryPhrase::generate(&mut rng);
        assert_eq!(p.expose().split(' ').count(), 24);
        let typed = format!("  {}\n", p.expose().to_uppercase().replace(' ', "   "));
        let q = RecoveryPhrase::parse(&typed).unwrap();
        assert_eq!(p.link_secret().unwrap(), q.link_secret().unwrap());
        let other = RecoveryPhrase::generate(&mut rng);
        assert_ne!(p.link_secret().unwrap(), other.link_secret().unwrap());
    }

    #[test]
    fn known_answer_for_zero_entropy() {
        // BIP-39 vector: 32 zero bytes -> "abandon" x23 + "art".
        let p = RecoveryPhrase::from_entropy(&[0u8; 32]);
        assert_eq!(p.expose(), format!("{}art", "abandon ".repeat(23)));
        let ls = p.link_secret().unwrap();
        let mut h = Sha512::new();
        h.update(LINK_SECRET_DST);
        h.update([0u8; 32]);
        let x = Fr::from_le_bytes_mod_order(&h.finalize());
        let mut expect = Vec::new();
        x.serialize_compressed(&mut expect).unwrap();
        assert_eq!(ls.to_bytes().as_slice(), expect.as_slice());
    }

    #[test]
    fn bad_phrases_are_rejected_with_the_reason() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
        let p = RecoveryPhrase::generate(&mut rng);
        let words: Vec<&str> = p.expose().split(' ').collect();
        assert_eq!(
            RecoveryPhrase::parse(&words[..23].join(" ")).unwrap_err(),
            PhraseError::WordCount(23)
        );
        let mut w = words.clone();
        w[4] = "notaword";
        assert_eq!(
            RecoveryPhrase::parse(&w.join(" ")).unwrap_err(),
            PhraseError::UnknownWord(5)
        );
        let mut w = words.clone();
        w.swap(0, 1);
        if w[0] != w[1] {
            assert_eq!(
                RecoveryPhrase::parse(&w.join(" ")).unwrap_err(),
                PhraseError::Checksum
            );
        }
    }

    #[test]
    fn password_comparison() {
        let a = Password::new("correct horse".into());
        assert!(a.same_as(&Password::new("correct horse".into())));
        assert!(!a.same_as(&Password::new("correct horsE".into())));
        assert!(!a.same_as(&Password::new("correct hors".into())));
    }

    #[test]
    fn debug_is_redacted() {
        let p = RecoveryPhrase::parse(&format!("{}art", "abandon ".repeat(23))).unwrap();
        assert_eq!(format!("{p:?}"), "RecoveryPhrase(..)");
        assert_eq!(
            format!("{:?}", Password::new("hunter22".into())),
            "Password(..)"
        );
    }
}
