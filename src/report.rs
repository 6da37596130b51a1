//! Typed facts: the values an output carries (`info` rows, metadata from a
//! file's description, notes), kept as data so that a table, a csv row and
//! a json object all show the same value, each in its own spelling.
//!
//! A float remembers the size of its dtype, so it is always spelled with
//! the shortest text that reads back to the same value *in that dtype*
//! (`-0.8159308` for a float32, never `-0.8159307837486267`).

use crate::number::exact_float;

/// One typed value of an output.
#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    Null,
    Bool(bool),
    Int(i128),
    /// A float and the byte size of the dtype it belongs to (2, 4 or 8).
    Float(f64, usize),
    Str(String),
    List(Vec<Field>),
    /// Named fields: a json object (a record, a nested fact).
    Map(Vec<(String, Field)>),
}

impl Field {
    /// A shape or strides: a list of integers.
    pub fn ints<T: Copy + TryInto<i128>>(v: &[T]) -> Field {
        Field::List(
            v.iter()
                .map(|&x| x.try_into().map_or(Field::Null, Field::Int))
                .collect(),
        )
    }

    pub fn str(s: impl Into<String>) -> Field {
        Field::Str(s.into())
    }

    /// Text from a file's description that is absent when `None`.
    pub fn opt_str(s: Option<impl Into<String>>) -> Field {
        s.map_or(Field::Null, |s| Field::Str(s.into()))
    }

    /// The value as JSON: numbers as numbers (NaN and infinities, which
    /// JSON lacks, as the strings `"nan"`, `"inf"`, `"-inf"`), lists as
    /// arrays.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Field::Null => J::Null,
            Field::Bool(b) => J::Bool(*b),
            Field::Int(i) => match (i64::try_from(*i), u64::try_from(*i)) {
                (Ok(i), _) => J::from(i),
                (_, Ok(u)) => J::from(u),
                _ => J::from(*i as f64),
            },
            Field::Float(x, size) => float_json(*x, *size),
            Field::Str(s) => J::String(s.clone()),
            Field::List(items) => J::Array(items.iter().map(Field::to_json).collect()),
            Field::Map(fields) => J::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// The value as one csv cell: numbers in their shortest exact text,
    /// lists as JSON arrays (`[100, 100]`), nothing for null.
    pub fn csv_text(&self) -> String {
        match self {
            Field::Null => String::new(),
            Field::Bool(b) => if *b { "True" } else { "False" }.into(),
            Field::Int(i) => i.to_string(),
            Field::Float(x, size) => exact_float(*x, *size),
            Field::Str(s) => s.clone(),
            Field::List(_) | Field::Map(_) => self.to_json().to_string(),
        }
    }

    /// The value for a person: Python's spelling (a list of integers as a
    /// tuple, `(100, 100)`), a list of texts one per line.
    pub fn human(&self) -> String {
        match self {
            Field::Null => String::new(),
            Field::Bool(b) => if *b { "yes" } else { "no" }.into(),
            Field::List(items) if items.iter().all(|f| matches!(f, Field::Int(_))) => {
                let parts: Vec<String> = items.iter().map(Field::csv_text).collect();
                crate::text::tuple_repr(&parts)
            }
            Field::List(items) => items
                .iter()
                .map(Field::human)
                .collect::<Vec<_>>()
                .join("\n"),
            Field::Map(fields) => fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.human()))
                .collect::<Vec<_>>()
                .join("\n"),
            other => other.csv_text(),
        }
    }
}

/// A float as a JSON number spelled in its own dtype: the shortest text
/// for that dtype, read as a float64, has no shorter float64 text, so
/// serde_json writes those same digits.
pub fn float_json(x: f64, size: usize) -> serde_json::Value {
    let text = exact_float(x, size);
    if !x.is_finite() {
        return serde_json::Value::String(text);
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Named fields in order: one json object, one csv record.
pub type Fields = Vec<(String, Field)>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_float32_is_spelled_as_float32_in_json_and_csv() {
        let x = -0.8159308f32 as f64;
        assert_eq!(Field::Float(x, 4).to_json().to_string(), "-0.8159308");
        assert_eq!(Field::Float(x, 4).csv_text(), "-0.8159308");
        assert_eq!(
            Field::Float(x, 8).to_json().to_string(),
            format!("{x}"),
            "a float64 keeps every digit"
        );
        assert_eq!(Field::Float(f64::NAN, 4).to_json().to_string(), "\"nan\"");
    }

    #[test]
    fn shapes_read_as_tuples_and_as_arrays() {
        let s = Field::ints(&[100usize, 100]);
        assert_eq!(s.human(), "(100, 100)");
        assert_eq!(Field::ints(&[5usize]).human(), "(5,)");
        assert_eq!(s.to_json().to_string(), "[100,100]");
        assert_eq!(s.csv_text(), "[100,100]");
    }
}
