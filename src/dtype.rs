//! Data types: NumPy's type strings (`<f4`, `>i2`, `c8`, `complex64`, ...),
//! structured dtypes (NumPy's list of tuples, the dict form found in `.npy`
//! headers, and strided's `{r: <f4, i: <f4}`), byte order, fields, and
//! decoding one element from its bytes.

use crate::diag::{Error, ErrorKind};
use crate::lit::{Lit, LitKind, MAX_DEPTH};
use crate::span::Span;
use std::fmt;

/// What kind of number an element is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Bool,
    Int,
    UInt,
    Float,
    Complex,
}

/// Byte order of a multi-byte element. One-byte types are stored as
/// `Little` and shown as `|`, as NumPy does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    Little,
    Big,
}

impl ByteOrder {
    /// The machine's own order (what NumPy's `=` means).
    pub const NATIVE: ByteOrder = if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    };

    /// The other order.
    pub fn flipped(self) -> ByteOrder {
        match self {
            ByteOrder::Little => ByteOrder::Big,
            ByteOrder::Big => ByteOrder::Little,
        }
    }
}

/// A scalar type: kind, size in bytes, byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scalar {
    pub kind: Kind,
    pub size: usize,
    pub order: ByteOrder,
}

/// One field of a record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    pub name: String,
    pub offset: usize,
    pub dtype: Dtype,
    /// A sub-array field's shape (`('iq', '<c8', (256,))`): its elements
    /// lie side by side in C order, and the field's view gains these as
    /// trailing axes, as in NumPy. Empty for a plain field.
    pub shape: Vec<usize>,
}

impl Field {
    /// A plain field (no sub-array).
    pub fn new(name: String, offset: usize, dtype: Dtype) -> Field {
        Field {
            name,
            offset,
            dtype,
            shape: Vec::new(),
        }
    }

    /// Bytes the field takes in its record (all of a sub-array).
    pub fn size(&self) -> usize {
        self.shape
            .iter()
            .fold(self.dtype.itemsize(), |a, &n| a.saturating_mul(n))
    }

    /// Where each element of the field lies in its record: one offset for
    /// a plain field, one per element (C order) for a sub-array.
    pub fn element_offsets(&self) -> impl Iterator<Item = usize> + '_ {
        let n: usize = self.shape.iter().product();
        (0..n).map(move |k| self.offset + k * self.dtype.itemsize())
    }

    /// The field as an entry of NumPy's list form, its type described by
    /// `descr`: `('iq', '<c8')`, or `('iq', '<c8', (256,))`.
    fn list_entry(&self, descr: String) -> String {
        if self.shape.is_empty() {
            format!("({}, {descr})", py_str(&self.name))
        } else {
            format!(
                "({}, {descr}, {})",
                py_str(&self.name),
                crate::text::tuple_repr(&self.shape)
            )
        }
    }

    /// NumPy's description of the field's type: `'<c8'`, or
    /// `('<c8', (256,))` for a sub-array.
    fn type_descr(&self) -> String {
        if self.shape.is_empty() {
            self.dtype.descr()
        } else {
            format!(
                "({}, {})",
                self.dtype.descr(),
                crate::text::tuple_repr(&self.shape)
            )
        }
    }
}

/// The elements of a sub-array field, decoded as nested records named by
/// their index (a table shows them as columns `iq.0`, `iq.1`, ...).
fn decode_sub(dtype: &Dtype, shape: &[usize], bytes: &[u8]) -> Elem {
    let Some((&n, rest)) = shape.split_first() else {
        return dtype.decode(bytes);
    };
    let step = rest.iter().fold(dtype.itemsize(), |a, &m| a * m);
    Elem::Record(
        (0..n)
            .map(|k| (k.to_string(), decode_sub(dtype, rest, &bytes[k * step..])))
            .collect(),
    )
}

/// A record (NumPy's structured dtype): named fields at byte offsets.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Record {
    pub fields: Vec<Field>,
    pub itemsize: usize,
}

/// NumPy's fixed-length string types: `S10` (bytes, one byte a
/// character, NUL-padded) and `U10` (str, one UTF-32 code unit of 4 bytes
/// a character, in the given byte order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Text {
    pub unicode: bool,
    /// Characters (NumPy's `S10`/`U10` length), at least 1.
    pub chars: usize,
    pub order: ByteOrder,
}

impl Text {
    pub fn itemsize(&self) -> usize {
        if self.unicode {
            self.chars * 4
        } else {
            self.chars
        }
    }

    /// NumPy's type string: `|S10`, `<U10`.
    pub fn descr(&self) -> String {
        if self.unicode {
            let o = if self.order == ByteOrder::Little {
                '<'
            } else {
                '>'
            };
            format!("{o}U{}", self.chars)
        } else {
            format!("|S{}", self.chars)
        }
    }

