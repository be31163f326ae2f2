//! The generator of the annotated benchmark workspace.
//!
//! [`generate`] builds, from a seed and a target line count, a whole cargo
//! workspace in memory: a helper crate `gen_common`, as many service crates
//! `svc_NNNN` as the target needs (each with a model of `#[derive(Personal)]`
//! and `#[derive(Consent)]` types, `#[datagate::sink]`s, a consent store with
//! `#[datagate::consent_check]`s and many modules of flows, helper chains,
//! traits, closures and async code) and a binary crate `gen_app` that calls
//! into every service. [`Workspace::write`] puts it on disk.
//!
//! Every flow of personal data to a sink uses only the plainest patterns of
//! DESIGN §3, so that the expected findings are beyond doubt:
//!
//! - guarded: the sink call sits inside `if settings.<consent field> { .. }`
//!   or `if store.<consent check>(..) { .. }` in the function that reads the
//!   personal field (possibly through helpers that transform the value);
//! - planted: one module in [`PLANT_EVERY`] has a function that passes a
//!   personal field read straight to a sink with no check, in a function that
//!   nothing calls (an entry point). Its primary location is the sink call,
//!   recorded with its line in [`Planted`];
//! - clean: unguarded sink calls that receive only literals, sizes or
//!   non-personal fields, which must not be reported.
//!
//! Nothing else calls a sink, and no workspace method shares a name with a
//! sink or a consent check, so name-based method resolution cannot invent a
//! flow. The output depends only on the seed, the target and
//! [`GENERATOR_VERSION`].

use crate::rng::Rng;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Bumped whenever the generated code changes for a given seed.
pub const GENERATOR_VERSION: u32 = 2;

/// The default seed of the benchmark.
pub const DEFAULT_SEED: u64 = 0xDA7A_6A7E_2024_0001;

/// One module in this many has a planted unguarded flow.
pub const PLANT_EVERY: usize = 20;

/// Service modules per service crate.
pub const MODULES_PER_CRATE: usize = 40;

/// The file that describes a generated workspace and its expected findings.
pub const EXPECTED_FILE: &str = "expected.json";

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub seed: u64,
    /// Generate until the `.rs` files hold at least this many lines.
    pub target_lines: usize,
    /// The `path` of the `datagate` dependency in the generated root
    /// manifest (relative to the generated root, or absolute).
    pub datagate_path: String,
}

/// A planted unguarded flow: the finding datagate must report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Planted {
    /// Workspace-relative, `/`-separated.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub code: String,
    pub category: String,
    pub recipient: String,
    pub purpose: String,
}

/// The description of a generated workspace, written to [`EXPECTED_FILE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expected {
    pub generator_version: u32,
    pub seed: u64,
    pub target_lines: usize,
    pub crates: usize,
    pub modules: usize,
    /// `.rs` files and their lines (`str::lines`).
    pub files: usize,
    pub lines: usize,
    pub planted: Vec<Planted>,
}

/// A generated workspace, in memory.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Workspace-relative path and contents, in generation order.
    pub files: Vec<(String, String)>,
    pub expected: Expected,
}

impl Workspace {
    /// Writes the workspace under `root`, replacing whatever was there.
    pub fn write(&self, root: &Path) -> std::io::Result<()> {
        if root.exists() {
            std::fs::remove_dir_all(root)?;
        }
        std::fs::create_dir_all(root)?;
        for (rel, text) in &self.files {
            let path = root.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text)?;
        }
        let json = serde_json::to_string_pretty(&self.expected).map_err(std::io::Error::other)?;
        std::fs::write(root.join(EXPECTED_FILE), json + "\n")
    }
}

