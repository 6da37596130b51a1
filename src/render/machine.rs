//! Machine output: `--format csv` and `--format json`, for every command.
//!
//! Each output becomes typed [`Field`]s first ([`record`]), and both
//! formats are written from those, so csv and json cannot disagree and
//! neither ever holds prose in a data field. json: one object a line, a
//! command's kind as its first key (`{"stats": "d.r", "count": 10000,
//! ...}`), notes as `{"note": "saved", ...}`. csv: a header line and one
//! row per record; notes and `open`'s summary go to a second stream (the
//! front ends pass stderr) so that stdout stays pure csv. Array data streams element by element in both.

use super::{note_text, opened_text, Elements};
use crate::dtype::Elem;
use crate::eval::explain::StepKind;
use crate::eval::{Output, Value};
use crate::report::{Field, Fields};
use std::io::{self, Write};

/// What one output is, for a machine: an object or a list of rows.
enum Record {
    /// One object: csv writes its keys as the header and one row.
    Object(Fields),
    /// Rows of one kind: json writes `head` then `"rows": [...]` (or
    /// `"steps"` for `explain`); csv writes a header from the first row's
    /// keys and every row.
    Rows {
        head: Fields,
        rows: Vec<Fields>,
    },
    Steps {
        head: Fields,
        rows: Vec<Fields>,
    },
}

fn f(k: &str, v: Field) -> (String, Field) {
    (k.to_string(), v)
}

fn int(n: impl TryInto<i128>) -> Field {
    n.try_into().map_or(Field::Null, Field::Int)
}

/// A decoded element as a field: complex as `[re, im]`, records as maps.
fn elem_field(e: &Elem) -> Field {
    match e {
        Elem::Bool(b) => Field::Bool(*b),
        Elem::Int(i) => Field::Int(*i as i128),
        Elem::UInt(u) => Field::Int(*u as i128),
        Elem::Float(x, size) => Field::Float(*x, *size),
        Elem::Complex(re, im, size) => {
            Field::List(vec![Field::Float(*re, *size), Field::Float(*im, *size)])
        }
        Elem::Record(fields) => Field::Map(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), elem_field(v)))
                .collect(),
        ),
        Elem::Str(s) => Field::Str(s.clone()),
        Elem::Bytes(b) => Field::Str(crate::text::bytes_text(b)),
    }
}

fn elem_json(e: &Elem) -> serde_json::Value {
    elem_field(e).to_json()
}

/// A Python-level value (a shape, a number, a string) as a field.
fn value_field(v: &Value) -> Field {
    match v {
        Value::Int(i) => Field::Int(*i),
        Value::Float(x) => Field::Float(*x, 8),
        Value::Complex(re, im) => Field::List(vec![Field::Float(*re, 8), Field::Float(*im, 8)]),
        Value::Bool(b) => Field::Bool(*b),
        Value::Str(s) => Field::Str(s.clone()),
        Value::None => Field::Null,
        Value::Tuple(t) | Value::List(t) => Field::List(t.iter().map(value_field).collect()),
        Value::Dtype(d) => Field::Str(d.short()),
        Value::Void(v) => elem_field(&v.dtype.decode(&v.element_bytes(&[]))),
        Value::Scalar(d, b) => elem_field(&d.decode(b)),
        Value::View(_) | Value::Lazy(_) => Field::Null,
    }
}

fn index_field(i: &Option<Vec<usize>>) -> Field {
    i.as_ref().map_or(Field::Null, |i| Field::ints(i))
}

