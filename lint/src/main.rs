//! `cargo-datagate`: run as `cargo datagate …` or directly. The command line
//! lives in the library (`datagate_lint::cli`).

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    datagate_lint::cli::main()
}
