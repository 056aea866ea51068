//! One crate's module graph: which files each top-level module owns, which top-level modules
//! each one names, and the cycles among them.
//!
//! A node is a top-level module (`mod x;` in a crate root). Module `a` has an edge to `b` when a
//! file of `a` (`src/a.rs`, `src/a/**.rs`, outside `#[cfg(test)]` items and test-only files)
//! names `crate::b…`, `crate::{b…}`, `super::…::b` climbing to the root, or a root item that the
//! root imports from `b` (`crate::Name` after `pub use crate::b::Name` or `pub use crate::b::*`).
//! Items defined in the root file itself are not nodes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use crate::lexer::tokenize;
use crate::syntax::{inline_mods, mod_decls, root_refs, strip_cfg_test, top_level_items};

/// Where the sources of one crate come from; paths are relative to the crate directory and use
/// `/` (`src/lib.rs`).
pub(crate) trait Source {
    /// The text of one file, if it exists.
    fn read(&self, path: &str) -> Option<String>;
    /// Every `.rs` file under `src/`.
    fn files(&self) -> Vec<String>;
}

/// A crate directory on disk.
pub(crate) struct Disk(pub(crate) PathBuf);

impl Source for Disk {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(path)).ok()
    }

    fn files(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut dirs = vec![String::from("src")];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(self.0.join(&dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let rel = format!("{dir}/{name}");
                if entry.path().is_dir() {
                    dirs.push(rel);
                } else if name.ends_with(".rs") {
                    out.push(rel);
                }
            }
        }
        out.sort();
        out
    }
}

/// A crate held in memory (for testing the check itself).
pub(crate) struct Memory(pub(crate) BTreeMap<String, String>);

impl Source for Memory {
    fn read(&self, path: &str) -> Option<String> {
        self.0.get(path).cloned()
    }

    fn files(&self) -> Vec<String> {
        self.0
            .keys()
            .filter(|p| p.starts_with("src/") && p.ends_with(".rs"))
            .cloned()
            .collect()
    }
}

/// Where a dependency is first seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Site {
    /// The file, relative to the crate directory.
    pub(crate) file: String,
    /// The line.
    pub(crate) line: usize,
}

/// The graph of one crate root (a library, a binary).
#[derive(Debug)]
pub(crate) struct RootGraph {
    /// The root file, e.g. `src/lib.rs`.
    pub(crate) root: String,
    /// The top-level modules compiled outside tests.
    pub(crate) modules: BTreeSet<String>,
    /// `(from, to)` → the first place `from` names `to`.
    pub(crate) edges: BTreeMap<(String, String), Site>,
}

/// Everything found in one crate.
#[derive(Debug)]
pub(crate) struct Analysis {
    /// One graph per crate root.
    pub(crate) graphs: Vec<RootGraph>,
    /// What the check could not account for: files no root reaches, declared modules without a
    /// file, constructs the check does not model. Each makes the check fail.
    pub(crate) problems: Vec<String>,
}

/// A file to read: its path, the directory of its child modules, and its depth below the root.
struct Pending {
    path: String,
    child_dir: String,
    depth: usize,
}

/// The file of module `name` declared in a file whose children live in `dir`.
fn module_file(source: &dyn Source, dir: &str, name: &str) -> Option<(String, String)> {
    let child_dir = format!("{dir}/{name}");
    [format!("{dir}/{name}.rs"), format!("{child_dir}/mod.rs")]
        .into_iter()
        .find(|p| source.read(p).is_some())
        .map(|p| (p, child_dir))
}

/// The crate roots present: `src/lib.rs`, `src/main.rs`, `src/bin/*.rs`, `src/bin/*/main.rs`.
fn roots(files: &[String]) -> Vec<String> {
    files
        .iter()
        .filter(|f| {
            let parts: Vec<&str> = f.split('/').collect();
            matches!(
                parts.as_slice(),
                ["src", "lib.rs" | "main.rs"] | ["src", "bin", _]
            ) || matches!(parts.as_slice(), ["src", "bin", _, "main.rs"])
        })
        .cloned()
        .collect()
}

