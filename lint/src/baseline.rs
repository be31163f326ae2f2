//! Baselines: fingerprints of accepted findings, so that only new findings
//! fail a run (`--baseline F`), written with `--write-baseline F`.
//!
//! A fingerprint survives moving code: it hashes the code, category,
//! recipient, purpose, the enclosing item's path and the whitespace-normalised
//! primary expression, never a file name or a line number. Identical
//! fingerprints (the same call twice in one function) are counted: a baseline
//! holding a fingerprint twice absorbs two such findings.

use crate::findings::Finding;
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// The format version written to and accepted from baseline files.
pub const VERSION: u32 = 1;

/// The stable fingerprint of a finding: 32 hex digits (128 bits of SHA-256).
pub fn fingerprint(f: &Finding) -> String {
    let snippet = f.snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    let fields = [
        "datagate-fingerprint-v1",
        f.code.name(),
        f.category.as_deref().unwrap_or(""),
        f.recipient.as_deref().unwrap_or(""),
        f.purpose.as_deref().unwrap_or(""),
        f.item_path.as_str(),
        snippet.as_str(),
    ];
    let mut hasher = Sha256::new();
    for field in fields {
        // Length-prefixed, so that no two field lists hash the same input.
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    let digest = hasher.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// One accepted finding in a baseline file. Only `fingerprint` is matched;
/// the other fields tell a reviewer what was accepted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub code: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub recipient: Option<String>,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub item: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// A loaded baseline: how many findings of each fingerprint are accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    counts: BTreeMap<String, usize>,
}

/// A baseline file that is not a valid baseline, labelled where it goes wrong.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("invalid baseline `{path}`: {message}")]
#[diagnostic(
    code(datagate::baseline::invalid),
    help("regenerate it with `cargo datagate --write-baseline {path}`")
)]
pub struct InvalidBaseline {
    pub path: String,
    pub message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: SourceSpan,
}

/// A baseline file that could not be used.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum BaselineError {
    #[error("could not read baseline `{path}`: {message}")]
    #[diagnostic(code(datagate::baseline::read))]
    Read { path: String, message: String },
    #[error("could not write baseline `{path}`: {message}")]
    #[diagnostic(code(datagate::baseline::write))]
    Write { path: String, message: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidBaseline>),
}

impl Baseline {
    /// Accept every finding given.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut counts = BTreeMap::new();
        for f in findings {
            *counts.entry(fingerprint(f)).or_insert(0) += 1;
        }
        Baseline { counts }
    }

    /// Parse baseline text; `name` is how diagnostics name the file.
    pub fn parse(name: &str, text: &str) -> Result<Baseline, BaselineError> {
        let invalid = |message: String, offset: usize| {
            BaselineError::Invalid(Box::new(InvalidBaseline {
                path: name.to_string(),
                message,
                src: NamedSource::new(name, text.to_string()),
                span: SourceSpan::from(offset..offset),
            }))
        };
        let file: File = serde_json::from_str(text).map_err(|e| {
            let offset = offset_of(text, e.line(), e.column());
            let message = e.to_string();
            // serde_json appends " at line L column C": the label shows it.
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            invalid(message, offset)
        })?;
        if file.version != VERSION {
            let offset = text.find("\"version\"").unwrap_or(0);
            return Err(invalid(
                format!("unsupported version {}, expected {VERSION}", file.version),
                offset,
            ));
        }
        let mut counts = BTreeMap::new();
        for e in file.findings {
            let ok =
                e.fingerprint.len() == 32 && e.fingerprint.bytes().all(|b| b.is_ascii_hexdigit());
            if !ok {
                let offset = text.find(&e.fingerprint).unwrap_or(0);
                return Err(invalid(
                    format!("`{}` is not a fingerprint", e.fingerprint),
                    offset,
                ));
            }
            *counts.entry(e.fingerprint).or_insert(0) += 1;
        }
        Ok(Baseline { counts })
    }

    /// Read a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Read {
            path: name.clone(),
            message: e.to_string(),
        })?;
        Baseline::parse(&name, &text)
    }

    /// The number of accepted findings.
    pub fn len(&self) -> usize {
        self.counts.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Split findings into the new ones (kept, in order) and the number the
    /// baseline accepts.
    pub fn filter(&self, findings: Vec<Finding>) -> (Vec<Finding>, usize) {
        let mut left = self.counts.clone();
        let mut fresh = Vec::new();
        let mut baselined = 0;
        for f in findings {
            match left.get_mut(&fingerprint(&f)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    baselined += 1;
                }
                _ => fresh.push(f),
            }
        }
        (fresh, baselined)
    }
}

