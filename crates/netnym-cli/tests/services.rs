//! The service commands as separate processes over real HTTPS on loopback: authority init,
//! import, enroll-code, serve, revoke; verifier serve; wallet init, enroll, present, update, list.
//!
//! TLS end to end with a private CA: both services get their certificate and key from the
//! environment (`NETNYM_AUTHORITY_TLS_CERT`, `NETNYM_VERIFIER_TLS_KEY`, ...) and every client
//! (wallets, the admin's revoke, the verifier's epoch-log fetches) trusts the test CA through
//! `NETNYM_CA`.
#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions unwrap fixtures too.

use std::cell::RefCell;
use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "support/pki.rs"]
mod pki;
#[path = "support/process.rs"]
mod process;

use process::{s, Service};

const PASSPHRASE: &str = "authority passphrase for tests";
const ADMIN: &str = "admin-token-for-tests-0123456789";
const PASSWORD: &str = "correct horse battery";

/// The test PKI (one per test process).
fn test_pki() -> &'static pki::Pki {
    pki::shared("services")
}

fn cmd() -> Command {
    let pki = test_pki();
    let mut c = Command::new(env!("CARGO_BIN_EXE_netnym"));
    pki.apply(&mut c);
    c.env("NETNYM_AUTHORITY_PASSPHRASE", PASSPHRASE)
        .env("NETNYM_ADMIN_TOKEN", ADMIN)
        .env("NETNYM_WALLET_PASSWORD", PASSWORD)
        .stdin(Stdio::null());
    c
}

