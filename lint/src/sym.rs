//! Interned names.
//!
//! Every identifier and path segment of the IR is a [`Sym`]: one leaked copy
//! of each distinct string for the life of the process, so a name costs 8
//! bytes instead of a heap string, and names compare and hash by address.
//! The IR of a million lines holds tens of millions of names but only tens of
//! thousands of distinct ones; the copies never freed are those.
//!
//! Order is by text, never by address, so anything sorted by name is the
//! same from run to run.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, OnceLock};

#[derive(Clone, Copy)]
pub struct Sym(&'static String);

/// The process-wide table, in shards so that threads lowering files at once
/// rarely wait for each other.
const SHARDS: usize = 16;
type Table = HashMap<&'static str, Sym, foldhash::fast::RandomState>;

fn shards() -> &'static [Mutex<Table>; SHARDS] {
    static TABLE: OnceLock<[Mutex<Table>; SHARDS]> = OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(|_| Mutex::new(Table::default())))
}

/// Which shard holds `s`: by a hash seeded once per process.
fn shard_of(s: &str) -> usize {
    use std::hash::BuildHasher;
    static SEED: OnceLock<foldhash::fast::RandomState> = OnceLock::new();
    SEED.get_or_init(Default::default).hash_one(s) as usize % SHARDS
}

thread_local! {
    /// Each thread's names seen so far: most lookups take no lock.
    static LOCAL: RefCell<Table> = RefCell::new(Table::default());
    /// In front of that, the thread's recent short names, compared in
    /// place: identifiers repeat (`self`, `String`, `map`), and a hit
    /// reads neither the table nor the interned copy's text, which was
    /// a fifth of lowering's time (perf, 1M lines).
    ///
    /// Initialised at compile time (all zeros) and without a destructor,
    /// in cells rather than behind a `RefCell`: each access is a plain
    /// thread-local address, with no lazy initialisation to check and no
    /// borrow flag to set, about 30 of the 100 instructions a name cost
    /// (callgrind, lowering 100k lines).
    static RECENT: [Cell<Recent>; RECENT_SLOTS] =
        const { [const { Cell::new(Recent::EMPTY) }; RECENT_SLOTS] };
}

const RECENT_BITS: u32 = 12;
const RECENT_SLOTS: usize = 1 << RECENT_BITS;
/// The longest name [`RECENT`] holds: the key's last byte is the length.
const RECENT_LEN: usize = 23;

/// One slot of [`RECENT`]: a short name's key and its symbol.
#[derive(Clone, Copy)]
struct Recent {
    key: RecentKey,
    sym: Option<Sym>,
}

/// A name of up to [`RECENT_LEN`] bytes, zero-padded, then its length, as
/// three words: compared and hashed a word at a time. The length is part
/// of the key so that a hit never reads the interned copy (a cache miss:
/// the copies lie all over the heap) to tell `a` from `a\0`.
type RecentKey = [u64; 3];

impl Recent {
    const EMPTY: Recent = Recent {
        key: [0; 3],
        sym: None,
    };
}

impl Sym {
    pub fn new(s: &str) -> Sym {
        if s.len() > RECENT_LEN || s.is_empty() {
            return Sym::interned(s);
        }
        let mut bytes = [0u8; RECENT_LEN + 1];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        bytes[RECENT_LEN] = s.len() as u8;
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[i * 8..i * 8 + 8]);
            u64::from_le_bytes(w)
        };
        let key: RecentKey = [word(0), word(1), word(2)];
        // A multiplicative hash of the words: a slot, not a security boundary.
        let mixed = (key[0] ^ key[1].rotate_left(21) ^ key[2].rotate_left(42))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let slot = (mixed >> (64 - RECENT_BITS)) as usize;
        RECENT.with(|r| {
            let cell = &r[slot];
            match cell.get() {
                Recent {
                    key: k,
                    sym: Some(sym),
                } if k == key => sym,
                _ => {
                    let sym = Sym::interned(s);
                    cell.set(Recent {
                        key,
                        sym: Some(sym),
                    });
                    sym
                }
            }
        })
    }

    fn interned(s: &str) -> Sym {
        if let Some(sym) = LOCAL.with(|l| l.borrow().get(s).copied()) {
            return sym;
        }
        let shard = &shards()[shard_of(s)];
        let sym = {
            let mut t = shard.lock().unwrap_or_else(|e| e.into_inner());
            match t.get(s) {
                Some(&sym) => sym,
                None => {
                    let leaked: &'static String = Box::leak(Box::new(s.to_string()));
                    let sym = Sym(leaked);
                    t.insert(leaked.as_str(), sym);
                    sym
                }
            }
        };
        LOCAL.with(|l| l.borrow_mut().insert(sym.0.as_str(), sym));
        sym
    }

    pub fn as_str(self) -> &'static str {
        self.0.as_str()
    }
}

impl std::ops::Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl From<&str> for Sym {
    fn from(s: &str) -> Sym {
        Sym::new(s)
    }
}

impl From<String> for Sym {
    fn from(s: String) -> Sym {
        Sym::new(&s)
    }
}

impl From<&String> for Sym {
    fn from(s: &String) -> Sym {
        Sym::new(s)
    }
}

impl PartialEq for Sym {
    fn eq(&self, other: &Sym) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Sym {}

/// By address, like equality: hashing never reads the text. (So a map
/// keyed by `Sym` is looked up with a `Sym`, never a `&str`: `Sym` does not
/// implement `Borrow<str>`.) Hash maps' orders are random anyway; anything
/// sorted by name uses `Ord`, which is by text.
impl Hash for Sym {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::ptr::hash(self.0, state)
    }
}

impl PartialOrd for Sym {
    fn partial_cmp(&self, other: &Sym) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Sym {
    fn cmp(&self, other: &Sym) -> std::cmp::Ordering {
        if self == other {
            return std::cmp::Ordering::Equal;
        }
        self.0.as_str().cmp(other.0.as_str())
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_str() == *other
    }
}

impl PartialEq<String> for Sym {
    fn eq(&self, other: &String) -> bool {
        self.0.as_str() == other.as_str()
    }
}

impl std::fmt::Display for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::fmt::Debug for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::{Sym, RECENT_LEN};

    #[test]
    fn one_copy_per_text_across_threads() {
        let a = Sym::new("phone_number");
        let b = std::thread::spawn(|| Sym::new("phone_number"))
            .join()
            .expect("thread");
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_ne!(a, Sym::new("email"));
        assert_eq!(a, "phone_number");
    }

    #[test]
    fn the_recent_cache_tells_names_apart() {
        let long = "a_name_longer_than_twenty_four_bytes";
        let names = [
            "a",
            "a\0",
            "ab",
            "",
            long,
            &long[..RECENT_LEN - 1],
            &long[..RECENT_LEN],
            &long[..RECENT_LEN + 1],
        ];
        let first: Vec<Sym> = names.iter().map(|n| Sym::new(n)).collect();
        for _ in 0..2 {
            for (n, s) in names.iter().zip(&first) {
                assert_eq!(Sym::new(n), *s);
                assert_eq!(s.as_str(), *n);
            }
        }
        for (i, a) in first.iter().enumerate() {
            for b in &first[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn ordered_by_text() {
        let mut v = vec![Sym::new("zeta"), Sym::new("alpha"), Sym::new("mid")];
        v.sort();
        assert_eq!(v, ["alpha", "mid", "zeta"].map(Sym::new));
    }
}
