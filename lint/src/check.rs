//! Check flows and guards: decide which flows into sinks are findings.
//!
//! A flow found in function `f` is guarded when the consents holding on its
//! way to the sink inside `f` cover its recipient, purpose and category, or
//! when every way into `f` passes a call site whose consents cover them
//! ([`CallerGuards`]). A function with no call site in the workspace (a
//! public API, a handler, `main`) is an entry point, and so is anything only
//! reachable from a cycle of its own, so "every call site is guarded" never
//! holds vacuously. Then the policy decides: first-party recipients are skipped,
//! never-share categories are `never-share` findings whatever the consent,
//! exempt purposes need no guard, and `allow` suppresses what it names.

use crate::annotations::Specs;
use crate::cats::CatId;
use crate::cats::CatTable;
use crate::findings::{
    Analysis, Basis, Declassification, Finding, Hop, Location, Severity, SharedFlow,
};
use crate::flow::interp::{Candidate, Edge};
use crate::flow::value::{Facts, HopRef};
use crate::flow::Flows;
use crate::index::{FnId, Index};
use crate::ir::{AllowAttr, Span};
use crate::parse::Parsed;
use crate::policy::Policy;
use datagate_spec::Code;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;

/// A requirement: recipient, purpose and category.
pub type GuardKey = (Arc<str>, Arc<str>, CatId);

/// Guards in callers. For one requirement (recipient, purpose, category), a
/// function runs unguarded when it is an entry point, or when some call site
/// that does not cover the requirement is in a function that runs unguarded.
/// That is a reachability question: a walk from the entry points along the
/// call edges whose consents do not cover the requirement. Different call
/// sites may be guarded by different checks, as long as each covers it.
pub struct CallerGuards<'a> {
    n: usize,
    roots: Vec<FnId>,
    /// Per function: the calls it makes, with the consents holding there.
    callees: &'a [Vec<Edge>],
    memo: HashMap<GuardKey, Vec<bool>>,
    /// The consents at each call site of the functions that flows were
    /// found in (`flow_fns` of [`CallerGuards::new`]), gathered in one pass
    /// over the call graph: a pass per finding took most of the check at 1M
    /// lines.
    callers: HashMap<FnId, Vec<&'a Facts>>,
}

impl<'a> CallerGuards<'a> {
    /// `flow_fns`: the functions whose flows `caller_checks`
    /// will be asked about.
    pub fn new(ix: &Index<'_>, flows: &'a Flows, flow_fns: impl Iterator<Item = FnId>) -> Self {
        let n = ix.fns.len();
        let mut has_caller = vec![false; n];
        let callees = &flows.edges[..];
        for (f, edges) in callees.iter().enumerate() {
            for e in edges {
                if e.callee != f {
                    has_caller[e.callee] = true;
                }
            }
        }
        let mut roots: Vec<FnId> = (0..n).filter(|&f| !has_caller[f]).collect();
        // Functions only reachable from a cycle of their own are entry points too.
        let mut reached = vec![false; n];
        let mut queue: VecDeque<FnId> = roots.iter().copied().collect();
        for &f in &roots {
            reached[f] = true;
        }
        while let Some(f) = queue.pop_front() {
            for e in &callees[f] {
                if !reached[e.callee] {
                    reached[e.callee] = true;
                    queue.push_back(e.callee);
                }
            }
        }
        roots.extend((0..n).filter(|&f| !reached[f]));
        CallerGuards {
            n,
            roots,
            callees,
            memo: HashMap::new(),
            callers: callers_of(callees, flow_fns, n),
        }
    }

    /// Walk from the entry points once for each requirement the flows
    /// ask about, in parallel: each walk covers the whole call graph, and
    /// a workspace asks about a handful of requirements.
    pub fn prepare(&mut self, specs: &Specs, keys: impl Iterator<Item = GuardKey>) {
        let keys: BTreeSet<GuardKey> = keys.collect();
        let this = &*self;
        let walks: Vec<(GuardKey, Vec<bool>)> = keys
            .into_par_iter()
            .map(|k| {
                let unguarded = this.unguarded(specs, &k);
                (k, unguarded)
            })
            .collect();
        self.memo.extend(walks);
    }

    /// Which functions some way from an entry point reaches without a
    /// consent covering the requirement.
    fn unguarded(&self, specs: &Specs, (recipient, purpose, cat): &GuardKey) -> Vec<bool> {
        // Which grants cover the requirement, decided once, not at every
        // call edge.
        let covering: Vec<bool> = specs
            .grants
            .iter()
            .map(|g| g.covers(recipient, purpose, *cat))
            .collect();
        let covers = |facts: &Facts| {
            facts
                .0
                .iter()
                .any(|g| covering.get(*g as usize).copied().unwrap_or(false))
        };
        let mut unguarded = vec![false; self.n];
        let mut queue: VecDeque<FnId> = VecDeque::new();
        for &r in &self.roots {
            unguarded[r] = true;
            queue.push_back(r);
        }
        while let Some(c) = queue.pop_front() {
            for e in &self.callees[c] {
                if !unguarded[e.callee] && !covers(&e.facts) {
                    unguarded[e.callee] = true;
                    queue.push_back(e.callee);
                }
            }
        }
        unguarded
    }

