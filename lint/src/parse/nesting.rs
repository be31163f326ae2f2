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
//!
//! Every file goes through this pass before syn, so it is written for
//! speed. The lexer dispatches on a table of byte classes, finds where words
//! and runs of spaces end eight bytes at a time, tells keywords from a hash
//! of a word's bytes, and hands each token to the check ([`Nesting::token`],
//! inlined) where it knows which token it is, so that the check's `match`
//! on it folds away.

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
        lines: Lines { line: 1, start: 0 },
        doc_marks: Vec::new(),
    };
    let mut nest = Nesting {
        outer: Vec::new(),
        top: Level::default(),
        total: 0,
        prev: Prev::Start,
        max_brackets,
        max_total,
    };
    let deep = lexer.run(code_start(text), &mut nest);
    Scan {
        deep: deep.map(|(start, deep)| (lexer.lines.pos(text, start), deep)),
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

/// What the previous token was, as far as the next one cares. Each token
/// sets at most one of the last four, so one value holds them all and each
/// token takes it in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// An identifier: a following `&`, `*`, `-`, `|`, `!`, `..` is binary
    /// (or a macro's `!`), a following `<` may open generic arguments.
    Ident,
    /// A literal, `)`, `]` or `?`: the end of an operand, which a `<` can
    /// only compare with.
    Value,
    /// Anything else: what follows starts an expression, type or pattern,
    /// so `&`, `*`, `-`, `!`, `|`, `..` are prefixes there.
    Start,
    /// A `}`, a [`Prev::Value`]: if this token begins a new statement or
    /// item, everything open at this level has ended.
    Brace,
    /// `else`, a [`Prev::Start`]: `else if` continues a chain syn does not
    /// recurse on.
    Else,
    /// `#` or `#!`, a [`Prev::Start`]: a `[` opens an attribute.
    Hash,
    /// `<<` counted as two `<`, a [`Prev::Start`]: taken back if a literal
    /// follows, since `x << 3` shifts, where `Vec<<T as Tr>::A>` would go on
    /// with a type.
    Shl,
}

impl Prev {
    /// What follows starts an expression, type or pattern.
    fn starts(self) -> bool {
        matches!(self, Prev::Start | Prev::Else | Prev::Hash | Prev::Shl)
    }

    /// What follows comes after an operand that is no identifier.
    fn is_value(self) -> bool {
        matches!(self, Prev::Value | Prev::Brace)
    }
}

struct Nesting {
    /// The levels of the brackets around the innermost one, outermost (the
    /// file outside all brackets) first. The innermost is `top`, which every
    /// token reads or writes, kept out of the vector so that reaching it
    /// needs no bounds check.
    outer: Vec<Level>,
    /// The innermost open level.
    top: Level,
    /// Open brackets plus every level's count.
    total: usize,
    prev: Prev,
    max_brackets: usize,
    max_total: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// An identifier or keyword; a raw identifier is [`Word::Ident`].
    Word(Word),
    Literal,
    Lifetime,
    Open(u8),
    Close(u8),
    Punct(Punct),
}

/// A word as far as the check cares: which keyword, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    /// Not a keyword (`self`, `crate`, `true` are identifiers here), or a
    /// raw identifier.
    Ident,
    /// `return`, `break`, `yield`, `become`, `let`, `box`, `match`,
    /// `while`, `for`: each starts a construct.
    Chain,
    If,
    Else,
    /// `as` and `in`, which go on with an expression or a `for` head after
    /// a `}`.
    AsIn,
    /// Any other keyword (strict, reserved, or `raw` of `&raw const`):
    /// neither an operand nor a construct.
    Other,
}

/// The keywords the check tells apart from identifiers.
const KEYWORDS: [(&[u8], Word); 44] = [
    (b"return", Word::Chain),
    (b"break", Word::Chain),
    (b"yield", Word::Chain),
    (b"become", Word::Chain),
    (b"let", Word::Chain),
    (b"box", Word::Chain),
    (b"match", Word::Chain),
    (b"while", Word::Chain),
    (b"for", Word::Chain),
    (b"if", Word::If),
    (b"else", Word::Else),
    (b"as", Word::AsIn),
    (b"in", Word::AsIn),
    (b"async", Word::Other),
    (b"const", Word::Other),
    (b"continue", Word::Other),
    (b"dyn", Word::Other),
    (b"enum", Word::Other),
    (b"extern", Word::Other),
    (b"fn", Word::Other),
    (b"impl", Word::Other),
    (b"loop", Word::Other),
    (b"mod", Word::Other),
    (b"move", Word::Other),
    (b"mut", Word::Other),
    (b"pub", Word::Other),
    // `&raw const x`: `raw` does not end the `&`.
    (b"raw", Word::Other),
    (b"ref", Word::Other),
    (b"static", Word::Other),
    (b"struct", Word::Other),
    (b"trait", Word::Other),
    (b"type", Word::Other),
    (b"unsafe", Word::Other),
    (b"use", Word::Other),
    (b"where", Word::Other),
    (b"abstract", Word::Other),
    (b"do", Word::Other),
    (b"final", Word::Other),
    (b"macro", Word::Other),
    (b"override", Word::Other),
    (b"priv", Word::Other),
    (b"typeof", Word::Other),
    (b"unsized", Word::Other),
    (b"virtual", Word::Other),
];

