//! Chats with businesses. Messages to a business go through our own servers
//! to the business's inbox. Which businesses a user talks to
//! (`business_interactions`) is also useful for ads about those businesses,
//! which the user is asked about separately the first time they chat with
//! one.

use crate::clients::{FacebookAdsClient, MessengerBackend};
use crate::consent::ConsentStore;
use crate::model::{BusinessChat, BusinessId, Message, Timestamp, UserId};

/// The business inbox.
#[derive(Debug, Default)]
pub struct BusinessInbox {
    chats: Vec<BusinessChat>,
    backend: MessengerBackend,
    ads: FacebookAdsClient,
}

impl BusinessInbox {
    /// Opens (or reopens) a chat with a business.
    pub fn open(&mut self, user: UserId, business: BusinessId, name: &str, now: Timestamp) {
        match self
            .chats
            .iter_mut()
            .find(|c| c.user == user && c.business == business)
        {
            Some(chat) => chat.last_interaction = now,
            None => self.chats.push(BusinessChat {
                user,
                business,
                business_name: name.to_string(),
                last_interaction: now,
                muted: false,
            }),
        }
    }

    /// Sends a message to the business's inbox.
    pub fn send(&mut self, business: BusinessId, message: &Message) {
        self.backend.deliver_to_business(business, message);
    }

    pub fn chats(&self) -> &[BusinessChat] {
        &self.chats
    }

    /// Tells Facebook's ad systems which businesses the user talks to, once
    /// the user answered yes to the prompt. `None` while the prompt is
    /// unanswered; otherwise how many businesses were shared.
    pub fn share_interests(&mut self, consent: &ConsentStore, user: UserId) -> Option<usize> {
        if consent.business_ads_opt_in(user)? {
            let businesses: Vec<String> = self
                .chats
                .iter()
                .filter(|c| c.user == user)
                .map(|c| c.business_name.clone())
                .collect();
            self.ads.add_business_interests(&businesses);
            return Some(businesses.len());
        }
        Some(0)
    }
}
