//! Presentations decoded into named components, and the lab's experiments.

use pyo3::prelude::*;

use netnym_lab::designs::{netnym_view, ComponentKind, Design};
use netnym_lab::metadata::{self, MetadataConfig};
use netnym_lab::unlinkability::{self, UnlinkabilityConfig};

use crate::bytes_of;
use crate::value_error;

/// A presentation (JSON bytes or str) split into its named components, as the lab's
/// adversaries see it: a list of dicts `{"name", "kind", "bytes"}` in wire order, `kind` one of
/// `claim`, `proof`, `envelope`.
///
/// # Errors
/// `ValueError` when the input is not JSON.
#[pyfunction]
pub(crate) fn decode_presentation<'py>(
    py: Python<'py>,
    presentation: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let view = netnym_view(&bytes_of(presentation)?).map_err(value_error)?;
    let list = pyo3::types::PyList::empty(py);
    for c in view.components {
        let d = pyo3::types::PyDict::new(py);
        d.set_item("name", c.name)?;
        d.set_item(
            "kind",
            match c.kind {
                ComponentKind::Claim => "claim",
                ComponentKind::Proof => "proof",
                ComponentKind::Envelope => "envelope",
            },
        )?;
        d.set_item("bytes", pyo3::types::PyBytes::new(py, &c.bytes))?;
        list.append(d)?;
    }
    Ok(list.into_any())
}

/// Run the unlinkability experiment (docs/lab.md): designs `a`–`d` (ids or letters), every
/// view and the positive controls by default; returns the results (as `unlinkability.json`) as
/// Python objects.
///
/// # Errors
/// `ValueError` for an unknown design, view or control, or an unusable configuration.
#[pyfunction]
#[pyo3(signature = (trials = 1000, holders = 64, pool = 8, samples = 8, seed = 1, designs = None, views = None, controls = None, control_trials = 500, control_holders = 32))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn lab_unlinkability(
    py: Python<'_>,
    trials: u64,
    holders: usize,
    pool: usize,
    samples: usize,
    seed: u64,
    designs: Option<Vec<String>>,
    views: Option<Vec<String>>,
    controls: Option<Vec<String>>,
    control_trials: u64,
    control_holders: usize,
) -> PyResult<Bound<'_, PyAny>> {
    let defaults = UnlinkabilityConfig::default();
    let config = UnlinkabilityConfig {
        trials,
        holders,
        pool,
        samples,
        seed,
        designs: parse(designs, defaults.designs, "design", Design::parse)?,
        views: parse(
            views,
            defaults.views,
            "view",
            netnym_lab::adversary::Coalition::parse,
        )?,
        controls: parse(
            controls,
            defaults.controls,
            "control",
            netnym_lab::controls::Flaw::parse,
        )?,
        control_trials,
        control_holders,
    };
    let (results, _) = py
        .detach(|| unlinkability::run(&config, false))
        .map_err(value_error)?;
    pythonize::pythonize(py, &results).map_err(value_error)
}

/// Run the metadata-channel experiment (docs/lab.md §Metadata channels); returns the results
/// (as `metadata.json`) as Python objects.
///
/// # Errors
/// `ValueError` for an unusable configuration.
#[pyfunction]
#[pyo3(signature = (trials = 10_000, holders = 256, samples = 8, seed = 1, window = 4, update_interval = 7, prepared_share = 0.5, jitter_ms = 2.0, probe_timings = 8))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn lab_metadata(
    py: Python<'_>,
    trials: u64,
    holders: usize,
    samples: usize,
    seed: u64,
    window: u64,
    update_interval: u64,
    prepared_share: f64,
    jitter_ms: f64,
    probe_timings: usize,
) -> PyResult<Bound<'_, PyAny>> {
    let config = MetadataConfig {
        trials,
        holders,
        samples,
        seed,
        window,
        update_interval,
        prepared_share,
        jitter_ms,
        probe_timings,
        ..MetadataConfig::default()
    };
    let (attributes, policy) = unlinkability::twins(seed, holders.max(4));
    let results = py
        .detach(|| metadata::run(&config, &attributes, &policy))
        .map_err(value_error)?;
    pythonize::pythonize(py, &results).map_err(value_error)
}

fn parse<T>(
    given: Option<Vec<String>>,
    default: Vec<T>,
    what: &str,
    f: impl Fn(&str) -> Option<T>,
) -> PyResult<Vec<T>> {
    match given {
        None => Ok(default),
        Some(ids) => ids
            .iter()
            .map(|id| f(id).ok_or_else(|| value_error(format!("unknown {what}: {id}"))))
            .collect(),
    }
}