thread_local! {
    /// What `@A` (the authority's store) and `@V` (the platform's store) expand to.
    static STORES: RefCell<(Vec<String>, Vec<String>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

fn expand(args: &[&str]) -> Vec<String> {
    STORES.with(|st| {
        let st = st.borrow();
        args.iter()
            .flat_map(|a| match *a {
                "@A" => st.0.clone(),
                "@V" => st.1.clone(),
                other => vec![other.to_owned()],
            })
            .collect()
    })
}

fn run(args: &[&str]) -> Output {
    cmd().args(expand(args)).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    process::stdout_of_success(&run(args), &args)
}

fn err(args: &[&str], code: i32) -> String {
    process::last_error_line(&run(args), code, &args)
}

impl Service {
    /// SIGTERM: the service drains and exits 0 within the documented bound, with no panic
    /// (on PostgreSQL every clean shutdown used to panic), and it logged its requests.
    fn stop(mut self, what: &str) -> String {
        let pid = self.0.id().to_string();
        assert!(Command::new("kill")
            .args(["-s", "TERM", &pid])
            .status()
            .unwrap()
            .success());
        let bound = netnym_server::DRAIN_TIMEOUT
            + netnym_server::WORK_GRACE
            + std::time::Duration::from_secs(10);
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(s) = self.0.try_wait().unwrap() {
                break s;
            }
            assert!(start.elapsed() < bound, "{what} still runs after SIGTERM");
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let log = std::fs::read_to_string(self.2.path()).unwrap();
        assert_eq!(status.code(), Some(0), "{what}: {log}");
        assert!(!log.contains("panic"), "{what}: {log}");
        assert!(log.contains("SIGTERM"), "{what}: {log}");
        assert!(log.contains(&format!("{what} stopped")), "{what}: {log}");
        log
    }
}

fn spawn(args: &[&str]) -> Service {
    let mut c = cmd();
    c.args(expand(args));
    let service = process::spawn(c);
    assert!(
        service.1.starts_with("https://127.0.0.1:"),
        "{args:?}: {:?}",
        service.1
    );
    service
}

#[test]
fn authority_platform_and_wallet_commands_over_https_sqlite() {
    let d = tempfile::tempdir().unwrap();
    let adir = d.path().join("authority");
    let vdir = d.path().join("platform");
    STORES.with(|st| {
        *st.borrow_mut() = (
            vec!["--data-dir".into(), s(&adir).into()],
            vec!["--data-dir".into(), s(&vdir).into()],
        );
    });
    flow(d.path(), "sqlite");
}

/// The same flow on PostgreSQL when `NETNYM_TEST_PG_URL` is set (CI starts a server), in
/// fresh schemas; without it there is no database to test against and the test says so.
#[test]
fn authority_platform_and_wallet_commands_over_https_postgres() {
    let Ok(url) = std::env::var("NETNYM_TEST_PG_URL") else {
        eprintln!("NETNYM_TEST_PG_URL is not set: PostgreSQL flow not run");
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let tag = format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000
    );
    let store = |who: &str| -> Vec<String> {
        vec![
            "--database".into(),
            url.clone(),
            "--database-schema".into(),
            format!("cli_{who}_{tag}"),
        ]
    };
    STORES.with(|st| *st.borrow_mut() = (store("authority"), store("platform")));
    flow(d.path(), "postgres");
}

fn flow(dir: &Path, backend: &str) {
    let wallet = dir.join("w.nnw");
    let public = dir.join("public");
    let bundle = public.join("issuer.json");

    let out = ok(&[
        "authority",
        "init",
        "@A",
        "--domain",
        "64",
        "--insecure-fast-kdf",
        "--public-dir",
        s(&public),
    ]);
    assert!(
        out.starts_with(&format!("authority initialised ({backend})")),
        "{out}"
    );
    assert!(bundle.exists());
    // A second init is refused and changes nothing.
    let e = err(&["authority", "init", "@A", "--insecure-fast-kdf"], 1);
    assert!(e.starts_with("netnym: authority keys:"), "{e}");

    let out = ok(&[
        "authority",
        "import",
        "@A",
        "--synthetic",
        "3",
        "--seed",
        "7",
    ]);
    assert!(
        out.starts_with("imported 3 citizens (revocation ids 1..=3)"),
        "{out}"
    );
    let code = ok(&["authority", "enroll-code", "@A", "--citizen", "C00000001"]);
    let code = code.trim().to_owned();
    let code2 = ok(&["authority", "enroll-code", "@A", "--citizen", "C00000002"]);
    let code2 = code2.trim().to_owned();
    assert_eq!(code.len(), 19, "{code}");
    let e = err(
        &["authority", "enroll-code", "@A", "--citizen", "C99999999"],
        1,
    );
    assert!(e.starts_with("netnym: "), "{e}");

    let authority = spawn(&["authority", "serve", "@A", "--listen", "127.0.0.1:0"]);
    let key_id = {
        let b: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
        let pk =
            netnym::IssuerPublicKey::from_json(b["issuer_keys"][0].to_string().as_bytes()).unwrap();
        pk.key_id().to_string()
    };
    let policy = dir.join("policy.json");
    std::fs::write(
        &policy,
        serde_json::json!({
            "verifier_id": "shop.example", "issuer_key_ids": [key_id],
            "predicates": [{"age_at_least": 18}, {"valid_on": "today"}],
            "pseudonym": true, "non_revoked": true, "validity_seconds": 300
        })
        .to_string(),
    )
    .unwrap();
    let platform = spawn(&[
        "verifier",
        "serve",
        "@V",
        "--policy",
        s(&policy),
        "--issuer",
        s(&bundle),
        "--authority",
        &authority.1,
        "--listen",
        "127.0.0.1:0",
    ]);

    ok(&[
        "wallet",
        "init",
        "--wallet",
        s(&wallet),
        "--insecure-fast-kdf",
    ]);
    // An unknown (well-formed) code: the authority's problem, in one line.
    let e = err(
        &[
            "wallet",
            "enroll",
            "--wallet",
            s(&wallet),
            "--authority",
            &authority.1,
            "--code",
            "AAAA-BBBB-CCCC-DDDD",
        ],
        1,
    );
    assert!(e.contains("404 enrollment-code-unknown"), "{e}");
    let out = ok(&[
        "wallet",
        "enroll",
        "--wallet",
        s(&wallet),
        "--authority",
        &authority.1,
        "--code",
        &code,
        "--issuer",
        s(&bundle),
    ]);
    assert!(
        out.starts_with("enrolled: cred-1 (revocation id 1, witness epoch 0)"),
        "{out}"
    );
    // The code is single use.
    let e = err(
        &[
            "wallet",
            "enroll",
            "--wallet",
            s(&wallet),
            "--authority",
            &authority.1,
            "--code",
            &code,
        ],
        1,
    );
    assert!(e.contains("409 enrollment-code-used"), "{e}");

    let present = [
        "wallet",
        "present",
        "--wallet",
        s(&wallet),
        "--verifier",
        &platform.1,
        "--yes",
    ];
    let first = ok(&present);
    assert!(
        first.contains("as account 1 (new account, login #1)"),
        "{first}"
    );
    let second = ok(&present);
    assert!(
        second.contains("as account 1 (existing account, login #2)"),
        "{second}"
    );
    let nym = |s: &str| s.trim().rsplit(' ').next().unwrap().to_owned();
    assert_eq!(nym(&first), nym(&second));
    // Without --yes and without a terminal, nothing is presented.
    let e = err(&present[..6], 2);
    assert!(e.contains("pass --yes"), "{e}");

    // A second citizen, enrolled before the revocation below, without the bundle: the
    // wallet pins the public data from /v1/params (range-proof parameters included).
    let wallet2 = dir.join("w2.nnw");
    ok(&[
        "wallet",
        "init",
        "--wallet",
        s(&wallet2),
        "--insecure-fast-kdf",
    ]);
    ok(&[
        "wallet",
        "enroll",
        "--wallet",
        s(&wallet2),
        "--authority",
        &authority.1,
        "--code",
        &code2,
    ]);
    let present2 = [
        "wallet",
        "present",
        "--wallet",
        s(&wallet2),
        "--verifier",
        &platform.1,
        "--yes",
    ];
    let out = ok(&present2);
    assert!(out.contains("(new account, login #1)"), "{out}");
    let account2 = out
        .split("as account ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap()
        .to_owned();

    let out = ok(&["wallet", "list", "--wallet", s(&wallet), "--history"]);
    assert!(
        out.contains("1 credential(s)") && out.contains("witness at epoch 0"),
        "{out}"
    );
    assert!(
        out.contains("disclosure history (2 presentations)"),
        "{out}"
    );
    assert!(
        out.contains("shop.example: revealed [] proved [age at least 18"),
        "{out}"
    );

    // Revocation through the service: the wallet cannot prove the new epoch, and knows why
    // after updating.
    let e = err(
        &[
            "authority",
            "revoke",
            "--authority",
            &authority.1,
            "--citizen",
            "C00000001",
        ],
        0,
    );
    assert_eq!(e, "", "{e}");
    let e = err(&present, 1);
    assert!(
        e.contains("witness is at epoch 0, the request accepts 1..=1"),
        "{e}"
    );
    let out = ok(&[
        "wallet",
        "update",
        "--wallet",
        s(&wallet),
        "--authority",
        &authority.1,
    ]);
    assert!(out.contains("revoked: cred-1"), "{out}");
    let e = err(&present, 1);
    assert!(e.contains("it has been revoked"), "{e}");
    // Presenting with --authority updates first; still revoked.
    let mut with_update = present.to_vec();
    with_update.extend(["--authority", &authority.1]);
    let e = err(&with_update, 1);
    assert!(e.contains("it has been revoked"), "{e}");
    // The second citizen's stale witness cannot prove epoch 1 until it updates; with
    // --authority it updates first and signs in to the same account.
    let e = err(&present2, 1);
    assert!(
        e.contains("witness is at epoch 0, the request accepts 1..=1"),
        "{e}"
    );
    let mut present2_update = present2.to_vec();
    present2_update.extend(["--authority", &authority.1]);
    let out = ok(&present2_update);
    assert!(
        out.contains(&format!(
            "as account {account2} (existing account, login #2)"
        )),
        "{out}"
    );
    // A wrong admin token is refused by the service.
    let o = cmd()
        .env("NETNYM_ADMIN_TOKEN", "wrong-token-0123456789")
        .args([
            "authority",
            "revoke",
            "--authority",
            &authority.1,
            "--revocation-id",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("401 unauthorized"));
    // One log line per request, with its route pattern and status.
    let log = platform.stop("verifier");
    assert!(
        log.contains("route=/v1/verify") && log.contains("status=200"),
        "{log}"
    );
    let log = authority.stop("authority");
    assert!(
        log.contains("route=/v1/enroll/finish") && log.contains("status=200"),
        "{log}"
    );
    assert!(
        log.contains("route=/v1/revoke") && log.contains("status=401"),
        "{log}"
    );
}
