//! `#[consent]` on every kind of `bool` field.
#![allow(dead_code)]

use datagate::Consent;

#[derive(Consent)]
struct Settings {
    #[consent(to = facebook_companies, purpose = [advertising, product_suggestions])]
    share_account_info: bool,
    #[consent(to = facebook, purpose = analytics, categories = [device, ip_address])]
    share_metrics: std::primitive::bool,
    #[consent(to = [facebook, "partner_bank"], purpose = "cashback", categories = ["loyalty_tier"])]
    loyalty: ::core::primitive::bool,
    #[consent(to = any, purpose = security)] // every recipient
    share_for_security: bool,
    theme: String, // not a consent
}

#[derive(Consent)]
struct AdsConsent(#[consent(to = advertisers, purpose = advertising)] bool);

#[derive(Consent)]
enum Answer {
    Given {
        #[consent(to = facebook, purpose = payments, categories = [transactions])]
        payments: bool,
    },
    Pending,
}

fn main() {}
