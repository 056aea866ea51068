//! The encrypted wallet file (format version 1).
//!
//! ```text
//! offset size field
//!      0    8 magic "NNWALLET"
//!      8    2 format version, u16 little-endian (1)
//!     10    1 KDF id (1 = Argon2id, version 0x13)
//!     11    1 AEAD id (1 = XChaCha20-Poly1305)
//!     12    4 Argon2 m_cost in KiB, u32 LE
//!     16    4 Argon2 t_cost (passes), u32 LE
//!     20    4 Argon2 p_cost (lanes), u32 LE
//!     24   16 salt
//!     40   24 nonce
//!     64   16 key check: SHA-256("NetNym-v1:wallet:check" || master)[..16]
//!     80    4 ciphertext length (plaintext + 16-byte tag), u32 LE
//!     84   16 header checksum: SHA-256(bytes 0..84)[..16]
//!    100    n ciphertext; associated data = bytes 0..100
//! ```
//!
//! `master = Argon2id(password, salt, m, t, p)` (32 bytes); the AEAD key is
//! `SHA-256("NetNym-v1:wallet:key" || master)`. Opening checks, in order: size limit, magic,
//! version, header checksum (accidental damage), algorithm ids and KDF bounds, total length
//! (truncation), key check (wrong password), then the AEAD tag over header and ciphertext
//! (tampering). Every save draws a fresh nonce; the salt changes only with the password.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{KdfParamsError, OpenError, SaveError};
use crate::secret::Password;

const MAGIC: &[u8; 8] = b"NNWALLET";
/// The wallet file format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;
const KDF_ARGON2ID: u8 = 1;
const AEAD_XCHACHA20POLY1305: u8 = 1;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const CHECK_LEN: usize = 16;
const TAG_LEN: usize = 16;
/// Header length in bytes.
pub const HEADER_LEN: usize = 100;
/// Largest wallet file accepted, in bytes.
pub const MAX_WALLET_BYTES: u64 = 16 * 1024 * 1024;

/// Argon2id parameters, stored in the file header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
}

impl KdfParams {
    /// Bounds accepted when creating or opening a wallet: memory 8 KiB..=2 GiB, passes 1..=64,
    /// lanes 1..=16. The upper bounds stop a crafted header from exhausting memory or time.
    pub const M_COST_BOUNDS: (u32, u32) = (8, 2 * 1024 * 1024);
    /// See [`KdfParams::M_COST_BOUNDS`].
    pub const T_COST_BOUNDS: (u32, u32) = (1, 64);
    /// See [`KdfParams::M_COST_BOUNDS`].
    pub const P_COST_BOUNDS: (u32, u32) = (1, 16);

    /// The default: 64 MiB, 3 passes, 1 lane (RFC 9106 §4 second recommended option with the
    /// lane count of this single-threaded implementation).
    pub const DEFAULT: Self = Self {
        m_cost_kib: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    };

    /// **Insecure: for tests and demos only.** 64 KiB, 1 pass: milliseconds instead of a
    /// fraction of a second; a stolen file falls to a password search quickly.
    pub const INSECURE_FAST: Self = Self {
        m_cost_kib: 64,
        t_cost: 1,
        p_cost: 1,
    };

    /// Custom parameters.
    ///
    /// # Errors
    /// [`KdfParamsError::OutOfBounds`] outside the bounds above (and `m >= 8 * p`).
    pub fn new(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> Result<Self, KdfParamsError> {
        let check = |name, value, (min, max): (u32, u32)| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(KdfParamsError::OutOfBounds {
                    name,
                    value,
                    min,
                    max,
                })
            }
        };
        check("t_cost", t_cost, Self::T_COST_BOUNDS)?;
        check("p_cost", p_cost, Self::P_COST_BOUNDS)?;
        let m_min = Self::M_COST_BOUNDS.0.max(8 * p_cost);
        check("m_cost_kib", m_cost_kib, (m_min, Self::M_COST_BOUNDS.1))?;
        Ok(Self {
            m_cost_kib,
            t_cost,
            p_cost,
        })
    }

    /// Memory in KiB.
    #[must_use]
    pub fn m_cost_kib(&self) -> u32 {
        self.m_cost_kib
    }
    /// Passes.
    #[must_use]
    pub fn t_cost(&self) -> u32 {
        self.t_cost
    }
    /// Lanes.
    #[must_use]
    pub fn p_cost(&self) -> u32 {
        self.p_cost
    }
}