impl Word {
    /// A word of at most eight bytes as a number, the first byte in the low
    /// one, as the lexer loads it; no longer word is a keyword. No byte of a
    /// word is zero, so no two words pack alike.
    const fn pack(w: &[u8]) -> u64 {
        let mut key = 0;
        let mut k = 0;
        while k < w.len() {
            key |= (w[k] as u64) << (8 * k);
            k += 1;
        }
        key
    }

    /// Where a packed word goes in [`Word::TABLE`]: the top seven bits of
    /// a product, by a multiplier found by trying random ones until every
    /// keyword had a slot of its own (which building the table checks).
    const fn slot(key: u64) -> usize {
        (key.wrapping_mul(0x98e2_bb55_92fe_9139) >> 57) as usize
    }

    /// Each keyword, packed, in its slot; the others hold zero, which no
    /// word packs to.
    const TABLE: [(u64, Word); 128] = {
        let mut table = [(0, Word::Ident); 128];
        let mut k = 0;
        while k < KEYWORDS.len() {
            let (w, word) = KEYWORDS[k];
            assert!(w.len() <= 8, "a keyword too long to pack");
            let key = Word::pack(w);
            let slot = Word::slot(key);
            assert!(table[slot].0 == 0, "two keywords in one slot");
            table[slot] = (key, word);
            k += 1;
        }
        table
    };

    /// The packed word `key` ([`Word::pack`]; 0 for a longer one): one
    /// look-up and one comparison, where a `match` on the text branches on
    /// its length and then on byte after byte.
    fn of(key: u64) -> Word {
        let (keyword, word) = Word::TABLE[Word::slot(key)];
        if keyword == key {
            word
        } else {
            Word::Ident
        }
    }
}

/// The punctuation the lexer tells apart: Rust's operators, lexed longest
/// first, and `Other` for any other single character (`.`, `:`, `$`, `~`, a
/// stray `'`, a character Rust does not know) and `::`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Punct {
    Semi,      // ;
    Comma,     // ,
    Pound,     // #
    Question,  // ?
    At,        // @
    Not,       // !
    Ne,        // !=
    Eq,        // =
    EqEq,      // ==
    FatArrow,  // =>
    Lt,        // <
    Le,        // <=
    Shl,       // <<
    ShlEq,     // <<=
    Gt,        // >
    Ge,        // >=
    Shr,       // >>
    ShrEq,     // >>=
    And,       // &
    AndAnd,    // &&
    AndEq,     // &=
    Or,        // |
    OrOr,      // ||
    OrEq,      // |=
    Minus,     // -
    RArrow,    // ->
    MinusEq,   // -=
    Plus,      // +
    PlusEq,    // +=
    Star,      // *
    StarEq,    // *=
    Slash,     // /
    SlashEq,   // /=
    Percent,   // %
    PercentEq, // %=
    Caret,     // ^
    CaretEq,   // ^=
    DotDot,    // ..
    DotDotEq,  // ..=
    DotDotDot, // ...
    Other,
}

impl Punct {
    /// A binary operator (or assignment): after an operand it ends the
    /// prefix operators before it.
    fn is_binary(self) -> bool {
        use Punct::*;
        matches!(
            self,
            Plus | Minus
                | Star
                | Slash
                | Percent
                | Caret
                | And
                | Or
                | AndAnd
                | OrOr
                | EqEq
                | Ne
                | Le
                | Gt
                | Ge
                | Shr
                | DotDot
                | DotDotEq
                | Eq
                | PlusEq
                | MinusEq
                | StarEq
                | SlashEq
                | PercentEq
                | CaretEq
                | AndEq
                | OrEq
                | ShlEq
                | ShrEq
        )
    }
}

#[derive(Debug, Clone, Copy)]
enum Counter {
    Chain,
    Prefix,
    Angle,
}

impl Nesting {
    fn add(&mut self, counter: Counter, n: usize) -> Option<Deep> {
        let top = &mut self.top;
        match counter {
            Counter::Chain => top.chain += n,
            Counter::Prefix => top.prefix += n,
            Counter::Angle => top.angle += n,
        }
        self.total += n;
        (self.total > self.max_total).then_some(Deep::Total)
    }

