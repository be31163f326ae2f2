//! The `cargo-datagate` command line: argument parsing (clap derive), the
//! `check`, `inventory` and `explain` commands, and exit codes.
//!
//! Exit codes: 0 clean; 1 findings (not baselined, not suppressed) or, for
//! `inventory --disclosure`, rows the disclosure does not list; 2 the
//! analysis could not complete (bad arguments, bad policy, baseline or
//! disclosure, workspace not found, any `parse-error` finding).

use crate::baseline::{self, Baseline};
use crate::discover::{self, DiscoverOptions, Workspace};
use crate::findings::Analysis;
use crate::inventory::{self, Disclosure, InventoryFormat};
use crate::policy::{self, Policy};
use crate::report::{self, human, Format, HumanOptions, Report};
use crate::rules;
use clap::{Args, Parser, Subcommand, ValueEnum};
use datagate_spec::Code;
use miette::Diagnostic;
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

/// Exit code: no findings.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings (or undisclosed sharing).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the analysis could not complete.
pub const EXIT_ERROR: u8 = 2;

const EXAMPLES: &str = "\
Examples:
  cargo datagate                             check the workspace of the current directory
  cargo datagate -p messenger --policy ci/datagate.toml
  cargo datagate --format sarif > datagate.sarif
                                             SARIF for code-scanning upload
  cargo datagate --write-baseline datagate-baseline.json
                                             accept today's findings
  cargo datagate --baseline datagate-baseline.json
                                             only new findings fail
  cargo datagate inventory --format markdown the data map for a privacy notice
  cargo datagate inventory --disclosure disclosure.toml
                                             fail on sharing the disclosure does not list
  cargo datagate explain unconsented-flow    what a finding means and how to fix it
  cargo-datagate path/to/crate               run directly on a directory or Cargo.toml

Exit codes: 0 clean, 1 findings, 2 the analysis could not complete.";

/// Keeps personal data from reaching another company without consent.
///
/// Reads the workspace's sources (it never builds or runs them), follows
/// every value derived from personal data, and reports flows to a
/// foreign-company sink that no matching consent check guards.
#[derive(Debug, Parser)]
#[command(
    name = "cargo-datagate",
    bin_name = "cargo datagate",
    version,
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
    /// When to colour the output [env: CARGO_TERM_COLOR]
    #[arg(long, value_enum, value_name = "WHEN", global = true)]
    pub color: Option<ColorChoice>,
    /// No summary line and no progress
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the workspace for unconsented flows (the default command)
    Check(CheckArgs),
    /// Print the data map: what is shared with whom, why, on what basis
    Inventory(InventoryArgs),
    /// Explain a finding code
    Explain(ExplainArgs),
}

/// What to analyse.
#[derive(Debug, Clone, Default, Args)]
pub struct TargetArgs {
    /// A directory or `Cargo.toml` to analyse (same as --manifest-path)
    #[arg(value_name = "PATH", conflicts_with = "manifest_path")]
    pub path: Option<PathBuf>,
    /// Path to `Cargo.toml`
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Package to analyse (repeatable; default: the package of the current
    /// directory or manifest, every member at the workspace root)
    #[arg(short = 'p', long = "package", value_name = "NAME")]
    pub packages: Vec<String>,
    /// Analyse every workspace member, even from a member's directory
    #[arg(long, conflicts_with = "packages")]
    pub workspace: bool,
    /// Also analyse tests, benches and examples
    #[arg(long)]
    pub all_targets: bool,
    /// Policy file [default: the nearest datagate.toml, up to the workspace root]
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub format: Format,
    /// Only findings not in this baseline fail the run
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every current finding to this baseline file
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub format: InventoryFormat,
    /// Fail when the code shares a row this disclosure (TOML) does not list
    #[arg(long, value_name = "FILE")]
    pub disclosure: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// A finding code: `unconsented-flow` or `unconsented_flow`
    #[arg(value_name = "CODE")]
    pub code: String,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal
    Auto,
    /// Always colour
    Always,
    /// Never colour
    Never,
}

/// What the process's streams are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    pub stdout_tty: bool,
    pub stderr_tty: bool,
    pub width: usize,
}

