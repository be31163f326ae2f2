//! syn → model: what an attribute was put on, and where a derive's helper
//! attributes sit.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, DeriveInput, Signature, Token, Type, Visibility};

/// The item an attribute macro was put on.
pub enum Item {
    /// A function or method, with or without a body.
    Fn(Box<Func>),
    /// Anything else that parses as an item.
    Other(Other),
    /// Not valid Rust: rustc reports the syntax error itself.
    Unparsed,
}

/// A free function, an inherent or trait impl method, or a trait method
/// declaration (with or without a default body). An attribute macro sees
/// only the function, so these all look alike here.
pub struct Func {
    /// The attributes still on the function (those after this one).
    pub attrs: Vec<Attribute>,
    pub sig: Signature,
}

/// Any other item: its description for messages and its head (keyword and
/// name) for spans.
pub struct Other {
    pub what: &'static str,
    /// Where to put the function instead, when there is an obvious place.
    pub hint: Option<&'static str>,
    pub head: TokenStream,
}

impl Item {
    pub fn parse(tokens: TokenStream) -> Item {
        // A function's body is not looked at, so a body syn cannot parse
        // (say, newer syntax) does not stop the checks.
        if let Ok(f) = syn::parse2::<FnHead>(tokens.clone()) {
            return Item::Fn(Box::new(f.0));
        }
        match syn::parse2::<syn::Item>(tokens) {
            Ok(syn::Item::Verbatim(v)) => Self::verbatim(v),
            Ok(other) => Item::Other(Other::of(&other)),
            Err(_) => Item::Unparsed,
        }
    }

    /// syn keeps items it has no node for as tokens; among them are
    /// associated constants and types without a value.
    fn verbatim(tokens: TokenStream) -> Item {
        if let Ok(c) = syn::parse2::<syn::TraitItemConst>(tokens.clone()) {
            return Item::Other(Other::new(
                "an associated constant",
                pair(c.const_token, c.ident),
            ));
        }
        if let Ok(t) = syn::parse2::<syn::TraitItemType>(tokens.clone()) {
            return Item::Other(Other::new(
                "an associated type",
                pair(t.type_token, t.ident),
            ));
        }
        // Whatever it is, it is not a function: point past its attributes.
        let mut rest = tokens.into_iter().peekable();
        while matches!(rest.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
            rest.next();
            rest.next();
        }
        Item::Other(Other::new(
            "this item",
            rest.take(2).collect::<TokenStream>(),
        ))
    }
}

/// A function as an attribute macro sees it: outer attributes, visibility,
/// `default`, signature, then a body or `;` (a trait method declaration or
/// a foreign function). Free functions, methods of inherent and trait impls
/// and trait methods all have this shape.
struct FnHead(Func);

impl Parse for FnHead {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        input.parse::<Visibility>()?;
        input.parse::<Option<Token![default]>>()?;
        let sig: Signature = input.parse()?;
        if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
        } else {
            input.step(|cursor| match cursor.group(Delimiter::Brace) {
                Some((_, _, rest)) => Ok(((), rest)),
                None => Err(cursor.error("expected a function body")),
            })?;
        }
        if !input.is_empty() {
            return Err(input.error("expected the end of the function"));
        }
        Ok(FnHead(Func { attrs, sig }))
    }
}

/// The tokens of `a` then `b`, to span an error from one to the other.
fn pair(a: impl ToTokens, b: impl ToTokens) -> TokenStream {
    let mut out = a.into_token_stream();
    b.to_tokens(&mut out);
    out
}

impl Other {
    fn new(what: &'static str, head: impl ToTokens) -> Other {
        Other {
            what,
            hint: None,
            head: head.into_token_stream(),
        }
    }

