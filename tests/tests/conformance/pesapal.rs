//! PesaPal API 3.0: every operation against the sandbox.

use finconnect::pesapal::{
    BillingAddress, CancelOrder, ConfirmNotification, GetIpnList, GetTransactionStatus, IpnId,
    IpnMethod, NotificationKind, Order, OrderTrackingId, RefundRequest, RegisterIpn, SubmitOrder,
};
use finconnect::{Currency, Description, MerchantReference, Money, PaymentStatus};
use finconnect_sandbox::{Outcome, ProviderName, Route};
use finconnect_tests::{
    fast_options, pesapal_config, pesapal_notification, start_sandbox, Adapter, Merchant, Reply,
};

/// An order of `amount` KES for `reference`.
pub fn order(reference: &str, amount: &str) -> Order {
    Order::new(
        MerchantReference::new(reference).expect("reference"),
        Money::from_decimal_str(amount, Currency::KES).expect("amount"),
        Description::new("Two books").expect("description"),
        "https://shop.example/paid",
        BillingAddress::email("jane@example.com"),
    )
    .expect("order")
}

/// RegisterIpn (POST and GET), GetIpnList, SubmitOrder, GetTransactionStatus
/// (pending, then completed after the customer pays), the IPN (POST and GET)
/// delivered to the merchant and acknowledged, ConfirmNotification, RefundRequest
/// and CancelOrder; one token for the whole run.
async fn pesapal_every_operation<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let merchant = Merchant::start(Reply::PesapalAck).await;
    let client = A::client(pesapal_config(&sandbox), &fast_options());

    // RegisterIpn, both methods.
    let post_url = merchant.url("/ipn/post");
    let get_url = merchant.url("/ipn/get");
    let post_ipn = client
        .execute(RegisterIpn::new(&post_url, IpnMethod::Post).expect("op"))
        .await
        .expect("RegisterIpn POST");
    assert_eq!(post_ipn.url, post_url);
    assert_eq!(post_ipn.method, Some(IpnMethod::Post));
    assert_eq!(post_ipn.active, Some(true));
    assert!(!post_ipn.ipn_id.as_str().is_empty());
    assert!(post_ipn.created_at().is_some(), "{post_ipn:?}");
    let get_ipn = client
        .execute(RegisterIpn::new(&get_url, IpnMethod::Get).expect("op"))
        .await
        .expect("RegisterIpn GET");
    assert_eq!(get_ipn.url, get_url);
    assert_eq!(get_ipn.method, Some(IpnMethod::Get));
    assert_ne!(get_ipn.ipn_id, post_ipn.ipn_id);

    // GetIpnList.
    let list = client.execute(GetIpnList).await.expect("GetIpnList");
    assert_eq!(list.len(), 2, "{list:?}");
    let listed = GetIpnList::find(&list, &post_url).expect("the POST IPN is listed");
    assert_eq!(listed.ipn_id, post_ipn.ipn_id);
    assert_eq!(listed.method, Some(IpnMethod::Post));
    let listed = GetIpnList::find(&list, &get_url).expect("the GET IPN is listed");
    assert_eq!(listed.ipn_id, get_ipn.ipn_id);
    assert_eq!(listed.method, Some(IpnMethod::Get));

    // SubmitOrder, notified by POST.
    let submitted = client
        .execute(SubmitOrder::new(
            order("ORDER-1", "1500.50"),
            post_ipn.ipn_id.clone(),
        ))
        .await
        .expect("SubmitOrder");
    assert_eq!(submitted.merchant_reference, "ORDER-1");
    assert!(
        submitted
            .redirect_url
            .contains(submitted.order_tracking_id.as_str()),
        "{submitted:?}"
    );
    assert_eq!(sandbox.orders(ProviderName::Pesapal), 1);
    let tracking = submitted.order_tracking_id.clone();

    // Pending until the customer pays.
    let pending = client
        .execute(GetTransactionStatus::new(tracking.clone()))
        .await
        .expect("status while pending");
    assert_eq!(pending.status, PaymentStatus::Pending);
    assert_eq!(pending.status_code, Some(0));
    assert_eq!(pending.order_tracking_id, tracking);
    assert_eq!(pending.merchant_reference, "ORDER-1");
    assert_eq!(pending.confirmation_code, None);

    // The customer pays: the POST IPN reaches the merchant and is acknowledged.
    sandbox
        .settle(ProviderName::Pesapal, tracking.as_str(), Outcome::Complete)
        .await
        .expect("settle");
    let seen = merchant.received();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, http::Method::POST);
    assert_eq!(seen[0].path(), "/ipn/post");
    let notification = pesapal_notification(&seen[0]);
    assert_eq!(notification.order_tracking_id, tracking);
    assert_eq!(notification.merchant_reference, "ORDER-1");
    assert_eq!(notification.kind, NotificationKind::IpnChange);
    let deliveries = sandbox.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert!(
        deliveries[0].acked,
        "the sandbox took the ack: {deliveries:?}"
    );
    assert_eq!(deliveries[0].attempts, 1);
    assert_eq!(deliveries[0].method, "POST");

    // The merchant confirms the IPN with the status query.
    let confirmed = client
        .execute(ConfirmNotification::new(notification))
        .await
        .expect("ConfirmNotification");
    assert!(confirmed.is_final());
    assert_eq!(confirmed.payment_status(), &PaymentStatus::Completed);

    // Completed, with the amount exactly and a confirmation code.
    let paid = client
        .execute(GetTransactionStatus::new(tracking.clone()))
        .await
        .expect("status when paid");
    assert_eq!(paid.status, PaymentStatus::Completed);
    assert!(paid.is_paid());
    assert_eq!(paid.status_code, Some(1));
    assert_eq!(
        paid.amount,
        Some(Money::from_decimal_str("1500.50", Currency::KES).expect("amount"))
    );
    assert_eq!(paid.currency_code.as_deref(), Some("KES"));
    let code = paid.confirmation_code.clone().expect("a confirmation code");
    assert!(paid.payment_method.is_some());
    paid.reconcile(
        &MerchantReference::new("ORDER-1").expect("reference"),
        Money::from_decimal_str("1500.50", Currency::KES).expect("amount"),
    )
    .expect("the status matches the order");

    // RefundRequest.
    let refund = client
        .execute(
            RefundRequest::new(
                code,
                Money::from_decimal_str("500.00", Currency::KES).expect("amount"),
                "jane",
                "Returned one book",
            )
            .expect("op"),
        )
        .await
        .expect("RefundRequest");
    assert_eq!(refund.message, "Refund request successfully");

    // A GET-notified order: the IPN arrives as a query.
    let second = client
        .execute(SubmitOrder::new(
            order("ORDER-2", "99.99"),
            get_ipn.ipn_id.clone(),
        ))
        .await
        .expect("second SubmitOrder");
    sandbox
        .settle(
            ProviderName::Pesapal,
            second.order_tracking_id.as_str(),
            Outcome::Fail,
        )
        .await
        .expect("settle");
    let seen = merchant.received();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].method, http::Method::GET);
    assert_eq!(seen[1].path(), "/ipn/get");
    let notification = pesapal_notification(&seen[1]);
    assert_eq!(notification.order_tracking_id, second.order_tracking_id);
    assert_eq!(notification.merchant_reference, "ORDER-2");
    assert!(sandbox.deliveries()[1].acked);
    let failed = client
        .execute(ConfirmNotification::new(notification))
        .await
        .expect("confirm");
    assert_eq!(failed.payment_status(), &PaymentStatus::Failed);

    // CancelOrder of a pending order.
    let third = client
        .execute(SubmitOrder::new(order("ORDER-3", "10"), post_ipn.ipn_id))
        .await
        .expect("third SubmitOrder");
    let cancelled = client
        .execute(CancelOrder::new(third.order_tracking_id.clone()))
        .await
        .expect("CancelOrder");
    assert_eq!(cancelled.message, "Order successfully cancelled.");

    // One token for all of it; every route hit exactly as often as called.
    assert_eq!(sandbox.requests(Route::PesapalAuth), 1);
    assert_eq!(sandbox.requests(Route::PesapalRegisterIpn), 2);
    assert_eq!(sandbox.requests(Route::PesapalIpnList), 1);
    assert_eq!(sandbox.requests(Route::PesapalSubmitOrder), 3);
    assert_eq!(sandbox.requests(Route::PesapalStatus), 4);
    assert_eq!(sandbox.requests(Route::PesapalRefund), 1);
    assert_eq!(sandbox.requests(Route::PesapalCancel), 1);
    assert_eq!(sandbox.orders(ProviderName::Pesapal), 3);
}

