//! TLS and configuration of the service commands, as separate processes (issue 12 § TLS,
//! § Configuration): an authority serving HTTPS from a `--config` file, a client with the right
//! CA, a wrong CA and no CA; plain HTTP refused to a non-loopback URL, refused to loopback
//! without `--allow-http` and accepted with it; a server refusing plain HTTP on a non-loopback
//! address; a configuration file with an unknown key refused.
#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions unwrap fixtures too.

use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "support/pki.rs"]
mod pki;
#[path = "support/process.rs"]
mod process;

use process::{s, spawn};

const PASSPHRASE: &str = "authority passphrase for tls tests";
const ADMIN: &str = "admin-token-for-tls-tests-0123456789";

fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_netnym"));
    for v in [
        "NETNYM_CA",
        "NETNYM_AUTHORITY_PASSPHRASE",
        "NETNYM_AUTHORITY_PASSPHRASE_FILE",
        "NETNYM_AUTHORITY_CONFIG",
        "NETNYM_AUTHORITY_TLS_CERT",
        "NETNYM_AUTHORITY_TLS_KEY",
        "NETNYM_AUTHORITY_LISTEN",
        "NETNYM_ADMIN_TOKEN_FILE",
    ] {
        c.env_remove(v);
    }
    c.env("NETNYM_ADMIN_TOKEN", ADMIN).stdin(Stdio::null());
    c
}

fn run(args: &[&str]) -> Output {
    cmd().args(args).output().unwrap()
}

/// The one stderr line of a failed command, and its exit code.
fn failure(o: &Output) -> (Option<i32>, String) {
    let e = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(e.lines().count(), 1, "{e}");
    (o.status.code(), e.trim().to_owned())
}

