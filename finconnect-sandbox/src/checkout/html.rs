//! The checkout page's HTML: one self-contained document (inline CSS, no script, no
//! external asset), every value escaped.

use super::view::{PageStatus, View};

/// Escapes text for an HTML text node or a double- or single-quoted attribute value.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f3f4f6;margin:0;padding:2rem}\
main{max-width:28rem;margin:auto;background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 1px 4px #0002}\
h1{font-size:1.2rem;margin:0 0 .25rem}p.note{color:#6b7280;font-size:.85rem;margin:0 0 1rem}\
table{width:100%;border-collapse:collapse;margin-bottom:1rem}th{text-align:left;color:#6b7280;font-weight:normal;width:40%}\
th,td{padding:.4rem 0;border-bottom:1px solid #e5e7eb;word-break:break-all}td.amount{font-size:1.3rem;font-weight:bold}\
form{display:flex;gap:.5rem}button{flex:1;padding:.7rem;border:0;border-radius:6px;font:inherit;cursor:pointer;color:#fff}\
button.pay{background:#15803d}button.fail{background:#b91c1c}button.cancel{background:#6b7280}\
p.status{font-size:1.1rem;font-weight:bold;padding:.7rem;border-radius:6px;background:#e5e7eb}";

/// The page for `view`: the order and, while it is pending, the Pay / Fail / Cancel form
/// (posted to `action`, a path and query on the sandbox); otherwise the order's state and
/// `message`, if any.
pub(crate) fn page(view: &View, action: &str, message: Option<&str>) -> String {
    let mut rows = String::new();
    if let Some(merchant) = &view.merchant {
        row(&mut rows, "Merchant", merchant, "");
    }
    row(&mut rows, "Reference", &view.reference, "");
    row(
        &mut rows,
        "Amount",
        &format!("{} {}", view.amount, view.currency),
        "amount",
    );
    if let Some(description) = &view.description {
        row(&mut rows, "Description", description, "");
    }
    let body = match view.status {
        PageStatus::Pending => format!(
            "<form method=\"post\" action=\"{}\">\
             <button class=\"pay\" type=\"submit\" name=\"action\" value=\"pay\">Pay</button>\
             <button class=\"fail\" type=\"submit\" name=\"action\" value=\"fail\">Fail</button>\
             <button class=\"cancel\" type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button>\
             </form>",
            escape(action)
        ),
        status => format!(
            "<p class=\"status\" id=\"status\">{}</p>",
            escape(status.label())
        ),
    };
    let message = message
        .map(|m| format!("<p>{}</p>", escape(m)))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{provider} checkout (sandbox)</title><style>{STYLE}</style></head>\
         <body><main><h1>{provider} checkout</h1>\
         <p class=\"note\">finconnect sandbox: a simulated payment page; no money moves.</p>\
         <table>{rows}</table>{body}{message}</main></body></html>\n",
        provider = escape(view.provider_label),
    )
}

fn row(out: &mut String, name: &str, value: &str, class: &str) {
    let class = if class.is_empty() {
        String::new()
    } else {
        format!(" class=\"{}\"", escape(class))
    };
    out.push_str(&format!(
        "<tr><th>{}</th><td{class}>{}</td></tr>",
        escape(name),
        escape(value)
    ));
}

/// A short page with a message only (unknown order, bad request).
pub(crate) fn notice(title: &str, message: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title}</title><style>{STYLE}</style></head>\
         <body><main><h1>{title}</h1><p>{message}</p></main></body></html>\n",
        title = escape(title),
        message = escape(message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_every_markup_character() {
        assert_eq!(
            escape(r#"<script>alert("x&y")</script>'"#),
            "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;"
        );
    }

    #[test]
    fn escape_leaves_plain_and_non_ascii_text_alone() {
        assert_eq!(escape("Order 42 – Shoes, ü"), "Order 42 – Shoes, ü");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn escape_does_not_double_decode_entities() {
        assert_eq!(escape("&lt;"), "&amp;lt;");
    }

    fn hostile_view(status: PageStatus) -> View {
        View {
            provider_label: "PesaPal",
            merchant: Some("<b>shop</b>".into()),
            reference: "<script>alert(1)</script>".into(),
            amount: "10.00".into(),
            currency: "KES".into(),
            description: Some("a \"quoted\" & <i>tagged</i> description".into()),
            status,
        }
    }

    #[test]
    fn page_escapes_every_value_and_has_no_script() {
        let html = page(
            &hostile_view(PageStatus::Pending),
            "/x?a=1&b=\"2\"",
            Some("<m>"),
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>shop"), "{html}");
        assert!(!html.contains("<i>"), "{html}");
        assert!(!html.contains("<m>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("action=\"/x?a=1&amp;b=&quot;2&quot;\""));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn pending_page_offers_three_buttons_and_a_settled_one_none() {
        let pending = page(&hostile_view(PageStatus::Pending), "/p", None);
        for value in ["pay", "fail", "cancel"] {
            assert!(pending.contains(&format!("name=\"action\" value=\"{value}\"")));
        }
        assert!(pending.contains("<form method=\"post\""));
        let paid = page(&hostile_view(PageStatus::Paid), "/p", None);
        assert!(!paid.contains("<form"));
        assert!(!paid.contains("<button"));
        assert!(paid.contains(PageStatus::Paid.label()));
    }
}
