//! The grammar of datagate's attribute arguments.
//!
//! Every parser here takes the tokens inside the attribute's parentheses and
//! returns a model of them or a `syn::Error` that combines *every* mistake
//! found, each spanned on the offending token. The proc macros turn that error
//! into compile errors; the linter reads the same errors as
//! `invalid-annotation` findings, so both agree on what an annotation means.
//!
//! Shape of the grammar: a comma-separated list of arguments, each either a
//! bare name (`phone_number`, `"loyalty_tier"`) or `key = value` where the
//! value is a name or a bracketed list of names. Names are idents (built-in
//! vocabulary, checked here) or string literals (custom, checked by the linter
//! against the policy).

use crate::codes::Code;
use crate::suggest::{closest, list};
use crate::taxonomy;
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt as _;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{bracketed, Ident, LitStr, Token};

/// Whether a name was written as an ident or as a string literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameKind {
    /// `phone_number`: built-in vocabulary (validated at compile time).
    Ident,
    /// `"loyalty_tier"`: a custom name, validated by the linter.
    Custom,
}

/// A name written in an attribute, with where it was written.
#[derive(Debug, Clone)]
pub struct Name {
    pub text: String,
    pub kind: NameKind,
    pub span: Span,
}

/// `#[personal(cat, ..)]` on a field, variant or container.
#[derive(Debug, Clone)]
pub struct PersonalAttr {
    pub categories: Vec<Name>,
}

/// `#[datagate::source(cat, ..)]`: the return value carries these categories.
#[derive(Debug, Clone)]
pub struct SourceAttr {
    pub categories: Vec<Name>,
}

/// `#[datagate::sink(to = .., purpose = .., args = [..])]`.
#[derive(Debug, Clone)]
pub struct SinkAttr {
    pub to: Vec<Name>,
    pub purposes: Vec<Name>,
    /// The parameters that are sinks; `None` means every argument.
    pub args: Option<Vec<Name>>,
}

/// `#[datagate::consent_check(..)]` on a function, or `#[consent(..)]` on a
/// bool field: the recipients, purposes and categories a "yes" covers.
#[derive(Debug, Clone)]
pub struct ConsentAttr {
    pub to: Vec<Name>,
    pub purposes: Vec<Name>,
    /// `None` means every category.
    pub categories: Option<Vec<Name>>,
}

/// `#[datagate::declassify(categories = [..], reason = "..")]`.
#[derive(Debug, Clone)]
pub struct DeclassifyAttr {
    pub categories: Vec<Name>,
    pub reason: String,
}

/// `#[datagate::allow(code, .., reason = "..")]`.
#[derive(Debug, Clone)]
pub struct AllowAttr {
    pub codes: Vec<(Code, Span)>,
    pub reason: String,
}

/// The recipient that a consent check may name to cover every recipient.
pub const ANY_RECIPIENT: &str = "any";

// ---------------------------------------------------------------------------
// Raw syntax

enum RawValue {
    One(RawName),
    List(Vec<RawName>, Span),
}

enum RawName {
    Ident(Ident),
    Str(LitStr),
}

struct RawArg {
    key: Option<Ident>,
    value: RawValue,
}

impl Parse for RawName {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let look = input.lookahead1();
        if look.peek(LitStr) {
            input.parse().map(RawName::Str)
        } else if look.peek(Ident::peek_any) {
            syn::ext::IdentExt::parse_any(input).map(RawName::Ident)
        } else {
            Err(look.error())
        }
    }
}

impl Parse for RawValue {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(syn::token::Bracket) {
            let content;
            let bracket = bracketed!(content in input);
            let items = Punctuated::<RawName, Token![,]>::parse_terminated(&content)?;
            Ok(RawValue::List(
                items.into_iter().collect(),
                bracket.span.join(),
            ))
        } else {
            input.parse().map(RawValue::One)
        }
    }
}

impl Parse for RawArg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Ident::peek_any) && input.peek2(Token![=]) {
            let key = syn::ext::IdentExt::parse_any(input)?;
            input.parse::<Token![=]>()?;
            let value = input.parse()?;
            Ok(RawArg {
                key: Some(key),
                value,
            })
        } else {
            Ok(RawArg {
                key: None,
                value: input.parse()?,
            })
        }
    }
}

