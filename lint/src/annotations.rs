//! Collect annotations: turn the attributes found while lowering into the
//! specs the analysis reads (sinks, sources, consent grants, declassifiers,
//! personal fields and types), checked against the policy. Names the policy
//! does not know become `unknown-*` findings here.

use crate::cats::{CatId, CatSet, CatTable};
use crate::index::{AdtId, AdtKind, FnId, Index, Ty};
use crate::ir::{FieldDef, Name, Pat, Span, Sym, TyRef};
use crate::parse::FileProblem;
use crate::policy::Policy;
use datagate_spec::Code;
// The analysis looks these maps up on every field read, every value of an
// external type and every method call: a fast hash, not SipHash (which was
// 3% of the flow stage's instructions, callgrind at 100k lines). Nothing
// iterates them in an order that shows.
use foldhash::{HashMap, HashMapExt, HashSet};
use std::collections::BTreeSet;
use std::sync::Arc;

pub type GrantId = u32;

/// A variant's (or a struct's) own marking and its fields.
type Variant<'a> = (&'a [Name], Vec<&'a FieldDef>);

/// What a "yes" from a consent check covers.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The check's path (`consent::may_share`) or field (`Settings.share`).
    pub name: String,
    /// `None`: every recipient (`to = any`).
    pub recipients: Option<BTreeSet<String>>,
    pub purposes: BTreeSet<String>,
    pub categories: CatSet,
}

impl Grant {
    pub fn covers(&self, recipient: &str, purpose: &str, cat: CatId) -> bool {
        self.recipients
            .as_ref()
            .is_none_or(|r| r.contains(recipient))
            && self.purposes.contains(purpose)
            && self.categories.contains(cat)
    }
}

/// How a consent check's result says yes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `bool`: true.
    Bool,
    /// `Result<bool, _>` / `Option<bool>`: `Ok(true)` / `Some(true)`.
    WrappedBool,
    /// Any other `Result` / `Option`: `Ok(_)` / `Some(_)`.
    Wrapped,
}

/// A sink: where data leaves for a recipient.
#[derive(Debug, Clone)]
pub struct SinkSpec {
    pub name: Arc<str>,
    /// Recipients, groups expanded.
    pub recipients: Vec<Arc<str>>,
    pub purposes: Vec<Arc<str>>,
    /// Argument indices (receiver = 0 when present) that are sinks; `None`: all.
    pub args: Option<Vec<usize>>,
}

/// The annotations of one function.
#[derive(Debug, Clone, Default)]
pub struct FnSpec {
    pub sink: Option<Arc<SinkSpec>>,
    pub source: Option<CatSet>,
    pub check: Option<(GrantId, Shape)>,
    pub declassify: Option<CatSet>,
}

/// Where a category of a type comes from, for traces.
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: usize,
    pub span: Span,
    pub note: Arc<str>,
}

#[derive(Debug, Default)]
pub struct Specs {
    pub fns: Vec<FnSpec>,
    pub grants: Vec<Grant>,
    /// Consent fields by (type, field).
    pub consent_fields: HashMap<(AdtId, Sym), GrantId>,
    /// Categories a field is marked with, by the field's address in the IR.
    field_cats: HashMap<usize, CatSet>,
    /// Every category a value of the type carries when used whole, with origins.
    pub adt_cats: Vec<Vec<(CatId, Origin)>>,
    pub ext_sinks: HashMap<String, Arc<SinkSpec>>,
    pub ext_sources: HashMap<String, CatSet>,
    /// The last segments of the paths of `ext_sinks` and `ext_sources`
    /// that have more than one: a method `m` on a value of external type
    /// `T` can be one only if `m` is here, which spares formatting `T::m`
    /// for every such call.
    pub ext_method_names: HashSet<Sym>,
    /// Field names whose meaning is the same in every workspace type that
    /// has them (same categories, same consent coverage): a representative
    /// type and whether it is the only one. Used for fields read on values
    /// of unknown type.
    pub field_by_name: HashMap<Sym, (AdtId, bool)>,
    pub problems: Vec<FileProblem>,
}

impl Specs {
    /// Categories marked on the type itself (`#[personal(ip_address)] struct ClientIp(..)`).
    pub fn container_cats(&self, a: AdtId) -> CatSet {
        self.field_cats
            .get(&(usize::MAX - a))
            .copied()
            .unwrap_or_default()
    }

    pub fn field_cats(&self, f: &FieldDef) -> CatSet {
        self.field_cats
            .get(&(f as *const FieldDef as usize))
            .copied()
            .unwrap_or_default()
    }
}