    fn close_angle(&mut self, n: usize) {
        let top = &mut self.top;
        let k = n.min(top.angle);
        top.angle -= k;
        self.total = self.total.saturating_sub(k);
    }

    /// A token that ends every construct open at this level.
    fn end_all(&mut self) {
        let top = &mut self.top;
        let k = top.count();
        *top = Level {
            attr: top.attr,
            ..Level::default()
        };
        self.total = self.total.saturating_sub(k);
    }

    /// The next token: whether it makes the file too deep. Inlined where
    /// the lexer knows which token it has, so that this `match` folds away.
    #[inline(always)]
    fn token(&mut self, tok: Tok) -> Option<Deep> {
        let prev = std::mem::replace(&mut self.prev, Prev::Start);
        // After a `}`, a word (but `as`, `else`, `in`, which continue an
        // expression or a `for` head) or an attribute begins the next
        // statement or item.
        if prev == Prev::Brace {
            let ends = match tok {
                Tok::Word(w) => !matches!(w, Word::AsIn | Word::Else),
                Tok::Punct(Punct::Pound) => true,
                _ => false,
            };
            if ends {
                self.end_all();
            }
        }
        match tok {
            Tok::Word(w) => match w {
                Word::Chain => return self.add(Counter::Chain, 1),
                // `else if` is a loop in syn, not a recursion.
                Word::If if prev != Prev::Else => return self.add(Counter::Chain, 1),
                Word::Else => self.prev = Prev::Else,
                Word::If | Word::AsIn | Word::Other => {}
                Word::Ident => self.prev = Prev::Ident,
            },
            Tok::Literal => {
                if prev == Prev::Shl {
                    self.close_angle(2);
                }
                self.prev = Prev::Value;
            }
            Tok::Lifetime => {}
            Tok::Open(c) => {
                // The levels are `outer` and `top`.
                if self.outer.len() + 1 > self.max_brackets {
                    return Some(Deep::Brackets);
                }
                // `if a < b {`: generic arguments are never followed by a
                // block after an operand, so what is open here compares.
                if c == b'{' && !prev.starts() {
                    let top = &mut self.top;
                    let k = top.angle;
                    top.angle = 0;
                    self.total = self.total.saturating_sub(k);
                }
                let inner = Level {
                    attr: c == b'[' && prev == Prev::Hash,
                    ..Level::default()
                };
                self.outer.push(std::mem::replace(&mut self.top, inner));
                self.total += 1;
                return (self.total > self.max_total).then_some(Deep::Total);
            }
            Tok::Close(c) => {
                // An unmatched closer is syn's error to report.
                if let Some(around) = self.outer.pop() {
                    let l = std::mem::replace(&mut self.top, around);
                    self.total = self.total.saturating_sub(l.count() + 1);
                    if l.attr {
                        return None;
                    }
                }
                self.prev = if c == b'}' { Prev::Brace } else { Prev::Value };
            }
            Tok::Punct(p) => return self.punct(p, prev),
        }
        None
    }

    /// [`Nesting::token`] for an operator; inlined with it.
    #[inline(always)]
    fn punct(&mut self, p: Punct, prev: Prev) -> Option<Deep> {
        use Punct::*;
        let start = prev.starts();
        // A binary operator after an operand ends the prefix operators
        // before it (`-1 | -2`), except in generic arguments (`&Vec<A<B>,`),
        // where they may apply to what is still open.
        if !start && self.top.angle == 0 && p.is_binary() {
            let top = &mut self.top;
            let k = top.prefix;
            top.prefix = 0;
            self.total = self.total.saturating_sub(k);
        }
        match p {
            Semi | FatArrow => self.end_all(),
            // A `,` ends what is open at its level, but for generic
            // arguments (`Result<A, Result<A, …`) and closure parameters.
            Comma => {
                let top = &mut self.top;
                if !top.params && top.angle == 0 {
                    let k = top.chain + top.prefix;
                    top.chain = 0;
                    top.prefix = 0;
                    self.total = self.total.saturating_sub(k);
                }
            }
            Pound => self.prev = Prev::Hash,
            Not if prev == Prev::Hash => self.prev = Prev::Hash,
            Question => self.prev = Prev::Value,
            And | Star | Minus | Not | DotDot | DotDotEq | DotDotDot if start => {
                return self.add(Counter::Prefix, 1)
            }
            AndAnd if start => return self.add(Counter::Prefix, 2),
            // The first `|` at the start of an expression opens a closure's
            // parameters, the next one closes them; elsewhere `|` is binary
            // or separates patterns.
            Or => {
                let top = &mut self.top;
                if top.params {
                    top.params = false;
                } else if start {
                    top.params = true;
                    return self.add(Counter::Chain, 1);
                }
            }
            // `|a||b| …`: one closure's parameters close and the next
            // one's open; `||` at the start of an expression is a closure.
            OrOr if self.top.params || start => return self.add(Counter::Chain, 1),
            OrEq => {
                self.top.params = false;
                return self.add(Counter::Chain, 1);
            }
            // `>=` may be `>` then `=` (`let v: Vec<u8>= …`): count the `=`.
            RArrow | Eq | At | PlusEq | MinusEq | StarEq | SlashEq | PercentEq | CaretEq
            | AndEq | ShlEq | ShrEq | Ge => return self.add(Counter::Chain, 1),
            // After a literal or a closing bracket, `<` compares; anywhere
            // else it may open generic arguments (`Vec<`, `<T as Tr>::`).
            Lt | Shl if prev.is_value() => {}
            Lt => return self.add(Counter::Angle, 1),
            Shl => {
                self.prev = Prev::Shl;
                return self.add(Counter::Angle, 2);
            }
            Gt => self.close_angle(1),
            Shr => self.close_angle(2),
            _ => {}
        }
        None
    }
}

