//! Reading datagate's attributes through the shared grammar of
//! `datagate_spec::attr`, so that the macros and the linter agree on what an
//! annotation means.

use crate::ctxt::Ctxt;
use datagate_spec::attr as spec;
use datagate_spec::Name;
use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned as _;
use syn::{Attribute, Meta};

/// The attribute macros.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Source,
    Sink,
    ConsentCheck,
    Declassify,
    Allow,
}

impl Kind {
    /// The attribute's name, as written after `datagate::`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Source => "source",
            Kind::Sink => "sink",
            Kind::ConsentCheck => "consent_check",
            Kind::Declassify => "declassify",
            Kind::Allow => "allow",
        }
    }

    /// Whether `attr` is this attribute: `#[datagate::NAME]`, or `#[NAME]`
    /// brought in with `use datagate::NAME`.
    pub fn is(self, attr: &Attribute) -> bool {
        let segs: Vec<String> = attr
            .path()
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        match segs.as_slice() {
            [krate, name] => krate == "datagate" && name == self.name(),
            [name] => name == self.name(),
            _ => false,
        }
    }
}

/// What the item checks need from an attribute's arguments.
#[derive(Default)]
pub struct Args {
    /// `args = [..]` of a sink: the valid names written there.
    pub params: Option<Vec<Name>>,
}

/// Parse an attribute macro's arguments, reporting every error into `cx`.
/// `Span::call_site()` is the whole attribute, where errors about missing
/// arguments point.
pub fn args(cx: &mut Ctxt, kind: Kind, tokens: TokenStream) -> Args {
    let span = Span::call_site();
    let mut out = Args::default();
    let res = match kind {
        Kind::Source => spec::parse_source(tokens, span).map(drop),
        Kind::Sink => {
            let (sink, err) = spec::parse_sink_partial(tokens, span);
            out.params = sink.and_then(|s| s.args);
            err.map_or(Ok(()), Err)
        }
        Kind::ConsentCheck => spec::parse_consent(tokens, span, kind.name()).map(drop),
        Kind::Declassify => spec::parse_declassify(tokens, span).map(drop),
        Kind::Allow => spec::parse_allow(tokens, span).map(drop),
    };
    if let Err(e) = res {
        cx.syn_error(e);
    }
    out
}

/// The tokens inside a derive helper attribute `#[name(..)]` and the span
/// where errors about missing arguments point (the attribute's name). A bare
/// `#[name]` has no arguments, which the grammar reports; `#[name = ..]` is
/// not the grammar's shape at all.
fn helper_tokens(cx: &mut Ctxt, attr: &Attribute, name: &str) -> Option<(TokenStream, Span)> {
    match &attr.meta {
        Meta::List(list) => Some((list.tokens.clone(), list.path.span())),
        Meta::Path(path) => Some((TokenStream::new(), path.span())),
        Meta::NameValue(_) => {
            cx.error_spanned_by(
                attr,
                format!("expected `#[{name}(..)]` with arguments in parentheses"),
            );
            None
        }
    }
}

/// Check the arguments of a `#[personal(..)]`.
pub fn personal(cx: &mut Ctxt, attr: &Attribute) {
    if let Some((tokens, span)) = helper_tokens(cx, attr, "personal") {
        if let Err(e) = spec::parse_personal(tokens, span) {
            cx.syn_error(e);
        }
    }
}

/// Check the arguments of a `#[consent(..)]`.
pub fn consent(cx: &mut Ctxt, attr: &Attribute) {
    if let Some((tokens, span)) = helper_tokens(cx, attr, "consent") {
        if let Err(e) = spec::parse_consent(tokens, span, "consent") {
            cx.syn_error(e);
        }
    }
}