    /// One string as the bytes of an element: NUL-padded, cut to the
    /// length; `S` takes ASCII only, as NumPy encodes a str into bytes
    /// (the error is Python's `UnicodeEncodeError` message).
    pub fn encode(&self, s: &str) -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(self.itemsize());
        if self.unicode {
            for c in s.chars().take(self.chars) {
                let u = c as u32;
                out.extend(match self.order {
                    ByteOrder::Little => u.to_le_bytes(),
                    ByteOrder::Big => u.to_be_bytes(),
                });
            }
        } else {
            if let Some((k, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
                return Err(format!(
                "'ascii' codec can't encode character '{}' in position {k}: ordinal not in range(128)",
                match c as u32 {
                    u @ ..=0xff => format!("\\x{u:02x}"),
                    u @ ..=0xffff => format!("\\u{u:04x}"),
                    u => format!("\\U{u:08x}"),
                }
            ));
            }
            out.extend(s.bytes().take(self.chars));
        }
        out.resize(self.itemsize(), 0);
        Ok(out)
    }

    /// What NumPy reads from the bytes: trailing NULs dropped; a `U` code
    /// unit that is no character reads as U+FFFD (NumPy raises on it).
    fn decode(&self, b: &[u8]) -> Elem {
        let b = &b[..self.itemsize()];
        if !self.unicode {
            let end = b.iter().rposition(|&c| c != 0).map_or(0, |k| k + 1);
            return Elem::Bytes(b[..end].to_vec());
        }
        let units: Vec<u32> = b
            .chunks_exact(4)
            .map(|c| {
                let a = [c[0], c[1], c[2], c[3]];
                match self.order {
                    ByteOrder::Little => u32::from_le_bytes(a),
                    ByteOrder::Big => u32::from_be_bytes(a),
                }
            })
            .collect();
        let end = units.iter().rposition(|&c| c != 0).map_or(0, |k| k + 1);
        Elem::Str(
            units[..end]
                .iter()
                .map(|&u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect(),
        )
    }
}

/// An element type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Dtype {
    Scalar(Scalar),
    Record(Record),
    /// A fixed-length string (`S10`, `U10`): shown, indexed, sliced,
    /// saved and compared by bytes, but no arithmetic (NumPy has none
    /// either).
    Text(Text),
}

/// One decoded element.
#[derive(Clone, Debug, PartialEq)]
pub enum Elem {
    Bool(bool),
    Int(i64),
    UInt(u64),
    /// A float and the size in bytes it was stored with (2, 4 or 8), which
    /// decides how many digits print.
    Float(f64, usize),
    /// A complex number and the size of each part in bytes.
    Complex(f64, f64, usize),
    Record(Vec<(String, Elem)>),
    /// An `S` element: its bytes up to the trailing NULs.
    Bytes(Vec<u8>),
    /// A `U` element: its characters up to the trailing NULs.
    Str(String),
}

impl Scalar {
    pub fn new(kind: Kind, size: usize, order: ByteOrder) -> Scalar {
        let order = if size == 1 || kind == Kind::Bool {
            ByteOrder::Little
        } else {
            order
        };
        Scalar { kind, size, order }
    }

    /// NumPy's type string, e.g. `<f4`, `|u1`, `>c8`.
    pub fn descr(&self) -> String {
        let o = if self.size == 1 {
            '|'
        } else if self.order == ByteOrder::Little {
            '<'
        } else {
            '>'
        };
        let k = match self.kind {
            Kind::Bool => 'b',
            Kind::Int => 'i',
            Kind::UInt => 'u',
            Kind::Float => 'f',
            Kind::Complex => 'c',
        };
        format!("{o}{k}{}", self.size)
    }

    /// NumPy's name, e.g. `float32`, `complex64`, `bool`.
    pub fn name(&self) -> String {
        match self.kind {
            Kind::Bool => "bool".into(),
            Kind::Int => format!("int{}", self.size * 8),
            Kind::UInt => format!("uint{}", self.size * 8),
            Kind::Float => format!("float{}", self.size * 8),
            Kind::Complex => format!("complex{}", self.size * 8),
        }
    }

