//! Abstract values of the flow analysis: what a value carries (labels with
//! traces), what it is known to be (type, per-field values), what consent it
//! stands for (`Cond`) and under which consents it was produced (`guard`).

use crate::annotations::{GrantId, Shape};
use crate::cats::CatId;
use crate::index::{FnId, Ty};
use crate::ir::{Expr, Span, Sym};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

/// Field paths on parameter labels are cut at this length (a sound
/// over-approximation: a shorter path stands for more data).
pub const MAX_PATH: usize = 3;
/// Marks a parameter label whose value was used whole (formatted,
/// serialised, handed to unknown code), so callers materialise everything
/// the argument carries, its type's categories included.
pub const WHOLE: &str = "*";

/// Parameter labels a value keeps before their paths collapse.
pub const MAX_PARAM_LABELS: usize = 8;
/// Traces keep at most this many hops.
pub const MAX_TRACE: u32 = 48;

/// One step of a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HopRef {
    pub file: usize,
    pub span: Span,
    pub note: Note,
}

/// What a hop says. The analysis makes a hop at every call it evaluates,
/// and few are ever reported: the common notes keep the callee's name and
/// are written out when a trace is.
#[derive(Debug, Clone)]
pub enum Note {
    Text(Arc<str>),
    /// "passed to `f`"
    PassedTo(Sym),
    /// "returned by `f`"
    ReturnedBy(Sym),
    /// "`Type.field`": where a personal field is declared. This and the
    /// notes below stand for their text (see [`Note::eq`]): they are made
    /// on every read of a personal field and every sink call, and
    /// formatting them there was 6% of the flow stage's instructions
    /// (callgrind, 100k generated lines).
    Field(Sym, Sym),
    /// "`.field` read here"
    Read(Sym),
    /// "written into `Type.field`"
    WrittenInto(Sym, Sym),
    /// "sent by `f`"
    SentBy(Sym),
}

impl Note {
    /// Whether the note is its text (every variant but the call notes,
    /// which are only ever equal to one another).
    fn is_text(&self) -> bool {
        !matches!(self, Note::PassedTo(_) | Note::ReturnedBy(_))
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::Text(t) => f.write_str(t),
            Note::PassedTo(name) => write!(f, "passed to `{name}`"),
            Note::ReturnedBy(name) => write!(f, "returned by `{name}`"),
            Note::Field(ty, field) => write!(f, "{ty}.{field}"),
            Note::Read(field) => write!(f, "`.{field}` read here"),
            Note::WrittenInto(ty, field) => write!(f, "written into `{ty}.{field}`"),
            Note::SentBy(name) => write!(f, "sent by `{name}`"),
        }
    }
}

/// The notes that stand for a text are equal when their texts are, as if
/// each were `Note::Text` of it (which they replace); the call notes only
/// to the same call note. [`Trace::push`] compares hops to drop repeats.
impl PartialEq for Note {
    fn eq(&self, o: &Note) -> bool {
        match (self, o) {
            (Note::Text(a), Note::Text(b)) => a == b,
            (Note::PassedTo(a), Note::PassedTo(b)) | (Note::ReturnedBy(a), Note::ReturnedBy(b)) => {
                a == b
            }
            (Note::Field(a, b), Note::Field(c, d))
            | (Note::WrittenInto(a, b), Note::WrittenInto(c, d))
                if a == c && b == d =>
            {
                true
            }
            (Note::Read(a), Note::Read(b)) | (Note::SentBy(a), Note::SentBy(b)) if a == b => true,
            _ => self.is_text() && o.is_text() && self.to_string() == o.to_string(),
        }
    }
}

impl Eq for Note {}

impl From<String> for Note {
    fn from(s: String) -> Note {
        Note::Text(Arc::from(s))
    }
}

impl From<Arc<str>> for Note {
    fn from(s: Arc<str>) -> Note {
        Note::Text(s)
    }
}

#[derive(Debug)]
struct Node {
    hop: HopRef,
    prev: Trace,
    len: u32,
}

/// A persistent list of hops, newest last when listed.
#[derive(Debug, Clone, Default)]
pub struct Trace(Option<Arc<Node>>);

impl Trace {
    pub fn start(hop: HopRef) -> Trace {
        Trace::default().push(hop)
    }

