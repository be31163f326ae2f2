#![allow(unused)]

#[datagate::sink(to = facebook, purpose = analytics)]
fn ping() {}

fn main() {}
