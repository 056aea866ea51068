//! The authority operator's commands on its database: `authority citizens|codes|keys`,
//! `backup` and `restore` (crates/netnym-cli/README.md § Operating the authority).
//!
//! They work on the database directly (the authority service need not run). Key rotation and
//! retirement take effect at the service's next start; each rewrites the public data
//! (`issuer.json`) with the keys the authority now publishes.

use std::path::{Path, PathBuf};

use netnym_server::{published_issuer_keys, retire_issuer_key, AuthorityKeys};
use netnym_store::{current_issuer_key, Store, SQLITE_FILE_NAME};
use netnym_wallet::utc;
use rand::{CryptoRng, RngCore};
use serde_json::json;

use crate::authority_cmd::{
    open_store, passphrase, public_bundle_path, runtime, write_file, ServiceCmdError,
};
use crate::bundle::IssuerBundle;
use crate::cli::{
    AuthorityBackupArgs, AuthorityOperatorCommand, AuthorityRestoreArgs, CitizensCommand,
    CodesCommand, KeysCommand, StoreArgs,
};
use crate::clock::now;

fn store_err(e: impl std::fmt::Display) -> ServiceCmdError {
    ServiceCmdError::Store(e.to_string())
}

fn print_json(v: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// `authority citizens list|show`.
fn citizens(cmd: CitizensCommand) -> Result<(), ServiceCmdError> {
    let rt = runtime()?;
    match cmd {
        CitizensCommand::List(a) => {
            let store = rt.block_on(open_store(&a.store))?;
            let page = rt
                .block_on(store.citizen_summaries(a.offset, a.limit))
                .map_err(store_err)?;
            let total = rt.block_on(store.citizen_count()).map_err(store_err)?;
            if a.format.json {
                let rows: Vec<_> = page
                    .iter()
                    .map(|c| {
                        json!({"citizen_id": c.citizen_id, "revocation_id": c.revocation_id,
                               "registered_at": c.created_at, "credentials": c.credentials,
                               "revoked": c.revoked})
                    })
                    .collect();
                print_json(&json!({"total": total, "offset": a.offset, "citizens": rows}));
                return Ok(());
            }
            println!(
                "{:<24} {:>13} {:>11} {:<8} REGISTERED",
                "CITIZEN", "REVOCATION ID", "CREDENTIALS", "STATE"
            );
            for c in &page {
                println!(
                    "{:<24} {:>13} {:>11} {:<8} {}",
                    c.citizen_id,
                    c.revocation_id,
                    c.credentials,
                    if c.revoked { "revoked" } else { "valid" },
                    utc(c.created_at)
                );
            }
            println!(
                "{} of {total} citizens (from {})",
                page.len(),
                a.offset.saturating_add(1).min(total)
            );
            Ok(())
        }
        CitizensCommand::Show(a) => {
            let store = rt.block_on(open_store(&a.store))?;
            let citizen = rt
                .block_on(store.citizen(&a.citizen))
                .map_err(store_err)?
                .ok_or_else(|| ServiceCmdError::UnknownCitizen(a.citizen.clone()))?;
            let revoked = rt
                .block_on(store.is_revoked(citizen.revocation_id))
                .map_err(store_err)?;
            let issued = rt
                .block_on(store.issued_credentials(&citizen.citizen_id))
                .map_err(store_err)?;
            let codes = rt
                .block_on(store.enrollment_codes(Some(&citizen.citizen_id), now(), 1000))
                .map_err(store_err)?;
            if a.format.json {
                print_json(&json!({
                    "citizen_id": citizen.citizen_id,
                    "revocation_id": citizen.revocation_id,
                    "registered_at": citizen.created_at,
                    "revoked": revoked,
                    "attributes": citizen.attributes,
                    "credentials": issued.iter().map(|c| json!({"issued_at": c.issued_at, "issuer_key_id": c.key_id})).collect::<Vec<_>>(),
                    "codes": codes.iter().map(code_json).collect::<Vec<_>>(),
                }));
                return Ok(());
            }
            println!("citizen        {}", citizen.citizen_id);
            println!("revocation id  {}", citizen.revocation_id);
            println!(
                "state          {}",
                if revoked { "revoked" } else { "valid" }
            );
            println!("registered     {}", utc(citizen.created_at));
            if let Some(obj) = citizen.attributes.as_object() {
                for (k, v) in obj {
                    let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    println!("  {k:<22} {v}");
                }
            }
            println!("credentials    {}", issued.len());
            for c in &issued {
                println!("  issued {} with issuer key {}", utc(c.issued_at), c.key_id);
            }
            println!("codes          {}", codes.len());
            for c in &codes {
                print_code(c);
            }
            Ok(())
        }
    }
}

fn code_json(c: &netnym_store::CodeListing) -> serde_json::Value {
    json!({"code_id": c.code_id, "citizen_id": c.citizen_id, "created_at": c.created_at,
           "expires_at": c.expires_at, "status": c.status.as_str(), "closed_at": c.closed_at})
}

fn print_code(c: &netnym_store::CodeListing) {
    let closed = c
        .closed_at
        .map(|t| format!(" at {}", utc(t)))
        .unwrap_or_default();
    println!(
        "  {}  {:<24} {}{closed}  (created {}, expires {})",
        c.code_id,
        c.citizen_id,
        c.status.as_str(),
        utc(c.created_at),
        utc(c.expires_at)
    );
}

/// `authority codes list|invalidate`.
fn codes(cmd: CodesCommand) -> Result<(), ServiceCmdError> {
    let rt = runtime()?;
    match cmd {
        CodesCommand::List(a) => {
            let store = rt.block_on(open_store(&a.store))?;
            let codes = rt
                .block_on(store.enrollment_codes(a.citizen.as_deref(), now(), a.limit))
                .map_err(store_err)?;
            if a.format.json {
                print_json(&json!({"codes": codes.iter().map(code_json).collect::<Vec<_>>()}));
                return Ok(());
            }
            for c in &codes {
                print_code(c);
            }
            println!(
                "{} code{}",
                codes.len(),
                if codes.len() == 1 { "" } else { "s" }
            );
            Ok(())
        }
        CodesCommand::Invalidate(a) => {
            let store = rt.block_on(open_store(&a.store))?;
            match (&a.code_id, &a.citizen) {
                (Some(id), _) => {
                    let c = rt.block_on(store.invalidate_enrollment_code(id, now()))?;
                    println!("invalidated code {} of {}", c.code_id, c.citizen_id);
                }
                (None, Some(citizen)) => {
                    if rt
                        .block_on(store.citizen(citizen))
                        .map_err(store_err)?
                        .is_none()
                    {
                        return Err(ServiceCmdError::UnknownCitizen(citizen.clone()));
                    }
                    let n = rt
                        .block_on(store.invalidate_citizen_codes(citizen, now()))
                        .map_err(store_err)?;
                    println!("invalidated {n} open codes of {citizen}");
                }
                (None, None) => unreachable!("clap requires --code-id or --citizen"),
            }
            Ok(())
        }
    }
}

/// Rewrite the public data with the issuer keys the authority publishes now.
async fn republish(
    store: &Store,
    a: &StoreArgs,
    public_dir: Option<&PathBuf>,
) -> Result<PathBuf, ServiceCmdError> {
    let keys = published_issuer_keys(store).await?;
    let path = public_bundle_path(a, public_dir);
    let existing = if path.exists() {
        crate::authority_cmd::load_bundle(&path)?
    } else {
        IssuerBundle::default()
    };
    let bundle = IssuerBundle { keys, ..existing };
    write_file(&path, &bundle.to_json())?;
    Ok(path)
}

/// `authority citizens|codes|keys|backup|restore`.
pub(crate) fn run(
    rng: &mut (impl RngCore + CryptoRng),
    cmd: AuthorityOperatorCommand,
) -> Result<(), ServiceCmdError> {
    match cmd {
        AuthorityOperatorCommand::Citizens(c) => citizens(c),
        AuthorityOperatorCommand::Codes(c) => codes(c),
        AuthorityOperatorCommand::Keys(c) => keys(rng, c),
        AuthorityOperatorCommand::Backup(a) => backup(&a),
        AuthorityOperatorCommand::Restore(a) => restore(&a),
    }
}

/// `authority keys list|rotate|retire`.
fn keys(rng: &mut (impl RngCore + CryptoRng), cmd: KeysCommand) -> Result<(), ServiceCmdError> {
    let rt = runtime()?;
    match cmd {
        KeysCommand::List(a) => {
            let store = rt.block_on(open_store(&a.store))?;
            let records = rt.block_on(store.issuer_keys()).map_err(store_err)?;
            let current = current_issuer_key(&records).map(|r| r.key_id.clone());
            let state = |r: &netnym_store::IssuerKeyRecord| match (&r.retired_at, &current) {
                (Some(_), _) => "retired",
                (None, Some(c)) if *c == r.key_id => "current",
                (None, _) => "accepted",
            };
            if a.format.json {
                let rows: Vec<_> = records
                    .iter()
                    .map(|r| {
                        json!({"key_id": r.key_id, "position": r.position, "state": state(r),
                                    "created_at": r.created_at, "retired_at": r.retired_at})
                    })
                    .collect();
                print_json(&json!({"issuer_keys": rows}));
                return Ok(());
            }
            if records.is_empty() {
                println!(
                    "no issuer key recorded: run `authority init` (or start the service once)"
                );
            }
            for r in &records {
                let retired = r
                    .retired_at
                    .map(|t| format!(", retired {}", utc(t)))
                    .unwrap_or_default();
                println!(
                    "{} {:<8} (made {}{retired})",
                    r.key_id,
                    state(r),
                    utc(r.created_at)
                );
            }
            Ok(())
        }
        KeysCommand::Rotate(a) => {
            let pass = passphrase()?;
            let store = rt.block_on(open_store(&a.store))?;
            let pk = rt.block_on(AuthorityKeys::rotate(&store, rng, pass.as_bytes(), now()))?;
            drop(pass);
            let path = rt.block_on(republish(&store, &a.store, a.public_dir.as_ref()))?;
            println!(
                "new issuer key {} (current from the authority service's next start); public data in {}",
                pk.key_id(),
                path.display()
            );
            Ok(())
        }
        KeysCommand::Retire(a) => {
            let store = rt.block_on(open_store(&a.store))?;
            let r = rt.block_on(retire_issuer_key(&store, &a.key_id, now()))?;
            let path = rt.block_on(republish(&store, &a.store, a.public_dir.as_ref()))?;
            println!(
                "retired issuer key {} (from the authority service's next start); public data in {}",
                r.key_id,
                path.display()
            );
            Ok(())
        }
    }
}

/// `authority backup`.
fn backup(a: &AuthorityBackupArgs) -> Result<(), ServiceCmdError> {
    if let Some(url) = &a.database {
        return Err(ServiceCmdError::PostgresBackup(url.clone()));
    }
    let store_args = StoreArgs {
        data_dir: a.data_dir.clone(),
        database: None,
        database_schema: None,
        db_pool_size: None,
    };
    let rt = runtime()?;
    let store = rt.block_on(open_store(&store_args))?;
    rt.block_on(store.backup_to(&a.out))?;
    rt.block_on(store.close());
    println!("backed up to {}", a.out.display());
    Ok(())
}

/// `authority restore`: check the backup in a copy next to its destination, then move it in.
fn restore(a: &AuthorityRestoreArgs) -> Result<(), ServiceCmdError> {
    let db = a.data_dir.join(SQLITE_FILE_NAME);
    if db.exists() {
        return Err(ServiceCmdError::RestoreTarget(db));
    }
    let created_dir = !a.data_dir.exists();
    crate::authority_cmd::create_private_dir(&a.data_dir)?;
    let partial = a.data_dir.join(format!("{SQLITE_FILE_NAME}.restoring"));
    let result = restore_into(a, &partial, &db);
    if result.is_err() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
        }
        if created_dir {
            let _ = std::fs::remove_dir(&a.data_dir);
        }
    }
    result
}