/// The typed record of every output that is not streamed array data, a
/// note, or text for a person (`None` for those).
fn record(out: &Output) -> Option<Record> {
    Some(match out {
        Output::Stats(r) => {
            let size = r.float_size;
            let extreme = |x: f64| match size {
                Some(s) => Field::Float(x, s),
                None if x.is_finite() => Field::Int(x as i128),
                None => Field::Float(x, 8),
            };
            let moment = |x: f64| Field::Float(x, size.unwrap_or(8));
            Record::Object(vec![
                f("stats", Field::Str(r.text.clone())),
                f("of", Field::str(if r.magnitude { "abs" } else { "values" })),
                f("shape", Field::ints(&r.shape)),
                f("dtype", Field::Str(r.dtype.clone())),
                f("count", int(r.count)),
                f("nan", int(r.nan)),
                f("posinf", int(r.posinf)),
                f("neginf", int(r.neginf)),
                f(
                    "min",
                    r.exact.map_or_else(|| extreme(r.min), |e| Field::Int(e.0)),
                ),
                f("argmin", index_field(&r.argmin)),
                f(
                    "max",
                    r.exact.map_or_else(|| extreme(r.max), |e| Field::Int(e.1)),
                ),
                f("argmax", index_field(&r.argmax)),
                f("mean", moment(r.mean)),
                f("std", moment(r.std)),
                f("p25", r.quartiles.map_or(Field::Null, |q| moment(q[0]))),
                f("median", r.quartiles.map_or(Field::Null, |q| moment(q[1]))),
                f("p75", r.quartiles.map_or(Field::Null, |q| moment(q[2]))),
            ])
        }
        Output::Hist(h) if h.written.is_none() => {
            let n = h.counts.len();
            let edge = |k: usize| Field::Float(h.edges[k], h.edge_size);
            Record::Rows {
                head: vec![
                    f("hist", Field::Str(h.text.clone())),
                    f("outside", int(h.outside)),
                    f("nan", int(h.nan)),
                ],
                rows: (0..n)
                    .map(|k| {
                        vec![
                            f("lo", edge(k)),
                            f("hi", edge(k + 1)),
                            f("count", int(h.counts[k])),
                        ]
                    })
                    .collect(),
            }
        }
        Output::Hist(h) => written(&h.text, h.written.as_ref()?),
        Output::Psd(p) if p.plot.written.is_none() => Record::Rows {
            head: segments_fields("psd", &p.head)
                .into_iter()
                .chain([
                    f("floor_db", Field::Float(p.floor_db, 8)),
                    f("total", Field::Float(p.total, 8)),
                    f(
                        "peaks",
                        Field::List(
                            p.peaks
                                .iter()
                                .map(|&(freq, db)| {
                                    Field::Map(vec![
                                        f("frequency", Field::Float(freq, 8)),
                                        f("db", Field::Float(db, 8)),
                                    ])
                                })
                                .collect(),
                        ),
                    ),
                ])
                .collect(),
            rows: p
                .freqs
                .iter()
                .zip(&p.power)
                .map(|(&freq, &power)| {
                    vec![
                        f("frequency", Field::Float(freq, 8)),
                        f("power", Field::Float(power, 8)),
                        f("db", Field::Float(10.0 * power.log10(), 8)),
                    ]
                })
                .collect(),
        },
        Output::Psd(p) => written(&p.head.text, p.plot.written.as_ref()?),
        Output::Specgram(p) if p.image.written.is_none() => Record::Rows {
            head: segments_fields("specgram", &p.head)
                .into_iter()
                .chain([
                    f("segments_per_row", int(p.per_row)),
                    f("bins_per_column", int(p.per_column)),
                    f("pixels", Field::ints(&[p.image.rows, p.image.cols])),
                    f("min_db", Field::Float(p.image.lo, 8)),
                    f("max_db", Field::Float(p.image.hi, 8)),
                    f("cmap", Field::str(p.image.cmap.name())),
                ])
                .collect(),
            rows: (0..p.image.rows)
                .flat_map(|r| {
                    (0..p.image.cols).map(move |c| {
                        vec![
                            f("row", int(r)),
                            f("column", int(c)),
                            f("time", Field::Float(p.row_times[r], 8)),
                            f("frequency", Field::Float(p.column_freqs[c], 8)),
                            f("db", Field::Float(p.image.values[r * p.image.cols + c], 8)),
                        ]
                    })
                })
                .collect(),
        },
        Output::Specgram(p) => written(&p.head.text, p.image.written.as_ref()?),
        Output::Guess(g) => {
            use crate::guess::Finding;
            let mut fields = vec![
                f("guess", Field::Str(g.path.clone())),
                f("bytes", int(g.len)),
                f("sampled", int(g.sampled)),
                f(
                    "notes",
                    Field::List(g.notes.iter().map(|n| Field::Str(n.clone())).collect()),
                ),
            ];
            match &g.finding {
                Finding::Format { what, opens, hint } => {
                    fields.push(f("format", Field::Str(what.clone())));
                    fields.push(f("opens", Field::Bool(*opens)));
                    fields.push(f("hint", Field::Str(hint.clone())));
                }
                Finding::Constant { byte } => {
                    fields.push(f("format", Field::str("constant")));
                    fields.push(f("byte", int(*byte)));
                }
                Finding::Text { hint } => {
                    fields.push(f("format", Field::str("text")));
                    fields.push(f("hint", Field::Str(hint.clone())));
                }
                Finding::Layouts(c) => fields.push(f(
                    "candidates",
                    Field::List(
                        c.iter()
                            .zip(&g.opens)
                            .map(|(c, open)| {
                                Field::Map(vec![
                                    f("open", Field::Str(open.clone())),
                                    f(
                                        "dtype",
                                        if c.record.is_some() {
                                            Field::Null
                                        } else {
                                            Field::Str(c.dtype.clone())
                                        },
                                    ),
                                    f("record", c.record.map_or(Field::Null, int)),
                                    f("offset", int(c.offset)),
                                    f("row", c.row.map_or(Field::Null, int)),
                                    f("planar", Field::Bool(c.planar)),
                                    f("score", Field::Float(c.score, 8)),
                                    f(
                                        "evidence",
                                        Field::List(
                                            c.evidence
                                                .iter()
                                                .map(|e| Field::Str(e.clone()))
                                                .collect(),
                                        ),
                                    ),
                                ])
                            })
                            .collect(),
                    ),
                )),
            }
            if let Some(close) = &g.close {
                fields.push(f("close", Field::Str(close.clone())));
            }
            Record::Object(fields)
        }
        Output::Plot(p) if p.written.is_none() => Record::Rows {
            head: vec![
                f("plot", Field::Str(p.text.clone())),
                f("n", int(p.n)),
                f("min", Field::Float(p.lo, p.float_size)),
                f("max", Field::Float(p.hi, p.float_size)),
                f("magnitude", Field::Bool(p.magnitude)),
            ],
            rows: p
                .env
                .iter()
                .enumerate()
                .map(|(k, &(lo, hi))| {
                    vec![
                        f("column", int(k)),
                        f("min", Field::Float(lo, p.float_size)),
                        f("max", Field::Float(hi, p.float_size)),
                    ]
                })
                .collect(),
        },
        Output::Plot(p) => written(&p.text, p.written.as_ref()?),
        Output::Image(r) if r.written.is_none() => Record::Object(vec![
            f("image", Field::Str(r.text.clone())),
            f("shape", Field::ints(&[r.shape.0, r.shape.1])),
            f("pixels", Field::ints(&[r.rows, r.cols])),
            f("min", Field::Float(r.lo, 8)),
            f("max", Field::Float(r.hi, 8)),
            f("cmap", Field::str(r.cmap.name())),
            f("magnitude", Field::Bool(r.magnitude)),
            // min and max are the 2nd and 98th percentiles of the cells.
            f("percentiles", Field::Bool(r.percentiles)),
        ]),
        Output::Image(r) => written(&r.text, r.written.as_ref()?),
        Output::Vars(rows) => Record::Rows {
            head: vec![f("vars", int(rows.len()))],
            rows: rows
                .iter()
                .map(|r| {
                    let (shape, dtype, kind, file) = match &r.value {
                        Value::View(v) | Value::Void(v) => (
                            Field::ints(&v.shape),
                            Field::Str(v.dtype.short()),
                            if v.source.is_copy() { "copy" } else { "view" },
                            Field::Str(v.source.display()),
                        ),
                        Value::Lazy(l) => (
                            Field::ints(&l.shape),
                            Field::Str(l.dtype.descr()),
                            "computed",
                            Field::Null,
                        ),
                        _ => (Field::Null, Field::Null, "value", Field::Null),
                    };
                    vec![
                        f("name", Field::Str(r.name.clone())),
                        f("shape", shape),
                        f("dtype", dtype),
                        f("kind", Field::str(kind)),
                        f("file", file),
                        f("value", value_field(&r.value)),
                    ]
                })
                .collect(),
        },
        Output::Files(rows) => Record::Rows {
            head: vec![f("files", int(rows.len()))],
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        f("path", Field::Str(r.path.clone())),
                        f("bytes", int(r.len)),
                        f("how", Field::str(r.how)),
                        f("views", int(r.views)),
                        f("note", Field::opt_str(r.note.clone())),
                    ]
                })
                .collect(),
        },
        Output::Info(r) => {
            let mut fields = vec![f("info", Field::Str(r.name.clone()))];
            fields.extend(r.rows.iter().cloned());
            Record::Object(fields)
        }
        Output::Settings(s) => {
            let mut fields = vec![f("settings", Field::Null)];
            fields.extend(super::settings_fields(s));
            Record::Object(fields)
        }
        Output::Document { name, format, text } => Record::Object(vec![
            f("export", Field::Str(name.clone())),
            f("format", Field::Str(format.clone())),
            f("text", Field::Str(text.clone())),
        ]),
        Output::Explain(x) => Record::Steps {
            head: vec![
                f("explain", Field::Str(x.text.clone())),
                f(
                    "plan",
                    x.plan.as_ref().map_or(Field::Null, |p| {
                        Field::Map(vec![
                            f("goal", Field::Str(p.goal.clone())),
                            f("walk", Field::Str(p.walk.clone())),
                            f("block", int(p.block)),
                            f("compute", Field::Str(p.lanes.clone())),
                            f("chunks", int(p.chunks)),
                            f("threads", int(p.threads)),
                            f(
                                "reads",
                                Field::List(
                                    p.reads
                                        .iter()
                                        .map(|r| {
                                            Field::Map(vec![
                                                f("file", Field::Str(r.file.clone())),
                                                f(
                                                    "shape",
                                                    Field::List(
                                                        r.shape.iter().map(|&n| int(n)).collect(),
                                                    ),
                                                ),
                                                f("used", int(r.used)),
                                                f("spanned", int(r.spanned)),
                                                f(
                                                    "gathered",
                                                    match &r.gathered {
                                                        Some(g) => Field::List(
                                                            g.iter().map(|&n| int(n)).collect(),
                                                        ),
                                                        None => Field::Null,
                                                    },
                                                ),
                                            ])
                                        })
                                        .collect(),
                                ),
                            ),
                            f("held", int(p.held)),
                            f(
                                "numpy",
                                Field::List(
                                    p.numpy
                                        .iter()
                                        .map(|(what, b)| {
                                            Field::Map(vec![
                                                f("what", Field::Str(what.clone())),
                                                f("bytes", int(*b)),
                                            ])
                                        })
                                        .collect(),
                                ),
                            ),
                        ])
                    }),
                ),
                f(
                    "numpy",
                    Field::List(x.numpy.iter().cloned().map(Field::Str).collect()),
                ),
                f(
                    "footprint",
                    x.footprint.as_ref().map_or(Field::Null, |fp| {
                        Field::Map(vec![
                            f("low", int(fp.low)),
                            f("high", int(fp.high)),
                            f("used", int(fp.used)),
                            f("pages", int(fp.pages)),
                            f("resident", fp.resident.map_or(Field::Null, int)),
                            f("page_size", int(fp.page_size)),
                            f("file", Field::Str(fp.file.clone())),
                            f("file_bytes", int(fp.file_len)),
                            f(
                                "sharing",
                                Field::List(fp.sharing.iter().cloned().map(Field::Str).collect()),
                            ),
                            f("writes", Field::str(fp.writes)),
                            f(
                                "dataset_files",
                                fp.dataset.map_or(Field::Null, |(n, _)| int(n)),
                            ),
                            f(
                                "mapped_now",
                                fp.dataset.map_or(Field::Null, |(_, m)| int(m)),
                            ),
                            f(
                                "files",
                                Field::List(
                                    fp.files
                                        .iter()
                                        .map(|s| {
                                            Field::Map(vec![
                                                f("path", Field::Str(s.path.clone())),
                                                f("first", int(s.first)),
                                                f("last", int(s.last)),
                                                f("used", int(s.used)),
                                            ])
                                        })
                                        .collect(),
                                ),
                            ),
                        ])
                    }),
                ),
                f(
                    "map",
                    x.map.as_ref().map_or(Field::Null, |m| {
                        Field::Map(vec![
                            f("parent", Field::Str(m.parent.clone())),
                            f("parent_shape", Field::ints(&m.parent_shape)),
                            f("cell", Field::ints(&[m.cell.0, m.cell.1])),
                            f("sampled", Field::Bool(m.sampled)),
                            f(
                                "rows",
                                Field::List(
                                    (0..m.rows)
                                        .map(|r| {
                                            Field::Str(
                                                m.cells[r * m.cols..(r + 1) * m.cols]
                                                    .iter()
                                                    .map(|c| c.to_string())
                                                    .collect(),
                                            )
                                        })
                                        .collect(),
                                ),
                            ),
                        ])
                    }),
                ),
            ],
            rows: x
                .steps
                .iter()
                .map(|s| {
                    let (kind, bytes) = match s.what {
                        StepKind::View => ("view", Field::Null),
                        StepKind::Copy(b) => ("copy", int(b)),
                        StepKind::Computed(b) => ("computed", int(b)),
                        StepKind::Value => ("value", Field::Null),
                    };
                    let view = s.what == StepKind::View;
                    vec![
                        f("step", Field::Str(s.expr.clone())),
                        f("kind", Field::str(kind)),
                        f("bytes", bytes),
                        f("shape", Field::ints(&s.shape)),
                        f(
                            "strides",
                            if view {
                                Field::ints(&s.strides)
                            } else {
                                Field::Null
                            },
                        ),
                        f("offset", s.offset.map_or(Field::Null, int)),
                        f("itemsize", int(s.itemsize)),
                        f("dtype", Field::Str(s.dtype.clone())),
                        f(
                            "contiguous",
                            if view {
                                Field::str(s.contiguity)
                            } else {
                                Field::Null
                            },
                        ),
                        f(
                            "why",
                            Field::List(s.why.iter().cloned().map(Field::Str).collect()),
                        ),
                    ]
                })
                .collect(),
        },
        Output::Dump(d) => Record::Rows {
            head: vec![
                f("bytes", Field::Str(d.text.clone())),
                f("dtype", Field::Str(d.dtype.clone())),
                f("itemsize", int(d.itemsize)),
                f("more", int(d.more)),
            ],
            rows: d
                .rows
                .iter()
                .map(|r| {
                    let hex: String = r.bytes.iter().map(|b| format!("{b:02x}")).collect();
                    let mut row = vec![
                        f("index", Field::ints(&r.index)),
                        f("offset", int(r.offset)),
                        f("file", Field::opt_str(r.file.clone())),
                        f("hex", Field::Str(hex)),
                    ];
                    for (p, v) in d.parts.iter().zip(&r.values) {
                        let name = if p.name.is_empty() { "value" } else { &p.name };
                        row.push(f(name, elem_field(v)));
                    }
                    row
                })
                .collect(),
        },
        _ => return None,
    })
}

