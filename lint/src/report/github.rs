//! The `github` format: GitHub Actions workflow commands, one annotation per
//! finding (`::error file=..,line=..,col=..,title=..::message`), then a
//! plain summary line.

use super::{help_text, Report};
use crate::findings::Severity;

/// Escape the message part of a workflow command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value of a workflow command.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for f in report.findings() {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = f.message.clone();
        if let Some(source) = &f.source {
            message.push_str(&format!(
                "\nsource: {}:{}:{} {}",
                source.at.file, source.at.line, source.at.column, source.note
            ));
        }
        for (i, hop) in f.trace.iter().enumerate() {
            message.push_str(&format!(
                "\n{}. {}:{}:{} {}",
                i + 1,
                hop.at.file,
                hop.at.line,
                hop.at.column,
                hop.note
            ));
        }
        if let Some(help) = help_text(f) {
            message.push_str(&format!("\nhelp: {help}"));
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},title={}::{}\n",
            escape_property(&f.location.file),
            f.location.line,
            f.location.column,
            escape_property(&format!("datagate {}", f.code.name())),
            escape_data(&message)
        ));
    }
    out.push_str(&super::human::summary_line(report));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
