//! Registration with a phone number, and changing the number later.
//!
//! Both work the same way: we text a six-digit code to the number and the
//! user types it back. The SMS goes through our own gateway.

use crate::clients::{MessengerBackend, Verdict};
use crate::consent::Settings;
use crate::model::{Account, ClientIp, DeviceInfo, Presence, Timestamp, UserId};
use crate::security::Security;
use datagate::Personal;
use std::fmt;

/// Why a registration step failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationError {
    InvalidNumber,
    /// The integrity check thinks this is a bulk registration.
    Blocked,
    WrongCode,
}

impl fmt::Display for RegistrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistrationError::InvalidNumber => f.write_str("not a valid phone number"),
            RegistrationError::Blocked => f.write_str("registration blocked"),
            RegistrationError::WrongCode => f.write_str("wrong or expired code"),
        }
    }
}

impl std::error::Error for RegistrationError {}

/// A registration waiting for its code.
#[derive(Debug, Personal)]
struct PendingRegistration {
    #[personal(phone_number)]
    phone: String,
    code: String,
    device: DeviceInfo,
    ip: ClientIp,
}

/// A number change waiting for its code.
#[derive(Debug, Personal)]
struct PendingChange {
    user: UserId,
    #[personal(phone_number)]
    new_phone: String,
    code: String,
}

/// The registration service.
#[derive(Debug, Default)]
pub struct Registrar {
    sms: MessengerBackend,
    registrations: Vec<PendingRegistration>,
    changes: Vec<PendingChange>,
    last_user: u64,
    codes_sent: u64,
}

impl Registrar {
    /// First step: screens the registration and texts a code to `phone`.
    pub fn start(
        &mut self,
        security: &mut Security,
        phone: &str,
        device: DeviceInfo,
        ip: ClientIp,
    ) -> Result<(), RegistrationError> {
        let phone = normalise(phone)?;
        if security.screen_registration(&phone, &device, ip) == Verdict::Block {
            return Err(RegistrationError::Blocked);
        }
        let code = self.next_code();
        self.sms.send_verification_sms(&phone, &code);
        self.registrations.push(PendingRegistration {
            phone,
            code,
            device,
            ip,
        });
        Ok(())
    }

    /// Second step: the user typed the code back; the account exists now.
    pub fn complete(
        &mut self,
        phone: &str,
        code: &str,
        now: Timestamp,
    ) -> Result<Account, RegistrationError> {
        let phone = normalise(phone)?;
        let index = self
            .registrations
            .iter()
            .position(|p| p.phone == phone && p.code == code)
            .ok_or(RegistrationError::WrongCode)?;
        let pending = self.registrations.swap_remove(index);
        self.last_user += 1;
        Ok(Account {
            id: UserId(self.last_user),
            phone: pending.phone,
            display_name: String::new(),
            device: pending.device,
            last_ip: Some(pending.ip),
            presence: Presence {
                online: true,
                last_seen: now,
            },
            settings: Settings::default(),
            created_at: now,
        })
    }

    /// Texts a code to the new number of an existing account.
    pub fn start_change(&mut self, user: UserId, new_phone: &str) -> Result<(), RegistrationError> {
        let new_phone = normalise(new_phone)?;
        let code = self.next_code();
        self.sms.send_verification_sms(&new_phone, &code);
        self.changes.retain(|c| c.user != user);
        self.changes.push(PendingChange {
            user,
            new_phone,
            code,
        });
        Ok(())
    }

    /// The new number, once the user typed its code back.
    pub fn confirm_change(
        &mut self,
        user: UserId,
        code: &str,
    ) -> Result<String, RegistrationError> {
        let index = self
            .changes
            .iter()
            .position(|c| c.user == user && c.code == code)
            .ok_or(RegistrationError::WrongCode)?;
        Ok(self.changes.swap_remove(index).new_phone)
    }

    /// A code for the SMS. (A real service uses a CSPRNG.)
    fn next_code(&mut self) -> String {
        self.codes_sent += 1;
        format!("{:06}", (self.codes_sent * 7_919 + 104_729) % 1_000_000)
    }
}

/// The number in E.164 form (`+` and digits only), or an error.
fn normalise(phone: &str) -> Result<String, RegistrationError> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if !(8..=15).contains(&digits.len()) {
        return Err(RegistrationError::InvalidNumber);
    }
    Ok(format!("+{digits}"))
}
