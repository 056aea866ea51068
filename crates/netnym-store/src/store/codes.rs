//! Enrollment codes as operators see them: listing and invalidation. A code is never shown,
//! only its handle (the first bytes of its hash, [`CodeListing::code_id`]).

use sqlx::any::AnyRow;

use super::{affected, col, db_err, i, u, Store};
use crate::error::{InvalidateError, StoreError};
use crate::model::{CodeListing, CodeStatus};

/// Hex digits of a code id in listings (8 bytes of the hash).
const CODE_ID_HEX: usize = 16;

const LISTING: &str = "SELECT code_hash, citizen_id, created_at, expires_at, consumed_at, \
                       invalidated_at FROM enrollment_codes";

fn to_listing(row: &AnyRow, now: u64) -> Result<CodeListing, StoreError> {
    let hash: Vec<u8> = col(row, 0)?;
    let expires_at = u(col(row, 3)?)?;
    let consumed: Option<i64> = col(row, 4)?;
    let invalidated: Option<i64> = col(row, 5)?;
    let (status, closed_at) = match (consumed, invalidated) {
        (Some(t), _) => (CodeStatus::Used, Some(u(t)?)),
        (None, Some(t)) => (CodeStatus::Invalidated, Some(u(t)?)),
        (None, None) if now >= expires_at => (CodeStatus::Expired, None),
        (None, None) => (CodeStatus::Open, None),
    };
    Ok(CodeListing {
        code_id: hex::encode(hash.get(..CODE_ID_HEX / 2).unwrap_or(&hash)),
        citizen_id: col(row, 1)?,
        created_at: u(col(row, 2)?)?,
        expires_at,
        status,
        closed_at,
    })
}

/// The inclusive range of 32-byte hashes that start with the code id `hex_id`.
fn hash_range(hex_id: &str) -> Result<([u8; 32], [u8; 32]), InvalidateError> {
    let bad = || InvalidateError::BadCodeId(hex_id.to_owned());
    if !(CODE_ID_HEX..=64).contains(&hex_id.len()) || hex_id.len() % 2 != 0 {
        return Err(bad());
    }
    let prefix = hex::decode(hex_id.to_ascii_lowercase()).map_err(|_| bad())?;
    let (mut lo, mut hi) = ([0u8; 32], [0xffu8; 32]);
    lo[..prefix.len()].copy_from_slice(&prefix);
    hi[..prefix.len()].copy_from_slice(&prefix);
    Ok((lo, hi))
}

impl Store {
    /// Enrollment codes, newest first: all of them, or one citizen's; at most `limit`.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn enrollment_codes(
        &self,
        citizen_id: Option<&str>,
        now: u64,
        limit: u64,
    ) -> Result<Vec<CodeListing>, StoreError> {
        let limit = i(limit.min(i64::MAX as u64))?;
        let rows = match citizen_id {
            Some(c) => {
                let sql = format!(
                    "{LISTING} WHERE citizen_id = $1 ORDER BY created_at DESC, code_hash LIMIT $2"
                );
                sqlx::query(&sql)
                    .bind(c)
                    .bind(limit)
                    .fetch_all(self.pool())
                    .await
            }
            None => {
                let sql = format!("{LISTING} ORDER BY created_at DESC, code_hash LIMIT $1");
                sqlx::query(&sql).bind(limit).fetch_all(self.pool()).await
            }
        }
        .map_err(db_err)?;
        rows.iter().map(|r| to_listing(r, now)).collect()
    }

    /// Invalidate the open code whose id starts with `code_id` (16 to 64 hex digits): it can
    /// no longer be used. Returns its listing before invalidation.
    ///
    /// # Errors
    /// [`InvalidateError::BadCodeId`], [`InvalidateError::NoOpenCode`] (unknown, used,
    /// expired or already invalidated), [`InvalidateError::Ambiguous`],
    /// [`InvalidateError::Store`].
    pub async fn invalidate_enrollment_code(
        &self,
        code_id: &str,
        now: u64,
    ) -> Result<CodeListing, InvalidateError> {
        let (lo, hi) = hash_range(code_id)?;
        let mut tx = self.begin().await?;
        let sql = format!(
            "{LISTING} WHERE code_hash BETWEEN $1 AND $2 AND consumed_at IS NULL
             AND invalidated_at IS NULL AND expires_at > $3 LIMIT 2"
        );
        let rows = sqlx::query(&sql)
            .bind(&lo[..])
            .bind(&hi[..])
            .bind(i(now)?)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        let row = match rows.as_slice() {
            [] => return Err(InvalidateError::NoOpenCode(code_id.to_owned())),
            [row] => row,
            _ => return Err(InvalidateError::Ambiguous(code_id.to_owned())),
        };
        let listing = to_listing(row, now)?;
        let hash: Vec<u8> = col(row, 0)?;
        let r = sqlx::query(
            "UPDATE enrollment_codes SET invalidated_at = $1
             WHERE code_hash = $2 AND consumed_at IS NULL AND invalidated_at IS NULL",
        )
        .bind(i(now)?)
        .bind(hash)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if affected(&r) != 1 {
            // Used or invalidated between the read and the update (PostgreSQL).
            return Err(InvalidateError::NoOpenCode(code_id.to_owned()));
        }
        tx.commit().await.map_err(db_err)?;
        Ok(listing)
    }

    /// Invalidate every open code of a citizen; returns how many.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn invalidate_citizen_codes(
        &self,
        citizen_id: &str,
        now: u64,
    ) -> Result<u64, StoreError> {
        let r = sqlx::query(
            "UPDATE enrollment_codes SET invalidated_at = $1
             WHERE citizen_id = $2 AND consumed_at IS NULL AND invalidated_at IS NULL
             AND expires_at > $1",
        )
        .bind(i(now)?)
        .bind(citizen_id)
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        Ok(affected(&r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_id_prefix_bounds_the_hash_range() {
        let (lo, hi) = hash_range("00ff00ff00ff00ff").unwrap();
        assert_eq!(&lo[..8], &[0, 0xff, 0, 0xff, 0, 0xff, 0, 0xff]);
        assert_eq!(&hi[..8], &lo[..8]);
        assert!(lo[8..].iter().all(|&b| b == 0));
        assert!(hi[8..].iter().all(|&b| b == 0xff));
        for bad in ["00ff00ff00ff00f", "00ff00ff00ff00fg", "", &"0".repeat(66)] {
            assert!(
                matches!(hash_range(bad), Err(InvalidateError::BadCodeId(_))),
                "{bad}"
            );
        }
    }
}
