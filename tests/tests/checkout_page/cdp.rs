//! Just enough of the Chrome DevTools Protocol (JSON over a WebSocket) to open a page,
//! look at it, click it like a person, and photograph it.

use std::collections::VecDeque;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// How long one command or event may take.
const WAIT: Duration = Duration::from_secs(30);

/// A DevTools connection to the browser, driving one page through a flat session.
pub struct Cdp {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    session: Option<String>,
    /// Events read while waiting for something else.
    events: VecDeque<Value>,
}

impl Cdp {
    /// Connects to the browser endpoint and opens a new page on `about:blank`.
    pub fn open_page(websocket_url: &str) -> Cdp {
        let (socket, _) = tungstenite::connect(websocket_url)
            .unwrap_or_else(|e| panic!("cannot connect to DevTools at {websocket_url}: {e}"));
        if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream
                .set_read_timeout(Some(Duration::from_millis(500)))
                .expect("a read timeout on the DevTools socket");
        }
        let mut cdp = Cdp {
            socket,
            next_id: 0,
            session: None,
            events: VecDeque::new(),
        };
        let target = cdp.call("Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].clone();
        let attached = cdp.call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        cdp.session = attached["sessionId"].as_str().map(str::to_string);
        assert!(cdp.session.is_some(), "no DevTools session: {attached}");
        cdp.call("Page.enable", json!({}));
        cdp
    }

    /// Sends a command (to the page session once there is one) and returns its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .unwrap_or_else(|e| panic!("DevTools {method}: send failed: {e}"));
        let deadline = Instant::now() + WAIT;
        loop {
            let reply = self.read(deadline, method);
            if reply["id"].as_u64() == Some(id) {
                if let Some(error) = reply.get("error") {
                    panic!("DevTools {method} failed: {error}");
                }
                return reply["result"].clone();
            }
            if reply.get("method").is_some() {
                self.events.push_back(reply);
            }
        }
    }

    /// Forgets the events read so far.
    pub fn clear_events(&mut self) {
        self.events.clear();
    }

    /// Waits for the next page event named `method`.
    pub fn wait_event(&mut self, method: &str) -> Value {
        if let Some(i) = self.events.iter().position(|e| e["method"] == method) {
            let event = self.events.remove(i).unwrap_or_default();
            return event["params"].clone();
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let message = self.read(deadline, method);
            if message["method"] == method {
                return message["params"].clone();
            }
            if message.get("method").is_some() {
                self.events.push_back(message);
            }
        }
    }

    fn read(&mut self, deadline: Instant, waiting_for: &str) -> Value {
        loop {
            assert!(
                Instant::now() < deadline,
                "DevTools: no answer to {waiting_for} within {WAIT:?}"
            );
            match self.socket.read() {
                Ok(Message::Text(text)) => {
                    return serde_json::from_str(text.as_str())
                        .unwrap_or_else(|e| panic!("DevTools sent invalid JSON ({e}): {text}"));
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("DevTools connection failed waiting for {waiting_for}: {e}"),
            }
        }
    }

    /// Opens `url` and waits until it has loaded.
    pub fn navigate(&mut self, url: &str) {
        self.clear_events();
        let result = self.call("Page.navigate", json!({"url": url}));
        if let Some(error) = result.get("errorText") {
            panic!("the browser could not open {url}: {error}");
        }
        self.wait_event("Page.loadEventFired");
    }

    /// The URL the page shows now.
    pub fn current_url(&mut self) -> String {
        let history = self.call("Page.getNavigationHistory", json!({}));
        let index = history["currentIndex"].as_u64().unwrap_or(0) as usize;
        history["entries"][index]["url"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The page's visible text (read through the DOM, not by running page script).
    pub fn text(&mut self) -> String {
        let root = self.call("DOM.getDocument", json!({"depth": -1}));
        let mut out = String::new();
        collect_text(&root["root"], &mut out);
        out
    }

    /// The centre of the first element matching `selector`, if any.
    pub fn centre_of(&mut self, selector: &str) -> Option<(f64, f64)> {
        let root = self.call("DOM.getDocument", json!({"depth": 0}));
        let found = self.call(
            "DOM.querySelector",
            json!({"nodeId": root["root"]["nodeId"], "selector": selector}),
        );
        let node = found["nodeId"].as_u64().filter(|&n| n != 0)?;
        let model = self.call("DOM.getBoxModel", json!({"nodeId": node}));
        let quad: Vec<f64> = model["model"]["content"]
            .as_array()?
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        if quad.len() != 8 {
            return None;
        }
        let x = (quad[0] + quad[2] + quad[4] + quad[6]) / 4.0;
        let y = (quad[1] + quad[3] + quad[5] + quad[7]) / 4.0;
        Some((x, y))
    }

    /// A left click at (x, y), as a mouse makes it; waits for the page it leads to.
    pub fn click_and_wait(&mut self, (x, y): (f64, f64)) {
        self.clear_events();
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
        self.wait_event("Page.loadEventFired");
    }

    /// A PNG of the page.
    pub fn screenshot(&mut self) -> Vec<u8> {
        use base64::Engine as _;
        let shot = self.call("Page.captureScreenshot", json!({"format": "png"}));
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap_or_default())
            .expect("a base64 screenshot")
    }

    /// Asks the browser to close (the process guard kills it anyway).
    pub fn close_browser(mut self) {
        self.session = None;
        self.next_id += 1;
        let message = json!({"id": self.next_id, "method": "Browser.close"});
        let _ = self.socket.send(Message::text(message.to_string()));
    }
}

fn collect_text(node: &Value, out: &mut String) {
    let name = node["nodeName"].as_str().unwrap_or_default();
    if matches!(name, "STYLE" | "SCRIPT" | "HEAD") {
        return;
    }
    if node["nodeType"] == 3 {
        out.push_str(node["nodeValue"].as_str().unwrap_or_default());
        out.push(' ');
    }
    for child in node["children"].as_array().into_iter().flatten() {
        collect_text(child, out);
    }
}
