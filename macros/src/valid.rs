//! The checks: is the annotation on an item it applies to, and does it fit
//! that item (parameters named in `args` exist, return types suit).

use crate::ast::{self, Func, Item, Place};
use crate::attr::{self, Args, Kind};
use crate::ctxt::Ctxt;
use datagate_spec::suggest::{closest, list};
use quote::ToTokens;
use syn::DeriveInput;

/// Check an attribute macro's use: `args` are its arguments, already parsed.
pub fn attribute(cx: &mut Ctxt, kind: Kind, args: &Args, item: &Item) {
    match item {
        Item::Unparsed => {}
        // `allow` suppresses findings inside whatever it is on.
        Item::Other(_) if kind == Kind::Allow => {}
        Item::Other(other) => {
            let hint = other.hint.map(|h| format!("; {h}")).unwrap_or_default();
            cx.error_spanned_by(
                &other.head,
                format!(
                    "`{}` goes on a function or method, not on {}{hint}",
                    kind.name(),
                    other.what
                ),
            );
        }
        Item::Fn(func) => function(cx, kind, args, func),
    }
}

fn function(cx: &mut Ctxt, kind: Kind, args: &Args, func: &Func) {
    let name = &func.sig.ident;
    if kind != Kind::Allow {
        // The linter keeps one of each per function: two would lose one.
        for dup in func.attrs.iter().filter(|a| kind.is(a)) {
            cx.error_spanned_by(
                dup,
                format!(
                    "`{}` appears twice on `{name}`; merge them into one attribute",
                    kind.name()
                ),
            );
        }
    }
    match kind {
        Kind::Source | Kind::Declassify => {
            if func.returned().is_none() {
                cx.error_spanned_by(
                    no_value(func),
                    format!(
                        "`{}` describes the return value, but `{name}` returns nothing",
                        kind.name()
                    ),
                );
            }
        }
        Kind::ConsentCheck => consent_check_return(cx, func),
        Kind::Sink => sink_params(cx, args, func),
        Kind::Allow => {}
    }
}

/// Where to point when a function returns nothing: its `-> ()` if written,
/// else its head.
fn no_value(func: &Func) -> proc_macro2::TokenStream {
    match &func.sig.output {
        syn::ReturnType::Type(_, ty) => ty.to_token_stream(),
        syn::ReturnType::Default => func.head(),
    }
}

const CONSENT_RETURNS: &str = "`bool`, `Result<..>` or `Option<..>`";

fn consent_check_return(cx: &mut Ctxt, func: &Func) {
    let name = &func.sig.ident;
    let Some(ty) = func.returned() else {
        cx.error_spanned_by(
            no_value(func),
            format!("`consent_check` must return {CONSENT_RETURNS}, but `{name}` returns nothing"),
        );
        return;
    };
    let ok = match ast::path_name(ty).as_deref() {
        Some("bool") => ast::is_bool(ty),
        Some("Result" | "Option") => true,
        _ => false,
    };
    if !ok {
        cx.error_spanned_by(
            ty,
            format!(
                "`consent_check` must return {CONSENT_RETURNS} (true, `Ok` or `Some` is consent), not `{}`",
                ast::display(ty)
            ),
        );
    }
}

fn sink_params(cx: &mut Ctxt, args: &Args, func: &Func) {
    let name = &func.sig.ident;
    if func.sig.inputs.is_empty() {
        cx.error_spanned_by(
            func.head(),
            format!(
                "`sink` marks the arguments of `{name}` as sent, but `{name}` takes no parameters"
            ),
        );
        return;
    }
    let Some(named) = &args.params else { return };
    let params = func.param_names();
    for arg in named {
        let text = arg.text.as_str();
        if params.iter().any(|p| p == text) {
            continue;
        }
        let msg = if text == "self" {
            format!("`args` names `self`, but `{name}` has no `self` parameter")
        } else if params.is_empty() {
            format!("no parameter named `{text}`: `{name}` has no named parameters")
        } else if let Some(near) = closest(text, params.iter().map(String::as_str)) {
            format!("no parameter named `{text}` in `{name}`, did you mean `{near}`?")
        } else {
            format!(
                "no parameter named `{text}` in `{name}`; its parameters are {}",
                list(params.iter().map(String::as_str), "and")
            )
        };
        cx.error_at(arg.span, msg);
    }
}

/// Check every `#[personal(..)]` of a `derive(Personal)` input.
pub fn personal(cx: &mut Ctxt, input: &DeriveInput) {
    for site in ast::sites(input) {
        for a in site.attrs.iter().filter(|a| a.path().is_ident("personal")) {
            if site.place == Place::GenericParam {
                cx.error_spanned_by(
                    a,
                    "`personal` goes on a field, an enum variant or the type itself, not on a generic parameter",
                );
            }
            attr::personal(cx, a);
        }
    }
}

/// Check every `#[consent(..)]` of a `derive(Consent)` input.
pub fn consent(cx: &mut Ctxt, input: &DeriveInput) {
    for site in ast::sites(input) {
        let mut seen = false;
        for a in site.attrs.iter().filter(|a| a.path().is_ident("consent")) {
            let misplaced = match site.place {
                Place::Container(kind) => Some(kind),
                Place::Variant => Some("enum variant"),
                Place::GenericParam => Some("generic parameter"),
                Place::Field => None,
            };
            if let Some(on) = misplaced {
                cx.error_spanned_by(
                    a,
                    format!(
                        "`consent` goes on a `bool` field whose value is the user's consent, not on the {on}"
                    ),
                );
            } else if seen {
                cx.error_spanned_by(
                    a,
                    "`consent` appears twice on this field; merge them into one attribute",
                );
            } else if let Some(ty) = site.ty.filter(|ty| !ast::is_bool(ty)) {
                cx.error_spanned_by(
                    ty,
                    format!(
                        "`consent` goes on a `bool` field, but this field is `{}`",
                        ast::display(ty)
                    ),
                );
            }
            seen = true;
            attr::consent(cx, a);
        }
    }
}
