//! The authority operator's commands (issue 12 item 7) as separate processes on SQLite:
//! `authority init` (secret strength, nothing left behind), `citizens list|show`,
//! `codes list|invalidate`, `keys list|rotate|retire` with an enrollment under each key and a
//! platform that accepts both until the old one is retired, `backup` / `restore`, and
//! `verifier serve`'s message for a policy that needs the epoch log and has no source.
#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions unwrap fixtures too.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

#[path = "support/pki.rs"]
mod pki;
#[path = "support/process.rs"]
mod process;

use process::{s, Service};

const PASSPHRASE: &str = "authority passphrase for operator tests";
const ADMIN: &str = "admin-token-for-tests-0123456789";
const PASSWORD: &str = "correct horse battery";

fn cmd() -> Command {
    let pki = pki::shared("operators");
    let mut c = Command::new(env!("CARGO_BIN_EXE_netnym"));
    pki.apply(&mut c);
    c.env("NETNYM_AUTHORITY_PASSPHRASE", PASSPHRASE)
        .env("NETNYM_ADMIN_TOKEN", ADMIN)
        .env("NETNYM_WALLET_PASSWORD", PASSWORD)
        .stdin(Stdio::null());
    c
}

fn run(args: &[&str]) -> Output {
    cmd().args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    process::stdout_of_success(&run(args), &args)
}

fn err(args: &[&str], code: i32) -> String {
    process::last_error_line(&run(args), code, &args)
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

fn spawn(args: &[&str]) -> Service {
    let mut c = cmd();
    c.args(args);
    let service = process::spawn(c);
    assert!(
        service.1.starts_with("https://"),
        "{args:?}: {:?}",
        service.1
    );
    service
}

/// The authority service on the store options `a`.
fn serve_authority(a: &[&str]) -> Service {
    spawn(&[&["authority", "serve"], a, &["--listen", "127.0.0.1:0"]].concat())
}

/// The string `field` of each object of the array `v`.
fn field_of_each(v: &Value, field: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x[field].as_str().unwrap().to_owned())
        .collect()
}

fn bundle_key_ids(bundle: &Path) -> Vec<String> {
    let b: Value = serde_json::from_slice(&std::fs::read(bundle).unwrap()).unwrap();
    b["issuer_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            netnym::IssuerPublicKey::from_json(k.to_string().as_bytes())
                .unwrap()
                .key_id()
                .to_string()
        })
        .collect()
}

#[test]
fn sec_001_init_refuses_weak_or_missing_passphrases_and_leaves_nothing_behind() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    let init = [
        "authority",
        "init",
        "--data-dir",
        s(&data),
        "--insecure-fast-kdf",
    ];
    let weak = |p: &str| {
        let o = cmd()
            .args(init)
            .env("NETNYM_AUTHORITY_PASSPHRASE", p)
            .output()
            .unwrap();
        process::last_error_line(&o, 2, &p)
    };
    assert_eq!(
        weak("a"),
        "netnym: the authority passphrase must be at least 12 characters"
    );
    assert!(weak("passwordpassword")
        .starts_with("netnym: the authority passphrase is too easy to guess"),);
    // No passphrase at all (no terminal to prompt on).
    let o = cmd()
        .args(init)
        .env_remove("NETNYM_AUTHORITY_PASSPHRASE")
        .output()
        .unwrap();
    let e = process::last_error_line(&o, 2, &"no passphrase");
    assert!(e.starts_with("netnym: no authority passphrase"), "{e}");
    // A domain outside 1..=2^31.
    let e = err(&[&init[..], &["--domain", "0"]].concat(), 2);
    assert!(e.contains("invalid revocation domain"), "{e}");
    // A log origin that is not a key name (LOG-006).
    let e = err(&[&init[..], &["--log-origin", "bad origin"]].concat(), 2);
    assert!(e.contains("invalid log origin"), "{e}");
    assert!(!data.exists(), "a failed init left {}", data.display());

    // An existing data directory keeps what it had; only init's database goes.
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("notes.txt"), "kept").unwrap();
    weak("a");
    assert_eq!(
        std::fs::read_dir(&data).unwrap().count(),
        1,
        "only notes.txt remains"
    );
    // And the admin token's rule (SEC-002) at serve.
    ok(&init);
    let o = cmd()
        .args([
            "authority",
            "serve",
            "--data-dir",
            s(&data),
            "--listen",
            "127.0.0.1:0",
        ])
        .env("NETNYM_ADMIN_TOKEN", "aaaaaaaaaaaaaaaaaaaa")
        .output()
        .unwrap();
    let e = process::last_error_line(&o, 2, &"weak token");
    assert!(
        e.starts_with("netnym: invalid admin token: the admin token is too easy to guess"),
        "{e}"
    );
}

