//! `#[datagate::consent_check]` on every kind of function and return type it
//! applies to.
#![allow(dead_code, unused_variables)]

use datagate::consent_check;
use std::future::Future;
use std::pin::Pin;

struct Store;
struct UserId;
#[derive(Debug)]
struct StoreError;

#[datagate::consent_check(to = facebook, purpose = advertising)] // all categories
fn may_share(user: &UserId) -> bool {
    false
}

impl Store {
    #[datagate::consent_check(to = facebook, purpose = advertising, categories = [phone_number, device])]
    pub fn may_share_for_ads(&self, user: &UserId) -> Result<bool, StoreError> {
        Ok(false)
    }

    #[datagate::consent_check(to = any, purpose = [analytics, security])]
    fn opted_in(&self) -> Option<bool> {
        None
    }

    // `Ok` is consent.
    #[datagate::consent_check(to = facebook_companies, purpose = product_suggestions)]
    fn require_consent(&self) -> std::io::Result<()> {
        Ok(())
    }

    // `Some` is consent.
    #[datagate::consent_check(to = [facebook, "partner_bank"], purpose = "cashback", categories = ["loyalty_tier"])]
    fn consent_token(&self) -> Option<String> {
        None
    }
}

trait Consents {
    #[datagate::consent_check(to = facebook, purpose = advertising)]
    fn allows_ads(&self) -> bool; // declaration: holds for every impl

    #[datagate::consent_check(to = facebook, purpose = analytics, categories = [usage])]
    fn allows_metrics(&self) -> bool {
        false
    }

    // What `#[async_trait]` turns an `async fn` into.
    #[datagate::consent_check(to = facebook, purpose = payments)]
    fn allows_payments<'a>(&'a self) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>>;
}

impl Consents for Store {
    #[datagate::consent_check(to = facebook, purpose = advertising)]
    fn allows_ads(&self) -> bool {
        true
    }

    fn allows_payments<'a>(&'a self) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        Box::pin(async { false })
    }
}

#[datagate::consent_check(to = facebook, purpose = advertising)]
async fn may_share_async(user: &UserId) -> Result<bool, StoreError> {
    Ok(true)
}

#[datagate::consent_check(to = facebook, purpose = advertising)]
fn may_share_generic<T: AsRef<str>>(key: T) -> bool
where
    T: Send,
{
    key.as_ref().is_empty()
}

#[datagate::consent_check(to = facebook, purpose = advertising)]
fn may_share_later() -> impl Future<Output = bool> {
    async { true }
}

#[consent_check(to = onavo, purpose = analytics)] // imported and written bare
fn onavo_ok() -> bool {
    false
}

fn main() {}
