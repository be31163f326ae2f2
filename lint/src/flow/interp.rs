//! The per-function abstract interpreter.
//!
//! It walks a function body once (loops until their state is stable, at
//! most three times), tracking for every local what it carries and which
//! consents hold on the current path. A state is a set of variables plus the
//! grants known to have said yes; at a join the variables' data is merged and
//! only the grants holding on *every* incoming path survive, which is how
//! control dependence decides guards: `if check { sink }`, `if !check {
//! return }`, `check()?`, `let Some(_) = check() else { return }` all leave
//! the grant in the state that reaches the sink, while `else` branches,
//! ignored results, `||` and checks after the sink do not.

use super::std_model::{self, Kind};
use super::value::*;
use crate::annotations::{GrantId, Shape, SinkSpec, Specs};
use crate::cats::{CatSet, CatTable};
use crate::index::{AdtId, FnId, FnInfo, Index, Owner, Res, Ty};
use crate::ir::{Arm, BinOp, Block, Expr, Lit, Pat, SiteId, Span, Stmt, Sym, TyRef};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

/// Work budget per function (expression evaluations) before loops stop
/// iterating and closures stop being re-entered: keeps analysis linear.
const BUDGET: u64 = 200_000;

/// A method call on a receiver of unknown type resolves by name to at most
/// this many workspace methods; past it only those that matter are kept.
const MAX_NAME_TARGETS: usize = 16;

/// A flow of a category into a sink, found in one function. Whether it is a
/// finding depends on the consents that hold on the way into the function.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub func: FnId,
    pub cat: crate::cats::CatId,
    pub sink: Arc<SinkSpec>,
    pub recipient: Arc<str>,
    pub purpose: Arc<str>,
    pub facts: Facts,
    pub span: Span,
    pub snippet: Arc<str>,
    pub trace: Vec<HopRef>,
}

/// A call from the analysed function, with the consents holding there.
#[derive(Debug, Clone)]
pub struct Edge {
    pub callee: FnId,
    pub facts: Facts,
}

/// What analysing one function produced.
#[derive(Debug, Default)]
pub struct FnResult {
    pub summary: Summary,
    pub candidates: Vec<Candidate>,
    pub edges: Vec<Edge>,
}

/// Read-only context shared by every function's analysis.
pub struct Ctx<'a, 'p> {
    pub ix: &'a Index<'p>,
    pub specs: &'a Specs,
    pub cats: &'a CatTable,
    pub summaries: &'a super::Summaries,
    pub files: &'a [crate::parse::SourceFile],
    /// Each function body's calls, with the resolutions of its paths (each
    /// path belongs to one function, so its module and `Self` are fixed):
    /// the analysis does not resolve them again.
    pub calls: &'a [super::calls::Calls<'p>],
}

#[derive(Debug, Clone)]
struct State<'p> {
    /// By name (a [`Sym`]: compared by address); the last one wins.
    vars: Vec<(Sym, Val<'p>)>,
    facts: Facts,
    live: bool,
}

impl<'p> State<'p> {
    fn dead() -> Self {
        State {
            vars: Vec::new(),
            facts: Facts::default(),
            live: false,
        }
    }

    fn get(&self, name: Sym) -> Option<&Val<'p>> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    fn get_mut(&mut self, name: Sym) -> Option<&mut Val<'p>> {
        self.vars
            .iter_mut()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    fn join(a: State<'p>, b: State<'p>) -> State<'p> {
        if !a.live {
            return b;
        }
        if !b.live {
            return a;
        }
        let facts = a.facts.intersect(&b.facts);
        // Moved, not copied, where the join keeps the left value (most
        // variables are the same on both sides).
        let vars = a
            .vars
            .into_iter()
            .zip(b.vars)
            .map(|((name, x), (_, y))| (name, x.join_into(&y)))
            .collect();
        State {
            vars,
            facts,
            live: true,
        }
    }

    fn same(&self, o: &State<'p>) -> bool {
        self.live == o.live
            && self.facts == o.facts
            && self.vars.len() == o.vars.len()
            && self
                .vars
                .iter()
                .zip(&o.vars)
                .all(|((_, a), (_, b))| same_val(a, b))
    }
}

fn same_val(a: &Val<'_>, b: &Val<'_>) -> bool {
    a.taint.same_labels(&b.taint)
        && a.guard == b.guard
        && match (&a.fields, &b.fields) {
            (None, None) => true,
            (Some(x), Some(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y.iter())
                        .all(|((k1, v1), (k2, v2))| k1 == k2 && same_val(v1, v2))
            }
            _ => false,
        }
}

/// The expressions of a call's arguments (by position, the receiver first),
/// where they are known: writes into `&mut` arguments go to their places.
#[derive(Clone, Copy)]
enum ArgExprs<'p> {
    /// A function value called: no expressions.
    None,
    Args(&'p [Expr]),
    /// A method call: the receiver, then the arguments.
    Method(&'p Expr, &'p [Expr]),
}

impl<'p> ArgExprs<'p> {
    fn get(self, i: usize) -> Option<&'p Expr> {
        match self {
            ArgExprs::None => None,
            ArgExprs::Args(args) => args.get(i),
            ArgExprs::Method(recv, _) if i == 0 => Some(recv),
            ArgExprs::Method(_, args) => args.get(i - 1),
        }
    }
}

struct LoopCtx<'p> {
    label: Option<&'p str>,
    breaks: Vec<State<'p>>,
    continues: Vec<State<'p>>,
    values: Vec<Val<'p>>,
}

struct Interp<'a, 'p> {
    cx: &'a Ctx<'a, 'p>,
    fid: FnId,
    info: &'a FnInfo<'p>,
    file: usize,
    self_ty: Option<Ty>,
    out: FnResult,
    /// Return values of the function and of the closures being run.
    frames: Vec<Vec<Val<'p>>>,
    loops: Vec<LoopCtx<'p>>,
    /// `&mut` parameters: (argument index, variable name).
    mut_params: Vec<(u8, Sym)>,
    writes: BTreeMap<u8, Val<'p>>,
    steps: u64,
    closure_depth: u32,
    /// `let r = &mut x;`: writes through `r` reach `x` (flow-insensitive).
    aliases: Vec<(Sym, Sym)>,
}

/// Analyse one function with the current summaries of its callees.
pub fn analyze_fn(cx: &Ctx<'_, '_>, fid: FnId) -> FnResult {
    let info = &cx.ix.fns[fid];
    let Some(body) = &info.def.body else {
        return FnResult::default();
    };
    let mut it = Interp {
        cx,
        fid,
        info,
        file: cx.ix.modules[info.module].file,
        self_ty: info.self_ty.clone(),
        out: FnResult::default(),
        frames: vec![Vec::new()],
        loops: Vec::new(),
        mut_params: Vec::new(),
        writes: BTreeMap::new(),
        steps: 0,
        closure_depth: 0,
        aliases: Vec::new(),
    };
    let mut st = State {
        vars: Vec::new(),
        facts: Facts::default(),
        live: true,
    };
    let def = info.def;
    let mut idx: u8 = 0;
    if let Some(kind) = def.receiver {
        let v = Val {
            taint: param_taint(0),
            ty: it.self_ty.clone().unwrap_or(Ty::Unknown),
            ..Default::default()
        };
        let this = Sym::new("self");
        st.vars.push((this, v));
        if kind == crate::ir::SelfKind::RefMut {
            it.mut_params.push((0, this));
        }
        idx = 1;
    }
    for (p, ty) in def.params.iter().zip(&cx.ix.sig(fid).params) {
        let ty = ty.clone();
        let v = Val {
            taint: param_taint(idx),
            ty,
            ..Default::default()
        };
        if p.by_mut_ref {
            if let Pat::Bind { name, .. } = &p.pat {
                it.mut_params.push((idx, *name));
            }
        }
        it.bind(&p.pat, v, &mut st);
        idx = idx.saturating_add(1);
    }
    let tail = it.block(body, &mut st);
    if st.live {
        it.ret(tail, &st);
    }
    let rets = it.frames.pop().unwrap_or_default();
    let ret = Val::join_all(&rets);
    let spec = &cx.specs.fns[fid];
    let mut summary = Summary {
        ret: SumVal::from_val(&ret, 0),
        ret_cond: if spec.check.is_none() {
            ret.cond.as_deref().cloned()
        } else {
            None
        },
        effects: std::mem::take(&mut it.out.summary.effects),
        writes: it
            .writes
            .iter()
            .map(|(i, v)| {
                let mut s = SumVal::from_val(v, 0);
                s.taint
                    .retain(|(l, _)| !matches!(l, SumLabel::Param(j, p) if j == i && p.is_empty()));
                (*i, s)
            })
            .filter(|(_, s)| s.has_labels())
            .collect(),
    };
    summary.effects.sort_by(Effect::cmp_key);
    summary.effects.dedup_by(|a, b| a.same_key(b));
    let mut out = it.out;
    out.summary = summary;
    out.edges
        .sort_by(|a, b| (a.callee, &a.facts).cmp(&(b.callee, &b.facts)));
    out.edges
        .dedup_by(|a, b| a.callee == b.callee && a.facts == b.facts);
    // Kept for the rest of the run, for every function analysed: without
    // the slack of growing (a quarter of the flows' memory at 1M lines).
    out.edges.shrink_to_fit();
    out.candidates.shrink_to_fit();
    out.summary.effects.shrink_to_fit();
    out
}