struct Cx<'a> {
    policy: &'a Policy,
    cats: &'a mut CatTable,
    files: &'a [crate::parse::SourceFile],
    problems: Vec<FileProblem>,
}

impl Cx<'_> {
    /// Register what a consent check (function or field) covers.
    fn grant(
        &mut self,
        grants: &mut Vec<Grant>,
        file: usize,
        name: String,
        c: &crate::ir::ConsentAttr,
    ) -> GrantId {
        let g = Grant {
            name,
            recipients: self.recipients(file, &c.to, true),
            purposes: self.purposes(file, &c.purposes),
            categories: match &c.categories {
                Some(names) => self.categories(file, names, true),
                None => CatSet::ALL,
            },
        };
        grants.push(g);
        (grants.len() - 1) as GrantId
    }

    fn problem(&mut self, file: usize, span: Span, code: Code, message: String) {
        let file = self
            .files
            .get(file)
            .map(|f| f.rel.clone())
            .unwrap_or_default();
        self.problems.push(FileProblem {
            file,
            problem: crate::ir::Problem {
                code,
                span,
                message,
            },
        });
    }

    fn recipients(
        &mut self,
        file: usize,
        names: &[Name],
        allow_any: bool,
    ) -> Option<BTreeSet<String>> {
        let mut out = BTreeSet::new();
        for n in names {
            if allow_any && n.text == "any" && !n.custom {
                return None;
            }
            if !self.policy.knows_recipient(&n.text) {
                let known: Vec<&str> = self
                    .policy
                    .recipients
                    .keys()
                    .chain(self.policy.groups.keys())
                    .chain(self.policy.first_party.iter())
                    .map(String::as_str)
                    .collect();
                let hint = datagate_spec::suggest::did_you_mean(&n.text, known);
                self.problem(
                    file,
                    n.span,
                    Code::UnknownRecipient,
                    format!("recipient `{}` is not declared in the policy{hint}", n.text),
                );
            }
            out.extend(self.policy.expand_recipient(&n.text));
        }
        Some(out)
    }

    fn purposes(&mut self, file: usize, names: &[Name]) -> BTreeSet<String> {
        for n in names {
            if n.custom && self.policy.loaded && !self.policy.knows_purpose(&n.text) {
                self.problem(
                    file,
                    n.span,
                    Code::UnknownPurpose,
                    format!("purpose \"{}\" is not declared in the policy", n.text),
                );
            }
        }
        names.iter().map(|n| n.text.clone()).collect()
    }

    fn categories(&mut self, file: usize, names: &[Name], coverage: bool) -> CatSet {
        let mut set = CatSet::default();
        for n in names {
            if n.custom && !self.policy.custom_categories.contains_key(&n.text) {
                if self.policy.loaded {
                    self.problem(
                        file,
                        n.span,
                        Code::UnknownCategory,
                        format!("category \"{}\" is not declared in the policy; add it under [categories]", n.text),
                    );
                }
                self.cats.intern(&n.text);
            }
            set = set.union(if coverage {
                self.cats.coverage(&n.text)
            } else {
                self.cats.marking(&n.text)
            });
        }
        set
    }
}

fn shape_of(ret: Option<&TyRef>) -> Shape {
    match ret {
        Some(TyRef::Path { segs, args }) => match segs.last().map(|s| s.as_str()) {
            Some("Result" | "Option") => match args.first() {
                Some(TyRef::Path { segs, .. }) if segs.last().is_some_and(|s| s == "bool") => {
                    Shape::WrappedBool
                }
                _ => Shape::Wrapped,
            },
            _ => Shape::Bool,
        },
        _ => Shape::Bool,
    }
}

/// Argument index of each parameter name (receiver first).
fn param_index(f: &crate::ir::FnDef, name: &str) -> Option<usize> {
    let offset = usize::from(f.receiver.is_some());
    if name == "self" {
        return f.receiver.map(|_| 0);
    }
    f.params
        .iter()
        .position(|p| matches!(&p.pat, Pat::Bind { name: n, .. } if n == name))
        .map(|i| i + offset)
}