impl Terminal {
    /// Not a terminal, width 100: what tests use.
    pub fn plain() -> Terminal {
        Terminal {
            stdout_tty: false,
            stderr_tty: false,
            width: 100,
        }
    }

    fn detect() -> Terminal {
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<usize>().ok())
            .filter(|w| *w >= 40)
            .unwrap_or(100);
        Terminal {
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
            width,
        }
    }
}

/// The process entry point of the binary.
pub fn main() -> ExitCode {
    // Unlocked handles: holding the stderr lock for the whole run would
    // block (forever) every other thread that writes to stderr, such as the
    // progress line, stage timings or a panic message from a worker.
    let code = run(
        cargo_args(std::env::args_os()),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
        Terminal::detect(),
    );
    ExitCode::from(code)
}

/// A hint with the command line's command moved to the front, when a
/// command's name follows options (`--manifest-path x inventory`): clap
/// reads it as the PATH argument of the default command, or rejects it.
fn misplaced_command(args: &[OsString]) -> Option<String> {
    use clap::CommandFactory as _;
    let rest = args.get(1..)?;
    let commands = Cli::command();
    let (at, name) = rest.iter().enumerate().skip(1).find_map(|(i, a)| {
        let a = a.to_str()?;
        commands
            .get_subcommands()
            .any(|c| c.get_name() == a)
            .then_some((i, a))
    })?;
    let mut words = vec!["cargo datagate".to_string(), name.to_string()];
    words.extend(
        rest.iter()
            .enumerate()
            .filter(|(i, _)| *i != at)
            .map(|(_, a)| {
                let a = a.to_string_lossy();
                if a.is_empty() || a.contains(char::is_whitespace) {
                    format!("'{a}'")
                } else {
                    a.into_owned()
                }
            }),
    );
    Some(format!(
        "hint: the command comes first: `{}`",
        words.join(" ")
    ))
}

/// Drop `argv[1]` when it is `datagate`, as cargo passes it when it runs
/// `cargo datagate …` as `cargo-datagate datagate …`.
pub fn cargo_args(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "datagate") {
        args.remove(1);
    }
    args
}

struct Io<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    term: Terminal,
    color: ColorChoice,
    quiet: bool,
}

impl Io<'_> {
    fn color_out(&self) -> bool {
        self.colored(self.term.stdout_tty)
    }
    fn color_err(&self) -> bool {
        self.colored(self.term.stderr_tty)
    }
    fn colored(&self, tty: bool) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
    /// Render a diagnostic on stderr.
    fn diagnostic(&mut self, d: &dyn Diagnostic) {
        let text = human::render_diagnostic(d, self.color_err(), self.term.width);
        let _ = self.err.write_all(text.as_bytes());
    }
    fn print(&mut self, text: &str) -> bool {
        self.out.write_all(text.as_bytes()).is_ok() && self.out.flush().is_ok()
    }
}

/// Run the command line; returns the exit code. `args` includes `argv[0]`.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    term: Terminal,
) -> u8 {
    let args: Vec<OsString> = args.into_iter().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            let mut text = e.render().to_string();
            if e.use_stderr() {
                if let Some(hint) = misplaced_command(&args) {
                    text.push_str(&format!("\n{hint}\n"));
                }
            }
            let sink: &mut dyn Write = if e.use_stderr() { err } else { out };
            let _ = sink.write_all(text.as_bytes());
            return if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
        }
    };
    let color = match cli.color {
        Some(c) => c,
        None => match std::env::var("CARGO_TERM_COLOR").as_deref() {
            Ok("always") => ColorChoice::Always,
            Ok("never") => ColorChoice::Never,
            _ => ColorChoice::Auto,
        },
    };
    let mut io = Io {
        out,
        err,
        term,
        color,
        quiet: cli.quiet,
    };
    // `cargo datagate -q inventory`: clap reads the command as the PATH.
    // Only a PATH that could be analysed (a file, or a directory with a
    // manifest) is taken at its word; a stray `check/` directory without
    // one would only fail with a missing manifest.
    let analysable = |p: &Path| p.is_file() || p.join("Cargo.toml").is_file();
    if cli.command.is_none()
        && cli
            .check
            .target
            .path
            .as_deref()
            .is_some_and(|p| !analysable(p))
    {
        if let Some(hint) = misplaced_command(&args) {
            let _ = writeln!(
                io.err,
                "error: a command after options is read as the PATH to analyse\n\n{hint}"
            );
            return EXIT_ERROR;
        }
    }
    // A panic is a bug in datagate, never a verdict on the code: it ends the
    // run with exit 2 (the analysis could not complete), not with the 101 of
    // an unwinding `main`. The panic hook has already printed the message.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match cli.command {
        None => check(&cli.check, &mut io),
        Some(Command::Check(args)) => check(&args, &mut io),
        Some(Command::Inventory(args)) => inventory_cmd(&args, &mut io),
        Some(Command::Explain(args)) => explain(&args, &mut io),
    }));
    outcome.unwrap_or_else(|_| {
        let _ = writeln!(
            io.err,
            "error: internal error: datagate panicked, so the analysis is incomplete; \
             this is a bug in datagate, please report it with the message above"
        );
        EXIT_ERROR
    })
}

