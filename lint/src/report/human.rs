//! The human format: miette graphical diagnostics. The primary location is
//! labelled with where the data goes; the source is labelled in the same
//! snippet when it is in the same file, or shown as a related note with its
//! own snippet; the trace follows as a note; the help line names the consent
//! check to add. A summary line closes the report.

use super::{help_text, plural, HumanOptions, Report};
use crate::findings::{Finding, Hop, Severity};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
    SourceSpan,
};
use std::fmt;
use std::sync::Arc;

/// A graphical report handler for these options: the unicode theme with or
/// without colour, no hyperlinks, a fixed width.
pub fn handler(color: bool, width: usize) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_urls(false)
        .with_width(width)
        .with_context_lines(1)
        .with_show_related_as_nested(true)
}

/// Render any diagnostic (policy, baseline, discovery errors) the same way.
pub fn render_diagnostic(diag: &dyn Diagnostic, color: bool, width: usize) -> String {
    render_one(&handler(color, width), diag).unwrap_or_else(|| format!("error: {diag}\n"))
}

/// Lines longer than this (in bytes) are never shown in a snippet: miette
/// pads the lines it labels with format widths, which panic past 65,535
/// columns, and a megabyte of generated code on one line helps no one in a
/// CI log. A diagnostic with such a line is rendered without snippets, its
/// message naming the place instead.
pub const MAX_SNIPPET_LINE: usize = 1_000;

/// Render one diagnostic, without snippets when one would show a line
/// longer than [`MAX_SNIPPET_LINE`]; `None` when miette cannot render it.
fn render_one(handler: &GraphicalReportHandler, diag: &dyn Diagnostic) -> Option<String> {
    let mut out = String::new();
    let rendered = if too_wide(diag) {
        handler.render_report(&mut out, &Plain::new(diag))
    } else {
        handler.render_report(&mut out, diag)
    };
    rendered.is_ok().then_some(out)
}

/// Whether a snippet of this diagnostic (or a related one) would show a
/// line longer than [`MAX_SNIPPET_LINE`].
fn too_wide(diag: &dyn Diagnostic) -> bool {
    let wide = |src: &dyn SourceCode, span: &SourceSpan| {
        src.read_span(span, 1, 1).is_ok_and(|c| {
            c.data()
                .split(|b| *b == b'\n')
                .any(|line| line.len() > MAX_SNIPPET_LINE)
        })
    };
    let own = match (diag.source_code(), diag.labels()) {
        (Some(src), Some(mut labels)) => labels.any(|l| wide(src, l.inner())),
        _ => false,
    };
    own || diag.related().is_some_and(|mut r| r.any(too_wide))
}

/// A diagnostic without its snippets: the message names the place of its
/// first label instead (`… at datagate.toml:3:70001`).
struct Plain<'a> {
    inner: &'a dyn Diagnostic,
    at: Option<String>,
    related: Vec<Plain<'a>>,
}

impl<'a> Plain<'a> {
    fn new(inner: &'a dyn Diagnostic) -> Plain<'a> {
        let at = match (inner.source_code(), inner.labels()) {
            (Some(src), Some(mut labels)) => labels.next().and_then(|l| {
                let c = src.read_span(l.inner(), 0, 0).ok()?;
                let name = c.name().map_or_else(String::new, |n| format!("{n}:"));
                Some(format!("{name}{}:{}", c.line() + 1, c.column() + 1))
            }),
            _ => None,
        };
        let related = inner
            .related()
            .map(|r| r.map(Plain::new).collect())
            .unwrap_or_default();
        Plain { inner, at, related }
    }
}

impl fmt::Debug for Plain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plain").field("at", &self.at).finish()
    }
}

impl fmt::Display for Plain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => write!(f, "{} (at {at})", self.inner),
            None => write!(f, "{}", self.inner),
        }
    }
}

impl std::error::Error for Plain<'_> {}

impl Diagnostic for Plain<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|n| n as &dyn Diagnostic)))
        }
    }
}

/// Render the findings and the summary line.
pub fn render(report: &Report<'_>, opts: &HumanOptions) -> String {
    let handler = handler(opts.color, opts.width);
    let mut out = String::new();
    for f in report.findings() {
        let diag = FindingDiagnostic::new(f, report);
        let one = render_one(&handler, &diag)
            .unwrap_or_else(|| format!("error[{}]: {}\n", f.code, f.message));
        out.push_str(&one);
        out.push('\n');
    }
    if !opts.quiet {
        out.push_str(&summary_line(report));
        out.push('\n');
    }
    out
}

