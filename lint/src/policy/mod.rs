//! The policy (`datagate.toml`): recipients, groups, first parties, purposes
//! that need no consent, never-share rules, external sinks and sources, and
//! custom categories. [`Policy::default`] is the zero-config policy: every
//! recipient named in the code is foreign, every purpose needs consent and
//! nothing is never-share.
//!
//! Loading and validating the TOML (with spanned diagnostics) lives in
//! `policy/load.rs`; this module is the model the analysis reads.

use std::collections::{BTreeMap, BTreeSet};

pub mod load;

pub use load::{
    find, load_file, load_for_workspace, load_nearest, load_str, PolicyError, PolicyProblem,
    FILE_NAME,
};

/// A validated policy. Group members are expanded (no cycles remain).
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Whether a file was loaded. With no file, every recipient is known.
    pub loaded: bool,
    pub first_party: BTreeSet<String>,
    /// Recipient name → company.
    pub recipients: BTreeMap<String, String>,
    /// Group name → member recipients, fully expanded.
    pub groups: BTreeMap<String, BTreeSet<String>>,
    /// Purposes that need no consent → stated legal basis.
    pub exempt_purposes: BTreeMap<String, String>,
    /// Custom purposes declared in `[purposes.x]` that need consent.
    pub custom_purposes: BTreeSet<String>,
    pub never_share: Vec<NeverShare>,
    pub sinks: Vec<ExternalSink>,
    pub sources: Vec<ExternalSource>,
    /// Custom category → its built-in group.
    pub custom_categories: BTreeMap<String, String>,
}

/// `[[never_share]]`: these categories (names or groups) may not reach these
/// recipients (`None`: any foreign recipient).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeverShare {
    pub categories: BTreeSet<String>,
    pub to: Option<BTreeSet<String>>,
}

/// `[[sinks]]`: an item of a dependency that sends data to a recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalSink {
    /// Full path, `fb_marketing::CustomAudience::upload`.
    pub path: String,
    pub to: Vec<String>,
    pub purposes: Vec<String>,
}

/// `[[sources]]`: a dependency item (function or type) whose values carry a category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalSource {
    pub path: String,
    pub categories: Vec<String>,
}

impl Policy {
    /// The recipients a name stands for: a group's members, or the name itself.
    pub fn expand_recipient(&self, name: &str) -> BTreeSet<String> {
        match self.groups.get(name) {
            Some(members) => members.clone(),
            None => BTreeSet::from([name.to_string()]),
        }
    }

    /// Whether a recipient or group name is declared (always, with no policy file).
    pub fn knows_recipient(&self, name: &str) -> bool {
        !self.loaded
            || self.recipients.contains_key(name)
            || self.groups.contains_key(name)
            || self.first_party.contains(name)
    }

    pub fn is_first_party(&self, recipient: &str) -> bool {
        self.first_party.contains(recipient)
    }

    /// The company behind a recipient, when the policy names it.
    pub fn company(&self, recipient: &str) -> Option<&str> {
        self.recipients.get(recipient).map(String::as_str)
    }

    /// The legal basis of a purpose that needs no consent.
    pub fn exemption(&self, purpose: &str) -> Option<&str> {
        self.exempt_purposes.get(purpose).map(String::as_str)
    }

    /// Whether a custom (string-literal) purpose is declared.
    pub fn knows_purpose(&self, purpose: &str) -> bool {
        datagate_spec::taxonomy::purpose(purpose).is_some()
            || self.exempt_purposes.contains_key(purpose)
            || self.custom_purposes.contains(purpose)
    }

    /// Whether a category name (built-in, group or custom) is known.
    pub fn knows_category(&self, category: &str) -> bool {
        datagate_spec::taxonomy::lookup_for_marking(category).is_some()
            || self.custom_categories.contains_key(category)
    }

    /// The group of a category (built-in or custom).
    pub fn group_of(&self, category: &str) -> Option<&str> {
        datagate_spec::taxonomy::category(category)
            .map(|c| c.group)
            .or_else(|| self.custom_categories.get(category).map(String::as_str))
    }

    /// Whether `category` may never reach `recipient` (a foreign recipient).
    pub fn never_shared(&self, category: &str, recipient: &str) -> bool {
        let group = self.group_of(category);
        self.never_share.iter().any(|rule| {
            let cat_hit = rule.categories.contains(category)
                || group.is_some_and(|g| rule.categories.contains(g));
            let to_hit = match &rule.to {
                None => true,
                Some(to) => to.contains(recipient),
            };
            cat_hit && to_hit
        })
    }
}
