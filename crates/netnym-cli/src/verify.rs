//! `netnym verify`: offline verification of a presentation file.
//!
//! Exit 0 with the verified claims as JSON on stdout; exit 1 with a one-line reason when the
//! presentation is refused (invalid, or its request expired); exit 2 when an input cannot be read
//! or decoded (including a presentation that is not a well-formed presentation).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use netnym::{
    ParsedPresentation, PresentationRequest, VerifyError, MAX_PRESENTATION_BYTES, MAX_REQUEST_BYTES,
};
use thiserror::Error;

use crate::bundle::{IssuerBundle, MAX_BUNDLE_BYTES};

/// Errors of `netnym verify`.
#[derive(Debug, Error)]
pub(crate) enum VerifyCmdError {
    /// An input file cannot be read.
    #[error("cannot read {what} file {path}: {source}")]
    Read {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// An input file is above its size limit.
    #[error("{what} file {path} is larger than the {limit}-byte limit")]
    TooLarge {
        what: &'static str,
        path: PathBuf,
        limit: u64,
    },
    /// An input file does not decode.
    #[error("{what} file {path} is malformed: {reason}")]
    Malformed {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    /// The request is expired or not valid yet at the verification time.
    #[error("presentation refused: its request is expired or not yet valid at {now}")]
    Expired { now: u64 },
    /// The presentation does not prove what the request asks (opaque, VER rules).
    #[error("presentation refused: it does not prove what the request asks")]
    Invalid,
}

impl VerifyCmdError {
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Expired { .. } | Self::Invalid => 1,
            Self::Read { .. } | Self::TooLarge { .. } | Self::Malformed { .. } => 2,
        }
    }
}

/// Read at most `limit` bytes of a file, refusing larger ones without reading them whole.
pub(crate) fn read_limited(
    what: &'static str,
    path: &Path,
    limit: u64,
) -> Result<Vec<u8>, VerifyCmdError> {
    let read_err = |source| VerifyCmdError::Read {
        what,
        path: path.to_owned(),
        source,
    };
    let f = File::open(path).map_err(read_err)?;
    let mut out = Vec::new();
    f.take(limit + 1).read_to_end(&mut out).map_err(read_err)?;
    if out.len() as u64 > limit {
        return Err(VerifyCmdError::TooLarge {
            what,
            path: path.to_owned(),
            limit,
        });
    }
    Ok(out)
}

/// Verify and return the claims JSON.
pub(crate) fn verify_files(
    issuer: &Path,
    request: &Path,
    presentation: &Path,
    now: u64,
) -> Result<serde_json::Value, VerifyCmdError> {
    let malformed = |what, path: &Path, reason: String| VerifyCmdError::Malformed {
        what,
        path: path.to_owned(),
        reason,
    };
    let issuer_bytes = read_limited("issuer", issuer, MAX_BUNDLE_BYTES)?;
    let request_bytes = read_limited("request", request, MAX_REQUEST_BYTES as u64)?;
    let presentation_bytes =
        read_limited("presentation", presentation, MAX_PRESENTATION_BYTES as u64)?;
    let bundle =
        IssuerBundle::from_json(&issuer_bytes).map_err(|r| malformed("issuer", issuer, r))?;
    let verifier = bundle
        .verifier()
        .map_err(|r| malformed("issuer", issuer, r))?;
    let request = PresentationRequest::from_json(&request_bytes)
        .map_err(|e| malformed("request", request, e.to_string()))?;
    let parsed = ParsedPresentation::from_json(&presentation_bytes)
        .map_err(|e| malformed("presentation", presentation, e.to_string()))?;
    match verifier.verify(&request, &parsed, now) {
        Ok(v) => {
            // The core's claims, plus what the request made the presentation prove about
            // hidden attributes (verified with it).
            let mut claims = v.to_json();
            if let Some(creds) = claims
                .get_mut("credentials")
                .and_then(serde_json::Value::as_array_mut)
            {
                for (c, q) in creds.iter_mut().zip(request.credentials()) {
                    if !q.predicates().is_empty() {
                        c["predicates"] =
                            serde_json::to_value(q.predicates()).unwrap_or(serde_json::Value::Null);
                    }
                    if let Some(nr) = q.non_revoked() {
                        c["non_revoked"] =
                            serde_json::to_value(nr).unwrap_or(serde_json::Value::Null);
                    }
                }
            }
            Ok(claims)
        }
        Err(VerifyError::RequestExpired) => Err(VerifyCmdError::Expired { now }),
        Err(VerifyError::Malformed(e)) => {
            Err(malformed("presentation", presentation, e.to_string()))
        }
        Err(_) => Err(VerifyCmdError::Invalid),
    }
}