fn parse_args(tokens: TokenStream) -> syn::Result<Vec<RawArg>> {
    let parser = Punctuated::<RawArg, Token![,]>::parse_terminated;
    Ok(parser.parse2(tokens)?.into_iter().collect())
}

impl RawName {
    fn span(&self) -> Span {
        match self {
            RawName::Ident(i) => i.span(),
            RawName::Str(s) => s.span(),
        }
    }

    fn into_name(self) -> Name {
        match self {
            RawName::Ident(i) => Name {
                text: i.unraw().to_string(),
                kind: NameKind::Ident,
                span: i.span(),
            },
            RawName::Str(s) => Name {
                text: s.value(),
                kind: NameKind::Custom,
                span: s.span(),
            },
        }
    }
}

impl RawValue {
    fn names(self) -> Vec<RawName> {
        match self {
            RawValue::One(n) => vec![n],
            RawValue::List(v, _) => v,
        }
    }

    fn span(&self) -> Span {
        match self {
            RawValue::One(n) => n.span(),
            RawValue::List(_, s) => *s,
        }
    }
}

// ---------------------------------------------------------------------------
// Error collection (serde_derive's `Ctxt`, in small)

#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, msg: impl std::fmt::Display) {
        let e = syn::Error::new(span, msg);
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}

/// What kind of name a slot holds, for validation and messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// A category marked on data (`location` is the category).
    Marking,
    /// Categories covered by a check or declassify (`location` is the group).
    Coverage,
    Purpose,
    /// Recipient of a sink: `any` is not allowed.
    SinkRecipient,
    /// Recipient of a consent check: `any` covers every recipient.
    CheckRecipient,
    Param,
}

fn validate_name(errs: &mut Errors, raw: RawName, slot: Slot) -> Option<Name> {
    let span = raw.span();
    let name = raw.into_name();
    if name.kind == NameKind::Custom {
        if name.text.trim().is_empty() {
            errs.push(span, "a custom name must not be empty");
            return None;
        }
        if slot == Slot::Param {
            errs.push(span, "parameters are named by ident, not by string literal");
            return None;
        }
        return Some(name);
    }
    let ok = match slot {
        Slot::Marking => taxonomy::lookup_for_marking(&name.text).is_some(),
        Slot::Coverage => taxonomy::lookup_for_coverage(&name.text).is_some(),
        Slot::Purpose => taxonomy::purpose(&name.text).is_some(),
        Slot::SinkRecipient => {
            if name.text == ANY_RECIPIENT {
                errs.push(span, "`any` only makes sense in a consent check; a sink names the recipients it sends to");
                return None;
            }
            true
        }
        Slot::CheckRecipient | Slot::Param => true,
    };
    if ok {
        return Some(name);
    }
    let (what, near) = match slot {
        Slot::Marking | Slot::Coverage => (
            "category",
            closest(&name.text, taxonomy::category_like_names()),
        ),
        Slot::Purpose => (
            "purpose",
            closest(&name.text, taxonomy::PURPOSES.iter().map(|p| p.name)),
        ),
        _ => return None,
    };
    // A near miss is most likely a typo; anything else may be meant as a
    // custom name, which is written as a string literal.
    let hint = match near {
        Some(near) => format!(", did you mean `{near}`?"),
        None => format!(
            "; a custom {what} is written as a string literal: \"{}\"",
            name.text
        ),
    };
    errs.push(span, format!("unknown {what} `{}`{hint}", name.text));
    None
}

/// Report the second and later occurrences of a name in one list.
fn dedup(errs: &mut Errors, names: Vec<Name>, what: &str) -> Vec<Name> {
    let mut out: Vec<Name> = Vec::with_capacity(names.len());
    for name in names {
        if out.iter().any(|n| n.text == name.text) {
            errs.push(name.span, format!("duplicate {what} `{}`", name.text));
        } else {
            out.push(name);
        }
    }
    out
}

