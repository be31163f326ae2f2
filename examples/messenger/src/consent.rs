//! The user's privacy choices, and the consent checks the rest of the crate
//! makes before account data goes to another company.
//!
//! Two kinds of check exist. Reading `Settings::share_account_info` is itself
//! a check (the field is `#[consent(..)]`), which suits code that already has
//! the account at hand. The `ConsentStore` methods answer for a `UserId` and
//! say exactly which recipients, purposes and categories a "yes" covers.

use crate::model::{Timestamp, UserId};
use datagate::Consent;
use std::collections::BTreeMap;
use std::fmt;

/// The privacy settings screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Consent)]
pub struct Settings {
    /// "Share my account info": lets the Facebook companies use account data
    /// to show ads and suggest people and products. On by default; users may
    /// turn it off. Security, infrastructure and metrics uses do not depend on
    /// it (see `datagate.toml`).
    #[consent(to = facebook_companies, purpose = [advertising, product_suggestions])]
    pub share_account_info: bool,
    /// Whether contacts see when messages were read.
    pub read_receipts: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            share_account_info: true,
            read_receipts: true,
        }
    }
}

/// Why a consent question could not be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentError {
    UnknownUser(UserId),
    /// The user has not been asked yet (the payment terms, for instance).
    NeverAsked(UserId),
}

impl fmt::Display for ConsentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConsentError::UnknownUser(u) => write!(f, "no consent record for user {}", u.0),
            ConsentError::NeverAsked(u) => write!(f, "user {} was never asked", u.0),
        }
    }
}

impl std::error::Error for ConsentError {}

/// Proof that a user agreed to something, and since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub user: UserId,
    pub given_at: Timestamp,
}

/// The consent service: every user's current answers.
#[derive(Debug, Default)]
pub struct ConsentStore {
    settings: BTreeMap<UserId, Settings>,
    changed_at: BTreeMap<UserId, Timestamp>,
    /// When each user accepted the Facebook Pay terms.
    payment_terms: BTreeMap<UserId, Timestamp>,
    /// "Use my location for suggestions" (off unless turned on).
    location_suggestions: BTreeMap<UserId, bool>,
    /// Answers to the "ads about businesses you talk to" prompt; absent until
    /// the prompt was shown.
    business_ads: BTreeMap<UserId, bool>,
}

impl ConsentStore {
    /// Records the settings screen as the user left it.
    pub fn update(&mut self, user: UserId, settings: Settings, at: Timestamp) {
        self.settings.insert(user, settings);
        self.changed_at.insert(user, at);
    }

    pub fn accept_payment_terms(&mut self, user: UserId, at: Timestamp) {
        self.payment_terms.insert(user, at);
    }

    pub fn set_location_suggestions(&mut self, user: UserId, on: bool) {
        self.location_suggestions.insert(user, on);
    }

    pub fn answer_business_ads_prompt(&mut self, user: UserId, yes: bool) {
        self.business_ads.insert(user, yes);
    }

    /// Whether the user's phone number and device identifiers may go to
    /// Facebook's ad systems.
    #[datagate::consent_check(to = facebook, purpose = advertising, categories = [phone_number, device])]
    pub fn may_share_for_ads(&self, user: UserId) -> bool {
        self.settings
            .get(&user)
            .is_some_and(|s| s.share_account_info)
    }

    /// The user's grant for people-you-may-know suggestions on Instagram,
    /// or `None` when they turned "share my account info" off.
    #[datagate::consent_check(to = instagram, purpose = product_suggestions)]
    pub fn suggestion_grant(&self, user: UserId) -> Option<Grant> {
        let settings = self.settings.get(&user)?;
        if !settings.share_account_info {
            return None;
        }
        let given_at = self.changed_at.get(&user).copied().unwrap_or_default();
        Some(Grant { user, given_at })
    }

    /// Facebook Pay: `Ok` once the user accepted the payment terms.
    #[datagate::consent_check(
        to = facebook_payments,
        purpose = payments,
        categories = [transactions, phone_number]
    )]
    pub fn payment_authorisation(&self, user: UserId) -> Result<Grant, ConsentError> {
        self.payment_terms
            .get(&user)
            .map(|&given_at| Grant { user, given_at })
            .ok_or(ConsentError::NeverAsked(user))
    }

    /// Whether suggestions may use where the user is. An error for a user the
    /// store has never heard of, so that callers notice stale ids.
    #[datagate::consent_check(
        to = facebook_companies,
        purpose = product_suggestions,
        categories = [location]
    )]
    pub fn may_use_location(&self, user: UserId) -> Result<bool, ConsentError> {
        if !self.settings.contains_key(&user) {
            return Err(ConsentError::UnknownUser(user));
        }
        Ok(self
            .location_suggestions
            .get(&user)
            .copied()
            .unwrap_or(false))
    }

    /// The answer to the business-ads prompt; `None` until the user answered.
    #[datagate::consent_check(to = facebook, purpose = advertising, categories = [business_interactions])]
    pub fn business_ads_opt_in(&self, user: UserId) -> Option<bool> {
        self.business_ads.get(&user).copied()
    }
}
