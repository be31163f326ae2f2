//! The robustness sweep (issue 7): runs `cargo-datagate check` and
//! `cargo-datagate inventory` over every crate of a directory of crates and
//! fails on any panic, crash, hang, unexpected exit code or `parse-error`
//! finding that does not name an existing file.
//!
//! Usage:
//!
//! ```text
//! cargo build --release -p cargo-datagate
//! cargo run --release -p datagate-bench --bin sweep -- [DIR] [--datagate PATH]
//!     [--timeout SECS] [--limit N] [--out FILE]
//! ```
//!
//! `DIR` holds one crate per subdirectory (each with a `Cargo.toml`); the
//! default is the benchmark corpus's vendor directory `bench/corpus/vendor/`
//! (`cargo run --release -p datagate-bench --bin bench` vendors it), and
//! `~/.cargo/registry/src/*/` works as well. `--datagate` defaults to
//! `target/release/cargo-datagate`, which is copied aside first so that other
//! builds in the shared target directory cannot swap it mid-run. `--timeout`
//! (default 60 s) is the limit per run; a run over it is killed and counted
//! as a hang. The report (totals, the slowest crates, every parse error with
//! its message, every problem) goes to stdout and to `--out` when given.
//!
//! The sweep never runs under `cargo test`: CI has no corpus.

use anyhow::{bail, Context as _};
use datagate_bench::paths;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Options {
    dir: PathBuf,
    datagate: PathBuf,
    timeout: Duration,
    limit: Option<usize>,
    out: Option<PathBuf>,
}

fn usage() -> &'static str {
    "usage: sweep [DIR] [--datagate PATH] [--timeout SECS] [--limit N] [--out FILE]"
}

fn parse_args() -> anyhow::Result<Options> {
    let mut opts = Options {
        dir: paths::vendor_dir(),
        datagate: paths::repo_root().join("target/release/cargo-datagate"),
        timeout: Duration::from_secs(60),
        limit: None,
        out: None,
    };
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .with_context(|| format!("{name} needs a value\n{}", usage()))
        };
        match arg.to_str() {
            Some("--datagate") => opts.datagate = PathBuf::from(value("--datagate")?),
            Some("--timeout") => {
                let v = value("--timeout")?;
                let secs: f64 = v.to_string_lossy().parse().context("--timeout")?;
                opts.timeout = Duration::from_secs_f64(secs.max(0.1));
            }
            Some("--limit") => {
                opts.limit = Some(
                    value("--limit")?
                        .to_string_lossy()
                        .parse()
                        .context("--limit")?,
                )
            }
            Some("--out") => opts.out = Some(PathBuf::from(value("--out")?)),
            Some("-h" | "--help") => {
                println!("{}", usage());
                std::process::exit(0);
            }
            Some(s) if s.starts_with('-') => bail!("unknown option `{s}`\n{}", usage()),
            _ => opts.dir = PathBuf::from(arg),
        }
    }
    Ok(opts)
}

/// One run of the binary on one crate.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    timed_out: bool,
    secs: f64,
    stdout: String,
    stderr: String,
}

