//! End-to-end tests of the `cargo-datagate` binary: exit codes, streams and
//! every output format, on small crates written to a temporary directory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const LIB: &str = r#"use datagate::{Consent, Personal};

#[derive(Personal)]
pub struct Account {
    #[personal(phone_number)]
    pub phone: String,
    pub display_name: String,
}

#[derive(Consent)]
pub struct Settings {
    #[consent(to = facebook, purpose = advertising)]
    pub share: bool,
}

#[datagate::sink(to = facebook, purpose = advertising)]
pub fn upload(_data: &str) {}

pub fn unguarded(a: &Account) {
    upload(&a.phone);
}

pub fn guarded(a: &Account, s: &Settings) {
    if s.share {
        upload(&a.phone);
    }
}
"#;

const CLEAN: &str = r#"use datagate::Personal;

#[derive(Personal)]
pub struct Account {
    #[personal(phone_number)]
    pub phone: String,
}

#[datagate::sink(to = facebook, purpose = advertising)]
pub fn upload(_data: &str) {}

pub fn names(a: &Account) -> usize {
    a.phone.len()
}
"#;

const POLICY: &str = r#"
[recipients]
facebook = { company = "Meta Platforms, Inc." }
"#;

/// A throwaway crate in the temporary directory.
struct Crate {
    dir: PathBuf,
}

impl Crate {
    fn new(lib: &str) -> Crate {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "datagate-cli-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
        )
        .unwrap();
        std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
        Crate { dir }
    }

    fn file(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.dir.join(rel);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn run(&self, args: &[&str]) -> Output {
        run_in(&self.dir, args)
    }
}

impl Drop for Crate {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-datagate"))
        .args(args)
        .current_dir(dir)
        .env_remove("CARGO_TERM_COLOR")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(o), stderr(o)))
}

