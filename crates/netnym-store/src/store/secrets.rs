//! Sealed secrets by name. Secrets are never overwritten.

use super::{affected, col, db_err, i, Store};
use crate::error::SecretError;
use crate::sealed::SealedSecret;

impl Store {
    /// Store a sealed secret under `name`.
    ///
    /// # Errors
    /// [`SecretError::AlreadyExists`]; [`SecretError::Store`].
    pub async fn put_sealed_secret(
        &self,
        name: &str,
        secret: &SealedSecret,
    ) -> Result<(), SecretError> {
        let r = sqlx::query(
            "INSERT INTO secrets (name, sealed, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(secret.to_json())
        .bind(i(super::unix_now())?)
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        if affected(&r) == 1 {
            Ok(())
        } else {
            Err(SecretError::AlreadyExists(name.to_owned()))
        }
    }

    /// The sealed secret stored under `name`.
    ///
    /// # Errors
    /// [`SecretError::NotFound`]; [`SecretError::Malformed`]; [`SecretError::Store`].
    pub async fn sealed_secret(&self, name: &str) -> Result<SealedSecret, SecretError> {
        let row = sqlx::query("SELECT sealed FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?
            .ok_or_else(|| SecretError::NotFound(name.to_owned()))?;
        let blob: Vec<u8> = col(&row, 0)?;
        SealedSecret::from_json(&blob)
    }
}
