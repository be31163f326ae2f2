//! The nesting check a file passes before it goes to syn. syn parses by
//! recursive descent, so a file nested deep enough overflows any stack, and
//! brackets are not the only way to nest: prefix operators, closures, `->`
//! return types, `=`, `return` and `break`, `if` and `match` heads and
//! generic arguments nest without them (`fn() -> fn() -> …`, `x = x = …`,
//! `break break …`, `Result<(), Result<(), …>>`).
//!
//! The check lexes strings, characters, lifetimes and comments as proc-macro2
//! does, so that it never skips code that syn sees. It keeps one level per
//! open bracket and counts, at each level, the tokens that start a construct
//! syn recurses into, until a token that ends every construct open at that
//! level: `;`, `=>`, a `}` that ends a statement or item, and `,` for all
//! but generic arguments and closure parameters. Where the lexical view is
//! ambiguous it counts, so that it may refuse code syn could have parsed but
//! never lets through code that would overflow. One pass, linear time.

use crate::ir::Pos;

/// What made a file too deep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deep {
    /// More open brackets than the bracket limit.
    Brackets,
    /// Brackets and constructs without brackets together over the total limit.
    Total,
}

/// What the pass over a file found.
#[derive(Debug)]
pub struct Scan {
    /// The first position where the file nests too deep, and how.
    pub deep: Option<(Pos, Deep)>,
    /// Where each doc comment's third character is: the `/` of `///`, the
    /// `!` of `//!` and `/*!`, the `*` of `/**` ([`without_docs`]).
    pub doc_marks: Vec<usize>,
}

/// The first position where `text` nests more than `max_brackets` brackets
/// deep, or more than `max_total` levels counting constructs without
/// brackets too.
#[cfg(test)]
pub fn too_deep(text: &str, max_brackets: usize, max_total: usize) -> Option<(Pos, Deep)> {
    scan(text, max_brackets, max_total).deep
}

/// [`too_deep`], and where the doc comments are, in one pass.
pub fn scan(text: &str, max_brackets: usize, max_total: usize) -> Scan {
    let mut lexer = Lexer {
        text,
        b: text.as_bytes(),
        i: code_start(text),
        line: 1,
        line_start: 0,
        doc_marks: Vec::new(),
    };
    let mut nest = Nesting {
        levels: vec![Level::default()],
        total: 0,
        prev: Prev::Start,
        after_brace: false,
        after_else: false,
        after_hash: false,
        after_shl: 0,
    };
    while let Some((start, tok)) = lexer.next() {
        if let Some(deep) = nest.token(tok, max_brackets, max_total) {
            return Scan {
                deep: Some((lexer.pos(start), deep)),
                doc_marks: lexer.doc_marks,
            };
        }
    }
    Scan {
        deep: None,
        doc_marks: lexer.doc_marks,
    }
}

/// `text` with its doc comments turned into plain comments (`/// x` into
/// `//  x`), when it has any: what datagate hands to syn. proc-macro2 makes
/// each doc comment an attribute with an escaped string literal, which syn
/// parses and unescapes again, and the analysis reads none of it; at a
/// million generated lines that was a tenth of the parse. One byte of ASCII
/// is replaced by another, so every line, column and byte offset stays
/// where it was. `marks` are [`Scan::doc_marks`] of `text`.
pub fn without_docs(text: &str, marks: &[usize]) -> Option<String> {
    if marks.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for &m in marks {
        // Each mark is an ASCII `/`, `!` or `*`, a character boundary.
        out.push_str(text.get(from..m)?);
        out.push(' ');
        from = m + 1;
    }
    out.push_str(text.get(from..)?);
    Some(out)
}

/// Whether the comment `b` starts with (`//` or `/*`) is a doc comment, as
/// proc-macro2 lexes them: `///` but not `////`, `//!`, `/**` but not
/// `/***` or `/**/`, `/*!`.
fn is_doc_comment(b: &[u8]) -> bool {
    match b {
        [b'/', b'/', b'/', b'/', ..] | [b'/', b'*', b'*', b'*' | b'/', ..] => false,
        [b'/', b'/', b'/' | b'!', ..] | [b'/', b'*', b'*' | b'!', ..] => true,
        _ => false,
    }
}

/// Where syn starts to parse, as `syn::parse_file` does: after a byte-order
/// mark, and after a first line that starts with `#!` unless `[` follows
/// (past whitespace and comments), which would be an inner attribute.
fn code_start(text: &str) -> usize {
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let rest = text.get(bom..).unwrap_or("");
    match rest.strip_prefix("#!") {
        Some(after) if !skip_trivia(after).starts_with('[') => {
            bom + rest.find('\n').unwrap_or(rest.len())
        }
        _ => bom,
    }
}

