//! The 32-byte SHA-256 value of a leaf, an interior node or a tree (LOG-003).

use base64::{engine::general_purpose::STANDARD, Engine};
use serde::{Deserialize, Serialize};

/// Length of a [`TreeHash`] in bytes.
pub const HASH_LEN: usize = 32;

/// A SHA-256 value in the log's Merkle tree: a leaf hash, an interior node hash or a root.
///
/// Its text form is standard base64 with padding (RFC 4648 §4), as in a checkpoint's root line
/// (LOG-004); parsing accepts only that canonical form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TreeHash([u8; HASH_LEN]);

impl TreeHash {
    /// Wrap 32 bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; HASH_LEN]) -> Self {
        Self(bytes)
    }

    /// The raw bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    /// Standard padded base64 of the 32 bytes (44 characters).
    #[must_use]
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Parse the canonical text form: standard padded base64 of exactly 32 bytes.
    ///
    /// # Errors
    /// [`HashParseError`] if `text` is not that form (wrong alphabet, missing padding,
    /// non-zero trailing bits, or another length).
    pub fn from_base64(text: &str) -> Result<Self, HashParseError> {
        let bytes = STANDARD.decode(text).map_err(|_| HashParseError)?;
        let array: [u8; HASH_LEN] = bytes.try_into().map_err(|_| HashParseError)?;
        Ok(Self(array))
    }

    pub(crate) fn to_tlog(self) -> tlog_tiles::Hash {
        tlog_tiles::Hash(self.0)
    }

    pub(crate) fn from_tlog(hash: tlog_tiles::Hash) -> Self {
        Self(hash.0)
    }
}

/// A text that is not a canonical base64 SHA-256 value (LOG-004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("LOG-004: not a standard padded base64 encoding of 32 bytes")]
pub struct HashParseError;

impl core::fmt::Display for TreeHash {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl core::fmt::Debug for TreeHash {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "TreeHash({self})")
    }
}

impl Serialize for TreeHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for TreeHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::from_base64(&text).map_err(serde::de::Error::custom)
    }
}
