//! A fuzzing harness on stable Rust (issue 7; DESIGN §6): the sources of the
//! fixture crates under `tests/fixtures/` and annotation arguments are
//! mutated, truncated and spliced by a seeded xorshift generator, and the
//! whole pipeline (discover's output → parse → index → annotations → flow →
//! check → every report format, the inventory, baselines) runs on them. No
//! input may panic or hang, and the same input must give byte-identical
//! output. The policy, baseline and disclosure loaders are fuzzed in memory
//! the same way.
//!
//! `cargo test -p datagate-tests --test fuzz` runs 1,000 source cases (CI).
//! The full run, 10,000 cases (see the README's "Robustness" section):
//!
//! ```text
//! DATAGATE_FUZZ_CASES=10000 cargo test --release -p datagate-tests --test fuzz -- --nocapture
//! ```
//!
//! `DATAGATE_FUZZ_SEED=N` picks another seed, `DATAGATE_FUZZ_BATCH=N` the
//! number of cases analysed together (default 25), `DATAGATE_FUZZ_KEEP=1`
//! keeps the generated crates in the temporary directory and
//! `DATAGATE_FUZZ_VERBOSE=1` prints their parse errors (to see how many
//! mutations the parser rejects). Cases are analysed in
//! batches: one workspace per batch holding one copy of a fixture crate per
//! case. A failing batch is kept on disk (its path is printed) and re-run
//! case by case to name the smallest failing input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::rs_files;
use datagate_lint::discover::{discover, DiscoverOptions, Package, Target, Workspace};
use datagate_lint::findings::Analysis;
use datagate_lint::inventory::{self, Disclosure, InventoryFormat};
use datagate_lint::policy::{self, Policy};
use datagate_lint::report::{self, human, Format, HumanOptions, Report};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A batch taking longer than this is a hang (debug build, 2 busy cores).
const BATCH_LIMIT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------
// The generator

/// xorshift64*: small, fast and the same on every platform.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // Never zero; mix the seed so that nearby seeds differ at once.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Tokens worth inserting: delimiters, Rust syntax that nests or ends
/// things early, annotation pieces and multi-byte characters (spans are
/// counted in characters, snippets cut by bytes).
const DICTIONARY: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "<",
    ">",
    ";",
    ",",
    ":",
    "::",
    "=",
    "==",
    "=>",
    "->",
    "?",
    ".",
    "..",
    "&",
    "&&",
    "*",
    "!",
    "-",
    "+",
    "|",
    "||",
    "#",
    "#!",
    "$",
    "@",
    "'",
    "'a",
    "\"",
    "\\",
    "r#",
    "r#\"",
    "\"#",
    "b'",
    "'\\u{0}'",
    "/*",
    "*/",
    "//",
    "///",
    "//!",
    "\n",
    "\r\n",
    "\t",
    "\0",
    "é",
    "😀",
    "\u{200b}",
    "\u{feff}",
    "\u{202e}",
    "ﬁ",
    "𝕏",
    " ",
    "fn",
    "mod",
    "mod x;",
    "mod r#as;",
    "impl",
    "trait",
    "struct",
    "enum",
    "union",
    "let",
    "match",
    "if",
    "else",
    "loop",
    "while",
    "for",
    "in",
    "return",
    "break",
    "continue",
    "async",
    "await",
    ".await",
    "move",
    "dyn",
    "unsafe",
    "const",
    "static",
    "type",
    "where",
    "self",
    "Self",
    "super",
    "crate",
    "pub",
    "pub(crate)",
    "use",
    "as",
    "macro_rules!",
    "format!",
    "vec!",
    "println!",
    "json!",
    "assert!",
    "m!",
    "Some",
    "Ok",
    "Err",
    "Box::new",
    ".clone()",
    ".into()",
    ".to_string()",
    ".iter()",
    ".map(|x| x)",
    ".filter(|u| u.share)",
    "#[datagate::sink(to = facebook, purpose = advertising)]",
    "#[datagate::source(location)]",
    "#[datagate::consent_check(to = facebook, purpose = advertising)]",
    "#[datagate::declassify(categories = [phone_number], reason = \"r\")]",
    "#[datagate::allow(unconsented_flow, reason = \"r\")]",
    "#[personal(phone_number)]",
    "#[consent(to = facebook, purpose = advertising)]",
    "#[derive(Personal)]",
    "#[derive(Consent)]",
    "#[path = \"x.rs\"]",
    "#[path = \"../../../../etc/hostname\"]",
    "#[path = \"/dev/zero\"]",
    "#[path = \"\"]",
    "#[path = \".\"]",
    "#[cfg(test)]",
    "#[cfg_attr(unix, path = \"y.rs\")]",
    "#[doc = include_str!(\"x\")]",
    "include!(\"lib.rs\");",
    "0",
    "1_000",
    "0xFFFF_FFFF_FFFF_FFFF_FFFF",
    "1e999",
    "'static",
    "u64::MAX",
    "phone_number",
    "facebook",
    "advertising",
    "any",
    "categories",
    "purpose",
    "to",
    "args",
    "reason",
    "location",
    "contact",
];

