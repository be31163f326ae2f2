//! The account data the messenger keeps, with its personal fields marked.
//!
//! Every `#[personal(..)]` marker names the category of the data it holds, so
//! that `cargo datagate` can follow each value to wherever it is sent.
//! Identifiers we mint ourselves (`UserId`, `MessageId`, `BusinessId`) are not
//! personal on their own: they mean nothing outside our servers.

use crate::consent::Settings;
use datagate::Personal;
use std::net::IpAddr;

/// Our internal account number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserId(pub u64);

/// Our internal message number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageId(pub u64);

/// A business with a verified business account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BusinessId(pub u64);

/// An ad campaign on Facebook's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdId(pub u64);

/// Seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub u64);

/// A registered user.
#[derive(Debug, Clone, Personal)]
pub struct Account {
    pub id: UserId,
    /// The number the user registered with; also their login.
    #[personal(phone_number)]
    pub phone: String,
    #[personal(display_name)]
    pub display_name: String,
    pub device: DeviceInfo,
    /// Where the user last connected from.
    pub last_ip: Option<ClientIp>,
    pub presence: Presence,
    pub settings: Settings,
    pub created_at: Timestamp,
}

/// What the app reports about the phone it runs on.
#[derive(Debug, Clone, PartialEq, Eq, Personal)]
pub struct DeviceInfo {
    #[personal(device_id)]
    pub device_id: String,
    #[personal(os)]
    pub os: String,
    #[personal(screen_resolution)]
    pub screen_resolution: (u16, u16),
    #[personal(mobile_country_code)]
    pub mobile_country_code: u16,
    #[personal(mobile_network_code)]
    pub mobile_network_code: u16,
}

/// The address a client connects from. Every value of this type is personal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Personal)]
#[personal(ip_address)]
pub struct ClientIp(pub IpAddr);

/// Online status, as shown to contacts.
#[derive(Debug, Clone, Copy, Default, Personal)]
pub struct Presence {
    pub online: bool,
    #[personal(last_seen)]
    pub last_seen: Timestamp,
}

/// A payment between two users, or to a business.
#[derive(Debug, Clone, PartialEq, Eq, Personal)]
#[personal(transactions)]
pub struct Transaction {
    pub payer: UserId,
    pub payee: String,
    pub amount_cents: u64,
    pub currency: &'static str,
    pub at: Timestamp,
}

/// A conversation with a business account.
#[derive(Debug, Clone, Personal)]
pub struct BusinessChat {
    pub user: UserId,
    pub business: BusinessId,
    #[personal(business_interactions)]
    pub business_name: String,
    #[personal(business_interactions)]
    pub last_interaction: Timestamp,
    pub muted: bool,
}

/// A message between two users (or a user and a business).
///
/// Message contents never leave our own servers: `datagate.toml` lists
/// `message_content` as never-share.
#[derive(Debug, Clone, Personal)]
pub struct Message {
    pub id: MessageId,
    pub from: UserId,
    pub to: UserId,
    #[personal(message_content)]
    pub body: String,
    pub sent_at: Timestamp,
}

/// One entry of the user's address book. Never shared (see `datagate.toml`).
#[derive(Debug, Clone, Personal)]
#[personal(contacts)]
pub struct Contact {
    pub name: String,
    pub phone: String,
}

/// The address book the app uploads for contact discovery.
#[derive(Debug, Clone, Default)]
pub struct AddressBook {
    pub owner: Option<UserId>,
    pub entries: Vec<Contact>,
}

/// A position on the map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coords {
    pub lat: f64,
    pub lon: f64,
}

impl Coords {
    /// The same place, rounded to about a kilometre.
    pub fn coarse(self) -> Coords {
        Coords {
            lat: (self.lat * 100.0).round() / 100.0,
            lon: (self.lon * 100.0).round() / 100.0,
        }
    }
}

/// No account has this id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownUser(pub UserId);

/// Every account, in registration order.
#[derive(Debug, Default)]
pub struct Directory {
    accounts: Vec<Account>,
}

impl Directory {
    pub fn add(&mut self, account: Account) {
        self.accounts.push(account);
    }

    pub fn account(&self, user: UserId) -> Result<&Account, UnknownUser> {
        self.accounts
            .iter()
            .find(|a| a.id == user)
            .ok_or(UnknownUser(user))
    }

    pub fn account_mut(&mut self, user: UserId) -> Result<&mut Account, UnknownUser> {
        self.accounts
            .iter_mut()
            .find(|a| a.id == user)
            .ok_or(UnknownUser(user))
    }

    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }
}
