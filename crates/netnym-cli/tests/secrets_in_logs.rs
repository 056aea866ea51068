//! Secrets never reach the output (issue 7): a full `netnym demo` runs with the most verbose
//! settings there are, and its stdout, stderr and every file it writes outside the sealed /
//! encrypted stores are searched for the real values of every secret, in every encoding the
//! code uses for them (and the other usual ones).
//!
//! - **Logging.** The services log through `tracing` to stderr (crates/netnym-server/API.md
//!   § Operations). The demo runs with `RUST_LOG=trace` (every target at trace, its in-process
//!   services included) and `RUST_BACKTRACE=full`; a second test runs `authority serve` and
//!   `verifier serve` as processes over HTTPS (a private test CA; rustls' own log lines
//!   included) with `NETNYM_LOG=trace` and JSON lines, drives enrollment,
//!   sign-ins, a forged presentation, a live code, a revocation and a wrong admin token through
//!   them, parses every line they log and searches all of it, citizens' attributes included.
//! - **Where the values come from.** The demo's hidden test hook `--keep-data-for-test DIR`
//!   keeps its working directory. The issuer secret key and the registry (accumulator) secret
//!   key are unsealed from `DIR/authority.sqlite` with the demo passphrase through
//!   `AuthorityKeys::load`; each holder's link secret comes from opening its wallet file with
//!   its password through `Wallet::open`. Values the demo never stores — recovery phrases,
//!   enrollment codes, the admin token — are in `DIR/test-secrets.json` (mode 0600), and are
//!   checked to be the real ones: each phrase derives its wallet's link secret, each code is
//!   known to the authority (as used).
//! - **Enrollment codes are secret** (until used, a code lets whoever holds it enroll as the
//!   citizen), so they are searched for too; so are the admin token, the authority passphrase
//!   and the wallet passwords.
//! - **Encodings.** For the 32-byte secrets: the bytes themselves (for binary files), hex
//!   (lower/upper), base64 standard and URL-safe (padded/unpadded), the decimal integer, the
//!   `Debug` and JSON forms of the byte array — each in both byte orders — and the core's JSON
//!   envelope. For text secrets: the text (also in upper and in lower case), its JSON string
//!   form, hex and base64; codes also without dashes (and so in lower case).
//! - **Positive control.** The same search, on a synthetic log holding the decrypted key
//!   material, must find it; and every single encoding of every secret, embedded in noise,
//!   must be found — so the test can fail.
//! - **At rest.** The wallets, the sealed keys' database and the platforms' databases are
//!   searched as bytes too: none holds a secret in the clear.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/pki.rs"]
mod pki;

use base64::Engine as _;
use netnym_server::AuthorityKeys;
use netnym_store::{EnrollmentCode, EnrollmentError, Store, StoreOptions};

/// A runtime for the store's futures (the store must be used on the runtime that opened it).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
use netnym_wallet::{Password, RecoveryPhrase, Wallet};

/// A secret and every form of it to look for.
struct Secret {
    name: String,
    forms: Vec<(String, Vec<u8>)>,
}

