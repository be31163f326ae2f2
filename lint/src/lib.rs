//! `cargo-datagate`: the linter library. The binary in `main.rs` is a thin
//! command line over [`run`].

pub mod findings;
pub mod policy;
pub mod cats;
pub mod index;
pub mod ir;
pub mod lower;
pub mod discover;
pub mod parse;

pub use parse::{parse_only, ParseStats};
