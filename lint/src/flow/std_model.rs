//! How calls outside the workspace move data, in one table.
//!
//! An unknown function's result carries the union of its arguments'
//! categories (receiver included), except for the pure predicates and sizes
//! listed here, which carry none. Methods of the standard library that move
//! data in a particular way (into the receiver, out of an iterator, through a
//! closure) are listed by what they do.

use crate::ir::Sym;

/// What a method or function outside the workspace does with data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A predicate or a size: the result carries nothing.
    Pure,
    /// The receiver absorbs the arguments (`v.push(x)`).
    Absorb,
    /// An iterator over the receiver's elements.
    Iter,
    /// The same data, the same type (`clone`, `by_ref`, `rev`).
    Keep,
    /// Keeps the elements for which the closure says yes (`filter`).
    Filter,
    /// The closure's result, per element (`map`, `and_then`).
    Map,
    /// Runs the closure per element; the result carries nothing (`for_each`).
    ForEach,
    /// One element (`next`, `first`, `unwrap`, `get`).
    Elem,
    /// A collection of the elements (`collect`, `to_vec`).
    Collect,
    /// A string made of the data (`to_string`, `join`, `trim`).
    Text,
    /// Anything else: the union of receiver and arguments.
    Union,
}

/// Method names by kind. Names not listed are [`Kind::Union`].
const TABLE: &[(Kind, &[&str])] = &[
    (
        Kind::Pure,
        &[
            "len",
            "is_empty",
            "contains",
            "contains_key",
            "starts_with",
            "ends_with",
            "eq",
            "ne",
            "cmp",
            "partial_cmp",
            "lt",
            "le",
            "gt",
            "ge",
            "is_some",
            "is_none",
            "is_ok",
            "is_err",
            "is_some_and",
            "is_none_or",
            "is_ok_and",
            "is_err_and",
            "count",
            "capacity",
            "hash",
            "any",
            "all",
            "position",
            "is_ascii",
            "is_char_boundary",
            "is_finite",
            "is_nan",
            "type_id",
            "matches",
            "size_of",
            "size_of_val",
            "drop",
            "is_alphabetic",
            "is_numeric",
            "is_alphanumeric",
            "is_whitespace",
            "is_digit",
            "eq_ignore_ascii_case",
            "is_sorted",
            "is_subset",
            "is_superset",
            "is_disjoint",
            "binary_search",
            "rposition",
            "len_utf8",
            "is_dir",
            "is_file",
            "exists",
        ],
    ),
    (
        Kind::Absorb,
        &[
            "push",
            "push_str",
            "push_back",
            "push_front",
            "insert",
            "extend",
            "extend_from_slice",
            "append",
            "write",
            "write_str",
            "write_all",
            "write_fmt",
            "set",
            "get_or_insert",
            "get_or_insert_with",
            "or_insert",
            "or_insert_with",
            "or_default",
            "entry",
        ],
    ),
    (
        Kind::Iter,
        &[
            "iter",
            "iter_mut",
            "into_iter",
            "drain",
            "chars",
            "char_indices",
            "bytes",
            "lines",
            "split",
            "split_whitespace",
            "splitn",
            "rsplit",
            "windows",
            "chunks",
            "chunks_exact",
            "keys",
            "values",
            "values_mut",
            "into_values",
            "into_keys",
            "split_terminator",
            "matches_iter",
        ],
    ),
    (
        Kind::Keep,
        &[
            "clone",
            "cloned",
            "copied",
            "to_owned",
            "as_ref",
            "as_mut",
            "borrow",
            "borrow_mut",
            "by_ref",
            "rev",
            "skip",
            "take",
            "step_by",
            "peekable",
            "fuse",
            "as_slice",
            "as_mut_slice",
            "as_deref",
            "as_deref_mut",
            "deref",
            "deref_mut",
            "lock",
            "read",
            "into_inner",
            "get_ref",
            "get_mut_ref",
            "sorted",
            "chain",
            "cycle",
            "dedup",
            "sort",
            "sort_unstable",
            "sort_by",
            "sort_by_key",
            "reverse",
            "truncate",
            "retain",
            "await_result",
            "into",
            "try_into",
            "from",
            "as_bytes",
            "as_path",
            "to_path_buf",
            "into_bytes",
            "map_err",
            "or",
            "or_else",
            "ok_or",
            "ok_or_else",
            "context",
            "with_context",
            "zip",
            "enumerate",
            "flatten",
            "unzip",
        ],
    ),
    (
        Kind::Filter,
        &["filter", "take_while", "skip_while", "find", "inspect"],
    ),
    (
        Kind::Map,
        &[
            "map",
            "filter_map",
            "flat_map",
            "and_then",
            "map_or_else",
            "map_or",
            "then",
            "find_map",
            "map_while",
            "scan",
            "fold",
            "reduce",
            "try_fold",
            "sum",
            "product",
        ],
    ),
    (Kind::ForEach, &["for_each", "try_for_each"]),
    (
        Kind::Elem,
        &[
            "next",
            "next_back",
            "first",
            "last",
            "get",
            "get_mut",
            "nth",
            "pop",
            "pop_front",
            "pop_back",
            "min",
            "max",
            "min_by_key",
            "max_by_key",
            "min_by",
            "max_by",
            "unwrap",
            "expect",
            "unwrap_or",
            "unwrap_or_default",
            "unwrap_or_else",
            "unwrap_unchecked",
            "remove",
            "swap_remove",
            "ok",
            "err",
            "take_value",
            "single",
            "first_mut",
            "last_mut",
            "front",
            "back",
        ],
    ),
    (
        Kind::Collect,
        &[
            "collect",
            "to_vec",
            "into_boxed_slice",
            "into_vec",
            "collect_vec",
        ],
    ),
    (
        Kind::Text,
        &[
            "to_string",
            "to_lowercase",
            "to_uppercase",
            "to_ascii_lowercase",
            "to_ascii_uppercase",
            "trim",
            "trim_start",
            "trim_end",
            "trim_matches",
            "join",
            "concat",
            "as_str",
            "into_string",
            "to_string_lossy",
            "repeat",
            "display",
            "format",
            "strip_prefix",
            "strip_suffix",
            "replacen",
            "escape_default",
            "to_str",
        ],
    ),
];

