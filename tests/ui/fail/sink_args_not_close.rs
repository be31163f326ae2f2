#![allow(unused)]

#[datagate::sink(to = facebook, purpose = advertising, args = [audience])]
fn upload(rows: &[String], batch_size: usize, dry_run: bool) {}

#[datagate::sink(to = facebook, purpose = advertising, args = [rows])]
fn upload_unnamed(_: &[String]) {}

fn main() {}
