//! Snapshots of every report format on a hand-built analysis, rendered
//! deterministically (no colour, fixed width).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use datagate_lint::baseline::{self, Baseline};
use datagate_lint::findings::{Analysis, Finding, Hop, Location, Severity};
use datagate_lint::report::{self, Format, HumanOptions, Report};
use datagate_spec::Code;
use std::sync::Arc;

const MODEL: &str = "\
use datagate::Personal;

#[derive(Personal)]
pub struct Account {
    #[personal(phone_number)]
    pub phone: String,
    pub display_name: String,
}
";

const ADS: &str = "\
use crate::model::Account;

#[datagate::sink(to = facebook, purpose = advertising)]
pub fn upload_custom_audience(phones: &[String]) {}

pub fn sync(account: &Account) {
    let phone = account.phone.clone();
    upload_custom_audience(&[phone]);
}

pub fn report(account: &Account) {
    let body = format!(\"{}\", account.phone);
    send_to_advertisers(&body);
}
";

fn loc(file: &str, line: u32, column: u32) -> Location {
    Location {
        file: file.into(),
        line,
        column,
    }
}

fn hop(file: &str, line: u32, column: u32, note: &str) -> Hop {
    Hop {
        at: loc(file, line, column),
        note: note.into(),
    }
}

pub fn sample() -> Analysis {
    let unconsented = Finding {
        code: Code::UnconsentedFlow,
        severity: Severity::Error,
        message: "`phone_number` reaches `facebook` for advertising without consent".into(),
        category: Some("phone_number".into()),
        recipient: Some("facebook".into()),
        purpose: Some("advertising".into()),
        location: loc("src/ads.rs", 8, 5),
        length: 32,
        source: Some(hop("src/model.rs", 6, 5, "Account.phone")),
        trace: vec![
            hop("src/ads.rs", 7, 17, "let phone = account.phone.clone()"),
            hop("src/ads.rs", 8, 5, "upload_custom_audience(&[phone])"),
        ],
        help: None,
        item_path: "messenger::ads::sync".into(),
        snippet: "upload_custom_audience(&[phone])".into(),
    };
    let never = Finding {
        code: Code::NeverShare,
        severity: Severity::Error,
        message: "`phone_number` may never reach `advertisers`".into(),
        category: Some("phone_number".into()),
        recipient: Some("advertisers".into()),
        purpose: Some("advertising".into()),
        location: loc("src/ads.rs", 13, 5),
        length: 26,
        source: Some(hop("src/ads.rs", 12, 29, "account.phone")),
        trace: vec![hop("src/ads.rs", 12, 9, "let body = format!(..)")],
        help: None,
        item_path: "messenger::ads::report".into(),
        snippet: "send_to_advertisers(&body)".into(),
    };
    let parse = Finding {
        code: Code::ParseError,
        severity: Severity::Error,
        message: "expected `,`, found `{`".into(),
        category: None,
        recipient: None,
        purpose: None,
        location: loc("src/broken.rs", 3, 1),
        length: 0,
        source: None,
        trace: Vec::new(),
        help: Some("fix the syntax error (`cargo check` shows it too)".into()),
        item_path: "messenger::broken".into(),
        snippet: String::new(),
    };
    let unused = Finding {
        code: Code::UnusedAllow,
        severity: Severity::Warning,
        message: "this allow suppresses no finding".into(),
        category: None,
        recipient: None,
        purpose: None,
        location: loc("src/model.rs", 1, 5),
        length: 0,
        source: None,
        trace: Vec::new(),
        help: Some("remove the attribute".into()),
        item_path: "messenger::model".into(),
        snippet: "datagate::allow(unconsented_flow)".into(),
    };
    let mut a = Analysis {
        findings: vec![unused, parse, never, unconsented],
        suppressed: 2,
        files: 3,
        lines: 40,
        ..Analysis::default()
    };
    a.sources.insert("src/model.rs".into(), Arc::from(MODEL));
    a.sources.insert("src/ads.rs".into(), Arc::from(ADS));
    a.normalize();
    a
}

fn render(format: Format, analysis: &Analysis, baselined: usize) -> String {
    let report = Report {
        analysis,
        baselined,
    };
    report::render(
        format,
        &report,
        &HumanOptions {
            color: false,
            width: 100,
            quiet: false,
        },
    )
}

#[test]
fn human() {
    insta::assert_snapshot!(render(Format::Human, &sample(), 0));
}

#[test]
fn human_clean() {
    let a = Analysis {
        files: 1,
        lines: 1,
        ..Analysis::default()
    };
    insta::assert_snapshot!(render(Format::Human, &a, 3), @"no findings (3 baselined) in 1 file, 1 line");
}

#[test]
fn json() {
    let text = render(Format::Json, &sample(), 1);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["version"], 1);
    assert_eq!(value["summary"]["findings"], 4);
    insta::assert_snapshot!(text);
}

#[test]
fn sarif() {
    let text = render(Format::Sarif, &sample(), 0);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["version"], "2.1.0");
    assert_eq!(
        value["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        Code::ALL.len()
    );
    insta::assert_snapshot!(text);
}

#[test]
fn github() {
    insta::assert_snapshot!(render(Format::Github, &sample(), 0));
}

#[test]
fn output_is_byte_identical_across_runs() {
    for format in [Format::Human, Format::Json, Format::Sarif, Format::Github] {
        let mut shuffled = sample();
        shuffled.findings.reverse();
        shuffled.normalize();
        assert_eq!(render(format, &sample(), 0), render(format, &shuffled, 0));
    }
}

#[test]
fn baseline_file() {
    let a = sample();
    let text = baseline::render(&a.findings);
    insta::assert_snapshot!(text);
    let b = Baseline::parse("baseline.json", &text).unwrap();
    let (fresh, n) = b.filter(a.findings.clone());
    assert!(fresh.is_empty());
    assert_eq!(n, a.findings.len());
}