    /// Whether every way into `f` passes a consent covering the requirement.
    pub fn guarded(&self, specs: &Specs, f: FnId, key: &GuardKey) -> bool {
        match self.memo.get(key) {
            Some(u) => !u[f],
            // Not prepared: walk for this one question.
            None => !self.unguarded(specs, key)[f],
        }
    }

    /// The checks at the call sites of `f` that cover the requirement.
    fn caller_checks(
        &self,
        specs: &Specs,
        f: FnId,
        recipient: &str,
        purpose: &str,
        cat: CatId,
    ) -> Vec<String> {
        let mut names = BTreeSet::new();
        for facts in self.callers.get(&f).into_iter().flatten() {
            names.extend(covering(specs, facts, recipient, purpose, cat));
        }
        names.into_iter().collect()
    }
}

/// The consents at the call sites of each of `funcs`.
fn callers_of(
    callees: &[Vec<Edge>],
    funcs: impl Iterator<Item = FnId>,
    n: usize,
) -> HashMap<FnId, Vec<&Facts>> {
    let mut wanted = vec![false; n];
    for f in funcs {
        if let Some(w) = wanted.get_mut(f) {
            *w = true;
        }
    }
    let mut out: HashMap<FnId, Vec<&Facts>> = HashMap::new();
    for e in callees.iter().flatten() {
        if wanted.get(e.callee).copied().unwrap_or(false) {
            out.entry(e.callee).or_default().push(&e.facts);
        }
    }
    out
}

/// The grants among `facts` that cover the requirement.
fn covering_grants<'s>(
    specs: &'s Specs,
    facts: &'s Facts,
    r: &'s str,
    p: &'s str,
    cat: CatId,
) -> impl Iterator<Item = &'s crate::annotations::Grant> {
    facts
        .0
        .iter()
        .filter_map(|g| specs.grants.get(*g as usize))
        .filter(move |g| g.covers(r, p, cat))
}

fn covering(specs: &Specs, facts: &Facts, r: &str, p: &str, cat: CatId) -> Vec<String> {
    covering_grants(specs, facts, r, p, cat)
        .map(|g| g.name.clone())
        .collect()
}

struct Out<'p> {
    analysis: Analysis,
    used_allows: HashSet<usize>,
    all_allows: Vec<(usize, &'p AllowAttr)>,
}

fn loc(parsed: &Parsed, file: usize, span: Span) -> Location {
    Location {
        file: parsed
            .files
            .get(file)
            .map(|f| f.rel.clone())
            .unwrap_or_default(),
        line: span.lo.line.max(1),
        column: span.lo.col.max(1),
    }
}

fn hop(parsed: &Parsed, h: &HopRef) -> Hop {
    Hop {
        at: loc(parsed, h.file, h.span),
        note: h.note.to_string(),
    }
}

fn span_len(parsed: &Parsed, file: usize, span: Span) -> u32 {
    if span.hi.line == span.lo.line && span.hi.col > span.lo.col {
        return span.hi.col - span.lo.col;
    }
    // A multi-line expression: label to the end of its first line.
    parsed
        .files
        .get(file)
        .and_then(|f| f.text.lines().nth(span.lo.line.saturating_sub(1) as usize))
        .map_or(0, |l| {
            (l.chars().count() as u32 + 1).saturating_sub(span.lo.col)
        })
}

