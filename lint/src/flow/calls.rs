//! The call graph as far as the syntax tells, read before any function is
//! analysed. It serves twice:
//!
//! - **Order** ([`Calls::guess`]): calls by path that resolve to workspace
//!   functions, and methods by name and arity (not the standard library's
//!   well-known names). The first pass runs bottom-up over it, so most
//!   functions see their callees' summaries the first time they are analysed.
//! - **Demand** ([`demanded`]): which functions can matter at all. A finding
//!   or a data-map row comes from a function that reaches a sink (directly,
//!   through callees, or through a trait declaration's annotation); its
//!   analysis reads the summaries of everything it calls, transitively.
//!   Nothing else can change the result, so nothing else is analysed. On a
//!   workspace where half the functions never come near a sink, that halves
//!   the flow analysis; on one with no sink, it skips it.
//!
//! Demand must over-approximate every call the interpreter can resolve, or a
//! summary would be missing: it counts every path (called or passed as a
//! value, `map(Row::heavier)`) that resolves to a workspace function, every
//! method name as a call to every workspace method of that name (whatever
//! the receiver, arity or standard-library meaning), and an implementation
//! and its trait's declaration as calling each other. A policy's external
//! sinks are matched by their last path segment.

use super::graph::Graph;
use super::std_model;
use crate::annotations::Specs;
use crate::index::{FnId, Index, Owner, Res};
use crate::ir::{Site, SiteId, Sym};
use foldhash::{HashMap, HashSet};
use rayon::prelude::*;

/// Method names shared by more workspace methods than this are left out of
/// the order (they say little about which one runs); demand keeps them all.
const MAX_GUESS_TARGETS: usize = 16;

/// What one function's body calls, as written.
#[derive(Debug, Default)]
pub struct Calls<'p> {
    /// Every path site of the body [`syntactic_calls`] resolved, by site,
    /// sorted: the analysis reads its resolutions here instead of resolving
    /// them again.
    paths: Vec<(SiteId, Res<'p>)>,
    /// Calls by path and methods by name and arity: the order of the first pass.
    pub guess: Vec<FnId>,
    /// Every workspace function a path in the body resolves to.
    fns: Vec<FnId>,
    /// Every method name called.
    methods: Vec<Sym>,
    /// Last segments of called paths outside the workspace.
    external: Vec<Sym>,
}

/// Read every function body's calls: its sites, resolved. Needs only the
/// index, so it runs while the annotations are read.
pub fn syntactic_calls<'p>(ix: &Index<'p>) -> Vec<Calls<'p>> {
    // A one-segment path is nearly always a local; resolve it only when
    // some function has that name.
    let fn_names: HashSet<Sym> = ix.fns.iter().map(|f| f.def.name).collect();
    (0..ix.fns.len())
        .into_par_iter()
        .map(|f| {
            let info = &ix.fns[f];
            let mut out = Calls::default();
            for (site, e) in (0..).zip(&info.def.sites) {
                match e {
                    Site::Path(segs) | Site::CallPath(segs) => {
                        let called = matches!(e, Site::CallPath(_));
                        if !called && segs.len() == 1 && !fn_names.contains(&segs[0]) {
                            continue;
                        }
                        let r = ix.resolve_path(info.module, segs, info.self_ty.as_ref());
                        let targets: &[FnId] = match &r {
                            Res::Fn(g) => std::slice::from_ref(g),
                            Res::Fns(gs) => gs,
                            Res::Ext(p) if called => {
                                out.external
                                    .push(Sym::new(p.rsplit("::").next().unwrap_or(p)));
                                &[]
                            }
                            _ => &[],
                        };
                        out.fns.extend(targets);
                        if called {
                            out.guess.extend(targets);
                        }
                        out.paths.push((site, r));
                    }
                    &Site::Method(name, arity) => {
                        out.methods.push(name);
                        if std_model::kind_of(name) == std_model::Kind::Union {
                            if let Some(gs) = ix.methods_by_name.get(&(name, arity as usize)) {
                                if gs.len() <= MAX_GUESS_TARGETS {
                                    out.guess.extend(gs.iter().copied());
                                }
                            }
                        }
                    }
                }
            }
            // `paths` is in site order already.
            for v in [&mut out.guess, &mut out.fns] {
                v.sort_unstable();
                v.dedup();
            }
            for v in [&mut out.methods, &mut out.external] {
                v.sort_unstable();
                v.dedup();
            }
            out.shrink_to_fit();
            out
        })
        .collect()
}

