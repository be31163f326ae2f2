// A wrong purpose, a duplicate key and a wrong parameter: all reported.
#![allow(unused)]

#[datagate::sink(to = facebook, purpose = advertisng, purpose = analytics, args = [rowz])]
fn upload(rows: &[String]) {}

fn main() {}
