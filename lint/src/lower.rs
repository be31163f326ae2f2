//! syn → IR. Runs on the thread that parsed the file; the syn tree is dropped
//! when lowering returns.

use crate::ir::*;
use datagate_spec::attr;
use datagate_spec::Code;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

mod simple;
mod spans;

/// `collect` into a vector no larger than the list. The IR is built from
/// syn's lists through `map`, which is not `TrustedLen`, and `collect` then
/// starts every vector at four elements; most lists in code (arguments,
/// patterns, type arguments) have one or two, and that slack was a quarter
/// of the IR's memory at 1M lines. Sized by the upper bound, after the
/// first element: a `filter_map` that keeps nothing allocates nothing.
trait CollectExact: Iterator + Sized {
    fn exact(mut self) -> Vec<Self::Item> {
        let Some(first) = self.next() else {
            return Vec::new();
        };
        let (lo, hi) = self.size_hint();
        let mut out = Vec::with_capacity(1 + hi.unwrap_or(lo));
        out.push(first);
        out.extend(self);
        out
    }
}

impl<I: Iterator> CollectExact for I {}

/// Expressions nested deeper than this are not lowered further; the file gets
/// a `parse-error` finding saying so (never a silent skip).
pub const MAX_DEPTH: u32 = 400;

/// Lower a parsed file.
pub fn lower_file(file: &syn::File, lines: usize) -> FileIr {
    let mut cx = Lower {
        depth: 0,
        problems: Vec::new(),
        datagate_names: Vec::new(),
        too_deep: None,
        sites: Vec::new(),
        site_base: 0,
    };
    cx.scan_imports(&file.items);
    let items = cx.items(&file.items, &file.attrs);
    if let Some(span) = cx.too_deep {
        cx.problems.push(Problem {
            code: Code::ParseError,
            span,
            message: format!(
                "expression nested deeper than {MAX_DEPTH} levels: the rest of it is not analysed"
            ),
        });
    }
    FileIr {
        items,
        problems: cx.problems,
        lines,
    }
}

struct Lower {
    depth: u32,
    problems: Vec<Problem>,
    /// Attribute names imported from `datagate` (`use datagate::sink;`).
    datagate_names: Vec<String>,
    too_deep: Option<Span>,
    /// The sites of the function body being lowered ([`FnDef::sites`]),
    /// from `site_base` on. One vector for the whole file, each function's
    /// moved out at once: a vector per function grew by doubling, then
    /// shrank into its box, a reallocation and copy each time (callgrind).
    sites: Vec<Site>,
    site_base: usize,
}

pub fn span_of(s: proc_macro2::Span) -> Span {
    between(s, s)
}

fn pos(p: proc_macro2::LineColumn) -> Pos {
    Pos {
        line: p.line as u32,
        col: p.column as u32 + 1,
    }
}

fn sp<T: Spanned>(node: &T) -> Span {
    span_of(node.span())
}

/// `sp(t)` of a type. `Spanned::span` prints the type into a token stream
/// to find its first and last tokens; a path type's are those of its path.
/// (A string literal's `Spanned::span` is its token's: `span_of(s.span())`.)
fn ty_span(t: &syn::Type) -> Span {
    match t {
        syn::Type::Path(syn::TypePath { qself: None, path }) if !path.segments.is_empty() => {
            between(spans::path_lo(path), spans::path_hi(path))
        }
        _ => sp(t),
    }
}

/// The span from the start of `lo` to the end of `hi`.
fn between(lo: proc_macro2::Span, hi: proc_macro2::Span) -> Span {
    Span {
        lo: pos(lo.start()),
        hi: pos(hi.end()),
    }
}

/// Where `e`, lowered as `ir`, starts: from `ir` where it holds that
/// ([`spans::known_lo`]), else looked up.
fn lo_of(e: &syn::Expr, ir: &Expr) -> Pos {
    spans::known_lo(e, ir).unwrap_or_else(|| pos(spans::expr_lo(e).start()))
}

/// Where `e`, lowered as `ir`, ends ([`spans::known_hi`]).
fn hi_of(e: &syn::Expr, ir: &Expr) -> Pos {
    spans::known_hi(e, ir).unwrap_or_else(|| pos(spans::expr_hi(e).end()))
}

/// A path's segments, in a `Vec` or inline ([`Segs`]).
fn path_segs<C: Default + Extend<Sym>>(p: &syn::Path) -> C {
    let mut v = C::default();
    if p.leading_colon.is_some() {
        v.extend([Sym::new("::")]);
    }
    v.extend(p.segments.iter().map(|s| ident(&s.ident)));
    v
}

fn ident(i: &syn::Ident) -> Sym {
    with_text(i, Sym::new)
}

/// `f` of an identifier's text.
fn with_text<R>(i: &syn::Ident, f: impl FnOnce(&str) -> R) -> R {
    use std::fmt::Write as _;
    // Nearly every identifier fits: print it on the stack, not the heap.
    let mut buf = arrayvec::ArrayString::<64>::new();
    match write!(buf, "{i}") {
        Ok(()) => f(&buf),
        Err(_) => f(&i.to_string()),
    }
}

/// An identifier and the span of its own token (`span_of(i.span())`),
/// printed once and located with one position lookup instead of two.
///
/// proc-macro2 answers each `start()`/`end()` with a thread-local lookup,
/// a search of its file table and a binary search of the file's lines:
/// about 190 instructions, a quarter of lowering at 100k lines (callgrind).
/// An identifier never spans lines and its printed text (`r#` included) is
/// its token's text, so its end is its start plus its length in chars.
/// Two kinds of identifier are not their own text, and their end is asked
/// for as before: one at 1:0 may be `Span::call_site()` (start and end both
/// 1:0, a token syn made up), and a `doc` may be the one proc-macro2 makes
/// of a doc comment (`#[doc = ".."]`, each token spanning the comment).
fn ident_sp(i: &syn::Ident) -> (Sym, Span) {
    with_text(i, |text| (Sym::new(text), ident_span(i.span(), text)))
}

