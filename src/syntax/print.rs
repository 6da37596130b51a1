//! Printing a syntax tree back to text that parses to the same tree (every
//! operation parenthesised, so no precedence is lost). Used by the fuzzer's
//! parse → print → parse round trip, and handy in messages.

use super::ast::*;
use std::fmt::{self, Display, Formatter};

fn py_str(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn float(f: f64) -> String {
    if f.is_finite() {
        // `{:?}` always has a point or an exponent, so it reads back as a float.
        format!("{f:?}")
    } else {
        // Only an overflowing literal (`6e444`) is infinite here.
        "1e999".into()
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Name(n) => f.write_str(n),
            ExprKind::Int(i) if *i < 0 => write!(f, "({i})"),
            ExprKind::Int(i) => write!(f, "{i}"),
            ExprKind::Float(x) => f.write_str(&float(*x)),
            ExprKind::Imag(x) => write!(f, "{}j", float(*x)),
            ExprKind::Str(s) => f.write_str(&py_str(s)),
            ExprKind::None => f.write_str("None"),
            ExprKind::Tuple(items) => {
                f.write_str("(")?;
                for it in items {
                    write!(f, "{it}, ")?;
                }
                f.write_str(")")
            }
            ExprKind::List(items) => {
                f.write_str("[")?;
                for it in items {
                    write!(f, "{it}, ")?;
                }
                f.write_str("]")
            }
            ExprKind::Index { base, items } => {
                write!(f, "{base}[")?;
                for (k, it) in items.iter().enumerate() {
                    if k > 0 {
                        f.write_str(", ")?;
                    }
                    match it {
                        IndexItem::Ellipsis(_) => f.write_str("...")?,
                        IndexItem::Expr(e) => write!(f, "{e}")?,
                        IndexItem::Slice {
                            start, stop, step, ..
                        } => {
                            if let Some(e) = start {
                                write!(f, "{e}")?;
                            }
                            f.write_str(":")?;
                            if let Some(e) = stop {
                                write!(f, "{e}")?;
                            }
                            if let Some(e) = step {
                                write!(f, ":{e}")?;
                            }
                        }
                    }
                }
                f.write_str("]")
            }
            // `(0).real`: a number right before `.` would read as a float.
            ExprKind::Attr { base, name }
                if matches!(
                    base.kind,
                    ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Imag(_)
                ) =>
            {
                write!(f, "({base}).{}", name.node)
            }
            ExprKind::Attr { base, name } => write!(f, "{base}.{}", name.node),
            ExprKind::Call { func, args } => {
                write!(f, "{func}(")?;
                for (k, a) in args.iter().enumerate() {
                    if k > 0 {
                        f.write_str(", ")?;
                    }
                    if let Some(n) = &a.name {
                        write!(f, "{}=", n.node)?;
                    }
                    write!(f, "{}", a.value)?;
                }
                f.write_str(")")
            }
            ExprKind::Unary { op, operand } => {
                let s = match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Pos => "+",
                    UnaryOp::Invert => "~",
                };
                write!(f, "({s}{operand})")
            }
            ExprKind::Binary { op, lhs, rhs } => write!(f, "({lhs} {op} {rhs})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::syntax::parse_expression;

    #[test]
    fn printing_and_parsing_again_gives_the_same_text() {
        for text in [
            "d.r[50:, ::-1, ..., None]",
            "-2 ** -x.T[0]",
            "mean(abs(d - 3), axis=(0, 1))",
            "a < b | c & ~d",
            "'it\\'s'[0]",
            "1.5e-3j + 0x10",
        ] {
            let once = parse_expression(text).unwrap().to_string();
            let twice = parse_expression(&once)
                .unwrap_or_else(|e| panic!("{once}: {e:?}"))
                .to_string();
            assert_eq!(once, twice, "{text}");
        }
    }
}
