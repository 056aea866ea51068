//! A verifier's single-use presentation requests, by nonce.

use super::accounts::upsert_account;
use super::{affected, col, db_err, i, u, Store};
use crate::error::{ConsumeError, PutRequestError, StoreError};
use crate::model::{Account, StoredRequest};

impl Store {
    /// Store an issued request by nonce.
    ///
    /// # Errors
    /// [`PutRequestError::DuplicateNonce`], [`PutRequestError::Invalid`],
    /// [`PutRequestError::Store`].
    pub async fn put_request(
        &self,
        nonce: &[u8],
        verifier_id: &str,
        request: &[u8],
        created_at: u64,
        expires_at: u64,
    ) -> Result<(), PutRequestError> {
        super::check_request_input(nonce, created_at, expires_at)?;
        let r = sqlx::query(
            "INSERT INTO presentation_requests
                (nonce, verifier_id, request, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (nonce) DO NOTHING",
        )
        .bind(nonce)
        .bind(verifier_id)
        .bind(request)
        .bind(i(created_at)?)
        .bind(i(expires_at)?)
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        if affected(&r) == 1 {
            Ok(())
        } else {
            Err(PutRequestError::DuplicateNonce)
        }
    }

    /// The stored request for a nonce (consumed or not, expired or not, until purged).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn request(&self, nonce: &[u8]) -> Result<Option<StoredRequest>, StoreError> {
        sqlx::query(
            "SELECT verifier_id, request, created_at, expires_at, consumed_at
             FROM presentation_requests WHERE nonce = $1",
        )
        .bind(nonce)
        .fetch_optional(self.pool())
        .await
        .map_err(db_err)?
        .map(|r| {
            Ok(StoredRequest {
                nonce: nonce.to_vec(),
                verifier_id: col(&r, 0)?,
                request: col(&r, 1)?,
                created_at: u(col(&r, 2)?)?,
                expires_at: u(col(&r, 3)?)?,
                consumed_at: col::<Option<i64>>(&r, 4)?.map(u).transpose()?,
            })
        })
        .transpose()
    }

    /// Consume the request exactly once and, when `pseudonym` is given, sign in or register the
    /// account `(verifier_id of the request, pseudonym)` in the **same transaction**. Exactly
    /// once also across processes sharing a database: the request's row is locked from the
    /// check to the commit (PostgreSQL `FOR UPDATE`; SQLite's write lock), and the update only
    /// applies to an unconsumed row.
    ///
    /// # Errors
    /// [`ConsumeError::Unknown`], [`ConsumeError::Expired`] (`now > expires_at`),
    /// [`ConsumeError::Replayed`], [`ConsumeError::Store`]. On error nothing changed.
    pub async fn consume_request(
        &self,
        nonce: &[u8],
        now: u64,
        pseudonym: Option<&[u8]>,
    ) -> Result<Option<Account>, ConsumeError> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "SELECT verifier_id, expires_at, consumed_at FROM presentation_requests
             WHERE nonce = $1{}",
            self.dialect().for_update()
        );
        let row = sqlx::query(&sql)
            .bind(nonce)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(ConsumeError::Unknown)?;
        if col::<Option<i64>>(&row, 2)?.is_some() {
            return Err(ConsumeError::Replayed);
        }
        if now > u(col(&row, 1)?)? {
            return Err(ConsumeError::Expired);
        }
        let verifier_id: String = col(&row, 0)?;
        let r = sqlx::query(
            "UPDATE presentation_requests SET consumed_at = $1
             WHERE nonce = $2 AND consumed_at IS NULL",
        )
        .bind(i(now)?)
        .bind(nonce)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if affected(&r) != 1 {
            return Err(ConsumeError::Replayed);
        }
        let account = match pseudonym {
            Some(p) => Some(upsert_account(&mut tx, &verifier_id, p, now).await?),
            None => None,
        };
        tx.commit().await.map_err(db_err)?;
        Ok(account)
    }

    /// Delete requests that expired before `now`; returns how many.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn purge_expired_requests(&self, now: u64) -> Result<u64, StoreError> {
        let r = sqlx::query("DELETE FROM presentation_requests WHERE expires_at < $1")
            .bind(i(now)?)
            .execute(self.pool())
            .await
            .map_err(db_err)?;
        Ok(affected(&r))
    }
}
