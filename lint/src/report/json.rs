//! The JSON format (DESIGN §5), version 1. Field order is fixed by these
//! structs, findings come sorted, and nothing depends on time or machine, so
//! the output is byte-identical across runs. Documented in the README.

use super::Report;
use crate::baseline::fingerprint;
use crate::findings::{Finding, Hop, Severity};
use serde::Serialize;

/// The format version; bumped only on incompatible changes.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    severity: Severity,
    message: &'a str,
    category: Option<&'a str>,
    recipient: Option<&'a str>,
    purpose: Option<&'a str>,
    file: &'a str,
    line: u32,
    column: u32,
    source: Option<&'a Hop>,
    trace: &'a [Hop],
    fingerprint: String,
}

/// The `summary` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files analysed.
    pub files: usize,
    /// Lines analysed.
    pub lines: usize,
    /// Findings reported (not baselined, not suppressed).
    pub findings: usize,
    /// Findings suppressed by `#[datagate::allow]`.
    pub suppressed: usize,
    /// Findings accepted by `--baseline`.
    pub baselined: usize,
}

impl Summary {
    pub fn of(report: &Report<'_>) -> Summary {
        Summary {
            files: report.analysis.files,
            lines: report.analysis.lines,
            findings: report.findings().len(),
            suppressed: report.analysis.suppressed,
            baselined: report.baselined,
        }
    }
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        code: f.code.name(),
        severity: f.severity,
        message: &f.message,
        category: f.category.as_deref(),
        recipient: f.recipient.as_deref(),
        purpose: f.purpose.as_deref(),
        file: &f.location.file,
        line: f.location.line,
        column: f.location.column,
        source: f.source.as_ref(),
        trace: &f.trace,
        fingerprint: fingerprint(f),
    }
}

/// Render the report as pretty-printed JSON with a trailing newline.
pub fn render(report: &Report<'_>) -> String {
    let out = Output {
        version: VERSION,
        findings: report.findings().iter().map(finding).collect(),
        summary: Summary::of(report),
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}
