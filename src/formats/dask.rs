//! `export EXPR dask`: a standalone Python program that computes the same
//! statement with `dask.array` on a Dask cluster (or a `LocalCluster`), for
//! data that outgrows one machine.
//!
//! The program builds each name the expression uses from its files: one
//! `np.memmap` per file and chunk, opened on the worker that computes the
//! chunk (a `dask.delayed` task per chunk), chunked along axis 0 (the
//! files' memory order) and never across two files. The expression is
//! written in NumPy's spelling (`d.r` → `d.real`, `db(x)` →
//! `20 * np.log10(np.abs(x))`, fields as `x['name']`), so Dask applies it
//! with NumPy's semantics; sums, means and deviations accumulate in
//! float64 (complex128) and are rounded once to NumPy's result dtype, as
//! strided does. The result prints as one line of strided's
//! `--format json`, so the two can be compared.
//!
//! Plain logic over the syntax tree and the views: nothing here evaluates.

use crate::dtype::Dtype;
use crate::ops::{BinOp, UnaryOp};
use crate::syntax::{Arg, Expr, ExprKind, IndexItem};
use crate::view::View;

/// What the program computes.
pub enum Job<'a> {
    /// An expression (a view, an elementwise computation, a reduction).
    Value(&'a Expr),
    /// `stats EXPR`.
    Stats(&'a Expr),
    /// `hist EXPR [bins=N] [range=LO,HI]`.
    Hist {
        expr: &'a Expr,
        bins: usize,
        range: Option<(f64, f64)>,
    },
}

/// Bytes per chunk the program aims for.
const CHUNK_BYTES: usize = 64 << 20;

/// Functions that keep their NumPy name (`np.NAME`).
const SAME_NAME: &[&str] = &[
    "abs",
    "angle",
    "sqrt",
    "exp",
    "log",
    "log10",
    "conj",
    "conjugate",
    "real",
    "imag",
    "isnan",
    "isfinite",
    "clip",
    "where",
    "round",
    "around",
    "min",
    "max",
    "argmin",
    "argmax",
    "ptp",
    "any",
    "all",
    "count_nonzero",
    "nanmin",
    "nanmax",
];

/// Reductions strided accumulates in float64: `f64acc(np.NAME, ...)`.
const WIDE: &[&str] = &[
    "sum", "mean", "std", "var", "nansum", "nanmean", "nanstd", "nanvar",
];

/// The program's fixed part: imports, reading files chunk by chunk, the
/// float64 accumulation and strided's json spelling.
const PRELUDE: &str = r#"import argparse, json, math
import numpy as np
import dask
import dask.array as da


def rows(path, offset, count, dtype, trailing, start, stop):
    """Rows start:stop of one file (count rows of dtype from byte offset), read on the worker."""
    m = np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=(count,) + trailing)
    return np.array(m[start:stop])


def stacked(parts, dtype, trailing, chunk):
    """The files' rows in order as one dask array; no chunk spans two files."""
    blocks = []
    for path, offset, count in parts:
        for a in range(0, count, chunk):
            b = min(a + chunk, count)
            task = dask.delayed(rows)(path, offset, count, dtype, trailing, a, b)
            blocks.append(da.from_delayed(task, shape=(b - a,) + trailing, dtype=dtype))
    return da.concatenate(blocks) if blocks else da.zeros((0,) + trailing, dtype=dtype)


def f64acc(f, x, **kw):
    """f of float data accumulated in float64 (complex128), as strided does, in NumPy's own result dtype."""
    if x.dtype.kind not in "fc":
        return f(x, **kw)
    want = f(np.zeros((1,) * x.ndim, x.dtype), **kw).dtype
    wide = np.complex128 if x.dtype.kind == "c" else np.float64
    return f(x, dtype=wide, **kw).astype(want)


