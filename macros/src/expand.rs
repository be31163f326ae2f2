//! Expansion: the item unchanged (derives: nothing), preceded by the
//! combined compile errors of every check that failed.

use crate::ast::Item;
use crate::attr::{self, Kind};
use crate::ctxt::Ctxt;
use crate::valid;
use proc_macro2::TokenStream;
use syn::DeriveInput;

/// An attribute macro: validate, then give the item back as written, so a
/// mistake in an annotation never hides errors in the code it is on.
pub fn attribute(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let args = attr::args(&mut cx, kind, args);
    valid::attribute(&mut cx, kind, &args, &Item::parse(item.clone()));
    match cx.check() {
        Ok(()) => item,
        Err(e) => {
            let mut out = e.to_compile_error();
            out.extend(item);
            out
        }
    }
}

pub fn derive_personal(input: TokenStream) -> TokenStream {
    derive(input, valid::personal)
}

pub fn derive_consent(input: TokenStream) -> TokenStream {
    derive(input, valid::consent)
}

/// A derive: validate its helper attributes; it emits nothing else.
fn derive(input: TokenStream, check: fn(&mut Ctxt, &DeriveInput)) -> TokenStream {
    let input = match syn::parse2::<DeriveInput>(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    let mut cx = Ctxt::default();
    check(&mut cx, &input);
    match cx.check() {
        Ok(()) => TokenStream::new(),
        Err(e) => e.to_compile_error(),
    }
}
