#![allow(unused)]

use datagate::Personal;

#[derive(Personal)]
struct Account {
    #[personal]
    phone: String,
    #[personal()]
    email: String,
    #[personal = "email"]
    backup_email: String,
}

fn main() {}