impl Specs {
    pub fn build(
        ix: &Index<'_>,
        policy: &Policy,
        cats: &mut CatTable,
        files: &[crate::parse::SourceFile],
    ) -> Specs {
        let mut cx = Cx {
            policy,
            cats,
            files,
            problems: Vec::new(),
        };
        let mut specs = Specs::default();
        for (fid, info) in ix.fns.iter().enumerate() {
            let Some(ann) = info.ann else {
                specs.fns.push(FnSpec::default());
                continue;
            };
            let file = ix.modules[info.module].file;
            let mut spec = FnSpec::default();
            if let Some(s) = &ann.sink {
                let recipients = cx.recipients(file, &s.to, false).unwrap_or_default();
                let purposes = cx.purposes(file, &s.purposes);
                let args = s.args.as_ref().map(|names| {
                    names
                        .iter()
                        .filter_map(|n| {
                            let i = param_index(info.def, &n.text);
                            if i.is_none() {
                                cx.problem(
                                    file,
                                    n.span,
                                    Code::InvalidAnnotation,
                                    format!(
                                        "`args` names `{}`, which is not a parameter of `{}`",
                                        n.text, info.def.name
                                    ),
                                );
                            }
                            i
                        })
                        .collect()
                });
                spec.sink = Some(Arc::new(SinkSpec {
                    name: Arc::from(ix.fn_path(fid)),
                    recipients: recipients.iter().map(|r| Arc::from(r.as_str())).collect(),
                    purposes: purposes.iter().map(|p| Arc::from(p.as_str())).collect(),
                    args,
                }));
            }
            if let Some(s) = &ann.source {
                spec.source = Some(cx.categories(file, &s.categories, false));
            }
            if let Some(c) = &ann.consent_check {
                let id = cx.grant(&mut specs.grants, file, ix.fn_path(fid), c);
                spec.check = Some((id, shape_of(info.def.ret.as_ref())));
            }
            if let Some(d) = &ann.declassify {
                spec.declassify = Some(cx.categories(file, &d.categories, true));
            }
            specs.fns.push(spec);
            debug_assert_eq!(specs.fns.len(), fid + 1);
        }
        // Annotations on a trait method declaration apply to every impl.
        for t in &ix.traits {
            for (name, &decl) in &t.decls {
                let d = specs.fns[decl].clone();
                for &imp in t.impls.get(name).into_iter().flatten() {
                    let s = &mut specs.fns[imp];
                    if s.sink.is_none() {
                        s.sink = d.sink.clone();
                    }
                    if s.source.is_none() {
                        s.source = d.source;
                    }
                    if s.check.is_none() {
                        s.check = d.check;
                    }
                    if s.declassify.is_none() {
                        s.declassify = d.declassify;
                    }
                }
            }
        }
        // Fields, variants and containers.
        for (a, adt) in ix.adts.iter().enumerate() {
            let file = ix.modules[adt.module].file;
            let (container, variants): (&[Name], Vec<Variant<'_>>) = match adt.kind {
                AdtKind::Struct(s) => (&s.personal, vec![(&[][..], s.fields.iter().collect())]),
                AdtKind::Enum(e) => (
                    &e.personal,
                    e.variants
                        .iter()
                        .map(|v| (&v.personal[..], v.fields.iter().collect()))
                        .collect(),
                ),
            };
            let container_set = cx.categories(file, container, false);
            for (vpersonal, fields) in variants {
                let vset = cx.categories(file, vpersonal, false);
                for f in fields {
                    let set = cx.categories(file, &f.personal, false).union(vset);
                    if !set.is_empty() {
                        specs.field_cats.insert(f as *const FieldDef as usize, set);
                    }
                    if let Some(c) = &f.consent {
                        let name = format!("{}.{}", adt.name, f.name);
                        let id = cx.grant(&mut specs.grants, file, name, c);
                        specs.consent_fields.insert((a, f.name), id);
                    }
                }
            }
            if !container_set.is_empty() {
                specs.field_cats.insert(usize::MAX - a, container_set);
            }
        }
        for s in &policy.sinks {
            let mut recipients = BTreeSet::new();
            for r in &s.to {
                recipients.extend(policy.expand_recipient(r));
            }
            specs.ext_sinks.insert(
                s.path.clone(),
                Arc::new(SinkSpec {
                    name: Arc::from(s.path.as_str()),
                    recipients: recipients.iter().map(|r| Arc::from(r.as_str())).collect(),
                    purposes: s.purposes.iter().map(|p| Arc::from(p.as_str())).collect(),
                    args: None,
                }),
            );
        }
        for s in &policy.sources {
            let mut set = CatSet::default();
            for c in &s.categories {
                set = set.union(cx.cats.marking(c));
            }
            specs.ext_sources.insert(s.path.clone(), set);
        }
        specs.ext_method_names = specs
            .ext_sinks
            .keys()
            .chain(specs.ext_sources.keys())
            .filter_map(|p| p.rsplit_once("::").map(|(_, m)| Sym::new(m)))
            .collect();
        specs.adt_cats = deep_cats(ix, &specs);
        specs.field_by_name = field_meanings(ix, &specs);
        specs.problems = cx.problems;
        specs
    }
}

