//! Validated values: checked once when built, so a request never carries a value
//! the provider would refuse for its form.

mod description;
mod https_url;
mod msisdn;
mod reference;

pub use description::Description;
pub use https_url::{HttpsUrl, UrlPolicy};
pub use msisdn::{mask_phone, Msisdn};
pub use reference::MerchantReference;
