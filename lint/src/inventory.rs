//! The inventory: the data map a privacy notice needs. One row per
//! (category, recipient, purpose) that the code shares, with the company
//! behind the recipient, the legal basis (consent checks, a purpose that
//! needs no consent and its basis, a declassification, or none) and the code
//! locations; then the declassifying functions.
//!
//! `--disclosure F` compares the rows with a published disclosure (a TOML
//! list of `[[shared]]` rows): a row the code shares that the disclosure does
//! not list fails the run; a disclosed row no code shares is named.

use crate::findings::{Analysis, Basis, Declassification, Location};
use crate::policy::Policy;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// An output format of `cargo datagate inventory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum InventoryFormat {
    /// An aligned plain-text table
    #[default]
    Table,
    /// A markdown table, for a privacy notice or a wiki
    Markdown,
    /// JSON (version 1)
    Json,
    /// CSV with a header row
    Csv,
}

/// One (category, recipient, purpose) the code shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub category: String,
    /// The fideslang data category key of a built-in category.
    pub fideslang: Option<&'static str>,
    pub recipient: String,
    /// The company behind the recipient, from the policy.
    pub company: Option<String>,
    pub purpose: String,
    /// Every distinct basis found at the row's locations, sorted.
    pub basis: Vec<Basis>,
    pub locations: Vec<Location>,
}

impl Row {
    /// The legal basis as one line of text.
    pub fn basis_text(&self) -> String {
        self.basis
            .iter()
            .map(basis_text)
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn is_unconsented(&self) -> bool {
        self.basis.contains(&Basis::Unconsented)
    }
}

/// A basis as text: `consent (Settings.share_account_info)`,
/// `not required: legitimate interest`, `declassified: salted hash`, ...
pub fn basis_text(b: &Basis) -> String {
    match b {
        Basis::Consent { checks } if checks.is_empty() => "consent".to_string(),
        Basis::Consent { checks } => format!("consent ({})", checks.join(", ")),
        Basis::NotRequired { basis } => format!("consent not required ({basis})"),
        Basis::Unconsented => "unconsented".to_string(),
        Basis::Allowed { reason } => format!("allowed: {reason}"),
        Basis::Declassified { reason, item_path } => {
            format!("declassified by {item_path}: {reason}")
        }
    }
}

/// The inventory of an analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    pub rows: Vec<Row>,
    pub declassifications: Vec<Declassification>,
}

/// Build the inventory: rows sorted by (category, recipient, purpose).
pub fn build(analysis: &Analysis, policy: &Policy) -> Inventory {
    type Key = (String, String, String);
    let mut rows: BTreeMap<Key, (BTreeSet<Basis>, BTreeSet<Location>)> = BTreeMap::new();
    for flow in &analysis.flows {
        let key = (
            flow.category.clone(),
            flow.recipient.clone(),
            flow.purpose.clone(),
        );
        let entry = rows.entry(key).or_default();
        entry.0.insert(flow.basis.clone());
        entry.1.insert(flow.location.clone());
    }
    let rows = rows
        .into_iter()
        .map(|((category, recipient, purpose), (basis, locations))| Row {
            fideslang: datagate_spec::taxonomy::category(&category).map(|c| c.fideslang),
            company: policy.company(&recipient).map(str::to_string),
            category,
            recipient,
            purpose,
            basis: merge_consent(basis),
            locations: locations.into_iter().collect(),
        })
        .collect();
    let mut declassifications = analysis.declassifications.clone();
    declassifications.sort();
    declassifications.dedup();
    Inventory {
        rows,
        declassifications,
    }
}

/// One `Consent` basis holding every check of the row, then the others.
fn merge_consent(bases: BTreeSet<Basis>) -> Vec<Basis> {
    let mut checks = BTreeSet::new();
    let mut out = Vec::new();
    for b in bases {
        match b {
            Basis::Consent { checks: c } => checks.extend(c),
            other => out.push(other),
        }
    }
    if !checks.is_empty() {
        out.insert(
            0,
            Basis::Consent {
                checks: checks.into_iter().collect(),
            },
        );
    }
    out
}

