#![allow(unused)]

use datagate::Consent;

#[derive(Consent)]
struct Settings {
    #[consent(to = facebook, purpose = advertising)]
    #[consent(to = facebook, purpose = analytics)]
    share: bool,
}

fn main() {}
