//! Function summaries and the whole-program fixpoint.
//!
//! Every function with a body that can matter ([`calls::demanded`]: it can
//! reach a sink, or be called from one that does) is analysed with the
//! current summaries of its callees; functions whose callees' summaries
//! changed are analysed again, round by round (each round in parallel, on
//! frozen summaries, so the result does not depend on scheduling) until
//! nothing changes. Recursion converges because summaries only grow; a round
//! limit bounds pathological cases.

pub mod calls;
pub mod graph;
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
/// Analyses of one function after which its changes stop propagating.
pub const MAX_TIMES: u32 = 6;
/// Bottom-up passes over the whole call graph (a new pass is needed only
/// when re-analysis discovered calls the previous pass did not know).
pub const MAX_PASSES: usize = 4;

/// What every batch of one run reads.
struct Run<'a, 'p> {
    ix: &'a Index<'p>,
    specs: &'a Specs,
    cats: &'a CatTable,
    files: &'a [crate::parse::SourceFile],
    calls: &'a [calls::Calls<'p>],
}

/// Every function's summary. Only those analysed hold one, boxed: at a
/// million lines half the functions are never analysed, and a summary
/// slot for each would be 18 MB of memory touched for nothing.
#[derive(Debug, Default)]
pub struct Summaries(Vec<Option<Box<Summary>>>);

/// The summary of a function that does nothing a caller can observe.
static NOTHING: Summary = Summary::NOTHING;

impl Summaries {
    fn new(n: usize) -> Summaries {
        Summaries((0..n).map(|_| None).collect())
    }

    /// A summary as stored: boxed, unless it says nothing.
    fn boxed(s: Summary) -> Option<Box<Summary>> {
        (!s.same(&NOTHING)).then(|| Box::new(s))
    }
}

impl std::ops::Index<FnId> for Summaries {
    type Output = Summary;

    fn index(&self, f: FnId) -> &Summary {
        self.0[f].as_deref().unwrap_or(&NOTHING)
    }
}

/// One function's [`FnResult`], made ready to store.
struct Analysed {
    summary: Option<Box<Summary>>,
    /// Whether the summary differs from the one the batch started with.
    differs: bool,
    candidates: Vec<Candidate>,
    edges: Vec<Edge>,
}

/// Analyse a batch of functions in parallel on the current summaries, store
/// the results, and return the callers of those whose summary changed.
fn run_batch(
    run: &Run<'_, '_>,
    batch: &[FnId],
    flows: &mut Flows,
    callers: &mut [Vec<FnId>],
) -> BTreeSet<FnId> {
    let Run {
        ix,
        specs,
        cats,
        files,
        calls,
    } = *run;
    flows.rounds += 1;
    let slow = std::env::var_os("DATAGATE_SLOW").is_some();
    if slow {
        eprintln!(
            "datagate: round {} analyses {} functions",
            flows.rounds,
            batch.len()
        );
    }
    let results: Vec<(FnId, Analysed)> = {
        let cx = Ctx {
            ix,
            specs,
            cats,
            summaries: &flows.summaries,
            files,
            calls,
        };
        batch
            .par_iter()
            .map(|&f| {
                // The clock is read only when asked for (perf counted a few
                // ms of clock reads at 50,000 functions).
                let t = slow.then(std::time::Instant::now);
                let r = interp::analyze_fn(&cx, f);
                if let Some(t) = t.filter(|t| t.elapsed().as_millis() > 20) {
                    eprintln!("datagate: {} took {:?}", ix.fn_path(f), t.elapsed());
                }
                // Compared and boxed here, in parallel: the summaries are
                // frozen for the batch, and the merge below runs on one
                // thread.
                let FnResult {
                    summary,
                    candidates,
                    edges,
                } = r;
                let differs = !summary.same(&cx.summaries[f]);
                let r = Analysed {
                    summary: Summaries::boxed(summary),
                    differs,
                    candidates,
                    edges,
                };
                (f, r)
            })
            .collect()
    };
    let mut changed = Vec::new();
    for (f, r) in results {
        for e in &r.edges {
            // Repeats are harmless (the callers are collected into a set)
            // but a function calls one callee in a row often.
            if callers[e.callee].last() != Some(&f) {
                callers[e.callee].push(f);
            }
        }
        flows.times[f] += 1;
        // Label sets are bounded (paths collapse past a size), which can make
        // a summary flip between two shapes; past a few analyses a function's
        // changes stop propagating, which bounds the work.
        if r.differs && flows.times[f] <= MAX_TIMES {
            changed.push(f);
        }
        flows.summaries.0[f] = r.summary;
        flows.candidates[f] = r.candidates;
        flows.edges[f] = r.edges;
    }
    let mut next = BTreeSet::new();
    for f in changed {
        next.extend(callers[f].iter().copied());
    }
    next
}

