//! Index and resolve: the module tree of every crate, the items in it, and
//! name resolution without compiling (`use` trees with globs, renames,
//! `self`/`super`/`crate`, re-exports, impl blocks to their types, trait
//! impls to their traits, `Self`). Anything that does not resolve inside the
//! workspace resolves to an external path (`fb_marketing::Client::send`),
//! which is how policy `[[sinks]]` and `[[sources]]` match.

use crate::ir::Sym;
use crate::ir::{AllowAttr, EnumDef, FieldDef, FnDef, Item, StructDef, TraitDef, TyRef, UseEntry};
use crate::parse::Parsed;
// The index is read millions of times per run: a fast, randomly seeded hash
// (its keys are names from the checked code).
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rayon::prelude::*;

pub type ModId = usize;
pub type AdtId = usize;
pub type FnId = usize;
pub type TraitId = usize;

#[derive(Debug, Clone, Copy)]
pub enum Def<'p> {
    Mod(ModId),
    Adt(AdtId),
    Fn(FnId),
    Trait(TraitId),
    Alias(&'p TyRef, ModId),
}

#[derive(Debug, Default)]
pub struct Module<'p> {
    pub krate: usize,
    pub path: Vec<Sym>,
    /// The file that declares the module's items (for inline modules, the
    /// file holding them).
    pub file: usize,
    pub parent: Option<ModId>,
    /// Nearly every name has one definition, kept inline: a `Vec` would
    /// allocate room for four on the first (12 MB at 1M lines).
    pub names: HashMap<Sym, smallvec::SmallVec<[Def<'p>; 1]>>,
    pub uses: Vec<&'p UseEntry>,
    /// The allows written on the module's declaration, with the file they
    /// are written in (for `mod a;`, the parent's).
    pub allow: Vec<(usize, &'p AllowAttr)>,
}

#[derive(Debug, Clone, Copy)]
pub enum AdtKind<'p> {
    Struct(&'p StructDef),
    Enum(&'p EnumDef),
}

#[derive(Debug)]
pub struct Adt<'p> {
    pub name: Sym,
    pub module: ModId,
    pub kind: AdtKind<'p>,
    /// The resolved types of its fields (every variant's, in order) for a
    /// use without generic arguments, each resolved on first use
    /// ([`Index::field_ty`]): the analysis asks at every field read, and
    /// resolving each time was 4% of the flow stage's instructions
    /// (callgrind, 100k generated lines). Allocated only for types whose
    /// fields are read.
    field_tys: std::sync::OnceLock<Box<[std::sync::OnceLock<Ty>]>>,
}

impl<'p> Adt<'p> {
    pub fn file(&self, ix: &Index<'_>) -> usize {
        ix.modules[self.module].file
    }

    /// The fields of a struct, or of the named variant of an enum (or of every
    /// variant when `variant` is `None`).
    pub fn fields(&self, variant: Option<&str>) -> Vec<&'p FieldDef> {
        match self.kind {
            AdtKind::Struct(s) => s.fields.iter().collect(),
            AdtKind::Enum(e) => e
                .variants
                .iter()
                .filter(|v| variant.is_none_or(|n| v.name == n))
                .flat_map(|v| v.fields.iter())
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Free,
    /// A method in `impl Type` or `impl Trait for Type`.
    Impl {
        adt: Option<AdtId>,
        trait_: Option<TraitId>,
    },
    /// A method declared in a trait (maybe with a default body).
    TraitDecl(TraitId),
}

#[derive(Debug)]
pub struct FnInfo<'p> {
    pub def: &'p FnDef,
    /// The function's annotations, if it has any: read here, next to the
    /// other functions', and not in its definition (a cache miss for each).
    pub ann: Option<&'p crate::ir::FnAnnotations>,
    pub module: ModId,
    pub owner: Owner,
    /// The type or trait a method belongs to, for [`Index::fn_path`].
    parent: Option<Sym>,
    /// The resolved `Self` type of the enclosing impl or trait.
    pub self_ty: Option<Ty>,
    /// `allow` attributes on the function and every enclosing item.
    pub allows: Vec<&'p AllowAttr>,
    /// Generic parameters of the enclosing impl.
    pub impl_generics: &'p [Sym],
    /// Parameter and return types, resolved on first use ([`Index::sig`]).
    /// Boxed: most functions are never analysed, and every function carries
    /// the slot.
    sig: std::sync::OnceLock<Box<Sig>>,
}

/// A function's parameter types (receiver excluded) and return type, as
/// resolved in its module. Every call of the function needs them.
#[derive(Debug)]
pub struct Sig {
    pub params: Vec<Ty>,
    pub ret: Option<Ty>,
}

#[derive(Debug)]
pub struct TraitInfo<'p> {
    pub name: Sym,
    pub module: ModId,
    pub def: &'p TraitDef,
    /// Method name → its declaration.
    pub decls: HashMap<Sym, FnId>,
    /// Method name → every impl of it.
    pub impls: HashMap<Sym, Vec<FnId>>,
}

/// A resolved type, as far as the analysis needs one.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub enum Ty {
    Adt(AdtId, Vec<Ty>),
    /// A type outside the workspace, by full path, with its generic arguments.
    Ext(Sym, Vec<Ty>),
    Tuple(Vec<Ty>),
    Slice(Box<Ty>),
    /// An iterator over these elements.
    Iter(Box<Ty>),
    /// `dyn Trait`, `impl Trait` or a generic bounded by these traits.
    Dyn(Vec<TraitId>),
    #[default]
    Unknown,
}

