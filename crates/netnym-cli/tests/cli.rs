//! Tests of the built `netnym` binary: exit codes, one-line errors, files left untouched.
#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions unwrap fixtures too.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use netnym::*;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

const NOW: u64 = 1_764_000_000;
const PASSWORD: &str = "correct horse battery";

fn netnym(args: &[&str], password: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_netnym"));
    c.args(args)
        .env_remove("NETNYM_WALLET_PASSWORD")
        .env_remove("NETNYM_RECOVERY_PHRASE")
        .stdin(std::process::Stdio::null());
    if let Some(p) = password {
        c.env("NETNYM_WALLET_PASSWORD", p);
    }
    c.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exactly one line on stderr, starting with `netnym: `.
fn assert_one_line_error(o: &Output) {
    let e = stderr(o);
    assert_eq!(e.lines().count(), 1, "stderr: {e:?}");
    assert!(e.starts_with("netnym: "), "stderr: {e:?}");
    assert!(!e.contains("panicked"), "stderr: {e:?}");
}

struct Files {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    issuer: PathBuf,
    request: PathBuf,
    presentation: PathBuf,
}

/// Issuer key, a request for `region` with a pseudonym, and the matching presentation.
fn files() -> Files {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let schema = Schema::cn_network_id_v1();
    let issuer = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema);
    let pk = issuer.public_key().clone();
    let ls = LinkSecret::generate(&mut rng);
    let offer = IssuanceOffer::new(&mut rng, &pk);
    let (req, pending) = BlindIssuanceRequest::new(&mut rng, &pk, &offer, &ls).unwrap();
    let attrs = Attributes::from_json(
        &schema,
        &serde_json::json!({
            "revocation_id": 7, "document_type": "01", "document_number": "310115200001011234",
            "family_name": "Li", "given_name": "Na", "birth_date": "2000-01-01",
            "region": "310115", "nationality": "CHN", "issued_on": "2024-01-01",
            "expires_on": "2034-01-01"
        }),
    )
    .unwrap();
    let resp = issuer.issue_blind(&mut rng, &offer, &req, &attrs).unwrap();
    let cred = pending.finish(&pk, resp, &ls).unwrap();
    let q = CredentialQuery::new(schema.id(), [pk.key_id()], ["region".to_owned()])
        .unwrap()
        .with_predicates([Predicate::AgeAtLeast(18)])
        .unwrap();
    let range = RangeParams::generate(&mut rng, 16).unwrap();
    let ask = PresentationRequest::new(&mut rng, "shop.example", NOW, 300, vec![q])
        .unwrap()
        .with_pseudonym()
        .with_range_params(range.id());
    let p = Presentation::create_with(&mut rng, &ask, &[Holding::new(&cred, &pk)], &ls, &[&range])
        .unwrap();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().to_owned();
    let f = Files {
        issuer: dir.join("issuer.json"),
        request: dir.join("request.json"),
        presentation: dir.join("presentation.json"),
        dir,
        _dir: d,
    };
    // An issuer bundle: the key and the range-proof parameters the request names.
    let bundle = serde_json::json!({
        "type": "netnym-issuer-bundle", "version": 1,
        "issuer_keys": [serde_json::from_slice::<serde_json::Value>(&pk.to_json()).unwrap()],
        "range_params": [serde_json::from_slice::<serde_json::Value>(&range.to_json()).unwrap()],
    });
    fs::write(&f.issuer, bundle.to_string()).unwrap();
    fs::write(f.dir.join("issuer-key.json"), pk.to_json()).unwrap();
    fs::write(&f.request, ask.to_json()).unwrap();
    fs::write(&f.presentation, p.to_json()).unwrap();
    f
}

fn verify(issuer: &Path, request: &Path, presentation: &Path, now: u64) -> Output {
    netnym(
        &[
            "verify",
            "--issuer",
            issuer.to_str().unwrap(),
            "--request",
            request.to_str().unwrap(),
            "--presentation",
            presentation.to_str().unwrap(),
            "--now",
            &now.to_string(),
        ],
        None,
    )
}

