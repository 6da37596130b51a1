//! Rendering: [`Output`]s as tables (comfy-table), csv or json, written to
//! any `impl Write`. Printing a view reads only the elements it shows in a
//! table; csv and json write every element, streaming.

mod draw;
mod machine;
mod table;
mod teach;

use table::{fit, new_table, plain_table, right_align_from, table_columns};
pub use table::{write_view_table, TABLE_COLS, TABLE_ROWS};

use crate::compute::Elements;
use crate::eval::{Format, HistReport, Note, Opened, Output, Settings, StatsReport, Value};
pub use crate::io::csv::write_csv;
use crate::number;
use crate::report::{Field, Fields};
use crate::text::clip;
use crate::text::shape_repr;
use crate::view::{Order, View};
use comfy_table::CellAlignment;
use std::io::{self, Write};

/// Writes one statement's output.
pub fn render(
    out: &Output,
    settings: &Settings,
    w: &mut impl Write,
    notes: &mut dyn Write,
) -> io::Result<()> {
    match settings.format {
        Format::Table => {
            let mut text = Vec::new();
            render_text(out, settings, &mut text)?;
            w.write_all(fit_prose(&String::from_utf8_lossy(&text), settings.width).as_bytes())
        }
        Format::Csv => machine::render_csv(out, w, notes),
        Format::Json => machine::render_json(out, w),
    }
}

fn render_text(out: &Output, s: &Settings, w: &mut impl Write) -> io::Result<()> {
    match out {
        Output::Batch(all) => all.iter().try_for_each(|o| render_text(o, s, w)),
        Output::Nothing => Ok(()),
        Output::Value { text, value } => match value {
            Value::View(v) | Value::Void(v) => write_view_table(text, v, s, w),
            Value::Lazy(l) => write_view_table(text, l, s, w),
            other => writeln!(w, "{}", other.repr()),
        },
        Output::Opened(o) => writeln!(w, "{}", opened_text(o)),
        Output::Note(n) => writeln!(w, "{}", note_text(n)),
        Output::Help(h) => write!(w, "{h}"),
        Output::Document { text, .. } => write!(w, "{text}"),
        Output::Stats(r) => write_stats(r, s, w),
        Output::Hist(h) => write_hist(h, s, w),
        Output::Psd(p) => write_psd(p, s, w),
        Output::Specgram(p) => write_specgram(p, s, w),
        Output::Guess(g) => write_guess(g, w),
        Output::Explain(x) => teach::write_explain(x, s.width, w),
        Output::Info(r) => {
            writeln!(w, "info {}", r.name)?;
            let mut t = new_table(s.width);
            for (k, v) in &r.rows {
                let text = match v {
                    // Byte counts also in KiB, MiB, ...
                    Field::Int(n) if k.ends_with("bytes") || k.contains("nbytes") => {
                        let human = crate::number::human_bytes(*n as u64);
                        if human.ends_with(" bytes") {
                            n.to_string()
                        } else {
                            format!("{n} ({human})")
                        }
                    }
                    other => other.human(),
                };
                t.add_row([clip(k).into_owned(), clip(&text).into_owned()]);
            }
            writeln!(w, "{t}")
        }
        Output::Dump(d) => teach::write_dump(d, s.precision, w),
        Output::Plot(p) => draw::write_plot(p, s.precision, w),
        Output::Image(r) => draw::write_image(r, s.precision, draw::Escapes::from_settings(s), w),
        Output::Settings(st) => {
            let mut t = new_table(s.width);
            t.set_header(["setting", "value"]);
            for (k, v) in settings_rows(st) {
                t.add_row([k.to_string(), v]);
            }
            writeln!(w, "{t}")
        }
        Output::Vars(rows) => {
            if rows.is_empty() {
                return writeln!(w, "no names yet: `open FILE` binds one");
            }
            let mut t = new_table(s.width);
            t.set_header(["name", "shape", "dtype", "what"]);
            for r in rows {
                match &r.value {
                    Value::View(v) | Value::Void(v) => t.add_row([
                        r.name.clone(),
                        shape_repr(&v.shape),
                        clip(&v.dtype.short()).into_owned(),
                        if v.source.is_copy() {
                            format!("copy, {}", crate::number::human_bytes(v.source.len()))
                        } else {
                            format!("view of {}", v.source.display())
                        },
                    ]),
                    Value::Lazy(l) => t.add_row([
                        r.name.clone(),
                        shape_repr(&l.shape),
                        l.dtype.descr(),
                        match l.copy_kind() {
                            Some(k) => format!(
                                "copy ({k}), {} in NumPy; streamed",
                                crate::number::human_bytes((l.size() * l.dtype.size) as u64)
                            ),
                            None => "computed, not stored".into(),
                        },
                    ]),
                    other => t.add_row([
                        r.name.clone(),
                        String::new(),
                        String::new(),
                        clip(&other.repr()).into_owned(),
                    ]),
                };
            }
            writeln!(w, "{t}")
        }
        Output::Files(rows) => {
            if rows.is_empty() {
                return writeln!(w, "no files are mapped");
            }
            let mut t = new_table(s.width);
            t.set_header(["file", "bytes", "how", "views", "note"]);
            for r in rows {
                t.add_row([
                    r.path.clone(),
                    r.len.to_string(),
                    r.how.to_string(),
                    r.views.to_string(),
                    r.note.clone().unwrap_or_default(),
                ]);
            }
            if let Some(c) = t.column_mut(1) {
                c.set_cell_alignment(CellAlignment::Right);
            }
            writeln!(w, "{t}")
        }
    }
}

