#![allow(unused)]

use datagate::Personal;

#[derive(Personal)]
struct Device(
    #[personal(os, device_id, os)] String,
    #[personal("")] String,
);

fn main() {}
