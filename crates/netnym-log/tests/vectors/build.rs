//! Building every log vector from fixed seeds.

use base64::{engine::general_purpose::STANDARD, Engine};
use netnym_log::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::files::*;
use super::{dir, negative, render};

/// The fixture clock, as in the core vectors: 2025-11-24T16:00:00Z.
pub(crate) const NOW: u64 = 1_764_000_000;
pub(crate) const DAY: u64 = 86_400;
pub(crate) const ORIGIN: &str = "log.netnym.example";
pub(crate) const WITNESSES: [&str; 3] = [
    "witness-a.netnym.example",
    "witness-b.netnym.example",
    "witness-c.netnym.example",
];
/// Checkpoint sizes published, with their cosignature times.
pub(crate) const CHECKPOINTS: [(u64, u64); 3] = [(3, NOW - 7200), (6, NOW - 3600), (8, NOW)];
/// The entry a forked log replaces (epoch 1).
pub(crate) const FORK_AT: u64 = 5;

/// `SHA-256("NetNym-v1 log test vectors: " ‖ label)`.
pub(crate) fn seed(label: &str) -> [u8; 32] {
    Sha256::digest(format!("NetNym-v1 log test vectors: {label}")).into()
}

pub(crate) fn log_key() -> LogSigningKey {
    LogSigningKey::from_seed(ORIGIN, &seed("log")).expect("key")
}

pub(crate) fn witness_key(i: usize) -> WitnessSigningKey {
    WitnessSigningKey::from_seed(WITNESSES[i], &seed(WITNESSES[i])).expect("key")
}

/// A key outside the policy that cosigns under witness b's name.
pub(crate) fn untrusted_key() -> WitnessSigningKey {
    WitnessSigningKey::from_seed(WITNESSES[1], &seed("untrusted")).expect("key")
}

pub(crate) fn policy() -> WitnessPolicy {
    WitnessPolicy::new(
        log_key().verifying_key().clone(),
        (0..3)
            .map(|i| witness_key(i).verifying_key().clone())
            .collect(),
        2,
        DAY,
    )
    .expect("policy")
}

/// Compact JSON with object keys sorted, independent of `serde_json`'s map order.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let body: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&m[k])))
                .collect();
            format!("{{{}}}", body.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

fn core(path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir().join(path)).expect("core vector")).expect("json")
}

fn envelope(v: &Value) -> Envelope {
    Envelope::new(canonical(v).into_bytes()).expect("envelope")
}

fn id(v: &Value) -> ObjectId {
    ObjectId::from_hex(v.as_str().expect("id")).expect("hex id")
}

/// The published entries, with where their payload comes from.
pub(crate) fn entries() -> Vec<(LogEntry, Option<String>)> {
    let k1 = core("keys/001.json");
    let k2 = core("keys/002.json");
    let range = core("params/001.json");
    let reg = core("params/002.json");
    let mut refusals = RefusalCounts::new();
    refusals
        .set(ReasonCode::new("document-expired").expect("code"), 9)
        .expect("set");
    refusals
        .set(ReasonCode::new("biometric-mismatch").expect("code"), 4)
        .expect("set");
    vec![
        (
            LogEntry::IssuerKeyPublished {
                key_id: id(&k1["key_id"]),
                envelope: envelope(&k1["public_key"]),
            },
            Some("keys/001.json#public_key".to_owned()),
        ),
        (
            LogEntry::IssuerKeyPublished {
                key_id: id(&k2["key_id"]),
                envelope: envelope(&k2["public_key"]),
            },
            Some("keys/002.json#public_key".to_owned()),
        ),
        (
            LogEntry::RangeParamsPublished {
                params_id: id(&range["range_params"]["id"]),
                envelope: envelope(&range["range_params"]),
            },
            Some("params/001.json#range_params".to_owned()),
        ),
        (
            LogEntry::RegistryKeyPublished {
                registry_id: id(&reg["registry"]["registry_id"]),
                envelope: envelope(&reg["registry"]),
            },
            Some("params/002.json#registry".to_owned()),
        ),
        (
            LogEntry::Epoch {
                registry_id: id(&reg["registry"]["registry_id"]),
                epoch: 0,
                entry: envelope(&reg["epochs"][0]),
            },
            Some("params/002.json#epochs[0]".to_owned()),
        ),
        (
            LogEntry::Epoch {
                registry_id: id(&reg["registry"]["registry_id"]),
                epoch: 1,
                entry: envelope(&reg["epochs"][1]),
            },
            Some("params/002.json#epochs[1]".to_owned()),
        ),
        (
            LogEntry::DailyStatistics(DailyStatistics {
                date: Date::new(2025, 11, 24).expect("date"),
                enrollments: 1200,
                refusals,
                revocations: 2,
                re_enrollments: 1,
            }),
            None,
        ),
        (
            LogEntry::IssuerKeyRetired {
                key_id: id(&k2["key_id"]),
                retired_at: NOW,
            },
            None,
        ),
    ]
}

