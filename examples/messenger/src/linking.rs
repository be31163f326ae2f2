//! Linking a messenger account to an Oculus headset.
//!
//! The user starts linking on the headset, which shows a pairing code, and
//! confirms on the phone on a screen that says the phone number will be
//! shared with Oculus. That screen is the consent, so there is no stored
//! setting to check here; the privacy team reviewed the flow (PRIV-142) and
//! the `allow` below records that, with its reason, in the inventory.

use crate::clients::OculusClient;
use crate::model::Account;

/// The linking integration.
#[derive(Debug, Default)]
pub struct HeadsetLinking {
    oculus: OculusClient,
    linked: u64,
}

impl HeadsetLinking {
    /// The user confirmed linking `account` to the headset showing `pairing_code`.
    #[datagate::allow(
        unconsented_flow,
        reason = "user-initiated linking; the confirmation screen is the consent (PRIV-142)"
    )]
    pub fn confirm(&mut self, account: &Account, pairing_code: &str) {
        self.oculus.link_account(&account.phone, pairing_code);
        self.linked += 1;
    }

    pub fn linked(&self) -> u64 {
        self.linked
    }
}