/// The derived clone, with the common cases (no generic arguments) first:
/// the analysis copies a value's type with the value, and the derived
/// clone went through `Vec::clone` even for no arguments (3% of the flow
/// stage's instructions, callgrind, 100k generated lines).
impl Clone for Ty {
    #[inline]
    fn clone(&self) -> Ty {
        match self {
            Ty::Unknown => Ty::Unknown,
            Ty::Adt(a, args) if args.is_empty() => Ty::Adt(*a, Vec::new()),
            Ty::Ext(p, args) if args.is_empty() => Ty::Ext(*p, Vec::new()),
            Ty::Adt(a, args) => Ty::Adt(*a, args.clone()),
            Ty::Ext(p, args) => Ty::Ext(*p, args.clone()),
            Ty::Tuple(v) => Ty::Tuple(v.clone()),
            Ty::Slice(t) => Ty::Slice(t.clone()),
            Ty::Iter(t) => Ty::Iter(t.clone()),
            Ty::Dyn(t) => Ty::Dyn(t.clone()),
        }
    }
}

impl Ty {
    /// The last segment of an external type's path (`Vec`, `HashMap`).
    pub fn ext_name(&self) -> Option<&str> {
        match self {
            Ty::Ext(p, _) => Some(last_segment(p)),
            _ => None,
        }
    }

    /// The element type when iterated.
    pub fn elem(&self) -> Ty {
        match self {
            Ty::Slice(t) | Ty::Iter(t) => (**t).clone(),
            Ty::Ext(_, args) => match (self.ext_name(), args.as_slice()) {
                (Some("HashMap" | "BTreeMap" | "IndexMap"), [k, v]) => {
                    Ty::Tuple(vec![k.clone(), v.clone()])
                }
                (_, [t, ..]) => t.clone(),
                _ => Ty::Unknown,
            },
            _ => Ty::Unknown,
        }
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, Ty::Unknown)
    }
}

/// The text after the last `::` of a path (all of it when there is none),
/// as `s.rsplit("::").next()` gives it, without building a substring
/// searcher: asked for every external type the analysis looks at, where
/// the searcher's setup was 2% of the flow stage's instructions (callgrind,
/// 100k generated lines).
pub fn last_segment(s: &str) -> &str {
    split_last_segment(s).1
}

/// The path before its last `::` (if it has one) and the text after it.
pub fn split_last_segment(s: &str) -> (Option<&str>, &str) {
    let b = s.as_bytes();
    // The rightmost `::` ends at `i`; a reverse search finds that one.
    let mut i = b.len();
    while i >= 2 {
        if b[i - 1] == b':' && b[i - 2] == b':' {
            return (Some(&s[..i - 2]), &s[i..]);
        }
        i -= 1;
    }
    (None, s)
}

/// What a path resolves to.
#[derive(Debug, Clone)]
pub enum Res<'p> {
    Mod(ModId),
    Adt(AdtId),
    Variant(AdtId, Sym),
    Fn(FnId),
    /// Several workspace functions (an associated function in several impls).
    Fns(Vec<FnId>),
    Trait(TraitId),
    Alias(&'p TyRef, ModId),
    /// Outside the workspace: the full path (interned: resolutions are
    /// cloned out of caches all the time).
    Ext(Sym),
    None,
}

/// The state of one name resolution: lookups in progress (to cut re-export
/// cycles), lookups done (so a re-export graph is walked once), and a step
/// budget that bounds pathological module graphs.
#[derive(Default)]
struct Walk<'p> {
    stack: Vec<(ModId, Sym, bool)>,
    memo: LookupMemo<'p>,
    steps: u32,
}

impl Walk<'_> {
    fn exhausted(&mut self) -> bool {
        self.steps += 1;
        self.steps > 20_000 || self.stack.len() > 64
    }
}

/// How many functions `items` define, nested modules included.
fn fn_count(items: &[crate::ir::Item]) -> usize {
    let mut n = 0;
    crate::ir::each_fn(items, &mut |_| n += 1);
    n
}

/// Memo of finished name lookups, in one slot per worker thread of the
/// pool the index is used on (threads outside it share the last slot).
/// Each slot's lock is then taken by one thread only, and never contended.
struct LookupCache<'p> {
    slots: Vec<std::sync::Mutex<LookupMemo<'p>>>,
}

/// Finished lookups: (module, name, whether a value is wanted) → result.
type LookupMemo<'p> = HashMap<(ModId, Sym, bool), Res<'p>>;

impl Default for LookupCache<'_> {
    fn default() -> Self {
        LookupCache {
            slots: (0..=rayon::current_num_threads())
                .map(|_| Default::default())
                .collect(),
        }
    }
}

impl std::fmt::Debug for LookupCache<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LookupCache")
    }
}

impl<'p> LookupCache<'p> {
    fn slot(&self) -> Option<std::sync::MutexGuard<'_, LookupMemo<'p>>> {
        let last = self.slots.len().checked_sub(1)?;
        let i = rayon::current_thread_index().map_or(last, |i| i.min(last));
        self.slots[i].lock().ok()
    }

    fn get(&self, key: &(ModId, Sym, bool)) -> Option<Res<'p>> {
        self.slot()?.get(key).cloned()
    }

    fn insert(&self, key: (ModId, Sym, bool), r: Res<'p>) {
        if let Some(mut slot) = self.slot() {
            slot.insert(key, r);
        }
    }
}

