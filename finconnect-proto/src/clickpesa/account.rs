//! Account balance and exchange rates.

use super::config::ClickpesaConfig;
use super::models::{Balance, ExchangeRate};
use super::wire::{authed, read};
use crate::operation::Operation;
use crate::retry::Idempotency;
use crate::{AccessToken, Currency, Error};

/// `GET /account/balance`: one entry per currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetBalance;

impl Operation for GetBalance {
    type Api = ClickpesaConfig;
    type Output = Vec<Balance>;
    const NAME: &'static str = "account-balance";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn to_request(
        &self,
        api: &ClickpesaConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        authed(api, http::Method::GET, "/account/balance", None, token)
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<Vec<Balance>, Error> {
        read(&response, "account balance", None)
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
    const NAME: &'static str = "exchange-rates";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn to_request(
        &self,
        api: &ClickpesaConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(s) = self.source {
            q.append_pair("source", s.code());
        }
        if let Some(t) = self.target {
            q.append_pair("target", t.code());
        }
        let q = q.finish();
        let path = if q.is_empty() {
            "/exchange-rates/all".to_owned()
        } else {
            format!("/exchange-rates/all?{q}")
        };
        authed(api, http::Method::GET, &path, None, token)
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<Vec<ExchangeRate>, Error> {
        read(&response, "exchange rates", None)
    }
}
