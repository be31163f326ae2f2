//! Category interning: every category name (built-in or custom) gets a small
//! id, and sets of categories are bit sets, so the per-expression work of the
//! analysis stays cheap.

use crate::policy::Policy;
use datagate_spec::taxonomy::{self, CategoryRef};

/// At most this many distinct categories (built-in and custom) per run.
pub const MAX_CATEGORIES: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CatId(pub u8);

/// A set of categories.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CatSet(u128);

impl CatSet {
    pub const ALL: CatSet = CatSet(u128::MAX);
    pub fn single(c: CatId) -> Self {
        CatSet(1u128 << c.0)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn contains(self, c: CatId) -> bool {
        self.0 & (1u128 << c.0) != 0
    }
    pub fn insert(&mut self, c: CatId) {
        self.0 |= 1u128 << c.0;
    }
    pub fn union(self, o: CatSet) -> CatSet {
        CatSet(self.0 | o.0)
    }
    pub fn minus(self, o: CatSet) -> CatSet {
        CatSet(self.0 & !o.0)
    }
    /// Ascending. One step per member, not per possible id: the analysis
    /// iterates a field's categories on every read of it, and testing all
    /// 128 bits was about 3% of the flow stage's instructions (callgrind,
    /// 100k generated lines).
    pub fn iter(self) -> impl Iterator<Item = CatId> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let i = bits.trailing_zeros() as u8;
            bits &= bits - 1;
            Some(CatId(i))
        })
    }
}

/// The interned category names of one run.
#[derive(Debug, Clone)]
pub struct CatTable {
    names: Vec<String>,
    groups: Vec<String>,
}

impl CatTable {
    /// Built-in categories first (stable ids), then the policy's custom ones.
    pub fn new(policy: &Policy) -> Self {
        let mut t = CatTable {
            names: Vec::new(),
            groups: Vec::new(),
        };
        for c in taxonomy::CATEGORIES {
            t.names.push(c.name.to_string());
            t.groups.push(c.group.to_string());
        }
        for (name, group) in &policy.custom_categories {
            if t.names.len() < MAX_CATEGORIES && !t.names.contains(name) {
                t.names.push(name.clone());
                t.groups.push(group.clone());
            }
        }
        t
    }

    pub fn name(&self, c: CatId) -> &str {
        self.names.get(usize::from(c.0)).map_or("?", String::as_str)
    }

    pub fn id(&self, name: &str) -> Option<CatId> {
        self.names
            .iter()
            .position(|n| n == name)
            .and_then(|i| u8::try_from(i).ok())
            .map(CatId)
    }

    /// Intern a custom category named in code but not in the policy, so it is
    /// still tracked (and reported as unknown elsewhere).
    pub fn intern(&mut self, name: &str) -> Option<CatId> {
        if let Some(id) = self.id(name) {
            return Some(id);
        }
        if self.names.len() >= MAX_CATEGORIES {
            return None;
        }
        self.names.push(name.to_string());
        self.groups.push(String::new());
        self.id(name)
    }

    /// The set a name stands for when marking data (`location` = the category).
    pub fn marking(&self, name: &str) -> CatSet {
        match taxonomy::lookup_for_marking(name) {
            Some(CategoryRef::Category(c)) => {
                self.id(c.name).map(CatSet::single).unwrap_or_default()
            }
            Some(CategoryRef::Group(g)) => self.group(g.name),
            None => self.id(name).map(CatSet::single).unwrap_or_default(),
        }
    }

    /// The set a name stands for when covering (`location` = the group).
    pub fn coverage(&self, name: &str) -> CatSet {
        match taxonomy::lookup_for_coverage(name) {
            Some(CategoryRef::Group(g)) => self.group(g.name),
            Some(CategoryRef::Category(c)) => {
                self.id(c.name).map(CatSet::single).unwrap_or_default()
            }
            None => self.id(name).map(CatSet::single).unwrap_or_default(),
        }
    }

    fn group(&self, group: &str) -> CatSet {
        let mut s = CatSet::default();
        for (i, g) in self.groups.iter().enumerate() {
            if g == group {
                if let Ok(i) = u8::try_from(i) {
                    s.insert(CatId(i));
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_custom_categories() {
        let mut policy = Policy::default();
        policy
            .custom_categories
            .insert("loyalty_tier".into(), "activity".into());
        let t = CatTable::new(&policy);
        let activity = t.coverage("activity");
        assert!(activity.contains(t.id("last_seen").unwrap()));
        assert!(activity.contains(t.id("loyalty_tier").unwrap()));
        assert_eq!(
            t.marking("location"),
            CatSet::single(t.id("location").unwrap())
        );
        assert_eq!(t.marking("device").iter().count(), 4);
        assert!(t.marking("nope").is_empty());
    }
}
