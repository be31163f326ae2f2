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

/// Rounds of re-analysis before the fixpoint is declared reached.
pub const MAX_ROUNDS: usize = 16;

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
    let mut dirty: Vec<FnId> = (0..n).filter(|&f| ix.fns[f].def.body.is_some()).collect();
    while !dirty.is_empty() && flows.rounds < MAX_ROUNDS {
        flows.rounds += 1;
        if std::env::var_os("DATAGATE_SLOW").is_some() {
            eprintln!(
                "datagate: round {} analyses {} functions",
                flows.rounds,
                dirty.len()
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
            let slow = std::env::var_os("DATAGATE_SLOW").is_some();
            dirty
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
        let mut changed = BTreeSet::new();
        for (f, r) in results {
            for e in &r.edges {
                callers[e.callee].insert(f);
            }
            if !r.summary.same(&flows.summaries[f]) {
                changed.insert(f);
            }
            flows.summaries[f] = r.summary;
            flows.candidates[f] = r.candidates;
            flows.edges[f] = r.edges;
        }
        let mut next = BTreeSet::new();
        for f in changed {
            next.extend(callers[f].iter().copied());
        }
        dirty = next
            .into_iter()
            .filter(|&f| ix.fns[f].def.body.is_some())
            .collect();
    }
    flows
}