/// The split view: epoch 1 with the fixture credential's id 42 added to `revoked`, shown to
/// one target only.
pub(crate) fn forged_epoch() -> LogEntry {
    let reg = core("params/002.json");
    let mut epoch = reg["epochs"][1].clone();
    epoch["revoked"] = serde_json::json!([5, 7, 42]);
    LogEntry::Epoch {
        registry_id: id(&reg["registry"]["registry_id"]),
        epoch: 1,
        entry: envelope(&epoch),
    }
}

pub(crate) fn honest_log(n: u64) -> Log<MemoryStorage> {
    let mut log = Log::new(ORIGIN, MemoryStorage::new()).expect("log");
    for (e, _) in entries()
        .into_iter()
        .take(usize::try_from(n).expect("small"))
    {
        log.append(&e).expect("append");
    }
    log
}

pub(crate) fn forked_log(n: u64) -> Log<MemoryStorage> {
    let mut log = Log::new(ORIGIN, MemoryStorage::new()).expect("log");
    for (i, (e, _)) in entries()
        .into_iter()
        .take(usize::try_from(n).expect("small"))
        .enumerate()
    {
        let e = if i as u64 == FORK_AT {
            forged_epoch()
        } else {
            e
        };
        log.append(&e).expect("append");
    }
    log
}

/// The log's signed checkpoint with cosignatures by `keys` at `ts`.
pub(crate) fn cosign(log: &Log<MemoryStorage>, keys: &[WitnessSigningKey], ts: u64) -> String {
    let mut note = log.sign_checkpoint(&log_key()).expect("sign");
    for key in keys {
        let key =
            WitnessSigningKey::from_seed(key.verifying_key().name(), &key.to_seed()).expect("copy");
        let mut w = Witness::new(key, log_key().verifying_key().clone());
        note = w.cosign(note.as_bytes(), None, ts).expect("cosign");
    }
    String::from_utf8(note.as_bytes().to_vec()).expect("utf8")
}

pub(crate) fn all_witnesses() -> Vec<WitnessSigningKey> {
    (0..3).map(witness_key).collect()
}

pub(crate) fn b64(h: &TreeHash) -> String {
    STANDARD.encode(h.as_bytes())
}

fn key_record(name: &str, seed: [u8; 32], vkey: String) -> KeyRecord {
    KeyRecord {
        name: name.to_owned(),
        seed: hex::encode(seed),
        vkey,
    }
}

fn keys_file() -> KeysFile {
    KeysFile {
        description: "Ed25519 keys from seeds SHA-256(\"NetNym-v1 log test vectors: \" ‖ label), \
                      label = \"log\", each witness's name, \"untrusted\"; the policy wallets \
                      and verifiers use: 2 of the 3 witnesses, maximum age one day"
            .to_owned(),
        log: key_record(ORIGIN, seed("log"), log_key().verifying_key().to_vkey()),
        witnesses: (0..3)
            .map(|i| {
                key_record(
                    WITNESSES[i],
                    seed(WITNESSES[i]),
                    witness_key(i).verifying_key().to_vkey(),
                )
            })
            .collect(),
        untrusted_witness: key_record(
            WITNESSES[1],
            seed("untrusted"),
            untrusted_key().verifying_key().to_vkey(),
        ),
        policy: policy(),
    }
}

