//! Built-in categories, their groups and the built-in purposes.
//!
//! The taxonomy is two levels deep: a [`Group`] holds [`Category`]s. A group
//! name used where a category is expected stands for every category of the
//! group. The group `location` and the category `location` share a name:
//! a field marked `location` has the category, a check naming `location`
//! covers the group (which is the same set, so nothing is lost).

/// A group of categories (the first level of the taxonomy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Group {
    pub name: &'static str,
    pub description: &'static str,
}

/// A built-in category of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Category {
    pub name: &'static str,
    pub group: &'static str,
    pub description: &'static str,
    /// The fideslang data category key, for export to privacy tooling.
    pub fideslang: &'static str,
}

/// A built-in purpose of processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Purpose {
    pub name: &'static str,
    pub description: &'static str,
}

macro_rules! groups {
    ($($name:literal => $desc:literal,)*) => {
        /// Every built-in group, in taxonomy order.
        pub const GROUPS: &[Group] = &[$(Group { name: $name, description: $desc }),*];
    };
}

macro_rules! categories {
    ($($name:literal in $group:literal, $key:literal, $desc:literal;)*) => {
        /// Every built-in category, in taxonomy order.
        pub const CATEGORIES: &[Category] = &[$(Category {
            name: $name, group: $group, fideslang: $key, description: $desc,
        }),*];
    };
}

groups! {
    "contact" => "ways to reach the user and the people they know",
    "account" => "how the user presents themselves in the product",
    "device" => "the user's device and its software",
    "network" => "the network the user connects through",
    "location" => "where the user is",
    "activity" => "what the user does and when",
    "financial" => "money the user spends or receives",
    "content" => "what users write and send each other",
}

categories! {
    "phone_number" in "contact", "user.contact.phone_number", "the user's phone number";
    "email" in "contact", "user.contact.email", "the user's email address";
    "contacts" in "contact", "user.contact.address_book", "the user's address book";
    "display_name" in "account", "user.name", "the name the user shows to others";
    "profile_photo" in "account", "user.content.public.profile_photo", "the user's profile photo";
    "device_id" in "device", "user.device.device_id", "identifiers of the user's device";
    "os" in "device", "user.device.os", "the device's operating system and version";
    "screen_resolution" in "device", "user.device.screen_resolution", "the device's screen resolution";
    "device_diagnostics" in "device", "user.device.diagnostics", "crash reports, battery level and other device diagnostics";
    "ip_address" in "network", "user.device.ip_address", "the IP address the user connects from";
    "mobile_country_code" in "network", "user.device.mobile_country_code", "the mobile country code of the user's carrier";
    "mobile_network_code" in "network", "user.device.mobile_network_code", "the mobile network code of the user's carrier";
    "location" in "location", "user.location.precise", "the user's precise or approximate location";
    "last_seen" in "activity", "user.behavior.last_seen", "when the user was last online";
    "usage" in "activity", "user.behavior.usage", "how the user uses the product";
    "business_interactions" in "activity", "user.behavior.business_interactions", "the user's conversations with businesses";
    "shopping_behavior" in "activity", "user.behavior.purchase_history", "what the user looks at and buys";
    "transactions" in "financial", "user.financial.transactions", "payments the user makes or receives";
    "message_content" in "content", "user.content.private.messages", "the contents of the user's messages";
    "media" in "content", "user.content.private.media", "photos, videos and voice notes the user sends";
}

/// Every built-in purpose.
pub const PURPOSES: &[Purpose] = &[
    Purpose {
        name: "advertising",
        description: "showing or measuring ads",
    },
    Purpose {
        name: "product_suggestions",
        description: "suggesting friends, groups and products",
    },
    Purpose {
        name: "analytics",
        description: "metrics about how the product is used",
    },
    Purpose {
        name: "security",
        description: "fighting spam, abuse and fraud",
    },
    Purpose {
        name: "infrastructure",
        description: "running and scaling the service",
    },
    Purpose {
        name: "payments",
        description: "processing payments",
    },
    Purpose {
        name: "business_messaging",
        description: "conversations with businesses",
    },
    Purpose {
        name: "integration",
        description: "integrations with other products of the recipient",
    },
];