fn param_taint(i: u8) -> Taint {
    // The empty field path, shared: an `Rc` of nothing still allocates.
    // (A plain comment: a doc comment inside a macro in a function body
    // lowers to a `doc = ".."` piece, which the doc-stripping parse drops.)
    thread_local! {
        static WHOLE_PARAM: Rc<[Sym]> = Rc::from(Vec::<Sym>::new());
    }
    Taint(vec![(
        Label::Param(i, WHOLE_PARAM.with(Rc::clone)),
        Trace::default(),
    )])
}

/// `{callee}(..)`, the snippet of a call's candidates (what `format!` gives,
/// for a fraction of its cost).
fn snippet_of(callee: &str) -> Arc<str> {
    let mut s = String::with_capacity(callee.len() + 4);
    s.push_str(callee);
    s.push_str("(..)");
    Arc::from(s)
}

/// The name of tuple field `i` (`"0"`, `"1"`, ...), interned once for the
/// small indices tuples have.
fn index_sym(i: usize) -> Sym {
    static SMALL: std::sync::OnceLock<Vec<Sym>> = std::sync::OnceLock::new();
    let small = SMALL.get_or_init(|| (0..16).map(|i| Sym::from(i.to_string())).collect());
    small
        .get(i)
        .copied()
        .unwrap_or_else(|| Sym::from(i.to_string()))
}

fn mark_whole(t: &Taint) -> Taint {
    let mut out = Taint::default();
    for (l, tr) in &t.0 {
        let l = match l {
            Label::Param(i, p) if p.last().is_none_or(|x| &**x != WHOLE) => Label::Param(
                *i,
                p.iter()
                    .copied()
                    .chain(std::iter::once(Sym::new(WHOLE)))
                    .collect(),
            ),
            other => other.clone(),
        };
        out.add(l, tr.clone());
    }
    out
}

/// Where a pattern binds its first variable.
fn pat_span(p: &Pat) -> Option<Span> {
    match p {
        Pat::Bind { span, .. } => Some(*span),
        Pat::Tuple(ps) | Pat::Or(ps) | Pat::Other(ps) | Pat::TupleStruct { elems: ps, .. } => {
            ps.iter().find_map(pat_span)
        }
        Pat::Struct { fields, .. } => fields.iter().find_map(|(_, p)| pat_span(p)),
        _ => None,
    }
}

fn trace_of(hops: &[HopRef]) -> Trace {
    let mut t = Trace::default();
    for h in hops {
        t = t.push(h.clone());
    }
    t
}

impl<'a, 'p> Interp<'a, 'p> {
    fn hop(&self, span: Span, note: impl Into<Note>) -> HopRef {
        HopRef {
            file: self.file,
            span,
            note: note.into(),
        }
    }

    fn resolve_ty(&self, t: &TyRef) -> Ty {
        self.cx.ix.resolve_ty_in(self.fid, t)
    }

