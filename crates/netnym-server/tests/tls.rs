//! HTTPS on the services (issue 12 § TLS), in-process: a request over TLS with a private CA
//! succeeds and a client trusting another CA is refused (`UnknownIssuer`); a client stalling
//! its handshake holds up nobody; a stop answers a TLS request in flight before the server
//! ends, drains an idle TLS keep-alive connection at once and closes the listener; plain HTTP
//! is refused on an address that is not loopback unless allowed; a key that does not match its
//! certificate is refused at start; the `netnym-authority` daemon serves HTTPS with
//! `--tls-cert` / `--tls-key` and stops on SIGTERM.

#![allow(clippy::unwrap_used)]

use std::io::Write as _;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use netnym_server::*;
use netnym_store::{KdfParams, Store, StoreOptions};
use rand::SeedableRng;

struct Pki {
    ca: std::path::PathBuf,
    cert: std::path::PathBuf,
    key: std::path::PathBuf,
}

fn pki(dir: &Path, name: &str) -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::default();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, format!("{name} CA"));
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
        .unwrap()
        .signed_by(&key, &ca_cert, &ca_key)
        .unwrap();
    let p = Pki {
        ca: dir.join(format!("{name}-ca.pem")),
        cert: dir.join(format!("{name}.pem")),
        key: dir.join(format!("{name}-key.pem")),
    };
    std::fs::write(&p.ca, ca_cert.pem()).unwrap();
    std::fs::write(&p.cert, cert.pem()).unwrap();
    std::fs::write(&p.key, key.serialize_pem()).unwrap();
    p
}

fn agent(ca: &Path) -> ureq::Agent {
    let mut roots = rustls::RootCertStore::empty();
    for c in read_certificates("CA", ca).unwrap() {
        roots.add(c).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(tls_provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(20))
        .tls_config(Arc::new(config))
        .build()
}

fn authority_config(rt: &tokio::runtime::Runtime, dir: &Path) -> (Store, AuthorityConfig) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let (store, keys) = rt.block_on(async {
        let store = Store::open_sqlite(&dir.join("a.sqlite"), &StoreOptions::default())
            .await
            .unwrap();
        let keys =
            AuthorityKeys::init(&store, &mut rng, b"passphrase", 8, KdfParams::INSECURE_FAST)
                .await
                .unwrap();
        (store, keys)
    });
    let config = AuthorityConfig {
        keys,
        admin_token: AdminToken::new("admin-token-0123456789").unwrap(),
        clock: system_clock(),
    };
    (store, config)
}

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

#[test]
fn https_with_a_private_ca_and_a_wrong_ca_refused() {
    let d = tempfile::tempdir().unwrap();
    let (good, wrong) = (pki(d.path(), "good"), pki(d.path(), "wrong"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (store, config) = authority_config(&rt, d.path());
    let tls = ServerTls::from_pem_files(&good.cert, &good.key).unwrap();
    let server = rt
        .block_on(start_authority_on(
            Listen::tls(loopback(), tls),
            store,
            config,
        ))
        .unwrap();
    let url = format!("{}/v1/health", server.base_url());
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");

    // A client stalling its handshake (connected, sending nothing) holds up nobody.
    let stalled = TcpStream::connect(server.addr()).unwrap();
    let mut half = TcpStream::connect(server.addr()).unwrap();
    half.write_all(&[0x16, 0x03, 0x01]).unwrap();

    let r = agent(&good.ca).get(&url).call().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.http_version(), "HTTP/1.1");

    match agent(&wrong.ca).get(&url).call() {
        Err(ureq::Error::Transport(t)) => {
            let io = std::error::Error::source(&t)
                .and_then(|e| e.downcast_ref::<std::io::Error>())
                .unwrap();
            let tls = io
                .get_ref()
                .unwrap()
                .downcast_ref::<rustls::Error>()
                .unwrap();
            assert_eq!(
                tls,
                &rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
            );
        }
        other => panic!("{other:?}"),
    }
    // Plain HTTP to the TLS port gets no HTTP answer.
    assert!(ureq::get(&url.replace("https", "http")).call().is_err());
    drop((stalled, half));
    rt.block_on(server.shutdown()).unwrap();
}

#[test]
fn a_stop_drains_idle_tls_connections_at_once_and_closes_the_listener() {
    let d = tempfile::tempdir().unwrap();
    let good = pki(d.path(), "good");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (store, config) = authority_config(&rt, d.path());
    let tls = ServerTls::from_pem_files(&good.cert, &good.key).unwrap();
    let server = rt
        .block_on(start_authority_on(
            Listen::tls(loopback(), tls),
            store,
            config,
        ))
        .unwrap();
    let addr = server.addr();
    // A keep-alive connection left idle in the agent's pool.
    let a = agent(&good.ca);
    let url = format!("{}/v1/params", server.base_url());
    assert_eq!(a.get(&url).call().unwrap().status(), 200);
    let start = Instant::now();
    rt.block_on(server.shutdown()).unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "drain took {:?} (an idle connection held it)",
        start.elapsed()
    );
    assert_eq!(
        TcpStream::connect(addr).unwrap_err().kind(),
        std::io::ErrorKind::ConnectionRefused
    );
}