/// What a category name written by a user stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryRef {
    /// A category (the name may also be a group name, see `location`).
    Category(&'static Category),
    /// A group: all of its categories.
    Group(&'static Group),
}

/// The built-in category with this name.
pub fn category(name: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.name == name)
}

/// The built-in group with this name.
pub fn group(name: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.name == name)
}

/// The built-in purpose with this name.
pub fn purpose(name: &str) -> Option<&'static Purpose> {
    PURPOSES.iter().find(|p| p.name == name)
}

/// The categories of a group.
pub fn categories_in(group: &str) -> impl Iterator<Item = &'static Category> + '_ {
    CATEGORIES.iter().filter(move |c| c.group == group)
}

/// Resolve a name written where a category is expected, as a marker
/// (`#[personal(location)]`): a category wins over a group of the same name.
pub fn lookup_for_marking(name: &str) -> Option<CategoryRef> {
    category(name)
        .map(CategoryRef::Category)
        .or_else(|| group(name).map(CategoryRef::Group))
}

/// Resolve a name written where categories are covered (`categories = [..]`
/// of a consent check or declassify): a group wins over a category of the
/// same name, as it contains it.
pub fn lookup_for_coverage(name: &str) -> Option<CategoryRef> {
    group(name)
        .map(CategoryRef::Group)
        .or_else(|| category(name).map(CategoryRef::Category))
}

/// Every built-in name that may stand where a category is expected.
pub fn category_like_names() -> impl Iterator<Item = &'static str> {
    CATEGORIES
        .iter()
        .map(|c| c.name)
        .chain(GROUPS.iter().map(|g| g.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique() {
        let cats: BTreeSet<_> = CATEGORIES.iter().map(|c| c.name).collect();
        assert_eq!(cats.len(), CATEGORIES.len());
        let groups: BTreeSet<_> = GROUPS.iter().map(|g| g.name).collect();
        assert_eq!(groups.len(), GROUPS.len());
        let purposes: BTreeSet<_> = PURPOSES.iter().map(|p| p.name).collect();
        assert_eq!(purposes.len(), PURPOSES.len());
        let keys: BTreeSet<_> = CATEGORIES.iter().map(|c| c.fideslang).collect();
        assert_eq!(
            keys.len(),
            CATEGORIES.len(),
            "fideslang keys must be distinct"
        );
    }

    #[test]
    fn every_category_has_a_known_group_and_key() {
        for c in CATEGORIES {
            assert!(
                group(c.group).is_some(),
                "{} has unknown group {}",
                c.name,
                c.group
            );
            assert!(
                c.fideslang.starts_with("user."),
                "{}: {}",
                c.name,
                c.fideslang
            );
            assert!(!c.description.is_empty());
        }
        for g in GROUPS {
            assert!(
                categories_in(g.name).next().is_some(),
                "group {} is empty",
                g.name
            );
        }
    }

    #[test]
    fn design_names_are_built_in() {
        for name in [
            "phone_number",
            "email",
            "contacts",
            "display_name",
            "profile_photo",
            "device_id",
            "os",
            "screen_resolution",
            "device_diagnostics",
            "ip_address",
            "mobile_country_code",
            "mobile_network_code",
            "location",
            "last_seen",
            "usage",
            "business_interactions",
            "shopping_behavior",
            "transactions",
            "message_content",
            "media",
        ] {
            assert!(category(name).is_some(), "missing category {name}");
        }
        for name in [
            "advertising",
            "product_suggestions",
            "analytics",
            "security",
            "infrastructure",
            "payments",
            "business_messaging",
            "integration",
        ] {
            assert!(purpose(name).is_some(), "missing purpose {name}");
        }
        assert_eq!(
            category("phone_number").map(|c| c.fideslang),
            Some("user.contact.phone_number")
        );
    }

    #[test]
    fn location_is_both_group_and_category() {
        assert_eq!(
            lookup_for_marking("location"),
            Some(CategoryRef::Category(category("location").unwrap()))
        );
        assert_eq!(
            lookup_for_coverage("location"),
            Some(CategoryRef::Group(group("location").unwrap()))
        );
        let device: Vec<_> = categories_in("device").map(|c| c.name).collect();
        assert_eq!(
            device,
            ["device_id", "os", "screen_resolution", "device_diagnostics"]
        );
        assert_eq!(lookup_for_marking("nope"), None);
    }
}
