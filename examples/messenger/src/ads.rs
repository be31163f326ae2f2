//! Advertising: keeping the custom audience on Facebook in step with our
//! users, and reporting impressions and conversions.
//!
//! Only users who leave "share my account info" on are uploaded. The nightly
//! job filters on the setting; the incremental paths ask the consent store.

use crate::clients::{AudienceMember, Conversion, FacebookAdsClient};
use crate::consent::ConsentStore;
use crate::model::{Account, AdId, Transaction};
use crate::pseudonym::{pseudonymise_phone, Salt};

/// The advertising integration.
#[derive(Debug)]
pub struct AudienceSync {
    client: FacebookAdsClient,
    salt: Salt,
}

impl AudienceSync {
    pub fn new(salt: Salt) -> Self {
        AudienceSync {
            client: FacebookAdsClient::default(),
            salt,
        }
    }

    /// Nightly: uploads every account that shares its account info.
    pub fn run(&mut self, accounts: &[Account]) {
        let client = &mut self.client;
        accounts
            .iter()
            .filter(|a| a.settings.share_account_info)
            .for_each(|a| {
                client.add_audience_member(&AudienceMember {
                    phone: a.phone.clone(),
                    device_id: a.device.device_id.clone(),
                })
            });
    }

    /// After a user reinstalls the app (new device id), so that the audience
    /// does not wait for the nightly run.
    pub fn refresh_member(&mut self, consent: &ConsentStore, account: &Account) {
        if !consent.may_share_for_ads(account.id) {
            return;
        }
        self.client.add_audience_member(&audience_member(account));
    }

    /// After a number change, swaps the match key so that the custom audience
    /// keeps matching this user without waiting for the nightly run.
    ///
    /// DEMO: this path forgets the check that `run` and `refresh_member`
    /// make, so a user who turned "share my account info" off still has their
    /// new number uploaded to Facebook for advertising. `cargo datagate`
    /// reports it on the upload below; the fix is the early return of
    /// `refresh_member`.
    pub fn replace_match_key(&mut self, account: &Account) {
        self.client.upload_match_keys(&[account.phone.as_str()]); // DEMO: deliberate unguarded flow
    }

    /// Frequency capping: Facebook counts impressions per viewer, and a
    /// pseudonym is all it needs for that. No consent is involved: the
    /// pseudonym is not the phone number (see `pseudonym.rs`).
    pub fn record_impression(&mut self, viewer: &Account, ad: AdId) {
        let pseudonym = pseudonymise_phone(&self.salt, &viewer.phone);
        self.client.report_impression(&pseudonym, ad);
    }

    /// Reports a purchase as a conversion of the ad that led to it.
    pub fn record_purchase(&mut self, buyer: &Account, tx: &Transaction) {
        let shares = buyer.settings.share_account_info;
        let conversion = Conversion {
            amount_cents: tx.amount_cents,
            currency: tx.currency,
            at: tx.at,
        };
        if shares {
            self.client.report_conversion(&conversion);
        }
    }

    pub fn requests(&self) -> u64 {
        self.client.requests()
    }
}

/// The keys Facebook matches an account on.
fn audience_member(account: &Account) -> AudienceMember {
    AudienceMember {
        phone: account.phone.clone(),
        device_id: account.device.device_id.clone(),
    }
}
