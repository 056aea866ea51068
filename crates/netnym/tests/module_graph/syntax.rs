//! What the module-graph check reads from one file's tokens: test-only items (dropped), `mod`
//! declarations, paths that leave the file's top-level module, and the names a file exports.

use crate::lexer::Token;

/// A file with its `#[cfg(test)]` items removed.
pub(crate) struct Stripped {
    /// The tokens that are compiled outside tests.
    pub(crate) tokens: Vec<Token>,
    /// Modules (`mod name;` or `mod name { … }`) that only exist under `#[cfg(test)]`, with the
    /// inline modules (`mod a { … }`) they sit in.
    pub(crate) test_mods: Vec<ModDecl>,
}

/// A `mod name;` declaration (its body is another file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModDecl {
    /// The inline modules the declaration sits in, outermost first.
    pub(crate) inline: Vec<String>,
    /// The declared module.
    pub(crate) name: String,
    /// The line of the declaration.
    pub(crate) line: usize,
}

/// An inline module, `mod name { … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InlineMod {
    /// The module name.
    pub(crate) name: String,
    /// The line it opens on.
    pub(crate) line: usize,
    /// How many inline modules enclose it.
    pub(crate) nesting: usize,
}

/// A path that names something at the crate root: `crate::x…`, `super::…::x` climbing to the
/// root, or one branch of `crate::{x, y}`. `name` is `x`, or `*` for `crate::*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RootRef {
    /// The first path segment below the crate root.
    pub(crate) name: String,
    /// The line of the path.
    pub(crate) line: usize,
}

fn is(tokens: &[Token], i: usize, text: &str) -> bool {
    tokens.get(i).is_some_and(|t| t.text == text)
}

fn is_ident(tokens: &[Token], i: usize) -> bool {
    tokens.get(i).is_some_and(|t| {
        t.text
            .chars()
            .next()
            .is_some_and(|c| c == '_' || c.is_alphabetic())
    })
}

/// If an attribute `#[cfg(test)]` or `#![cfg(test)]` starts at `i`, the index after it and
/// whether it is an inner attribute (applying to the whole file or enclosing module).
fn cfg_test_attribute(tokens: &[Token], i: usize) -> Option<(usize, bool)> {
    if !is(tokens, i, "#") {
        return None;
    }
    let inner = is(tokens, i + 1, "!");
    let j = i + 1 + usize::from(inner);
    let pattern = ["[", "cfg", "(", "test", ")", "]"];
    pattern
        .iter()
        .enumerate()
        .all(|(k, p)| is(tokens, j + k, p))
        .then_some((j + pattern.len(), inner))
}