#[test]
fn verify_good_files_exit_0_with_claims() {
    let f = files();
    let o = verify(&f.issuer, &f.request, &f.presentation, NOW + 10);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let claims: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(claims["verifier_id"], "shop.example");
    assert_eq!(claims["credentials"][0]["disclosed"]["region"], "310115");
    assert!(claims["credentials"][0]["disclosed"]
        .get("birth_date")
        .is_none());
    assert!(claims["pseudonym"].is_string());
    assert_eq!(
        claims["credentials"][0]["predicates"],
        serde_json::json!([{"age_at_least": 18}])
    );
}

#[test]
fn verify_refused_presentations_exit_1() {
    let f = files();
    // A disclosed value changed by the holder.
    let text = fs::read_to_string(&f.presentation).unwrap();
    assert!(text.contains("\"310115\""));
    let bad = f.dir.join("tampered.json");
    fs::write(&bad, text.replace("\"310115\"", "\"310116\"")).unwrap();
    let o = verify(&f.issuer, &f.request, &bad, NOW);
    assert_eq!(o.status.code(), Some(1));
    assert_one_line_error(&o);
    assert_eq!(
        stderr(&o).trim(),
        "netnym: presentation refused: it does not prove what the request asks"
    );
    assert!(o.stdout.is_empty());

    // The presentation answers another request (fresh nonce).
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let req = PresentationRequest::from_json(&fs::read(&f.request).unwrap()).unwrap();
    let other = PresentationRequest::new(
        &mut rng,
        req.verifier_id(),
        NOW,
        300,
        req.credentials().to_vec(),
    )
    .unwrap()
    .with_pseudonym()
    .with_range_params(req.range_params().unwrap());
    let other_path = f.dir.join("other-request.json");
    fs::write(&other_path, other.to_json()).unwrap();
    let o = verify(&f.issuer, &other_path, &f.presentation, NOW);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_one_line_error(&o);

    // The bare issuer key lacks the range-proof parameters the request names.
    let o = verify(
        &f.dir.join("issuer-key.json"),
        &f.request,
        &f.presentation,
        NOW,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_one_line_error(&o);

    // Another issuer key.
    let key = IssuerPublicKey::from_secret(
        &IssuerSecretKey::generate(&mut rng),
        &Schema::cn_network_id_v1(),
    );
    let key_path = f.dir.join("other-issuer.json");
    fs::write(&key_path, key.to_json()).unwrap();
    let o = verify(&key_path, &f.request, &f.presentation, NOW);
    assert_eq!(o.status.code(), Some(1));

    // Expired request.
    let o = verify(&f.issuer, &f.request, &f.presentation, NOW + 301);
    assert_eq!(o.status.code(), Some(1));
    assert_one_line_error(&o);
    assert!(stderr(&o).contains("expired"), "{}", stderr(&o));
}

#[test]
fn verify_unreadable_or_malformed_inputs_exit_2() {
    let f = files();
    let garbage = f.dir.join("garbage");
    fs::write(&garbage, b"\x00\xff garbage {{{").unwrap();
    let empty = f.dir.join("empty");
    fs::write(&empty, b"").unwrap();
    let huge = f.dir.join("huge");
    fs::write(&huge, vec![b' '; 9 * 1024 * 1024]).unwrap();
    let missing = f.dir.join("missing");
    let wrong_type = f.dir.join("wrong-type");
    fs::write(&wrong_type, fs::read(&f.request).unwrap()).unwrap();
    for bad in [&garbage, &empty, &huge, &missing] {
        for (i, r, p) in [
            (bad, &f.request, &f.presentation),
            (&f.issuer, bad, &f.presentation),
            (&f.issuer, &f.request, bad),
        ] {
            let o = verify(i, r, p, NOW);
            assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
            assert_one_line_error(&o);
            assert!(o.stdout.is_empty());
        }
    }
    // A request where the presentation should be.
    let o = verify(&f.issuer, &f.request, &wrong_type, NOW);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("presentation file"), "{}", stderr(&o));
    // Missing arguments are usage errors (clap), also exit 2.
    let o = netnym(&["verify", "--issuer", "x"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn verify_never_panics_on_mutated_presentations() {
    let f = files();
    let good = fs::read(&f.presentation).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let path = f.dir.join("mutated.json");
    for round in 0..40 {
        let mut b = good.clone();
        match round % 4 {
            0 => {
                let i = (rng.next_u32() as usize) % b.len();
                b[i] = (rng.next_u32() & 0xff) as u8;
            }
            1 => b.truncate((rng.next_u32() as usize) % b.len()),
            2 => {
                let i = (rng.next_u32() as usize) % b.len();
                b.insert(i, b'"');
            }
            _ => {
                let i = (rng.next_u32() as usize) % b.len();
                let j = (rng.next_u32() as usize) % b.len();
                b.swap(i, j);
            }
        }
        fs::write(&path, &b).unwrap();
        let o = verify(&f.issuer, &f.request, &path, NOW);
        let code = o.status.code();
        assert!(
            code == Some(1) || code == Some(2) || (code == Some(0) && b == good),
            "round {round}: {code:?} {}",
            stderr(&o)
        );
        if code != Some(0) {
            assert_one_line_error(&o);
        }
    }
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn wallet_init_list_and_wrong_password() {
    let d = tempfile::tempdir().unwrap();
    let w = d.path().join("w.nnw");
    let ws = w.to_str().unwrap();
    let o = netnym(
        &["wallet", "init", "--wallet", ws, "--insecure-fast-kdf"],
        Some(PASSWORD),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let phrase = out.lines().last().unwrap().to_owned();
    assert_eq!(phrase.split(' ').count(), 24, "{out}");
    #[cfg(unix)]
    assert_eq!(mode(&w), 0o600);

    let o = netnym(&["wallet", "list", "--wallet", ws], Some(PASSWORD));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 credential(s)"));

    // Wrong password: exit 1, one clear line, file bytes unchanged.
    let before = fs::read(&w).unwrap();
    let o = netnym(
        &["wallet", "list", "--wallet", ws],
        Some("not the password"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_one_line_error(&o);
    assert_eq!(stderr(&o).trim(), "netnym: wrong wallet password");
    assert_eq!(fs::read(&w).unwrap(), before);

    // No password and no terminal.
    let o = netnym(&["wallet", "list", "--wallet", ws], None);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        "netnym: no password: set NETNYM_WALLET_PASSWORD or run in a terminal"
    );

    // init never overwrites.
    let o = netnym(
        &["wallet", "init", "--wallet", ws, "--insecure-fast-kdf"],
        Some(PASSWORD),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_one_line_error(&o);
    assert!(stderr(&o).contains("refusing to overwrite"));
    assert_eq!(fs::read(&w).unwrap(), before);

    // A weak password is refused.
    let w2 = d.path().join("w2.nnw");
    let o = netnym(
        &["wallet", "init", "--wallet", w2.to_str().unwrap()],
        Some("short"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).trim(),
        "netnym: password must be at least 8 characters"
    );
    // SEC-003: and an easily guessed one.
    let o = netnym(
        &["wallet", "init", "--wallet", w2.to_str().unwrap()],
        Some("password1"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("netnym: password is too easy to guess (strength "),
        "{}",
        stderr(&o)
    );
    assert!(!w2.exists());
    assert!(!w2.exists());

    // Restore from the phrase into a new file.
    let w3 = d.path().join("w3.nnw");
    let mut c = Command::new(env!("CARGO_BIN_EXE_netnym"));
    let o = c
        .args([
            "wallet",
            "init",
            "--restore",
            "--insecure-fast-kdf",
            "--wallet",
            w3.to_str().unwrap(),
        ])
        .env("NETNYM_WALLET_PASSWORD", PASSWORD)
        .env("NETNYM_RECOVERY_PHRASE", &phrase)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let w4 = d.path().join("w4.nnw");
    let o = Command::new(env!("CARGO_BIN_EXE_netnym"))
        .args([
            "wallet",
            "init",
            "--restore",
            "--insecure-fast-kdf",
            "--wallet",
        ])
        .arg(&w4)
        .env("NETNYM_WALLET_PASSWORD", PASSWORD)
        .env("NETNYM_RECOVERY_PHRASE", phrase.replacen(' ', " zzzz ", 1))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).trim(),
        "netnym: recovery phrase must have 24 words, found 25"
    );
    assert!(!w4.exists());

    // A corrupted wallet file: exit 1 with a clear reason.
    let mut b = before;
    let n = b.len();
    b[n - 1] ^= 1;
    fs::write(&w, &b).unwrap();
    let o = netnym(&["wallet", "list", "--wallet", ws], Some(PASSWORD));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).trim(),
        "netnym: wallet file is corrupted: authentication failed (the file was modified)"
    );
}

#[test]
fn wallet_present_offline_without_credentials_says_why() {
    let f = files();
    let w = f.dir.join("w.nnw");
    let ws = w.to_str().unwrap();
    let o = netnym(
        &["wallet", "init", "--wallet", ws, "--insecure-fast-kdf"],
        Some(PASSWORD),
    );
    assert_eq!(o.status.code(), Some(0));
    let before = fs::read(&w).unwrap();
    let o = netnym(
        &[
            "wallet",
            "present",
            "--wallet",
            ws,
            "--request",
            f.request.to_str().unwrap(),
            "--yes",
        ],
        Some(PASSWORD),
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    // The summary first, then one error line.
    assert!(e.contains("shop.example asks for 1 credential"), "{e}");
    assert!(
        e.lines()
            .last()
            .unwrap()
            .starts_with("netnym: the wallet cannot satisfy this request:"),
        "{e}"
    );
    assert_eq!(fs::read(&w).unwrap(), before);
}

#[test]
fn demo_runs_end_to_end_and_its_files_verify() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let o = netnym(
        &[
            "demo",
            "--insecure-fast-kdf",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{text}\n{}", stderr(&o));
    for needle in [
        "Checked: each platform sees one stable pseudonym per citizen; the 6 pseudonyms are all different",
        "refused (409 nonce-replayed)",
        "its revocation witness is at epoch 0, the request accepts 1..=1",
        "wallet knows: query 1: cred-1: it has been revoked",
        "signed in again to both platforms: same accounts",
        "Summary:",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let o = verify(
        &out.join("issuer.json"),
        &out.join("request.json"),
        &out.join("presentation.json"),
        now(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let claims: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(claims["verifier_id"], "shop.example");
    assert!(claims["pseudonym"].is_string());
    assert_eq!(claims["credentials"][0]["non_revoked"]["min_epoch"], 1);
    // The lab is mounted as `netnym lab`: lint the demo's request.
    let o = netnym(
        &[
            "lab",
            "lint",
            out.join("request.json").to_str().unwrap(),
            "--population",
            "10000",
            "--k",
            "100",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Privacy lint"));
    // The same files with the revoked epoch log cut off: the request names epoch 1, which the
    // verifier then does not know.
    let mut bundle: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("issuer.json")).unwrap()).unwrap();
    bundle["epochs"].as_array_mut().unwrap().truncate(1);
    let cut = out.join("issuer-genesis-only.json");
    fs::write(&cut, bundle.to_string()).unwrap();
    let o = verify(
        &cut,
        &out.join("request.json"),
        &out.join("presentation.json"),
        now(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