#[test]
fn help_and_version() {
    let o = run_in(Path::new("."), &["--help"]);
    assert_eq!(code(&o), 0);
    insta::assert_snapshot!("help", stdout(&o));
    let o = run_in(Path::new("."), &["datagate", "--version"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with("cargo-datagate "), "{}", stdout(&o));
    let o = run_in(Path::new("."), &["inventory", "--help"]);
    assert_eq!(code(&o), 0);
    insta::assert_snapshot!("inventory_help", stdout(&o));
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        &["--bogus"][..],
        &["--format", "xml"],
        &["datagate", "inventory", "--format", "sarif"],
        &["explain"],
        &["-p", "a", "--workspace"],
    ] {
        let o = run_in(Path::new("."), args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty());
        assert!(stderr(&o).contains("error"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_command_after_options_gets_a_hint() {
    for (args, fix) in [
        (
            &["--manifest-path", "x/Cargo.toml", "inventory"][..],
            "cargo datagate inventory --manifest-path x/Cargo.toml",
        ),
        (&["-q", "inventory"], "cargo datagate inventory -q"),
        (
            &["datagate", "--format", "json", "check"],
            "cargo datagate check --format json",
        ),
    ] {
        // In an empty directory, and in one with a directory of the
        // command's name that holds no crate: neither is a PATH to analyse.
        let empty = Crate::new("");
        std::fs::remove_dir_all(&empty.dir).unwrap();
        std::fs::create_dir_all(empty.dir.join("check")).unwrap();
        std::fs::create_dir_all(empty.dir.join("inventory")).unwrap();
        for dir in [empty.dir.clone(), empty.dir.join("check")] {
            let o = run_in(&dir, args);
            assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
            assert!(stdout(&o).is_empty());
            let want = format!("hint: the command comes first: `{fix}`");
            assert!(stderr(&o).contains(&want), "{args:?}: {}", stderr(&o));
        }
    }
    // A directory that shares a command's name, after an option, is the
    // PATH it reads as: the crate in it is analysed (and has a finding).
    let outer = Crate::new("");
    let inner = outer.dir.join("inventory");
    std::fs::create_dir_all(inner.join("src")).unwrap();
    for rel in ["Cargo.toml", "src/lib.rs"] {
        let c = Crate::new(LIB);
        std::fs::copy(c.dir.join(rel), inner.join(rel)).unwrap();
    }
    let o = run_in(&outer.dir, &["-q", "inventory"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(!stderr(&o).contains("hint"), "{}", stderr(&o));
}

#[test]
fn explain() {
    for name in ["unconsented-flow", "unconsented_flow"] {
        let o = run_in(Path::new("."), &["datagate", "explain", name]);
        assert_eq!(code(&o), 0);
        assert!(stdout(&o).starts_with("# unconsented-flow\n"));
        assert!(stdout(&o).contains("### Why is this bad?"));
    }
    let o = run_in(Path::new("."), &["explain", "never-shar"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("did you mean `never-share`?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn findings_exit_1_and_clean_exits_0() {
    let c = Crate::new(LIB);
    let o = c.run(&["--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["version"], 1);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{v:#}");
    let f = &findings[0];
    assert_eq!(f["code"], "unconsented-flow");
    assert_eq!(f["category"], "phone_number");
    assert_eq!(f["recipient"], "facebook");
    assert_eq!(f["purpose"], "advertising");
    assert_eq!(f["file"], "src/lib.rs");
    assert_eq!(f["line"], 20);
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32);
    assert_eq!(v["summary"]["files"], 1);
    assert_eq!(v["summary"]["findings"], 1);
    // Byte-identical across runs, and the same through `cargo datagate`.
    let again = c.run(&["datagate", "check", "--format", "json"]);
    assert_eq!(o.stdout, again.stdout);

    let human = c.run(&[]);
    assert_eq!(code(&human), 1);
    assert!(stdout(&human).contains("unconsented-flow"));
    assert!(stdout(&human).contains("1 finding in 1 file"));
    assert!(!stdout(&human).contains('\u{1b}'), "no colour when piped");
    let colour = c.run(&["--color", "always"]);
    assert!(stdout(&colour).contains('\u{1b}'));
    let quiet = c.run(&["-q"]);
    assert!(!stdout(&quiet).contains("1 finding in"));

    let clean = Crate::new(CLEAN);
    let o = clean.run(&[]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("no findings"));
}

#[test]
fn path_argument_and_manifest_path() {
    let c = Crate::new(LIB);
    let dir = c.dir.to_str().unwrap();
    let manifest = c.dir.join("Cargo.toml");
    let manifest = manifest.to_str().unwrap();
    for args in [
        &[dir][..],
        &[manifest],
        &["datagate", dir],
        &["check", dir],
        &["--manifest-path", manifest],
    ] {
        let o = run_in(Path::new("/"), args);
        assert_eq!(code(&o), 1, "{args:?}: {}", stderr(&o));
    }
    let o = run_in(Path::new("/"), &["/no/such/dir"]);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).is_empty());
    assert!(!stderr(&o).is_empty());
}

#[test]
fn sarif_and_github() {
    let c = Crate::new(LIB);
    let o = c.run(&["--format", "sarif"]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["version"], "2.1.0");
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "unconsented-flow");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "src/lib.rs");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 20);
    assert!(result["partialFingerprints"]["datagate/v1"].is_string());
    assert!(result["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .is_some_and(|l| !l.is_empty()));

    let o = c.run(&["--format", "github"]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o)
            .starts_with("::error file=src/lib.rs,line=20,col=5,title=datagate unconsented-flow::"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn policy_errors_exit_2_with_a_labelled_diagnostic() {
    let c = Crate::new(LIB);
    c.file(
        "datagate.toml",
        "[recipients]\nfacebook = { company = \"Meta\" }\n\n[groups]\nmeta = [\"facebok\"]\n\n[purposes.security]\nconsent = \"not-required\"\n",
    );
    let o = c.run(&[]);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).is_empty());
    insta::assert_snapshot!("policy_error", stderr(&o));

    c.file("datagate.toml", "this is not toml");
    let o = c.run(&[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("datagate.toml"), "{}", stderr(&o));

    let o = c.run(&["--policy", "missing.toml"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("could not read policy `missing.toml`"));
}

#[test]
fn policy_is_read_from_the_workspace_root_or_given() {
    let c = Crate::new(LIB);
    // facebook is first party: no consent needed.
    c.file("datagate.toml", "first_party = [\"facebook\"]\n");
    assert_eq!(code(&c.run(&[])), 0);
    c.file("other.toml", POLICY);
    assert_eq!(code(&c.run(&["--policy", "other.toml"])), 1);
}

#[test]
fn parse_errors_exit_2() {
    let c = Crate::new(&format!("{LIB}\nmod broken;\n"));
    c.file("src/broken.rs", "fn broken( {\n");
    let o = c.run(&["--format", "json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let v = json(&o);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"parse-error"), "{codes:?}");
    assert!(stderr(&o).contains("incomplete"));
    // A baseline does not hide an incomplete analysis.
    let o = c.run(&["--write-baseline", "b.json"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn baselines() {
    let c = Crate::new(LIB);
    let o = c.run(&["--write-baseline", "baseline.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = std::fs::read_to_string(c.dir.join("baseline.json")).unwrap();
    assert!(text.contains("\"code\": \"unconsented-flow\""));

    let o = c.run(&["--baseline", "baseline.json", "--format", "json"]);
    assert_eq!(code(&o), 0);
    let v = json(&o);
    assert_eq!(v["summary"]["baselined"], 1);
    assert_eq!(v["summary"]["findings"], 0);

    // Moving the code does not change the fingerprint.
    c.file("src/lib.rs", &format!("// a new first line\n\n{LIB}"));
    let o = c.run(&["--baseline", "baseline.json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("1 baselined"));

    // A new finding fails.
    c.file(
        "src/lib.rs",
        &format!("{LIB}\npub fn another(a: &Account) {{\n    upload(&a.phone);\n}}\n"),
    );
    let o = c.run(&["--baseline", "baseline.json", "--format", "json"]);
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o)["summary"]["findings"], 1);
    assert_eq!(json(&o)["findings"][0]["line"], 30);

    c.file("corrupt.json", "{\"version\": 1, \"findings\": [");
    let o = c.run(&["--baseline", "corrupt.json"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("invalid baseline"), "{}", stderr(&o));
    let o = c.run(&["--baseline", "missing.json"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn inventory_and_disclosure() {
    let c = Crate::new(LIB);
    c.file("datagate.toml", POLICY);
    let o = c.run(&["inventory"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("phone_number  facebook   Meta Platforms, Inc."),
        "{}",
        stdout(&o)
    );
    for format in ["table", "markdown", "json", "csv"] {
        let o = c.run(&["datagate", "inventory", "--format", format]);
        assert_eq!(code(&o), 0, "{format}");
        assert!(
            stdout(&o).contains("phone_number"),
            "{format}: {}",
            stdout(&o)
        );
    }
    let v = json(&c.run(&["inventory", "--format", "json"]));
    assert_eq!(v["shared"][0]["company"], "Meta Platforms, Inc.");
    assert_eq!(v["shared"][0]["fideslang"], "user.contact.phone_number");

    c.file(
        "disclosure.toml",
        "[[shared]]\ncategory = \"email\"\nrecipient = \"facebook\"\npurpose = \"advertising\"\n",
    );
    let o = c.run(&["inventory", "--disclosure", "disclosure.toml"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("which the disclosure does not list"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("disclosed but shared by no code: `email`"));

    c.file(
        "disclosure.toml",
        "[[shared]]\ncategory = \"contact\"\nrecipient = \"facebook\"\npurpose = \"advertising\"\n",
    );
    let o = c.run(&["inventory", "--disclosure", "disclosure.toml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    c.file("disclosure.toml", "[[shared]]\ncategory = 1\n");
    let o = c.run(&["inventory", "--disclosure", "disclosure.toml"]);
    assert_eq!(code(&o), 2);
}
