//! Parsing: read every module file of every target, in parallel, following
//! `mod` declarations (with `#[path]` and inline modules), and lower each
//! file to IR on the thread that parsed it.
//!
//! A file that cannot be read or parsed becomes a `parse-error` problem with
//! its path and, where known, a span: never a silent skip.

use crate::discover::{TargetKind, Workspace};
use crate::ir::{FileIr, Pos, Problem, Span};
use crate::lower;
use datagate_spec::Code;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

mod nesting;

/// Files deeper in brackets than this are not handed to syn, whose recursive
/// descent would otherwise risk the stack.
pub const MAX_NESTING: usize = 256;

/// Nor are files deeper than this counting what nests without brackets
/// too: prefix operators, closures, `->`, `=`, `return`, generic arguments.
/// Measured at this limit, syn in a debug build needs at most about 50 MiB
/// of stack (`Result<(), Result<(), …`), and the whole analysis still runs
/// at four times it on the analysis threads' 256 MiB; real code stays under
/// 128 (typenum's `UInt<UInt<…` is the deepest in the registry).
pub const MAX_TOTAL_NESTING: usize = 4 * MAX_NESTING;

/// One crate (target) being analysed.
#[derive(Debug, Clone)]
pub struct CrateInfo {
    pub name: String,
    pub kind: TargetKind,
    pub package: String,
}

/// A source file that was read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Workspace-relative, `/`-separated.
    pub rel: String,
    /// The bytes as read, not copied: reports copy the few texts they show.
    pub text: Box<str>,
    /// Counted once, when read.
    pub lines: usize,
}

/// A parsed and lowered module file.
#[derive(Debug)]
pub struct ParsedModule {
    pub krate: usize,
    /// Module path inside the crate (empty for the crate root).
    pub module: Vec<String>,
    pub file: usize,
    pub ir: FileIr,
}

/// A problem in a file (or a file that could not be read).
#[derive(Debug, Clone)]
pub struct FileProblem {
    pub file: String,
    pub problem: Problem,
}

/// Everything parsing produced, in a deterministic order.
#[derive(Debug, Default)]
pub struct Parsed {
    pub crates: Vec<CrateInfo>,
    pub files: Vec<SourceFile>,
    pub modules: Vec<ParsedModule>,
    pub problems: Vec<FileProblem>,
}

impl Parsed {
    pub fn lines(&self) -> usize {
        self.modules.iter().map(|m| m.ir.lines).sum()
    }
}

/// Module paths deeper than this are not followed (only `#[path]` cycles get there).
pub const MAX_MODULE_DEPTH: usize = 64;

/// Counts from a parse-only run (the benchmark's floor).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseStats {
    pub files: usize,
    pub lines: usize,
    pub errors: usize,
}

struct Task {
    krate: usize,
    module: Vec<String>,
    path: PathBuf,
    /// Directory where `mod x;` children of this file live.
    child_dir: PathBuf,
    /// The `mod` declaration that led here: (file, span).
    decl: Option<(String, Span)>,
    /// Compiled only into the crate's unit tests (`#[cfg(test)]` here or on
    /// an enclosing module): rustc needs the file only for those, and
    /// published crates often leave it out, so a missing one is no error.
    /// There is no code to analyse then, and none of it ships.
    test_only: bool,
}

/// A module file a file declares (`mod x;`, `#[path]`, item-level `include!`).
struct ModDecl {
    module: Vec<String>,
    file: PathBuf,
    /// Where that file's own `mod x;` children live.
    child_dir: PathBuf,
    span: Span,
    test_only: bool,
}

/// Where the module walk stands inside a file.
#[derive(Clone, Copy)]
struct Scope<'a> {
    module: &'a [String],
    /// Where `mod x;` declarations here find their files.
    dir: &'a Path,
    this_file: &'a Path,
    /// Inside an inline `mod m { .. }`.
    inline: bool,
    test_only: bool,
}

/// One file read by the walk, under one module path, and its IR if it
/// was parsed and lowered.
struct Walked {
    file: SourceFile,
    krate: usize,
    module: Vec<String>,
    ir: Option<FileIr>,
}

struct Shared<'a> {
    ws: &'a Workspace,
    root: PathBuf,
    lower: bool,
    out: Mutex<Vec<Walked>>,
    problems: Mutex<Vec<FileProblem>>,
}

