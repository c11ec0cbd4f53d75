//! The source tree stays a tree: no import circle among the files of `src/`, and no file too long
//! to read. The graph is built from the code itself (with `syn`): every `use` and every path that
//! names a module of this crate is an edge from the file it is written in to the file that defines
//! what it names, following re-exports (`pub use`) to where a thing is really defined; `mod`
//! declarations and re-exports themselves are plumbing, not dependencies.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The longest a source file may grow before it is split by job.
const MOST_LINES: usize = 700;

type ModPath = Vec<String>;

/// What one module holds: its child modules, its own items, and the names it brings in by `use`.
#[derive(Default)]
struct Module {
    file: PathBuf,
    children: BTreeSet<String>,
    items: BTreeSet<String>,
    /// name → absolute path, for every `use` (public or not): children may name them via `super::`.
    imports: HashMap<String, ModPath>,
}

/// A reference found in a file: written in module `at`, naming `path` (relative as written).
struct Reference {
    file: PathBuf,
    at: ModPath,
    path: ModPath,
    /// `use` lines bring a name in; a module brought in this way is only an alias, not an edge.
    by_use: bool,
    glob: bool,
}

struct Crate {
    modules: BTreeMap<ModPath, Module>,
    references: Vec<Reference>,
}

fn module_path_of(src: &Path, file: &Path) -> ModPath {
    let relative = file.strip_prefix(src).unwrap_or(file);
    let mut parts: ModPath = relative
        .iter()
        .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod") | Some("lib")) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("read {}: {error}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// Walks one file's syntax, keeping the inline module it is in.
struct FileWalker<'a> {
    file: PathBuf,
    at: ModPath,
    krate: &'a mut Crate,
}

impl FileWalker<'_> {
    fn module(&mut self) -> &mut Module {
        let file = self.file.clone();
        let module = self.krate.modules.entry(self.at.clone()).or_default();
        if module.file.as_os_str().is_empty() {
            module.file = file;
        }
        module
    }

    fn use_tree(&mut self, tree: &syn::UseTree, prefix: ModPath, public: bool) {
        match tree {
            syn::UseTree::Path(path) => {
                let mut prefix = prefix;
                prefix.push(path.ident.to_string());
                self.use_tree(&path.tree, prefix, public);
            }
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(tree, prefix.clone(), public);
                }
            }
            syn::UseTree::Name(name) => {
                let ident = name.ident.to_string();
                let (path, alias) = if ident == "self" {
                    let alias = prefix.last().cloned().unwrap_or_default();
                    (prefix, alias)
                } else {
                    let mut path = prefix;
                    path.push(ident.clone());
                    (path, ident)
                };
                self.import(alias, path, public, false);
            }
            syn::UseTree::Rename(rename) => {
                let mut path = prefix;
                let ident = rename.ident.to_string();
                if ident != "self" {
                    path.push(ident);
                }
                self.import(rename.rename.to_string(), path, public, false);
            }
            syn::UseTree::Glob(_) => {
                if !public {
                    self.reference(prefix, true, true);
                }
            }
        }
    }

    fn import(&mut self, alias: String, path: ModPath, public: bool, glob: bool) {
        let at = self.at.clone();
        self.module().imports.insert(alias, absolute(&at, &path));
        if !public {
            self.reference(path, true, glob);
        }
    }

    fn reference(&mut self, path: ModPath, by_use: bool, glob: bool) {
        self.krate.references.push(Reference {
            file: self.file.clone(),
            at: self.at.clone(),
            path,
            by_use,
            glob,
        });
    }
}

/// A path as written in module `at`, made absolute when it starts from this crate.
fn absolute(at: &ModPath, path: &ModPath) -> ModPath {
    let mut resolved = at.clone();
    let mut segments = path.iter().peekable();
    match segments.peek().map(|s| s.as_str()) {
        Some("crate") => {
            resolved.clear();
            segments.next();
        }
        Some("self") => {
            segments.next();
        }
        Some("super") => {
            while segments.peek().map(|s| s.as_str()) == Some("super") {
                resolved.pop();
                segments.next();
            }
        }
        _ => {}
    }
    resolved.extend(segments.cloned());
    resolved
}