#[test]
fn citizens_and_codes_are_listed_shown_and_invalidated() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    let a = ["--data-dir", s(&data)];
    ok(&[&["authority", "init"], &a[..], &["--insecure-fast-kdf"]].concat());
    ok(&[&["authority", "import"], &a[..], &["--synthetic", "3"]].concat());

    let list = json(&[&["authority", "citizens", "list"], &a[..], &["--json"]].concat());
    assert_eq!(list["total"], 3);
    let ids: Vec<_> = list["citizens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["citizen_id"].as_str().unwrap().to_owned(),
                c["revocation_id"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("C00000001".into(), 1),
            ("C00000002".into(), 2),
            ("C00000003".into(), 3)
        ]
    );
    let text = ok(&[
        &["authority", "citizens", "list"],
        &a[..],
        &["--offset", "1", "--limit", "1"],
    ]
    .concat());
    assert!(
        text.contains("C00000002") && !text.contains("C00000001"),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with("1 of 3 citizens (from 2)"),
        "{text}"
    );

    let show = json(
        &[
            &["authority", "citizens", "show"],
            &a[..],
            &["--citizen", "C00000002", "--json"],
        ]
        .concat(),
    );
    assert_eq!(show["revocation_id"], 2);
    assert_eq!(show["revoked"], false);
    assert_eq!(
        show["attributes"]["nationality"].as_str().map(str::len),
        Some(3)
    );
    assert_eq!(show["credentials"], serde_json::json!([]));
    let e = err(
        &[
            &["authority", "citizens", "show"],
            &a[..],
            &["--citizen", "C99999999"],
        ]
        .concat(),
        2,
    );
    assert_eq!(e, "netnym: unknown citizen \"C99999999\"");

    let code = |c: &str| ok(&[&["authority", "enroll-code"], &a[..], &["--citizen", c]].concat());
    let (c1, _c2, _c3) = (code("C00000001"), code("C00000001"), code("C00000002"));
    let codes = json(&[&["authority", "codes", "list"], &a[..], &["--json"]].concat());
    let codes = codes["codes"].as_array().unwrap();
    assert_eq!(codes.len(), 3);
    assert!(codes.iter().all(|c| c["status"] == "open"));
    // The listing never shows a code.
    let text = ok(&[&["authority", "codes", "list"], &a[..]].concat());
    assert!(!text.contains(c1.trim()), "{text}");
    let mine = json(
        &[
            &["authority", "codes", "list"],
            &a[..],
            &["--citizen", "C00000001", "--json"],
        ]
        .concat(),
    );
    let mine = mine["codes"].as_array().unwrap();
    assert_eq!(mine.len(), 2);

    let id = mine[0]["code_id"].as_str().unwrap();
    let out = ok(&[
        &["authority", "codes", "invalidate"],
        &a[..],
        &["--code-id", id],
    ]
    .concat());
    assert_eq!(out.trim(), format!("invalidated code {id} of C00000001"));
    let e = err(
        &[
            &["authority", "codes", "invalidate"],
            &a[..],
            &["--code-id", id],
        ]
        .concat(),
        1,
    );
    assert_eq!(e, format!("netnym: no open enrollment code matches {id}"));
    let e = err(
        &[
            &["authority", "codes", "invalidate"],
            &a[..],
            &["--code-id", "12ab"],
        ]
        .concat(),
        2,
    );
    assert!(
        e.starts_with("netnym: a code id is 16 to 64 hex digits"),
        "{e}"
    );
    let out = ok(&[
        &["authority", "codes", "invalidate"],
        &a[..],
        &["--citizen", "C00000001"],
    ]
    .concat());
    assert_eq!(out.trim(), "invalidated 1 open codes of C00000001");
    let show = json(
        &[
            &["authority", "citizens", "show"],
            &a[..],
            &["--citizen", "C00000001", "--json"],
        ]
        .concat(),
    );
    let states = field_of_each(&show["codes"], "status");
    assert_eq!(states, ["invalidated", "invalidated"]);

    // An invalidated code is refused by the service: 410 enrollment-code-invalidated.
    let authority = serve_authority(&a);
    let wallet = d.path().join("w.nnw");
    ok(&[
        "wallet",
        "init",
        "--wallet",
        s(&wallet),
        "--insecure-fast-kdf",
    ]);
    let e = err(
        &[
            "wallet",
            "enroll",
            "--wallet",
            s(&wallet),
            "--authority",
            &authority.1,
            "--code",
            c1.trim(),
        ],
        1,
    );
    assert!(e.contains("410 enrollment-code-invalidated"), "{e}");
}