fn names(errs: &mut Errors, value: RawValue, slot: Slot, what: &str) -> Vec<Name> {
    let span = value.span();
    let valid: Vec<Name> = value
        .names()
        .into_iter()
        .filter_map(|n| validate_name(errs, n, slot))
        .collect();
    let out = dedup(errs, valid, what);
    if out.is_empty() && errs.0.is_none() {
        errs.push(span, format!("expected at least one {what}"));
    }
    out
}

/// Keyed arguments gathered by key, with duplicate and unknown keys reported.
struct Keyed {
    args: Vec<(Ident, RawValue)>,
    /// Known keys that an unknown key looked like a typo of: already
    /// reported with a suggestion, so not reported again as missing.
    misspelt: Vec<String>,
}

impl Keyed {
    fn take(&mut self, key: &str) -> Option<(Ident, RawValue)> {
        let pos = self.args.iter().position(|(k, _)| k == key)?;
        Some(self.args.remove(pos))
    }
}

fn split_keyed(
    errs: &mut Errors,
    attr: &str,
    args: Vec<RawArg>,
    allowed: &[&str],
    bare: &mut Vec<RawName>,
    bare_allowed: Option<&str>,
) -> Keyed {
    let mut keyed: Vec<(Ident, RawValue)> = Vec::new();
    let mut misspelt = Vec::new();
    for arg in args {
        match arg.key {
            Some(key) if allowed.is_empty() => {
                let what = bare_allowed.unwrap_or("name");
                errs.push(
                    key.span(),
                    format!("`{attr}` takes {what} names, not `key = value`"),
                );
            }
            Some(key) => {
                let k = key.to_string();
                if !allowed.contains(&k.as_str()) {
                    let msg = match closest(&k, allowed.iter().copied()) {
                        Some(near) => {
                            misspelt.push(near.to_string());
                            format!("unknown argument `{k}`, did you mean `{near}`?")
                        }
                        None => format!("unknown argument `{k}`; expected {}", one_of(allowed)),
                    };
                    errs.push(key.span(), msg);
                } else if keyed.iter().any(|(other, _)| other == &key) {
                    errs.push(key.span(), format!("duplicate argument `{k}`"));
                } else {
                    keyed.push((key, arg.value));
                }
            }
            None => match (bare_allowed, arg.value) {
                (Some(_), RawValue::One(n)) => bare.push(n),
                (_, v) => errs.push(
                    v.span(),
                    match bare_allowed {
                        Some(what) if allowed.is_empty() => {
                            format!("expected a {what}; write several separated by commas, without brackets")
                        }
                        Some(what) => format!(
                            "expected a {what} or `key = value` with key {}",
                            one_of(allowed)
                        ),
                        None => format!("expected `key = value` with key {}", one_of(allowed)),
                    },
                ),
            },
        }
    }
    Keyed {
        args: keyed,
        misspelt,
    }
}

fn one_of(keys: &[&str]) -> String {
    match keys.len() {
        0 => "nothing".to_string(),
        1 => list(keys.iter().copied(), "or"),
        _ => format!("one of {}", list(keys.iter().copied(), "or")),
    }
}

fn required(
    errs: &mut Errors,
    keyed: &mut Keyed,
    key: &str,
    attr_span: Span,
    attr: &str,
) -> Option<RawValue> {
    match keyed.take(key) {
        Some((_, v)) => Some(v),
        None => {
            if !keyed.misspelt.iter().any(|k| k == key) {
                errs.push(attr_span, format!("`{attr}` requires `{key} = ..`"));
            }
            None
        }
    }
}

fn reason(errs: &mut Errors, keyed: &mut Keyed, attr_span: Span, attr: &str) -> String {
    match keyed.take("reason") {
        Some((_, RawValue::One(RawName::Str(s)))) => {
            let text = s.value();
            if text.trim().is_empty() {
                errs.push(s.span(), format!("`{attr}` requires a non-empty reason"));
            }
            text
        }
        Some((key, _)) => {
            errs.push(
                key.span(),
                "`reason` must be a string literal: reason = \"...\"",
            );
            String::new()
        }
        None => {
            if !keyed.misspelt.iter().any(|k| k == "reason") {
                errs.push(
                    attr_span,
                    format!("`{attr}` requires `reason = \"...\"` saying why"),
                );
            }
            String::new()
        }
    }
}