/// The span of an identifier's token `s`, printed `text` ([`ident_sp`]).
fn ident_span(s: proc_macro2::Span, text: &str) -> Span {
    let lo = s.start();
    let hi = if (lo.line == 1 && lo.column == 0) || text == "doc" {
        pos(s.end())
    } else {
        // `chars().count()` of a short string walks it a byte at a
        // time (100 instructions an identifier); nearly all are ASCII.
        let chars = if text.is_ascii() {
            text.len()
        } else {
            text.chars().count()
        };
        Pos {
            line: lo.line as u32,
            col: (lo.column + chars) as u32 + 1,
        }
    };
    Span { lo: pos(lo), hi }
}

/// Whether some path of a use tree starts with `datagate`.
fn starts_with_datagate(tree: &syn::UseTree) -> bool {
    match tree {
        syn::UseTree::Path(p) => p.ident == "datagate",
        syn::UseTree::Name(n) => n.ident == "datagate",
        syn::UseTree::Rename(r) => r.ident == "datagate",
        syn::UseTree::Glob(_) => false,
        syn::UseTree::Group(g) => g.items.iter().any(starts_with_datagate),
    }
}

/// The kind of a datagate attribute on an item.
#[derive(Clone, Copy)]
enum DgAttr {
    Sink,
    Source,
    ConsentCheck,
    Declassify,
    Allow,
}

/// Every datagate attribute, by name.
const DG_ATTRS: [(&str, DgAttr); 5] = [
    ("sink", DgAttr::Sink),
    ("source", DgAttr::Source),
    ("consent_check", DgAttr::ConsentCheck),
    ("declassify", DgAttr::Declassify),
    ("allow", DgAttr::Allow),
];

impl Lower {
    fn scan_imports(&mut self, items: &[syn::Item]) {
        for item in items {
            if let syn::Item::Use(u) = item {
                // Only a tree that starts with `datagate` has an entry whose
                // first segment is `datagate`: compare, do not flatten (and
                // print) every `use` of the file a second time.
                if !starts_with_datagate(&u.tree) {
                    continue;
                }
                let mut entries = Vec::new();
                flatten_use(&u.tree, &mut Vec::new(), &mut entries);
                for e in entries {
                    if e.path.first().is_some_and(|s| *s == "datagate") {
                        match (&e.alias, e.path.get(1)) {
                            (None, _) => self
                                .datagate_names
                                .extend(DG_ATTRS.map(|(n, _)| n.to_string())),
                            (Some(alias), Some(_)) => self.datagate_names.push(alias.to_string()),
                            _ => {}
                        }
                    }
                }
            }
        }
    }

    fn problem_from_syn(&mut self, e: syn::Error) {
        for e in e {
            self.problems.push(Problem {
                code: Code::InvalidAnnotation,
                span: span_of(e.span()),
                message: e.to_string(),
            });
        }
    }

    fn dg_attr(&self, a: &syn::Attribute) -> Option<DgAttr> {
        // Asked of every attribute (doc comments too): compare, do not print.
        let segs = &a.path().segments;
        let name = &segs.last()?.ident;
        let ours = match segs.len() {
            2 => segs[0].ident == "datagate",
            1 => self.datagate_names.iter().any(|n| name == n),
            _ => false,
        };
        if !ours {
            return None;
        }
        DG_ATTRS
            .into_iter()
            .find_map(|(n, kind)| (name == n).then_some(kind))
    }

    fn attr_tokens(a: &syn::Attribute) -> TokenStream {
        match &a.meta {
            syn::Meta::List(l) => l.tokens.clone(),
            _ => TokenStream::new(),
        }
    }

    fn allows(&mut self, attrs: &[syn::Attribute]) -> Vec<AllowAttr> {
        let mut out = Vec::new();
        for a in attrs {
            if let Some(DgAttr::Allow) = self.dg_attr(a) {
                match attr::parse_allow(Self::attr_tokens(a), a.span()) {
                    Ok(x) => out.push(allow(x, sp(a))),
                    Err(e) => self.problem_from_syn(e),
                }
            }
        }
        out
    }

    fn fn_annotations(&mut self, attrs: &[syn::Attribute]) -> FnAnnotations {
        let mut ann = FnAnnotations::default();
        for a in attrs {
            let Some(kind) = self.dg_attr(a) else {
                continue;
            };
            let toks = Self::attr_tokens(a);
            let span = a.span();
            let at = sp(a);
            match kind {
                DgAttr::Sink => match attr::parse_sink(toks, span) {
                    Ok(x) => {
                        ann.sink = Some(SinkAttr {
                            to: names(x.to),
                            purposes: names(x.purposes),
                            args: x.args.map(names),
                            span: at,
                        })
                    }
                    Err(e) => self.problem_from_syn(e),
                },
                DgAttr::Source => match attr::parse_source(toks, span) {
                    Ok(x) => {
                        ann.source = Some(SourceAttr {
                            categories: names(x.categories),
                            span: at,
                        })
                    }
                    Err(e) => self.problem_from_syn(e),
                },
                DgAttr::ConsentCheck => match attr::parse_consent(toks, span, "consent_check") {
                    Ok(x) => ann.consent_check = Some(consent(x, at)),
                    Err(e) => self.problem_from_syn(e),
                },
                DgAttr::Declassify => match attr::parse_declassify(toks, span) {
                    Ok(x) => {
                        ann.declassify = Some(DeclassifyAttr {
                            categories: names(x.categories),
                            reason: x.reason,
                            span: at,
                        })
                    }
                    Err(e) => self.problem_from_syn(e),
                },
                DgAttr::Allow => match attr::parse_allow(toks, span) {
                    Ok(x) => ann.allow.push(allow(x, at)),
                    Err(e) => self.problem_from_syn(e),
                },
            }
        }
        ann
    }

