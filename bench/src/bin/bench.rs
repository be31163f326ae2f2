//! The benchmark harness: builds the release `cargo-datagate` and the floor,
//! prepares both corpora (vendors the real one on the first run, generates
//! the annotated workspaces), measures datagate and the floor on each,
//! checks datagate's findings and writes `bench/RESULTS.md`.
//!
//! `cargo run --release -p datagate-bench --bin bench [-- OPTIONS]`; see
//! `--help` and `bench/README.md`.

use anyhow::{bail, Context as _};
use clap::Parser;
use datagate_bench::gen::{self, Expected};
use datagate_bench::measure::{self, Job, Measurement, TARGET};
use datagate_bench::report::{self, CorpusResult, Kind, Sample};
use datagate_bench::{paths, Size};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The documented command that runs the benchmark.
const COMMAND: &str = "cargo run --release -p datagate-bench --bin bench";

/// datagate is never killed sooner than this on a workspace.
const MIN_TIMEOUT_SECS: f64 = 10.0;

#[derive(Debug, Parser)]
#[command(about = "Measure datagate against the parse-only floor and write bench/RESULTS.md")]
struct Args {
    /// Measured runs per tool and corpus (the report shows the median).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Generated sizes to measure: 100k, 300k, 1m or a number of lines
    /// (repeatable; default: 100k, 300k and 1m).
    #[arg(long = "size", value_parser = Size::parse)]
    sizes: Vec<Size>,
    /// Skip the real-code corpus.
    #[arg(long)]
    skip_corpus: bool,
    /// Skip the generated workspaces.
    #[arg(long)]
    skip_generated: bool,
    /// Only the first N vendored crates (a quick check of the harness).
    #[arg(long, value_name = "N")]
    corpus_limit: Option<usize>,
    /// Do not build `cargo-datagate` and `floor` first (use the binaries next
    /// to this one).
    #[arg(long)]
    no_build: bool,
    /// Measure this `cargo-datagate` binary instead of the one built next to
    /// this harness (e.g. to compare two versions).
    #[arg(long, value_name = "PATH")]
    datagate: Option<PathBuf>,
    /// Where to write the report.
    #[arg(long, default_value_os_t = paths::results_file())]
    out: PathBuf,
    /// The generator's seed.
    #[arg(long, default_value_t = gen::DEFAULT_SEED)]
    seed: u64,
    /// Kill a single run (one tool on one workspace) that takes longer than
    /// this many seconds; the workspace is then left out of the measurements
    /// and reported as a problem.
    #[arg(long, default_value_t = 120.0)]
    timeout: f64,
    /// Kill a run of datagate that takes longer than this many times the
    /// floor's warm-up time on the same workspace (but never before 10 s).
    #[arg(long, default_value_t = 20.0)]
    timeout_factor: f64,
}

fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some(measure::WRAPPER_ARG) {
        return measure::wrapper_main();
    }
    let args = Args::parse();
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let mut meta = report::machine();
    meta.runs = args.runs;
    let extra: Vec<String> = std::env::args().skip(1).collect();
    meta.command = if extra.is_empty() {
        COMMAND.to_string()
    } else {
        format!("{COMMAND} -- {}", extra.join(" "))
    };
    meta.revision = format!("`{}`", git_revision());

    let mut tools = Tools::locate(!args.no_build)?;
    if let Some(p) = &args.datagate {
        tools.datagate = std::path::absolute(p)?;
    }
    tools.check()?;
    // Other builds may replace the binaries in the shared target directory
    // while the benchmark runs: measure private copies.
    let tools = tools.snapshot(&paths::bench_dir().join("target").join("bin"))?;
    let mut results = Vec::new();

    if !args.skip_corpus {
        ensure_vendored()?;
        let mut crates = vendored_crates()?;
        let (files, lines) = count_rs(&paths::vendor_dir());
        meta.corpus_crates = crates.len();
        meta.corpus_vendored_files = files;
        meta.corpus_vendored_lines = lines;
        if let Some(n) = args.corpus_limit {
            crates.truncate(n);
        }
        let name = if args.corpus_limit.is_some() {
            format!("real corpus (first {} crates)", crates.len())
        } else {
            "real corpus".to_string()
        };
        eprintln!(
            "bench: real corpus: {} vendored crates ({} .rs files, {} lines in vendor/)",
            meta.corpus_crates, files, lines
        );
        let mut corpus = Corpus::prepare(&tools, &args, &name, Kind::Real, crates)?;
        for run in 1..=args.runs {
            corpus.measure_pair(run, args.runs)?;
        }
        results.push(corpus.finish(None));
    }

    if !args.skip_generated {
        let sizes = if args.sizes.is_empty() {
            Size::defaults()
        } else {
            args.sizes.clone()
        };
        // Prepared one by one, then measured in rounds across the sizes
        // (a pair at each size per round): the host's speed drifts over
        // minutes, and the time per line of one size is compared with
        // another's.
        let mut corpora = Vec::new();
        for size in sizes {
            let dir = paths::generated_dir(&size);
            let (expected, fresh) = datagate_bench::ensure_generated(&dir, &size, args.seed)
                .with_context(|| format!("generating {}", dir.display()))?;
            eprintln!(
                "bench: generated {}: {} ({} lines, {} crates, {} planted flows)",
                size.name(),
                if fresh { "written" } else { "up to date" },
                expected.lines,
                expected.crates,
                expected.planted.len()
            );
            let kind = Kind::Generated {
                target_lines: size.lines,
            };
            let name = format!("generated {}", size.name());
            let target = dir.to_string_lossy().into_owned();
            let corpus = Corpus::prepare(&tools, &args, &name, kind, vec![target])?;
            corpora.push((corpus, expected));
        }
        for run in 1..=args.runs {
            for (corpus, _) in &mut corpora {
                corpus.measure_pair(run, args.runs)?;
            }
        }
        for (corpus, expected) in corpora {
            results.push(corpus.finish(Some(&expected)));
        }
    }

    let md = report::render(&meta, &results);
    std::fs::write(&args.out, &md).with_context(|| format!("writing {}", args.out.display()))?;
    println!("{md}");
    eprintln!("bench: wrote {}", args.out.display());
    let problems: usize = results.iter().map(|r| r.problems.len()).sum();
    if problems > 0 {
        bail!("{problems} correctness problems (see the report)");
    }
    Ok(())
}

/// The two programs measured.
struct Tools {
    datagate: PathBuf,
    floor: PathBuf,
}

impl Tools {
    /// Builds them (unless told not to) and finds them next to this binary.
    fn locate(build: bool) -> anyhow::Result<Tools> {
        if build {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            eprintln!("bench: building release cargo-datagate and floor");
            let status = Command::new(cargo)
                .current_dir(paths::repo_root())
                .args([
                    "build",
                    "--release",
                    "-p",
                    "cargo-datagate",
                    "--bin",
                    "cargo-datagate",
                    "-p",
                    "datagate-bench",
                    "--bin",
                    "floor",
                ])
                .stdout(Stdio::null())
                .status()
                .context("running cargo build")?;
            if !status.success() {
                bail!("cargo build failed ({status})");
            }
        }
        let me = std::env::current_exe().context("locating the bench executable")?;
        let dir = me.parent().map(Path::to_path_buf).unwrap_or_default();
        let tools = Tools {
            datagate: dir.join(format!("cargo-datagate{}", std::env::consts::EXE_SUFFIX)),
            floor: dir.join(format!("floor{}", std::env::consts::EXE_SUFFIX)),
        };
        Ok(tools)
    }

    /// Copies both binaries into `dir` and returns the copies.
    fn snapshot(&self, dir: &Path) -> anyhow::Result<Tools> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let copy = |from: &Path| -> anyhow::Result<PathBuf> {
            let to = dir.join(from.file_name().unwrap_or_default());
            std::fs::copy(from, &to)
                .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
            Ok(to)
        };
        Ok(Tools {
            datagate: copy(&self.datagate)?,
            floor: copy(&self.floor)?,
        })
    }

    fn check(&self) -> anyhow::Result<()> {
        for p in [&self.datagate, &self.floor] {
            if !p.is_file() {
                bail!("{} is missing: build it or drop --no-build", p.display());
            }
        }
        Ok(())
    }

    fn floor_job(&self, targets: &[String], timeout_secs: f64) -> Job {
        Job {
            program: self.floor.clone(),
            args: vec![TARGET.to_string()],
            targets: targets.to_vec(),
            timeout_secs,
            timeouts: Vec::new(),
        }
    }

    fn datagate_job(&self, targets: &[String], timeouts: Vec<f64>, timeout_secs: f64) -> Job {
        Job {
            program: self.datagate.clone(),
            args: vec![
                "check".to_string(),
                "--format".to_string(),
                "json".to_string(),
                "--manifest-path".to_string(),
                format!("{TARGET}/Cargo.toml"),
            ],
            targets: targets.to_vec(),
            timeout_secs,
            timeouts,
        }
    }
}

