#![allow(unused)]

struct Client;
struct AbuseReport;

impl Client {
    #[datagate::sink(to = facebook, purpose = security, args = [reprot])]
    fn report_abuse(&self, report: &AbuseReport, trace_id: u64) {}

    #[datagate::sink(to = facebook, purpose = security, args = [slef, trace])]
    fn report_trace(&self, trace_id: u64) {}
}

fn main() {}
