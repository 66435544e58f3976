//! JSON answers written with their keys in the order the providers send them.
//!
//! `serde_json::Value` keeps object keys sorted (the workspace does not enable its
//! `preserve_order` feature, which would change the core crate's behaviour too), so the
//! sandbox builds its answers as [`Json`] with the `ojson!` macro, which
//! takes the same syntax as `serde_json::json!` but keeps keys in the order written.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Number, Value};

/// A JSON value whose objects keep their keys in insertion order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Sets `key` on an object: replaces the value in place if the key exists, appends it
    /// otherwise. Does nothing on a non-object.
    pub fn set(&mut self, key: &str, value: impl ToJson) {
        if let Json::Object(entries) = self {
            let value = value.to_json();
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = value,
                None => entries.push((key.to_string(), value)),
            }
        }
    }

    /// Inserts `key` right after `after` (or appends it when `after` is absent); replaces
    /// the value in place if `key` already exists. Does nothing on a non-object.
    pub fn set_after(&mut self, after: &str, key: &str, value: impl ToJson) {
        if let Json::Object(entries) = self {
            let value = value.to_json();
            if let Some((_, v)) = entries.iter_mut().find(|(k, _)| k == key) {
                *v = value;
                return;
            }
            let at = entries
                .iter()
                .position(|(k, _)| k == after)
                .map_or(entries.len(), |i| i + 1);
            entries.insert(at, (key.to_string(), value));
        }
    }

    /// The value of `key` in an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value of `key` in an object, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        match self {
            Json::Object(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// The same value as a `serde_json::Value` (keys sorted; for checksums, which
    /// canonicalise anyway).
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// Compact JSON text, keys in order.
    pub fn to_text(&self) -> String {
        // Serialising this tree into a String cannot fail (keys are strings, numbers
        // are finite `serde_json::Number`s).
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Number(n) => n.serialize(serializer),
            Json::String(s) => serializer.serialize_str(s),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Conversion of the values the sandbox puts into answers.
pub(crate) trait ToJson {
    /// This value as [`Json`].
    fn to_json(&self) -> Json;
}

impl ToJson for Json {
    fn to_json(&self) -> Json {
        self.clone()
    }
}

impl ToJson for Value {
    fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(s.clone()),
            Value::Array(items) => Json::Array(items.iter().map(ToJson::to_json).collect()),
            Value::Object(map) => {
                Json::Object(map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }
}

impl ToJson for str {
    fn to_json(&self) -> Json {
        Json::String(self.to_string())
    }
}

impl ToJson for String {
    fn to_json(&self) -> Json {
        Json::String(self.clone())
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Json {
        Json::Bool(*self)
    }
}

impl ToJson for f64 {
    /// Non-finite numbers have no JSON form: `null`.
    fn to_json(&self) -> Json {
        Number::from_f64(*self).map_or(Json::Null, Json::Number)
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> Json {
                Json::Number(Number::from(*self))
            }
        }
    )*};
}
integers!(i32, i64, u16, u32, u64, usize);

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Json {
        self.as_ref().map_or(Json::Null, ToJson::to_json)
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Json {
        Json::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Json {
        Json::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Json {
        (**self).to_json()
    }
}

/// Like `serde_json::json!`, but objects keep their keys in the order written.
///
/// Object keys are string literals; a value is `null`, a nested `{…}` or `[…]`, or any
/// expression whose type implements [`ToJson`].
macro_rules! ojson {
    // Internal: object entries, munched one key at a time.
    (@object [$($out:tt)*]) => { ::std::vec![$($out)*] };
    (@object [$($out:tt)*] $key:literal : $($rest:tt)*) => {
        $crate::json::ojson!(@value [$($out)*] $key [] $($rest)*)
    };
    (@value [$($out:tt)*] $key:literal [$($val:tt)+] , $($rest:tt)*) => {
        $crate::json::ojson!(@object [$($out)* (::std::string::String::from($key), $crate::json::ojson!($($val)+)),] $($rest)*)
    };
    (@value [$($out:tt)*] $key:literal [$($val:tt)+]) => {
        ::std::vec![$($out)* (::std::string::String::from($key), $crate::json::ojson!($($val)+))]
    };
    (@value [$($out:tt)*] $key:literal [$($val:tt)*] $next:tt $($rest:tt)*) => {
        $crate::json::ojson!(@value [$($out)*] $key [$($val)* $next] $($rest)*)
    };
    // Internal: array elements, munched one element at a time.
    (@array [$($out:tt)*] []) => { ::std::vec![$($out)*] };
    (@array [$($out:tt)*] [$($val:tt)+]) => { ::std::vec![$($out)* $crate::json::ojson!($($val)+)] };
    (@array [$($out:tt)*] [$($val:tt)+] , $($rest:tt)*) => {
        $crate::json::ojson!(@array [$($out)* $crate::json::ojson!($($val)+),] [] $($rest)*)
    };
    (@array [$($out:tt)*] [$($val:tt)*] $next:tt $($rest:tt)*) => {
        $crate::json::ojson!(@array [$($out)*] [$($val)* $next] $($rest)*)
    };
    (null) => { $crate::json::Json::Null };
    ({ $($body:tt)* }) => { $crate::json::Json::Object($crate::json::ojson!(@object [] $($body)*)) };
    ([ $($body:tt)* ]) => { $crate::json::Json::Array($crate::json::ojson!(@array [] [] $($body)*)) };
    ($other:expr) => { $crate::json::ToJson::to_json(&$other) };
}
pub(crate) use ojson;

#[cfg(test)]
mod tests {
    #[test]
    fn keys_keep_the_written_order() {
        let name = "x";
        let nested = ojson!({"z": 1, "a": null});
        let v = ojson!({
            "zeta": name,
            "alpha": [1, "two", {"y": true, "b": false}],
            "mid": if name.is_empty() { "e" } else { "n" },
            "nested": nested,
            "none": Option::<String>::None,
            "neg": -1,
        });
        assert_eq!(
            v.to_text(),
            r#"{"zeta":"x","alpha":[1,"two",{"y":true,"b":false}],"mid":"n","nested":{"z":1,"a":null},"none":null,"neg":-1}"#
        );
    }

    #[test]
    fn set_replaces_in_place_and_set_after_inserts_in_position() {
        let mut v = ojson!({"a": 1, "c": 3});
        v.set("a", 10);
        v.set_after("a", "b", 2);
        v.set("d", 4);
        assert_eq!(v.to_text(), r#"{"a":10,"b":2,"c":3,"d":4}"#);
        assert_eq!(
            v.to_value(),
            serde_json::json!({"a": 10, "b": 2, "c": 3, "d": 4})
        );
    }
}