fn index_text(idx: &Option<Vec<usize>>) -> String {
    match idx {
        Some(i) if i.len() == 1 => format!("[{}]", i[0]),
        Some(i) => format!(
            "[{}]",
            i.iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => String::new(),
    }
}

/// The `stats` table: one row per statistic.
fn write_stats(r: &StatsReport, s: &Settings, w: &mut impl Write) -> io::Result<()> {
    let of = if r.magnitude {
        format!("|{}|", r.text)
    } else {
        r.text.clone()
    };
    writeln!(
        w,
        "stats of {of}: shape {}, dtype {}",
        shape_repr(&r.shape),
        r.dtype
    )?;
    // Min and max in the data's own dtype (integers for integer data),
    // mean and std in NumPy's result dtype, as `min(x)` and `mean(x)` print.
    let extreme = |x: f64| match r.float_size {
        Some(size) => number::table_float(x, size, s.precision),
        None if x.is_finite() => format!("{}", x as i128),
        None => number::table_float(x, 8, s.precision),
    };
    let f = |x: f64| number::table_float(x, r.float_size.unwrap_or(8), s.precision);
    let mut t = new_table(s.width);
    t.set_header(["", "value", "at"]);
    t.add_row(["count".to_string(), r.count.to_string(), String::new()]);
    t.add_row(["nan".to_string(), r.nan.to_string(), String::new()]);
    t.add_row([
        "+inf / -inf".to_string(),
        format!("{} / {}", r.posinf, r.neginf),
        String::new(),
    ]);
    let (min, max) = match r.exact {
        Some((lo, hi)) => (lo.to_string(), hi.to_string()),
        None => (extreme(r.min), extreme(r.max)),
    };
    t.add_row(["min".to_string(), min, index_text(&r.argmin)]);
    t.add_row(["max".to_string(), max, index_text(&r.argmax)]);
    t.add_row(["mean".to_string(), f(r.mean), String::new()]);
    t.add_row(["std".to_string(), f(r.std), String::new()]);
    if let Some(quartiles) = r.quartiles {
        for (name, q) in ["25%", "median", "75%"].iter().zip(quartiles) {
            t.add_row([name.to_string(), f(q), String::new()]);
        }
    }
    if let Some(c) = t.column_mut(1) {
        c.set_cell_alignment(CellAlignment::Right);
    }
    writeln!(w, "{t}")?;
    if r.quartiles.is_none() {
        writeln!(
            w,
            "(quartiles: `percentile({}, [25, 50, 75])`, exact, two more passes)",
            r.text
        )?;
    }
    if r.nan + r.posinf + r.neginf > 0 {
        writeln!(
            w,
            "(mean and std are of the finite values; the quartiles of all but NaN)"
        )?;
    }
    Ok(())
}

/// The `hist` chart: one line per bin with its edges, count and a bar.
/// `guess`: the format or text it found, or the layouts best first, each
/// with its `open` line, score and evidence.
fn write_guess(g: &crate::eval::guess::GuessReport, w: &mut impl Write) -> io::Result<()> {
    use crate::guess::Finding;
    let path = crate::text::escape(&g.path);
    for n in &g.notes {
        writeln!(w, "note: {n}")?;
    }
    match &g.finding {
        Finding::Format { what, opens, hint } => writeln!(
            w,
            "{path}: {what}{}\n  {hint}",
            if *opens { " (strided opens it)" } else { "" }
        ),
        Finding::Text { hint } => writeln!(w, "{path}: text, not binary numbers\n  {hint}"),
        Finding::Constant { byte } => writeln!(
            w,
            "{path}: every sampled byte is 0x{byte:02x} ({} bytes of {}): nothing to tell a layout by",
            g.sampled, g.len
        ),
        Finding::Layouts(c) => {
            writeln!(
                w,
                "guess {path}: {} bytes, {} sampled; the likeliest layouts first:",
                g.len, g.sampled
            )?;
            for (k, (c, open)) in c.iter().zip(&g.opens).enumerate() {
                writeln!(w, "{}. {open}   (score {:.2})", k + 1, c.score)?;
                for e in &c.evidence {
                    writeln!(w, "     {e}")?;
                }
            }
            if let Some(close) = &g.close {
                writeln!(w, "{close}")?;
            }
            Ok(())
        }
    }
}

/// `specgram`: what was computed, the axes, then the waterfall (the
/// picture `image` draws, or the note of the PNG written).
fn write_specgram(
    p: &crate::eval::welch::SpecgramReport,
    s: &Settings,
    w: &mut impl Write,
) -> io::Result<()> {
    // Numbers as a person writes them: 6 significant digits (10 for times
    // and frequencies, to tell bins apart around gigahertz), no trailing dot.
    let digits = |x: f64, d: usize| -> String {
        let rounded: f64 = format!("{x:.*e}", d - 1).parse().unwrap_or(x);
        format!("{rounded}")
    };
    let f = |x: f64| digits(x, 6);
    let freq = |x: f64| digits(x, 10);
    // Seconds and hertz once a rate is known (fs=1 counts samples).
    let units = p.head.fs_from_metadata || p.head.fs != 1.0;
    let unit = if units { " Hz" } else { "" };
    writeln!(
        w,
        "specgram of {}: {} samples, {} segments of {} (overlap {}), fs {}{}{}",
        crate::text::escape(&p.head.text),
        p.head.samples,
        p.head.segments,
        p.head.nperseg,
        p.head.noverlap,
        f(p.head.fs),
        unit,
        if p.head.fs_from_metadata {
            " (SigMF)"
        } else {
            ""
        },
    )?;
    writeln!(
        w,
        "  time down {} to {}{}, {} segment{} a row",
        freq(p.time_ends.0),
        freq(p.time_ends.1),
        if units { " s" } else { "" },
        p.per_row,
        if p.per_row == 1 { "" } else { "s" },
    )?;
    writeln!(
        w,
        "  frequency across {} to {}{}, {} bin{} a column ({}{})",
        freq(p.freq_ends.0),
        freq(p.freq_ends.1),
        unit,
        p.per_column,
        if p.per_column == 1 { "" } else { "s" },
        if p.head.two_sided {
            "two-sided"
        } else {
            "one-sided"
        },
        match p.head.centre {
            Some(c) => format!(", around the centre {} Hz", freq(c)),
            None => String::new(),
        }
    )?;
    let r = &p.image;
    let cells = match r.reduced {
        None => "one segment and bin a cell".to_string(),
        Some(h) => format!(
            "each cell the {} of its segments and bins",
            if h == crate::compute::bins::Shrink::Max {
                "maximum"
            } else {
                "mean"
            }
        ),
    };
    if let Some(file) = &r.written {
        return writeln!(
            w,
            "  wrote {}x{} cells to {} ({}x{} px, {})\n  {cells}; {} {} to {} dB",
            r.rows,
            r.cols,
            crate::text::escape(&file.path),
            file.width,
            file.height,
            number::human_bytes(file.bytes),
            r.cmap.name(),
            f(r.lo),
            f(r.hi)
        );
    }
    writeln!(
        w,
        "  {cells}; {} {} to {} dB",
        r.cmap.name(),
        f(r.lo),
        f(r.hi)
    )?;
    draw::write_pixels(r, s.precision, draw::Escapes::from_settings(s), w)
}

/// `psd`: what was computed, the strongest peaks, the noise floor and
/// total power, then the spectrum in dB as a plot.
fn write_psd(
    p: &crate::eval::welch::PsdReport,
    s: &Settings,
    w: &mut impl Write,
) -> io::Result<()> {
    let f = |x: f64| {
        number::table_float(x, 8, s.precision.min(6))
            .trim()
            .to_string()
    };
    writeln!(
        w,
        "psd of {}: {} samples, {} segments of {} (overlap {})\n  fs {}{}\n  {} {}",
        p.head.text,
        p.head.samples,
        p.head.segments,
        p.head.nperseg,
        p.head.noverlap,
        f(p.head.fs),
        match (p.head.fs_from_metadata, p.head.centre) {
            (true, Some(c)) => format!(
                " Hz (SigMF), around the centre {} Hz",
                number::table_float(c, 8, 12).trim()
            ),
            (true, None) => " Hz (SigMF)".to_string(),
            _ => String::new(),
        },
        if p.head.scaling == "density" {
            "power per unit of frequency"
        } else {
            "power per bin"
        },
        if p.head.two_sided {
            "(two-sided)"
        } else {
            "(one-sided)"
        }
    )?;
    if p.peaks.is_empty() {
        writeln!(w, "no peak stands 10 dB above the noise floor")?;
    }
    let mut t = new_table(s.width);
    t.set_header(["peak frequency", "power (dB)", "above floor (dB)"]);
    // Frequencies with enough digits to tell bins apart around a centre of
    // gigahertz.
    let freq_text = |x: f64| number::table_float(x, 8, 12).trim().to_string();
    for &(freq, db) in &p.peaks {
        t.add_row([freq_text(freq), f(db), f(db - p.floor_db)]);
    }
    right_align_from(&mut t, 0);
    if !p.peaks.is_empty() {
        writeln!(w, "{t}")?;
    }
    writeln!(
        w,
        "noise floor (median bin) {} dB; total power {}",
        f(p.floor_db),
        f(p.total)
    )?;
    draw::write_plot(&p.plot, s.precision, w)
}

fn write_hist(h: &HistReport, s: &Settings, w: &mut impl Write) -> io::Result<()> {
    const WIDTH: usize = 40;
    if let Some(f) = &h.written {
        return writeln!(
            w,
            "wrote a histogram of {} ({} bins over [{}, {}]) to {} ({}x{} px, {})",
            h.text,
            h.counts.len(),
            number::table_float(h.lo, h.edge_size, s.precision.min(6)),
            number::table_float(h.hi, h.edge_size, s.precision.min(6)),
            f.path,
            f.width,
            f.height,
            crate::number::human_bytes(f.bytes)
        );
    }
    let n = h.counts.len();
    let top = h.counts.iter().copied().max().unwrap_or(0).max(1);
    let edge = |k: usize| h.edges[k];
    let f = |x: f64| number::table_float(x, h.edge_size, s.precision.min(6));
    let labels: Vec<String> = (0..n)
        .map(|k| {
            format!(
                "[{}, {}{}",
                f(edge(k)),
                f(edge(k + 1)),
                if k + 1 == n { "]" } else { ")" }
            )
        })
        .collect();
    let lw = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let cw = h
        .counts
        .iter()
        .map(|c| c.to_string().len())
        .max()
        .unwrap_or(1);
    writeln!(
        w,
        "hist of {}: {} bins over [{}, {}]",
        h.text,
        n,
        f(h.lo),
        f(h.hi)
    )?;
    for (label, &c) in labels.iter().zip(&h.counts) {
        // Eighths of a character, so small counts still show.
        let eighths = (c as u128 * (WIDTH as u128) * 8).div_ceil(top as u128) as usize;
        let mut bar = "█".repeat(eighths / 8);
        if !eighths.is_multiple_of(8) {
            bar.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8 - 1]);
        }
        writeln!(w, "{label:>lw$}  {c:>cw$}  {bar}")?;
    }
    if h.outside + h.nan > 0 {
        writeln!(
            w,
            "({} outside the range, {} NaN, not counted)",
            h.outside, h.nan
        )?;
    }
    Ok(())
}