/// What a byte starts, for the lexer's dispatch: rustc compiles a `match`
/// on byte ranges to one comparison after another, and one on this to a
/// single jump.
#[derive(Debug, Clone, Copy)]
enum Class {
    Newline,
    /// A space.
    Space,
    /// ASCII whitespace but a space or a newline.
    Blank,
    /// A comment or an operator.
    Slash,
    /// `"`: a string.
    Quote,
    /// `'`: a character, a lifetime or a label.
    Apostrophe,
    Digit,
    Open,
    Close,
    /// Starts an identifier or keyword.
    Word,
    /// `r`, `b` or `c`, which may start a raw, byte or C string instead.
    Prefixed,
    /// 0x80 or more: a character beyond ASCII, whitespace or not.
    High,
    /// `:` or `::`, which the check ignores, `.`, `,` and `;`: the commonest
    /// punctuation has an arm of its own, where the check's `match` on the
    /// token folds away.
    Colon,
    Dot,
    Comma,
    Semi,
    /// Any other operator, or a character Rust does not know.
    Punct,
}

const CLASS: [Class; 256] = {
    let mut table = [Class::Punct; 256];
    let mut c = 0;
    while c < 256 {
        table[c] = match c as u8 {
            b'\n' => Class::Newline,
            b' ' => Class::Space,
            b'\t' | b'\r' | 0x0b | 0x0c => Class::Blank,
            b'/' => Class::Slash,
            b'"' => Class::Quote,
            b'\'' => Class::Apostrophe,
            b'0'..=b'9' => Class::Digit,
            b'(' | b'[' | b'{' => Class::Open,
            b')' | b']' | b'}' => Class::Close,
            b'r' | b'b' | b'c' => Class::Prefixed,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => Class::Word,
            0x80.. => Class::High,
            b':' => Class::Colon,
            b'.' => Class::Dot,
            b',' => Class::Comma,
            b';' => Class::Semi,
            _ => Class::Punct,
        };
        c += 1;
    }
    table
};

/// Eight bytes at once: a one in every lane (the first byte in the low one).
const LANES: u64 = 0x0101_0101_0101_0101;
/// The top bit of every lane, where the lane functions below answer.
const TOPS: u64 = splat(0x80);

/// `byte` in every lane.
const fn splat(byte: u8) -> u64 {
    LANES * byte as u64
}

/// The lanes of `chunk` that hold an ASCII letter, digit or `_`.
fn ident_lanes(chunk: u64) -> u64 {
    // Every lane below 0x80, so that no sum below carries into the next.
    let v = chunk & !TOPS;
    // The top bit is set where `lo <= lane <= hi`: adding `0x80 - lo` sets
    // it where `lo <= lane`, adding `0x7f - hi` where `hi < lane`.
    let within = |x: u64, lo: u8, hi: u8| (x + splat(0x80 - lo)) & !(x + splat(0x7f - hi));
    // `| 0x20` makes capitals small and no other lane a letter.
    let letter = within(v | splat(0x20), b'a', b'z');
    let digit = within(v, b'0', b'9');
    // Adding 0x7f sets the top bit of every lane but a zero one.
    let underscore = !((v ^ splat(b'_')) + splat(0x7f));
    // And the lane was below 0x80 to begin with.
    (letter | digit | underscore) & !chunk & TOPS
}

/// The lanes of `chunk` that hold a space.
fn space_lanes(chunk: u64) -> u64 {
    let z = chunk ^ splat(b' ');
    // A lane is zero when neither its top bit is set nor its low seven
    // bits carry into it.
    !(((z & !TOPS) + splat(0x7f)) | z) & TOPS
}