// ---------------------------------------------------------------------------
// Public parsers. `attr_span` is where errors about missing arguments point
// (the attribute's path or the whole attribute).

/// Parse the arguments of `#[personal(..)]`.
pub fn parse_personal(tokens: TokenStream, attr_span: Span) -> syn::Result<PersonalAttr> {
    let categories = parse_category_list(tokens, attr_span, "personal")?;
    Ok(PersonalAttr { categories })
}

/// Parse the arguments of `#[datagate::source(..)]`.
pub fn parse_source(tokens: TokenStream, attr_span: Span) -> syn::Result<SourceAttr> {
    let categories = parse_category_list(tokens, attr_span, "source")?;
    Ok(SourceAttr { categories })
}

fn parse_category_list(tokens: TokenStream, attr_span: Span, attr: &str) -> syn::Result<Vec<Name>> {
    let args = parse_args(tokens)?;
    let mut errs = Errors::default();
    let mut bare = Vec::new();
    split_keyed(&mut errs, attr, args, &[], &mut bare, Some("category"));
    let valid: Vec<Name> = bare
        .into_iter()
        .filter_map(|n| validate_name(&mut errs, n, Slot::Marking))
        .collect();
    let cats = dedup(&mut errs, valid, "category");
    if cats.is_empty() && errs.0.is_none() {
        errs.push(
            attr_span,
            format!("`{attr}` requires at least one category, e.g. `{attr}(phone_number)`"),
        );
    }
    errs.finish(cats)
}

/// Parse the arguments of `#[datagate::sink(..)]`.
pub fn parse_sink(tokens: TokenStream, attr_span: Span) -> syn::Result<SinkAttr> {
    let (sink, errs) = sink_lenient(tokens, attr_span)?;
    errs.finish(sink)
}

/// Parse the arguments of `#[datagate::sink(..)]` as far as they go: what
/// could be read (invalid names left out; `None` when the tokens are not the
/// grammar's shape at all) and every error found. The `datagate` macros use
/// it to check `args` against the function's parameters even when another
/// argument is wrong, so that the user sees every mistake at once.
pub fn parse_sink_partial(
    tokens: TokenStream,
    attr_span: Span,
) -> (Option<SinkAttr>, Option<syn::Error>) {
    match sink_lenient(tokens, attr_span) {
        Ok((sink, errs)) => (Some(sink), errs.0),
        Err(e) => (None, Some(e)),
    }
}

fn sink_lenient(tokens: TokenStream, attr_span: Span) -> syn::Result<(SinkAttr, Errors)> {
    let args = parse_args(tokens)?;
    let mut errs = Errors::default();
    let mut keyed = split_keyed(
        &mut errs,
        "sink",
        args,
        &["to", "purpose", "args"],
        &mut Vec::new(),
        None,
    );
    let to = required(&mut errs, &mut keyed, "to", attr_span, "sink")
        .map(|v| names(&mut errs, v, Slot::SinkRecipient, "recipient"))
        .unwrap_or_default();
    let purposes = required(&mut errs, &mut keyed, "purpose", attr_span, "sink")
        .map(|v| names(&mut errs, v, Slot::Purpose, "purpose"))
        .unwrap_or_default();
    let args = keyed
        .take("args")
        .map(|(_, v)| names(&mut errs, v, Slot::Param, "parameter"));
    Ok((SinkAttr { to, purposes, args }, errs))
}

/// Parse the arguments of `#[datagate::consent_check(..)]` or `#[consent(..)]`.
pub fn parse_consent(tokens: TokenStream, attr_span: Span, attr: &str) -> syn::Result<ConsentAttr> {
    let args = parse_args(tokens)?;
    let mut errs = Errors::default();
    let mut keyed = split_keyed(
        &mut errs,
        attr,
        args,
        &["to", "purpose", "categories"],
        &mut Vec::new(),
        None,
    );
    let to = required(&mut errs, &mut keyed, "to", attr_span, attr)
        .map(|v| names(&mut errs, v, Slot::CheckRecipient, "recipient"))
        .unwrap_or_default();
    let purposes = required(&mut errs, &mut keyed, "purpose", attr_span, attr)
        .map(|v| names(&mut errs, v, Slot::Purpose, "purpose"))
        .unwrap_or_default();
    let categories = keyed
        .take("categories")
        .map(|(_, v)| names(&mut errs, v, Slot::Coverage, "category"));
    errs.finish(ConsentAttr {
        to,
        purposes,
        categories,
    })
}