impl<'p> Calls<'p> {
    /// Kept for the whole analysis, one per function: without the slack
    /// of growing (about 10 MB at 1M lines).
    fn shrink_to_fit(&mut self) {
        let Calls {
            paths,
            guess,
            fns,
            methods,
            external,
        } = self;
        paths.shrink_to_fit();
        guess.shrink_to_fit();
        fns.shrink_to_fit();
        methods.shrink_to_fit();
        external.shrink_to_fit();
    }

    /// What the path at `site` of this function's body resolved to, if
    /// [`syntactic_calls`] resolved it. Only the function's own body is evaluated under
    /// its entry (a closure never leaves the function that wrote it:
    /// summaries hold no callables), so a site always means this body's.
    pub fn resolved(&self, site: SiteId) -> Option<&Res<'p>> {
        self.paths
            .binary_search_by_key(&site, |(k, _)| *k)
            .ok()
            .map(|i| &self.paths[i].1)
    }
}

/// Which functions' analyses can change the result: those that can reach a
/// sink, and everything they can call.
pub fn demanded(ix: &Index<'_>, specs: &Specs, calls: &[Calls<'_>]) -> Vec<bool> {
    let n = ix.fns.len();
    let name_of = |f: FnId| ix.fns[f].def.name;
    let is_method = |f: FnId| !matches!(ix.fns[f].owner, Owner::Free);
    let mut methods_named: HashMap<Sym, Vec<FnId>> = HashMap::default();
    // Direct edges: resolved paths, and an implementation to its trait's
    // declaration (whose annotation applies to calls of the implementation).
    let mut edges: Vec<(FnId, FnId)> = Vec::with_capacity(calls.iter().map(|c| c.fns.len()).sum());
    for (f, c) in calls.iter().enumerate() {
        edges.extend(c.fns.iter().map(|&g| (f, g)));
    }
    for f in 0..n {
        if is_method(f) {
            methods_named.entry(name_of(f)).or_default().push(f);
        }
        if let Owner::Impl {
            trait_: Some(t), ..
        } = ix.fns[f].owner
        {
            if let Some(&d) = ix.traits[t].decls.get(&name_of(f)) {
                edges.push((f, d));
                edges.push((d, f));
            }
        }
    }
    let succ = Graph::from_edges(n, &edges);
    drop(edges);
    let pred = succ.transpose();
    let mut callers_by_name: HashMap<Sym, Vec<FnId>> = HashMap::default();
    for (f, c) in calls.iter().enumerate() {
        for &m in &c.methods {
            callers_by_name.entry(m).or_default().push(f);
        }
    }
    let ext_sinks: HashSet<&str> = specs
        .ext_sinks
        .keys()
        .map(|k| k.rsplit("::").next().unwrap_or(k))
        .collect();
    // Backwards from the sinks: who can reach one.
    let mut need = vec![false; n];
    let mut stack: Vec<FnId> = (0..n)
        .filter(|&f| {
            specs.fns[f].sink.is_some()
                || (!ext_sinks.is_empty()
                    && calls[f]
                        .methods
                        .iter()
                        .chain(&calls[f].external)
                        .any(|m| ext_sinks.contains(m.as_str())))
        })
        .collect();
    stack.iter().for_each(|&f| need[f] = true);
    let mut names_done: HashSet<Sym> = HashSet::default();
    while let Some(g) = stack.pop() {
        let by_name = is_method(g)
            .then(|| name_of(g))
            .filter(|m| names_done.insert(*m))
            .and_then(|m| callers_by_name.get(&m));
        for &f in pred.succ(g).iter().chain(by_name.into_iter().flatten()) {
            if !need[f] {
                need[f] = true;
                stack.push(f);
            }
        }
    }
    // Forwards: everything those call.
    let mut stack: Vec<FnId> = (0..n).filter(|&f| need[f]).collect();
    names_done.clear();
    while let Some(f) = stack.pop() {
        let by_name = calls[f]
            .methods
            .iter()
            .filter(|m| names_done.insert(**m))
            .filter_map(|m| methods_named.get(m))
            .flatten();
        for &g in succ.succ(f).iter().chain(by_name) {
            if !need[g] {
                need[g] = true;
                stack.push(g);
            }
        }
    }
    need
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Block, Expr, Stmt};
    use crate::policy::Policy;

    /// The oracle for [`FnDef::sites`](crate::ir::FnDef::sites): the
    /// sites of a body as a walk of the lowered body finds them. Calls of
    /// paths are found once, as calls (their callee is not walked again).
    fn walk_block(b: &Block, out: &mut Vec<Site>) {
        for s in &b.stmts {
            match s {
                Stmt::Let(l) => {
                    let crate::ir::Local { init, els, .. } = &**l;
                    if let Some(e) = init {
                        walk(e, out);
                    }
                    if let Some(b) = els {
                        walk_block(b, out);
                    }
                }
                Stmt::Expr(e) => walk(e, out),
            }
        }
    }

    fn walk(e: &Expr, out: &mut Vec<Site>) {
        match e {
            Expr::Path { segs, .. } => out.push(Site::Path(segs.clone())),
            Expr::Call { callee_args, .. } => {
                let Some((callee, args)) = callee_args.split_first() else {
                    return;
                };
                match callee {
                    Expr::Path { segs, .. } => out.push(Site::CallPath(segs.clone())),
                    other => walk(other, out),
                }
                args.iter().for_each(|a| walk(a, out));
            }
            Expr::Method {
                name, recv_args, ..
            } => {
                out.push(Site::Method(*name, recv_args.len() as u32));
                recv_args.iter().for_each(|a| walk(a, out));
            }
            Expr::Lit(_) | Expr::Continue { .. } => {}
            Expr::Field { base, .. } | Expr::Not(base) | Expr::Pass(base) | Expr::Await(base) => {
                walk(base, out)
            }
            Expr::Cast { expr, .. } | Expr::Try { expr, .. } | Expr::Let { expr, .. } => {
                walk(expr, out)
            }
            Expr::Index { base, index } => {
                walk(base, out);
                walk(index, out);
            }
            Expr::Binary { lhs, rhs, .. } | Expr::Assign { lhs, rhs, .. } => {
                walk(lhs, out);
                walk(rhs, out);
            }
            Expr::If { cond, then, els } => {
                walk(cond, out);
                walk_block(then, out);
                if let Some(e) = els {
                    walk(e, out);
                }
            }
            Expr::Match { scrut, arms } => {
                walk(scrut, out);
                for a in arms {
                    if let Some(g) = &a.guard {
                        walk(g, out);
                    }
                    walk(&a.body, out);
                }
            }
            Expr::Block(b) | Expr::Loop { body: b, .. } => walk_block(b, out),
            Expr::While { cond, body, .. } => {
                walk(cond, out);
                walk_block(body, out);
            }
            Expr::For(f) => {
                walk(&f.iter, out);
                walk_block(&f.body, out);
            }
            Expr::Break { value, .. } | Expr::Return { value, .. } => {
                if let Some(v) = value {
                    walk(v, out);
                }
            }
            Expr::Closure { body, .. } => walk(body, out),
            Expr::Struct(s) => {
                s.fields.iter().for_each(|(_, f)| walk(f, out));
                if let Some(r) = &s.rest {
                    walk(r, out);
                }
            }
            Expr::Macro { args, .. } => args.iter().for_each(|a| walk(a, out)),
            Expr::Tuple(args) | Expr::Array(args) | Expr::Opaque(args) | Expr::Diverge(args) => {
                args.iter().for_each(|a| walk(a, out))
            }
        }
    }

    const SRC: &str = r#"
