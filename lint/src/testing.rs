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
