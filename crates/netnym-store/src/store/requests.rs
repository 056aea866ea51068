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

    /// Store an issued request by nonce for `client` (an opaque key of at least 8 bytes, such
    /// as a keyed hash of the client's address), unless the client already has `max_open`
    /// open requests (unconsumed and unexpired at `created_at`). In the same transaction the
    /// client's expired requests are deleted, so a client never has more than `max_open` rows
    /// with its key: creations are serialised per client (SQLite's write lock, a PostgreSQL
    /// advisory lock on the key). Consuming a request clears its key.
    ///
    /// # Errors
    /// [`PutRequestError::TooManyOpen`], [`PutRequestError::DuplicateNonce`],
    /// [`PutRequestError::Invalid`], [`PutRequestError::Store`]. On error nothing changed.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_client_request(
        &self,
        nonce: &[u8],
        verifier_id: &str,
        request: &[u8],
        created_at: u64,
        expires_at: u64,
        client: &[u8],
        max_open: u32,
    ) -> Result<(), PutRequestError> {
        super::check_request_input(nonce, created_at, expires_at)?;
        let lock_key = match client.first_chunk::<4>() {
            Some(k) if client.len() >= 8 => *k,
            _ => {
                return Err(PutRequestError::Invalid(
                    "a client key has at least 8 bytes",
                ))
            }
        };
        let mut tx = self.begin().await?;
        if self.dialect() == super::Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(1312, $1)")
                .bind(i32::from_be_bytes(lock_key))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        sqlx::query("DELETE FROM presentation_requests WHERE client = $1 AND expires_at < $2")
            .bind(client)
            .bind(i(created_at)?)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let row = sqlx::query(
            "SELECT count(*) FROM presentation_requests WHERE client = $1 AND consumed_at IS NULL",
        )
        .bind(client)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let open: i64 = col(&row, 0)?;
        if open >= i64::from(max_open) {
            tx.commit().await.map_err(db_err)?;
            return Err(PutRequestError::TooManyOpen(max_open));
        }
        let r = sqlx::query(
            "INSERT INTO presentation_requests
                (nonce, verifier_id, request, created_at, expires_at, client)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (nonce) DO NOTHING",
        )
        .bind(nonce)
        .bind(verifier_id)
        .bind(request)
        .bind(i(created_at)?)
        .bind(i(expires_at)?)
        .bind(client)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if affected(&r) != 1 {
            return Err(PutRequestError::DuplicateNonce);
        }
        tx.commit().await.map_err(db_err)?;
        Ok(())
    }

    /// How many stored requests (open, consumed or expired, until purged) there are, and how
    /// many of them are open (unconsumed).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn request_counts(&self) -> Result<(u64, u64), StoreError> {
        let row = sqlx::query(
            "SELECT count(*), count(*) - count(consumed_at) FROM presentation_requests",
        )
        .fetch_one(self.pool())
        .await
        .map_err(db_err)?;
        Ok((u(col(&row, 0)?)?, u(col(&row, 1)?)?))
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
            "UPDATE presentation_requests SET consumed_at = $1, client = NULL
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
