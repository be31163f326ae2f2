//! Several annotations together, as in a real code base.
#![allow(dead_code, unused_variables)]

use datagate::{Consent, Personal};

#[derive(Debug, Clone, Personal, Consent)]
struct Profile {
    #[personal(phone_number)]
    phone: String,
    #[consent(to = facebook, purpose = advertising, categories = [phone_number])]
    share_phone: bool,
}

struct Service;

impl Service {
    #[datagate::source(location)]
    #[datagate::declassify(categories = [location], reason = "rounded to the city")]
    fn city(&self) -> String {
        String::new()
    }

    #[datagate::sink(to = facebook, purpose = advertising, args = [profile])]
    #[datagate::consent_check(to = facebook, purpose = security)]
    fn upload_and_confirm(&self, profile: &Profile) -> bool {
        true
    }
}

fn main() {}