/// What a method (or a function, by its last path segment) does.
pub fn kind(name: &str) -> Kind {
    // Asked for every external call: index the table once, with a fast hash.
    static INDEX: std::sync::OnceLock<foldhash::HashMap<&'static str, Kind>> =
        std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        TABLE
            .iter()
            .flat_map(|(k, names)| names.iter().map(move |n| (*n, *k)))
            .collect()
    });
    index.get(name).copied().unwrap_or(Kind::Union)
}

/// [`kind`] of an interned name: hashed by address, never by its text. It
/// is asked several times per method call; hashing the text with SipHash
/// was 2% of the flow stage's instructions (callgrind, 100k lines).
pub fn kind_of(name: Sym) -> Kind {
    static INDEX: std::sync::OnceLock<foldhash::HashMap<Sym, Kind>> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        TABLE
            .iter()
            .flat_map(|(k, names)| names.iter().map(move |n| (Sym::new(n), *k)))
            .collect()
    });
    index.get(&name).copied().unwrap_or(Kind::Union)
}

/// External functions (by last path segment) that return their single
/// argument unchanged as far as data and type go.
pub fn is_wrapper(path: &str) -> bool {
    let (init, last) = crate::index::split_last_segment(path);
    matches!(
        last,
        "Some" | "Ok" | "Err" | "Ready" | "Poll" | "Wrapping" | "Reverse"
    ) || (last == "new"
        && init.map(crate::index::last_segment).is_some_and(|t| {
            matches!(
                t,
                "Box" | "Rc" | "Arc" | "RefCell" | "Cell" | "Mutex" | "RwLock" | "Cow" | "Pin"
            )
        }))
}

/// External associated functions that construct a value of their type
/// (`Vec::new()`, `HashMap::default()`): typed, carrying only their arguments.
pub fn is_constructor(last: &str) -> bool {
    matches!(
        last,
        "new" | "default" | "with_capacity" | "from" | "from_iter" | "builder" | "empty"
    )
}

/// Element methods that return an `Option` of the element.
pub fn returns_option(name: &str) -> bool {
    matches!(
        name,
        "next"
            | "next_back"
            | "first"
            | "last"
            | "get"
            | "get_mut"
            | "nth"
            | "pop"
            | "pop_front"
            | "pop_back"
            | "min"
            | "max"
            | "min_by_key"
            | "max_by_key"
            | "min_by"
            | "max_by"
            | "first_mut"
            | "last_mut"
            | "front"
            | "back"
    )
}

/// Macros whose value is a predicate: it carries no data (like `==`).
pub fn pure_macro(name: &str) -> bool {
    matches!(
        name,
        "matches"
            | "cfg"
            | "stringify"
            | "concat"
            | "line"
            | "column"
            | "file"
            | "env"
            | "option_env"
            | "include_str"
            | "include_bytes"
    )
}

/// Functions that never return.
pub fn diverges(path: &str) -> bool {
    matches!(
        path,
        "std::process::exit" | "process::exit" | "exit" | "std::process::abort" | "abort"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn each_name_has_one_kind() {
        let mut seen = BTreeSet::new();
        for (_, names) in TABLE {
            for n in *names {
                assert!(seen.insert(*n), "`{n}` is listed twice");
            }
        }
        assert_eq!(kind("len"), Kind::Pure);
        assert_eq!(kind("push"), Kind::Absorb);
        assert_eq!(kind("frobnicate"), Kind::Union);
        for (k, names) in TABLE {
            for n in *names {
                assert_eq!(kind_of(Sym::new(n)), *k);
            }
        }
        assert_eq!(kind_of(Sym::new("frobnicate")), Kind::Union);
        assert!(is_wrapper("Some") && is_wrapper("Box::new") && !is_wrapper("Vec::new"));
        assert!(
            is_wrapper("std::sync::Arc::new") && !is_wrapper("new") && !is_wrapper("Box::new::x")
        );
    }
}
