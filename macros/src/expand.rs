//! Validation and (identity) expansion. Placeholder: validates arguments only.

use datagate_spec::attr;
use proc_macro2::{Span, TokenStream};

#[derive(Clone, Copy)]
pub enum Kind {
    Source,
    Sink,
    ConsentCheck,
    Declassify,
    Allow,
}

pub fn attribute(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let span = Span::call_site();
    let res = match kind {
        Kind::Source => attr::parse_source(args, span).map(drop),
        Kind::Sink => attr::parse_sink(args, span).map(drop),
        Kind::ConsentCheck => attr::parse_consent(args, span, "consent_check").map(drop),
        Kind::Declassify => attr::parse_declassify(args, span).map(drop),
        Kind::Allow => attr::parse_allow(args, span).map(drop),
    };
    match res {
        Ok(()) => item,
        Err(e) => {
            let mut out = e.to_compile_error();
            out.extend(item);
            out
        }
    }
}

pub fn derive_personal(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}

pub fn derive_consent(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
