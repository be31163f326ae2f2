#![allow(unused)]

#[datagate::consent_check(to = facebook, purpose = advertsing, categories = [phone_numbr, devise, "custom", ""])]
fn may_share(user: u64) -> bool {
    false
}

#[datagate::consent_check(too = facebook, purpose = advertising)]
fn may_share_typo(user: u64) -> bool {
    false
}

fn main() {}