fn field_meanings(ix: &Index<'_>, specs: &Specs) -> HashMap<Sym, (AdtId, bool)> {
    let meaning = |a: AdtId, f: &FieldDef| {
        let grant = specs
            .consent_fields
            .get(&(a, f.name))
            .and_then(|g| specs.grants.get(*g as usize));
        (
            specs.field_cats(f).union(specs.container_cats(a)),
            grant.map(|g| (g.recipients.clone(), g.purposes.clone(), g.categories)),
        )
    };
    let mut out = HashMap::new();
    for (name, cands) in &ix.fields_by_name {
        let Some(&(first, f0)) = cands.first() else {
            continue;
        };
        let m0 = meaning(first, f0);
        if cands.iter().all(|&(a, f)| meaning(a, f) == m0) {
            out.insert(*name, (first, cands.len() == 1));
        }
    }
    out
}

/// Every category each type carries when used whole: its container marking,
/// its fields' markings and, recursively, its fields' types'.
fn deep_cats(ix: &Index<'_>, specs: &Specs) -> Vec<Vec<(CatId, Origin)>> {
    let n = ix.adts.len();
    let mut memo: Vec<Option<Vec<(CatId, Origin)>>> = vec![None; n];
    fn visit(
        a: AdtId,
        ix: &Index<'_>,
        specs: &Specs,
        memo: &mut Vec<Option<Vec<(CatId, Origin)>>>,
        stack: &mut Vec<AdtId>,
    ) -> Vec<(CatId, Origin)> {
        if let Some(m) = &memo[a] {
            return m.clone();
        }
        if stack.contains(&a) || stack.len() > 32 {
            return Vec::new();
        }
        stack.push(a);
        let adt = &ix.adts[a];
        let file = ix.modules[adt.module].file;
        let mut out: Vec<(CatId, Origin)> = Vec::new();
        let add = |c: CatId, o: &Origin, out: &mut Vec<(CatId, Origin)>| {
            if !out.iter().any(|(x, _)| *x == c) {
                out.push((c, o.clone()));
            }
        };
        if let Some(set) = specs.field_cats.get(&(usize::MAX - a)) {
            let span = match adt.kind {
                AdtKind::Struct(s) => s.span,
                AdtKind::Enum(e) => e.span,
            };
            let o = Origin {
                file,
                span,
                note: Arc::from(adt.name.as_str()),
            };
            for c in set.iter() {
                add(c, &o, &mut out);
            }
        }
        for f in adt.fields(None) {
            let o = Origin {
                file,
                span: f.span,
                note: Arc::from(format!("{}.{}", adt.name, f.name).as_str()),
            };
            for c in specs.field_cats(f).iter() {
                add(c, &o, &mut out);
            }
            let fty = ix.resolve_ty(adt.module, &f.ty, &[], None, &[]);
            for inner in adts_in(&fty) {
                for (c, o) in visit(inner, ix, specs, memo, stack) {
                    add(c, &o, &mut out);
                }
            }
        }
        stack.pop();
        out.sort_by_key(|(c, _)| *c);
        memo[a] = Some(out.clone());
        out
    }
    let mut stack = Vec::new();
    (0..n)
        .map(|a| visit(a, ix, specs, &mut memo, &mut stack))
        .collect()
}

/// The workspace types mentioned in a type (its arguments included).
pub fn adts_in(t: &Ty) -> Vec<AdtId> {
    let mut out = Vec::new();
    fn walk(t: &Ty, out: &mut Vec<AdtId>) {
        match t {
            Ty::Adt(a, args) => {
                out.push(*a);
                args.iter().for_each(|x| walk(x, out));
            }
            Ty::Ext(_, args) | Ty::Tuple(args) => args.iter().for_each(|x| walk(x, out)),
            Ty::Slice(x) | Ty::Iter(x) => walk(x, out),
            Ty::Dyn(_) | Ty::Unknown => {}
        }
    }
    walk(t, &mut out);
    out
}

/// The function's annotations, for the analysis: `FnId` → spec.
pub fn spec(specs: &Specs, f: FnId) -> &FnSpec {
    &specs.fns[f]
}
