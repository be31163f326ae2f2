#![allow(unused)]

#[datagate::sink(to = facebook, purpose = advertising, args = ["rows"])]
fn upload(rows: &[String]) {}

#[datagate::sink(to = facebook, purpose = advertising, args = [])]
fn upload_none(rows: &[String]) {}

#[datagate::sink(to = facebook, purpose = advertising, args = [rows, rows])]
fn upload_twice(rows: &[String]) {}

fn main() {}
