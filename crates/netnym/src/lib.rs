//! # NetNym core
//!
//! Privacy-preserving national network identity on BBS+ signatures over BLS12-381.
//!
//! WIP
#![forbid(unsafe_code)]
#![allow(non_snake_case)] // Allow notation matching the spec (A_bar, T1).

mod credential;
mod encoding;
mod error;
mod issuance;
mod keys;
mod presentation;
mod request;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod vectors;
mod schema;

pub use crate::credential::*;
pub use crate::error::*;
pub use crate::issuance::*;
pub use crate::keys::*;
pub use crate::presentation::*;
pub use crate::request::*;
pub use crate::schema::*;

/// The wire format version every envelope carries.
pub const WIRE_VERSION: u64 = 1;