/// Wrapper types that are transparent to the analysis.
const TRANSPARENT: &[&str] = &[
    "Box",
    "Rc",
    "Arc",
    "Cow",
    "RefCell",
    "Cell",
    "Mutex",
    "RwLock",
    "Pin",
    "ManuallyDrop",
];

#[derive(Debug, Default)]
pub struct Index<'p> {
    pub modules: Vec<Module<'p>>,
    pub adts: Vec<Adt<'p>>,
    pub fns: Vec<FnInfo<'p>>,
    pub traits: Vec<TraitInfo<'p>>,
    /// Root module of each crate (by crate index).
    pub crate_roots: Vec<ModId>,
    /// Library crates by the name code uses for them.
    pub crate_by_name: HashMap<Sym, ModId>,
    /// Methods (and associated functions) of each type, by name.
    pub methods_by_adt: HashMap<AdtId, HashMap<Sym, Vec<FnId>>>,
    /// Every function with a receiver, by (name, arity including the receiver).
    pub methods_by_name: HashMap<(Sym, usize), Vec<FnId>>,
    /// Field name → every (type, field) with that name, for fields read on values of unknown type.
    pub fields_by_name: HashMap<Sym, Vec<(AdtId, &'p FieldDef)>>,
    mod_by_path: HashMap<(usize, Vec<Sym>), ModId>,
    /// What each module's glob imports (`use a::*`) resolve to, computed
    /// once at build time: the lookups through globs are then linear.
    glob_targets: Vec<Vec<Res<'p>>>,
    /// Every name a lookup can find: item names, `use` aliases and enum
    /// variants (glob imports of enums). Any other name (`String`, `u64`,
    /// `Vec`) is found nowhere, and is answered without a walk.
    known_names: HashSet<Sym>,
    /// Memo of name lookups, one per worker thread: real code resolves the
    /// same names over and over, and threads sharing one memo spent their
    /// time on its lock.
    lookup_cache: LookupCache<'p>,
}

struct PendingImpl<'p> {
    module: ModId,
    def: &'p crate::ir::ImplDef,
    allows: Vec<&'p AllowAttr>,
}

/// What an impl block is for: its self type and its trait, resolved.
struct ImplHead {
    self_ty: Ty,
    adt: Option<AdtId>,
    trait_: Option<TraitId>,
}

