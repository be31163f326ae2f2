//! Measuring a program: wall time, CPU time and peak resident memory.
//!
//! Peak memory comes from `getrusage(RUSAGE_CHILDREN)`, which reports the
//! largest resident set of any child the caller has waited for. So that it
//! covers only the program measured (not cargo, not earlier runs), the
//! harness re-executes itself as a small wrapper ([`WRAPPER_ARG`]) for each
//! measurement: the wrapper runs the program once per target, one after the
//! other, and reports the total wall time, the CPU time and the peak RSS of
//! those children alone.

use anyhow::{bail, Context as _};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The hidden first argument that makes the `bench` binary a wrapper.
pub const WRAPPER_ARG: &str = "__measure";

/// The placeholder in [`Job::args`] that each target replaces.
pub const TARGET: &str = "{target}";

/// What to run: `program args…` once per target, with [`TARGET`] in the
/// arguments replaced by the target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub targets: Vec<String>,
    /// A run that takes longer is killed and reported as such.
    pub timeout_secs: f64,
    /// Per-target timeouts, overriding `timeout_secs` (same order as
    /// `targets`; missing entries use `timeout_secs`).
    #[serde(default)]
    pub timeouts: Vec<f64>,
}

/// One run of the program on one target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunOutput {
    pub target: String,
    /// The exit code; `None` when killed by a signal (or the timeout).
    pub code: Option<i32>,
    pub timed_out: bool,
    pub wall_secs: f64,
    pub stdout: String,
    /// The start of stderr, for diagnosing failures.
    pub stderr: String,
}

/// The measurement of a whole job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measurement {
    /// From the first spawn to the last exit.
    pub wall_secs: f64,
    /// User and system CPU time of all runs.
    pub cpu_secs: f64,
    /// The largest peak resident set of any run, in KiB.
    pub max_rss_kib: u64,
    pub runs: Vec<RunOutput>,
}

/// Measures `job` in a fresh wrapper process (this executable re-run with
/// [`WRAPPER_ARG`]), so that the peak RSS is that of the job's runs alone.
pub fn measure(job: &Job) -> anyhow::Result<Measurement> {
    let me = std::env::current_exe().context("locating the bench executable")?;
    let mut child = Command::new(me)
        .arg(WRAPPER_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the measuring wrapper")?;
    let input = serde_json::to_vec(job)?;
    match child.stdin.take() {
        Some(mut stdin) => stdin.write_all(&input)?,
        None => bail!("the wrapper has no stdin"),
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("the measuring wrapper failed ({})", out.status);
    }
    serde_json::from_slice(&out.stdout).context("reading the wrapper's measurement")
}

/// The wrapper's side: reads a [`Job`] on stdin, runs it and prints the
/// [`Measurement`] as JSON on stdout.
pub fn wrapper_main() -> anyhow::Result<()> {
    let job: Job = serde_json::from_reader(std::io::stdin().lock()).context("reading the job")?;
    let m = run_job(&job)?;
    let json = serde_json::to_string(&m)?;
    println!("{json}");
    Ok(())
}

/// Runs the job in this process and measures its children. Call it only in a
/// process that has no other children (see [`measure`]).
pub fn run_job(job: &Job) -> anyhow::Result<Measurement> {
    let mut runs = Vec::with_capacity(job.targets.len());
    let start = Instant::now();
    for (i, target) in job.targets.iter().enumerate() {
        let args: Vec<String> = job.args.iter().map(|a| a.replace(TARGET, target)).collect();
        let run_start = Instant::now();
        let child = Command::new(&job.program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("running {}", job.program.display()))?;
        let limit = job.timeouts.get(i).copied().unwrap_or(job.timeout_secs);
        let (done, timed_out) = watchdog(child.id(), Duration::from_secs_f64(limit.max(0.0)));
        let out = child.wait_with_output()?;
        done.store(true, Ordering::SeqCst);
        let run_secs = run_start.elapsed().as_secs_f64();
        let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        truncate_at_char(&mut stderr, 4000);
        runs.push(RunOutput {
            target: target.clone(),
            code: out.status.code(),
            timed_out: timed_out.load(Ordering::SeqCst),
            wall_secs: run_secs,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
        });
    }
    let wall_secs = start.elapsed().as_secs_f64();
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .context("getrusage")?;
    let secs = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    Ok(Measurement {
        wall_secs,
        cpu_secs: secs(usage.user_time()) + secs(usage.system_time()),
        max_rss_kib: u64::try_from(usage.max_rss()).unwrap_or(0),
        runs,
    })
}

/// Kills process `pid` after `limit` unless the returned `done` flag is set
/// first; the second flag tells whether it did.
fn watchdog(pid: u32, limit: Duration) -> (Arc<AtomicBool>, Arc<AtomicBool>) {
    let done = Arc::new(AtomicBool::new(false));
    let fired = Arc::new(AtomicBool::new(false));
    let (d, f) = (Arc::clone(&done), Arc::clone(&fired));
    std::thread::spawn(move || {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if d.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if !d.load(Ordering::SeqCst) {
            if let Ok(raw) = i32::try_from(pid) {
                f.store(true, Ordering::SeqCst);
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(raw),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
        }
    });
    (done, fired)
}

fn truncate_at_char(s: &mut String, max: usize) {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}

/// The median of some numbers (the mean of the middle two for an even
/// count; 0 for none).
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn runs_a_program_per_target() {
        let job = Job {
            program: PathBuf::from("sh"),
            args: vec!["-c".into(), format!("echo {TARGET}; exit 3")],
            targets: vec!["a".into(), "b".into()],
            timeout_secs: 60.0,
            timeouts: vec![],
        };
        let m = run_job(&job);
        assert!(m.is_ok(), "{m:?}");
        if let Ok(m) = m {
            assert_eq!(m.runs.len(), 2);
            assert_eq!(m.runs[1].stdout.trim(), "b");
            assert_eq!(m.runs[0].code, Some(3));
            assert!(m.max_rss_kib > 0);
        }
    }

    #[test]
    fn kills_a_run_past_its_timeout() {
        let job = Job {
            program: PathBuf::from("sleep"),
            args: vec![TARGET.into()],
            targets: vec!["30".into(), "0".into()],
            timeout_secs: 60.0,
            timeouts: vec![0.2],
        };
        let m = run_job(&job);
        assert!(m.is_ok(), "{m:?}");
        if let Ok(m) = m {
            assert!(m.runs[0].timed_out);
            assert_eq!(m.runs[0].code, None);
            assert!(m.runs[0].wall_secs < 10.0);
            assert!(!m.runs[1].timed_out);
            assert_eq!(m.runs[1].code, Some(0));
        }
    }
}