    /// The one reader of a number's bytes (at the start of `b`, in this
    /// dtype's byte order); `compute::decode_num` and the block decoders'
    /// general path go through it.
    pub fn decode(&self, b: &[u8]) -> Elem {
        let big = self.order == ByteOrder::Big;
        macro_rules! num {
            ($t:ty, $n:expr) => {{
                let mut a = [0u8; $n];
                a.copy_from_slice(&b[..$n]);
                if big {
                    <$t>::from_be_bytes(a)
                } else {
                    <$t>::from_le_bytes(a)
                }
            }};
        }
        match (self.kind, self.size) {
            (Kind::Bool, _) => Elem::Bool(b[0] != 0),
            (Kind::Int, 1) => Elem::Int(b[0] as i8 as i64),
            (Kind::Int, 2) => Elem::Int(num!(i16, 2) as i64),
            (Kind::Int, 4) => Elem::Int(num!(i32, 4) as i64),
            (Kind::Int, _) => Elem::Int(num!(i64, 8)),
            (Kind::UInt, 1) => Elem::UInt(b[0] as u64),
            (Kind::UInt, 2) => Elem::UInt(num!(u16, 2) as u64),
            (Kind::UInt, 4) => Elem::UInt(num!(u32, 4) as u64),
            (Kind::UInt, _) => Elem::UInt(num!(u64, 8)),
            (Kind::Float, 2) => Elem::Float(half::f16::from_bits(num!(u16, 2)).to_f64(), 2),
            (Kind::Float, 4) => Elem::Float(num!(f32, 4) as f64, 4),
            (Kind::Float, _) => Elem::Float(num!(f64, 8), 8),
            (Kind::Complex, 8) => {
                let part = Scalar::new(Kind::Float, 4, self.order);
                let (Elem::Float(re, _), Elem::Float(im, _)) =
                    (part.decode(&b[..4]), part.decode(&b[4..8]))
                else {
                    unreachable!("floats decode as floats")
                };
                Elem::Complex(re, im, 4)
            }
            (Kind::Complex, _) => {
                let part = Scalar::new(Kind::Float, 8, self.order);
                let (Elem::Float(re, _), Elem::Float(im, _)) =
                    (part.decode(&b[..8]), part.decode(&b[8..16]))
                else {
                    unreachable!("floats decode as floats")
                };
                Elem::Complex(re, im, 8)
            }
        }
    }
}

impl Dtype {
    /// The dtype strided assumes when `open` is given none: little-endian
    /// complex64, the layout of the seed thread's radar data.
    pub fn default_for_open() -> Dtype {
        Dtype::Scalar(Scalar::new(Kind::Complex, 8, ByteOrder::Little))
    }

    pub fn itemsize(&self) -> usize {
        match self {
            Dtype::Scalar(s) => s.size,
            Dtype::Record(r) => r.itemsize,
            Dtype::Text(t) => t.itemsize(),
        }
    }

    pub fn as_scalar(&self) -> Option<Scalar> {
        match self {
            Dtype::Scalar(s) => Some(*s),
            Dtype::Record(_) | Dtype::Text(_) => None,
        }
    }

    pub fn fields(&self) -> &[Field] {
        match self {
            Dtype::Record(r) => &r.fields,
            Dtype::Scalar(_) | Dtype::Text(_) => &[],
        }
    }

    /// Whether this is a string type or a record with a string field
    /// anywhere inside.
    pub fn has_text(&self) -> bool {
        match self {
            Dtype::Text(_) => true,
            Dtype::Scalar(_) => false,
            Dtype::Record(r) => r.fields.iter().any(|f| f.dtype.has_text()),
        }
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields().iter().find(|f| f.name == name)
    }

    pub fn is_complex(&self) -> bool {
        matches!(
            self,
            Dtype::Scalar(Scalar {
                kind: Kind::Complex,
                ..
            })
        )
    }

    /// The dtype of `.real` / `.imag` of a complex dtype.
    pub fn complex_part(&self) -> Option<Dtype> {
        match self {
            Dtype::Scalar(s) if s.kind == Kind::Complex => {
                Some(Dtype::Scalar(Scalar::new(Kind::Float, s.size / 2, s.order)))
            }
            _ => None,
        }
    }

    /// NumPy's `descr` as written in `.npy` headers: `'<f4'` or
    /// `[('r', '<f4'), ('i', '<f4')]`, or the dict form for records with gaps.
    pub fn descr(&self) -> String {
        match self {
            Dtype::Scalar(s) => format!("'{}'", s.descr()),
            Dtype::Text(t) => format!("'{}'", t.descr()),
            Dtype::Record(r) => {
                if r.is_packed() {
                    let parts: Vec<String> = r
                        .fields
                        .iter()
                        .map(|f| f.list_entry(f.dtype.descr()))
                        .collect();
                    format!("[{}]", parts.join(", "))
                } else {
                    let names: Vec<String> = r.fields.iter().map(|f| py_str(&f.name)).collect();
                    let formats: Vec<String> = r.fields.iter().map(Field::type_descr).collect();
                    let offsets: Vec<String> =
                        r.fields.iter().map(|f| f.offset.to_string()).collect();
                    format!(
                        "{{'names': [{}], 'formats': [{}], 'offsets': [{}], 'itemsize': {}}}",
                        names.join(", "),
                        formats.join(", "),
                        offsets.join(", "),
                        r.itemsize
                    )
                }
            }
        }
    }