fn b64_all(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    vec![
        ("base64".into(), STANDARD.encode(bytes).into_bytes()),
        (
            "base64-nopad".into(),
            STANDARD_NO_PAD.encode(bytes).into_bytes(),
        ),
        ("base64url".into(), URL_SAFE.encode(bytes).into_bytes()),
        (
            "base64url-nopad".into(),
            URL_SAFE_NO_PAD.encode(bytes).into_bytes(),
        ),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The big-endian unsigned integer `bytes` in decimal.
fn decimal_be(bytes: &[u8]) -> String {
    let mut digits = vec![0u8]; // little-endian base-10 digits
    for &b in bytes {
        let mut carry = u32::from(b);
        for d in &mut digits {
            let v = u32::from(*d) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    while digits.len() > 1 && *digits.last().unwrap() == 0 {
        digits.pop();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

fn bytes_secret(name: &str, bytes: &[u8], envelope: Option<&[u8]>) -> Secret {
    let mut forms = Vec::new();
    let mut reversed = bytes.to_vec();
    reversed.reverse();
    for (order, b) in [("le", bytes), ("be", &reversed[..])] {
        let mut f = vec![
            ("raw bytes".to_owned(), b.to_vec()),
            ("hex".to_owned(), hex(b).into_bytes()),
            ("HEX".to_owned(), hex(b).to_uppercase().into_bytes()),
            ("decimal".to_owned(), decimal_be(b).into_bytes()),
            ("Debug [u8]".to_owned(), format!("{b:?}").into_bytes()),
            (
                "JSON array".to_owned(),
                serde_json::to_string(b).unwrap().into_bytes(),
            ),
        ];
        f.extend(b64_all(b));
        forms.extend(f.into_iter().map(|(k, v)| (format!("{k} ({order})"), v)));
    }
    if let Some(e) = envelope {
        forms.push(("core JSON envelope".into(), e.to_vec()));
    }
    Secret {
        name: name.to_owned(),
        forms,
    }
}

fn text_secret(name: &str, text: &str) -> Secret {
    let mut forms = vec![
        ("text".to_owned(), text.as_bytes().to_vec()),
        (
            "JSON string".to_owned(),
            serde_json::to_string(text).unwrap().into_bytes(),
        ),
        ("hex of text".to_owned(), hex(text.as_bytes()).into_bytes()),
    ];
    // Hex-like secrets (the admin token) may be printed in either case.
    for (k, v) in [
        ("text in upper case", text.to_uppercase()),
        ("text in lower case", text.to_lowercase()),
    ] {
        if v != text {
            forms.push((k.to_owned(), v.into_bytes()));
        }
    }
    forms.extend(
        b64_all(text.as_bytes())
            .into_iter()
            .map(|(k, v)| (format!("{k} of text"), v)),
    );
    if name.starts_with("enrollment code") {
        let bare = text.replace('-', "");
        forms.push(("code without dashes".into(), bare.clone().into_bytes()));
        forms.push((
            "code without dashes, lower case".into(),
            bare.to_lowercase().into_bytes(),
        ));
    }
    Secret {
        name: name.to_owned(),
        forms,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Every (source, secret, form) found.
fn find_leaks(sources: &[(String, Vec<u8>)], secrets: &[Secret]) -> Vec<String> {
    let mut out = Vec::new();
    for (src, hay) in sources {
        for s in secrets {
            for (form, needle) in &s.forms {
                if contains(hay, needle) {
                    out.push(format!("{} as {form} in {src}", s.name));
                }
            }
        }
    }
    out
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn field_bytes(json: &[u8], field: &str) -> Vec<u8> {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(v[field].as_str().unwrap())
        .unwrap()
}

#[test]
fn a_full_demo_prints_and_writes_no_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let (out_dir, keep) = (tmp.path().join("out"), tmp.path().join("keep"));
    let run = Command::new(env!("CARGO_BIN_EXE_netnym"))
        .args(["demo", "--insecure-fast-kdf", "--out"])
        .arg(&out_dir)
        .arg("--keep-data-for-test")
        .arg(&keep)
        .env("RUST_LOG", "trace")
        .env("RUST_BACKTRACE", "full")
        .output()
        .unwrap();
    let (stdout, stderr) = (run.stdout, run.stderr);
    assert!(
        run.status.success(),
        "demo failed: {}\n{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    assert!(String::from_utf8_lossy(&stdout).contains("Summary:"));

    // The real secrets.
    let rt = runtime();
    let store = rt
        .block_on(Store::open_sqlite(
            &keep.join("authority.sqlite"),
            &StoreOptions::default(),
        ))
        .unwrap();
    let keys = rt
        .block_on(AuthorityKeys::load(&store, b"demo authority passphrase"))
        .unwrap();
    let issuer_json = keys.issuer().secret_key().to_json();
    let registry_json = keys.registry().to_json();
    let mut secrets = vec![
        bytes_secret(
            "issuer secret key",
            &field_bytes(&issuer_json, "secret_key"),
            Some(&issuer_json),
        ),
        bytes_secret(
            "registry (accumulator) secret key",
            &field_bytes(&registry_json, "secret_key"),
            Some(&registry_json),
        ),
    ];
    let hook_path = keep.join("test-secrets.json");
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&hook_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let hook: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&hook_path).unwrap()).unwrap();
    let mut wallets = 0;
    for (key, v) in hook.as_object().unwrap() {
        let Some(password) = v.get("wallet_password") else {
            continue;
        };
        let (password, phrase, code) = (
            password.as_str().unwrap(),
            v["recovery_phrase"].as_str().unwrap(),
            v["enrollment_code"].as_str().unwrap(),
        );
        let wallet = Wallet::open(
            &keep.join(format!("{key}.wallet")),
            &Password::new(password.to_owned()),
        )
        .unwrap();
        let link = wallet.link_secret().to_bytes();
        // The hook's values are the real ones.
        let from_phrase = RecoveryPhrase::parse(phrase)
            .unwrap()
            .link_secret()
            .unwrap();
        assert_eq!(*from_phrase.to_bytes(), *link, "{key}: phrase");
        let parsed = EnrollmentCode::parse(code).unwrap();
        assert!(
            matches!(
                rt.block_on(store.enrollment_code(&parsed.hash(), netnym_store::unix_now())),
                Err(EnrollmentError::AlreadyUsed)
            ),
            "{key}: the code is not a used code of the authority"
        );
        secrets.push(bytes_secret(&format!("link secret of {key}"), &*link, None));
        secrets.push(text_secret(&format!("wallet password of {key}"), password));
        secrets.push(text_secret(&format!("recovery phrase of {key}"), phrase));
        secrets.push(text_secret(&format!("enrollment code of {key}"), code));
        wallets += 1;
    }
    assert_eq!(wallets, 3, "the demo has three citizens");
    secrets.push(text_secret(
        "admin token",
        hook["admin_token"].as_str().unwrap(),
    ));
    secrets.push(text_secret(
        "authority passphrase",
        hook["authority_passphrase"].as_str().unwrap(),
    ));
    assert_eq!(secrets.len(), 2 + 3 * 4 + 2);

    // Everything the run printed or wrote, except the hook's own file.
    let mut sources = vec![
        ("stdout".to_owned(), stdout.clone()),
        ("stderr".to_owned(), stderr),
    ];
    let mut files = Vec::new();
    files_under(&out_dir, &mut files);
    files_under(&keep, &mut files);
    for f in files.into_iter().filter(|f| *f != hook_path) {
        sources.push((f.display().to_string(), std::fs::read(&f).unwrap()));
    }
    let names: Vec<&str> = sources.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "issuer.json",
        "presentation.json",
        ".wallet",
        "authority.sqlite",
    ] {
        assert!(names
            .iter()
            .any(|n| n.ends_with(expected) || n.contains(expected)));
    }
    let leaks = find_leaks(&sources, &secrets);
    assert!(leaks.is_empty(), "secrets found: {leaks:#?}");

    // Positive control 1: a log holding the decrypted key material is caught, by secret.
    let mut log = stdout;
    log.extend_from_slice(b"\nDEBUG unsealed keys: ");
    log.extend_from_slice(&issuer_json);
    log.extend_from_slice(b"\n");
    let leaks = find_leaks(&[("control log".into(), log)], &secrets);
    assert!(
        leaks
            .iter()
            .any(|l| l.starts_with("issuer secret key as core JSON envelope"))
            && leaks
                .iter()
                .any(|l| l.starts_with("issuer secret key as base64url-nopad (le)")),
        "{leaks:#?}"
    );
    assert!(
        leaks.iter().all(|l| l.starts_with("issuer secret key")),
        "{leaks:#?}"
    );
    // Positive control 2: every form of every secret, embedded in noise, is found.
    for s in &secrets {
        for (form, needle) in &s.forms {
            let mut hay = b"2026-11-25T19:00:00Z TRACE netnym: value=".to_vec();
            hay.extend_from_slice(needle);
            hay.extend_from_slice(b" done\n");
            let found = find_leaks(&[("control".into(), hay)], std::slice::from_ref(s));
            assert!(
                found
                    .iter()
                    .any(|l| l == &format!("{} as {form} in control", s.name)),
                "{} as {form} not found",
                s.name
            );
        }
    }
    eprintln!(
        "searched {} sources ({} bytes) for {} secrets in {} forms: none found",
        sources.len(),
        sources.iter().map(|(_, b)| b.len()).sum::<usize>(),
        secrets.len(),
        secrets.iter().map(|s| s.forms.len()).sum::<usize>()
    );
}

/// A service process started by [`services_log_at_trace_level_and_never_a_secret`], its stderr
/// (every log line) in a file; SIGKILLed if the test fails first.
struct Svc {
    child: std::process::Child,
    url: String,
    log: PathBuf,
}

impl Drop for Svc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Svc {
    /// SIGTERM and wait (the service drains and exits 0); every line it logged.
    fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-s", "TERM", &pid])
            .status()
            .unwrap()
            .success());
        let status = self.child.wait().unwrap();
        let log = std::fs::read_to_string(&self.log).unwrap();
        assert_eq!(status.code(), Some(0), "{log}");
        log
    }
}

const SVC_PASSPHRASE: &str = "services log test passphrase";
const SVC_ADMIN: &str = "services-log-admin-token-0123456789";
const SVC_PASSWORD: &str = "services log wallet password";

/// The services' TLS certificate and the CA the clients trust (one per test process).
fn test_pki() -> &'static pki::Pki {
    pki::shared("logs")
}

fn netnym() -> Command {
    let pki = test_pki();
    let mut c = Command::new(env!("CARGO_BIN_EXE_netnym"));
    pki.apply(&mut c);
    c.env("NETNYM_AUTHORITY_PASSPHRASE", SVC_PASSPHRASE)
        .env("NETNYM_ADMIN_TOKEN", SVC_ADMIN)
        .env("NETNYM_WALLET_PASSWORD", SVC_PASSWORD)
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null());
    c
}

fn netnym_ok(args: &[&str]) -> String {
    let o = netnym().args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn serve(args: &[&str], log: PathBuf) -> Svc {
    use std::io::BufRead as _;
    let mut child = netnym()
        .args(args)
        .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
        .env("NETNYM_LOG", "trace")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{line:?}");
    Svc { child, url, log }
}

/// An HTTPS agent trusting the test CA.
fn agent() -> ureq::Agent {
    let mut roots = rustls::RootCertStore::empty();
    for c in netnym_server::read_certificates("CA", &test_pki().ca).unwrap() {
        roots.add(c).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(netnym_server::tls_provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    ureq::AgentBuilder::new()
        .tls_config(std::sync::Arc::new(config))
        .build()
}

fn post(url: &str, body: &str) -> (u16, serde_json::Value) {
    match agent()
        .post(url)
        .set("Content-Type", "application/json")
        .send_string(body)
    {
        Ok(r) | Err(ureq::Error::Status(_, r)) => (r.status(), r.into_json().unwrap()),
        Err(e) => panic!("{url}: {e}"),
    }
}

/// `authority serve` and `verifier serve` as separate processes at the most verbose level
/// (`NETNYM_LOG=trace`, JSON lines), through enrollment, sign-ins, a forged presentation, a
/// live enrollment code that is offered but not finished, a revocation and a refused admin
/// token. Every line they log is captured and parsed: the request lines and the verification
/// rejection with its spec rule are there, and no form of any secret (the keys, the admin
/// token, the passphrase, the codes, the wallet password, recovery phrases, link secrets) and
/// no citizen attribute appears.
#[test]
fn services_log_at_trace_level_and_never_a_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (adir, vdir, public) = (d.join("authority"), d.join("platform"), d.join("public"));
    let (adir_s, vdir_s) = (adir.to_str().unwrap(), vdir.to_str().unwrap());
    let bundle = public.join("issuer.json");
    netnym_ok(&[
        "authority",
        "init",
        "--data-dir",
        adir_s,
        "--domain",
        "64",
        "--insecure-fast-kdf",
        "--public-dir",
        public.to_str().unwrap(),
    ]);
    netnym_ok(&[
        "authority",
        "import",
        "--data-dir",
        adir_s,
        "--synthetic",
        "3",
        "--seed",
        "7",
    ]);
    let codes: Vec<String> = (1..=3)
        .map(|i| {
            let citizen = format!("C0000000{i}");
            netnym_ok(&[
                "authority",
                "enroll-code",
                "--data-dir",
                adir_s,
                "--citizen",
                &citizen,
            ])
            .trim()
            .to_owned()
        })
        .collect();
    let authority = serve(
        &["authority", "serve", "--data-dir", adir_s],
        d.join("authority.log"),
    );
    let key_id = {
        let b: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
        netnym::IssuerPublicKey::from_json(b["issuer_keys"][0].to_string().as_bytes())
            .unwrap()
            .key_id()
            .to_string()
    };
    let policy = d.join("policy.json");
    std::fs::write(
        &policy,
        serde_json::json!({
            "verifier_id": "shop.example", "issuer_key_ids": [key_id],
            "disclose": ["region"], "predicates": [{"age_at_least": 18}],
            "pseudonym": true, "non_revoked": true, "validity_seconds": 300
        })
        .to_string(),
    )
    .unwrap();
    let platform = serve(
        &[
            "verifier",
            "serve",
            "--data-dir",
            vdir_s,
            "--policy",
            policy.to_str().unwrap(),
            "--issuer",
            bundle.to_str().unwrap(),
            "--authority",
            &authority.url,
        ],
        d.join("platform.log"),
    );

    // Two wallets enroll and sign in; the third code is only offered (still live).
    let mut phrases = Vec::new();
    for (i, code) in codes.iter().take(2).enumerate() {
        let w = d.join(format!("w{i}.nnw"));
        let w = w.to_str().unwrap();
        let out = netnym_ok(&["wallet", "init", "--wallet", w, "--insecure-fast-kdf"]);
        phrases.push(out.lines().nth(2).unwrap().trim().to_owned());
        netnym_ok(&[
            "wallet",
            "enroll",
            "--wallet",
            w,
            "--authority",
            &authority.url,
            "--code",
            code,
            "--issuer",
            bundle.to_str().unwrap(),
        ]);
        netnym_ok(&[
            "wallet",
            "present",
            "--wallet",
            w,
            "--verifier",
            &platform.url,
            "--yes",
        ]);
    }
    let (s, _) = post(
        &format!("{}/v1/enroll/offer", authority.url),
        &serde_json::json!({ "code": codes[2] }).to_string(),
    );
    assert_eq!(s, 200);
    // A presentation whose disclosed region was changed: the core rejects it by a rule.
    let (s, v) = post(&format!("{}/v1/requests", platform.url), "{}");
    assert_eq!(s, 200);
    let request = d.join("request.json");
    std::fs::write(&request, v["request"].to_string()).unwrap();
    let presentation = d.join("presentation.json");
    let w0 = d.join("w0.nnw");
    netnym_ok(&[
        "wallet",
        "present",
        "--wallet",
        w0.to_str().unwrap(),
        "--request",
        request.to_str().unwrap(),
        "--out",
        presentation.to_str().unwrap(),
        "--yes",
    ]);
    let p = std::fs::read_to_string(&presentation).unwrap();
    let rt = runtime();
    let store = rt
        .block_on(Store::open_in_data_dir(&adir, &StoreOptions::default()))
        .unwrap();
    let region = rt
        .block_on(store.citizen("C00000001"))
        .unwrap()
        .unwrap()
        .attributes["region"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = if region == "110101" {
        "310101"
    } else {
        "110101"
    };
    let forged = p.replace(&format!("\"{region}\""), &format!("\"{other}\""));
    assert_ne!(forged, p);
    let (s, v) = post(
        &format!("{}/v1/verify", platform.url),
        &format!(r#"{{"presentation": {forged}}}"#),
    );
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid-presentation")));
    // A revocation with the admin token, and one with a wrong token.
    netnym_ok(&[
        "authority",
        "revoke",
        "--authority",
        &authority.url,
        "--citizen",
        "C00000002",
    ]);
    let o = netnym()
        .env("NETNYM_ADMIN_TOKEN", "not-the-admin-token-0123456789")
        .args([
            "authority",
            "revoke",
            "--authority",
            &authority.url,
            "--revocation-id",
            "3",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));

    let logs = [
        ("authority log", authority.stop()),
        ("platform log", platform.stop()),
    ];

    // Every line is a JSON object; one line per request, with its id, route, status and
    // latency; the rejection is logged at debug with its rule, in the request's span.
    let mut lines = Vec::new();
    for (name, text) in &logs {
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {line}"));
            lines.push((*name, v));
        }
    }
    let requests: Vec<&serde_json::Value> = lines
        .iter()
        .map(|(_, v)| v)
        .filter(|v| v["target"] == "netnym_server::http" && v["fields"]["message"] == "request")
        .collect();
    let has = |route: &str, status: u64| {
        requests.iter().any(|v| {
            v["span"]["route"] == route
                && v["fields"]["status"] == status
                && v["fields"]["latency_ms"].is_number()
                && v["span"]["id"].as_str().is_some_and(|id| id.len() == 16)
        })
    };
    for (route, status) in [
        ("/v1/enroll/offer", 200),
        ("/v1/enroll/finish", 200),
        ("/v1/revoke", 200),
        ("/v1/revoke", 401),
        ("/v1/requests", 200),
        ("/v1/verify", 200),
        ("/v1/verify", 422),
    ] {
        assert!(has(route, status), "no request line for {route} {status}");
    }
    let rejection = lines
        .iter()
        .map(|(_, v)| v)
        .find(|v| {
            v["target"] == "netnym::verify"
                && v["level"] == "DEBUG"
                && v["fields"]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("rejected by VER-"))
        })
        .expect("the core's rejection, with its rule, at debug");
    assert_eq!(rejection["span"]["route"], "/v1/verify");
    // Trace level is on: the stores' and the HTTP stack's most verbose lines are included.
    assert!(lines
        .iter()
        .any(|(_, v)| v["level"] == "TRACE" || v["level"] == "DEBUG"));

    // The secrets and the citizens' attributes.
    let keys = rt
        .block_on(AuthorityKeys::load(&store, SVC_PASSPHRASE.as_bytes()))
        .unwrap();
    let issuer_json = keys.issuer().secret_key().to_json();
    let registry_json = keys.registry().to_json();
    let mut secrets = vec![
        bytes_secret(
            "issuer secret key",
            &field_bytes(&issuer_json, "secret_key"),
            Some(&issuer_json),
        ),
        bytes_secret(
            "registry secret key",
            &field_bytes(&registry_json, "secret_key"),
            Some(&registry_json),
        ),
        text_secret("admin token", SVC_ADMIN),
        text_secret("wrong admin token", "not-the-admin-token-0123456789"),
        text_secret("authority passphrase", SVC_PASSPHRASE),
        text_secret("wallet password", SVC_PASSWORD),
    ];
    for (i, code) in codes.iter().enumerate() {
        secrets.push(text_secret(&format!("enrollment code {i}"), code));
    }
    for (i, phrase) in phrases.iter().enumerate() {
        assert_eq!(phrase.split_whitespace().count(), 24, "{phrase}");
        secrets.push(text_secret(&format!("recovery phrase {i}"), phrase));
        let w = Wallet::open(
            &d.join(format!("w{i}.nnw")),
            &Password::new(SVC_PASSWORD.to_owned()),
        )
        .unwrap();
        secrets.push(bytes_secret(
            &format!("link secret {i}"),
            &*w.link_secret().to_bytes(),
            None,
        ));
    }
    for id in ["C00000001", "C00000002", "C00000003"] {
        let c = rt.block_on(store.citizen(id)).unwrap().unwrap();
        for field in ["document_number", "family_name", "given_name", "birth_date"] {
            let value = c.attributes[field].as_str().unwrap();
            secrets.push(text_secret(&format!("{field} of {id}"), value));
        }
    }
    let sources: Vec<(String, Vec<u8>)> = logs
        .iter()
        .map(|(n, t)| ((*n).to_owned(), t.as_bytes().to_vec()))
        .collect();
    let leaks = find_leaks(&sources, &secrets);
    assert!(leaks.is_empty(), "found in the logs: {leaks:#?}");
    // Positive control: a log line holding an attribute is caught.
    let control = format!(
        "{{\"fields\":{{\"message\":\"{}\"}}}}",
        rt.block_on(store.citizen("C00000003"))
            .unwrap()
            .unwrap()
            .attributes["document_number"]
            .as_str()
            .unwrap()
    );
    assert!(!find_leaks(&[("control".into(), control.into_bytes())], &secrets).is_empty());
    eprintln!(
        "{} log lines ({} request lines) searched for {} secrets and attributes: none found",
        lines.len(),
        requests.len(),
        secrets.len()
    );
}