def js(x, size=None):
    """A value as strided's json spells it: floats shortest in their own dtype, complex as [re, im], non-finite as text."""
    if isinstance(x, np.ndarray):
        size = x.dtype.itemsize // (2 if x.dtype.kind == "c" else 1)
        return js(x[()], size) if x.ndim == 0 else [js(v, size) for v in x]
    if isinstance(x, (complex, np.complexfloating)):
        return [js(x.real, size), js(x.imag, size)]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    size = size or getattr(x, "itemsize", 8)
    x = float(str(np.float32(x))) if size == 4 else float(str(np.float16(x))) if size == 2 else float(x)
    return x if math.isfinite(x) else ("nan" if x != x else "inf" if x > 0 else "-inf")
"#;

/// The part of the program after the prelude that starts the cluster.
const CLUSTER: &str = r#"

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scheduler", help="a Dask scheduler's address (tcp://HOST:8786); default: a LocalCluster")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster workers (default 2)")
    args = ap.parse_args()
    from dask.distributed import Client, LocalCluster
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        client = Client(LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True))
    with client:
        print(json.dumps(main()))
"#;

/// The program for `job` as the statement `text` says it, over `names`
/// (each name the expression uses, bound to a view of a file or dataset).
pub fn program(job: &Job, text: &str, names: &[(String, View)]) -> Result<String, String> {
    let mut out = String::new();
    out.push_str(&format!(
        "#!/usr/bin/env python3\n\"\"\"`{}` on Dask, written by strided's `export ... dask`.\n\n",
        text.replace('\\', "\\\\").replace('"', "\\\"")
    ));
    for (name, v) in names {
        out.push_str(&format!(
            "{name}: {}, shape {}, {}.\n",
            v.source.display().replace('"', "'"),
            crate::text::tuple_repr(&v.shape),
            v.dtype.short()
        ));
    }
    out.push_str(
        "Each chunk is read by the worker that computes it, through its own np.memmap\n\
         of one file. Prints the result as one line of strided's --format json.\n\
         Run: python3 THIS.py [--scheduler tcp://HOST:8786]\n\"\"\"\n",
    );
    out.push_str(PRELUDE);
    out.push_str("\n\ndef main():\n");
    for (name, v) in names {
        out.push_str(&format!("    {name} = {}\n", leaf(v)?));
    }
    match job {
        Job::Value(e) => {
            out.push_str(&format!("    x = {}\n", py(e, names)?));
            out.push_str(&format!(
                "    x = np.asarray(x.compute() if hasattr(x, \"compute\") else x)\n    text = {}\n",
                py_str(text)
            ));
            out.push_str(
                "    if x.ndim == 0:\n        return {\"expr\": text, \"value\": js(x), \"dtype\": x.dtype.str}\n    \
                 return {\"expr\": text, \"shape\": list(x.shape), \"dtype\": x.dtype.str, \"data\": js(x)}\n",
            );
        }
        Job::Stats(e) => {
            out.push_str(&format!("    x = {}\n", py(e, names)?));
            out.push_str(&format!("    text = {}\n", py_str(text)));
            out.push_str(STATS);
        }
        Job::Hist { expr, bins, range } => {
            out.push_str(&format!("    x = {}\n", py(expr, names)?));
            out.push_str(&format!(
                "    text, bins, given = {}, {bins}, {}\n",
                py_str(text),
                match range {
                    Some((a, b)) => format!("({}, {})", py_float(*a), py_float(*b)),
                    None => "None".into(),
                }
            ));
            out.push_str(HIST);
        }
    }
    out.push_str(CLUSTER);
    Ok(out)
}

