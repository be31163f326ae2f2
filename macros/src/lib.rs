//! Annotations for `cargo datagate`: mark what is personal data, where data
//! goes to another company and where the user's consent is checked.
//!
//! Every attribute validates its arguments and the item it is on at compile
//! time and expands to the item unchanged; the derives emit nothing. There is
//! no runtime cost and nothing to call. A misspelt category, purpose, key or
//! parameter is a compile error on the offending token, with a "did you
//! mean" suggestion, and every mistake in an attribute is reported at once.
//!
//! # Annotations
//!
//! Names are snake_case idents from the built-in taxonomy (categories such as
//! `phone_number` or `device_id`, their groups such as `device`, purposes such
//! as `advertising`; see `datagate_spec::taxonomy`) or string literals for
//! custom names (`"loyalty_tier"`), which `cargo datagate` checks against the
//! policy. Recipients are idents or string literals naming a recipient or a
//! group of the policy. A value is a name or a bracketed list of names:
//! `purpose = advertising` or `purpose = [advertising, analytics]`.
//!
//! | Annotation | Goes on | Arguments |
//! |---|---|---|
//! | `#[derive(Personal)]` + `#[personal(..)]` | named and tuple struct fields, enum variants and their fields, union fields, the struct, enum or union itself | categories |
//! | `#[derive(Consent)]` + `#[consent(..)]` | `bool` fields | `to`, `purpose`, optional `categories` |
//! | `#[datagate::source(..)]` | functions and methods that return a value | categories |
//! | `#[datagate::sink(..)]` | functions and methods with parameters | `to`, `purpose`, optional `args` |
//! | `#[datagate::consent_check(..)]` | functions and methods returning `bool`, `Result<..>` or `Option<..>` | `to`, `purpose`, optional `categories` |
//! | `#[datagate::declassify(..)]` | functions and methods that return a value | `categories`, `reason` |
//! | `#[datagate::allow(..)]` | any item | finding codes, `reason` |
//!
//! "Functions and methods" are free functions, inherent methods, trait
//! method declarations (with or without a default body: the annotation then
//! holds for every impl and every call through the trait) and trait impl
//! methods, `async` and generic ones included.
//!
//! - **`personal(categories..)`** marks data: reading the field (or any field
//!   of the variant) gives a value with these categories; on the type itself,
//!   every value of the type carries them.
//! - **`consent(to = .., purpose = .., categories = ..)`** marks a `bool`
//!   field whose value is the user's answer: reading it is a consent check
//!   covering those recipients, purposes and categories (all categories when
//!   `categories` is left out).
//! - **`source(categories..)`**: the function's return value carries these
//!   categories.
//! - **`sink(to = .., purpose = .., args = [..])`**: the function sends its
//!   arguments to the recipients `to` for the purposes `purpose`. `args`
//!   names the parameters that are sent (`self` for the receiver); without
//!   it every argument, receiver included, is.
//! - **`consent_check(to = .., purpose = .., categories = ..)`**: the function
//!   checks consent. `true`, `Ok(true)` or `Some(true)` is consent for
//!   `bool`, `Result<bool, E>` and `Option<bool>`; for any other `Result` or
//!   `Option`, `Ok` or `Some` is. `to = any` covers every recipient; a
//!   group name in `categories` covers the whole group.
//! - **`declassify(categories = [..], reason = "..")`**: the return value no
//!   longer carries these categories (say a salted hash of the phone number);
//!   the reason is shown in the inventory and must not be empty.
//! - **`allow(codes.., reason = "..")`** suppresses the findings
//!   `unconsented_flow`, `never_share` or `unknown_recipient` inside the
//!   item, with a non-empty reason. Always write it as `datagate::allow`: a
//!   bare `allow` is Rust's lint attribute.
//!
//! `source`, `sink`, `consent_check` and `declassify` may also be imported
//! (`use datagate::sink;`) and written bare.
//!
//! Besides the names, the macros check that an annotation fits its item:
//! `source`, `sink`, `consent_check` and `declassify` go on functions only,
//! at most once each per function; `source` and `declassify` need a return
//! value, `consent_check` a `bool`, `Result` or `Option` one (the output of
//! an `async fn` or a returned future counts); a `sink` needs parameters and
//! `args` must name them; `consent` goes on `bool` fields only, once each.
//!
//! ```
//! use datagate::{Consent, Personal};
//!
//! #[derive(Personal)]
//! pub struct Account {
//!     #[personal(phone_number)]
//!     pub phone: String,
//!     #[personal(device_id, os)]
//!     pub device: String,
//!     pub display_name: String, // not personal
//! }
//!
//! #[derive(Personal)]
//! #[personal(ip_address)] // every value of this type is an IP address
//! pub struct ClientIp(pub std::net::IpAddr);
//!
//! #[derive(Consent)]
//! pub struct Settings {
//!     #[consent(to = facebook_companies, purpose = [advertising, product_suggestions])]
//!     pub share_account_info: bool,
//! }
//!
//! pub struct Client;
//!
//! impl Client {
//!     #[datagate::source(location)]
//!     pub fn current_location(&self) -> (f64, f64) {
//!         (52.37, 4.89)
//!     }
//!
//!     #[datagate::sink(to = facebook, purpose = security, args = [report])]
//!     pub fn report_abuse(&self, report: &str, trace_id: u64) {}
//!
//!     #[datagate::consent_check(to = facebook, purpose = advertising, categories = [phone_number, device])]
//!     pub fn may_share_for_ads(&self, user: u64) -> Result<bool, std::io::Error> {
//!         Ok(false)
//!     }
//! }
//!
//! #[datagate::sink(to = facebook, purpose = advertising)]
//! pub fn upload_custom_audience(rows: &[String]) {}
//!
//! #[datagate::declassify(categories = [phone_number], reason = "salted SHA-256, salt never leaves us")]
//! pub fn hash_phone(phone: &str) -> [u8; 32] {
//!     [0; 32]
//! }
//!
//! #[datagate::allow(unconsented_flow, reason = "flow reviewed in PRIV-142")]
//! pub fn legacy_export(account: &Account) {}
//! ```

