declare_rule! {
    /// ### What it does
    /// Reports a recipient named in an annotation (`to = ...` of a sink or a
    /// consent check) that the policy does not declare under `[recipients]`,
    /// `[groups]` or `first_party`. With no `datagate.toml`, every recipient
    /// is accepted and treated as foreign.
    ///
    /// ### Why is this bad?
    /// A misspelt recipient silently breaks the match between a sink and its
    /// consent check, and the inventory cannot name the company behind an
    /// undeclared recipient.
    ///
    /// ### Example
    /// ```rust,ignore
    /// #[datagate::sink(to = "facebok", purpose = advertising)]
    /// fn upload(rows: &[Row]) { /* ... */ }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// #[datagate::sink(to = facebook, purpose = advertising)]
    /// fn upload(rows: &[Row]) { /* ... */ }
    /// ```
    /// and declare it in `datagate.toml`:
    /// ```toml
    /// [recipients]
    /// facebook = { company = "Meta Platforms, Inc." }
    /// ```
    pub UNKNOWN_RECIPIENT,
    datagate_spec::Code::UnknownRecipient,
    "an annotation names a recipient the policy does not declare"
}