/// Decide findings and inventory rows from the flows.
pub fn check(
    parsed: &Parsed,
    ix: &Index<'_>,
    specs: &Specs,
    cats: &CatTable,
    flows: &Flows,
    policy: &Policy,
) -> Analysis {
    let crate_names: Vec<String> = parsed.crates.iter().map(|c| c.name.clone()).collect();
    let mut out = Out {
        analysis: Analysis::default(),
        used_allows: HashSet::new(),
        all_allows: Vec::new(),
    };
    collect_allows(ix, &mut out);

    let cands: Vec<&Candidate> = flows
        .candidates
        .iter()
        .flatten()
        .filter(|c| !policy.is_first_party(&c.recipient))
        .collect();
    let mut guards = CallerGuards::new(ix, flows, cands.iter().map(|c| c.func));
    // Callers are asked about only where the flow's own consents do not
    // cover it ([`Decide::decide`]): each walk covers the whole call graph.
    guards.prepare(
        specs,
        cands
            .iter()
            .filter(|c| {
                covering_grants(specs, &c.facts, &c.recipient, &c.purpose, c.cat)
                    .next()
                    .is_none()
            })
            .map(|c| (c.recipient.clone(), c.purpose.clone(), c.cat)),
    );
    let cx = Decide {
        parsed,
        ix,
        specs,
        cats,
        policy,
        crate_names: &crate_names,
        guards: &guards,
    };
    let decisions: Vec<Decision<'_>> = cands.par_iter().map(|c| cx.decide(c)).collect();
    for d in decisions {
        if let Some(a) = d.allow {
            out.used_allows.insert(a as *const AllowAttr as usize);
            out.analysis.suppressed += 1;
        }
        out.analysis.flows.extend(d.flow);
        out.analysis.findings.extend(d.finding);
    }

    // Problems found while parsing and collecting annotations.
    let problems = parsed
        .problems
        .iter()
        .cloned()
        .chain(specs.problems.iter().cloned())
        .chain(parsed.modules.iter().flat_map(|m| {
            let file = parsed
                .files
                .get(m.file)
                .map(|f| f.rel.clone())
                .unwrap_or_default();
            m.ir.problems
                .iter()
                .map(move |p| crate::parse::FileProblem {
                    file: file.clone(),
                    problem: p.clone(),
                })
        }));
    for p in problems {
        out.analysis.findings.push(Finding {
            code: p.problem.code,
            severity: Severity::Error,
            message: p.problem.message.clone(),
            category: None,
            recipient: None,
            purpose: None,
            location: Location {
                file: p.file.clone(),
                line: p.problem.span.lo.line.max(1),
                column: p.problem.span.lo.col.max(1),
            },
            length: 0,
            source: None,
            trace: Vec::new(),
            help: None,
            item_path: p.file.clone(),
            snippet: String::new(),
        });
    }

    // `allow`s that suppressed nothing.
    for (file, a) in &out.all_allows {
        if !out.used_allows.contains(&(*a as *const AllowAttr as usize)) {
            let codes: Vec<&str> = a.codes.iter().map(|c| c.name()).collect();
            out.analysis.findings.push(Finding {
                code: Code::UnusedAllow,
                severity: Severity::Warning,
                message: format!("`allow({})` suppresses no finding", codes.join(", ")),
                category: None,
                recipient: None,
                purpose: None,
                location: loc(parsed, *file, a.span),
                length: 0,
                source: None,
                trace: Vec::new(),
                help: Some("remove the `allow`, the flow it was for is gone".to_string()),
                item_path: parsed
                    .files
                    .get(*file)
                    .map(|f| f.rel.clone())
                    .unwrap_or_default(),
                snippet: a.reason.clone(),
            });
        }
    }

    // The specs first: they are in one vector, while reading a function's
    // own annotations is a cache miss for each of 100,000 functions.
    for (fid, spec) in specs.fns.iter().enumerate() {
        let info = &ix.fns[fid];
        if let (Some(set), Some(d)) = (
            spec.declassify,
            info.ann.and_then(|a| a.declassify.as_ref()),
        ) {
            let file = ix.modules[info.module].file;
            out.analysis.declassifications.push(Declassification {
                categories: set.iter().map(|c| cats.name(c).to_string()).collect(),
                reason: d.reason.clone(),
                item_path: display_path(ix, &crate_names, fid),
                location: loc(parsed, file, info.def.span),
            });
        }
    }

    let mut a = out.analysis;
    a.files = parsed.files.len();
    a.lines = parsed.files.iter().map(|f| f.lines).sum();
    let with_findings: BTreeSet<&str> = a
        .findings
        .iter()
        .map(|f| f.location.file.as_str())
        .collect();
    for f in &parsed.files {
        if with_findings.contains(f.rel.as_str()) {
            a.sources.insert(f.rel.clone(), Arc::from(&*f.text));
        }
    }
    a.normalize();
    a
}

fn display_path(ix: &Index<'_>, crate_names: &[String], f: FnId) -> String {
    let krate = crate_names
        .get(ix.modules[ix.fns[f].module].krate)
        .map_or("", String::as_str);
    format!("{krate}::{}", ix.fn_path(f))
}

fn collect_allows<'p>(ix: &Index<'p>, out: &mut Out<'p>) {
    let mut seen = HashSet::new();
    let mut push = |file: usize, a: &'p AllowAttr, out: &mut Out<'p>| {
        if seen.insert(a as *const AllowAttr as usize) {
            out.all_allows.push((file, a));
        }
    };
    for m in &ix.modules {
        for &(file, a) in &m.allow {
            push(file, a, out);
        }
    }
    for f in &ix.fns {
        let file = ix.modules[f.module].file;
        for a in &f.allows {
            push(file, a, out);
        }
    }
    for adt in &ix.adts {
        let allows = match adt.kind {
            crate::index::AdtKind::Struct(s) => &s.allow,
            crate::index::AdtKind::Enum(e) => &e.allow,
        };
        for a in allows {
            push(ix.modules[adt.module].file, a, out);
        }
    }
}

