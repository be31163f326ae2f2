//! Where the benchmark's inputs and outputs live in the repository.

use crate::Size;
use std::path::{Path, PathBuf};

/// The repository root (the parent of `bench/`).
pub fn repo_root() -> PathBuf {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"));
    bench.parent().unwrap_or(bench).to_path_buf()
}

/// `bench/`.
pub fn bench_dir() -> PathBuf {
    repo_root().join("bench")
}

/// `macros/`: the `datagate` crate the generated workspace depends on.
pub fn macros_dir() -> PathBuf {
    repo_root().join("macros")
}

/// `bench/corpus/`: the manifest of the real-code corpus.
pub fn corpus_dir() -> PathBuf {
    bench_dir().join("corpus")
}

/// `bench/corpus/vendor/`: the vendored sources (git-ignored).
pub fn vendor_dir() -> PathBuf {
    corpus_dir().join("vendor")
}

/// `bench/generated/<size>/` (git-ignored).
pub fn generated_dir(size: &Size) -> PathBuf {
    bench_dir().join("generated").join(size.name())
}

/// `bench/RESULTS.md`.
pub fn results_file() -> PathBuf {
    bench_dir().join("RESULTS.md")
}
