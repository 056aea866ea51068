//! `netnym wallet ...`: the holder's commands.
//!
//! The password comes from the environment variable `NETNYM_WALLET_PASSWORD` when set (scripts
//! and tests), else from a hidden prompt on the terminal. A recovery phrase for `--restore`
//! comes from `NETNYM_RECOVERY_PHRASE` or the prompt.
//!
//! `wallet present` opens the wallet, presents once and exits: it proves from the checked
//! credentials loaded from the authenticated wallet file (`Wallet::present`), so no pairing check
//! of the signature runs, and it does not prepare tables it would use only once.
//! Its request comes from a platform's JSON API (`--verifier`), a file (`--request`), or a
//! sign-in page's QR code or wallet link (`--uri`, [`crate::openid4vp`]: the signed request
//! object by reference, the answer posted back to the verifier).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use netnym_wallet::{
    utc, AddPublicError, CreateError, KdfParams, OpenError, Password, PhraseError, RecoveryPhrase,
    SaveError, Wallet, WalletPresentError,
};
use rand::{CryptoRng, RngCore};
use thiserror::Error;

use crate::cli::{WalletCommand, WalletEnrollArgs, WalletInitArgs, WalletPresentArgs};
use crate::clock::now;
use crate::http::{self, Client, ExchangeError, HttpError};
use crate::openid4vp::{self, OpenId4VpError};
use crate::transport::ClientTls;
use crate::verify::read_limited;

/// Environment variable holding the wallet password.
pub(crate) const PASSWORD_ENV: &str = "NETNYM_WALLET_PASSWORD";
/// Environment variable holding the recovery phrase for `wallet init --restore`.
pub(crate) const PHRASE_ENV: &str = "NETNYM_RECOVERY_PHRASE";

