//! Error collection: every check reports into one context, so the user sees
//! every mistake at once (serde_derive's `Ctxt`, in small).

use proc_macro2::Span;
use quote::ToTokens;
use std::fmt::Display;

#[derive(Default)]
pub struct Ctxt {
    errors: Option<syn::Error>,
}

impl Ctxt {
    /// An error spanned from the first to the last token of `tokens`.
    pub fn error_spanned_by<T: ToTokens, M: Display>(&mut self, tokens: T, msg: M) {
        self.syn_error(syn::Error::new_spanned(tokens, msg));
    }

    /// An error at one span.
    pub fn error_at<M: Display>(&mut self, span: Span, msg: M) {
        self.syn_error(syn::Error::new(span, msg));
    }

    /// Every error of an already combined `syn::Error`.
    pub fn syn_error(&mut self, err: syn::Error) {
        match &mut self.errors {
            Some(all) => all.combine(err),
            None => self.errors = Some(err),
        }
    }

    /// The combined errors, if there were any.
    pub fn check(self) -> syn::Result<()> {
        match self.errors {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }
}
