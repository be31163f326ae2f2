declare_rule! {
    /// ### What it does
    /// Reports a custom category (a string literal such as
    /// `#[personal("loyalty_tier")]`) that the policy does not declare under
    /// `[categories.NAME]`. Built-in categories are idents checked at compile
    /// time by the `datagate` macros.
    ///
    /// ### Why is this bad?
    /// An undeclared category belongs to no group, so consent checks and
    /// never-share rules that name a group cannot cover it, and the inventory
    /// cannot map it to a data category of the privacy notice.
    ///
    /// ### Example
    /// ```rust,ignore
    /// #[derive(Personal)]
    /// struct Member {
    ///     #[personal("loyalty_tier")]
    ///     tier: Tier,
    /// }
    /// ```
    ///
    /// Use instead: declare the category and its built-in group.
    /// ```toml
    /// # datagate.toml
    /// [categories.loyalty_tier]
    /// group = "activity"
    /// ```
    pub UNKNOWN_CATEGORY,
    datagate_spec::Code::UnknownCategory,
    "an annotation names a custom category the policy does not declare"
}