/// One corpus being measured: warmed up, then measured pair by pair
/// ([`Corpus::measure_pair`]), then checked ([`Corpus::finish`]).
struct Corpus {
    name: String,
    kind: Kind,
    measured: Vec<String>,
    floor_job: Job,
    datagate_job: Job,
    problems: Vec<String>,
    floor_samples: Vec<Sample>,
    datagate_samples: Vec<Sample>,
    /// The first measured pair's outputs, which the checks read.
    first: Option<(Measurement, Measurement)>,
}

impl Corpus {
    /// Runs each tool once, unmeasured: that fills the page cache and finds
    /// the workspaces that a tool cannot finish. Those are problems, and are
    /// left out of the measured runs so that the numbers stay comparable.
    fn prepare(
        tools: &Tools,
        args: &Args,
        name: &str,
        kind: Kind,
        targets: Vec<String>,
    ) -> anyhow::Result<Corpus> {
        eprintln!("bench: {name}: warm-up (each tool once, unmeasured)");
        let warm_floor = measure::measure(&tools.floor_job(&targets, args.timeout))?;
        // datagate gets `timeout_factor` times the floor's time on each
        // workspace (at least MIN_TIMEOUT_SECS, at most --timeout): slower
        // than that it has failed its targets by far, and waiting longer
        // only delays the report.
        let limit_of: BTreeMap<String, f64> = warm_floor
            .runs
            .iter()
            .map(|r| {
                let limit = (r.wall_secs * args.timeout_factor)
                    .max(MIN_TIMEOUT_SECS)
                    .min(args.timeout);
                (r.target.clone(), limit)
            })
            .collect();
        let limits = |ts: &[String]| -> Vec<f64> {
            ts.iter()
                .map(|t| limit_of.get(t).copied().unwrap_or(args.timeout))
                .collect()
        };
        let warm_datagate =
            measure::measure(&tools.datagate_job(&targets, limits(&targets), args.timeout))?;
        let mut problems = Vec::new();
        let mut stuck = BTreeSet::new();
        for (tool, m) in [("the floor", &warm_floor), ("datagate", &warm_datagate)] {
            let timed_out: Vec<String> = m
                .runs
                .iter()
                .filter(|r| r.timed_out)
                .map(|r| format!("{} ({:.0} s)", short_target(&r.target), r.wall_secs))
                .collect();
            if !timed_out.is_empty() {
                let limit = if tool == "datagate" {
                    format!(
                        "max({MIN_TIMEOUT_SECS} s, {}× the floor's time), at most {} s",
                        args.timeout_factor, args.timeout
                    )
                } else {
                    format!("{} s", args.timeout)
                };
                problems.push(format!(
                    "{tool} did not finish within {limit} on {} (left out of the measurements): {}",
                    workspaces(timed_out.len()),
                    sample_list(&timed_out)
                ));
            }
            stuck.extend(
                m.runs
                    .iter()
                    .filter(|r| r.timed_out)
                    .map(|r| r.target.clone()),
            );
        }
        let measured: Vec<String> = targets
            .iter()
            .filter(|t| !stuck.contains(*t))
            .cloned()
            .collect();
        Ok(Corpus {
            name: name.to_string(),
            kind,
            floor_job: tools.floor_job(&measured, args.timeout),
            datagate_job: tools.datagate_job(&measured, limits(&measured), args.timeout),
            measured,
            problems,
            floor_samples: Vec::new(),
            datagate_samples: Vec::new(),
            first: None,
        })
    }