/// Parse every target of the workspace and lower it to IR.
pub fn parse_workspace(ws: &Workspace) -> Parsed {
    let (crates, files, modules, problems) = walk(ws, true);
    Parsed {
        crates,
        files,
        modules,
        problems,
    }
}

/// Read and parse the same files as [`parse_workspace`], on the same
/// threads, and do nothing else: the benchmark's floor. Not even the
/// nesting check (`nesting::scan`), a pass over each text that
/// datagate needs but a parse does not: the floor parses a file the check
/// would refuse (none in the benchmark's corpora; its large stacks take
/// them), which only makes it slower, never datagate's ratio better. Nor
/// does it keep the texts it read.
pub fn parse_only(ws: &Workspace) -> ParseStats {
    let (_, files, modules, problems) = walk(ws, false);
    ParseStats {
        files: files.len(),
        lines: files.iter().map(|f| f.lines).sum(),
        errors: problems.len() + modules.iter().filter(|m| !m.ir.problems.is_empty()).count(),
    }
}

fn line_count(text: &str) -> usize {
    text.lines().count()
}

type WalkResult = (
    Vec<CrateInfo>,
    Vec<SourceFile>,
    Vec<ParsedModule>,
    Vec<FileProblem>,
);

fn walk(ws: &Workspace, lower: bool) -> WalkResult {
    let root = std::fs::canonicalize(&ws.root).unwrap_or_else(|_| ws.root.clone());
    let crates: Vec<CrateInfo> = ws
        .targets()
        .map(|(p, t)| CrateInfo {
            name: t.crate_name.clone(),
            kind: t.kind,
            package: p.name.clone(),
        })
        .collect();
    let shared = Shared {
        ws,
        root,
        lower,
        out: Mutex::new(Vec::new()),
        problems: Mutex::new(Vec::new()),
    };
    // Level by level: every file of a level in parallel, then the modules
    // they declare. A file reached twice in one crate (two `mod`s, `#[path]`
    // aliases, cycles) is read once, under the smallest module path of the
    // first level that reaches it: the choice never depends on timing.
    let mut level: Vec<Task> = ws
        .targets()
        .enumerate()
        .map(|(i, (_, t))| Task {
            krate: i,
            module: Vec::new(),
            path: t.root_file.clone(),
            child_dir: t
                .root_file
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            decl: None,
            test_only: false,
        })
        .collect();
    let mut seen: HashSet<(usize, PathBuf)> = HashSet::new();
    while !level.is_empty() {
        // Canonicalising is a system call per path component: in
        // parallel, and once per file (the task reads the file by it).
        let mut keyed: Vec<(usize, PathBuf, Task, bool)> = level
            .into_par_iter()
            .map(|t| match std::fs::canonicalize(&t.path) {
                Ok(c) => (t.krate, c, t, true),
                Err(_) => (t.krate, t.path.clone(), t, false),
            })
            .collect();
        keyed.sort_by(|a, b| (a.0, &a.1, &a.2.module).cmp(&(b.0, &b.1, &b.2.module)));
        // Files outside the workspace or in `.git` are not read: each
        // declaration of one gets its own finding.
        let root = &shared.root;
        let read = |c: &Path| c.starts_with(root) && !in_dot_git(root, c);
        keyed.dedup_by(|b, a| a.0 == b.0 && a.1 == b.1 && read(&a.1));
        let todo: Vec<(Task, Option<PathBuf>)> = keyed
            .into_iter()
            .filter(|(k, c, _, _)| !read(c) || seen.insert((*k, c.clone())))
            .map(|(_, c, t, canonical)| (t, canonical.then_some(c)))
            .collect();
        let sh = &shared;
        // One file per job: with rayon's default splitting, one thread was
        // left parsing a long run of files alone at the end (1M lines).
        level = todo
            .into_par_iter()
            .with_max_len(1)
            .flat_map_iter(|(t, canon)| run_task(sh, t, canon))
            .collect();
    }
    let mut out = shared.out.into_inner().unwrap_or_else(|e| e.into_inner());
    // A file reached under several module paths of one crate (two `mod`
    // declarations, `#[path]` aliases) is analysed once, under the smallest
    // path: which task reached it first must not matter.
    out.sort_by(|a, b| (&a.file.rel, a.krate, &a.module).cmp(&(&b.file.rel, b.krate, &b.module)));
    out.dedup_by(|b, a| a.file.rel == b.file.rel && a.krate == b.krate);
    let mut files: Vec<SourceFile> = Vec::new();
    let mut modules = Vec::new();
    for Walked {
        file,
        krate,
        module,
        ir,
    } in out
    {
        // Sorted by path: a file's modules are adjacent.
        if files.last().is_none_or(|f| f.rel != file.rel) {
            files.push(file);
        }
        let file = files.len() - 1;
        if let Some(ir) = ir {
            modules.push(ParsedModule {
                krate,
                module,
                file,
                ir,
            });
        }
    }
    let mut problems = shared
        .problems
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    problems.sort_by(|a, b| {
        (&a.file, a.problem.span, &a.problem.message).cmp(&(
            &b.file,
            b.problem.span,
            &b.problem.message,
        ))
    });
    problems.dedup_by(|a, b| {
        a.file == b.file
            && a.problem.span == b.problem.span
            && a.problem.message == b.problem.message
    });
    (crates, files, modules, problems)
}