    fn personal(&mut self, attrs: &[syn::Attribute]) -> Vec<Name> {
        let mut out = Vec::new();
        for a in attrs {
            if a.path().is_ident("personal") {
                match attr::parse_personal(Self::attr_tokens(a), a.span()) {
                    Ok(p) => out.extend(names(p.categories)),
                    Err(e) => self.problem_from_syn(e),
                }
            }
        }
        out
    }

    fn consent_field(&mut self, attrs: &[syn::Attribute]) -> Option<ConsentAttr> {
        let a = attrs.iter().find(|a| a.path().is_ident("consent"))?;
        match attr::parse_consent(Self::attr_tokens(a), a.span(), "consent") {
            Ok(c) => Some(consent(c, sp(a))),
            Err(e) => {
                self.problem_from_syn(e);
                None
            }
        }
    }

    fn fields(&mut self, fields: &syn::Fields) -> Vec<FieldDef> {
        fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let (name, span) = match &f.ident {
                    Some(id) => ident_sp(id),
                    None => (Sym::from(i.to_string()), ty_span(&f.ty)),
                };
                FieldDef {
                    name,
                    ty: ty(&f.ty),
                    span,
                    personal: self.personal(&f.attrs),
                    consent: self.consent_field(&f.attrs),
                }
            })
            .exact()
    }

    fn items(&mut self, items: &[syn::Item], _inner_attrs: &[syn::Attribute]) -> Vec<Item> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            self.item(item, &mut out);
        }
        out
    }

    fn item(&mut self, item: &syn::Item, out: &mut Vec<Item>) {
        match item {
            syn::Item::Mod(m) => {
                let path_attr = path_attr(&m.attrs);
                let allow = self.allows(&m.attrs);
                let inline = m.content.as_ref().map(|(_, items)| self.items(items, &[]));
                out.push(Item::Mod(ModDef {
                    name: ident(&syn::ext::IdentExt::unraw(&m.ident)),
                    span: span_of(m.ident.span()),
                    inline,
                    path_attr,
                    allow,
                }));
            }
            syn::Item::Use(u) => {
                let mut entries = Vec::new();
                flatten_use(&u.tree, &mut Vec::new(), &mut entries);
                out.push(Item::Use(entries));
            }
            syn::Item::Struct(s) => {
                let personal = self.personal(&s.attrs);
                let fields = self.fields(&s.fields);
                let (name, span) = ident_sp(&s.ident);
                out.push(Item::Struct(StructDef {
                    name,
                    span,
                    fields,
                    personal,
                    generics: generic_names(&s.generics),
                    allow: self.allows(&s.attrs),
                }));
            }
            syn::Item::Enum(e) => {
                let personal = self.personal(&e.attrs);
                let variants = e
                    .variants
                    .iter()
                    .map(|v| {
                        let (name, span) = ident_sp(&v.ident);
                        VariantDef {
                            name,
                            span,
                            personal: self.personal(&v.attrs),
                            fields: self.fields(&v.fields),
                        }
                    })
                    .exact();
                let (name, span) = ident_sp(&e.ident);
                out.push(Item::Enum(EnumDef {
                    name,
                    span,
                    variants,
                    personal,
                    generics: generic_names(&e.generics),
                    allow: self.allows(&e.attrs),
                }));
            }
            syn::Item::Union(u) => {
                let fields = self.fields(&syn::Fields::Named(u.fields.clone()));
                let (name, span) = ident_sp(&u.ident);
                out.push(Item::Struct(StructDef {
                    name,
                    span,
                    fields,
                    personal: self.personal(&u.attrs),
                    generics: generic_names(&u.generics),
                    allow: self.allows(&u.attrs),
                }));
            }
            syn::Item::Fn(f) => {
                let def = self.fn_def(&f.sig, &f.attrs, Some(&f.block), out);
                out.push(Item::Fn(def));
            }
            syn::Item::Impl(i) => {
                let mut fns = Vec::with_capacity(i.items.len());
                let mut nested = Vec::new();
                for ii in &i.items {
                    match ii {
                        syn::ImplItem::Fn(f) => {
                            fns.push(self.fn_def(&f.sig, &f.attrs, Some(&f.block), &mut nested))
                        }
                        syn::ImplItem::Macro(_)
                        | syn::ImplItem::Const(_)
                        | syn::ImplItem::Type(_) => {}
                        _ => {}
                    }
                }
                out.extend(nested);
                out.push(Item::Impl(ImplDef {
                    self_ty: ty(&i.self_ty),
                    trait_path: i.trait_.as_ref().map(|(_, p, _)| path_segs(p)),
                    items: fns,
                    generics: generic_names(&i.generics),
                    allow: self.allows(&i.attrs),
                    span: ty_span(&i.self_ty),
                }));
            }
            syn::Item::Trait(t) => {
                let mut fns = Vec::with_capacity(t.items.len());
                let mut nested = Vec::new();
                for ti in &t.items {
                    if let syn::TraitItem::Fn(f) = ti {
                        fns.push(self.fn_def(&f.sig, &f.attrs, f.default.as_ref(), &mut nested));
                    }
                }
                out.extend(nested);
                let (name, span) = ident_sp(&t.ident);
                out.push(Item::Trait(TraitDef {
                    name,
                    span,
                    items: fns,
                    allow: self.allows(&t.attrs),
                }));
            }
            syn::Item::Type(t) => out.push(Item::Alias {
                name: ident(&t.ident),
                ty: ty(&t.ty),
            }),
            syn::Item::ExternCrate(e) => out.push(Item::ExternCrate {
                name: ident(&e.ident),
                alias: e
                    .rename
                    .as_ref()
                    .map_or_else(|| ident(&e.ident), |(_, a)| ident(a)),
            }),
            syn::Item::Macro(m) => {
                // `cfg_x! { mod a; fn f() {} }`, `cfg_if! { if #[cfg(..)] { .. } }`:
                // items inside item-position macros are analysed too.
                for inner in macro_items(m) {
                    self.item(&inner, out);
                }
            }
            syn::Item::Const(c) => self.static_init(&c.expr, out),
            syn::Item::Static(s) => self.static_init(&s.expr, out),
            _ => {}
        }
    }

    /// Consts and statics are not analysed as flows, but closures and blocks
    /// in them can hold nested functions; nothing to keep otherwise.
    fn static_init(&mut self, _e: &syn::Expr, _out: &mut Vec<Item>) {}

    fn fn_def(
        &mut self,
        sig: &syn::Signature,
        attrs: &[syn::Attribute],
        body: Option<&syn::Block>,
        nested: &mut Vec<Item>,
    ) -> FnDef {
        let ann = self.fn_annotations(attrs);
        let mut receiver = None;
        let mut params = Vec::with_capacity(sig.inputs.len());
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(r) => {
                    receiver = Some(match (&r.reference, r.mutability) {
                        (Some(_), Some(_)) => SelfKind::RefMut,
                        (Some(_), None) => SelfKind::Ref,
                        (None, _) => SelfKind::Value,
                    })
                }
                syn::FnArg::Typed(pt) => {
                    let by_mut_ref =
                        matches!(&*pt.ty, syn::Type::Reference(r) if r.mutability.is_some());
                    params.push(Param {
                        pat: self.pat(&pt.pat),
                        ty: ty(&pt.ty),
                        by_mut_ref,
                    });
                }
            }
        }
        let mut bounds: Vec<(Sym, Vec<Vec<Sym>>)> = Vec::new();
        for gp in &sig.generics.params {
            if let syn::GenericParam::Type(t) = gp {
                bounds.push((ident(&t.ident), trait_bounds(t.bounds.iter())));
            }
        }
        if let Some(wc) = &sig.generics.where_clause {
            for pred in &wc.predicates {
                if let syn::WherePredicate::Type(pt) = pred {
                    if let syn::Type::Path(tp) = &pt.bounded_ty {
                        if let Some(id) = tp.path.get_ident() {
                            let b = trait_bounds(pt.bounds.iter());
                            match bounds.iter_mut().find(|(n, _)| id == n) {
                                Some((_, v)) => v.extend(b),
                                None => bounds.push((ident(id), b)),
                            }
                        }
                    }
                }
            }
        }
        // `impl Trait` parameters act like anonymous generics.
        let ret = match &sig.output {
            syn::ReturnType::Default => None,
            syn::ReturnType::Type(_, t) => Some(ty(t)),
        };
        // Nested functions are lowered after the body, each with its own sites.
        let outer = std::mem::replace(&mut self.site_base, self.sites.len());
        let lowered = body.map(|b| self.block(b));
        let sites: Box<[Site]> = self.sites.drain(self.site_base..).collect();
        self.site_base = outer;
        if let Some(b) = body {
            self.nested_fns(b, nested);
        }
        let (name, span) = ident_sp(&sig.ident);
        FnDef {
            name,
            span,
            receiver,
            params,
            ret,
            is_async: sig.asyncness.is_some(),
            bounds,
            body: lowered,
            sites,
            ann: (!ann.is_empty()).then(|| Box::new(ann)),
        }
    }

    /// Items declared inside a function body are hoisted to the module.
    fn nested_fns(&mut self, b: &syn::Block, out: &mut Vec<Item>) {
        for s in &b.stmts {
            if let syn::Stmt::Item(item) = s {
                self.item(item, out);
            }
        }
    }

    fn block(&mut self, b: &syn::Block) -> Block {
        let mut stmts = Vec::with_capacity(b.stmts.len());
        for s in &b.stmts {
            match s {
                syn::Stmt::Local(l) => stmts.push(self.local(l)),
                syn::Stmt::Expr(e, _) => stmts.push(Stmt::Expr(self.expr(e))),
                syn::Stmt::Macro(m) => stmts.push(Stmt::Expr(self.mac(&m.mac))),
                syn::Stmt::Item(_) => {}
            }
        }
        Block { stmts }
    }

    fn local(&mut self, l: &syn::Local) -> Stmt {
        let (pat, ty_) = match &l.pat {
            syn::Pat::Type(pt) => (self.pat(&pt.pat), Some(ty(&pt.ty))),
            p => (self.pat(p), None),
        };
        let (init, els) = match &l.init {
            Some(init) => (
                Some(self.expr(&init.expr)),
                init.diverge.as_ref().map(|(_, e)| self.else_block(e)),
            ),
            None => (None, None),
        };
        Stmt::Let(Box::new(Local {
            pat,
            ty: ty_,
            init,
            els,
            span: between(l.let_token.span, l.semi_token.span),
        }))
    }

    fn else_block(&mut self, e: &syn::Expr) -> Block {
        match e {
            syn::Expr::Block(b) => self.block(&b.block),
            other => Block {
                stmts: vec![Stmt::Expr(self.expr(other))],
            },
        }
    }

    fn boxed(&mut self, e: &syn::Expr) -> Box<Expr> {
        Box::new(self.expr(e))
    }

    fn exprs<'a>(&mut self, es: impl IntoIterator<Item = &'a syn::Expr>) -> Vec<Expr> {
        es.into_iter().map(|e| self.expr(e)).exact()
    }

    pub fn expr(&mut self, e: &syn::Expr) -> Expr {
        if self.depth >= MAX_DEPTH {
            if self.too_deep.is_none() {
                self.too_deep = Some(between(spans::expr_lo(e), spans::expr_hi(e)));
            }
            return Expr::Opaque(Vec::new());
        }
        self.depth += 1;
        let out = self.expr_inner(e);
        self.depth -= 1;
        out
    }

    fn expr_inner(&mut self, e: &syn::Expr) -> Expr {
        use syn::Expr as E;
        match e {
            E::Lit(l) => Expr::Lit(match &l.lit {
                syn::Lit::Bool(b) => Lit::Bool(b.value),
                syn::Lit::Str(_) => Lit::Str,
                _ => Lit::Other,
            }),
            // Most paths are one identifier (`x`, `self`): its token is
            // the whole span.
            E::Path(syn::ExprPath {
                qself: None,
                path:
                    syn::Path {
                        leading_colon: None,
                        segments,
                    },
                ..
            }) if segments.len() == 1 && segments[0].arguments.is_none() => {
                let (name, span) = ident_sp(&segments[0].ident);
                self.name_expr(name, span)
            }
            E::Path(p) => self.path_expr(
                path_segs(&p.path),
                between(
                    p.qself
                        .as_ref()
                        .map_or_else(|| spans::path_lo(&p.path), |q| q.lt_token.span),
                    spans::path_hi(&p.path),
                ),
            ),
            E::Field(f) => {
                let base = self.boxed(&f.base);
                let (name, span) = match &f.member {
                    syn::Member::Named(i) => ident_sp(i),
                    syn::Member::Unnamed(i) => (member_name(&f.member), span_of(i.span)),
                };
                Expr::Field { base, name, span }
            }
            E::Index(i) => Expr::Index {
                base: self.boxed(&i.expr),
                index: self.boxed(&i.index),
            },
            E::Call(c) => {
                let callee_args = self
                    .exprs(std::iter::once(&*c.func).chain(&c.args))
                    .into_boxed_slice();
                let callee = &callee_args[0];
                if let Expr::Path { site, .. } = *callee {
                    self.called(site);
                }
                let lo = lo_of(&c.func, callee);
                Expr::Call {
                    callee_args,
                    span: Span {
                        lo,
                        hi: pos(c.paren_token.span.close().end()),
                    },
                }
            }
            E::MethodCall(m) => {
                let name = ident(&m.method);
                let arity = m.args.len() as u32 + 1;
                self.sites.push(Site::Method(name, arity));
                Expr::Method {
                    name,
                    recv_args: self
                        .exprs(std::iter::once(&*m.receiver).chain(&m.args))
                        .into_boxed_slice(),
                    span: between(m.method.span(), m.paren_token.span.close()),
                }
            }
            E::Macro(m) => self.mac(&m.mac),
            E::Unary(u) => match u.op {
                syn::UnOp::Not(_) => Expr::Not(self.boxed(&u.expr)),
                _ => Expr::Pass(self.boxed(&u.expr)),
            },
            E::Reference(r) => Expr::Pass(self.boxed(&r.expr)),
            E::Paren(p) => Expr::Pass(self.boxed(&p.expr)),
            E::Group(g) => Expr::Pass(self.boxed(&g.expr)),
            E::Binary(b) => {
                use syn::BinOp as B;
                let lhs = self.boxed(&b.left);
                let rhs = self.boxed(&b.right);
                let span = |lhs: &Expr, rhs: &Expr| Span {
                    lo: lo_of(&b.left, lhs),
                    hi: hi_of(&b.right, rhs),
                };
                match b.op {
                    B::And(_) => Expr::Binary {
                        op: BinOp::And,
                        lhs,
                        rhs,
                    },
                    B::Or(_) => Expr::Binary {
                        op: BinOp::Or,
                        lhs,
                        rhs,
                    },
                    B::Eq(_) | B::Ne(_) | B::Lt(_) | B::Le(_) | B::Gt(_) | B::Ge(_) => {
                        Expr::Binary {
                            op: BinOp::Compare,
                            lhs,
                            rhs,
                        }
                    }
                    B::AddAssign(_)
                    | B::SubAssign(_)
                    | B::MulAssign(_)
                    | B::DivAssign(_)
                    | B::RemAssign(_)
                    | B::BitXorAssign(_)
                    | B::BitAndAssign(_)
                    | B::BitOrAssign(_)
                    | B::ShlAssign(_)
                    | B::ShrAssign(_) => Expr::Assign {
                        span: span(&lhs, &rhs),
                        lhs,
                        rhs,
                        compound: true,
                    },
                    _ => Expr::Binary {
                        op: BinOp::Combine,
                        lhs,
                        rhs,
                    },
                }
            }
            E::Assign(a) => {
                let lhs = self.boxed(&a.left);
                let rhs = self.boxed(&a.right);
                Expr::Assign {
                    span: Span {
                        lo: lo_of(&a.left, &lhs),
                        hi: hi_of(&a.right, &rhs),
                    },
                    lhs,
                    rhs,
                    compound: false,
                }
            }
            E::If(i) => Expr::If {
                cond: self.boxed(&i.cond),
                then: self.block(&i.then_branch),
                els: i.else_branch.as_ref().map(|(_, e)| self.boxed(e)),
            },
            E::Let(l) => Expr::Let {
                pat: Box::new(self.pat(&l.pat)),
                expr: self.boxed(&l.expr),
            },
            E::Match(m) => Expr::Match {
                scrut: self.boxed(&m.expr),
                arms: m
                    .arms
                    .iter()
                    .map(|a| Arm {
                        pat: self.pat(&a.pat),
                        guard: a.guard.as_ref().map(|(_, g)| self.expr(g)),
                        body: self.expr(&a.body),
                    })
                    .exact(),
            },
            E::Block(b) => Expr::Block(self.block(&b.block)),
            E::Unsafe(b) => Expr::Block(self.block(&b.block)),
            E::Const(b) => Expr::Block(self.block(&b.block)),
            E::Async(b) => Expr::Block(self.block(&b.block)),
            E::TryBlock(b) => Expr::Block(self.block(&b.block)),
            E::Loop(l) => Expr::Loop {
                label: label(&l.label),
                body: self.block(&l.body),
            },
            E::While(w) => Expr::While {
                label: label(&w.label),
                cond: self.boxed(&w.cond),
                body: self.block(&w.body),
            },
            E::ForLoop(f) => Expr::For(Box::new(ForExpr {
                label: label(&f.label),
                pat: self.pat(&f.pat),
                iter: self.expr(&f.expr),
                body: self.block(&f.body),
            })),
            E::Break(b) => Expr::Break {
                label: b.label.as_ref().map(|l| ident(&l.ident)),
                value: b.expr.as_ref().map(|e| self.boxed(e)),
            },
            E::Continue(c) => Expr::Continue {
                label: c.label.as_ref().map(|l| ident(&l.ident)),
            },
            E::Return(r) => {
                let value = r.expr.as_ref().map(|e| self.boxed(e));
                let hi = match (&r.expr, &value) {
                    (Some(e), Some(v)) => hi_of(e, v),
                    _ => pos(r.return_token.span.end()),
                };
                Expr::Return {
                    value,
                    span: Span {
                        lo: pos(r.return_token.span.start()),
                        hi,
                    },
                }
            }
            E::Try(t) => {
                let expr = self.boxed(&t.expr);
                Expr::Try {
                    span: Span {
                        lo: lo_of(&t.expr, &expr),
                        hi: pos(t.question_token.span.end()),
                    },
                    expr,
                }
            }
            E::Await(a) => Expr::Await(self.boxed(&a.base)),
            E::Closure(c) => Expr::Closure {
                params: c
                    .inputs
                    .iter()
                    .map(|p| match p {
                        syn::Pat::Type(pt) => (self.pat(&pt.pat), Some(ty(&pt.ty))),
                        p => (self.pat(p), None),
                    })
                    .exact(),
                body: self.boxed(&c.body),
            },
            E::Struct(s) => Expr::Struct(Box::new(StructExpr {
                path: path_segs(&s.path),
                fields: s
                    .fields
                    .iter()
                    .map(|f| {
                        let name = member_name(&f.member);
                        (name, self.expr(&f.expr))
                    })
                    .exact(),
                rest: s.rest.as_ref().map(|r| self.expr(r)),
                span: between(
                    s.qself
                        .as_ref()
                        .map_or_else(|| spans::path_lo(&s.path), |q| q.lt_token.span),
                    s.brace_token.span.close(),
                ),
            })),
            E::Tuple(t) => Expr::Tuple(self.exprs(&t.elems)),
            E::Array(a) => Expr::Array(self.exprs(&a.elems)),
            E::Repeat(r) => Expr::Array(vec![self.expr(&r.expr)]),
            E::Cast(c) => Expr::Cast {
                expr: self.boxed(&c.expr),
                ty: Box::new(ty(&c.ty)),
            },
            E::Range(r) => {
                Expr::Opaque(self.exprs(r.start.iter().chain(r.end.iter()).map(|b| &**b)))
            }
            E::Yield(y) => Expr::Opaque(self.exprs(y.expr.iter().map(|b| &**b))),
            _ => Expr::Opaque(Vec::new()),
        }
    }

    /// A path expression, recorded as a site of the body.
    fn path_expr(&mut self, segs: Segs, span: Span) -> Expr {
        let site = (self.sites.len() - self.site_base) as SiteId;
        self.sites.push(Site::Path(segs.clone()));
        Expr::Path { segs, span, site }
    }

    /// `path_expr` of a one-name path (most are): its site's copy built
    /// from the name rather than cloned from the path's (callgrind).
    fn name_expr(&mut self, name: Sym, span: Span) -> Expr {
        let site = (self.sites.len() - self.site_base) as SiteId;
        self.sites.push(Site::Path(smallvec::smallvec![name]));
        Expr::Path {
            segs: smallvec::smallvec![name],
            span,
            site,
        }
    }

    /// The path at `site` is called, not only named.
    fn called(&mut self, site: SiteId) {
        if let Some(s) = self.sites.get_mut(self.site_base + site as usize) {
            if let Site::Path(segs) = s {
                *s = Site::CallPath(std::mem::take(segs));
            }
        }
    }

    /// Inline captures of a format string, as paths: `"{x} {y:?}"` → `x`, `y`.
    fn format_captures(&mut self, s: &str, span: Span, out: &mut Vec<Expr>) {
        for name in capture_names(s) {
            out.push(self.name_expr(Sym::new(name), span));
        }
    }

    /// Macros: arguments that parse as expressions are analysed. Format
    /// strings' inline captures (`{x}`) are arguments too.
    fn mac(&mut self, m: &syn::Macro) -> Expr {
        let name = m
            .path
            .segments
            .last()
            .map_or_else(|| Sym::new(""), |s| ident(&s.ident));
        let (lo, hi) = spans::mac(m);
        let span = between(lo, hi);
        let args = self.macro_args(&m.tokens);
        match name.as_str() {
            "panic" | "unreachable" | "todo" | "unimplemented" => Expr::Diverge(args),
            // `assert!(c)` continues only when `c` holds: like `if !c { panic!() }`.
            "assert" | "debug_assert" => {
                let mut it = args.into_iter();
                match it.next() {
                    Some(cond) => Expr::If {
                        cond: Box::new(Expr::Not(Box::new(cond))),
                        then: Block {
                            stmts: vec![Stmt::Expr(Expr::Diverge(it.exact()))],
                        },
                        els: None,
                    },
                    None => Expr::Opaque(Vec::new()),
                }
            }
            _ => Expr::Macro {
                name,
                args: args.into_boxed_slice(),
                span,
            },
        }
    }

    fn macro_args(&mut self, tokens: &TokenStream) -> Vec<Expr> {
        // The common shapes without syn ([`simple`]): the same IR. (Within
        // the depth limit, which lowering them directly does not check.)
        if let Some(nodes) = simple::args(tokens.clone()) {
            if self.depth + simple::height(&nodes) + 1 < MAX_DEPTH {
                return self.simple_args(nodes);
            }
        }
        let parser = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(list) = parser.parse2(tokens.clone()) {
            let mut out = Vec::with_capacity(list.len());
            for e in &list {
                match e {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => {
                        self.format_captures(&s.value(), span_of(s.span()), &mut out);
                        out.push(self.expr(e));
                    }
                    // A named argument `name = value` (format!("{p}", p = x)).
                    syn::Expr::Assign(a) if matches!(&*a.left, syn::Expr::Path(_)) => {
                        out.push(self.expr(&a.right))
                    }
                    _ => out.push(self.expr(e)),
                }
            }
            return out;
        }
        // Not a comma-separated list (`json!({"a": x})`, `vec![x; n]`, DSLs):
        // analyse every segment between separators that parses as an expression.
        let mut out = Vec::new();
        self.segments(tokens.clone(), &mut out);
        out
    }

    fn segments(&mut self, tokens: TokenStream, out: &mut Vec<Expr>) {
        let mut cur: Vec<TokenTree> = Vec::new();
        let flush = |this: &mut Self, cur: &mut Vec<TokenTree>, out: &mut Vec<Expr>| {
            if cur.is_empty() {
                return;
            }
            let ts: TokenStream = cur.drain(..).collect();
            match syn::parse2::<syn::Expr>(ts.clone()) {
                Ok(syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                })) => this.format_captures(&s.value(), span_of(s.span()), out),
                Ok(e) if !matches!(e, syn::Expr::Block(_)) => out.push(this.expr(&e)),
                _ => {
                    // Descend into groups whose contents may hold expressions.
                    for tt in ts {
                        if let TokenTree::Group(g) = tt {
                            if this.depth < MAX_DEPTH {
                                this.depth += 1;
                                this.segments(g.stream(), out);
                                this.depth -= 1;
                            }
                        }
                    }
                }
            }
        };
        let mut tokens = tokens.into_iter().peekable();
        while let Some(tt) = tokens.next() {
            match &tt {
                // An attribute (`#[cfg(…)]`, `#[doc = "…"]`) is not code:
                // its `name = "…"` is no assignment.
                TokenTree::Punct(p) if p.as_char() == '#' && is_attribute(tokens.peek()) => {
                    tokens.next();
                }
                TokenTree::Punct(p)
                    if matches!(p.as_char(), ',' | ';' | ':' | '=' | '>')
                        && !cur.is_empty()
                        && is_separator(&cur, p) =>
                {
                    flush(self, &mut cur, out);
                }
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace && cur.is_empty() => {
                    self.segments(g.stream(), out);
                }
                _ => cur.push(tt),
            }
        }
        flush(self, &mut cur, out);
    }

    fn pat(&mut self, p: &syn::Pat) -> Pat {
        use syn::Pat as P;
        match p {
            P::Ident(i) => {
                let (name, span) = ident_sp(&i.ident);
                Pat::Bind {
                    name,
                    sub: i.subpat.as_ref().map(|(_, s)| Box::new(self.pat(s))),
                    span,
                }
            }
            P::Wild(_) => Pat::Wild,
            P::Rest(_) => Pat::Rest,
            P::Lit(l) => Pat::Lit(match &l.lit {
                syn::Lit::Bool(b) => Lit::Bool(b.value),
                syn::Lit::Str(_) => Lit::Str,
                _ => Lit::Other,
            }),
            P::Tuple(t) => Pat::Tuple(t.elems.iter().map(|p| self.pat(p)).exact()),
            P::TupleStruct(t) => Pat::TupleStruct {
                path: path_segs(&t.path),
                elems: t.elems.iter().map(|p| self.pat(p)).exact(),
            },
            P::Struct(s) => Pat::Struct {
                path: path_segs(&s.path),
                fields: s
                    .fields
                    .iter()
                    .map(|f| {
                        let name = member_name(&f.member);
                        (name, self.pat(&f.pat))
                    })
                    .exact(),
            },
            P::Path(p) => Pat::Path(path_segs(&p.path)),
            P::Reference(r) => self.pat(&r.pat),
            P::Paren(p) => self.pat(&p.pat),
            P::Type(t) => self.pat(&t.pat),
            P::Or(o) => Pat::Or(o.cases.iter().map(|p| self.pat(p)).exact()),
            P::Slice(s) => Pat::Other(s.elems.iter().map(|p| self.pat(p)).exact()),
            _ => Pat::Other(Vec::new()),
        }
    }
}

