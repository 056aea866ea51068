//! The report's markdown: one section per result file, and the result tables the commands
//! also print.

use crate::collusion::CollusionResults;
use crate::lint::Assessment;
use crate::unlinkability::UnlinkabilityResults;

pub(super) fn unlinkability_md(u: &UnlinkabilityResults) -> String {
    let c = &u.config;
    let mut s = format!(
        "## Unlinkability experiment\n\nSeed {}, {} trials per design, {} holders with identical \
         attributes, {} training logins per holder at platform A ({} shown per trial), one fresh \
         challenge login at platform B per trial.\n\nDefinition: {}.\n\nPolicy: disclose {:?}; \
         design d asks instead for predicates {} and a pseudonym.\n\n",
        c.seed,
        c.trials,
        c.holders,
        c.pool,
        c.samples,
        u.definition,
        u.policy.disclose,
        serde_json::to_string(&u.policy.predicates).unwrap_or_default()
    );
    s += &unlinkability_table(u);
    s += "\n";
    s
}

pub(super) fn collusion_md(c: &CollusionResults) -> String {
    let mut s = format!(
        "## Collusion simulation\n\nPopulation {} (seed {}), {} accounts on {} platforms; \
         coalition = the authority + the first k platforms below. Fractions are over all \
         accounts.\n\n| platform | share | collects (a-c) | predicates (d) | accounts |\n\
         |---|---|---|---|---|\n",
        c.config.population,
        c.config.seed,
        c.accounts,
        c.platforms.len()
    );
    for p in &c.platforms {
        s += &format!(
            "| {} | {} | {} | {} | {} |\n",
            p.name,
            p.share,
            p.policy.disclose.join(", "),
            serde_json::to_string(&p.policy.predicates).unwrap_or_default(),
            p.accounts
        );
    }
    s += "\n";
    s += &collusion_table(c);
    s += "\n";
    if !c.validation.is_empty() {
        s += "Model validated against real logins on a small population:\n\n\
              | design | real logins | model == real |\n|---|---|---|\n";
        for v in &c.validation {
            s += &format!(
                "| {} | {} | {} |\n",
                v.design,
                v.real_logins,
                if v.agree { "yes" } else { "**no**" }
            );
        }
        s += "\n";
    }
    s
}

pub(super) fn ladder_md(c: &CollusionResults) -> String {
    let mut s = String::from(
        "## Anonymity set vs what a request reveals\n\n| request | E[anonymity set] | median | \
         revealed bits | below k=1000 | unique |\n|---|---|---|---|---|---|\n",
    );
    for step in &c.anonymity_ladder {
        let e = &step.exposure;
        s += &format!(
            "| {} | {:.1} | {} | {:.2} | {:.4} | {:.4} |\n",
            step.label,
            e.expected_anonymity_set,
            e.median_anonymity_set,
            e.revealed_bits,
            e.fraction_below_k,
            e.fraction_unique
        );
    }
    s += "\n";
    s
}

/// A lint assessment as markdown.
#[must_use]
pub fn lint_md(l: &Assessment) -> String {
    let mut s = format!(
        "## Privacy lint\n\nPopulation {}, k = {}. The request reveals: {}.\n\n\
         | presentations | E[anonymity set] | median | revealed bits | below k | unique |\n\
         |---|---|---|---|---|---|\n",
        l.population,
        l.k,
        l.reveals.join("; ")
    );
    let rows = if l.repeated.is_empty() {
        std::slice::from_ref(&l.single)
    } else {
        l.repeated.as_slice()
    };
    for e in rows {
        s += &format!(
            "| {} | {:.1} | {} | {:.2} | {:.4} | {:.4} |\n",
            e.presentations,
            e.expected_anonymity_set,
            e.median_anonymity_set,
            e.revealed_bits,
            e.fraction_below_k,
            e.fraction_unique
        );
    }
    s += &format!(
        "\nVerdict: {:?} for one presentation, {:?} after {} presentations {} days apart{}.\n\n",
        l.verdict,
        l.verdict_repeated,
        rows.len(),
        l.interval_days,
        if l.pseudonym {
            " under one pseudonym"
        } else {
            " (no pseudonym: unlinkable, so repetition adds nothing)"
        }
    );
    s
}

/// The collusion results as a markdown table (linked fraction per design and coalition size).
#[must_use]
pub fn collusion_table(r: &CollusionResults) -> String {
    let ks = r.designs.first().map_or(0, |d| d.coalitions.len());
    let mut s = String::from("| design |");
    for k in 0..ks {
        s += &format!(" k={k} |");
    }
    s += "\n|---|";
    s += &"---|".repeat(ks);
    s += "\n";
    for d in &r.designs {
        s += &format!("| {} linked |", d.design);
        for c in &d.coalitions {
            s += &format!(" {:.3} |", c.linked_fraction);
        }
        s += "\n";
        s += &format!("| {} identified |", d.design);
        for c in &d.coalitions {
            s += &format!(" {:.3} |", c.identified_fraction);
        }
        s += "\n";
    }
    s
}

/// The unlinkability results as a markdown table.
#[must_use]
pub fn unlinkability_table(r: &UnlinkabilityResults) -> String {
    let mut s = String::from(
        "| design | adversary | success rate (correct, abstained / trials) | advantage | 95% CI of advantage | indistinguishable at 95% | family-wise 95% CI |\n|---|---|---|---|---|---|---|\n",
    );
    for d in &r.designs {
        for a in &d.adversaries {
            s += &format!(
                "| {} | {} | {:.4} ({}, {} / {}) | {:.4} | [{:.4}, {:.4}] | {} | [{:.4}, {:.4}] |\n",
                d.design,
                a.adversary,
                a.success_rate,
                a.correct,
                a.abstained,
                a.trials,
                a.advantage,
                a.advantage_ci95.lo,
                a.advantage_ci95.hi,
                if a.indistinguishable { "yes" } else { "no" },
                a.advantage_ci95_familywise.lo,
                a.advantage_ci95_familywise.hi
            );
        }
    }
    s
}
