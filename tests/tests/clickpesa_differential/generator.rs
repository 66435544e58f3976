//! A seeded generator of nasty ClickPesa webhook payloads, kept as a tree of JSON
//! text pieces (every string and number exactly as written) so that the raw body
//! and its tampered variants can be rendered without re-serialising anything.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use std::collections::BTreeSet;

/// A JSON string literal: its text between the quotes (escapes as written) and the
/// UTF-16 code units JavaScript holds after `JSON.parse`.
#[derive(Clone, Debug, PartialEq)]
pub struct Lit {
    pub text: String,
    pub units: Vec<u16>,
}

impl Lit {
    fn new() -> Lit {
        Lit {
            text: String::new(),
            units: Vec::new(),
        }
    }

    fn plain(s: &str) -> Lit {
        let mut l = Lit::new();
        for c in s.chars() {
            l.raw(c);
        }
        l
    }

    fn raw(&mut self, c: char) {
        self.text.push(c);
        let mut buf = [0u16; 2];
        self.units.extend_from_slice(c.encode_utf16(&mut buf));
    }

    fn escaped(&mut self, unit: u16, upper: bool) {
        if upper {
            self.text.push_str(&format!("\\u{unit:04X}"));
        } else {
            self.text.push_str(&format!("\\u{unit:04x}"));
        }
        self.units.push(unit);
    }

    fn short(&mut self, letter: char, unit: u16) {
        self.text.push('\\');
        self.text.push(letter);
        self.units.push(unit);
    }

    fn is_proto(&self) -> bool {
        self.units == "__proto__".encode_utf16().collect::<Vec<_>>()
    }
}

/// A JSON value as written.
#[derive(Clone, Debug)]
pub enum Node {
    Null,
    Bool(bool),
    /// The number text as written (`1.0`, `-0`, `1E2`, …).
    Num(String),
    Str(Lit),
    Arr(Vec<Node>),
    Obj(Vec<(Lit, Node)>),
}

/// The generator: a seeded RNG plus the classes of the case being generated.
pub struct Gen {
    rng: StdRng,
    /// The classes the current case exercises.
    pub classes: BTreeSet<&'static str>,
    whitespace: bool,
}

/// Event names a webhook may carry; the first two get a typed `Payment` `data`.
const TYPED_EVENTS: [&str; 2] = ["PAYMENT RECEIVED", "PAYMENT FAILED"];
const OTHER_EVENTS: [&str; 3] = ["X", "DEPOSIT RECEIVED", "PAYOUT SOMETHING NEW"];

impl Gen {
    pub fn new(rng: StdRng) -> Gen {
        Gen {
            rng,
            classes: BTreeSet::new(),
            whitespace: false,
        }
    }

    fn mark(&mut self, class: &'static str) {
        self.classes.insert(class);
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }

    /// The RNG, for choices the test makes (tampering, checksum placement).
    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    // ------------------------------------------------------------------ numbers

