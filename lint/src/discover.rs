//! Discovery: the workspace, its packages and their targets' root files.
//!
//! `cargo metadata --no-deps --offline` is asked first (it never builds
//! anything or runs build scripts); when cargo is not usable (not installed,
//! a vendored crate that believes it is in another workspace, ...) the
//! manifests are read directly. Module files are found later, while parsing,
//! by following `mod` declarations (see `parse`).

use miette::Diagnostic;
use std::path::{Path, PathBuf};

/// What to discover.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// A `Cargo.toml` or a directory holding one; default: search upward from
    /// the current directory.
    pub manifest_path: Option<PathBuf>,
    /// Only these packages (`-p`); empty means every workspace member.
    pub packages: Vec<String>,
    /// Also analyse test, bench and example targets.
    pub include_tests: bool,
    /// Every member even when the manifest is a member's (`--workspace`).
    pub workspace: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetKind {
    Lib,
    Bin,
    Example,
    Test,
    Bench,
}

/// A crate to analyse: one target of a package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    /// The crate name as code refers to it (`-` replaced by `_`).
    pub crate_name: String,
    pub kind: TargetKind,
    pub root_file: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub dir: PathBuf,
    pub targets: Vec<Target>,
}

/// The discovered workspace.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The workspace root: paths in reports are relative to it.
    pub root: PathBuf,
    pub packages: Vec<Package>,
}

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum DiscoverError {
    #[error("could not find `Cargo.toml` in `{}` or any parent directory", .0.display())]
    #[diagnostic(
        code(datagate::no_manifest),
        help("run in a cargo workspace or pass --manifest-path")
    )]
    NoManifest(PathBuf),
    #[error("manifest path `{}` does not exist", .0.display())]
    #[diagnostic(code(datagate::no_manifest))]
    MissingManifest(PathBuf),
    #[error("could not read manifest `{}`: {message}", path.display())]
    #[diagnostic(code(datagate::bad_manifest))]
    BadManifest { path: PathBuf, message: String },
    #[error("package `{name}` is not in the workspace{suggestion}")]
    #[diagnostic(code(datagate::unknown_package))]
    UnknownPackage { name: String, suggestion: String },
}

impl Workspace {
    /// Every target of every package, in a stable order.
    pub fn targets(&self) -> impl Iterator<Item = (&Package, &Target)> {
        self.packages
            .iter()
            .flat_map(|p| p.targets.iter().map(move |t| (p, t)))
    }

    /// A path relative to the root, with `/` separators.
    pub fn relative(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        let mut out = String::new();
        for c in rel.components() {
            // The root of a path outside the workspace is its leading `/`,
            // not a name to join with another one (`//tmp/x.rs`).
            if c == std::path::Component::RootDir {
                if !out.ends_with('/') {
                    out.push('/');
                }
                continue;
            }
            if !out.is_empty() && !out.ends_with('/') {
                out.push('/');
            }
            out.push_str(&c.as_os_str().to_string_lossy());
        }
        out
    }
}

/// Discover the workspace.
pub fn discover(opts: &DiscoverOptions) -> Result<Workspace, DiscoverError> {
    let manifest = find_manifest(opts.manifest_path.as_deref())?;
    let mut ws = match from_cargo(&manifest, opts.include_tests) {
        Some(ws) => ws,
        None => from_manifests(&manifest, opts.include_tests)?,
    };
    // Like cargo: in a member's directory (or with its manifest), only that
    // member, unless `--workspace`; at the root, every member.
    if opts.packages.is_empty() && !opts.workspace {
        let dir = absolute(manifest.parent().unwrap_or(Path::new(".")));
        if dir != ws.root && ws.packages.iter().any(|p| p.dir == dir) {
            ws.packages.retain(|p| p.dir == dir);
        }
    }
    if !opts.packages.is_empty() {
        for name in &opts.packages {
            if !ws.packages.iter().any(|p| &p.name == name) {
                let names: Vec<&str> = ws.packages.iter().map(|p| p.name.as_str()).collect();
                return Err(DiscoverError::UnknownPackage {
                    name: name.clone(),
                    suggestion: datagate_spec::suggest::did_you_mean(name, names),
                });
            }
        }
        ws.packages.retain(|p| opts.packages.contains(&p.name));
    }
    for p in &mut ws.packages {
        p.targets.sort();
        p.targets
            .dedup_by(|a, b| a.root_file == b.root_file && a.crate_name == b.crate_name);
    }
    ws.packages
        .sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.dir.cmp(&b.dir)));
    Ok(ws)
}