    fn of(item: &syn::Item) -> Other {
        use syn::Item as I;
        match item {
            I::Const(i) => Other::new("a constant", pair(i.const_token, &i.ident)),
            I::Enum(i) => Other::new("an enum", pair(i.enum_token, &i.ident)),
            I::ExternCrate(i) => Other::new("an `extern crate`", pair(i.extern_token, &i.ident)),
            I::ForeignMod(i) => Other {
                hint: Some("put it on the functions inside the block"),
                ..Other::new("an `extern` block", &i.abi)
            },
            I::Impl(i) => Other {
                hint: Some("put it on the methods of the impl"),
                ..Other::new("an impl block", pair(i.impl_token, &i.self_ty))
            },
            I::Macro(i) => Other::new("a macro invocation", &i.mac.path),
            I::Mod(i) => Other::new("a module", pair(i.mod_token, &i.ident)),
            I::Static(i) => Other::new("a static", pair(i.static_token, &i.ident)),
            I::Struct(i) => Other::new("a struct", pair(i.struct_token, &i.ident)),
            I::Trait(i) => Other {
                hint: Some("put it on the trait's method declarations"),
                ..Other::new("a trait", pair(i.trait_token, &i.ident))
            },
            I::TraitAlias(i) => Other::new("a trait alias", pair(i.trait_token, &i.ident)),
            I::Type(i) => Other::new("a type alias", pair(i.type_token, &i.ident)),
            I::Union(i) => Other::new("a union", pair(i.union_token, &i.ident)),
            I::Use(i) => Other::new("a `use` declaration", pair(i.use_token, &i.tree)),
            other => Other::new("this item", other),
        }
    }
}

impl Func {
    /// `fn name(..)`: where errors about the function as a whole point.
    pub fn head(&self) -> TokenStream {
        let mut head = TokenStream::new();
        self.sig.fn_token.to_tokens(&mut head);
        self.sig.ident.to_tokens(&mut head);
        self.sig
            .paren_token
            .surround(&mut head, |t| self.sig.inputs.to_tokens(t));
        head
    }

    /// The names a caller's argument can be named by in `args = [..]`:
    /// `self` for a receiver, every binding of a parameter's pattern.
    pub fn param_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for input in &self.sig.inputs {
            match input {
                syn::FnArg::Receiver(_) => names.push("self".to_string()),
                syn::FnArg::Typed(t) => bindings(&t.pat, &mut names),
            }
        }
        names
    }

    /// The type of the value the function gives its caller: `None` when it
    /// returns nothing (no return type, `()` or `!`). A future's output
    /// stands for the future (`impl Future<Output = T>`, `Pin<Box<dyn
    /// Future<Output = T>>>` as written by `#[async_trait]`).
    pub fn returned(&self) -> Option<&Type> {
        match &self.sig.output {
            syn::ReturnType::Default => None,
            syn::ReturnType::Type(_, ty) => value_type(ty),
        }
    }
}

fn bindings(pat: &syn::Pat, out: &mut Vec<String>) {
    use syn::Pat as P;
    match pat {
        P::Ident(p) => {
            out.push(syn::ext::IdentExt::unraw(&p.ident).to_string());
            if let Some((_, sub)) = &p.subpat {
                bindings(sub, out);
            }
        }
        P::Or(p) => {
            if let Some(first) = p.cases.first() {
                bindings(first, out);
            }
        }
        P::Paren(p) => bindings(&p.pat, out),
        P::Reference(p) => bindings(&p.pat, out),
        P::Slice(p) => p.elems.iter().for_each(|p| bindings(p, out)),
        P::Struct(p) => p.fields.iter().for_each(|f| bindings(&f.pat, out)),
        P::Tuple(p) => p.elems.iter().for_each(|p| bindings(p, out)),
        P::TupleStruct(p) => p.elems.iter().for_each(|p| bindings(p, out)),
        P::Type(p) => bindings(&p.pat, out),
        _ => {}
    }
}

/// Strip the invisible groups and parentheses macros leave around types.
pub fn strip(ty: &Type) -> &Type {
    match ty {
        Type::Group(g) => strip(&g.elem),
        Type::Paren(p) => strip(&p.elem),
        other => other,
    }
}

