//! Ed25519 keys of the log and of its witnesses, with their C2SP names, key ids and verifier
//! keys (LOG-006).
//!
//! A key is named (the log key by the log's origin, a witness key by the witness's name) and
//! has a 4-byte key id `SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]`, with type `0x01` for the
//! log's note signatures (C2SP signed-note) and `0x04` for cosignatures (C2SP
//! tlog-cosignature). Its public form is the C2SP verifier key `name+hex(id)+base64(type ‖ key)`.

use base64::{engine::general_purpose::STANDARD, Engine};
use ed25519_dalek::{SigningKey, VerifyingKey};
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::error::KeyError;

/// Signature type byte of an Ed25519 note signature (C2SP signed-note).
pub const TYPE_ED25519: u8 = 0x01;
/// Signature type byte of an Ed25519 `cosignature/v1` (C2SP tlog-cosignature).
pub const TYPE_COSIGNATURE_V1: u8 = 0x04;
/// Longest key name (and log origin), in bytes.
pub const MAX_KEY_NAME_LEN: usize = 255;

/// Check a key name or origin (LOG-006): 1 to 255 bytes of printable ASCII without space or
/// `+`. (C2SP allows any UTF-8 without spaces or `+`; this profile keeps names printable ASCII.)
pub(crate) fn check_name(name: &str) -> Result<(), KeyError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_KEY_NAME_LEN
        && name
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'+');
    if ok {
        Ok(())
    } else {
        Err(KeyError::InvalidName(name.to_owned()))
    }
}

/// The C2SP key id of `name` and a typed public key.
pub(crate) fn key_id(name: &str, key_type: u8, public: &[u8; 32]) -> u32 {
    let mut typed = Vec::with_capacity(33);
    typed.push(key_type);
    typed.extend_from_slice(public);
    signed_note::key_id(name, &typed)
}

/// A named Ed25519 public key of a given signature type.
#[derive(Clone, PartialEq, Eq)]
struct NamedKey {
    name: String,
    key: VerifyingKey,
    id: u32,
    key_type: u8,
}

impl NamedKey {
    fn new(name: &str, key_type: u8, public: &[u8; 32]) -> Result<Self, KeyError> {
        check_name(name)?;
        let key = VerifyingKey::from_bytes(public).map_err(|_| KeyError::InvalidKey)?;
        if key.is_weak() {
            return Err(KeyError::InvalidKey);
        }
        Ok(Self {
            name: name.to_owned(),
            id: key_id(name, key_type, public),
            key,
            key_type,
        })
    }

    fn from_vkey(vkey: &str, key_type: u8) -> Result<Self, KeyError> {
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(KeyError::Malformed);
        };
        if id_hex.len() != 8 || id_hex.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(KeyError::Malformed);
        }
        let id = u32::from_str_radix(id_hex, 16).map_err(|_| KeyError::Malformed)?;
        let typed = STANDARD.decode(key64).map_err(|_| KeyError::Malformed)?;
        let (&got_type, public) = typed.split_first().ok_or(KeyError::Malformed)?;
        if got_type != key_type {
            return Err(KeyError::WrongType {
                expected: key_type,
                got: got_type,
            });
        }
        let public: [u8; 32] = public.try_into().map_err(|_| KeyError::Malformed)?;
        let key = Self::new(name, key_type, &public)?;
        if key.id != id {
            return Err(KeyError::KeyIdMismatch);
        }
        Ok(key)
    }

    fn to_vkey(&self) -> String {
        let mut typed = vec![self.key_type];
        typed.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.id, STANDARD.encode(typed))
    }
}

impl core::fmt::Debug for NamedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_vkey())
    }
}