    fn resolve(&self, segs: &[Sym]) -> Res<'p> {
        self.cx
            .ix
            .resolve_path(self.info.module, segs, self.self_ty.as_ref())
    }

    /// A path expression: as [`syntactic_calls`](super::calls::syntactic_calls)
    /// resolved its site, if it did.
    fn resolve_site(&self, site: SiteId, segs: &[Sym]) -> Res<'p> {
        match self.cx.calls.get(self.fid).and_then(|c| c.resolved(site)) {
            Some(r) => r.clone(),
            None => self.resolve(segs),
        }
    }

    fn ret(&mut self, v: Val<'p>, st: &State<'p>) {
        if self.frames.len() == 1 {
            for &(i, name) in &self.mut_params {
                if let Some(pv) = st.get(name) {
                    let e = self.writes.entry(i).or_default();
                    *e = e.join(pv);
                }
            }
        }
        if let Some(f) = self.frames.last_mut() {
            f.push(v);
        }
    }

    // -----------------------------------------------------------------------
    // Data of whole values

    /// Every label a value carries when used whole: its own, its fields' and
    /// the categories its type implies.
    fn whole(&self, v: &Val<'p>, at: Span) -> Taint {
        let mut t = v.taint.clone();
        if let Some(f) = &v.fields {
            for fv in f.values() {
                t.union(&self.whole(fv, at));
            }
        }
        self.implied(&v.ty, at, &mut t, 0);
        t
    }

    fn implied(&self, ty: &Ty, at: Span, out: &mut Taint, depth: u32) {
        if depth > 6 {
            return;
        }
        match ty {
            Ty::Adt(a, args) => {
                for (c, o) in &self.cx.specs.adt_cats[*a] {
                    if !out.labels().any(|l| *l == Label::Cat(*c)) {
                        out.add(
                            Label::Cat(*c),
                            Trace::start(HopRef {
                                file: o.file,
                                span: o.span,
                                note: o.note.clone().into(),
                            }),
                        );
                    }
                }
                args.iter()
                    .for_each(|x| self.implied(x, at, out, depth + 1));
            }
            Ty::Ext(p, args) => {
                if let Some(set) = self.cx.specs.ext_sources.get(&**p) {
                    for c in set.iter() {
                        out.add(
                            Label::Cat(c),
                            Trace::start(
                                self.hop(at, format!("a value of `{p}` (a policy source)")),
                            ),
                        );
                    }
                }
                args.iter()
                    .for_each(|x| self.implied(x, at, out, depth + 1));
            }
            Ty::Tuple(v) => v.iter().for_each(|x| self.implied(x, at, out, depth + 1)),
            Ty::Slice(x) | Ty::Iter(x) => self.implied(x, at, out, depth + 1),
            Ty::Dyn(_) | Ty::Unknown => {}
        }
    }

    /// The categories [`Interp::implied`] gives a type, without making
    /// their traces (the same walk).
    fn implied_set(&self, ty: &Ty) -> CatSet {
        let mut s = CatSet::default();
        self.implied_cats(ty, &mut s, 0);
        s
    }

    fn implied_cats(&self, ty: &Ty, out: &mut CatSet, depth: u32) {
        if depth > 6 {
            return;
        }
        match ty {
            Ty::Adt(a, args) => {
                for (c, _) in &self.cx.specs.adt_cats[*a] {
                    out.insert(*c);
                }
                args.iter()
                    .for_each(|x| self.implied_cats(x, out, depth + 1));
            }
            Ty::Ext(p, args) => {
                if let Some(set) = self.cx.specs.ext_sources.get(&**p) {
                    *out = out.union(*set);
                }
                args.iter()
                    .for_each(|x| self.implied_cats(x, out, depth + 1));
            }
            Ty::Tuple(v) => v.iter().for_each(|x| self.implied_cats(x, out, depth + 1)),
            Ty::Slice(x) | Ty::Iter(x) => self.implied_cats(x, out, depth + 1),
            Ty::Dyn(_) | Ty::Unknown => {}
        }
    }

    /// A value made of `parts` (`format!`, an unknown call): the union of
    /// their whole data.
    fn combine<'v>(&self, parts: impl IntoIterator<Item = &'v Val<'p>>, at: Span, ty: Ty) -> Val<'p>
    where
        'p: 'v,
    {
        let mut out = Val::typed(ty);
        let mut guard: Option<Facts> = None;
        for p in parts {
            let w = self.whole(p, at);
            if !w.is_empty() {
                guard = Some(match guard {
                    None => p.guard.clone(),
                    Some(g) => g.intersect(&p.guard),
                });
            }
            out.taint.union(&w);
        }
        out.guard = guard.unwrap_or_default();
        out.taint = mark_whole(&out.taint);
        out
    }

    // -----------------------------------------------------------------------
    // Fields

    fn project(&self, v: &Val<'p>, field: Sym, variant: Option<&str>, at: Span) -> Val<'p> {
        if let Some(f) = v.fields.as_ref().and_then(|m| m.get(&field)) {
            // The field's own value, plus whatever the whole value carries by
            // flow (a source's return built as a struct literal).
            if v.taint.is_empty() {
                return f.clone();
            }
            let mut out = f.clone();
            let mut base = v.clone();
            base.fields = None;
            let labels = self.project(&base, field, variant, at).taint;
            out.taint.union(&labels);
            return out;
        }
        let mut out = Val {
            guard: v.guard.clone(),
            ..Default::default()
        };
        for (l, t) in &v.taint.0 {
            match l {
                Label::Cat(_) => out.taint.add(l.clone(), t.clone()),
                Label::Param(_, p) if p.last().is_some_and(|x| &**x == WHOLE) => {
                    out.taint.add(l.clone(), t.clone())
                }
                Label::Param(i, p) => {
                    let np: Rc<[Sym]> = if p.len() < MAX_PATH {
                        p.iter().copied().chain(std::iter::once(field)).collect()
                    } else {
                        p.clone()
                    };
                    out.taint.add(Label::Param(*i, np), t.clone());
                }
            }
        }
        let ix = self.cx.ix;
        match &v.ty {
            Ty::Adt(a, args) => {
                out.ty = ix.field_ty(*a, variant, field, args);
                self.field_facts(*a, variant, field, at, &mut out);
            }
            Ty::Tuple(ts) => {
                if let Some(t) = field.parse::<usize>().ok().and_then(|i| ts.get(i)) {
                    out.ty = t.clone();
                }
            }
            Ty::Ext(p, _) => {
                // Every field of a policy source type carries its categories.
                if let Some(set) = self.cx.specs.ext_sources.get(&**p) {
                    for c in set.iter() {
                        out.taint.add(
                            Label::Cat(c),
                            Trace::start(
                                self.hop(at, format!("`.{field}` of `{p}` (a policy source)")),
                            ),
                        );
                    }
                }
            }
            Ty::Unknown => {
                // A field of a value of unknown type: use the field's meaning
                // when every workspace type with a field of that name agrees.
                if let Some(&(first, unique)) = self.cx.specs.field_by_name.get(&field) {
                    self.field_facts(first, None, field, at, &mut out);
                    if unique {
                        out.ty = ix.field_ty(first, None, field, &[]);
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// The categories and consent meaning of a field of a workspace type.
    fn field_facts(
        &self,
        a: AdtId,
        variant: Option<&str>,
        field: Sym,
        at: Span,
        out: &mut Val<'p>,
    ) {
        let ix = self.cx.ix;
        let Some(f) = ix.field(a, variant, field) else {
            return;
        };
        let adt = &ix.adts[a];
        // A field of a container-marked type is part of such a value.
        let cats = self
            .cx
            .specs
            .field_cats(f)
            .union(self.cx.specs.container_cats(a));
        if !cats.is_empty() {
            let origin = HopRef {
                file: adt.file(ix),
                span: f.span,
                note: Note::Field(adt.name, f.name),
            };
            // One trace for every category: traces are immutable, and the
            // same hops were made for each.
            let t = Trace::start(origin).push(self.hop(at, Note::Read(field)));
            for c in cats.iter() {
                out.taint.add(Label::Cat(c), t.clone());
            }
        }
        if let Some(&g) = self.cx.specs.consent_fields.get(&(a, field)) {
            out.cond = Some(Rc::new(Cond::yes(&Facts::one(g), Shape::Bool)));
        }
    }

    fn project_path(&self, v: &Val<'p>, path: &[Sym], at: Span) -> Val<'p> {
        let mut fields = path.iter().filter(|f| &***f != WHOLE);
        // The first projection reads `v` itself: no copy of it first.
        let Some(first) = fields.next() else {
            return v.clone();
        };
        let mut cur = self.project(v, *first, None, at);
        for f in fields {
            cur = self.project(&cur, *f, None, at);
        }
        cur
    }

    // -----------------------------------------------------------------------
    // Places (for writes)

    fn place(e: &'p Expr) -> Option<(Sym, Vec<Sym>)> {
        match e {
            Expr::Path { segs, .. } if segs.len() == 1 => Some((segs[0], Vec::new())),
            Expr::Field { base, name, .. } => {
                let (v, mut p) = Self::place(base)?;
                p.push(*name);
                Some((v, p))
            }
            Expr::Pass(e) | Expr::Index { base: e, .. } => Self::place(e),
            Expr::Method {
                recv_args, name, ..
            } if matches!(
                name.as_str(),
                "as_mut"
                    | "borrow_mut"
                    | "lock"
                    | "write"
                    | "get_mut"
                    | "unwrap"
                    | "expect"
                    | "entry"
                    | "or_default"
                    | "iter_mut"
                    | "deref_mut"
            ) =>
            {
                Self::place(recv_args.first()?)
            }
            _ => None,
        }
    }

    /// Write `v` into a place; `strong` replaces (a plain assignment to a
    /// local or a field path), otherwise the data is added.
    fn write(&mut self, st: &mut State<'p>, var: Sym, path: &[Sym], v: Val<'p>, strong: bool) {
        let targets: Vec<Sym> = self
            .aliases
            .iter()
            .filter(|(r, _)| *r == var)
            .map(|(_, t)| *t)
            .collect();
        for t in targets {
            if t != var {
                self.write_one(st, t, path, v.clone(), false);
            }
        }
        self.write_one(st, var, path, v, strong);
    }

    fn write_one(&mut self, st: &mut State<'p>, var: Sym, path: &[Sym], v: Val<'p>, strong: bool) {
        let Some(cur) = st.get(var).cloned() else {
            return;
        };
        let nv = self.write_into(&cur, path, v, strong);
        if let Some(slot) = st.get_mut(var) {
            *slot = nv;
        }
    }

    fn write_into(&self, cur: &Val<'p>, path: &[Sym], v: Val<'p>, strong: bool) -> Val<'p> {
        match path.split_first() {
            None => {
                if strong {
                    let mut nv = v;
                    if !nv.ty.is_known() {
                        nv.ty = cur.ty.clone();
                    }
                    nv
                } else {
                    let mut nv = cur.join(&v);
                    nv.cond = None;
                    nv
                }
            }
            Some((&f, rest)) => {
                let old = self.project(cur, f, None, Span::default());
                let newf = self.write_into(&old, rest, v, strong);
                let mut m = cur.fields.as_deref().cloned().unwrap_or_default();
                m.insert(f, newf);
                let mut out = cur.clone();
                out.fields = Some(Rc::new(m));
                out
            }
        }
    }

    // -----------------------------------------------------------------------
    // Statements and blocks

    fn block(&mut self, b: &'p Block, st: &mut State<'p>) -> Val<'p> {
        let mark = st.vars.len();
        let mut last = Val::default();
        for s in &b.stmts {
            if !st.live {
                break;
            }
            last = match s {
                Stmt::Let(local) => {
                    let crate::ir::Local {
                        pat, ty, init, els, ..
                    } = &**local;
                    if let (Pat::Bind { name, .. }, Some(Expr::Pass(inner))) = (pat, init) {
                        if let Some((target, _)) = Self::place(inner) {
                            self.aliases.push((*name, target));
                        }
                    }
                    let mut v = match init {
                        Some(e) => self.eval(e, st),
                        None => Val::default(),
                    };
                    if let Some(t) = ty {
                        let rt = self.resolve_ty(t);
                        if rt.is_known() {
                            v.ty = rt;
                        }
                    }
                    match els {
                        None => self.bind(pat, v, st),
                        Some(eb) => {
                            let mut nomatch = st.clone();
                            self.bind(pat, v, st);
                            let lenm = nomatch.vars.len();
                            self.block(eb, &mut nomatch);
                            nomatch.vars.truncate(lenm);
                            if nomatch.live {
                                // The else block fell through (not Rust, but be safe).
                                let joined = State::join(st.clone(), nomatch);
                                st.facts = joined.facts;
                            }
                        }
                    }
                    Val::default()
                }
                Stmt::Expr(e) => self.eval(e, st),
            };
        }
        st.vars.truncate(mark.min(st.vars.len()));
        last
    }

    /// Bind a pattern to a value (in the state), applying what matching it
    /// says about consent (`Some(_)` of a consent `Option`, `true`, ...).
    fn bind(&mut self, pat: &'p Pat, v: Val<'p>, st: &mut State<'p>) {
        if let Some(c) = v.cond.clone() {
            if let Some(f) = Self::pattern_consent(pat, &c) {
                st.facts = st.facts.union(&f);
            }
        }
        match pat {
            Pat::Bind { name, sub, .. } => {
                if let Some(s) = sub {
                    self.bind(s, v.clone(), st);
                }
                st.vars.push((*name, v));
            }
            Pat::Tuple(ps) => {
                for (i, p) in ps.iter().enumerate() {
                    let fv = self.project(&v, index_sym(i), None, Span::default());
                    self.bind(p, fv, st);
                }
            }
            Pat::TupleStruct { path, elems } => match self.resolve(path) {
                Res::Variant(_, var) => {
                    for (i, p) in elems.iter().enumerate() {
                        let fv = self.project(&v, index_sym(i), Some(&var), Span::default());
                        self.bind(p, fv, st);
                    }
                }
                Res::Adt(_) => {
                    for (i, p) in elems.iter().enumerate() {
                        let fv = self.project(&v, index_sym(i), None, Span::default());
                        self.bind(p, fv, st);
                    }
                }
                _ => {
                    // `Some(x)`, `Ok(x)`, `Err(e)`, an external tuple struct: the
                    // inner value, with whatever the outer type implied (a policy
                    // source such as `ConnectInfo(addr)`).
                    let mut inner = v.data();
                    inner.taint = v.flatten();
                    if let Ty::Ext(p, _) = &v.ty {
                        if self.cx.specs.ext_sources.contains_key(&**p) {
                            inner.taint =
                                self.whole(&v, elems.iter().find_map(pat_span).unwrap_or_default());
                        }
                    }
                    inner.fields = None;
                    inner.ty = match &v.ty {
                        // The wrapper was already looked through (`find` gives the element).
                        Ty::Adt(..) | Ty::Dyn(_) => v.ty.clone(),
                        _ => v.ty.elem(),
                    };
                    if let Some(c) = &v.cond {
                        if c.shape == Shape::WrappedBool {
                            inner.cond = Some(Rc::new(Cond {
                                shape: Shape::Bool,
                                ..(**c).clone()
                            }));
                        }
                    }
                    for p in elems {
                        self.bind(p, inner.clone(), st);
                    }
                }
            },
            Pat::Struct { path, fields } => {
                let variant = match self.resolve(path) {
                    Res::Variant(_, var) => Some(var),
                    _ => None,
                };
                for (name, p) in fields {
                    let fv = self.project(&v, *name, variant.as_deref(), Span::default());
                    self.bind(p, fv, st);
                }
            }
            Pat::Or(alts) => {
                if let Some(first) = alts.first() {
                    self.bind(first, v, st);
                }
            }
            Pat::Other(ps) => {
                let mut e = v.data();
                e.ty = v.ty.elem();
                for p in ps {
                    self.bind(p, e.clone(), st);
                }
            }
            Pat::Wild | Pat::Rest | Pat::Lit(_) | Pat::Path(_) => {}
        }
    }

    /// The consent established by matching `pat` against a consent value.
    fn pattern_consent(pat: &Pat, c: &Cond) -> Option<Facts> {
        let is_yes_wrapper = |path: &[Sym]| path.last().is_some_and(|s| s == "Some" || s == "Ok");
        match (c.shape, pat) {
            (Shape::Bool, Pat::Lit(Lit::Bool(true))) => Some(c.on_true.clone()),
            (Shape::Bool, Pat::Lit(Lit::Bool(false))) => Some(c.on_false.clone()),
            (Shape::WrappedBool, Pat::TupleStruct { path, elems }) if is_yes_wrapper(path) => {
                match elems.as_slice() {
                    [Pat::Lit(Lit::Bool(true))] => Some(c.on_true.clone()),
                    _ => None,
                }
            }
            (Shape::Wrapped, Pat::TupleStruct { path, .. }) if is_yes_wrapper(path) => {
                Some(c.on_true.clone())
            }
            (Shape::Wrapped, Pat::Struct { path, .. }) if is_yes_wrapper(path) => {
                Some(c.on_true.clone())
            }
            _ => None,
        }
    }

    // -----------------------------------------------------------------------
    // Conditions

    /// Split the state on a condition: (where it holds, where it does not).
    fn branch(&mut self, e: &'p Expr, st: State<'p>) -> (State<'p>, State<'p>) {
        match e {
            Expr::Not(x) => {
                let (t, f) = self.branch(x, st);
                (f, t)
            }
            Expr::Pass(x) => self.branch(x, st),
            Expr::Binary {
                op: BinOp::And,
                lhs,
                rhs,
            } => {
                let (ta, fa) = self.branch(lhs, st);
                let (tb, fb) = self.branch(rhs, ta);
                (tb, State::join(fa, fb))
            }
            Expr::Binary {
                op: BinOp::Or,
                lhs,
                rhs,
            } => {
                let (ta, fa) = self.branch(lhs, st);
                let (tb, fb) = self.branch(rhs, fa);
                (State::join(ta, tb), fb)
            }
            Expr::Let { pat, expr } => {
                let mut st = st;
                let v = self.eval(expr, &mut st);
                let f = st.clone();
                let mut t = st;
                self.bind(pat, v, &mut t);
                (t, f)
            }
            _ => {
                let mut st = st;
                let v = self.eval(e, &mut st);
                let mut t = st.clone();
                let mut f = st;
                if let Some(c) = &v.cond {
                    if c.shape == Shape::Bool {
                        t.facts = t.facts.union(&c.on_true);
                        f.facts = f.facts.union(&c.on_false);
                    }
                }
                (t, f)
            }
        }
    }

    // -----------------------------------------------------------------------
    // Expressions

    fn eval(&mut self, e: &'p Expr, st: &mut State<'p>) -> Val<'p> {
        self.steps += 1;
        if !st.live {
            return Val::default();
        }
        match e {
            Expr::Lit(_) => Val::default(),
            Expr::Path { segs, span, site } => self.path_value(segs, *site, *span, st),
            Expr::Field { base, name, span } => {
                // A field of a local: projected from the variable's value in
                // place, not from a copy of it (what evaluating the path
                // would return), counting the path's evaluation all the same.
                if let Expr::Path { segs, .. } = &**base {
                    if let [var] = &segs[..] {
                        if let Some(v) = st.get(*var) {
                            self.steps += 1;
                            return self.project(v, *name, None, *span);
                        }
                    }
                }
                let b = self.eval(base, st);
                self.project(&b, *name, None, *span)
            }
            Expr::Index { base, index } => {
                let b = self.eval(base, st);
                self.eval(index, st);
                let mut out = b.data();
                out.fields = None;
                out.ty = b.ty.elem();
                if let Some(f) = &b.fields {
                    for fv in f.values() {
                        out = out.join(fv);
                    }
                }
                out
            }
            Expr::Call { callee_args, span } => match callee_args.split_first() {
                Some((callee, args)) => self.call(callee, args, *span, st),
                None => Val::default(),
            },
            Expr::Method {
                name,
                recv_args,
                span,
            } => match &**recv_args {
                [recv, args @ ..] => self.method(recv, *name, args, *span, st),
                [] => Val::default(),
            },
            Expr::Macro { name, args, span } => {
                let vals: Vec<Val<'p>> = args.iter().map(|a| self.eval(a, st)).collect();
                if std_model::pure_macro(name) {
                    return Val::default();
                }
                // `vec![a, b]` is a collection of its elements, which keep their type.
                if name == "vec" {
                    return Self::array_of(&vals);
                }
                let ty = match name.as_str() {
                    "format" => Ty::Ext(Sym::new("String"), Vec::new()),
                    _ => Ty::Unknown,
                };
                // `write!(buf, ..)` writes into its first argument.
                if matches!(name.as_str(), "write" | "writeln") {
                    if let Some((var, path)) = args.first().and_then(Self::place) {
                        let data = self.combine(&vals[1.min(vals.len())..], *span, Ty::Unknown);
                        self.write(st, var, &path, data, false);
                    }
                    return Val::default();
                }
                self.combine(&vals, *span, ty)
            }
            Expr::Not(x) => {
                let v = self.eval(x, st);
                match &v.cond {
                    Some(c) => Val::with_cond(c.not()),
                    None => Val::default(),
                }
            }
            Expr::Pass(x) => self.eval(x, st),
            Expr::Binary { op, lhs, rhs } => match op {
                BinOp::And | BinOp::Or => {
                    let (a, b) = if *op == BinOp::And {
                        let a = self.eval(lhs, st);
                        // The state where `a` holds (only that half of the
                        // split is needed: no copy for the other).
                        let mut tt = st.clone();
                        if let Some(c) = &a.cond {
                            tt.facts = tt.facts.union(&c.on_true);
                        }
                        let b = self.eval(rhs, &mut tt);
                        (a, b)
                    } else {
                        let a = self.eval(lhs, st);
                        let b = self.eval(rhs, st);
                        (a, b)
                    };
                    let c = if *op == BinOp::And {
                        Cond::and(a.cond.as_deref(), b.cond.as_deref())
                    } else {
                        Cond::or(a.cond.as_deref(), b.cond.as_deref())
                    };
                    Val {
                        cond: c.map(Rc::new),
                        ..Default::default()
                    }
                }
                BinOp::Compare => {
                    let a = self.eval(lhs, st);
                    let b = self.eval(rhs, st);
                    // `check() == true` keeps its meaning.
                    match (&a.cond, rhs.as_ref(), &b.cond, lhs.as_ref()) {
                        (Some(c), Expr::Lit(Lit::Bool(true)), _, _)
                        | (_, _, Some(c), Expr::Lit(Lit::Bool(true))) => Val {
                            cond: Some(c.clone()),
                            ..Default::default()
                        },
                        _ => Val::default(),
                    }
                }
                BinOp::Combine => {
                    let a = self.eval(lhs, st);
                    let b = self.eval(rhs, st);
                    let ty = if a.ty.is_known() {
                        a.ty.clone()
                    } else {
                        b.ty.clone()
                    };
                    self.combine(&[a, b], Span::default(), ty)
                }
            },
            Expr::Assign {
                lhs,
                rhs,
                compound,
                span,
            } => {
                let v = self.eval(rhs, st);
                match Self::place(lhs) {
                    Some((var, path)) => {
                        let strong =
                            !*compound && !matches!(**lhs, Expr::Index { .. } | Expr::Pass(_));
                        let v = if *compound {
                            self.combine(&[v], *span, Ty::Unknown)
                        } else {
                            v
                        };
                        self.write(st, var, &path, v, strong);
                    }
                    None => {
                        self.eval(lhs, st);
                    }
                }
                Val::default()
            }
            Expr::If { cond, then, els } => {
                let mark = st.vars.len();
                // `st` is replaced by the join of the branches below: split
                // it, not a copy of it (a state's copy is a copy of every
                // variable's value).
                let (mut t, mut f) = self.branch(cond, std::mem::replace(st, State::dead()));
                let tv = self.block(then, &mut t);
                t.vars.truncate(mark.min(t.vars.len()));
                let fv = match els {
                    Some(e) => self.eval(e, &mut f),
                    None => Val::default(),
                };
                f.vars.truncate(mark.min(f.vars.len()));
                let v = match (t.live, f.live) {
                    (true, false) => tv,
                    (false, true) => fv,
                    _ => tv.join_into(&fv),
                };
                *st = State::join(t, f);
                v
            }
            Expr::Let { pat, expr } => {
                // A `let` outside an `if` condition (let chains): bind in place.
                let v = self.eval(expr, st);
                self.bind(pat, v, st);
                Val::default()
            }
            Expr::Match { scrut, arms } => self.match_expr(scrut, arms, st),
            Expr::Block(b) => self.block(b, st),
            Expr::Loop { label, body } => self.run_loop(label.as_deref(), None, None, body, st),
            Expr::While { label, cond, body } => {
                self.run_loop(label.as_deref(), Some(cond), None, body, st)
            }
            Expr::For(f) => {
                let crate::ir::ForExpr {
                    label,
                    pat,
                    iter,
                    body,
                } = &**f;
                let it = self.eval(iter, st);
                self.run_loop(label.as_deref(), None, Some((pat, it)), body, st)
            }
            Expr::Break { label, value } => {
                let v = match value {
                    Some(x) => self.eval(x, st),
                    None => Val::default(),
                };
                if let Some(l) = self.find_loop(label.as_deref()) {
                    self.loops[l].breaks.push(st.clone());
                    self.loops[l].values.push(v);
                }
                st.live = false;
                Val::default()
            }
            Expr::Continue { label } => {
                if let Some(l) = self.find_loop(label.as_deref()) {
                    self.loops[l].continues.push(st.clone());
                }
                st.live = false;
                Val::default()
            }
            Expr::Return { value, .. } => {
                let v = match value {
                    Some(x) => self.eval(x, st),
                    None => Val::default(),
                };
                if st.live {
                    self.ret(v, st);
                }
                st.live = false;
                Val::default()
            }
            Expr::Try { expr, .. } => {
                let v = self.eval(expr, st);
                // `Err(e)?` always returns.
                if let Some((callee, _)) = expr.call_parts() {
                    if matches!(callee, Expr::Path { segs, .. } if segs.last().is_some_and(|s| s == "Err"))
                    {
                        st.live = false;
                        return Val::default();
                    }
                }
                self.unwrap_value(v, st)
            }
            Expr::Await(x) => self.eval(x, st),
            Expr::Closure { params, body } => Val {
                callable: Some(Callable::Closure(params, body)),
                ..Default::default()
            },
            Expr::Struct(s) => {
                let crate::ir::StructExpr {
                    path,
                    fields,
                    rest,
                    span,
                } = &**s;
                let ty = match self.resolve(path) {
                    Res::Adt(a) => Ty::Adt(a, Vec::new()),
                    Res::Variant(a, _) => Ty::Adt(a, Vec::new()),
                    _ => Ty::Unknown,
                };
                let mut out = match rest {
                    Some(r) => {
                        let rv = self.eval(r, st);
                        rv.into_data()
                    }
                    None => Val::default(),
                };
                out.ty = ty;
                let mut m = out.fields.as_deref().cloned().unwrap_or_default();
                for (name, fe) in fields {
                    let fv = self.eval(fe, st);
                    m.insert(*name, fv);
                }
                // Personal fields of the literal's type mark what is written into them.
                if let Ty::Adt(a, _) = &out.ty {
                    for (name, fv) in m.iter_mut() {
                        if let Some(fd) = self.cx.ix.field(*a, None, *name) {
                            let cats = self.cx.specs.field_cats(fd);
                            if cats.is_empty() {
                                continue;
                            }
                            let adt = &self.cx.ix.adts[*a];
                            // One trace for every category (they are immutable).
                            let t = Trace::start(HopRef {
                                file: adt.file(self.cx.ix),
                                span: fd.span,
                                note: Note::Field(adt.name, fd.name),
                            })
                            .push(self.hop(*span, Note::WrittenInto(adt.name, fd.name)));
                            for c in cats.iter() {
                                fv.taint.add(Label::Cat(c), t.clone());
                            }
                        }
                    }
                }
                out.fields = Some(Rc::new(m));
                out
            }
            Expr::Tuple(es) => {
                let vals: Vec<Val<'p>> = es.iter().map(|x| self.eval(x, st)).collect();
                let ty = Ty::Tuple(vals.iter().map(|v| v.ty.clone()).collect());
                let mut m = BTreeMap::new();
                for (i, v) in vals.into_iter().enumerate() {
                    m.insert(index_sym(i), v);
                }
                Val {
                    fields: Some(Rc::new(m)),
                    ty,
                    ..Default::default()
                }
            }
            Expr::Array(es) => {
                let vals: Vec<Val<'p>> = es.iter().map(|x| self.eval(x, st)).collect();
                Self::array_of(&vals)
            }
            Expr::Cast { expr, ty } => {
                let v = self.eval(expr, st);
                let mut out = v.data();
                out.ty = self.resolve_ty(ty);
                out
            }
            Expr::Opaque(parts) => {
                let vals: Vec<Val<'p>> = parts.iter().map(|x| self.eval(x, st)).collect();
                self.combine(&vals, Span::default(), Ty::Unknown)
            }
            Expr::Diverge(parts) => {
                for p in parts {
                    self.eval(p, st);
                }
                st.live = false;
                Val::default()
            }
        }
    }

    /// An array (or `vec!`) of these elements: their data, typed as a slice
    /// of the first one's type, so a personal element type stays a type.
    fn array_of(vals: &[Val<'p>]) -> Val<'p> {
        let mut out = Val::default();
        for v in vals {
            out = out.join_into(&v.data());
        }
        out.ty = Ty::Slice(Box::new(
            vals.first().map(|v| v.ty.clone()).unwrap_or(Ty::Unknown),
        ));
        out
    }

    /// `x?`, `x.unwrap()`: for a consent `Result`/`Option`, execution goes on
    /// only when it said yes.
    fn unwrap_value(&mut self, v: Val<'p>, st: &mut State<'p>) -> Val<'p> {
        match v.cond.as_deref() {
            Some(c) if c.shape == Shape::Wrapped => {
                st.facts = st.facts.union(&c.on_true);
                let mut out = v.data();
                out.ty = v.ty.elem();
                out
            }
            Some(c) if c.shape == Shape::WrappedBool => Val {
                cond: Some(Rc::new(Cond {
                    shape: Shape::Bool,
                    ..c.clone()
                })),
                ..Default::default()
            },
            _ => {
                let mut out = v.clone();
                out.ty = v.ty.elem();
                out.cond = None;
                out
            }
        }
    }

    fn find_loop(&self, label: Option<&str>) -> Option<usize> {
        match label {
            None => self.loops.len().checked_sub(1),
            Some(l) => self.loops.iter().rposition(|c| c.label == Some(l)),
        }
    }

    fn run_loop(
        &mut self,
        label: Option<&'p str>,
        cond: Option<&'p Expr>,
        each: Option<(&'p Pat, Val<'p>)>,
        body: &'p Block,
        st: &mut State<'p>,
    ) -> Val<'p> {
        // `st` is replaced by the state after the loop.
        let entry = std::mem::replace(st, State::dead());
        let mark = entry.vars.len();
        let mut head = entry.clone();
        let mut exits: Vec<State<'p>> = Vec::new();
        let mut breaks: Vec<State<'p>> = Vec::new();
        let mut values: Vec<Val<'p>> = Vec::new();
        let rounds = if self.steps > BUDGET { 1 } else { 3 };
        for _ in 0..rounds {
            self.loops.push(LoopCtx {
                label,
                breaks: Vec::new(),
                continues: Vec::new(),
                values: Vec::new(),
            });
            let mut s = head.clone();
            if let Some(c) = cond {
                let (t, f) = self.branch(c, s);
                let mut f = f;
                f.vars.truncate(mark.min(f.vars.len()));
                exits.push(f);
                s = t;
            }
            if let Some((pat, it)) = &each {
                let mut elem = it.data();
                elem.ty = it.ty.elem();
                elem.fields = None;
                if let Some(f) = &it.fields {
                    for fv in f.values() {
                        elem = elem.join(fv);
                    }
                }
                s.facts = s.facts.union(&it.guard);
                self.bind(pat, elem, &mut s);
            }
            self.block(body, &mut s);
            s.vars.truncate(mark.min(s.vars.len()));
            let ctx = self.loops.pop();
            let mut back = s;
            if let Some(ctx) = ctx {
                for mut c in ctx.continues {
                    c.vars.truncate(mark.min(c.vars.len()));
                    back = State::join(back, c);
                }
                for mut b in ctx.breaks {
                    b.vars.truncate(mark.min(b.vars.len()));
                    breaks.push(b);
                }
                values.extend(ctx.values);
            }
            let next = State::join(entry.clone(), back);
            let stable = next.same(&head);
            head = next;
            if stable {
                break;
            }
        }
        // `for` and `while` may stop at any iteration's head; `loop` only by `break`.
        let mut after = if cond.is_some() {
            exits.into_iter().fold(State::dead(), State::join)
        } else if each.is_some() {
            head
        } else {
            State::dead()
        };
        for b in breaks {
            after = State::join(after, b);
        }
        *st = after;
        Val::join_all(&values)
    }

    fn match_expr(&mut self, scrut: &'p Expr, arms: &'p [Arm], st: &mut State<'p>) -> Val<'p> {
        let v = self.eval(scrut, st);
        if arms.is_empty() {
            return Val::default();
        }
        let mark = st.vars.len();
        let mut out_state = State::dead();
        let mut out_val = Val::default();
        let mut v = Some(v);
        for (i, arm) in arms.iter().enumerate() {
            // `st` becomes the join of the arms: the last arm takes it (and
            // the scrutinee's value), the others a copy.
            let last = i + 1 == arms.len();
            let (mut s, v) = if last {
                (
                    std::mem::replace(st, State::dead()),
                    v.take().unwrap_or_default(),
                )
            } else {
                (st.clone(), v.clone().unwrap_or_default())
            };
            self.bind(&arm.pat, v, &mut s);
            if let Some(g) = &arm.guard {
                let (t, _) = self.branch(g, s);
                s = t;
            }
            let av = self.eval(&arm.body, &mut s);
            s.vars.truncate(mark.min(s.vars.len()));
            if s.live {
                out_val = out_val.join_into(&av);
            }
            out_state = State::join(out_state, s);
        }
        *st = out_state;
        out_val
    }

    // -----------------------------------------------------------------------
    // Paths and calls

    fn path_value(&mut self, segs: &[Sym], site: SiteId, span: Span, st: &State<'p>) -> Val<'p> {
        if segs.len() == 1 {
            if let Some(v) = st.get(segs[0]) {
                return v.clone();
            }
        }
        match self.resolve_site(site, segs) {
            Res::Fn(f) => Val {
                callable: Some(Callable::Fns(Rc::from(vec![f]))),
                ..Default::default()
            },
            Res::Fns(fs) => Val {
                callable: Some(Callable::Fns(Rc::from(fs))),
                ..Default::default()
            },
            Res::Adt(a) | Res::Variant(a, _) => Val::typed(Ty::Adt(a, Vec::new())),
            Res::Ext(p) => {
                // A policy source that is a constant or a static.
                let mut v = Val::default();
                if let Some(set) = self.cx.specs.ext_sources.get(p.as_str()) {
                    for c in set.iter() {
                        v.taint.add(
                            Label::Cat(c),
                            Trace::start(self.hop(span, format!("`{p}` (a policy source)"))),
                        );
                    }
                }
                v
            }
            _ => Val::default(),
        }
    }

    fn call(
        &mut self,
        callee: &'p Expr,
        args: &'p [Expr],
        span: Span,
        st: &mut State<'p>,
    ) -> Val<'p> {
        let vals: Vec<Val<'p>> = args.iter().map(|a| self.eval(a, st)).collect();
        let arg_exprs = ArgExprs::Args(args);
        if let &Expr::Path { ref segs, site, .. } = callee {
            if segs.len() == 1 {
                if let Some(v) = st.get(segs[0]).cloned() {
                    return match v.callable {
                        Some(c) => self.invoke(&c, vals, st, &Facts::default(), span),
                        None => self.combine(&vals, span, Ty::Unknown),
                    };
                }
            }
            return match self.resolve_site(site, segs) {
                Res::Fn(f) => self.call_fns(&[f], vals, arg_exprs, span, st, false),
                Res::Fns(fs) => self.call_fns(&fs, vals, arg_exprs, span, st, false),
                Res::Variant(a, _) | Res::Adt(a) => self.construct(a, vals),
                Res::Ext(p) => self.call_external(p, None, vals, span, st),
                _ => self.combine(&vals, span, Ty::Unknown),
            };
        }
        let f = self.eval(callee, st);
        match f.callable {
            Some(c) => self.invoke(&c, vals, st, &Facts::default(), span),
            None => self.combine(&vals, span, Ty::Unknown),
        }
    }

    fn construct(&self, a: AdtId, vals: Vec<Val<'p>>) -> Val<'p> {
        let mut m = BTreeMap::new();
        for (i, v) in vals.into_iter().enumerate() {
            m.insert(index_sym(i), v);
        }
        Val {
            fields: Some(Rc::new(m)),
            ty: Ty::Adt(a, Vec::new()),
            ..Default::default()
        }
    }

    /// Run a closure or call a function value with these arguments.
    fn invoke(
        &mut self,
        c: &Callable<'p>,
        args: Vec<Val<'p>>,
        st: &mut State<'p>,
        extra: &Facts,
        span: Span,
    ) -> Val<'p> {
        match c {
            Callable::Closure(params, body) => {
                if self.closure_depth > 6 || self.steps > BUDGET * 2 {
                    return self.combine(&args, span, Ty::Unknown);
                }
                self.closure_depth += 1;
                let saved_facts = st.facts.clone();
                let mark = st.vars.len();
                st.facts = st.facts.union(extra);
                for (i, (p, t)) in params.iter().enumerate() {
                    let mut v = args.get(i).cloned().unwrap_or_default();
                    if let Some(t) = t {
                        let rt = self.resolve_ty(t);
                        if rt.is_known() {
                            v.ty = rt;
                        }
                    }
                    self.bind(p, v, st);
                }
                self.frames.push(Vec::new());
                let was_live = st.live;
                let v = self.eval(body, st);
                let mut rets = self.frames.pop().unwrap_or_default();
                if st.live {
                    rets.push(v);
                }
                st.live = was_live;
                st.vars.truncate(mark.min(st.vars.len()));
                st.facts = saved_facts;
                self.closure_depth -= 1;
                Val::join_all(&rets)
            }
            Callable::Fns(fs) => {
                let fs = fs.clone();
                let saved = st.facts.clone();
                st.facts = st.facts.union(extra);
                let v = self.call_fns(&fs, args, ArgExprs::None, span, st, false);
                st.facts = saved;
                v
            }
        }
    }

    fn call_external(
        &mut self,
        path_sym: Sym,
        recv: Option<Val<'p>>,
        vals: Vec<Val<'p>>,
        span: Span,
        st: &mut State<'p>,
    ) -> Val<'p> {
        let path = path_sym.as_str();
        // The receiver and the arguments, read in place.
        let all: Vec<&Val<'p>> = recv.iter().chain(&vals).collect();
        let specs = self.cx.specs;
        if let Some(sink) = specs.ext_sinks.get(path) {
            for v in all {
                self.hit(sink, v, st, span, path_sym);
            }
            return Val::default();
        }
        if std_model::diverges(path) {
            st.live = false;
            return Val::default();
        }
        // Closures handed to external code may run: analyse them here, with
        // the other arguments as their inputs.
        let data = self.combine(all.iter().copied(), span, Ty::Unknown);
        let mut results = Vec::new();
        for v in all {
            if let Some(c) = v.callable.clone() {
                results.push(self.invoke(&c, vec![data.clone(); 2], st, &Facts::default(), span));
            }
        }
        let last = crate::index::last_segment(path);
        let mut out = if std_model::is_wrapper(path) && vals.len() == 1 {
            vals[0].clone()
        } else if std_model::kind(last) == Kind::Pure {
            Val::default()
        } else {
            let mut d = data;
            for r in results {
                d = d.join_into(&r.into_data());
            }
            d
        };
        if let Some(set) = self.cx.specs.ext_sources.get(path) {
            for c in set.iter() {
                out.taint.add(
                    Label::Cat(c),
                    Trace::start(self.hop(
                        span,
                        format!("`{path}(..)` returns {}", self.cx.cats.name(c)),
                    )),
                );
            }
        }
        if std_model::is_constructor(last) && !out.ty.is_known() {
            if let Some((ty_path, _)) = path.rsplit_once("::") {
                out.ty = Ty::Ext(Sym::new(ty_path), Vec::new());
            }
        }
        out
    }

    /// Calls to workspace functions (several for dynamic dispatch): apply
    /// each one's annotations and summary at this call site.
    fn call_fns(
        &mut self,
        fs: &[FnId],
        vals: Vec<Val<'p>>,
        arg_exprs: ArgExprs<'p>,
        span: Span,
        st: &mut State<'p>,
        _method: bool,
    ) -> Val<'p> {
        let cx = self.cx;
        // A closure passed in runs in the callee, with the other arguments
        // as its inputs: once, whatever the number of possible callees.
        for (i, v) in vals.iter().enumerate() {
            if let Some(c @ Callable::Closure(..)) = v.callable.clone() {
                let others: Vec<Val<'p>> = vals
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, v)| v.clone())
                    .collect();
                let data = self.combine(&others, span, Ty::Unknown);
                self.invoke(&c, vec![data; 2], st, &Facts::default(), span);
            }
        }
        let mut out: Option<Val<'p>> = None;
        for &g in fs {
            let ginfo = &cx.ix.fns[g];
            let spec = &cx.specs.fns[g];
            self.out.edges.push(Edge {
                callee: g,
                facts: st.facts.clone(),
            });
            let name = ginfo.def.name;
            let call_hop = self.hop(span, Note::PassedTo(name));
            // `spec` borrows the context, not `self`: no copy of the `Arc`.
            if let Some(sink) = &spec.sink {
                for (i, v) in vals.iter().enumerate() {
                    if sink.args.as_ref().is_none_or(|a| a.contains(&i)) {
                        self.hit(sink, v, st, span, name);
                    }
                }
            }
            let summary = &cx.summaries[g];
            // Written once, shared by this callee's candidates.
            let mut snippet: Option<Arc<str>> = None;
            for eff in &summary.effects {
                let Some(arg) = vals.get(usize::from(eff.param.0)) else {
                    continue;
                };
                let pv = self.project_path(arg, &eff.param.1, span);
                let w = self.whole(&pv, span);
                let facts = st.facts.union(&eff.facts).union(&pv.guard);
                // `trace_of(&eff.trace).hops()`: the effect's hops as a trace
                // would keep them.
                let mut eff_hops = Vec::with_capacity(eff.trace.len());
                for h in &eff.trace {
                    push_hop(&mut eff_hops, h);
                }
                for (l, t) in &w.0 {
                    match l {
                        Label::Cat(c) => {
                            if eff.exclude.contains(*c) {
                                continue;
                            }
                            for r in &eff.sink.recipients {
                                for p in &eff.sink.purposes {
                                    self.out.candidates.push(Candidate {
                                        func: self.fid,
                                        cat: *c,
                                        sink: eff.sink.clone(),
                                        recipient: r.clone(),
                                        purpose: p.clone(),
                                        facts: facts.clone(),
                                        span,
                                        snippet: snippet
                                            .get_or_insert_with(|| snippet_of(&name))
                                            .clone(),
                                        trace: t
                                            .hops_then(std::iter::once(&call_hop).chain(&eff_hops)),
                                    });
                                }
                            }
                        }
                        Label::Param(i, path) => {
                            self.out.summary.effects.push(Effect {
                                param: (*i, path.to_vec()),
                                exclude: eff.exclude,
                                sink: eff.sink.clone(),
                                facts: facts.clone(),
                                trace: t.hops_then(std::iter::once(&call_hop).chain(&eff_hops)),
                            });
                        }
                    }
                }
            }
            // Writes into `&mut` arguments.
            for (j, sv) in &summary.writes {
                let v = self.instantiate(sv, &vals, span, name);
                if let Some(e) = arg_exprs.get(usize::from(*j)) {
                    if let Some((var, path)) = Self::place(e) {
                        self.write(st, var, &path, v, false);
                    }
                }
            }
            let mut ret = if let Some((grant, shape)) = spec.check {
                Val::with_cond(Cond::yes(&Facts::one(grant as GrantId), shape))
            } else {
                let mut r = self.instantiate(&summary.ret, &vals, span, name);
                if let Some(c) = &summary.ret_cond {
                    r.cond = Some(Rc::new(c.clone()));
                }
                r
            };
            if let Some(cats) = spec.source {
                for c in cats.iter() {
                    ret.taint.add(
                        Label::Cat(c),
                        Trace::start(
                            self.hop(span, format!("`{name}()` returns {}", cx.cats.name(c))),
                        ),
                    );
                }
            }
            if spec.sink.is_some() && spec.source.is_none() {
                ret.taint = Taint::default();
                ret.fields = None;
            }
            if let Some(d) = spec.declassify {
                ret.taint
                    .0
                    .retain(|(l, _)| !matches!(l, Label::Cat(c) if d.contains(*c)));
                ret.fields = None;
            }
            if let Some(ty) = &cx.ix.sig(g).ret {
                if ty.is_known() {
                    ret.ty = ty.clone();
                }
            }
            out = Some(match out {
                None => ret,
                Some(o) => o.join_into(&ret),
            });
        }
        out.unwrap_or_default()
    }

    /// A summary value at a call site: parameters replaced by the arguments.
    fn instantiate(&self, sv: &SumVal, args: &[Val<'p>], span: Span, name: Sym) -> Val<'p> {
        let ret_hop = self.hop(span, Note::ReturnedBy(name));
        // A parameter passed straight through keeps its type and fields.
        if sv.fields.is_empty() && sv.taint.len() == 1 {
            if let SumLabel::Param(i, path) = &sv.taint[0].0 {
                if let Some(a) = args.get(usize::from(*i)) {
                    let mut v = self.project_path(a, path, span).into_data();
                    v.taint = v.taint.hop(&ret_hop);
                    v.guard = v.guard.union(&sv.guard);
                    return v;
                }
            }
        }
        let mut v = Val {
            guard: sv.guard.clone(),
            ..Default::default()
        };
        for (l, hops) in &sv.taint {
            match l {
                SumLabel::Cat(c) => v
                    .taint
                    .add(Label::Cat(*c), trace_of(hops).push(ret_hop.clone())),
                SumLabel::Param(i, path) => {
                    if let Some(a) = args.get(usize::from(*i)) {
                        let pv = self.project_path(a, path, span);
                        // Used whole in the callee (formatted, serialised, passed
                        // out): everything it carries, its type's categories
                        // included. Otherwise only the data it carries by flow;
                        // the return type says the rest.
                        let data = if path.last().is_some_and(|x| &**x == WHOLE) {
                            self.whole(&pv, span)
                        } else {
                            pv.flatten()
                        };
                        v.taint.union(&data.hop(&ret_hop));
                    }
                }
            }
        }
        if !sv.fields.is_empty() {
            let mut m = BTreeMap::new();
            for (k, f) in &sv.fields {
                m.insert(*k, self.instantiate(f, args, span, name));
            }
            v.fields = Some(Rc::new(m));
        }
        v
    }

    /// Data reaching a sink: a candidate per category (concrete) or an effect
    /// of this function (from a parameter).
    fn hit(&mut self, sink: &Arc<SinkSpec>, v: &Val<'p>, st: &State<'p>, span: Span, callee: Sym) {
        let w = self.whole(v, span);
        if w.is_empty() {
            return;
        }
        let facts = st.facts.union(&v.guard);
        let sink_hop = self.hop(span, Note::SentBy(callee));
        // Written once, shared by the candidates of this call.
        let mut snippet: Option<Arc<str>> = None;
        // Categories seen here are reported here; callers only add what this
        // function cannot see.
        let mut exclude = self.implied_set(&v.ty);
        for l in w.labels() {
            if let Label::Cat(c) = l {
                exclude.insert(*c);
            }
        }
        for (l, t) in &w.0 {
            // `t.push(sink_hop).hops()`, without the node.
            let trace = t.hops_then([&sink_hop]);
            match l {
                Label::Cat(c) => {
                    for r in &sink.recipients {
                        for p in &sink.purposes {
                            self.out.candidates.push(Candidate {
                                func: self.fid,
                                cat: *c,
                                sink: sink.clone(),
                                recipient: r.clone(),
                                purpose: p.clone(),
                                facts: facts.clone(),
                                span,
                                snippet: snippet.get_or_insert_with(|| snippet_of(&callee)).clone(),
                                trace: trace.clone(),
                            });
                        }
                    }
                }
                Label::Param(i, path) => self.out.summary.effects.push(Effect {
                    param: (*i, path.to_vec()),
                    exclude,
                    sink: sink.clone(),
                    facts: facts.clone(),
                    trace,
                }),
            }
        }
    }

    fn method(
        &mut self,
        recv: &'p Expr,
        sym: Sym,
        args: &'p [Expr],
        span: Span,
        st: &mut State<'p>,
    ) -> Val<'p> {
        let name = sym.as_str();
        let rv = self.eval(recv, st);
        // Consent values first: their methods say yes or no.
        if let Some(c) = rv.cond.clone() {
            match name {
                "unwrap" | "expect" | "unwrap_or_default" | "unwrap_or" | "unwrap_or_else" => {
                    for a in args {
                        self.eval(a, st);
                    }
                    return self.unwrap_value(rv, st);
                }
                "is_ok" | "is_some" | "is_ok_and" | "is_some_and" if c.shape == Shape::Wrapped => {
                    return Val::with_cond(Cond {
                        shape: Shape::Bool,
                        ..(*c).clone()
                    });
                }
                "is_err" | "is_none" if c.shape == Shape::Wrapped => {
                    return Val::with_cond(
                        Cond {
                            shape: Shape::Bool,
                            ..(*c).clone()
                        }
                        .not(),
                    );
                }
                "then" | "then_some" if c.shape == Shape::Bool => {
                    let argv: Vec<Val<'p>> = args.iter().map(|a| self.eval(a, st)).collect();
                    let mut out = Val::default();
                    for a in &argv {
                        match &a.callable {
                            Some(cl) => {
                                out = out.join_into(&self.invoke(
                                    cl,
                                    Vec::new(),
                                    st,
                                    &c.on_true,
                                    span,
                                ))
                            }
                            None => out = out.join(a),
                        }
                    }
                    return out;
                }
                "clone" | "to_owned" | "await" => return rv,
                _ => {}
            }
        }
        let vals: Vec<Val<'p>> = args.iter().map(|a| self.eval(a, st)).collect();
        let arity = vals.len() + 1;
        // Resolve through the receiver's type, else every workspace method of that name and arity.
        let targets: Vec<FnId> = match &rv.ty {
            Ty::Adt(..) | Ty::Dyn(_) => self.cx.ix.methods_of(&rv.ty, sym),
            // A receiver of unknown type: every workspace method of that name
            // and arity, except for the standard library's well-known names
            // (`clone`, `iter`, `push`, ...), which follow the std model.
            Ty::Unknown if std_model::kind_of(sym) == Kind::Union => {
                let all = self
                    .cx
                    .ix
                    .methods_by_name
                    .get(&(sym, arity))
                    .cloned()
                    .unwrap_or_default();
                if all.len() > MAX_NAME_TARGETS {
                    // Too many to be a real candidate set: keep the ones that
                    // can matter (annotated, or reaching a sink).
                    all.into_iter()
                        .filter(|&f| {
                            let s = &self.cx.specs.fns[f];
                            s.sink.is_some()
                                || s.source.is_some()
                                || s.check.is_some()
                                || s.declassify.is_some()
                                || !self.cx.summaries[f].effects.is_empty()
                        })
                        .collect()
                } else {
                    all
                }
            }
            _ => Vec::new(),
        };
        // Trait declarations reached through a known impl add nothing but their annotations.
        let targets: Vec<FnId> = targets
            .into_iter()
            .filter(|&f| {
                self.cx.ix.fns[f].def.receiver.is_some()
                    || matches!(self.cx.ix.fns[f].owner, Owner::Free)
            })
            .collect();
        if !targets.is_empty() {
            let targets = self.with_trait_decls(targets, &rv.ty, sym);
            let mut all = Vec::with_capacity(vals.len() + 1);
            all.push(rv);
            all.extend(vals);
            return self.call_fns(&targets, all, ArgExprs::Method(recv, args), span, st, true);
        }
        // `T::m` can be a policy path only if `m` is some policy path's last segment.
        if let (Ty::Ext(p, _), true) = (&rv.ty, self.cx.specs.ext_method_names.contains(&sym)) {
            let full = format!("{p}::{name}");
            if self.cx.specs.ext_sinks.contains_key(&full)
                || self.cx.specs.ext_sources.contains_key(&full)
            {
                let full = Sym::new(&full);
                return self.call_external(full, Some(rv), vals, span, st);
            }
        }
        self.std_method(recv, rv, sym, vals, span, st)
    }

    /// A sink on a trait method declaration makes every implementation a sink.
    fn with_trait_decls(&self, mut targets: Vec<FnId>, _ty: &Ty, name: Sym) -> Vec<FnId> {
        let ix = self.cx.ix;
        let mut extra = Vec::new();
        for &f in &targets {
            if let Owner::Impl {
                trait_: Some(t), ..
            } = ix.fns[f].owner
            {
                if let Some(&d) = ix.traits[t].decls.get(&name) {
                    let s = &self.cx.specs.fns[d];
                    if s.sink.is_some()
                        || s.source.is_some()
                        || s.check.is_some()
                        || s.declassify.is_some()
                    {
                        extra.push(d);
                    }
                }
            }
        }
        for d in extra {
            if !targets.contains(&d) {
                targets.push(d);
            }
        }
        targets
    }

    fn std_method(
        &mut self,
        recv: &'p Expr,
        rv: Val<'p>,
        sym: Sym,
        vals: Vec<Val<'p>>,
        span: Span,
        st: &mut State<'p>,
    ) -> Val<'p> {
        let name = sym.as_str();
        let closure = vals.iter().find_map(|v| v.callable.clone());
        // What a closure argument is run with: the receiver's element and
        // (`fold(init, |acc, x| ..)` and `scan`: the first argument) the
        // accumulator. Only made when there is a closure to run.
        let inputs = closure.as_ref().map(|_| {
            let elem = {
                let mut e = rv.data();
                e.ty = rv.ty.elem();
                e
            };
            let first_arg = match name {
                "fold" | "try_fold" | "scan" => vals.first().cloned().unwrap_or_default(),
                _ => elem.clone(),
            };
            (first_arg, elem)
        });
        let run = |this: &mut Self, st: &mut State<'p>, extra: &Facts| -> Option<Val<'p>> {
            closure
                .as_ref()
                .zip(inputs.as_ref())
                .map(|(c, (first_arg, elem))| {
                    this.invoke(c, vec![first_arg.clone(), elem.clone()], st, extra, span)
                })
        };
        match std_model::kind_of(sym) {
            Kind::Pure => {
                run(self, st, &rv.guard);
                Val::default()
            }
            Kind::Absorb => {
                let mut data = self.combine(&vals, span, Ty::Unknown);
                if let Some(r) = run(self, st, &Facts::default()) {
                    data = data.join_into(&r.into_data());
                }
                if let Some((var, path)) = Self::place(recv) {
                    self.write(st, var, &path, data, false);
                }
                Val::default()
            }
            Kind::Iter => {
                let mut out = rv.data();
                out.ty = Ty::Iter(Box::new(match (name, &rv.ty) {
                    ("keys", Ty::Ext(_, a)) => a.first().cloned().unwrap_or(Ty::Unknown),
                    ("values" | "values_mut" | "into_values", Ty::Ext(_, a)) => {
                        a.get(1).cloned().unwrap_or(Ty::Unknown)
                    }
                    _ => rv.ty.elem(),
                }));
                out.fields = None;
                out.taint = rv.flatten();
                out
            }
            Kind::Keep => {
                let mut out = rv.data();
                for v in &vals {
                    if v.callable.is_none() {
                        out = out.join_into(&v.data());
                    }
                }
                if let Some(r) = run(self, st, &rv.guard) {
                    out = out.join_into(&r.into_data());
                }
                out.ty = rv.ty.clone();
                out
            }
            Kind::Filter => {
                let mut out = rv.data();
                if let Some((c, (_, elem))) = closure.as_ref().zip(inputs.as_ref()) {
                    let r = self.invoke(c, vec![elem.clone()], st, &rv.guard, span);
                    if let Some(cond) = &r.cond {
                        out.guard = out.guard.union(&cond.on_true);
                    }
                }
                if name == "find" {
                    out.ty = Ty::Ext(Sym::new("Option"), vec![rv.ty.elem()]);
                }
                out
            }
            Kind::Map => {
                let mut out = Val {
                    guard: rv.guard.clone(),
                    ..Default::default()
                };
                match run(self, st, &rv.guard) {
                    Some(r) => {
                        out.taint = r.taint.clone();
                        if let Some(f) = &r.fields {
                            for fv in f.values() {
                                out.taint.union(&fv.taint);
                            }
                        }
                        out.ty = match &rv.ty {
                            Ty::Iter(_) => Ty::Iter(Box::new(r.ty.clone())),
                            _ => r.ty.clone(),
                        };
                        if !r.guard.is_empty() {
                            out.guard = out.guard.union(&r.guard);
                        }
                    }
                    None => out = self.combine(std::slice::from_ref(&rv), span, Ty::Unknown),
                }
                for v in &vals {
                    if v.callable.is_none() {
                        out = out.join_into(&v.data());
                    }
                }
                out
            }
            Kind::ForEach => {
                run(self, st, &rv.guard);
                Val::default()
            }
            Kind::Elem => {
                let mut out = rv.data();
                let item = match (&rv.ty, name) {
                    // `map.get(k)`: the value type, not the (key, value) element.
                    (Ty::Ext(_, a), "get" | "get_mut" | "remove") if a.len() == 2 => a[1].clone(),
                    _ => rv.ty.elem(),
                };
                out.ty = if std_model::returns_option(name)
                    && !matches!(rv.ty.ext_name(), Some("Option" | "Result"))
                {
                    Ty::Ext(Sym::new("Option"), vec![item])
                } else {
                    item
                };
                for v in &vals {
                    if v.callable.is_none() {
                        out = out.join_into(&v.data());
                    }
                }
                if let Some(r) = run(self, st, &rv.guard) {
                    out = out.join_into(&r.into_data());
                }
                out
            }
            Kind::Collect => {
                let mut out = rv.data();
                out.ty = Ty::Ext(Sym::new("Vec"), vec![rv.ty.elem()]);
                out.taint = rv.flatten();
                out.fields = None;
                out
            }
            Kind::Text => {
                let all = std::iter::once(&rv).chain(&vals);
                let mut out = self.combine(all, span, Ty::Ext(Sym::new("String"), Vec::new()));
                out.guard = rv.guard.clone();
                out
            }
            Kind::Union => {
                let all = std::iter::once(&rv).chain(&vals);
                let mut out = self.combine(all, span, Ty::Unknown);
                if let Some(r) = run(self, st, &Facts::default()) {
                    out = out.join_into(&r.into_data());
                }
                out
            }
        }
    }
}