/// Analyse every crate root in `source`.
pub(crate) fn analyze(source: &dyn Source) -> Analysis {
    let files = source.files();
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut test_only: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    let mut graphs = Vec::new();
    for root in roots(&files) {
        reached.insert(root.clone());
        let graph = analyze_root(source, &root, &mut reached, &mut test_only, &mut problems);
        graphs.push(graph);
    }
    for f in &files {
        let is_test = test_only
            .iter()
            .any(|t| f == &format!("{t}.rs") || f.starts_with(&format!("{t}/")));
        if !reached.contains(f) && !is_test {
            problems.push(format!("{f}: no crate root reaches this file"));
        }
    }
    Analysis { graphs, problems }
}

fn analyze_root(
    source: &dyn Source,
    root: &str,
    reached: &mut BTreeSet<String>,
    test_only: &mut Vec<String>,
    problems: &mut Vec<String>,
) -> RootGraph {
    let root_dir = root.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let text = source.read(root).unwrap_or_default();
    let stripped = strip_cfg_test(&tokenize(&text));
    for t in &stripped.test_mods {
        test_only.push(join(&root_dir, &t.inline, &t.name));
    }
    for m in inline_mods(&stripped.tokens) {
        problems.push(format!(
            "{root}:{}: inline module `{}` in a crate root; the check reads top-level modules \
             from their own files only",
            m.line, m.name
        ));
    }
    let mut modules = BTreeSet::new();
    let mut pub_names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut refs: Vec<(String, String, Site)> = Vec::new();
    for decl in mod_decls(&stripped.tokens) {
        let Some((path, child_dir)) = module_file(source, &root_dir, &decl.name) else {
            problems.push(format!(
                "{root}:{}: no file for `mod {};`",
                decl.line, decl.name
            ));
            continue;
        };
        modules.insert(decl.name.clone());
        let mut queue = VecDeque::from([Pending {
            path,
            child_dir,
            depth: 1,
        }]);
        while let Some(file) = queue.pop_front() {
            reached.insert(file.path.clone());
            let text = source.read(&file.path).unwrap_or_default();
            let stripped = strip_cfg_test(&tokenize(&text));
            for t in &stripped.test_mods {
                test_only.push(join(&file.child_dir, &t.inline, &t.name));
            }
            let (_, names) = top_level_items(&stripped.tokens);
            pub_names
                .entry(decl.name.clone())
                .or_default()
                .extend(names);
            for r in root_refs(&stripped.tokens, file.depth) {
                let site = Site {
                    file: file.path.clone(),
                    line: r.line,
                };
                refs.push((decl.name.clone(), r.name, site));
            }
            for child in mod_decls(&stripped.tokens) {
                let dir = join(&file.child_dir, &child.inline, "");
                let dir = dir.trim_end_matches('/');
                match module_file(source, dir, &child.name) {
                    Some((path, child_dir)) => queue.push_back(Pending {
                        path,
                        child_dir,
                        depth: file.depth + child.inline.len() + 1,
                    }),
                    None => problems.push(format!(
                        "{}:{}: no file for `mod {};`",
                        file.path, child.line, child.name
                    )),
                }
            }
        }
    }

    // Names the root brings into scope from a module: `use crate::m::Name`, `use m::*`, …
    let (uses, _) = top_level_items(&stripped.tokens);
    let mut root_names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for leaf in uses {
        let path: Vec<&str> = leaf
            .path
            .iter()
            .map(String::as_str)
            .skip_while(|s| *s == "crate" || *s == "self")
            .collect();
        let Some(&m) = path.first().filter(|m| modules.contains(**m)) else {
            continue;
        };
        match leaf.binds {
            Some(name) if path.len() > 1 => {
                root_names.entry(name).or_default().insert(m.to_owned());
            }
            Some(_) => {}
            None => {
                for name in pub_names.get(m).into_iter().flatten() {
                    root_names
                        .entry(name.clone())
                        .or_default()
                        .insert(m.to_owned());
                }
            }
        }
    }

    let mut edges = BTreeMap::new();
    for (from, name, site) in refs {
        let targets: BTreeSet<String> = if name == "*" {
            modules
                .iter()
                .cloned()
                .chain(root_names.values().flatten().cloned())
                .collect()
        } else if modules.contains(&name) {
            BTreeSet::from([name])
        } else {
            root_names.get(&name).cloned().unwrap_or_default()
        };
        for to in targets {
            if to != from {
                edges
                    .entry((from.clone(), to))
                    .or_insert_with(|| site.clone());
            }
        }
    }
    RootGraph {
        root: root.to_owned(),
        modules,
        edges,
    }
}