/// The result of the whole-program flow analysis.
#[derive(Debug, Default)]
pub struct Flows {
    pub summaries: Summaries,
    /// Per function: the flows into sinks it contains.
    pub candidates: Vec<Vec<Candidate>>,
    /// Per function: the calls it makes.
    pub edges: Vec<Vec<Edge>>,
    pub rounds: usize,
    /// How many times each function was analysed.
    pub times: Vec<u32>,
}

/// `calls` is [`calls::syntactic_calls`]: the order of the first pass, and
/// which functions can matter at all (the others are not analysed unless
/// `every` function is asked for).
pub fn analyze<'p>(
    ix: &Index<'p>,
    specs: &Specs,
    cats: &CatTable,
    files: &[crate::parse::SourceFile],
    calls: &[calls::Calls<'p>],
    every: bool,
) -> Flows {
    let n = ix.fns.len();
    let mut flows = Flows {
        summaries: Summaries::new(n),
        candidates: vec![Vec::new(); n],
        edges: vec![Vec::new(); n],
        rounds: 0,
        times: vec![0; n],
    };
    let mut callers: Vec<Vec<FnId>> = vec![Vec::new(); n];
    let run = Run {
        ix,
        specs,
        cats,
        files,
        calls,
    };
    // Pass one goes bottom-up over a call graph read off the syntax (calls
    // by path, methods by name), each level in parallel, so most functions
    // see their callees' summaries the first time they are analysed. Its
    // levels and the demand are two independent walks of that graph.
    let (demanded, level) = rayon::join(
        || (!every).then(|| calls::demanded(ix, specs, calls)),
        || {
            let guess: Vec<&[FnId]> = calls.iter().map(|c| &c.guess[..]).collect();
            graph::Graph::from_lists(&guess).levels()
        },
    );
    // Functions to analyse: with a body, and demanded.
    let analysed: Vec<bool> = (0..n)
        .map(|f| ix.fns[f].def.body.is_some() && demanded.as_ref().is_none_or(|d| d[f]))
        .collect();
    let mut pending = BTreeSet::new();
    for l in 0..=level.iter().copied().max().unwrap_or(0) {
        let batch: Vec<FnId> = (0..n).filter(|&f| level[f] == l && analysed[f]).collect();
        if batch.is_empty() {
            continue;
        }
        for f in &batch {
            pending.remove(f);
        }
        let more = run_batch(&run, &batch, &mut flows, &mut callers);
        // Callers not analysed yet will see the new summaries anyway.
        pending.extend(more.into_iter().filter(|&g| level[g] <= l));
    }
    // Then bottom-up over the call graph's strongly connected components, so
    // a function is analysed again once its callees are final (once per
    // pass, or until stable within a recursive component).
    let mut passes = 0;
    while !pending.is_empty() && passes < MAX_PASSES && flows.rounds < MAX_ROUNDS * 4 {
        passes += 1;
        let real: Vec<(FnId, FnId)> = flows
            .edges
            .iter()
            .enumerate()
            .flat_map(|(f, es)| es.iter().map(move |e| (f, e.callee)))
            .collect();
        let level = graph::Graph::from_edges(n, &real).levels();
        let max_level = level.iter().copied().max().unwrap_or(0);
        for l in 0..=max_level {
            let mut rounds_here = 0;
            loop {
                let batch: Vec<FnId> = pending
                    .iter()
                    .copied()
                    .filter(|&f| level[f] == l && analysed[f])
                    .collect();
                if batch.is_empty() || rounds_here >= MAX_ROUNDS {
                    break;
                }
                rounds_here += 1;
                for f in &batch {
                    pending.remove(f);
                }
                let more = run_batch(&run, &batch, &mut flows, &mut callers);
                pending.extend(more);
            }
            pending.retain(|&f| level[f] != l || !analysed[f]);
        }
        pending.retain(|&f| analysed[f]);
    }
    flows
}
