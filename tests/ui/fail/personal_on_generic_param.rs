#![allow(unused)]

use datagate::Personal;

#[derive(Personal)]
struct Wrapper<#[personal(email)] T> {
    value: T,
}

fn main() {}
