//! Python bindings of NetNym (`import netnym`), built with PyO3 and maturin.
//!
//! For researchers: an [`Authority`] that enrolls holders by blind issuance and revokes, a
//! [`Holder`] that presents, a [`Verifier`] that makes requests and verifies, presentations
//! decoded into their named components, and the lab's experiments with their results as Python
//! objects. Everything runs the Rust library; nothing is reimplemented in Python.
//!
//! Errors are Python `ValueError`s with the library's message; a failed verification is
//! opaque (`"invalid presentation"`), as the library makes it.

mod issuance;
mod lab;
mod verifier;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

pub use crate::issuance::{Authority, Credential, Holder};
pub use crate::verifier::Verifier;

/// A library error as a Python `ValueError`.
pub(crate) fn value_error(e: impl core::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Bytes from a Python `bytes` or `str`.
pub(crate) fn bytes_of(v: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = v.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    Err(value_error("expected bytes or str"))
}

/// Seconds since the Unix epoch, from the system clock.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The `netnym` Python module.
#[pymodule(name = "netnym")]
fn netnym_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Authority>()?;
    m.add_class::<Holder>()?;
    m.add_class::<Credential>()?;
    m.add_class::<Verifier>()?;
    m.add_function(wrap_pyfunction!(lab::decode_presentation, m)?)?;
    m.add_function(wrap_pyfunction!(lab::lab_unlinkability, m)?)?;
    m.add_function(wrap_pyfunction!(lab::lab_metadata, m)?)?;
    m.add("SCHEMA_ID", netnym::Schema::cn_network_id_v1().id())?;
    Ok(())
}
