//! End-to-end: the README's demo on `examples/messenger`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

fn messenger() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/messenger")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_cargo-datagate"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The demo catches exactly the one deliberate flow, and nothing else.
#[test]
fn demo_reports_the_one_deliberate_flow() {
    let dir = messenger();
    let (code, out, err) = run(&[dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{out}");
    let f = &findings[0];
    assert_eq!(f["code"], "unconsented-flow");
    assert_eq!(f["category"], "phone_number");
    assert_eq!(f["recipient"], "facebook");
    assert_eq!(f["purpose"], "advertising");
    assert_eq!(f["file"], "examples/messenger/src/ads.rs");
    let line = f["line"].as_u64().unwrap() as usize;
    let src = std::fs::read_to_string(dir.join("src/ads.rs")).unwrap();
    assert!(
        src.lines()
            .nth(line - 1)
            .unwrap()
            .contains("DEMO: deliberate unguarded flow"),
        "the finding is not on the commented line"
    );
    assert_eq!(
        v["summary"]["suppressed"], 1,
        "the reviewed Oculus linking is allowed"
    );
    // The trace starts at the personal field and ends at the sink.
    let trace = f["trace"].as_array().unwrap();
    assert!(trace.first().unwrap()["note"]
        .as_str()
        .unwrap()
        .contains("phone"));
}

/// The data map of the messenger, as a privacy notice would list it.
#[test]
fn inventory_snapshot() {
    let (code, out, err) = run(&[
        "inventory",
        messenger().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    insta::assert_json_snapshot!("messenger_inventory", v);
}

/// The output is byte-identical across runs.
#[test]
fn output_is_deterministic() {
    let dir = messenger();
    let a = run(&[dir.to_str().unwrap(), "--format", "sarif"]);
    let b = run(&[dir.to_str().unwrap(), "--format", "sarif"]);
    assert_eq!(a.1, b.1);
    let v: serde_json::Value = serde_json::from_str(&a.1).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 1);
}
