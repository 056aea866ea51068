//! One-time enrollment codes.

use rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Alphabet of enrollment codes: Crockford base32 (no I, L, O, U), easy to read out and type.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code (16 × 5 = 80 bits), shown in groups of 4.
const CODE_CHARS: usize = 16;

/// A one-time enrollment code handed to a citizen (secret until used). Stored only as its
/// SHA-256 hash: 80 random bits make offline guessing from a leaked database infeasible
/// without a slow hash, and the services compare hashes, not codes.
pub struct EnrollmentCode(Zeroizing<String>);

impl core::fmt::Debug for EnrollmentCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EnrollmentCode(..)")
    }
}

impl EnrollmentCode {
    /// A fresh random code, formatted `XXXX-XXXX-XXXX-XXXX`.
    #[must_use]
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut s = String::with_capacity(CODE_CHARS + 3);
        for i in 0..CODE_CHARS {
            if i > 0 && i % 4 == 0 {
                s.push('-');
            }
            // 32 divides 256: no modulo bias.
            let b = (rng.next_u32() & 31) as usize;
            s.push(char::from(ALPHABET[b]));
        }
        Self(Zeroizing::new(s))
    }

    /// Parse a code typed by a person: case-insensitive, dashes and spaces ignored, Crockford
    /// look-alikes (`O`→`0`, `I`/`L`→`1`) mapped. Returns `None` unless exactly 16 symbols.
    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        if input.len() > 64 {
            return None;
        }
        let mut s = String::with_capacity(CODE_CHARS + 3);
        let mut n = 0;
        for c in input.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return None;
            }
            if n > 0 && n % 4 == 0 {
                s.push('-');
            }
            s.push(c);
            n += 1;
        }
        (n == CODE_CHARS).then(|| Self(Zeroizing::new(s)))
    }

    /// The canonical text (`XXXX-XXXX-XXXX-XXXX`), to hand to the citizen.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash the store keeps.
    #[must_use]
    pub fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"NetNym-v1:enrollment-code:");
        h.update(self.0.as_bytes());
        h.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn generated_codes_parse_back_and_hash_stably() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let c = EnrollmentCode::generate(&mut rng);
        assert_eq!(c.expose().len(), 19);
        let typed = c.expose().to_lowercase().replace('-', " ");
        let p = EnrollmentCode::parse(&typed).unwrap();
        assert_eq!(p.expose(), c.expose());
        assert_eq!(p.hash(), c.hash());
        let other = EnrollmentCode::generate(&mut rng);
        assert_ne!(other.hash(), c.hash());
    }

    #[test]
    fn parse_rejects_wrong_length_and_symbols() {
        assert!(EnrollmentCode::parse("ABCD-EFGH-JKMN-PQR").is_none());
        assert!(EnrollmentCode::parse("ABCD-EFGH-JKMN-PQRST").is_none());
        assert!(EnrollmentCode::parse("ABCD-EFGH-JKMN-PQR!").is_none());
        assert!(EnrollmentCode::parse("ABCD-EFGH-JKMN-PQRU").is_none());
        assert_eq!(
            EnrollmentCode::parse("abcd efgh jkmn pqro")
                .unwrap()
                .expose(),
            "ABCD-EFGH-JKMN-PQR0"
        );
    }
}
