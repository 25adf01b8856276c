//! The layer rule, checked on the sources: which module may import which, no import circle
//! between files, and an HTTP edge that never names the database.
//!
//! Every file under `src/` (but the binary's `main.rs`) is parsed; every path it names (`use`
//! trees, paths in code, and path-shaped tokens inside macros) is resolved to the file that
//! defines it. That gives a graph of files, on which:
//! - a file may import only from the layers its top-level module is allowed ([`ALLOWED`]);
//! - no file reaches itself again through imports (a circle, at any length);
//! - no file under `src/http` mentions `db::`, a connection or the pool.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use syn::visit::Visit;

/// For each top-level module, the top-level modules it may import from (itself included).
/// `http → state → app → domain/db`, with the support modules beneath their users.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &["domain"]),
    ("db", &["db", "domain", "files", "logging"]),
    ("logging", &["logging"]),
    ("clock", &["clock"]),
    ("sms", &["sms", "domain"]),
    ("mail", &["mail", "sms", "domain"]),
    ("formats", &["formats"]),
    ("i18n", &["i18n", "domain", "formats"]),
    ("files", &["files"]),
    ("config", &["config", "db", "domain", "files", "logging"]),
    (
        "app",
        &["app", "db", "domain", "clock", "sms", "mail", "i18n"],
    ),
    (
        "state",
        &[
            "state", "app", "config", "db", "domain", "clock", "sms", "mail", "i18n",
        ],
    ),
    (
        "http",
        &["http", "state", "app", "domain", "i18n", "logging"],
    ),
    (
        "startup",
        &[
            "startup", "http", "state", "app", "config", "db", "domain", "clock", "sms", "mail",
            "i18n", "files", "logging",
        ],
    ),
];

/// What the edge must never name.
const NOT_IN_HTTP: &[&str] = &["db::", "DbConnection", "DbPool", ".pool"];

/// The modules of a crate: module path (`["http", "web", "page"]`) → file.
type Modules = BTreeMap<Vec<String>, String>;

/// The module path of a file under `src/`, or `None` for the binary.
fn module_path(file: &str) -> Option<Vec<String>> {
    let rel = file.strip_prefix("src/")?.strip_suffix(".rs")?;
    if rel == "main" {
        return None;
    }
    let mut parts: Vec<String> = rel.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    Some(parts)
}

/// Resolves the paths one file names, relative to where they are written.
struct Refs<'a> {
    modules: &'a Modules,
    /// The module the code being visited is in (the file's, plus inline modules).
    scope: Vec<String>,
    /// Names brought in by `use`, to absolute paths.
    aliases: BTreeMap<String, Vec<String>>,
    /// Absolute paths named.
    found: Vec<Vec<String>>,
}

impl Refs<'_> {
    /// The absolute path `segments` names, if it starts inside this crate.
    fn resolve(&self, segments: &[String]) -> Option<Vec<String>> {
        let (first, rest) = segments.split_first()?;
        let mut base = match first.as_str() {
            "crate" => Vec::new(),
            "self" => self.scope.clone(),
            "super" => {
                let mut base = self.scope.clone();
                base.pop();
                let mut rest = rest;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                return Some(base);
            }
            name => {
                let mut child = self.scope.clone();
                child.push(name.to_owned());
                if self.modules.contains_key(&child) {
                    child
                } else {
                    self.aliases.get(name)?.clone()
                }
            }
        };
        base.extend(rest.iter().cloned());
        Some(base)
    }

    fn name(&mut self, segments: Vec<String>) {
        if let Some(path) = self.resolve(&segments) {
            self.found.push(path);
        }
    }

    /// Flattens a `use` tree into paths, remembering the names it binds.
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.bind(prefix, &n.ident.to_string(), None),
            syn::UseTree::Rename(r) => {
                self.bind(prefix, &r.ident.to_string(), Some(r.rename.to_string()))
            }
            syn::UseTree::Glob(_) => {
                if let Some(path) = self.resolve(prefix) {
                    self.found.push(path);
                }
            }
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }

    fn bind(&mut self, prefix: &[String], ident: &str, rename: Option<String>) {
        let mut segments = prefix.to_vec();
        if ident != "self" {
            segments.push(ident.to_owned());
        }
        if let Some(path) = self.resolve(&segments) {
            let name = rename.unwrap_or_else(|| segments.last().cloned().unwrap_or_default());
            self.aliases.insert(name, path.clone());
            self.found.push(path);
        }
    }
}