    pub fn len(&self) -> u32 {
        self.0.as_ref().map_or(0, |n| n.len)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn push(&self, hop: HopRef) -> Trace {
        if self.len() >= MAX_TRACE {
            return self.clone();
        }
        if let Some(n) = &self.0 {
            if n.hop == hop {
                return self.clone();
            }
        }
        Trace(Some(Arc::new(Node {
            hop,
            prev: self.clone(),
            len: self.len() + 1,
        })))
    }

    /// Oldest first.
    pub fn hops(&self) -> Vec<HopRef> {
        let mut v = Vec::with_capacity(self.len() as usize);
        let mut cur = &self.0;
        while let Some(n) = cur {
            v.push(n.hop.clone());
            cur = &n.prev.0;
        }
        v.reverse();
        v
    }

    /// `self` with these hops pushed, listed (`self.push(a).push(b).hops()`)
    /// without making the pushed nodes: reported traces are made so, once
    /// per candidate and effect, and the nodes were garbage at once.
    pub fn hops_then<'h>(&self, more: impl IntoIterator<Item = &'h HopRef>) -> Vec<HopRef> {
        let more = more.into_iter();
        let mut v = Vec::with_capacity(self.len() as usize + more.size_hint().0);
        let mut cur = &self.0;
        while let Some(n) = cur {
            v.push(n.hop.clone());
            cur = &n.prev.0;
        }
        v.reverse();
        for h in more {
            push_hop(&mut v, h);
        }
        v
    }

    /// `self` followed by every hop of `other`.
    pub fn concat(&self, other: &Trace) -> Trace {
        let mut t = self.clone();
        for h in other.hops() {
            t = t.push(h);
        }
        t
    }
}

/// [`Trace::push`] on a listed trace: the same bound, the same repeats dropped.
pub fn push_hop(v: &mut Vec<HopRef>, hop: &HopRef) {
    if v.len() >= MAX_TRACE as usize || v.last() == Some(hop) {
        return;
    }
    v.push(hop.clone());
}

/// What a value carries: a category (concrete) or "whatever parameter `i`
/// (at this field path) carries" (symbolic, resolved at each call site).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    Cat(CatId),
    Param(u8, Rc<[Sym]>),
}

/// The labels of a value, sorted, each with the trace of how it got here.
#[derive(Debug, Clone, Default)]
pub struct Taint(pub Vec<(Label, Trace)>);

impl Taint {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn add(&mut self, l: Label, t: Trace) {
        match self.0.binary_search_by(|(x, _)| x.cmp(&l)) {
            Ok(i) => {
                // Keep the shorter trace: the clearest explanation.
                if t.len() < self.0[i].1.len() {
                    self.0[i].1 = t;
                }
            }
            Err(i) => self.0.insert(i, (l, t)),
        }
    }

    pub fn union(&mut self, o: &Taint) {
        if o.0.is_empty() {
            return;
        }
        if self.0.is_empty() {
            self.0 = o.0.clone();
            return;
        }
        for (l, t) in &o.0 {
            self.add(l.clone(), t.clone());
        }
        self.bound();
    }

