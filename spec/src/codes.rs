//! The registry of finding codes: one table, stable kebab-case names.

use std::fmt;

/// A finding code. The kebab-case name is stable and public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    UnconsentedFlow,
    NeverShare,
    UnknownRecipient,
    UnknownCategory,
    UnknownPurpose,
    InvalidAnnotation,
    ParseError,
    UnusedAllow,
}

impl Code {
    /// Every code, in registry order.
    pub const ALL: &'static [Code] = &[
        Code::UnconsentedFlow,
        Code::NeverShare,
        Code::UnknownRecipient,
        Code::UnknownCategory,
        Code::UnknownPurpose,
        Code::InvalidAnnotation,
        Code::ParseError,
        Code::UnusedAllow,
    ];

    /// The stable kebab-case name (`unconsented-flow`).
    pub const fn name(self) -> &'static str {
        match self {
            Code::UnconsentedFlow => "unconsented-flow",
            Code::NeverShare => "never-share",
            Code::UnknownRecipient => "unknown-recipient",
            Code::UnknownCategory => "unknown-category",
            Code::UnknownPurpose => "unknown-purpose",
            Code::InvalidAnnotation => "invalid-annotation",
            Code::ParseError => "parse-error",
            Code::UnusedAllow => "unused-allow",
        }
    }

    /// Look a code up by its kebab-case name or by the snake_case ident used
    /// in `#[datagate::allow(unconsented_flow)]`.
    pub fn from_name(name: &str) -> Option<Code> {
        let kebab = name.replace('_', "-");
        Code::ALL.iter().copied().find(|c| c.name() == kebab)
    }

    /// Codes that `allow` may suppress: findings about flows. Problems with
    /// the tool's input (parse errors, bad annotations) cannot be allowed away.
    pub const fn allowable(self) -> bool {
        matches!(
            self,
            Code::UnconsentedFlow | Code::NeverShare | Code::UnknownRecipient
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for code in Code::ALL {
            assert_eq!(Code::from_name(code.name()), Some(*code));
            assert_eq!(Code::from_name(&code.name().replace('-', "_")), Some(*code));
        }
        assert_eq!(Code::from_name("no-such-code"), None);
    }
}
