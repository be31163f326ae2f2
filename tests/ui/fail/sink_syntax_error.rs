#![allow(unused)]

#[datagate::sink(to = facebook purpose = advertising)]
fn upload(rows: &[String]) {}

#[datagate::sink(to = facebook, purpose = 42)]
fn upload_numbers(rows: &[String]) {}

fn main() {}
