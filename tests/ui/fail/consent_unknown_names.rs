#![allow(unused)]

use datagate::Consent;

#[derive(Consent)]
struct Settings {
    #[consent(to = facebook, purpose = [advertisng, product_sugestions], categories = [phone, devise])]
    share_for_ads: bool,
    #[consent(to = facebook, purpose = advertising, categorys = [email])]
    share_email: bool,
}

fn main() {}
