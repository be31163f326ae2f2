#![allow(unused)]

#[datagate::sink(to = facebook, purpose = advertising)]
struct Uploader;

#[datagate::sink(to = facebook, purpose = advertising)]
const ENDPOINT: &str = "https://graph.facebook.com";

#[datagate::sink(to = facebook, purpose = advertising)]
static RETRIES: u32 = 3;

#[datagate::sink(to = facebook, purpose = advertising)]
enum Target {
    Ads,
}

#[datagate::sink(to = facebook, purpose = advertising)]
mod upload {}

#[datagate::sink(to = facebook, purpose = advertising)]
type Rows = Vec<String>;

fn main() {}