/// What one candidate flow becomes: an inventory row, a finding, both
/// (an unconsented flow is still shared), and the `allow` that suppressed
/// it. Decided for each candidate on its own, in parallel.
#[derive(Default)]
struct Decision<'p> {
    flow: Option<SharedFlow>,
    finding: Option<Finding>,
    allow: Option<&'p AllowAttr>,
}

/// What deciding a candidate reads.
struct Decide<'a, 'p> {
    parsed: &'a Parsed,
    ix: &'a Index<'p>,
    specs: &'a Specs,
    cats: &'a CatTable,
    policy: &'a Policy,
    crate_names: &'a [String],
    guards: &'a CallerGuards<'a>,
}

impl<'p> Decide<'_, 'p> {
    fn decide(&self, cand: &Candidate) -> Decision<'p> {
        let Decide {
            parsed,
            ix,
            specs,
            cats,
            policy,
            crate_names,
            guards,
        } = *self;
        let r = &*cand.recipient;
        let p = &*cand.purpose;
        let info = &ix.fns[cand.func];
        let file = ix.modules[info.module].file;
        let location = loc(parsed, file, cand.span);
        let cat = cats.name(cand.cat).to_string();
        let mut covering = covering(specs, &cand.facts, r, p, cand.cat);
        if covering.is_empty()
            && guards.guarded(
                specs,
                cand.func,
                &(cand.recipient.clone(), cand.purpose.clone(), cand.cat),
            )
        {
            covering = guards.caller_checks(specs, cand.func, r, p, cand.cat);
            if covering.is_empty() {
                covering.push("guards in callers".to_string());
            }
        }
        let (code, basis) = if policy.never_shared(&cat, r) {
            (Some(Code::NeverShare), Basis::Unconsented)
        } else if let Some(b) = policy.exemption(p) {
            (
                None,
                Basis::NotRequired {
                    basis: b.to_string(),
                },
            )
        } else if !covering.is_empty() {
            (None, Basis::Consent { checks: covering })
        } else {
            (Some(Code::UnconsentedFlow), Basis::Unconsented)
        };
        let Some(code) = code else {
            return Decision {
                flow: Some(SharedFlow {
                    category: cat,
                    recipient: r.to_string(),
                    purpose: p.to_string(),
                    basis,
                    location,
                }),
                ..Decision::default()
            };
        };
        if let Some(a) = info.allows.iter().find(|a| a.codes.contains(&code)) {
            return Decision {
                flow: Some(SharedFlow {
                    category: cat,
                    recipient: r.to_string(),
                    purpose: p.to_string(),
                    basis: Basis::Allowed {
                        reason: a.reason.clone(),
                    },
                    location,
                }),
                finding: None,
                allow: Some(*a),
            };
        }
        let flow = (code == Code::UnconsentedFlow).then(|| SharedFlow {
            category: cat.clone(),
            recipient: r.to_string(),
            purpose: p.to_string(),
            basis,
            location: location.clone(),
        });
        let sink_name = cand
            .sink
            .name
            .rsplit("::")
            .next()
            .unwrap_or(&cand.sink.name)
            .to_string();
        let (message, help) = if code == Code::NeverShare {
            (
            format!("`{cat}` reaches `{sink_name}`, which sends it to `{r}` for {p}; the policy says it is never shared with `{r}`"),
            "remove this flow: no consent makes a never-share category shareable".to_string(),
        )
        } else {
            let existing: Vec<&str> = specs
                .grants
                .iter()
                .filter(|g| g.covers(r, p, cand.cat))
                .map(|g| g.name.as_str())
                .collect();
            let help = match existing.first() {
            Some(g) => format!("add a check of `{g}` that guards this call (consent of `{r}` for {p} covering `{cat}`)"),
            None => format!(
                "add a `#[datagate::consent_check(to = {r}, purpose = {p})]` and call this only when it says yes"
            ),
        };
            (
                format!(
                "`{cat}` reaches `{sink_name}`, which sends it to `{r}` for {p}, without consent"
            ),
                help,
            )
        };
        let trace: Vec<Hop> = cand.trace.iter().map(|h| hop(parsed, h)).collect();
        let finding = Finding {
            code,
            severity: Severity::Error,
            message,
            category: Some(cat),
            recipient: Some(r.to_string()),
            purpose: Some(p.to_string()),
            location,
            length: span_len(parsed, file, cand.span),
            source: trace.first().cloned(),
            trace,
            help: Some(help),
            item_path: display_path(ix, crate_names, cand.func),
            snippet: cand.snippet.to_string(),
        };
        Decision {
            flow,
            finding: Some(finding),
            allow: None,
        }
    }
}
