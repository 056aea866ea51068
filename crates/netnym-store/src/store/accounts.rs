//! Platform accounts keyed by `(verifier_id, pseudonym)`.

use sqlx::AnyConnection;

use super::{col, db_err, i, u, Store};
use crate::error::StoreError;
use crate::model::Account;

/// Sign in or register on `conn` (inside the caller's transaction): one statement, atomic on
/// both backends.
pub(super) async fn upsert_account(
    conn: &mut AnyConnection,
    verifier_id: &str,
    pseudonym: &[u8],
    now: u64,
) -> Result<Account, StoreError> {
    let row = sqlx::query(
        "INSERT INTO accounts (verifier_id, pseudonym, created_at, last_login, login_count)
         VALUES ($1, $2, $3, $3, 1)
         ON CONFLICT (verifier_id, pseudonym) DO UPDATE
            SET last_login = excluded.last_login, login_count = accounts.login_count + 1
         RETURNING account_id, created_at, last_login, login_count",
    )
    .bind(verifier_id)
    .bind(pseudonym)
    .bind(i(now)?)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    let login_count = u(col(&row, 3)?)?;
    Ok(Account {
        account_id: u(col(&row, 0)?)?,
        verifier_id: verifier_id.to_owned(),
        pseudonym: pseudonym.to_vec(),
        created_at: u(col(&row, 1)?)?,
        last_login: u(col(&row, 2)?)?,
        login_count,
        new_account: login_count == 1,
    })
}

impl Store {
    /// Sign in (count a login) or register, atomically.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn sign_in_or_register(
        &self,
        verifier_id: &str,
        pseudonym: &[u8],
        now: u64,
    ) -> Result<Account, StoreError> {
        let mut tx = self.begin().await?;
        let a = upsert_account(&mut tx, verifier_id, pseudonym, now).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(a)
    }

    /// The account for a pseudonym, if registered (`new_account` is false).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn account(
        &self,
        verifier_id: &str,
        pseudonym: &[u8],
    ) -> Result<Option<Account>, StoreError> {
        sqlx::query(
            "SELECT account_id, created_at, last_login, login_count FROM accounts
             WHERE verifier_id = $1 AND pseudonym = $2",
        )
        .bind(verifier_id)
        .bind(pseudonym)
        .fetch_optional(self.pool())
        .await
        .map_err(db_err)?
        .map(|r| {
            Ok(Account {
                account_id: u(col(&r, 0)?)?,
                verifier_id: verifier_id.to_owned(),
                pseudonym: pseudonym.to_vec(),
                created_at: u(col(&r, 1)?)?,
                last_login: u(col(&r, 2)?)?,
                login_count: u(col(&r, 3)?)?,
                new_account: false,
            })
        })
        .transpose()
    }

    /// Number of accounts of a verifier.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn account_count(&self, verifier_id: &str) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT count(*) FROM accounts WHERE verifier_id = $1")
            .bind(verifier_id)
            .fetch_one(self.pool())
            .await
            .map_err(db_err)?;
        u(col(&row, 0)?)
    }
}
