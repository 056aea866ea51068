use super::*;
use rand::SeedableRng;

fn rng() -> rand_chacha::ChaCha20Rng {
    rand_chacha::ChaCha20Rng::seed_from_u64(7)
}

fn sealed(pw: &str) -> Vec<u8> {
    let mut rng = rng();
    let key = FileKey::new_random(
        &mut rng,
        &Password::new(pw.into()),
        KdfParams::INSECURE_FAST,
    )
    .unwrap();
    seal(&mut rng, &key, b"{\"hello\":1}").unwrap()
}

fn unseal_err(bytes: &[u8], pw: &str) -> OpenError {
    match unseal(Path::new("w"), bytes, &Password::new(pw.into())) {
        Err(e) => e,
        Ok(_) => panic!("expected an error"),
    }
}

#[test]
fn seal_then_unseal() {
    let bytes = sealed("correct horse");
    assert_eq!(&bytes[..8], b"NNWALLET");
    assert_eq!(bytes.len(), HEADER_LEN + 11 + TAG_LEN);
    let (pt, key) = unseal(
        Path::new("w"),
        &bytes,
        &Password::new("correct horse".into()),
    )
    .unwrap();
    assert_eq!(pt.as_slice(), b"{\"hello\":1}");
    assert_eq!(key.kdf(), KdfParams::INSECURE_FAST);
}

#[test]
fn wrong_password_is_reported_as_such() {
    assert!(matches!(
        unseal_err(&sealed("correct horse"), "wrong horse"),
        OpenError::WrongPassword
    ));
}

#[test]
fn every_tampered_ciphertext_byte_is_rejected() {
    let bytes = sealed("correct horse");
    for i in HEADER_LEN..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        assert!(
            matches!(
                unseal_err(&b, "correct horse"),
                OpenError::Corrupted("authentication failed (the file was modified)")
            ),
            "byte {i}"
        );
    }
}

#[test]
fn tampered_header_is_rejected() {
    let bytes = sealed("correct horse");
    // Any header byte after the magic: caught by the version, the checksum or the AEAD.
    for i in 8..HEADER_LEN {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        let e = unseal_err(&b, "correct horse");
        assert!(
            matches!(
                e,
                OpenError::Corrupted("header checksum does not match")
                    | OpenError::UnsupportedVersion { .. }
            ),
            "byte {i}: {e}"
        );
    }
    // A header rewritten with a valid checksum (a deliberate edit of the nonce) still fails
    // the AEAD, because the whole header is associated data.
    let mut b = bytes.clone();
    b[40] ^= 0x01;
    let sum = Sha256::digest(&b[..84]);
    b[84..100].copy_from_slice(&sum[..16]);
    assert!(matches!(
        unseal_err(&b, "correct horse"),
        OpenError::Corrupted("authentication failed (the file was modified)")
    ));
    // Raising the KDF memory beyond the bound (with a valid checksum) is refused before
    // any derivation runs.
    let mut b = bytes;
    b[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    let sum = Sha256::digest(&b[..84]);
    b[84..100].copy_from_slice(&sum[..16]);
    assert!(matches!(
        unseal_err(&b, "correct horse"),
        OpenError::Corrupted("key derivation parameters out of bounds")
    ));
}

#[test]
fn truncation_and_garbage_are_reported() {
    let bytes = sealed("correct horse");
    assert!(matches!(
        unseal_err(&bytes[..bytes.len() - 1], "correct horse"),
        OpenError::Truncated { expected, actual } if expected == bytes.len() as u64 && actual == expected - 1
    ));
    assert!(matches!(
        unseal_err(&bytes[..50], "correct horse"),
        OpenError::Truncated {
            expected: 100,
            actual: 50
        }
    ));
    assert!(matches!(unseal_err(b"", "x"), OpenError::NotAWallet { .. }));
    assert!(matches!(
        unseal_err(b"{\"not\":\"a wallet\"}", "x"),
        OpenError::NotAWallet { .. }
    ));
    let mut long = bytes;
    long.push(0);
    assert!(matches!(
        unseal_err(&long, "correct horse"),
        OpenError::Corrupted("trailing bytes after the ciphertext")
    ));
}

#[test]
fn kdf_bounds() {
    assert!(KdfParams::new(8, 1, 1).is_ok());
    assert_eq!(
        KdfParams::new(8, 1, 2),
        Err(KdfParamsError::OutOfBounds {
            name: "m_cost_kib",
            value: 8,
            min: 16,
            max: 2 * 1024 * 1024
        })
    );
    assert!(KdfParams::new(1024, 0, 1).is_err());
    assert!(KdfParams::new(1024, 1, 17).is_err());
    assert!(KdfParams::new(3 * 1024 * 1024, 1, 1).is_err());
}

#[test]
fn atomic_write_creates_0600_and_never_overwrites_on_create() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("w.nnw");
    let mut rng = rng();
    write_atomic(&mut rng, &p, b"one", true).unwrap();
    assert!(matches!(
        write_atomic(&mut rng, &p, b"two", true),
        Err(SaveError::AlreadyExists(_))
    ));
    assert_eq!(fs::read(&p).unwrap(), b"one");
    write_atomic(&mut rng, &p, b"three", false).unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"three");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // No temporary file is left behind.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}
