#![allow(unused)]

#[datagate::sink(too = facebook, purpose = advertising, arg = [rows])]
fn upload(rows: &[String]) {}

#[datagate::sink(to = facebook, purpose = advertising, reason = "needed")]
fn upload_with_reason(rows: &[String]) {}

fn main() {}
