#![allow(unused)]

trait Exporter {
    #[datagate::sink(to = facebook, purpose = business_messaging, args = [mesage])]
    fn export(&self, message: String);

    #[datagate::sink(to = facebook, purpose = business_messaging, args = [body])]
    fn export_default(&self, message: String) {}
}

struct Client;

impl Exporter for Client {
    #[datagate::sink(to = facebook, purpose = business_messaging, args = [msg])]
    fn export(&self, message: String) {}
}

fn main() {}