/// A picture or histogram written to a file: a note.
/// The fields that say what a walk over segments was (`psd`, `specgram`),
/// the first named after the command.
fn segments_fields(command: &str, h: &crate::eval::welch::SegmentsHead) -> Vec<(String, Field)> {
    vec![
        f(command, Field::Str(h.text.clone())),
        f("samples", int(h.samples)),
        f("fs", Field::Float(h.fs, 8)),
        f("fs_from_metadata", Field::Bool(h.fs_from_metadata)),
        f(
            "centre",
            h.centre.map_or(Field::Null, |c| Field::Float(c, 8)),
        ),
        f("nperseg", int(h.nperseg)),
        f("noverlap", int(h.noverlap)),
        f("segments", int(h.segments)),
        f("scaling", Field::Str(h.scaling.clone())),
    ]
}

fn written(text: &str, w: &crate::eval::draw::Written) -> Record {
    Record::Object(vec![
        f("note", Field::str("wrote")),
        f("of", Field::str(text)),
        f("path", Field::Str(w.path.clone())),
        f("bytes", int(w.bytes)),
        f("pixels", Field::ints(&[w.height, w.width])),
    ])
}

/// The typed fields of a note, after its kind.
fn note_fields(n: &crate::eval::Note) -> Fields {
    use crate::eval::Note;
    match n {
        Note::Closed {
            name,
            file,
            kept_by,
        } => vec![
            f("note", Field::str("closed")),
            f("name", Field::Str(name.clone())),
            f("file", Field::opt_str(file.clone())),
            f(
                "kept_by",
                Field::List(kept_by.iter().cloned().map(Field::Str).collect()),
            ),
        ],
        Note::Saved {
            expr,
            shape,
            dtype,
            path,
            bytes,
            replaced,
        } => vec![
            f("note", Field::str("saved")),
            f("expr", Field::Str(expr.clone())),
            f("shape", Field::ints(shape)),
            f("dtype", Field::Str(dtype.clone())),
            f("path", Field::Str(path.clone())),
            f("bytes", int(*bytes)),
            f("replaced", Field::Bool(*replaced)),
        ],
        Note::Exported {
            name,
            format,
            path,
            bytes,
            replaced,
            data,
        } => vec![
            f("note", Field::str("exported")),
            f("name", Field::Str(name.clone())),
            f("format", Field::Str(format.clone())),
            f("path", Field::Str(path.clone())),
            f("bytes", int(*bytes)),
            f("replaced", Field::Bool(*replaced)),
            f("data", Field::Str(data.clone())),
        ],
        Note::Set { key, value } => vec![
            f("note", Field::str("set")),
            f("key", Field::Str(key.clone())),
            f("value", Field::Str(value.clone())),
        ],
        Note::Import => vec![f("note", Field::str("nothing to import"))],
        Note::Kept { names } => vec![
            f("note", Field::str("computed before the write")),
            f(
                "names",
                Field::List(names.iter().map(|n| Field::Str(n.clone())).collect()),
            ),
        ],
        Note::Compressed { path, member } => vec![
            f("note", Field::str("compressed member not mapped")),
            f("path", Field::Str(path.clone())),
            f("member", Field::Str(member.clone())),
        ],
    }
}