fn entries_file() -> EntriesFile {
    let records = entries()
        .into_iter()
        .enumerate()
        .map(|(i, (e, source))| {
            let mut r = EntryRecord {
                index: i as u64,
                kind: e.kind().to_owned(),
                source,
                id: None,
                epoch: None,
                retired_at: None,
                statistics: None,
                encoding: hex::encode(e.encode()),
                leaf_hash: b64(&e.leaf_hash()),
            };
            match &e {
                LogEntry::IssuerKeyPublished { key_id: x, .. }
                | LogEntry::RangeParamsPublished { params_id: x, .. }
                | LogEntry::RegistryKeyPublished { registry_id: x, .. } => {
                    r.id = Some(x.to_string());
                }
                LogEntry::Epoch {
                    registry_id, epoch, ..
                } => {
                    r.id = Some(registry_id.to_string());
                    r.epoch = Some(*epoch);
                }
                LogEntry::IssuerKeyRetired { key_id, retired_at } => {
                    r.id = Some(key_id.to_string());
                    r.retired_at = Some(*retired_at);
                }
                LogEntry::DailyStatistics(s) => {
                    r.statistics = Some(StatisticsRecord {
                        date: s.date.to_string(),
                        enrollments: s.enrollments,
                        refusals: s
                            .refusals
                            .iter()
                            .map(|(reason, count)| RefusalRecord {
                                reason: reason.to_string(),
                                count,
                            })
                            .collect(),
                        revocations: s.revocations,
                        re_enrollments: s.re_enrollments,
                    });
                }
                _ => panic!("unexpected entry kind"),
            }
            r
        })
        .collect();
    EntriesFile {
        description: "the eight published entries, in log order: encoding (LOG-001, hex) and \
                      leaf hash (LOG-003, base64); opaque payloads are the core vector objects \
                      named by `source`, as compact JSON with sorted keys"
            .to_owned(),
        entries: records,
    }
}

fn checkpoints_file() -> CheckpointsFile {
    let full = honest_log(8);
    CheckpointsFile {
        description: "roots of the first n entries (n = 0..=8); checkpoints at sizes 3, 6 and 8 \
                      signed by the log key and cosigned by witnesses a, b and c at `cosigned_at`"
            .to_owned(),
        roots: (0..=8)
            .map(|n| b64(&full.root_at(n).expect("root")))
            .collect(),
        checkpoints: CHECKPOINTS
            .iter()
            .map(|&(size, ts)| {
                let log = honest_log(size);
                let cp = log.checkpoint().expect("checkpoint");
                CheckpointRecord {
                    size,
                    root: b64(cp.root()),
                    cosigned_at: ts,
                    text: cp.to_text(),
                    note: cosign(&log, &all_witnesses(), ts),
                }
            })
            .collect(),
    }
}

fn proofs_file() -> ProofsFile {
    let full = honest_log(8);
    let mut inclusion: Vec<InclusionProof> = (0..8)
        .map(|i| full.inclusion_proof(i, 8).expect("proof"))
        .collect();
    inclusion.push(full.inclusion_proof(2, 3).expect("proof"));
    inclusion.push(full.inclusion_proof(5, 6).expect("proof"));
    let consistency = [(3, 6), (6, 8), (3, 8), (1, 8)]
        .iter()
        .map(|&(a, b)| full.consistency_proof(a, b).expect("proof"))
        .collect();
    ProofsFile {
        description: "inclusion proofs of every entry in the size-8 tree, of entry 2 at size 3 \
                      and entry 5 at size 6; consistency proofs 3→6, 6→8, 3→8 and 1→8 (RFC \
                      9162 §2.1.3, §2.1.4)"
            .to_owned(),
        inclusion,
        consistency,
    }
}

/// Every vector file: (path under test-vectors/netnym-v1/, rendered bytes).
pub(crate) fn build() -> Vec<(String, String)> {
    let mut out = vec![
        ("log/keys.json".to_owned(), render(&keys_file())),
        ("log/entries.json".to_owned(), render(&entries_file())),
        (
            "log/checkpoints.json".to_owned(),
            render(&checkpoints_file()),
        ),
        ("log/proofs.json".to_owned(), render(&proofs_file())),
    ];
    for (i, v) in negative::negatives().iter().enumerate() {
        out.push((format!("log/negative/{:03}.json", i + 1), render(v)));
    }
    out
}