fn at(l: &Location) -> String {
    format!("{}:{}:{}", l.file, l.line, l.column)
}

impl Inventory {
    pub fn render(&self, format: InventoryFormat) -> String {
        match format {
            InventoryFormat::Table => self.table(),
            InventoryFormat::Markdown => self.markdown(),
            InventoryFormat::Json => self.json(),
            InventoryFormat::Csv => self.csv(),
        }
    }

    fn table(&self) -> String {
        let header = [
            "CATEGORY",
            "RECIPIENT",
            "COMPANY",
            "PURPOSE",
            "BASIS",
            "LOCATIONS",
        ];
        let mut lines: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
        for r in &self.rows {
            lines.push(vec![
                r.category.clone(),
                r.recipient.clone(),
                r.company.clone().unwrap_or_else(|| "-".into()),
                r.purpose.clone(),
                r.basis_text(),
                r.locations.iter().map(at).collect::<Vec<_>>().join(" "),
            ]);
        }
        let mut out = if self.rows.is_empty() {
            "no personal data reaches another company\n".to_string()
        } else {
            aligned(&lines)
        };
        if !self.declassifications.is_empty() {
            out.push('\n');
            let mut lines = vec![["DECLASSIFIED", "BY", "REASON", "LOCATION"]
                .iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>()];
            for d in &self.declassifications {
                lines.push(vec![
                    d.categories.join(", "),
                    d.item_path.clone(),
                    d.reason.clone(),
                    at(&d.location),
                ]);
            }
            out.push_str(&aligned(&lines));
        }
        out
    }

    fn markdown(&self) -> String {
        let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let mut out = String::from("## Personal data shared with other companies\n\n");
        if self.rows.is_empty() {
            out.push_str("No personal data reaches another company.\n");
        } else {
            out.push_str("| Category | Recipient | Company | Purpose | Legal basis | Code |\n");
            out.push_str("| --- | --- | --- | --- | --- | --- |\n");
            for r in &self.rows {
                let locations: Vec<String> =
                    r.locations.iter().map(|l| format!("`{}`", at(l))).collect();
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    cell(&r.category),
                    cell(&r.recipient),
                    cell(r.company.as_deref().unwrap_or("")),
                    cell(&r.purpose),
                    cell(&r.basis_text()),
                    locations.join("<br>")
                ));
            }
        }
        if !self.declassifications.is_empty() {
            out.push_str("\n## Declassified data\n\n");
            out.push_str("| Categories | Function | Reason | Code |\n");
            out.push_str("| --- | --- | --- | --- |\n");
            for d in &self.declassifications {
                out.push_str(&format!(
                    "| {} | `{}` | {} | `{}` |\n",
                    cell(&d.categories.join(", ")),
                    cell(&d.item_path),
                    cell(&d.reason),
                    at(&d.location)
                ));
            }
        }
        out
    }

    fn json(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            version: u32,
            shared: &'a [Row],
            declassified: Vec<Declassified<'a>>,
        }
        #[derive(Serialize)]
        struct Declassified<'a> {
            categories: &'a [String],
            reason: &'a str,
            item: &'a str,
            #[serde(flatten)]
            location: &'a Location,
        }
        let out = Out {
            version: 1,
            shared: &self.rows,
            declassified: self
                .declassifications
                .iter()
                .map(|d| Declassified {
                    categories: &d.categories,
                    reason: &d.reason,
                    item: &d.item_path,
                    location: &d.location,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
        text.push('\n');
        text
    }

    fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = [
            "category",
            "fideslang",
            "recipient",
            "company",
            "purpose",
            "basis",
            "locations",
        ];
        let mut ok = w.write_record(header).is_ok();
        for r in &self.rows {
            let locations: Vec<String> = r.locations.iter().map(at).collect();
            ok &= w
                .write_record([
                    r.category.as_str(),
                    r.fideslang.unwrap_or(""),
                    r.recipient.as_str(),
                    r.company.as_deref().unwrap_or(""),
                    r.purpose.as_str(),
                    r.basis_text().as_str(),
                    locations.join(" ").as_str(),
                ])
                .is_ok();
        }
        match w.into_inner() {
            Ok(bytes) if ok => String::from_utf8_lossy(&bytes).into_owned(),
            _ => String::new(),
        }
    }
}

