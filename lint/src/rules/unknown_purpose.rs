declare_rule! {
    /// ### What it does
    /// Reports a custom purpose (a string literal such as
    /// `purpose = "loyalty_emails"`) that the policy does not declare under
    /// `[purposes.NAME]`. Built-in purposes are idents checked at compile time.
    ///
    /// ### Why is this bad?
    /// Whether a purpose needs consent, and on which legal basis it is
    /// processed otherwise, is a decision the policy must record. A misspelt
    /// purpose also breaks the match between a sink and its consent check.
    ///
    /// ### Example
    /// ```rust,ignore
    /// #[datagate::sink(to = mailer, purpose = "loyalty_emails")]
    /// fn send(member: &Member) { /* ... */ }
    /// ```
    ///
    /// Use instead: declare the purpose.
    /// ```toml
    /// # datagate.toml
    /// [purposes.loyalty_emails]
    /// consent = "required"
    /// ```
    pub UNKNOWN_PURPOSE,
    datagate_spec::Code::UnknownPurpose,
    "an annotation names a custom purpose the policy does not declare"
}
