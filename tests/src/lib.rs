//! Test-only crate: see `tests/`.

/// The README's examples, compiled and run as doc tests so the README never
/// shows an annotation that does not build.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
