//! An adversary's answer to one trial, shared by the byte-level adversaries (`adversary`) and
//! the authority's (`authority`).

/// An adversary's answer to one trial.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Guess {
    /// The holder it names, or `None` without evidence either way.
    pub holder: Option<usize>,
    /// Whether it found material it can test (the signature-relations adversary: a proof
    /// satisfying `Ā = x·A'` for a key of the authority; the others: always).
    pub checked: bool,
}

pub(crate) fn decide(score: [f64; 2]) -> Option<usize> {
    if score[0] > score[1] {
        Some(0)
    } else if score[1] > score[0] {
        Some(1)
    } else {
        None
    }
}