/// Where a file that lies in the workspace really leads, when that is
/// outside the workspace: a symlink (of the file or of a directory on its
/// way) to `/proc/self/environ`, `~/.bashrc`, …. Files in the workspace are
/// content of the checkout, which on a pull request a stranger controls;
/// reading such a policy, baseline or disclosure would print the outside
/// file in diagnostics, and writing a baseline would overwrite it. Paths
/// outside the workspace are the caller's choice and are used as given.
pub fn leads_outside(path: &Path, root: &Path) -> Option<PathBuf> {
    let canon_root = std::fs::canonicalize(root).ok()?;
    let mut lexical = PathBuf::new();
    for c in std::path::absolute(path).ok()?.components() {
        match c {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::CurDir => {}
            c => lexical.push(c),
        }
    }
    if !(lexical.starts_with(root) || lexical.starts_with(&canon_root)) {
        return None;
    }
    let real = match std::fs::canonicalize(&lexical) {
        Ok(real) => real,
        // Not there (yet): a dangling symlink leads wherever it points; a
        // missing file, wherever its directory really is.
        Err(_) => match std::fs::read_link(&lexical) {
            Ok(target) => return Some(target),
            Err(_) => {
                let dir = std::fs::canonicalize(lexical.parent()?).ok()?;
                dir.join(lexical.file_name()?)
            }
        },
    };
    (!real.starts_with(&canon_root)).then_some(real)
}

fn outside_message(real: &Path) -> String {
    format!(
        "it leads outside the workspace (to `{}`); datagate does not follow it",
        real.display()
    )
}

/// Discover the workspace and load its policy; errors are reported.
fn prepare(target: &TargetArgs, io: &mut Io<'_>) -> Option<(Workspace, Policy)> {
    let opts = DiscoverOptions {
        manifest_path: target.path.clone().or_else(|| target.manifest_path.clone()),
        packages: target.packages.clone(),
        include_tests: target.all_targets,
        workspace: target.workspace,
    };
    let ws = match discover::discover(&opts) {
        Ok(ws) => ws,
        Err(e) => {
            io.diagnostic(&e);
            return None;
        }
    };
    // The policy nearest to what was asked for: the one package named with
    // `-p`, else the given path, else the current directory.
    let start = match (&ws.packages[..], target.packages.len()) {
        ([only], 1) => only.dir.clone(),
        _ => {
            let given = opts
                .manifest_path
                .clone()
                .unwrap_or_else(|| PathBuf::from("."));
            let dir = if given.is_dir() {
                given
            } else {
                given.parent().map(PathBuf::from).unwrap_or_default()
            };
            std::path::absolute(&dir).unwrap_or(dir)
        }
    };
    let policy_file = target
        .policy
        .clone()
        .or_else(|| policy::find(&start, &ws.root));
    if let Some(real) = policy_file
        .as_deref()
        .and_then(|p| leads_outside(p, &ws.root))
    {
        let path = policy_file.as_deref().unwrap_or(&real);
        let name = path.strip_prefix(&ws.root).unwrap_or(path);
        io.diagnostic(&policy::PolicyError::Read {
            path: name.display().to_string(),
            message: outside_message(&real),
        });
        return None;
    }
    match policy::load_nearest(target.policy.as_deref(), &start, &ws.root) {
        Ok(policy) => Some((ws, policy)),
        Err(e) => {
            io.diagnostic(&e);
            None
        }
    }
}

