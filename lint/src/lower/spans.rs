//! Where a syntax node starts and ends, read off its first and last tokens.
//!
//! syn's `Spanned::span` prints a node's whole subtree into a token stream
//! to find its ends. Lowering asks for the span of every call, assignment and
//! statement, so that made lowering cost as much as parsing and quadratic in
//! nesting (a chain of 16,000 method calls printed the chain 16,000 times).
//! Here the ends are found by walking the left or right spine of the node, at
//! most [`SPINE`] steps; past that, the span starts or ends at the innermost
//! node's own token (only degenerate code nests its spine that deep).

use crate::ir;
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::Expr;

/// Steps along an expression's left or right spine before settling for the
/// current node's own token.
const SPINE: usize = 64;

/// The first token of an expression (outer attributes not included).
pub fn expr_lo(mut e: &Expr) -> Span {
    for _ in 0..SPINE {
        e = match e {
            Expr::Assign(x) => &x.left,
            Expr::Await(x) => &x.base,
            Expr::Binary(x) => &x.left,
            Expr::Call(x) => &x.func,
            Expr::Cast(x) => &x.expr,
            Expr::Field(x) => &x.base,
            Expr::Index(x) => &x.expr,
            Expr::MethodCall(x) => &x.receiver,
            Expr::Range(syn::ExprRange { start: Some(s), .. }) => s,
            Expr::Try(x) => &x.expr,
            _ => return own_lo(e),
        };
    }
    own_lo(e)
}

/// The last token of an expression.
pub fn expr_hi(mut e: &Expr) -> Span {
    for _ in 0..SPINE {
        e = match e {
            Expr::Assign(x) => &x.right,
            Expr::Binary(x) => &x.right,
            Expr::Closure(x) => &x.body,
            Expr::Group(x) => &x.expr,
            Expr::Let(x) => &x.expr,
            Expr::Range(syn::ExprRange { end: Some(s), .. }) => s,
            Expr::RawAddr(x) => &x.expr,
            Expr::Reference(x) => &x.expr,
            Expr::Return(syn::ExprReturn { expr: Some(s), .. }) => s,
            Expr::Break(syn::ExprBreak { expr: Some(s), .. }) => s,
            Expr::Yield(syn::ExprYield { expr: Some(s), .. }) => s,
            Expr::Unary(x) => &x.expr,
            Expr::If(syn::ExprIf {
                else_branch: Some((_, s)),
                ..
            }) => s,
            _ => return own_hi(e),
        };
    }
    own_hi(e)
}

/// The first token that belongs to `e` itself, not to a sub-expression on
/// its left spine.
fn own_lo(e: &Expr) -> Span {
    match e {
        Expr::Array(x) => x.bracket_token.span.open(),
        Expr::Assign(x) => x.eq_token.span,
        Expr::Async(x) => x.async_token.span,
        Expr::Await(x) => x.dot_token.span,
        Expr::Binary(x) => x.op.span(),
        Expr::Block(x) => match &x.label {
            Some(l) => l.name.apostrophe,
            None => x.block.brace_token.span.open(),
        },
        Expr::Break(x) => x.break_token.span,
        Expr::Call(x) => x.paren_token.span.open(),
        Expr::Cast(x) => x.as_token.span,
        Expr::Closure(x) => closure_lo(x),
        Expr::Const(x) => x.const_token.span,
        Expr::Continue(x) => x.continue_token.span,
        Expr::Field(x) => x.dot_token.span,
        Expr::ForLoop(x) => match &x.label {
            Some(l) => l.name.apostrophe,
            None => x.for_token.span,
        },
        Expr::Group(x) => x.group_token.span,
        Expr::If(x) => x.if_token.span,
        Expr::Index(x) => x.bracket_token.span.open(),
        Expr::Infer(x) => x.underscore_token.span,
        Expr::Let(x) => x.let_token.span,
        Expr::Lit(x) => x.lit.span(),
        Expr::Loop(x) => match &x.label {
            Some(l) => l.name.apostrophe,
            None => x.loop_token.span,
        },
        Expr::Macro(x) => path_lo(&x.mac.path),
        Expr::Match(x) => x.match_token.span,
        Expr::MethodCall(x) => x.dot_token.span,
        Expr::Paren(x) => x.paren_token.span.open(),
        Expr::Path(x) => match &x.qself {
            Some(q) => q.lt_token.span,
            None => path_lo(&x.path),
        },
        Expr::Range(x) => range_limits(&x.limits),
        Expr::RawAddr(x) => x.and_token.span,
        Expr::Reference(x) => x.and_token.span,
        Expr::Repeat(x) => x.bracket_token.span.open(),
        Expr::Return(x) => x.return_token.span,
        Expr::Struct(x) => match &x.qself {
            Some(q) => q.lt_token.span,
            None => path_lo(&x.path),
        },
        Expr::Try(x) => x.question_token.span,
        Expr::TryBlock(x) => x.try_token.span,
        Expr::Tuple(x) => x.paren_token.span.open(),
        Expr::Unary(x) => x.op.span(),
        Expr::Unsafe(x) => x.unsafe_token.span,
        Expr::While(x) => match &x.label {
            Some(l) => l.name.apostrophe,
            None => x.while_token.span,
        },
        Expr::Yield(x) => x.yield_token.span,
        // Raw tokens syn did not parse, and variants added after this was
        // written: the printed span is still right, only slower.
        _ => e.span(),
    }
}