impl<'p> Index<'p> {
    pub fn build(parsed: &'p Parsed) -> Index<'p> {
        let mut ix = Index::default();
        // Sized up front: growing a vector of 100,000 functions copies it
        // over and over (and touches fresh pages each time).
        ix.fns
            .reserve(parsed.modules.iter().map(|m| fn_count(&m.ir.items)).sum());
        for (k, c) in parsed.crates.iter().enumerate() {
            let root = ix.module_for(k, &[], 0);
            ix.crate_roots.push(root);
            if matches!(c.kind, crate::discover::TargetKind::Lib) {
                ix.crate_by_name.entry(Sym::new(&c.name)).or_insert(root);
            }
        }
        for pm in &parsed.modules {
            let path: Vec<Sym> = pm.module.iter().map(Sym::from).collect();
            ix.declare_modules(pm.krate, &path, &pm.ir.items, pm.file);
        }
        let mut pending = Vec::new();
        let mut filled = HashSet::new();
        for pm in &parsed.modules {
            let path: Vec<Sym> = pm.module.iter().map(Sym::from).collect();
            let mut m = ix.module_for(pm.krate, &path, pm.file);
            if !filled.insert(m) {
                // A second file for the same module (`include!`, another
                // platform's `cfg_attr(path)`): a module record of its own,
                // so its items keep their file; its names resolve in it and
                // its parent, as the first file's do.
                let parent = ix.modules[m].parent;
                m = ix.modules.len();
                ix.modules.push(Module {
                    krate: pm.krate,
                    path,
                    file: pm.file,
                    parent,
                    ..Default::default()
                });
                filled.insert(m);
            }
            ix.modules[m].file = pm.file;
            let allows: Vec<&AllowAttr> = ix.inherited_allows(m);
            ix.add_items(m, &pm.ir.items, pm.file, &allows, &mut pending);
        }
        // Binaries, tests and examples see their package's library by name.
        for (k, c) in parsed.crates.iter().enumerate() {
            if !matches!(c.kind, crate::discover::TargetKind::Lib) {
                let lib = parsed.crates.iter().position(|o| {
                    o.package == c.package && matches!(o.kind, crate::discover::TargetKind::Lib)
                });
                if let Some(lib) = lib {
                    let lib_root = ix.crate_roots[lib];
                    let own_root = ix.crate_roots[k];
                    let lib_name = Sym::new(&parsed.crates[lib].name);
                    ix.modules[own_root]
                        .names
                        .entry(lib_name)
                        .or_default()
                        .push(Def::Mod(lib_root));
                }
            }
        }
        // Two reads of the finished modules and types, side by side: the
        // rest of the index is serial, and the other core idles.
        let (known_names, fields_by_name) = rayon::join(
            || {
                // Sized up front: grown from empty it rehashed a dozen times.
                let n = ix
                    .modules
                    .iter()
                    .map(|m| m.names.len() + m.uses.len())
                    .sum();
                let mut known = HashSet::with_capacity(n);
                for m in &ix.modules {
                    known.extend(m.names.keys().copied());
                    known.extend(m.uses.iter().filter_map(|u| u.alias));
                }
                for a in &ix.adts {
                    if let AdtKind::Enum(e) = a.kind {
                        known.extend(e.variants.iter().map(|v| v.name));
                    }
                }
                known
            },
            || {
                let mut by_name: HashMap<Sym, Vec<(AdtId, &'p FieldDef)>> = HashMap::default();
                for (a, adt) in ix.adts.iter().enumerate() {
                    for f in adt.fields(None) {
                        by_name.entry(f.name).or_default().push((a, f));
                    }
                }
                by_name
            },
        );
        ix.known_names = known_names;
        ix.fields_by_name = fields_by_name;
        ix.glob_targets = vec![Vec::new(); ix.modules.len()];
        let globs: Vec<Vec<Res<'p>>> = (0..ix.modules.len())
            .into_par_iter()
            .map(|m| {
                ix.modules[m]
                    .uses
                    .iter()
                    .filter(|u| u.alias.is_none())
                    .map(|u| ix.resolve_use(m, &u.path))
                    .filter(|r| matches!(r, Res::Mod(_) | Res::Adt(_)))
                    .collect()
            })
            .collect();
        ix.glob_targets = globs;
        ix.lookup_cache = LookupCache::default();
        // What each impl is for, resolved in parallel: adding an impl's
        // methods changes no module's names, so no other impl's head.
        let heads: Vec<ImplHead> = pending.par_iter().map(|p| ix.impl_head(p)).collect();
        for (p, head) in pending.into_iter().zip(heads) {
            ix.add_impl(p, head);
        }
        ix
    }

    /// The modules a file declares (`mod a;`, `mod b { .. }`), with the
    /// allows written on them, before any file's functions are added: a
    /// function inherits the allows of its modules whether its file is read
    /// before or after the file that declares them.
    fn declare_modules(&mut self, krate: usize, path: &[Sym], items: &'p [Item], file: usize) {
        for item in items {
            if let Item::Mod(md) = item {
                let mut sub_path = path.to_vec();
                sub_path.push(md.name);
                let sub = self.module_for(krate, &sub_path, file);
                self.modules[sub]
                    .allow
                    .extend(md.allow.iter().map(|a| (file, a)));
                if let Some(inner) = &md.inline {
                    self.declare_modules(krate, &sub_path, inner, file);
                }
            }
        }
    }

    fn inherited_allows(&self, mut m: ModId) -> Vec<&'p AllowAttr> {
        let mut out = Vec::new();
        loop {
            out.extend(self.modules[m].allow.iter().map(|(_, a)| *a));
            match self.modules[m].parent {
                Some(p) => m = p,
                None => return out,
            }
        }
    }

    fn module_for(&mut self, krate: usize, path: &[Sym], file: usize) -> ModId {
        if let Some(&m) = self.mod_by_path.get(&(krate, path.to_vec())) {
            return m;
        }
        let parent = path
            .split_last()
            .map(|(_, parent)| self.module_for(krate, parent, file));
        let id = self.modules.len();
        self.modules.push(Module {
            krate,
            path: path.to_vec(),
            file,
            parent,
            ..Default::default()
        });
        self.mod_by_path.insert((krate, path.to_vec()), id);
        if let (Some(p), Some(name)) = (parent, path.last()) {
            self.modules[p]
                .names
                .entry(*name)
                .or_default()
                .push(Def::Mod(id));
        }
        id
    }

    /// `module::Type::name` (without the crate), for messages and
    /// fingerprints. Built when asked: few functions ever need it.
    pub fn fn_path(&self, f: FnId) -> String {
        let info = &self.fns[f];
        let mut base = self.display_base(info.module);
        if let Some(p) = info.parent {
            base = Self::join(&base, &p);
        }
        Self::join(&base, &info.def.name)
    }

    /// `module::Type` (without the crate), for messages. Built when asked.
    pub fn adt_path(&self, a: AdtId) -> String {
        let adt = &self.adts[a];
        Self::join(&self.display_base(adt.module), &adt.name)
    }

    /// `crate::a::b` for a module.
    pub fn mod_display(&self, m: ModId, crate_names: &[String]) -> String {
        let md = &self.modules[m];
        let mut s = crate_names.get(md.krate).cloned().unwrap_or_default();
        for p in &md.path {
            s.push_str("::");
            s.push_str(p);
        }
        s
    }

    fn display_base(&self, m: ModId) -> String {
        let segs: Vec<&str> = self.modules[m].path.iter().map(|s| s.as_str()).collect();
        segs.join("::")
    }

    fn join(base: &str, name: &str) -> String {
        if base.is_empty() {
            name.to_string()
        } else {
            format!("{base}::{name}")
        }
    }

    fn add_items(
        &mut self,
        m: ModId,
        items: &'p [Item],
        file: usize,
        allows: &[&'p AllowAttr],
        pending: &mut Vec<PendingImpl<'p>>,
    ) {
        // Each item defines at most one name: no rehashing as they come.
        self.modules[m].names.reserve(items.len());
        for item in items {
            match item {
                Item::Mod(md) => {
                    // Declared in [`Index::declare_modules`], allows included.
                    if let Some(inner) = &md.inline {
                        let mut path = self.modules[m].path.clone();
                        path.push(md.name);
                        let krate = self.modules[m].krate;
                        let sub = self.module_for(krate, &path, file);
                        self.modules[sub].file = file;
                        let mut a = allows.to_vec();
                        a.extend(md.allow.iter());
                        self.add_items(sub, inner, file, &a, pending);
                    }
                }
                Item::Use(entries) => self.modules[m].uses.extend(entries.iter()),
                Item::Struct(st) => self.add_adt(m, st.name, AdtKind::Struct(st)),
                Item::Enum(e) => self.add_adt(m, e.name, AdtKind::Enum(e)),
                Item::Fn(f) => {
                    let id = self.push_fn(f, m, Owner::Free, None, None, allows, &[]);
                    self.modules[m]
                        .names
                        .entry(f.name)
                        .or_default()
                        .push(Def::Fn(id));
                }
                Item::Trait(t) => {
                    let tid = self.traits.len();
                    self.traits.push(TraitInfo {
                        name: t.name,
                        module: m,
                        def: t,
                        decls: HashMap::new(),
                        impls: HashMap::new(),
                    });
                    self.modules[m]
                        .names
                        .entry(t.name)
                        .or_default()
                        .push(Def::Trait(tid));
                    let mut a = allows.to_vec();
                    a.extend(t.allow.iter());
                    for f in &t.items {
                        let id = self.push_fn(
                            f,
                            m,
                            Owner::TraitDecl(tid),
                            Some(t.name),
                            Some(Ty::Dyn(vec![tid])),
                            &a,
                            &[],
                        );
                        // As in impls, a duplicate name is not a second method.
                        if self.traits[tid].decls.contains_key(&f.name) {
                            continue;
                        }
                        self.index_by_name(id);
                        self.traits[tid].decls.insert(f.name, id);
                    }
                }
                Item::Impl(i) => {
                    let mut a = allows.to_vec();
                    a.extend(i.allow.iter());
                    pending.push(PendingImpl {
                        module: m,
                        def: i,
                        allows: a,
                    });
                }
                Item::Alias { name, ty } => {
                    self.modules[m]
                        .names
                        .entry(*name)
                        .or_default()
                        .push(Def::Alias(ty, m));
                }
                Item::ExternCrate { name, alias } => {
                    if let Some(&root) = self.crate_by_name.get(name) {
                        self.modules[m]
                            .names
                            .entry(*alias)
                            .or_default()
                            .push(Def::Mod(root));
                    }
                }
            }
        }
    }

    fn add_adt(&mut self, m: ModId, name: Sym, kind: AdtKind<'p>) {
        let id = self.adts.len();
        self.adts.push(Adt {
            name,
            module: m,
            kind,
            field_tys: std::sync::OnceLock::new(),
        });
        self.modules[m]
            .names
            .entry(name)
            .or_default()
            .push(Def::Adt(id));
    }

    #[allow(clippy::too_many_arguments)]
    fn push_fn(
        &mut self,
        f: &'p FnDef,
        module: ModId,
        owner: Owner,
        parent: Option<Sym>,
        self_ty: Option<Ty>,
        allows: &[&'p AllowAttr],
        impl_generics: &'p [Sym],
    ) -> FnId {
        let id = self.fns.len();
        let mut a = allows.to_vec();
        a.extend(f.ann().allow.iter());
        self.fns.push(FnInfo {
            def: f,
            ann: f.ann.as_deref(),
            module,
            owner,
            parent,
            self_ty,
            allows: a,
            impl_generics,
            sig: Default::default(),
        });
        id
    }

    /// Let calls of `.name(…)` on values of unknown type find method `id`.
    fn index_by_name(&mut self, id: FnId) {
        let f = self.fns[id].def;
        if f.receiver.is_some() {
            self.methods_by_name
                .entry((f.name, f.arity()))
                .or_default()
                .push(id);
        }
    }

    fn impl_head(&self, p: &PendingImpl<'p>) -> ImplHead {
        let self_ty = self.resolve_ty(p.module, &p.def.self_ty, &[], None, &p.def.generics);
        let adt = match &self_ty {
            Ty::Adt(a, _) => Some(*a),
            _ => None,
        };
        let trait_ =
            p.def
                .trait_path
                .as_ref()
                .and_then(|tp| match self.resolve_path(p.module, tp, None) {
                    Res::Trait(t) => Some(t),
                    _ => None,
                });
        ImplHead {
            self_ty,
            adt,
            trait_,
        }
    }

    fn add_impl(&mut self, p: PendingImpl<'p>, head: ImplHead) {
        let ImplHead {
            self_ty,
            adt,
            trait_,
        } = head;
        let type_name = match &p.def.self_ty {
            TyRef::Path { segs, .. } => segs.last().copied(),
            _ => None,
        }
        .unwrap_or_else(|| Sym::new("<impl>"));
        let mut names = HashSet::new();
        for f in &p.def.items {
            let id = self.push_fn(
                f,
                p.module,
                Owner::Impl { adt, trait_ },
                Some(type_name),
                Some(self_ty.clone()),
                &p.allows,
                &p.def.generics,
            );
            // rustc rejects a second method of the same name in one impl
            // (E0201). Its body is still analysed, but calls resolve to the
            // first only: otherwise thousands of duplicates calling each
            // other make the call graph quadratic.
            if !names.insert(f.name.as_str()) {
                continue;
            }
            self.index_by_name(id);
            if let Some(a) = adt {
                self.methods_by_adt
                    .entry(a)
                    .or_default()
                    .entry(f.name)
                    .or_default()
                    .push(id);
            }
            if let Some(t) = trait_ {
                self.traits[t].impls.entry(f.name).or_default().push(id);
            }
        }
    }

    // -----------------------------------------------------------------------
    // Name resolution

    /// Resolve a path written in module `m`.
    pub fn resolve_path(&self, m: ModId, segs: &[Sym], self_ty: Option<&Ty>) -> Res<'p> {
        self.resolve_path_w(m, segs, self_ty, &mut Walk::default())
    }

    fn resolve_path_w(
        &self,
        m: ModId,
        segs: &[Sym],
        self_ty: Option<&Ty>,
        w: &mut Walk<'p>,
    ) -> Res<'p> {
        let Some((first, mut rest)) = segs.split_first() else {
            return Res::None;
        };
        if w.exhausted() {
            return Res::None;
        }
        let mut cur = match first.as_str() {
            "crate" => Res::Mod(
                self.crate_roots
                    .get(self.modules[m].krate)
                    .copied()
                    .unwrap_or(m),
            ),
            "self" => Res::Mod(m),
            "super" => {
                let mut mm = self.modules[m].parent.unwrap_or(m);
                while rest.first().is_some_and(|s| *s == "super") {
                    mm = self.modules[mm].parent.unwrap_or(mm);
                    rest = &rest[1..];
                }
                Res::Mod(mm)
            }
            "Self" => match self_ty {
                Some(Ty::Adt(a, _)) => Res::Adt(*a),
                Some(Ty::Dyn(t)) if t.len() == 1 => Res::Trait(t[0]),
                _ => Res::Ext(Sym::new("Self")),
            },
            "::" => match rest.split_first() {
                Some((c, r)) => {
                    rest = r;
                    match self.crate_by_name.get(c) {
                        Some(&root) => Res::Mod(root),
                        None => Res::Ext(*c),
                    }
                }
                None => return Res::None,
            },
            _ => match self.lookup(m, *first, rest.is_empty(), w) {
                Res::None => match self.crate_by_name.get(first) {
                    Some(&root) => Res::Mod(root),
                    None => Res::Ext(*first),
                },
                r => r,
            },
        };
        for (i, seg) in rest.iter().enumerate() {
            let last = i + 1 == rest.len();
            cur = match cur {
                Res::Mod(mm) => match self.lookup(mm, *seg, last, w) {
                    Res::None => Res::None,
                    r => r,
                },
                Res::Adt(a) => self.assoc(a, *seg),
                Res::Alias(t, am) => match self.resolve_ty(am, t, &[], None, &[]) {
                    Ty::Adt(a, _) => self.assoc(a, *seg),
                    Ty::Ext(p, _) => Res::Ext(Sym::new(&format!("{p}::{seg}"))),
                    _ => Res::None,
                },
                Res::Trait(t) => match self.traits[t].decls.get(seg) {
                    Some(&f) => Res::Fn(f),
                    None => Res::None,
                },
                Res::Ext(p) => Res::Ext(Sym::new(&format!("{p}::{seg}"))),
                _ => Res::None,
            };
        }
        cur
    }

    fn assoc(&self, a: AdtId, seg: Sym) -> Res<'p> {
        if let AdtKind::Enum(e) = self.adts[a].kind {
            if e.variants.iter().any(|v| v.name == seg) {
                return Res::Variant(a, seg);
            }
        }
        match self.methods_by_adt.get(&a).and_then(|m| m.get(&seg)) {
            Some(fs) if fs.len() == 1 => Res::Fn(fs[0]),
            Some(fs) => Res::Fns(fs.clone()),
            None => Res::None,
        }
    }

