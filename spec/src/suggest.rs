//! "Did you mean" suggestions for misspelt names.

/// The closest candidate to `input`, if it is close enough to be a likely typo.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(input, c), c))
        .filter(|(d, c)| *d <= (c.len().max(input.len()) / 3).max(1))
        .min()
        .map(|(_, c)| c)
}

/// `", did you mean `x`?"` or nothing.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(input, candidates)
        .map(|c| format!(", did you mean `{c}`?"))
        .unwrap_or_default()
}

/// Names as prose: `` `a` ``, `` `a` or `b` ``, `` `a`, `b` or `c` `` (with
/// `conj` instead of "or" when given another word, e.g. "and").
pub fn list<'a>(names: impl IntoIterator<Item = &'a str>, conj: &str) -> String {
    let quoted: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, init)) => format!("{} {conj} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        let names = ["phone_number", "email", "os"];
        assert_eq!(closest("phone_numbr", names), Some("phone_number"));
        assert_eq!(closest("emial", names), Some("email"));
        assert_eq!(closest("zzzzzz", names), None);
        assert_eq!(
            did_you_mean("phne_number", names),
            ", did you mean `phone_number`?"
        );
        assert_eq!(
            did_you_mean("slef", ["self", "rows"]),
            ", did you mean `self`?"
        );
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(list([], "or"), "");
        assert_eq!(list(["to"], "or"), "`to`");
        assert_eq!(list(["to", "purpose"], "or"), "`to` or `purpose`");
        assert_eq!(list(["a", "b", "c"], "and"), "`a`, `b` and `c`");
    }
}
