//! The report's section on metadata channels (`metadata.json`).

use crate::metadata::MetadataResults;

/// Medians and extremes of a list of ms.
fn summary(xs: &[f64]) -> String {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match (v.first(), v.get(v.len() / 2), v.last()) {
        (Some(lo), Some(mid), Some(hi)) => format!("median {mid:.2} ms (min {lo:.2}, max {hi:.2})"),
        _ => "none".to_owned(),
    }
}

/// The channel table: a row per channel and setting, with the adversary's advantage and what
/// the setting does to close the channel.
#[must_use]
pub fn metadata_table(m: &MetadataResults) -> String {
    let mut s = String::from(
        "| channel | setting | advantage [95% CI] | family-wise CI | leaks? | closed by |\n\
         |---|---|---|---|---|---|\n",
    );
    for r in &m.rows {
        let a = &r.score;
        s += &format!(
            "| {} | {}: {} | {:.4} [{:.4}, {:.4}] | [{:.4}, {:.4}] | {} | {} |\n",
            r.channel,
            r.setting,
            r.description,
            a.advantage,
            a.advantage_ci95.lo,
            a.advantage_ci95.hi,
            a.advantage_ci95_familywise.lo,
            a.advantage_ci95_familywise.hi,
            if a.indistinguishable { "no" } else { "**yes**" },
            r.closes_with.as_deref().unwrap_or("—"),
        );
    }
    s
}

pub(super) fn metadata_md(m: &MetadataResults) -> String {
    let c = &m.config;
    let p = &m.probe;
    let sizes: Vec<String> = p
        .sizes
        .iter()
        .map(|(e, s)| format!("epoch {e}: {s:?} B"))
        .collect();
    format!(
        "## Metadata channels\n\nSeed {}, {} trials per setting, {} holders in pairs, {} labelled \
         logins per holder at A, logins at uniformly random epochs in 0..{}; jitter {} ms. \
         Probe on real presentations (design d, {} holders): every presentation carried its \
         witness's epoch and verified in a window of all epochs: {}; distinct sizes per epoch: \
         {}; answer time plain {}, prepared {} ({} runs each); padding deadline {:.1} ms.\n\n{}\n",
        c.seed,
        c.trials,
        c.holders,
        c.samples,
        c.horizon,
        c.jitter_ms,
        p.holders,
        p.epoch_carried,
        sizes.join(", "),
        summary(&p.prove_ms_plain),
        summary(&p.prove_ms_prepared),
        p.prove_ms_plain.len(),
        m.pad_ms,
        metadata_table(m)
    )
}