/// The baseline file for these findings: JSON, sorted, one entry per finding.
pub fn render(findings: &[Finding]) -> String {
    let mut entries: Vec<Entry> = findings
        .iter()
        .map(|f| Entry {
            fingerprint: fingerprint(f),
            code: f.code.name().to_string(),
            category: f.category.clone(),
            recipient: f.recipient.clone(),
            purpose: f.purpose.clone(),
            item: f.item_path.clone(),
        })
        .collect();
    entries.sort();
    let file = File {
        version: VERSION,
        findings: entries,
    };
    let mut out = serde_json::to_string_pretty(&file).unwrap_or_default();
    out.push('\n');
    out
}

/// Write the baseline file for these findings.
pub fn write(path: &Path, findings: &[Finding]) -> Result<(), BaselineError> {
    std::fs::write(path, render(findings)).map_err(|e| BaselineError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// The byte offset of a 1-based line and column (serde_json's column counts
/// bytes; 0 means "before the first").
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    let mut at = text.len();
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            at = (offset + column.saturating_sub(1)).min(text.len());
            break;
        }
        offset += l.len();
    }
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Location, Severity};
    use datagate_spec::Code;

    fn finding(line: u32, snippet: &str) -> Finding {
        Finding {
            code: Code::UnconsentedFlow,
            severity: Severity::Error,
            message: "m".into(),
            category: Some("phone_number".into()),
            recipient: Some("facebook".into()),
            purpose: Some("advertising".into()),
            location: Location {
                file: "src/ads.rs".into(),
                line,
                column: 5,
            },
            length: 0,
            source: None,
            trace: Vec::new(),
            help: None,
            item_path: "messenger::ads::sync".into(),
            snippet: snippet.into(),
        }
    }

    #[test]
    fn fingerprint_ignores_lines_and_whitespace() {
        let a = finding(12, "upload(&[acct.phone.clone()])");
        let b = finding(40, "upload(\n    &[acct.phone.clone()])");
        // Whitespace inside tokens differs only by line breaks here.
        assert_eq!(
            fingerprint(&a),
            fingerprint(&finding(99, "upload(&[acct.phone.clone()])"))
        );
        assert_ne!(fingerprint(&a), fingerprint(&b));
        assert_eq!(
            fingerprint(&finding(1, "upload( x )")),
            fingerprint(&finding(2, "upload(\n x\n)"))
        );
        assert_eq!(fingerprint(&a).len(), 32);
        let mut c = a.clone();
        c.item_path = "messenger::ads::other".into();
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }

    #[test]
    fn fingerprint_is_stable() {
        // Pinned: changing the fingerprint invalidates every user's baseline.
        assert_eq!(
            fingerprint(&finding(1, "upload(x)")),
            fingerprint(&finding(2, "upload(x)"))
        );
        assert_eq!(
            fingerprint(&finding(1, "upload(x)")),
            "60a73fe1379171148440a637b38a0962"
        );
    }

    #[test]
    fn round_trip_and_counting() {
        let fs = vec![finding(1, "a(x)"), finding(2, "a(x)"), finding(3, "b(x)")];
        let text = render(&fs[..2]);
        let b = Baseline::parse("b.json", &text).unwrap();
        assert_eq!(b.len(), 2);
        let (fresh, n) = b.filter(fs.clone());
        assert_eq!(n, 2);
        assert_eq!(fresh, vec![fs[2].clone()]);
        let once = Baseline::parse("b.json", &render(&fs[..1])).unwrap();
        let (fresh, n) = once.filter(fs.clone());
        assert_eq!((fresh.len(), n), (2, 1));
        assert_eq!(
            render(&fs),
            render(&[fs[2].clone(), fs[1].clone(), fs[0].clone()])
        );
    }

    #[test]
    fn corrupt_baselines_are_diagnostics() {
        for text in [
            "not json",
            "{\"version\": 1}",
            "{\"version\": 2, \"findings\": []}",
            "{\"version\": 1, \"findings\": [{\"fingerprint\": \"xyz\", \"code\": \"c\"}]}",
            "{\"version\": 1, \"findings\": [], \"extra\": 1}",
            "{\"version\": 1, \"findings\": [\"é\u{301}\", é]}",
            "\u{feff}{}",
        ] {
            let e = Baseline::parse("b.json", text).unwrap_err();
            assert!(matches!(e, BaselineError::Invalid(_)), "{text}: {e:?}");
            let shown = crate::report::human::render_diagnostic(&e, false, 80);
            assert!(shown.contains("invalid baseline"), "{shown}");
        }
    }
}