fn restore_into(
    a: &AuthorityRestoreArgs,
    partial: &Path,
    db: &Path,
) -> Result<(), ServiceCmdError> {
    let copy_err = |source| ServiceCmdError::Write {
        path: partial.to_owned(),
        source,
    };
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let mut out = open.open(partial).map_err(copy_err)?;
    let mut input = std::fs::File::open(&a.from).map_err(|source| ServiceCmdError::Read {
        path: a.from.clone(),
        source,
    })?;
    std::io::copy(&mut input, &mut out).map_err(copy_err)?;
    out.sync_all().map_err(copy_err)?;
    drop(out);
    let rt = runtime()?;
    let store = rt
        .block_on(Store::open_sqlite(
            partial,
            &netnym_store::StoreOptions::default(),
        ))
        .map_err(|e| ServiceCmdError::BadBackup {
            path: a.from.clone(),
            reason: e.to_string(),
        })?;
    let problems = rt.block_on(store.integrity_problems()).map_err(store_err)?;
    let citizens = rt.block_on(store.citizen_count()).map_err(store_err)?;
    rt.block_on(store.close());
    if !problems.is_empty() {
        return Err(ServiceCmdError::BadBackup {
            path: a.from.clone(),
            reason: format!("integrity check: {}", problems.join("; ")),
        });
    }
    std::fs::rename(partial, db).map_err(|source| ServiceCmdError::Write {
        path: db.to_owned(),
        source,
    })?;
    println!(
        "restored {} into {} ({citizens} citizens)",
        a.from.display(),
        db.display()
    );
    Ok(())
}