fn settings_rows(s: &Settings) -> Vec<(&'static str, String)> {
    let opt = |o: Option<usize>, d: usize, e: usize| {
        o.map_or_else(
            || format!("{d}, or {e} (2 x edgeitems) when summarised"),
            |n| n.to_string(),
        )
    };
    vec![
        ("precision", s.precision.to_string()),
        ("threshold", s.threshold.to_string()),
        ("edgeitems", s.edgeitems.to_string()),
        ("rows", opt(s.rows, TABLE_ROWS, 2 * s.edgeitems)),
        ("cols", opt(s.cols, TABLE_COLS, 2 * s.edgeitems)),
        ("format", s.format.name().to_string()),
        ("memory", crate::number::human_bytes(s.memory)),
        (
            "width",
            if s.follow_terminal {
                format!("{} (the terminal's)", s.width)
            } else {
                s.width.to_string()
            },
        ),
    ]
}

/// The settings as typed fields (`rows`/`cols` null when automatic).
fn settings_fields(s: &Settings) -> Fields {
    let n = |k: &str, v: usize| (k.to_string(), Field::Int(v as i128));
    let opt = |k: &str, v: Option<usize>| {
        (
            k.to_string(),
            v.map_or(Field::Null, |v| Field::Int(v as i128)),
        )
    };
    vec![
        n("precision", s.precision),
        n("threshold", s.threshold),
        n("edgeitems", s.edgeitems),
        opt("rows", s.rows),
        opt("cols", s.cols),
        ("format".into(), Field::str(s.format.name())),
        ("memory".into(), Field::Int(s.memory as i128)),
        n("width", s.width),
    ]
}

