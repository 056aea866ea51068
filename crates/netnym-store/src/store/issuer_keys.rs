//! The authority's issuer keys in rotation order (`authority keys rotate|retire`).
//!
//! The current key is the one with the highest position that is not retired; the authority
//! issues with it and publishes every key that is not retired. The first key's secret is part
//! of the sealed `authority-keys` secret; each rotated key's secret is its own sealed secret,
//! stored with its row in one transaction and deleted when the key is retired.

use sqlx::any::AnyRow;

use super::log::{issuer_key_log_entry, log_if_started, retired_log_entry};
use super::{affected, col, db_err, i, u, Store};
use crate::error::{IssuerKeyError, StoreError};

/// The log entry of a recorded public key: a key the store cannot parse is corrupt data.
fn issuer_key_entry(public_key: &[u8]) -> Result<netnym_log::LogEntry, IssuerKeyError> {
    issuer_key_log_entry(public_key).map_err(|e| IssuerKeyError::Store(StoreError::Corrupt(e)))
}
use crate::model::IssuerKeyRecord;
use crate::sealed::SealedSecret;

const KEYS: &str = "SELECT key_id, position, public_key, secret_name, created_at, retired_at \
                    FROM issuer_keys";

fn to_record(row: &AnyRow) -> Result<IssuerKeyRecord, StoreError> {
    Ok(IssuerKeyRecord {
        key_id: col(row, 0)?,
        position: u(col(row, 1)?)?,
        public_key: col(row, 2)?,
        secret_name: col(row, 3)?,
        created_at: u(col(row, 4)?)?,
        retired_at: col::<Option<i64>>(row, 5)?.map(u).transpose()?,
    })
}

/// The current key of `keys`: the highest position that is not retired.
#[must_use]
pub fn current_issuer_key(keys: &[IssuerKeyRecord]) -> Option<&IssuerKeyRecord> {
    keys.iter()
        .filter(|k| k.retired_at.is_none())
        .max_by_key(|k| k.position)
}

impl Store {
    /// Every issuer key, in rotation order.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn issuer_keys(&self) -> Result<Vec<IssuerKeyRecord>, StoreError> {
        let sql = format!("{KEYS} ORDER BY position");
        sqlx::query(&sql)
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(to_record)
            .collect()
    }

    /// Record the first issuer key (held in the sealed secret `secret_name`) if no issuer key
    /// is recorded yet; otherwise do nothing. Returns whether it was recorded.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn record_first_issuer_key(
        &self,
        key_id: &str,
        public_key: &[u8],
        secret_name: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "INSERT INTO issuer_keys (key_id, position, public_key, secret_name, created_at)
             SELECT $1, 1, $2, $3, $4
             WHERE NOT EXISTS (SELECT 1 FROM issuer_keys)
             ON CONFLICT DO NOTHING",
        )
        .bind(key_id)
        .bind(public_key)
        .bind(secret_name)
        .bind(i(now)?)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let recorded = affected(&r) == 1;
        if recorded {
            log_if_started(&mut tx, self.dialect(), now, || {
                issuer_key_log_entry(public_key)
                    .map(|e| vec![e])
                    .map_err(StoreError::Corrupt)
            })
            .await?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(recorded)
    }

    /// Add a rotated issuer key, which becomes the current key: its sealed secret (under
    /// `secret_name`) and its row, at the next position, in one transaction.
    ///
    /// # Errors
    /// [`IssuerKeyError::Duplicate`] (the key id or the secret name is taken),
    /// [`IssuerKeyError::Store`]; on error nothing changed.
    pub async fn add_issuer_key(
        &self,
        key_id: &str,
        public_key: &[u8],
        secret_name: &str,
        sealed: &SealedSecret,
        now: u64,
    ) -> Result<IssuerKeyRecord, IssuerKeyError> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "INSERT INTO secrets (name, sealed, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(secret_name)
        .bind(sealed.to_json())
        .bind(i(now)?)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if affected(&r) != 1 {
            return Err(IssuerKeyError::Duplicate(key_id.to_owned()));
        }
        let row = sqlx::query("SELECT coalesce(max(position), 0) FROM issuer_keys")
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        let position = u(col(&row, 0)?)? + 1;
        let r = sqlx::query(
            "INSERT INTO issuer_keys (key_id, position, public_key, secret_name, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(key_id)
        .bind(i(position)?)
        .bind(public_key)
        .bind(secret_name)
        .bind(i(now)?)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if affected(&r) != 1 {
            return Err(IssuerKeyError::Duplicate(key_id.to_owned()));
        }
        log_if_started(&mut tx, self.dialect(), now, || {
            issuer_key_entry(public_key).map(|e| vec![e])
        })
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(IssuerKeyRecord {
            key_id: key_id.to_owned(),
            position,
            public_key: public_key.to_vec(),
            secret_name: secret_name.to_owned(),
            created_at: now,
            retired_at: None,
        })
    }

    /// Retire an issuer key that is not the current one: it is no longer published or used,
    /// and its own sealed secret (a rotated key's) is deleted, in one transaction. The first
    /// key's secret stays sealed inside `keep_secret` (the authority's sealed keys), unused.
    ///
    /// # Errors
    /// [`IssuerKeyError::Unknown`], [`IssuerKeyError::AlreadyRetired`],
    /// [`IssuerKeyError::Current`], [`IssuerKeyError::Store`]; on error nothing changed.
    pub async fn retire_issuer_key(
        &self,
        key_id: &str,
        keep_secret: &str,
        now: u64,
    ) -> Result<IssuerKeyRecord, IssuerKeyError> {
        let mut tx = self.begin().await?;
        let sql = format!("{KEYS} ORDER BY position{}", self.dialect().for_update());
        let keys = sqlx::query(&sql)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?
            .iter()
            .map(to_record)
            .collect::<Result<Vec<_>, _>>()?;
        let mut key = keys
            .iter()
            .find(|k| k.key_id == key_id)
            .cloned()
            .ok_or_else(|| IssuerKeyError::Unknown(key_id.to_owned()))?;
        if key.retired_at.is_some() {
            return Err(IssuerKeyError::AlreadyRetired(key_id.to_owned()));
        }
        if current_issuer_key(&keys).map(|k| k.key_id.as_str()) == Some(key_id) {
            return Err(IssuerKeyError::Current(key_id.to_owned()));
        }
        sqlx::query("UPDATE issuer_keys SET retired_at = $1 WHERE key_id = $2")
            .bind(i(now)?)
            .bind(key_id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if key.secret_name != keep_secret {
            sqlx::query("DELETE FROM secrets WHERE name = $1")
                .bind(key.secret_name.as_str())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        log_if_started(&mut tx, self.dialect(), now, || {
            retired_log_entry(key_id, now)
                .map(|e| vec![e])
                .map_err(|e| IssuerKeyError::Store(StoreError::Corrupt(e)))
        })
        .await?;
        tx.commit().await.map_err(db_err)?;
        key.retired_at = Some(now);
        Ok(key)
    }
}
