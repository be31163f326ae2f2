//! Loading `datagate.toml`: TOML → spanned raw model (serde, with unknown
//! keys denied) → validated [`Policy`] with groups expanded.
//!
//! Structural mistakes (not TOML, an unknown key, a value of the wrong type)
//! stop deserialisation at the first one; every semantic mistake after that
//! (unknown names, cycles, a missing legal basis, bad paths) is collected, so
//! the user sees all of them at once. Each is a miette diagnostic labelled at
//! its span in the TOML.

use super::{ExternalSink, ExternalSource, NeverShare, Policy};
use datagate_spec::suggest::did_you_mean;
use datagate_spec::taxonomy;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use toml::Spanned;

/// The policy file looked for at the workspace root.
pub const FILE_NAME: &str = "datagate.toml";

/// A policy that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("could not read policy `{path}`: {message}")]
    Read { path: String, message: String },
    /// The file was read but is not a valid policy.
    #[error(transparent)]
    Invalid(Box<PolicyProblem>),
}

impl Diagnostic for PolicyError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            PolicyError::Read { .. } => Some(Box::new("datagate::policy::read")),
            PolicyError::Invalid(p) => p.code(),
        }
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            PolicyError::Read { .. } => None,
            PolicyError::Invalid(p) => p.help(),
        }
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        match self {
            PolicyError::Read { .. } => None,
            PolicyError::Invalid(p) => p.source_code(),
        }
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        match self {
            PolicyError::Read { .. } => None,
            PolicyError::Invalid(p) => p.labels(),
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        match self {
            PolicyError::Read { .. } => None,
            PolicyError::Invalid(p) => p.related(),
        }
    }
}

impl PolicyError {
    /// Every problem, first one first (empty for a read error).
    pub fn problems(&self) -> Vec<&PolicyProblem> {
        match self {
            PolicyError::Read { .. } => Vec::new(),
            PolicyError::Invalid(p) => std::iter::once(&**p).chain(p.others.iter()).collect(),
        }
    }
}

/// One mistake in the policy, labelled at its TOML span. The first problem
/// of a file carries the others as related diagnostics.
#[derive(Debug, Clone)]
pub struct PolicyProblem {
    /// A stable kebab-case kind (`unknown-recipient`), part of the code.
    pub kind: &'static str,
    pub message: String,
    pub label: String,
    pub span: Range<usize>,
    pub help: Option<String>,
    src: NamedSource<Arc<str>>,
    others: Vec<PolicyProblem>,
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyProblem {}

impl Diagnostic for PolicyProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("datagate::policy::{}", self.kind)))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = SourceSpan::from(self.span.clone());
        let label = (!self.label.is_empty()).then(|| self.label.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            label, span,
        ))))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.others.is_empty() {
            None
        } else {
            Some(Box::new(self.others.iter().map(|p| p as &dyn Diagnostic)))
        }
    }
}

/// Load the policy for a workspace: `explicit` (`--policy F`) if given, else
/// `<root>/datagate.toml` if it exists, else the zero-config default.
pub fn load_for_workspace(explicit: Option<&Path>, root: &Path) -> Result<Policy, PolicyError> {
    load_nearest(explicit, root, root)
}

/// The `datagate.toml` nearest to `start`: in `start` or a parent directory
/// up to the workspace `root` (a member crate may carry its own policy, as
/// `clippy.toml` may), else at the root.
pub fn find(start: &Path, root: &Path) -> Option<std::path::PathBuf> {
    if start.starts_with(root) {
        for dir in start.ancestors() {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            if dir == root {
                break;
            }
        }
    }
    let candidate = root.join(FILE_NAME);
    candidate.is_file().then_some(candidate)
}

/// Load the policy: `explicit` if given, else the file [`find`] finds from
/// `start`, else the zero-config default. Diagnostics name the file
/// relative to the root.
pub fn load_nearest(
    explicit: Option<&Path>,
    start: &Path,
    root: &Path,
) -> Result<Policy, PolicyError> {
    match explicit {
        Some(path) => load_file(path, &path.display().to_string()),
        None => match find(start, root) {
            Some(path) => {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let name = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                load_file(&path, &name)
            }
            None => Ok(Policy::default()),
        },
    }
}