    /// Keep label sets small: past [`MAX_PARAM_LABELS`] parameter labels,
    /// field paths collapse to their parameter used whole (which stands for
    /// more data, so nothing is lost, only precision).
    pub fn bound(&mut self) {
        let params = self
            .0
            .iter()
            .filter(|(l, _)| matches!(l, Label::Param(..)))
            .count();
        if params <= MAX_PARAM_LABELS {
            return;
        }
        let mut out: Vec<(Label, Trace)> = Vec::with_capacity(self.0.len());
        for (l, t) in self.0.drain(..) {
            let l = match l {
                Label::Param(i, p) if !p.is_empty() => {
                    Label::Param(i, Rc::from(vec![Sym::new(WHOLE)]))
                }
                other => other,
            };
            match out.iter_mut().find(|(x, _)| *x == l) {
                Some(slot) => {
                    if t.len() < slot.1.len() {
                        slot.1 = t;
                    }
                }
                None => out.push((l, t)),
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        self.0 = out;
    }

    pub fn labels(&self) -> impl Iterator<Item = &Label> {
        self.0.iter().map(|(l, _)| l)
    }

    /// Append a hop to every trace.
    pub fn hop(&self, hop: &HopRef) -> Taint {
        Taint(
            self.0
                .iter()
                .map(|(l, t)| (l.clone(), t.push(hop.clone())))
                .collect(),
        )
    }

    /// Whether `self.union(o)` would leave `self` as it is: every label of
    /// `o` is here already with a trace no shorter, and no bounding is due
    /// (`union` bounds when both sides carry labels).
    pub fn union_keeps(&self, o: &Taint) -> bool {
        if o.0.is_empty() {
            return true;
        }
        if self.0.is_empty() {
            return false;
        }
        let params = self
            .0
            .iter()
            .filter(|(l, _)| matches!(l, Label::Param(..)))
            .count();
        params <= MAX_PARAM_LABELS
            && o.0
                .iter()
                .all(|(l, t)| match self.0.binary_search_by(|(x, _)| x.cmp(l)) {
                    Ok(i) => t.len() >= self.0[i].1.len(),
                    Err(_) => false,
                })
    }

    pub fn same_labels(&self, o: &Taint) -> bool {
        self.0.len() == o.0.len() && self.labels().zip(o.labels()).all(|(a, b)| a == b)
    }
}

/// A set of consent grants known to have said yes. Sorted, small.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Facts(pub Vec<GrantId>);

impl Facts {
    pub fn one(g: GrantId) -> Facts {
        Facts(vec![g])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn union(&self, o: &Facts) -> Facts {
        if o.0.is_empty() {
            return self.clone();
        }
        if self.0.is_empty() {
            return o.clone();
        }
        let mut v: Vec<GrantId> = self.0.iter().chain(o.0.iter()).copied().collect();
        v.sort_unstable();
        v.dedup();
        Facts(v)
    }

    pub fn intersect(&self, o: &Facts) -> Facts {
        Facts(
            self.0
                .iter()
                .copied()
                .filter(|g| o.0.binary_search(g).is_ok())
                .collect(),
        )
    }
}

/// Whether `a.intersect(b)` is `a`.
fn facts_keep(a: &Facts, b: &Facts) -> bool {
    a.0.iter().all(|g| b.0.binary_search(g).is_ok())
}

/// The consent a boolean (or `Result`/`Option`) value stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cond {
    pub shape: Shape,
    /// Grants that hold when the value says yes.
    pub on_true: Facts,
    /// Grants that hold when it says no (for `!a || b` style conditions).
    pub on_false: Facts,
}

impl Cond {
    pub fn yes(g: &Facts, shape: Shape) -> Cond {
        Cond {
            shape,
            on_true: g.clone(),
            on_false: Facts::default(),
        }
    }
    pub fn not(&self) -> Cond {
        Cond {
            shape: self.shape,
            on_true: self.on_false.clone(),
            on_false: self.on_true.clone(),
        }
    }
    pub fn and(a: Option<&Cond>, b: Option<&Cond>) -> Option<Cond> {
        let (t1, f1) = a.map_or((Facts::default(), Facts::default()), |c| {
            (c.on_true.clone(), c.on_false.clone())
        });
        let (t2, f2) = b.map_or((Facts::default(), Facts::default()), |c| {
            (c.on_true.clone(), c.on_false.clone())
        });
        let c = Cond {
            shape: Shape::Bool,
            on_true: t1.union(&t2),
            on_false: f1.intersect(&f2),
        };
        (!c.on_true.is_empty() || !c.on_false.is_empty()).then_some(c)
    }
    pub fn or(a: Option<&Cond>, b: Option<&Cond>) -> Option<Cond> {
        Cond::and(a.map(Cond::not).as_ref(), b.map(Cond::not).as_ref()).map(|c| c.not())
    }
    pub fn join(a: &Cond, b: &Cond) -> Option<Cond> {
        let c = Cond {
            shape: if a.shape == b.shape {
                a.shape
            } else {
                Shape::Bool
            },
            on_true: a.on_true.intersect(&b.on_true),
            on_false: a.on_false.intersect(&b.on_false),
        };
        (!c.on_true.is_empty() || !c.on_false.is_empty()).then_some(c)
    }
}

/// Something a value can be called as.
#[derive(Debug, Clone)]
pub enum Callable<'a> {
    /// A closure's parameters and body. The parameters by their vector, a
    /// thin reference: a `Val` is then 128 bytes, which the compiler moves
    /// inline; at 136 every move of one was a call to `memcpy` (7% of the
    /// flow stage's instructions, callgrind, 100k generated lines).
    Closure(
        &'a Vec<(crate::ir::Pat, Option<crate::ir::TyRef>)>,
        &'a Expr,
    ),
    Fns(Rc<[FnId]>),
}

/// An abstract value.
#[derive(Debug, Clone, Default)]
pub struct Val<'a> {
    pub taint: Taint,
    /// Values of fields known individually (struct literals, field writes).
    pub fields: Option<Rc<BTreeMap<Sym, Val<'a>>>>,
    pub ty: Ty,
    pub cond: Option<Rc<Cond>>,
    pub callable: Option<Callable<'a>>,
    /// Consents under which this data was selected (`filter(|u| u.consents)`).
    pub guard: Facts,
}

