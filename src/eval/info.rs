//! `info NAME`: what `np.info` and `h5dump -H -p` tell together — dtype
//! with byte order and fields (offsets and padding), shape, strides,
//! offset, contiguity, alignment, sizes, the file and the header format it
//! was described by, and that format's metadata (sample rate, axis names,
//! annotations).

use super::{Session, Value};
use crate::diag::Error;
use crate::dtype::{ByteOrder, Dtype, Kind};
use crate::report::{Field, Fields};
use crate::syntax::Spanned;
use crate::view::View;

/// What `open` learnt from a file's own description, kept with its name.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    /// "raw", ".npy header", "SigMF", "ENVI header", "GDAL VRT", ...
    pub format: String,
    /// The describing file, when it is not the data file.
    pub described_by: Option<String>,
    /// Names of the axes, outermost first (ENVI: bands, lines, samples).
    pub axes: Vec<String>,
    /// Other facts, in order: ("sample rate (Hz)", 2.4e6), ...
    pub facts: Fields,
}

/// `info NAME`: named, typed facts in order.
#[derive(Clone, Debug)]
pub struct InfoReport {
    pub name: String,
    pub rows: Fields,
}

/// NumPy's `dtype.alignment`: the part size for complex numbers, the size
/// for other scalars, 1 for records built from a list (not `align=True`).
fn alignment(d: &Dtype) -> usize {
    match d {
        Dtype::Scalar(s) if s.kind == Kind::Complex => s.size / 2,
        Dtype::Scalar(s) => s.size,
        // NumPy: 1 for S, 4 for U.
        Dtype::Text(t) if t.unicode => 4,
        Dtype::Text(_) | Dtype::Record(_) => 1,
    }
}

fn fields(d: &Dtype, prefix: &str, base: usize, out: &mut Vec<String>) {
    let mut at = 0;
    for f in d.fields() {
        if f.offset > at {
            out.push(format!(
                "{} bytes of padding at +{}",
                f.offset - at,
                base + at
            ));
        }
        if f.dtype.fields().is_empty() {
            let sub = if f.shape.is_empty() {
                String::new()
            } else {
                format!(" {}", crate::text::tuple_repr(&f.shape))
            };
            out.push(format!(
                "{prefix}{}: {}{sub} at +{}",
                f.name,
                f.dtype.short(),
                base + f.offset
            ));
        } else {
            fields(
                &f.dtype,
                &format!("{prefix}{}.", f.name),
                base + f.offset,
                out,
            );
        }
        at = at.max(f.offset + f.size());
    }
    if d.itemsize() > at && !d.fields().is_empty() {
        out.push(format!(
            "{} bytes of padding at +{}",
            d.itemsize() - at,
            base + at
        ));
    }
}

fn byte_order(d: &Dtype) -> String {
    let mut orders = Vec::new();
    let mut visit = vec![d.clone()];
    while let Some(d) = visit.pop() {
        match d {
            Dtype::Scalar(s) if s.size > 1 => orders.push(s.order),
            Dtype::Text(t) if t.unicode => orders.push(t.order),
            Dtype::Scalar(_) | Dtype::Text(_) => {}
            Dtype::Record(r) => visit.extend(r.fields.into_iter().map(|f| f.dtype)),
        }
    }
    let little = orders.iter().filter(|&&o| o == ByteOrder::Little).count();
    match (little, orders.len() - little) {
        (0, 0) => "not applicable (single bytes)".into(),
        (_, 0) => "little-endian".into(),
        (0, _) => "big-endian".into(),
        _ => "mixed".into(),
    }
}

impl Session {
    /// `export NAME vrt|envi|numpy [to PATH]` and `export ... dask [to
    /// PATH]`: the text, printed or written.
    pub(super) fn export(
        &self,
        what: &crate::syntax::Exported,
        format: &Spanned<String>,
        to: Option<&Spanned<String>>,
        line: &str,
    ) -> Result<super::Output, Error> {
        use crate::formats::export;
        use crate::syntax::{Exported, ExprKind};
        if format.node == "dask" {
            return self.export_dask(what, to, line);
        }
        let name = match what {
            Exported::Expr(crate::syntax::Expr {
                kind: ExprKind::Name(n),
                span,
            }) => Spanned {
                node: n.clone(),
                span: *span,
            },
            Exported::Expr(e) | Exported::Stats(e) | Exported::Hist { expr: e, .. } => {
                return Err(Error::new(
                    crate::diag::ErrorKind::Type {
                        message: format!(
                            "export ... {} describes a named view of a file",
                            format.node
                        ),
                        hint: Some(
                            "name the view (x = EXPR), or export any expression, stats or hist as a Dask program: export EXPR dask".into(),
                        ),
                    },
                    e.span,
                ))
            }
        };
        let name = &name;
        let view = match self.names.get(&name.node) {
            Some(Value::View(v)) => v,
            Some(other) => {
                return Err(Error::new(
                    crate::diag::ErrorKind::Type {
                        message: format!(
                            "export describes a view of a file; {} is {}",
                            name.node,
                            other.kind_name()
                        ),
                        hint: None,
                    },
                    name.span,
                ))
            }
            None => return Err(self.unknown_name(&name.node, name.span)),
        };
        let axes = self
            .meta
            .get(&name.node)
            .map(|m| m.axes.clone())
            .unwrap_or_default();
        let text = match format.node.as_str() {
            "vrt" => export::to_vrt(view, &axes, to.map(|p| std::path::Path::new(&p.node))),
            "envi" => export::to_envi(view, &axes),
            "numpy" => Ok(export::to_numpy(&name.node, view)),
            other => {
                return Err(Error::new(
                    crate::diag::ErrorKind::Type {
                        message: format!("no export format `{other}`"),
                        hint: Some(format!("formats: {}, dask", export::FORMATS.join(", "))),
                    },
                    format.span,
                ))
            }
        }
        .map_err(|message| {
            Error::new(
                crate::diag::ErrorKind::Type {
                    message,
                    hint: None,
                },
                name.span,
            )
        })?;
        self.exported(
            name.node.clone(),
            &format.node,
            text,
            to,
            view.source.display(),
        )
    }

