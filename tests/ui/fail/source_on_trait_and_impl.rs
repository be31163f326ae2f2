#![allow(unused)]

struct Phone;

#[datagate::source(location)]
trait Locate {
    fn locate(&self) -> (f64, f64);
}

#[datagate::consent_check(to = facebook, purpose = advertising)]
impl Phone {
    fn may_share(&self) -> bool {
        false
    }
}

trait Upload {
    #[datagate::declassify(categories = [phone_number], reason = "hashed")]
    const SALT: &'static str;

    #[datagate::sink(to = facebook, purpose = advertising)]
    type Row;
}

fn main() {}