    /// The `descr` of a `.npy` header: NumPy's list of `(name, type)`, with
    /// `('', '|Vn')` entries for padding, as `np.save` writes it (the dict
    /// form for fields out of order or overlapping, which NumPy cannot save).
    pub fn npy_descr(&self) -> String {
        let Dtype::Record(r) = self else {
            return self.descr();
        };
        let mut parts = Vec::new();
        let mut at = 0;
        for f in &r.fields {
            if f.offset < at {
                return self.descr();
            }
            if f.offset > at {
                parts.push(format!("('', '|V{}')", f.offset - at));
            }
            parts.push(f.list_entry(f.dtype.npy_descr()));
            at = f.offset + f.size();
        }
        if r.itemsize > at {
            parts.push(format!("('', '|V{}')", r.itemsize - at));
        }
        format!("[{}]", parts.join(", "))
    }

    /// A short one-word description: `<f4` for scalars, the field list for records.
    pub fn short(&self) -> String {
        match self {
            Dtype::Scalar(s) => s.descr(),
            Dtype::Text(t) => t.descr(),
            Dtype::Record(_) => self.to_string(),
        }
    }

    /// This dtype in the machine's byte order, and `bytes` (one element)
    /// rearranged to match: what NumPy does when indexing yields a scalar.
    pub fn to_native(&self, bytes: &[u8]) -> (Dtype, Vec<u8>) {
        let mut out = bytes[..self.itemsize()].to_vec();
        match self {
            // np.bool_ holds 0 or 1, whatever byte the file had.
            Dtype::Scalar(s) if s.kind == Kind::Bool => (self.clone(), vec![u8::from(out[0] != 0)]),
            Dtype::Scalar(s) if s.order != ByteOrder::NATIVE && s.size > 1 => {
                let part = if s.kind == Kind::Complex {
                    s.size / 2
                } else {
                    s.size
                };
                for chunk in out.chunks_mut(part) {
                    chunk.reverse();
                }
                (
                    Dtype::Scalar(Scalar::new(s.kind, s.size, ByteOrder::NATIVE)),
                    out,
                )
            }
            Dtype::Text(t) if t.unicode && t.order != ByteOrder::NATIVE => {
                for chunk in out.chunks_mut(4) {
                    chunk.reverse();
                }
                (
                    Dtype::Text(Text {
                        order: ByteOrder::NATIVE,
                        ..*t
                    }),
                    out,
                )
            }
            _ => (self.clone(), out),
        }
    }

    /// The NumPy scalar that indexing one element yields: numbers in the
    /// machine's byte order ([`Dtype::to_native`]); a string as
    /// `np.bytes_`/`np.str_`, whose dtype is as long as the text without
    /// its trailing NULs (`S2` for `b'ab'` from an `S6` array, at least 1).
    pub fn scalar_of(&self, bytes: &[u8]) -> (Dtype, Vec<u8>) {
        let (d, mut b) = self.to_native(bytes);
        let Dtype::Text(t) = d else { return (d, b) };
        let unit = if t.unicode { 4 } else { 1 };
        let used = b
            .chunks_exact(unit)
            .rposition(|c| c.iter().any(|&x| x != 0))
            .map_or(0, |k| k + 1);
        let chars = used.max(1);
        b.truncate(chars * unit);
        (Dtype::Text(Text { chars, ..t }), b)
    }

    /// Decodes one element from the start of `bytes` (which holds at least
    /// `itemsize()` bytes).
    pub fn decode(&self, bytes: &[u8]) -> Elem {
        match self {
            Dtype::Scalar(s) => s.decode(bytes),
            Dtype::Text(t) => t.decode(bytes),
            Dtype::Record(r) => Elem::Record(
                r.fields
                    .iter()
                    .map(|f| {
                        (
                            f.name.clone(),
                            decode_sub(&f.dtype, &f.shape, &bytes[f.offset..]),
                        )
                    })
                    .collect(),
            ),
        }
    }