/// `dir/inline…/name` (or `dir/inline…/` when `name` is empty).
fn join(dir: &str, inline: &[String], name: &str) -> String {
    let mut out = dir.to_owned();
    for part in inline.iter().map(String::as_str).chain([name]) {
        out.push('/');
        out.push_str(part);
    }
    out
}

/// Every cycle of `graph`, one per strongly connected component of more than one module: the
/// shortest cycle through the component's first module, as `[a, b, …, a]`.
pub(crate) fn cycles(graph: &RootGraph) -> Vec<Vec<String>> {
    let adjacency = |node: &str| -> Vec<String> {
        graph
            .edges
            .keys()
            .filter(|(from, _)| from == node)
            .map(|(_, to)| to.clone())
            .collect()
    };
    let mut out = Vec::new();
    for component in components(graph) {
        if component.len() < 2 {
            continue;
        }
        let Some(start) = component.iter().next().cloned() else {
            continue;
        };
        // Breadth-first search inside the component for the shortest path back to `start`.
        let mut parent: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = VecDeque::from([start.clone()]);
        'search: while let Some(node) = queue.pop_front() {
            for next in adjacency(&node) {
                if !component.contains(&next) {
                    continue;
                }
                if next == start {
                    let mut cycle = vec![start.clone(), node.clone()];
                    let mut at = node.clone();
                    while let Some(p) = parent.get(&at) {
                        cycle.push(p.clone());
                        at = p.clone();
                    }
                    cycle.reverse();
                    out.push(cycle);
                    break 'search;
                }
                if next != start && !parent.contains_key(&next) {
                    parent.insert(next.clone(), node.clone());
                    queue.push_back(next);
                }
            }
        }
    }
    out
}

/// The strongly connected components of `graph` (Tarjan).
fn components(graph: &RootGraph) -> Vec<BTreeSet<String>> {
    struct State<'g> {
        graph: &'g RootGraph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<BTreeSet<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for (_, w) in graph.edges.keys().filter(|(from, _)| from == v) {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low[v];
                s.low.insert(v, lv.min(lw));
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low[v];
                s.low.insert(v, lv.min(iw));
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.insert(w.to_owned());
                if w == v {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for m in &graph.modules {
        if !s.index.contains_key(m.as_str()) {
            visit(&mut s, m);
        }
    }
    s.out
}

/// A cycle written for a human: `a -> b -> a (a -> b: src/a.rs:3; b -> a: src/b.rs:7)`.
pub(crate) fn describe(graph: &RootGraph, cycle: &[String]) -> String {
    let sites: Vec<String> = cycle
        .windows(2)
        .map(|pair| {
            let key = (pair[0].clone(), pair[1].clone());
            graph.edges.get(&key).map_or_else(
                || format!("{} -> {}: ?", pair[0], pair[1]),
                |s| format!("{} -> {}: {}:{}", pair[0], pair[1], s.file, s.line),
            )
        })
        .collect();
    format!("{} ({})", cycle.join(" -> "), sites.join("; "))
}
