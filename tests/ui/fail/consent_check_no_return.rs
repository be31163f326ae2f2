#![allow(unused)]

#[datagate::consent_check(to = facebook, purpose = advertising)]
fn check_consent(user: u64) {}

#[datagate::consent_check(to = facebook, purpose = advertising)]
fn check_unit(user: u64) -> () {}

#[datagate::consent_check(to = facebook, purpose = advertising)]
async fn check_async(user: u64) {}

fn main() {}