// Values are moved all the time: past 128 bytes each move is a `memcpy`
// call (see `Callable::Closure`).
const _: () = assert!(std::mem::size_of::<Val<'static>>() <= 128);

impl<'a> Val<'a> {
    pub fn typed(ty: Ty) -> Self {
        Val {
            ty,
            ..Default::default()
        }
    }

    pub fn with_cond(c: Cond) -> Self {
        Val {
            cond: Some(Rc::new(c)),
            ..Default::default()
        }
    }

    /// Carries any data of its own (ignoring what its type implies).
    pub fn has_labels(&self) -> bool {
        !self.taint.is_empty()
            || self
                .fields
                .as_ref()
                .is_some_and(|f| f.values().any(Val::has_labels))
    }

    /// Whether `self.join(o)` would be `self` again (equal in every part,
    /// traces included), decided without building it: each condition below
    /// is the one under which the matching step of [`Val::join`] keeps
    /// `self`'s part. At the join after a branch most variables hold the
    /// same value on both sides, and joining them anyway (new label
    /// vectors, new field maps) was most of the cost of joining states, 7%
    /// of the flow stage's instructions (callgrind, 100k generated lines).
    pub fn join_keeps(&self, o: &Val<'a>) -> bool {
        // `ty`: self's when known, else o's.
        (self.ty.is_known() || !o.ty.is_known())
            // `callable`: self's when it has one, else o's.
            && (self.callable.is_some() || o.callable.is_none())
            && self.taint.union_keeps(&o.taint)
            // `fields`: with both known, each of o's is joined into self's.
            && match (&self.fields, &o.fields) {
                (None, None) => true,
                (Some(a), Some(b)) => b
                    .iter()
                    .all(|(k, v)| a.get(k).is_some_and(|x| x.join_keeps(v))),
                _ => false,
            }
            // `guard`: the intersection with o's when both or neither carry
            // labels (as they do alike here: same labels, same fields'),
            // which keeps self's when each of its grants is in o's.
            && facts_keep(&self.guard, &o.guard)
            // `cond`: with both, their join (on the fields above; `None`
            // when it says nothing); with only o's, none.
            && match (&self.cond, &o.cond) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => {
                    (a.shape == b.shape || a.shape == Shape::Bool)
                        && facts_keep(&a.on_true, &b.on_true)
                        && facts_keep(&a.on_false, &b.on_false)
                        && !(a.on_true.is_empty() && a.on_false.is_empty())
                }
            }
    }

    /// Merge two values that may both flow here (a join, or a combination
    /// like `a + b`). The guard holds only where every data-carrying side had it.
    pub fn join(&self, o: &Val<'a>) -> Val<'a> {
        if self.join_keeps(o) {
            return self.clone();
        }
        self.join_parts(o)
    }

    /// [`Val::join`] of a value no longer needed: kept, not copied, when
    /// the join would give it back.
    pub fn join_into(self, o: &Val<'a>) -> Val<'a> {
        if self.join_keeps(o) {
            self
        } else {
            self.join_parts(o)
        }
    }

    /// The join, part by part.
    fn join_parts(&self, o: &Val<'a>) -> Val<'a> {
        let mut taint = self.taint.clone();
        taint.union(&o.taint);
        let fields = match (&self.fields, &o.fields) {
            (None, None) => None,
            // Only one side knows its fields: the other's fields are whatever
            // its data is, so per-field knowledge cannot be kept. Fold the
            // known fields into the data instead (sound, less precise).
            (Some(a), None) | (None, Some(a)) => {
                for v in a.values() {
                    taint.union(&v.flatten());
                }
                None
            }
            (Some(a), Some(b)) => {
                let mut m = (**a).clone();
                for (k, v) in b.iter() {
                    let nv = match m.get(k) {
                        Some(x) => x.join(v),
                        None => v.clone(),
                    };
                    m.insert(*k, nv);
                }
                Some(Rc::new(m))
            }
        };
        let guard = match (self.has_labels(), o.has_labels()) {
            (true, true) => self.guard.intersect(&o.guard),
            (true, false) => self.guard.clone(),
            (false, true) => o.guard.clone(),
            (false, false) => self.guard.intersect(&o.guard),
        };
        let cond = match (&self.cond, &o.cond) {
            (Some(a), Some(b)) => Cond::join(a, b).map(Rc::new),
            _ => None,
        };
        Val {
            taint,
            fields,
            ty: if self.ty.is_known() {
                self.ty.clone()
            } else {
                o.ty.clone()
            },
            cond,
            callable: self.callable.clone().or_else(|| o.callable.clone()),
            guard,
        }
    }

    /// Merge every value that may flow to one place (none: a clean value).
    pub fn join_all<'b>(vals: impl IntoIterator<Item = &'b Val<'a>>) -> Val<'a>
    where
        'a: 'b,
    {
        let mut it = vals.into_iter();
        let Some(first) = it.next() else {
            return Val::default();
        };
        it.fold(first.clone(), |acc, v| acc.join_into(v))
    }

    /// Every label of the value and of its known fields.
    pub fn flatten(&self) -> Taint {
        let mut t = self.taint.clone();
        if let Some(f) = &self.fields {
            for v in f.values() {
                t.union(&v.flatten());
            }
        }
        t
    }

    /// [`Val::data`] of a value no longer needed (nothing copied).
    pub fn into_data(mut self) -> Val<'a> {
        self.cond = None;
        self.callable = None;
        self
    }

    /// Same data, no longer the same object: drops consent meaning and callables.
    pub fn data(&self) -> Val<'a> {
        Val {
            taint: self.taint.clone(),
            fields: self.fields.clone(),
            ty: self.ty.clone(),
            cond: None,
            callable: None,
            guard: self.guard.clone(),
        }
    }
}

/// A value in a function summary (`Send`): labels with traces, and per-field
/// values to keep field sensitivity across returns.
#[derive(Debug, Clone, Default)]
pub struct SumVal {
    pub taint: Vec<(SumLabel, Vec<HopRef>)>,
    pub fields: Vec<(Sym, SumVal)>,
    pub guard: Facts,
}

/// A label in a summary (`Send` twin of [`Label`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SumLabel {
    Cat(CatId),
    Param(u8, Vec<Sym>),
}