/// Items written inside an item-position macro invocation: its whole body if
/// it parses as items, else every brace group inside it that does.
/// `macro_rules!` definitions hold patterns, not items, and are skipped.
pub fn macro_items(m: &syn::ItemMacro) -> Vec<syn::Item> {
    if m.ident.is_some() || m.mac.path.is_ident("macro_rules") {
        return Vec::new();
    }
    let mut out = Vec::new();
    items_in(m.mac.tokens.clone(), &mut out, 0);
    out
}

fn items_in(tokens: TokenStream, out: &mut Vec<syn::Item>, depth: u32) {
    if depth > 8 {
        return;
    }
    if let Ok(f) = syn::parse2::<syn::File>(tokens.clone()) {
        if !f.items.is_empty() {
            out.extend(f.items);
            return;
        }
    }
    for tt in tokens {
        if let TokenTree::Group(g) = tt {
            if g.delimiter() == Delimiter::Brace {
                items_in(g.stream(), out, depth + 1);
            }
        }
    }
}

/// Whether the token after a `#` makes it an attribute: `#[…]`.
fn is_attribute(next: Option<&TokenTree>) -> bool {
    matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
}

/// Whether `p` ends a segment: `=>` and `::` are not separators, `:` alone is.
fn is_separator(cur: &[TokenTree], p: &proc_macro2::Punct) -> bool {
    match p.as_char() {
        ',' | ';' => true,
        ':' => {
            p.spacing() == proc_macro2::Spacing::Alone
                && !matches!(cur.last(), Some(TokenTree::Punct(q)) if q.as_char() == ':')
        }
        '=' => p.spacing() == proc_macro2::Spacing::Joint,
        '>' => matches!(cur.last(), Some(TokenTree::Punct(q)) if q.as_char() == '='),
        _ => false,
    }
}

