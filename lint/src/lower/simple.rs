//! Macro arguments in the shapes nearly all of them have, read straight off
//! the tokens instead of re-parsed by syn.
//!
//! Lowering parses every macro's arguments as comma-separated expressions
//! (`format!("{}", self.key.len())`, `assert_eq!(f(0), E::A)`). syn's parse
//! of them, a token buffer, lookahead and the errors of its failed peeks,
//! was a fifth of lowering at 100k lines (callgrind). Literals, paths of
//! plain identifiers, field accesses, calls and method calls are built here
//! as the same syn nodes syn's parser makes of them, spans included, and
//! lowered as before; anything else (any other token, a keyword, generic
//! arguments, an operator) gives up on the whole list, which then goes to
//! syn as before. Only postfix forms are accepted, so precedence cannot
//! differ from syn's: each argument is an atom followed by `.name`,
//! `.name(..)` and `(..)`, left to right, up to a comma.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use syn::punctuated::Punctuated;

type Tokens = std::vec::IntoIter<TokenTree>;

/// The comma-separated expressions of `tokens`, when every one has a simple
/// shape; `None` sends the list to syn.
pub fn args(tokens: TokenStream) -> Option<Punctuated<syn::Expr, syn::Token![,]>> {
    let mut it: Tokens = tokens.into_iter().collect::<Vec<_>>().into_iter();
    let mut out = Punctuated::new();
    while !it.as_slice().is_empty() {
        out.push_value(expr(&mut it)?);
        match it.next() {
            None => break,
            Some(TokenTree::Punct(p)) if p.as_char() == ',' => {
                out.push_punct(syn::token::Comma { spans: [p.span()] })
            }
            Some(_) => return None,
        }
    }
    Some(out)
}

/// An atom and its postfix operators.
fn expr(it: &mut Tokens) -> Option<syn::Expr> {
    let mut e = match it.next()? {
        TokenTree::Literal(l) => lit(syn::Lit::new(l)),
        TokenTree::Ident(i) if i == "true" || i == "false" => lit(syn::Lit::Bool(syn::LitBool {
            value: i == "true",
            span: i.span(),
        })),
        TokenTree::Ident(i) => path(i, it)?,
        _ => return None,
    };
    loop {
        match it.as_slice().first() {
            Some(TokenTree::Punct(p)) if p.as_char() == '.' && p.spacing() == Spacing::Alone => {
                let dot_token = syn::token::Dot { spans: [p.span()] };
                it.next();
                let Some(TokenTree::Ident(member)) = it.next() else {
                    return None;
                };
                if !plain(&member) {
                    return None;
                }
                e = match it.as_slice().first() {
                    Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                        let paren_token = syn::token::Paren {
                            span: g.delim_span(),
                        };
                        let args = args(g.stream())?;
                        it.next();
                        syn::Expr::MethodCall(syn::ExprMethodCall {
                            attrs: Vec::new(),
                            receiver: Box::new(e),
                            dot_token,
                            method: member,
                            turbofish: None,
                            paren_token,
                            args,
                        })
                    }
                    _ => syn::Expr::Field(syn::ExprField {
                        attrs: Vec::new(),
                        base: Box::new(e),
                        dot_token,
                        member: syn::Member::Named(member),
                    }),
                };
            }
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                let paren_token = syn::token::Paren {
                    span: g.delim_span(),
                };
                let args = args(g.stream())?;
                it.next();
                e = syn::Expr::Call(syn::ExprCall {
                    attrs: Vec::new(),
                    func: Box::new(e),
                    paren_token,
                    args,
                });
            }
            _ => return Some(e),
        }
    }
}

fn lit(lit: syn::Lit) -> syn::Expr {
    syn::Expr::Lit(syn::ExprLit {
        attrs: Vec::new(),
        lit,
    })
}

/// A path of plain identifiers, `a::b::c` (`self`, `Self`, `super` or
/// `crate` first), starting at `first`.
fn path(first: proc_macro2::Ident, it: &mut Tokens) -> Option<syn::Expr> {
    let t = text(&first);
    if keyword(&t) && !matches!(t.as_str(), "self" | "Self" | "super" | "crate") {
        return None;
    }
    let mut segments = Punctuated::new();
    segments.push_value(syn::PathSegment::from(first));
    while let [TokenTree::Punct(a), TokenTree::Punct(b), TokenTree::Ident(i), ..] = it.as_slice() {
        if !(a.as_char() == ':'
            && a.spacing() == Spacing::Joint
            && b.as_char() == ':'
            && b.spacing() == Spacing::Alone
            && plain(i))
        {
            break;
        }
        segments.push_punct(syn::token::PathSep {
            spans: [a.span(), b.span()],
        });
        it.next();
        it.next();
        let Some(TokenTree::Ident(i)) = it.next() else {
            return None;
        };
        segments.push_value(syn::PathSegment::from(i));
    }
    Some(syn::Expr::Path(syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: syn::Path {
            leading_colon: None,
            segments,
        },
    }))
}

fn text(i: &proc_macro2::Ident) -> arrayvec::ArrayString<64> {
    use std::fmt::Write as _;
    let mut buf = arrayvec::ArrayString::new();
    // Longer than any keyword: leaving it empty reads as not a keyword.
    let _ = write!(buf, "{i}");
    buf
}

/// An identifier syn parses as a name, not a keyword.
fn plain(i: &proc_macro2::Ident) -> bool {
    !keyword(&text(i))
}

/// Every word of syn's `accept_as_ident` list and the contextual keywords
/// (refusing one only sends its list to syn), and `""`: an identifier too
/// long for [`text`].
fn keyword(t: &str) -> bool {
    matches!(
        t,
        "" | "_"
            | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
            | "auto"
            | "builtin"
            | "default"
            | "gen"
            | "macro_rules"
            | "raw"
            | "safe"
            | "union"
    )
}