    /// An export's text printed (no `to`) or written to `to`, and what was done.
    fn exported(
        &self,
        name: String,
        format: &str,
        text: String,
        to: Option<&Spanned<String>>,
        data: String,
    ) -> Result<super::Output, Error> {
        let Some(path) = to else {
            return Ok(super::Output::Document {
                name,
                format: format.to_string(),
                text,
            });
        };
        let written = self
            .write_checked(|c| {
                crate::io::write_file(std::path::Path::new(&path.node), c, |w| {
                    w.write_all(text.as_bytes())
                })
            })
            .map_err(|e| self.write_failure(path, e, path.span))?;
        Ok(super::Output::Note(super::Note::Exported {
            name,
            format: format.to_string(),
            path: path.node.clone(),
            bytes: written.bytes,
            replaced: written.replaced,
            data,
        }))
    }

    /// `export [stats|hist] EXPR dask [to PATH]`: a Python program that
    /// computes the same statement with dask.array (`formats::dask`).
    fn export_dask(
        &self,
        what: &crate::syntax::Exported,
        to: Option<&Spanned<String>>,
        line: &str,
    ) -> Result<super::Output, Error> {
        use crate::formats::dask::{program, Job};
        use crate::syntax::Exported;
        let text_of =
            |e: &crate::syntax::Expr| line.get(e.span.start..e.span.end).unwrap_or("").to_string();
        let number = |x: &crate::syntax::Expr| -> Result<f64, Error> {
            match self.eval(x)? {
                Value::Int(i) => Ok(i as f64),
                Value::Float(f) => Ok(f),
                other => Err(Error::new(
                    crate::diag::ErrorKind::Type {
                        message: format!("expected a number, not {}", other.kind_name()),
                        hint: None,
                    },
                    x.span,
                )),
            }
        };
        let (job, expr) = match what {
            Exported::Expr(e) => (Job::Value(e), e),
            Exported::Stats(e) => (Job::Stats(e), e),
            Exported::Hist { expr, bins, range } => {
                let bins = match bins {
                    Some(b) => number(b)?,
                    None => 10.0,
                };
                let range = match range {
                    Some((a, b)) => Some((number(a)?, number(b)?)),
                    None => None,
                };
                (
                    Job::Hist {
                        expr,
                        bins: bins as usize,
                        range,
                    },
                    expr,
                )
            }
        };
        let mut names: Vec<(String, View)> = Vec::new();
        // Whether evaluating the expression here would compute it (a
        // reduction, an order statistic, a transform): then it is left to
        // the cluster, which is the point of exporting it.
        let mut computes = false;
        let mut stack = vec![expr];
        while let Some(x) = stack.pop() {
            use crate::syntax::ExprKind as K;
            match &x.kind {
                K::Name(n) => match self.names.get(n) {
                    Some(Value::View(v)) if !names.iter().any(|(m, _)| m == n) => {
                        names.push((n.clone(), v.clone()));
                    }
                    None if crate::builtins::builtin(n).is_none()
                        && !matches!(n.as_str(), "np" | "numpy")
                        && self.eval(x).is_err() =>
                    {
                        return Err(self.unknown_name(n, x.span));
                    }
                    _ => {}
                },
                K::Index { base, items } => {
                    stack.push(base);
                    for i in items {
                        match i {
                            crate::syntax::IndexItem::Expr(e) => stack.push(e),
                            crate::syntax::IndexItem::Slice {
                                start, stop, step, ..
                            } => stack.extend([start, stop, step].into_iter().flatten()),
                            crate::syntax::IndexItem::Ellipsis(_) => {}
                        }
                    }
                }
                K::Attr { base, .. } => stack.push(base),
                K::Call { func, args } => {
                    let name = match &func.kind {
                        K::Name(n) => Some(n.as_str()),
                        K::Attr { name, .. } => Some(name.node.as_str()),
                        _ => None,
                    };
                    use crate::builtins::Does;
                    computes |= name.and_then(crate::builtins::builtin).is_some_and(|b| {
                        !matches!(
                            b.does,
                            Does::Unary(_) | Does::Clip | Does::Where | Does::Round
                        )
                    });
                    stack.push(func);
                    stack.extend(args.iter().map(|a| &a.value));
                }
                K::Unary { operand, .. } => stack.push(operand),
                K::Binary { lhs, rhs, .. } => {
                    stack.push(lhs);
                    stack.push(rhs);
                }
                K::Tuple(items) | K::List(items) => stack.extend(items),
                _ => {}
            }
        }
        // Otherwise the statement must make sense here first: the same
        // errors as strided's own, before a cluster is asked.
        if !computes {
            self.eval(expr)?;
        }
        let text = program(&job, &text_of(expr), &names).map_err(|message| {
            Error::new(
                crate::diag::ErrorKind::Type {
                    message,
                    hint: None,
                },
                expr.span,
            )
        })?;
        let data = names
            .iter()
            .map(|(_, v)| v.source.display())
            .collect::<Vec<_>>()
            .join(", ");
        self.exported(text_of(expr), "dask", text, to, data)
    }

