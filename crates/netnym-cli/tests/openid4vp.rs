//! Cross-device "Sign in with NetNym" through the CLI wallet (spec/13-oidc.md): a verifier
//! process with an `[oidc]` policy, a browser played with plain HTTP (no redirects followed),
//! and `netnym wallet present --uri` answering the QR code's URI by `request_uri` and
//! `direct_post`; then the relying party's `/token` and the ID token's `sub`. Everything runs on
//! loopback over plain HTTP, so the clients get `--allow-http` (HTTPS is tested in `services.rs`
//! and `tls.rs`).
#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions unwrap fixtures too.

use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use serde_json::Value;

#[path = "support/process.rs"]
mod process;

use process::{s, Service};

const PASSPHRASE: &str = "authority passphrase for tests";
const PASSWORD: &str = "correct horse battery";
const CALLBACK: &str = "http://127.0.0.1:9/callback";

fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_netnym"));
    c.env("NETNYM_AUTHORITY_PASSPHRASE", PASSPHRASE)
        .env("NETNYM_ADMIN_TOKEN", "admin-token-for-tests-0123456789")
        .env("NETNYM_WALLET_PASSWORD", PASSWORD)
        .stdin(Stdio::null());
    c
}

/// Whether the command takes `--allow-http` (it reaches a service as a client).
fn client_command(args: &[&str]) -> bool {
    matches!(
        args,
        ["wallet", "enroll" | "present" | "update", ..] | ["verifier", "serve", ..]
    )
}

fn run(args: &[&str]) -> Output {
    let mut c = cmd();
    c.args(args);
    if client_command(args) {
        c.arg("--allow-http");
    }
    c.output().unwrap()
}

fn ok(args: &[&str]) -> String {
    process::stdout_of_success(&run(args), &args)
}

fn err(args: &[&str], code: i32) -> String {
    process::last_error_line(&run(args), code, &args)
}

/// Start a service logging every target at trace level, in JSON lines.
fn spawn(args: &[&str]) -> Service {
    let mut c = cmd();
    c.args(args)
        .args(if client_command(args) {
            &["--allow-http"][..]
        } else {
            &[]
        })
        .args(["--log-format", "json"])
        .env("NETNYM_LOG", "trace");
    let service = process::spawn(c);
    assert!(
        service.1.starts_with("http://127.0.0.1:"),
        "{args:?}: {:?}",
        service.1
    );
    service
}

/// A browser that does not follow redirects: (status, Location, body).
fn browse(url: &str) -> (u16, String, String) {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let r = match agent.get(url).set("Accept-Language", "en").call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{url}: {e}"),
    };
    let location = r.header("location").unwrap_or_default().to_owned();
    (r.status(), location, r.into_string().unwrap())
}

fn attr<'a>(html: &'a str, start: &str) -> &'a str {
    let i = html.find(start).unwrap() + start.len();
    &html[i..i + html[i..].find('"').unwrap()]
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

