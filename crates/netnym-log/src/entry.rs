//! Log entries and their canonical binary encoding (LOG-001, LOG-002).
//!
//! ```text
//! entry   = u8 version (= 1) ‖ u8 type ‖ body            integers big-endian
//! 0x01 issuer key published     key_id[32] ‖ opaque envelope<1..2^18>
//! 0x02 issuer key retired       key_id[32] ‖ u64 retired_at
//! 0x03 range params published   params_id[32] ‖ opaque envelope<1..2^18>
//! 0x04 registry key published   registry_id[32] ‖ opaque envelope<1..2^18>
//! 0x05 epoch                    registry_id[32] ‖ u64 epoch ‖ opaque epoch_entry<1..2^18>
//! 0x06 daily statistics         u16 year ‖ u8 month ‖ u8 day ‖ u64 enrollments ‖
//!                               u16 n ‖ n × (u8 len ‖ reason[len] ‖ u64 count) ‖
//!                               u64 revocations ‖ u64 re_enrollments
//! opaque x<1..2^18> = u32 length ‖ bytes
//! ```
//!
//! Every field has one width and every list one order, so each value has exactly one encoding;
//! [`LogEntry::decode`] accepts only that encoding and consumes every byte.

mod stats;

use crate::error::EntryDecodeError;
use crate::hash::TreeHash;
use crate::merkle::leaf_hash;

pub use stats::{DailyStatistics, Date, ReasonCode, RefusalCounts, MAX_REASONS, MAX_REASON_LEN};

/// The entry encoding version this crate writes and reads.
pub const ENTRY_VERSION: u8 = 1;

/// Largest opaque payload (an envelope or an epoch entry's JSON) an entry carries: 256 KiB,
/// the core crate's largest published object (`MAX_EPOCH_BYTES`).
pub const MAX_ENVELOPE_BYTES: usize = 256 * 1024;

/// Largest encoded entry accepted by [`LogEntry::decode`].
pub const MAX_ENTRY_BYTES: usize = MAX_ENVELOPE_BYTES + 64;

const TYPE_ISSUER_KEY: u8 = 0x01;
const TYPE_ISSUER_KEY_RETIRED: u8 = 0x02;
const TYPE_RANGE_PARAMS: u8 = 0x03;
const TYPE_REGISTRY_KEY: u8 = 0x04;
const TYPE_EPOCH: u8 = 0x05;
const TYPE_DAILY_STATISTICS: u8 = 0x06;

/// A 32-byte identifier of a published object, as the core crate computes it: an issuer key
/// id, a registry id or a range-parameter id. Shown as lowercase hex, like the core's `KeyId`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId([u8; 32]);

impl ObjectId {
    /// Wrap 32 bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
    /// The raw bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
    /// Parse 64 lowercase hex digits.
    ///
    /// # Errors
    /// [`EntryDecodeError::InvalidField`] (LOG-002) otherwise.
    pub fn from_hex(text: &str) -> Result<Self, EntryDecodeError> {
        let invalid = || EntryDecodeError::InvalidField {
            field: "id",
            reason: "not 64 lowercase hex digits".to_owned(),
        };
        if text.len() != 64 || text.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(invalid());
        }
        let bytes = hex::decode(text).map_err(|_| invalid())?;
        bytes.try_into().map(Self).map_err(|_| invalid())
    }
}

impl core::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl core::fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

/// Opaque bytes of a published object (a core JSON envelope, or an epoch entry's JSON):
/// 1 to [`MAX_ENVELOPE_BYTES`] bytes. This crate never parses them; the consumer does
/// (LOG-023).
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope(Vec<u8>);

impl Envelope {
    /// Wrap the bytes.
    ///
    /// # Errors
    /// [`EntryDecodeError::InvalidField`] (LOG-002) if empty or longer than
    /// [`MAX_ENVELOPE_BYTES`].
    pub fn new(bytes: Vec<u8>) -> Result<Self, EntryDecodeError> {
        if bytes.is_empty() || bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(EntryDecodeError::InvalidField {
                field: "envelope",
                reason: format!("length {} not in 1..={MAX_ENVELOPE_BYTES}", bytes.len()),
            });
        }
        Ok(Self(bytes))
    }
    /// The bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl core::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Envelope({} bytes)", self.0.len())
    }
}