fn opened_fields(o: &crate::eval::Opened) -> Fields {
    let v = &o.view;
    vec![
        f("open", Field::Str(o.name.clone())),
        f("path", Field::Str(v.source.display())),
        f("shape", Field::ints(&v.shape)),
        f("dtype", Field::Str(v.dtype.short())),
        f("offset", int(v.offset)),
        f(
            "order",
            Field::str(if o.order == crate::view::Order::F {
                "F"
            } else {
                "C"
            }),
        ),
        f("file_bytes", int(o.file_len)),
        f("viewed_bytes", int(v.nbytes())),
        f("left_over", int(o.left_over)),
        f("described_by", Field::opt_str(o.described.clone())),
        f("npy_header", Field::Bool(o.from_npy_header)),
        f("shared", Field::Bool(o.shared)),
        f("locked", Field::Bool(o.locked)),
        f("mode", Field::str(v.source.mode.name())),
        f(
            "centred_by",
            v.dtype
                .complex_int_part()
                .and_then(crate::eval::unsigned_centre)
                .map_or(Field::Null, |c| Field::Float(c, 8)),
        ),
        f(
            "assumed",
            Field::List(o.assumed.iter().map(|a| Field::str(*a)).collect()),
        ),
        f(
            "warnings",
            Field::List(o.warnings.iter().map(|w| Field::Str(w.clone())).collect()),
        ),
    ]
}