/// Errors of `netnym wallet`.
#[derive(Debug, Error)]
pub(crate) enum WalletCmdError {
    #[error("no password: set {PASSWORD_ENV} or run in a terminal")]
    NoPassword,
    #[error("cannot read the password: {0}")]
    Prompt(std::io::Error),
    #[error("no recovery phrase: set {PHRASE_ENV} or run in a terminal")]
    NoPhrase,
    #[error("the two passwords differ")]
    PasswordMismatch,
    #[error("{0}")]
    Open(#[from] OpenError),
    #[error("{0}")]
    Create(#[from] CreateError),
    #[error("{0}")]
    Save(#[from] SaveError),
    #[error("{0}")]
    Phrase(#[from] PhraseError),
    #[error("{0}")]
    Exchange(#[from] ExchangeError),
    #[error("{0}")]
    Http(#[from] HttpError),
    #[error("{0}")]
    Present(#[from] WalletPresentError),
    #[error("{0}")]
    Public(#[from] AddPublicError),
    #[error("{0}")]
    Input(#[from] crate::verify::VerifyCmdError),
    #[error("{0}")]
    OpenId4Vp(#[from] OpenId4VpError),
    #[error("file {path} is malformed: {reason}")]
    BadRequest { path: PathBuf, reason: String },
    #[error("give --verifier URL, --request FILE or --uri URI")]
    NoRequestSource,
    #[error("not presented: confirmation declined")]
    Declined,
    #[error("not presented: stdin is not a terminal, pass --yes to present without asking")]
    NeedsConfirmation,
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl WalletCmdError {
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::NoPassword
            | Self::PasswordMismatch
            | Self::NoPhrase
            | Self::Phrase(_)
            | Self::BadRequest { .. }
            | Self::NoRequestSource
            | Self::Input(_)
            | Self::OpenId4Vp(OpenId4VpError::BadUri(_))
            | Self::NeedsConfirmation => 2,
            Self::Open(OpenError::Io { .. }) => 2,
            Self::Http(e) | Self::Exchange(ExchangeError::Http(e)) => e.exit_code(),
            _ => 1,
        }
    }
}

fn read_password(confirm: bool) -> Result<Password, WalletCmdError> {
    if let Ok(p) = std::env::var(PASSWORD_ENV) {
        return Ok(Password::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(WalletCmdError::NoPassword);
    }
    let first = rpassword::prompt_password("Wallet password: ").map_err(WalletCmdError::Prompt)?;
    let first = Password::new(first);
    if confirm {
        let second = Password::new(
            rpassword::prompt_password("Repeat the password: ").map_err(WalletCmdError::Prompt)?,
        );
        if !first.same_as(&second) {
            return Err(WalletCmdError::PasswordMismatch);
        }
    }
    Ok(first)
}

fn read_phrase() -> Result<RecoveryPhrase, WalletCmdError> {
    if let Ok(p) = std::env::var(PHRASE_ENV) {
        return Ok(RecoveryPhrase::parse(&p)?);
    }
    if !std::io::stdin().is_terminal() {
        return Err(WalletCmdError::NoPhrase);
    }
    let p = rpassword::prompt_password("Recovery phrase (24 words): ")
        .map_err(WalletCmdError::Prompt)?;
    Ok(RecoveryPhrase::parse(&p)?)
}

fn kdf(fast: bool) -> KdfParams {
    if fast {
        KdfParams::INSECURE_FAST
    } else {
        KdfParams::DEFAULT
    }
}

pub(crate) fn run(
    rng: &mut (impl RngCore + CryptoRng),
    cmd: WalletCommand,
) -> Result<(), WalletCmdError> {
    match cmd {
        WalletCommand::Init(a) => init(rng, &a),
        WalletCommand::List(a) => list(&a.wallet, a.history),
        WalletCommand::Enroll(a) => enroll(rng, &a),
        WalletCommand::Update(a) => {
            let tls =
                ClientTls::new(a.tls.ca.as_deref(), a.tls.allow_http).map_err(HttpError::from)?;
            let authority = Client::new(&a.authority, &tls)?;
            let password = read_password(false)?;
            let mut w = Wallet::open(&a.wallet, &password)?;
            let (report, latest) = http::update(&authority, &mut w)?;
            w.save(rng)?;
            println!(
                "updated {} witness(es) to epoch {latest}; revoked: {}",
                report.updated.len(),
                if report.revoked.is_empty() {
                    "none".to_owned()
                } else {
                    report.revoked.join(", ")
                }
            );
            Ok(())
        }
        WalletCommand::Present(a) => present(rng, &a),
    }
}

fn init(rng: &mut (impl RngCore + CryptoRng), a: &WalletInitArgs) -> Result<(), WalletCmdError> {
    let password = read_password(true)?;
    let now = now();
    if a.restore {
        let phrase = read_phrase()?;
        Wallet::restore(
            rng,
            &a.wallet,
            &password,
            kdf(a.insecure_fast_kdf),
            &phrase,
            now,
        )?;
        println!(
            "restored wallet {} from the recovery phrase; enroll again to get credentials",
            a.wallet.display()
        );
    } else {
        let (_, phrase) = Wallet::create(rng, &a.wallet, &password, kdf(a.insecure_fast_kdf), now)?;
        println!("created wallet {}", a.wallet.display());
        println!("Recovery phrase (write it down; it restores your pseudonyms):");
        println!("{}", phrase.expose());
    }
    Ok(())
}

fn list(path: &Path, history: bool) -> Result<(), WalletCmdError> {
    let password = read_password(false)?;
    let w = Wallet::open(path, &password)?;
    println!(
        "wallet {} (created {}), {} issuer key(s), {} credential(s)",
        path.display(),
        utc(w.created_at()),
        w.issuer_keys().count(),
        w.credentials().len()
    );
    for c in w.credentials() {
        let cred = c.credential();
        let attrs: Vec<String> = cred
            .attributes()
            .schema()
            .attributes()
            .iter()
            .filter_map(|a| {
                cred.attributes().get(a.name()).map(|v| {
                    let j = v.to_json();
                    format!(
                        "{}={}",
                        a.name(),
                        j.as_str().map_or_else(|| j.to_string(), str::to_owned)
                    )
                })
            })
            .collect();
        let rev = match c.witness() {
            None => "no revocation witness".to_owned(),
            Some(w) if w.revoked() => "REVOKED".to_owned(),
            Some(w) => format!("witness at epoch {}", w.epoch()),
        };
        println!(
            "  {} {} issuer {}… added {}; {rev}\n    {}",
            c.id(),
            cred.attributes().schema().id(),
            cred.key_id().to_string().get(..12).unwrap_or(""),
            utc(c.added_at()),
            attrs.join(" ")
        );
    }
    if history {
        println!("disclosure history ({} presentations):", w.history().len());
        for h in w.history() {
            let disclosed: Vec<String> = h
                .disclosed
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            println!(
                "  {} {}: revealed [{}] proved [{}]{}",
                utc(h.at),
                h.verifier_id,
                disclosed.join(", "),
                h.proven.join("; "),
                if h.pseudonym.is_some() {
                    " with pseudonym"
                } else {
                    ""
                }
            );
        }
    }
    Ok(())
}

/// Pin an issuer bundle's public data in the wallet.
fn pin_bundle(w: &mut Wallet, path: &Path) -> Result<(), WalletCmdError> {
    let bytes = read_limited("issuer", path, crate::bundle::MAX_BUNDLE_BYTES)?;
    let bundle = crate::bundle::IssuerBundle::from_json(&bytes).map_err(|reason| {
        WalletCmdError::BadRequest {
            path: path.to_owned(),
            reason,
        }
    })?;
    for k in &bundle.keys {
        w.add_issuer_key(&k.to_json())?;
    }
    for r in &bundle.range_params {
        w.add_range_params(&r.to_json())?;
    }
    for r in &bundle.registries {
        w.add_registry_key(&r.to_json())?;
    }
    Ok(())
}

fn enroll(
    rng: &mut (impl RngCore + CryptoRng),
    a: &WalletEnrollArgs,
) -> Result<(), WalletCmdError> {
    // The URL and the CA are checked before the password is asked for.
    let tls = ClientTls::new(a.tls.ca.as_deref(), a.tls.allow_http).map_err(HttpError::from)?;
    let authority = Client::new(&a.authority, &tls)?;
    let password = read_password(false)?;
    let mut w = Wallet::open(&a.wallet, &password)?;
    if let Some(path) = &a.issuer {
        pin_bundle(&mut w, path)?;
    }
    let e = http::enroll(rng, &authority, &mut w, &a.code, now())?;
    w.save(rng)?;
    println!(
        "enrolled: {} (revocation id {}, witness epoch {})",
        e.credential_id,
        e.revocation_id
            .map_or_else(|| "-".to_owned(), |x| x.to_string()),
        e.epoch.map_or_else(|| "-".to_owned(), |x| x.to_string())
    );
    Ok(())
}

/// Tell the verifier of a request by reference that this wallet will not present, so that the
/// browser waiting for it ends at once; failing to tell is reported, not fatal.
fn decline(fetched: Option<&openid4vp::Fetched>, tls: &ClientTls) {
    if let Some(f) = fetched {
        match openid4vp::decline(f, tls) {
            Ok(()) => eprintln!("told {} that the wallet declines", f.client_id),
            Err(e) => eprintln!("could not tell the verifier that the wallet declines: {e}"),
        }
    }
}

fn present(
    rng: &mut (impl RngCore + CryptoRng),
    a: &WalletPresentArgs,
) -> Result<(), WalletCmdError> {
    let tls = ClientTls::new(a.tls.ca.as_deref(), a.tls.allow_http).map_err(HttpError::from)?;
    let password = read_password(false)?;
    let mut w = Wallet::open(&a.wallet, &password)?;
    if let Some(path) = &a.issuer {
        pin_bundle(&mut w, path)?;
    }
    let mut by_reference = None;
    let request = match (&a.verifier, &a.request, &a.uri) {
        (Some(url), _, _) => http::fetch_request(&Client::new(url, &tls)?)?,
        (None, None, Some(uri)) => {
            let fetched = openid4vp::fetch(uri, &tls)?;
            let request = fetched.request.clone();
            by_reference = Some(fetched);
            request
        }
        (None, Some(path), _) => {
            let bytes = read_limited("request", path, netnym::MAX_REQUEST_BYTES as u64)?;
            netnym::PresentationRequest::from_json(&bytes).map_err(|e| {
                WalletCmdError::BadRequest {
                    path: path.clone(),
                    reason: e.to_string(),
                }
            })?
        }
        (None, None, None) => return Err(WalletCmdError::NoRequestSource),
    };
    if let Some(url) = &a.authority {
        let (report, latest) = http::update(&Client::new(url, &tls)?, &mut w)?;
        eprintln!(
            "witnesses updated to epoch {latest} ({} updated, {} revoked)",
            report.updated.len(),
            report.revoked.len()
        );
    }
    let now = now();
    let check = w.check_request(&request, now);
    eprintln!("{check}");
    if !check.is_satisfiable() {
        decline(by_reference.as_ref(), &tls);
        return Err(WalletPresentError::Unsatisfiable(check.problem().unwrap_or_default()).into());
    }
    if !a.yes {
        if !std::io::stdin().is_terminal() {
            return Err(WalletCmdError::NeedsConfirmation);
        }
        eprint!("Present? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(WalletCmdError::Prompt)?;
        if !matches!(line.trim(), "y" | "Y" | "yes") {
            decline(by_reference.as_ref(), &tls);
            return Err(WalletCmdError::Declined);
        }
    }
    let (presentation, _) = w.present(rng, &request, now)?;
    w.save(rng)?;
    if let Some(out) = &a.out {
        std::fs::write(out, presentation.to_json()).map_err(|source| WalletCmdError::Write {
            path: out.clone(),
            source,
        })?;
        println!("presentation written to {}", out.display());
    }
    if let Some(fetched) = &by_reference {
        openid4vp::respond(fetched, &presentation, &tls)?;
        println!(
            "presented to {} ({}); continue in the browser",
            fetched.client_id, fetched.response_uri
        );
    }
    if let Some(url) = &a.verifier {
        let login = http::submit(&Client::new(url, &tls)?, &presentation)?;
        match login.account_id {
            Some(id) => println!(
                "signed in to {} as account {id} ({}, login #{}), pseudonym {}",
                request.verifier_id(),
                if login.new_account {
                    "new account"
                } else {
                    "existing account"
                },
                login.login_count,
                login.pseudonym.as_deref().unwrap_or("-")
            ),
            None => println!("accepted by {}: {}", request.verifier_id(), login.claims),
        }
    }
    Ok(())
}
