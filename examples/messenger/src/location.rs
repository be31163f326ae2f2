//! Where users are, as their apps last reported it.
//!
//! Location is not a field of the account: the app reports positions while
//! a location feature is in use, and features read the latest one through
//! `current_location`, which is therefore the source.

use crate::model::{Coords, Timestamp, UserId};
use std::collections::BTreeMap;

/// Positions older than this are not used, in seconds.
const MAX_AGE_S: u64 = 15 * 60;

/// The latest position fix per user.
#[derive(Debug, Default)]
pub struct LocationService {
    fixes: BTreeMap<UserId, (Coords, Timestamp)>,
}

impl LocationService {
    /// Called when a user's app reports a new position.
    pub fn on_fix(&mut self, user: UserId, at: Coords, now: Timestamp) {
        self.fixes.insert(user, (at, now));
    }

    /// Where the user is now, if their app reported it recently.
    #[datagate::source(location)]
    pub fn current_location(&self, user: UserId, now: Timestamp) -> Option<Coords> {
        let (at, when) = self.fixes.get(&user)?;
        (now.0.saturating_sub(when.0) <= MAX_AGE_S).then_some(*at)
    }

    /// Forgets a user's positions (when they turn location off).
    pub fn forget(&mut self, user: UserId) {
        self.fixes.remove(&user);
    }
}