fn enroll(
    dir: &Path,
    name: &str,
    a: &[&str],
    authority: &str,
    citizen: &str,
) -> std::path::PathBuf {
    let wallet = dir.join(format!("{name}.nnw"));
    ok(&[
        "wallet",
        "init",
        "--wallet",
        s(&wallet),
        "--insecure-fast-kdf",
    ]);
    let code = ok(&[&["authority", "enroll-code"], a, &["--citizen", citizen]].concat());
    ok(&[
        "wallet",
        "enroll",
        "--wallet",
        s(&wallet),
        "--authority",
        authority,
        "--code",
        code.trim(),
    ]);
    wallet
}

fn platform(dir: &Path, bundle: &Path, keys: &[String]) -> Service {
    let policy = dir.join("policy.json");
    std::fs::write(
        &policy,
        serde_json::json!({
            "verifier_id": "shop.example", "issuer_key_ids": keys,
            "predicates": [{"age_at_least": 18}], "pseudonym": true, "validity_seconds": 300
        })
        .to_string(),
    )
    .unwrap();
    let vdata = dir.join(format!("platform-{}", keys.len()));
    spawn(&[
        "verifier",
        "serve",
        "--data-dir",
        s(&vdata),
        "--policy",
        s(&policy),
        "--issuer",
        s(bundle),
        "--listen",
        "127.0.0.1:0",
    ])
}

fn present(wallet: &Path, platform: &Service) -> Output {
    run(&[
        "wallet",
        "present",
        "--wallet",
        s(wallet),
        "--verifier",
        &platform.1,
        "--yes",
    ])
}