/// `stats`: one pass of counts, extremes and float64 moments over |x| for
/// complex data; the quartiles of the values that are not NaN gathered and
/// taken exactly, up to 2^24 of them (as strided does).
const STATS: &str = r#"    if any(math.isnan(n) for n in x.shape):
        x = x.compute_chunk_sizes()  # a boolean mask's result: its length is known after a pass
    magnitude, dtype = x.dtype.kind == "c", x.dtype.str
    if magnitude:
        x = np.abs(x)
    flat = x.ravel()
    ok = ~np.isnan(flat) if x.dtype.kind == "f" else da.ones_like(flat, dtype=bool)
    fin = np.isfinite(flat) if x.dtype.kind == "f" else ok
    f = flat.astype(np.float64)
    n, nfin, nan, pinf, ninf = dask.compute(ok.sum(), fin.sum(), (~ok).sum(), (flat == np.inf).sum(), (flat == -np.inf).sum())
    size = x.dtype.itemsize if x.dtype.kind == "f" else 8
    out = {"stats": text, "of": "abs" if magnitude else "values", "shape": list(x.shape), "dtype": dtype,
           "count": int(flat.size), "nan": int(nan), "posinf": int(pinf), "neginf": int(ninf)}
    if n:
        lo, hi, imin, imax = dask.compute(da.nanmin(f), da.nanmax(f), da.nanargmin(f), da.nanargmax(f))
        out.update(min=js(lo, size), argmin=[int(i) for i in np.unravel_index(int(imin), x.shape)],
                   max=js(hi, size), argmax=[int(i) for i in np.unravel_index(int(imax), x.shape)])
    else:
        out.update(min="nan", argmin=None, max="nan", argmax=None)
    if nfin:
        g = da.where(fin, f, 0.0)
        mean = float(g.sum().compute()) / int(nfin)
        std = math.sqrt(float((da.where(fin, f - mean, 0.0) ** 2).sum().compute()) / int(nfin))
        out.update(mean=js(mean, size), std=js(std, size))
    else:
        out.update(mean="nan", std="nan")
    if flat.size <= 1 << 24:
        q = np.nanpercentile(flat.compute().astype(x.dtype if x.dtype.kind == "f" else np.float64), [25, 50, 75]) if n else [math.nan] * 3
        out.update(p25=js(q[0], size), median=js(q[1], size), p75=js(q[2], size))
    else:
        out.update(p25=None, median=None, p75=None)
    return out
"#;

/// `hist`: NumPy's bins over the range given, or over the values' own
/// range found in a first pass (complex data: |x|), made as `np.histogram`
/// makes them: in the data's own float type (float32 edges for float32
/// data; float64 for integers), counted by those edges.
const HIST: &str = r#"    if any(math.isnan(n) for n in x.shape):
        x = x.compute_chunk_sizes()  # a boolean mask's result: its length is known after a pass
    if x.dtype.kind == "c":
        x, text = np.abs(x), "|" + text + "|"
    f = x.ravel()
    if f.dtype.kind != "f":
        f = f.astype(np.float64)  # NumPy's bins for integers
    ok = ~da.isnan(f)
    nan = int((~ok).sum().compute())
    if given is None:
        # NumPy scalars of the data's dtype, as np.histogram finds them.
        lo, hi = (np.asarray(v)[()] for v in dask.compute(da.nanmin(f), da.nanmax(f)))
    else:
        lo, hi = given
    edges = np.histogram_bin_edges(np.empty(0, f.dtype), bins=bins, range=(lo, hi))
    counts, _ = da.histogram(f[ok], bins=edges)
    counts = counts.compute()
    inside = int(counts.sum())
    outside = int(ok.sum().compute()) - inside
    return {"hist": text, "outside": outside, "nan": nan,
            "rows": [{"lo": js(edges[k]), "hi": js(edges[k + 1]), "count": int(c)} for k, c in enumerate(counts)]}
"#;

/// A Python string literal.
fn py_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// A float as Python reads it back exactly.
fn py_float(x: f64) -> String {
    if x.is_nan() {
        "float('nan')".into()
    } else if x.is_infinite() {
        format!("float('{}inf')", if x < 0.0 { "-" } else { "" })
    } else {
        format!("{x:?}")
    }
}