use proc_macro::TokenStream;

mod ast;
mod attr;
mod ctxt;
mod expand;
mod valid;

use attr::Kind;

/// Marks fields, enum variants or a whole type as personal data:
/// `#[personal(phone_number, ..)]`. Emits nothing.
#[proc_macro_derive(Personal, attributes(personal))]
pub fn derive_personal(input: TokenStream) -> TokenStream {
    expand::derive_personal(input.into()).into()
}

/// Marks `bool` fields whose value is the user's consent:
/// `#[consent(to = .., purpose = .., categories = [..])]`. Emits nothing.
#[proc_macro_derive(Consent, attributes(consent))]
pub fn derive_consent(input: TokenStream) -> TokenStream {
    expand::derive_consent(input.into()).into()
}

/// The return value of this function carries the named categories:
/// `#[datagate::source(location, ..)]`.
#[proc_macro_attribute]
pub fn source(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(Kind::Source, args.into(), item.into()).into()
}

/// This function sends its arguments (or those named in `args`) to another
/// company: `#[datagate::sink(to = .., purpose = .., args = [..])]`.
#[proc_macro_attribute]
pub fn sink(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(Kind::Sink, args.into(), item.into()).into()
}

/// This function checks the user's consent:
/// `#[datagate::consent_check(to = .., purpose = .., categories = [..])]`.
#[proc_macro_attribute]
pub fn consent_check(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(Kind::ConsentCheck, args.into(), item.into()).into()
}

/// The return value of this function no longer carries the named categories:
/// `#[datagate::declassify(categories = [..], reason = "..")]`.
#[proc_macro_attribute]
pub fn declassify(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(Kind::Declassify, args.into(), item.into()).into()
}

/// Suppresses datagate findings in this item, with a reason:
/// `#[datagate::allow(unconsented_flow, reason = "..")]`.
#[proc_macro_attribute]
pub fn allow(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(Kind::Allow, args.into(), item.into()).into()
}