impl SumLabel {
    pub fn from_label(l: &Label) -> SumLabel {
        match l {
            Label::Cat(c) => SumLabel::Cat(*c),
            Label::Param(i, p) => SumLabel::Param(*i, p.to_vec()),
        }
    }
}

impl SumVal {
    pub fn from_val(v: &Val<'_>, depth: u32) -> SumVal {
        let mut s = SumVal {
            taint: v
                .taint
                .0
                .iter()
                .map(|(l, t)| (SumLabel::from_label(l), t.hops()))
                .collect(),
            fields: Vec::new(),
            guard: v.guard.clone(),
        };
        if let Some(f) = &v.fields {
            for (k, fv) in f.iter() {
                if depth >= 2 {
                    for (l, t) in &fv.taint.0 {
                        s.taint.push((SumLabel::from_label(l), t.hops()));
                    }
                } else {
                    s.fields.push((*k, SumVal::from_val(fv, depth + 1)));
                }
            }
        }
        s.taint.sort_by(|a, b| a.0.cmp(&b.0));
        s.taint.dedup_by(|a, b| a.0 == b.0);
        s
    }

    /// The labels, for change detection.
    pub fn key(&self) -> Vec<SumLabel> {
        let mut k: Vec<SumLabel> = self.taint.iter().map(|(l, _)| l.clone()).collect();
        for (_, f) in &self.fields {
            k.extend(f.key());
        }
        k
    }