    /// One measured run of the floor, then one of datagate.
    fn measure_pair(&mut self, run: usize, runs: usize) -> anyhow::Result<()> {
        if self.measured.is_empty() {
            return Ok(());
        }
        let f = measure::measure(&self.floor_job)?;
        let d = measure::measure(&self.datagate_job)?;
        eprintln!(
            "bench: {}: run {run}/{runs}: floor {:.2} s {} MB, datagate {:.2} s {} MB",
            self.name,
            f.wall_secs,
            f.max_rss_kib / 1024,
            d.wall_secs,
            d.max_rss_kib / 1024
        );
        self.floor_samples.push(sample(&f));
        self.datagate_samples.push(sample(&d));
        if self.first.is_none() {
            self.first = Some((f, d));
        }
        Ok(())
    }

    /// The result, with the checks of the first measured pair's outputs.
    fn finish(self, expected: Option<&Expected>) -> CorpusResult {
        let mut result = CorpusResult {
            name: self.name,
            kind: self.kind,
            workspaces: self.measured.len(),
            files: 0,
            lines: 0,
            datagate_files: 0,
            datagate_lines: 0,
            floor: self.floor_samples,
            datagate: self.datagate_samples,
            findings: 0,
            expected_findings: expected.map(|e| e.planted.len()),
            problems: self.problems,
            notes: Vec::new(),
        };
        if let Some((floor_out, datagate_out)) = self.first {
            if result.kind == Kind::Real {
                note_slowest(&floor_out, &datagate_out, &mut result);
            }
            check_floor(&floor_out, &mut result);
            let findings = check_datagate(&datagate_out, &floor_out, &mut result);
            if let Some(expected) = expected {
                check_findings(&findings, expected, &mut result);
            }
        }
        result
    }
}

/// Notes the workspaces where datagate spends the most time beyond the
/// floor's: where to look first when the ratio is high.
fn note_slowest(floor: &Measurement, datagate: &Measurement, result: &mut CorpusResult) {
    let mut excess: Vec<(f64, String)> = floor
        .runs
        .iter()
        .zip(&datagate.runs)
        .map(|(f, d)| {
            (
                d.wall_secs - f.wall_secs,
                format!(
                    "{} {:.2} s vs {:.2} s",
                    short_target(&d.target),
                    d.wall_secs,
                    f.wall_secs
                ),
            )
        })
        .collect();
    excess.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top: Vec<String> = excess.into_iter().take(8).map(|(_, s)| s).collect();
    if !top.is_empty() {
        result.notes.push(format!(
            "where datagate spends the most time beyond the floor (datagate vs floor, first run): {}",
            top.join("; ")
        ));
    }
}

fn sample(m: &Measurement) -> Sample {
    Sample {
        wall_secs: m.wall_secs,
        cpu_secs: m.cpu_secs,
        max_rss_kib: m.max_rss_kib,
    }
}

fn short_target(target: &str) -> String {
    Path::new(target)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| target.to_string())
}

fn first_line(s: &str) -> &str {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
}

/// Sums the floor's counts; notes the targets it could not read.
fn check_floor(m: &Measurement, result: &mut CorpusResult) {
    let mut failed = Vec::new();
    let mut errors = 0u64;
    for run in &m.runs {
        let stats: Option<Value> = serde_json::from_str(run.stdout.trim()).ok();
        match (run.code, stats) {
            (Some(0), Some(v)) => {
                result.files += count(&v, "files");
                result.lines += count(&v, "lines");
                errors += count(&v, "errors") as u64;
            }
            _ => failed.push(format!(
                "{} ({}{})",
                short_target(&run.target),
                exit_text(run),
                match first_line(&run.stderr) {
                    "" => String::new(),
                    l => format!(": {l}"),
                }
            )),
        }
    }
    if errors > 0 {
        result.notes.push(format!(
            "the floor met {errors} files that syn could not parse or read"
        ));
    }
    if !failed.is_empty() {
        let msg = format!(
            "the floor failed on {}: {}",
            workspaces(failed.len()),
            sample_list(&failed)
        );
        match result.kind {
            Kind::Real => result.notes.push(msg),
            Kind::Generated { .. } => result.problems.push(msg),
        }
    }
}