macro_rules! verifying_key {
    ($(#[$doc:meta])* $name:ident, $ty:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Debug)]
        pub struct $name(NamedKey);

        impl $name {
            /// A named public key.
            ///
            /// # Errors
            /// LOG-006: [`KeyError::InvalidName`], or [`KeyError::InvalidKey`] for bytes that are
            /// not a point or are a small-order (weak) point.
            pub fn new(name: &str, public: &[u8; 32]) -> Result<Self, KeyError> {
                NamedKey::new(name, $ty, public).map(Self)
            }
            /// Parse a C2SP verifier key `name+id+base64(type ‖ key)`.
            ///
            /// # Errors
            /// LOG-006: [`KeyError`] for a malformed text, another signature type, an invalid
            /// name or key, or a key id that is not the one computed from the name and key.
            pub fn from_vkey(vkey: &str) -> Result<Self, KeyError> {
                NamedKey::from_vkey(vkey, $ty).map(Self)
            }
            /// The C2SP verifier key.
            #[must_use]
            pub fn to_vkey(&self) -> String {
                self.0.to_vkey()
            }
            /// The key name.
            #[must_use]
            pub fn name(&self) -> &str {
                &self.0.name
            }
            /// The 4-byte key id.
            #[must_use]
            pub fn key_id(&self) -> u32 {
                self.0.id
            }
            /// The 32-byte Ed25519 public key.
            #[must_use]
            pub fn public_bytes(&self) -> &[u8; 32] {
                self.0.key.as_bytes()
            }
            pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
                let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
                    return false;
                };
                let sig = ed25519_dalek::Signature::from_bytes(&bytes);
                self.0.key.verify_strict(message, &sig).is_ok()
            }
        }
    };
}

verifying_key!(
    /// The log's public key: verifies the log's note signature on checkpoints (type `0x01`,
    /// named by the log's origin).
    LogVerifyingKey,
    TYPE_ED25519
);
verifying_key!(
    /// A witness's public key: verifies its `cosignature/v1` cosignatures (type `0x04`).
    WitnessVerifyingKey,
    TYPE_COSIGNATURE_V1
);

macro_rules! signing_key {
    ($(#[$doc:meta])* $name:ident, $public:ident) => {
        $(#[$doc])*
        ///
        /// # Security
        /// The Ed25519 secret is zeroized on drop (ed25519-dalek) and redacted in `Debug`; it
        /// leaves only through [`Self::to_seed`], as a zeroizing buffer.
        pub struct $name {
            key: SigningKey,
            public: $public,
        }

        impl $name {
            /// The key for `name` from a 32-byte Ed25519 seed.
            ///
            /// # Errors
            /// LOG-006: [`KeyError::InvalidName`].
            pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, KeyError> {
                let key = SigningKey::from_bytes(seed);
                let public = $public::new(name, key.verifying_key().as_bytes())?;
                Ok(Self { key, public })
            }
            /// A fresh key for `name`.
            ///
            /// # Errors
            /// LOG-006: [`KeyError::InvalidName`].
            pub fn generate(
                name: &str,
                rng: &mut (impl RngCore + CryptoRng),
            ) -> Result<Self, KeyError> {
                let mut seed = Zeroizing::new([0u8; 32]);
                rng.fill_bytes(seed.as_mut());
                Self::from_seed(name, &seed)
            }
            /// The seed, for encrypted storage.
            #[must_use]
            pub fn to_seed(&self) -> Zeroizing<[u8; 32]> {
                Zeroizing::new(self.key.to_bytes())
            }
            /// The public key.
            #[must_use]
            pub fn verifying_key(&self) -> &$public {
                &self.public
            }
            pub(crate) fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
                use ed25519_dalek::Signer as _;
                self.key.sign(message).to_bytes()
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                // Avoids printing the secret key.
                f.debug_struct(stringify!($name))
                    .field("public", &self.public)
                    .finish_non_exhaustive()
            }
        }
    };
}

signing_key!(
    /// The log's signing key (the authority's log key): signs checkpoints as C2SP signed notes.
    LogSigningKey,
    LogVerifyingKey
);
signing_key!(
    /// A witness's signing key: cosigns checkpoints (`cosignature/v1`).
    WitnessSigningKey,
    WitnessVerifyingKey
);