/// Read and validate a policy file; `name` is how diagnostics name it.
pub fn load_file(path: &Path, name: &str) -> Result<Policy, PolicyError> {
    let bytes = std::fs::read(path).map_err(|e| PolicyError::Read {
        path: name.to_string(),
        message: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| PolicyError::Read {
        path: name.to_string(),
        message: "the file is not UTF-8".to_string(),
    })?;
    load_str(name, &text)
}

/// Validate policy text; `name` is how diagnostics name the file.
pub fn load_str(name: &str, text: &str) -> Result<Policy, PolicyError> {
    let src: Arc<str> = Arc::from(text);
    let mut cx = Cx {
        src: NamedSource::new(name, src.clone()),
        problems: Vec::new(),
    };
    let raw: Raw = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim_end().trim_end_matches('.').to_string();
            let (kind, help) = if message.starts_with("unknown field") {
                (
                    "unknown-key",
                    Some("see the policy reference in the README".to_string()),
                )
            } else {
                ("syntax", None)
            };
            cx.push(
                kind,
                span,
                format!("invalid policy: {message}"),
                "here",
                help,
            );
            return Err(cx.finish());
        }
    };
    let policy = validate(raw, &mut cx);
    if cx.problems.is_empty() {
        Ok(policy)
    } else {
        Err(cx.finish())
    }
}

struct Cx {
    src: NamedSource<Arc<str>>,
    problems: Vec<PolicyProblem>,
}

impl Cx {
    fn push(
        &mut self,
        kind: &'static str,
        span: Range<usize>,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        self.problems.push(PolicyProblem {
            kind,
            message,
            label: label.to_string(),
            span,
            help,
            src: self.src.clone(),
            others: Vec::new(),
        });
    }

    fn finish(self) -> PolicyError {
        let mut problems = self.problems;
        problems.sort_by_key(|p| (p.span.start, p.span.end));
        let mut iter = problems.into_iter();
        match iter.next() {
            Some(mut first) => {
                first.others = iter.collect();
                PolicyError::Invalid(Box::new(first))
            }
            None => PolicyError::Read {
                path: self.src.name().to_string(),
                message: "invalid policy".to_string(),
            },
        }
    }
}