    /// A number as some sender might write it, with its class.
    fn number(&mut self) -> String {
        match self.rng.gen_range(0..10) {
            0 | 1 => {
                // An exact tie: N + 0.25 or N + 0.75 with N in [2^49, 2^50) is exactly
                // halfway between two 16-digit decimals that both read back to it.
                self.mark("number: exact shortest-form tie");
                let n: u64 = self.rng.gen_range(1u64 << 49..1u64 << 50);
                let frac = if self.chance(0.5) { "25" } else { "75" };
                match self.rng.gen_range(0..3) {
                    0 => format!("{n}.{frac}"),
                    1 => format!("{n}.{frac}0"),
                    _ => {
                        let digits = format!("{n}{frac}");
                        format!(
                            "{}.{}e{}",
                            &digits[..1],
                            &digits[1..],
                            n.to_string().len() - 1
                        )
                    }
                }
            }
            2 => {
                self.mark("number: 16+ significant digits");
                let x = self.finite_double();
                match self.rng.gen_range(0..3) {
                    0 => format!("{x}"),
                    1 => format!("{x:e}"),
                    _ => format!("{x:.19e}"),
                }
            }
            3 => {
                self.mark("number: subnormal");
                let bits: u64 = self.rng.gen_range(1..1u64 << 52);
                let x = f64::from_bits(bits) * if self.chance(0.3) { -1.0 } else { 1.0 };
                if self.chance(0.5) {
                    format!("{x:e}")
                } else {
                    format!("{x:.24e}")
                }
            }
            4 => {
                self.mark("number: -0 and zero spellings");
                [
                    "-0",
                    "-0.0",
                    "-0e0",
                    "-0.000E+5",
                    "0e-10",
                    "0.0",
                    "0",
                    "-0E-0",
                ]
                .choose(&mut self.rng)
                .map_or("-0", |s| s)
                .to_owned()
            }
            5 => {
                self.mark("number: 1e21 / 1e-6 boundaries");
                [
                    "1e21",
                    "1E21",
                    "1e+21",
                    "-1e21",
                    "999999999999999900000",
                    "999999999999999999999",
                    "1000000000000000000000",
                    "100000000000000000000",
                    "9.999999999999999e20",
                    "1e-6",
                    "0.000001",
                    "1e-7",
                    "0.0000001",
                    "9.99999999999999e-7",
                    "0.00000099",
                    "123e-8",
                    "1.7976931348623157e308",
                    "1.7976931348623158e308",
                    "2.2250738585072014e-308",
                    "4.9406564584124654e-324",
                ]
                .choose(&mut self.rng)
                .map_or("1e21", |s| s)
                .to_owned()
            }
            6 => {
                self.mark("number: integer above 2^53");
                match self.rng.gen_range(0..4) {
                    0 => [
                        "9007199254740993",
                        "9007199254740992",
                        "-9007199254740993",
                        "9223372036854775808",
                        "18446744073709551615",
                        "18446744073709551616",
                        "12345678901234567890123",
                    ]
                    .choose(&mut self.rng)
                    .map_or("9007199254740993", |s| s)
                    .to_owned(),
                    1 => self.rng.gen::<u64>().to_string(),
                    2 => self.rng.gen_range(1u64 << 53..1u64 << 60).to_string(),
                    _ => format!("-{}", self.rng.gen::<u64>()),
                }
            }
            7 => {
                self.mark("number: non-canonical text (1.0, 1E2, 0.10, …)");
                let fixed = [
                    "1.0",
                    "1E2",
                    "0.10",
                    "-0.0",
                    "1e+2",
                    "1.50E-3",
                    "100e-2",
                    "0.000e0",
                    "1e002",
                    "10.000000",
                    "1047.10",
                    "5E-1",
                    "2.5e+0",
                    "0.5e1",
                ];
                if self.chance(0.6) {
                    fixed.choose(&mut self.rng).map_or("1.0", |s| s).to_owned()
                } else {
                    // A money-like amount with trailing zeros or a needless exponent.
                    let n: u32 = self.rng.gen_range(0..10_000_000);
                    match self.rng.gen_range(0..3) {
                        0 => format!("{}.{:02}0", n / 100, n % 100),
                        1 => format!("{n}.0"),
                        _ => format!("{n}e0"),
                    }
                }
            }
            _ => {
                self.mark("number: ordinary");
                self.plain_number()
            }
        }
    }

    /// An ordinary integer or short fraction.
    fn plain_number(&mut self) -> String {
        if self.chance(0.5) {
            self.rng.gen_range(-1_000_000i64..1_000_000).to_string()
        } else {
            format!(
                "{}.{}",
                self.rng.gen_range(0..100_000),
                self.rng.gen_range(1..100)
            )
        }
    }

    /// A random finite double of any magnitude (from random bits).
    fn finite_double(&mut self) -> f64 {
        loop {
            let x = f64::from_bits(self.rng.gen::<u64>());
            if x.is_finite() {
                return x;
            }
        }
    }

    // ------------------------------------------------------------------ strings

