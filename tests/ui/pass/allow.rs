//! `#[datagate::allow]` goes on anything: it suppresses findings inside.
#![allow(dead_code, unused_variables)]

#[datagate::allow(unconsented_flow, reason = "flow reviewed in PRIV-142")]
fn legacy_export(rows: &[String]) {}

#[datagate::allow(never_share, unknown_recipient, reason = "test double, never deployed")]
mod testing {
    pub fn fake_upload() {}
}

#[datagate::allow("unconsented-flow", reason = "kebab-case works as a string")]
struct Exporter;

#[datagate::allow(unconsented_flow, reason = "migration job, consent checked upstream")]
impl Exporter {
    #[datagate::allow(never_share, reason = "hashed before it leaves")]
    fn run(&self) {}
}

#[datagate::allow(unconsented_flow, reason = "every impl is reviewed")]
trait Job {
    #[datagate::allow(unconsented_flow, reason = "declaration")]
    fn run(&self);
}

#[datagate::allow(unconsented_flow, reason = "reviewed")]
impl Job for Exporter {
    #[datagate::allow(unconsented_flow, reason = "reviewed")]
    fn run(&self) {}
}

#[datagate::allow(unconsented_flow, reason = "reviewed")]
async fn nightly<T: Job>(job: T) {}

#[datagate::allow(unconsented_flow, reason = "reviewed")]
#[datagate::allow(never_share, reason = "reviewed separately")] // several are fine
enum Mode {
    Full,
}

#[datagate::allow(unconsented_flow, reason = "constant table")]
const TABLE: [u8; 2] = [1, 2];

#[datagate::allow(unconsented_flow, reason = "reviewed")]
static GLOBAL: u8 = 0;

#[datagate::allow(unconsented_flow, reason = "reviewed")]
type Alias = Exporter;

#[datagate::allow(unconsented_flow, reason = "reviewed")]
#[datagate::sink(to = facebook, purpose = advertising)] // with other annotations
fn upload(rows: &[String]) {}

fn main() {}
