declare_rule! {
    /// ### What it does
    /// Reports personal data that reaches a sink of another company (a
    /// `#[datagate::sink]` function or a `[[sinks]]` item of the policy) on a
    /// path where no matching consent check guards the call. A check matches
    /// when its recipients include the sink's recipient, its purposes include
    /// the sink's purpose and its categories include the data's category, and
    /// the sink only runs when the check said yes.
    ///
    /// The finding is placed where a guard would naturally go: in the lowest
    /// function that both the data and the sink call have in common. The
    /// trace lists every hop from the source of the data to the sink.
    ///
    /// ### Why is this bad?
    /// The user did not agree to this sharing. Under the GDPR and similar laws,
    /// personal data shared with another company for a purpose such as
    /// advertising needs the user's consent, and a setting the user switched
    /// off must actually stop the data from leaving.
    ///
    /// ### Example
    /// ```rust,ignore
    /// #[datagate::sink(to = facebook, purpose = advertising)]
    /// fn upload_custom_audience(phones: &[String]) { /* ... */ }
    ///
    /// fn sync(account: &Account) {
    ///     upload_custom_audience(&[account.phone.clone()]);
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// fn sync(account: &Account, settings: &Settings) {
    ///     // `share_account_info` is a #[consent(to = facebook, purpose = advertising)] field
    ///     if settings.share_account_info {
    ///         upload_custom_audience(&[account.phone.clone()]);
    ///     }
    /// }
    /// ```
    ///
    /// If the purpose needs no consent (security, for example), state its legal
    /// basis in `datagate.toml`: `[purposes.security] consent = "not-required"`
    /// with `basis = "…"`. If the flow was reviewed and is allowed, suppress it
    /// with `#[datagate::allow(unconsented_flow, reason = "…")]` on the function.
    pub UNCONSENTED_FLOW,
    datagate_spec::Code::UnconsentedFlow,
    "personal data reaches another company's sink without a matching consent check"
}