/// Parse the arguments of `#[datagate::declassify(..)]`.
pub fn parse_declassify(tokens: TokenStream, attr_span: Span) -> syn::Result<DeclassifyAttr> {
    let args = parse_args(tokens)?;
    let mut errs = Errors::default();
    let mut keyed = split_keyed(
        &mut errs,
        "declassify",
        args,
        &["categories", "reason"],
        &mut Vec::new(),
        None,
    );
    let categories = required(&mut errs, &mut keyed, "categories", attr_span, "declassify")
        .map(|v| names(&mut errs, v, Slot::Coverage, "category"))
        .unwrap_or_default();
    let reason = reason(&mut errs, &mut keyed, attr_span, "declassify");
    errs.finish(DeclassifyAttr { categories, reason })
}

/// Parse the arguments of `#[datagate::allow(..)]`.
pub fn parse_allow(tokens: TokenStream, attr_span: Span) -> syn::Result<AllowAttr> {
    let args = parse_args(tokens)?;
    let mut errs = Errors::default();
    let mut bare = Vec::new();
    let mut keyed = split_keyed(
        &mut errs,
        "allow",
        args,
        &["reason"],
        &mut bare,
        Some("finding code"),
    );
    let allowable: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| c.allowable())
        .map(|c| c.name())
        .collect();
    let mut codes = Vec::new();
    for raw in bare {
        let span = raw.span();
        let text = raw.into_name().text;
        match Code::from_name(&text) {
            Some(code) if codes.iter().any(|(c, _)| *c == code) => {
                errs.push(span, format!("duplicate finding code `{text}`"))
            }
            Some(code) if code.allowable() => codes.push((code, span)),
            Some(code) => errs.push(
                span,
                format!("`{code}` cannot be allowed: it reports a problem with the input, not a data flow"),
            ),
            None => {
                let snake: Vec<String> = allowable.iter().map(|c| c.replace('-', "_")).collect();
                let snake = snake.iter().map(String::as_str);
                let hint = match closest(&text.replace('-', "_"), snake.clone()) {
                    Some(near) => format!(", did you mean `{near}`?"),
                    None => format!("; expected {}", one_of(&snake.collect::<Vec<_>>())),
                };
                errs.push(span, format!("unknown finding code `{text}`{hint}"))
            }
        }
    }
    if codes.is_empty() && errs.0.is_none() {
        errs.push(attr_span, "`allow` requires at least one finding code, e.g. `allow(unconsented_flow, reason = \"...\")`");
    }
    let reason = reason(&mut errs, &mut keyed, attr_span, "allow");
    errs.finish(AllowAttr { codes, reason })
}

