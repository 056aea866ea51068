//! The TLS certificates of one `netnym demo` run: a private CA made for the run and one server
//! certificate it signs for the loopback services (`localhost`, `127.0.0.1`, `::1`), with
//! rcgen (ring, ECDSA P-256).
//!
//! The CA's private key never leaves memory and is dropped when the certificates are made, so
//! nothing can be signed with it after the run; the CA certificate (`ca.pem`), the server's
//! certificate (`server.pem`) and its key (`server-key.pem`, mode 0600) are written to the
//! run's directory. Both certificates are valid from yesterday to the day after tomorrow.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use thiserror::Error;
use zeroize::Zeroizing;

/// The certificates could not be made or written.
#[derive(Debug, Error)]
pub(crate) enum PkiError {
    #[error("cannot make the demo certificates: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The files of the run's PKI.
#[derive(Debug)]
pub(crate) struct DemoPki {
    /// The CA certificate, for the clients' `--ca`.
    pub(crate) ca: PathBuf,
    /// The server's certificate (PEM).
    pub(crate) cert: PathBuf,
    /// The server's private key (PEM, mode 0600).
    pub(crate) key: PathBuf,
}

/// Valid from the day before `now` (Unix seconds, UTC) to two days after.
fn validity(p: &mut CertificateParams, now: u64) {
    let date = |unix: u64| {
        let (y, m, d) = netnym::Date::from_unix(unix).map_or((1970, 1, 1), netnym::Date::ymd);
        rcgen::date_time_ymd(
            i32::try_from(y).unwrap_or(1970),
            u8::try_from(m).unwrap_or(1),
            u8::try_from(d).unwrap_or(1),
        )
    };
    p.not_before = date(now.saturating_sub(86_400));
    p.not_after = date(now + 2 * 86_400);
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}

fn write(dir: &Path, file: &str, text: &str, private: bool) -> Result<PathBuf, PkiError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let path = dir.join(file);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(if private { 0o600 } else { 0o644 })
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|source| PkiError::Write {
            path: path.clone(),
            source,
        })?;
    Ok(path)
}

/// Make the CA and the server certificate at `now` (Unix seconds) and write them to `dir`.
pub(crate) fn generate(dir: &Path, now: u64) -> Result<DemoPki, PkiError> {
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::default();
    ca.distinguished_name = name("NetNym demo CA (one run only)");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut ca, now);
    let ca_cert = ca.self_signed(&ca_key)?;

    let server_key = KeyPair::generate()?;
    let mut server = CertificateParams::new(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])?;
    server.distinguished_name = name("NetNym demo services (localhost)");
    server.is_ca = IsCa::ExplicitNoCa;
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    validity(&mut server, now);
    let server_cert = server.signed_by(&server_key, &ca_cert, &ca_key)?;
    drop(ca_key);

    let key_pem = Zeroizing::new(server_key.serialize_pem());
    Ok(DemoPki {
        ca: write(dir, "ca.pem", &ca_cert.pem(), false)?,
        cert: write(dir, "server.pem", &server_cert.pem(), false)?,
        key: write(dir, "server-key.pem", &key_pem, true)?,
    })
}