    /// Parses a NumPy type string such as `<f4`, `u1`, `complex64` or `>i`.
    pub fn parse_str(text: &str) -> Result<Dtype, String> {
        if let Some(d) = Dtype::sdr_alias(text) {
            return Ok(d);
        }
        let (order, rest) = match text.chars().next() {
            Some('<') => (Some(ByteOrder::Little), &text[1..]),
            Some('>') => (Some(ByteOrder::Big), &text[1..]),
            Some('=') | Some('|') => (Some(ByteOrder::NATIVE), &text[1..]),
            _ => (None, text),
        };
        let order_or_native = order.unwrap_or(ByteOrder::NATIVE);
        let named = match rest {
            "bool" | "bool_" | "?" | "b1" => Some((Kind::Bool, 1)),
            "int8" | "byte" | "b" | "i1" => Some((Kind::Int, 1)),
            "uint8" | "ubyte" | "B" | "u1" => Some((Kind::UInt, 1)),
            "int16" | "short" | "h" | "i2" => Some((Kind::Int, 2)),
            "uint16" | "ushort" | "H" | "u2" => Some((Kind::UInt, 2)),
            "int32" | "intc" | "i" | "i4" => Some((Kind::Int, 4)),
            "uint32" | "uintc" | "I" | "u4" => Some((Kind::UInt, 4)),
            "int64" | "int" | "int_" | "long" | "longlong" | "intp" | "l" | "q" | "p" | "i8" => {
                Some((Kind::Int, 8))
            }
            "uint64" | "uint" | "ulong" | "ulonglong" | "uintp" | "L" | "Q" | "P" | "u8" => {
                Some((Kind::UInt, 8))
            }
            "float16" | "half" | "e" | "f2" => Some((Kind::Float, 2)),
            "float32" | "single" | "f" | "f4" => Some((Kind::Float, 4)),
            "float64" | "double" | "float" | "d" | "f8" => Some((Kind::Float, 8)),
            "complex64" | "csingle" | "F" | "c8" => Some((Kind::Complex, 8)),
            "complex128" | "cdouble" | "complex" | "D" | "c16" => Some((Kind::Complex, 16)),
            _ => None,
        };
        if let Some((kind, size)) = named {
            // NumPy takes a byte-order mark only before a type code (`>f4`, `<i`), never a name (`>float32`).
            let is_code = rest.len() == 1
                || (rest[..1].chars().all(|c| "iufcb".contains(c))
                    && rest[1..].chars().all(|c| c.is_ascii_digit()));
            if order.is_some() && !is_code {
                return Err(
                    "a byte-order mark goes before a type code (>f4), not a type name".into(),
                );
            }
            return Ok(Dtype::Scalar(Scalar::new(kind, size, order_or_native)));
        }
        let first = rest.chars().next();
        if let Some(c @ ('S' | 'a' | 'U')) = first {
            let unicode = c == 'U';
            return match rest[1..].parse::<usize>() {
                Ok(chars) if chars > 0 && chars < 1 << 31 => Ok(Dtype::Text(Text {
                    unicode,
                    chars,
                    order: if unicode {
                        order_or_native
                    } else {
                        ByteOrder::Little
                    },
                })),
                Ok(_) if !rest[1..].is_empty() => Err(format!(
                    "a string type holds 1 to 2147483647 characters ({c}10, say)"
                )),
                _ if rest[1..].is_empty() => Err(format!(
                    "a string type in a file needs its length in characters ({c}10, say)"
                )),
                _ => Err(format!(
                    "expected a string type such as S10 or U8, not {rest}"
                )),
            };
        }
        Err(match first {
            Some('V') => {
                "void dtypes are not supported; describe the record's fields instead".into()
            }
            Some('M' | 'm') => "datetime dtypes are not supported; read them as i8".into(),
            Some('O') => "object dtypes cannot be stored in a raw file".into(),
            Some('g' | 'G') => "long double is not supported".into(),
            _ if rest == "f16" || rest == "float128" || rest == "c32" || rest == "complex256" => {
                "long double is not supported".into()
            }
            _ => "expected a NumPy type such as <f4, >i2, u1, c8, float32 or complex64".into(),
        })
    }

