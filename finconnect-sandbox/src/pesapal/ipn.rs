//! `POST /api/URLSetup/RegisterIPN` and `GET /api/URLSetup/GetIpnList`.

use std::time::SystemTime;

use crate::json::{ojson, Json};
use serde_json::Value;

use super::store::{Ipn, IpnMethod};
use super::wire;
use crate::http::{Reply, Req};
use crate::ids;
use crate::state::{lock, State};

fn ipn_json(ipn: &Ipn) -> Json {
    let (kind, description) = match ipn.method {
        IpnMethod::Get => (0, "GET"),
        IpnMethod::Post => (1, "POST"),
    };
    ojson!({
        "id": ipn.row_id,
        "url": ipn.url,
        "created_date": ids::dotnet_utc(ipn.created),
        "ipn_id": ipn.ipn_id,
        "notification_type": kind,
        "ipn_notification_type_description": description,
        "ipn_status": 1,
        "ipn_status_decription": "Active",
        "error": null,
        "status": "200"
    })
}

pub(crate) fn register(state: &State, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::invalid_params("");
    };
    let Some(raw_url) = body.get("url").and_then(Value::as_str) else {
        return wire::invalid_params("");
    };
    let method = match body
        .get("ipn_notification_type")
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("GET") => IpnMethod::Get,
        Some("POST") => IpnMethod::Post,
        _ => return wire::invalid_params(""),
    };
    let valid_url = url::Url::parse(raw_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if valid_url.is_none() {
        return wire::error_reply(
            "api_error",
            "invalid_url",
            "The specified url provided is invalid",
        );
    }
    // Registration succeeds as with the real PesaPal; the log says if nothing will arrive.
    state.warn_if_undeliverable(valid_url.as_ref());
    let mut store = lock(&state.pesapal);
    // Re-registering the same URL with the same method returns the existing record.
    if let Some(existing) = store
        .ipns
        .iter()
        .find(|i| i.url == raw_url && i.method == method)
    {
        let mut v = ipn_json(existing);
        v.set("message", "Request processed successfully");
        return Reply::json(200, &v);
    }
    store.next_row += 1;
    let ipn = Ipn {
        row_id: 4000 + store.next_row,
        url: raw_url.to_string(),
        ipn_id: ids::guid(),
        method,
        created: SystemTime::now(),
    };
    let mut v = ipn_json(&ipn);
    v.set("message", "Request processed successfully");
    store.ipns.push(ipn);
    Reply::json(200, &v)
}

pub(crate) fn list(state: &State) -> Reply {
    let store = lock(&state.pesapal);
    let rows: Vec<Json> = store.ipns.iter().map(ipn_json).collect();
    Reply::json(200, &rows)
}