    /// Appends one nasty piece of text to `lit`.
    fn atom(&mut self, lit: &mut Lit) {
        let upper = self.chance(0.3);
        match self.rng.gen_range(0..20) {
            0..=5 => {
                let c = *b"abcXYZ019 -_.:@".choose(&mut self.rng).unwrap_or(&b'a');
                lit.raw(char::from(c));
            }
            6 => {
                self.mark("string: escapes (\\\" \\\\ \\/ \\n …)");
                let (letter, unit) = *[
                    ('"', 0x22u16),
                    ('\\', 0x5c),
                    ('/', 0x2f),
                    ('b', 0x08),
                    ('f', 0x0c),
                    ('n', 0x0a),
                    ('r', 0x0d),
                    ('t', 0x09),
                ]
                .choose(&mut self.rng)
                .unwrap_or(&('n', 0x0a));
                lit.short(letter, unit);
            }
            7 => {
                self.mark("string: control characters and DEL");
                if self.chance(0.3) {
                    lit.raw('\u{7f}');
                } else {
                    let u = self.rng.gen_range(0..0x20u16);
                    lit.escaped(u, upper);
                }
            }
            8 | 9 => {
                self.mark("string: non-ASCII (raw and \\u-escaped)");
                let c = *[
                    'ö', 'é', '中', '€', 'ʼ', '—', 'ß', '\u{e000}', '\u{ffff}', '\u{feff}',
                ]
                .choose(&mut self.rng)
                .unwrap_or(&'ö');
                if self.chance(0.7) {
                    lit.raw(c);
                } else {
                    lit.escaped(c as u16, upper);
                }
            }
            10 => {
                self.mark("string: U+2028 / U+2029");
                let c = if self.chance(0.5) {
                    '\u{2028}'
                } else {
                    '\u{2029}'
                };
                if self.chance(0.5) {
                    lit.raw(c);
                } else {
                    lit.escaped(c as u16, upper);
                }
            }
            11 | 12 => {
                self.mark("string: astral (raw and surrogate-pair escapes)");
                let c = *['😀', '𝄞', '🇹', '𐍈'].choose(&mut self.rng).unwrap_or(&'😀');
                if self.chance(0.5) {
                    lit.raw(c);
                } else {
                    let mut buf = [0u16; 2];
                    for u in c.encode_utf16(&mut buf).iter().copied() {
                        lit.escaped(u, upper);
                    }
                }
            }
            13..=15 => {
                self.mark("string: lone surrogates");
                match self.rng.gen_range(0..5) {
                    0 => lit.escaped(0xd83d, upper),
                    1 => lit.escaped(0xde00, upper),
                    2 => {
                        lit.escaped(0xde00, upper);
                        lit.escaped(0xd83d, upper);
                    }
                    3 => {
                        lit.escaped(0xd800, upper);
                        lit.raw('😀');
                    }
                    _ => {
                        let u = self.rng.gen_range(0xd800..0xe000u16);
                        lit.escaped(u, upper);
                    }
                }
            }
            _ => {
                let c = char::from(self.rng.gen_range(b'a'..=b'z'));
                lit.raw(c);
            }
        }
    }

    /// A nasty string of up to `max` atoms.
    fn string(&mut self, max: usize) -> Lit {
        let mut lit = Lit::new();
        let n = self.rng.gen_range(0..=max);
        for _ in 0..n {
            self.atom(&mut lit);
        }
        lit
    }

    /// A customer name cut inside an emoji, as a truncating sender leaves it.
    fn truncated_name(&mut self) -> Lit {
        self.mark("string: lone surrogates");
        let mut lit = Lit::plain("Jöhn ");
        lit.escaped(0xd83d, self.chance(0.5));
        lit
    }

    // ------------------------------------------------------------------ keys

