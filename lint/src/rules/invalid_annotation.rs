declare_rule! {
    /// ### What it does
    /// Reports a datagate attribute the linter cannot read: a misspelt
    /// category or argument, a missing `to` or `purpose`, an `args` entry that
    /// is not a parameter, an empty `reason`, or an attribute on an item it
    /// does not apply to. The `datagate` macros reject the same mistakes at
    /// compile time; the linter reports them too because it never compiles
    /// the code it checks.
    ///
    /// ### Why is this bad?
    /// An annotation that means nothing leaves a source, sink or consent
    /// check out of the analysis, so flows are missed or reported wrongly.
    ///
    /// ### Example
    /// ```rust,ignore
    /// #[datagate::sink(to = facebook)] // no purpose
    /// fn upload(rows: &[Row]) { /* ... */ }
    ///
    /// #[datagate::declassify(categories = [phone_number])] // no reason
    /// fn hash_phone(p: &str) -> Digest { /* ... */ }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// #[datagate::sink(to = facebook, purpose = advertising)]
    /// fn upload(rows: &[Row]) { /* ... */ }
    ///
    /// #[datagate::declassify(categories = [phone_number], reason = "salted SHA-256")]
    /// fn hash_phone(p: &str) -> Digest { /* ... */ }
    /// ```
    pub INVALID_ANNOTATION,
    datagate_spec::Code::InvalidAnnotation,
    "a datagate attribute is malformed or misplaced"
}
