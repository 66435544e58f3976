//! Account balance and exchange rates.

use super::config::ClickpesaConfig;
use super::models::{Balance, ExchangeRate};
use super::wire::answer;
use crate::operation::{Host, Operation, Parts};
use crate::retry::Idempotency;
use crate::{Currency, Error};

/// `GET /account/balance`: one entry per currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetBalance;

impl Operation for GetBalance {
    type Api = ClickpesaConfig;
    type Output = Vec<Balance>;
    const NAME: &'static str = "/account/balance";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        Ok(Parts::get(Host::Api, Self::NAME))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Vec<Balance>, Error> {
        answer(self, &response)
    }
}

/// `GET /exchange-rates/all`, optionally for one pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetExchangeRates {
    source: Option<Currency>,
    target: Option<Currency>,
}

impl GetExchangeRates {
    /// Every rate.
    pub fn all() -> Self {
        Self::default()
    }

    /// The rate from `source` to `target`.
    pub fn pair(source: Currency, target: Currency) -> Self {
        GetExchangeRates {
            source: Some(source),
            target: Some(target),
        }
    }
}

impl Operation for GetExchangeRates {
    type Api = ClickpesaConfig;
    type Output = Vec<ExchangeRate>;
    const NAME: &'static str = "/exchange-rates/all";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        let mut parts = Parts::get(Host::Api, Self::NAME);
        for (key, currency) in [("source", self.source), ("target", self.target)] {
            if let Some(c) = currency {
                parts = parts.query(key, c.code());
            }
        }
        Ok(parts)
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Vec<ExchangeRate>, Error> {
        answer(self, &response)
    }
}