    /// A key that cannot be mistaken for a field the webhook reader types
    /// (`event`, `data`, `checksum`, `id`, `status`, …): those are all
    /// lower-case camelCase words, which this never produces.
    fn key(&mut self, nested: bool) -> Lit {
        match self.rng.gen_range(0..14) {
            0..=3 => {
                let mut l = Lit::new();
                l.raw(char::from(self.rng.gen_range(b'A'..=b'Z')));
                for _ in 0..self.rng.gen_range(0..5) {
                    let c = *b"abcxyz019_".choose(&mut self.rng).unwrap_or(&b'a');
                    l.raw(char::from(c));
                }
                l
            }
            4 | 5 => {
                self.mark("keys: array-index and numeric-looking");
                let k = *[
                    "0",
                    "1",
                    "9",
                    "10",
                    "42",
                    "4294967294",
                    "4294967295",
                    "01",
                    "-1",
                    "1.5",
                    "1e3",
                ]
                .choose(&mut self.rng)
                .unwrap_or(&"0");
                Lit::plain(k)
            }
            6 | 7 => {
                self.mark("keys: non-ASCII and astral");
                let k = *[
                    "ö", "Ａ", "😀", "\u{e000}", "中", "é", "e\u{301}", "𝄞x", "\u{ffff}",
                ]
                .choose(&mut self.rng)
                .unwrap_or(&"ö");
                Lit::plain(k)
            }
            8 => {
                self.mark("keys: __proto__");
                let mut l = Lit::new();
                for c in "__proto__".chars() {
                    if self.chance(0.1) {
                        l.escaped(c as u16, false);
                    } else {
                        l.raw(c);
                    }
                }
                l
            }
            9 => {
                self.mark("keys: empty key");
                Lit::new()
            }
            10 if nested => {
                self.mark("keys: nested checksum / checksumMethod (hashed)");
                Lit::plain(if self.chance(0.5) {
                    "checksum"
                } else {
                    "checksumMethod"
                })
            }
            _ => {
                // A nasty string key, made safe with an upper-case first letter.
                let mut l = Lit::plain("K");
                let rest = self.string(4);
                l.text.push_str(&rest.text);
                l.units.extend(rest.units);
                l
            }
        }
    }

    // ------------------------------------------------------------------ values

    fn scalar(&mut self) -> Node {
        match self.rng.gen_range(0..10) {
            0 => Node::Null,
            1 => Node::Bool(self.chance(0.5)),
            2..=5 => Node::Num(self.number()),
            _ => Node::Str(self.string(6)),
        }
    }

    fn value(&mut self, depth: usize) -> Node {
        if depth >= 5 || self.chance(0.55) {
            return self.scalar();
        }
        if self.chance(0.4) {
            let n = self.rng.gen_range(0..4);
            if n == 0 {
                self.mark("containers: empty [] / {}");
            }
            Node::Arr((0..n).map(|_| self.value(depth + 1)).collect())
        } else {
            Node::Obj(self.object(depth + 1, 4))
        }
    }

    /// Nested object entries: nasty keys, now and then a pair of keys that UTF-16
    /// and code-point order sort differently, or a duplicate (the last one wins).
    fn object(&mut self, depth: usize, max: usize) -> Vec<(Lit, Node)> {
        let n = self.rng.gen_range(0..=max);
        if n == 0 {
            self.mark("containers: empty [] / {}");
        }
        let mut entries: Vec<(Lit, Node)> = Vec::new();
        for _ in 0..n {
            let k = self.key(true);
            let v = self.value(depth);
            entries.push((k, v));
        }
        if self.chance(0.15) {
            self.mark("keys: UTF-16 order differs from code-point order");
            entries.push((Lit::plain("😀"), self.scalar()));
            entries.push((Lit::plain("\u{ff21}"), self.scalar()));
            entries.push((Lit::plain("\u{e000}"), self.scalar()));
        }
        if self.chance(0.05) && !entries.is_empty() {
            self.mark("keys: nested duplicate (last wins)");
            let k = entries[0].0.clone();
            entries.push((k, self.scalar()));
        }
        entries.shuffle(&mut self.rng);
        entries
    }

    /// Wraps `node` in 8–40 levels of arrays and objects.
    fn deep(&mut self, mut node: Node) -> Node {
        self.mark("nesting: 8-40 levels");
        for _ in 0..self.rng.gen_range(8..=40) {
            node = if self.chance(0.5) {
                Node::Arr(vec![node])
            } else {
                Node::Obj(vec![(Lit::plain("d"), node)])
            };
        }
        node
    }

