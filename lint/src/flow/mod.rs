//! Function summaries and the whole-program fixpoint.
//!
//! Every function with a body is analysed with the current summaries of its
//! callees; functions whose callees' summaries changed are analysed again,
//! round by round (each round in parallel, on frozen summaries, so the result
//! does not depend on scheduling) until nothing changes. Recursion converges
//! because summaries only grow; a round limit bounds pathological cases.

pub mod interp;
pub mod std_model;
pub mod value;

use crate::annotations::Specs;
use crate::cats::CatTable;
use crate::index::{FnId, Index};
use interp::{Candidate, Ctx, Edge, FnResult};
use rayon::prelude::*;
use std::collections::BTreeSet;
use value::Summary;

/// Rounds of re-analysis of one recursive component before its fixpoint is
/// declared reached.
pub const MAX_ROUNDS: usize = 16;
/// Bottom-up passes over the whole call graph (a new pass is needed only
/// when re-analysis discovered calls the previous pass did not know).
pub const MAX_PASSES: usize = 4;

/// Analyse a batch of functions in parallel on the current summaries, store
/// the results, and return the callers of those whose summary changed.
fn run_batch(
    ix: &Index<'_>,
    specs: &Specs,
    cats: &CatTable,
    files: &[crate::parse::SourceFile],
    batch: &[FnId],
    flows: &mut Flows,
    callers: &mut [BTreeSet<FnId>],
) -> BTreeSet<FnId> {
    flows.rounds += 1;
    let slow = std::env::var_os("DATAGATE_SLOW").is_some();
    if slow {
        eprintln!(
            "datagate: round {} analyses {} functions",
            flows.rounds,
            batch.len()
        );
    }
    let results: Vec<(FnId, FnResult)> = {
        let cx = Ctx {
            ix,
            specs,
            cats,
            summaries: &flows.summaries,
            files,
        };
        batch
            .par_iter()
            .map(|&f| {
                let t = std::time::Instant::now();
                let r = interp::analyze_fn(&cx, f);
                if slow && t.elapsed().as_millis() > 20 {
                    eprintln!("datagate: {} took {:?}", ix.fns[f].path, t.elapsed());
                }
                (f, r)
            })
            .collect()
    };
    let mut changed = Vec::new();
    for (f, r) in results {
        for e in &r.edges {
            callers[e.callee].insert(f);
        }
        if !r.summary.same(&flows.summaries[f]) {
            changed.push(f);
        }
        flows.summaries[f] = r.summary;
        flows.candidates[f] = r.candidates;
        flows.edges[f] = r.edges;
    }
    let mut next = BTreeSet::new();
    for f in changed {
        next.extend(callers[f].iter().copied());
    }
    next
}

/// The height of each function in the condensation of the call graph:
/// 0 for functions that call nothing (outside their own recursive
/// component), else one more than their highest callee's component.
fn levels(n: usize, edges: &[Vec<Edge>]) -> Vec<usize> {
    // Kosaraju, iteratively: finish order on the graph, then components on
    // the transpose in reverse finish order (sources of the graph first).
    let succ = |f: usize| edges[f].iter().map(|e| e.callee);
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for root in 0..n {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some((f, i)) = stack.pop() {
            match edges[f].get(i) {
                Some(e) => {
                    stack.push((f, i + 1));
                    if !seen[e.callee] {
                        seen[e.callee] = true;
                        stack.push((e.callee, 0));
                    }
                }
                None => order.push(f),
            }
        }
    }
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    for f in 0..n {
        for g in succ(f) {
            preds[g].push(f);
        }
    }
    let mut comp = vec![usize::MAX; n];
    let mut comps: Vec<Vec<usize>> = Vec::new();
    for &root in order.iter().rev() {
        if comp[root] != usize::MAX {
            continue;
        }
        let c = comps.len();
        comp[root] = c;
        let mut members = vec![root];
        let mut stack = vec![root];
        while let Some(f) = stack.pop() {
            for &g in &preds[f] {
                if comp[g] == usize::MAX {
                    comp[g] = c;
                    members.push(g);
                    stack.push(g);
                }
            }
        }
        comps.push(members);
    }
    // Components come out sources first: callees are later. Walk backwards.
    let mut comp_level = vec![0usize; comps.len()];
    for c in (0..comps.len()).rev() {
        let mut l = 0;
        for &f in &comps[c] {
            for g in succ(f) {
                let d = comp[g];
                if d != c {
                    l = l.max(comp_level[d] + 1);
                }
            }
        }
        comp_level[c] = l;
    }
    (0..n).map(|f| comp_level[comp[f]]).collect()
}

/// The result of the whole-program flow analysis.
#[derive(Debug, Default)]
pub struct Flows {
    pub summaries: Vec<Summary>,
    /// Per function: the flows into sinks it contains.
    pub candidates: Vec<Vec<Candidate>>,
    /// Per function: the calls it makes.
    pub edges: Vec<Vec<Edge>>,
    pub rounds: usize,
}

pub fn analyze(
    ix: &Index<'_>,
    specs: &Specs,
    cats: &CatTable,
    files: &[crate::parse::SourceFile],
) -> Flows {
    let n = ix.fns.len();
    let mut flows = Flows {
        summaries: vec![Summary::default(); n],
        candidates: vec![Vec::new(); n],
        edges: vec![Vec::new(); n],
        rounds: 0,
    };
    let mut callers: Vec<BTreeSet<FnId>> = vec![BTreeSet::new(); n];
    let with_body: Vec<bool> = (0..n).map(|f| ix.fns[f].def.body.is_some()).collect();
    // Round one: everything, in parallel, to find the call graph.
    let all: Vec<FnId> = (0..n).filter(|&f| with_body[f]).collect();
    let mut pending = run_batch(ix, specs, cats, files, &all, &mut flows, &mut callers);
    // Then bottom-up over the call graph's strongly connected components, so
    // a function is analysed again once its callees are final (once per
    // pass, or until stable within a recursive component).
    let mut passes = 0;
    while !pending.is_empty() && passes < MAX_PASSES && flows.rounds < MAX_ROUNDS * 4 {
        passes += 1;
        let level = levels(n, &flows.edges);
        let max_level = level.iter().copied().max().unwrap_or(0);
        for l in 0..=max_level {
            let mut rounds_here = 0;
            loop {
                let batch: Vec<FnId> = pending
                    .iter()
                    .copied()
                    .filter(|&f| level[f] == l && with_body[f])
                    .collect();
                if batch.is_empty() || rounds_here >= MAX_ROUNDS {
                    break;
                }
                rounds_here += 1;
                for f in &batch {
                    pending.remove(f);
                }
                let more = run_batch(ix, specs, cats, files, &batch, &mut flows, &mut callers);
                pending.extend(more);
            }
            pending.retain(|&f| level[f] != l || !with_body[f]);
        }
        pending.retain(|&f| with_body[f]);
    }
    flows
}