fn value_type(ty: &Type) -> Option<&Type> {
    let ty = strip(ty);
    match ty {
        Type::Never(_) => None,
        Type::Tuple(t) if t.elems.is_empty() => None,
        _ => match future_output(ty) {
            Some(out) => value_type(out),
            None => Some(ty),
        },
    }
}

/// `T` of `impl Future<Output = T>`, `dyn Future<Output = T> + Send`,
/// `Box<..>` and `Pin<..>` of those.
fn future_output(ty: &Type) -> Option<&Type> {
    let bounds = match strip(ty) {
        Type::ImplTrait(t) => &t.bounds,
        Type::TraitObject(t) => &t.bounds,
        Type::Path(p) => {
            let last = p.path.segments.last()?;
            if last.ident != "Pin" && last.ident != "Box" {
                return None;
            }
            return match &last.arguments {
                syn::PathArguments::AngleBracketed(a) => match a.args.first()? {
                    syn::GenericArgument::Type(inner) => future_output(inner),
                    _ => None,
                },
                _ => None,
            };
        }
        _ => return None,
    };
    bounds.iter().find_map(|b| match b {
        syn::TypeParamBound::Trait(t) => {
            let last = t.path.segments.last()?;
            if last.ident != "Future" {
                return None;
            }
            match &last.arguments {
                syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|arg| match arg {
                    syn::GenericArgument::AssocType(at) if at.ident == "Output" => Some(&at.ty),
                    _ => None,
                }),
                _ => None,
            }
        }
        _ => None,
    })
}

/// The last segment's name of a plain path type: `bool`, `Result`, ..
pub fn path_name(ty: &Type) -> Option<String> {
    match strip(ty) {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Whether a field type is `bool` (`bool`, `std::primitive::bool`, ..).
pub fn is_bool(ty: &Type) -> bool {
    match strip(ty) {
        Type::Path(p) if p.qself.is_none() => {
            let segs: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let plain = p.path.segments.iter().all(|s| s.arguments.is_none());
            plain
                && match segs.as_slice() {
                    [b] => b == "bool",
                    [krate, prim, b] => {
                        (krate == "std" || krate == "core") && prim == "primitive" && b == "bool"
                    }
                    _ => false,
                }
        }
        _ => false,
    }
}

/// A type as the user would write it, for messages (`Option<bool>`, not
/// `Option < bool >`).
pub fn display(ty: &Type) -> String {
    let mut s = ty.to_token_stream().to_string();
    for (from, to) in [
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        (" :: ", "::"),
        (":: ", "::"),
        ("& ", "&"),
        ("( ", "("),
        (" )", ")"),
        ("[ ", "["),
        (" ]", "]"),
        (" ;", ";"),
    ] {
        s = s.replace(from, to);
    }
    s
}

/// Where a derive's helper attribute can sit.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// On the struct, enum or union itself.
    Container(&'static str),
    /// On an enum variant.
    Variant,
    /// On a field (of a struct, union or enum variant).
    Field,
    /// On a generic parameter of the type.
    GenericParam,
}

/// One place with attributes in a derive's input.
pub struct Site<'a> {
    pub place: Place,
    pub attrs: &'a [Attribute],
    /// The field's type, for fields.
    pub ty: Option<&'a Type>,
}

/// Every place of `input` that can hold a helper attribute, in source order.
pub fn sites(input: &DeriveInput) -> Vec<Site<'_>> {
    let container = match &input.data {
        syn::Data::Struct(_) => "struct",
        syn::Data::Enum(_) => "enum",
        syn::Data::Union(_) => "union",
    };
    let mut out = vec![Site {
        place: Place::Container(container),
        attrs: &input.attrs,
        ty: None,
    }];
    for param in &input.generics.params {
        let attrs = match param {
            syn::GenericParam::Lifetime(p) => &p.attrs,
            syn::GenericParam::Type(p) => &p.attrs,
            syn::GenericParam::Const(p) => &p.attrs,
        };
        out.push(Site {
            place: Place::GenericParam,
            attrs,
            ty: None,
        });
    }
    match &input.data {
        syn::Data::Struct(s) => push_fields(&s.fields, &mut out),
        syn::Data::Enum(e) => {
            for v in &e.variants {
                out.push(Site {
                    place: Place::Variant,
                    attrs: &v.attrs,
                    ty: None,
                });
                push_fields(&v.fields, &mut out);
            }
        }
        syn::Data::Union(u) => push_fields(&u.fields.named, &mut out),
    }
    out
}