/// `3 findings (1 baselined, 2 suppressed) in 12 files, 3400 lines`.
pub fn summary_line(report: &Report<'_>) -> String {
    let a = report.analysis;
    let n = report.findings().len();
    let mut extra = Vec::new();
    if report.baselined > 0 {
        extra.push(format!("{} baselined", report.baselined));
    }
    if a.suppressed > 0 {
        extra.push(format!("{} suppressed", a.suppressed));
    }
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(" ({})", extra.join(", "))
    };
    let head = if n == 0 {
        "no findings".to_string()
    } else {
        plural(n, "finding")
    };
    format!(
        "{head}{extra} in {}, {}",
        plural(a.files, "file"),
        plural(a.lines, "line")
    )
}

fn source_of(report: &Report<'_>, file: &str) -> Option<NamedSource<Arc<str>>> {
    report
        .analysis
        .sources
        .get(file)
        .map(|text| NamedSource::new(file, text.clone()))
}

/// The span of a location in its file's text, unless a line of the
/// snippet (the location's and one on each side) is too long to show.
fn span_in(report: &Report<'_>, hop: &crate::findings::Location, len: u32) -> Option<SourceSpan> {
    let text = report.analysis.sources.get(&hop.file)?;
    let first = (hop.line as usize).saturating_sub(2);
    let wide = text
        .lines()
        .skip(first)
        .take(3)
        .any(|line| line.len() > MAX_SNIPPET_LINE);
    if wide {
        return None;
    }
    super::byte_range(text, hop, len).map(SourceSpan::from)
}

fn at(loc: &crate::findings::Location) -> String {
    format!("{}:{}:{}", loc.file, loc.line, loc.column)
}

struct FindingDiagnostic<'a> {
    f: &'a Finding,
    src: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    notes: Vec<Note>,
    help: Option<String>,
}

impl<'a> FindingDiagnostic<'a> {
    fn new(f: &'a Finding, report: &Report<'_>) -> Self {
        let src = source_of(report, &f.location.file);
        let mut labels = Vec::new();
        let mut notes = Vec::new();
        let primary = match (&f.recipient, &f.purpose) {
            (Some(r), Some(p)) => format!("reaches `{r}` for {p}"),
            (Some(r), None) => format!("reaches `{r}`"),
            _ => "here".to_string(),
        };
        let primary_span = src
            .as_ref()
            .and_then(|_| span_in(report, &f.location, f.length));
        if let Some(span) = primary_span {
            labels.push(LabeledSpan::new_primary_with_span(Some(primary), span));
        }
        if let Some(source) = &f.source {
            let what = source_label(f, source);
            let same_file = source.at.file == f.location.file;
            let span = span_in(report, &source.at, 0);
            match span {
                Some(span) if same_file && primary_span.is_some() && Some(span) != primary_span => {
                    labels.push(LabeledSpan::new_with_span(Some(what), span))
                }
                Some(span) => notes.push(Note {
                    message: "where the data comes from".to_string(),
                    src: source_of(report, &source.at.file),
                    label: Some(LabeledSpan::new_with_span(Some(what), span)),
                }),
                None => notes.push(Note {
                    message: format!("{what} at {}", at(&source.at)),
                    src: None,
                    label: None,
                }),
            }
        }
        if !f.trace.is_empty() {
            let mut message = String::from("trace:");
            for (i, hop) in f.trace.iter().enumerate() {
                message.push_str(&format!("\n{}. {} {}", i + 1, at(&hop.at), hop.note));
            }
            notes.push(Note {
                message,
                src: None,
                label: None,
            });
        }
        if primary_span.is_none() {
            // No snippet to show: name the place in the message instead.
            notes.insert(
                0,
                Note {
                    message: format!("at {}", at(&f.location)),
                    src: None,
                    label: None,
                },
            );
        }
        FindingDiagnostic {
            f,
            src,
            labels,
            notes,
            help: help_text(f),
        }
    }
}

fn source_label(f: &Finding, source: &Hop) -> String {
    match &f.category {
        Some(c) if source.note.is_empty() => format!("`{c}` comes from here"),
        Some(c) => format!("`{c}` comes from `{}`", source.note),
        None => source.note.clone(),
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic")
            .field("finding", &self.f)
            .finish()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.f.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.f.code.name()))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.notes.is_empty() {
            None
        } else {
            Some(Box::new(self.notes.iter().map(|n| n as &dyn Diagnostic)))
        }
    }
}

/// A related note: an advice with an optional snippet of its own.
#[derive(Debug)]
struct Note {
    message: String,
    src: Option<NamedSource<Arc<str>>>,
    label: Option<LabeledSpan>,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Note {}

impl Diagnostic for Note {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .as_ref()
            .map(|l| Box::new(std::iter::once(l.clone())) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}