#[datagate::sink(to = facebook, purpose = advertising)]
pub fn upload(_s: String) {}

pub trait Uplink {
    #[datagate::sink(to = facebook, purpose = analytics)]
    fn send(&self, p: &str);
}
pub struct Http;
impl Uplink for Http {
    fn send(&self, p: &str) { let _ = helper_of_impl(p); }
}
fn helper_of_impl(p: &str) -> usize { p.len() }

fn as_value(x: String) -> String { x }
fn normalize(x: &str) -> String { x.to_string() }
pub struct Row;
impl Row {
    fn heavier(self) -> Self { self }
    fn label(&self) -> String { String::new() }
}
pub fn share(xs: Vec<String>, r: Row) {
    let ys: Vec<String> = xs.into_iter().map(as_value).collect();
    let _ = r.label();
    upload(normalize(&ys[0]));
}
pub fn through_method(h: &dyn Uplink) { h.send("x"); }
pub fn through_impl_path(h: &Http) { Http::send(h, "x"); }
pub fn caller_of_caller() { through_impl_path(&Http); }

fn unrelated(a: u32) -> u32 { twice(a) }
fn twice(a: u32) -> u32 { a * 2 }
fn heavier_user(r: Row) -> Row { r.heavier() }
fn external(x: String) { sdk::track(x) }
"#;

    /// Lowering records a body's sites as it goes; a walk of the lowered
    /// body must find the same ones, in every function of every fixture,
    /// example and source file of this repository that parses.
    #[test]
    fn lowering_records_every_site_a_walk_finds() {
        crate::testing::on_tool_stack(sites_match_walk);
    }

    fn sites_match_walk() {
        let mut checked = 0;
        for (path, text) in crate::testing::repository_sources() {
            let Ok(file) = syn::parse_file(&text) else {
                continue;
            };
            let ir = crate::lower::lower_file(&file, 0);
            crate::ir::each_fn(&ir.items, &mut |f| {
                let mut walked = Vec::new();
                if let Some(b) = &f.body {
                    walk_block(b, &mut walked);
                }
                let mut recorded = f.sites.to_vec();
                walked.sort();
                recorded.sort();
                assert_eq!(recorded, walked, "{}: fn {}", path.display(), f.name);
                checked += recorded.len();
            });
        }
        assert!(checked > 10_000, "only {checked} sites checked");
    }

    /// Which functions of `SRC` are demanded under a policy.
    fn demanded_names(policy: &Policy) -> Vec<(String, bool)> {
        let tag = format!("demand-{}", policy.sinks.len());
        let parsed = crate::testing::parse_lib(&tag, SRC);
        let ix = Index::build(&parsed);
        let mut cats = crate::cats::CatTable::new(policy);
        let specs = Specs::build(&ix, policy, &mut cats, &parsed.files);
        let calls = syntactic_calls(&ix);
        let need = demanded(&ix, &specs, &calls);
        let mut out: Vec<(String, bool)> = (0..ix.fns.len())
            .map(|f| (ix.fn_path(f), need[f]))
            .collect();
        out.sort();
        out
    }

    fn check(policy: &Policy, yes: &[&str]) {
        for (path, needed) in demanded_names(policy) {
            let name = path.rsplit("::").next().unwrap_or(&path).to_string();
            let want = yes.contains(&name.as_str());
            assert_eq!(needed, want, "`{path}` demanded: {needed}, expected {want}");
        }
    }

    const DEMANDED: &[&str] = &[
        "upload",
        "send",
        "helper_of_impl",
        "as_value",
        "normalize",
        "label",
        "share",
        "through_method",
        "through_impl_path",
        "caller_of_caller",
    ];

    #[test]
    fn only_what_reaches_a_sink_or_is_called_from_there() {
        check(&Policy::default(), DEMANDED);
    }

    #[test]
    fn calls_of_a_policy_sink_are_demanded_by_last_segment() {
        let policy = crate::policy::load_str(
            "datagate.toml",
            "[recipients]\nfacebook = { company = \"Meta Platforms, Inc.\" }\n\n\
             [[sinks]]\npath = \"sdk::track\"\nto = \"facebook\"\npurpose = \"advertising\"\n",
        )
        .unwrap();
        let mut yes = DEMANDED.to_vec();
        yes.push("external");
        check(&policy, &yes);
    }
}