/// Whether a canonical path lies in a `.git` directory of the workspace.
fn in_dot_git(root: &Path, canon: &Path) -> bool {
    canon
        .strip_prefix(root)
        .is_ok_and(|r| r.components().any(|c| c.as_os_str() == ".git"))
}

fn report(sh: &Shared<'_>, file: String, span: Span, message: String) {
    let p = FileProblem {
        file,
        problem: Problem {
            code: Code::ParseError,
            span,
            message,
        },
    };
    sh.problems
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(p);
}

/// Record a file read for `task`. The floor ([`parse_only`]) keeps no
/// text: it only counts.
fn emit(
    sh: &Shared<'_>,
    rel: String,
    text: Box<str>,
    lines: usize,
    task: &Task,
    ir: Option<FileIr>,
) {
    let text = if sh.lower { text } else { Box::from("") };
    sh.out
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Walked {
            file: SourceFile { rel, text, lines },
            krate: task.krate,
            module: task.module.clone(),
            ir,
        });
}

/// Drop this thread's record of the files parsed on it. proc-macro2 keeps
/// a copy of each one's text and line table to answer a span's line and
/// column, and searches them all for every span: once a file is lowered and
/// its tree dropped, none of its spans is left to ask.
fn forget_spans() {
    proc_macro2::extra::invalidate_current_thread_spans();
}

