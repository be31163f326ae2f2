//! Writes the generated annotated workspace (see `datagate_bench::gen`).
//!
//! `gen [--size 100k|300k|1m|<lines>]... [--seed N] [--out DIR]`: by default
//! every benchmark size into `bench/generated/<size>/`.

use anyhow::Context as _;
use clap::Parser;
use datagate_bench::{gen, paths, Size};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(about = "Write the generated annotated benchmark workspace")]
struct Args {
    /// Sizes to generate (lines of Rust): 100k, 300k, 1m or a number.
    #[arg(long = "size", value_parser = Size::parse)]
    sizes: Vec<Size>,
    /// The seed of the generator.
    #[arg(long, default_value_t = gen::DEFAULT_SEED)]
    seed: u64,
    /// Output directory (only with a single --size); default
    /// `bench/generated/<size>`.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sizes = if args.sizes.is_empty() {
        Size::defaults()
    } else {
        args.sizes.clone()
    };
    if args.out.is_some() && sizes.len() != 1 {
        anyhow::bail!("--out needs exactly one --size");
    }
    for size in sizes {
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| paths::generated_dir(&size));
        let expected = datagate_bench::generate_into(&out, &size, args.seed)
            .with_context(|| format!("generating {}", out.display()))?;
        println!(
            "{}: {} crates, {} modules, {} files, {} lines, {} planted flows",
            out.display(),
            expected.crates,
            expected.modules,
            expected.files,
            expected.lines,
            expected.planted.len()
        );
    }
    Ok(())
}
