//! The two parties of blind issuance, which refer to each other: the [`Authority`] enrolls a
//! [`Holder`] (its link secret stays hidden) into a [`Credential`]; the holder presents with the
//! authority's public range parameters and updates its witness from the authority's epoch log.

mod authority;
mod holder;

pub use authority::Authority;
pub use holder::{Credential, Holder};