fn names(v: Vec<datagate_spec::Name>) -> Vec<Name> {
    v.into_iter()
        .map(|n| Name {
            custom: n.kind == datagate_spec::NameKind::Custom,
            span: span_of(n.span),
            text: n.text,
        })
        .exact()
}

fn consent(c: attr::ConsentAttr, span: Span) -> ConsentAttr {
    ConsentAttr {
        to: names(c.to),
        purposes: names(c.purposes),
        categories: c.categories.map(names),
        span,
    }
}

fn allow(a: attr::AllowAttr, span: Span) -> AllowAttr {
    AllowAttr {
        codes: a.codes.into_iter().map(|(c, _)| c).exact(),
        reason: a.reason,
        span,
    }
}

/// A struct field's name: its ident, or its index for tuple fields.
fn member_name(m: &syn::Member) -> Sym {
    match m {
        syn::Member::Named(id) => ident(id),
        syn::Member::Unnamed(i) => Sym::from(i.index.to_string()),
    }
}

/// The value of a `#[path = ".."]` attribute.
pub fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    path_attrs(attrs).into_iter().next()
}

/// Every module path an item may have: `#[path = ".."]` first, then the
/// platform-dependent ones of `#[cfg_attr(.., path = "..")]`.
pub fn path_attrs(attrs: &[syn::Attribute]) -> Vec<String> {
    fn value(m: &syn::Meta) -> Option<String> {
        match m {
            syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        }
    }
    let mut out: Vec<String> = attrs.iter().filter_map(|a| value(&a.meta)).exact();
    for a in attrs.iter().filter(|a| a.path().is_ident("cfg_attr")) {
        let parser = Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated;
        if let Ok(list) = a.parse_args_with(parser) {
            out.extend(list.iter().skip(1).filter_map(value));
        }
    }
    out
}

