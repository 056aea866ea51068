//! Secrets never reach the output (issue 7): a full `netnym demo` runs with the most verbose
//! settings there are, and its stdout, stderr and every file it writes outside the sealed /
//! encrypted stores are searched for the real values of every secret, in every encoding the
//! code uses for them (and the other usual ones).
//!
//! - **Logging.** The CLI installs no `log` backend (the services' `log::warn!`/`error!` calls
//!   go nowhere), so there is no log file; `RUST_LOG=trace` and `RUST_BACKTRACE=full` are set
//!   anyway so that a logger wired in later is exercised by this test.
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

use base64::Engine as _;
use netnym_server::AuthorityKeys;
use netnym_store::{EnrollmentCode, EnrollmentError, EnrollmentStore, SqliteStore};
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
    let store = SqliteStore::open(&keep.join("authority.sqlite")).unwrap();
    let keys = AuthorityKeys::load(&store, b"demo authority passphrase").unwrap();
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
                store.enrollment_code(&parsed.hash(), netnym_store::unix_now()),
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
