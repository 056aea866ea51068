//! Glue between this crate's keys and `signed_note` (C2SP signed-note): the log's note
//! signature (LOG-007) and `cosignature/v1` (LOG-008) as `signed_note` signers and verifiers.

use ed25519_dalek::SignatureError;
use signed_note::{Signer, VerificationError, Verifier, Verifiers};

use crate::keys::{LogSigningKey, LogVerifyingKey, WitnessSigningKey, WitnessVerifyingKey};

/// Largest signed note accepted, in bytes (LOG-005).
pub const MAX_NOTE_BYTES: usize = 16 * 1024;

/// Largest cosignature timestamp (C2SP tlog-cosignature: at most `2^63 − 1`).
pub const MAX_COSIGNATURE_TIMESTAMP: u64 = i64::MAX.unsigned_abs();

/// Length of a `cosignature/v1` signature after the key id: 8-byte timestamp ‖ 64-byte
/// Ed25519 signature.
const COSIGNATURE_LEN: usize = 72;

/// The message a `cosignature/v1` signs: `cosignature/v1\ntime <t>\n` followed by the note
/// text (LOG-008).
pub(crate) fn cosignature_message(timestamp: u64, text: &[u8]) -> Vec<u8> {
    let mut m = format!("cosignature/v1\ntime {timestamp}\n").into_bytes();
    m.extend_from_slice(text);
    m
}

/// The timestamp of a cosignature's signature bytes (after the key id), if well-formed.
pub(crate) fn cosignature_timestamp(sig: &[u8]) -> Option<u64> {
    if sig.len() != COSIGNATURE_LEN {
        return None;
    }
    let ts = u64::from_be_bytes(sig[..8].try_into().ok()?);
    (ts <= MAX_COSIGNATURE_TIMESTAMP).then_some(ts)
}

pub(crate) struct LogSigner<'a>(pub(crate) &'a LogSigningKey);

impl Signer for LogSigner<'_> {
    fn name(&self) -> &str {
        self.0.verifying_key().name()
    }
    fn key_id(&self) -> u32 {
        self.0.verifying_key().key_id()
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SignatureError> {
        Ok(self.0.sign_raw(msg).to_vec())
    }
}

pub(crate) struct Cosigner<'a> {
    pub(crate) key: &'a WitnessSigningKey,
    pub(crate) timestamp: u64,
}

impl Signer for Cosigner<'_> {
    fn name(&self) -> &str {
        self.key.verifying_key().name()
    }
    fn key_id(&self) -> u32 {
        self.key.verifying_key().key_id()
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SignatureError> {
        if self.timestamp > MAX_COSIGNATURE_TIMESTAMP {
            return Err(SignatureError::new());
        }
        let mut out = self.timestamp.to_be_bytes().to_vec();
        out.extend_from_slice(&self.key.sign_raw(&cosignature_message(self.timestamp, msg)));
        Ok(out)
    }
}

struct LogVerifier(LogVerifyingKey);

impl Verifier for LogVerifier {
    fn name(&self) -> &str {
        self.0.name()
    }
    fn key_id(&self) -> u32 {
        self.0.key_id()
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.0.verify(msg, sig)
    }
}

struct CosignatureVerifier(WitnessVerifyingKey);

impl Verifier for CosignatureVerifier {
    fn name(&self) -> &str {
        self.0.name()
    }
    fn key_id(&self) -> u32 {
        self.0.key_id()
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match cosignature_timestamp(sig) {
            Some(ts) => self.0.verify(&cosignature_message(ts, msg), &sig[8..]),
            None => false,
        }
    }
}

/// The keys a note is checked against: optionally the log key, and the trusted witnesses.
pub(crate) struct KnownKeys {
    log: Option<LogVerifier>,
    witnesses: Vec<CosignatureVerifier>,
}

impl KnownKeys {
    pub(crate) fn new(log: Option<&LogVerifyingKey>, witnesses: &[WitnessVerifyingKey]) -> Self {
        Self {
            log: log.cloned().map(LogVerifier),
            witnesses: witnesses.iter().cloned().map(CosignatureVerifier).collect(),
        }
    }

    /// Which witness (index into the list given to [`Self::new`]) has this name and key id.
    pub(crate) fn witness_index(&self, name: &str, id: u32) -> Option<usize> {
        self.witnesses
            .iter()
            .position(|w| w.0.name() == name && w.0.key_id() == id)
    }

    pub(crate) fn is_log(&self, name: &str, id: u32) -> bool {
        self.log
            .as_ref()
            .is_some_and(|l| l.0.name() == name && l.0.key_id() == id)
    }
}

impl Verifiers for KnownKeys {
    fn verifier(&self, name: &str, id: u32) -> Result<&dyn Verifier, VerificationError> {
        if let Some(log) = self.log.as_ref().filter(|_| self.is_log(name, id)) {
            return Ok(log);
        }
        match self.witness_index(name, id) {
            Some(i) => Ok(&self.witnesses[i]),
            None => Err(VerificationError::UnknownKey {
                name: name.to_owned(),
                id,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
