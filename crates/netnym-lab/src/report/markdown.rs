//! The report's markdown: one section per result file, and the result tables the commands
//! also print.

use crate::adversary::{Adversary, Coalition};
use crate::collusion::CollusionResults;
use crate::controls::{designated, Flaw};
use crate::lint::Assessment;
use crate::unlinkability::{AdversaryScore, UnlinkabilityResults};

pub(super) fn unlinkability_md(u: &UnlinkabilityResults) -> String {
    let c = &u.config;
    let mut s = format!(
        "## Unlinkability experiment\n\nSeed {}, {} trials per design, {} holders with identical \
         attributes, {} training logins per holder at platform A ({} shown per trial), one fresh \
         challenge login at platform B per trial; positive controls: {} trials and {} holders \
         each.\n\nDefinition: {}.\n\nPolicy: disclose {:?}; design d asks instead for \
         predicates {}, non-revocation and a pseudonym.\n\n",
        c.seed,
        c.trials,
        c.holders,
        c.pool,
        c.samples,
        c.control_trials,
        c.control_holders,
        u.definition,
        u.policy.disclose,
        serde_json::to_string(&u.policy.predicates).unwrap_or_default()
    );
    if !u.controls.is_empty() {
        s += "Positive controls (design d with one deliberate flaw each; docs/lab.md):\n\n\
              | control | flaw |\n|---|---|\n";
        for t in &u.controls {
            s += &format!("| {} | {} |\n", t.design, t.description);
        }
        s += "\n";
    }
    for view in &c.views {
        s += &format!(
            "### View: {}\n\nAdversary: {}. Cells: advantage [95% CI]; the last columns are \
             the adversary's positive control (the flaw it is built to catch in this view), so \
             a 0 on design d reads \"nothing to find\" only next to a control near 1; n/a: the \
             adversary found nothing it can test (no BBS+ proof).\n\n",
            view.id(),
            view.describe()
        );
        s += &unlinkability_table(u, *view);
        s += "\n";
        s += &details_table(u, *view);
        s += &format!(
            "\n![advantage, view {0}]({1})\n\n",
            view.id(),
            advantage_file(*view)
        );
    }
    s
}

/// The plot file of a view.
pub(super) fn advantage_file(view: Coalition) -> String {
    match view {
        Coalition::Platforms => "advantage.svg".to_owned(),
        other => format!("advantage-{}.svg", other.id().replace('+', "-")),
    }
}

/// Advantage and 95% CI; `n/a` when the adversary found nothing it can test in any trial
/// (e.g. signature relations on a design without BBS+ proofs), `—` when it did not run.
fn cell(a: Option<&AdversaryScore>) -> String {
    match a {
        None => "—".to_owned(),
        Some(a) if a.checked == 0 => "n/a".to_owned(),
        Some(a) => format!(
            "{:.4} [{:.4}, {:.4}]",
            a.advantage, a.advantage_ci95.lo, a.advantage_ci95.hi
        ),
    }
}

/// One view as a markdown table: a row per adversary, a column per design, and the
/// adversary's positive control beside them.
#[must_use]
pub fn unlinkability_table(r: &UnlinkabilityResults, view: Coalition) -> String {
    let mut s = String::from("| adversary |");
    for d in &r.designs {
        s += &format!(" {} |", d.design);
    }
    s += " positive control | control advantage |\n|---|";
    s += &"---|".repeat(r.designs.len() + 2);
    s += "\n";
    for adv in Adversary::in_view(view) {
        s += &format!("| {} |", adv.id());
        for d in &r.designs {
            s += &format!(" {} |", cell(d.score(view.id(), adv.id())));
        }
        let control = designated(view, *adv);
        let run = control.and_then(|f| r.controls.iter().find(|c| c.design == f.id()));
        s += &format!(
            " {} | {} |\n",
            control.map_or("—", Flaw::id),
            cell(run.and_then(|c| c.score(view.id(), adv.id())))
        );
    }
    s
}

fn details_table(r: &UnlinkabilityResults, view: Coalition) -> String {
    let mut s = String::from(
        "<details><summary>Details: success rates, design effects, family-wise intervals</summary>\n\n\
         | design / control | adversary | success rate (correct, abstained / trials) | checked | \
         design effect | 95% CI of advantage | indistinguishable at 95% | family-wise 95% CI (m) |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for d in r.designs.iter().chain(&r.controls) {
        for adv in Adversary::in_view(view) {
            let Some(a) = d.score(view.id(), adv.id()) else {
                continue;
            };
            s += &format!(
                "| {} | {} | {:.4} ({}, {} / {}) | {} | {:.2} | [{:.4}, {:.4}] | {} | [{:.4}, {:.4}] ({}) |\n",
                d.design,
                a.adversary,
                a.success_rate,
                a.correct,
                a.abstained,
                a.trials,
                a.checked,
                a.design_effect,
                a.advantage_ci95.lo,
                a.advantage_ci95.hi,
                if a.indistinguishable { "yes" } else { "no" },
                a.advantage_ci95_familywise.lo,
                a.advantage_ci95_familywise.hi,
                a.family_size
            );
        }
    }
    s += "\n</details>\n";
    s
}

/// Every control against every adversary of every view (advantage and 95% CI; the designated
/// pairs in bold).
#[must_use]
pub fn controls_table(r: &UnlinkabilityResults) -> String {
    let mut s = String::new();
    for view in &r.config.views {
        let advs = Adversary::in_view(*view);
        s += &format!("| control (view {}) |", view.id());
        for a in advs {
            s += &format!(" {} |", a.id());
        }
        s += "\n|---|";
        s += &"---|".repeat(advs.len());
        s += "\n";
        for c in &r.controls {
            s += &format!("| {} |", c.design);
            for a in advs {
                let text = cell(c.score(view.id(), a.id()));
                if designated(*view, *a).map(Flaw::id) == Some(c.design.as_str()) {
                    s += &format!(" **{text}** |");
                } else {
                    s += &format!(" {text} |");
                }
            }
            s += "\n";
        }
        s += "\n";
    }
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
