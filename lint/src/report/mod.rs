//! Reports: one module per output format. Every format reads the same
//! [`Report`]: the findings to show (already filtered by a baseline), the
//! analysis they came from and the counts for the summary.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::findings::{Analysis, Finding, Location};

/// An output format of `cargo datagate check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Graphical diagnostics with source snippets
    #[default]
    Human,
    /// Stable JSON (version 1), documented in the README
    Json,
    /// SARIF 2.1.0 for code-scanning upload
    Sarif,
    /// GitHub Actions workflow annotations
    Github,
}

/// What a report shows.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// The analysis; its `findings` are the ones to show (new findings when a
    /// baseline was applied), sorted.
    pub analysis: &'a Analysis,
    /// Findings the baseline accepted (not shown).
    pub baselined: usize,
}

impl Report<'_> {
    pub fn findings(&self) -> &[Finding] {
        &self.analysis.findings
    }
}

/// Options of the human format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanOptions {
    pub color: bool,
    /// Terminal width for wrapping.
    pub width: usize,
    /// No summary line.
    pub quiet: bool,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
            quiet: false,
        }
    }
}

/// Render a report in a format.
pub fn render(format: Format, report: &Report<'_>, human: &HumanOptions) -> String {
    match format {
        Format::Human => human::render(report, human),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    }
}

/// The help line of a finding: the engine's, or one derived from its code.
pub fn help_text(f: &Finding) -> Option<String> {
    if let Some(h) = &f.help {
        return Some(h.clone());
    }
    use datagate_spec::Code;
    let cat = f.category.as_deref().unwrap_or("this data");
    match (f.code, &f.recipient, &f.purpose) {
        (Code::UnconsentedFlow, Some(r), Some(p)) => Some(format!(
            "add a consent check for `{r}` and `{p}` covering `{cat}` that guards this call"
        )),
        (Code::NeverShare, Some(r), _) => Some(format!(
            "`{cat}` may never reach `{r}`: remove it from the data sent, or declassify it"
        )),
        _ => None,
    }
}

/// Count of something with its noun, pluralised with an `s`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The byte range of a location in a text: the column is 1-based in chars,
/// `len` in bytes (0: the identifier-like run at that point, or one char).
pub(crate) fn byte_range(text: &str, at: &Location, len: u32) -> Option<std::ops::Range<usize>> {
    let line_start = if at.line <= 1 {
        0
    } else {
        let mut seen = 1;
        let mut start = None;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                seen += 1;
                if seen == at.line {
                    start = Some(i + 1);
                    break;
                }
            }
        }
        start?
    };
    let line = &text[line_start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let col = at.column.max(1) as usize - 1;
    let within = match line.char_indices().nth(col) {
        Some((i, _)) => i,
        None if line.chars().count() == col => line.len(),
        None => return None,
    };
    let start = line_start + within;
    let rest = &text[start..];
    let mut end = start + len as usize;
    if len == 0 || end > text.len() || !text.is_char_boundary(end) {
        let ident: usize = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .map(char::len_utf8)
            .sum();
        let one = rest.chars().next().map_or(0, char::len_utf8);
        end = start + ident.max(one);
    }
    Some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, column: u32) -> Location {
        Location {
            file: "f.rs".into(),
            line,
            column,
        }
    }

    #[test]
    fn byte_ranges() {
        let text = "fn a() {}\n    let é = upload(x);\n";
        assert_eq!(byte_range(text, &at(1, 4), 0), Some(3..4));
        assert_eq!(
            byte_range(text, &at(2, 13), 9).map(|r| &text[r]),
            Some("upload(x)")
        );
        assert_eq!(
            byte_range(text, &at(2, 13), 0).map(|r| &text[r]),
            Some("upload")
        );
        assert_eq!(byte_range(text, &at(2, 9), 0).map(|r| &text[r]), Some("é"));
        assert_eq!(byte_range(text, &at(9, 1), 0), None);
        assert_eq!(byte_range(text, &at(1, 99), 0), None);
        // A length that would split a char falls back to the identifier.
        assert_eq!(byte_range(text, &at(2, 9), 1).map(|r| &text[r]), Some("é"));
    }
}