    /// Look a name up in a module: its items, its imports, its glob imports.
    /// A lookup asked from outside (not part of another) is cached: it is a
    /// pure function of its question, so the cache cannot depend on which
    /// thread asked first.
    fn lookup(&self, m: ModId, name: Sym, prefer_value: bool, w: &mut Walk<'p>) -> Res<'p> {
        if !self.known_names.contains(&name) {
            return Res::None;
        }
        let key = (m, name, prefer_value);
        let outer = w.stack.is_empty();
        if outer {
            if let Some(r) = self.lookup_cache.get(&key) {
                return r;
            }
        }
        if let Some(r) = w.memo.get(&key) {
            return r.clone();
        }
        // A name whose lookup leads back to itself (re-export cycles) is not there.
        if w.stack.contains(&key) || w.exhausted() {
            return Res::None;
        }
        w.stack.push(key);
        let r = self.lookup_inner(m, name, prefer_value, w);
        w.stack.pop();
        w.memo.insert(key, r.clone());
        if outer {
            self.lookup_cache.insert(key, r.clone());
        }
        r
    }

    fn lookup_inner(&self, m: ModId, name: Sym, prefer_value: bool, w: &mut Walk<'p>) -> Res<'p> {
        if let Some(defs) = self.modules[m].names.get(&name) {
            let pick = if prefer_value {
                defs.iter()
                    .find(|d| matches!(d, Def::Fn(_)))
                    .or_else(|| defs.first())
            } else {
                defs.iter()
                    .find(|d| !matches!(d, Def::Fn(_)))
                    .or_else(|| defs.first())
            };
            if let Some(d) = pick {
                return match *d {
                    Def::Mod(x) => Res::Mod(x),
                    Def::Adt(x) => Res::Adt(x),
                    Def::Fn(x) => Res::Fn(x),
                    Def::Trait(x) => Res::Trait(x),
                    Def::Alias(t, am) => Res::Alias(t, am),
                };
            }
        }
        for u in &self.modules[m].uses {
            if u.alias == Some(name) {
                return self.resolve_path_w(m, &u.path, None, w);
            }
        }
        let Some(globs) = self.glob_targets.get(m) else {
            return Res::None;
        };
        for g in globs {
            match g {
                Res::Mod(g) => match self.lookup(*g, name, prefer_value, w) {
                    Res::None => {}
                    r => return r,
                },
                Res::Adt(a) => {
                    if let Res::Variant(a, v) = self.assoc(*a, name) {
                        return Res::Variant(a, v);
                    }
                }
                _ => {}
            }
        }
        Res::None
    }

    /// Resolve a `use` path (2018 rules: relative to the module, an extern
    /// crate, or `crate`/`self`/`super`).
    fn resolve_use(&self, m: ModId, path: &[Sym]) -> Res<'p> {
        self.resolve_path_w(m, path, None, &mut Walk::default())
    }

    // -----------------------------------------------------------------------
    // Types

    /// Resolve a syntactic type in module `m`. `generics` are the bounds of
    /// the function's generic parameters; `impl_generics` are the impl's.
    pub fn resolve_ty(
        &self,
        m: ModId,
        t: &TyRef,
        generics: &[(Sym, Vec<Vec<Sym>>)],
        self_ty: Option<&Ty>,
        impl_generics: &[Sym],
    ) -> Ty {
        self.resolve_ty_depth(m, t, generics, self_ty, impl_generics, 0)
    }

    fn resolve_ty_depth(
        &self,
        m: ModId,
        t: &TyRef,
        generics: &[(Sym, Vec<Vec<Sym>>)],
        self_ty: Option<&Ty>,
        impl_generics: &[Sym],
        depth: u32,
    ) -> Ty {
        if depth > 16 {
            return Ty::Unknown;
        }
        let rec =
            |t: &TyRef| self.resolve_ty_depth(m, t, generics, self_ty, impl_generics, depth + 1);
        match t {
            TyRef::Path { segs, args } => {
                if segs.len() == 1 {
                    let name = &segs[0];
                    if name == "Self" {
                        return self_ty.cloned().unwrap_or(Ty::Unknown);
                    }
                    if let Some((_, bounds)) = generics.iter().find(|(g, _)| g == name) {
                        return self.dyn_of(m, bounds);
                    }
                    if impl_generics.iter().any(|g| g == name) {
                        return Ty::Unknown;
                    }
                }
                let args: Vec<Ty> = args.iter().map(rec).collect();
                match self.resolve_path(m, segs, self_ty) {
                    Res::Adt(a) => Ty::Adt(a, args),
                    Res::Alias(t, am) => self.resolve_ty_depth(am, t, &[], None, &[], depth + 1),
                    Res::Trait(tr) => Ty::Dyn(vec![tr]),
                    Res::Ext(p) => {
                        let last = last_segment(&p);
                        if TRANSPARENT.contains(&last) && args.len() == 1 {
                            return args.into_iter().next().unwrap_or(Ty::Unknown);
                        }
                        Ty::Ext(p, args)
                    }
                    _ => Ty::Unknown,
                }
            }
            TyRef::Ref(inner) => rec(inner),
            TyRef::Tuple(v) => Ty::Tuple(v.iter().map(rec).collect()),
            TyRef::Slice(e) => Ty::Slice(Box::new(rec(e))),
            TyRef::Bounds(b) => self.dyn_of(m, b),
            TyRef::Unknown => Ty::Unknown,
        }
    }

    fn dyn_of(&self, m: ModId, bounds: &[Vec<Sym>]) -> Ty {
        let traits: Vec<TraitId> = bounds
            .iter()
            .filter_map(|b| match self.resolve_path(m, b, None) {
                Res::Trait(t) => Some(t),
                _ => None,
            })
            .collect();
        if traits.is_empty() {
            // `impl Iterator<Item = T>` and friends: an iterator of unknown items.
            if bounds.iter().any(|b| {
                b.last()
                    .is_some_and(|s| s == "Iterator" || s == "IntoIterator")
            }) {
                return Ty::Iter(Box::new(Ty::Unknown));
            }
            Ty::Unknown
        } else {
            Ty::Dyn(traits)
        }
    }

    /// The field definition of a type (struct or enum variant).
    pub fn field(&self, a: AdtId, variant: Option<&str>, name: Sym) -> Option<&'p FieldDef> {
        self.field_at(a, variant, name).map(|(_, f)| f)
    }