/// One entry of the authority's transparency log (spec/12 §Entries).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogEntry {
    /// An issuer public key: its key id and the bytes of its `netnym-issuer-public-key`
    /// envelope.
    IssuerKeyPublished {
        /// The key id the core crate computes for the key.
        key_id: ObjectId,
        /// The envelope bytes.
        envelope: Envelope,
    },
    /// An issuer key no longer used for issuance from `retired_at` (Unix seconds) on.
    IssuerKeyRetired {
        /// The retired key.
        key_id: ObjectId,
        /// From when (Unix seconds).
        retired_at: u64,
    },
    /// Range-proof parameters: their id and `netnym-range-params` envelope.
    RangeParamsPublished {
        /// The parameters' id.
        params_id: ObjectId,
        /// The envelope bytes.
        envelope: Envelope,
    },
    /// A revocation registry's public key: its id and `netnym-registry-public-key` envelope.
    RegistryKeyPublished {
        /// The registry id.
        registry_id: ObjectId,
        /// The envelope bytes.
        envelope: Envelope,
    },
    /// One epoch of a revocation registry: the registry, the epoch number and the
    /// `netnym-revocation-epoch` JSON.
    Epoch {
        /// The registry id.
        registry_id: ObjectId,
        /// The epoch number (0 = genesis).
        epoch: u64,
        /// The epoch entry's JSON bytes.
        entry: Envelope,
    },
    /// One day's public counts.
    DailyStatistics(DailyStatistics),
}

impl LogEntry {
    /// A short name of the entry type, as the spec writes it.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::IssuerKeyPublished { .. } => "issuer-key-published",
            Self::IssuerKeyRetired { .. } => "issuer-key-retired",
            Self::RangeParamsPublished { .. } => "range-params-published",
            Self::RegistryKeyPublished { .. } => "registry-key-published",
            Self::Epoch { .. } => "epoch",
            Self::DailyStatistics(_) => "daily-statistics",
        }
    }

    /// The canonical encoding (LOG-001).
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Vec::with_capacity(64);
        w.push(ENTRY_VERSION);
        match self {
            Self::IssuerKeyPublished { key_id, envelope } => {
                w.push(TYPE_ISSUER_KEY);
                w.extend_from_slice(key_id.as_bytes());
                put_opaque(&mut w, envelope);
            }
            Self::IssuerKeyRetired { key_id, retired_at } => {
                w.push(TYPE_ISSUER_KEY_RETIRED);
                w.extend_from_slice(key_id.as_bytes());
                w.extend_from_slice(&retired_at.to_be_bytes());
            }
            Self::RangeParamsPublished {
                params_id,
                envelope,
            } => {
                w.push(TYPE_RANGE_PARAMS);
                w.extend_from_slice(params_id.as_bytes());
                put_opaque(&mut w, envelope);
            }
            Self::RegistryKeyPublished {
                registry_id,
                envelope,
            } => {
                w.push(TYPE_REGISTRY_KEY);
                w.extend_from_slice(registry_id.as_bytes());
                put_opaque(&mut w, envelope);
            }
            Self::Epoch {
                registry_id,
                epoch,
                entry,
            } => {
                w.push(TYPE_EPOCH);
                w.extend_from_slice(registry_id.as_bytes());
                w.extend_from_slice(&epoch.to_be_bytes());
                put_opaque(&mut w, entry);
            }
            Self::DailyStatistics(stats) => {
                w.push(TYPE_DAILY_STATISTICS);
                stats.encode_into(&mut w);
            }
        }
        w
    }

    /// The leaf hash of the canonical encoding (LOG-003).
    #[must_use]
    pub fn leaf_hash(&self) -> TreeHash {
        leaf_hash(&self.encode())
    }

    /// Decode the canonical encoding, strictly (LOG-001, LOG-002): known version and type,
    /// every field valid, no byte left over. `decode(e.encode()) == e` and
    /// `decode(b).encode() == b` for every accepted `b`.
    ///
    /// # Errors
    /// [`EntryDecodeError`], naming the rule it enforces.
    pub fn decode(bytes: &[u8]) -> Result<Self, EntryDecodeError> {
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(EntryDecodeError::TooLarge { len: bytes.len() });
        }
        let mut r = Reader::new(bytes);
        let version = r.u8("version")?;
        if version != ENTRY_VERSION {
            return Err(EntryDecodeError::Version(version));
        }
        let entry = match r.u8("type")? {
            TYPE_ISSUER_KEY => Self::IssuerKeyPublished {
                key_id: r.id("key_id")?,
                envelope: r.opaque("envelope")?,
            },
            TYPE_ISSUER_KEY_RETIRED => Self::IssuerKeyRetired {
                key_id: r.id("key_id")?,
                retired_at: r.u64("retired_at")?,
            },
            TYPE_RANGE_PARAMS => Self::RangeParamsPublished {
                params_id: r.id("params_id")?,
                envelope: r.opaque("envelope")?,
            },
            TYPE_REGISTRY_KEY => Self::RegistryKeyPublished {
                registry_id: r.id("registry_id")?,
                envelope: r.opaque("envelope")?,
            },
            TYPE_EPOCH => Self::Epoch {
                registry_id: r.id("registry_id")?,
                epoch: r.u64("epoch")?,
                entry: r.opaque("entry")?,
            },
            TYPE_DAILY_STATISTICS => Self::DailyStatistics(DailyStatistics::decode_from(&mut r)?),
            other => return Err(EntryDecodeError::UnknownType(other)),
        };
        r.finish()?;
        Ok(entry)
    }
}

