#![allow(unused)]

use datagate::Consent;

#[derive(Consent)]
struct Settings {
    #[consent(purpose = advertising)]
    share_for_ads: bool,
    #[consent(to = facebook)]
    share_metrics: bool,
    #[consent]
    share_anything: bool,
}

fn main() {}
