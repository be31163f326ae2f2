//! Clients for the services that account data is sent to.
//!
//! Each method that sends data off our servers is a `#[datagate::sink]`
//! naming the recipient (as in `datagate.toml`) and the purpose. The network
//! is simulated: a `Connection` counts requests and bytes and keeps nothing,
//! so the example runs without I/O.

use crate::model::{AdId, BusinessId, ClientIp, Contact, Message, Timestamp, Transaction, UserId};
use crate::pseudonym::Pseudonym;

/// A simulated HTTPS connection: counts requests and bytes, keeps nothing.
#[derive(Debug, Default)]
pub struct Connection {
    requests: u64,
    bytes: u64,
}

impl Connection {
    /// "Sends" one request.
    pub fn post(&mut self, url: &str, body: &str) {
        self.requests += 1;
        self.bytes += (url.len() + body.len()) as u64;
    }

    pub fn requests(&self) -> u64 {
        self.requests
    }
}

// ---------------------------------------------------------------------------
// What goes over the wire

/// One user in a custom audience: the keys Facebook matches on.
#[derive(Debug, Clone)]
pub struct AudienceMember {
    pub phone: String,
    pub device_id: String,
}

/// A purchase made through the app, reported as an ad conversion.
#[derive(Debug, Clone)]
pub struct Conversion {
    pub amount_cents: u64,
    pub currency: &'static str,
    pub at: Timestamp,
}

/// What Instagram needs to suggest people you may know.
#[derive(Debug, Clone)]
pub struct SuggestionProfile {
    pub phone: String,
    pub display_name: String,
    pub mobile_country_code: u16,
    pub consented_at: Timestamp,
}

/// A request for shops near the user.
#[derive(Debug, Clone)]
pub struct NearbyQuery {
    pub lat: f64,
    pub lon: f64,
    pub radius_m: u32,
}

/// An app metric. Device details only; never message contents.
#[derive(Debug, Clone)]
pub struct MetricsEvent {
    pub name: &'static str,
    pub os: String,
    pub screen_resolution: (u16, u16),
    pub mobile_country_code: u16,
    pub mobile_network_code: u16,
    pub last_seen: Option<Timestamp>,
    pub value: u64,
}

/// What Facebook's integrity systems look at before we let someone in.
#[derive(Debug, Clone)]
pub struct IntegritySignal {
    pub phone: Pseudonym,
    pub device_id: String,
    pub ip: ClientIp,
    pub mobile_country_code: u16,
}

/// Facebook's integrity verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Challenge,
    Block,
}

/// Why a user reported another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbuseReason {
    Spam,
    Scam,
    Harassment,
}

/// An abuse report as Facebook's integrity team receives it. The reported
/// message itself stays with our own trust and safety team.
#[derive(Debug, Clone)]
pub struct AbuseReport {
    pub reporter: UserId,
    pub reported_phone: Pseudonym,
    pub reported_device: String,
    pub reported_ip: Option<ClientIp>,
    pub reason: AbuseReason,
}

/// Where a client connects from, for picking the nearest edge.
#[derive(Debug, Clone)]
pub struct EdgeHint {
    pub ip: ClientIp,
    pub mobile_country_code: u16,
    pub mobile_network_code: u16,
}

/// A point of presence that terminates client connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge(pub &'static str);

// ---------------------------------------------------------------------------
// Facebook companies

/// Facebook's marketing API: custom audiences, impressions and conversions.
#[derive(Debug, Default)]
pub struct FacebookAdsClient {
    conn: Connection,
}

impl FacebookAdsClient {
    #[datagate::sink(to = facebook, purpose = advertising, args = [phones])]
    pub fn upload_match_keys(&mut self, phones: &[&str]) {
        self.conn
            .post("/v1/custom_audiences/match_keys", &phones.join("\n"));
    }

    #[datagate::sink(to = facebook, purpose = advertising, args = [member])]
    pub fn add_audience_member(&mut self, member: &AudienceMember) {
        self.conn
            .post("/v1/custom_audiences/members", &format!("{member:?}"));
    }

    #[datagate::sink(to = facebook, purpose = advertising, args = [viewer, ad])]
    pub fn report_impression(&mut self, viewer: &Pseudonym, ad: AdId) {
        self.conn
            .post("/v1/impressions", &format!("{viewer:?} {}", ad.0));
    }

    #[datagate::sink(to = facebook, purpose = advertising, args = [conversion])]
    pub fn report_conversion(&mut self, conversion: &Conversion) {
        self.conn
            .post("/v1/conversions", &format!("{conversion:?}"));
    }

    #[datagate::sink(to = facebook, purpose = advertising, args = [businesses])]
    pub fn add_business_interests(&mut self, businesses: &[String]) {
        self.conn
            .post("/v1/interests/businesses", &businesses.join(","));
    }

    pub fn requests(&self) -> u64 {
        self.conn.requests()
    }
}

