//! A messenger that shares account data with its parent company's other
//! businesses: the case `datagate` was built for, and the README's demo.
//!
//! Users register with their phone number; the server learns about their
//! devices, connections, payments, location and chats with businesses, and
//! shares some of that with the Facebook companies: for advertising and
//! product suggestions only while "share my account info" is on, for
//! security, infrastructure and metrics always (`datagate.toml` states the
//! legal basis). Message contents and contacts never leave our own servers.
//!
//! Each module is one integration; `Messenger` is the API the app calls.
//! `ads::AudienceSync::replace_match_key` holds the one deliberate bug that
//! `cargo datagate` reports (see the README).

pub mod ads;
pub mod business;
pub mod clients;
pub mod consent;
pub mod linking;
pub mod location;
pub mod messaging;
pub mod metrics;
pub mod model;
pub mod network;
pub mod payments;
pub mod pseudonym;
pub mod registration;
pub mod security;
pub mod suggestions;

use crate::ads::AudienceSync;
use crate::business::BusinessInbox;
use crate::clients::{AbuseReason, Edge, Verdict};
use crate::consent::{ConsentError, ConsentStore};
use crate::linking::HeadsetLinking;
use crate::location::LocationService;
use crate::messaging::Relay;
use crate::metrics::Metrics;
use crate::model::{
    AdId, AddressBook, BusinessId, ClientIp, Coords, DeviceInfo, Directory, MessageId, Presence,
    Timestamp, UnknownUser, UserId,
};
use crate::network::EdgeRouter;
use crate::payments::{PaymentError, Payments, Receipt};
use crate::pseudonym::Salt;
use crate::registration::{Registrar, RegistrationError};
use crate::security::Security;
use crate::suggestions::SuggestionFeed;
use std::fmt;
use std::net::IpAddr;

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    UnknownUser(UserId),
    UnknownMessage(MessageId),
    /// The integrity check refused the login.
    Blocked,
    Registration(RegistrationError),
    Payment(PaymentError),
    Consent(ConsentError),
}

impl From<RegistrationError> for Error {
    fn from(e: RegistrationError) -> Self {
        Error::Registration(e)
    }
}

impl From<UnknownUser> for Error {
    fn from(e: UnknownUser) -> Self {
        Error::UnknownUser(e.0)
    }
}

impl From<PaymentError> for Error {
    fn from(e: PaymentError) -> Self {
        Error::Payment(e)
    }
}

