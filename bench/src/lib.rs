//! datagate's benchmark (DESIGN §8): the generated annotated workspace, the
//! measurement of a child's wall time and peak memory, and the report.
//!
//! The binaries: `gen` writes the generated workspaces, `floor` is the
//! parse-only floor, `bench` is the harness that runs everything and writes
//! `bench/RESULTS.md`. See `bench/README.md`.

pub mod gen;
pub mod measure;
pub mod paths;
pub mod report;
pub mod rng;

use std::path::Path;

/// A size of the generated workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Size {
    /// `100k`, `300k`, `1m` or the number as given.
    pub label: String,
    pub lines: usize,
}

impl Size {
    /// The sizes the benchmark measures by default: 100k, 300k and 1m.
    pub fn defaults() -> Vec<Size> {
        ["100k", "300k", "1m"]
            .iter()
            .filter_map(|s| Size::parse(s).ok())
            .collect()
    }

    /// Parses `100k`, `1m`, `2.5m` or a plain number of lines.
    pub fn parse(text: &str) -> Result<Size, String> {
        let t = text.trim().to_ascii_lowercase();
        let (digits, scale) = if let Some(d) = t.strip_suffix('k') {
            (d, 1_000.0)
        } else if let Some(d) = t.strip_suffix('m') {
            (d, 1_000_000.0)
        } else {
            (t.as_str(), 1.0)
        };
        let n: f64 = digits
            .parse()
            .map_err(|_| format!("`{text}` is not a size: try 100k, 300k, 1m or a number"))?;
        if !(n.is_finite() && n > 0.0) {
            return Err(format!("`{text}` is not a positive size"));
        }
        Ok(Size {
            label: t.clone(),
            lines: (n * scale).round() as usize,
        })
    }

    /// The label to show and to name the output directory by.
    pub fn name(&self) -> String {
        if !self.label.is_empty() {
            return self.label.clone();
        }
        match self.lines {
            n if n % 1_000_000 == 0 => format!("{}m", n / 1_000_000),
            n if n % 1_000 == 0 => format!("{}k", n / 1_000),
            n => n.to_string(),
        }
    }
}

/// Generates the workspace of `size` into `out`, replacing what was there.
pub fn generate_into(out: &Path, size: &Size, seed: u64) -> std::io::Result<gen::Expected> {
    let ws = gen::generate(&gen::GenOptions {
        seed,
        target_lines: size.lines,
        datagate_path: gen::datagate_path_for(out, &paths::macros_dir()),
    });
    ws.write(out)?;
    Ok(ws.expected)
}

/// The generated workspace of `size` in `out`, generated first unless one
/// from the same generator version, seed and size is already there.
pub fn ensure_generated(
    out: &Path,
    size: &Size,
    seed: u64,
) -> std::io::Result<(gen::Expected, bool)> {
    if let Some(e) = gen::read_expected(out) {
        if e.generator_version == gen::GENERATOR_VERSION
            && e.seed == seed
            && e.target_lines == size.lines
            && out.join("Cargo.toml").is_file()
        {
            return Ok((e, false));
        }
    }
    generate_into(out, size, seed).map(|e| (e, true))
}

#[cfg(test)]
mod tests {
    use super::Size;

    #[test]
    fn sizes_parse() {
        assert_eq!(Size::parse("100k").map(|s| s.lines), Ok(100_000));
        assert_eq!(Size::parse("1M").map(|s| s.lines), Ok(1_000_000));
        assert_eq!(Size::parse("2.5m").map(|s| s.lines), Ok(2_500_000));
        assert_eq!(Size::parse("1234").map(|s| s.lines), Ok(1234));
        assert!(Size::parse("lots").is_err());
        assert!(Size::parse("0").is_err());
        let d = Size::defaults();
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].name(), "100k");
        assert_eq!(d[2].name(), "1m");
        assert_eq!(d[2].lines, 1_000_000);
    }
}