fn read_all(mut r: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

fn run(bin: &Path, args: &[&str], krate: &Path, timeout: Duration) -> anyhow::Result<Run> {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .arg(krate)
        .env("NO_COLOR", "1")
        .env_remove("CARGO_TERM_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let out = child.stdout.take().map(read_all);
    let err = child.stderr.take().map(read_all);
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let secs = start.elapsed().as_secs_f64();
    let text = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
        h.and_then(|h| h.join().ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    Ok(Run {
        code: status.code(),
        timed_out,
        secs,
        stdout: text(out),
        stderr: text(err),
    })
}

/// What the sweep found in one crate.
#[derive(Debug, Default)]
struct CrateResult {
    name: String,
    files: u64,
    lines: u64,
    findings: u64,
    check_secs: f64,
    inventory_secs: f64,
    /// (file, line, message) of every parse error.
    parse_errors: Vec<(String, u64, String)>,
    problems: Vec<String>,
}

fn first_lines(s: &str, n: usize) -> String {
    s.lines().take(n).collect::<Vec<_>>().join("\n    ")
}

/// A crash is any exit but 0, 1 and 2, a signal, or a panic message.
fn crashed(r: &Run) -> Option<String> {
    if r.timed_out {
        return Some(format!("hang: killed after {:.1} s", r.secs));
    }
    if r.stderr.contains("panicked at") || r.stderr.contains("stack overflow") {
        return Some(format!("panic: {}", first_lines(&r.stderr, 6)));
    }
    match r.code {
        Some(0..=2) => None,
        Some(c) => Some(format!("exit code {c}: {}", first_lines(&r.stderr, 6))),
        None => Some(format!("killed by a signal: {}", first_lines(&r.stderr, 6))),
    }
}

fn sweep_crate(bin: &Path, krate: &Path, timeout: Duration) -> anyhow::Result<CrateResult> {
    let mut res = CrateResult {
        name: krate
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ..CrateResult::default()
    };
    let check = run(bin, &["check", "--format", "json"], krate, timeout)?;
    res.check_secs = check.secs;
    if let Some(p) = crashed(&check) {
        res.problems.push(format!("check: {p}"));
    }
    if check.code == Some(0) || check.code == Some(1) || check.code == Some(2) {
        match serde_json::from_str::<Value>(&check.stdout) {
            Ok(doc) => inspect(&doc, &check, krate, &mut res),
            // No report at all: allowed only for a workspace that could not
            // be discovered (exit 2 with a diagnostic on stderr).
            Err(_) if check.code == Some(2) && !check.stderr.trim().is_empty() => {
                res.problems.push(format!(
                    "note: no report (exit 2): {}",
                    first_lines(&check.stderr, 3)
                ));
            }
            Err(e) => res.problems.push(format!(
                "check: exit {:?} without a JSON report ({e}); stderr: {}",
                check.code,
                first_lines(&check.stderr, 4)
            )),
        }
    }
    let inv = run(bin, &["inventory", "--format", "json"], krate, timeout)?;
    res.inventory_secs = inv.secs;
    if let Some(p) = crashed(&inv) {
        res.problems.push(format!("inventory: {p}"));
    } else {
        // The inventory fails exactly when check fails for parse errors.
        let want = if res.parse_errors.is_empty() {
            check.code.filter(|c| *c == 2).map_or(0, |_| 2)
        } else {
            2
        };
        if inv.code != Some(want) {
            res.problems.push(format!(
                "inventory: exit {:?}, expected {want} (check exited {:?})",
                inv.code, check.code
            ));
        }
        if inv.code != Some(2) && serde_json::from_str::<Value>(&inv.stdout).is_err() {
            res.problems
                .push("inventory: no JSON document on stdout".to_string());
        }
    }
    Ok(res)
}

/// Checks the JSON report against the exit code and the files on disk.
fn inspect(doc: &Value, check: &Run, krate: &Path, res: &mut CrateResult) {
    let summary = &doc["summary"];
    res.files = summary["files"].as_u64().unwrap_or(0);
    res.lines = summary["lines"].as_u64().unwrap_or(0);
    res.findings = summary["findings"].as_u64().unwrap_or(0);
    let empty = Vec::new();
    let findings = doc["findings"].as_array().unwrap_or(&empty);
    for f in findings {
        if f["code"] != "parse-error" {
            continue;
        }
        let file = f["file"].as_str().unwrap_or_default().to_string();
        let line = f["line"].as_u64().unwrap_or(0);
        let message = f["message"].as_str().unwrap_or_default().to_string();
        if file.is_empty() || !krate.join(&file).exists() {
            res.problems.push(format!(
                "parse-error names no existing file: `{file}`: {message}"
            ));
        }
        if line == 0 || message.is_empty() {
            res.problems
                .push(format!("parse-error without a line or message: {f}"));
        }
        res.parse_errors.push((file, line, message));
    }
    let want = if !res.parse_errors.is_empty() {
        2
    } else if findings.is_empty() {
        0
    } else {
        1
    };
    if check.code != Some(want) {
        res.problems.push(format!(
            "check: exit {:?} but the report implies {want}; stderr: {}",
            check.code,
            first_lines(&check.stderr, 3)
        ));
    }
    if want == 2 && !check.stderr.contains("incomplete") {
        res.problems
            .push("check: exit 2 without saying why on stderr".to_string());
    }
}

fn crates_in(dir: &Path, limit: Option<usize>) -> anyhow::Result<Vec<PathBuf>> {
    let mut crates: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| {
            format!(
                "reading {} (vendor the corpus with `cargo run --release -p datagate-bench --bin bench`, or pass a directory of crates such as ~/.cargo/registry/src/*/)",
                dir.display()
            )
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    crates.sort();
    if let Some(n) = limit {
        crates.truncate(n);
    }
    if crates.is_empty() {
        bail!(
            "no crates (directories with a Cargo.toml) in {}",
            dir.display()
        );
    }
    Ok(crates)
}

/// Copies the binary aside so that a rebuild in the shared target directory
/// cannot replace it during the sweep.
fn private_copy(bin: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    if !bin.is_file() {
        bail!(
            "{} does not exist: build it with `cargo build --release -p cargo-datagate` or pass --datagate",
            bin.display()
        );
    }
    let dir = std::env::temp_dir().join(format!("datagate-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let copy = dir.join("cargo-datagate");
    std::fs::copy(bin, &copy).with_context(|| format!("copying {}", bin.display()))?;
    Ok((dir, copy))
}

fn main() -> anyhow::Result<()> {
    let opts = parse_args()?;
    let crates = crates_in(&opts.dir, opts.limit)?;
    let (tmp, bin) = private_copy(&opts.datagate)?;
    let started = Instant::now();
    let mut results = Vec::new();
    for (i, krate) in crates.iter().enumerate() {
        let r = sweep_crate(&bin, krate, opts.timeout)?;
        eprintln!(
            "[{}/{}] {}: {} files, {} lines, check {:.2} s, inventory {:.2} s{}{}",
            i + 1,
            crates.len(),
            r.name,
            r.files,
            r.lines,
            r.check_secs,
            r.inventory_secs,
            if r.parse_errors.is_empty() {
                String::new()
            } else {
                format!(", {} parse errors", r.parse_errors.len())
            },
            if r.problems.is_empty() {
                ""
            } else {
                ", PROBLEMS"
            },
        );
        results.push(r);
    }
    let _ = std::fs::remove_dir_all(&tmp);
    let report = render(&opts, &results, started.elapsed());
    print!("{report}");
    if let Some(out) = &opts.out {
        std::fs::write(out, &report).with_context(|| format!("writing {}", out.display()))?;
    }
    let failures = results
        .iter()
        .flat_map(|r| &r.problems)
        .filter(|p| !p.starts_with("note:"))
        .count();
    if failures > 0 {
        bail!("{failures} problems (see the report)");
    }
    Ok(())
}

fn render(opts: &Options, results: &[CrateResult], total: Duration) -> String {
    let mut s = String::new();
    let files: u64 = results.iter().map(|r| r.files).sum();
    let lines: u64 = results.iter().map(|r| r.lines).sum();
    let findings: u64 = results.iter().map(|r| r.findings).sum();
    let parse_errors: usize = results.iter().map(|r| r.parse_errors.len()).sum();
    let slowest = |f: fn(&CrateResult) -> f64| {
        results
            .iter()
            .max_by(|a, b| f(a).total_cmp(&f(b)))
            .map(|r| (r.name.clone(), f(r)))
            .unwrap_or_default()
    };
    let (check_name, check_max) = slowest(|r| r.check_secs);
    let (inv_name, inv_max) = slowest(|r| r.inventory_secs);
    let problems: Vec<(&str, &String)> = results
        .iter()
        .flat_map(|r| r.problems.iter().map(move |p| (r.name.as_str(), p)))
        .collect();
    let _ = writeln!(s, "# datagate robustness sweep\n");
    let _ = writeln!(s, "- directory: `{}`", opts.dir.display());
    let _ = writeln!(s, "- crates: {}", results.len());
    let _ = writeln!(s, "- files analysed: {files}");
    let _ = writeln!(s, "- lines analysed: {lines}");
    let _ = writeln!(s, "- findings (no annotations: expect 0): {findings}");
    let _ = writeln!(s, "- parse errors: {parse_errors}");
    let _ = writeln!(s, "- slowest check: {check_max:.2} s ({check_name})");
    let _ = writeln!(s, "- slowest inventory: {inv_max:.2} s ({inv_name})");
    let _ = writeln!(
        s,
        "- timeout per run: {:.0} s; total time: {:.0} s",
        opts.timeout.as_secs_f64(),
        total.as_secs_f64()
    );
    let failures = problems
        .iter()
        .filter(|(_, p)| !p.starts_with("note:"))
        .count();
    let _ = writeln!(
        s,
        "- problems (panics, hangs, crashes, wrong exit codes, parse errors without a file): {failures}\n"
    );
    let mut by_time: Vec<&CrateResult> = results.iter().collect();
    by_time.sort_by(|a, b| {
        (b.check_secs + b.inventory_secs).total_cmp(&(a.check_secs + a.inventory_secs))
    });
    let _ = writeln!(s, "## Slowest crates\n");
    let _ = writeln!(s, "| crate | files | lines | check s | inventory s |");
    let _ = writeln!(s, "| --- | ---: | ---: | ---: | ---: |");
    for r in by_time.iter().take(10) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.2} | {:.2} |",
            r.name, r.files, r.lines, r.check_secs, r.inventory_secs
        );
    }
    if parse_errors > 0 {
        let _ = writeln!(s, "\n## Parse errors\n");
        for r in results {
            for (file, line, message) in &r.parse_errors {
                let _ = writeln!(s, "- {}: `{file}:{line}`: {message}", r.name);
            }
        }
    }
    if !problems.is_empty() {
        let _ = writeln!(s, "\n## Problems\n");
        for (name, p) in problems {
            let _ = writeln!(s, "- {name}: {p}");
        }
    }
    s
}
