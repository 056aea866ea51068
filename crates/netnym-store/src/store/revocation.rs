//! The revoked set and the append-only epoch log.

use std::collections::BTreeSet;

use super::{affected, col, db_err, i, is_constraint, u, Store, MAX_EPOCH_PAGE};
use crate::error::{EpochError, StoreError};
use crate::model::EpochRecord;

impl Store {
    /// Append epoch `epoch` revoking `revocation_ids`, with the core's entry JSON, in one
    /// transaction, together with its transparency-log entry once the log is started
    /// ([`Store::start_log`]; the entry must then parse as the core's entry of `epoch`). The log starts with the genesis epoch 0 (no ids); `epoch` must be the last
    /// one plus 1 (also enforced by the schema, so a concurrent second writer is refused).
    ///
    /// # Errors
    /// [`EpochError::NotNext`], [`EpochError::AlreadyRevoked`],
    /// [`EpochError::UnknownRevocationId`], [`EpochError::Invalid`], [`EpochError::Store`].
    pub async fn append_epoch(
        &self,
        epoch: u64,
        revocation_ids: &[u64],
        entry: &[u8],
        now: u64,
    ) -> Result<(), EpochError> {
        super::check_epoch_input(epoch, revocation_ids)?;
        let e = i(epoch)?;
        let prev = if epoch == 0 {
            None
        } else {
            Some(i(epoch - 1)?)
        };
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT max(epoch) FROM epochs")
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        let last = col::<Option<i64>>(&row, 0)?.map(u).transpose()?;
        if last.map_or(0, |l| l + 1) != epoch {
            return Err(EpochError::NotNext { got: epoch, last });
        }
        let inserted = sqlx::query(
            "INSERT INTO epochs (epoch, prev, entry, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(e)
        .bind(prev)
        .bind(entry)
        .bind(i(now)?)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            // A concurrent writer appended this epoch first (PostgreSQL: after our read).
            Err(err) if is_constraint(&err) => {
                drop(tx);
                let last = self.latest_epoch().await?;
                return Err(EpochError::NotNext { got: epoch, last });
            }
            Err(err) => return Err(db_err(err).into()),
        }
        for &id in revocation_ids {
            let rid = i(id)?;
            let known = sqlx::query("SELECT 1 FROM citizens WHERE revocation_id = $1")
                .bind(rid)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
            if known.is_none() {
                return Err(EpochError::UnknownRevocationId(id));
            }
            let r = sqlx::query(
                "INSERT INTO revoked (revocation_id, epoch) VALUES ($1, $2)
                 ON CONFLICT (revocation_id) DO NOTHING",
            )
            .bind(rid)
            .bind(e)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if affected(&r) != 1 {
                return Err(EpochError::AlreadyRevoked(id));
            }
        }
        // LOG-021: the epoch's log entry in the same transaction.
        super::log::log_if_started(&mut tx, self.dialect(), now, || {
            super::log::epoch_log_entry(epoch, entry)
                .map(|e| vec![e])
                .map_err(|_| EpochError::Invalid("the entry is not this epoch's core entry"))
        })
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(())
    }

    /// Whether a revocation id is revoked.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn is_revoked(&self, revocation_id: u64) -> Result<bool, StoreError> {
        Ok(!self.revoked_among(&[revocation_id]).await?.is_empty())
    }

    /// The ids of `ids` that are revoked (at most [`netnym::MAX_REVOKED_PER_EPOCH`] ids are
    /// looked up at once; longer lists are read in chunks).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn revoked_among(&self, ids: &[u64]) -> Result<BTreeSet<u64>, StoreError> {
        let ids: Vec<i64> = ids
            .iter()
            .filter_map(|&id| i64::try_from(id).ok())
            .collect();
        let mut out = BTreeSet::new();
        for chunk in ids.chunks(netnym::MAX_REVOKED_PER_EPOCH) {
            let params: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT revocation_id FROM revoked WHERE revocation_id IN ({})",
                params.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for &id in chunk {
                q = q.bind(id);
            }
            for row in q.fetch_all(self.pool()).await.map_err(db_err)? {
                out.insert(u(col(&row, 0)?)?);
            }
        }
        Ok(out)
    }

    /// Number of revoked ids.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn revoked_count(&self) -> Result<u64, StoreError> {
        self.count("SELECT count(*) FROM revoked").await
    }

    /// All revoked ids, ascending.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn revoked_ids(&self) -> Result<Vec<u64>, StoreError> {
        sqlx::query("SELECT revocation_id FROM revoked ORDER BY revocation_id")
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| u(col(r, 0)?))
            .collect()
    }

    /// The last epoch number (`None` when the log is empty, before genesis).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn latest_epoch(&self) -> Result<Option<u64>, StoreError> {
        let row = sqlx::query("SELECT max(epoch) FROM epochs")
            .fetch_one(self.pool())
            .await
            .map_err(db_err)?;
        col::<Option<i64>>(&row, 0)?.map(u).transpose()
    }

    /// Epochs `from..` in order, at most `limit` (capped at [`MAX_EPOCH_PAGE`]).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn epochs_from(&self, from: u64, limit: u64) -> Result<Vec<EpochRecord>, StoreError> {
        sqlx::query(
            "SELECT epoch, entry, created_at FROM epochs WHERE epoch >= $1
             ORDER BY epoch LIMIT $2",
        )
        .bind(i(from.min(i64::MAX as u64))?)
        .bind(i(limit.min(MAX_EPOCH_PAGE))?)
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(EpochRecord {
                epoch: u(col(r, 0)?)?,
                entry: col(r, 1)?,
                created_at: u(col(r, 2)?)?,
            })
        })
        .collect()
    }
}
