#![allow(unused)]

use datagate::Personal;

#[derive(Personal)]
struct Account {
    #[personal(phone_numbr)]
    phone: String,
    #[personal(devce_id, os)]
    device: String,
}

fn main() {}
