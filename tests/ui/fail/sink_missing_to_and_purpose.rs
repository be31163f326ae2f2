#![allow(unused)]

#[datagate::sink(purpose = advertising)]
fn upload(rows: &[String]) {}

#[datagate::sink(to = facebook)]
fn upload_to_facebook(rows: &[String]) {}

#[datagate::sink]
fn upload_anything(rows: &[String]) {}

fn main() {}
