#![allow(unused)]

#[datagate::source(location)]
fn current_location() {}

#[datagate::source(location)]
fn unit_location() -> () {}

#[datagate::source(location)]
async fn async_location() {}

#[datagate::source(location)]
fn never_location() -> ! {
    loop {}
}

fn main() {}