    /// The field definition and its position among the fields of every
    /// variant (names compared as symbols, by address).
    fn field_at(
        &self,
        a: AdtId,
        variant: Option<&str>,
        name: Sym,
    ) -> Option<(usize, &'p FieldDef)> {
        // Hot: no allocation, unlike `Adt::fields`.
        match self.adts[a].kind {
            AdtKind::Struct(s) => s.fields.iter().enumerate().find(|(_, f)| f.name == name),
            AdtKind::Enum(e) => {
                let mut base = 0;
                for v in &e.variants {
                    if variant.is_none_or(|n| v.name == n) {
                        if let Some((i, f)) =
                            v.fields.iter().enumerate().find(|(_, f)| f.name == name)
                        {
                            return Some((base + i, f));
                        }
                    }
                    base += v.fields.len();
                }
                None
            }
        }
    }

    /// The resolved type of a field of a type.
    pub fn field_ty(&self, a: AdtId, variant: Option<&str>, name: Sym, args: &[Ty]) -> Ty {
        let Some((i, f)) = self.field_at(a, variant, name) else {
            return Ty::Unknown;
        };
        if !args.is_empty() {
            return self.resolve_field_ty(a, f, args);
        }
        // Without generic arguments the type depends on the field alone.
        let adt = &self.adts[a];
        let slots = adt.field_tys.get_or_init(|| {
            (0..adt.fields(None).len())
                .map(|_| std::sync::OnceLock::new())
                .collect()
        });
        match slots.get(i) {
            Some(slot) => slot
                .get_or_init(|| self.resolve_field_ty(a, f, args))
                .clone(),
            None => self.resolve_field_ty(a, f, args),
        }
    }