/// syn's `whitespace::skip`: whitespace and comments that are not doc
/// comments.
fn skip_trivia(mut s: &str) -> &str {
    loop {
        let line = s.starts_with("//")
            && (!s.starts_with("///") || s.starts_with("////"))
            && !s.starts_with("//!");
        let block = s.starts_with("/**/")
            || (s.starts_with("/*")
                && (!s.starts_with("/**") || s.starts_with("/***"))
                && !s.starts_with("/*!"));
        if line {
            match s.find('\n') {
                Some(i) => s = s.get(i + 1..).unwrap_or(""),
                None => return "",
            }
        } else if block {
            match block_comment_len(s.as_bytes()) {
                Some(n) => s = s.get(n..).unwrap_or(""),
                None => return s,
            }
        } else {
            match s.chars().next() {
                Some(ch) if is_whitespace(ch) => s = s.get(ch.len_utf8()..).unwrap_or(""),
                _ => return s,
            }
        }
    }
}

/// Rust's whitespace, as proc-macro2 and syn see it.
fn is_whitespace(ch: char) -> bool {
    ch.is_whitespace() || matches!(ch, '\u{200e}' | '\u{200f}')
}

/// The length of the (nested) block comment that `b` starts with, if it is
/// closed.
fn block_comment_len(b: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while i + 1 < b.len() {
        match (b[i], b[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth = depth.saturating_sub(1);
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The state of one open bracket (or of the file outside all of them).
#[derive(Debug, Default)]
struct Level {
    /// Constructs opened at this level and maybe still open: closures,
    /// `->`, `=`, `@`, `return`, `break`, `let`, `if`, `match`, ….
    chain: usize,
    /// Prefix operators at this level (`!`, `-`, `*`, `&`, `..`), which
    /// end with their operand.
    prefix: usize,
    /// `<` not closed yet at this level: generic arguments or comparisons.
    angle: usize,
    /// Between the bars of a closure's parameters, where `,` ends nothing.
    params: bool,
    /// The `[` of an attribute: what follows its `]` starts an expression.
    attr: bool,
}

impl Level {
    fn count(&self) -> usize {
        self.chain + self.prefix + self.angle
    }
}

/// What the previous token was, as far as the next one cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// An identifier: a following `&`, `*`, `-`, `|`, `!`, `..` is binary
    /// (or a macro's `!`), a following `<` may open generic arguments.
    Ident,
    /// A literal, `)`, `]`, `}` or `?`: the end of an operand, which a `<`
    /// can only compare with.
    Value,
    /// Anything else: what follows starts an expression, type or pattern,
    /// so `&`, `*`, `-`, `!`, `|`, `..` are prefixes there.
    Start,
}

struct Nesting {
    /// Never empty: the first level is the file outside all brackets.
    levels: Vec<Level>,
    /// Open brackets plus every level's count.
    total: usize,
    prev: Prev,
    /// The previous token is a `}`: if this one begins a new statement or
    /// item, everything open at this level has ended.
    after_brace: bool,
    /// `else if` continues a chain syn does not recurse on.
    after_else: bool,
    /// `#` or `#!`: a `[` opens an attribute.
    after_hash: bool,
    /// Counted for the `<<` just before, taken back if a literal follows:
    /// `x << 3` shifts, where `Vec<<T as Tr>::A>` would go on with a type.
    after_shl: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Word(&'a str),
    /// A raw identifier: never a keyword.
    RawIdent,
    Literal,
    Lifetime,
    Open(u8),
    Close(u8),
    Punct(&'static str),
}

#[derive(Debug, Clone, Copy)]
enum Counter {
    Chain,
    Prefix,
    Angle,
}

impl Nesting {
    fn top(&mut self) -> &mut Level {
        let n = self.levels.len().saturating_sub(1);
        &mut self.levels[n]
    }

    fn add(&mut self, counter: Counter, n: usize, max_total: usize) -> Option<Deep> {
        let top = self.top();
        match counter {
            Counter::Chain => top.chain += n,
            Counter::Prefix => top.prefix += n,
            Counter::Angle => top.angle += n,
        }
        self.total += n;
        (self.total > max_total).then_some(Deep::Total)
    }

    fn close_angle(&mut self, n: usize) {
        let top = self.top();
        let k = n.min(top.angle);
        top.angle -= k;
        self.total = self.total.saturating_sub(k);
    }

    /// A token that ends every construct open at this level.
    fn end_all(&mut self) {
        let top = self.top();
        let k = top.count();
        *top = Level {
            attr: top.attr,
            ..Level::default()
        };
        self.total = self.total.saturating_sub(k);
    }

    fn token(&mut self, tok: Tok<'_>, max_brackets: usize, max_total: usize) -> Option<Deep> {
        // After a `}`, a word (but `as`, `else`, `in`, which continue an
        // expression or a `for` head) or an attribute begins the next
        // statement or item.
        if std::mem::take(&mut self.after_brace) {
            let ends = match tok {
                Tok::Word(w) => !matches!(w, "as" | "else" | "in"),
                Tok::RawIdent | Tok::Punct("#") => true,
                _ => false,
            };
            if ends {
                self.end_all();
            }
        }
        let prev = std::mem::replace(&mut self.prev, Prev::Start);
        let after_else = std::mem::take(&mut self.after_else);
        let after_hash = std::mem::take(&mut self.after_hash);
        let after_shl = std::mem::take(&mut self.after_shl);
        match tok {
            Tok::Word(w) => match w {
                "return" | "break" | "yield" | "become" | "let" | "box" | "match" | "while"
                | "for" => return self.add(Counter::Chain, 1, max_total),
                // `else if` is a loop in syn, not a recursion.
                "if" if !after_else => return self.add(Counter::Chain, 1, max_total),
                "else" => self.after_else = true,
                // `&raw const x`: `raw` does not end the `&`.
                "as" | "async" | "const" | "continue" | "dyn" | "enum" | "extern" | "fn" | "if"
                | "impl" | "in" | "loop" | "mod" | "move" | "mut" | "pub" | "raw" | "ref"
                | "static" | "struct" | "trait" | "type" | "unsafe" | "use" | "where"
                | "abstract" | "do" | "final" | "macro" | "override" | "priv" | "typeof"
                | "unsized" | "virtual" => {}
                _ => self.prev = Prev::Ident,
            },
            Tok::RawIdent => self.prev = Prev::Ident,
            Tok::Literal => {
                self.close_angle(after_shl);
                self.prev = Prev::Value;
            }
            Tok::Lifetime => {}
            Tok::Open(c) => {
                if self.levels.len() > max_brackets {
                    return Some(Deep::Brackets);
                }
                // `if a < b {`: generic arguments are never followed by a
                // block after an operand, so what is open here compares.
                if c == b'{' && prev != Prev::Start {
                    let top = self.top();
                    let k = top.angle;
                    top.angle = 0;
                    self.total = self.total.saturating_sub(k);
                }
                self.levels.push(Level {
                    attr: c == b'[' && after_hash,
                    ..Level::default()
                });
                self.total += 1;
                return (self.total > max_total).then_some(Deep::Total);
            }
            Tok::Close(c) => {
                // An unmatched closer is syn's error to report.
                if self.levels.len() > 1 {
                    if let Some(l) = self.levels.pop() {
                        self.total = self.total.saturating_sub(l.count() + 1);
                        if l.attr {
                            return None;
                        }
                    }
                }
                self.prev = Prev::Value;
                self.after_brace = c == b'}';
            }
            Tok::Punct(p) => return self.punct(p, prev, after_hash, max_total),
        }
        None
    }

    fn punct(&mut self, p: &str, prev: Prev, after_hash: bool, max_total: usize) -> Option<Deep> {
        let start = prev == Prev::Start;
        // A binary operator after an operand ends the prefix operators
        // before it (`-1 | -2`), except in generic arguments (`&Vec<A<B>,`),
        // where they may apply to what is still open.
        if !start
            && self.top().angle == 0
            && matches!(
                p,
                "+" | "-"
                    | "*"
                    | "/"
                    | "%"
                    | "^"
                    | "&"
                    | "|"
                    | "&&"
                    | "||"
                    | "=="
                    | "!="
                    | "<="
                    | ">"
                    | ">="
                    | ">>"
                    | ".."
                    | "..="
                    | "="
                    | "+="
                    | "-="
                    | "*="
                    | "/="
                    | "%="
                    | "^="
                    | "&="
                    | "|="
                    | "<<="
                    | ">>="
            )
        {
            let top = self.top();
            let k = top.prefix;
            top.prefix = 0;
            self.total = self.total.saturating_sub(k);
        }
        match p {
            ";" | "=>" => self.end_all(),
            // A `,` ends what is open at its level, but for generic
            // arguments (`Result<A, Result<A, …`) and closure parameters.
            "," => {
                let top = self.top();
                if !top.params && top.angle == 0 {
                    let k = top.chain + top.prefix;
                    top.chain = 0;
                    top.prefix = 0;
                    self.total = self.total.saturating_sub(k);
                }
            }
            "#" => self.after_hash = true,
            "!" if after_hash => self.after_hash = true,
            "?" => self.prev = Prev::Value,
            "&" | "*" | "-" | "!" | ".." | "..=" | "..." if start => {
                return self.add(Counter::Prefix, 1, max_total)
            }
            "&&" if start => return self.add(Counter::Prefix, 2, max_total),
            // The first `|` at the start of an expression opens a closure's
            // parameters, the next one closes them; elsewhere `|` is binary
            // or separates patterns.
            "|" => {
                let top = self.top();
                if top.params {
                    top.params = false;
                } else if start {
                    top.params = true;
                    return self.add(Counter::Chain, 1, max_total);
                }
            }
            // `|a||b| …`: one closure's parameters close and the next
            // one's open; `||` at the start of an expression is a closure.
            "||" if self.top().params || start => return self.add(Counter::Chain, 1, max_total),
            "|=" => {
                self.top().params = false;
                return self.add(Counter::Chain, 1, max_total);
            }
            // `>=` may be `>` then `=` (`let v: Vec<u8>= …`): count the `=`.
            "->" | "=" | "@" | "+=" | "-=" | "*=" | "/=" | "%=" | "^=" | "&=" | "<<=" | ">>="
            | ">=" => return self.add(Counter::Chain, 1, max_total),
            // After a literal or a closing bracket, `<` compares; anywhere
            // else it may open generic arguments (`Vec<`, `<T as Tr>::`).
            "<" | "<<" if prev == Prev::Value => {}
            "<" => return self.add(Counter::Angle, 1, max_total),
            "<<" => {
                self.after_shl = 2;
                return self.add(Counter::Angle, 2, max_total);
            }
            ">" => self.close_angle(1),
            ">>" => self.close_angle(2),
            _ => {}
        }
        None
    }
}

/// Splits a file into the tokens the check needs; strings, characters,
/// lifetimes and comments as proc-macro2 lexes them.
struct Lexer<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    line: u32,
    line_start: usize,
    /// [`Scan::doc_marks`].
    doc_marks: Vec<usize>,
}

impl<'a> Lexer<'a> {
    /// The position of a token that starts on the current line.
    fn pos(&self, at: usize) -> Pos {
        let col = self
            .text
            .get(self.line_start..at)
            .map_or(0, |s| s.chars().count());
        Pos {
            line: self.line,
            col: col as u32 + 1,
        }
    }

    fn at(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..)?.chars().next()
    }

    fn newline(&mut self, at: usize) {
        self.line += 1;
        self.line_start = at + 1;
    }

    fn next(&mut self) -> Option<(usize, Tok<'a>)> {
        loop {
            let c = *self.b.get(self.i)?;
            match c {
                b'\n' => {
                    self.newline(self.i);
                    self.i += 1;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.i += 1,
                b'/' if self.at(1) == b'/' => {
                    self.doc_mark();
                    while self.i < self.b.len() && self.b[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b'/' if self.at(1) == b'*' => {
                    self.doc_mark();
                    self.block_comment();
                }
                0x80.. => match self.char_at(self.i) {
                    Some(ch) if is_whitespace(ch) => self.i += ch.len_utf8(),
                    _ => break,
                },
                _ => break,
            }
        }
        let start = self.i;
        let tok = self.token();
        // Every token moves on, whatever the input.
        if self.i == start {
            self.i += 1;
        }
        Some((start, tok))
    }

    /// At the start of a comment: note it if it is a doc comment.
    fn doc_mark(&mut self) {
        if is_doc_comment(self.b.get(self.i..).unwrap_or(&[])) {
            self.doc_marks.push(self.i + 2);
        }
    }

    /// Nested, as in Rust; an unclosed comment runs to the end.
    fn block_comment(&mut self) {
        let rest = self.b.get(self.i..).unwrap_or(&[]);
        let end = self.i + block_comment_len(rest).unwrap_or(rest.len());
        while self.i < end {
            if self.b[self.i] == b'\n' {
                self.newline(self.i);
            }
            self.i += 1;
        }
    }

    fn token(&mut self) -> Tok<'a> {
        let c = self.at(0);
        match c {
            b'"' => {
                self.i += 1;
                self.cooked_string();
                Tok::Literal
            }
            b'\'' => self.quote(),
            b'0'..=b'9' => {
                self.i = self.ident_end(self.i);
                if self.at(0) == b'.' && self.at(1).is_ascii_digit() {
                    self.i = self.ident_end(self.i + 1);
                }
                Tok::Literal
            }
            b'(' | b'[' | b'{' => {
                self.i += 1;
                Tok::Open(c)
            }
            b')' | b']' | b'}' => {
                self.i += 1;
                Tok::Close(c)
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' | 0x80.. => self.word(),
            _ => {
                let p = self.punct();
                self.i += p.len().max(1);
                Tok::Punct(p)
            }
        }
    }

    /// Where the identifier characters from `at` end (any character but
    /// ASCII punctuation and whitespace: proc-macro2 rejects the others).
    fn ident_end(&self, mut at: usize) -> usize {
        while let Some(&c) = self.b.get(at) {
            if c.is_ascii_alphanumeric() || c == b'_' {
                at += 1;
            } else if c >= 0x80 {
                match self.char_at(at) {
                    Some(ch) if !is_whitespace(ch) => at += ch.len_utf8(),
                    _ => break,
                }
            } else {
                break;
            }
        }
        at
    }

    fn word(&mut self) -> Tok<'a> {
        let rest = &self.b[self.i..];
        let raw_from = if rest.starts_with(b"r\"") || rest.starts_with(b"r#") {
            Some(1)
        } else if rest.starts_with(b"br") || rest.starts_with(b"cr") {
            Some(2)
        } else {
            None
        };
        if let Some(k) = raw_from {
            if self.raw_string(self.i + k) {
                return Tok::Literal;
            }
        }
        if rest.starts_with(b"b\"") || rest.starts_with(b"c\"") {
            self.i += 2;
            self.cooked_string();
            return Tok::Literal;
        }
        if rest.starts_with(b"b'") {
            if let Some(end) = self.char_literal(self.i + 2) {
                self.i = self.ident_end(end);
                return Tok::Literal;
            }
        }
        if rest.starts_with(b"r#") {
            self.i = self.ident_end(self.i + 2);
            return Tok::RawIdent;
        }
        let start = self.i;
        self.i = self.ident_end(self.i);
        Tok::Word(self.text.get(start..self.i).unwrap_or(""))
    }

    /// After the opening `"`: to the closing one, and the literal's suffix.
    fn cooked_string(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'\\' => {
                    if self.at(1) == b'\n' {
                        self.newline(self.i + 1);
                    }
                    self.i += 2;
                }
                b'"' => {
                    self.i = self.ident_end(self.i + 1);
                    return;
                }
                b'\n' => {
                    self.newline(self.i);
                    self.i += 1;
                }
                _ => self.i += 1,
            }
        }
        self.i = self.b.len();
    }

    /// A raw string whose `#`s (if any) start at `at`, or false if there is
    /// no `"` after them (a raw identifier, say).
    fn raw_string(&mut self, at: usize) -> bool {
        let hashes = self.b[at.min(self.b.len())..]
            .iter()
            .take_while(|&&c| c == b'#')
            .count();
        if self.b.get(at + hashes) != Some(&b'"') {
            return false;
        }
        let mut j = at + hashes + 1;
        while let Some(&c) = self.b.get(j) {
            if c == b'"'
                && self.b.len() >= j + 1 + hashes
                && self.b[j + 1..j + 1 + hashes].iter().all(|&h| h == b'#')
            {
                self.i = self.ident_end(j + 1 + hashes);
                return true;
            }
            if c == b'\n' {
                self.newline(j);
            }
            j += 1;
        }
        self.i = self.b.len();
        true
    }

    /// A character literal whose contents start at `at` (after the `'`):
    /// where it ends, after the closing `'`.
    fn char_literal(&self, at: usize) -> Option<usize> {
        let c = self.char_at(at)?;
        let close = if c == '\\' {
            match self.b.get(at + 1)? {
                b'n' | b'r' | b't' | b'\\' | b'0' | b'\'' | b'"' => at + 2,
                b'x' => at + 4,
                b'u' if self.b.get(at + 2) == Some(&b'{') => {
                    let digits = self.b[at + 3..]
                        .iter()
                        .take_while(|c| c.is_ascii_hexdigit() || **c == b'_')
                        .count();
                    if self.b.get(at + 3 + digits) != Some(&b'}') {
                        return None;
                    }
                    at + 4 + digits
                }
                _ => return None,
            }
        } else {
            at + c.len_utf8()
        };
        (self.b.get(close) == Some(&b'\'')).then_some(close + 1)
    }

    /// `'`: a character literal, a lifetime or label, or a stray quote.
    fn quote(&mut self) -> Tok<'a> {
        if let Some(end) = self.char_literal(self.i + 1) {
            self.i = self.ident_end(end);
            return Tok::Literal;
        }
        let mut j = self.i + 1;
        if self.b[j.min(self.b.len())..].starts_with(b"r#") {
            j += 2;
        }
        let end = self.ident_end(j);
        if end > j && !self.b[j].is_ascii_digit() {
            self.i = end;
            return Tok::Lifetime;
        }
        self.i += 1;
        Tok::Punct("'")
    }

    fn punct(&self) -> &'static str {
        match (self.at(0), self.at(1), self.at(2)) {
            (b'<', b'<', b'=') => "<<=",
            (b'>', b'>', b'=') => ">>=",
            (b'.', b'.', b'.') => "...",
            (b'.', b'.', b'=') => "..=",
            (b':', b':', _) => "::",
            (b'-', b'>', _) => "->",
            (b'=', b'>', _) => "=>",
            (b'=', b'=', _) => "==",
            (b'!', b'=', _) => "!=",
            (b'<', b'=', _) => "<=",
            (b'>', b'=', _) => ">=",
            (b'&', b'&', _) => "&&",
            (b'|', b'|', _) => "||",
            (b'+', b'=', _) => "+=",
            (b'-', b'=', _) => "-=",
            (b'*', b'=', _) => "*=",
            (b'/', b'=', _) => "/=",
            (b'%', b'=', _) => "%=",
            (b'^', b'=', _) => "^=",
            (b'&', b'=', _) => "&=",
            (b'|', b'=', _) => "|=",
            (b'<', b'<', _) => "<<",
            (b'>', b'>', _) => ">>",
            (b'.', b'.', _) => "..",
            (b';', ..) => ";",
            (b',', ..) => ",",
            (b'.', ..) => ".",
            (b':', ..) => ":",
            (b'#', ..) => "#",
            (b'$', ..) => "$",
            (b'?', ..) => "?",
            (b'~', ..) => "~",
            (b'!', ..) => "!",
            (b'@', ..) => "@",
            (b'%', ..) => "%",
            (b'^', ..) => "^",
            (b'&', ..) => "&",
            (b'*', ..) => "*",
            (b'-', ..) => "-",
            (b'+', ..) => "+",
            (b'=', ..) => "=",
            (b'|', ..) => "|",
            (b'<', ..) => "<",
            (b'>', ..) => ">",
            (b'/', ..) => "/",
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(text: &str) -> Option<Deep> {
        too_deep(text, 256, 1024).map(|(_, d)| d)
    }

    /// Every construct syn recurses into without brackets, 2,000 deep: each
    /// overflows a debug build's stack somewhere between 2,000 (`Result<(),`)
    /// and 100,000 levels.
    #[test]
    fn nesting_without_brackets_is_counted() {
        let n = 2000;
        let chains = [
            // Types.
            format!("pub type T = {}u8;", "fn() -> ".repeat(n)),
            format!("pub fn f() -> {}u8 {{}}", "impl Fn() -> ".repeat(n)),
            format!(
                "pub type T = {}u8{};",
                "Box<dyn Fn() -> ".repeat(n),
                ">".repeat(n)
            ),
            format!(
                "pub type T = {}u8{};",
                "Result<(), ".repeat(n),
                ">".repeat(n)
            ),
            format!("pub type T = {}u8{};", "A<{ 1 }, ".repeat(n), ">".repeat(n)),
            format!(
                "pub type T = {}u8{};",
                "HashMap<u8, fn() -> ".repeat(n),
                ">".repeat(n)
            ),
            format!(
                "pub type T = {}u8{};",
                "&&&&Vec<A<B>, ".repeat(n),
                ">".repeat(n)
            ),
            format!("pub type T = {}T{};", "<".repeat(n), " as A>::B".repeat(n)),
            format!("pub type T = {}u8;", "&'a ".repeat(n)),
            format!("pub type T = {}u8;", "*const ".repeat(n)),
            format!("pub type T = {}u8;", "for<'a> fn(&'a u8) -> ".repeat(n)),
            // Expressions.
            format!("pub fn f() {{ loop {{ {}; }} }}", "break ".repeat(n)),
            format!("pub fn f() {{ 'a: loop {{ {}; }} }}", "break 'a ".repeat(n)),
            format!("pub fn f() {{ {}; }}", "return ".repeat(n)),
            format!("pub fn f() {{ {}1; }}", "yield ".repeat(n)),
            format!("pub fn f(mut x: u8) {{ {}1; }}", "x = ".repeat(n)),
            format!("pub fn f(mut x: u8) {{ {}1; }}", "x += ".repeat(n)),
            format!("pub fn f() {{ {}1; }}", "x = {1} = ".repeat(n)),
            format!("pub fn f() {{ if {}1 {{}} }}", "let a = ".repeat(n)),
            format!(
                "pub fn f(a: bool) {{ {}a {} }}",
                "if ".repeat(n),
                "{} else {} ".repeat(n)
            ),
            format!(
                "pub fn f() {{ {}x {} }}",
                "match ".repeat(n),
                "{} ".repeat(n)
            ),
            format!("pub fn f() {{ let _ = {}1; }}", "|(a)| ".repeat(n)),
            format!("pub fn f() {{ let _ = {}1; }}", "|a, b| ".repeat(n)),
            format!("pub fn f() {{ let _ = {}1; }}", "|a, b||c, d|".repeat(n)),
            format!("pub fn f() {{ let _ = {}1; }}", "move || ".repeat(n)),
            format!("pub fn f() {{ let _ = {}1; }}", "|a| {a} + ".repeat(n)),
            format!("pub fn f() {{ let _ = {}x; }}", "&raw const ".repeat(n)),
            format!("pub fn f() {{ let _ = {}x; }}", "&mut ".repeat(n)),
            format!("pub fn f() {{ let _ = {}x; }}", "&#[a] ".repeat(n)),
            format!("pub fn f() {{ let _ = {}1; }}", ".. ".repeat(n)),
            format!(
                "pub fn f() {{ g::{}u8{}(); }}",
                "<Vec".repeat(n),
                ">".repeat(n)
            ),
            // Patterns.
            format!("pub fn f() {{ let {}b = 1; }}", "a @ ".repeat(n)),
            format!("pub fn f() {{ let {}b = 1; }}", "box ".repeat(n)),
            // Separators hidden in literals and comments end nothing.
            format!("pub fn f() {{ {}1; }}", "x = \";\" = ".repeat(n)),
            format!("pub fn f() {{ {}1; }}", "x = ';' = ".repeat(n)),
            format!("pub fn f() {{ {}1; }}", "x = r#\"}\"# = ".repeat(n)),
            format!("pub fn f() {{ {}1; }}", "x = /* ; */ ".repeat(n)),
            format!("pub fn f() {{ {}1; }}", "x = // ;\n".repeat(n)),
            // U+00A0 separates tokens: `r"\"` is a raw string, and the
            // `&`s after it are code.
            format!(
                "pub fn f() {{ let _ = (x\u{a0}r\"\\\", {}y); let _ = \"\"; }}",
                "&".repeat(n)
            ),
            // syn drops a byte-order mark and a shebang line.
            format!("\u{feff}r\"\\\"; {}y; \"\"", "&".repeat(n)),
            format!("#!/bin/sh \"\nfn f() {{ {}y; }} \"", "&".repeat(n)),
            format!("#! /**/ \"\nfn f() {{ {}y; }} \"", "&".repeat(n)),
        ];
        for text in &chains {
            let head: String = text.chars().take(60).collect();
            assert_eq!(deep(text), Some(Deep::Total), "{head}");
        }
        let parens = format!("pub fn f() {{ {}1{} }}", "(".repeat(300), ")".repeat(300));
        assert_eq!(deep(&parens), Some(Deep::Brackets));
    }

    /// Long but flat code, and brackets and operators inside literals and
    /// comments.
    #[test]
    fn ordinary_code_is_not_refused() {
        let n = 5000;
        let alternatives = (0..n).map(|i| format!("-{i}")).collect::<Vec<_>>();
        let flat = [
            "pub fn f() -> u8 { 0 }\n".repeat(n),
            "#[inline]\npub fn f(x: &mut u8) -> Option<&u8> { let y = &*x; if let Some(z) = g(y) { return z; } None }\n".repeat(n),
            "impl S { pub fn f<'a, T: Fn(&'a u8) -> &'a u8>(&'a self, t: T) -> impl Iterator<Item = &'a u8> + 'a where T: 'a { std::iter::once(t(&self.0)) } }\n".repeat(n),
            format!("pub struct S {{ {} }}", "pub f: Option<unsafe extern \"C\" fn(*mut u8) -> i32>,\n".repeat(n)),
            format!("pub trait T {{ {} }}", "fn f(&self) -> Box<dyn Fn(&u8) -> u8>;\n".repeat(n)),
            format!("pub fn f(c: u32) -> u8 {{ {} 0 }}", "if c < 10 { return 1; }\n".repeat(n)),
            format!("pub fn f(c: u32) -> u8 {{ {} {{ 0 }} }}", "if c < 10 { 1 } else ".repeat(n)),
            format!("pub fn f(x: i32) -> bool {{ matches!(x, {}) }}", alternatives.join(" | ")),
            format!("pub fn f(x: i32) -> u8 {{ match x {{ {} _ => 0 }} }}", "-1 | -2 => 1,\n".repeat(n)),
            format!("pub const T: [u32; {n}] = [{}];", "A | B << 3, ".repeat(n)),
            format!("pub fn f() {{ {} }}", "x = -y;\n*p = !q;\nlet v: Vec<Vec<u8>> = vec![];\n".repeat(n)),
            format!("pub fn f() {{ {} }}", "for i in 0..n { while i < m { m -= 1; } }\n".repeat(n)),
            format!("pub fn f() {{ {} }}", "match x { A => {} B => {} }\n".repeat(n)),
            format!("pub fn f() {{ {} }}", "v.push(|a, b| a < b);\n".repeat(n)),
            format!("pub fn f() {{ g({}); }}", "|a| a, ".repeat(n)),
            "macro_rules! m { ($($x:expr),* $(,)?) => { $( let _ = &$x; )* }; }\n".repeat(n),
            format!("pub const S: &str = \"{}\";", "((((x = x = return &&&& || \\\"".repeat(n)),
            format!("pub const S: &str = r#\"{}\"#;", "\"((((".repeat(n)),
            format!("pub const B: &[u8] = b\"{}\";", "\\\"((((".repeat(n)),
            format!("/* {} */", "/* (((( */ ".repeat(n)),
            format!("// {}\n", "((((".repeat(n)),
            format!("/// {}\npub fn f() {{}}", "x = x = ".repeat(n)),
            format!("pub const C: [char; {n}] = [{}];", "'(', '\\'', '\\u{28}', ".repeat(n)),
            "fn f<'a>(x: &'a u8) -> &'a u8 { x }\n".repeat(n),
        ];
        for text in &flat {
            let head: String = text.chars().take(60).collect();
            assert_eq!(too_deep(text, 256, 1024), None, "{head}");
        }
    }

    #[test]
    fn reports_the_line_and_column() {
        let text = format!("pub fn f() {{\n    let x = {}x;\n}}\n", "!".repeat(2000));
        // `{`, `let` and `=` count 3: the 1,022nd `!` is one too many.
        let (pos, deep) =
            too_deep(&text, 256, 1024).unwrap_or((Pos { line: 0, col: 0 }, Deep::Brackets));
        assert_eq!((pos.line, pos.col, deep), (2, 12 + 1022, Deep::Total));
        let text = format!("// é\n/* é */ é({}", "(".repeat(300));
        let (pos, deep) =
            too_deep(&text, 256, 1024).unwrap_or((Pos { line: 0, col: 0 }, Deep::Total));
        assert_eq!((pos.line, pos.col, deep), (2, 10 + 256, Deep::Brackets));
    }

    /// Which comments are doc comments: as proc-macro2 lexes them, which
    /// makes a doc comment a `#[doc]` attribute and drops any other.
    #[test]
    fn doc_comments_are_those_proc_macro2_keeps() {
        let forms = [
            "// x",
            "/// x",
            "//// x",
            "//! x",
            "///",
            "//!",
            "//",
            "/* x */",
            "/** x */",
            "/*** x */",
            "/**/",
            "/*! x */",
            "/***/",
            "/** /* x */ */",
            "/*!*/",
            "/**x*/",
            "///x",
        ];
        for form in forms {
            let text = format!("{form}\n");
            let lexed: proc_macro2::TokenStream = text.parse().unwrap();
            let scanned = scan(&text, 256, 1024).doc_marks;
            assert_eq!(!scanned.is_empty(), !lexed.is_empty(), "{form}");
            if let Some(plain) = without_docs(&text, &scanned) {
                let relexed: proc_macro2::TokenStream = plain.parse().unwrap();
                assert!(relexed.is_empty(), "{form} -> {plain}");
                assert_eq!(plain.len(), text.len());
            }
        }
        // Comment markers inside strings, characters and other comments are
        // not comments.
        let text =
            "const A: &str = \"/// x\"; const B: char = '/'; // /// x\n/* //! x */ fn f() {}";
        assert!(scan(text, 256, 1024).doc_marks.is_empty());
    }

    /// Without its doc comments, every file of this repository lowers to the
    /// same IR, spans included: the analysis sees no difference.
    #[test]
    fn without_docs_the_ir_is_the_same() {
        // Deeply nested fixtures need the stack the tool's threads have.
        std::thread::Builder::new()
            .stack_size(crate::STACK_SIZE)
            .spawn(same_ir_without_docs)
            .unwrap()
            .join()
            .unwrap();
    }

    fn same_ir_without_docs() {
        let mut with_docs = 0;
        for (path, text) in crate::testing::repository_sources() {
            let marks = scan(&text, 256, 1024).doc_marks;
            let Some(plain) = without_docs(&text, &marks) else {
                continue;
            };
            let (Ok(a), Ok(b)) = (syn::parse_file(&text), syn::parse_file(&plain)) else {
                assert_eq!(
                    syn::parse_file(&text).is_ok(),
                    syn::parse_file(&plain).is_ok(),
                    "{}",
                    path.display()
                );
                continue;
            };
            let ir = |f: &syn::File| format!("{:?}", crate::lower::lower_file(f, 0).items);
            assert_eq!(ir(&a), ir(&b), "{}", path.display());
            with_docs += 1;
        }
        assert!(with_docs > 100, "only {with_docs} files with doc comments");
    }
}
