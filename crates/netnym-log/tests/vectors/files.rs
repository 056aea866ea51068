//! The vector files' typed forms: field order is fixed by these structs, so the rendered bytes
//! do not depend on how `serde_json` orders maps.

use netnym_log::{ConsistencyProof, InclusionProof, WitnessPolicy};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyRecord {
    pub(crate) name: String,
    /// The 32-byte Ed25519 seed, hex.
    pub(crate) seed: String,
    pub(crate) vkey: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeysFile {
    pub(crate) description: String,
    pub(crate) log: KeyRecord,
    pub(crate) witnesses: Vec<KeyRecord>,
    pub(crate) untrusted_witness: KeyRecord,
    pub(crate) policy: WitnessPolicy,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefusalRecord {
    pub(crate) reason: String,
    pub(crate) count: u64,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatisticsRecord {
    pub(crate) date: String,
    pub(crate) enrollments: u64,
    pub(crate) refusals: Vec<RefusalRecord>,
    pub(crate) revocations: u64,
    pub(crate) re_enrollments: u64,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntryRecord {
    pub(crate) index: u64,
    pub(crate) kind: String,
    /// Where the opaque payload comes from (a core vector file and field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) source: Option<String>,
    /// The key id, registry id or parameter id (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) epoch: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) retired_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) statistics: Option<StatisticsRecord>,
    /// The canonical encoding (LOG-001), hex.
    pub(crate) encoding: String,
    /// `SHA-256(0x00 ‖ encoding)` (LOG-003), base64.
    pub(crate) leaf_hash: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntriesFile {
    pub(crate) description: String,
    pub(crate) entries: Vec<EntryRecord>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckpointRecord {
    pub(crate) size: u64,
    pub(crate) root: String,
    /// The witnesses' cosignature timestamp.
    pub(crate) cosigned_at: u64,
    /// The checkpoint text (LOG-004).
    pub(crate) text: String,
    /// The signed note: log signature and three cosignatures.
    pub(crate) note: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckpointsFile {
    pub(crate) description: String,
    /// Root of the tree of the first n entries, n = 0..=8 (base64).
    pub(crate) roots: Vec<String>,
    pub(crate) checkpoints: Vec<CheckpointRecord>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProofsFile {
    pub(crate) description: String,
    pub(crate) inclusion: Vec<InclusionProof>,
    pub(crate) consistency: Vec<ConsistencyProof>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct NegativeContext {
    /// The view's accepted signed note before the operation (none: an empty view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) accepted: Option<String>,
    /// The reader's clock (Unix seconds).
    pub(crate) now: u64,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct NegativeInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) consistency_proof: Option<ConsistencyProof>,
    /// An entry's bytes, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) entry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) inclusion_proof: Option<InclusionProof>,
    /// A named checkpoint's size and root (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) root: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct NegativeFile {
    pub(crate) name: String,
    pub(crate) rule: String,
    pub(crate) description: String,
    /// `update` | `verify_entry` | `check_named` | `decode_entry`.
    pub(crate) operation: String,
    pub(crate) context: NegativeContext,
    pub(crate) input: NegativeInput,
}
