#![allow(unused)]

use datagate::Personal;

// An unknown name that is no typo may be meant as a custom category.
#[derive(Personal)]
struct Member {
    #[personal(loyalty_tier)]
    tier: u8,
}

fn main() {}
