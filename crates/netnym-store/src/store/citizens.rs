//! The citizen registry.

use sqlx::any::AnyRow;

use super::{affected, col, db_err, i, u, Store};
use crate::citizens::{check_record, rules::document_of, CitizenRecord};
use crate::error::{ImportError, LineError, StoreError};
use crate::model::{Citizen, CitizenSummary};

const CITIZEN: &str = "SELECT citizen_id, revocation_id, attributes, created_at FROM citizens";

fn to_citizen(row: &AnyRow) -> Result<Citizen, StoreError> {
    let attrs: String = col(row, 2)?;
    Ok(Citizen {
        citizen_id: col(row, 0)?,
        revocation_id: u(col(row, 1)?)?,
        attributes: serde_json::from_str(&attrs)
            .map_err(|e| StoreError::Corrupt(format!("citizen attributes: {e}")))?,
        created_at: u(col(row, 3)?)?,
    })
}

impl Store {
    /// Register `citizens` in one transaction, allocating revocation ids after the largest one
    /// in use (so the first import gets `1..=N`), in input order. All or nothing; concurrent
    /// importers are serialised.
    ///
    /// Every record is checked with the schema and the import rules `IMP-001`..`IMP-004`
    /// before anything is written; `IMP-005` (one citizen per document) and `IMP-006` (one
    /// registration per citizen id) hold within `citizens` and against the registry.
    ///
    /// # Errors
    /// [`ImportError::Invalid`] (checked before anything is written, the input's duplicate
    /// ids and documents included), [`ImportError::AlreadyRegistered`] for a citizen id already
    /// present, [`ImportError::DocumentRegistered`] for a document registered to another
    /// citizen, [`ImportError::Empty`], [`ImportError::Store`].
    pub async fn import_citizens(
        &self,
        citizens: &[CitizenRecord],
        now: u64,
    ) -> Result<Vec<Citizen>, ImportError> {
        if citizens.is_empty() {
            return Err(ImportError::Empty);
        }
        let schema = netnym::Schema::cn_network_id_v1();
        let mut ids = std::collections::HashSet::new();
        let mut documents = std::collections::HashSet::new();
        let errors: Vec<_> = citizens
            .iter()
            .enumerate()
            .filter_map(|(n, r)| {
                let problem = check_record(&schema, r).err().or_else(|| {
                    if !ids.insert(r.citizen_id.as_str()) {
                        Some(format!(
                            "IMP-006: citizen_id {:?} appears twice",
                            r.citizen_id
                        ))
                    } else if !documents.insert(document_of(&r.attributes)) {
                        Some("IMP-005: this document appears twice".to_owned())
                    } else {
                        None
                    }
                });
                problem.map(|message| LineError {
                    line: n as u64 + 1,
                    message,
                })
            })
            .take(crate::MAX_REPORTED_ERRORS)
            .collect();
        if !errors.is_empty() {
            return Err(ImportError::Invalid(errors));
        }
        let mut tx = self.begin().await?;
        if let Some(lock) = self.dialect().lock_citizens() {
            sqlx::query(lock).execute(&mut *tx).await.map_err(db_err)?;
        }
        let row = sqlx::query("SELECT max(revocation_id) FROM citizens")
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        let first = u(col::<Option<i64>>(&row, 0)?.unwrap_or(0))? + 1;
        let now_i = i(now)?;
        let mut out = Vec::with_capacity(citizens.len());
        for (next, c) in (first..).zip(citizens) {
            let r = sqlx::query(
                "INSERT INTO citizens (citizen_id, revocation_id, attributes, created_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (citizen_id) DO NOTHING",
            )
            .bind(c.citizen_id.as_str())
            .bind(i(next)?)
            .bind(c.attributes.to_string())
            .bind(now_i)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if affected(&r) != 1 {
                return Err(ImportError::AlreadyRegistered(c.citizen_id.clone()));
            }
            let (document_type, document_number) = document_of(&c.attributes);
            let r = sqlx::query(
                "INSERT INTO citizen_documents (document_type, document_number, citizen_id)
                 VALUES ($1, $2, $3) ON CONFLICT (document_type, document_number) DO NOTHING",
            )
            .bind(document_type)
            .bind(document_number)
            .bind(c.citizen_id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if affected(&r) != 1 {
                return Err(ImportError::DocumentRegistered(c.citizen_id.clone()));
            }
            out.push(Citizen {
                citizen_id: c.citizen_id.clone(),
                revocation_id: next,
                attributes: c.attributes.clone(),
                created_at: now,
            });
        }
        tx.commit().await.map_err(db_err)?;
        Ok(out)
    }

    /// A citizen by id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn citizen(&self, citizen_id: &str) -> Result<Option<Citizen>, StoreError> {
        let sql = format!("{CITIZEN} WHERE citizen_id = $1");
        sqlx::query(&sql)
            .bind(citizen_id)
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?
            .as_ref()
            .map(to_citizen)
            .transpose()
    }

    /// A citizen by revocation id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn citizen_by_revocation_id(
        &self,
        revocation_id: u64,
    ) -> Result<Option<Citizen>, StoreError> {
        let Ok(rid) = i64::try_from(revocation_id) else {
            return Ok(None);
        };
        let sql = format!("{CITIZEN} WHERE revocation_id = $1");
        sqlx::query(&sql)
            .bind(rid)
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?
            .as_ref()
            .map(to_citizen)
            .transpose()
    }

    /// Citizens in revocation-id order, `limit` of them after skipping `offset`.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn citizens(&self, offset: u64, limit: u64) -> Result<Vec<Citizen>, StoreError> {
        let sql = format!("{CITIZEN} ORDER BY revocation_id LIMIT $1 OFFSET $2");
        sqlx::query(&sql)
            .bind(i(limit.min(i64::MAX as u64))?)
            .bind(i(offset.min(i64::MAX as u64))?)
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(to_citizen)
            .collect()
    }

    /// Citizens with their credential count and revocation state, in revocation-id order,
    /// `limit` of them after skipping `offset`.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn citizen_summaries(
        &self,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<CitizenSummary>, StoreError> {
        sqlx::query(
            "SELECT c.citizen_id, c.revocation_id, c.created_at,
                    (SELECT count(*) FROM issued_credentials ic WHERE ic.citizen_id = c.citizen_id),
                    (SELECT count(*) FROM revoked r WHERE r.revocation_id = c.revocation_id)
             FROM citizens c ORDER BY c.revocation_id LIMIT $1 OFFSET $2",
        )
        .bind(i(limit.min(i64::MAX as u64))?)
        .bind(i(offset.min(i64::MAX as u64))?)
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(CitizenSummary {
                citizen_id: col(r, 0)?,
                revocation_id: u(col(r, 1)?)?,
                created_at: u(col(r, 2)?)?,
                credentials: u(col(r, 3)?)?,
                revoked: u(col(r, 4)?)? > 0,
            })
        })
        .collect()
    }

    /// Number of registered citizens (= the largest revocation id, as ids are dense).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn citizen_count(&self) -> Result<u64, StoreError> {
        self.count("SELECT count(*) FROM citizens").await
    }

    /// The single integer a `SELECT count(*) …` without parameters returns.
    pub(crate) async fn count(&self, sql: &'static str) -> Result<u64, StoreError> {
        let row = sqlx::query(sql)
            .fetch_one(self.pool())
            .await
            .map_err(db_err)?;
        u(col(&row, 0)?)
    }
}