    pub(super) fn info(&self, name: &Spanned<String>) -> Result<InfoReport, Error> {
        let v = self
            .names
            .get(&name.node)
            .ok_or_else(|| self.unknown_name(&name.node, name.span))?;
        let mut rows: Fields = Vec::new();
        let mut row = |k: &str, v: Field| rows.push((k.to_string(), v));
        let view: &View = match v {
            Value::View(v) | Value::Void(v) => v,
            Value::Lazy(l) => {
                row(
                    "kind",
                    Field::str("a computed array (lazy: nothing is stored)"),
                );
                row("shape", Field::ints(&l.shape));
                row("dtype", Field::Str(l.dtype.descr()));
                row(
                    "nbytes if stored",
                    Field::Int((l.size() * l.dtype.size) as i128),
                );
                return Ok(InfoReport {
                    name: name.node.clone(),
                    rows,
                });
            }
            other => {
                row("kind", Field::str(other.kind_name()));
                row("value", Field::Str(other.repr()));
                return Ok(InfoReport {
                    name: name.node.clone(),
                    rows,
                });
            }
        };
        let meta = self.meta.get(&name.node);
        row(
            "kind",
            Field::str(if matches!(v, Value::Void(_)) {
                "one record (np.void) viewing the file"
            } else {
                "a view of a file"
            }),
        );
        row("file", Field::Str(view.source.display()));
        row("file bytes", Field::Int(view.source.len() as i128));
        match meta {
            Some(m) => {
                row("format", Field::Str(m.format.clone()));
                if let Some(d) = &m.described_by {
                    row("described by", Field::Str(d.clone()));
                }
            }
            None => row("format", Field::str("a view derived from another name")),
        }
        row("dtype", Field::Str(view.dtype.short()));
        row("byte order", Field::Str(byte_order(&view.dtype)));
        let mut fs = Vec::new();
        fields(&view.dtype, "", 0, &mut fs);
        if let Some(part) = view.dtype.complex_int_part() {
            fs.push(format!("computes as complex ({} parts)", part.descr()));
        }
        if !fs.is_empty() {
            row(
                "fields",
                Field::List(fs.into_iter().map(Field::Str).collect()),
            );
        }
        row("itemsize", Field::Int(view.dtype.itemsize() as i128));
        row("shape", Field::ints(&view.shape));
        if let Some(m) = meta.filter(|m| m.axes.len() == view.ndim()) {
            row(
                "axes",
                Field::List(m.axes.iter().cloned().map(Field::Str).collect()),
            );
        }
        row("strides", Field::ints(&view.strides));
        row("offset", Field::Int(view.offset as i128));
        row(
            "contiguous",
            Field::str(match (view.is_c_contiguous(), view.is_f_contiguous()) {
                (true, true) => "C and F",
                (true, false) => "C",
                (false, true) => "F",
                (false, false) => "neither",
            }),
        );
        let a = alignment(&view.dtype);
        let aligned = view.offset.is_multiple_of(a)
            && view
                .strides
                .iter()
                .all(|s| s.unsigned_abs().is_multiple_of(a));
        row("aligned", Field::Bool(aligned));
        row("alignment", Field::Int(a as i128));
        row("size", Field::Int(view.size() as i128));
        row("nbytes", Field::Int(view.nbytes() as i128));
        if let Some(m) = meta {
            for (k, v) in &m.facts {
                row(k, v.clone());
            }
        }
        Ok(InfoReport {
            name: name.node.clone(),
            rows,
        })
    }
}