fn is_public(vis: &syn::Visibility) -> bool {
    !matches!(vis, syn::Visibility::Inherited)
}

impl<'ast> Visit<'ast> for FileWalker<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let defined = match item {
            syn::Item::Const(i) => Some(&i.ident),
            syn::Item::Enum(i) => Some(&i.ident),
            syn::Item::Fn(i) => Some(&i.sig.ident),
            syn::Item::Static(i) => Some(&i.ident),
            syn::Item::Struct(i) => Some(&i.ident),
            syn::Item::Trait(i) => Some(&i.ident),
            syn::Item::Type(i) => Some(&i.ident),
            syn::Item::Union(i) => Some(&i.ident),
            syn::Item::Macro(i) => i.ident.as_ref(),
            _ => None,
        };
        if let Some(ident) = defined {
            let name = ident.to_string();
            self.module().items.insert(name);
        }
        match item {
            syn::Item::Use(item_use) => {
                let public = is_public(&item_use.vis);
                self.use_tree(&item_use.tree, Vec::new(), public);
            }
            syn::Item::Mod(item_mod) => {
                let name = item_mod.ident.to_string();
                self.module().children.insert(name.clone());
                if let Some((_, items)) = &item_mod.content {
                    self.at.push(name);
                    self.module();
                    for item in items {
                        self.visit_item(item);
                    }
                    self.at.pop();
                }
            }
            other => syn::visit::visit_item(self, other),
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: ModPath = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() > 1 {
            self.reference(segments, false, false);
        }
        syn::visit::visit_path(self, path);
    }
}

fn read_crate(src: &Path) -> Crate {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut krate = Crate {
        modules: BTreeMap::new(),
        references: Vec::new(),
    };
    for file in files {
        // The binary is its own crate: it reaches the library as `otklik::`, never `crate::`.
        if file == src.join("main.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|error| panic!("read {}: {error}", file.display()));
        let syntax = syn::parse_file(&text)
            .unwrap_or_else(|error| panic!("parse {}: {error}", file.display()));
        let at = module_path_of(src, &file);
        let mut walker = FileWalker {
            file: file.clone(),
            at,
            krate: &mut krate,
        };
        walker.module();
        for item in &syntax.items {
            walker.visit_item(item);
        }
    }
    krate
}

enum Target {
    Module(ModPath),
    Item(ModPath),
}

impl Crate {
    /// Where an absolute path leads: to a module, or to the module defining its item.
    fn resolve(&self, path: &[String], depth: usize) -> Option<Target> {
        if depth > 16 {
            return None;
        }
        let mut module: ModPath = Vec::new();
        for (index, segment) in path.iter().enumerate() {
            let current = self.modules.get(&module)?;
            if current.children.contains(segment) {
                module.push(segment.clone());
                continue;
            }
            if current.items.contains(segment) {
                return Some(Target::Item(module));
            }
            if let Some(target) = current.imports.get(segment) {
                let mut followed = target.clone();
                followed.extend(path[index + 1..].iter().cloned());
                return self.resolve(&followed, depth + 1);
            }
            // A name made by a macro, or an enum's variant further on: the module that holds it.
            return Some(Target::Item(module));
        }
        Some(Target::Module(module))
    }

    /// The file each file depends on.
    fn edges(&self) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
        let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
        for module in self.modules.values() {
            edges.entry(module.file.clone()).or_default();
        }
        for reference in &self.references {
            let Some(first) = reference.path.first() else {
                continue;
            };
            let starts_here = matches!(first.as_str(), "crate" | "self" | "super")
                || self
                    .modules
                    .get(&reference.at)
                    .is_some_and(|m| m.children.contains(first));
            let path = if starts_here {
                absolute(&reference.at, &reference.path)
            } else if let Some(imported) = self
                .modules
                .get(&reference.at)
                .and_then(|m| m.imports.get(first))
                .filter(|_| !reference.by_use)
            {
                // A path through a name brought in by `use` (`notices::outbox_rows`).
                let mut path = imported.clone();
                path.extend(reference.path[1..].iter().cloned());
                path
            } else {
                continue;
            };
            let target = match self.resolve(&path, 0) {
                Some(Target::Item(module)) => module,
                // `use crate::core::notices;` is an alias: its uses are the edges.
                Some(Target::Module(module)) if reference.glob || !reference.by_use => module,
                _ => continue,
            };
            let Some(to) = self.modules.get(&target).map(|m| m.file.clone()) else {
                continue;
            };
            if to != reference.file {
                edges.entry(reference.file.clone()).or_default().insert(to);
            }
        }
        edges
    }
}

