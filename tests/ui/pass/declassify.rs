//! `#[datagate::declassify]` on every kind of function it applies to.
#![allow(dead_code, unused_variables)]

use datagate::declassify;

struct Digest([u8; 32]);
struct Hasher;

#[datagate::declassify(categories = [phone_number], reason = "salted SHA-256, salt never leaves us")]
fn hash_phone(p: &str) -> Digest {
    Digest([0; 32])
}

impl Hasher {
    #[datagate::declassify(categories = [location], reason = "rounded to the country")]
    pub fn country(&self, lat: f64, lon: f64) -> String {
        String::new()
    }
}

trait Anonymise {
    #[datagate::declassify(categories = [device], reason = "k-anonymous buckets of 1000")]
    fn bucket(&self, id: &str) -> u32; // declaration: holds for every impl

    #[datagate::declassify(categories = ["loyalty_tier", usage], reason = "aggregated per week")]
    fn weekly(&self) -> u64 {
        0
    }
}

impl Anonymise for Hasher {
    #[datagate::declassify(categories = device_id, reason = "k-anonymous buckets of 1000")]
    fn bucket(&self, id: &str) -> u32 {
        0
    }
}

#[datagate::declassify(categories = [ip_address], reason = "truncated to /16")]
async fn truncate_ip(ip: std::net::IpAddr) -> String {
    String::new()
}

#[declassify(categories = [email], reason = "domain only")] // imported and written bare
fn email_domain<S: AsRef<str>>(email: S) -> String {
    String::new()
}

fn main() {}