/// Read, parse and lower one file (`canon`: its canonical path, when
/// known); returns the module files it declares.
fn run_task(sh: &Shared<'_>, task: Task, canon: Option<PathBuf>) -> Vec<Task> {
    let rel = sh.ws.relative(&task.path);
    let (decl_file, decl_span) = task
        .decl
        .clone()
        .unwrap_or_else(|| (rel.clone(), Span::default()));
    let canon = match canon.map_or_else(|| std::fs::canonicalize(&task.path), Ok) {
        Ok(c) => c,
        Err(e) if task.test_only && e.kind() == std::io::ErrorKind::NotFound => {
            return Vec::new();
        }
        Err(e) => {
            report(
                sh,
                decl_file,
                decl_span,
                format!("cannot read `{rel}`: {e}"),
            );
            return Vec::new();
        }
    };
    // The same file by another way (`src/../src/a.rs`, a symlink inside
    // the workspace) has one name.
    let rel = match canon.strip_prefix(&sh.root) {
        Ok(r) => r
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => rel,
    };
    if !canon.starts_with(&sh.root) {
        report(
            sh,
            decl_file,
            decl_span,
            format!("module file `{rel}` is outside the workspace (resolves to `{}`); datagate does not read it", canon.display()),
        );
        return Vec::new();
    }
    // Nor inside a repository's `.git` directory: a CI checkout's
    // `.git/config` can hold the job's token, and a parse error would print
    // a snippet of it.
    if in_dot_git(&sh.root, &canon) {
        let declared = sh.ws.relative(&task.path);
        report(
            sh,
            decl_file,
            decl_span,
            format!("module file `{declared}` is inside a `.git` directory (`{rel}`); datagate does not read it"),
        );
        return Vec::new();
    }
    // `#[path]` cycles nest module paths without end: cut them.
    if task.module.len() > MAX_MODULE_DEPTH {
        report(
            sh,
            decl_file,
            decl_span,
            format!("modules nested deeper than {MAX_MODULE_DEPTH} levels at `{rel}` (a `#[path]` cycle?); datagate does not follow them"),
        );
        return Vec::new();
    }
    let bytes = match std::fs::read(&canon) {
        Ok(b) => b,
        Err(e) => {
            report(
                sh,
                rel.clone(),
                Span::default(),
                format!("cannot read `{rel}`: {e}"),
            );
            return Vec::new();
        }
    };
    let text: Box<str> = match String::from_utf8(bytes) {
        Ok(t) => t.into_boxed_str(),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let prefix = &e.as_bytes()[..at];
            let line = prefix.iter().filter(|b| **b == b'\n').count() as u32 + 1;
            let col = prefix.iter().rev().take_while(|b| **b != b'\n').count() as u32 + 1;
            report(
                sh,
                rel.clone(),
                Span {
                    lo: Pos { line, col },
                    hi: Pos { line, col },
                },
                format!("`{rel}` is not valid UTF-8 (byte {at})"),
            );
            return Vec::new();
        }
    };
    let lines = line_count(&text);
    let scan = sh
        .lower
        .then(|| nesting::scan(&text, MAX_NESTING, MAX_TOTAL_NESTING));
    if let Some((pos, deep)) = scan.as_ref().and_then(|s| s.deep) {
        let message = match deep {
            nesting::Deep::Brackets => format!("brackets nested deeper than {MAX_NESTING} levels; datagate does not analyse this file"),
            nesting::Deep::Total => format!("code nested deeper than {MAX_TOTAL_NESTING} levels, counting brackets, operators, closures, `->`, `=`, `return`, `break` and generic arguments; datagate does not analyse this file"),
        };
        report(sh, rel.clone(), Span { lo: pos, hi: pos }, message);
        emit(sh, rel, text, lines, &task, None);
        return Vec::new();
    }
    // Doc comments as plain comments: the analysis reads none of them (the
    // floor parses the text as written).
    let for_syn = scan.and_then(|s| nesting::without_docs(&text, &s.doc_marks));
    let parsed = syn::parse_file(for_syn.as_deref().unwrap_or(&text));
    drop(for_syn);
    let file = match parsed {
        Ok(f) => f,
        Err(e) => {
            let span = lower::span_of(e.span());
            let message = format!("cannot parse `{rel}`: {e}");
            drop(e);
            forget_spans();
            report(sh, rel.clone(), span, message);
            emit(sh, rel, text, lines, &task, None);
            return Vec::new();
        }
    };
    let mut children = Vec::new();
    let scope = Scope {
        module: &task.module,
        dir: &task.child_dir,
        this_file: &task.path,
        inline: false,
        test_only: task.test_only,
    };
    collect_mods(&file.items, scope, &mut children);
    let ir = sh.lower.then(|| lower::lower_file(&file, lines));
    drop(file);
    forget_spans();
    emit(sh, rel.clone(), text, lines, &task, ir);
    children
        .into_iter()
        .map(|d| Task {
            krate: task.krate,
            module: d.module,
            path: d.file,
            child_dir: d.child_dir,
            decl: Some((rel.clone(), d.span)),
            test_only: d.test_only,
        })
        .collect()
}