/// The eight bytes from `at`, zeros past the end (a zero byte is neither a
/// space nor part of an identifier).
fn chunk_at(b: &[u8], at: usize) -> u64 {
    if let Some(chunk) = b.get(at..at + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) {
        return u64::from_le_bytes(chunk);
    }
    let mut last = [0u8; 8];
    for (to, from) in last.iter_mut().zip(b.get(at..).unwrap_or(&[])) {
        *to = *from;
    }
    u64::from_le_bytes(last)
}

/// From `at`, past the bytes whose lanes `lanes` sets, eight at a time: a
/// loop byte by byte mispredicts where nearly every word ends.
#[inline(always)]
fn run(b: &[u8], mut at: usize, lanes: impl Fn(u64) -> u64) -> usize {
    loop {
        let n = (!lanes(chunk_at(b, at)) & TOPS).trailing_zeros() / 8;
        at += n as usize;
        if n < 8 {
            return at;
        }
    }
}

/// Where the identifier characters from `at` end (any character but ASCII
/// punctuation and whitespace: proc-macro2 rejects the others).
#[inline(always)]
fn ident_end(text: &str, at: usize) -> usize {
    let at = run(text.as_bytes(), at, ident_lanes);
    match text.as_bytes().get(at) {
        Some(0x80..) => ident_end_unicode(text, at),
        _ => at,
    }
}

/// The word at `at`, which starts with an identifier character: where it
/// ends, and which keyword it is if any. The eight bytes loaded to find the
/// end are the word itself, packed ([`Word::pack`]), if it is short enough
/// to be a keyword.
///
/// Every token moves on, whatever the input, so the word ends one byte on
/// at least (it would be empty at a byte inside a character).
#[inline(always)]
fn word(text: &str, at: usize) -> (usize, Word) {
    let chunk = chunk_at(text.as_bytes(), at);
    // The top bit of the first lane that holds no identifier's byte, if any.
    let stop = {
        let others = !ident_lanes(chunk) & TOPS;
        others & others.wrapping_neg()
    };
    let n = (stop.trailing_zeros() / 8) as usize;
    if stop & !chunk != 0 {
        // The word ends within the eight bytes, at an ASCII byte: it is the
        // lanes below that one.
        return ((at + n).max(at + 1), Word::of(chunk & ((stop >> 7) - 1)));
    }
    // Longer, or it goes on with a character beyond ASCII.
    let end = ident_end(text, at + n);
    let key = match end - at {
        len @ 0..8 => chunk & ((1 << (8 * len)) - 1),
        8 => chunk,
        _ => 0,
    };
    (end.max(at + 1), Word::of(key))
}

/// [`ident_end`] from a byte of 0x80 or more.
#[cold]
#[inline(never)]
fn ident_end_unicode(text: &str, mut at: usize) -> usize {
    loop {
        match text.as_bytes().get(at) {
            Some(0x80..) => match char_at(text, at) {
                Some(ch) if !is_whitespace(ch) => at += ch.len_utf8(),
                _ => return at,
            },
            _ => return at,
        }
        at = run(text.as_bytes(), at, ident_lanes);
    }
}

fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..)?.chars().next()
}

/// The line the lexer has reached, for the position of a token on it.
struct Lines {
    line: u32,
    /// Where the line starts.
    start: usize,
}

impl Lines {
    /// The newline at `at`.
    fn newline(&mut self, at: usize) {
        self.line += 1;
        self.start = at + 1;
    }

    /// The position of a token that starts at `at` on the current line.
    fn pos(&self, text: &str, at: usize) -> Pos {
        let col = text.get(self.start..at).map_or(0, |s| s.chars().count());
        Pos {
            line: self.line,
            col: col as u32 + 1,
        }
    }
}

/// Splits a file into the tokens the check needs; strings, characters,
/// lifetimes and comments as proc-macro2 lexes them.
struct Lexer<'a> {
    text: &'a str,
    lines: Lines,
    /// [`Scan::doc_marks`].
    doc_marks: Vec<usize>,
}

