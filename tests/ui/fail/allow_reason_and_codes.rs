#![allow(unused)]

#[datagate::allow(unconsented_flow)]
fn no_reason() {}

#[datagate::allow(unconsented_flow, reason = "")]
struct EmptyReason;

#[datagate::allow(reason = "reviewed in PRIV-142")]
impl EmptyReason {}

#[datagate::allow(codes = [unconsented_flow], reason = "reviewed")]
fn keyed_codes() {}

fn main() {}