/// The dask array of a view: the rows of its file (or of each file of its
/// dataset), then `.T` for a Fortran-order view.
fn leaf(v: &View) -> Result<String, String> {
    let c = v.is_c_contiguous();
    let f = !c && v.is_f_contiguous();
    if !c && !f || v.ndim() == 0 {
        return Err(format!(
            "export dask builds names bound to whole C- or Fortran-order views of a file; this one has strides {}: export the file's own view and index it in the expression",
            crate::text::tuple_repr(&v.strides)
        ));
    }
    // A Fortran-order view is the C-order view of the reversed shape, transposed.
    let shape: Vec<usize> = if f {
        v.shape.iter().rev().copied().collect()
    } else {
        v.shape.clone()
    };
    let trailing = &shape[1..];
    let row = trailing.iter().product::<usize>() * v.dtype.itemsize();
    let chunk = (CHUNK_BYTES / row.max(1)).max(1);
    // Absolute paths: a worker's folder is not the session's.
    let quote = |p: &std::path::Path| {
        py_str(
            &std::path::absolute(p)
                .unwrap_or_else(|_| p.to_path_buf())
                .display()
                .to_string(),
        )
    };
    let parts: Vec<String> = match v.source.dataset() {
        Some(d) => part_tuples(d.parts(), row, quote),
        None => {
            if v.source.is_copy() {
                return Err("export dask reads files; this value is a copy strided made".into());
            }
            vec![format!(
                "({}, {}, {})",
                quote(&v.source.path),
                v.offset,
                shape[0]
            )]
        }
    };
    let parts = if parts.len() > 4 {
        format!("[\n        {},\n    ]", parts.join(",\n        "))
    } else {
        format!("[{}]", parts.join(", "))
    };
    Ok(format!(
        "stacked({parts}, np.dtype({}), {}, {chunk})[:{}]{}",
        dtype_py(&v.dtype),
        crate::text::tuple_repr(trailing),
        shape[0],
        if f { ".T" } else { "" }
    ))
}

/// Each file of a dataset as Python's `(path, byte offset, rows)`, rows of
/// `row` bytes, the path spelled by `quote`.
pub fn part_tuples(
    parts: &[crate::source::Part],
    row: usize,
    quote: impl Fn(&std::path::Path) -> String,
) -> Vec<String> {
    parts
        .iter()
        .map(|p| {
            format!(
                "({}, {}, {})",
                quote(&p.path),
                p.start,
                p.len / row.max(1) as u64
            )
        })
        .collect()
}

/// A dtype as `np.dtype(...)` takes it.
fn dtype_py(d: &Dtype) -> String {
    d.descr()
}

