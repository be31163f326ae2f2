//! Macro arguments in the shapes nearly all of them have, read straight off
//! the tokens and lowered, instead of re-parsed by syn.
//!
//! Lowering parses every macro's arguments as comma-separated expressions
//! (`format!("{}", self.key.len())`, `assert_eq!(f(0), E::A)`). syn's parse
//! of them (a token buffer, lookahead, the errors of its failed peeks, the
//! nodes and their drop) was a fifth of lowering at 100k lines (callgrind).
//! Literals, paths of plain identifiers, field accesses, calls and method
//! calls are read here into [`Node`]s and lowered as `Lower::expr` lowers
//! the syn nodes syn's parser makes of them: the same IR, sites in the same
//! order, the same spans. Anything else (any other token, a keyword,
//! generic arguments, an operator) gives up on the whole list, which then
//! goes to syn as before. Only postfix forms are accepted, so precedence
//! cannot differ from syn's: each argument is an atom followed by `.name`,
//! `.name(..)` and `(..)`, left to right, up to a comma.

use proc_macro2::{Delimiter, Literal, Spacing, TokenStream, TokenTree};

use super::{between, ident_span, pos, span_of, Lower, MAX_DEPTH};
use crate::ir::{Expr, Lit, Site, Span};
use crate::sym::Sym;

type Tokens = std::vec::IntoIter<TokenTree>;

/// An identifier, printed once: its name and its token's span.
type Name = (Sym, proc_macro2::Span);

/// A simple argument expression.
pub enum Node {
    /// A literal, or `true`/`false`; `token` for a string literal's value.
    Lit {
        lit: Lit,
        span: proc_macro2::Span,
        token: Option<Literal>,
    },
    /// `a::b::c`.
    Path(Vec<Name>),
    Field {
        base: Box<Node>,
        member: Name,
    },
    Method {
        receiver: Box<Node>,
        method: Name,
        args: Vec<Node>,
        close: proc_macro2::Span,
    },
    Call {
        func: Box<Node>,
        args: Vec<Node>,
        close: proc_macro2::Span,
    },
}

/// The comma-separated expressions of `tokens`, when every one has a simple
/// shape; `None` sends the list to syn.
pub fn args(tokens: TokenStream) -> Option<Vec<Node>> {
    let mut it: Tokens = tokens.into_iter().collect::<Vec<_>>().into_iter();
    let mut out = Vec::new();
    while !it.as_slice().is_empty() {
        out.push(expr(&mut it)?);
        match it.next() {
            None => break,
            Some(TokenTree::Punct(p)) if p.as_char() == ',' => {}
            Some(_) => return None,
        }
    }
    Some(out)
}

/// How deep `nodes` nest: lowering them directly skips `Lower::expr`'s
/// depth limit, so only lists well inside it are lowered here.
pub fn height(nodes: &[Node]) -> u32 {
    nodes.iter().map(node_height).max().unwrap_or(0)
}

fn node_height(n: &Node) -> u32 {
    1 + match n {
        Node::Lit { .. } | Node::Path(_) => 0,
        Node::Field { base, .. } => node_height(base),
        Node::Method { receiver, args, .. } => node_height(receiver).max(height(args)),
        Node::Call { func, args, .. } => node_height(func).max(height(args)),
    }
}

/// An atom and its postfix operators.
fn expr(it: &mut Tokens) -> Option<Node> {
    let mut e = match it.next()? {
        TokenTree::Literal(l) => Node::Lit {
            lit: lit_kind(&l),
            span: l.span(),
            token: Some(l),
        },
        TokenTree::Ident(i) if i == "true" || i == "false" => Node::Lit {
            lit: Lit::Bool(i == "true"),
            span: i.span(),
            token: None,
        },
        TokenTree::Ident(i) => path(i, it)?,
        _ => return None,
    };
    loop {
        match it.as_slice().first() {
            Some(TokenTree::Punct(p)) if p.as_char() == '.' && p.spacing() == Spacing::Alone => {
                it.next();
                let Some(TokenTree::Ident(member)) = it.next() else {
                    return None;
                };
                let member = plain(&member)?;
                e = match it.as_slice().first() {
                    Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                        let close = g.span_close();
                        let args = args(g.stream())?;
                        it.next();
                        Node::Method {
                            receiver: Box::new(e),
                            method: member,
                            args,
                            close,
                        }
                    }
                    _ => Node::Field {
                        base: Box::new(e),
                        member,
                    },
                };
            }
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                let close = g.span_close();
                let args = args(g.stream())?;
                it.next();
                e = Node::Call {
                    func: Box::new(e),
                    args,
                    close,
                };
            }
            _ => return Some(e),
        }
    }
}

/// What a literal token lowers to, from its first characters (syn's
/// `Lit::new` reads the same): `"..."` and raw `r"..."`, `r#"..."#` are
/// string literals; byte strings, C strings, characters and numbers are
/// `Lit::Other`.
fn lit_kind(l: &Literal) -> Lit {
    use std::fmt::Write as _;
    let mut head = Head::default();
    let _ = write!(head, "{l}");
    match head.bytes[..head.len] {
        [b'"', ..] | [b'r', b'"' | b'#', ..] => Lit::Str,
        _ => Lit::Other,
    }
}

/// The first two bytes of what is printed into it.
#[derive(Default)]
struct Head {
    bytes: [u8; 2],
    len: usize,
}

