//! Helpers for the unit tests: a one-file library crate, parsed.

use crate::discover::{Package, Target, TargetKind, Workspace};
use crate::parse::{parse_workspace, Parsed};

/// Parse `src` as the `lib.rs` of a crate named `demo`, written to a
/// directory of its own (`tag` tells concurrent tests apart), and check
/// that it parsed without problems.
pub fn parse_lib(tag: &str, src: &str) -> Parsed {
    let dir = std::env::temp_dir().join(format!("datagate-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), src).unwrap();
    let ws = Workspace {
        root: dir.clone(),
        packages: vec![Package {
            name: "demo".into(),
            dir: dir.clone(),
            targets: vec![Target {
                crate_name: "demo".into(),
                kind: TargetKind::Lib,
                root_file: dir.join("src/lib.rs"),
            }],
        }],
    };
    let parsed = parse_workspace(&ws);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    parsed
}

/// Every `.rs` file of this repository's sources, fixtures, examples and
/// benchmark, in a stable order, with its text: inputs for tests that
/// compare two ways of doing one thing on real code.
pub fn repository_sources() -> Vec<(std::path::PathBuf, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    for dir in ["lint/src", "tests/fixtures", "examples", "bench/src"] {
        for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                out.push((entry.into_path(), text));
            }
        }
    }
    out
}

/// Run `f` on a thread with the stack the tool's threads have: deeply
/// nested fixtures need it.
pub fn on_tool_stack(f: fn()) {
    std::thread::Builder::new()
        .stack_size(crate::STACK_SIZE)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}
