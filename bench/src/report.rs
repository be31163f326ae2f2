//! The results of a benchmark run and their markdown rendering
//! (`bench/RESULTS.md`).

use crate::measure::median;
use std::fmt::Write as _;

/// Target: datagate's time at most this many times the floor's.
pub const MAX_RATIO: f64 = 1.5;
/// Target: time per line at the largest size within this factor of the
/// smallest.
pub const MAX_PER_LINE_GROWTH: f64 = 1.3;
/// Target: peak memory at 1M lines, in bytes (1.5 GB).
pub const MAX_RSS_BYTES_AT_1M: f64 = 1.5e9;

/// One measured run of one tool on one corpus.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    pub wall_secs: f64,
    pub cpu_secs: f64,
    pub max_rss_kib: u64,
}

/// Medians of several samples.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub wall_secs: f64,
    pub cpu_secs: f64,
    pub rss_bytes: f64,
    pub runs: usize,
}

impl Stats {
    pub fn of(samples: &[Sample]) -> Stats {
        let wall: Vec<f64> = samples.iter().map(|s| s.wall_secs).collect();
        let cpu: Vec<f64> = samples.iter().map(|s| s.cpu_secs).collect();
        let rss: Vec<f64> = samples
            .iter()
            .map(|s| s.max_rss_kib as f64 * 1024.0)
            .collect();
        Stats {
            wall_secs: median(&wall),
            cpu_secs: median(&cpu),
            rss_bytes: median(&rss),
            runs: samples.len(),
        }
    }
}

/// What was measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// The vendored crates, each run as its own workspace.
    Real,
    /// A generated workspace of about this many lines.
    Generated { target_lines: usize },
}

/// The results for one corpus.
#[derive(Debug, Clone)]
pub struct CorpusResult {
    pub name: String,
    pub kind: Kind,
    /// Workspaces the tools ran on (vendored crates, or 1).
    pub workspaces: usize,
    /// Files and lines the floor parsed.
    pub files: usize,
    pub lines: usize,
    /// Files and lines datagate reports in its summary.
    pub datagate_files: usize,
    pub datagate_lines: usize,
    pub floor: Vec<Sample>,
    pub datagate: Vec<Sample>,
    /// Findings datagate reported (all runs agree; from the first).
    pub findings: usize,
    /// Planted flows the generated workspace holds (`None` for the real
    /// corpus).
    pub expected_findings: Option<usize>,
    /// Correctness problems found while checking the outputs.
    pub problems: Vec<String>,
    /// Other observations (parse errors in vendored crates, ...).
    pub notes: Vec<String>,
}

impl CorpusResult {
    pub fn floor_stats(&self) -> Stats {
        Stats::of(&self.floor)
    }

    pub fn datagate_stats(&self) -> Stats {
        Stats::of(&self.datagate)
    }

    /// Whether both tools have measured runs (not when every workspace
    /// timed out).
    pub fn measured(&self) -> bool {
        !self.floor.is_empty() && !self.datagate.is_empty()
    }

    /// datagate's wall time over the floor's: the median of the ratios of
    /// the runs made side by side (each pair ran under the same load of the
    /// machine), or the ratio of the medians when the runs do not pair up.
    pub fn ratio(&self) -> f64 {
        if self.floor.len() == self.datagate.len() && !self.floor.is_empty() {
            let pairs: Vec<f64> = self
                .floor
                .iter()
                .zip(&self.datagate)
                .map(|(f, d)| ratio(d.wall_secs, f.wall_secs))
                .collect();
            return median(&pairs);
        }
        ratio(
            self.datagate_stats().wall_secs,
            self.floor_stats().wall_secs,
        )
    }
}

/// The machine and the run.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub date: String,
    pub cpu: String,
    pub cores: usize,
    pub memory_bytes: u64,
    pub os: String,
    pub load_before: String,
    pub revision: String,
    pub runs: usize,
    pub command: String,
    pub corpus_crates: usize,
    pub corpus_vendored_files: usize,
    pub corpus_vendored_lines: usize,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        f64::NAN
    }
}