/// Business refusals come back as typed errors, not as successes: an unknown
/// IPN id, an unknown tracking id, a refund of an unpaid order.
async fn pesapal_refusals<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let client = A::client(pesapal_config(&sandbox), &fast_options());
    let err = client
        .execute(SubmitOrder::new(
            order("ORDER-X", "10"),
            IpnId::new("00000000-0000-0000-0000-000000000000").expect("id"),
        ))
        .await
        .expect_err("an unknown IPN id is refused");
    assert!(matches!(err, finconnect::Error::Provider { .. }), "{err:?}");
    let err = client
        .execute(GetTransactionStatus::new(
            OrderTrackingId::new("b945e4af-80a5-4ec1-8706-e03f8332fb04").expect("id"),
        ))
        .await
        .expect_err("an unknown tracking id is an error");
    assert!(matches!(err, finconnect::Error::Provider { .. }), "{err:?}");
    let err = client
        .execute(
            RefundRequest::new(
                "NOPE123",
                Money::from_decimal_str("1.00", Currency::KES).expect("amount"),
                "jane",
                "test",
            )
            .expect("op"),
        )
        .await
        .expect_err("an unknown confirmation code is refused");
    assert!(
        finconnect::pesapal::RefundRefusal::of(&err).is_some(),
        "{err:?}"
    );
    assert_eq!(sandbox.orders(ProviderName::Pesapal), 0);
    assert_eq!(sandbox.requests(Route::PesapalAuth), 1);
}

finconnect_tests::conformance!(pesapal_every_operation, pesapal_refusals);
