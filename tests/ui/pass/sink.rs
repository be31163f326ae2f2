//! `#[datagate::sink]` on every kind of function it applies to.
#![allow(dead_code, unused_variables)]

use datagate::sink;

struct AudienceRow;
struct AbuseReport;
struct Client;

#[datagate::sink(to = facebook, purpose = advertising)] // every argument
fn upload_custom_audience(rows: &[AudienceRow]) {}

impl Client {
    #[datagate::sink(to = facebook, purpose = security, args = [report])]
    pub fn report_abuse(&self, report: &AbuseReport, trace_id: u64) {}

    #[datagate::sink(to = facebook, purpose = infrastructure, args = [self, payload])]
    fn send(&mut self, payload: Vec<u8>) {}

    #[datagate::sink(to = [facebook, instagram], purpose = [analytics, product_suggestions])]
    fn broadcast(self: Box<Self>) {}
}

trait Exporter {
    #[datagate::sink(to = facebook, purpose = business_messaging, args = [msg])]
    fn export(&self, msg: String, retries: u32); // holds for every impl

    #[datagate::sink(to = "partner_bank", purpose = "cashback")] // custom names
    fn export_default(&self, data: &str) {}
}

impl Exporter for Client {
    #[datagate::sink(to = facebook, purpose = business_messaging, args = [msg])]
    fn export(&self, msg: String, retries: u32) {}
}

#[datagate::sink(to = facebook_payments, purpose = payments, args = [amount, r#type])]
async fn pay(amount: u64, r#type: &str) {}

#[datagate::sink(to = facebook, purpose = integration, args = [item, x, second])]
fn generic<T: Send, U>(item: T, (x, _y): (u8, u8), Pair(_, second): Pair<U>)
where
    U: Clone,
{
}

struct Pair<U>(U, U);

#[sink(to = onavo, purpose = analytics, args = [batch])] // imported and written bare
fn upload_batch(mut batch: Vec<u8>, _: u32) {
    batch.clear();
}

extern "C" {
    #[datagate::sink(to = facebook, purpose = analytics)]
    fn fb_log_event(event: *const u8);
}

fn main() {}
