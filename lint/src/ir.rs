//! The owned, `Send` intermediate representation each file is reduced to.
//!
//! syn's trees hold proc-macro2 spans and are not `Send`, so every file is
//! parsed and lowered to this IR on one thread and the tree is dropped there
//! (DESIGN §8). The IR keeps what the analysis needs: items, signatures,
//! annotations and function bodies as a simplified expression tree, with
//! line/column spans. Everything else (types' layouts, lifetimes, generics'
//! details) is dropped.

pub use crate::sym::Sym;
use datagate_spec::Code;

/// A path's segments. Nearly every path has one or two, kept inline.
pub type Segs = smallvec::SmallVec<[Sym; 2]>;

/// A 1-based line/column position (column counted in chars).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// A source range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub lo: Pos,
    pub hi: Pos,
}

/// A name written in an annotation (the `Send` twin of `datagate_spec::Name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    /// Written as a string literal: a custom name checked against the policy.
    pub custom: bool,
    pub span: Span,
}

/// `#[datagate::sink(..)]`.
#[derive(Debug, Clone)]
pub struct SinkAttr {
    pub to: Vec<Name>,
    pub purposes: Vec<Name>,
    pub args: Option<Vec<Name>>,
    pub span: Span,
}

/// `#[datagate::source(..)]`.
#[derive(Debug, Clone)]
pub struct SourceAttr {
    pub categories: Vec<Name>,
    pub span: Span,
}

/// `#[datagate::consent_check(..)]` or `#[consent(..)]`.
#[derive(Debug, Clone)]
pub struct ConsentAttr {
    pub to: Vec<Name>,
    pub purposes: Vec<Name>,
    pub categories: Option<Vec<Name>>,
    pub span: Span,
}

/// `#[datagate::declassify(..)]`.
#[derive(Debug, Clone)]
pub struct DeclassifyAttr {
    pub categories: Vec<Name>,
    pub reason: String,
    pub span: Span,
}

/// `#[datagate::allow(..)]`.
#[derive(Debug, Clone)]
pub struct AllowAttr {
    pub codes: Vec<Code>,
    pub reason: String,
    pub span: Span,
}

/// A lowered file: its items and the problems found while lowering.
#[derive(Debug, Default)]
pub struct FileIr {
    pub items: Vec<Item>,
    pub problems: Vec<Problem>,
    pub lines: usize,
}

/// Something wrong with the input that the analysis reports.
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: Code,
    pub span: Span,
    pub message: String,
}

// Items are built once per file and moved rarely; boxing the large variants
// would cost an allocation each for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Item {
    Mod(ModDef),
    Use(Vec<UseEntry>),
    Struct(StructDef),
    Enum(EnumDef),
    Fn(FnDef),
    Impl(ImplDef),
    Trait(TraitDef),
    /// `type A = B;`
    Alias {
        name: Sym,
        ty: TyRef,
    },
    /// `extern crate a as b;`
    ExternCrate {
        name: Sym,
        alias: Sym,
    },
}

/// Call `f` on every function definition among `items`: free functions,
/// methods of impls and traits, and those of inline modules, in order.
pub fn each_fn<'a>(items: &'a [Item], f: &mut impl FnMut(&'a FnDef)) {
    for item in items {
        match item {
            Item::Fn(d) => f(d),
            Item::Impl(d) => d.items.iter().for_each(&mut *f),
            Item::Trait(d) => d.items.iter().for_each(&mut *f),
            Item::Mod(d) => each_fn(d.inline.as_deref().unwrap_or_default(), f),
            _ => {}
        }
    }
}

#[derive(Debug)]
pub struct ModDef {
    pub name: Sym,
    pub span: Span,
    /// `Some` for `mod m { .. }`, `None` for `mod m;`.
    pub inline: Option<Vec<Item>>,
    /// `#[path = ".."]`.
    pub path_attr: Option<String>,
    pub allow: Vec<AllowAttr>,
}

/// One imported name: `use a::b::c as d;` is `UseEntry { path: [a, b, c], alias: Some(d) }`.
#[derive(Debug, Clone)]
pub struct UseEntry {
    pub path: Vec<Sym>,
    /// `None` for a glob import (`use a::*`).
    pub alias: Option<Sym>,
}

#[derive(Debug)]
pub struct FieldDef {
    /// Field name, or the index for tuple fields.
    pub name: Sym,
    pub ty: TyRef,
    pub span: Span,
    pub personal: Vec<Name>,
    pub consent: Option<ConsentAttr>,
}

#[derive(Debug)]
pub struct StructDef {
    pub name: Sym,
    pub span: Span,
    pub fields: Vec<FieldDef>,
    /// Container-level `#[personal(..)]`.
    pub personal: Vec<Name>,
    pub generics: Vec<Sym>,
    pub allow: Vec<AllowAttr>,
}

