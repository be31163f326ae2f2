#![allow(unused)]

struct Hasher;

impl Hasher {
    #[datagate::declassify(categories = [phone_number], reason = "hashed in place")]
    fn hash_in_place(&self, p: &mut String) {}
}

trait Anonymise {
    #[datagate::declassify(categories = [device], reason = "bucketed")]
    fn bucket(&self, id: &str);
}

fn main() {}
