//! Connection routing: which edge should terminate a client's connection.
//!
//! The messenger runs on Facebook's edge network, so the client's address
//! and carrier go to Facebook for the `infrastructure` purpose, which
//! `datagate.toml` marks as not needing consent.

use crate::clients::{Edge, EdgeHint, FacebookGraphClient};
use crate::model::{ClientIp, DeviceInfo};

/// Edge selection, with a cache per carrier.
#[derive(Debug, Default)]
pub struct EdgeRouter {
    graph: FacebookGraphClient,
    cached: Vec<((u16, u16), Edge)>,
}

impl EdgeRouter {
    /// The edge for a client connecting from `ip` on the carrier of `device`.
    pub fn route(&mut self, ip: ClientIp, device: &DeviceInfo) -> Edge {
        let carrier = (device.mobile_country_code, device.mobile_network_code);
        if let Some((_, edge)) = self.cached.iter().find(|(c, _)| *c == carrier) {
            return *edge;
        }
        let hint = EdgeHint {
            ip,
            mobile_country_code: carrier.0,
            mobile_network_code: carrier.1,
        };
        let edge = self.graph.pick_edge(&hint);
        self.cached.push((carrier, edge));
        edge
    }
}
