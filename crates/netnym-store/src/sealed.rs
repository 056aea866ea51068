//! Secrets encrypted at rest under a passphrase (spec/07-key-management.md).
//!
//! Key derivation: Argon2id (RFC 9106) over the passphrase with a random 16-byte salt; cipher:
//! XChaCha20-Poly1305 with a random 24-byte nonce; the associated data is the secret's name, so
//! a sealed blob cannot be moved to another slot. The serialized form is a JSON envelope
//! `{"type": "netnym-sealed-secret", "version": 1, "kdf": "argon2id", "m_cost", "t_cost",
//! "p_cost", "salt", "nonce", "ciphertext"}` (binary fields unpadded base64url).

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::SecretError;

const SEALED_TYPE: &str = "netnym-sealed-secret";
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Largest sealed plaintext (keys are far smaller).
const MAX_PLAINTEXT: usize = 64 * 1024;

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Parallelism.
    pub p_cost: u32,
}

impl KdfParams {
    /// The default: 64 MiB, 3 passes, 1 lane (RFC 9106 §4 second recommendation, smaller
    /// memory).
    pub const DEFAULT: Self = Self {
        m_cost: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    };

    /// Cheap parameters for tests only (8 MiB, 1 pass).
    pub const INSECURE_FAST: Self = Self {
        m_cost: 8 * 1024,
        t_cost: 1,
        p_cost: 1,
    };

    fn check(self) -> Result<Params, SecretError> {
        // Upper bounds keep a malicious blob from asking for unbounded memory or time.
        if self.m_cost > 4 * 1024 * 1024 || self.t_cost > 64 || self.p_cost > 16 {
            return Err(SecretError::Malformed("KDF cost out of range".to_owned()));
        }
        Params::new(self.m_cost, self.t_cost, self.p_cost, Some(32))
            .map_err(|e| SecretError::Malformed(format!("KDF parameters: {e}")))
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A secret encrypted under a passphrase-derived key. Holds no secret in the clear.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedSecret {
    kdf: KdfParams,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
}

impl core::fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SealedSecret")
            .field("kdf", &self.kdf)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    kdf: String,
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
    salt: String,
    nonce: String,
    ciphertext: String,
}

fn derive_key(
    passphrase: &[u8],
    salt: &[u8],
    kdf: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, SecretError> {
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, kdf.check()?);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase, salt, key.as_mut())
        .map_err(|e| SecretError::Malformed(format!("key derivation: {e}")))?;
    Ok(key)
}

