//! [`Elements`]: anything read element by element for printing and
//! saving, a view of a file or a computed (lazy) array alike.

use super::{num_elem, Lazy};
use crate::dtype::{Elem, Kind};
use crate::number::human_bytes;
use crate::view::View;

/// Anything printed element by element: a view of a file, or a computed
/// (lazy) array. Tables, csv and json read elements only through this.
pub trait Elements {
    fn shape(&self) -> &[usize];
    /// The element at a full index.
    fn elem(&self, idx: &[usize]) -> Elem;
    /// The dtype as a short string (`<f4`, or the record's fields).
    fn dtype_text(&self) -> String;
    /// Where the values come from, for captions.
    fn origin(&self) -> String;
    /// Whether the dtype has fields (csv names them in a header).
    fn has_fields(&self) -> bool;
    fn size(&self) -> usize {
        self.shape().iter().product()
    }
}

impl Elements for View {
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn elem(&self, idx: &[usize]) -> Elem {
        self.dtype.decode(&self.element_bytes(idx))
    }
    fn dtype_text(&self) -> String {
        self.dtype.short()
    }
    fn origin(&self) -> String {
        if let Some(how) = self.source.made_by() {
            return format!(
                "copy, {} in memory, made by {how} {}",
                human_bytes(self.source.len()),
                self.source.display().trim_start_matches("copy of ")
            );
        }
        format!(
            "view of {} (offset {}, strides {})",
            self.source.display(),
            self.offset,
            crate::text::tuple_repr(&self.strides)
        )
    }
    fn has_fields(&self) -> bool {
        !self.dtype.fields().is_empty()
    }
}

impl Elements for Lazy {
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn elem(&self, idx: &[usize]) -> Elem {
        match self.dtype.kind {
            // Exactly: int64 and uint64 values are not all f64s.
            Kind::Int => Elem::Int(self.exact_at(idx).1 as i64),
            Kind::UInt => Elem::UInt(self.exact_at(idx).1 as u64),
            _ => num_elem(self.at(idx), self.dtype),
        }
    }
    fn dtype_text(&self) -> String {
        self.dtype.descr()
    }
    fn origin(&self) -> String {
        match self.copy_kind() {
            Some(kind) => format!(
                "copy, {} in NumPy ({kind}); streamed here, not stored",
                human_bytes((self.size() * self.dtype.size) as u64)
            ),
            None => "computed as it is shown (not stored)".into(),
        }
    }
    fn has_fields(&self) -> bool {
        false
    }
}
