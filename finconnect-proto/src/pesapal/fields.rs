//! PesaPal's answer fields read straight from the JSON text, with the tolerance
//! of the `serde_json::Value` readers in [`super::wire`] and none of their cost
//! (no tree of the whole body, no map of every key):
//!
//! - a scalar field is a string, a number or a boolean; `null`, an array or an
//!   object in its place reads as absent, never as an error;
//! - unknown fields are skipped; a key given twice counts its last value (as a
//!   `Value` map keeps it);
//! - `error` is an object (`error_type` or `type`, `code`, `message`), a plain
//!   string (the message), or anything else (no error).

use super::wire::ApiError;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A scalar as sent.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scalar {
    /// A JSON string.
    Text(String),
    /// A JSON number (written out as `serde_json::Number` writes it).
    Number(serde_json::Number),
    /// `true` or `false`.
    Bool(bool),
}

/// A field that may hold a scalar; anything else reads as `None`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Field(pub(crate) Option<Scalar>);

impl Field {
    /// The field as text: a string as it is, a number or boolean written out.
    pub(crate) fn text(&self) -> Option<String> {
        Some(match self.0.as_ref()? {
            Scalar::Text(s) => s.clone(),
            Scalar::Number(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
        })
    }

    /// [`Field::text`], moving the string out.
    pub(crate) fn into_text(self) -> Option<String> {
        Some(match self.0? {
            Scalar::Text(s) => s,
            Scalar::Number(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
        })
    }

    /// Like [`Field::into_text`], with blank text read as absent.
    pub(crate) fn into_non_empty(self) -> Option<String> {
        self.into_text().filter(|s| !s.trim().is_empty())
    }

    /// An integer given as a number or a numeric string.
    pub(crate) fn int(&self) -> Option<i64> {
        crate::wire::int_from_text(&self.text()?)
    }

    /// An amount in `currency`: a number or a numeric string read exactly.
    pub(crate) fn money(&self, currency: Option<crate::Currency>) -> Option<crate::Money> {
        let currency = currency?;
        match self.0.as_ref()? {
            Scalar::Text(s) => crate::Money::from_decimal_str(s, currency).ok(),
            Scalar::Number(n) => crate::Money::from_decimal_str(&n.to_string(), currency).ok(),
            Scalar::Bool(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Field, E> {
        Ok(Field(Some(Scalar::Text(v.to_owned()))))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Field, E> {
        Ok(Field(Some(Scalar::Text(v))))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Field, E> {
        Ok(Field(Some(Scalar::Number(v.into()))))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Field, E> {
        Ok(Field(Some(Scalar::Number(v.into()))))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Field, E> {
        // JSON text holds no infinite number; `None` keeps it absent anyway.
        Ok(Field(serde_json::Number::from_f64(v).map(Scalar::Number)))
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Field, E> {
        Ok(Field(Some(Scalar::Bool(v))))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Field, E> {
        Ok(Field(None))
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Field, E> {
        Ok(Field(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
        Field::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Field, A::Error> {
        Skip::seq(seq)?;
        Ok(Field(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Field, A::Error> {
        Skip::map(map)?;
        Ok(Field(None))
    }
}

/// A value read and dropped. Unlike `serde::de::IgnoredAny` (which
/// `serde_json` skips without checking number ranges or UTF-8), every part is
/// parsed, so a body is refused exactly when `serde_json::Value` refuses it.
pub(crate) struct Skip;

impl Skip {
    /// Reads and drops every element.
    fn seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(())
    }

    /// Reads and drops every entry.
    fn map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SkipVisitor;
        impl<'de> Visitor<'de> for SkipVisitor {
            type Value = Skip;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Skip, D::Error> {
                Skip::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Skip, A::Error> {
                Skip::seq(seq).map(|()| Skip)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Skip, A::Error> {
                Skip::map(map).map(|()| Skip)
            }
        }
        d.deserialize_any(SkipVisitor)
    }
}

/// A JSON object key, borrowed from the body unless it holds an escape.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Reads a JSON object field by field into `into`: `field` is given each key
/// and the map to read its value from (it must read exactly one value).
pub(crate) fn visit_object<'de, A, T>(
    mut map: A,
    mut into: T,
    mut field: impl FnMut(&mut T, &str, &mut A) -> Result<(), A::Error>,
) -> Result<T, A::Error>
where
    A: MapAccess<'de>,
{
    while let Some(key) = map.next_key::<Key<'de>>()? {
        field(&mut into, &key.0, &mut map)?;
    }
    Ok(into)
}

/// PesaPal's `error` object's fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ErrorObject {
    /// `error_type`.
    error_type: Field,
    /// `type` (some of PesaPal's samples).
    kind: Field,
    /// `code`.
    code: Field,
    /// `message`.
    message: Field,
}

impl FieldwiseObject for ErrorObject {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let slot = match key {
            "error_type" => &mut self.error_type,
            "type" => &mut self.kind,
            "code" => &mut self.code,
            "message" => &mut self.message,
            _ => return map.next_value::<Skip>().map(drop),
        };
        *slot = map.next_value()?;
        Ok(())
    }
}

/// PesaPal's `error` field, as sent.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum ErrorField {
    /// An object.
    Object(ErrorObject),
    /// A plain string.
    Text(String),
    /// `null`, a number, a boolean, an array: no error.
    #[default]
    Other,
}

impl ErrorField {
    /// The error it names, as [`super::wire::api_error`] reads it: an object
    /// whose `code` and kind are both blank names none.
    pub(crate) fn into_api_error(self) -> Option<ApiError> {
        match self {
            ErrorField::Object(e) => {
                let error_type = e
                    .error_type
                    .into_non_empty()
                    .or_else(|| e.kind.into_non_empty());
                let code = e.code.into_non_empty();
                if error_type.is_none() && code.is_none() {
                    return None;
                }
                Some(ApiError {
                    error_type,
                    code,
                    message: e.message.into_non_empty(),
                })
            }
            ErrorField::Text(s) if !s.trim().is_empty() => Some(ApiError {
                error_type: None,
                code: None,
                message: Some(s),
            }),
            ErrorField::Text(_) | ErrorField::Other => None,
        }
    }
}

impl<'de> Deserialize<'de> for ErrorField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ErrorVisitor;
        impl<'de> Visitor<'de> for ErrorVisitor {
            type Value = ErrorField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ErrorField, E> {
                Ok(ErrorField::Text(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<ErrorField, E> {
                Ok(ErrorField::Text(v))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<ErrorField, E> {
                Ok(ErrorField::Other)
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<ErrorField, E> {
                Ok(ErrorField::Other)
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<ErrorField, E> {
                Ok(ErrorField::Other)
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<ErrorField, E> {
                Ok(ErrorField::Other)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<ErrorField, E> {
                Ok(ErrorField::Other)
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<ErrorField, E> {
                Ok(ErrorField::Other)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<ErrorField, D::Error> {
                ErrorField::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ErrorField, A::Error> {
                Skip::seq(seq)?;
                Ok(ErrorField::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ErrorField, A::Error> {
                visit_object(map, ErrorObject::default(), |e, key, map| e.field(key, map))
                    .map(ErrorField::Object)
            }
        }
        d.deserialize_any(ErrorVisitor)
    }
}

/// A field that is read only when it is an object; anything else is `None`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ObjectField<T>(pub(crate) Option<T>);

impl<T> Default for ObjectField<T> {
    fn default() -> Self {
        ObjectField(None)
    }
}

/// An object whose fields are read one by one (see [`ObjectField`]).
pub(crate) trait FieldwiseObject: Default {
    /// Reads the value of `key` from `map` into `self` (or skips it).
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

impl<'de, T: FieldwiseObject> Deserialize<'de> for ObjectField<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: FieldwiseObject> Visitor<'de> for ObjectVisitor<T> {
            type Value = ObjectField<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ObjectField<T>, A::Error> {
                let object = visit_object(map, T::default(), |t, key, map| t.field(key, map))?;
                Ok(ObjectField(Some(object)))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<ObjectField<T>, D::Error> {
                ObjectField::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ObjectField<T>, A::Error> {
                Skip::seq(seq)?;
                Ok(ObjectField(None))
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<ObjectField<T>, E> {
                Ok(ObjectField(None))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<ObjectField<T>, E> {
                Ok(ObjectField(None))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<ObjectField<T>, E> {
                Ok(ObjectField(None))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<ObjectField<T>, E> {
                Ok(ObjectField(None))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<ObjectField<T>, E> {
                Ok(ObjectField(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<ObjectField<T>, E> {
                Ok(ObjectField(None))
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<ObjectField<T>, E> {
                Ok(ObjectField(None))
            }
        }
        d.deserialize_any(ObjectVisitor(std::marker::PhantomData))
    }
}

/// Reads a whole answer body that must be a JSON object of `T`'s fields.
pub(crate) fn object_body<T: FieldwiseObject>(body: &[u8]) -> Result<T, serde_json::Error> {
    struct Top<T>(T);
    impl<'de, T: FieldwiseObject> Deserialize<'de> for Top<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct TopVisitor<T>(std::marker::PhantomData<T>);
            impl<'de, T: FieldwiseObject> Visitor<'de> for TopVisitor<T> {
                type Value = Top<T>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Top<T>, A::Error> {
                    visit_object(map, T::default(), |t, key, map| t.field(key, map)).map(Top)
                }
            }
            d.deserialize_map(TopVisitor(std::marker::PhantomData))
        }
    }
    serde_json::from_slice::<Top<T>>(body).map(|t| t.0)
}
