//! The authority's transparency log (spec/12-transparency-log.md): the log signing key
//! (sealed like the other keys), the signed checkpoints, and the log endpoints
//! (API.md § Transparency log).
//!
//! The store writes every log entry in the transaction of the record it describes (LOG-021);
//! this module signs the checkpoint of what is stored after each write and at start, and
//! serves the latest signed checkpoint, the entries and the proofs.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use netnym_log::{Log, LogError, LogSigningKey, SignedCheckpoint};
use netnym_store::{KdfParams, LogReadError, SealedSecret, SecretError, Store, StoreError};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::keys::{AuthorityKeyError, AUTHORITY_SECRET_NAME};
use super::AuthorityState;
use crate::body::json_ok;
use crate::problem::Problem;

/// Name of the sealed secret holding the log signing key and the log's origin.
pub const LOG_KEY_SECRET: &str = "log-key";
/// The log's origin when `authority init` is given none (a deployment names its own, e.g.
/// `log.authority.example/netnym`).
pub const DEFAULT_LOG_ORIGIN: &str = "authority.netnym.example/log";
/// Most entries one `GET /v1/log/entries` returns.
pub const MAX_LOG_ENTRIES_PAGE: u64 = 1000;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogKeyWire {
    origin: String,
    seed: String,
}

/// The authority's log signing key; its name is the log's origin (LOG-006, LOG-007).
pub struct AuthorityLog {
    key: LogSigningKey,
}

impl core::fmt::Debug for AuthorityLog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthorityLog")
            .field("origin", &self.origin())
            .finish_non_exhaustive()
    }
}