impl Lexer<'_> {
    /// From `from`, hands `nest` each token until the end of the file, or
    /// until one makes it too deep: then where that token starts, and how.
    ///
    /// The position is a local, read and written at nearly every byte: the
    /// rarer tokens are lexed by functions of the text and a position, not
    /// by methods, so that nothing outside this loop can change it and it
    /// stays in a register.
    fn run(&mut self, from: usize, nest: &mut Nesting) -> Option<(usize, Deep)> {
        let (text, b) = (self.text, self.text.as_bytes());
        let mut i = from;
        loop {
            let mut c = *b.get(i)?;
            // One space between two tokens is the most common whitespace:
            // passed here, it costs no round of the dispatch below.
            if c == b' ' {
                i += 1;
                c = *b.get(i)?;
            }
            let start = i;
            let deep = match CLASS[usize::from(c)] {
                // Indentation follows.
                Class::Newline => {
                    self.lines.newline(i);
                    i = run(b, i + 1, space_lanes);
                    continue;
                }
                // The second of a run, often the last.
                Class::Space => {
                    i += 1;
                    if b.get(i) == Some(&b' ') {
                        i = run(b, i, space_lanes);
                    }
                    continue;
                }
                Class::Blank => {
                    i += 1;
                    continue;
                }
                Class::Slash if b.get(i + 1) == Some(&b'/') => {
                    doc_mark(&mut self.doc_marks, b, i);
                    // To the newline, which the next round counts.
                    i = text
                        .get(i..)
                        .and_then(|rest| rest.find('\n'))
                        .map_or(b.len(), |n| i + n);
                    continue;
                }
                Class::Slash if b.get(i + 1) == Some(&b'*') => {
                    doc_mark(&mut self.doc_marks, b, i);
                    i = block_comment_end(b, i, &mut self.lines);
                    continue;
                }
                Class::Quote => {
                    i = cooked_string_end(text, i + 1, &mut self.lines);
                    nest.token(Tok::Literal)
                }
                Class::Apostrophe => {
                    let (end, tok) = quote(text, i);
                    i = end;
                    nest.token(tok)
                }
                Class::Digit => {
                    i = ident_end(text, i);
                    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                        i = ident_end(text, i + 1);
                    }
                    nest.token(Tok::Literal)
                }
                Class::Open => {
                    i += 1;
                    nest.token(Tok::Open(c))
                }
                Class::Close => {
                    i += 1;
                    nest.token(Tok::Close(c))
                }
                Class::Word => {
                    let (end, w) = word(text, i);
                    i = end;
                    // Four words in five are identifiers: as a constant,
                    // the check's `match` folds away for them.
                    if w == Word::Ident {
                        nest.token(Tok::Word(Word::Ident))
                    } else {
                        nest.token(Tok::Word(w))
                    }
                }
                Class::Prefixed => {
                    let (end, tok) = match prefixed_literal(text, i, &mut self.lines) {
                        Some(literal) => literal,
                        None => {
                            let (end, w) = word(text, i);
                            (end, Tok::Word(w))
                        }
                    };
                    i = end;
                    nest.token(tok)
                }
                Class::High => {
                    if let Some(ch) = char_at(text, i).filter(|&ch| is_whitespace(ch)) {
                        i += ch.len_utf8();
                        continue;
                    }
                    let (end, w) = word(text, i);
                    i = end;
                    nest.token(Tok::Word(w))
                }
                Class::Colon => {
                    i += if b.get(i + 1) == Some(&b':') { 2 } else { 1 };
                    nest.token(Tok::Punct(Punct::Other))
                }
                Class::Dot if b.get(i + 1) != Some(&b'.') => {
                    i += 1;
                    nest.token(Tok::Punct(Punct::Other))
                }
                Class::Comma => {
                    i += 1;
                    nest.token(Tok::Punct(Punct::Comma))
                }
                Class::Semi => {
                    i += 1;
                    nest.token(Tok::Punct(Punct::Semi))
                }
                Class::Slash | Class::Dot | Class::Punct => {
                    let (p, len) = punct(b, i);
                    i += len;
                    nest.token(Tok::Punct(p))
                }
            };
            if let Some(deep) = deep {
                return Some((start, deep));
            }
        }
    }
}

/// At the start of a comment, at `at`: note it if it is a doc comment.
fn doc_mark(marks: &mut Vec<usize>, b: &[u8], at: usize) {
    if is_doc_comment(b.get(at..).unwrap_or(&[])) {
        marks.push(at + 2);
    }
}

/// The end of the block comment at `at`, nested as in Rust; an unclosed
/// comment runs to the end. [`block_comment_len`], counting lines.
fn block_comment_end(b: &[u8], mut at: usize, lines: &mut Lines) -> usize {
    let mut depth = 0usize;
    while let Some(&c) = b.get(at) {
        match (c, b.get(at + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                at += 2;
            }
            (b'*', Some(b'/')) => {
                depth = depth.saturating_sub(1);
                at += 2;
                if depth == 0 {
                    break;
                }
            }
            (b'\n', _) => {
                lines.newline(at);
                at += 1;
            }
            _ => at += 1,
        }
    }
    at
}