/// Annotation arguments, mutated and put into annotations.
const ATTR_ARGS: &[&str] = &[
    "to = facebook, purpose = advertising",
    "to = facebook_companies, purpose = [advertising, product_suggestions]",
    "to = any, purpose = analytics, categories = [phone_number, device]",
    "to = \"acme\", purpose = \"retargeting\", args = [report, self]",
    "categories = [phone_number], reason = \"salted SHA-256\"",
    "unconsented_flow, reason = \"PRIV-142\"",
    "never_share, unused_allow, reason = \"\"",
    "phone_number",
    "device_id, os",
    "\"loyalty_tier\"",
    "location",
    "to = , purpose = [[advertising]",
    "to = facebook purpose = advertising",
    "to = [facebook, [instagram]], purpose = ()",
    "args = [0, \"x\", self.a], to = facebook, purpose = security",
    "categories = [], reason = 1",
];

const ATTR_NAMES: &[&str] = &[
    "datagate::sink",
    "datagate::source",
    "datagate::consent_check",
    "datagate::declassify",
    "datagate::allow",
    "personal",
    "consent",
    "sink",
];

/// A byte offset on a char boundary of `s`.
fn boundary(s: &str, rng: &mut Rng) -> usize {
    let mut i = rng.below(s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A range of `s` on char boundaries, at most `max` bytes long.
fn range(s: &str, rng: &mut Rng, max: usize) -> (usize, usize) {
    let a = boundary(s, rng);
    let mut b = (a + rng.below(max + 1)).min(s.len());
    while !s.is_char_boundary(b) {
        b -= 1;
    }
    (a, b)
}

/// A mutated annotation: `#[name(args)]` with mutated arguments.
fn attribute(rng: &mut Rng) -> String {
    let mut args = rng.pick(ATTR_ARGS).to_string();
    for _ in 0..rng.below(3) {
        args = mutate_text(&args, &[], rng, false);
    }
    let name = rng.pick(ATTR_NAMES);
    match rng.below(8) {
        0 => format!("#[{name}]"),
        1 => format!("#[{name} = {args}]"),
        2 => format!("#[{name}{{{args}}}]"),
        _ => format!("#[{name}({args})]"),
    }
}

const KEYWORDS: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "union",
    "macro_rules",
];

/// The identifiers of a text (outside nothing: strings and comments too).
fn identifiers(s: &str) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphabetic() || b[i] == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let word = &s[start..i];
            // Not a lifetime, a char, a literal's suffix or a string prefix.
            let glued = start > 0 && (b[start - 1] == b'\'' || b[start - 1].is_ascii_digit());
            let prefix = matches!(b.get(i), Some(b'#' | b'"' | b'\''));
            if !KEYWORDS.contains(&word) && !glued && !prefix {
                out.push((start, i));
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Whether a line has balanced brackets and no quotes or comments, so that
/// moving it keeps the file parsable more often than not.
fn simple_statement(line: &str) -> bool {
    let t = line.trim();
    let mut depth = 0i32;
    for c in t.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '"' | '\'' | '/' => return false,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    let indented = line.starts_with(' ') || line.starts_with('\t');
    let item = [
        "use ", "mod ", "fn ", "pub", "type ", "const ", "static ", "async fn", "extern", "impl",
        "#",
    ];
    depth == 0 && indented && t.ends_with(';') && !item.iter().any(|p| t.starts_with(p))
}

/// Conditions and wrappers that turn a statement into a guarded or a
/// deferred one: the guard analysis's cases.
const WRAPPERS: &[(&str, &str)] = &[
    ("if settings.share_account_info { ", " }"),
    ("if !store.may_share(user) { return; } ", ""),
    ("if store.may_share(user)? { ", " }"),
    ("if let Some(_) = store.check(user) { ", " }"),
    ("match check(user) { true => { ", " } false => {} }"),
    ("if check(user) && other { ", " }"),
    ("if check(user) || other { ", " }"),
    ("if check(user) { } else { ", " }"),
    (
        "for item in items.iter().filter(|u| u.settings.share) { ",
        " }",
    ),
    ("loop { ", " break; }"),
    ("let _f = || { ", " };"),
    ("let _f = async move { ", " };"),
    ("{ ", " }"),
    ("unsafe { ", " }"),
    ("check(user).then(|| { ", " });"),
];

/// One mutation that keeps the file parsable most of the time: swap
/// identifiers, move, copy, wrap or delete whole statements, rewrite the
/// arguments of an annotation, add annotated items.
fn mutate_preserving(s: &str, others: &[&str], rng: &mut Rng) -> String {
    let lines: Vec<&str> = s.split_inclusive('\n').collect();
    let statements: Vec<usize> = (0..lines.len())
        .filter(|&i| simple_statement(lines[i]))
        .collect();
    match rng.below(9) {
        // Replace an identifier with another one of this or another file.
        0 | 1 => {
            let ids = identifiers(s);
            if ids.is_empty() {
                return s.to_string();
            }
            let (a, b) = *rng.pick(&ids);
            let source = if rng.chance(70) { s } else { rng.pick(others) };
            let pool = identifiers(source);
            if pool.is_empty() {
                return s.to_string();
            }
            let (c, d) = *rng.pick(&pool);
            format!("{}{}{}", &s[..a], &source[c..d], &s[b..])
        }
        // Duplicate, move or delete a statement.
        2 | 3 if !statements.is_empty() => {
            let from = *rng.pick(&statements);
            let to = *rng.pick(&statements);
            let mut out: Vec<&str> = lines.clone();
            match rng.below(3) {
                0 => out.insert(to, lines[from]),
                1 => out.swap(from, to),
                _ => {
                    out.remove(from);
                }
            }
            out.concat()
        }
        // Wrap a statement in a condition, a loop or a closure.
        4 | 5 if !statements.is_empty() => {
            let i = *rng.pick(&statements);
            let (open, close) = *rng.pick(WRAPPERS);
            let line = lines[i].trim_end_matches('\n');
            let indent = line.len() - line.trim_start().len();
            let mut out = lines[..i].concat();
            out.push_str(&format!(
                "{}{open}{}{close}\n",
                &line[..indent],
                line.trim_start()
            ));
            out.push_str(&lines[i + 1..].concat());
            out
        }
        // New arguments for an annotation (balanced, so the file parses).
        6 => {
            let starts: Vec<usize> = s.match_indices("#[").map(|(i, _)| i).collect();
            let attr = loop {
                let a = attribute(rng);
                if balanced(&a) {
                    break a;
                }
            };
            match starts.as_slice() {
                [] => match s.find("\npub fn ").or_else(|| s.find("\nfn ")) {
                    Some(i) => format!("{}\n{attr}{}", &s[..i], &s[i..]),
                    None => s.to_string(),
                },
                _ => {
                    let a = *rng.pick(&starts);
                    match s[a..].find("]\n") {
                        Some(e) if balanced(&s[a..a + e + 1]) => {
                            format!("{}{attr}{}", &s[..a], &s[a + e + 1..])
                        }
                        _ => s.to_string(),
                    }
                }
            }
        }
        // An annotated item at the end of the file.
        _ => {
            let ids = identifiers(s);
            let id = |rng: &mut Rng| {
                if ids.is_empty() {
                    "x".to_string()
                } else {
                    let (a, b) = *rng.pick(&ids);
                    s[a..b].to_string()
                }
            };
            let attr = loop {
                let a = attribute(rng);
                if balanced(&a) {
                    break a;
                }
            };
            let (f, g, h) = (id(rng), id(rng), id(rng));
            let item = match rng.below(4) {
                0 => format!("{attr}\npub fn fuzz_{f}(x: &{g}) -> {h} {{ {f}(&x.{g}); x.{h}.clone().into() }}\n"),
                1 => format!("pub struct Fuzz{f} {{\n    {attr}\n    pub {g}: String,\n    pub {h}: u64,\n}}\n"),
                2 => format!("pub trait Fuzz{f} {{\n    {attr}\n    fn {g}(&self, {h}: &str);\n}}\n"),
                _ => format!("impl {f} {{\n    {attr}\n    pub fn {g}(&self) {{ self.{h}({f}::{g}(self)); }}\n}}\n"),
            };
            format!("{s}\n{item}")
        }
    }
}

/// Brackets and quotes balance (roughly: enough to keep syn parsing).
fn balanced(s: &str) -> bool {
    let mut stack = Vec::new();
    let mut quotes = 0;
    for c in s.chars() {
        match c {
            '(' | '[' | '{' => stack.push(c),
            ')' | ']' | '}' => {
                let open = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.pop() != Some(open) {
                    return false;
                }
            }
            '"' => quotes += 1,
            '\'' | '\\' | '/' | '\0' | '\r' | '\n' => return false,
            _ => {}
        }
    }
    stack.is_empty() && quotes % 2 == 0
}

/// One text mutation. `others` are texts to splice from.
fn mutate_text(text: &str, others: &[&str], rng: &mut Rng, structural: bool) -> String {
    let s = text;
    let op = if structural {
        rng.below(14)
    } else {
        rng.below(7)
    };
    match op {
        // Delete a range.
        0 => {
            let (a, b) = range(s, rng, 1 + s.len() / 4);
            format!("{}{}", &s[..a], &s[b..])
        }
        // Insert a dictionary token.
        1 | 2 => {
            let at = boundary(s, rng);
            format!("{}{}{}", &s[..at], rng.pick(DICTIONARY), &s[at..])
        }
        // Replace a range with a dictionary token.
        3 => {
            let (a, b) = range(s, rng, 16);
            format!("{}{}{}", &s[..a], rng.pick(DICTIONARY), &s[b..])
        }
        // Duplicate a range somewhere else.
        4 => {
            let (a, b) = range(s, rng, 200);
            let at = boundary(s, rng);
            format!("{}{}{}", &s[..at], &s[a..b], &s[at..])
        }
        // Swap one character for ASCII punctuation.
        5 => {
            let at = boundary(s, rng);
            let len = s[at..].chars().next().map_or(0, char::len_utf8);
            let c = *rng.pick(b"{}()\"'#!<;/*") as char;
            format!("{}{c}{}", &s[..at], &s[at + len..])
        }
        // Truncate.
        6 => s[..boundary(s, rng)].to_string(),
        // Splice a range of another file in.
        7 | 8 if !others.is_empty() => {
            let other = rng.pick(others);
            let (a, b) = range(other, rng, 400);
            let (c, d) = range(s, rng, 100);
            format!("{}{}{}", &s[..c], &other[a..b], &s[d..])
        }
        // Put a mutated annotation before a line.
        9 | 10 => {
            let lines: Vec<&str> = s.split_inclusive('\n').collect();
            let at = rng.below(lines.len() + 1);
            let mut out = lines[..at].concat();
            out.push_str(&attribute(rng));
            out.push('\n');
            out.push_str(&lines[at..].concat());
            out
        }
        // Replace the arguments of an existing annotation.
        11 => match s.match_indices("#[").map(|(i, _)| i).collect::<Vec<_>>() {
            starts if !starts.is_empty() => {
                let a = *rng.pick(&starts);
                let b = s[a..].find(']').map_or(s.len(), |e| a + e + 1);
                format!("{}{}{}", &s[..a], attribute(rng), &s[b..])
            }
            _ => format!("{}\n{s}", attribute(rng)),
        },
        // Nest a range in brackets or prefix it with operators, up to a
        // few hundred deep (around the engine's limits).
        12 => {
            let (a, b) = range(s, rng, 40);
            let max = if rng.chance(20) { 600 } else { 40 };
            let depth = 1 + rng.below(max);
            let (open, close) = *rng.pick(&[
                ("(", ")"),
                ("[", "]"),
                ("{", "}"),
                ("!", ""),
                ("&", ""),
                ("-", ""),
                ("|| ", ""),
                ("Vec<", ">"),
            ]);
            format!(
                "{}{}{}{}{}",
                &s[..a],
                open.repeat(depth),
                &s[a..b],
                close.repeat(depth),
                &s[b..]
            )
        }
        // Repeat a line many times.
        _ => {
            let lines: Vec<&str> = s.split_inclusive('\n').collect();
            if lines.is_empty() {
                return s.to_string();
            }
            let line = rng.pick(&lines);
            let at = boundary(s, rng);
            format!("{}{}{}", &s[..at], line.repeat(1 + rng.below(50)), &s[at..])
        }
    }
}

// ---------------------------------------------------------------------------
// Seeds: the fixture crates

/// A fixture crate: its files (relative to its root) and its targets.
#[derive(Debug)]
struct Fixture {
    name: String,
    files: Vec<(PathBuf, String)>,
    /// The packages, with paths relative to the fixture's root.
    packages: Vec<Package>,
    policy: Option<String>,
}

fn fixtures() -> Vec<Fixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut roots: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    roots.sort();
    roots
        .into_iter()
        .map(|root| {
            let root = std::fs::canonicalize(&root).unwrap();
            let ws = discover(&DiscoverOptions {
                manifest_path: Some(root.join("Cargo.toml")),
                workspace: true,
                ..Default::default()
            })
            .unwrap();
            let rel = |p: &Path| p.strip_prefix(&root).unwrap().to_path_buf();
            let packages = ws
                .packages
                .iter()
                .map(|p| Package {
                    name: p.name.clone(),
                    dir: rel(&p.dir),
                    targets: p
                        .targets
                        .iter()
                        .map(|t| Target {
                            root_file: rel(&t.root_file),
                            ..t.clone()
                        })
                        .collect(),
                })
                .collect();
            let mut paths = Vec::new();
            rs_files(&root, &mut paths);
            let files = paths
                .iter()
                .map(|p| (rel(p), std::fs::read_to_string(p).unwrap()))
                .collect();
            Fixture {
                name: root.file_name().unwrap().to_string_lossy().into_owned(),
                files,
                packages,
                policy: std::fs::read_to_string(root.join("datagate.toml")).ok(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Cases and batches

/// One case: a fixture crate with some files mutated.
#[derive(Debug, Clone)]
struct Case {
    index: usize,
    fixture: usize,
    /// (relative path, contents) of every file of the copy.
    files: Vec<(PathBuf, Vec<u8>)>,
    mutated: Vec<PathBuf>,
}

fn make_case(index: usize, fx: &[Fixture], all_texts: &[&str], rng: &mut Rng) -> Case {
    let fixture = rng.below(fx.len());
    let f = &fx[fixture];
    let mut files: Vec<(PathBuf, Vec<u8>)> = f
        .files
        .iter()
        .map(|(p, t)| (p.clone(), t.as_bytes().to_vec()))
        .collect();
    let mut mutated = Vec::new();
    // Three cases in four keep their files parsable (mostly): they test
    // the analysis; the rest break the syntax: they test the parser's side.
    let destructive = rng.chance(25);
    for _ in 0..1 + rng.below(2) {
        let k = rng.below(files.len());
        let mut text = String::from_utf8_lossy(&files[k].1).into_owned();
        for _ in 0..1 + rng.below(4) {
            text = if destructive {
                mutate_text(&text, all_texts, rng, true)
            } else {
                mutate_preserving(&text, all_texts, rng)
            };
        }
        let mut bytes = text.into_bytes();
        // Now and then, bytes that are not UTF-8.
        if destructive && rng.chance(5) {
            let at = rng.below(bytes.len() + 1);
            bytes.insert(at, *rng.pick(&[0xFF, 0xC3, 0x80, 0xED]));
        }
        files[k].1 = bytes;
        mutated.push(files[k].0.clone());
    }
    Case {
        index,
        fixture,
        files,
        mutated,
    }
}

/// Writes the cases into `dir` (one subdirectory per case) and returns the
/// workspace the engine analyses: one package per package of each copy.
fn write_batch(dir: &Path, cases: &[Case], fx: &[Fixture]) -> Workspace {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let root = std::fs::canonicalize(dir).unwrap();
    let mut packages = Vec::new();
    for case in cases {
        let base = root.join(format!("c{}", case.index));
        for (rel, bytes) in &case.files {
            let p = base.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, bytes).unwrap();
        }
        for p in &fx[case.fixture].packages {
            packages.push(Package {
                name: format!("c{}-{}", case.index, p.name),
                dir: base.join(&p.dir),
                targets: p
                    .targets
                    .iter()
                    .map(|t| Target {
                        root_file: base.join(&t.root_file),
                        ..t.clone()
                    })
                    .collect(),
            });
        }
    }
    Workspace { root, packages }
}

/// Everything the tool prints for an analysis: every report format, the
/// inventory in every format, a disclosure comparison and a baseline round
/// trip. With `every`, every function is analysed, not only those that can
/// matter (the output must not change).
fn outputs(ws: &Workspace, policy: &Policy, every: bool) -> (String, Stats) {
    let mut analysis: Analysis = datagate_lint::analyze_with(
        ws,
        policy,
        datagate_lint::Options {
            every_function: every,
            ..Default::default()
        },
    );
    analysis.normalize();
    if std::env::var_os("DATAGATE_FUZZ_VERBOSE").is_some() {
        for f in analysis
            .findings
            .iter()
            .filter(|f| f.code == datagate_spec::Code::ParseError)
        {
            eprintln!("{}:{}: {}", f.location.file, f.location.line, f.message);
        }
    }
    let broken: std::collections::BTreeSet<&str> = analysis
        .findings
        .iter()
        .filter(|f| f.code == datagate_spec::Code::ParseError)
        .filter_map(|f| f.location.file.split('/').next())
        .collect();
    let stats = Stats {
        cases: ws
            .packages
            .iter()
            .filter_map(|p| p.name.split('-').next())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        broken: broken.len(),
        findings: analysis.findings.len(),
        flows: analysis.flows.len(),
    };
    for f in &analysis.findings {
        if f.code == datagate_spec::Code::ParseError {
            assert!(
                !f.location.file.is_empty(),
                "parse-error without a file: {f:?}"
            );
            assert!(
                ws.root.join(&f.location.file).exists() || f.location.file.contains(".."),
                "parse-error names no file: {f:?}"
            );
        }
    }
    let mut out = String::new();
    let human = HumanOptions::default();
    for format in [Format::Json, Format::Human, Format::Sarif, Format::Github] {
        out.push_str(&report::render(
            format,
            &Report {
                analysis: &analysis,
                baselined: 0,
            },
            &human,
        ));
    }
    let inv = inventory::build(&analysis, policy);
    for format in [
        InventoryFormat::Table,
        InventoryFormat::Markdown,
        InventoryFormat::Json,
        InventoryFormat::Csv,
    ] {
        out.push_str(&inv.render(format));
    }
    let disclosure = Disclosure::parse(
        "disclosure.toml",
        "[[shared]]\ncategory = \"contact\"\nrecipient = \"facebook\"\npurpose = \"advertising\"\n",
    )
    .unwrap();
    let cmp = inventory::compare(&inv, &disclosure, policy, &analysis);
    for d in cmp.undisclosed.iter().chain(cmp.unused.iter()) {
        out.push_str(&human::render_diagnostic(d, false, 100));
    }
    let baseline_text = datagate_lint::baseline::render(&analysis.findings);
    let baseline =
        datagate_lint::baseline::Baseline::parse("baseline.json", &baseline_text).unwrap();
    let (fresh, n) = baseline.filter(analysis.findings.clone());
    assert!(
        fresh.is_empty() && n == analysis.findings.len(),
        "a baseline of every finding accepts every finding"
    );
    out.push_str(&baseline_text);
    (out, stats)
}

/// What a batch held: cases, cases with a parse error, findings, shared flows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Stats {
    cases: usize,
    broken: usize,
    findings: usize,
    flows: usize,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, o: Stats) {
        self.cases += o.cases;
        self.broken += o.broken;
        self.findings += o.findings;
        self.flows += o.flows;
    }
}

fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".to_string())
}

/// Analyses the workspace twice on another thread (the watchdog is this
/// one), the second time analysing every function: the outputs must be the
/// same. Returns them or what went wrong.
fn analyse_watched(ws: &Workspace, policy: &Policy) -> Result<Stats, String> {
    let (tx, rx) = mpsc::channel();
    let ws2 = ws.clone();
    let policy2 = policy.clone();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(|| {
            let first = outputs(&ws2, &policy2, false);
            let every = outputs(&ws2, &policy2, true);
            if first.0 == every.0 {
                Ok(first.1)
            } else if first.0 == outputs(&ws2, &policy2, false).0 {
                Err("analysing every function changed the output (a function that matters was not analysed)")
            } else {
                Err("two runs on the same input gave different output")
            }
        });
        let _ = tx.send(r.map_err(|e| panic_message(&*e)));
    });
    match rx.recv_timeout(BATCH_LIMIT) {
        Ok(Ok(Ok(stats))) => Ok(stats),
        Ok(Ok(Err(problem))) => Err(problem.to_string()),
        Ok(Err(msg)) => Err(format!("panicked: {msg}")),
        Err(_) => Err(format!("hung: no result after {BATCH_LIMIT:?}")),
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn fuzz_dir() -> PathBuf {
    std::env::temp_dir().join(format!("datagate-fuzz-{}", std::process::id()))
}

#[test]
fn mutated_fixture_sources() {
    let cases_wanted = env_usize("DATAGATE_FUZZ_CASES", 1_000);
    let batch_size = env_usize("DATAGATE_FUZZ_BATCH", 25).max(1);
    let seed = env_usize("DATAGATE_FUZZ_SEED", 0xDA7A_6A7E) as u64;
    let fx = fixtures();
    assert!(fx.len() >= 10, "too few fixtures: {}", fx.len());
    let all_texts: Vec<&str> = fx
        .iter()
        .flat_map(|f| f.files.iter().map(|(_, t)| t.as_str()))
        .collect();
    let policies: Vec<Policy> = std::iter::once(Policy::default())
        .chain(
            fx.iter()
                .filter_map(|f| f.policy.as_deref())
                .map(|t| policy::load_str("datagate.toml", t).unwrap()),
        )
        .collect();
    let mut rng = Rng::new(seed);
    let started = Instant::now();
    let dir = fuzz_dir();
    let mut done = 0;
    let mut batch_no = 0;
    let mut stats = Stats::default();
    while done < cases_wanted {
        let n = batch_size.min(cases_wanted - done);
        let cases: Vec<Case> = (done..done + n)
            .map(|i| make_case(i, &fx, &all_texts, &mut rng))
            .collect();
        let policy = &policies[batch_no % policies.len()];
        let batch_dir = dir.join(format!("batch{batch_no}"));
        let ws = write_batch(&batch_dir, &cases, &fx);
        let result = analyse_watched(&ws, policy);
        if let Ok(s) = result {
            stats += s;
        }
        if let Err(problem) = result {
            // Name the smallest failing input: each case of the batch alone.
            let mut culprit = String::from("no single case fails alone");
            for case in &cases {
                let one = dir.join(format!("case{}", case.index));
                let ws1 = write_batch(&one, std::slice::from_ref(case), &fx);
                if let Err(p) = analyse_watched(&ws1, policy) {
                    culprit = format!(
                        "case {} (fixture `{}`, mutated {:?}) in {}: {p}",
                        case.index,
                        fx[case.fixture].name,
                        case.mutated,
                        one.display()
                    );
                    break;
                }
                let _ = std::fs::remove_dir_all(&one);
            }
            panic!(
                "seed {seed:#x}, batch {batch_no} (cases {done}..{}), kept in {}: {problem}\n{culprit}",
                done + n,
                batch_dir.display()
            );
        }
        if std::env::var_os("DATAGATE_FUZZ_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&batch_dir);
        }
        done += n;
        batch_no += 1;
    }
    if std::env::var_os("DATAGATE_FUZZ_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    eprintln!(
        "fuzz: {done} mutated crates (seed {seed:#x}, {batch_no} batches) analysed twice each (once analysing every function) in {:.1?}: no panic, no hang, same output; \
         {} cases with a parse error, {} findings, {} shared flows",
        started.elapsed(),
        stats.broken,
        stats.findings,
        stats.flows
    );
    assert_eq!(stats.cases, done);
    // The mutations must leave most inputs parsable, or the analysis
    // behind the parser would go untested.
    assert!(stats.broken * 2 < done, "{stats:?}");
}

/// The policy, baseline and disclosure loaders on mutated text: errors are
/// fine, panics are not, and every error renders as a diagnostic.
#[test]
fn mutated_configuration_files() {
    let cases = env_usize("DATAGATE_FUZZ_CASES", 1_000) * 2;
    let seed = env_usize("DATAGATE_FUZZ_SEED", 0xDA7A_6A7E) as u64 ^ 0x00C0_FFEE;
    let fx = fixtures();
    let mut policies: Vec<String> = fx.iter().filter_map(|f| f.policy.clone()).collect();
    policies.push(
        "first_party = [\"messenger\"]\n[recipients]\nfacebook = { company = \"Meta\" }\n[groups]\nfb = [\"facebook\", \"g2\"]\ng2 = [\"fb\"]\n\
         [purposes.security]\nconsent = \"not-required\"\nbasis = \"b\"\n[[never_share]]\ncategories = [\"contacts\"]\nto = [\"fb\"]\n\
         [[sinks]]\npath = \"a::b\"\nto = [\"facebook\"]\npurpose = \"advertising\"\n[[sources]]\npath = \"c::d\"\ncategories = [\"ip_address\"]\n\
         [categories.loyalty_tier]\ngroup = \"activity\"\n"
            .to_string(),
    );
    let baselines = [
        "{\"version\": 1, \"findings\": [{\"fingerprint\": \"0dc1aff991217780eace5d6bf31475e4\", \"code\": \"unconsented-flow\", \"category\": \"phone_number\", \"recipient\": \"facebook\", \"purpose\": \"advertising\", \"item\": \"demo::f\"}]}",
        "{\"version\": 1, \"findings\": []}",
    ];
    let disclosures = [
        "[[shared]]\ncategory = \"phone_number\"\nrecipient = \"facebook\"\npurpose = \"advertising\"\ncompany = \"Meta\"\nbasis = \"consent\"\nnote = \"n\"\n",
    ];
    let texts: Vec<&str> = policies
        .iter()
        .map(String::as_str)
        .chain(baselines)
        .chain(disclosures)
        .collect();
    let mut rng = Rng::new(seed);
    let started = Instant::now();
    for i in 0..cases {
        let which = rng.below(3);
        let seed_text = match which {
            0 => rng.pick(&policies).as_str(),
            1 => *rng.pick(&baselines),
            _ => *rng.pick(&disclosures),
        };
        let mut text = seed_text.to_string();
        for _ in 0..1 + rng.below(4) {
            let structural = rng.chance(50);
            text = mutate_text(&text, &texts, &mut rng, structural);
        }
        let r = std::panic::catch_unwind(|| match which {
            0 => {
                if let Err(e) = policy::load_str("datagate.toml", &text) {
                    human::render_diagnostic(&e, false, 80);
                }
            }
            1 => {
                if let Err(e) = datagate_lint::baseline::Baseline::parse("baseline.json", &text) {
                    human::render_diagnostic(&e, false, 80);
                }
            }
            _ => {
                if let Err(e) = Disclosure::parse("disclosure.toml", &text) {
                    human::render_diagnostic(&*e, false, 80);
                }
            }
        });
        if let Err(e) = r {
            panic!(
                "seed {seed:#x}, case {i}: panicked: {}\ninput:\n{text}",
                panic_message(&*e)
            );
        }
    }
    eprintln!(
        "fuzz: {cases} mutated policies, baselines and disclosures in {:.1?}",
        started.elapsed()
    );
}

#[test]
fn the_generator_is_deterministic() {
    let fx = fixtures();
    let texts: Vec<&str> = fx
        .iter()
        .flat_map(|f| f.files.iter().map(|(_, t)| t.as_str()))
        .collect();
    let run = || {
        let mut rng = Rng::new(7);
        (0..50)
            .map(|i| make_case(i, &fx, &texts, &mut rng).files)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}
