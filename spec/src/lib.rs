//! The one definition of datagate's vocabulary.
//!
//! Both the `datagate` proc-macro crate (compile-time validation) and the
//! `cargo-datagate` linter depend on this crate, so a category, a group, a
//! purpose, a finding code or an attribute argument means the same thing to
//! both: they parse annotations with the same [`attr`] parsers over the same
//! syn token streams.

pub mod attr;
pub mod codes;
pub mod suggest;
pub mod taxonomy;

pub use attr::{
    AllowAttr, ConsentAttr, DeclassifyAttr, Name, NameKind, PersonalAttr, SinkAttr, SourceAttr,
};
pub use codes::Code;
pub use taxonomy::{Category, CategoryRef, Group, Purpose, CATEGORIES, GROUPS, PURPOSES};