#[test]
fn keys_rotate_and_retire_with_enrollments_under_each_key() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    let bundle = data.join("public").join("issuer.json");
    let a = ["--data-dir", s(&data)];
    ok(&[&["authority", "init"], &a[..], &["--insecure-fast-kdf"]].concat());
    ok(&[&["authority", "import"], &a[..], &["--synthetic", "2"]].concat());
    let first = bundle_key_ids(&bundle);
    assert_eq!(first.len(), 1);

    let authority = serve_authority(&a);
    let old = enroll(d.path(), "old", &a, &authority.1, "C00000001");
    drop(authority);

    // Rotation needs the passphrase.
    let o = cmd()
        .args([&["authority", "keys", "rotate"], &a[..]].concat())
        .env("NETNYM_AUTHORITY_PASSPHRASE", "a wrong but long passphrase")
        .output()
        .unwrap();
    let e = process::last_error_line(&o, 1, &"wrong passphrase");
    assert_eq!(
        e,
        "netnym: authority keys: wrong passphrase for the authority keys"
    );
    let out = ok(&[&["authority", "keys", "rotate"], &a[..]].concat());
    assert!(out.starts_with("new issuer key "), "{out}");
    let both = bundle_key_ids(&bundle);
    assert_eq!(both.len(), 2);
    assert_eq!(both[0], first[0]);
    let keys = json(&[&["authority", "keys", "list"], &a[..], &["--json"]].concat());
    let states = field_of_each(&keys["issuer_keys"], "state");
    assert_eq!(states, ["accepted", "current"]);

    // After a restart the authority publishes both and issues with the new key.
    let authority = serve_authority(&a);
    let new = enroll(d.path(), "new", &a, &authority.1, "C00000002");
    for (citizen, key) in [("C00000001", &both[0]), ("C00000002", &both[1])] {
        let show = json(
            &[
                &["authority", "citizens", "show"],
                &a[..],
                &["--citizen", citizen, "--json"],
            ]
            .concat(),
        );
        assert_eq!(
            show["credentials"][0]["issuer_key_id"].as_str(),
            Some(key.as_str()),
            "{citizen}"
        );
    }
    drop(authority);

    // A platform accepting both keys signs in both citizens.
    let both_platform = platform(d.path(), &bundle, &both);
    for w in [&old, &new] {
        let o = present(w, &both_platform);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    drop(both_platform);

    // The current key is never retired; the old one is, and leaves the public data.
    let e = err(
        &[
            &["authority", "keys", "retire"],
            &a[..],
            &["--key-id", &both[1]],
        ]
        .concat(),
        1,
    );
    assert!(
        e.contains("is the current key: rotate to a new key before retiring it"),
        "{e}"
    );
    ok(&[
        &["authority", "keys", "retire"],
        &a[..],
        &["--key-id", &both[0]],
    ]
    .concat());
    assert_eq!(bundle_key_ids(&bundle), [both[1].clone()]);
    let e = err(
        &[
            &["authority", "keys", "retire"],
            &a[..],
            &["--key-id", &both[0]],
        ]
        .concat(),
        1,
    );
    assert!(e.ends_with("is already retired"), "{e}");

    // A platform on the new public data: the old credential no longer signs in.
    let new_platform = platform(d.path(), &bundle, &[both[1].clone()]);
    let o = present(&new, &new_platform);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // (The platform's request names only the new key, so the wallet has nothing to show.)
    let e = process::last_error_line(&present(&old, &new_platform), 1, &"old credential");
    assert_eq!(
        e,
        "netnym: the wallet cannot satisfy this request: query 1: cred-1: its issuer key is not accepted"
    );

    let keys = json(&[&["authority", "keys", "list"], &a[..], &["--json"]].concat());
    let states = field_of_each(&keys["issuer_keys"], "state");
    assert_eq!(states, ["retired", "current"]);

    // Restarted, the authority re-enrolls the first citizen under the new key.
    let authority = serve_authority(&a);
    let again = enroll(d.path(), "again", &a, &authority.1, "C00000001");
    drop(authority);
    let o = present(&again, &new_platform);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn backup_and_restore_a_sqlite_authority() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    let a = ["--data-dir", s(&data)];
    ok(&[&["authority", "init"], &a[..], &["--insecure-fast-kdf"]].concat());
    ok(&[&["authority", "import"], &a[..], &["--synthetic", "4"]].concat());
    ok(&[
        &["authority", "enroll-code"],
        &a[..],
        &["--citizen", "C00000003"],
    ]
    .concat());
    let backup = d.path().join("authority.backup");
    // While the service runs.
    let authority = serve_authority(&a);
    let out = ok(&[&["authority", "backup"], &a[..], &["--out", s(&backup)]].concat());
    assert_eq!(out.trim(), format!("backed up to {}", backup.display()));
    drop(authority);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // An existing file is not overwritten.
    let e = err(
        &[&["authority", "backup"], &a[..], &["--out", s(&backup)]].concat(),
        1,
    );
    assert!(
        e.starts_with("netnym: cannot create the backup file"),
        "{e}"
    );

    let restored = d.path().join("restored");
    let out = ok(&[
        "authority",
        "restore",
        "--data-dir",
        s(&restored),
        "--from",
        s(&backup),
    ]);
    assert!(out.trim().ends_with("(4 citizens)"), "{out}");
    let r = ["--data-dir", s(&restored)];
    let list = json(&[&["authority", "citizens", "list"], &r[..], &["--json"]].concat());
    assert_eq!(list["total"], 4);
    let codes = json(&[&["authority", "codes", "list"], &r[..], &["--json"]].concat());
    assert_eq!(codes["codes"][0]["citizen_id"], "C00000003");
    // The restored authority unseals its keys and serves.
    let authority = serve_authority(&r);
    drop(authority);

    // Never over a database, never from a file that is not one; nothing left behind.
    let e = err(
        &[
            "authority",
            "restore",
            "--data-dir",
            s(&restored),
            "--from",
            s(&backup),
        ],
        2,
    );
    assert!(
        e.ends_with("already exists: restore only into a data directory without a database"),
        "{e}"
    );
    let junk = d.path().join("junk");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let target = d.path().join("from-junk");
    let e = err(
        &[
            "authority",
            "restore",
            "--data-dir",
            s(&target),
            "--from",
            s(&junk),
        ],
        2,
    );
    assert!(
        e.starts_with(&format!(
            "netnym: {} is not a usable NetNym backup",
            junk.display()
        )),
        "{e}"
    );
    assert!(!target.exists());

    // PostgreSQL: pg_dump.
    let e = err(
        &[
            "authority",
            "backup",
            "--database",
            "postgres://db.example/netnym",
            "--out",
            s(&d.path().join("x")),
        ],
        2,
    );
    assert!(e.contains("back it up with pg_dump"), "{e}");
}

#[test]
fn verifier_without_an_epoch_source_names_the_missing_option() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    let bundle = data.join("public").join("issuer.json");
    ok(&[
        "authority",
        "init",
        "--data-dir",
        s(&data),
        "--insecure-fast-kdf",
    ]);
    let policy = d.path().join("policy.json");
    std::fs::write(
        &policy,
        serde_json::json!({
            "verifier_id": "shop.example", "issuer_key_ids": bundle_key_ids(&bundle),
            "pseudonym": true, "non_revoked": true, "validity_seconds": 300
        })
        .to_string(),
    )
    .unwrap();
    let e = err(
        &[
            "verifier",
            "serve",
            "--data-dir",
            s(&d.path().join("v")),
            "--policy",
            s(&policy),
            "--issuer",
            s(&bundle),
            "--listen",
            "127.0.0.1:0",
        ],
        2,
    );
    assert!(
        e.starts_with("netnym: the policy asks for non-revocation (non_revoked = true) but no --authority URL"),
        "{e}"
    );
}