/// A word at `at` that starts with `r`, `b` or `c` may be a raw, byte or C
/// string, a byte, or a raw identifier instead: where that ends.
fn prefixed_literal(text: &str, at: usize, lines: &mut Lines) -> Option<(usize, Tok)> {
    let rest = text.as_bytes().get(at..).unwrap_or(&[]);
    let raw_from = if rest.starts_with(b"r\"") || rest.starts_with(b"r#") {
        Some(1)
    } else if rest.starts_with(b"br") || rest.starts_with(b"cr") {
        Some(2)
    } else {
        None
    };
    if let Some(k) = raw_from {
        if let Some(end) = raw_string_end(text, at + k, lines) {
            return Some((end, Tok::Literal));
        }
    }
    if rest.starts_with(b"b\"") || rest.starts_with(b"c\"") {
        return Some((cooked_string_end(text, at + 2, lines), Tok::Literal));
    }
    if rest.starts_with(b"b'") {
        if let Some(end) = char_literal_end(text, at + 2) {
            return Some((ident_end(text, end), Tok::Literal));
        }
    }
    if rest.starts_with(b"r#") {
        return Some((ident_end(text, at + 2), Tok::Word(Word::Ident)));
    }
    None
}

/// From `at`, after the opening `"`: past the closing one and the literal's
/// suffix.
fn cooked_string_end(text: &str, mut at: usize, lines: &mut Lines) -> usize {
    let b = text.as_bytes();
    while let Some(&c) = b.get(at) {
        match c {
            b'\\' => {
                if b.get(at + 1) == Some(&b'\n') {
                    lines.newline(at + 1);
                }
                at += 2;
            }
            b'"' => return ident_end(text, at + 1),
            b'\n' => {
                lines.newline(at);
                at += 1;
            }
            _ => at += 1,
        }
    }
    b.len()
}

/// The end of a raw string whose `#`s (if any) start at `at`, or none if
/// there is no `"` after them (a raw identifier, say).
fn raw_string_end(text: &str, at: usize, lines: &mut Lines) -> Option<usize> {
    let b = text.as_bytes();
    let hashes = b[at.min(b.len())..]
        .iter()
        .take_while(|&&c| c == b'#')
        .count();
    if b.get(at + hashes) != Some(&b'"') {
        return None;
    }
    let mut j = at + hashes + 1;
    while let Some(&c) = b.get(j) {
        if c == b'"'
            && b.len() >= j + 1 + hashes
            && b[j + 1..j + 1 + hashes].iter().all(|&h| h == b'#')
        {
            return Some(ident_end(text, j + 1 + hashes));
        }
        if c == b'\n' {
            lines.newline(j);
        }
        j += 1;
    }
    Some(b.len())
}

/// A character literal whose contents start at `at` (after the `'`):
/// where it ends, after the closing `'`.
fn char_literal_end(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    let c = char_at(text, at)?;
    let close = if c == '\\' {
        match b.get(at + 1)? {
            b'n' | b'r' | b't' | b'\\' | b'0' | b'\'' | b'"' => at + 2,
            b'x' => at + 4,
            b'u' if b.get(at + 2) == Some(&b'{') => {
                let digits = b[at + 3..]
                    .iter()
                    .take_while(|c| c.is_ascii_hexdigit() || **c == b'_')
                    .count();
                if b.get(at + 3 + digits) != Some(&b'}') {
                    return None;
                }
                at + 4 + digits
            }
            _ => return None,
        }
    } else {
        at + c.len_utf8()
    };
    (b.get(close) == Some(&b'\'')).then_some(close + 1)
}

/// The `'` at `at`: a character literal, a lifetime or label, or a stray
/// quote; where it ends.
fn quote(text: &str, at: usize) -> (usize, Tok) {
    let b = text.as_bytes();
    if let Some(end) = char_literal_end(text, at + 1) {
        return (ident_end(text, end), Tok::Literal);
    }
    let mut j = at + 1;
    if b[j.min(b.len())..].starts_with(b"r#") {
        j += 2;
    }
    let end = ident_end(text, j);
    if end > j && !b[j].is_ascii_digit() {
        return (end, Tok::Lifetime);
    }
    (at + 1, Tok::Punct(Punct::Other))
}

