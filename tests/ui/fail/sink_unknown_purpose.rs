#![allow(unused)]

#[datagate::sink(to = facebook, purpose = [advertisng, analytcs, metrics])]
fn upload(rows: &[String]) {}

fn main() {}
