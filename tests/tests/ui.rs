//! UI tests of the `datagate` macros: every annotation on every item it
//! applies to compiles (`ui/pass`), and every mistake gives the blessed
//! errors (`ui/fail/*.stderr`; bless with `TRYBUILD=overwrite`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