fn secs(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

fn mb(bytes: f64) -> String {
    format!("{:.0} MB", bytes / 1e6)
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn per_sec(lines: usize, s: f64) -> String {
    if s > 0.0 {
        thousands((lines as f64 / s).round() as usize)
    } else {
        "-".to_string()
    }
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**missed**"
    }
}

/// A target and whether it was met.
#[derive(Debug, Clone)]
pub struct TargetCheck {
    pub what: String,
    pub measured: String,
    pub met: bool,
}

/// What a target shows for a corpus that could not be measured.
const NOT_MEASURED: &str = "not measured: did not finish";

/// Checks the targets of issue 6 against the results.
pub fn targets(results: &[CorpusResult]) -> Vec<TargetCheck> {
    let mut out = Vec::new();
    let ratio_check = |what: String, r: &CorpusResult| {
        if r.measured() {
            let x = r.ratio();
            TargetCheck {
                what,
                measured: format!("{x:.2}×"),
                met: x <= MAX_RATIO,
            }
        } else {
            TargetCheck {
                what,
                measured: NOT_MEASURED.to_string(),
                met: false,
            }
        }
    };
    if let Some(real) = results.iter().find(|r| r.kind == Kind::Real) {
        out.push(ratio_check(
            format!("datagate ≤ {MAX_RATIO}× the floor on the real corpus"),
            real,
        ));
    }
    let generated = generated_by_size(results);
    let at_1m = generated
        .iter()
        .find(|r| matches!(r.kind, Kind::Generated { target_lines } if target_lines == 1_000_000));
    if let Some(big) = at_1m {
        out.push(ratio_check(
            format!("datagate ≤ {MAX_RATIO}× the floor at 1M generated lines"),
            big,
        ));
    }
    if let (Some(small), Some(big)) = (generated.first(), generated.last()) {
        if generated.len() > 1 {
            let what = format!(
                "datagate's time per line at {} within {MAX_PER_LINE_GROWTH}× of that at {}",
                small_name(big),
                small_name(small)
            );
            let cpu_what = format!(
                "the same in CPU time (user + system; steadier on a shared machine) at {}",
                small_name(big)
            );
            if small.measured() && big.measured() {
                let g = per_line_growth(small, big);
                out.push(TargetCheck {
                    what,
                    measured: format!("{g:.2}×"),
                    met: g <= MAX_PER_LINE_GROWTH,
                });
                let c = cpu_per_line_growth(small, big);
                out.push(TargetCheck {
                    what: cpu_what,
                    measured: format!("{c:.2}×"),
                    met: c <= MAX_PER_LINE_GROWTH,
                });
            } else {
                out.push(TargetCheck {
                    what,
                    measured: NOT_MEASURED.to_string(),
                    met: false,
                });
            }
        }
    }
    if let Some(big) = at_1m {
        let what = "datagate's peak memory at 1M lines ≤ 1.5 GB".to_string();
        out.push(if big.measured() {
            let rss = big.datagate_stats().rss_bytes;
            TargetCheck {
                what,
                measured: mb(rss),
                met: rss <= MAX_RSS_BYTES_AT_1M,
            }
        } else {
            TargetCheck {
                what,
                measured: NOT_MEASURED.to_string(),
                met: false,
            }
        });
    }
    for r in results {
        if let Some(expected) = r.expected_findings {
            out.push(TargetCheck {
                what: format!("{}: every planted flow found, nothing else", r.name),
                measured: if r.measured() {
                    format!(
                        "{} findings for {expected} planted flows, {} problems",
                        r.findings,
                        r.problems.len()
                    )
                } else {
                    NOT_MEASURED.to_string()
                },
                met: r.measured() && r.problems.is_empty(),
            });
        }
    }
    out
}

/// The generated corpora, smallest size first.
fn generated_by_size(results: &[CorpusResult]) -> Vec<&CorpusResult> {
    let mut generated: Vec<&CorpusResult> = results
        .iter()
        .filter(|r| matches!(r.kind, Kind::Generated { .. }))
        .collect();
    generated.sort_by_key(|r| match r.kind {
        Kind::Generated { target_lines } => target_lines,
        Kind::Real => 0,
    });
    generated
}

fn small_name(r: &CorpusResult) -> String {
    r.name.trim_start_matches("generated ").to_string()
}

/// Time per line at `big` over time per line at `small` (datagate).
pub fn per_line_growth(small: &CorpusResult, big: &CorpusResult) -> f64 {
    let per_line = |r: &CorpusResult| ratio(r.datagate_stats().wall_secs, r.lines as f64);
    ratio(per_line(big), per_line(small))
}

/// CPU time per line at `big` over CPU time per line at `small` (datagate).
pub fn cpu_per_line_growth(small: &CorpusResult, big: &CorpusResult) -> f64 {
    let per_line = |r: &CorpusResult| ratio(r.datagate_stats().cpu_secs, r.lines as f64);
    ratio(per_line(big), per_line(small))
}

/// Renders `bench/RESULTS.md`.
pub fn render(meta: &Meta, results: &[CorpusResult]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# datagate benchmark results\n");
    let _ = writeln!(
        s,
        "Measured on {date} by `{cmd}` at revision {rev}: median of {runs} runs each, \
         datagate and the parse-only floor alternating.\n",
        date = meta.date,
        cmd = meta.command,
        rev = meta.revision,
        runs = meta.runs,
    );
    let _ = writeln!(
        s,
        "Machine: {cpu}, {cores} cores, {mem:.1} GiB memory, {os}; load average before the run: {load}.\n",
        cpu = meta.cpu,
        cores = meta.cores,
        mem = meta.memory_bytes as f64 / (1u64 << 30) as f64,
        os = meta.os,
        load = meta.load_before,
    );

    let _ = writeln!(s, "## Targets\n");
    let _ = writeln!(s, "| target | measured | |");
    let _ = writeln!(s, "|---|---:|---|");
    for t in targets(results) {
        let _ = writeln!(s, "| {} | {} | {} |", t.what, t.measured, mark(t.met));
    }
    s.push('\n');

    let _ = writeln!(s, "## Time and memory\n");
    let _ = writeln!(
        s,
        "Wall time and peak resident memory (the largest of any one process) of \
         `cargo-datagate --format json` and of the floor (`floor`: the same discovery, \
         then a syn parse of the same files on the same rayon threads, trees dropped). \
         On the real corpus each tool runs once per vendored crate, as on a user's \
         workspace; times are summed over the crates and memory is the largest crate's. \
         Times and memory are medians; the ratio is the median of the runs' ratios, each \
         datagate run paired with the floor run just before it (the load of the shared \
         machine varies between pairs more than within one).\n"
    );
    let _ = writeln!(
        s,
        "| corpus | workspaces | files | lines | floor time | datagate time | ratio | floor CPU | datagate CPU | floor peak RSS | datagate peak RSS | datagate lines/s | findings |"
    );
    let _ = writeln!(
        s,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in results {
        if !r.measured() {
            let _ = writeln!(
                s,
                "| {} | {NOT_MEASURED} (see the problems below) | | | | | | | | | | | |",
                r.name
            );
            continue;
        }
        let f = r.floor_stats();
        let d = r.datagate_stats();
        let findings = match r.expected_findings {
            Some(e) => format!("{} (planted {e})", r.findings),
            None => r.findings.to_string(),
        };
        let _ = writeln!(
            s,
            "| {name} | {ws} | {files} | {lines} | {ft} | {dt} | {ratio:.2}× | {fc} | {dc} | {fm} | {dm} | {lps} | {findings} |",
            name = r.name,
            ws = thousands(r.workspaces),
            files = thousands(r.files),
            lines = thousands(r.lines),
            ft = secs(f.wall_secs),
            dt = secs(d.wall_secs),
            ratio = r.ratio(),
            fc = secs(f.cpu_secs),
            dc = secs(d.cpu_secs),
            fm = mb(f.rss_bytes),
            dm = mb(d.rss_bytes),
            lps = per_sec(r.lines, d.wall_secs),
        );
    }
    s.push('\n');

    let generated = generated_by_size(results);
    if let Some(first) = generated.iter().find(|r| r.measured()) {
        let _ = writeln!(s, "## Scaling of the generated workspace\n");
        let _ = writeln!(
            s,
            "Relative to the smallest size; time per line that stays flat and memory that \
             grows with the lines mean linear scaling. CPU time (user + system) is shown beside \
             wall time: on the shared machine it varies less, above all at the small sizes.\n"
        );
        let _ = writeln!(
            s,
            "| size | lines | datagate time | µs per line | time per line vs {base} | CPU µs per line | CPU per line vs {base} | peak RSS | RSS vs {base} | floor µs per line |",
            base = small_name(first)
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        let base = first.datagate_stats();
        for r in &generated {
            if !r.measured() {
                let _ = writeln!(s, "| {} | {NOT_MEASURED} | | | | | | | | |", small_name(r));
                continue;
            }
            let d = r.datagate_stats();
            let f = r.floor_stats();
            let us = |t: f64| ratio(t * 1e6, r.lines as f64);
            let _ = writeln!(
                s,
                "| {name} | {lines} | {t} | {us:.2} | {g:.2}× | {cus:.2} | {cg:.2}× | {m} | {mg:.2}× | {fus:.2} |",
                name = small_name(r),
                lines = thousands(r.lines),
                t = secs(d.wall_secs),
                us = us(d.wall_secs),
                g = per_line_growth(first, r),
                cus = us(d.cpu_secs),
                cg = ratio(
                    ratio(d.cpu_secs, r.lines as f64),
                    ratio(base.cpu_secs, first.lines as f64)
                ),
                m = mb(d.rss_bytes),
                mg = ratio(d.rss_bytes, base.rss_bytes),
                fus = us(f.wall_secs),
            );
        }
        s.push('\n');
    }

    let _ = writeln!(s, "## Corpora and checks\n");
    if meta.corpus_crates > 0 {
        let _ = writeln!(
            s,
            "- Real corpus: {} vendored crates (`bench/corpus/Cargo.toml` and its `Cargo.lock`), \
             {} `.rs` files and {} lines in the vendored sources; datagate and the floor read \
             the files reachable from each crate's lib and bin targets.",
            thousands(meta.corpus_crates),
            thousands(meta.corpus_vendored_files),
            thousands(meta.corpus_vendored_lines),
        );
    }
    for r in results {
        if !r.measured() {
            let _ = writeln!(s, "- {}: not measured.", r.name);
            for p in &r.problems {
                let _ = writeln!(s, "  - **problem:** {p}");
            }
            continue;
        }
        let agree = if r.files == r.datagate_files && r.lines == r.datagate_lines {
            "datagate and the floor read the same files and lines".to_string()
        } else {
            format!(
                "datagate reports {} files and {} lines, the floor {} and {}",
                thousands(r.datagate_files),
                thousands(r.datagate_lines),
                thousands(r.files),
                thousands(r.lines)
            )
        };
        let _ = writeln!(s, "- {}: {agree}.", r.name);
        for n in &r.notes {
            let _ = writeln!(s, "  - {n}");
        }
        for p in &r.problems {
            let _ = writeln!(s, "  - **problem:** {p}");
        }
    }
    s.push('\n');
    let _ = writeln!(s, "## Notes\n");
    let _ = writeln!(
        s,
        "- The machine's cores are shared with other work; the CPU columns (user + system \
         time of all processes) are less sensitive to that than wall time."
    );
    let _ = writeln!(
        s,
        "- On the real corpus both tools start once per crate and ask `cargo metadata` \
         for its targets, as `cargo datagate` does on a user's workspace; that start-up \
         is part of both times."
    );
    let _ = writeln!(
        s,
        "- The floor parses each file as written; datagate hands syn the text with its doc \
         comments as plain comments (same lines and columns), which it never reads: work \
         it saves over the floor (see `bench/README.md`)."
    );
    let _ = writeln!(
        s,
        "- Reproduce with `cargo run --release -p datagate-bench --bin bench` (see `bench/README.md`)."
    );
    s
}

/// Facts about this machine for the report.
pub fn machine() -> Meta {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".to_string());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_bytes = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<u64>().ok())
        .map_or(0, |k| k * 1024);
    let os = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|r| format!("Linux {}", r.trim()))
        .unwrap_or_else(|_| std::env::consts::OS.to_string());
    Meta {
        date: today(),
        cpu,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory_bytes,
        os,
        load_before: load_average(),
        ..Meta::default()
    }
}

/// The 1, 5 and 15 minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_string())
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    fn result(
        name: &str,
        kind: Kind,
        lines: usize,
        floor: f64,
        dg: f64,
        rss_kib: u64,
    ) -> CorpusResult {
        let sample = |w: f64| Sample {
            wall_secs: w,
            cpu_secs: w * 1.5,
            max_rss_kib: rss_kib,
        };
        CorpusResult {
            name: name.to_string(),
            kind,
            workspaces: 1,
            files: 10,
            lines,
            datagate_files: 10,
            datagate_lines: lines,
            floor: vec![sample(floor), sample(floor * 2.0), sample(floor)],
            datagate: vec![sample(dg), sample(dg * 2.0), sample(dg * 1.1)],
            findings: 3,
            expected_findings: None,
            problems: vec![],
            notes: vec![],
        }
    }

    #[test]
    fn targets_and_table() {
        let results = vec![
            result("real corpus", Kind::Real, 500_000, 2.0, 2.5, 100_000),
            result(
                "generated 100k",
                Kind::Generated {
                    target_lines: 100_000,
                },
                100_000,
                1.0,
                1.2,
                50_000,
            ),
            result(
                "generated 1m",
                Kind::Generated {
                    target_lines: 1_000_000,
                },
                1_000_000,
                10.0,
                13.0,
                2_000_000,
            ),
        ];
        let t = targets(&results);
        assert_eq!(t.len(), 5);
        assert!(t[0].met, "{t:?}"); // 1.25×
        assert!(t[1].met, "{t:?}"); // 1.3×
        assert!(t[2].met, "{t:?}"); // 13/1e6 over 1.2/1e5 = 1.08×
        assert!(t[3].met, "{t:?}"); // the same in CPU time
        assert!(!t[4].met, "{t:?}"); // 2 GB
        let md = render(&Meta::default(), &results);
        assert!(
            md.contains("| real corpus | 1 | 10 | 500,000 | 2.00 s | 2.75 s | 1.25× |"),
            "{md}"
        );
        assert!(md.contains("## Scaling"), "{md}");
        assert!(md.contains("**missed**"), "{md}");
    }

    #[test]
    fn a_size_that_did_not_finish_misses_its_targets() {
        let mut big = result(
            "generated 1m",
            Kind::Generated {
                target_lines: 1_000_000,
            },
            0,
            0.0,
            0.0,
            0,
        );
        big.floor.clear();
        big.datagate.clear();
        big.expected_findings = Some(266);
        big.problems.push("datagate did not finish".to_string());
        let small = result(
            "generated 100k",
            Kind::Generated {
                target_lines: 100_000,
            },
            100_000,
            1.0,
            1.2,
            50_000,
        );
        let results = vec![big, small];
        let t = targets(&results);
        assert!(
            t.iter().filter(|t| t.what.contains("1M")).all(|t| !t.met),
            "{t:?}"
        );
        let growth = t.iter().find(|t| t.what.contains("time per line"));
        assert!(
            growth.is_some_and(|g| !g.met && g.what.contains("at 1m within")),
            "{t:?}"
        );
        let md = render(&Meta::default(), &results);
        assert!(md.contains("| 100k | 100,000 |"), "{md}");
        assert!(!md.contains("NaN"), "{md}");
        assert!(md.contains("| 1m | not measured"), "{md}");
    }
}