    /// `!self.key().is_empty()`, without building the key.
    pub fn has_labels(&self) -> bool {
        !self.taint.is_empty() || self.fields.iter().any(|(_, f)| f.has_labels())
    }

    /// `self.key() == o.key()`, without cloning the labels (their paths are
    /// vectors): every summary is compared with the last one after each
    /// analysis. Most values have no fields, and then the label lists are
    /// compared in place.
    pub fn same_key(&self, o: &SumVal) -> bool {
        if self.fields.is_empty() && o.fields.is_empty() {
            return self.taint.len() == o.taint.len()
                && self.taint.iter().zip(&o.taint).all(|(a, b)| a.0 == b.0);
        }
        fn refs<'s>(v: &'s SumVal, out: &mut Vec<&'s SumLabel>) {
            out.extend(v.taint.iter().map(|(l, _)| l));
            for (_, f) in &v.fields {
                refs(f, out);
            }
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        refs(self, &mut a);
        refs(o, &mut b);
        a == b
    }
}

/// A sink reached by data from a parameter: instantiated at each call site.
#[derive(Debug, Clone)]
pub struct Effect {
    pub param: (u8, Vec<Sym>),
    /// Categories the callee already reports itself (its parameter's type implies them).
    pub exclude: crate::cats::CatSet,
    pub sink: Arc<crate::annotations::SinkSpec>,
    /// Consents that hold on the way from the parameter to the sink.
    pub facts: Facts,
    /// Hops from the parameter to the sink.
    pub trace: Vec<HopRef>,
}

impl Effect {
    pub fn key(&self) -> (u8, Vec<Sym>, crate::cats::CatSet, Arc<str>, Facts) {
        (
            self.param.0,
            self.param.1.clone(),
            self.exclude,
            self.sink.name.clone(),
            self.facts.clone(),
        )
    }

    /// `self.key().cmp(&o.key())`, field by field without building the keys:
    /// sorting a function's effects by `key()` cloned two vectors and an
    /// `Arc` per comparison, 5% of the flow stage (callgrind, 100k lines).
    pub fn cmp_key(&self, o: &Effect) -> std::cmp::Ordering {
        self.param
            .0
            .cmp(&o.param.0)
            .then_with(|| self.param.1.cmp(&o.param.1))
            .then_with(|| self.exclude.cmp(&o.exclude))
            .then_with(|| self.sink.name.cmp(&o.sink.name))
            .then_with(|| self.facts.cmp(&o.facts))
    }

    /// `self.key() == o.key()`, without building the keys.
    pub fn same_key(&self, o: &Effect) -> bool {
        self.param == o.param
            && self.exclude == o.exclude
            && self.sink.name == o.sink.name
            && self.facts == o.facts
    }
}

/// What a call to a function does, as seen from a call site.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub ret: SumVal,
    /// Consent the return value stands for (a helper wrapping a check).
    pub ret_cond: Option<Cond>,
    pub effects: Vec<Effect>,
    /// Data written into `&mut` parameters (and `&mut self`): target → value.
    pub writes: Vec<(u8, SumVal)>,
}

impl Summary {
    /// A function that does nothing a caller can observe.
    pub const NOTHING: Summary = Summary {
        ret: SumVal {
            taint: Vec::new(),
            fields: Vec::new(),
            guard: Facts(Vec::new()),
        },
        ret_cond: None,
        effects: Vec::new(),
        writes: Vec::new(),
    };

    /// Whether two summaries differ in anything a caller can observe.
    pub fn same(&self, o: &Summary) -> bool {
        self.ret.same_key(&o.ret)
            && self.ret_cond == o.ret_cond
            && self.effects.len() == o.effects.len()
            && self
                .effects
                .iter()
                .zip(&o.effects)
                .all(|(a, b)| a.same_key(b))
            && self.writes.len() == o.writes.len()
            && self
                .writes
                .iter()
                .zip(&o.writes)
                .all(|(a, b)| a.0 == b.0 && a.1.same_key(&b.1))
    }
}