/// A note as a sentence.
pub fn note_text(n: &Note) -> String {
    match n {
        Note::Closed { name, file: None, .. } => format!("closed {name}"),
        Note::Closed {
            name,
            file: Some(file),
            kept_by,
        } if kept_by.is_empty() => format!("closed {name}; {file} is no longer mapped"),
        Note::Closed {
            name,
            file: Some(file),
            kept_by,
        } => format!("closed {name}; {file} stays mapped for {}", kept_by.join(", ")),
        Note::Saved {
            expr,
            shape,
            dtype,
            path,
            bytes,
            replaced,
        } => format!(
            "saved {expr} ({} {dtype}) to {} ({bytes} bytes){}",
            shape_repr(shape),
            crate::text::escape(path),
            if *replaced {
                ", replacing the file that was there"
            } else {
                ""
            }
        ),
        Note::Exported {
            name,
            format,
            path,
            bytes,
            replaced,
            data,
        } => {
            let what = if format == "dask" {
                format!("a Dask program that computes {name}")
            } else {
                format!("the {format} layout of {name}")
            };
            let mut s = format!(
                "wrote {what} to {} ({bytes} bytes){}",
                crate::text::escape(path),
                if *replaced {
                    ", replacing the file that was there"
                } else {
                    ""
                }
            );
            if format == "envi" {
                s.push_str(&format!(
                    "; ENVI looks for the header beside the data file, as {data}.hdr"
                ));
            }
            if format == "dask" {
                s.push_str(&format!(
                    "; run it with python3 {} [--scheduler tcp://HOST:8786] (without one it starts a LocalCluster)",
                    crate::text::escape(path)
                ));
            }
            s
        }
        Note::Set { key, value } => format!("{key} = {value}"),
        Note::Import => "nothing to import: names are NumPy's here (np.mean(d) is mean(d))".into(),
        Note::Kept { names } => format!(
            "{} {} the bytes this wrote: computed into memory first, {} the values NumPy gave {} when assigned",
            names.join(", "),
            if names.len() == 1 { "reads" } else { "read" },
            if names.len() == 1 { "it keeps" } else { "they keep" },
            if names.len() == 1 { "it" } else { "them" }
        ),
        Note::Compressed { path, member } => format!(
            "{}: member {} is compressed (np.savez_compressed): not mapped; save it with np.savez to view it in place",
            crate::text::escape(path),
            crate::text::escape(member)
        ),
    }
}

