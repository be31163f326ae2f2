//! Product metrics, reported to Facebook's analytics pipeline.
//!
//! `datagate.toml` marks `analytics` as not needing consent: the metrics are
//! about devices and usage, never about what people write, and users cannot
//! opt out of them. Counting message sizes is fine: a length is not content.

use crate::clients::{FacebookGraphClient, MetricsEvent};
use crate::model::{Account, DeviceInfo, Message};

/// The metrics integration.
#[derive(Debug, Default)]
pub struct Metrics {
    graph: FacebookGraphClient,
    events: u64,
}

impl Metrics {
    /// The app came to the foreground.
    pub fn app_opened(&mut self, account: &Account) {
        let mut event = device_event("app_opened", &account.device, 1);
        event.last_seen = Some(account.presence.last_seen);
        self.send(&event);
    }

    /// A message was sent: its size, never its text.
    pub fn message_sent(&mut self, sender: &Account, message: &Message) {
        let size = message.body.len() as u64;
        let event = device_event("message_sent_bytes", &sender.device, size);
        self.send(&event);
    }

    /// A new installation finished registration.
    pub fn registered(&mut self, device: &DeviceInfo) {
        self.send(&device_event("registered", device, 1));
    }

    fn send(&mut self, event: &MetricsEvent) {
        self.graph.log_event(event);
        self.events += 1;
    }

    pub fn events(&self) -> u64 {
        self.events
    }
}

/// An event with the device details every metric carries.
fn device_event(name: &'static str, device: &DeviceInfo, value: u64) -> MetricsEvent {
    MetricsEvent {
        name,
        os: device.os.clone(),
        screen_resolution: device.screen_resolution,
        mobile_country_code: device.mobile_country_code,
        mobile_network_code: device.mobile_network_code,
        last_seen: None,
        value,
    }
}