impl SealedSecret {
    /// Encrypt `plaintext` under `passphrase`, bound to `name`.
    ///
    /// # Errors
    /// [`SecretError::EmptyPassphrase`]; [`SecretError::Malformed`] for bad KDF parameters or
    /// a plaintext above 64 KiB.
    pub fn seal(
        rng: &mut (impl RngCore + CryptoRng),
        passphrase: &[u8],
        name: &str,
        plaintext: &[u8],
        kdf: KdfParams,
    ) -> Result<Self, SecretError> {
        if passphrase.is_empty() {
            return Err(SecretError::EmptyPassphrase);
        }
        if plaintext.len() > MAX_PLAINTEXT {
            return Err(SecretError::Malformed("plaintext too large".to_owned()));
        }
        let mut salt = [0u8; SALT_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut salt);
        rng.fill_bytes(&mut nonce);
        let key = derive_key(passphrase, &salt, kdf)?;
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| SecretError::Malformed("encryption failed".to_owned()))?;
        Ok(Self {
            kdf,
            salt,
            nonce,
            ciphertext,
        })
    }

    /// Decrypt with `passphrase`; `name` must be the one given to [`SealedSecret::seal`].
    ///
    /// # Errors
    /// [`SecretError::WrongPassphrase`] when the passphrase (or name) is wrong or the blob was
    /// altered; [`SecretError::EmptyPassphrase`]; [`SecretError::Malformed`].
    pub fn open(&self, passphrase: &[u8], name: &str) -> Result<Zeroizing<Vec<u8>>, SecretError> {
        if passphrase.is_empty() {
            return Err(SecretError::EmptyPassphrase);
        }
        let key = derive_key(passphrase, &self.salt, self.kdf)?;
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        cipher
            .decrypt(
                XNonce::from_slice(&self.nonce),
                Payload {
                    msg: &self.ciphertext,
                    aad: name.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SecretError::WrongPassphrase)
    }

    /// The KDF parameters this secret was sealed with.
    #[must_use]
    pub fn kdf(&self) -> KdfParams {
        self.kdf
    }

    /// Serialize as the JSON envelope.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        let w = SealedWire {
            ty: SEALED_TYPE.to_owned(),
            version: 1,
            kdf: "argon2id".to_owned(),
            m_cost: self.kdf.m_cost,
            t_cost: self.kdf.t_cost,
            p_cost: self.kdf.p_cost,
            salt: URL_SAFE_NO_PAD.encode(self.salt),
            nonce: URL_SAFE_NO_PAD.encode(self.nonce),
            ciphertext: URL_SAFE_NO_PAD.encode(&self.ciphertext),
        };
        // Serializing a struct of strings and integers cannot fail.
        serde_json::to_vec(&w).unwrap_or_default()
    }

    /// Parse the JSON envelope (strict).
    ///
    /// # Errors
    /// [`SecretError::Malformed`] naming what is wrong.
    pub fn from_json(bytes: &[u8]) -> Result<Self, SecretError> {
        let bad = |m: &str| SecretError::Malformed(m.to_owned());
        if bytes.len() > 2 * MAX_PLAINTEXT {
            return Err(bad("too large"));
        }
        let w: SealedWire =
            serde_json::from_slice(bytes).map_err(|e| SecretError::Malformed(e.to_string()))?;
        if w.ty != SEALED_TYPE || w.version != 1 || w.kdf != "argon2id" {
            return Err(bad("unsupported type, version or kdf"));
        }
        let kdf = KdfParams {
            m_cost: w.m_cost,
            t_cost: w.t_cost,
            p_cost: w.p_cost,
        };
        kdf.check()?;
        let dec = |field: &str, s: &str| {
            URL_SAFE_NO_PAD
                .decode(s)
                .map_err(|_| SecretError::Malformed(format!("{field} is not base64url")))
        };
        let salt: [u8; SALT_LEN] = dec("salt", &w.salt)?
            .try_into()
            .map_err(|_| bad("salt must be 16 bytes"))?;
        let nonce: [u8; NONCE_LEN] = dec("nonce", &w.nonce)?
            .try_into()
            .map_err(|_| bad("nonce must be 24 bytes"))?;
        let ciphertext = dec("ciphertext", &w.ciphertext)?;
        if ciphertext.len() < TAG_LEN {
            return Err(bad("ciphertext shorter than its tag"));
        }
        Ok(Self {
            kdf,
            salt,
            nonce,
            ciphertext,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn sealed() -> SealedSecret {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        SealedSecret::seal(
            &mut rng,
            b"pw",
            "slot",
            b"secret bytes",
            KdfParams::INSECURE_FAST,
        )
        .unwrap()
    }

    #[test]
    fn json_round_trip_and_fresh_salt_and_nonce() {
        let s = sealed();
        let back = SealedSecret::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s);
        assert_eq!(&back.open(b"pw", "slot").unwrap()[..], b"secret bytes");
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
        let other = SealedSecret::seal(
            &mut rng,
            b"pw",
            "slot",
            b"secret bytes",
            KdfParams::INSECURE_FAST,
        )
        .unwrap();
        assert_ne!(other.salt, s.salt);
        assert_ne!(other.nonce, s.nonce);
        assert_ne!(other.ciphertext, s.ciphertext);
        assert!(!format!("{s:?}").contains("ciphertext"));
    }

    #[test]
    fn tampering_and_wrong_inputs_are_refused() {
        let s = sealed();
        let mut t = s.clone();
        t.ciphertext[0] ^= 1;
        assert!(matches!(
            t.open(b"pw", "slot"),
            Err(SecretError::WrongPassphrase)
        ));
        let mut t = s.clone();
        t.salt[0] ^= 1;
        assert!(matches!(
            t.open(b"pw", "slot"),
            Err(SecretError::WrongPassphrase)
        ));
        assert!(matches!(
            s.open(b"", "slot"),
            Err(SecretError::EmptyPassphrase)
        ));
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        assert!(matches!(
            SealedSecret::seal(&mut rng, b"", "slot", b"x", KdfParams::INSECURE_FAST),
            Err(SecretError::EmptyPassphrase)
        ));
    }

    #[test]
    fn malformed_envelopes_are_refused() {
        let good: serde_json::Value = serde_json::from_slice(&sealed().to_json()).unwrap();
        let cases: Vec<(&str, serde_json::Value)> = vec![
            ("type", serde_json::json!("other")),
            ("version", serde_json::json!(2)),
            ("kdf", serde_json::json!("scrypt")),
            ("m_cost", serde_json::json!(u32::MAX)),
            ("t_cost", serde_json::json!(0)),
            ("salt", serde_json::json!("AAAA")),
            ("nonce", serde_json::json!("not base64!")),
            ("ciphertext", serde_json::json!("AAAA")),
        ];
        for (field, value) in cases {
            let mut v = good.clone();
            v[field] = value;
            let r = SealedSecret::from_json(v.to_string().as_bytes());
            assert!(
                matches!(r, Err(SecretError::Malformed(_))),
                "{field}: {r:?}"
            );
        }
        let mut v = good;
        v["extra"] = serde_json::json!(1);
        assert!(SealedSecret::from_json(v.to_string().as_bytes()).is_err());
        assert!(SealedSecret::from_json(b"[]").is_err());
    }
}