    /// The type names of SDR tools (SigMF's `core:datatype`, GNU Radio and
    /// inspectrum's extensions): `cf32`, `ci16`, `cu8`, `rf32`, `ri16`,
    /// ..., with `_le` or `_be` (little-endian when neither). `c` is
    /// complex, `r` real; `f` float, `i`/`s` signed and `u` unsigned
    /// integers. Complex integers are records `(r, i)` of two integers,
    /// which `abs`, `angle`, `db` and `stats` treat as complex numbers.
    pub fn sdr_alias(text: &str) -> Option<Dtype> {
        let (base, order) = if let Some(b) = text.strip_suffix("_le") {
            (b, ByteOrder::Little)
        } else if let Some(b) = text.strip_suffix("_be") {
            (b, ByteOrder::Big)
        } else {
            (text, ByteOrder::Little)
        };
        let base = match base {
            "fc32" => "cf32",
            "fc64" => "cf64",
            "sc8" => "ci8",
            "sc16" => "ci16",
            "sc32" => "ci32",
            other => other,
        };
        let mut chars = base.chars();
        let (shape, kind) = (chars.next()?, chars.next()?);
        let bits: usize = chars.as_str().parse().ok()?;
        if !matches!(bits, 8 | 16 | 32 | 64) {
            return None;
        }
        let size = bits / 8;
        let kind = match kind {
            'f' if size >= 4 => Kind::Float,
            'i' | 's' => Kind::Int,
            'u' => Kind::UInt,
            _ => return None,
        };
        let order = if size == 1 { ByteOrder::NATIVE } else { order };
        match (shape, kind) {
            ('r', _) => Some(Dtype::Scalar(Scalar::new(kind, size, order))),
            ('c', Kind::Float) => Some(Dtype::Scalar(Scalar::new(Kind::Complex, size * 2, order))),
            ('c', _) if size <= 4 => Some(Dtype::complex_int(Scalar::new(kind, size, order))),
            _ => None,
        }
    }

    /// A complex-integer record: fields `r` and `i` of `part`, back to back.
    pub fn complex_int(part: Scalar) -> Dtype {
        let p = Dtype::Scalar(part);
        Dtype::Record(Record {
            fields: vec![
                Field::new("r".into(), 0, p.clone()),
                Field::new("i".into(), part.size, p),
            ],
            itemsize: 2 * part.size,
        })
    }

    /// For a complex-integer record (fields `r` and `i`, the same integer
    /// type, back to back): that integer type.
    pub fn complex_int_part(&self) -> Option<Scalar> {
        let Dtype::Record(r) = self else { return None };
        match &r.fields[..] {
            [a, b]
                if a.name == "r"
                    && b.name == "i"
                    && a.offset == 0
                    && a.shape.is_empty()
                    && b.shape.is_empty() =>
            {
                let (Dtype::Scalar(x), Dtype::Scalar(y)) = (&a.dtype, &b.dtype) else {
                    return None;
                };
                (x == y
                    && matches!(x.kind, Kind::Int | Kind::UInt)
                    && b.offset == x.size
                    && r.itemsize == 2 * x.size)
                    .then_some(*x)
            }
            _ => None,
        }
    }

    /// Builds a dtype from a literal: a type string, NumPy's list of
    /// `(name, type)` tuples, or the dict form of `.npy` headers. Errors
    /// point at the offending part of the literal.
    pub fn from_lit(lit: &Lit) -> Result<Dtype, Error> {
        Self::from_lit_depth(lit, 0)
    }