#[test]
fn oidc_020_021_cross_device_sign_in_with_wallet_present_uri() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let data_a = dir.join("authority");
    let data_v = dir.join("platform");
    let wallet = dir.join("w.nnw");
    let public = dir.join("public");
    let bundle = public.join("issuer.json");
    let a = ["--data-dir", s(&data_a)];
    ok(&[
        &["authority", "init"][..],
        &a,
        &[
            "--domain",
            "64",
            "--insecure-fast-kdf",
            "--public-dir",
            s(&public),
        ],
    ]
    .concat());
    ok(&[
        &["authority", "import"][..],
        &a,
        &["--synthetic", "3", "--seed", "7"],
    ]
    .concat());
    let code = ok(&[
        &["authority", "enroll-code"][..],
        &a,
        &["--citizen", "C00000001"],
    ]
    .concat());
    let authority = spawn(
        &[
            &["authority", "serve"][..],
            &a,
            &["--listen", "127.0.0.1:0"],
        ]
        .concat(),
    );
    let key_id = {
        let b: Value = serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
        netnym::IssuerPublicKey::from_json(b["issuer_keys"][0].to_string().as_bytes())
            .unwrap()
            .key_id()
            .to_string()
    };
    // The issuer URL names the port the verifier will listen on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let issuer = format!("http://127.0.0.1:{port}");
    let policy = dir.join("policy.json");
    std::fs::write(
        &policy,
        serde_json::json!({
            "verifier_id": "shop.example", "issuer_key_ids": [key_id],
            "predicates": [{"age_at_least": 18}, {"valid_on": "today"}],
            "pseudonym": true, "non_revoked": true, "validity_seconds": 300,
            "oidc": {"issuer": issuer, "signing_key_file": "oidc-key.pem",
                     "clients": [{"client_id": "shop-web", "redirect_uris": [CALLBACK]}]}
        })
        .to_string(),
    )
    .unwrap();
    let platform = spawn(&[
        "verifier",
        "serve",
        "--data-dir",
        s(&data_v),
        "--policy",
        s(&policy),
        "--issuer",
        s(&bundle),
        "--authority",
        &authority.1,
        "--listen",
        &format!("127.0.0.1:{port}"),
    ]);
    assert_eq!(platform.1, issuer);
    // The signing key was created next to the policy, private.
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = std::fs::metadata(dir.join("oidc-key.pem")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    ok(&[
        "wallet",
        "init",
        "--wallet",
        s(&wallet),
        "--insecure-fast-kdf",
    ]);
    ok(&[
        "wallet",
        "enroll",
        "--wallet",
        s(&wallet),
        "--authority",
        &authority.1,
        "--code",
        code.trim(),
        "--issuer",
        s(&bundle),
    ]);

    // The browser opens the sign-in page.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = b64(&<sha2::Sha256 as sha2::Digest>::digest(verifier.as_bytes()));
    let authorize = format!(
        "{issuer}/authorize?response_type=code&client_id=shop-web&redirect_uri={}&scope=openid\
         &state=s1&nonce=n1&code_challenge={challenge}&code_challenge_method=S256",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let (status, _, page) = browse(&authorize);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<svg"));
    let session = attr(&page, "data-status=\"")
        .strip_suffix("/status")
        .unwrap()
        .to_owned();
    let qr = attr(&page, "class=\"wallet\" href=\"").replace("&amp;", "&");
    assert!(
        qr.starts_with("openid4vp://?client_id=shop.example&request_uri="),
        "{qr}"
    );

    // A malformed URI is a usage error; a URI of another verifier id is refused after the fetch.
    let e = err(
        &[
            "wallet",
            "present",
            "--wallet",
            s(&wallet),
            "--uri",
            "openid4vp://?client_id=x",
            "--yes",
        ],
        2,
    );
    assert!(e.contains("not a wallet request URI"), "{e}");
    let other = qr.replace("client_id=shop.example", "client_id=rail.example");
    let e = err(
        &[
            "wallet",
            "present",
            "--wallet",
            s(&wallet),
            "--uri",
            &other,
            "--yes",
        ],
        1,
    );
    assert!(e.contains("its client_id differs"), "{e}");

    // The wallet answers the QR code's URI.
    let out = ok(&[
        "wallet",
        "present",
        "--wallet",
        s(&wallet),
        "--uri",
        &qr,
        "--yes",
    ]);
    assert!(
        out.contains(&format!(
            "presented to shop.example ({issuer}/oidc/response)"
        )),
        "{out}"
    );
    // Once only.
    let e = err(
        &[
            "wallet",
            "present",
            "--wallet",
            s(&wallet),
            "--uri",
            &qr,
            "--yes",
        ],
        1,
    );
    assert!(e.contains("409 nonce-replayed"), "{e}");

    // The browser follows up and lands at the client with a code.
    let (_, _, st) = browse(&format!("{issuer}{session}/status"));
    assert_eq!(
        serde_json::from_str::<Value>(&st).unwrap()["status"],
        "done"
    );
    let (status, location, _) = browse(&format!("{issuer}{session}/continue"));
    assert_eq!(status, 303);
    let location = url::Url::parse(&location).unwrap();
    let q: std::collections::HashMap<String, String> =
        location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "s1");
    let token: Value = ureq::post(&format!("{issuer}/token"))
        .send_form(&[
            ("grant_type", "authorization_code"),
            ("code", &q["code"]),
            ("redirect_uri", CALLBACK),
            ("client_id", "shop-web"),
            ("code_verifier", verifier),
        ])
        .unwrap()
        .into_json()
        .unwrap();
    let payload = token["id_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (claims["aud"].as_str(), claims["nonce"].as_str()),
        (Some("shop-web"), Some("n1"))
    );
    assert_eq!(claims["age_over_18"], true);
    // The platform logged the sign-in at trace level, and none of its secrets: not the code, the
    // tokens, the PKCE verifier, the browser's session handle, nor the signing key.
    let log = std::fs::read_to_string(platform.2.path()).unwrap();
    assert!(
        log.contains("/oidc/response"),
        "the routes are logged: {log}"
    );
    let key_pem = std::fs::read_to_string(dir.join("oidc-key.pem")).unwrap();
    let key_body: String = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let session_handle = session.rsplit('/').next().unwrap();
    for (what, secret) in [
        ("code", q["code"].as_str()),
        ("id_token", token["id_token"].as_str().unwrap()),
        ("access_token", token["access_token"].as_str().unwrap()),
        ("code_verifier", verifier),
        ("session handle", session_handle),
        ("signing key", &key_body[key_body.len() - 40..]),
    ] {
        assert!(!log.contains(secret), "the log holds the {what}");
    }
    // A wallet that cannot answer declines: the browser is sent back with access_denied.
    let empty = dir.join("empty.nnw");
    ok(&[
        "wallet",
        "init",
        "--wallet",
        s(&empty),
        "--insecure-fast-kdf",
    ]);
    let (_, _, page) = browse(&authorize);
    let session2 = attr(&page, "data-status=\"")
        .strip_suffix("/status")
        .unwrap()
        .to_owned();
    let qr2 = attr(&page, "class=\"wallet\" href=\"").replace("&amp;", "&");
    let o = run(&[
        "wallet",
        "present",
        "--wallet",
        s(&empty),
        "--uri",
        &qr2,
        "--yes",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("told shop.example that the wallet declines")
    );
    let (status, location, _) = browse(&format!("{issuer}{session2}/continue"));
    assert_eq!(status, 303);
    let location = url::Url::parse(&location).unwrap();
    let q2: std::collections::HashMap<String, String> =
        location.query_pairs().into_owned().collect();
    assert_eq!(
        (q2["error"].as_str(), q2["state"].as_str()),
        ("access_denied", "s1")
    );
    assert!(!q2.contains_key("code"));

    // sub is the pseudonym the JSON API shows for the same wallet at the same platform.
    let again = ok(&[
        "wallet",
        "present",
        "--wallet",
        s(&wallet),
        "--verifier",
        &platform.1,
        "--yes",
    ]);
    assert!(
        again.contains("as account 1 (existing account, login #2)"),
        "{again}"
    );
    assert_eq!(
        again.trim().rsplit(' ').next().unwrap(),
        claims["sub"].as_str().unwrap()
    );
}