fn count(v: &Value, key: &str) -> usize {
    v.get(key)
        .and_then(Value::as_u64)
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn exit_text(run: &measure::RunOutput) -> String {
    if run.timed_out {
        "timed out".to_string()
    } else {
        match run.code {
            Some(c) => format!("exit {c}"),
            None => "killed".to_string(),
        }
    }
}

fn workspaces(n: usize) -> String {
    if n == 1 {
        "1 workspace".to_string()
    } else {
        format!("{n} workspaces")
    }
}

fn sample_list(items: &[String]) -> String {
    list(items, 8)
}

fn list(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > max {
        s.push_str(&format!("; and {} more", items.len() - max));
    }
    s
}

/// One finding as the comparison needs it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Found {
    file: String,
    line: usize,
    code: String,
    category: String,
    recipient: String,
    purpose: String,
}

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} {} {} {} {}",
            self.file, self.line, self.code, self.category, self.recipient, self.purpose
        )
    }
}

/// Reads datagate's JSON outputs: sums the summaries, collects findings
/// (with the target prefixed to the file when there are several targets)
/// and notes or flags the runs that did not complete.
fn check_datagate(m: &Measurement, floor: &Measurement, result: &mut CorpusResult) -> Vec<Found> {
    let mut found = Vec::new();
    let mut incomplete = Vec::new();
    let mut by_code: std::collections::BTreeMap<String, usize> = Default::default();
    let mut disagree = Vec::new();
    let several = m.runs.len() > 1;
    let mut crashed = Vec::new();
    let mut parse_errors = Vec::new();
    for (i, run) in m.runs.iter().enumerate() {
        let json: Option<Value> = serde_json::from_str(run.stdout.trim()).ok();
        let with_stderr = || {
            format!(
                "{} ({}{})",
                short_target(&run.target),
                exit_text(run),
                match first_line(&run.stderr) {
                    "" => String::new(),
                    l => format!(": {l}"),
                }
            )
        };
        match run.code {
            Some(0 | 1) => {}
            // DESIGN §5: the analysis could not complete (e.g. a parse error).
            Some(2) => incomplete.push(short_target(&run.target)),
            _ => crashed.push(with_stderr()),
        }
        let Some(json) = json else {
            if matches!(run.code, Some(0 | 1)) {
                crashed.push(format!("{} (no JSON on stdout)", short_target(&run.target)));
            }
            continue;
        };
        let summary = json.get("summary").cloned().unwrap_or(Value::Null);
        let (files, lines) = (count(&summary, "files"), count(&summary, "lines"));
        result.datagate_files += files;
        result.datagate_lines += lines;
        let floor_stats: Option<Value> = floor
            .runs
            .get(i)
            .and_then(|r| serde_json::from_str(r.stdout.trim()).ok());
        if let Some(fs) = floor_stats {
            if count(&fs, "files") != files || count(&fs, "lines") != lines {
                disagree.push(short_target(&run.target));
            }
        }
        for f in json
            .get("findings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let text = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let code = text("code");
            *by_code.entry(code.clone()).or_default() += 1;
            if code == "parse-error" {
                parse_errors.push(format!(
                    "{}: {}:{}: {}",
                    short_target(&run.target),
                    text("file"),
                    count(f, "line"),
                    text("message")
                ));
            }
            let file = if several {
                format!("{}/{}", short_target(&run.target), text("file"))
            } else {
                text("file")
            };
            found.push(Found {
                file,
                line: count(f, "line"),
                code,
                category: text("category"),
                recipient: text("recipient"),
                purpose: text("purpose"),
            });
        }
    }
    result.findings = found.len();
    if !by_code.is_empty() && result.kind == Kind::Real {
        let codes: Vec<String> = by_code.iter().map(|(c, n)| format!("{n} {c}")).collect();
        result
            .notes
            .push(format!("datagate's findings: {}", codes.join(", ")));
    }
    if !parse_errors.is_empty() {
        result
            .notes
            .push(format!("parse-error findings: {}", list(&parse_errors, 40)));
    }
    if !disagree.is_empty() {
        result.notes.push(format!(
            "datagate and the floor count different files or lines in {}: {}",
            workspaces(disagree.len()),
            sample_list(&disagree)
        ));
    }
    if !crashed.is_empty() {
        result.problems.push(format!(
            "datagate crashed on {}: {}",
            workspaces(crashed.len()),
            sample_list(&crashed)
        ));
    }
    if !incomplete.is_empty() {
        let msg = format!(
            "datagate exited with 2 (analysis could not complete) on {}: {}",
            workspaces(incomplete.len()),
            list(&incomplete, 40)
        );
        match result.kind {
            Kind::Real => result.notes.push(msg),
            Kind::Generated { .. } => result.problems.push(msg),
        }
    }
    found.sort();
    found
}