/// Reads the [`EXPECTED_FILE`] of a generated workspace, if there is one.
pub fn read_expected(root: &Path) -> Option<Expected> {
    let text = std::fs::read_to_string(root.join(EXPECTED_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// The `path` of the `datagate` dependency for a workspace generated at
/// `out`: relative when both are under one directory, else absolute.
pub fn datagate_path_for(out: &Path, macros_dir: &Path) -> String {
    let out_abs = absolute(out);
    let macros_abs = absolute(macros_dir);
    let common = out_abs
        .components()
        .zip(macros_abs.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common <= 1 {
        return slash(&macros_abs);
    }
    let mut rel = PathBuf::new();
    for _ in common..out_abs.components().count() {
        rel.push("..");
    }
    for part in macros_abs.components().skip(common) {
        rel.push(part);
    }
    slash(&rel)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// A source file under construction that knows its next line number.
struct Src {
    text: String,
    line: usize,
}

impl Src {
    fn new() -> Self {
        Self {
            text: String::new(),
            line: 1,
        }
    }

    /// Appends one line (without its newline).
    fn ln(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
        self.line += 1;
    }

    /// Appends several lines.
    fn block(&mut self, s: &str) {
        for l in s.lines() {
            self.ln(l);
        }
    }

    fn blank(&mut self) {
        self.ln("");
    }
}

/// A kind of personal data flowing to its sink, with its consent.
#[derive(Debug, Clone, Copy)]
struct FlowKind {
    /// The `Account` field read.
    field: &'static str,
    category: &'static str,
    recipient: &'static str,
    purpose: &'static str,
    /// Renders the sink call on the value expression.
    sink: fn(&str) -> String,
}

const FLOW_KINDS: &[FlowKind] = &[
    FlowKind {
        field: "phone",
        category: "phone_number",
        recipient: "facebook",
        purpose: "advertising",
        sink: |v| format!("sinks::upload_phone({v});"),
    },
    FlowKind {
        field: "email",
        category: "email",
        recipient: "advertisers",
        purpose: "advertising",
        sink: |v| format!("sinks::send_email({v});"),
    },
    FlowKind {
        field: "location",
        category: "location",
        recipient: "instagram",
        purpose: "product_suggestions",
        sink: |v| format!("sinks::post_location({v});"),
    },
    FlowKind {
        field: "device_id",
        category: "device_id",
        recipient: "facebook",
        purpose: "analytics",
        sink: |v| format!("sinks::send_device(&{v}, 7);"),
    },
];

/// Words for generated names and literals.
const WORDS: &[&str] = &[
    "alpha", "beacon", "cobalt", "delta", "ember", "falcon", "garnet", "harbor", "indigo",
    "juniper", "kestrel", "lumen", "meadow", "nimbus", "orchid", "prism", "quartz", "raven",
    "sierra", "tundra", "umber", "velvet", "willow", "xenon", "yarrow", "zephyr",
];

/// Generates the whole workspace.
pub fn generate(opts: &GenOptions) -> Workspace {
    let mut rng = Rng::new(opts.seed);
    let mut files: Vec<(String, String)> = Vec::new();
    let mut planted = Vec::new();
    let mut lines = 0usize;
    let mut modules = 0usize;

    let common = common_crate();
    for (rel, text) in common {
        if rel.ends_with(".rs") {
            lines += text.lines().count();
        }
        files.push((rel, text));
    }

    let mut crates = 0usize;
    while lines < opts.target_lines {
        let k = crates;
        let dir = format!("crates/svc_{k:04}");
        let mut crate_files: Vec<(String, String)> = Vec::new();
        let mut exports: Vec<Export> = Vec::new();
        let mut m = 0usize;
        for (rel, text) in fixed_service_files(k) {
            lines += text.lines().count();
            crate_files.push((format!("{dir}/{rel}"), text));
        }
        while m < MODULES_PER_CRATE && lines < opts.target_lines {
            let plant = modules % PLANT_EVERY == PLANT_EVERY / 2;
            let rel = format!("{dir}/src/m{m:03}.rs");
            let module = service_module(&mut rng, k, m, plant);
            if let Some(p) = module.planted {
                let kind = p.kind;
                planted.push(Planted {
                    file: rel.clone(),
                    line: p.line,
                    column: 5,
                    code: "unconsented-flow".to_string(),
                    category: kind.category.to_string(),
                    recipient: kind.recipient.to_string(),
                    purpose: kind.purpose.to_string(),
                });
            }
            lines += module.src.lines().count();
            exports.extend(module.exports.into_iter().map(|e| (m, e)).map(Export::from));
            crate_files.push((rel, module.src));
            m += 1;
            modules += 1;
        }
        let lib = service_lib(k, m, &exports);
        lines += lib.lines().count();
        crate_files.push((format!("{dir}/src/lib.rs"), lib));
        crate_files.push((format!("{dir}/Cargo.toml"), service_manifest(k)));
        files.extend(crate_files);
        crates += 1;
    }

    let main = app_main(crates);
    lines += main.lines().count();
    files.push(("crates/app/src/main.rs".to_string(), main));
    files.push(("crates/app/Cargo.toml".to_string(), app_manifest(crates)));
    files.push(("Cargo.toml".to_string(), root_manifest(opts)));
    files.push(("README.md".to_string(), readme(opts)));

    planted.sort();
    let rs_files = files.iter().filter(|(p, _)| p.ends_with(".rs")).count();
    Workspace {
        files,
        expected: Expected {
            generator_version: GENERATOR_VERSION,
            seed: opts.seed,
            target_lines: opts.target_lines,
            crates: crates + 2,
            modules,
            files: rs_files,
            lines,
            planted,
        },
    }
}

/// A function of a service module that `run_all` calls.
#[derive(Debug, Clone)]
struct Export {
    module: usize,
    name: String,
    shape: Shape,
}

impl From<(usize, (String, Shape))> for Export {
    fn from((module, (name, shape)): (usize, (String, Shape))) -> Self {
        Self {
            module,
            name,
            shape,
        }
    }
}

/// The parameters of an exported function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `(acct: &Account, settings: &Settings)`
    AcctSettings,
    /// `(acct: &Account, store: &ConsentStore)`
    AcctStore,
    /// `(accounts: &[Account], settings: &Settings) -> usize`
    BatchSettings,
    /// `(acct: &Account, settings: &Settings, uplink: &dyn Uplink)`
    Uplink,
    /// `(accounts: &[Account])`
    Report,
}

struct PlantedAt {
    line: usize,
    kind: FlowKind,
}

struct Module {
    src: String,
    exports: Vec<(String, Shape)>,
    planted: Option<PlantedAt>,
}

fn root_manifest(opts: &GenOptions) -> String {
    format!(
        "# Generated by `datagate-bench` (gen v{GENERATOR_VERSION}, seed {seed}, target {target} lines): do not edit.\n\
         [workspace]\n\
         resolver = \"2\"\n\
         members = [\"crates/*\"]\n\
         \n\
         [workspace.package]\n\
         version = \"0.1.0\"\n\
         edition = \"2021\"\n\
         publish = false\n\
         \n\
         [workspace.dependencies]\n\
         datagate = {{ path = \"{path}\" }}\n\
         gen_common = {{ path = \"crates/common\" }}\n",
        seed = opts.seed,
        target = opts.target_lines,
        path = opts.datagate_path,
    )
}

fn readme(opts: &GenOptions) -> String {
    format!(
        "# Generated benchmark workspace\n\n\
         Written by `cargo run --release -p datagate-bench --bin gen` (generator v{GENERATOR_VERSION}, \
         seed {seed}, at least {target} lines). Do not edit: regenerate.\n\n\
         `{EXPECTED_FILE}` lists the planted unguarded flows that `cargo datagate` must report, \
         and nothing else.\n",
        seed = opts.seed,
        target = opts.target_lines,
    )
}

fn common_crate() -> Vec<(String, String)> {
    let manifest = "[package]\n\
                    name = \"gen_common\"\n\
                    version.workspace = true\n\
                    edition.workspace = true\n\
                    publish.workspace = true\n"
        .to_string();
    let lib = "//! Helpers shared by every generated service: text munging and traits.\n\
               //! Nothing here is annotated; values flow through these functions.\n\
               \n\
               pub mod shapes;\n\
               pub mod text;\n"
        .to_string();
    let text = r#"//! String helpers: each returns data derived from its input.

/// Removes leading and trailing whitespace.
pub fn trim_all(input: &str) -> String {
    input.trim().to_string()
}

/// Collapses runs of spaces into one.
pub fn collapse_spaces(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut last_space = false;
    for c in input.chars() {
        let space = c == ' ';
        if !(space && last_space) {
            out.push(c);
        }
        last_space = space;
    }
    out
}

/// Keeps only the last `keep` characters, masking the rest.
pub fn mask_tail(input: &str, keep: usize) -> String {
    let count = input.chars().count();
    input
        .chars()
        .enumerate()
        .map(|(i, c)| if i + keep >= count { c } else { '*' })
        .collect()
}

/// Lowercases and removes separators.
pub fn to_key(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A cheap, stable checksum of the input.
pub fn checksum(input: &str) -> u64 {
    input
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Joins two parts with a separator.
pub fn join_parts(left: &str, right: &str, sep: char) -> String {
    let mut out = String::with_capacity(left.len() + right.len() + 1);
    out.push_str(left);
    out.push(sep);
    out.push_str(right);
    out
}
"#
    .to_string();
    let shapes = r#"//! Traits the services implement and generic containers.

/// Something that scores records.
pub trait Scorer {
    /// A score for the record.
    fn score_of(&self, input: &str) -> u64;

    /// A score with a bias.
    fn biased_score(&self, input: &str, bias: u64) -> u64 {
        self.score_of(input).wrapping_add(bias)
    }
}

/// Something with a stable label.
pub trait Labelled {
    fn label(&self) -> String;
}

/// A batch of items with a label.
#[derive(Debug, Clone, Default)]
pub struct Batch<T> {
    pub label: String,
    pub items: Vec<T>,
}

impl<T: Clone> Batch<T> {
    /// An empty batch.
    pub fn new(label: &str) -> Self {
        Self { label: label.to_string(), items: Vec::new() }
    }

    /// Adds an item.
    pub fn add(&mut self, item: T) {
        self.items.push(item);
    }

    /// How many items the batch holds.
    pub fn size(&self) -> usize {
        self.items.len()
    }

    /// The items that pass the filter.
    pub fn select<F: Fn(&T) -> bool>(&self, keep: F) -> Vec<T> {
        self.items.iter().filter(|item| keep(item)).cloned().collect()
    }
}

/// Applies `f` to every element and sums the results.
pub fn total_by<T, F: Fn(&T) -> u64>(items: &[T], f: F) -> u64 {
    items.iter().map(f).sum()
}
"#
    .to_string();
    vec![
        ("crates/common/Cargo.toml".to_string(), manifest),
        ("crates/common/src/lib.rs".to_string(), lib),
        ("crates/common/src/text.rs".to_string(), text),
        ("crates/common/src/shapes.rs".to_string(), shapes),
    ]
}

fn service_manifest(k: usize) -> String {
    format!(
        "[package]\n\
         name = \"svc_{k:04}\"\n\
         version.workspace = true\n\
         edition.workspace = true\n\
         publish.workspace = true\n\
         \n\
         [dependencies]\n\
         datagate.workspace = true\n\
         gen_common.workspace = true\n"
    )
}

/// The model, sinks and consent store of service `k`.
fn fixed_service_files(k: usize) -> Vec<(String, String)> {
    let model = format!(
        r#"//! The data model of service {k}.

use datagate::{{Consent, Personal}};

/// A user account.
#[derive(Personal, Debug, Clone, Default)]
pub struct Account {{
    pub user_id: u64,
    #[personal(phone_number)]
    pub phone: String,
    #[personal(email)]
    pub email: String,
    #[personal(device_id)]
    pub device_id: String,
    #[personal(os)]
    pub os: String,
    #[personal(location)]
    pub location: String,
    pub nickname: String,
    pub score: u32,
}}

/// A session of a user.
#[derive(Personal, Debug, Clone, Default)]
pub struct Session {{
    pub session_id: u64,
    #[personal(ip_address)]
    pub ip: String,
    #[personal(last_seen)]
    pub last_seen: u64,
    pub pages: u32,
}}

/// What the user agreed to share.
#[derive(Consent, Debug, Clone, Default)]
pub struct Settings {{
    #[consent(to = facebook, purpose = [advertising, product_suggestions])]
    pub share_account_info: bool,
    #[consent(to = facebook, purpose = analytics)]
    pub share_device_info: bool,
    #[consent(to = instagram, purpose = product_suggestions)]
    pub share_location: bool,
    pub dark_mode: bool,
}}
"#
    );
    let sinks = format!(
        r#"//! Where data leaves service {k} for another company.

/// Adds a phone number to a custom audience.
#[datagate::sink(to = facebook, purpose = advertising)]
pub fn upload_phone(phone: String) {{
    let _ = phone.len();
}}

/// Sends an address to an advertiser's mailing list.
#[datagate::sink(to = advertisers, purpose = advertising)]
pub fn send_email(address: String) {{
    let _ = address.len();
}}

/// Suggests places nearby.
#[datagate::sink(to = instagram, purpose = product_suggestions)]
pub fn post_location(place: String) {{
    let _ = place.len();
}}

/// Reports a device to the metrics service.
#[datagate::sink(to = facebook, purpose = analytics, args = [device])]
pub fn send_device(device: &str, build: u32) {{
    let _ = (device.len(), build);
}}

/// Reports a network address to the metrics service.
#[datagate::sink(to = facebook, purpose = analytics)]
pub fn send_network(ip: String) {{
    let _ = ip.len();
}}

/// Reports a named number to the metrics service.
#[datagate::sink(to = facebook, purpose = analytics)]
pub fn upload_metric(name: &str, value: u64) {{
    let _ = (name.len(), value);
}}

/// A channel to the metrics service.
pub trait Uplink {{
    /// Sends a payload.
    #[datagate::sink(to = facebook, purpose = analytics)]
    fn transmit_payload(&self, payload: &str);
}}

/// The HTTP channel.
#[derive(Debug, Clone, Default)]
pub struct HttpUplink {{
    pub endpoint: String,
}}

impl Uplink for HttpUplink {{
    fn transmit_payload(&self, payload: &str) {{
        let _ = (self.endpoint.len(), payload.len());
    }}
}}
"#
    );
    let consent = format!(
        r#"//! The consent store of service {k}.

/// Grants recorded per user: (user id, grant kind).
#[derive(Debug, Clone, Default)]
pub struct ConsentStore {{
    pub grants: Vec<(u64, u8)>,
}}

impl ConsentStore {{
    /// Whether the user agreed to receive advertisers' mail.
    #[datagate::consent_check(to = advertisers, purpose = advertising)]
    pub fn may_email_advertisers(&self, user_id: u64) -> bool {{
        self.grants.iter().any(|(u, g)| *u == user_id && *g == 1)
    }}

    /// Whether the user agreed to device and network metrics.
    #[datagate::consent_check(to = facebook, purpose = analytics)]
    pub fn may_measure_device(&self, user_id: u64) -> bool {{
        self.grants.iter().any(|(u, g)| *u == user_id && *g == 2)
    }}
}}
"#
    );
    vec![
        ("src/model.rs".to_string(), model),
        ("src/sinks.rs".to_string(), sinks),
        ("src/consent.rs".to_string(), consent),
    ]
}

/// One service module: a mix of helper chains, types, trait impls, closures,
/// async code, guarded exports, clean reports and (if `plant`) one planted
/// unguarded flow.
fn service_module(rng: &mut Rng, k: usize, m: usize, plant: bool) -> Module {
    let word = rng.pick(WORDS).copied().unwrap_or("alpha");

    // Building blocks, emitted in a shuffled order below.
    let mut blocks: Vec<Block> = Vec::new();
    let depth = rng.range(2, 4);
    let visit_type = rng.chance(1, 2);
    blocks.push(Block::Helpers(depth));
    blocks.push(Block::Types(visit_type));
    if rng.chance(2, 3) {
        blocks.push(Block::Async);
    }
    if rng.chance(1, 2) {
        blocks.push(Block::Generic);
    }
    if rng.chance(1, 2) {
        blocks.push(Block::Sessions);
    }
    let guarded = rng.range(3, 6);
    for _ in 0..guarded {
        blocks.push(Block::Guarded(rng.below(6)));
    }
    blocks.push(Block::Report(rng.below(3)));
    if plant {
        blocks.push(Block::Plant(rng.below(FLOW_KINDS.len())));
    }
    // Fisher-Yates, keeping helpers and types first so that the file reads
    // top-down.
    let head = 2;
    for i in (head + 1..blocks.len()).rev() {
        let j = head + rng.below(i - head + 1);
        blocks.swap(i, j);
    }

    // Exactly the imports the blocks use, so that the workspace compiles
    // without warnings.
    let has = |f: &dyn Fn(&Block) -> bool| blocks.iter().any(f);
    let uses_store = visit_type || has(&|b| matches!(b, Block::Sessions | Block::Guarded(1 | 3)));
    let uses_settings = has(&|b| matches!(b, Block::Guarded(0 | 2 | 4 | 5)));
    let uses_session = has(&|b| matches!(b, Block::Sessions));
    let uses_uplink = has(&|b| matches!(b, Block::Guarded(5)));
    let uses_batch = has(&|b| matches!(b, Block::Generic));

    let mut src = Src::new();
    src.ln(&format!("//! Service {k}, module {m}: the {word} exports."));
    src.blank();
    if uses_store {
        src.ln("use crate::consent::ConsentStore;");
    }
    let mut model = vec!["Account"];
    if uses_session {
        model.push("Session");
    }
    if uses_settings {
        model.push("Settings");
    }
    if model.len() == 1 {
        src.ln("use crate::model::Account;");
    } else {
        src.ln(&format!("use crate::model::{{{}}};", model.join(", ")));
    }
    if uses_uplink {
        src.ln("use crate::sinks::{self, Uplink};");
    } else {
        src.ln("use crate::sinks;");
    }
    if visit_type {
        src.ln("use datagate::Personal;");
    }
    if uses_batch {
        src.ln("use gen_common::shapes::{Batch, Labelled, Scorer};");
    } else {
        src.ln("use gen_common::shapes::{Labelled, Scorer};");
    }
    src.ln("use gen_common::text;");
    src.blank();

    let mut exports = Vec::new();
    let mut planted = None;
    for (n, block) in blocks.into_iter().enumerate() {
        match block {
            Block::Helpers(depth) => helpers(&mut src, rng, m, depth),
            Block::Types(visit_type) => types(&mut src, rng, m, visit_type),
            Block::Async => async_block(&mut src, m),
            Block::Generic => generic_block(&mut src, rng, m),
            Block::Sessions => sessions_block(&mut src, m),
            Block::Guarded(which) => {
                let (name, shape) = guarded_block(&mut src, rng, m, n, which);
                exports.push((name, shape));
            }
            Block::Report(which) => {
                let name = format!("report_{m}_{n}");
                report_block(&mut src, rng, &name, which);
                exports.push((name, Shape::Report));
            }
            Block::Plant(which) => {
                planted = Some(plant_block(&mut src, m, n, which));
            }
        }
    }
    if rng.chance(1, 3) {
        tests_block(&mut src, m);
    }
    Module {
        src: src.text,
        exports,
        planted,
    }
}

#[derive(Debug, Clone, Copy)]
enum Block {
    Helpers(usize),
    Types(bool),
    Async,
    Generic,
    Sessions,
    Guarded(usize),
    Report(usize),
    Plant(usize),
}

/// `normalize_{m}` and a chain of `depth` stages below it.
fn helpers(src: &mut Src, rng: &mut Rng, m: usize, depth: usize) {
    src.ln(&format!(
        "/// Normalizes a value before export ({depth} stages)."
    ));
    src.ln(&format!("pub fn normalize_{m}(input: &str) -> String {{"));
    src.ln("    let trimmed = text::trim_all(input);");
    src.ln(&format!("    stage_{m}_1(&trimmed)"));
    src.ln("}");
    src.blank();
    for d in 1..=depth {
        src.ln(&format!("fn stage_{m}_{d}(input: &str) -> String {{"));
        let next = if d < depth {
            format!("stage_{m}_{}", d + 1)
        } else {
            String::new()
        };
        match rng.below(3) {
            0 => {
                src.ln("    let collapsed = text::collapse_spaces(input);");
                if next.is_empty() {
                    src.ln("    collapsed.to_lowercase()");
                } else {
                    src.ln(&format!("    {next}(&collapsed)"));
                }
            }
            1 => {
                src.ln("    let mut out = String::with_capacity(input.len());");
                src.ln("    for c in input.chars() {");
                src.ln("        if !c.is_control() {");
                src.ln("            out.push(c);");
                src.ln("        }");
                src.ln("    }");
                if next.is_empty() {
                    src.ln("    out");
                } else {
                    src.ln(&format!("    {next}(&out)"));
                }
            }
            _ => {
                let sep = rng.pick(&['-', ':', '/', '.']).copied().unwrap_or('-');
                src.ln(&format!(
                    "    let parts: Vec<&str> = input.split('{sep}').collect();"
                ));
                src.ln(&format!("    let joined = parts.join(\"{sep}\");"));
                if next.is_empty() {
                    src.ln("    joined");
                } else {
                    src.ln(&format!("    {next}(&joined)"));
                }
            }
        }
        src.ln("}");
        src.blank();
    }
}

/// A record type with methods, an enum with a `match`, a personal type and
/// trait impls.
fn types(src: &mut Src, rng: &mut Rng, m: usize, visit_type: bool) {
    let weight = rng.range(2, 97);
    src.block(&format!(
        r#"/// A record prepared for export.
#[derive(Debug, Clone, Default)]
pub struct Row{m} {{
    pub key: String,
    pub value: String,
    pub weight: u64,
}}

impl Row{m} {{
    /// A row from a key and a value.
    pub fn new(key: &str, value: &str) -> Self {{
        Self {{
            key: key.to_string(),
            value: value.to_string(),
            weight: {weight},
        }}
    }}

    /// The combined key.
    pub fn full_key(&self) -> String {{
        text::join_parts(&self.key, &self.value, ':')
    }}

    /// Doubles the weight.
    pub fn heavier(mut self) -> Self {{
        self.weight = self.weight.saturating_mul(2);
        self
    }}
}}

impl Scorer for Row{m} {{
    fn score_of(&self, input: &str) -> u64 {{
        text::checksum(input) % {weight} + self.weight
    }}
}}

impl Labelled for Row{m} {{
    fn label(&self) -> String {{
        format!("row-{m}-{{}}", self.key.len())
    }}
}}

/// How a row is routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route{m} {{
    Direct,
    Batched(u32),
    Dropped,
}}

/// Picks a route for a weight.
pub fn route_{m}(weight: u64) -> Route{m} {{
    match weight % 3 {{
        0 => Route{m}::Direct,
        1 => Route{m}::Batched((weight % 17) as u32),
        _ => Route{m}::Dropped,
    }}
}}
"#
    ));
    src.blank();
    if visit_type {
        src.block(&format!(
            r#"/// A visit to a page, with where it came from.
#[derive(Personal, Debug, Clone, Default)]
pub struct Visit{m} {{
    #[personal(ip_address)]
    pub ip: String,
    pub path: String,
    pub hits: u32,
}}

/// Reports where a visit came from when the user agreed to metrics.
pub fn share_visit_{m}(visit: &Visit{m}, user_id: u64, store: &ConsentStore) {{
    if store.may_measure_device(user_id) {{
        sinks::send_network(visit.ip.clone());
    }}
}}
"#
        ));
        src.blank();
    }
}

fn async_block(src: &mut Src, m: usize) {
    src.block(&format!(
        r#"async fn count_rows_{m}(rows: &[Row{m}]) -> usize {{
    rows.iter().filter(|r| r.weight > 1).count()
}}

/// Refreshes rows asynchronously.
pub async fn refresh_{m}(rows: Vec<Row{m}>) -> usize {{
    let counted = count_rows_{m}(&rows).await;
    let heavier: Vec<Row{m}> = rows.into_iter().map(Row{m}::heavier).collect();
    counted + heavier.len()
}}
"#
    ));
    src.blank();
}

fn generic_block(src: &mut Src, rng: &mut Rng, m: usize) {
    let bias = rng.range(1, 1000);
    src.block(&format!(
        r#"/// Ranks rows with a caller-supplied scorer and a captured bias.
pub fn rank_{m}<F: Fn(&Row{m}) -> u64>(rows: &[Row{m}], f: F) -> Vec<u64> {{
    let bias = {bias}u64;
    let mut ranked: Vec<u64> = rows.iter().map(|r| f(r).wrapping_add(bias)).collect();
    ranked.sort_unstable();
    ranked
}}

/// Totals the scores of a batch.
pub fn total_{m}(batch: &Batch<Row{m}>) -> u64 {{
    let picked = batch.select(|r| r.weight % 2 == 0);
    gen_common::shapes::total_by(&picked, |r| r.biased_score(&r.key, {bias}))
}}
"#
    ));
    src.blank();
}

fn sessions_block(src: &mut Src, m: usize) {
    src.block(&format!(
        r#"/// Groups sessions by how many pages they saw.
pub fn bucket_sessions_{m}(sessions: &[Session]) -> Vec<(u32, usize)> {{
    let mut buckets: Vec<(u32, usize)> = Vec::new();
    for s in sessions {{
        let bucket = s.pages / 10;
        match buckets.iter_mut().find(|(b, _)| *b == bucket) {{
            Some((_, n)) => *n += 1,
            None => buckets.push((bucket, 1)),
        }}
    }}
    buckets
}}

/// Reports the address of a session when the user agreed to metrics.
pub fn share_session_{m}(session: &Session, user_id: u64, store: &ConsentStore) {{
    let ip = text::trim_all(&session.ip);
    if store.may_measure_device(user_id) {{
        sinks::send_network(ip);
    }}
}}
"#
    ));
    src.blank();
}

/// A guarded flow of personal data to a sink. Returns the function's name
/// and parameters.
fn guarded_block(
    src: &mut Src,
    rng: &mut Rng,
    m: usize,
    n: usize,
    which: usize,
) -> (String, Shape) {
    match which {
        0 => {
            // phone through the helper chain, field consent.
            let name = format!("share_phone_{m}_{n}");
            src.ln("/// Shares the normalized phone number when the user agreed.");
            src.ln(&format!(
                "pub fn {name}(acct: &Account, settings: &Settings) {{"
            ));
            src.ln(&format!("    let phone = normalize_{m}(&acct.phone);"));
            src.ln("    if settings.share_account_info {");
            src.ln("        sinks::upload_phone(phone);");
            src.ln("    }");
            src.ln("}");
            src.blank();
            (name, Shape::AcctSettings)
        }
        1 => {
            // email, consent check function.
            let name = format!("share_email_{m}_{n}");
            src.ln("/// Sends the address to advertisers when the user agreed.");
            src.ln(&format!(
                "pub fn {name}(acct: &Account, store: &ConsentStore) {{"
            ));
            src.ln("    if store.may_email_advertisers(acct.user_id) {");
            src.ln("        sinks::send_email(acct.email.clone());");
            src.ln("    }");
            src.ln("}");
            src.blank();
            (name, Shape::AcctStore)
        }
        2 => {
            // location through format!, field consent.
            let name = format!("share_location_{m}_{n}");
            let word = rng.pick(WORDS).copied().unwrap_or("alpha");
            src.ln("/// Suggests places near the user when the user agreed.");
            src.ln(&format!(
                "pub fn {name}(acct: &Account, settings: &Settings) {{"
            ));
            src.ln(&format!(
                "    let place = format!(\"{word}:{{}}\", acct.location);"
            ));
            src.ln("    if settings.share_location {");
            src.ln("        sinks::post_location(place);");
            src.ln("    }");
            src.ln("}");
            src.blank();
            (name, Shape::AcctSettings)
        }
        3 => {
            // device id through a struct literal and a method, check function.
            let name = format!("share_device_{m}_{n}");
            src.ln("/// Reports the device when the user agreed to metrics.");
            src.ln(&format!(
                "pub fn {name}(acct: &Account, store: &ConsentStore) {{"
            ));
            src.ln(&format!(
                "    let row = Row{m}::new(&acct.device_id, &acct.nickname);"
            ));
            src.ln("    if store.may_measure_device(acct.user_id) {");
            src.ln("        sinks::send_device(&row.key, acct.score);");
            src.ln("    }");
            src.ln("}");
            src.blank();
            (name, Shape::AcctStore)
        }
        4 => {
            // phones of a batch through closures, field consent, loop in the if.
            let name = format!("share_batch_{m}_{n}");
            let min = rng.range(1, 50);
            src.ln("/// Shares the masked phones of active accounts when allowed.");
            src.ln(&format!(
                "pub fn {name}(accounts: &[Account], settings: &Settings) -> usize {{"
            ));
            src.ln("    let phones: Vec<String> = accounts");
            src.ln("        .iter()");
            src.ln(&format!("        .filter(|a| a.score > {min})"));
            src.ln("        .map(|a| text::mask_tail(&a.phone, 4))");
            src.ln("        .collect();");
            src.ln("    let count = phones.len();");
            src.ln("    if settings.share_account_info {");
            src.ln("        for phone in phones {");
            src.ln("            sinks::upload_phone(phone);");
            src.ln("        }");
            src.ln("    }");
            src.ln("    count");
            src.ln("}");
            src.blank();
            (name, Shape::BatchSettings)
        }
        _ => {
            // os through a trait-object sink, field consent.
            let name = format!("share_os_{m}_{n}");
            src.ln("/// Sends the OS to the metrics uplink when the user agreed.");
            src.ln(&format!(
                "pub fn {name}(acct: &Account, settings: &Settings, uplink: &dyn Uplink) {{"
            ));
            src.ln("    let os = text::to_key(&acct.os);");
            src.ln("    if settings.share_device_info {");
            src.ln("        uplink.transmit_payload(&os);");
            src.ln("    }");
            src.ln("}");
            src.blank();
            (name, Shape::Uplink)
        }
    }
}

/// An unguarded sink call that receives no personal data.
fn report_block(src: &mut Src, rng: &mut Rng, name: &str, which: usize) {
    let word = rng.pick(WORDS).copied().unwrap_or("alpha");
    src.ln("/// Reports counts to the metrics service (no personal data).");
    src.ln(&format!("pub fn {name}(accounts: &[Account]) {{"));
    match which {
        0 => {
            src.ln(&format!(
                "    sinks::upload_metric(\"{word}_accounts\", accounts.len() as u64);"
            ));
        }
        1 => {
            let runs = rng.range(1, 9);
            src.ln(&format!(
                "    sinks::upload_metric(\"{word}_runs\", {runs} + accounts.len() as u64);"
            ));
        }
        _ => {
            src.ln("    if accounts.is_empty() {");
            src.ln(&format!(
                "        sinks::upload_metric(\"{word}_empty\", 1);"
            ));
            src.ln("    }");
        }
    }
    src.ln("}");
    src.blank();
}

/// The planted unguarded flow: a personal field read passed to a sink in an
/// entry point, with no check.
fn plant_block(src: &mut Src, m: usize, n: usize, which: usize) -> PlantedAt {
    let kind = FLOW_KINDS.get(which).copied().unwrap_or(FLOW_KINDS[0]);
    src.ln("/// Exports without asking the user (planted unguarded flow).");
    src.ln(&format!(
        "pub fn leak_{field}_{m}_{n}(acct: &Account) {{",
        field = kind.field
    ));
    let line = src.line;
    src.ln(&format!(
        "    {}",
        (kind.sink)(&format!("acct.{}.clone()", kind.field))
    ));
    src.ln("}");
    src.blank();
    PlantedAt { line, kind }
}

fn tests_block(src: &mut Src, m: usize) {
    src.block(&format!(
        r#"#[cfg(test)]
mod tests {{
    use super::*;

    #[test]
    fn routes_cover_every_weight() {{
        assert_eq!(route_{m}(0), Route{m}::Direct);
        assert_eq!(route_{m}(4), Route{m}::Batched(4));
        assert_eq!(route_{m}(2), Route{m}::Dropped);
    }}
}}
"#
    ));
}

/// `lib.rs` of service `k`: the modules and `run_all`, which calls every
/// guarded export and clean report (never a planted function).
fn service_lib(k: usize, modules: usize, exports: &[Export]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "//! Generated service crate {k}.");
    s.push('\n');
    s.push_str("pub mod consent;\npub mod model;\npub mod sinks;\n");
    for m in 0..modules {
        let _ = writeln!(s, "pub mod m{m:03};");
    }
    s.push('\n');
    s.push_str("use crate::consent::ConsentStore;\n");
    s.push_str("use crate::model::{Account, Settings};\n");
    s.push_str("use crate::sinks::Uplink;\n\n");
    s.push_str("/// Runs every export of this service for the given accounts.\n");
    s.push_str(
        "pub fn run_all(accounts: &[Account], settings: &Settings, store: &ConsentStore, uplink: &dyn Uplink) -> usize {\n",
    );
    s.push_str("    let mut shared = 0;\n");
    for e in exports.iter().filter(|e| e.shape == Shape::BatchSettings) {
        let _ = writeln!(
            s,
            "    shared += m{:03}::{}(accounts, settings);",
            e.module, e.name
        );
    }
    for e in exports.iter().filter(|e| e.shape == Shape::Report) {
        let _ = writeln!(s, "    m{:03}::{}(accounts);", e.module, e.name);
    }
    s.push_str("    for acct in accounts {\n");
    for e in exports {
        let call = match e.shape {
            Shape::AcctSettings => "(acct, settings)",
            Shape::AcctStore => "(acct, store)",
            Shape::Uplink => "(acct, settings, uplink)",
            Shape::BatchSettings | Shape::Report => continue,
        };
        let _ = writeln!(s, "        m{:03}::{}{call};", e.module, e.name);
    }
    s.push_str("    }\n    shared\n}\n");
    s
}

fn app_manifest(crates: usize) -> String {
    let mut s = String::from(
        "[package]\n\
         name = \"gen_app\"\n\
         version.workspace = true\n\
         edition.workspace = true\n\
         publish.workspace = true\n\
         \n\
         [dependencies]\n",
    );
    for k in 0..crates {
        let _ = writeln!(s, "svc_{k:04} = {{ path = \"../svc_{k:04}\" }}");
    }
    s
}

fn app_main(crates: usize) -> String {
    let mut s = String::from("//! The generated application: runs every service.\n\nfn main() {\n");
    s.push_str("    let mut total = 0usize;\n");
    for k in 0..crates {
        let _ = writeln!(
            s,
            "    {{\n        \
                 let accounts = vec![svc_{k:04}::model::Account {{ user_id: {k}, nickname: \"user{k}\".to_string(), ..Default::default() }}];\n        \
                 let settings = svc_{k:04}::model::Settings::default();\n        \
                 let store = svc_{k:04}::consent::ConsentStore::default();\n        \
                 let uplink = svc_{k:04}::sinks::HttpUplink::default();\n        \
                 total += svc_{k:04}::run_all(&accounts, &settings, &store, &uplink);\n    \
             }}"
        );
    }
    s.push_str("    println!(\"shared {total}\");\n}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny(seed: u64) -> Workspace {
        generate(&GenOptions {
            seed,
            target_lines: 8_000,
            datagate_path: "../../macros".to_string(),
        })
    }

    #[test]
    fn deterministic() {
        let a = tiny(1);
        let b = tiny(1);
        assert_eq!(a.files, b.files);
        assert_eq!(a.expected, b.expected);
        let c = tiny(2);
        assert_ne!(a.files, c.files);
    }

    #[test]
    fn reaches_the_target_and_counts_lines() {
        let ws = tiny(3);
        let counted: usize = ws
            .files
            .iter()
            .filter(|(p, _)| p.ends_with(".rs"))
            .map(|(_, t)| t.lines().count())
            .sum();
        assert_eq!(ws.expected.lines, counted);
        assert!(ws.expected.lines >= 8_000);
        assert!(ws.expected.lines < 8_000 + 1_000);
    }

    #[test]
    fn one_planted_flow_per_plant_every_modules() {
        let ws = tiny(4);
        let modules = ws.expected.modules;
        let want = (modules + PLANT_EVERY - 1 - PLANT_EVERY / 2) / PLANT_EVERY;
        assert!(modules > 2 * PLANT_EVERY, "{modules} modules");
        assert_eq!(ws.expected.planted.len(), want);
        for p in &ws.expected.planted {
            let text = &ws
                .files
                .iter()
                .find(|(f, _)| *f == p.file)
                .map(|(_, t)| t.clone())
                .unwrap_or_default();
            let line = text.lines().nth(p.line - 1).unwrap_or_default();
            assert!(line.starts_with("    sinks::"), "{line}");
            assert!(line.contains(".clone()"), "{line}");
            let before = text.lines().nth(p.line - 2).unwrap_or_default();
            assert!(before.starts_with("pub fn leak_"), "{before}");
        }
    }

    #[test]
    fn every_sink_call_but_planted_ones_is_guarded_or_clean() {
        let ws = tiny(5);
        for (file, text) in &ws.files {
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let call = line.trim_start();
                let personal_sink = call.starts_with("sinks::")
                    && !call.starts_with("sinks::upload_metric(")
                    || call.starts_with("uplink.transmit_payload(");
                if !personal_sink {
                    continue;
                }
                let planted = ws
                    .expected
                    .planted
                    .iter()
                    .any(|p| p.file == *file && p.line == i + 1);
                let guarded = lines[..i].iter().rev().take(3).any(|l| {
                    l.trim_start().starts_with("if settings.")
                        || l.trim_start().starts_with("if store.may_")
                });
                assert!(planted != guarded, "{file}:{}: {line}", i + 1);
            }
        }
    }

    #[test]
    fn every_file_parses_and_every_annotation_is_valid() {
        let ws = tiny(6);
        let mut annotations = 0;
        for (file, text) in ws.files.iter().filter(|(p, _)| p.ends_with(".rs")) {
            let parsed = syn::parse_file(text);
            assert!(parsed.is_ok(), "{file}: {parsed:?}");
            if let Ok(parsed) = parsed {
                let mut v = AttrCheck::default();
                syn::visit::Visit::visit_file(&mut v, &parsed);
                assert!(v.errors.is_empty(), "{file}: {:?}", v.errors);
                annotations += v.seen;
            }
        }
        assert!(annotations > 20, "{annotations}");
    }

    #[test]
    fn datagate_path_is_relative_inside_one_tree() {
        let p = datagate_path_for(Path::new("/r/bench/generated/100k"), Path::new("/r/macros"));
        assert_eq!(p, "../../../macros");
        let q = datagate_path_for(Path::new("/x/out"), Path::new("/r/macros"));
        assert_eq!(q, "/r/macros");
    }

    /// Parses every datagate attribute with the grammar shared by the macros
    /// and the linter.
    #[derive(Default)]
    struct AttrCheck {
        seen: usize,
        errors: Vec<String>,
    }

    impl<'ast> syn::visit::Visit<'ast> for AttrCheck {
        fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
            let path: Vec<String> = attr
                .path()
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let name = match path.as_slice() {
                [one] if one == "personal" || one == "consent" => one.clone(),
                [dg, one] if dg == "datagate" => one.clone(),
                _ => return,
            };
            let tokens = match &attr.meta {
                syn::Meta::List(list) => list.tokens.clone(),
                _ => proc_macro2::TokenStream::new(),
            };
            let span = proc_macro2::Span::call_site();
            let result = match name.as_str() {
                "personal" => datagate_spec::attr::parse_personal(tokens, span).map(|_| ()),
                "consent" => {
                    datagate_spec::attr::parse_consent(tokens, span, "consent").map(|_| ())
                }
                "consent_check" => {
                    datagate_spec::attr::parse_consent(tokens, span, "consent_check").map(|_| ())
                }
                "sink" => datagate_spec::attr::parse_sink(tokens, span).map(|_| ()),
                other => {
                    self.errors.push(format!("unexpected attribute {other}"));
                    Ok(())
                }
            };
            self.seen += 1;
            if let Err(e) = result {
                self.errors.push(format!("{name}: {e}"));
            }
        }
    }
}
