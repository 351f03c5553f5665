//! A serde `Deserializer` over the plain JS configuration object, with
//! serde-wasm-bindgen's reading rules (numbers: safe integers as integers,
//! the rest as floats; `null`/`undefined` as none; a nested object read by
//! its known field names only, as `RawSlot` is beside its `storage` key).
//!
//! Why not serde-wasm-bindgen itself: its errors describe an unexpected
//! number with `f64`'s Display, which links Rust's whole float formatting
//! (~18 KB of code) into the core module for one error message. Here an
//! unexpected value is described without printing floats.
use js_sys::{Array, Object, Reflect};
use serde::de::{
    self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Unexpected, Visitor,
};
use wasm_bindgen::{JsCast, JsValue};

/// A configuration error: the message only.
#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// `Unexpected`'s own Display formats floats; numbers are named here.
fn describe(u: &Unexpected) -> String {
    match u {
        Unexpected::Float(_) => "a number that is not a whole number".into(),
        Unexpected::Unsigned(n) => format!("integer `{n}`"),
        Unexpected::Signed(n) => format!("integer `{n}`"),
        Unexpected::Bool(b) => format!("boolean `{b}`"),
        Unexpected::Str(s) => format!("string {s:?}"),
        Unexpected::Unit => "null".into(),
        Unexpected::Seq => "an array".into(),
        Unexpected::Map => "an object".into(),
        Unexpected::Other(what) => (*what).into(),
        _ => "a value of another type".into(),
    }
}

impl de::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
    fn invalid_type(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        Error(format!(
            "invalid type: {}, expected {exp}",
            describe(&unexp)
        ))
    }
    fn invalid_value(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        Error(format!(
            "invalid value: {}, expected {exp}",
            describe(&unexp)
        ))
    }
}

/// The configuration object's own entries (so that a misspelt top-level
/// key meets `deny_unknown_fields`), each value read by `Value`.
pub fn entries(obj: &Object) -> Vec<(String, Value)> {
    Object::entries(obj)
        .iter()
        .map(|entry| {
            let pair: Array = entry.unchecked_into();
            (
                pair.get(0).as_string().unwrap_or_default(),
                Value(pair.get(1)),
            )
        })
        .collect()
}

/// One JS value being deserialized.
pub struct Value(JsValue);

impl IntoDeserializer<'_, Error> for Value {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl Value {
    fn nullish(&self) -> bool {
        self.0.is_undefined() || self.0.is_null()
    }
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let x = &self.0;
        if self.nullish() {
            v.visit_unit()
        } else if let Some(b) = x.as_bool() {
            v.visit_bool(b)
        } else if let Some(n) = x.as_f64() {
            // Safe integers (|n| <= 2^53 - 1) as integers, as serde-wasm-bindgen.
            if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
                v.visit_i64(n as i64)
            } else {
                v.visit_f64(n)
            }
        } else if let Some(s) = x.as_string() {
            v.visit_string(s)
        } else if let Some(a) = x.dyn_ref::<Array>() {
            v.visit_seq(Items(a.to_vec().into_iter()))
        } else {
            Err(de::Error::invalid_type(Unexpected::Other("object"), &v))
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.nullish() {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    /// An object read by the struct's field names (other keys ignored;
    /// a key present with the value `undefined` counts as present).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        if !self.0.is_object() || self.0.is_array() {
            return self.deserialize_any(v);
        }
        v.visit_map(Fields {
            obj: self.0,
            fields: fields.iter(),
            next: None,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

struct Items(std::vec::IntoIter<JsValue>);

impl<'de> SeqAccess<'de> for Items {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|x| seed.deserialize(Value(x)))
            .transpose()
    }
}

struct Fields {
    obj: JsValue,
    fields: std::slice::Iter<'static, &'static str>,
    next: Option<JsValue>,
}

impl<'de> MapAccess<'de> for Fields {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for &field in &mut self.fields {
            let key = JsValue::from_str(field);
            let present = Reflect::has(&self.obj, &key).unwrap_or(false);
            if present {
                self.next = Some(Reflect::get(&self.obj, &key).unwrap_or(JsValue::UNDEFINED));
                let name: de::value::StrDeserializer<Error> = field.into_deserializer();
                return seed.deserialize(name).map(Some);
            }
        }
        Ok(None)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(Value(self.next.take().unwrap_or(JsValue::UNDEFINED)))
    }
}
