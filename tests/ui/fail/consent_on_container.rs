#![allow(unused)]

use datagate::Consent;

#[derive(Consent)]
#[consent(to = facebook, purpose = advertising)]
struct Settings {
    share: bool,
}

#[derive(Consent)]
enum Answer {
    #[consent(to = facebook, purpose = advertising)]
    Yes,
    No,
}

fn main() {}
