// Problems with the input cannot be allowed away.
#![allow(unused)]

#[datagate::allow(parse_error, reason = "generated code")]
fn generated() {}

#[datagate::allow(invalid_annotation, unused_allow, reason = "later")]
mod later {}

fn main() {}
