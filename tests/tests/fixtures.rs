//! The fixture harness (DESIGN §7): every crate in `tests/fixtures/` is
//! analysed and its findings compared with the inline expectations.
//!
//! A marker `//~ CODE [CATEGORY RECIPIENT PURPOSE]` on a line expects a
//! finding with that code (and category, recipient, purpose) whose primary
//! location is on that line; several markers may share a line. A line with no
//! marker must have no finding. Any missing or extra finding fails the test
//! with a listing of both.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::rs_files;
use datagate_lint::discover::{discover, DiscoverOptions, Workspace};
use datagate_lint::policy::load::load_for_workspace;
use datagate_lint::policy::Policy;
use datagate_spec::Code;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

type Key = (String, u32, String, String, String, String);

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn fixture_crates() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    v.sort();
    v
}

/// The expectations written in a fixture's sources.
fn expected(root: &Path) -> BTreeSet<Key> {
    let mut files = Vec::new();
    rs_files(root, &mut files);
    let mut out = BTreeSet::new();
    for f in files {
        let rel = f
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            for marker in line.split("//~").skip(1) {
                let words: Vec<&str> = marker.split_whitespace().collect();
                let Some(code) = words.first() else { continue };
                assert!(
                    Code::from_name(code).is_some(),
                    "{rel}:{}: unknown code `{code}` in marker",
                    i + 1
                );
                let w = |k: usize| words.get(k).map_or(String::new(), |s| s.to_string());
                out.insert((
                    rel.clone(),
                    i as u32 + 1,
                    code.to_string(),
                    w(1),
                    w(2),
                    w(3),
                ));
            }
        }
    }
    out
}

/// The workspace at `root` and its policy.
fn workspace_and_policy(root: &Path) -> (Workspace, Policy) {
    let ws = discover(&DiscoverOptions {
        manifest_path: Some(root.join("Cargo.toml")),
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    let policy = load_for_workspace(None, &ws.root)
        .unwrap_or_else(|e| panic!("{}: bad policy: {e:?}", root.display()));
    (ws, policy)
}

fn actual(root: &Path) -> (BTreeSet<Key>, Vec<String>) {
    let (ws, policy) = workspace_and_policy(root);
    let analysis = datagate_lint::analyze(&ws, &policy);
    let mut details = Vec::new();
    let keys = analysis
        .findings
        .iter()
        .map(|f| {
            details.push(format!(
                "{}:{}:{} {} {}",
                f.location.file, f.location.line, f.location.column, f.code, f.message
            ));
            (
                f.location.file.clone(),
                f.location.line,
                f.code.name().to_string(),
                f.category.clone().unwrap_or_default(),
                f.recipient.clone().unwrap_or_default(),
                f.purpose.clone().unwrap_or_default(),
            )
        })
        .collect();
    (keys, details)
}

fn show(k: &Key) -> String {
    format!("{}:{}: {} {} {} {}", k.0, k.1, k.2, k.3, k.4, k.5)
        .trim_end()
        .to_string()
}

#[test]
fn fixtures_match_their_expectations() {
    let crates = fixture_crates();
    assert!(!crates.is_empty(), "no fixture crates found");
    let only = std::env::var("FIXTURE").ok();
    let mut report = String::new();
    for root in &crates {
        let name = root.file_name().unwrap().to_string_lossy().to_string();
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let exp = expected(root);
        let (act, details) = actual(root);
        let missing: Vec<String> = exp.difference(&act).map(show).collect();
        let extra: Vec<String> = act.difference(&exp).map(show).collect();
        if !missing.is_empty() || !extra.is_empty() {
            report.push_str(&format!("\n== fixture `{name}`\n"));
            for m in missing {
                report.push_str(&format!("  missing: {m}\n"));
            }
            for e in extra {
                report.push_str(&format!("  extra:   {e}\n"));
            }
            if std::env::var("FIXTURE_VERBOSE").is_ok() {
                for d in details {
                    report.push_str(&format!("    {d}\n"));
                }
            }
        }
    }
    assert!(report.is_empty(), "fixture expectations not met:{report}");
}

/// Every finding code has at least one fixture that expects it.
#[test]
fn every_code_has_fixtures() {
    let mut seen = BTreeSet::new();
    for root in fixture_crates() {
        for k in expected(&root) {
            seen.insert(k.2);
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.name())
        .filter(|c| !seen.contains(*c))
        .collect();
    assert!(missing.is_empty(), "codes without fixtures: {missing:?}");
}

/// Only functions that can reach a sink, or be called from one, are
/// analysed (`flow::calls::demanded`). Analysing every function must give
/// the same findings, traces, data map and declassifications, on every
/// fixture and on the demo.
#[test]
fn analysing_only_demanded_functions_changes_nothing() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/messenger");
    let mut differ = Vec::new();
    for root in fixture_crates().into_iter().chain([demo]) {
        let (ws, policy) = workspace_and_policy(&root);
        let [demanded, every] = [false, true].map(|every| {
            let mut a = datagate_lint::analyze_with(
                &ws,
                &policy,
                datagate_lint::Options {
                    every_function: every,
                    ..Default::default()
                },
            );
            a.normalize();
            format!(
                "{:#?}",
                (&a.findings, &a.flows, &a.declassifications, a.suppressed)
            )
        });
        if demanded != every {
            differ.push(root.display().to_string());
        }
    }
    assert!(differ.is_empty(), "results differ on {differ:?}");
}