impl AuthorityLog {
    /// Load the sealed log key, or make and seal one (under `passphrase`, with the KDF
    /// parameters of the authority's sealed keys) for `origin` (else [`DEFAULT_LOG_ORIGIN`]).
    ///
    /// # Errors
    /// [`AuthorityKeyError::Corrupt`] for an unreadable key or a key of another origin than
    /// the one given; [`AuthorityKeyError::WrongPassphrase`]; store errors.
    pub async fn ensure(
        store: &Store,
        rng: &mut (impl RngCore + CryptoRng),
        passphrase: &[u8],
        origin: Option<&str>,
    ) -> Result<Self, AuthorityKeyError> {
        let corrupt = |e: String| AuthorityKeyError::Corrupt(format!("log key: {e}"));
        match store.sealed_secret(LOG_KEY_SECRET).await {
            Ok(sealed) => {
                let plain = sealed.open(passphrase, LOG_KEY_SECRET)?;
                let w: LogKeyWire =
                    serde_json::from_slice(&plain).map_err(|e| corrupt(e.to_string()))?;
                let seed = Zeroizing::new(
                    <[u8; 32]>::try_from(hex::decode(&w.seed).map_err(|e| corrupt(e.to_string()))?)
                        .map_err(|_| corrupt("the seed is not 32 bytes".into()))?,
                );
                if let Some(o) = origin {
                    if o != w.origin {
                        return Err(corrupt(format!(
                            "the log's origin is {:?}, not {o:?}",
                            w.origin
                        )));
                    }
                }
                let key = LogSigningKey::from_seed(&w.origin, &seed)
                    .map_err(|e| corrupt(e.to_string()))?;
                Ok(Self { key })
            }
            Err(SecretError::NotFound(_)) => {
                let origin = origin.unwrap_or(DEFAULT_LOG_ORIGIN);
                let key = LogSigningKey::generate(origin, rng)
                    .map_err(|e| AuthorityKeyError::LogOrigin(format!("{origin:?}: {e}")))?;
                let kdf: KdfParams = store.sealed_secret(AUTHORITY_SECRET_NAME).await?.kdf();
                let plain = Zeroizing::new(
                    serde_json::to_vec(&LogKeyWire {
                        origin: origin.to_owned(),
                        seed: hex::encode(*key.to_seed()),
                    })
                    .map_err(|e| corrupt(e.to_string()))?,
                );
                let sealed = SealedSecret::seal(rng, passphrase, LOG_KEY_SECRET, &plain, kdf)?;
                match store.put_sealed_secret(LOG_KEY_SECRET, &sealed).await {
                    Ok(()) => Ok(Self { key }),
                    // Another process made it first: use that one.
                    Err(SecretError::AlreadyExists(_)) => {
                        Box::pin(Self::ensure(store, rng, passphrase, Some(origin))).await
                    }
                    Err(e) => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The log's origin.
    #[must_use]
    pub fn origin(&self) -> &str {
        self.key.verifying_key().name()
    }

    /// The log's public key as a C2SP verifier key (what readers configure).
    #[must_use]
    pub fn vkey(&self) -> String {
        self.key.verifying_key().to_vkey()
    }

    /// Sign the checkpoint of the log as stored now and keep it (LOG-007, LOG-021).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails or holds an inconsistent log.
    pub async fn sign(&self, store: &Store) -> Result<SignedCheckpoint, StoreError> {
        let origin = self.origin().to_owned();
        let checkpoint = store
            .read_log(|s| {
                Log::new(&origin, s)
                    .map_err(|e| LogError::Corrupt(e.to_string()))?
                    .checkpoint()
            })
            .await
            .map_err(|e| match e {
                LogReadError::Store(s) => s,
                other => StoreError::Corrupt(format!("log checkpoint: {other}")),
            })?;
        let signed = SignedCheckpoint::sign(&checkpoint, &self.key)
            .map_err(|e| StoreError::Corrupt(format!("signing the checkpoint: {e}")))?;
        store
            .put_log_checkpoint(
                checkpoint.size(),
                signed.as_bytes(),
                netnym_store::unix_now(),
            )
            .await?;
        Ok(signed)
    }

    /// Sign the stored log unless its latest kept checkpoint already covers it.
    ///
    /// # Errors
    /// As [`AuthorityLog::sign`].
    pub async fn sign_if_behind(&self, store: &Store) -> Result<(), StoreError> {
        let size = store.log_size().await?;
        let kept = store.latest_log_checkpoint().await?.map_or(0, |(s, _)| s);
        if size > kept {
            self.sign(store).await?;
        }
        Ok(())
    }
}

/// `GET /v1/log/checkpoint`: the latest signed checkpoint (a C2SP signed note).
pub(super) async fn checkpoint(State(s): State<AuthorityState>) -> Result<Response, Problem> {
    let Some((_, note)) = s.0.store.latest_log_checkpoint().await? else {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "no-checkpoint",
            "No checkpoint",
            "the log has no signed checkpoint yet",
        ));
    };
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response())
}

/// `GET /v1/log/key`: the log's public key as a C2SP verifier key.
pub(super) async fn key(State(s): State<AuthorityState>) -> Response {
    json_ok(&serde_json::json!({
        "origin": s.0.keys.log.origin(),
        "vkey": s.0.keys.log.vkey(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EntriesQuery {
    from: u64,
    #[serde(default)]
    limit: Option<u64>,
}

/// `GET /v1/log/entries?from=N[&limit=M]`: encoded entries from index `N`, base64.
pub(super) async fn entries(
    State(s): State<AuthorityState>,
    Query(q): Query<EntriesQuery>,
) -> Result<Response, Problem> {
    let limit = q
        .limit
        .unwrap_or(MAX_LOG_ENTRIES_PAGE)
        .clamp(1, MAX_LOG_ENTRIES_PAGE);
    let entries = s.0.store.log_entries(q.from, limit).await?;
    let b64 = base64::engine::general_purpose::STANDARD;
    Ok(json_ok(&serde_json::json!({
        "from": q.from,
        "entries": entries.iter().map(|e| b64.encode(e)).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InclusionQuery {
    index: u64,
    size: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConsistencyQuery {
    old: u64,
    new: u64,
}

fn proof_problem(e: LogReadError) -> Problem {
    match e {
        LogReadError::Store(s) => Problem::from(s),
        LogReadError::Log(e @ (LogError::IndexOutOfRange { .. } | LogError::SizeOrder { .. })) => {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "proof-out-of-range",
                "No such proof",
                e.to_string(),
            )
        }
        LogReadError::Log(e) => Problem::internal(&e.to_string()),
        other => Problem::internal(&other.to_string()),
    }
}

/// `GET /v1/log/proof/inclusion?index=I&size=N`: the hashes proving entry `I` is in the tree
/// of size `N` (LOG-012).
pub(super) async fn inclusion(
    State(s): State<AuthorityState>,
    Query(q): Query<InclusionQuery>,
) -> Result<Response, Problem> {
    let origin = s.0.keys.log.origin().to_owned();
    let proof =
        s.0.store
            .read_log(|st| {
                Log::new(&origin, st)
                    .map_err(|e| LogError::Corrupt(e.to_string()))?
                    .inclusion_proof(q.index, q.size)
            })
            .await
            .map_err(proof_problem)?;
    Ok(json_ok(&serde_json::json!({
        "index": proof.leaf_index(),
        "size": proof.tree_size(),
        "hashes": proof.hashes().iter().map(netnym_log::TreeHash::to_base64).collect::<Vec<_>>(),
    })))
}

/// `GET /v1/log/proof/consistency?old=M&new=N`: the hashes proving the tree of size `M` is a
/// prefix of the tree of size `N` (LOG-013).
pub(super) async fn consistency(
    State(s): State<AuthorityState>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Response, Problem> {
    let origin = s.0.keys.log.origin().to_owned();
    let proof =
        s.0.store
            .read_log(|st| {
                Log::new(&origin, st)
                    .map_err(|e| LogError::Corrupt(e.to_string()))?
                    .consistency_proof(q.old, q.new)
            })
            .await
            .map_err(proof_problem)?;
    Ok(json_ok(&serde_json::json!({
        "old": proof.old_size(),
        "new": proof.new_size(),
        "hashes": proof.hashes().iter().map(netnym_log::TreeHash::to_base64).collect::<Vec<_>>(),
    })))
}