/// Facebook's internal services: metrics, integrity and edge routing.
#[derive(Debug, Default)]
pub struct FacebookGraphClient {
    conn: Connection,
}

impl FacebookGraphClient {
    #[datagate::sink(to = facebook, purpose = analytics, args = [event])]
    pub fn log_event(&mut self, event: &MetricsEvent) {
        self.conn.post("/metrics", &format!("{event:?}"));
    }

    #[datagate::sink(to = facebook, purpose = security, args = [signal])]
    pub fn check_integrity(&mut self, signal: &IntegritySignal) -> Verdict {
        self.conn.post("/integrity/check", &format!("{signal:?}"));
        // The simulated service lets everyone in.
        Verdict::Allow
    }

    #[datagate::sink(to = facebook, purpose = security, args = [report])]
    pub fn report_abuse(&mut self, report: &AbuseReport, trace_id: u64) {
        self.conn.post(
            &format!("/integrity/reports/{trace_id}"),
            &format!("{report:?}"),
        );
    }

    #[datagate::sink(to = facebook, purpose = infrastructure, args = [hint])]
    pub fn pick_edge(&mut self, hint: &EdgeHint) -> Edge {
        self.conn.post("/edge/route", &format!("{hint:?}"));
        // The simulated service has one edge.
        Edge("edge-star.facebook.com")
    }
}

/// Instagram's suggestions API.
#[derive(Debug, Default)]
pub struct InstagramClient {
    conn: Connection,
}

impl InstagramClient {
    #[datagate::sink(to = instagram, purpose = product_suggestions, args = [profile])]
    pub fn suggest_people(&mut self, profile: &SuggestionProfile) {
        self.conn
            .post("/suggestions/people", &format!("{profile:?}"));
    }

    #[datagate::sink(to = instagram, purpose = product_suggestions, args = [query])]
    pub fn suggest_nearby_shops(&mut self, query: &NearbyQuery) {
        self.conn.post("/suggestions/shops", &format!("{query:?}"));
    }

    #[datagate::sink(to = instagram, purpose = product_suggestions, args = [businesses])]
    pub fn suggest_similar_shops(&mut self, businesses: &[String]) {
        self.conn
            .post("/suggestions/similar_shops", &businesses.join(","));
    }
}

/// Facebook Pay.
#[derive(Debug, Default)]
pub struct FacebookPaymentsClient {
    conn: Connection,
}

impl FacebookPaymentsClient {
    /// Charges the payer; returns the processor's charge number.
    #[datagate::sink(to = facebook_payments, purpose = payments, args = [tx, payer_phone])]
    pub fn charge(&mut self, tx: &Transaction, payer_phone: &str) -> u64 {
        self.conn
            .post("/charges", &format!("{tx:?} payer={payer_phone}"));
        self.conn.requests()
    }
}

/// Oculus account linking.
#[derive(Debug, Default)]
pub struct OculusClient {
    conn: Connection,
}

impl OculusClient {
    #[datagate::sink(to = oculus, purpose = integration, args = [phone])]
    pub fn link_account(&mut self, phone: &str, pairing_code: &str) {
        self.conn
            .post(&format!("/link/{pairing_code}"), &format!("phone={phone}"));
    }
}

// ---------------------------------------------------------------------------
// Our own servers (first party in `datagate.toml`: no consent needed)

/// The messenger's own backend: message relay, contact discovery, SMS.
#[derive(Debug, Default)]
pub struct MessengerBackend {
    conn: Connection,
}

impl MessengerBackend {
    #[datagate::sink(to = messenger, purpose = infrastructure, args = [message])]
    pub fn deliver(&mut self, message: &Message) {
        self.conn.post("/relay", &format!("{message:?}"));
    }

    #[datagate::sink(to = messenger, purpose = business_messaging, args = [message])]
    pub fn deliver_to_business(&mut self, business: BusinessId, message: &Message) {
        self.conn.post(
            &format!("/business/{}/inbox", business.0),
            &format!("{message:?}"),
        );
    }

    /// Contact discovery: how many of these contacts use the messenger.
    #[datagate::sink(to = messenger, purpose = infrastructure, args = [contacts])]
    pub fn discover_contacts(&mut self, contacts: &[Contact]) -> usize {
        self.conn
            .post("/contacts/discover", &format!("{contacts:?}"));
        0
    }

    #[datagate::sink(to = messenger, purpose = security, args = [phone])]
    pub fn send_verification_sms(&mut self, phone: &str, code: &str) {
        self.conn
            .post("/sms", &format!("to={phone} text=Your code is {code}"));
    }

    /// Our own trust and safety queue, which may read reported messages.
    #[datagate::sink(to = messenger, purpose = security, args = [message])]
    pub fn queue_for_review(&mut self, message: &Message) {
        self.conn
            .post("/trust_and_safety/queue", &format!("{message:?}"));
    }
}