impl From<ConsentError> for Error {
    fn from(e: ConsentError) -> Self {
        Error::Consent(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownUser(u) => write!(f, "no account {}", u.0),
            Error::UnknownMessage(m) => write!(f, "no message {}", m.0),
            Error::Blocked => f.write_str("login blocked"),
            Error::Registration(e) => e.fmt(f),
            Error::Payment(e) => e.fmt(f),
            Error::Consent(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

/// The messenger's server: what the app's API calls into.
#[derive(Debug)]
pub struct Messenger {
    directory: Directory,
    consent: ConsentStore,
    registrar: Registrar,
    security: Security,
    audience: AudienceSync,
    suggestions: SuggestionFeed,
    metrics: Metrics,
    router: EdgeRouter,
    relay: Relay,
    inbox: BusinessInbox,
    payments: Payments,
    linking: HeadsetLinking,
    locations: LocationService,
    now: Timestamp,
}

impl Messenger {
    /// A server whose pseudonyms are keyed with `deployment_seed`.
    pub fn new(deployment_seed: u64) -> Self {
        let salt = Salt::from_seed(deployment_seed);
        Messenger {
            directory: Directory::default(),
            consent: ConsentStore::default(),
            registrar: Registrar::default(),
            security: Security::new(salt.clone()),
            audience: AudienceSync::new(salt),
            suggestions: SuggestionFeed::default(),
            metrics: Metrics::default(),
            router: EdgeRouter::default(),
            relay: Relay::default(),
            inbox: BusinessInbox::default(),
            payments: Payments::default(),
            linking: HeadsetLinking::default(),
            locations: LocationService::default(),
            now: Timestamp(0),
        }
    }

    /// Advances the server's clock.
    pub fn tick(&mut self, seconds: u64) {
        self.now = Timestamp(self.now.0 + seconds);
    }

    // -- Accounts ----------------------------------------------------------

    pub fn start_registration(
        &mut self,
        phone: &str,
        device: DeviceInfo,
        ip: IpAddr,
    ) -> Result<(), Error> {
        self.registrar
            .start(&mut self.security, phone, device, ClientIp(ip))?;
        Ok(())
    }

    pub fn complete_registration(&mut self, phone: &str, code: &str) -> Result<UserId, Error> {
        let account = self.registrar.complete(phone, code, self.now)?;
        let user = account.id;
        self.consent.update(user, account.settings, self.now);
        self.metrics.registered(&account.device);
        self.directory.add(account);
        Ok(user)
    }

    /// The "share my account info" switch on the privacy screen.
    pub fn set_share_account_info(&mut self, user: UserId, on: bool) -> Result<(), Error> {
        let account = self.directory.account_mut(user)?;
        account.settings.share_account_info = on;
        self.consent.update(user, account.settings, self.now);
        Ok(())
    }

    pub fn start_number_change(&mut self, user: UserId, new_phone: &str) -> Result<(), Error> {
        self.directory.account(user)?;
        self.registrar.start_change(user, new_phone)?;
        Ok(())
    }

    pub fn confirm_number_change(&mut self, user: UserId, code: &str) -> Result<(), Error> {
        let new_phone = self.registrar.confirm_change(user, code)?;
        let account = self.directory.account_mut(user)?;
        account.phone = new_phone;
        self.audience.replace_match_key(account);
        Ok(())
    }

    /// The app was reinstalled on a (possibly new) phone.
    pub fn reinstalled(&mut self, user: UserId, device: DeviceInfo) -> Result<(), Error> {
        let account = self.directory.account_mut(user)?;
        account.device = device;
        self.audience.refresh_member(&self.consent, account);
        Ok(())
    }

    /// The app connected: screens new addresses, updates presence and
    /// metrics, picks an edge and delivers waiting messages.
    pub fn come_online(&mut self, user: UserId, ip: IpAddr) -> Result<Edge, Error> {
        let account = self.directory.account_mut(user)?;
        let ip = ClientIp(ip);
        if account.last_ip != Some(ip) && self.security.screen_login(account, ip) == Verdict::Block
        {
            return Err(Error::Blocked);
        }
        account.last_ip = Some(ip);
        account.presence = Presence {
            online: true,
            last_seen: self.now,
        };
        self.metrics.app_opened(account);
        let edge = self.router.route(ip, &account.device);
        self.relay.flush(user);
        Ok(edge)
    }

    // -- Messages and contacts -----------------------------------------------

    pub fn send_message(
        &mut self,
        from: UserId,
        to: UserId,
        body: String,
    ) -> Result<MessageId, Error> {
        let sender = self.directory.account(from)?;
        self.directory.account(to)?;
        let id = self.relay.send(from, to, body, self.now);
        if let Some(message) = self.relay.pending_message(id) {
            self.metrics.message_sent(sender, message);
        }
        Ok(id)
    }

    pub fn report_message(
        &mut self,
        reporter: UserId,
        message: MessageId,
        reason: AbuseReason,
    ) -> Result<(), Error> {
        let message = self
            .relay
            .pending_message(message)
            .ok_or(Error::UnknownMessage(message))?;
        let reporter = self.directory.account(reporter)?;
        let sender = self.directory.account(message.from)?;
        self.security.report(reporter, sender, message, reason);
        Ok(())
    }

    /// Contact discovery: how many of the user's contacts use the messenger.
    pub fn upload_address_book(&mut self, book: &AddressBook) -> usize {
        self.relay.discover(book)
    }

    // -- Businesses ------------------------------------------------------------

    pub fn message_business(
        &mut self,
        user: UserId,
        business: BusinessId,
        name: &str,
        body: String,
    ) -> Result<(), Error> {
        self.directory.account(user)?;
        self.inbox.open(user, business, name, self.now);
        let id = self.relay.send(user, UserId(business.0), body, self.now);
        if let Some(message) = self.relay.pending_message(id) {
            self.inbox.send(business, message);
        }
        Ok(())
    }

    /// The user answered "see ads about businesses you talk to?".
    pub fn answer_business_ads_prompt(&mut self, user: UserId, yes: bool) -> Option<usize> {
        self.consent.answer_business_ads_prompt(user, yes);
        self.inbox.share_interests(&self.consent, user)
    }

    // -- Suggestions -------------------------------------------------------------

    pub fn report_location(&mut self, user: UserId, lat: f64, lon: f64) {
        self.locations.on_fix(user, Coords { lat, lon }, self.now);
    }

    pub fn set_location_suggestions(&mut self, user: UserId, on: bool) {
        self.consent.set_location_suggestions(user, on);
        if !on {
            self.locations.forget(user);
        }
    }

    /// The user opened the suggestions tab.
    pub fn open_suggestions(&mut self, user: UserId) -> Result<(), Error> {
        let account = self.directory.account(user)?;
        self.suggestions.refresh(&self.consent, account);
        self.suggestions.similar_shops(account, self.inbox.chats());
        self.suggestions
            .nearby_shops(&self.consent, user, &self.locations, self.now)?;
        Ok(())
    }

    // -- Payments and ads ------------------------------------------------------------

    pub fn accept_payment_terms(&mut self, user: UserId) {
        self.consent.accept_payment_terms(user, self.now);
    }

    /// Pays `payee`; `from_ad` when the payment started from an ad.
    pub fn pay(
        &mut self,
        payer: UserId,
        payee: &str,
        amount_cents: u64,
        from_ad: bool,
    ) -> Result<Receipt, Error> {
        let account = self.directory.account(payer)?;
        let receipt = if from_ad {
            self.payments.pay_from_ad(
                &self.consent,
                &mut self.audience,
                account,
                payee,
                amount_cents,
                self.now,
            )?
        } else {
            self.payments
                .pay(&self.consent, account, payee, amount_cents, self.now)?
                .0
        };
        Ok(receipt)
    }

    /// The app showed an ad to the user.
    pub fn ad_shown(&mut self, user: UserId, ad: AdId) -> Result<(), Error> {
        let viewer = self.directory.account(user)?;
        self.audience.record_impression(viewer, ad);
        Ok(())
    }

    /// The user confirmed linking their account to an Oculus headset.
    pub fn link_headset(&mut self, user: UserId, pairing_code: &str) -> Result<(), Error> {
        let account = self.directory.account(user)?;
        self.linking.confirm(account, pairing_code);
        Ok(())
    }

    // -- Batch jobs ------------------------------------------------------------------

    pub fn nightly(&mut self) {
        self.audience.run(self.directory.accounts());
    }

    pub fn weekly(&mut self) {
        self.suggestions
            .refresh_all(self.directory.accounts(), self.now);
    }
}
