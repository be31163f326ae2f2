//! `#[personal]` on every place it applies to.
#![allow(dead_code)]

use datagate::Personal;

#[derive(Personal)]
struct Account {
    #[personal(phone_number)]
    phone: String,
    #[personal(device_id, os)] // several categories
    device: String,
    #[personal("loyalty_tier")] // a custom category, checked against the policy
    tier: u8,
    #[personal(location, r#email)] // `location` is a category and a group; raw idents
    home: String,
    display_name: String, // not personal
}

#[derive(Personal)]
struct Coords(#[personal(location)] f64, #[personal(location)] f64, u32);

#[derive(Personal)]
#[personal(ip_address)] // every value of this type is an IP address
struct ClientIp(std::net::IpAddr);

#[derive(Personal)]
#[personal(device)] // a whole group
struct DeviceInfo {
    model: String,
}

#[derive(Personal)]
enum Event {
    #[personal(last_seen)] // every value of this variant
    Seen {
        at: u64,
    },
    Purchase {
        #[personal(transactions)]
        amount: u64,
        currency: String,
    },
    Message(#[personal(message_content)] String, u64),
    Ping,
}

#[derive(Personal)]
#[personal(usage, "engagement_score")]
enum Activity {
    Opened,
    Closed,
}

#[derive(Personal)]
struct Wrapper<'a, T: Clone> {
    #[personal(email)]
    #[personal(contacts)] // attributes add up
    value: &'a T,
}

#[derive(Personal)]
union Raw {
    #[personal(media)]
    bytes: [u8; 4],
    word: u32,
}

fn main() {}
