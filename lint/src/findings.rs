//! The output model of an analysis: findings, shared flows for the
//! inventory, and the summary counts. Every report format and the baseline
//! read these types; nothing here knows how they were computed.

use datagate_spec::Code;
use rayon::slice::ParallelSliceMut as _;
use serde::Serialize;

/// A position in a workspace file. `file` is relative to the workspace root
/// with `/` separators; `line` and `column` are 1-based (column in chars).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// One step of a trace (or the source of a finding) with a short note.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Hop {
    #[serde(flatten)]
    pub at: Location,
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding. Findings are unique per (code, location, category,
/// recipient, purpose) and sorted by that key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// Lowercase, no trailing period.
    pub message: String,
    pub category: Option<String>,
    pub recipient: Option<String>,
    pub purpose: Option<String>,
    /// The primary location (DESIGN §3).
    pub location: Location,
    /// Byte length of the primary expression on its line, for labels (0 = unknown).
    pub length: u32,
    pub source: Option<Hop>,
    pub trace: Vec<Hop>,
    /// "add …" / "try …".
    pub help: Option<String>,
    /// The path of the enclosing item (`messenger::ads::sync`), for fingerprints.
    pub item_path: String,
    /// The primary expression, whitespace-normalised, for fingerprints.
    pub snippet: String,
}

impl Finding {
    /// The sort and de-duplication key.
    pub fn key(
        &self,
    ) -> (
        &Location,
        Code,
        &Option<String>,
        &Option<String>,
        &Option<String>,
    ) {
        (
            &self.location,
            self.code,
            &self.category,
            &self.recipient,
            &self.purpose,
        )
    }
}

/// Why a (category, recipient, purpose) flow is allowed, for the inventory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Basis {
    /// Guarded by these consent checks (items or fields, by path).
    Consent { checks: Vec<String> },
    /// The purpose needs no consent; the policy states the legal basis.
    NotRequired { basis: String },
    /// No consent and no exemption: also reported as a finding.
    Unconsented,
    /// Suppressed with `#[datagate::allow]`.
    Allowed { reason: String },
    /// The value passed through a `#[datagate::declassify]` function naming
    /// this category before it reached the sink (added for the inventory).
    Declassified { reason: String, item_path: String },
}

/// A category that reaches a foreign recipient's sink, with its basis.
/// Sorted by place first: a large workspace has tens of thousands of flows
/// (33,000 at 1M generated lines), most of them sharing category, recipient
/// and purpose, and the place tells them apart at the first field compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SharedFlow {
    /// The sink call (or call toward it) where the flow leaves.
    pub location: Location,
    pub category: String,
    pub recipient: String,
    pub purpose: String,
    pub basis: Basis,
}

/// A `#[datagate::declassify]` function, listed in the inventory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Declassification {
    pub categories: Vec<String>,
    pub reason: String,
    pub item_path: String,
    pub location: Location,
}

/// Everything an analysis produced. All vectors are sorted.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    pub flows: Vec<SharedFlow>,
    pub declassifications: Vec<Declassification>,
    /// Findings suppressed by `#[datagate::allow]`.
    pub suppressed: usize,
    pub files: usize,
    pub lines: usize,
    /// The source text of every file with a finding, by workspace-relative
    /// path, so reports can render snippets without reading the disk again.
    pub sources: std::collections::BTreeMap<String, std::sync::Arc<str>>,
}

impl Analysis {
    /// Sort and de-duplicate everything, so output is byte-identical across runs.
    pub fn normalize(&mut self) {
        self.findings
            .sort_by(|a, b| a.key().cmp(&b.key()).then_with(|| a.trace.cmp(&b.trace)));
        self.findings.dedup_by(|a, b| a.key() == b.key());
        // Unstable is deterministic here (equal flows are identical), and
        // a large workspace has tens of thousands of flows: in parallel.
        self.flows.par_sort_unstable();
        self.flows.dedup();
        self.declassifications.sort();
        self.declassifications.dedup();
    }
}