/// The derived file key with the header values it was derived from.
pub(crate) struct FileKey {
    kdf: KdfParams,
    salt: [u8; SALT_LEN],
    aead_key: Zeroizing<[u8; 32]>,
    check: [u8; CHECK_LEN],
}

impl FileKey {
    pub(crate) fn derive(
        password: &Password,
        kdf: KdfParams,
        salt: [u8; SALT_LEN],
    ) -> Result<Self, &'static str> {
        let params = Params::new(kdf.m_cost_kib, kdf.t_cost, kdf.p_cost, Some(32))
            .map_err(|_| "argon2 parameters")?;
        let mut master = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(password.as_bytes(), &salt, &mut *master)
            .map_err(|_| "argon2 derivation")?;
        let mut aead_key = Zeroizing::new([0u8; 32]);
        let mut h = Sha256::new();
        h.update(b"NetNym-v1:wallet:key");
        h.update(master.as_slice());
        aead_key.copy_from_slice(&h.finalize());
        let mut h = Sha256::new();
        h.update(b"NetNym-v1:wallet:check");
        h.update(master.as_slice());
        let mut check = [0u8; CHECK_LEN];
        check.copy_from_slice(&h.finalize()[..CHECK_LEN]);
        Ok(Self {
            kdf,
            salt,
            aead_key,
            check,
        })
    }

    pub(crate) fn new_random(
        rng: &mut (impl RngCore + CryptoRng),
        password: &Password,
        kdf: KdfParams,
    ) -> Result<Self, &'static str> {
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        Self::derive(password, kdf, salt)
    }

    pub(crate) fn kdf(&self) -> KdfParams {
        self.kdf
    }
}

fn header(key: &FileKey, nonce: &[u8; NONCE_LEN], ct_len: u32) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[0..8].copy_from_slice(MAGIC);
    h[8..10].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h[10] = KDF_ARGON2ID;
    h[11] = AEAD_XCHACHA20POLY1305;
    h[12..16].copy_from_slice(&key.kdf.m_cost_kib.to_le_bytes());
    h[16..20].copy_from_slice(&key.kdf.t_cost.to_le_bytes());
    h[20..24].copy_from_slice(&key.kdf.p_cost.to_le_bytes());
    h[24..40].copy_from_slice(&key.salt);
    h[40..64].copy_from_slice(nonce);
    h[64..80].copy_from_slice(&key.check);
    h[80..84].copy_from_slice(&ct_len.to_le_bytes());
    let sum = Sha256::digest(&h[..84]);
    h[84..100].copy_from_slice(&sum[..16]);
    h
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut x = [0u8; 4];
    x.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(x)
}

/// Encrypt `plaintext` into the complete file bytes.
pub(crate) fn seal(
    rng: &mut (impl RngCore + CryptoRng),
    key: &FileKey,
    plaintext: &[u8],
) -> Result<Vec<u8>, &'static str> {
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let ct_len = u32::try_from(plaintext.len() + TAG_LEN).map_err(|_| "wallet too large")?;
    if u64::from(ct_len) + HEADER_LEN as u64 > MAX_WALLET_BYTES {
        return Err("wallet contents exceed the file size limit");
    }
    let h = header(key, &nonce, ct_len);
    let mut buf = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
    buf.extend_from_slice(plaintext);
    XChaCha20Poly1305::new((&*key.aead_key).into())
        .encrypt_in_place(XNonce::from_slice(&nonce), &h, &mut *buf)
        .map_err(|_| "encryption")?;
    let mut out = Vec::with_capacity(HEADER_LEN + buf.len());
    out.extend_from_slice(&h);
    out.extend_from_slice(&buf);
    Ok(out)
}

