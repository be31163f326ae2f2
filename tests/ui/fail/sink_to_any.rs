#![allow(unused)]

#[datagate::sink(to = any, purpose = advertising)]
fn upload(rows: &[String]) {}

fn main() {}
