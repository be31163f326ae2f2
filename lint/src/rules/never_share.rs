declare_rule! {
    /// ### What it does
    /// Reports a category that the policy lists under `[[never_share]]` when it
    /// reaches a sink of a foreign recipient (one of the rule's `to`
    /// recipients, or any foreign recipient when the rule has no `to`). A
    /// consent check does not help: the data may not be shared at all.
    ///
    /// ### Why is this bad?
    /// Some data is promised never to leave, whatever the user clicks: message
    /// contents and address books in an end-to-end encrypted messenger, for
    /// instance. Such a promise is usually in the privacy notice, and breaking
    /// it is a breach of trust and often of law.
    ///
    /// ### Example
    /// ```toml
    /// # datagate.toml
    /// [[never_share]]
    /// categories = ["message_content", "contacts"]
    /// ```
    /// ```rust,ignore
    /// fn report(msg: &Message, settings: &Settings) {
    ///     if settings.share_for_ads {
    ///         upload_event(&msg.body); // `body` is #[personal(message_content)]
    ///     }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// fn report(msg: &Message, settings: &Settings) {
    ///     if settings.share_for_ads {
    ///         upload_event(&msg.id); // an identifier that is not the content
    ///     }
    /// }
    /// ```
    ///
    /// If the value no longer carries the category (it was hashed or
    /// aggregated), mark the transforming function with
    /// `#[datagate::declassify(categories = [..], reason = "…")]`.
    pub NEVER_SHARE,
    datagate_spec::Code::NeverShare,
    "a never-share category reaches a foreign recipient"
}
