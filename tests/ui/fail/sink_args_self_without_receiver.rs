#![allow(unused)]

#[datagate::sink(to = facebook, purpose = security, args = [self, report])]
fn report_abuse(report: &str) {}

fn main() {}
