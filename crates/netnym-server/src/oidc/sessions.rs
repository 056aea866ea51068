//! Pending authorizations and authorization codes, in this process's memory (spec/13-oidc.md
//! § State, OIDC-040): bounded, expiring, purged as new entries come in.
//!
//! An authorization has two handles: the browser's session handle (the page, its status and
//! its continuation) and the wallet's request handle (`request_uri`, `direct_post` `state`).
//! The QR code shows only the request handle, so whoever sees it cannot continue the browser's
//! session. Codes are kept by their SHA-256, and taken out at their first use.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use netnym::PresentationRequest;

use super::messages::Lang;

/// Most pending authorizations held at once.
pub(crate) const MAX_PENDING: usize = 10_000;
/// Most unredeemed codes held at once.
pub(crate) const MAX_CODES: usize = 10_000;
/// Lifetime of an authorization code, in seconds (OIDC-032).
pub(crate) const CODE_TTL: u64 = 60;

/// What the relying party asked for at `/authorize`.
#[derive(Debug, Clone)]
pub(crate) struct AuthRequest {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) state: String,
    pub(crate) nonce: String,
    pub(crate) code_challenge: String,
    pub(crate) lang: Lang,
}

/// A verified sign-in: the pseudonym and the result claims.
#[derive(Debug, Clone)]
pub(crate) struct Login {
    pub(crate) sub: String,
    pub(crate) claims: serde_json::Map<String, serde_json::Value>,
    pub(crate) auth_time: u64,
}

/// Where an authorization stands.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// Waiting for the wallet.
    Waiting,
    /// The wallet's presentation verified.
    SignedIn(Login),
    /// The wallet declined.
    Declined,
}

/// One pending authorization.
#[derive(Debug, Clone)]
pub(crate) struct Authorization {
    pub(crate) auth: AuthRequest,
    pub(crate) request: PresentationRequest,
    pub(crate) request_handle: String,
    pub(crate) outcome: Outcome,
}

impl Authorization {
    fn expired(&self, now: u64) -> bool {
        now > self.request.expires_at()
    }
}

/// A code's grant.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) auth: AuthRequest,
    pub(crate) login: Login,
    pub(crate) expires_at: u64,
}

/// The status the browser polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Waiting,
    Done,
    Expired,
}

/// The tables are full (after purging the expired entries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

/// Why a code was not redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeError {
    /// Never issued, or already used.
    Unknown,
    /// Past its lifetime.
    Expired,
}

#[derive(Default)]
struct Tables {
    /// By session handle.
    pending: HashMap<String, Authorization>,
    /// Request handle → session handle.
    by_request: HashMap<String, String>,
    /// SHA-256 of the code → grant.
    codes: HashMap<[u8; 32], Grant>,
}

impl Tables {
    fn purge(&mut self, now: u64) {
        let by_request = &mut self.by_request;
        self.pending.retain(|_, a| {
            let keep = !a.expired(now);
            if !keep {
                by_request.remove(&a.request_handle);
            }
            keep
        });
        self.codes.retain(|_, g| now <= g.expires_at);
    }
}

fn code_key(code: &str) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(code.as_bytes()).into()
}

/// The in-memory state of one facade.
pub(crate) struct Sessions {
    tables: Mutex<Tables>,
}

impl Sessions {
    pub(crate) fn new() -> Self {
        Self {
            tables: Mutex::new(Tables::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hold a new authorization under `session_handle`.
    ///
    /// # Errors
    /// [`Full`] when [`MAX_PENDING`] unexpired authorizations are held.
    pub(crate) fn insert(
        &self,
        now: u64,
        session_handle: String,
        authorization: Authorization,
    ) -> Result<(), Full> {
        let mut t = self.lock();
        if t.pending.len() >= MAX_PENDING {
            t.purge(now);
            if t.pending.len() >= MAX_PENDING {
                return Err(Full);
            }
        }
        t.by_request
            .insert(authorization.request_handle.clone(), session_handle.clone());
        t.pending.insert(session_handle, authorization);
        Ok(())
    }

    /// A copy of the authorization of a browser session.
    pub(crate) fn by_session(&self, session_handle: &str) -> Option<Authorization> {
        self.lock().pending.get(session_handle).cloned()
    }

    /// A copy of the authorization of a wallet request handle.
    pub(crate) fn by_request(&self, request_handle: &str) -> Option<Authorization> {
        let t = self.lock();
        let sid = t.by_request.get(request_handle)?;
        t.pending.get(sid).cloned()
    }

    /// The status of a browser session.
    pub(crate) fn status(&self, session_handle: &str, now: u64) -> Option<Status> {
        let t = self.lock();
        let a = t.pending.get(session_handle)?;
        Some(match a.outcome {
            Outcome::Waiting if a.expired(now) => Status::Expired,
            Outcome::Waiting => Status::Waiting,
            Outcome::SignedIn(_) | Outcome::Declined => Status::Done,
        })
    }

    /// Record the wallet's answer for a waiting authorization; false when there is none
    /// (unknown, answered, or gone).
    pub(crate) fn answer(&self, request_handle: &str, outcome: Outcome) -> bool {
        let mut t = self.lock();
        let Some(sid) = t.by_request.get(request_handle).cloned() else {
            return false;
        };
        match t.pending.get_mut(&sid) {
            Some(a) if matches!(a.outcome, Outcome::Waiting) => {
                a.outcome = outcome;
                true
            }
            _ => false,
        }
    }

    /// Take a browser session out once the wallet has answered or the request expired
    /// (OIDC-023); a waiting session stays.
    pub(crate) fn take_finished(&self, session_handle: &str, now: u64) -> Option<Authorization> {
        let mut t = self.lock();
        let a = t.pending.get(session_handle)?;
        if matches!(a.outcome, Outcome::Waiting) && !a.expired(now) {
            return None;
        }
        let a = t.pending.remove(session_handle)?;
        t.by_request.remove(&a.request_handle);
        Some(a)
    }

    /// Hold a grant under `code` until `now + CODE_TTL`.
    ///
    /// # Errors
    /// [`Full`] when [`MAX_CODES`] unexpired codes are held.
    pub(crate) fn insert_code(
        &self,
        now: u64,
        code: &str,
        auth: AuthRequest,
        login: Login,
    ) -> Result<(), Full> {
        let mut t = self.lock();
        if t.codes.len() >= MAX_CODES {
            t.purge(now);
            if t.codes.len() >= MAX_CODES {
                return Err(Full);
            }
        }
        t.codes.insert(
            code_key(code),
            Grant {
                auth,
                login,
                expires_at: now.saturating_add(CODE_TTL),
            },
        );
        Ok(())
    }

    /// Take a code's grant out: a code is usable once, whatever the outcome of the token
    /// request that presents it (OIDC-032).
    ///
    /// # Errors
    /// [`CodeError`].
    pub(crate) fn take_code(&self, code: &str, now: u64) -> Result<Grant, CodeError> {
        let g = self
            .lock()
            .codes
            .remove(&code_key(code))
            .ok_or(CodeError::Unknown)?;
        if now > g.expires_at {
            return Err(CodeError::Expired);
        }
        Ok(g)
    }
}
