//! `cargo-datagate`: run as `cargo datagate …` or directly. The command line
//! lives in the library (`datagate_lint::cli`).

fn main() -> std::process::ExitCode {
    datagate_lint::cli::main()
}
