//! `cargo-datagate`: the linter library. The binary in `main.rs` is a thin
//! command line over [`cli::main`].

pub mod annotations;
pub mod baseline;
pub mod cats;
pub mod cli;
pub mod discover;
pub mod findings;
pub mod flow;
pub mod index;
pub mod inventory;
pub mod ir;
pub mod lower;
pub mod parse;
pub mod policy;
pub mod report;
pub mod rules;
pub mod sym;
#[cfg(test)]
mod testing;

pub use parse::{parse_only, ParseStats};
pub mod check;

use crate::findings::Analysis;
use crate::policy::Policy;

/// Stack size of the analysis threads: syn and the analysis recurse on deeply
/// nested code; a large (lazily committed) stack turns that into a bounded
/// cost instead of a crash.
pub(crate) const STACK_SIZE: usize = 256 << 20;

/// Run `f` on a thread pool with large stacks (falls back to the global pool).
fn with_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .build()
    {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

/// How to run an analysis; the defaults suit a library caller.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Analyse every function, not only those that can reach a sink or be
    /// called from one ([`flow::calls::demanded`]). The result is the same:
    /// tests compare the two.
    pub every_function: bool,
    /// Never free the analysis's memory (the IR, the index, the summaries).
    /// For a process that exits right after, as the command line does:
    /// freeing hundreds of megabytes piece by piece only delays the exit.
    pub leak: bool,
}

/// Analyse a discovered workspace under a policy: the whole pipeline,
/// discover → parse → index → annotations → flows → check. Never fails:
/// files that cannot be read or parsed are `parse-error` findings.
pub fn analyze(ws: &discover::Workspace, policy: &Policy) -> Analysis {
    analyze_with(ws, policy, Options::default())
}

/// [`analyze`] with [`Options`].
pub fn analyze_with(ws: &discover::Workspace, policy: &Policy, opts: Options) -> Analysis {
    let timings = std::env::var_os("DATAGATE_TIMINGS").is_some();
    let t0 = std::time::Instant::now();
    let lap = |stage: &str| {
        if timings {
            // Resident memory, where the OS tells (Linux): what each stage keeps.
            let rss = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmRSS:"))
                        .map(|l| l.trim_start_matches("VmRSS:").trim().to_string())
                })
                .unwrap_or_default();
            // And the CPU time of all threads (user + system, in clock
            // ticks): against the wall time, how well a stage uses the cores.
            let cpu = std::fs::read_to_string("/proc/self/stat")
                .ok()
                .and_then(|s| {
                    let after = s.rsplit_once(')')?.1;
                    let f: Vec<&str> = after.split_whitespace().collect();
                    let ticks = |i: usize| f.get(i)?.parse::<u64>().ok();
                    Some(format!("cpu {} ticks", ticks(11)? + ticks(12)?))
                })
                .unwrap_or_default();
            eprintln!("datagate: {stage} done at {:?} {rss} {cpu}", t0.elapsed());
        }
    };
    with_pool(|| {
        let parsed = parse::parse_workspace(ws);
        lap("parse");
        let mut cats = cats::CatTable::new(policy);
        let ix = index::Index::build(&parsed);
        lap("index");
        let (specs, calls) = rayon::join(
            || annotations::Specs::build(&ix, policy, &mut cats, &parsed.files),
            || flow::calls::syntactic_calls(&ix),
        );
        lap("annotations");
        let flows = flow::analyze(
            &ix,
            &specs,
            &cats,
            &parsed.files,
            &calls,
            opts.every_function,
        );
        lap(&format!("flows ({} rounds)", flows.rounds));
        let a = check::check(&parsed, &ix, &specs, &cats, &flows, policy);
        lap("check");
        if opts.leak {
            std::mem::forget((flows, calls, specs, ix));
            std::mem::forget(parsed);
        }
        a
    })
}

/// [`parse::parse_only`] on the same thread pool as [`analyze`]: the floor
/// the benchmark compares against.
pub fn parse_only_pooled(ws: &discover::Workspace) -> ParseStats {
    with_pool(|| parse::parse_only(ws))
}
