//! SARIF 2.1.0 for code-scanning upload (`github/codeql-action/upload-sarif`).
//!
//! A small hand-written model of the parts datagate uses, in the manner of
//! cargo-deny's: `BTreeMap`s for maps so the output is stable, relative URIs
//! against the `%SRCROOT%` base, the trace as a code flow, and a
//! `partialFingerprints` entry that survives moving code (the baseline
//! fingerprint).

use super::{byte_range, help_text, Report};
use crate::baseline::fingerprint;
use crate::findings::{Finding, Location, Severity};
use crate::rules::{self, RULES};
use serde::Serialize;
use std::collections::BTreeMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base every URI is relative to: the checkout root.
pub const SRCROOT: &str = "%SRCROOT%";
/// The key of datagate's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "datagate/v1";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: String,
    short_description: Message,
    full_description: Message,
    help: MultiformatMessage,
    default_configuration: Configuration,
    properties: BTreeMap<&'static str, Vec<&'static str>>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code_flows: Vec<CodeFlow>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeFlow {
    thread_flows: Vec<ThreadFlow>,
}

#[derive(Serialize)]
struct ThreadFlow {
    locations: Vec<ThreadFlowLocation>,
}

#[derive(Serialize)]
struct ThreadFlowLocation {
    location: SarifLocation,
}

/// A relative path as a URI reference: `/` separators, reserved bytes escaped.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `unconsented-flow` → `UnconsentedFlow`.
fn pascal(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn location(
    report: &Report<'_>,
    at: &Location,
    len: u32,
    id: Option<usize>,
    note: Option<&str>,
) -> SarifLocation {
    let known = len > 0;
    let end_column = report
        .analysis
        .sources
        .get(&at.file)
        .filter(|_| known)
        .and_then(|text| {
            let range = byte_range(text, at, len)?;
            let piece = &text[range];
            (!piece.contains('\n')).then(|| at.column + piece.chars().count() as u32)
        });
    SarifLocation {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri(&at.file),
                uri_base_id: SRCROOT,
            },
            region: Region {
                start_line: at.line.max(1),
                start_column: at.column.max(1),
                end_column,
            },
        },
        message: note.map(|n| Message {
            text: n.to_string(),
        }),
    }
}

fn result(report: &Report<'_>, f: &Finding) -> SarifResult {
    let rule_index = RULES.iter().position(|r| r.code == f.code).unwrap_or(0);
    let mut text = f.message.clone();
    if let Some(help) = help_text(f) {
        text.push_str(&format!("\nhelp: {help}"));
    }
    let related_locations: Vec<SarifLocation> = f
        .source
        .iter()
        .map(|s| {
            location(
                report,
                &s.at,
                0,
                Some(1),
                Some(&format!("source: {}", s.note)),
            )
        })
        .collect();
    let mut flow = Vec::new();
    let mut last: Option<&Location> = None;
    for hop in f.source.iter().chain(f.trace.iter()) {
        if last != Some(&hop.at) {
            flow.push(ThreadFlowLocation {
                location: location(report, &hop.at, 0, None, Some(&hop.note)),
            });
        }
        last = Some(&hop.at);
    }
    let code_flows = if flow.is_empty() {
        Vec::new()
    } else {
        vec![CodeFlow {
            thread_flows: vec![ThreadFlow { locations: flow }],
        }]
    };
    let mut properties = BTreeMap::new();
    for (k, v) in [
        ("category", &f.category),
        ("recipient", &f.recipient),
        ("purpose", &f.purpose),
    ] {
        if let Some(v) = v {
            properties.insert(k, v.clone());
        }
    }
    SarifResult {
        rule_id: f.code.name(),
        rule_index,
        level: level(f.severity),
        message: Message { text },
        locations: vec![location(report, &f.location, f.length, None, None)],
        related_locations,
        code_flows,
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint(f))]),
        properties,
    }
}

fn rule(r: &rules::Rule) -> ReportingDescriptor {
    let doc = r.doc();
    let default_level = match r.code {
        datagate_spec::Code::UnusedAllow => "warning",
        _ => "error",
    };
    ReportingDescriptor {
        id: r.code.name(),
        name: pascal(r.code.name()),
        short_description: Message {
            text: r.summary.to_string(),
        },
        full_description: Message {
            text: r.summary.to_string(),
        },
        help: MultiformatMessage {
            text: doc.clone(),
            markdown: doc,
        },
        default_configuration: Configuration {
            level: default_level,
        },
        properties: BTreeMap::from([("tags", vec!["privacy", "security"])]),
    }
}

/// Render the report as a SARIF 2.1.0 log (pretty JSON, trailing newline).
pub fn render(report: &Report<'_>) -> String {
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "datagate",
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: RULES.iter().map(rule).collect(),
                },
            },
            results: report
                .findings()
                .iter()
                .map(|f| result(report, f))
                .collect(),
            column_kind: "unicodeCodePoints",
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_names() {
        assert_eq!(uri("src/my file#1.rs"), "src/my%20file%231.rs");
        assert_eq!(pascal("unconsented-flow"), "UnconsentedFlow");
    }
}
