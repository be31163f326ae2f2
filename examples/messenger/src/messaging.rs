//! Messages and contacts. Both stay on our own servers: the relay and the
//! contact discovery service are first party (`first_party` in
//! `datagate.toml`), and `message_content` and `contacts` are never-share, so
//! `cargo datagate` fails the build if either ever reaches another company.

use crate::clients::MessengerBackend;
use crate::model::{AddressBook, Message, MessageId, Timestamp, UserId};

/// The message relay.
#[derive(Debug, Default)]
pub struct Relay {
    backend: MessengerBackend,
    next_id: u64,
    /// Messages waiting for the recipient to come online.
    pending: Vec<Message>,
}

impl Relay {
    /// Accepts a message from `from` and queues it for `to`.
    pub fn send(&mut self, from: UserId, to: UserId, body: String, now: Timestamp) -> MessageId {
        self.next_id += 1;
        let id = MessageId(self.next_id);
        self.pending.push(Message {
            id,
            from,
            to,
            body,
            sent_at: now,
        });
        id
    }

    /// Delivers what is waiting for `user`, oldest first.
    pub fn flush(&mut self, user: UserId) -> usize {
        let (ready, waiting): (Vec<Message>, Vec<Message>) =
            self.pending.drain(..).partition(|m| m.to == user);
        self.pending = waiting;
        for message in &ready {
            self.backend.deliver(message);
        }
        ready.len()
    }

    /// A message still waiting, for the abuse-report flow.
    pub fn pending_message(&self, id: MessageId) -> Option<&Message> {
        self.pending.iter().find(|m| m.id == id)
    }

    /// Contact discovery: which of the user's contacts use the messenger.
    pub fn discover(&mut self, book: &AddressBook) -> usize {
        self.backend.discover_contacts(&book.entries)
    }
}