/// The last token that belongs to `e` itself.
fn own_hi(e: &Expr) -> Span {
    match e {
        Expr::Array(x) => x.bracket_token.span.close(),
        Expr::Assign(x) => x.eq_token.span,
        Expr::Async(x) => x.block.brace_token.span.close(),
        Expr::Await(x) => x.await_token.span,
        Expr::Binary(x) => x.op.span(),
        Expr::Block(x) => x.block.brace_token.span.close(),
        Expr::Break(x) => match &x.label {
            Some(l) => l.ident.span(),
            None => x.break_token.span,
        },
        Expr::Call(x) => x.paren_token.span.close(),
        Expr::Cast(x) => x.ty.span(),
        Expr::Closure(x) => closure_lo(x),
        Expr::Const(x) => x.block.brace_token.span.close(),
        Expr::Continue(x) => match &x.label {
            Some(l) => l.ident.span(),
            None => x.continue_token.span,
        },
        Expr::Field(x) => match &x.member {
            syn::Member::Named(i) => i.span(),
            syn::Member::Unnamed(i) => i.span,
        },
        Expr::ForLoop(x) => x.body.brace_token.span.close(),
        Expr::Group(x) => x.group_token.span,
        Expr::If(x) => x.then_branch.brace_token.span.close(),
        Expr::Index(x) => x.bracket_token.span.close(),
        Expr::Infer(x) => x.underscore_token.span,
        Expr::Let(x) => x.eq_token.span,
        Expr::Lit(x) => x.lit.span(),
        Expr::Loop(x) => x.body.brace_token.span.close(),
        Expr::Macro(x) => delim_close(&x.mac.delimiter),
        Expr::Match(x) => x.brace_token.span.close(),
        Expr::MethodCall(x) => x.paren_token.span.close(),
        Expr::Paren(x) => x.paren_token.span.close(),
        Expr::Path(x) => path_hi(&x.path),
        Expr::Range(x) => range_limits(&x.limits),
        Expr::RawAddr(x) => x.and_token.span,
        Expr::Reference(x) => x.and_token.span,
        Expr::Repeat(x) => x.bracket_token.span.close(),
        Expr::Return(x) => x.return_token.span,
        Expr::Struct(x) => x.brace_token.span.close(),
        Expr::Try(x) => x.question_token.span,
        Expr::TryBlock(x) => x.block.brace_token.span.close(),
        Expr::Tuple(x) => x.paren_token.span.close(),
        Expr::Unary(x) => x.op.span(),
        Expr::Unsafe(x) => x.block.brace_token.span.close(),
        Expr::While(x) => x.body.brace_token.span.close(),
        Expr::Yield(x) => x.yield_token.span,
        _ => e.span(),
    }
}