/// Read and decrypt a wallet file: the plaintext and the key (kept to save again).
pub(crate) fn open(
    path: &Path,
    password: &Password,
) -> Result<(Zeroizing<Vec<u8>>, FileKey), OpenError> {
    let io = |source| OpenError::Io {
        path: path.to_owned(),
        source,
    };
    let len = fs::metadata(path).map_err(io)?.len();
    if len > MAX_WALLET_BYTES {
        return Err(OpenError::Corrupted("file is larger than the 16 MiB limit"));
    }
    let bytes = fs::read(path).map_err(io)?;
    unseal(path, &bytes, password)
}

pub(crate) fn unseal(
    path: &Path,
    bytes: &[u8],
    password: &Password,
) -> Result<(Zeroizing<Vec<u8>>, FileKey), OpenError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(OpenError::NotAWallet {
            path: path.to_owned(),
        });
    }
    if bytes.len() < HEADER_LEN {
        return Err(OpenError::Truncated {
            expected: HEADER_LEN as u64,
            actual: bytes.len() as u64,
        });
    }
    let h = &bytes[..HEADER_LEN];
    let version = u16::from_le_bytes([h[8], h[9]]);
    if version != FORMAT_VERSION {
        return Err(OpenError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if Sha256::digest(&h[..84])[..16] != h[84..100] {
        return Err(OpenError::Corrupted("header checksum does not match"));
    }
    if h[10] != KDF_ARGON2ID || h[11] != AEAD_XCHACHA20POLY1305 {
        return Err(OpenError::Corrupted("unknown KDF or cipher id"));
    }
    let kdf = KdfParams::new(u32_at(h, 12), u32_at(h, 16), u32_at(h, 20))
        .map_err(|_| OpenError::Corrupted("key derivation parameters out of bounds"))?;
    let ct_len = u32_at(h, 80);
    if (ct_len as usize) < TAG_LEN {
        return Err(OpenError::Corrupted("ciphertext length is too small"));
    }
    let expected = HEADER_LEN as u64 + u64::from(ct_len);
    let actual = bytes.len() as u64;
    if actual < expected {
        return Err(OpenError::Truncated { expected, actual });
    }
    if actual > expected {
        return Err(OpenError::Corrupted("trailing bytes after the ciphertext"));
    }
    let mut salt = [0u8; SALT_LEN];
    salt.copy_from_slice(&h[24..40]);
    let key = FileKey::derive(password, kdf, salt)
        .map_err(|_| OpenError::Corrupted("key derivation parameters rejected"))?;
    if !bool::from(key.check.ct_eq(&h[64..80])) {
        return Err(OpenError::WrongPassword);
    }
    let mut buf = Zeroizing::new(bytes[HEADER_LEN..].to_vec());
    XChaCha20Poly1305::new((&*key.aead_key).into())
        .decrypt_in_place(XNonce::from_slice(&h[40..64]), h, &mut *buf)
        .map_err(|_| OpenError::Corrupted("authentication failed (the file was modified)"))?;
    Ok((buf, key))
}

/// Write `bytes` to `path` atomically: a temporary file in the same directory (mode 0600),
/// fsync, rename over `path`, fsync of the directory. On error the old file is untouched and
/// the temporary file is removed. With `create_new`, refuse when `path` exists.
pub(crate) fn write_atomic(
    rng: &mut (impl RngCore + CryptoRng),
    path: &Path,
    bytes: &[u8],
    create_new: bool,
) -> Result<(), SaveError> {
    let io = |source| SaveError::Io {
        path: path.to_owned(),
        source,
    };
    if create_new && fs::symlink_metadata(path).is_ok() {
        return Err(SaveError::AlreadyExists(path.to_owned()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io(std::io::Error::other("wallet path has no file name")))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{:016x}",
        name.to_string_lossy(),
        rng.next_u64()
    ));
    let result = (|| {
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        if create_new {
            // Link instead of rename so a file created meanwhile is never replaced.
            fs::hard_link(&tmp, path)?;
            fs::remove_file(&tmp)?;
        } else {
            fs::rename(&tmp, path)?;
        }
        #[cfg(unix)]
        File::open(&dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::AlreadyExists && create_new {
            SaveError::AlreadyExists(path.to_owned())
        } else {
            io(e)
        }
    })
}

#[cfg(test)]
mod tests;