/// One json object, keys in the given order.
fn object(fields: &Fields) -> serde_json::Value {
    serde_json::Value::Object(
        fields
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect(),
    )
}

fn write_json_line(w: &mut impl Write, v: &serde_json::Value) -> io::Result<()> {
    serde_json::to_writer(&mut *w, v).map_err(io::Error::from)?;
    writeln!(w)
}

pub fn render_json(out: &Output, w: &mut impl Write) -> io::Result<()> {
    match out {
        Output::Batch(all) => all.iter().try_for_each(|o| render_json(o, w)),
        Output::Nothing => Ok(()),
        Output::Value {
            text,
            value: Value::View(v),
        } => {
            let head = vec![
                f("expr", Field::Str(text.clone())),
                f("shape", Field::ints(&v.shape)),
                f("dtype", Field::Str(v.dtype.short())),
                f("file", Field::Str(v.source.display())),
                f("offset", int(v.offset)),
                f("strides", Field::ints(&v.strides)),
            ];
            write_json_data(&head, v, w)
        }
        Output::Value {
            text,
            value: Value::Lazy(l),
        } => {
            let head = vec![
                f("expr", Field::Str(text.clone())),
                f("shape", Field::ints(&l.shape)),
                f("dtype", Field::Str(l.dtype.descr())),
                f("computed", Field::Bool(true)),
            ];
            write_json_data(&head, l, w)
        }
        Output::Value { text, value } => {
            let mut o = object(&vec![f("expr", Field::Str(text.clone()))]);
            let v = match value {
                Value::Scalar(d, b) => elem_json(&d.decode(b)),
                Value::Void(v) => elem_json(&v.dtype.decode(&v.element_bytes(&[]))),
                other => value_field(other).to_json(),
            };
            o["value"] = v;
            let dtype = match value {
                Value::Scalar(d, _) => Some(d.short()),
                Value::Void(v) => Some(v.dtype.short()),
                _ => None,
            };
            if let Some(dtype) = dtype {
                o["dtype"] = serde_json::Value::String(dtype);
            }
            write_json_line(w, &o)
        }
        Output::Opened(o) => write_json_line(w, &object(&opened_fields(o))),
        Output::Note(n) => write_json_line(w, &object(&note_fields(n))),
        Output::Help(h) => write_json_line(w, &object(&vec![f("help", Field::Str(h.clone()))])),
        other => match record(other) {
            Some(Record::Object(fields)) => write_json_line(w, &object(&fields)),
            Some(Record::Rows { head, rows }) => {
                let mut o = object(&head);
                o["rows"] = serde_json::Value::Array(rows.iter().map(object).collect());
                write_json_line(w, &o)
            }
            Some(Record::Steps { head, rows }) => {
                let mut o = object(&head);
                o["steps"] = serde_json::Value::Array(rows.iter().map(object).collect());
                write_json_line(w, &o)
            }
            None => Ok(()),
        },
    }
}

