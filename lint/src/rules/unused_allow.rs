declare_rule! {
    /// ### What it does
    /// Reports a `#[datagate::allow(CODE, reason = "…")]` that suppresses no
    /// finding: the flow it was written for was fixed, moved or never there.
    ///
    /// ### Why is this bad?
    /// A stale allow is a blind spot waiting to happen: a new unconsented
    /// flow added to that function later would be suppressed without review.
    ///
    /// ### Example
    /// ```rust,ignore
    /// #[datagate::allow(unconsented_flow, reason = "reviewed in PRIV-142")]
    /// fn legacy_export(settings: &Settings, account: &Account) {
    ///     if settings.share_account_info {
    ///         upload(&account.phone); // already guarded
    ///     }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// fn legacy_export(settings: &Settings, account: &Account) {
    ///     if settings.share_account_info {
    ///         upload(&account.phone);
    ///     }
    /// }
    /// ```
    pub UNUSED_ALLOW,
    datagate_spec::Code::UnusedAllow,
    "an allow attribute suppresses no finding"
}