#[derive(Debug)]
pub struct VariantDef {
    pub name: Sym,
    pub span: Span,
    pub fields: Vec<FieldDef>,
    pub personal: Vec<Name>,
}

#[derive(Debug)]
pub struct EnumDef {
    pub name: Sym,
    pub span: Span,
    pub variants: Vec<VariantDef>,
    pub personal: Vec<Name>,
    pub generics: Vec<Sym>,
    pub allow: Vec<AllowAttr>,
}

/// The datagate annotations on a function.
#[derive(Debug, Default)]
pub struct FnAnnotations {
    pub sink: Option<SinkAttr>,
    pub source: Option<SourceAttr>,
    pub consent_check: Option<ConsentAttr>,
    pub declassify: Option<DeclassifyAttr>,
    pub allow: Vec<AllowAttr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfKind {
    Value,
    Ref,
    RefMut,
}

#[derive(Debug)]
pub struct Param {
    pub pat: Pat,
    pub ty: TyRef,
    /// `&mut T`: writes into it flow back to the caller.
    pub by_mut_ref: bool,
}

#[derive(Debug)]
pub struct FnDef {
    pub name: Sym,
    pub span: Span,
    pub receiver: Option<SelfKind>,
    pub params: Vec<Param>,
    pub ret: Option<TyRef>,
    pub is_async: bool,
    /// Generic parameter → trait bounds (paths), for calls through bounds.
    pub bounds: Vec<(Sym, Vec<Vec<Sym>>)>,
    pub body: Option<Block>,
    /// The paths and method calls written in the body (closures included,
    /// nested functions not), recorded as it is lowered: the call graph and
    /// path resolution read them here instead of walking the body again
    /// after parsing, when it is no longer in the cache. A path expression
    /// of the body holds its index here ([`Expr::Path`]'s `site`).
    pub sites: Box<[Site]>,
    /// Boxed, and only when there are any: most functions have none, and
    /// an empty record is 300 bytes (30 MB at 1M lines). Read it with
    /// [`FnDef::ann`].
    pub ann: Option<Box<FnAnnotations>>,
}

static NO_ANNOTATIONS: FnAnnotations = FnAnnotations {
    sink: None,
    source: None,
    consent_check: None,
    declassify: None,
    allow: Vec::new(),
};

impl FnAnnotations {
    pub fn is_empty(&self) -> bool {
        let FnAnnotations {
            sink,
            source,
            consent_check,
            declassify,
            allow,
        } = self;
        sink.is_none()
            && source.is_none()
            && consent_check.is_none()
            && declassify.is_none()
            && allow.is_empty()
    }
}

impl FnDef {
    pub fn ann(&self) -> &FnAnnotations {
        self.ann.as_deref().unwrap_or(&NO_ANNOTATIONS)
    }

    /// Number of arguments including the receiver.
    pub fn arity(&self) -> usize {
        self.params.len() + usize::from(self.receiver.is_some())
    }
}

/// Where a path or a method call is written in a function body, and what.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Site {
    /// A path used as a value: a local, a constant, `map(Row::heavier)`.
    Path(Segs),
    /// The path a call calls (`f(x)`, `Row::new()`).
    CallPath(Segs),
    /// A method call: the name and the arity, receiver included.
    Method(Sym, u32),
}

/// A path expression's index in its function's [`FnDef::sites`].
pub type SiteId = u32;

#[derive(Debug)]
pub struct ImplDef {
    pub self_ty: TyRef,
    pub trait_path: Option<Vec<Sym>>,
    pub items: Vec<FnDef>,
    pub generics: Vec<Sym>,
    pub allow: Vec<AllowAttr>,
    pub span: Span,
}

#[derive(Debug)]
pub struct TraitDef {
    pub name: Sym,
    pub span: Span,
    pub items: Vec<FnDef>,
    pub allow: Vec<AllowAttr>,
}

/// A syntactic type, resolved later against the module's scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TyRef {
    /// `a::B<T, U>`: generic arguments of the last segment.
    Path {
        segs: Segs,
        args: Vec<TyRef>,
    },
    Ref(Box<TyRef>),
    Tuple(Vec<TyRef>),
    /// Slices and arrays.
    Slice(Box<TyRef>),
    /// `impl A + B` and `dyn A + B`: the bounds' paths.
    Bounds(Vec<Vec<Sym>>),
    /// `fn(..) -> ..`, `_`, macros, anything else.
    Unknown,
}

#[derive(Debug, Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
}

#[derive(Debug)]
pub enum Stmt {
    /// Boxed: a `let` is four times the size of an expression statement.
    Let(Box<Local>),
    Expr(Expr),
}

