#![allow(unused)]

use datagate::Personal;

#[derive(Personal)]
struct Account {
    #[personal(category = phone_number)]
    phone: String,
    #[personal([email, contacts])]
    email: String,
}

fn main() {}
