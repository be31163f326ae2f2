//! One module per finding code, each with a clippy-style doc (What it does /
//! Why is this bad? / Example / Use instead) that `cargo datagate explain
//! CODE` prints and SARIF's `tool.driver.rules` carries.

use datagate_spec::Code;

/// The documentation of a finding code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub code: Code,
    /// One line, lowercase, no trailing period.
    pub summary: &'static str,
    /// The markdown explanation, as written in the module's doc comment.
    doc: &'static str,
}

impl Rule {
    /// The explanation as markdown (doc-comment indentation removed).
    pub fn doc(&self) -> String {
        let mut out = String::new();
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    /// What `cargo datagate explain CODE` prints.
    pub fn explain(&self) -> String {
        format!(
            "# {}\n\n{}\n\n{}",
            self.code.name(),
            self.summary,
            self.doc()
        )
    }
}

/// Declare a rule: its doc comment lines become [`Rule::doc`].
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* pub $name:ident, $code:expr, $summary:literal) => {
        $(#[doc = $doc])*
        pub const $name: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            summary: $summary,
            doc: concat!($($doc, "\n"),*),
        };
    };
}

mod invalid_annotation;
mod never_share;
mod parse_error;
mod unconsented_flow;
mod unknown_category;
mod unknown_purpose;
mod unknown_recipient;
mod unused_allow;

/// Every rule, in registry order.
pub const RULES: &[Rule] = &[
    unconsented_flow::UNCONSENTED_FLOW,
    never_share::NEVER_SHARE,
    unknown_recipient::UNKNOWN_RECIPIENT,
    unknown_category::UNKNOWN_CATEGORY,
    unknown_purpose::UNKNOWN_PURPOSE,
    invalid_annotation::INVALID_ANNOTATION,
    parse_error::PARSE_ERROR,
    unused_allow::UNUSED_ALLOW,
];

/// The rule of a code.
pub fn rule(code: Code) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// Look a rule up by kebab-case or snake_case name.
pub fn lookup(name: &str) -> Option<&'static Rule> {
    Code::from_name(name.trim()).and_then(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_explanation() {
        for code in Code::ALL {
            let r = rule(*code).unwrap_or_else(|| panic!("no explain text for {code}"));
            let doc = r.doc();
            for heading in ["### What it does", "### Why is this bad?", "### Example"] {
                assert!(doc.contains(heading), "{code}: missing `{heading}`");
            }
            assert!(
                doc.contains("Use instead:") || doc.contains("Instead"),
                "{code}: no `Use instead:`"
            );
            let first = r.summary.chars().next().unwrap();
            assert!(first.is_lowercase(), "{code}: summary starts uppercase");
            assert!(
                !r.summary.ends_with('.'),
                "{code}: summary ends with a period"
            );
        }
        assert_eq!(RULES.len(), Code::ALL.len());
    }

    #[test]
    fn lookup_accepts_both_spellings() {
        assert_eq!(
            lookup("unconsented-flow").map(|r| r.code),
            Some(Code::UnconsentedFlow)
        );
        assert_eq!(
            lookup("unconsented_flow").map(|r| r.code),
            Some(Code::UnconsentedFlow)
        );
        assert_eq!(lookup("nope"), None);
    }

    #[test]
    fn explain_text_is_markdown_without_doc_indentation() {
        let text = lookup("never-share").unwrap().explain();
        assert!(text.starts_with("# never-share\n\n"));
        assert!(text.contains("\n### What it does\n"));
    }
}