/// The operator at `at`, longest first, and its length.
#[inline(always)]
fn punct(b: &[u8], at: usize) -> (Punct, usize) {
    use Punct::*;
    match b.get(at..).unwrap_or(&[]) {
        [b'<', b'<', b'=', ..] => (ShlEq, 3),
        [b'>', b'>', b'=', ..] => (ShrEq, 3),
        [b'.', b'.', b'.', ..] => (DotDotDot, 3),
        [b'.', b'.', b'=', ..] => (DotDotEq, 3),
        [b':', b':', ..] => (Other, 2),
        [b'-', b'>', ..] => (RArrow, 2),
        [b'=', b'>', ..] => (FatArrow, 2),
        [b'=', b'=', ..] => (EqEq, 2),
        [b'!', b'=', ..] => (Ne, 2),
        [b'<', b'=', ..] => (Le, 2),
        [b'>', b'=', ..] => (Ge, 2),
        [b'&', b'&', ..] => (AndAnd, 2),
        [b'|', b'|', ..] => (OrOr, 2),
        [b'+', b'=', ..] => (PlusEq, 2),
        [b'-', b'=', ..] => (MinusEq, 2),
        [b'*', b'=', ..] => (StarEq, 2),
        [b'/', b'=', ..] => (SlashEq, 2),
        [b'%', b'=', ..] => (PercentEq, 2),
        [b'^', b'=', ..] => (CaretEq, 2),
        [b'&', b'=', ..] => (AndEq, 2),
        [b'|', b'=', ..] => (OrEq, 2),
        [b'<', b'<', ..] => (Shl, 2),
        [b'>', b'>', ..] => (Shr, 2),
        [b'.', b'.', ..] => (DotDot, 2),
        [b';', ..] => (Semi, 1),
        [b',', ..] => (Comma, 1),
        [b'#', ..] => (Pound, 1),
        [b'?', ..] => (Question, 1),
        [b'!', ..] => (Not, 1),
        [b'@', ..] => (At, 1),
        [b'%', ..] => (Percent, 1),
        [b'^', ..] => (Caret, 1),
        [b'&', ..] => (And, 1),
        [b'*', ..] => (Star, 1),
        [b'-', ..] => (Minus, 1),
        [b'+', ..] => (Plus, 1),
        [b'=', ..] => (Eq, 1),
        [b'|', ..] => (Or, 1),
        [b'<', ..] => (Lt, 1),
        [b'>', ..] => (Gt, 1),
        [b'/', ..] => (Slash, 1),
        // `.`, `:`, `$`, `~` and characters Rust has no use for.
        _ => (Other, 1),
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

    /// The lane functions answer for each byte as their definitions do, in
    /// every lane, whatever the other lanes hold.
    #[test]
    fn lanes_are_bytes() {
        let fills = [0x00, b' ', b'a', 0x7f, 0x80, 0xff];
        for byte in 0..=255u8 {
            let ident = byte.is_ascii_alphanumeric() || byte == b'_';
            for lane in 0..8 {
                for fill in fills {
                    let mut bytes = [fill; 8];
                    bytes[lane] = byte;
                    let chunk = u64::from_le_bytes(bytes);
                    let top = 0x80 << (8 * lane);
                    assert_eq!(ident_lanes(chunk) & top != 0, ident, "{byte:#x} in {lane}");
                    assert_eq!(
                        space_lanes(chunk) & top != 0,
                        byte == b' ',
                        "{byte:#x} in {lane}"
                    );
                }
            }
        }
    }

    /// Keywords, packed and hashed, are told from identifiers, whether the
    /// word ends within the eight bytes loaded, at their end, at the end of
    /// the text or at a character beyond ASCII.
    #[test]
    fn keywords_are_told_from_identifiers() {
        for (w, word) in KEYWORDS {
            assert_eq!(Word::of(Word::pack(w)), word);
            let w = std::str::from_utf8(w).unwrap_or("");
            for text in [
                w.to_string(),
                format!("{w}("),
                format!("{w} x"),
                format!("{w}\u{a0}x"),
            ] {
                assert_eq!(super::word(&text, 0), (w.len(), word), "{text}");
            }
            for text in [format!("{w}s"), format!("{w}é"), format!("{w}_9")] {
                assert_eq!(super::word(&text, 0).1, Word::Ident, "{text}");
            }
        }
        for text in ["self", "Self", "crate", "If", "retur", "r", "_", "x", "fnn"] {
            assert_eq!(super::word(text, 0), (text.len(), Word::Ident), "{text}");
        }
        assert_eq!(super::word("é(", 0), (2, Word::Ident));
        assert_eq!(super::word("abstractly = 1", 0), (10, Word::Ident));
        assert_eq!(super::word("x continue", 2), (10, Word::Other));
    }

    /// Without its doc comments, every file of this repository lowers to the
    /// same IR, spans included: the analysis sees no difference. (A doc
    /// comment inside a macro invocation in a function body would differ: syn
    /// hands it over as `#[doc = "…"]` tokens, which lowering would read as
    /// an assignment. The robustness test `doc_comments_are_read_as_comments`
    /// pins that case; no file here has one.)
    #[test]
    fn without_docs_the_ir_is_the_same() {
        crate::testing::on_tool_stack(same_ir_without_docs);
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