fn find_manifest(given: Option<&Path>) -> Result<PathBuf, DiscoverError> {
    match given {
        Some(p) => {
            let m = if p.is_dir() {
                p.join("Cargo.toml")
            } else {
                p.to_path_buf()
            };
            if m.is_file() {
                Ok(absolute(&m))
            } else {
                Err(DiscoverError::MissingManifest(m))
            }
        }
        None => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            cwd.ancestors()
                .map(|d| d.join("Cargo.toml"))
                .find(|m| m.is_file())
                .ok_or(DiscoverError::NoManifest(cwd))
        }
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

fn target_kind(kinds: &[cargo_metadata::TargetKind]) -> Option<TargetKind> {
    use cargo_metadata::TargetKind as K;
    kinds.iter().find_map(|k| match k {
        K::Lib | K::RLib | K::DyLib | K::CDyLib | K::StaticLib | K::ProcMacro => {
            Some(TargetKind::Lib)
        }
        K::Bin => Some(TargetKind::Bin),
        K::Example => Some(TargetKind::Example),
        K::Test => Some(TargetKind::Test),
        K::Bench => Some(TargetKind::Bench),
        _ => None,
    })
}

fn wanted(kind: TargetKind, include_tests: bool) -> bool {
    include_tests || matches!(kind, TargetKind::Lib | TargetKind::Bin)
}

fn from_cargo(manifest: &Path, include_tests: bool) -> Option<Workspace> {
    let meta = cargo_metadata::MetadataCommand::new()
        .manifest_path(manifest)
        .no_deps()
        .other_options(vec!["--offline".to_string()])
        // Not in the checked workspace: there, a `rust-toolchain.toml` would
        // make the rustup proxy run a "cargo" of the pull request's choosing,
        // and its `.cargo/config.toml` would be read. The manifest path is
        // absolute, so cargo finds the workspace all the same.
        .current_dir(std::env::temp_dir())
        .exec()
        .ok()?;
    let root = absolute(meta.workspace_root.as_std_path());
    let packages = meta
        .workspace_packages()
        .into_iter()
        .map(|p| Package {
            name: p.name.to_string(),
            dir: absolute(
                p.manifest_path
                    .parent()
                    .map_or(p.manifest_path.as_std_path(), |d| d.as_std_path()),
            ),
            targets: p
                .targets
                .iter()
                .filter_map(|t| {
                    let kind = target_kind(&t.kind)?;
                    wanted(kind, include_tests).then(|| Target {
                        crate_name: t.name.replace('-', "_"),
                        kind,
                        root_file: absolute(t.src_path.as_std_path()),
                    })
                })
                .collect(),
        })
        .collect();
    Some(Workspace { root, packages })
}

fn read_toml(path: &Path) -> Result<toml::Table, DiscoverError> {
    let text = std::fs::read_to_string(path).map_err(|e| DiscoverError::BadManifest {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    text.parse::<toml::Table>()
        .map_err(|e| DiscoverError::BadManifest {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })
}

/// Read the manifests directly (no cargo).
fn from_manifests(manifest: &Path, include_tests: bool) -> Result<Workspace, DiscoverError> {
    let table = read_toml(manifest)?;
    let root = manifest
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut packages = Vec::new();
    if table.contains_key("package") {
        packages.push(package_from_table(&root, &table, include_tests));
    }
    if let Some(ws) = table.get("workspace").and_then(toml::Value::as_table) {
        let excluded: Vec<PathBuf> = str_list(ws.get("exclude"))
            .iter()
            .map(|e| root.join(e))
            .collect();
        for member in str_list(ws.get("members")) {
            for dir in expand_member(&root, &member) {
                if excluded.iter().any(|e| dir.starts_with(e)) || dir == root {
                    continue;
                }
                let m = dir.join("Cargo.toml");
                if m.is_file() {
                    let t = read_toml(&m)?;
                    packages.push(package_from_table(&dir, &t, include_tests));
                }
            }
        }
    }
    Ok(Workspace {
        root: absolute(&root),
        packages,
    })
}

fn str_list(v: Option<&toml::Value>) -> Vec<String> {
    v.and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Expand a member entry; only a trailing `*` component is supported, as in
/// nearly every real workspace.
fn expand_member(root: &Path, member: &str) -> Vec<PathBuf> {
    match member.strip_suffix("/*") {
        Some(prefix) => {
            let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join(prefix))
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.is_dir())
                        .collect()
                })
                .unwrap_or_default();
            dirs.sort();
            dirs
        }
        None => vec![root.join(member)],
    }
}

fn package_from_table(dir: &Path, t: &toml::Table, include_tests: bool) -> Package {
    let name = t
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .unwrap_or("unnamed")
        .to_string();
    let crate_name = name.replace('-', "_");
    let mut targets = Vec::new();
    let lib_path = t
        .get("lib")
        .and_then(|l| l.get("path"))
        .and_then(toml::Value::as_str)
        .map(|p| dir.join(p))
        .unwrap_or_else(|| dir.join("src/lib.rs"));
    if lib_path.is_file() {
        let lib_name = t
            .get("lib")
            .and_then(|l| l.get("name"))
            .and_then(toml::Value::as_str)
            .map_or_else(|| crate_name.clone(), |n| n.replace('-', "_"));
        targets.push(Target {
            crate_name: lib_name,
            kind: TargetKind::Lib,
            root_file: absolute(&lib_path),
        });
    }
    let mut add = |kind: TargetKind, name: String, path: PathBuf| {
        if path.is_file() && wanted(kind, include_tests) {
            targets.push(Target {
                crate_name: name.replace('-', "_"),
                kind,
                root_file: absolute(&path),
            });
        }
    };
    let declared_bins = t
        .get("bin")
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    for b in &declared_bins {
        if let Some(p) = b.get("path").and_then(toml::Value::as_str) {
            let n = b
                .get("name")
                .and_then(toml::Value::as_str)
                .unwrap_or(&name)
                .to_string();
            add(TargetKind::Bin, n, dir.join(p));
        }
    }
    add(TargetKind::Bin, name.clone(), dir.join("src/main.rs"));
    for (sub, kind) in [
        ("src/bin", TargetKind::Bin),
        ("examples", TargetKind::Example),
        ("tests", TargetKind::Test),
        ("benches", TargetKind::Bench),
    ] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for p in entries {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if p.extension().is_some_and(|e| e == "rs") {
                add(kind, stem, p);
            } else if p.is_dir() {
                add(kind, stem, p.join("main.rs"));
            }
        }
    }
    Package {
        name,
        dir: absolute(dir),
        targets,
    }
}