    /// One webhook body (without its checksum): `event`, `data` and nasty extras.
    pub fn webhook(&mut self) -> Node {
        self.classes.clear();
        self.whitespace = self.chance(0.3);
        if self.whitespace {
            self.mark("text: whitespace between tokens");
        }
        let typed = self.chance(0.5);
        let event = if typed {
            let name = *TYPED_EVENTS.choose(&mut self.rng).unwrap_or(&"X");
            self.mark("event: typed PAYMENT event");
            Lit::plain(name)
        } else if self.chance(0.5) {
            Lit::plain(OTHER_EVENTS.choose(&mut self.rng).unwrap_or(&"X"))
        } else {
            self.mark("event: nasty event name");
            self.string(5)
        };
        let mut data = self.object(1, 5);
        // Every case has at least one ordinary number (for the digit tamper).
        let plain = self.plain_number();
        data.retain(|(k, _)| k.text != "N");
        data.push((Lit::plain("N"), Node::Num(plain)));
        if typed {
            let customer = vec![
                (
                    Lit::plain("customerName"),
                    Node::Str(if self.chance(0.5) {
                        self.truncated_name()
                    } else {
                        self.string(6)
                    }),
                ),
                (
                    Lit::plain("customerPhoneNumber"),
                    Node::Str(Lit::plain("255700000000")),
                ),
            ];
            let status = *["SUCCESS", "SETTLED", "FAILED", "PROCESSING"]
                .choose(&mut self.rng)
                .unwrap_or(&"SUCCESS");
            data.push((Lit::plain("id"), Node::Str(self.string(6))));
            data.push((Lit::plain("status"), Node::Str(Lit::plain(status))));
            data.push((Lit::plain("orderReference"), Node::Str(self.string(6))));
            data.push((Lit::plain("collectedAmount"), Node::Num(self.number())));
            data.push((
                Lit::plain("collectedCurrency"),
                Node::Str(Lit::plain("TZS")),
            ));
            data.push((Lit::plain("customer"), Node::Obj(customer)));
        }
        if self.chance(0.1) {
            let inner = self.scalar();
            let deep = self.deep(inner);
            data.push((Lit::plain("Deep"), deep));
        }
        if self.chance(0.1) {
            // A __proto__ claiming a status: never covered by the checksum.
            self.mark("keys: __proto__");
            let claim = vec![(Lit::plain("status"), Node::Str(Lit::plain("SUCCESS")))];
            data.push((Lit::plain("__proto__"), Node::Obj(claim)));
        }
        data.shuffle(&mut self.rng);
        let mut top = vec![
            (Lit::plain("event"), Node::Str(event)),
            (Lit::plain("data"), Node::Obj(data)),
        ];
        // Extra top-level entries, without duplicates (refused on purpose).
        for _ in 0..self.rng.gen_range(0..4) {
            let k = self.key(false);
            if top.iter().all(|(t, _)| t.units != k.units) {
                let v = self.value(2);
                top.push((k, v));
            }
        }
        top.shuffle(&mut self.rng);
        Node::Obj(top)
    }

    // ------------------------------------------------------------------ text

    fn space(&mut self, out: &mut String) {
        if self.whitespace && self.chance(0.3) {
            for _ in 0..self.rng.gen_range(1..3) {
                out.push(
                    *[' ', '\n', '\t', '\r']
                        .choose(&mut self.rng)
                        .unwrap_or(&' '),
                );
            }
        }
    }

    /// The JSON text of `node`, with this case's whitespace habits.
    pub fn render(&mut self, node: &Node) -> String {
        let mut out = String::new();
        self.space(&mut out);
        self.write(node, &mut out);
        self.space(&mut out);
        out
    }

    fn write(&mut self, node: &Node, out: &mut String) {
        match node {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Num(text) => out.push_str(text),
            Node::Str(lit) => {
                out.push('"');
                out.push_str(&lit.text);
                out.push('"');
            }
            Node::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.space(out);
                    self.write(item, out);
                    self.space(out);
                }
                out.push(']');
            }
            Node::Obj(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.space(out);
                    out.push('"');
                    out.push_str(&k.text);
                    out.push('"');
                    self.space(out);
                    out.push(':');
                    self.space(out);
                    self.write(v, out);
                    self.space(out);
                }
                out.push('}');
            }
        }
    }
}

// ---------------------------------------------------------------------- tampering

/// What a tampered variant changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tamper {
    /// A string, boolean, null or number value changed.
    Value,
    /// A key renamed.
    Key,
    /// An entry removed.
    Drop,
    /// One digit of a number changed (to a different double).
    Digit,
}

impl Tamper {
    pub const ALL: [Tamper; 4] = [Tamper::Value, Tamper::Key, Tamper::Drop, Tamper::Digit];
}

/// A place in the tree, as child indexes from the root.
type Path = Vec<usize>;