    fn from_lit_depth(lit: &Lit, depth: usize) -> Result<Dtype, Error> {
        let bad = |text: String, reason: String, span: Span| {
            Error::new(ErrorKind::BadDtype { text, reason }, span)
        };
        if depth > MAX_DEPTH {
            return Err(Error::new(
                ErrorKind::NestingTooDeep { limit: MAX_DEPTH },
                lit.span,
            ));
        }
        match &lit.kind {
            LitKind::Str(s) => Dtype::parse_str(s).map_err(|r| bad(s.clone(), r, lit.span)),
            LitKind::List(items) => {
                if items.is_empty() {
                    return Err(bad(
                        "[]".into(),
                        "a record needs at least one field".into(),
                        lit.span,
                    ));
                }
                let mut fields: Vec<Field> = Vec::new();
                let mut offset = 0usize;
                for (k, item) in items.iter().enumerate() {
                    let LitKind::Tuple(parts) = &item.kind else {
                        return Err(bad(
                            "field".into(),
                            "each field is a tuple (name, type)".into(),
                            item.span,
                        ));
                    };
                    // (name, type, shape): a sub-array field.
                    let shape = match parts.get(2).map(|p| &p.kind) {
                        None => Vec::new(),
                        Some(LitKind::Int(n)) => vec![*n],
                        Some(LitKind::Tuple(dims)) => dims
                            .iter()
                            .map(|d| match d.kind {
                                LitKind::Int(n) => Ok(n),
                                _ => Err(bad(
                                    "shape".into(),
                                    "a sub-array's shape is a tuple of integers".into(),
                                    d.span,
                                )),
                            })
                            .collect::<Result<_, _>>()?,
                        Some(_) => {
                            return Err(bad(
                                "shape".into(),
                                "a sub-array's shape is an integer or a tuple of integers".into(),
                                parts[2].span,
                            ))
                        }
                    };
                    let shape: Vec<usize> = shape
                        .iter()
                        .map(|&n| usize::try_from(n).ok().filter(|&n| n < 1 << 32))
                        .collect::<Option<_>>()
                        .ok_or_else(|| {
                            bad(
                                "shape".into(),
                                "a sub-array's sizes are non-negative".into(),
                                parts[2].span,
                            )
                        })?;
                    if parts.len() != 2 && parts.len() != 3 {
                        return Err(bad(
                            "field".into(),
                            "each field is a tuple (name, type)".into(),
                            item.span,
                        ));
                    }
                    // ('', '|V4'): padding, as NumPy writes it in .npy headers.
                    if let (LitKind::Str(n), LitKind::Str(t)) = (&parts[0].kind, &parts[1].kind) {
                        let t = t.trim_start_matches(['|', '<', '>', '=']);
                        if n.is_empty() && t.starts_with('V') {
                            if let Ok(pad) = t[1..].parse::<usize>() {
                                offset = offset.checked_add(pad).ok_or_else(|| {
                                    bad("record".into(), "too large".into(), item.span)
                                })?;
                                continue;
                            }
                        }
                    }
                    let name = match &parts[0].kind {
                        LitKind::Str(s) if s.is_empty() => format!("f{k}"),
                        LitKind::Str(s) => s.clone(),
                        _ => {
                            return Err(bad(
                                "field name".into(),
                                "a field name is a string".into(),
                                parts[0].span,
                            ))
                        }
                    };
                    if fields.iter().any(|f| f.name == name) {
                        return Err(bad(
                            name.clone(),
                            format!("field '{name}' occurs more than once"),
                            parts[0].span,
                        ));
                    }
                    let dtype = Dtype::from_lit_depth(&parts[1], depth + 1)?;
                    let field = Field {
                        name,
                        offset,
                        dtype,
                        shape,
                    };
                    let size = field
                        .shape
                        .iter()
                        .try_fold(field.dtype.itemsize(), |a, &n| a.checked_mul(n))
                        .ok_or_else(|| bad("record".into(), "too large".into(), item.span))?;
                    fields.push(field);
                    offset = offset
                        .checked_add(size)
                        .ok_or_else(|| bad("record".into(), "too large".into(), item.span))?;
                }
                Ok(Dtype::Record(Record {
                    fields,
                    itemsize: offset,
                }))
            }
            LitKind::Dict(entries) => {
                let get = |key: &str| {
                    entries
                        .iter()
                        .find(|(k, _)| matches!(&k.kind, LitKind::Str(s) if s == key))
                        .map(|(_, v)| v)
                };
                let (Some(names), Some(formats)) = (get("names"), get("formats")) else {
                    return Err(bad(
                        "dict".into(),
                        "a dict dtype needs 'names' and 'formats'".into(),
                        lit.span,
                    ));
                };
                let (LitKind::List(names), LitKind::List(formats)) = (&names.kind, &formats.kind)
                else {
                    return Err(bad(
                        "dict".into(),
                        "'names' and 'formats' are lists".into(),
                        lit.span,
                    ));
                };
                if names.len() != formats.len() {
                    return Err(bad(
                        "dict".into(),
                        "'names' and 'formats' differ in length".into(),
                        lit.span,
                    ));
                }
                let offsets: Vec<Option<i128>> = match get("offsets").map(|v| &v.kind) {
                    Some(LitKind::List(v)) => v
                        .iter()
                        .map(|o| {
                            if let LitKind::Int(n) = o.kind {
                                Some(n)
                            } else {
                                None
                            }
                        })
                        .collect(),
                    _ => vec![None; names.len()],
                };
                let mut fields = Vec::new();
                let mut next = 0usize;
                for (k, (n, f)) in names.iter().zip(formats).enumerate() {
                    let LitKind::Str(name) = &n.kind else {
                        return Err(bad(
                            "name".into(),
                            "a field name is a string".into(),
                            n.span,
                        ));
                    };
                    let dtype = Dtype::from_lit_depth(f, depth + 1)?;
                    let off = match offsets.get(k).copied().flatten() {
                        Some(o) => usize::try_from(o).map_err(|_| {
                            bad(
                                "offsets".into(),
                                "offsets are non-negative".into(),
                                lit.span,
                            )
                        })?,
                        None => next,
                    };
                    next = off
                        .checked_add(dtype.itemsize())
                        .ok_or_else(|| bad("record".into(), "too large".into(), lit.span))?;
                    fields.push(Field::new(name.clone(), off, dtype));
                }
                let end = fields
                    .iter()
                    .map(|f| f.offset + f.dtype.itemsize())
                    .max()
                    .unwrap_or(0);
                let itemsize = match get("itemsize").map(|v| &v.kind) {
                    Some(LitKind::Int(n)) => usize::try_from(*n).map_err(|_| {
                        bad(
                            "itemsize".into(),
                            "itemsize is non-negative".into(),
                            lit.span,
                        )
                    })?,
                    _ => end,
                };
                if itemsize < end {
                    return Err(bad(
                        "itemsize".into(),
                        format!("itemsize {itemsize} is smaller than the fields need ({end})"),
                        lit.span,
                    ));
                }
                Ok(Dtype::Record(Record { fields, itemsize }))
            }
            _ => Err(bad(
                "?".into(),
                "expected a type string, a list of (name, type) tuples or a dict".into(),
                lit.span,
            )),
        }
    }
}

