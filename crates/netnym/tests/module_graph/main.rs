//! No two modules of a crate import each other, directly or around a longer circle (issue 11).
//!
//! Every crate under `crates/` is read from its sources: for each crate root (`src/lib.rs`,
//! `src/main.rs`, `src/bin/…`) the top-level modules are the nodes, and a module depends on
//! another when code of it outside `#[cfg(test)]` names the other through `crate::…` or
//! `super::…` (graph.rs says exactly what counts). The check fails on a cycle, naming it and the
//! lines that make it, and on any source file it cannot account for, so that a file it cannot
//! read does not pass unseen.

mod graph;
mod lexer;
mod syntax;

use std::collections::BTreeMap;
use std::path::Path;

use graph::{analyze, cycles, describe, Analysis, Disk, Memory};

/// The crates the check must cover; more found under `crates/` are checked too.
const CRATES: [&str; 6] = [
    "netnym",
    "netnym-store",
    "netnym-server",
    "netnym-wallet",
    "netnym-cli",
    "netnym-lab",
];

/// Cycles and problems of one analysed crate, one line each, prefixed with `name`.
fn findings(name: &str, analysis: &Analysis) -> Vec<String> {
    let mut out: Vec<String> = analysis
        .problems
        .iter()
        .map(|p| format!("{name}: {p}"))
        .collect();
    for g in &analysis.graphs {
        for cycle in cycles(g) {
            out.push(format!(
                "{name} ({}): cycle {}",
                g.root,
                describe(g, &cycle)
            ));
        }
    }
    out
}

#[test]
fn no_crate_has_a_module_cycle() {
    let crates_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found: BTreeMap<String, Analysis> = BTreeMap::new();
    for entry in std::fs::read_dir(&crates_dir).unwrap().flatten() {
        let dir = entry.path();
        if dir.join("Cargo.toml").is_file() && dir.join("src").is_dir() {
            let name = entry.file_name().to_string_lossy().into_owned();
            found.insert(name, analyze(&Disk(dir)));
        }
    }
    for name in CRATES {
        let analysis = found
            .get(name)
            .unwrap_or_else(|| panic!("crate {name} not found under crates/"));
        // The check read something: every crate has modules and they use each other.
        assert!(
            analysis
                .graphs
                .iter()
                .any(|g| g.modules.len() >= 2 && !g.edges.is_empty()),
            "{name}: no module dependencies found; the check read nothing"
        );
    }
    let failures: Vec<String> = found
        .iter()
        .flat_map(|(name, analysis)| findings(name, analysis))
        .collect();
    assert!(
        failures.is_empty(),
        "module graphs must have no cycle:\n{}",
        failures.join("\n")
    );
}

/// A crate in memory from `(path, text)` pairs.
fn memory(files: &[(&str, &str)]) -> Memory {
    Memory(
        files
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect(),
    )
}

fn findings_of(files: &[(&str, &str)]) -> Vec<String> {
    findings("demo", &analyze(&memory(files)))
}

#[test]
fn a_direct_cycle_is_named_with_its_lines() {
    let found = findings_of(&[
        ("src/lib.rs", "mod a;\nmod b;\npub use crate::a::X;\n"),
        ("src/a.rs", "//! A.\n\nuse crate::b::Y;\npub struct X;\n"),
        (
            "src/b.rs",
            "pub struct Y;\nfn f() -> crate::a::X { todo!() }\n",
        ),
    ]);
    assert_eq!(
        found,
        ["demo (src/lib.rs): cycle a -> b -> a (a -> b: src/a.rs:3; b -> a: src/b.rs:2)"]
    );
}

#[test]
fn a_cycle_through_groups_super_paths_submodules_and_root_reexports_is_found() {
    // a -> b by a group import in a submodule file, b -> c by a `super` path,
    // c -> a by a name the root re-exports from `a` with a glob.
    let found = findings_of(&[
        (
            "src/lib.rs",
            "mod a;\nmod b;\nmod c;\npub use crate::a::*;\n",
        ),
        ("src/a.rs", "mod inner;\npub(crate) fn helper() {}\n"),
        (
            "src/a/inner.rs",
            "use crate::{\n    b::{self, Thing},\n};\nfn g() { super::super::b::Thing; }\n",
        ),
        (
            "src/b.rs",
            "pub struct Thing;\nfn f() { super::c::go(); }\n",
        ),
        ("src/c.rs", "pub fn go() { crate::helper() }\n"),
    ]);
    assert_eq!(
        found,
        [
            "demo (src/lib.rs): cycle a -> b -> c -> a (a -> b: src/a/inner.rs:1; \
             b -> c: src/b.rs:2; c -> a: src/c.rs:1)"
        ]
    );
}

#[test]
fn test_code_comments_and_literals_are_not_dependencies() {
    let found = findings_of(&[
        ("src/lib.rs", "mod a;\nmod b;\n#[cfg(test)]\nmod testing;\n"),
        (
            "src/a.rs",
            r####"//! Uses [`crate::b::Y`] in docs only.
/* crate::b::Y /* nested */ crate::b */
const S: &str = "crate::b::Y {";
const R: &str = r#"crate::b::Y " {"#;
const C: char = '{';
fn f<'a>(x: &'a str) -> &'a str { x }
#[cfg(test)]
fn only_in_tests() { crate::b::Y; }
#[cfg(test)]
mod tests;
#[cfg(test)]
mod inline_tests {
    use crate::b::Y;
}
pub struct X;
"####,
        ),
        ("src/a/tests.rs", "use crate::b::Y;\n"),
        ("src/b.rs", "pub struct Y;\nuse crate::a::X;\n"),
        ("src/testing.rs", "use crate::*;\n"),
    ]);
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn a_file_no_root_reaches_is_reported() {
    let found = findings_of(&[
        ("src/lib.rs", "mod a;\nmod gone;\n"),
        ("src/a.rs", "pub struct X;\n"),
        ("src/orphan.rs", "use crate::a::X;\n"),
    ]);
    assert_eq!(
        found,
        [
            "demo: src/lib.rs:2: no file for `mod gone;`",
            "demo: src/orphan.rs: no crate root reaches this file",
        ]
    );
}

#[test]
fn binary_roots_and_their_modules_are_checked() {
    let found = findings_of(&[
        ("src/main.rs", "mod cli;\nmod run;\nuse crate::cli::Args;\n"),
        ("src/cli.rs", "pub struct Args(crate::run::Mode);\n"),
        ("src/run.rs", "pub enum Mode {}\nuse crate::cli::Args;\n"),
    ]);
    assert_eq!(
        found,
        ["demo (src/main.rs): cycle cli -> run -> cli (cli -> run: src/cli.rs:1; run -> cli: src/run.rs:2)"]
    );
}