/// The expression in NumPy's spelling, over the names' dask arrays.
fn py(e: &Expr, names: &[(String, View)]) -> Result<String, String> {
    let sub = |x: &Expr| py(x, names);
    Ok(match &e.kind {
        ExprKind::Name(n) => {
            if names.iter().any(|(m, _)| m == n) {
                n.clone()
            } else if matches!(n.as_str(), "pi" | "e" | "inf" | "nan") {
                format!("np.{n}")
            } else {
                return Err(format!(
                    "`{n}` is not a view of a file, which export dask needs"
                ));
            }
        }
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Float(f) => py_float(*f),
        ExprKind::Imag(f) => format!("{}j", py_float(*f)),
        ExprKind::Str(s) => py_str(s),
        ExprKind::None => "None".into(),
        ExprKind::Tuple(items) => {
            let v = items.iter().map(sub).collect::<Result<Vec<_>, _>>()?;
            if v.len() == 1 {
                format!("({},)", v[0])
            } else {
                format!("({})", v.join(", "))
            }
        }
        ExprKind::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(sub)
                .collect::<Result<Vec<_>, _>>()?
                .join(", ")
        ),
        ExprKind::Index { base, items } => {
            let parts = items
                .iter()
                .map(|i| match i {
                    IndexItem::Ellipsis(_) => Ok("...".to_string()),
                    IndexItem::Slice {
                        start, stop, step, ..
                    } => {
                        let part = |x: &Option<Expr>| x.as_ref().map(sub).transpose();
                        let (a, b, c) = (part(start)?, part(stop)?, part(step)?);
                        Ok(format!(
                            "{}:{}{}",
                            a.unwrap_or_default(),
                            b.unwrap_or_default(),
                            c.map(|c| format!(":{c}")).unwrap_or_default()
                        ))
                    }
                    IndexItem::Expr(x) => sub(x),
                })
                .collect::<Result<Vec<_>, String>>()?;
            format!("{}[{}]", sub(base)?, parts.join(", "))
        }
        ExprKind::Attr { base, name } => {
            let b = sub(base)?;
            match name.node.as_str() {
                "r" | "real" if !has_field(base, names, &name.node) => format!("{b}.real"),
                "i" | "imag" if !has_field(base, names, &name.node) => format!("{b}.imag"),
                "T" => format!("{b}.T"),
                field => format!("{b}[{}]", py_str(field)),
            }
        }
        ExprKind::Call { func, args } => call(func, args, names)?,
        ExprKind::Unary { op, operand } => {
            let o = sub(operand)?;
            match op {
                UnaryOp::Neg => format!("(-{o})"),
                UnaryOp::Pos => format!("(+{o})"),
                UnaryOp::Invert => format!("(~{o})"),
            }
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let (l, r) = (sub(lhs)?, sub(rhs)?);
            let _: &BinOp = op;
            format!("({l} {op} {r})")
        }
    })
}

/// Whether `base` is a name whose record dtype has the field `field`.
fn has_field(base: &Expr, names: &[(String, View)], field: &str) -> bool {
    match &base.kind {
        ExprKind::Name(n) => names
            .iter()
            .any(|(m, v)| m == n && v.dtype.fields().iter().any(|f| f.name == field)),
        _ => false,
    }
}

/// A call of a built-in, as NumPy spells it.
fn call(func: &Expr, args: &[Arg], names: &[(String, View)]) -> Result<String, String> {
    // `x.name(...)` is `name(x, ...)`.
    let (name, mut list): (&str, Vec<String>) = match &func.kind {
        ExprKind::Name(n) => (n.as_str(), Vec::new()),
        // `np.sum(x)` and `numpy.sum(x)` are `sum(x)`.
        ExprKind::Attr { base, name } if matches!(&base.kind, ExprKind::Name(m) if m == "np" || m == "numpy") => {
            (name.node.as_str(), Vec::new())
        }
        ExprKind::Attr { base, name } => (name.node.as_str(), vec![py(base, names)?]),
        _ => return Err("export dask translates calls of built-in functions only".into()),
    };
    if name == "astype" {
        let [x] = list.as_slice() else {
            return Err("export dask translates x.astype(DTYPE)".into());
        };
        let d = args
            .first()
            .map(|a| py(&a.value, names))
            .transpose()?
            .unwrap_or_default();
        return Ok(format!("{x}.astype({d})"));
    }
    for a in args {
        let v = py(&a.value, names)?;
        list.push(match &a.name {
            Some(k) => format!("{}={v}", k.node),
            None => v,
        });
    }
    let joined = list.join(", ");
    Ok(match name {
        "db" => format!("(20 * np.log10(np.abs({joined})))"),
        _ if WIDE.contains(&name) => format!("f64acc(np.{name}, {joined})"),
        _ if SAME_NAME.contains(&name) => format!("np.{name}({joined})"),
        other => {
            return Err(format!(
                "export dask does not translate `{other}` yet; it translates views, arithmetic, comparisons, {}, db, {} and astype",
                SAME_NAME[..12].join(" "),
                WIDE.iter().chain(&SAME_NAME[14..]).copied().collect::<Vec<_>>().join(" ")
            ))
        }
    })
}