/// `{head..., "data": [...]}` with the nested lists of all elements,
/// written as they are read.
fn write_json_data(head: &Fields, v: &dyn Elements, w: &mut impl Write) -> io::Result<()> {
    let text = object(head).to_string();
    // The head object without its closing brace, then the data.
    write!(w, "{},\"data\":", &text[..text.len() - 1])?;
    write_nested(v, &mut Vec::new(), w)?;
    writeln!(w, "}}")
}

fn write_nested(v: &dyn Elements, idx: &mut Vec<usize>, w: &mut impl Write) -> io::Result<()> {
    let axis = idx.len();
    if axis == v.shape().len() {
        return serde_json::to_writer(&mut *w, &elem_json(&v.elem(idx))).map_err(io::Error::from);
    }
    write!(w, "[")?;
    for i in 0..v.shape()[axis] {
        if i > 0 {
            write!(w, ",")?;
        }
        idx.push(i);
        write_nested(v, idx, w)?;
        idx.pop();
    }
    write!(w, "]")
}

/// One csv cell, quoted when it holds a separator, a quote or a line break
/// (RFC 4180).
pub fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_line(cells: impl IntoIterator<Item = String>, w: &mut impl Write) -> io::Result<()> {
    let cells: Vec<String> = cells.into_iter().map(|c| csv_cell(&c)).collect();
    writeln!(w, "{}", cells.join(","))
}