/// Where tampering changes what JavaScript hashes: not inside a `__proto__`
/// entry, not in a duplicate key's shadowed copy.
#[derive(Default)]
struct Sites {
    /// Scalar leaves.
    values: Vec<Path>,
    /// Number leaves.
    numbers: Vec<Path>,
    /// Object entries (the path ends with the entry index) whose key is unique.
    entries: Vec<Path>,
}

fn collect(node: &Node, path: &mut Path, sites: &mut Sites) {
    match node {
        Node::Null | Node::Bool(_) | Node::Str(_) => sites.values.push(path.clone()),
        Node::Num(_) => {
            sites.values.push(path.clone());
            sites.numbers.push(path.clone());
        }
        Node::Arr(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i);
                collect(item, path, sites);
                path.pop();
            }
        }
        Node::Obj(entries) => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if k.is_proto() {
                    continue;
                }
                let copies = entries.iter().filter(|(o, _)| o.units == k.units).count();
                let shadowed = entries[i + 1..].iter().any(|(o, _)| o.units == k.units);
                if shadowed {
                    continue;
                }
                path.push(i);
                if copies == 1 {
                    sites.entries.push(path.clone());
                }
                collect(v, path, sites);
                path.pop();
            }
        }
    }
}

fn at<'a>(node: &'a mut Node, path: &[usize]) -> &'a mut Node {
    match path.split_first() {
        None => node,
        Some((&i, rest)) => match node {
            Node::Arr(items) => at(&mut items[i], rest),
            Node::Obj(entries) => at(&mut entries[i].1, rest),
            _ => unreachable!("paths lead through containers"),
        },
    }
}

/// The same number text with one digit changed so that it reads as another double.
fn change_digit(text: &str, rng: &mut StdRng) -> Option<String> {
    let mantissa_end = text.find(['e', 'E']).unwrap_or(text.len());
    let mut positions: Vec<usize> = text[..mantissa_end]
        .bytes()
        .enumerate()
        .filter(|(_, b)| b.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    positions.shuffle(rng);
    let before: f64 = text.parse().ok()?;
    for i in positions {
        let d = text.as_bytes()[i];
        let new = if d == b'9' { b'8' } else { d + 1 };
        let mut bytes = text.as_bytes().to_vec();
        bytes[i] = new;
        let changed = String::from_utf8(bytes).ok()?;
        let after: f64 = changed.parse().ok()?;
        // JavaScript writes -0 and 0 alike, so they count as the same value.
        if after != before && after.is_finite() {
            return Some(changed);
        }
    }
    None
}

/// `node` tampered as `kind` says, in a way JavaScript sees.
pub fn tamper(node: &Node, kind: Tamper, rng: &mut StdRng) -> Node {
    let mut sites = Sites::default();
    collect(node, &mut Vec::new(), &mut sites);
    let mut out = node.clone();
    match kind {
        Tamper::Value => {
            let path = sites.values.choose(rng).expect("a scalar to change");
            let leaf = at(&mut out, path);
            *leaf = match leaf.clone() {
                Node::Null => Node::Num("0".into()),
                Node::Bool(b) => Node::Bool(!b),
                Node::Num(_) => Node::Null,
                Node::Str(mut lit) => {
                    lit.raw('x');
                    Node::Str(lit)
                }
                other => other,
            };
        }
        Tamper::Key | Tamper::Drop => {
            let path = sites.entries.choose(rng).expect("an entry to change");
            let (last, parent) = path.split_last().expect("a non-empty path");
            let Node::Obj(entries) = at(&mut out, parent) else {
                unreachable!("entry paths end in an object")
            };
            if kind == Tamper::Drop {
                entries.remove(*last);
            } else {
                let mut key = entries[*last].0.clone();
                loop {
                    key.raw('x');
                    if entries.iter().all(|(o, _)| o.units != key.units) && !key.is_proto() {
                        break;
                    }
                }
                entries[*last].0 = key;
            }
        }
        Tamper::Digit => {
            let mut numbers = sites.numbers.clone();
            numbers.shuffle(rng);
            let done = numbers.iter().any(|path| {
                let leaf = at(&mut out, path);
                let Node::Num(text) = leaf else { return false };
                match change_digit(text, rng) {
                    Some(changed) => {
                        *text = changed;
                        true
                    }
                    None => false,
                }
            });
            assert!(done, "every case carries an ordinary number");
        }
    }
    out
}