fn put_opaque(w: &mut Vec<u8>, envelope: &Envelope) {
    // An `Envelope` holds at most MAX_ENVELOPE_BYTES (< 2^32) bytes.
    let len = u32::try_from(envelope.as_bytes().len()).unwrap_or(u32::MAX);
    w.extend_from_slice(&len.to_be_bytes());
    w.extend_from_slice(envelope.as_bytes());
}

/// A cursor over an entry being decoded; every read names the field it is for.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    pub(crate) fn take(
        &mut self,
        field: &'static str,
        n: usize,
    ) -> Result<&'a [u8], EntryDecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(EntryDecodeError::Truncated { field })?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], EntryDecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(field, N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, EntryDecodeError> {
        Ok(self.array::<1>(field)?[0])
    }
    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, EntryDecodeError> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }
    fn u32(&mut self, field: &'static str) -> Result<u32, EntryDecodeError> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }
    pub(crate) fn u64(&mut self, field: &'static str) -> Result<u64, EntryDecodeError> {
        Ok(u64::from_be_bytes(self.array(field)?))
    }
    fn id(&mut self, field: &'static str) -> Result<ObjectId, EntryDecodeError> {
        Ok(ObjectId(self.array(field)?))
    }
    fn opaque(&mut self, field: &'static str) -> Result<Envelope, EntryDecodeError> {
        let len = usize::try_from(self.u32(field)?).unwrap_or(usize::MAX);
        if len == 0 || len > MAX_ENVELOPE_BYTES {
            return Err(EntryDecodeError::InvalidField {
                field,
                reason: format!("length {len} not in 1..={MAX_ENVELOPE_BYTES}"),
            });
        }
        Ok(Envelope(self.take(field, len)?.to_vec()))
    }
    fn finish(&self) -> Result<(), EntryDecodeError> {
        match self.bytes.len() - self.pos {
            0 => Ok(()),
            extra => Err(EntryDecodeError::TrailingBytes(extra)),
        }
    }
}

#[cfg(test)]
mod tests;
