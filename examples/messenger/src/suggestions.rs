//! Product suggestions on Instagram: people you may know, shops near you and
//! shops like the businesses you talk to.
//!
//! All of it depends on "share my account info" (and, for location, on the
//! separate "use my location for suggestions" switch).

use crate::clients::{InstagramClient, NearbyQuery, SuggestionProfile};
use crate::consent::{ConsentError, ConsentStore};
use crate::location::LocationService;
use crate::model::{Account, BusinessChat, Timestamp, UserId};

/// How far around the user to look for shops, in metres.
const NEARBY_RADIUS_M: u32 = 2_000;

/// The suggestions integration.
#[derive(Debug, Default)]
pub struct SuggestionFeed {
    instagram: InstagramClient,
    profiles_sent: u64,
}

impl SuggestionFeed {
    /// When the user opens the "people you may know" tab.
    pub fn refresh(&mut self, consent: &ConsentStore, account: &Account) {
        let Some(grant) = consent.suggestion_grant(account.id) else {
            return;
        };
        self.push_profile(account, grant.given_at);
    }

    /// Weekly: refreshes everyone who shares their account info.
    pub fn refresh_all(&mut self, accounts: &[Account], now: Timestamp) {
        for account in accounts {
            if !account.settings.share_account_info {
                continue;
            }
            self.push_profile(account, now);
        }
    }

    /// Sends the profile Instagram matches on. Both callers check consent
    /// first, so this function does not need to.
    fn push_profile(&mut self, account: &Account, consented_at: Timestamp) {
        let profile = SuggestionProfile {
            phone: account.phone.clone(),
            display_name: account.display_name.clone(),
            mobile_country_code: account.device.mobile_country_code,
            consented_at,
        };
        self.instagram.suggest_people(&profile);
        self.profiles_sent += 1;
    }

    /// Shops near the user, when they allowed location-based suggestions.
    pub fn nearby_shops(
        &mut self,
        consent: &ConsentStore,
        user: UserId,
        location: &LocationService,
        now: Timestamp,
    ) -> Result<(), ConsentError> {
        if consent.may_use_location(user)? {
            if let Some(here) = location.current_location(user, now) {
                let here = here.coarse();
                self.instagram.suggest_nearby_shops(&NearbyQuery {
                    lat: here.lat,
                    lon: here.lon,
                    radius_m: NEARBY_RADIUS_M,
                });
            }
        }
        Ok(())
    }

    /// Shops similar to the businesses the user talks to. Muted chats do not
    /// count as interest.
    pub fn similar_shops(&mut self, account: &Account, chats: &[BusinessChat]) {
        let businesses: Vec<String> = chats
            .iter()
            .filter(|c| c.user == account.id && !c.muted)
            .map(|c| c.business_name.clone())
            .collect();
        if account.settings.share_account_info && !businesses.is_empty() {
            self.instagram.suggest_similar_shops(&businesses);
        }
    }

    pub fn profiles_sent(&self) -> u64 {
        self.profiles_sent
    }
}