fn label(l: &Option<syn::Label>) -> Option<Sym> {
    l.as_ref().map(|l| ident(&l.name.ident))
}

fn generic_names(g: &syn::Generics) -> Vec<Sym> {
    g.type_params().map(|t| ident(&t.ident)).exact()
}

fn trait_bounds<'a>(bounds: impl Iterator<Item = &'a syn::TypeParamBound>) -> Vec<Vec<Sym>> {
    bounds
        .filter_map(|b| match b {
            syn::TypeParamBound::Trait(t) => Some(path_segs(&t.path)),
            _ => None,
        })
        .exact()
}

/// Inline captures of a format string: `"{x} {y:?} {0} {}"` → `x`, `y`.
fn capture_names(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '{' {
            continue;
        }
        if let Some(&(_, '{')) = chars.peek() {
            chars.next();
            continue;
        }
        let rest = &s[i + 1..];
        let end = rest.find(['}', ':']).unwrap_or(rest.len());
        let name = rest[..end].trim();
        let ident_like = name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if ident_like {
            out.push(name);
        }
    }
    out
}

pub fn ty(t: &syn::Type) -> TyRef {
    use syn::Type as T;
    match t {
        T::Path(p) => {
            // Most type paths are one name (`String`, `u64`, `Self`).
            let segs = match (&p.path.leading_colon, p.path.segments.first()) {
                (None, Some(s)) if p.path.segments.len() == 1 => {
                    smallvec::smallvec![ident(&s.ident)]
                }
                _ => path_segs(&p.path),
            };
            let args = p
                .path
                .segments
                .last()
                .map(|s| match &s.arguments {
                    syn::PathArguments::AngleBracketed(a) => a
                        .args
                        .iter()
                        .filter_map(|g| match g {
                            syn::GenericArgument::Type(t) => Some(ty(t)),
                            _ => None,
                        })
                        .exact(),
                    _ => Vec::new(),
                })
                .unwrap_or_default();
            TyRef::Path { segs, args }
        }
        T::Reference(r) => TyRef::Ref(Box::new(ty(&r.elem))),
        T::Ptr(r) => TyRef::Ref(Box::new(ty(&r.elem))),
        T::Paren(p) => ty(&p.elem),
        T::Group(g) => ty(&g.elem),
        T::Tuple(t) => TyRef::Tuple(t.elems.iter().map(ty).exact()),
        T::Slice(s) => TyRef::Slice(Box::new(ty(&s.elem))),
        T::Array(a) => TyRef::Slice(Box::new(ty(&a.elem))),
        T::ImplTrait(i) => TyRef::Bounds(trait_bounds(i.bounds.iter())),
        T::TraitObject(o) => TyRef::Bounds(trait_bounds(o.bounds.iter())),
        _ => TyRef::Unknown,
    }
}

