#![allow(unused)]

#[datagate::declassify(reason = "hashed")]
fn no_categories(p: &str) -> u64 {
    0
}

#[datagate::declassify(categories = [], reason = "hashed")]
fn empty_categories(p: &str) -> u64 {
    0
}

#[datagate::declassify(categories = [phone_nmber], reson = "hashed")]
fn typos(p: &str) -> u64 {
    0
}

fn main() {}
