//! One-time enrollment codes and the credentials issued with them.

use sqlx::AnyConnection;

use super::{affected, col, db_err, i, u, Backend, Store};
use crate::error::{EnrollmentError, StoreError};
use crate::model::{EnrollmentCodeRecord, IssuedCredential, NewIssuedCredential};

/// The code's record if it is usable at `now`, else why not; with `lock`, the row stays locked
/// until the transaction ends (PostgreSQL; SQLite's write transaction already excludes others).
async fn code_state(
    conn: &mut AnyConnection,
    backend: Backend,
    code_hash: &[u8; 32],
    now: u64,
    lock: bool,
) -> Result<EnrollmentCodeRecord, EnrollmentError> {
    let sql = format!(
        "SELECT citizen_id, created_at, expires_at, consumed_at, offer, invalidated_at
         FROM enrollment_codes WHERE code_hash = $1{}",
        if lock { backend.for_update() } else { "" }
    );
    let row = sqlx::query(&sql)
        .bind(&code_hash[..])
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?
        .ok_or(EnrollmentError::UnknownCode)?;
    if col::<Option<i64>>(&row, 3)?.is_some() {
        return Err(EnrollmentError::AlreadyUsed);
    }
    if col::<Option<i64>>(&row, 5)?.is_some() {
        return Err(EnrollmentError::Invalidated);
    }
    let expires_at = u(col(&row, 2)?)?;
    if now >= expires_at {
        return Err(EnrollmentError::Expired);
    }
    Ok(EnrollmentCodeRecord {
        citizen_id: col(&row, 0)?,
        created_at: u(col(&row, 1)?)?,
        expires_at,
        offer: col(&row, 4)?,
    })
}

impl Store {
    /// Store a new code (by its hash) for a citizen.
    ///
    /// # Errors
    /// [`EnrollmentError::UnknownCitizen`]; [`EnrollmentError::Store`].
    pub async fn add_enrollment_code(
        &self,
        code_hash: &[u8; 32],
        citizen_id: &str,
        created_at: u64,
        expires_at: u64,
    ) -> Result<(), EnrollmentError> {
        let mut tx = self.begin().await?;
        let known = sqlx::query("SELECT 1 FROM citizens WHERE citizen_id = $1")
            .bind(citizen_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        if known.is_none() {
            return Err(EnrollmentError::UnknownCitizen(citizen_id.to_owned()));
        }
        sqlx::query(
            "INSERT INTO enrollment_codes (code_hash, citizen_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&code_hash[..])
        .bind(citizen_id)
        .bind(i(created_at)?)
        .bind(i(expires_at)?)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(())
    }

    /// The code's record, if it can still be used at `now` (strictly before `expires_at`).
    ///
    /// # Errors
    /// [`EnrollmentError::UnknownCode`], [`EnrollmentError::Expired`],
    /// [`EnrollmentError::AlreadyUsed`], [`EnrollmentError::Invalidated`],
    /// [`EnrollmentError::Store`].
    pub async fn enrollment_code(
        &self,
        code_hash: &[u8; 32],
        now: u64,
    ) -> Result<EnrollmentCodeRecord, EnrollmentError> {
        let mut conn = self.pool().acquire().await.map_err(db_err)?;
        code_state(&mut conn, self.dialect(), code_hash, now, false).await
    }

    /// Remember `offer` (replacing any earlier one) for a usable code.
    ///
    /// # Errors
    /// As [`Store::enrollment_code`].
    pub async fn set_enrollment_offer(
        &self,
        code_hash: &[u8; 32],
        offer: &[u8],
        now: u64,
    ) -> Result<EnrollmentCodeRecord, EnrollmentError> {
        let mut tx = self.begin().await?;
        let mut rec = code_state(&mut tx, self.dialect(), code_hash, now, true).await?;
        sqlx::query("UPDATE enrollment_codes SET offer = $1 WHERE code_hash = $2")
            .bind(offer)
            .bind(&code_hash[..])
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        rec.offer = Some(offer.to_vec());
        Ok(rec)
    }

    /// Redeem a code: in **one transaction**, mark it used (only if unused, unexpired and its
    /// stored offer equals `offer`) and record the issued credential. At most one caller ever
    /// succeeds for a code (the code's row is locked, or on SQLite the database's write lock
    /// held, from the check to the commit); on any error nothing changed.
    ///
    /// # Errors
    /// [`EnrollmentError::UnknownCode`], [`EnrollmentError::Expired`],
    /// [`EnrollmentError::AlreadyUsed`], [`EnrollmentError::NoOffer`] (offer missing or
    /// replaced), [`EnrollmentError::Store`].
    pub async fn redeem_enrollment_code(
        &self,
        code_hash: &[u8; 32],
        offer: &[u8],
        now: u64,
        record: &NewIssuedCredential,
    ) -> Result<IssuedCredential, EnrollmentError> {
        let mut tx = self.begin().await?;
        let rec = code_state(&mut tx, self.dialect(), code_hash, now, true).await?;
        if rec.offer.as_deref() != Some(offer) {
            return Err(EnrollmentError::NoOffer);
        }
        let r = sqlx::query(
            "UPDATE enrollment_codes SET consumed_at = $1
             WHERE code_hash = $2 AND consumed_at IS NULL AND invalidated_at IS NULL",
        )
        .bind(i(now)?)
        .bind(&code_hash[..])
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if affected(&r) != 1 {
            return Err(EnrollmentError::AlreadyUsed);
        }
        let row = sqlx::query("SELECT revocation_id FROM citizens WHERE citizen_id = $1")
            .bind(rec.citizen_id.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        let rid: i64 = col(&row, 0)?;
        let row = sqlx::query(
            "INSERT INTO issued_credentials
                (citizen_id, key_id, revocation_id, issued_at, code_hash)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(rec.citizen_id.as_str())
        .bind(record.key_id.as_str())
        .bind(rid)
        .bind(i(record.issued_at)?)
        .bind(&code_hash[..])
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let id = u(col(&row, 0)?)?;
        tx.commit().await.map_err(db_err)?;
        Ok(IssuedCredential {
            id,
            citizen_id: rec.citizen_id,
            key_id: record.key_id.clone(),
            revocation_id: u(rid)?,
            issued_at: record.issued_at,
        })
    }

    /// Credentials issued to a citizen, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn issued_credentials(
        &self,
        citizen_id: &str,
    ) -> Result<Vec<IssuedCredential>, StoreError> {
        sqlx::query(
            "SELECT id, citizen_id, key_id, revocation_id, issued_at FROM issued_credentials
             WHERE citizen_id = $1 ORDER BY id",
        )
        .bind(citizen_id)
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(IssuedCredential {
                id: u(col(r, 0)?)?,
                citizen_id: col(r, 1)?,
                key_id: col(r, 2)?,
                revocation_id: u(col(r, 3)?)?,
                issued_at: u(col(r, 4)?)?,
            })
        })
        .collect()
    }

    /// Number of issued credentials.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn issued_credential_count(&self) -> Result<u64, StoreError> {
        self.count("SELECT count(*) FROM issued_credentials").await
    }
}