/// The summary `open` prints: what it mapped and what it assumed.
pub fn opened_text(o: &Opened) -> String {
    let v = &o.view;
    let mut s = format!(
        "{} = {}: shape {}, dtype {} ({}), offset {}",
        o.name,
        v.source.display(),
        shape_repr(&v.shape),
        clip(&v.dtype.short()),
        describe_dtype(v),
        v.offset
    );
    if o.order == Order::F {
        s.push_str(", order F");
    }
    s.push_str(&format!(
        "\n  {} of {} bytes viewed, {} left over",
        v.nbytes(),
        o.file_len,
        o.left_over
    ));
    match &o.described {
        Some(d) => s.push_str(&format!("; layout read from {d}")),
        None if o.from_npy_header => s.push_str("; layout read from the .npy header"),
        None => {}
    }
    if o.locked {
        s.push_str("\n  warning: another program holds a write lock on this file: its contents may change while you read");
    }
    if o.shared {
        s.push_str("; the file was already mapped: this view shares that mapping");
    }
    match v.source.mode {
        crate::source::Mode::Write => s.push_str(
            "\n  mode=r+: assignments write to the file (`flush` syncs it to disk)",
        ),
        crate::source::Mode::Copy => s.push_str(
            "\n  mode=c: assignments change this session's copy of the pages; the file stays as it is",
        ),
        crate::source::Mode::Read => {}
    }
    if let Some(c) = v
        .dtype
        .complex_int_part()
        .and_then(crate::eval::unsigned_centre)
    {
        s.push_str(&format!(
            "\n  unsigned samples: they compute centred, as (r - {c}) + (i - {c})j"
        ));
    }
    for warning in &o.warnings {
        s.push_str(&format!("\n  warning: {warning}"));
    }
    if !o.assumed.is_empty() {
        s.push_str(&format!("\n  assumed: {}", o.assumed.iter().map(|a| match (*a, &o.dtype_from) {
            ("dtype", Some(from)) => format!("dtype {from}"),
            ("dtype", None) => "dtype c8 (complex64, little-endian: interleaved float32 real and imaginary)".into(),
            ("shape", _) => "shape 1-D over the rest of the file".into(),
            ("name", _) => "name d".into(),
            (other, _) => other.to_string(),
        }).collect::<Vec<_>>().join("; ")));
    }
    s
}