fn csv_record(fields: &Fields, header: bool, w: &mut impl Write) -> io::Result<()> {
    if header {
        csv_line(fields.iter().map(|(k, _)| k.clone()), w)?;
    }
    csv_line(fields.iter().map(|(_, v)| v.csv_text()), w)
}

pub fn render_csv(out: &Output, w: &mut impl Write, notes: &mut dyn Write) -> io::Result<()> {
    match out {
        Output::Batch(all) => all.iter().try_for_each(|o| render_csv(o, w, notes)),
        Output::Nothing => Ok(()),
        Output::Value {
            value: Value::View(v),
            ..
        } => super::write_csv(v, w),
        Output::Value {
            value: Value::Lazy(l),
            ..
        } => super::write_csv(l, w),
        Output::Value {
            value: Value::Scalar(d, b),
            ..
        } => {
            let mut cells = Vec::new();
            crate::number::exact_cells(&d.decode(b), &mut cells);
            writeln!(w, "{}", cells.join(","))
        }
        Output::Value {
            value: Value::Void(v),
            ..
        } => super::write_csv(v, w),
        Output::Value { value, .. } => match value_field(value) {
            Field::List(items) => csv_line(items.iter().map(Field::csv_text), w),
            other => csv_line([other.csv_text()], w),
        },
        // Only data goes to stdout in csv mode; what a statement did goes
        // to stderr so that `strided --format csv -c '...' > out.csv`
        // stays pure csv.
        Output::Opened(o) => writeln!(notes, "{}", opened_text(o)),
        Output::Note(n) => writeln!(notes, "{}", note_text(n)),
        Output::Help(h) => write!(notes, "{h}"),
        other => match record(other) {
            Some(Record::Object(fields)) => csv_record(&fields, true, w),
            Some(Record::Rows { rows, .. } | Record::Steps { rows, .. }) => {
                for (k, row) in rows.iter().enumerate() {
                    csv_record(row, k == 0, w)?;
                }
                Ok(())
            }
            None => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_with_separators_are_quoted() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("plain"), "plain");
    }
}