/// The findings on a generated workspace must be exactly the planted flows.
fn check_findings(found: &[Found], expected: &Expected, result: &mut CorpusResult) {
    let want: BTreeSet<Found> = expected
        .planted
        .iter()
        .map(|p| Found {
            file: p.file.clone(),
            line: p.line,
            code: p.code.clone(),
            category: p.category.clone(),
            recipient: p.recipient.clone(),
            purpose: p.purpose.clone(),
        })
        .collect();
    let got: BTreeSet<Found> = found.iter().cloned().collect();
    if got.len() != found.len() {
        result
            .problems
            .push(format!("{} duplicate findings", found.len() - got.len()));
    }
    let missing: Vec<String> = want.difference(&got).map(ToString::to_string).collect();
    let extra: Vec<String> = got.difference(&want).map(ToString::to_string).collect();
    if !missing.is_empty() {
        result.problems.push(format!(
            "{} planted flows not reported: {}",
            missing.len(),
            sample_list(&missing)
        ));
    }
    if !extra.is_empty() {
        result.problems.push(format!(
            "{} findings that were not planted: {}",
            extra.len(),
            sample_list(&extra)
        ));
    }
    if missing.is_empty() && extra.is_empty() {
        result.notes.push(format!(
            "all {} planted unguarded flows reported, and nothing else",
            want.len()
        ));
    }
}

/// Vendors the corpus unless `vendor/` already matches `Cargo.lock`.
fn ensure_vendored() -> anyhow::Result<()> {
    let corpus = paths::corpus_dir();
    let vendor = paths::vendor_dir();
    let lock =
        std::fs::read(corpus.join("Cargo.lock")).context("reading bench/corpus/Cargo.lock")?;
    let want = format!("{:016x}\n", fnv1a(&lock));
    let stamp = vendor.join(".datagate-bench-lock");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "bench: vendoring the corpus into {} (needs the registry once)",
        vendor.display()
    );
    let status = Command::new(cargo)
        .current_dir(&corpus)
        .args(["vendor", "--locked", "vendor"])
        .stdout(Stdio::null())
        .status()
        .context("running cargo vendor")?;
    if !status.success() {
        bail!("cargo vendor failed ({status})");
    }
    std::fs::write(&stamp, want).context("writing the vendor stamp")?;
    Ok(())
}

/// 64-bit FNV-1a: a stable hash for the vendor stamp.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The vendored crates (directories with a `Cargo.toml`), sorted.
fn vendored_crates() -> anyhow::Result<Vec<String>> {
    let vendor = paths::vendor_dir();
    let mut crates: Vec<String> = std::fs::read_dir(&vendor)
        .with_context(|| format!("reading {}", vendor.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    crates.sort();
    if crates.is_empty() {
        bail!("no crates in {}", vendor.display());
    }
    Ok(crates)
}

/// `.rs` files and their lines under `dir`.
fn count_rs(dir: &Path) -> (usize, usize) {
    let mut files = 0;
    let mut lines = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let Ok(ty) = e.file_type() else { continue };
            let p = e.path();
            if ty.is_dir() {
                stack.push(p);
            } else if ty.is_file() && p.extension().is_some_and(|x| x == "rs") {
                files += 1;
                if let Ok(bytes) = std::fs::read(&p) {
                    lines += String::from_utf8_lossy(&bytes).lines().count();
                }
            }
        }
    }
    (files, lines)
}

/// `HEAD`'s short hash, marked when the engine's sources have uncommitted
/// changes (the binaries are built from the working tree).
fn git_revision() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(paths::repo_root())
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(rev) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown".to_string();
    };
    match git(&["status", "--porcelain", "--", "lint", "spec", "Cargo.lock"]) {
        Some(changes) if !changes.is_empty() => format!("{rev}, with uncommitted engine changes"),
        _ => rev,
    }
}
