//! Test PKIs: a private CA and a server certificate for `localhost` / `127.0.0.1` / `::1`,
//! written as PEM files (rcgen, ring).

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// The PEM files of one test PKI.
pub(crate) struct Pki {
    pub(crate) ca: PathBuf,
    pub(crate) cert: PathBuf,
    pub(crate) key: PathBuf,
}

/// A CA named `name` and a server certificate it signs, written to `dir/<name>-*.pem`.
pub(crate) fn make(dir: &Path, name: &str) -> Pki {
    std::fs::create_dir_all(dir).unwrap();
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::default();
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, format!("{name} test CA"));
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])
    .unwrap();
    let cert = server.signed_by(&key, &ca_cert, &ca_key).unwrap();
    let pki = Pki {
        ca: dir.join(format!("{name}-ca.pem")),
        cert: dir.join(format!("{name}-server.pem")),
        key: dir.join(format!("{name}-server-key.pem")),
    };
    std::fs::write(&pki.ca, ca_cert.pem()).unwrap();
    std::fs::write(&pki.cert, cert.pem()).unwrap();
    std::fs::write(&pki.key, key.serialize_pem()).unwrap();
    pki
}

/// The test PKI of this test process, made once under a directory that lives as long as the
/// process.
pub(crate) fn shared(name: &str) -> &'static Pki {
    static PKI: std::sync::OnceLock<(tempfile::TempDir, Pki)> = std::sync::OnceLock::new();
    &PKI.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        let p = make(d.path(), name);
        (d, p)
    })
    .1
}

impl Pki {
    /// Give both services this certificate and key (`NETNYM_AUTHORITY_TLS_CERT`, ...) and the
    /// clients this CA (`NETNYM_CA`), through `c`'s environment.
    pub(crate) fn apply(&self, c: &mut std::process::Command) {
        for service in ["AUTHORITY", "VERIFIER"] {
            c.env(format!("NETNYM_{service}_TLS_CERT"), &self.cert)
                .env(format!("NETNYM_{service}_TLS_KEY"), &self.key);
        }
        c.env("NETNYM_CA", &self.ca);
    }
}