    fn resolve_field_ty(&self, a: AdtId, f: &FieldDef, args: &[Ty]) -> Ty {
        let adt = &self.adts[a];
        let generics: &[Sym] = match adt.kind {
            AdtKind::Struct(s) => &s.generics,
            AdtKind::Enum(e) => &e.generics,
        };
        // A field whose type is one of the type's generic parameters takes the argument.
        if let TyRef::Path { segs, .. } = &f.ty {
            if segs.len() == 1 {
                if let Some(i) = generics.iter().position(|g| g == &segs[0]) {
                    return args.get(i).cloned().unwrap_or(Ty::Unknown);
                }
            }
        }
        self.resolve_ty(
            adt.module,
            &f.ty,
            &[],
            Some(&Ty::Adt(a, args.to_vec())),
            generics,
        )
    }

    /// Resolve a type written in function `f` (its signature or body): in
    /// its module, with its generic bounds, `Self` and impl generics.
    pub fn resolve_ty_in(&self, f: FnId, t: &TyRef) -> Ty {
        let info = &self.fns[f];
        self.resolve_ty(
            info.module,
            t,
            &info.def.bounds,
            info.self_ty.as_ref(),
            info.impl_generics,
        )
    }

    /// The resolved signature of a function: resolved once, whichever
    /// thread asks first (resolution is a pure function of the index).
    pub fn sig(&self, f: FnId) -> &Sig {
        let def = self.fns[f].def;
        self.fns[f].sig.get_or_init(|| {
            Box::new(Sig {
                params: def
                    .params
                    .iter()
                    .map(|p| self.resolve_ty_in(f, &p.ty))
                    .collect(),
                ret: def.ret.as_ref().map(|t| self.resolve_ty_in(f, t)),
            })
        })
    }