/// Flatten a use tree into entries.
pub fn flatten_use(tree: &syn::UseTree, prefix: &mut Vec<Sym>, out: &mut Vec<UseEntry>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(ident(&p.ident));
            flatten_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = ident(&n.ident);
            if name == "self" {
                if let Some(last) = prefix.last().copied() {
                    out.push(UseEntry {
                        path: prefix.clone(),
                        alias: Some(last),
                    });
                }
            } else {
                out.push(UseEntry {
                    path: [&prefix[..], &[name]].concat(),
                    alias: Some(name),
                });
            }
        }
        syn::UseTree::Rename(r) => {
            let name = ident(&r.ident);
            let path = if name == "self" {
                prefix.clone()
            } else {
                [&prefix[..], &[name]].concat()
            };
            let alias = ident(&r.rename);
            if alias != "_" {
                out.push(UseEntry {
                    path,
                    alias: Some(alias),
                });
            }
        }
        syn::UseTree::Glob(_) => out.push(UseEntry {
            path: prefix.clone(),
            alias: None,
        }),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten_use(t, prefix, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CollectExact;

    #[test]
    fn exact_vectors_hold_no_slack() {
        let all: Vec<u32> = [1, 2, 3].iter().map(|x| x * 2).exact();
        assert_eq!((all.as_slice(), all.capacity()), (&[2, 4, 6][..], 3));
        let none: Vec<u32> = [1, 2, 3].iter().filter_map(|_| None).exact();
        assert_eq!((none.len(), none.capacity()), (0, 0));
        let some: Vec<u32> = [1, 2, 3].iter().copied().filter(|x| *x > 1).exact();
        assert_eq!(some, [2, 3]);
        assert!(some.capacity() <= 3);
    }
}