/// Analyse with a progress line on stderr when it is a terminal and the
/// run takes more than a second.
fn analyse(ws: &Workspace, policy: &Policy, io: &mut Io<'_>) -> Analysis {
    let show = io.term.stderr_tty && !io.quiet;
    let (done, wait) = mpsc::channel::<()>();
    let root = ws.root.display().to_string();
    let progress = show.then(|| {
        std::thread::spawn(move || {
            if wait.recv_timeout(Duration::from_secs(1)).is_err() {
                let mut err = std::io::stderr();
                let _ = write!(err, "   Analysing {root} …");
                let _ = err.flush();
                let _ = wait.recv();
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
            }
        })
    });
    // The process exits once the report is out: nothing to free.
    let opts = crate::Options {
        leak: true,
        ..Default::default()
    };
    // Sorted and de-duplicated already, by `check`.
    let mut analysis = crate::analyze_with(ws, policy, opts);
    add_missing_sources(ws, &mut analysis);
    let _ = done.send(());
    if let Some(handle) = progress {
        let _ = handle.join();
    }
    analysis
}

/// Read the files that findings point into (a source in another file than
/// the sink) but whose text the analysis did not keep, so that reports can
/// show their snippets. Only regular files inside the workspace are read: a
/// finding may name a file the analysis refused to read because it lies
/// outside the workspace (a manifest's `[lib] path = "/proc/self/environ"`,
/// a `#[path]`, a symlink), and printing a snippet of it would leak it into
/// the CI log. Unreadable or huge files are left out: the report then names
/// the place without a snippet.
fn add_missing_sources(ws: &Workspace, analysis: &mut Analysis) {
    const MAX_LEN: u64 = 8 << 20;
    let Ok(root) = std::fs::canonicalize(&ws.root) else {
        return;
    };
    let wanted: std::collections::BTreeSet<String> = analysis
        .findings
        .iter()
        .flat_map(|f| std::iter::once(&f.location.file).chain(f.source.iter().map(|s| &s.at.file)))
        .filter(|file| !analysis.sources.contains_key(*file))
        .cloned()
        .collect();
    for file in wanted {
        let Ok(path) = std::fs::canonicalize(root.join(&file)) else {
            continue;
        };
        if !path.starts_with(&root) {
            continue;
        }
        let small = std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() <= MAX_LEN);
        if let Some(text) = small.then(|| std::fs::read_to_string(&path).ok()).flatten() {
            analysis.sources.insert(file, text.into());
        }
    }
}

fn parse_errors(analysis: &Analysis) -> usize {
    analysis
        .findings
        .iter()
        .filter(|f| f.code == Code::ParseError)
        .count()
}

/// Warn when the workspace had no Rust file to read at all (a package with
/// no `src/lib.rs` or `src/main.rs`, a virtual workspace without members, a
/// wrong path): the run passes, as ruff does on a directory without Python
/// files, but never silently.
fn warn_if_nothing_read(ws: &Workspace, analysis: &Analysis, io: &mut Io<'_>) {
    if analysis.files == 0 && parse_errors(analysis) == 0 {
        let targets = if ws.targets().next().is_none() {
            "it has no library or binary targets (`src/lib.rs`, `src/main.rs`, `[lib]` or `[[bin]]`)"
        } else {
            "its targets have no source files"
        };
        let _ = writeln!(
            io.err,
            "warning: nothing was analysed: no Rust source files in the workspace at `{}`; {targets}",
            ws.root.display()
        );
    }
}

fn incomplete(io: &mut Io<'_>, n: usize) {
    let _ = writeln!(
        io.err,
        "error: the analysis is incomplete: {} (a file could not be read or parsed)",
        report::plural(n, "parse-error finding")
    );
}