/// The span of a syntax node, for callers that only have the node.
pub fn span_of<T: Spanned>(node: &T) -> Span {
    node.span()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn messages(e: syn::Error) -> Vec<String> {
        e.into_iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn sink_with_lists_and_args() {
        let s = parse_sink(
            quote!(
                to = [facebook, "partner"],
                purpose = advertising,
                args = [rows]
            ),
            Span::call_site(),
        )
        .unwrap();
        assert_eq!(
            s.to.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
            ["facebook", "partner"]
        );
        assert_eq!(s.to[1].kind, NameKind::Custom);
        assert_eq!(s.purposes[0].text, "advertising");
        assert_eq!(s.args.unwrap()[0].text, "rows");
    }

    #[test]
    fn all_errors_are_reported() {
        let e = parse_sink(
            quote!(too = facebook, purpose = advertisng),
            Span::call_site(),
        )
        .unwrap_err();
        let m = messages(e);
        // The misspelt `to` is reported once, as a typo, not again as missing.
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(m[0], "unknown argument `too`, did you mean `to`?");
        assert!(
            m.iter().any(|m| m.contains("did you mean `advertising`?")),
            "{m:?}"
        );
        let m = messages(parse_sink(quote!(purpose = advertising), Span::call_site()).unwrap_err());
        assert_eq!(m, ["`sink` requires `to = ..`"]);
    }

    #[test]
    fn duplicates_are_errors() {
        let m = messages(parse_personal(quote!(os, device_id, os), Span::call_site()).unwrap_err());
        assert_eq!(m, ["duplicate category `os`"]);
        let m = messages(
            parse_sink(
                quote!(
                    to = [facebook, "facebook"],
                    purpose = advertising,
                    args = [a, a]
                ),
                Span::call_site(),
            )
            .unwrap_err(),
        );
        assert_eq!(
            m,
            ["duplicate recipient `facebook`", "duplicate parameter `a`"]
        );
        let m = messages(
            parse_allow(
                quote!(never_share, never_share, reason = "x"),
                Span::call_site(),
            )
            .unwrap_err(),
        );
        assert_eq!(m, ["duplicate finding code `never_share`"]);
    }

    #[test]
    fn unknown_names_suggest_a_near_name_or_a_custom_literal() {
        let m = messages(
            parse_personal(quote!(phone_numbr, loyalty_tier), Span::call_site()).unwrap_err(),
        );
        assert_eq!(
            m,
            [
                "unknown category `phone_numbr`, did you mean `phone_number`?",
                "unknown category `loyalty_tier`; a custom category is written as a string literal: \"loyalty_tier\"",
            ]
        );
        let m = messages(parse_personal(quote!(category = email), Span::call_site()).unwrap_err());
        assert_eq!(m, ["`personal` takes category names, not `key = value`"]);
        let m =
            messages(parse_allow(quote!(everything, reason = "x"), Span::call_site()).unwrap_err());
        assert_eq!(
            m,
            ["unknown finding code `everything`; expected one of `unconsented_flow`, `never_share` or `unknown_recipient`"]
        );
    }

    #[test]
    fn partial_sink_keeps_what_is_valid() {
        let (sink, err) = parse_sink_partial(
            quote!(to = facebook, purpose = advertisng, args = [rows, self]),
            Span::call_site(),
        );
        let sink = sink.unwrap();
        let args: Vec<_> = sink.args.unwrap().into_iter().map(|n| n.text).collect();
        assert_eq!(args, ["rows", "self"]);
        assert_eq!(messages(err.unwrap()).len(), 1);
        let (sink, err) = parse_sink_partial(quote!(to = facebook purpose), Span::call_site());
        assert!(sink.is_none());
        assert!(err.is_some());
        let (sink, err) =
            parse_sink_partial(quote!(to = facebook, purpose = security), Span::call_site());
        assert!(sink.is_some() && err.is_none());
    }

    #[test]
    fn categories_groups_and_custom() {
        let p = parse_personal(quote!(device_id, os, "loyalty_tier"), Span::call_site()).unwrap();
        assert_eq!(p.categories.len(), 3);
        let c = parse_consent(
            quote!(to = any, purpose = [advertising], categories = [device]),
            Span::call_site(),
            "consent_check",
        )
        .unwrap();
        assert_eq!(c.categories.unwrap()[0].text, "device");
        let e = parse_personal(quote!(phone_numbr), Span::call_site()).unwrap_err();
        assert!(e.to_string().contains("did you mean `phone_number`?"));
        assert!(parse_personal(quote!(), Span::call_site()).is_err());
    }

    #[test]
    fn allow_and_declassify_need_reasons() {
        let a = parse_allow(
            quote!(unconsented_flow, reason = "PRIV-142"),
            Span::call_site(),
        )
        .unwrap();
        assert_eq!(a.codes[0].0, Code::UnconsentedFlow);
        assert!(parse_allow(quote!(unconsented_flow, reason = ""), Span::call_site()).is_err());
        assert!(parse_allow(quote!(parse_error, reason = "x"), Span::call_site()).is_err());
        assert!(parse_declassify(quote!(categories = [phone_number]), Span::call_site()).is_err());
        let d = parse_declassify(
            quote!(categories = [phone_number], reason = "hashed"),
            Span::call_site(),
        )
        .unwrap();
        assert_eq!(d.reason, "hashed");
    }
}
