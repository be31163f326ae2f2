#![allow(unused)]

#[datagate::declassify(categories = [phone_number])]
fn no_reason(p: &str) -> u64 {
    0
}

#[datagate::declassify(categories = [phone_number], reason = "")]
fn empty_reason(p: &str) -> u64 {
    0
}

#[datagate::declassify(categories = [phone_number], reason = "   ")]
fn blank_reason(p: &str) -> u64 {
    0
}

#[datagate::declassify(categories = [phone_number], reason = hashed)]
fn ident_reason(p: &str) -> u64 {
    0
}

fn main() {}