/// Out-of-line module declarations of a file.
fn collect_mods(items: &[syn::Item], scope: Scope<'_>, out: &mut Vec<ModDecl>) {
    let Scope {
        module,
        dir,
        this_file,
        inline,
        ..
    } = scope;
    for item in items {
        if let syn::Item::Macro(m) = item {
            // `include!("gen.rs");` at item level: that file's items belong
            // to this module.
            if m.mac.path.is_ident("include") {
                if let Ok(lit) = m.mac.parse_body::<syn::LitStr>() {
                    let base = this_file.parent().unwrap_or(dir);
                    let f = base.join(lit.value());
                    let cd = f
                        .parent()
                        .map_or_else(|| base.to_path_buf(), Path::to_path_buf);
                    out.push(ModDecl {
                        module: module.to_vec(),
                        file: f,
                        child_dir: cd,
                        span: lower::span_of(lit.span()),
                        test_only: scope.test_only,
                    });
                }
                continue;
            }
            let inner = lower::macro_items(m);
            collect_mods(&inner, scope, out);
            continue;
        }
        let syn::Item::Mod(m) = item else { continue };
        // `mod r#as;` lives in `as.rs`.
        let name = syn::ext::IdentExt::unraw(&m.ident).to_string();
        let mut path_mod = module.to_vec();
        path_mod.push(name.clone());
        let test_only = scope.test_only || test_only(&m.attrs);
        // rustc resolves `#[path]` from the module's own directory: the
        // file's directory at its top level (even in `foo.rs`, whose
        // `mod x;` children live in `foo/`), the inline module's directory
        // inside one.
        let base = if inline {
            dir
        } else {
            this_file.parent().unwrap_or(dir)
        };
        // Several possible paths (`cfg_attr` per platform): every one that
        // exists is analysed (as the same module); if none does, the first
        // is reported as missing.
        let candidates = lower::path_attrs(&m.attrs);
        let exists = |p: &&String| {
            let f = base.join(p);
            // On an inline module, `#[path]` names the directory of its
            // children.
            if m.content.is_some() {
                f.is_dir()
            } else {
                f.is_file()
            }
        };
        let existing: Vec<&String> = candidates.iter().filter(exists).collect();
        let paths: Vec<&String> = if existing.is_empty() {
            candidates.iter().take(1).collect()
        } else {
            existing
        };
        match &m.content {
            Some((_, inner)) => {
                let inside = Scope {
                    module: &path_mod,
                    dir,
                    this_file,
                    inline: true,
                    test_only,
                };
                if paths.is_empty() {
                    let d = dir.join(&name);
                    collect_mods(inner, Scope { dir: &d, ..inside }, out);
                }
                for p in &paths {
                    let d = base.join(p);
                    collect_mods(inner, Scope { dir: &d, ..inside }, out);
                }
            }
            None => {
                let span = lower::span_of(syn::spanned::Spanned::span(&m.ident));
                if !paths.is_empty() {
                    // rustc treats a file loaded through `#[path]` like a
                    // `mod.rs`: its children sit beside it.
                    for p in &paths {
                        let f = base.join(p);
                        let cd = f
                            .parent()
                            .map_or_else(|| base.to_path_buf(), Path::to_path_buf);
                        out.push(ModDecl {
                            module: path_mod.clone(),
                            file: f,
                            child_dir: cd,
                            span,
                            test_only,
                        });
                    }
                    continue;
                }
                let flat = dir.join(format!("{name}.rs"));
                let nested = dir.join(&name).join("mod.rs");
                let file = if flat.is_file() || !nested.is_file() {
                    flat
                } else {
                    nested
                };
                out.push(ModDecl {
                    module: path_mod,
                    file,
                    child_dir: dir.join(&name),
                    span,
                    test_only,
                });
            }
        }
    }
}

/// `#[cfg(test)]` or `#[cfg(all(test, …))]`: compiled only into unit tests.
fn test_only(attrs: &[syn::Attribute]) -> bool {
    fn needs_test(m: &syn::Meta) -> bool {
        match m {
            syn::Meta::Path(p) => p.is_ident("test"),
            syn::Meta::List(l) if l.path.is_ident("all") => l
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
                )
                .is_ok_and(|args| args.iter().any(needs_test)),
            _ => false,
        }
    }
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.parse_args::<syn::Meta>().is_ok_and(|m| needs_test(&m))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{discover, DiscoverOptions};

    #[test]
    fn test_only_modules() {
        let yes = ["#[cfg(test)] mod t;", "#[cfg(all(test, unix))] mod t;"];
        let no = [
            "mod t;",
            "#[cfg(not(test))] mod t;",
            "#[cfg(any(test, unix))] mod t;",
            "#[cfg(feature = \"test\")] mod t;",
        ];
        for (src, want) in yes
            .iter()
            .map(|s| (s, true))
            .chain(no.iter().map(|s| (s, false)))
        {
            let m: syn::ItemMod = syn::parse_str(src).unwrap();
            assert_eq!(test_only(&m.attrs), want, "{src}");
        }
    }

    #[test]
    fn parses_this_workspace_following_mods() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let ws = discover(&DiscoverOptions {
            manifest_path: Some(dir.join("Cargo.toml")),
            ..Default::default()
        })
        .unwrap();
        let ws = Workspace {
            packages: ws
                .packages
                .into_iter()
                .filter(|p| p.name == "cargo-datagate")
                .collect(),
            ..ws
        };
        let parsed = parse_workspace(&ws);
        let rels: Vec<&str> = parsed.files.iter().map(|f| f.rel.as_str()).collect();
        assert!(rels.contains(&"lint/src/parse.rs"), "{rels:?}");
        assert!(rels.contains(&"lint/src/lower.rs"), "{rels:?}");
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let stats = parse_only(&ws);
        assert_eq!(stats.files, parsed.files.len());
    }
}
