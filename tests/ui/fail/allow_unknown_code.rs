#![allow(unused)]

#[datagate::allow(unconsented_flw, reason = "reviewed")]
fn typo() {}

#[datagate::allow(everything, reason = "reviewed")]
fn unknown() {}

#[datagate::allow(unconsented_flow, unconsented_flow, reason = "reviewed")]
fn twice() {}

fn main() {}
