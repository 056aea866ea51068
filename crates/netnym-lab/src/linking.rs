//! The coalition's linking algorithm, shared by the population-scale model and the real-crypto
//! validation: it sees tables of records (one row per account: named component values) and
//! joins them.
//!
//! - **Join fields** of tables `P` and `Q`: the component names both have for which at least
//!   one value occurs in both tables. A component that never repeats across tables (nonces,
//!   proof elements, pseudonyms of another scope) carries no join information and drops out;
//!   the coalition needs no knowledge of the design to find them.
//! - An account (row) of `P` is **linked** to `Q` when its join key (the values of the join
//!   fields) occurs exactly once in `Q` and that row belongs to the same person; a unique match
//!   with another person is counted as a **mislink**. No join field: no link.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::seeding::mix;

/// A hasher for values that are already uniformly distributed 64-bit hashes.
#[derive(Default)]
pub struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = mix(self.0 ^ u64::from_le_bytes(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = mix(self.0 ^ n);
    }
}

/// A hash map keyed by 64-bit hashes.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<MixHasher>>;
/// A hash set of 64-bit hashes.
pub type FastSet<K> = HashSet<K, BuildHasherDefault<MixHasher>>;

/// One party's records about the accounts of one platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Component names (columns).
    pub fields: Vec<String>,
    /// The person behind each row (ground truth, never used to choose a link).
    pub persons: Vec<u32>,
    /// Row-major values, `fields.len()` per row.
    pub values: Vec<u64>,
}

impl Table {
    /// An empty table with these columns.
    #[must_use]
    pub fn new(fields: Vec<String>) -> Self {
        Self {
            fields,
            persons: Vec::new(),
            values: Vec::new(),
        }
    }
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.persons.len()
    }
    /// Whether the table has no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.persons.is_empty()
    }
    /// Append a row.
    pub fn push(&mut self, person: u32, values: &[u64]) {
        debug_assert_eq!(values.len(), self.fields.len());
        self.persons.push(person);
        self.values.extend_from_slice(values);
    }
    fn row(&self, i: usize) -> &[u64] {
        &self.values[i * self.fields.len()..][..self.fields.len()]
    }
    fn column(&self, f: usize) -> impl Iterator<Item = u64> + '_ {
        (0..self.len()).map(move |i| self.values[i * self.fields.len() + f])
    }
}

/// The join fields of `p` and `q`, as column index pairs.
#[must_use]
pub fn join_fields(p: &Table, q: &Table) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (fp, name) in p.fields.iter().enumerate() {
        let Some(fq) = q.fields.iter().position(|n| n == name) else {
            continue;
        };
        let values: FastSet<u64> = q.column(fq).collect();
        if p.column(fp).any(|v| values.contains(&v)) {
            out.push((fp, fq));
        }
    }
    out
}

fn key(row: &[u64], cols: impl Iterator<Item = usize>) -> u64 {
    let mut h = 0x6a09_e667_f3bc_c909u64;
    for c in cols {
        h = mix(h ^ row[c]);
    }
    h
}

/// Result of joining the rows of one table against another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinOutcome {
    /// Per row of `p`: linked to the same person's row in `q`.
    pub linked: Vec<bool>,
    /// Per row of `p`: uniquely matched to another person's row.
    pub mislinked: Vec<bool>,
}

/// Join `p` against `q` (see the module docs).
#[must_use]
pub fn join(p: &Table, q: &Table) -> JoinOutcome {
    let mut out = JoinOutcome {
        linked: vec![false; p.len()],
        mislinked: vec![false; p.len()],
    };
    let cols = join_fields(p, q);
    if cols.is_empty() {
        return out;
    }
    // key -> (count, person of the first row)
    let mut at_q: FastMap<u64, (u32, u32)> = FastMap::default();
    for i in 0..q.len() {
        let k = key(q.row(i), cols.iter().map(|c| c.1));
        at_q.entry(k)
            .and_modify(|e| e.0 = e.0.saturating_add(1))
            .or_insert((1, q.persons[i]));
    }
    for i in 0..p.len() {
        let k = key(p.row(i), cols.iter().map(|c| c.0));
        if let Some(&(1, person)) = at_q.get(&k) {
            if person == p.persons[i] {
                out.linked[i] = true;
            } else {
                out.mislinked[i] = true;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(fields: &[&str], rows: &[(u32, &[u64])]) -> Table {
        let mut t = Table::new(fields.iter().map(|s| (*s).to_owned()).collect());
        for (p, v) in rows {
            t.push(*p, v);
        }
        t
    }

    #[test]
    fn joins_on_shared_identifier_and_ignores_fresh_components() {
        let p = table(&["id", "nonce"], &[(1, &[10, 111]), (2, &[20, 222])]);
        let q = table(&["id", "nonce"], &[(1, &[10, 333]), (3, &[30, 444])]);
        assert_eq!(join_fields(&p, &q), vec![(0, 0)]);
        let j = join(&p, &q);
        assert_eq!(j.linked, vec![true, false]);
        assert_eq!(j.mislinked, vec![false, false]);
    }

    #[test]
    fn ambiguous_quasi_identifier_does_not_link_and_unique_wrong_match_is_a_mislink() {
        let p = table(&["region"], &[(1, &[5]), (2, &[7])]);
        let q = table(&["region"], &[(3, &[5]), (4, &[5]), (5, &[7])]);
        let j = join(&p, &q);
        assert_eq!(j.linked, vec![false, false]);
        assert_eq!(j.mislinked, vec![false, true]);
    }

    #[test]
    fn no_common_field_no_link() {
        let p = table(&["nym"], &[(1, &[1])]);
        let q = table(&["other"], &[(1, &[1])]);
        assert!(join_fields(&p, &q).is_empty());
        assert_eq!(join(&p, &q).linked, vec![false]);
    }
}