fn closure_lo(c: &syn::ExprClosure) -> Span {
    if let Some(l) = &c.lifetimes {
        return l.for_token.span;
    }
    if let Some(t) = &c.constness {
        return t.span;
    }
    if let Some(t) = &c.movability {
        return t.span;
    }
    if let Some(t) = &c.asyncness {
        return t.span;
    }
    if let Some(t) = &c.capture {
        return t.span;
    }
    c.or1_token.span
}

fn range_limits(l: &syn::RangeLimits) -> Span {
    match l {
        syn::RangeLimits::HalfOpen(t) => t.spans[0],
        syn::RangeLimits::Closed(t) => t.spans[0],
    }
}

fn delim_close(d: &syn::MacroDelimiter) -> Span {
    match d {
        syn::MacroDelimiter::Paren(t) => t.span.close(),
        syn::MacroDelimiter::Brace(t) => t.span.close(),
        syn::MacroDelimiter::Bracket(t) => t.span.close(),
    }
}

/// The first token of a path: its leading `::` or first segment.
pub fn path_lo(p: &syn::Path) -> Span {
    match (&p.leading_colon, p.segments.first()) {
        (Some(c), _) => c.spans[0],
        (None, Some(s)) => s.ident.span(),
        (None, None) => Span::call_site(),
    }
}

/// The last token of a path: its last segment's name or generic arguments.
pub fn path_hi(p: &syn::Path) -> Span {
    match p.segments.last() {
        Some(s) => match &s.arguments {
            syn::PathArguments::None => s.ident.span(),
            syn::PathArguments::AngleBracketed(a) => a.gt_token.span,
            syn::PathArguments::Parenthesized(a) => match &a.output {
                syn::ReturnType::Default => a.paren_token.span.close(),
                syn::ReturnType::Type(_, t) => t.span(),
            },
        },
        None => Span::call_site(),
    }
}

/// Where `e` starts ([`expr_lo`]), read off its lowering `ir` when the
/// left spine ends at a node whose lowering kept that position (a path, a
/// struct literal, a macro): `x = f(a)` and `f(a)` start where the path
/// `f` and `x` do, whose positions lowering has just looked up. Each lookup
/// is a thread-local access and two binary searches in proc-macro2 (about
/// 190 instructions). The walk takes the same steps as [`expr_lo`], node by
/// node in both trees, and gives up (`None`: look it up) on any node it does
/// not know, where the two differ (an expression lowered as opaque), or
/// after as many steps as [`expr_lo`] takes.
pub fn known_lo(mut e: &Expr, mut ir: &ir::Expr) -> Option<ir::Pos> {
    for _ in 0..SPINE {
        (e, ir) = match (e, ir) {
            (Expr::Path(_), ir::Expr::Path { span, .. })
            | (Expr::Macro(_), ir::Expr::Macro { span, .. }) => return Some(span.lo),
            (Expr::Struct(_), ir::Expr::Struct(s)) => return Some(s.span.lo),
            (Expr::Assign(x), ir::Expr::Assign { lhs, .. }) => (&*x.left, &**lhs),
            (Expr::Await(x), ir::Expr::Await(base)) => (&*x.base, &**base),
            (Expr::Binary(x), ir::Expr::Binary { lhs, .. } | ir::Expr::Assign { lhs, .. }) => {
                (&*x.left, &**lhs)
            }
            (Expr::Call(x), ir::Expr::Call { callee_args, .. }) => (&*x.func, callee_args.first()?),
            (Expr::Cast(x), ir::Expr::Cast { expr, .. }) => (&*x.expr, &**expr),
            (Expr::Field(x), ir::Expr::Field { base, .. }) => (&*x.base, &**base),
            (Expr::Index(x), ir::Expr::Index { base, .. }) => (&*x.expr, &**base),
            (Expr::MethodCall(x), ir::Expr::Method { recv_args, .. }) => {
                (&*x.receiver, recv_args.first()?)
            }
            (Expr::Try(x), ir::Expr::Try { expr, .. }) => (&*x.expr, &**expr),
            _ => return None,
        };
    }
    None
}