/// Strongly connected components of more than one file (Tarjan).
fn circles(edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct Search<'a> {
        edges: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: HashMap<&'a PathBuf, usize>,
        low: HashMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on_stack: BTreeSet<&'a PathBuf>,
        found: Vec<Vec<PathBuf>>,
    }
    fn connect<'a>(search: &mut Search<'a>, node: &'a PathBuf) {
        let next = search.index.len();
        search.index.insert(node, next);
        search.low.insert(node, next);
        search.stack.push(node);
        search.on_stack.insert(node);
        if let Some(targets) = search.edges.get(node) {
            for target in targets {
                let Some((target, _)) = search.edges.get_key_value(target) else {
                    continue;
                };
                if !search.index.contains_key(target) {
                    connect(search, target);
                    let low = search.low[node].min(search.low[target]);
                    search.low.insert(node, low);
                } else if search.on_stack.contains(target) {
                    let low = search.low[node].min(search.index[target]);
                    search.low.insert(node, low);
                }
            }
        }
        if search.low[node] == search.index[node] {
            let mut component = Vec::new();
            while let Some(member) = search.stack.pop() {
                search.on_stack.remove(member);
                component.push(member.clone());
                if member == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                search.found.push(component);
            }
        }
    }
    let mut search = Search {
        edges,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in edges.keys() {
        if !search.index.contains_key(node) {
            connect(&mut search, node);
        }
    }
    search.found
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_file_of_src_imports_itself_through_others() {
    let krate = read_crate(&src());
    let edges = krate.edges();
    assert!(
        edges.len() > 50,
        "the walk found too few files to be the crate"
    );
    let found = circles(&edges);
    let shown: Vec<String> = found
        .iter()
        .map(|component| {
            let names: Vec<String> = component
                .iter()
                .map(|file| {
                    let within: Vec<String> = edges[file]
                        .iter()
                        .filter(|to| component.contains(to))
                        .map(|to| to.strip_prefix(src()).unwrap_or(to).display().to_string())
                        .collect();
                    format!(
                        "  {} → {}",
                        file.strip_prefix(src()).unwrap_or(file).display(),
                        within.join(", ")
                    )
                })
                .collect();
            names.join("\n")
        })
        .collect();
    assert!(
        found.is_empty(),
        "import circles among the files of src/:\n{}",
        shown.join("\n\n")
    );
}

#[test]
fn the_checker_sees_a_circle_when_there_is_one() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("folder");
        }
        std::fs::write(path, text).expect("write");
    };
    write("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n");
    write("a.rs", "use crate::b::Thing;\npub struct Other;\n");
    write("b/mod.rs", "mod inner;\npub use inner::Thing;\n");
    write("b/inner.rs", "pub struct Thing(crate::c::Third);\n");
    write(
        "c.rs",
        "pub struct Third;\nfn f() { let _ = super::a::Other; }\n",
    );
    let krate = read_crate(dir.path());
    let found = circles(&krate.edges());
    let names: Vec<Vec<String>> = found
        .iter()
        .map(|c| {
            c.iter()
                .map(|f| {
                    f.strip_prefix(dir.path())
                        .unwrap_or(f)
                        .display()
                        .to_string()
                })
                .collect()
        })
        .collect();
    // The re-export in b/mod.rs is followed to b/inner.rs; b/mod.rs itself is in no circle.
    assert_eq!(names, vec![vec!["a.rs", "b/inner.rs", "c.rs"]]);
}

#[test]
fn no_source_file_is_longer_than_a_reader_can_hold() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(file).ok()?.lines().count();
            (lines > MOST_LINES).then(|| format!("{} ({lines} lines)", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "split by job: {}", long.join(", "));
}
