//! The parse-only floor: discovers a workspace exactly as `cargo datagate`
//! does and parses every file it would read with syn, in parallel on the same
//! rayon pool, dropping each tree at once. It does nothing else, so its time
//! and memory are what any syn-based tool must spend on that workspace.
//!
//! Usage: `floor [PATH]` (a workspace directory or its `Cargo.toml`; default:
//! the current directory). Prints `{"files": N, "lines": N, "errors": N}`.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Context as _;
use datagate_lint::discover::{discover, DiscoverOptions};
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let manifest_path = std::env::args_os().nth(1).map(PathBuf::from);
    let opts = DiscoverOptions {
        manifest_path: manifest_path.clone(),
        ..DiscoverOptions::default()
    };
    let ws = discover(&opts).with_context(|| {
        format!(
            "discovering {}",
            manifest_path
                .unwrap_or_else(|| PathBuf::from("."))
                .display()
        )
    })?;
    let stats = datagate_lint::parse_only_pooled(&ws);
    println!(
        "{}",
        serde_json::json!({"files": stats.files, "lines": stats.lines, "errors": stats.errors})
    );
    Ok(())
}