fn push_fields<'a>(fields: impl IntoIterator<Item = &'a syn::Field>, out: &mut Vec<Site<'a>>) {
    for f in fields {
        out.push(Site {
            place: Place::Field,
            attrs: &f.attrs,
            ty: Some(&f.ty),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn func(tokens: TokenStream) -> Func {
        match Item::parse(tokens) {
            Item::Fn(f) => *f,
            _ => panic!("not a function"),
        }
    }

    fn other(tokens: TokenStream) -> &'static str {
        match Item::parse(tokens) {
            Item::Other(o) => o.what,
            _ => panic!("not another item"),
        }
    }

    #[test]
    fn functions_of_every_shape() {
        for tokens in [
            quote!(
                pub fn f(&self, x: u32) -> bool {
                    true
                }
            ),
            quote!(
                fn f(&self) -> bool;
            ),
            quote!(
                #[inline]
                pub(crate) async unsafe fn f<T: Clone>(x: T)
                where
                    T: Send,
                {
                }
            ),
            quote!(default fn f() {}),
            quote!(
                pub fn f(x: u32);
            ),
            quote!(fn f() { some_future_syntax!(); yeet 1 }),
        ] {
            let _ = func(tokens);
        }
        assert_eq!(
            other(quote!(
                struct S;
            )),
            "a struct"
        );
        assert_eq!(other(quote!(impl S {})), "an impl block");
        assert_eq!(
            other(quote!(
                const X: u32;
            )),
            "an associated constant"
        );
        assert_eq!(
            other(quote!(
                type T;
            )),
            "an associated type"
        );
        assert!(matches!(Item::parse(quote!(fn(()))), Item::Unparsed));
    }

    #[test]
    fn parameter_names() {
        let f = func(quote!(
            fn f(&self, mut a: u8, (b, _): (u8, u8), P { c, d: e }: P, _: u8, r#type: u8) {}
        ));
        assert_eq!(f.param_names(), ["self", "a", "b", "c", "e", "type"]);
    }

    #[test]
    fn returned_values() {
        let ret = |t: TokenStream| func(t).returned().map(display);
        assert_eq!(
            ret(quote!(
                fn f() {}
            )),
            None
        );
        assert_eq!(
            ret(quote!(
                fn f() -> () {}
            )),
            None
        );
        assert_eq!(
            ret(quote!(
                fn f() -> ! {}
            )),
            None
        );
        assert_eq!(
            ret(quote!(
                async fn f() -> u8 {}
            )),
            Some("u8".into())
        );
        assert_eq!(
            ret(quote!(
                fn f() -> impl Future<Output = Option<bool>> {}
            )),
            Some("Option<bool>".into())
        );
        assert_eq!(
            ret(quote!(
                fn f<'a>() -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;
            )),
            None
        );
        assert_eq!(
            ret(quote!(
                fn f() -> Result<bool, E>;
            )),
            Some("Result<bool, E>".into())
        );
    }

    #[test]
    fn bool_types() {
        let ty = |t: TokenStream| syn::parse2::<Type>(t).unwrap();
        assert!(is_bool(&ty(quote!(bool))));
        assert!(is_bool(&ty(quote!(::core::primitive::bool))));
        assert!(is_bool(&ty(quote!(std::primitive::bool))));
        assert!(!is_bool(&ty(quote!(Option<bool>))));
        assert!(!is_bool(&ty(quote!(&bool))));
        assert!(!is_bool(&ty(quote!(my::bool))));
        assert_eq!(
            display(&ty(quote!(&'static [Option<bool>; 2]))),
            "&'static [Option<bool>; 2]"
        );
    }
}
