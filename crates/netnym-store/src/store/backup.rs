//! Backups of a SQLite store (`authority backup` / `restore`; PostgreSQL uses `pg_dump`).

use std::path::Path;

use super::{col, db_err, Backend, Store};
use crate::error::{BackupError, StoreError};

impl Store {
    /// Write a consistent copy of this SQLite database to `out` (`VACUUM INTO`: one read
    /// transaction, so writers may go on; the copy is compacted and has no WAL). `out` must not
    /// exist; it is created with mode 0600 and removed again if the copy fails.
    ///
    /// # Errors
    /// [`BackupError::NotSqlite`] on PostgreSQL, [`BackupError::Io`] when `out` cannot be
    /// created (or exists), [`BackupError::Store`] when the copy fails.
    pub async fn backup_to(&self, out: &Path) -> Result<(), BackupError> {
        if self.backend != Backend::Sqlite {
            return Err(BackupError::NotSqlite);
        }
        let target = out
            .to_str()
            .ok_or_else(|| BackupError::Io(format!("{}: not a UTF-8 path", out.display())))?;
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        drop(
            open.open(out)
                .map_err(|e| BackupError::Io(format!("{}: {e}", out.display())))?,
        );
        let copied = sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await
            .map_err(db_err);
        if let Err(e) = copied {
            let _ = std::fs::remove_file(out);
            return Err(BackupError::Store(e));
        }
        Ok(())
    }

    /// SQLite's `PRAGMA integrity_check` (PostgreSQL: nothing to check here): the problems
    /// found, empty when the database is sound.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub async fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(Vec::new());
        }
        let rows = sqlx::query("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        let mut problems = Vec::new();
        for r in &rows {
            let line: String = col(r, 0)?;
            if line != "ok" {
                problems.push(line);
            }
        }
        Ok(problems)
    }
}