/// An initialised authority data directory under `dir`, with three citizens.
fn init_authority(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("authority");
    let o = cmd()
        .env("NETNYM_AUTHORITY_PASSPHRASE", PASSPHRASE)
        .args([
            "authority",
            "init",
            "--data-dir",
            s(&data),
            "--domain",
            "8",
            "--insecure-fast-kdf",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&[
        "authority",
        "import",
        "--data-dir",
        s(&data),
        "--synthetic",
        "3",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    data
}

fn revoke(url: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "authority",
        "revoke",
        "--authority",
        url,
        "--revocation-id",
        "1",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn https_with_a_private_ca_from_a_config_file_and_a_wrong_ca_refused() {
    let d = tempfile::tempdir().unwrap();
    init_authority(d.path());
    let good = pki::make(&d.path().join("tls"), "good");
    let wrong = pki::make(&d.path().join("tls"), "wrong");
    // Secrets as files (a trailing newline is ignored); paths relative to the file.
    std::fs::write(d.path().join("passphrase"), format!("{PASSPHRASE}\n")).unwrap();
    std::fs::write(d.path().join("admin-token"), format!("{ADMIN}\n")).unwrap();
    let config = d.path().join("authority.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"authority\"\nlisten = \"127.0.0.1:9\"\ntls_cert = {:?}\ntls_key = {:?}\n\
             passphrase_file = \"passphrase\"\nadmin_token_file = \"admin-token\"\nlog_format = \"json\"\n",
            s(&good.cert),
            s(&good.key)
        ),
    )
    .unwrap();
    // The environment overrides the file's listen address (port 9 would need root).
    let mut c = cmd();
    c.env("NETNYM_AUTHORITY_LISTEN", "127.0.0.1:0").args([
        "authority",
        "serve",
        "--config",
        s(&config),
    ]);
    let authority = spawn(c);
    let url = authority.1.clone();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");

    // The right CA: the request succeeds.
    let o = revoke(&url, &["--ca", s(&good.ca)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("epoch 1: revoked [1]"));
    // The same CA through NETNYM_CA.
    let o = cmd()
        .env("NETNYM_CA", &good.ca)
        .args([
            "authority",
            "revoke",
            "--authority",
            &url,
            "--revocation-id",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // A wrong CA, and no CA (the Mozilla roots), are refused with the reason.
    let refused = format!(
        "netnym: cannot reach {url}/v1/revoke: the server's TLS certificate is not trusted \
         (invalid peer certificate: UnknownIssuer); pass --ca with the CA certificate that issued it"
    );
    for extra in [&["--ca", s(&wrong.ca)][..], &[][..]] {
        assert_eq!(
            failure(&revoke(&url, extra)),
            (Some(1), refused.clone()),
            "{extra:?}"
        );
    }
    // A CA file that is not PEM is unusable input.
    let (code, e) = failure(&revoke(&url, &["--ca", s(&config)]));
    assert_eq!(code, Some(2));
    assert!(
        e.starts_with(&format!(
            "netnym: --ca: CA file {}: no PEM certificate",
            s(&config)
        )),
        "{e}"
    );
}

#[test]
fn plain_http_is_refused_unless_loopback_and_allowed() {
    // Not loopback: refused before any connection, with or without the flag.
    for extra in [&["--allow-http"][..], &[][..]] {
        assert_eq!(
            failure(&revoke("http://192.0.2.1:8080", extra)),
            (
                Some(2),
                "netnym: refusing plain HTTP to http://192.0.2.1:8080: not a loopback address \
                 (plain HTTP is allowed only to 127.0.0.0/8, ::1 or localhost, with --allow-http); use https://"
                    .to_owned()
            )
        );
    }
    // Loopback without the flag: refused, naming the flag.
    let d = tempfile::tempdir().unwrap();
    let data = init_authority(d.path());
    let mut c = cmd();
    c.env("NETNYM_AUTHORITY_PASSPHRASE", PASSPHRASE).args([
        "authority",
        "serve",
        "--data-dir",
        s(&data),
        "--listen",
        "127.0.0.1:0",
    ]);
    let authority = spawn(c);
    let url = authority.1.clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(
        failure(&revoke(&url, &[])),
        (
            Some(2),
            format!(
                "netnym: refusing plain HTTP to {url}: use https://, or pass --allow-http to allow \
                 plain HTTP to this loopback address"
            )
        )
    );
    // Loopback with the flag: the request succeeds.
    let o = revoke(&url, &["--allow-http"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_server_refuses_plain_http_off_loopback_and_half_a_tls_config() {
    let d = tempfile::tempdir().unwrap();
    let (code, e) = failure(&run(&[
        "authority",
        "serve",
        "--data-dir",
        s(d.path()),
        "--listen",
        "0.0.0.0:0",
    ]));
    assert_eq!(code, Some(2));
    assert_eq!(
        e,
        "netnym: refusing to serve plain HTTP on 0.0.0.0:0, which is not a loopback address: \
         give --tls-cert and --tls-key, or --allow-http to serve plain HTTP behind a proxy that \
         terminates TLS"
    );
    let (code, e) = failure(&run(&[
        "verifier",
        "serve",
        "--policy",
        "p.json",
        "--issuer",
        "i.json",
        "--tls-cert",
        "cert.pem",
    ]));
    assert_eq!(code, Some(2));
    assert_eq!(
        e,
        "netnym: a TLS certificate without a key: give --tls-key (or NETNYM_VERIFIER_TLS_KEY, or `tls_key`)"
    );
}

#[test]
fn a_config_file_with_an_unknown_key_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let config = d.path().join("verifier.toml");
    std::fs::write(
        &config,
        "policy = \"p.json\"\nlisten_addr = \"127.0.0.1:1\"\n",
    )
    .unwrap();
    let (code, e) = failure(&run(&["verifier", "serve", "--config", s(&config)]));
    assert_eq!(code, Some(2));
    assert!(
        e.starts_with(&format!(
            "netnym: configuration file {}: TOML parse error at line 2, column 1",
            s(&config)
        )) && e.contains("unknown field `listen_addr`, expected one of"),
        "{e}"
    );
}