/// Columns padded to their widest cell (in chars), two spaces apart.
fn aligned(lines: &[Vec<String>]) -> String {
    let cols = lines.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            lines
                .iter()
                .filter_map(|l| l.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in lines {
        let mut text = String::new();
        for (i, cell) in line.iter().enumerate() {
            text.push_str(cell);
            if i + 1 < line.len() {
                let pad = widths[i] - cell.chars().count() + 2;
                text.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------
// Disclosures.

/// One `[[shared]]` row of a disclosure. `category` may name a built-in
/// group and `recipient` a policy group: the row then covers every member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosedRow {
    pub category: String,
    pub recipient: String,
    pub purpose: String,
    pub span: Range<usize>,
}

/// A published disclosure.
#[derive(Debug, Clone)]
pub struct Disclosure {
    pub rows: Vec<DisclosedRow>,
    src: NamedSource<Arc<str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisclosure {
    #[serde(default)]
    shared: Vec<toml::Spanned<RawRow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    category: String,
    recipient: String,
    purpose: String,
    // Informational columns a published table may carry.
    #[serde(default)]
    #[allow(dead_code)]
    company: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    basis: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// A disclosure file that could not be read, or a mismatch found with one.
#[derive(Debug, Clone)]
pub struct DisclosureDiagnostic {
    pub message: String,
    severity: miette::Severity,
    code: &'static str,
    src: Option<NamedSource<Arc<str>>>,
    label: Option<(Range<usize>, String)>,
    help: Option<String>,
}

impl fmt::Display for DisclosureDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DisclosureDiagnostic {}

impl Diagnostic for DisclosureDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label.as_ref().map(|(span, text)| {
            Box::new(std::iter::once(LabeledSpan::new_with_span(
                Some(text.clone()),
                SourceSpan::from(span.clone()),
            ))) as Box<dyn Iterator<Item = LabeledSpan>>
        })
    }
}

impl Disclosure {
    /// Parse disclosure text; `name` is how diagnostics name the file.
    pub fn parse(name: &str, text: &str) -> Result<Disclosure, Box<DisclosureDiagnostic>> {
        let src = NamedSource::new(name, Arc::<str>::from(text));
        let raw: RawDisclosure = toml::from_str(text).map_err(|e| {
            Box::new(DisclosureDiagnostic {
            message: format!(
                "invalid disclosure: {}",
                e.message().trim_end().trim_end_matches('.')
            ),
            severity: miette::Severity::Error,
            code: "datagate::disclosure::invalid",
            src: Some(src.clone()),
            label: Some((e.span().unwrap_or(0..0), "here".into())),
            help: Some(
                "a disclosure is a list of `[[shared]]` tables with `category`, `recipient` and `purpose`"
                    .into(),
            ),
            })
        })?;
        let rows = raw
            .shared
            .into_iter()
            .map(|r| {
                let span = r.span();
                let r = r.into_inner();
                DisclosedRow {
                    category: r.category,
                    recipient: r.recipient,
                    purpose: r.purpose,
                    span,
                }
            })
            .collect();
        Ok(Disclosure { rows, src })
    }

    /// Read a disclosure file.
    pub fn load(path: &Path) -> Result<Disclosure, Box<DisclosureDiagnostic>> {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Disclosure::parse(&name, &text),
            Err(e) => Err(Box::new(DisclosureDiagnostic::unreadable(
                &name,
                &e.to_string(),
            ))),
        }
    }
}

impl DisclosureDiagnostic {
    /// The disclosure file `name` could not be read, for this reason.
    pub fn unreadable(name: &str, message: &str) -> DisclosureDiagnostic {
        DisclosureDiagnostic {
            message: format!("could not read disclosure `{name}`: {message}"),
            severity: miette::Severity::Error,
            code: "datagate::disclosure::read",
            src: None,
            label: None,
            help: None,
        }
    }
}

fn covers(d: &DisclosedRow, r: &Row, policy: &Policy) -> bool {
    let category = d.category == r.category
        || (datagate_spec::taxonomy::group(&d.category).is_some()
            && policy.group_of(&r.category) == Some(d.category.as_str()));
    let recipient = d.recipient == r.recipient
        || policy
            .groups
            .get(&d.recipient)
            .is_some_and(|m| m.contains(&r.recipient));
    category && recipient && d.purpose == r.purpose
}

/// The result of comparing an inventory with a disclosure.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// Shared by the code, not disclosed: these fail the run.
    pub undisclosed: Vec<DisclosureDiagnostic>,
    /// Disclosed, shared by no code: named, not failing.
    pub unused: Vec<DisclosureDiagnostic>,
}

/// Compare an inventory with a disclosure.
pub fn compare(
    inventory: &Inventory,
    disclosure: &Disclosure,
    policy: &Policy,
    analysis: &Analysis,
) -> Comparison {
    let mut out = Comparison::default();
    for r in &inventory.rows {
        if disclosure.rows.iter().any(|d| covers(d, r, policy)) {
            continue;
        }
        let first = r.locations.first();
        let src = first.and_then(|l| {
            analysis
                .sources
                .get(&l.file)
                .map(|t| NamedSource::new(&l.file, t.clone()))
        });
        let label = first.and_then(|l| {
            let text = analysis.sources.get(&l.file)?;
            let range = crate::report::byte_range(text, l, 0)?;
            Some((
                range,
                format!("`{}` leaves for `{}` here", r.category, r.recipient),
            ))
        });
        let more = if r.locations.len() > 1 {
            format!(" (and {} more places)", r.locations.len() - 1)
        } else {
            String::new()
        };
        let place = first
            .map(|l| format!(" at {}{more}", at(l)))
            .unwrap_or_default();
        out.undisclosed.push(DisclosureDiagnostic {
            message: format!(
                "the code shares `{}` with `{}` for {}{place}, which the disclosure does not list",
                r.category, r.recipient, r.purpose
            ),
            severity: miette::Severity::Error,
            code: "datagate::disclosure::undisclosed",
            src: if label.is_some() { src } else { None },
            label,
            help: Some(format!(
                "add to the disclosure: [[shared]] category = \"{}\" recipient = \"{}\" purpose = \"{}\"",
                r.category, r.recipient, r.purpose
            )),
        });
    }
    for d in &disclosure.rows {
        if inventory.rows.iter().any(|r| covers(d, r, policy)) {
            continue;
        }
        out.unused.push(DisclosureDiagnostic {
            message: format!(
                "disclosed but shared by no code: `{}` with `{}` for {}",
                d.category, d.recipient, d.purpose
            ),
            severity: miette::Severity::Warning,
            code: "datagate::disclosure::unused",
            src: Some(disclosure.src.clone()),
            label: Some((d.span.clone(), "no code shares this".into())),
            help: Some("remove the row, or check that the sink is annotated".into()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::SharedFlow;

    fn loc(file: &str, line: u32) -> Location {
        Location {
            file: file.into(),
            line,
            column: 5,
        }
    }

    pub(crate) fn sample() -> (Analysis, Policy) {
        let flow = |c: &str, r: &str, p: &str, basis: Basis, l: Location| SharedFlow {
            category: c.into(),
            recipient: r.into(),
            purpose: p.into(),
            basis,
            location: l,
        };
        let analysis = Analysis {
            flows: vec![
                flow(
                    "phone_number",
                    "facebook",
                    "advertising",
                    Basis::Consent {
                        checks: vec!["Settings.share_account_info".into()],
                    },
                    loc("src/ads.rs", 12),
                ),
                flow(
                    "phone_number",
                    "facebook",
                    "advertising",
                    Basis::Unconsented,
                    loc("src/ads.rs", 30),
                ),
                flow(
                    "ip_address",
                    "facebook",
                    "security",
                    Basis::NotRequired {
                        basis: "legitimate interest: fighting spam, abuse".into(),
                    },
                    loc("src/abuse.rs", 7),
                ),
                flow(
                    "loyalty_tier",
                    "advertisers",
                    "advertising",
                    Basis::Allowed {
                        reason: "reviewed in PRIV-142 | legal".into(),
                    },
                    loc("src/partners.rs", 3),
                ),
            ],
            declassifications: vec![Declassification {
                categories: vec!["phone_number".into()],
                reason: "salted SHA-256, salt never leaves us".into(),
                item_path: "messenger::hash::hash_phone".into(),
                location: loc("src/hash.rs", 2),
            }],
            ..Analysis::default()
        };
        let policy = crate::policy::load_str(
            "datagate.toml",
            r#"
[recipients]
facebook = { company = "Meta Platforms, Inc." }
instagram = { company = "Meta Platforms, Inc." }
advertisers = { company = "third-party advertisers" }
[groups]
meta = ["facebook", "instagram"]
[purposes.security]
consent = "not-required"
basis = "legitimate interest: fighting spam, abuse"
[categories.loyalty_tier]
group = "activity"
"#,
        )
        .unwrap();
        (analysis, policy)
    }

    #[test]
    fn rows_group_flows() {
        let (mut a, p) = sample();
        let mut second = a.flows[0].clone();
        second.basis = Basis::Consent {
            checks: vec!["consent::may_share".into()],
        };
        second.location.line = 40;
        a.flows.push(second);
        let inv = build(&a, &p);
        assert_eq!(inv.rows.len(), 3);
        let phone = &inv.rows[2];
        assert_eq!(phone.category, "phone_number");
        assert_eq!(phone.locations.len(), 3);
        assert_eq!(
            phone.basis_text(),
            "consent (Settings.share_account_info, consent::may_share); unconsented"
        );
        assert!(phone.is_unconsented());
        assert_eq!(phone.company.as_deref(), Some("Meta Platforms, Inc."));
        assert_eq!(phone.fideslang, Some("user.contact.phone_number"));
    }

    #[test]
    fn formats() {
        let (a, p) = sample();
        let inv = build(&a, &p);
        insta::assert_snapshot!("inventory_table", inv.render(InventoryFormat::Table));
        insta::assert_snapshot!("inventory_markdown", inv.render(InventoryFormat::Markdown));
        insta::assert_snapshot!("inventory_json", inv.render(InventoryFormat::Json));
        insta::assert_snapshot!("inventory_csv", inv.render(InventoryFormat::Csv));
        let empty = build(&Analysis::default(), &p);
        insta::assert_snapshot!(
            "inventory_table_empty",
            empty.render(InventoryFormat::Table)
        );
    }

    #[test]
    fn disclosure_comparison() {
        let (a, p) = sample();
        let inv = build(&a, &p);
        let d = Disclosure::parse(
            "disclosure.toml",
            r#"
[[shared]]
category = "contact"       # a group covers phone_number
recipient = "meta"         # a policy group covers facebook
purpose = "advertising"

[[shared]]
category = "ip_address"
recipient = "facebook"
purpose = "security"
company = "Meta Platforms, Inc."

[[shared]]
category = "email"
recipient = "facebook"
purpose = "analytics"
"#,
        )
        .unwrap();
        let c = compare(&inv, &d, &p, &a);
        assert_eq!(c.undisclosed.len(), 1, "{c:#?}");
        assert!(c.undisclosed[0]
            .message
            .contains("`loyalty_tier` with `advertisers`"));
        assert_eq!(c.unused.len(), 1);
        assert!(c.unused[0]
            .message
            .contains("`email` with `facebook` for analytics"));
    }

    #[test]
    fn bad_disclosures() {
        for text in [
            "[[shared]]\ncategory = \"x\"\n",
            "[[share]]\n",
            "nonsense =",
        ] {
            assert!(Disclosure::parse("d.toml", text).is_err(), "{text}");
        }
        assert!(Disclosure::parse("d.toml", "").unwrap().rows.is_empty());
    }
}