// ---------------------------------------------------------------------------
// The raw, spanned model of the file.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    first_party: Vec<Spanned<String>>,
    #[serde(default)]
    recipients: BTreeMap<Spanned<String>, RawRecipient>,
    #[serde(default)]
    groups: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(default)]
    purposes: BTreeMap<Spanned<String>, RawPurpose>,
    #[serde(default)]
    never_share: Vec<Spanned<RawNeverShare>>,
    #[serde(default)]
    sinks: Vec<Spanned<RawSink>>,
    #[serde(default)]
    sources: Vec<Spanned<RawSource>>,
    #[serde(default)]
    categories: BTreeMap<Spanned<String>, RawCategory>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipient {
    company: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum ConsentRule {
    Required,
    NotRequired,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPurpose {
    consent: Option<Spanned<ConsentRule>>,
    basis: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNeverShare {
    categories: Spanned<Names>,
    to: Option<Spanned<Names>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSink {
    path: Spanned<String>,
    to: Spanned<Names>,
    purpose: Spanned<Names>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    path: Spanned<String>,
    category: Option<Spanned<Names>>,
    categories: Option<Spanned<Names>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    group: Spanned<String>,
}

/// A name or a list of names. A single string gets its span from the
/// enclosing `Spanned` (see [`names`]).
#[derive(Debug)]
struct Names(Vec<(String, Option<Range<usize>>)>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Names;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name or a list of names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Names, E> {
                Ok(Names(vec![(v.to_string(), None)]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Names, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<Spanned<String>>()? {
                    let span = s.span();
                    out.push((s.into_inner(), Some(span)));
                }
                Ok(Names(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// The names with their spans (a single string: the value's span).
fn names(n: &Spanned<Names>) -> Vec<(String, Range<usize>)> {
    n.get_ref()
        .0
        .iter()
        .map(|(s, span)| (s.clone(), span.clone().unwrap_or_else(|| n.span())))
        .collect()
}

// ---------------------------------------------------------------------------
// Validation.

fn validate(raw: Raw, cx: &mut Cx) -> Policy {
    let mut policy = Policy {
        loaded: true,
        ..Policy::default()
    };

    // Recipients, first parties and groups share one namespace.
    for name in &raw.first_party {
        check_name(cx, name, "first-party name");
        policy.first_party.insert(name.get_ref().clone());
    }
    for (name, r) in &raw.recipients {
        check_name(cx, name, "recipient name");
        policy
            .recipients
            .insert(name.get_ref().clone(), r.company.clone());
    }
    for name in raw.groups.keys() {
        check_name(cx, name, "group name");
        let n = name.get_ref();
        if policy.recipients.contains_key(n) || policy.first_party.contains(n) {
            cx.push(
                "duplicate-name",
                name.span(),
                format!("group `{n}` has the name of a recipient"),
                "also a recipient",
                Some("rename the group or the recipient".to_string()),
            );
        }
    }
    let party_names: Vec<String> = policy
        .recipients
        .keys()
        .chain(policy.first_party.iter())
        .chain(raw.groups.keys().map(|k| k.get_ref()))
        .cloned()
        .collect();
    let recipient_known = |n: &str| {
        policy.recipients.contains_key(n)
            || policy.first_party.contains(n)
            || raw.groups.keys().any(|k| k.get_ref() == n)
    };
    for members in raw.groups.values() {
        for m in members {
            if !recipient_known(m.get_ref()) {
                unknown_recipient(cx, m.get_ref(), m.span(), &party_names);
            }
        }
    }
    policy.groups = expand_groups(&raw.groups, cx);

    // Custom categories (before anything names categories).
    for (name, cat) in &raw.categories {
        let n = name.get_ref();
        check_name(cx, name, "category name");
        if taxonomy::lookup_for_marking(n).is_some() {
            cx.push(
                "duplicate-name",
                name.span(),
                format!("`{n}` is a built-in category"),
                "built in",
                Some("remove this table or choose another name".to_string()),
            );
            continue;
        }
        let g = cat.group.get_ref();
        if taxonomy::group(g).is_none() {
            let names = taxonomy::GROUPS.iter().map(|g| g.name);
            cx.push(
                "unknown-group",
                cat.group.span(),
                format!(
                    "unknown built-in group `{g}`{}",
                    did_you_mean(g, names.clone())
                ),
                "not a built-in group",
                Some(format!(
                    "the groups are {}",
                    names.collect::<Vec<_>>().join(", ")
                )),
            );
            continue;
        }
        policy.custom_categories.insert(n.clone(), g.clone());
    }

    // Purposes.
    for (name, p) in &raw.purposes {
        let n = name.get_ref();
        check_name(cx, name, "purpose name");
        let rule = p
            .consent
            .as_ref()
            .map_or(ConsentRule::Required, |c| *c.get_ref());
        match rule {
            ConsentRule::NotRequired => {
                match p.basis.as_ref().filter(|b| !b.get_ref().trim().is_empty()) {
                    Some(basis) => {
                        policy
                            .exempt_purposes
                            .insert(n.clone(), basis.get_ref().trim().to_string());
                    }
                    None => {
                        let span = match (&p.basis, &p.consent) {
                            (Some(b), _) => b.span(),
                            (None, Some(c)) => c.span(),
                            (None, None) => name.span(),
                        };
                        cx.push(
                            "missing-basis",
                            span,
                            format!("purpose `{n}` needs no consent but states no legal basis"),
                            "no `basis`",
                            Some(format!(
                                "add `basis = \"…\"` under [purposes.{n}], e.g. \"legitimate interest: fighting spam and abuse\""
                            )),
                        );
                    }
                }
            }
            ConsentRule::Required => {
                if taxonomy::purpose(n).is_none() {
                    policy.custom_purposes.insert(n.clone());
                }
            }
        }
    }

    // Never-share rules.
    for rule in &raw.never_share {
        let r = rule.get_ref();
        let cats = names(&r.categories);
        if cats.is_empty() {
            cx.push(
                "empty-list",
                r.categories.span(),
                "`categories` is empty".to_string(),
                "no categories",
                Some("name at least one category or group".to_string()),
            );
        }
        let mut categories = BTreeSet::new();
        for (c, span) in cats {
            if check_category(cx, &policy, &c, span) {
                categories.insert(c);
            }
        }
        let to = r.to.as_ref().map(|to| {
            let mut set = BTreeSet::new();
            for (t, span) in names(to) {
                if recipient_known(&t) {
                    set.extend(policy.expand_recipient(&t));
                } else {
                    unknown_recipient(cx, &t, span, &party_names);
                }
            }
            set
        });
        policy.never_share.push(NeverShare { categories, to });
    }

    // External sinks and sources.
    for sink in &raw.sinks {
        let s = sink.get_ref();
        check_path(cx, &s.path);
        let mut to = Vec::new();
        for (t, span) in names(&s.to) {
            if recipient_known(&t) {
                to.push(t);
            } else {
                unknown_recipient(cx, &t, span, &party_names);
            }
        }
        if to.is_empty() && s.to.get_ref().0.is_empty() {
            empty(cx, s.to.span(), "to", "recipient");
        }
        let mut purposes = Vec::new();
        for (p, span) in names(&s.purpose) {
            if policy.knows_purpose(&p) {
                purposes.push(p);
            } else {
                unknown_purpose(cx, &policy, &p, span);
            }
        }
        if s.purpose.get_ref().0.is_empty() {
            empty(cx, s.purpose.span(), "purpose", "purpose");
        }
        policy.sinks.push(ExternalSink {
            path: s.path.get_ref().clone(),
            to,
            purposes,
        });
    }
    for source in &raw.sources {
        let s = source.get_ref();
        check_path(cx, &s.path);
        let cats = match (&s.category, &s.categories) {
            (Some(c), None) | (None, Some(c)) => names(c),
            (Some(_), Some(c)) => {
                cx.push(
                    "conflicting-keys",
                    c.span(),
                    "a source has both `category` and `categories`".to_string(),
                    "second list",
                    Some("keep one of them".to_string()),
                );
                Vec::new()
            }
            (None, None) => {
                cx.push(
                    "missing-key",
                    source.span(),
                    "a source needs `category` or `categories`".to_string(),
                    "no category",
                    Some("add `category = \"…\"`".to_string()),
                );
                Vec::new()
            }
        };
        let mut categories = Vec::new();
        for (c, span) in cats {
            if check_category(cx, &policy, &c, span) {
                categories.push(c);
            }
        }
        policy.sources.push(ExternalSource {
            path: s.path.get_ref().clone(),
            categories,
        });
    }
    policy
}

fn empty(cx: &mut Cx, span: Range<usize>, key: &str, what: &str) {
    cx.push(
        "empty-list",
        span,
        format!("`{key}` is empty"),
        "empty",
        Some(format!("name at least one {what}")),
    );
}

fn check_name(cx: &mut Cx, name: &Spanned<String>, what: &str) {
    if name.get_ref().trim().is_empty() {
        cx.push(
            "bad-name",
            name.span(),
            format!("empty {what}"),
            "empty",
            None,
        );
    }
}

fn unknown_recipient(cx: &mut Cx, name: &str, span: Range<usize>, known: &[String]) {
    cx.push(
        "unknown-recipient",
        span,
        format!(
            "unknown recipient or group `{name}`{}",
            did_you_mean(name, known.iter().map(String::as_str))
        ),
        "not declared",
        Some(format!(
            "declare it under [recipients]: `{name} = {{ company = \"…\" }}`"
        )),
    );
}

fn unknown_purpose(cx: &mut Cx, policy: &Policy, name: &str, span: Range<usize>) {
    let known: Vec<&str> = taxonomy::PURPOSES
        .iter()
        .map(|p| p.name)
        .chain(policy.exempt_purposes.keys().map(String::as_str))
        .chain(policy.custom_purposes.iter().map(String::as_str))
        .collect();
    cx.push(
        "unknown-purpose",
        span,
        format!(
            "unknown purpose `{name}`{}",
            did_you_mean(name, known.iter().copied())
        ),
        "not a built-in or declared purpose",
        Some(format!("declare it: `[purposes.{name}]`")),
    );
}

/// Whether `name` is a built-in category or group or a custom category;
/// reports it when not.
fn check_category(cx: &mut Cx, policy: &Policy, name: &str, span: Range<usize>) -> bool {
    if policy.knows_category(name) {
        return true;
    }
    let mut known: Vec<&str> = taxonomy::category_like_names().collect();
    known.extend(policy.custom_categories.keys().map(String::as_str));
    cx.push(
        "unknown-category",
        span,
        format!(
            "unknown category `{name}`{}",
            did_you_mean(name, known.iter().copied())
        ),
        "not a built-in or custom category",
        Some(format!(
            "declare a custom category: `[categories.{name}]` with `group = \"…\"`"
        )),
    );
    false
}

/// `crate::module::Item` paths: at least two `::`-separated identifiers.
fn check_path(cx: &mut Cx, path: &Spanned<String>) {
    let p = path.get_ref();
    let segments: Vec<&str> = p.split("::").collect();
    let ident = |s: &str| {
        let mut chars = s.chars();
        match chars.next() {
            Some(c) if c == '_' || c.is_alphabetic() => {
                s != "_" && chars.all(|c| c == '_' || c.is_alphanumeric())
            }
            _ => false,
        }
    };
    let bad = segments.iter().find(|s| !ident(s));
    if segments.len() < 2 || bad.is_some() {
        let why = match bad {
            Some(&"") => "an empty segment".to_string(),
            Some(s) => format!("`{s}` is not an identifier"),
            None => "a single segment".to_string(),
        };
        cx.push(
            "bad-path",
            path.span(),
            format!("invalid item path `{p}`: {why}"),
            "not a path",
            Some("write the full path of the dependency item, e.g. `fb_marketing::CustomAudience::upload`".to_string()),
        );
    }
}

/// Expand groups to their member recipients; report each cycle once, at the
/// member that closes it.
fn expand_groups(
    groups: &BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    cx: &mut Cx,
) -> BTreeMap<String, BTreeSet<String>> {
    let members: BTreeMap<&str, &Vec<Spanned<String>>> = groups
        .iter()
        .map(|(k, v)| (k.get_ref().as_str(), v))
        .collect();
    let mut done: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in members.keys() {
        let mut stack = Vec::new();
        expand(name, &members, &mut done, &mut stack, cx);
    }
    done
}

fn expand(
    name: &str,
    members: &BTreeMap<&str, &Vec<Spanned<String>>>,
    done: &mut BTreeMap<String, BTreeSet<String>>,
    stack: &mut Vec<String>,
    cx: &mut Cx,
) -> BTreeSet<String> {
    if let Some(set) = done.get(name) {
        return set.clone();
    }
    let mut out = BTreeSet::new();
    stack.push(name.to_string());
    for m in members.get(name).copied().into_iter().flatten() {
        let mname = m.get_ref();
        if members.contains_key(mname.as_str()) {
            if let Some(pos) = stack.iter().position(|s| s == mname) {
                let mut cycle: Vec<&str> = stack[pos..].iter().map(String::as_str).collect();
                cycle.push(mname);
                cx.push(
                    "group-cycle",
                    m.span(),
                    format!("group `{mname}` contains itself: {}", cycle.join(" → ")),
                    "closes the cycle",
                    Some(format!("remove `{mname}` from group `{name}`")),
                );
                continue;
            }
            out.extend(expand(mname, members, done, stack, cx));
        } else {
            out.insert(mname.clone());
        }
    }
    stack.pop();
    done.insert(name.to_string(), out.clone());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
first_party = ["messenger"]

[recipients]
facebook = { company = "Meta Platforms, Inc." }
facebook_payments = { company = "Facebook Payments Inc." }
instagram = { company = "Meta Platforms, Inc." }
onavo = { company = "Onavo, Inc." }
advertisers = { company = "third-party advertisers" }

[groups]
meta = ["facebook", "instagram"]
facebook_companies = ["meta", "facebook_payments", "onavo"]

[purposes.security]
consent = "not-required"
basis = "legitimate interest: fighting spam and abuse"

[purposes.loyalty_emails]
consent = "required"

[[never_share]]
categories = ["message_content", "contacts"]

[[never_share]]
categories = ["phone_number"]
to = ["advertisers", "meta"]

[[sinks]]
path = "fb_marketing::CustomAudience::upload"
to = "facebook"
purpose = "advertising"

[[sinks]]
path = "fb_sdk::log_event"
to = ["facebook", "instagram"]
purpose = ["analytics", "loyalty_emails"]

[[sources]]
path = "axum::extract::ConnectInfo"
category = "ip_address"

[[sources]]
path = "geo::locate"
categories = ["location", "loyalty_tier"]

[categories.loyalty_tier]
group = "activity"
"#;

    fn problems(text: &str) -> Vec<(String, String)> {
        match load_str("datagate.toml", text) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .problems()
                .iter()
                .map(|p| (p.kind.to_string(), p.message.clone()))
                .collect(),
        }
    }

    #[test]
    fn loads_the_full_example() {
        let p = load_str("datagate.toml", FULL).unwrap();
        assert!(p.loaded);
        assert!(p.is_first_party("messenger"));
        assert_eq!(p.company("onavo"), Some("Onavo, Inc."));
        assert_eq!(
            p.groups["facebook_companies"],
            BTreeSet::from(
                ["facebook", "instagram", "facebook_payments", "onavo"].map(String::from)
            )
        );
        assert_eq!(
            p.exemption("security"),
            Some("legitimate interest: fighting spam and abuse")
        );
        assert!(p.custom_purposes.contains("loyalty_emails"));
        assert!(p.knows_purpose("loyalty_emails"));
        assert!(p.never_shared("message_content", "facebook"));
        assert!(p.never_shared("phone_number", "instagram"));
        assert!(!p.never_shared("phone_number", "onavo"));
        assert_eq!(p.sinks.len(), 2);
        assert_eq!(p.sinks[1].purposes, ["analytics", "loyalty_emails"]);
        assert_eq!(p.sources[1].categories, ["location", "loyalty_tier"]);
        assert_eq!(p.group_of("loyalty_tier"), Some("activity"));
    }

    #[test]
    fn empty_file_is_a_loaded_empty_policy() {
        let p = load_str("datagate.toml", "").unwrap();
        assert!(p.loaded);
        assert!(p.recipients.is_empty());
    }

    #[test]
    fn not_toml() {
        let ps = problems("first_party = [");
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].0, "syntax");
    }

    #[test]
    fn unknown_key_is_denied_with_its_span() {
        let text = "[recipients]\nfacebook = { company = \"Meta\", country = \"US\" }\n";
        let e = load_str("datagate.toml", text).unwrap_err();
        let p = e.problems()[0];
        assert_eq!(p.kind, "unknown-key");
        assert!(
            p.message.contains("unknown field `country`"),
            "{}",
            p.message
        );
        assert_eq!(&text[p.span.clone()], "country");
        let e = load_str("datagate.toml", "recipient = []").unwrap_err();
        assert_eq!(e.problems()[0].kind, "unknown-key");
    }

    #[test]
    fn semantic_problems_are_all_collected() {
        let text = r#"
[recipients]
facebook = { company = "Meta" }

[groups]
a = ["b", "facebok"]
b = ["a"]

[purposes.security]
consent = "not-required"

[[never_share]]
categories = ["phone_nmber"]
to = "advertisers"

[[sinks]]
path = "fb::"
to = "facebook"
purpose = "advertsing"

[[sources]]
path = "single"

[categories.tier]
group = "actvity"
"#;
        let ps = problems(text);
        let kinds: Vec<&str> = ps.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "unknown-recipient",
                "group-cycle",
                "missing-basis",
                "unknown-category",
                "unknown-recipient",
                "bad-path",
                "unknown-purpose",
                "missing-key",
                "bad-path",
                "unknown-group",
            ],
            "{ps:#?}"
        );
        assert!(ps[0].1.contains("did you mean `facebook`?"));
        assert_eq!(ps[1].1, "group `a` contains itself: a → b → a");
        assert!(ps[3].1.contains("did you mean `phone_number`?"));
        assert!(ps[6].1.contains("did you mean `advertising`?"));
        assert!(ps[9].1.contains("did you mean `activity`?"));
    }

    #[test]
    fn labels_point_at_the_value() {
        let text = "[[sinks]]\npath = \"a::b\"\nto = [\"facebook\"]\npurpose = \"ads\"\n";
        let e = load_str("datagate.toml", text).unwrap_err();
        let ps = e.problems();
        assert_eq!(&text[ps[0].span.clone()], "\"facebook\"");
        assert_eq!(&text[ps[1].span.clone()], "\"ads\"");
    }

    #[test]
    fn custom_category_rules() {
        let ps = problems("[categories.email]\ngroup = \"contact\"\n");
        assert_eq!(ps[0].0, "duplicate-name");
        let p = load_str(
            "datagate.toml",
            "[categories.tier]\ngroup = \"activity\"\n[[never_share]]\ncategories = [\"tier\", \"device\"]\n",
        )
        .unwrap();
        assert!(p.never_shared("tier", "anyone"));
        assert!(p.never_shared("os", "anyone"));
    }

    #[test]
    fn garbage_never_panics_and_renders() {
        let inputs = [
            "\u{0}\u{1}é\n[[",
            "[groups]\na = [\"a\"]\n",
            "[groups]\na = [\"b\"]\nb = [\"c\"]\nc = [\"a\", \"é\"]\n",
            "[[sinks]]\npath = \"::\"\nto = []\npurpose = []\n",
            "[[sources]]\npath = \"a::b\"\ncategory = \"x\"\ncategories = [\"y\"]\n",
            "[[never_share]]\ncategories = []\nto = [\"ß\"]\n",
            "[categories.\"\"]\ngroup = \"\"\n",
            "first_party = [\"\"]\n[recipients.\"\"]\ncompany = \"\"\n",
            "[purposes.x]\nconsent = \"not-required\"\nbasis = \"  \"\n",
            "[purposes]\nx = 1\n",
        ];
        for text in inputs {
            if let Err(e) = load_str("datagate.toml", text) {
                assert!(!e.problems().is_empty(), "{text}");
                let shown = crate::report::human::render_diagnostic(&e, false, 80);
                assert!(shown.contains("datagate.toml"), "{text}: {shown}");
            }
        }
        let ps = problems("[groups]\na = [\"a\"]\n");
        assert_eq!(ps[0].0, "group-cycle");
    }

    #[test]
    fn bad_consent_value() {
        let ps = problems("[purposes.ads]\nconsent = \"maybe\"\n");
        assert_eq!(ps.len(), 1);
        assert!(ps[0].1.contains("unknown variant `maybe`"), "{}", ps[0].1);
    }

    #[test]
    fn missing_file_falls_back_to_default() {
        let dir = std::env::temp_dir().join("datagate-policy-test-none");
        let _ = std::fs::create_dir_all(&dir);
        let p = load_for_workspace(None, &dir).unwrap();
        assert!(!p.loaded);
        let e = load_for_workspace(Some(&dir.join("nope.toml")), &dir).unwrap_err();
        assert!(matches!(e, PolicyError::Read { .. }));
    }

    #[test]
    fn nearest_policy_wins() {
        let root =
            std::env::temp_dir().join(format!("datagate-policy-near-{}", std::process::id()));
        let member = root.join("crates").join("app");
        std::fs::create_dir_all(&member).unwrap();
        assert_eq!(find(&member, &root), None);
        std::fs::write(root.join(FILE_NAME), "first_party = [\"root\"]").unwrap();
        assert_eq!(find(&member, &root), Some(root.join(FILE_NAME)));
        std::fs::write(member.join(FILE_NAME), "first_party = [\"app\"]").unwrap();
        assert_eq!(find(&member, &root), Some(member.join(FILE_NAME)));
        let p = load_nearest(None, &member, &root).unwrap();
        assert!(p.is_first_party("app"));
        // Outside the workspace: the root's policy.
        assert_eq!(
            find(&std::env::temp_dir(), &root),
            Some(root.join(FILE_NAME))
        );
        std::fs::write(member.join(FILE_NAME), "first_party = 1").unwrap();
        let e = load_nearest(None, &member, &root).unwrap_err();
        assert!(format!("{:?}", e.problems()[0]).contains("crates/app/datagate.toml"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
