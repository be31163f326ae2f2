#![allow(unused)]

#[datagate::sink(to = facebook, purpose = advertising)]
#[datagate::sink(to = instagram, purpose = analytics)]
fn upload(rows: &[String]) {}

fn main() {}
