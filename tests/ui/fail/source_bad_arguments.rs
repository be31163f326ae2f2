#![allow(unused)]

#[datagate::source]
fn nothing() -> u32 {
    0
}

#[datagate::source(locaton, ip_adress)]
fn typos() -> u32 {
    0
}

#[datagate::source(categories = [location])]
fn keyed() -> u32 {
    0
}

fn main() {}