#[test]
fn a_stop_answers_a_tls_request_in_flight_first() {
    use std::io::Read as _;
    let d = tempfile::tempdir().unwrap();
    let good = pki(d.path(), "good");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (store, config) = authority_config(&rt, d.path());
    let tls = ServerTls::from_pem_files(&good.cert, &good.key).unwrap();
    let server = rt
        .block_on(start_authority_on(
            Listen::tls(loopback(), tls),
            store,
            config,
        ))
        .unwrap();
    let addr = server.addr();
    // A request whose body is half sent when the stop comes.
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(read_certificates("CA", &good.ca).unwrap().remove(0))
        .unwrap();
    let client = rustls::ClientConfig::builder_with_provider(tls_provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let conn =
        rustls::ClientConnection::new(Arc::new(client), "localhost".try_into().unwrap()).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, TcpStream::connect(addr).unwrap());
    let body = br#"{"code":"AAAA-BBBB-CCCC-DDDD"}"#;
    write!(
        tls,
        "POST /v1/enroll/offer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    tls.write_all(&body[..10]).unwrap();
    tls.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let stop = rt.spawn(server.shutdown());
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !stop.is_finished(),
        "the server ended with a request in flight"
    );
    // New connections are refused while the request drains.
    assert_eq!(
        TcpStream::connect(addr).unwrap_err().kind(),
        std::io::ErrorKind::ConnectionRefused
    );
    tls.write_all(&body[10..]).unwrap();
    tls.flush().unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 404 Not Found\r\n"), "{answer}");
    assert!(answer.contains("enrollment-code-unknown"), "{answer}");
    rt.block_on(stop).unwrap().unwrap();
}

#[test]
fn plain_http_only_on_loopback_unless_allowed() {
    let d = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let any: SocketAddr = "0.0.0.0:0".parse().unwrap();
    let (store, config) = authority_config(&rt, d.path());
    match rt.block_on(start_authority_on(Listen::plain(any), store, config)) {
        Err(StartError::PlainHttp { addr }) => assert_eq!(addr, any),
        other => panic!("{other:?}"),
    }
    let d2 = tempfile::tempdir().unwrap();
    let (store, config) = authority_config(&rt, d2.path());
    let server = rt
        .block_on(start_authority_on(
            Listen::plain(any).allow_plain_http(true),
            store,
            config,
        ))
        .unwrap();
    assert!(server.base_url().starts_with("http://0.0.0.0:"));
    rt.block_on(server.shutdown()).unwrap();
}

#[test]
fn a_key_that_does_not_match_its_certificate_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (pki(d.path(), "a"), pki(d.path(), "b"));
    match ServerTls::from_pem_files(&a.cert, &b.key) {
        Err(TlsError::Config(e)) => assert_eq!(
            e,
            rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)
        ),
        other => panic!("{other:?}"),
    }
    match ServerTls::from_pem_files(&a.key, &a.key) {
        Err(TlsError::Pem { what, reason, .. }) => {
            assert_eq!(what, "TLS certificate");
            assert_eq!(reason, "no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_authority_daemon_serves_https_and_stops_on_sigterm() {
    let d = tempfile::tempdir().unwrap();
    let good = pki(d.path(), "good");
    let data = d.path().join("data");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = Store::open_in_data_dir(&data, &StoreOptions::default())
            .await
            .unwrap();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(6);
        AuthorityKeys::init(&store, &mut rng, b"passphrase", 8, KdfParams::INSECURE_FAST)
            .await
            .unwrap();
    });
    let addr_file = d.path().join("addr");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_netnym-authority"))
        .args(["--data-dir", data.to_str().unwrap()])
        .args(["--tls-cert", good.cert.to_str().unwrap()])
        .args(["--tls-key", good.key.to_str().unwrap()])
        .args(["--addr-file", addr_file.to_str().unwrap()])
        .env("NETNYM_AUTHORITY_PASSPHRASE", "passphrase")
        .env("NETNYM_ADMIN_TOKEN", "admin-token-0123456789")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let addr = loop {
        if let Ok(a) = std::fs::read_to_string(&addr_file) {
            break a;
        }
        assert!(child.try_wait().unwrap().is_none(), "the daemon exited");
        assert!(start.elapsed() < Duration::from_secs(30), "no address");
        std::thread::sleep(Duration::from_millis(20));
    };
    let r = agent(&good.ca)
        .get(&format!("https://{addr}/v1/health"))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-s", "TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
