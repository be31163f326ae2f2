//! Annotations for `cargo datagate`.
//!
//! Every attribute validates its arguments at compile time and expands to the
//! item unchanged; the derives emit nothing. There is no runtime cost.

use proc_macro::TokenStream;

mod expand;

/// Marks fields, variants or a whole type as personal data.
#[proc_macro_derive(Personal, attributes(personal))]
pub fn derive_personal(input: TokenStream) -> TokenStream {
    expand::derive_personal(input.into()).into()
}

/// Marks `bool` fields whose value is the user's consent.
#[proc_macro_derive(Consent, attributes(consent))]
pub fn derive_consent(input: TokenStream) -> TokenStream {
    expand::derive_consent(input.into()).into()
}

/// The return value of this function carries the named categories.
#[proc_macro_attribute]
pub fn source(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(expand::Kind::Source, args.into(), item.into()).into()
}

/// This function sends its arguments to another company.
#[proc_macro_attribute]
pub fn sink(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(expand::Kind::Sink, args.into(), item.into()).into()
}

/// This function checks the user's consent.
#[proc_macro_attribute]
pub fn consent_check(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(expand::Kind::ConsentCheck, args.into(), item.into()).into()
}

/// The return value of this function no longer carries the named categories.
#[proc_macro_attribute]
pub fn declassify(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(expand::Kind::Declassify, args.into(), item.into()).into()
}

/// Suppresses datagate findings in this item, with a reason.
#[proc_macro_attribute]
pub fn allow(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(expand::Kind::Allow, args.into(), item.into()).into()
}
