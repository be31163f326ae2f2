#![allow(unused)]

struct Store;

impl Store {
    #[datagate::consent_check(to = facebook, purpose = advertising)]
    fn may_share(&self) -> u8 {
        0
    }

    #[datagate::consent_check(to = facebook, purpose = advertising)]
    fn may_share_ref(&self) -> &bool {
        &true
    }

    #[datagate::consent_check(to = facebook, purpose = advertising)]
    fn may_share_vec(&self) -> Vec<bool> {
        Vec::new()
    }
}

trait Consents {
    #[datagate::consent_check(to = facebook, purpose = advertising)]
    fn allows_ads(&self) -> String;
}

fn main() {}