/// `let PAT: TY = INIT else { ELS };`
#[derive(Debug)]
pub struct Local {
    pub pat: Pat,
    pub ty: Option<TyRef>,
    pub init: Option<Expr>,
    pub els: Option<Block>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lit {
    Bool(bool),
    Str,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    And,
    Or,
    /// Comparisons: the result carries no data.
    Compare,
    /// Arithmetic, bit operations, string concatenation: the result carries both sides.
    Combine,
}

#[derive(Debug)]
pub struct Arm {
    pub pat: Pat,
    pub guard: Option<Expr>,
    pub body: Expr,
}

#[derive(Debug)]
pub enum Expr {
    Lit(Lit),
    Path {
        segs: Segs,
        span: Span,
        site: SiteId,
    },
    Field {
        base: Box<Expr>,
        name: Sym,
        span: Span,
    },
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    /// `callee(args)`.
    Call {
        /// The callee, then the arguments: one allocation for both, as for
        /// [`Expr::Method`]. Never empty (`split_first` it, or ask
        /// [`Expr::call_parts`] of an expression that may be a call).
        callee_args: Box<[Expr]>,
        span: Span,
    },
    /// `recv.name(args)`.
    Method {
        name: Sym,
        /// The receiver, then the arguments: one allocation for both, and
        /// no box of its own for the receiver, which keeps [`Expr`] at 48
        /// bytes.
        recv_args: Box<[Expr]>,
        span: Span,
    },
    Macro {
        name: Sym,
        args: Box<[Expr]>,
        span: Span,
    },
    Not(Box<Expr>),
    /// `-x`, `*x`, `&x`, `&mut x`, `(x)`: the value passes through.
    Pass(Box<Expr>),
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Assign {
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        /// `+=` and friends keep the old value's data.
        compound: bool,
        span: Span,
    },
    If {
        cond: Box<Expr>,
        then: Block,
        els: Option<Box<Expr>>,
    },
    /// `let PAT = EXPR` inside an `if` or `while` condition.
    Let {
        pat: Box<Pat>,
        expr: Box<Expr>,
    },
    Match {
        scrut: Box<Expr>,
        arms: Vec<Arm>,
    },
    Block(Block),
    Loop {
        label: Option<Sym>,
        body: Block,
    },
    While {
        label: Option<Sym>,
        cond: Box<Expr>,
        body: Block,
    },
    /// Boxed, as are struct literals: the largest variants set every
    /// expression's size.
    For(Box<ForExpr>),
    Break {
        label: Option<Sym>,
        value: Option<Box<Expr>>,
    },
    Continue {
        label: Option<Sym>,
    },
    Return {
        value: Option<Box<Expr>>,
        span: Span,
    },
    Try {
        expr: Box<Expr>,
        span: Span,
    },
    Await(Box<Expr>),
    Closure {
        params: Vec<(Pat, Option<TyRef>)>,
        body: Box<Expr>,
    },
    Struct(Box<StructExpr>),
    Tuple(Vec<Expr>),
    Array(Vec<Expr>),
    Cast {
        expr: Box<Expr>,
        ty: Box<TyRef>,
    },
    /// Anything else: the value is the union of its parts.
    Opaque(Vec<Expr>),
    /// `panic!(..)`, `unreachable!()`, ...: evaluates its parts, never returns.
    Diverge(Vec<Expr>),
}

#[derive(Debug)]
pub struct ForExpr {
    pub label: Option<Sym>,
    pub pat: Pat,
    pub iter: Expr,
    pub body: Block,
}

/// `Path { field: value, ..rest }`.
#[derive(Debug)]
pub struct StructExpr {
    pub path: Segs,
    pub fields: Vec<(Sym, Expr)>,
    pub rest: Option<Expr>,
    pub span: Span,
}

#[derive(Debug)]
pub enum Pat {
    Bind {
        name: Sym,
        sub: Option<Box<Pat>>,
        span: Span,
    },
    Wild,
    Rest,
    Lit(Lit),
    Tuple(Vec<Pat>),
    TupleStruct {
        path: Segs,
        elems: Vec<Pat>,
    },
    Struct {
        path: Segs,
        fields: Vec<(Sym, Pat)>,
    },
    /// A path pattern: a unit variant (`None`) or a constant.
    Path(Segs),
    Or(Vec<Pat>),
    /// Slices, ranges, anything else: bindings inside get the whole value.
    Other(Vec<Pat>),
}

impl Expr {
    /// A call's callee and arguments; `None` for any other expression.
    pub fn call_parts(&self) -> Option<(&Expr, &[Expr])> {
        match self {
            Expr::Call { callee_args, .. } => callee_args.split_first(),
            _ => None,
        }
    }
}

// A million lines hold tens of millions of expressions and statements;
// their size is most of the IR's memory. Box large new variants.
const _: () = assert!(std::mem::size_of::<Expr>() <= 48);
const _: () = assert!(std::mem::size_of::<Stmt>() <= 48);
