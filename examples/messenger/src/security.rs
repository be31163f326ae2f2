//! Security: spam and fake-account screening at registration, abuse reports.
//!
//! Facebook's integrity systems serve every Facebook company, so these flows
//! go to `facebook` for the `security` purpose, which `datagate.toml` marks
//! as not needing consent (users cannot opt out of anti-abuse measures).
//! Phone numbers still go pseudonymised: integrity matching works on the
//! pseudonym, and the raw number is not needed.

use crate::clients::{
    AbuseReason, AbuseReport, FacebookGraphClient, IntegritySignal, MessengerBackend, Verdict,
};
use crate::model::{Account, ClientIp, DeviceInfo, Message};
use crate::pseudonym::{pseudonymise_phone, Salt};

/// The integrity integration.
#[derive(Debug)]
pub struct Security {
    graph: FacebookGraphClient,
    trust_and_safety: MessengerBackend,
    salt: Salt,
    next_trace: u64,
}

impl Security {
    pub fn new(salt: Salt) -> Self {
        Security {
            graph: FacebookGraphClient::default(),
            trust_and_safety: MessengerBackend::default(),
            salt,
            next_trace: 0,
        }
    }

    /// Before a verification SMS goes out: does this look like a bulk
    /// registration?
    pub fn screen_registration(
        &mut self,
        phone: &str,
        device: &DeviceInfo,
        ip: ClientIp,
    ) -> Verdict {
        let signal = IntegritySignal {
            phone: pseudonymise_phone(&self.salt, phone),
            device_id: device.device_id.clone(),
            ip,
            mobile_country_code: device.mobile_country_code,
        };
        self.graph.check_integrity(&signal)
    }

    /// A login from a new device: the same screening as at registration.
    pub fn screen_login(&mut self, account: &Account, ip: ClientIp) -> Verdict {
        let signal = IntegritySignal {
            phone: pseudonymise_phone(&self.salt, &account.phone),
            device_id: account.device.device_id.clone(),
            ip,
            mobile_country_code: account.device.mobile_country_code,
        };
        self.graph.check_integrity(&signal)
    }

    /// A user reported a message. The message goes to our own trust and
    /// safety queue; Facebook's integrity team gets who sent it, from where,
    /// and why it was reported, but not what it said.
    pub fn report(
        &mut self,
        reporter: &Account,
        sender: &Account,
        message: &Message,
        reason: AbuseReason,
    ) {
        self.trust_and_safety.queue_for_review(message);
        let report = AbuseReport {
            reporter: reporter.id,
            reported_phone: pseudonymise_phone(&self.salt, &sender.phone),
            reported_device: sender.device.device_id.clone(),
            reported_ip: sender.last_ip,
            reason,
        };
        self.next_trace += 1;
        self.graph.report_abuse(&report, self.next_trace);
    }
}
