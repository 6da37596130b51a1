//! NumPy's result dtypes: promotion of two operands (NEP 50: Python
//! scalars are "weak" and take the array's type where they fit), and the
//! float type an integer becomes under a float function.

use crate::dtype::{ByteOrder, Kind, Scalar};

/// One operand of an elementwise operation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand {
    Array(Scalar),
    PyBool,
    PyInt,
    PyFloat,
    PyComplex,
}

fn sc(kind: Kind, size: usize) -> Scalar {
    Scalar::new(kind, size, ByteOrder::NATIVE)
}

/// The smallest float that holds every value of an integer or bool type
/// (NumPy: int8 → float16, int16 → float32, int32/int64 → float64).
pub fn float_for(s: Scalar) -> Scalar {
    match s.kind {
        Kind::Float | Kind::Complex => sc(s.kind, s.size),
        Kind::Bool => sc(Kind::Float, 2),
        _ => sc(
            Kind::Float,
            match s.size {
                1 => 2,
                2 => 4,
                _ => 8,
            },
        ),
    }
}

/// The float size a complex type needs for its parts to hold `s`.
fn part_size(s: Scalar) -> usize {
    match s.kind {
        Kind::Complex => s.size / 2,
        _ => float_for(s).size,
    }
}

/// `np.result_type(a, b)` for two array dtypes.
pub fn promote_arrays(a: Scalar, b: Scalar) -> Scalar {
    use Kind::*;
    let (a, b) = if rank(a.kind) <= rank(b.kind) {
        (a, b)
    } else {
        (b, a)
    };
    match (a.kind, b.kind) {
        (Bool, Bool) => sc(Bool, 1),
        (Bool, _) => sc(b.kind, b.size),
        (Int, Int) | (UInt, UInt) | (Float, Float) | (Complex, Complex) => {
            sc(a.kind, a.size.max(b.size))
        }
        (Int, UInt) | (UInt, Int) => {
            let (i, u) = if a.kind == Int { (a, b) } else { (b, a) };
            if i.size > u.size {
                sc(Int, i.size)
            } else if u.size < 8 {
                sc(Int, u.size * 2)
            } else {
                sc(Float, 8)
            }
        }
        (Int | UInt, Float) => sc(Float, b.size.max(float_for(a).size)),
        (_, Complex) => sc(Complex, 2 * (b.size / 2).max(part_size(a))),
        _ => sc(b.kind, b.size),
    }
}

fn rank(k: Kind) -> u8 {
    match k {
        Kind::Bool => 0,
        Kind::Int => 1,
        Kind::UInt => 1,
        Kind::Float => 2,
        Kind::Complex => 3,
    }
}

/// The dtype of a binary arithmetic result; `None` when both are Python scalars.
pub fn promote(a: Operand, b: Operand) -> Option<Scalar> {
    use Operand::*;
    let weak = |arr: Scalar, py: Operand| -> Scalar {
        match (py, arr.kind) {
            (PyBool, _) => arr,
            (PyInt, Kind::Bool) => sc(Kind::Int, 8),
            (PyInt, _) => arr,
            (PyFloat, Kind::Bool | Kind::Int | Kind::UInt) => sc(Kind::Float, 8),
            (PyFloat, _) => arr,
            (PyComplex, Kind::Float) => sc(Kind::Complex, arr.size * 2),
            (PyComplex, Kind::Complex) => arr,
            (PyComplex, _) => sc(Kind::Complex, 16),
            (Array(_), _) => arr,
        }
    };
    match (a, b) {
        (Array(x), Array(y)) => Some(promote_arrays(x, y)),
        (Array(x), py) | (py, Array(x)) => Some(weak(x, py)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Scalar {
        crate::dtype::Dtype::parse_str(s)
            .unwrap()
            .as_scalar()
            .unwrap()
    }

    #[test]
    fn promotion_follows_numpy() {
        // Each pair was checked with np.result_type on NumPy 2.
        for (a, b, want) in [
            ("u1", "i1", "<i2"),
            ("<u8", "<i8", "<f8"),
            ("<i2", "<f2", "<f4"),
            ("i1", "<f2", "<f2"),
            ("<f4", "<i4", "<f8"),
            ("<c8", "<f8", "<c16"),
            ("|b1", "<f4", "<f4"),
            ("<c8", "<i2", "<c8"),
        ] {
            assert_eq!(promote_arrays(t(a), t(b)).descr(), want, "{a} {b}");
            assert_eq!(promote_arrays(t(b), t(a)).descr(), want, "{b} {a}");
        }
        assert_eq!(
            promote(Operand::Array(t("i1")), Operand::PyInt)
                .unwrap()
                .descr(),
            "|i1"
        );
        assert_eq!(
            promote(Operand::Array(t("i1")), Operand::PyFloat)
                .unwrap()
                .descr(),
            "<f8"
        );
        assert_eq!(
            promote(Operand::Array(t("<f4")), Operand::PyComplex)
                .unwrap()
                .descr(),
            "<c8"
        );
        assert_eq!(
            promote(Operand::Array(t("|b1")), Operand::PyInt)
                .unwrap()
                .descr(),
            "<i8"
        );
    }
}