/// The index after the item starting at `i`: through its `;` or its `{ … }` block, whichever
/// comes first outside brackets; or up to (not including) a closing bracket that ends the
/// enclosing list or block.
fn item_end(tokens: &[Token], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < tokens.len() {
        match tokens[i].text.as_str() {
            "(" | "[" => depth += 1,
            "{" => {
                if depth == 0 {
                    return matching_close(tokens, i) + 1;
                }
                depth += 1;
            }
            ")" | "]" | "}" => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
            }
            ";" if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// The index of the bracket closing the one opened at `open` (or the end of the tokens).
fn matching_close(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, t) in tokens.iter().enumerate().skip(open) {
        match t.text.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// Remove every item under `#[cfg(test)]` (and everything after a `#![cfg(test)]`, which makes
/// the rest of the file or inline module test-only).
pub(crate) fn strip_cfg_test(tokens: &[Token]) -> Stripped {
    let mut kept: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut test_mods = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some((after, inner)) = cfg_test_attribute(tokens, i) {
            let end = if inner {
                // Up to the close of the enclosing block, or the end of the file.
                item_end_of_block(tokens, after)
            } else {
                item_end(tokens, after)
            };
            if let Some((name, line)) = declared_mod(&tokens[after..end]) {
                test_mods.push(ModDecl {
                    inline: inline_path(&kept),
                    name,
                    line,
                });
            }
            i = end;
        } else {
            kept.push(tokens[i].clone());
            i += 1;
        }
    }
    Stripped {
        tokens: kept,
        test_mods,
    }
}

/// The module an item declares, if it is `mod name;` or `mod name { … }` (after any further
/// attributes and a visibility).
fn declared_mod(item: &[Token]) -> Option<(String, usize)> {
    let mut depth = 0usize;
    for (k, t) in item.iter().enumerate() {
        match t.text.as_str() {
            "(" | "[" => depth += 1,
            ")" | "]" => depth = depth.saturating_sub(1),
            "mod" if depth == 0 && is_ident(item, k + 1) => {
                return Some((item[k + 1].text.clone(), t.line));
            }
            "{" | ";" | "fn" | "impl" | "struct" | "enum" | "use" if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// The index of the first unmatched closing bracket at or after `i` (or the end).
fn item_end_of_block(tokens: &[Token], mut i: usize) -> usize {
    while i < tokens.len() {
        let end = item_end(tokens, i);
        if end == i {
            return i;
        }
        i = end;
    }
    i
}

/// The inline modules open at the end of `tokens` (a prefix of a file), outermost first.
fn inline_path(tokens: &[Token]) -> Vec<String> {
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut pending: Option<String> = None;
    for (i, t) in tokens.iter().enumerate() {
        match t.text.as_str() {
            "{" => stack.push(pending.take()),
            "}" => {
                stack.pop();
            }
            "mod" if is_ident(tokens, i + 1) && is(tokens, i + 2, "{") => {
                pending = Some(tokens[i + 1].text.clone());
            }
            _ => {}
        }
    }
    stack.into_iter().flatten().collect()
}

/// Every `mod name;` in `tokens`, with the inline modules around it.
pub(crate) fn mod_decls(tokens: &[Token]) -> Vec<ModDecl> {
    let mut out = Vec::new();
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut pending: Option<String> = None;
    for (i, t) in tokens.iter().enumerate() {
        match t.text.as_str() {
            "{" => stack.push(pending.take()),
            "}" => {
                stack.pop();
            }
            "mod" if is_ident(tokens, i + 1) && is(tokens, i + 2, ";") => out.push(ModDecl {
                inline: stack.iter().flatten().cloned().collect(),
                name: tokens[i + 1].text.clone(),
                line: t.line,
            }),
            "mod" if is_ident(tokens, i + 1) && is(tokens, i + 2, "{") => {
                pending = Some(tokens[i + 1].text.clone());
            }
            _ => {}
        }
    }
    out
}

/// Every inline module, `mod name { … }`, in `tokens`.
pub(crate) fn inline_mods(tokens: &[Token]) -> Vec<InlineMod> {
    let mut out = Vec::new();
    let mut stack: Vec<bool> = Vec::new();
    let mut pending = false;
    for (i, t) in tokens.iter().enumerate() {
        match t.text.as_str() {
            "{" => stack.push(std::mem::take(&mut pending)),
            "}" => {
                stack.pop();
            }
            "mod" if is_ident(tokens, i + 1) && is(tokens, i + 2, "{") => {
                out.push(InlineMod {
                    name: tokens[i + 1].text.clone(),
                    line: t.line,
                    nesting: stack.iter().filter(|&&m| m).count(),
                });
                pending = true;
            }
            _ => {}
        }
    }
    out
}

/// Every path in `tokens` that names an item at the crate root, for a file `file_depth` modules
/// below the root (`src/a.rs` is 1, `src/a/b.rs` is 2): `crate::x`, `crate::{x, y::z}`, and
/// `super::…::x` with as many `super`s as the modules between the path and the root.
pub(crate) fn root_refs(tokens: &[Token], file_depth: usize) -> Vec<RootRef> {
    let mut out = Vec::new();
    let mut stack: Vec<bool> = Vec::new();
    let mut pending = false;
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        match t.text.as_str() {
            "{" => stack.push(std::mem::take(&mut pending)),
            "}" => {
                stack.pop();
            }
            "mod" if is_ident(tokens, i + 1) && is(tokens, i + 2, "{") => pending = true,
            "crate"
                if (i == 0 || !is(tokens, i - 1, "$") && !is(tokens, i - 1, "::"))
                    && is(tokens, i + 1, "::") =>
            {
                out.extend(path_heads(tokens, i + 2, t.line));
            }
            "super" if i == 0 || !is(tokens, i - 1, "::") => {
                let mut k = i;
                let mut supers = 0;
                while is(tokens, k, "super") && is(tokens, k + 1, "::") {
                    supers += 1;
                    k += 2;
                }
                let depth = file_depth + stack.iter().filter(|&&m| m).count();
                if supers > 0 && supers == depth {
                    out.extend(path_heads(tokens, k, t.line));
                }
                i = k.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The first segments named by the path tail starting at `i` (right after `crate::`): one
/// identifier, `*`, or every branch of a `{ … }` group.
fn path_heads(tokens: &[Token], i: usize, line: usize) -> Vec<RootRef> {
    let head = |name: &str| RootRef {
        name: name.to_owned(),
        line,
    };
    if is(tokens, i, "*") {
        return vec![head("*")];
    }
    if is_ident(tokens, i) {
        return vec![head(&tokens[i].text)];
    }
    if !is(tokens, i, "{") {
        return Vec::new();
    }
    let close = matching_close(tokens, i);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut branch_start = true;
    for (k, t) in tokens.iter().enumerate().take(close).skip(i + 1) {
        match t.text.as_str() {
            "{" | "(" | "[" => depth += 1,
            "}" | ")" | "]" => depth -= 1,
            "," if depth == 0 => {
                branch_start = true;
                continue;
            }
            "*" if depth == 0 && branch_start => out.push(head("*")),
            _ if depth == 0 && branch_start && is_ident(tokens, k) && t.text != "self" => {
                out.push(head(&t.text));
            }
            _ => {}
        }
        branch_start = false;
    }
    out
}

/// One leaf of a `use` tree: the full path and the name it binds (`None` for a glob).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UseLeaf {
    /// The path segments, as written (`crate`, `self` and `super` included).
    pub(crate) path: Vec<String>,
    /// The bound name (the alias, or the last segment), or `None` for `…::*`.
    pub(crate) binds: Option<String>,
}

/// The leaves of every `use` item at the top level of `tokens` (not inside any block), and the
/// names of the items declared there with any `pub` visibility.
pub(crate) fn top_level_items(tokens: &[Token]) -> (Vec<UseLeaf>, Vec<String>) {
    let mut uses = Vec::new();
    let mut pub_names = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i].text.as_str() {
            "{" | "(" | "[" => depth += 1,
            "}" | ")" | "]" => depth = depth.saturating_sub(1),
            "use" if depth == 0 => {
                let end = tokens[i..]
                    .iter()
                    .position(|t| t.text == ";")
                    .map_or(tokens.len(), |p| i + p);
                let leaves = use_tree(&tokens[i + 1..end], &[]);
                if is_pub_at(tokens, i) {
                    pub_names.extend(leaves.iter().filter_map(|l| l.binds.clone()));
                }
                uses.extend(leaves);
                i = end;
                continue;
            }
            "pub" if depth == 0 => {
                if let Some(name) = declared_name(tokens, i) {
                    pub_names.push(name);
                }
            }
            _ => {}
        }
        i += 1;
    }
    (uses, pub_names)
}

/// Whether the `use` at `i` carries a `pub…` visibility.
fn is_pub_at(tokens: &[Token], i: usize) -> bool {
    if i >= 1 && is(tokens, i - 1, "pub") {
        return true;
    }
    // `pub(crate) use`, `pub(in path) use`: find the `(` matching the `)` before `use`.
    if i >= 1 && is(tokens, i - 1, ")") {
        let mut k = i - 1;
        while k > 0 && !is(tokens, k, "(") {
            k -= 1;
        }
        return k >= 1 && is(tokens, k - 1, "pub");
    }
    false
}

/// The name declared by the `pub` item starting at `i` (`pub fn f`, `pub(crate) struct S`,
/// `pub const fn g`, `pub static mut X`, …), if it is an item declaration.
fn declared_name(tokens: &[Token], i: usize) -> Option<String> {
    let mut k = i + 1;
    if is(tokens, k, "(") {
        k = matching_close(tokens, k) + 1;
    }
    while ["unsafe", "async", "extern", "\"\"", "default"]
        .iter()
        .any(|q| is(tokens, k, q))
        || (is(tokens, k, "const")
            && ["fn", "unsafe", "async", "extern"]
                .iter()
                .any(|q| is(tokens, k + 1, q)))
    {
        k += 1;
    }
    let kinds = [
        "struct", "enum", "fn", "const", "static", "trait", "type", "mod", "union",
    ];
    if !kinds.iter().any(|q| is(tokens, k, q)) {
        return None;
    }
    k += 1;
    if is(tokens, k, "mut") {
        k += 1;
    }
    is_ident(tokens, k).then(|| tokens[k].text.clone())
}

/// The leaves of a `use` tree (the tokens between `use` and `;`), below `prefix`.
fn use_tree(tokens: &[Token], prefix: &[String]) -> Vec<UseLeaf> {
    let mut path = prefix.to_vec();
    let mut i = 0;
    if is(tokens, 0, "::") {
        i = 1;
    }
    while i < tokens.len() {
        let t = &tokens[i].text;
        if t == "*" {
            return vec![UseLeaf { path, binds: None }];
        }
        if t == "{" {
            let close = matching_close(tokens, i);
            let mut out = Vec::new();
            for branch in split_top_level_commas(&tokens[i + 1..close.min(tokens.len())]) {
                out.extend(use_tree(branch, &path));
            }
            return out;
        }
        if is_ident(tokens, i) {
            if t == "self" && !path.is_empty() && i + 1 >= tokens.len() {
                // `a::b::{self}` binds `b`.
                let binds = path.last().cloned();
                return vec![UseLeaf { path, binds }];
            }
            path.push(t.clone());
            if is(tokens, i + 1, "as") {
                let binds = tokens.get(i + 2).map(|a| a.text.clone());
                return vec![UseLeaf { path, binds }];
            }
            if is(tokens, i + 1, "::") {
                i += 2;
                continue;
            }
            let binds = path.last().cloned();
            return vec![UseLeaf { path, binds }];
        }
        i += 1;
    }
    Vec::new()
}

fn split_top_level_commas(tokens: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (k, t) in tokens.iter().enumerate() {
        match t.text.as_str() {
            "{" | "(" | "[" => depth += 1,
            "}" | ")" | "]" => depth = depth.saturating_sub(1),
            "," if depth == 0 => {
                out.push(&tokens[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    if start < tokens.len() {
        out.push(&tokens[start..]);
    }
    out
}