fn check(args: &CheckArgs, io: &mut Io<'_>) -> u8 {
    let Some((ws, policy)) = prepare(&args.target, io) else {
        return EXIT_ERROR;
    };
    let reads = args.baseline.iter().map(|p| (p, false));
    for (path, write) in reads.chain(args.write_baseline.iter().map(|p| (p, true))) {
        if let Some(real) = leads_outside(path, &ws.root) {
            let (path, message) = (path.display().to_string(), outside_message(&real));
            io.diagnostic(&if write {
                baseline::BaselineError::Write { path, message }
            } else {
                baseline::BaselineError::Read { path, message }
            });
            return EXIT_ERROR;
        }
    }
    let mut baseline = match &args.baseline {
        Some(path) => match Baseline::load(path) {
            Ok(b) => Some(b),
            Err(e) => {
                io.diagnostic(&e);
                return EXIT_ERROR;
            }
        },
        None => None,
    };
    let mut analysis = analyse(&ws, &policy, io);
    warn_if_nothing_read(&ws, &analysis, io);
    if let Some(path) = &args.write_baseline {
        if let Err(e) = baseline::write(path, &analysis.findings) {
            io.diagnostic(&e);
            return EXIT_ERROR;
        }
        if !io.quiet {
            let _ = writeln!(
                io.err,
                "wrote {} to `{}`",
                report::plural(analysis.findings.len(), "finding"),
                path.display()
            );
        }
        baseline = Some(Baseline::from_findings(&analysis.findings));
    }
    let broken = parse_errors(&analysis);
    let baselined = match &baseline {
        Some(b) => {
            let (fresh, n) = b.filter(std::mem::take(&mut analysis.findings));
            analysis.findings = fresh;
            n
        }
        None => 0,
    };
    let report = Report {
        analysis: &analysis,
        baselined,
    };
    let opts = HumanOptions {
        color: io.color_out(),
        width: io.term.width,
        quiet: io.quiet,
    };
    if !io.print(&report::render(args.format, &report, &opts)) {
        return EXIT_ERROR;
    }
    if broken > 0 {
        incomplete(io, broken);
        EXIT_ERROR
    } else if analysis.findings.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

fn inventory_cmd(args: &InventoryArgs, io: &mut Io<'_>) -> u8 {
    let Some((ws, policy)) = prepare(&args.target, io) else {
        return EXIT_ERROR;
    };
    let disclosure = match &args.disclosure {
        Some(path) => {
            let loaded = match leads_outside(path, &ws.root) {
                Some(real) => Err(Box::new(inventory::DisclosureDiagnostic::unreadable(
                    &path.display().to_string(),
                    &outside_message(&real),
                ))),
                None => Disclosure::load(path),
            };
            match loaded {
                Ok(d) => Some(d),
                Err(e) => {
                    io.diagnostic(&*e);
                    return EXIT_ERROR;
                }
            }
        }
        None => None,
    };
    let analysis = analyse(&ws, &policy, io);
    warn_if_nothing_read(&ws, &analysis, io);
    let inv = inventory::build(&analysis, &policy);
    if !io.print(&inv.render(args.format)) {
        return EXIT_ERROR;
    }
    let broken = parse_errors(&analysis);
    let mut failed = false;
    if let Some(d) = &disclosure {
        let cmp = inventory::compare(&inv, d, &policy, &analysis);
        for diag in cmp.undisclosed.iter().chain(cmp.unused.iter()) {
            io.diagnostic(diag);
        }
        failed = !cmp.undisclosed.is_empty();
        if !io.quiet {
            let _ = writeln!(
                io.err,
                "disclosure: {} undisclosed, {} disclosed but not shared",
                report::plural(cmp.undisclosed.len(), "row"),
                report::plural(cmp.unused.len(), "row"),
            );
        }
    }
    if broken > 0 {
        incomplete(io, broken);
        EXIT_ERROR
    } else if failed {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn explain(args: &ExplainArgs, io: &mut Io<'_>) -> u8 {
    match rules::lookup(&args.code) {
        Some(rule) => {
            if io.print(&rule.explain()) {
                EXIT_CLEAN
            } else {
                EXIT_ERROR
            }
        }
        None => {
            let names = Code::ALL.iter().map(|c| c.name());
            let input = args.code.trim().replace('_', "-");
            let suggestion = datagate_spec::suggest::did_you_mean(&input, names.clone());
            let _ = writeln!(
                io.err,
                "error: unknown finding code `{}`{suggestion}\n\nthe codes are: {}",
                args.code,
                names.collect::<Vec<_>>().join(", ")
            );
            EXIT_ERROR
        }
    }
}
