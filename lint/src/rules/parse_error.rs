declare_rule! {
    /// ### What it does
    /// Reports a source file of the workspace that could not be read or
    /// parsed as Rust: a syntax error, a file that is not UTF-8, a `mod`
    /// declaration whose file is missing, or a file nested too deeply to
    /// parse safely. A file is never skipped silently, so any `parse-error`
    /// makes the run exit with code 2: the analysis is incomplete.
    ///
    /// ### Why is this bad?
    /// Flows through a file the linter could not read are invisible to it: a
    /// clean result would be a false promise.
    ///
    /// ### Example
    /// ```rust,ignore
    /// // src/lib.rs
    /// mod ads; // but neither src/ads.rs nor src/ads/mod.rs exists
    ///
    /// fn broken( { }
    /// ```
    ///
    /// Use instead: fix the syntax error or the module path (`cargo check`
    /// shows the same error), or exclude generated files from the package.
    pub PARSE_ERROR,
    datagate_spec::Code::ParseError,
    "a source file could not be read or parsed"
}
