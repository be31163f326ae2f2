//! Payments, processed by Facebook Pay once the user accepted its terms.

use crate::ads::AudienceSync;
use crate::clients::FacebookPaymentsClient;
use crate::consent::{ConsentError, ConsentStore};
use crate::model::{Account, Timestamp, Transaction};
use std::fmt;

/// Why a payment did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentError {
    Consent(ConsentError),
    InvalidAmount,
}

impl From<ConsentError> for PaymentError {
    fn from(e: ConsentError) -> Self {
        PaymentError::Consent(e)
    }
}

impl fmt::Display for PaymentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaymentError::Consent(e) => write!(f, "payment not authorised: {e}"),
            PaymentError::InvalidAmount => f.write_str("the amount must be positive"),
        }
    }
}

impl std::error::Error for PaymentError {}

/// What the payer sees after paying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub charge: u64,
    pub at: Timestamp,
}

/// The payments integration.
#[derive(Debug, Default)]
pub struct Payments {
    client: FacebookPaymentsClient,
    /// Our own copy of every transaction, for the in-app history.
    ledger: Vec<Transaction>,
}

impl Payments {
    /// Pays `amount_cents` from `payer` to `payee` through Facebook Pay.
    pub fn pay(
        &mut self,
        consent: &ConsentStore,
        payer: &Account,
        payee: &str,
        amount_cents: u64,
        now: Timestamp,
    ) -> Result<(Receipt, Transaction), PaymentError> {
        if amount_cents == 0 {
            return Err(PaymentError::InvalidAmount);
        }
        consent.payment_authorisation(payer.id)?;
        let tx = Transaction {
            payer: payer.id,
            payee: payee.to_string(),
            amount_cents,
            currency: "USD",
            at: now,
        };
        let charge = self.client.charge(&tx, &payer.phone);
        self.ledger.push(tx.clone());
        Ok((Receipt { charge, at: now }, tx))
    }

    /// Pays, then credits the ad that led to the purchase.
    pub fn pay_from_ad(
        &mut self,
        consent: &ConsentStore,
        ads: &mut AudienceSync,
        payer: &Account,
        payee: &str,
        amount_cents: u64,
        now: Timestamp,
    ) -> Result<Receipt, PaymentError> {
        let (receipt, tx) = self.pay(consent, payer, payee, amount_cents, now)?;
        ads.record_purchase(payer, &tx);
        Ok(receipt)
    }

    /// How many payments the in-app history shows.
    pub fn history_size(&self) -> usize {
        self.ledger.len()
    }
}
