//! `#[datagate::source]` on every kind of function it applies to.
#![allow(dead_code)]

use datagate::source;
use std::future::Future;

struct Coords(f64, f64);
struct Phone;

#[datagate::source(location)]
fn current_location() -> Coords {
    Coords(0.0, 0.0)
}

impl Phone {
    #[datagate::source(location)]
    pub fn location(&self) -> Coords {
        Coords(52.37, 4.89)
    }

    #[datagate::source(phone_number, "carrier_id")]
    pub(crate) fn number(&self) -> Result<String, std::io::Error> {
        Ok(String::new())
    }
}

trait Device {
    #[datagate::source(device_id)]
    fn id(&self) -> String; // declaration: holds for every impl

    #[datagate::source(os, screen_resolution)]
    fn describe(&self) -> String {
        String::new()
    }
}

impl Device for Phone {
    #[datagate::source(device_id)]
    fn id(&self) -> String {
        String::new()
    }
}

#[datagate::source(last_seen)]
async fn last_seen(user: u64) -> u64 {
    user
}

#[datagate::source(usage)]
fn usage_of<T: Clone, const N: usize>(items: [T; N]) -> Vec<T>
where
    T: Send,
{
    items.to_vec()
}

#[source(ip_address)] // imported and written bare
fn peer_ip() -> std::net::IpAddr {
    std::net::IpAddr::from([127, 0, 0, 1])
}

#[datagate::source(location)]
fn future_location() -> impl Future<Output = Coords> {
    async { Coords(0.0, 0.0) }
}

#[datagate::source(device)] // a whole group
const fn hardware() -> u32 {
    0
}

#[datagate::source(email)]
unsafe extern "C" fn email_ffi() -> *const u8 {
    std::ptr::null()
}

fn main() {}
