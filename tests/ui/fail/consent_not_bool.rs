#![allow(unused)]

use datagate::Consent;

#[derive(Consent)]
struct Settings {
    #[consent(to = facebook, purpose = advertising)]
    share_for_ads: Option<bool>,
    #[consent(to = facebook, purpose = analytics)]
    share_metrics: u8,
}

#[derive(Consent)]
struct Tuple(#[consent(to = facebook, purpose = security)] &'static bool);

fn main() {}
