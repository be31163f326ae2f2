#![allow(unused)]

use datagate::Personal;

// Every mistake in a type is reported at once: container, variants, fields.
#[derive(Personal)]
#[personal(acount)]
enum Event {
    #[personal(last_sen)]
    Seen {
        at: u64,
    },
    Purchase {
        #[personal(transaction)]
        amount: u64,
    },
    Message(#[personal(mesage_content)] String),
}

fn main() {}