/// Where `e` ends ([`expr_hi`]), read off its lowering as [`known_lo`] does
/// its start: calls, method calls, paths, fields, struct literals, `?` and
/// macros keep their end.
pub fn known_hi(mut e: &Expr, mut ir: &ir::Expr) -> Option<ir::Pos> {
    for _ in 0..SPINE {
        (e, ir) = match (e, ir) {
            (Expr::Call(_), ir::Expr::Call { span, .. })
            | (Expr::MethodCall(_), ir::Expr::Method { span, .. })
            | (Expr::Path(_), ir::Expr::Path { span, .. })
            | (Expr::Field(_), ir::Expr::Field { span, .. })
            | (Expr::Try(_), ir::Expr::Try { span, .. })
            | (Expr::Macro(_), ir::Expr::Macro { span, .. }) => return Some(span.hi),
            (Expr::Struct(_), ir::Expr::Struct(s)) => return Some(s.span.hi),
            (Expr::Assign(x), ir::Expr::Assign { rhs, .. }) => (&*x.right, &**rhs),
            (Expr::Binary(x), ir::Expr::Binary { rhs, .. } | ir::Expr::Assign { rhs, .. }) => {
                (&*x.right, &**rhs)
            }
            (Expr::Group(x), ir::Expr::Pass(inner)) => (&*x.expr, &**inner),
            (Expr::Reference(x), ir::Expr::Pass(inner)) => (&*x.expr, &**inner),
            (Expr::Unary(x), ir::Expr::Not(inner) | ir::Expr::Pass(inner)) => (&*x.expr, &**inner),
            (
                Expr::Return(syn::ExprReturn { expr: Some(x), .. }),
                ir::Expr::Return { value: Some(v), .. },
            ) => (&**x, &**v),
            _ => return None,
        };
    }
    None
}

/// A macro invocation: its path to its closing delimiter.
pub fn mac(m: &syn::Macro) -> (Span, Span) {
    (path_lo(&m.path), delim_close(&m.delimiter))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spine walk agrees with syn's printed span on ordinary code.
    #[test]
    fn ends_match_syn() {
        let src = r#"
            fn f() {
                a.b(c).d(e, f)?;
                x = y + z * w;
                crate::ads::upload(&user.phone);
                let v = S { a: 1, ..Default::default() };
                xs.iter().map(|x| x + 1).collect::<Vec<_>>();
                return v.w as u64;
                if a { b } else if c { d } else { e };
                &mut v[0];
                format!("{}", x);
                <T as Tr>::f(1);
                'l: loop { break 'l 5; }
                move || a.b;
                0..n;
                async move { x.await };
            }
        "#;
        let file: syn::File = syn::parse_str(src).expect("parses");
        let syn::Item::Fn(f) = &file.items[0] else {
            unreachable!()
        };
        let mut n = 0;
        for s in &f.block.stmts {
            let e = match s {
                syn::Stmt::Expr(e, _) => e,
                syn::Stmt::Local(l) => &l.init.as_ref().expect("init").expr,
                syn::Stmt::Macro(m) => {
                    let (lo, hi) = mac(&m.mac);
                    assert_eq!(lo.start(), m.mac.span().start());
                    assert_eq!(hi.end(), m.mac.span().end());
                    n += 1;
                    continue;
                }
                syn::Stmt::Item(_) => continue,
            };
            let whole = e.span();
            let (lo, hi) = (expr_lo(e), expr_hi(e));
            assert_eq!(
                lo.start(),
                whole.start(),
                "start of `{}`",
                quote::quote!(#e)
            );
            assert_eq!(hi.end(), whole.end(), "end of `{}`", quote::quote!(#e));
            n += 1;
        }
        assert_eq!(n, 14);
    }
}