impl<'ast> Visit<'ast> for Refs<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        // `mod x;` declares, it does not import; an inline module is a scope of its own
        if item.content.is_some() {
            self.scope.push(item.ident.to_string());
            syn::visit::visit_item_mod(self, item);
            self.scope.pop();
        }
    }

    fn visit_vis_restricted(&mut self, _: &'ast syn::VisRestricted) {
        // `pub(super)` names who may see an item, not something imported
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.name(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // macro bodies are not parsed: take every `a::b::c` in their tokens
        let text = mac.tokens.to_string();
        let tokens: Vec<&str> = text.split_whitespace().collect();
        let mut i = 0;
        while i < tokens.len() {
            let start = if tokens[i] == "$" { i + 1 } else { i };
            let mut segments = Vec::new();
            let mut j = start;
            while j < tokens.len() && is_ident(tokens[j]) {
                segments.push(tokens[j].to_owned());
                if tokens.get(j + 1) == Some(&"::") {
                    j += 2;
                } else {
                    j += 1;
                    break;
                }
            }
            if segments.len() > 1 {
                self.name(segments);
            }
            i = j.max(i + 1);
        }
        syn::visit::visit_macro(self, mac);
    }
}

fn is_ident(token: &str) -> bool {
    token.starts_with(|c: char| c.is_alphabetic() || c == '_')
        && token.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The import graph of a crate given as (file, source) pairs: file → files it imports.
fn graph(files: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: Modules = files
        .iter()
        .filter_map(|(file, _)| Some((module_path(file)?, file.clone())))
        .collect();
    let mut edges = BTreeMap::new();
    for (file, source) in files {
        let Some(scope) = module_path(file) else {
            continue;
        };
        let ast = syn::parse_file(source).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut refs = Refs {
            modules: &modules,
            scope,
            aliases: BTreeMap::new(),
            found: Vec::new(),
        };
        refs.visit_file(&ast);
        let targets: BTreeSet<String> = refs
            .found
            .iter()
            .filter_map(|path| {
                // the file of the longest prefix that is a module
                (0..=path.len())
                    .rev()
                    .find_map(|n| modules.get(&path[..n]))
                    .cloned()
            })
            .filter(|target| target != file)
            .collect();
        edges.insert(file.clone(), targets);
    }
    edges
}

/// The top-level module of a file (`crate` for the root).
fn layer(file: &str) -> String {
    module_path(file)
        .and_then(|p| p.first().cloned())
        .unwrap_or_else(|| "crate".to_owned())
}

/// Imports from a layer the file's layer may not use, as "from → to".
fn layer_violations(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut wrong = Vec::new();
    for (from, targets) in edges {
        let from_layer = layer(from);
        let Some((_, allowed)) = ALLOWED.iter().find(|(l, _)| *l == from_layer) else {
            if from_layer != "crate" && from_layer != "layers" {
                wrong.push(format!(
                    "{from}: its layer `{from_layer}` is not in ALLOWED"
                ));
            }
            continue;
        };
        for to in targets {
            let to_layer = layer(to);
            if to_layer != "crate" && !allowed.contains(&to_layer.as_str()) {
                wrong.push(format!("{from} → {to}"));
            }
        }
    }
    wrong
}

/// One import circle, as the files around it, if there is any.
fn find_circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        file: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(file.to_owned(), Mark::Open);
        stack.push(file.to_owned());
        for next in edges.get(file).into_iter().flatten() {
            match marks.get(next).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let start = stack.iter().position(|f| f == next).unwrap_or(0);
                    let mut circle = stack[start..].to_vec();
                    circle.push(next.clone());
                    return Some(circle);
                }
                Mark::New => {
                    if let Some(circle) = visit(next, edges, marks, stack) {
                        return Some(circle);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks.insert(file.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for file in edges.keys() {
        if marks.get(file).copied().unwrap_or(Mark::New) == Mark::New
            && let Some(circle) = visit(file, edges, &mut marks, &mut Vec::new())
        {
            return Some(circle);
        }
    }
    None
}

/// Lines of files under `src/http` that name the database.
fn database_in_http(files: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (file, source) in files.iter().filter(|(f, _)| f.starts_with("src/http/")) {
        for (n, line) in source.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in NOT_IN_HTTP {
                if code.contains(word) {
                    found.push(format!("{file}:{}: {word}", n + 1));
                }
            }
        }
    }
    found
}

/// Every `.rs` file under `src/`, as (path from the crate root, text).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

#[test]
fn every_import_goes_down_the_layers() {
    let edges = graph(&sources());
    // the checker sees the imports it is meant to judge
    for (from, to) in [
        ("src/http/web/login.rs", "src/http/web/page.rs"),
        ("src/http/api/handlers.rs", "src/state.rs"),
        ("src/app/sign_in.rs", "src/db/login_codes.rs"),
        ("src/app/sign_in.rs", "src/domain/otp.rs"),
        ("src/db/users.rs", "src/db/backend.rs"),
        ("src/startup.rs", "src/http/mod.rs"),
    ] {
        assert!(edges[from].contains(to), "{from} → {to} not seen");
    }
    let wrong = layer_violations(&edges);
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_file_imports_itself_through_others() {
    let edges = graph(&sources());
    assert!(edges.len() > 50, "files read: {}", edges.len());
    if let Some(circle) = find_circle(&edges) {
        panic!("import circle: {}", circle.join(" → "));
    }
}

#[test]
fn the_http_edge_never_names_the_database() {
    let found = database_in_http(&sources());
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_checks_catch_what_they_are_for() {
    let file = |path: &str, text: &str| (path.to_owned(), text.to_owned());
    let crate_files = vec![
        file("src/lib.rs", "pub mod app; pub mod db; pub mod http;"),
        file("src/db/mod.rs", "pub mod users;"),
        file("src/db/users.rs", "pub fn find() {}"),
        file("src/app/mod.rs", "pub mod a; pub mod b;"),
        file("src/app/a.rs", "use super::b::B; pub struct A;"),
        file(
            "src/app/b.rs",
            "pub struct B; fn f() { let _ = crate::app::a::A; }",
        ),
        file(
            "src/http/mod.rs",
            "pub fn h() { crate::db::users::find(); m!(crate::app::a::A); }",
        ),
        file("src/domain/mod.rs", "use crate::http::h;"),
    ];
    let edges = graph(&crate_files);
    assert!(
        edges["src/http/mod.rs"].contains("src/app/a.rs"),
        "{edges:?}"
    );
    let circle = find_circle(&edges).expect("the circle a → b → a");
    assert!(
        circle.contains(&"src/app/a.rs".to_owned()) && circle.contains(&"src/app/b.rs".to_owned())
    );
    let wrong = layer_violations(&edges);
    assert!(
        wrong.contains(&"src/http/mod.rs → src/db/users.rs".to_owned()),
        "{wrong:?}"
    );
    assert!(
        wrong.contains(&"src/domain/mod.rs → src/http/mod.rs".to_owned()),
        "{wrong:?}"
    );
    assert_eq!(database_in_http(&crate_files).len(), 1);
}