impl std::fmt::Write for Head {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for b in s.bytes() {
            if self.len == self.bytes.len() {
                break;
            }
            self.bytes[self.len] = b;
            self.len += 1;
        }
        Ok(())
    }
}

/// A path of plain identifiers, `a::b::c` (`self`, `Self`, `super` or
/// `crate` first), starting at `first`.
fn path(first: proc_macro2::Ident, it: &mut Tokens) -> Option<Node> {
    let span = first.span();
    let sym = super::with_text(&first, |t| {
        let path_start = matches!(t, "self" | "Self" | "super" | "crate");
        (path_start || !keyword(t)).then(|| Sym::new(t))
    })?;
    let mut segments = vec![(sym, span)];
    while let [TokenTree::Punct(a), TokenTree::Punct(b), TokenTree::Ident(_), ..] = it.as_slice() {
        if !(a.as_char() == ':'
            && a.spacing() == Spacing::Joint
            && b.as_char() == ':'
            && b.spacing() == Spacing::Alone)
        {
            break;
        }
        it.next();
        it.next();
        let Some(TokenTree::Ident(i)) = it.next() else {
            return None;
        };
        segments.push(plain(&i)?);
    }
    Some(Node::Path(segments))
}

/// An identifier syn parses as a name, not a keyword, printed.
fn plain(i: &proc_macro2::Ident) -> Option<Name> {
    super::with_text(i, |t| (!keyword(t)).then(|| (Sym::new(t), i.span())))
}

/// Every word of syn's `accept_as_ident` list and the contextual keywords
/// (refusing one only sends its list to syn).
fn keyword(t: &str) -> bool {
    matches!(
        t,
        "_" | "abstract"
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

/// A string literal's value: read off the token when it is plain (`"..."`
/// without escapes, carriage returns or suffix, whose value is the text
/// between the quotes), else syn's.
fn str_value(token: &Literal) -> String {
    let repr = token.to_string();
    match repr.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if !inner.contains(['\\', '\r', '"']) => inner.to_string(),
        _ => match syn::Lit::new(token.clone()) {
            syn::Lit::Str(s) => s.value(),
            _ => String::new(),
        },
    }
}

impl Lower {
    /// `macro_args` of a simple list: each argument as `Lower::expr`
    /// lowers its syn node, a string literal's captures first.
    pub(super) fn simple_args(&mut self, nodes: Vec<Node>) -> Vec<Expr> {
        debug_assert!(self.depth + height(&nodes) + 1 < MAX_DEPTH);
        let mut out = Vec::with_capacity(nodes.len());
        for n in &nodes {
            if let Node::Lit {
                lit: Lit::Str,
                span,
                token: Some(token),
            } = n
            {
                self.format_captures(&str_value(token), span_of(*span), &mut out);
            }
            out.push(self.node(n));
        }
        out
    }

    /// `expr_inner` of the syn node of `n`.
    fn node(&mut self, n: &Node) -> Expr {
        match n {
            Node::Lit { lit, .. } => Expr::Lit(*lit),
            Node::Path(segs) => match segs.as_slice() {
                [(name, span)] => {
                    let span = ident_span(*span, name);
                    self.name_expr(*name, span)
                }
                _ => {
                    let (lo, hi) = match (segs.first(), segs.last()) {
                        (Some(first), Some(last)) => (first.1, last.1),
                        _ => (
                            proc_macro2::Span::call_site(),
                            proc_macro2::Span::call_site(),
                        ),
                    };
                    self.path_expr(segs.iter().map(|s| s.0).collect(), between(lo, hi))
                }
            },
            Node::Field { base, member } => {
                let base = Box::new(self.node(base));
                Expr::Field {
                    base,
                    name: member.0,
                    span: ident_span(member.1, &member.0),
                }
            }
            Node::Call { func, args, close } => {
                let callee_args: Box<[Expr]> = std::iter::once(&**func)
                    .chain(args.iter())
                    .map(|a| self.node(a))
                    .collect();
                let callee = &callee_args[0];
                if let Expr::Path { site, .. } = *callee {
                    self.called(site);
                }
                // `spans::known_lo` of the callee: a path's start is in
                // its IR; else the first token of the spine, looked up.
                let lo = match callee {
                    Expr::Path { span, .. } => span.lo,
                    _ => pos(first_token(func).start()),
                };
                Expr::Call {
                    callee_args,
                    span: Span {
                        lo,
                        hi: pos(close.end()),
                    },
                }
            }
            Node::Method {
                receiver,
                method,
                args,
                close,
            } => {
                let arity = args.len() as u32 + 1;
                self.sites.push(Site::Method(method.0, arity));
                let mut recv_args = Vec::with_capacity(args.len() + 1);
                recv_args.push(self.node(receiver));
                recv_args.extend(args.iter().map(|a| self.node(a)));
                Expr::Method {
                    name: method.0,
                    recv_args: recv_args.into_boxed_slice(),
                    span: between(method.1, *close),
                }
            }
        }
    }
}

/// `spans::expr_lo` of a node: the first token of its left spine (within
/// `spans`' step limit, which [`height`] keeps these under).
fn first_token(mut n: &Node) -> proc_macro2::Span {
    loop {
        n = match n {
            Node::Lit { span, .. } => return *span,
            Node::Path(segs) => {
                return segs
                    .first()
                    .map_or_else(proc_macro2::Span::call_site, |s| s.1)
            }
            Node::Field { base, .. } => base,
            Node::Method { receiver, .. } => receiver,
            Node::Call { func, .. } => func,
        }
    }
}