impl Record {
    /// Fields follow one another with no gaps and fill the itemsize.
    pub fn is_packed(&self) -> bool {
        let mut next = 0;
        for f in &self.fields {
            if f.offset != next {
                return false;
            }
            next += f.size();
        }
        next == self.itemsize
    }
}

/// Python's repr of a field name: quotes and backslashes escaped, and
/// control characters as `\x1b`, `\n`, as Python writes them.
fn py_str(s: &str) -> String {
    format!("'{}'", crate::text::py_escape(s))
}

/// NumPy's `str(dtype)`: `float32` for native order, `>f4` otherwise, and
/// the list of tuples for records.
impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dtype::Scalar(s) if s.size == 1 || s.order == ByteOrder::NATIVE => {
                f.write_str(&s.name())
            }
            Dtype::Scalar(s) => f.write_str(&s.descr()),
            Dtype::Text(t) => f.write_str(&t.descr()),
            Dtype::Record(_) => f.write_str(&self.descr()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_py_literal;

    fn dt(s: &str) -> Dtype {
        Dtype::from_lit(&parse_py_literal(s).unwrap()).unwrap()
    }

    #[test]
    fn type_strings_follow_numpy() {
        for (text, descr) in [
            ("<f4", "<f4"),
            (">i2", ">i2"),
            ("u1", "|u1"),
            ("c8", "<c8"),
            ("f8", "<f8"),
            ("|b1", "|b1"),
            ("i8", "<i8"),
            ("b", "|i1"),
            ("?", "|b1"),
            ("complex64", "<c8"),
            ("D", "<c16"),
            ("e", "<f2"),
            ("=u4", "<u4"),
        ] {
            let d = Dtype::parse_str(text).unwrap();
            assert_eq!(d.as_scalar().unwrap().descr(), descr, "{text}");
        }
        assert!(Dtype::parse_str("f5").is_err());
        assert_eq!(Dtype::parse_str("S10").unwrap().descr(), "'|S10'");
        assert_eq!(Dtype::parse_str(">U3").unwrap().itemsize(), 12);
        assert!(Dtype::parse_str("S").unwrap_err().contains("length"));
    }

    #[test]
    fn packed_unaligned_records_have_numpys_offsets_and_itemsize() {
        let d = dt("[('a', '<i2'), ('b', '<f8')]");
        assert_eq!(d.itemsize(), 10);
        assert_eq!(d.field("b").unwrap().offset, 2);
        assert_eq!(d.descr(), "[('a', '<i2'), ('b', '<f8')]");
    }

    #[test]
    fn the_dict_form_keeps_offsets_and_itemsize() {
        let d = dt(
            "{'names': ['x', 'y'], 'formats': ['<u2', '<f4'], 'offsets': [0, 4], 'itemsize': 12}",
        );
        assert_eq!(d.itemsize(), 12);
        assert_eq!(d.field("y").unwrap().offset, 4);
        assert_eq!(dt(&d.descr()), d);
    }

    #[test]
    fn decodes_both_byte_orders_to_the_same_value() {
        let le = Dtype::parse_str("<f4").unwrap();
        let be = Dtype::parse_str(">f4").unwrap();
        assert_eq!(
            le.decode(&1.5f32.to_le_bytes()),
            be.decode(&1.5f32.to_be_bytes())
        );
        let c = Dtype::parse_str(">c8").unwrap();
        let mut b = 2.0f32.to_be_bytes().to_vec();
        b.extend(3.0f32.to_be_bytes());
        assert_eq!(c.decode(&b), Elem::Complex(2.0, 3.0, 4));
    }

    #[test]
    fn to_native_swaps_each_part_of_a_complex_number() {
        let c = Dtype::parse_str(">c8").unwrap();
        let mut b = 2.0f32.to_be_bytes().to_vec();
        b.extend(3.0f32.to_be_bytes());
        let (d, n) = c.to_native(&b);
        assert_eq!(d.decode(&n), c.decode(&b));
        assert_eq!(d.short(), "<c8");
    }

    #[test]
    fn duplicate_field_names_are_refused() {
        assert!(Dtype::from_lit(&parse_py_literal("[('a', 'u1'), ('a', 'u1')]").unwrap()).is_err());
    }
}