    /// Methods named `name` callable on a value of this type.
    pub fn methods_of(&self, ty: &Ty, name: Sym) -> Vec<FnId> {
        match ty {
            Ty::Adt(a, _) => {
                let mut v = self
                    .methods_by_adt
                    .get(a)
                    .and_then(|m| m.get(&name))
                    .cloned()
                    .unwrap_or_default();
                // A trait's default method, when the type implements the trait without overriding it.
                if v.is_empty() {
                    for t in &self.traits {
                        if let Some(&d) = t.decls.get(&name) {
                            if t.impls.values().flatten().any(|&f| matches!(self.fns[f].owner, Owner::Impl { adt: Some(x), .. } if x == *a)) {
                                v.push(d);
                            }
                        }
                    }
                }
                v
            }
            Ty::Dyn(traits) => {
                let mut v = Vec::new();
                for &t in traits {
                    if let Some(&d) = self.traits[t].decls.get(&name) {
                        v.push(d);
                        v.extend(self.traits[t].impls.get(&name).into_iter().flatten());
                    }
                }
                v
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"
pub mod shapes {
    pub enum Color { Red, Green }
    pub struct Point;
    pub fn area() {}
}
pub mod uses {
    use crate::shapes::Color::*;
    use crate::shapes::*;
    use crate::shapes::Point as P;
    pub struct String;
}
pub mod plain {}
"#;

    /// What `path` resolves to, written in the module whose path is `module`.
    fn resolve(ix: &Index<'_>, module: &str, path: &str) -> String {
        let m = ix
            .modules
            .iter()
            .position(|md| {
                md.path
                    .iter()
                    .map(|s| s.as_str())
                    .eq(module.split("::").filter(|s| !s.is_empty()))
            })
            .unwrap();
        let segs: Vec<Sym> = path.split("::").map(Sym::new).collect();
        match ix.resolve_path(m, &segs, None) {
            Res::Adt(a) => format!("adt {}", ix.adt_path(a)),
            Res::Variant(a, v) => format!("variant {}::{v}", ix.adt_path(a)),
            Res::Fn(f) => format!("fn {}", ix.fn_path(f)),
            Res::Ext(p) => format!("ext {p}"),
            Res::None => "none".to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn last_segments_as_rsplit_gives_them() {
        for s in [
            "", "a", "a::b", "a::b::c", "::", ":::", "a:::b", "a::::b", "x:", ":x", "a::", "é::ü",
        ] {
            assert_eq!(last_segment(s), s.rsplit("::").next().unwrap_or(s), "{s:?}");
            assert_eq!(
                split_last_segment(s).0,
                s.rsplit_once("::").map(|(a, _)| a),
                "{s:?}"
            );
        }
    }

    #[test]
    fn names_defined_nowhere_are_external_and_the_rest_still_resolve() {
        let parsed = crate::testing::parse_lib("index-names", SRC);
        let ix = Index::build(&parsed);
        let cases = [
            // Defined nowhere in the workspace: outside it.
            ("plain", "String", "ext String"),
            ("plain", "u64", "ext u64"),
            (
                "uses",
                "std::collections::HashMap",
                "ext std::collections::HashMap",
            ),
            // A workspace item of the same name wins where it is in scope.
            ("uses", "String", "adt uses::String"),
            // Through an enum's glob import, a module's glob import, an alias.
            ("uses", "Red", "variant shapes::Color::Red"),
            ("uses", "area", "fn shapes::area"),
            ("uses", "P", "adt shapes::Point"),
            // Not imported here: an unknown path, not the workspace item.
            ("plain", "Red", "ext Red"),
            ("plain", "P", "ext P"),
        ];
        for (module, path, want) in cases {
            assert_eq!(resolve(&ix, module, path), want, "`{path}` in `{module}`");
        }
    }
}
