//! The witness policy a wallet or verifier runs with (LOG-009): whose log, which witnesses,
//! how many of them must have cosigned, and how old their cosignatures may be.

use serde::{Deserialize, Serialize};

use crate::error::PolicyError;
use crate::keys::{LogVerifyingKey, WitnessVerifyingKey};

/// Most witnesses a policy may name.
pub const MAX_WITNESSES: usize = 32;
/// Largest maximum age a policy may set: 366 days, in seconds.
pub const MAX_AGE_LIMIT: u64 = 366 * 86_400;
/// How far in the future a cosignature timestamp may lie and still count (LOG-011), in
/// seconds: tolerance for the witnesses' and the reader's clocks.
pub const MAX_CLOCK_SKEW: u64 = 300;

/// Trust configuration for reading one log: the log's key (whose name is the log's origin), the
/// witnesses' keys, the quorum `k` of distinct witnesses whose cosignatures a checkpoint needs,
/// and the maximum age of those cosignatures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PolicyWire", into = "PolicyWire")]
pub struct WitnessPolicy {
    log_key: LogVerifyingKey,
    witnesses: Vec<WitnessVerifyingKey>,
    quorum: usize,
    max_age: u64,
}

/// JSON form: verifier keys as C2SP vkey strings.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyWire {
    log_key: String,
    witnesses: Vec<String>,
    quorum: usize,
    max_age_seconds: u64,
}

impl TryFrom<PolicyWire> for WitnessPolicy {
    type Error = PolicyError;
    fn try_from(w: PolicyWire) -> Result<Self, PolicyError> {
        let log_key = LogVerifyingKey::from_vkey(&w.log_key)?;
        let witnesses = w
            .witnesses
            .iter()
            .map(|v| WitnessVerifyingKey::from_vkey(v))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(log_key, witnesses, w.quorum, w.max_age_seconds)
    }
}

impl From<WitnessPolicy> for PolicyWire {
    fn from(p: WitnessPolicy) -> Self {
        Self {
            log_key: p.log_key.to_vkey(),
            witnesses: p
                .witnesses
                .iter()
                .map(WitnessVerifyingKey::to_vkey)
                .collect(),
            quorum: p.quorum,
            max_age_seconds: p.max_age,
        }
    }
}

impl WitnessPolicy {
    /// A policy (LOG-009).
    ///
    /// # Errors
    /// [`PolicyError`]: quorum outside `1..=witnesses`, more than [`MAX_WITNESSES`] witnesses,
    /// two witnesses with the same name or key, a witness using the log's key, or a maximum
    /// age outside `1..=`[`MAX_AGE_LIMIT`].
    pub fn new(
        log_key: LogVerifyingKey,
        witnesses: Vec<WitnessVerifyingKey>,
        quorum: usize,
        max_age_seconds: u64,
    ) -> Result<Self, PolicyError> {
        if witnesses.len() > MAX_WITNESSES {
            return Err(PolicyError::TooManyWitnesses(witnesses.len()));
        }
        if quorum == 0 || quorum > witnesses.len() {
            return Err(PolicyError::Quorum {
                quorum,
                witnesses: witnesses.len(),
            });
        }
        for (i, w) in witnesses.iter().enumerate() {
            if witnesses[..i]
                .iter()
                .any(|o| o.name() == w.name() || o.public_bytes() == w.public_bytes())
            {
                return Err(PolicyError::DuplicateWitness(w.name().to_owned()));
            }
            if w.public_bytes() == log_key.public_bytes() {
                return Err(PolicyError::KeyReuse(w.name().to_owned()));
            }
        }
        if max_age_seconds == 0 || max_age_seconds > MAX_AGE_LIMIT {
            return Err(PolicyError::MaxAge(max_age_seconds));
        }
        Ok(Self {
            log_key,
            witnesses,
            quorum,
            max_age: max_age_seconds,
        })
    }

    /// The log's origin (the log key's name).
    #[must_use]
    pub fn origin(&self) -> &str {
        self.log_key.name()
    }
    /// The log's key.
    #[must_use]
    pub fn log_key(&self) -> &LogVerifyingKey {
        &self.log_key
    }
    /// The trusted witnesses.
    #[must_use]
    pub fn witnesses(&self) -> &[WitnessVerifyingKey] {
        &self.witnesses
    }
    /// How many distinct witnesses must have cosigned.
    #[must_use]
    pub fn quorum(&self) -> usize {
        self.quorum
    }
    /// The maximum age of a counted cosignature, in seconds.
    #[must_use]
    pub fn max_age(&self) -> u64 {
        self.max_age
    }
}

#[cfg(test)]
mod tests;