fn describe_dtype(v: &View) -> String {
    match v.dtype.as_scalar() {
        Some(sc) => {
            let order = if sc.size == 1 {
                ""
            } else if sc.order == crate::dtype::ByteOrder::Little {
                ", little-endian"
            } else {
                ", big-endian"
            };
            format!("{}{order}", sc.name())
        }
        None => match &v.dtype {
            crate::dtype::Dtype::Text(t) if t.unicode => format!(
                "str of {} characters, {}",
                t.chars,
                if t.order == crate::dtype::ByteOrder::Little {
                    "little-endian"
                } else {
                    "big-endian"
                }
            ),
            crate::dtype::Dtype::Text(t) => format!("bytes of {} characters", t.chars),
            _ => format!("record of {} bytes", v.dtype.itemsize()),
        },
    }
}

/// Text output with every line of prose wider than `width` wrapped at
/// spaces ([`crate::text::wrap`]). Tables (which fit by their own rule)
/// and pictures (braille, half blocks, colour escapes) pass unchanged.
fn fit_prose(text: &str, width: usize) -> String {
    let drawn = |l: &str| {
        l.contains('\u{1b}')
            || l.trim_start()
                .starts_with(|c| matches!(c, '\u{2500}'..='\u{259f}' | '\u{2800}'..='\u{28ff}'))
    };
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        if crate::text::columns(body) <= width || drawn(body) {
            out.push_str(line);
        } else {
            out.push_str(&crate::text::wrap(body, width));
            if line.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}
