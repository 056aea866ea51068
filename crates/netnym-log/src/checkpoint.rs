//! The checkpoint text (LOG-004): C2SP tlog-checkpoint without extension lines.
//!
//! ```text
//! <origin>\n
//! <tree size, decimal, no leading zeros>\n
//! <root hash, standard padded base64>\n
//! ```

use crate::error::CheckpointError;
use crate::hash::TreeHash;
use crate::keys::check_name;
use crate::merkle::EMPTY_ROOT;

/// A tree head of the log: its origin, its size and its root hash.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: TreeHash,
}

impl Checkpoint {
    /// A checkpoint.
    ///
    /// # Errors
    /// LOG-004: [`CheckpointError::Text`] if the origin is not a valid key name (LOG-006: the
    /// log key is named by the origin), or if a size-0 checkpoint's root is not the empty
    /// tree's.
    pub fn new(origin: &str, size: u64, root: TreeHash) -> Result<Self, CheckpointError> {
        check_name(origin).map_err(|e| CheckpointError::Text(e.to_string()))?;
        if size == 0 && root != EMPTY_ROOT {
            return Err(CheckpointError::Text(
                "a size-0 checkpoint must carry the empty tree's root".to_owned(),
            ));
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// The log's origin line.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }
    /// The tree size.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }
    /// The root hash.
    #[must_use]
    pub fn root(&self) -> &TreeHash {
        &self.root
    }

    /// The checkpoint text, the body of the signed note.
    #[must_use]
    pub fn to_text(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, self.root)
    }

    /// Parse a checkpoint text strictly (LOG-004): exactly the three lines, each
    /// newline-terminated, no extension line, and the text must be the canonical encoding of
    /// what it says (decimal size without leading zeros, canonical padded base64 root).
    ///
    /// # Errors
    /// [`CheckpointError::Text`].
    pub fn parse(text: &[u8]) -> Result<Self, CheckpointError> {
        let bad = |why: &str| CheckpointError::Text(why.to_owned());
        let parsed = tlog_tiles::Checkpoint::from_bytes(text).map_err(|_| bad("malformed"))?;
        if !parsed.extension().is_empty() {
            return Err(bad("extension lines are not allowed"));
        }
        let checkpoint = Self::new(
            parsed.origin(),
            parsed.size(),
            TreeHash::from_tlog(*parsed.hash()),
        )?;
        if checkpoint.to_text().as_bytes() != text {
            return Err(bad("not the canonical encoding"));
        }
        Ok(checkpoint)
    }
}
