//! `open`: a file (or `.npz` member) found, mapped once and checked
//! against the layout asked for or described: the shape (with one `-1`
//! inferred), dtype, offset and order, with every size and offset checked
//! before a view is made.

use super::{info, open_error, Note, Opened, Output, Session, Sidecar, Value};
use crate::diag::{Error, ErrorKind};
use crate::dtype::Dtype;
use crate::npy;
use crate::source::{Mode, OpenFailure, Source};
use crate::syntax::{Open, Span, Spanned};
use crate::view::{Order, View};
use std::path::Path;
use std::sync::Arc;

impl Session {
    /// Opens (or finds already mapped) a file for a value, within this
    /// session's memory limit and cancellation.
    pub(super) fn open_file(
        &mut self,
        file: &Path,
        want: Option<u64>,
        mode: Mode,
    ) -> Result<(Arc<Source>, bool), OpenFailure> {
        let control = self.control.clone();
        let cancelled = || control.cancelled();
        let limits = crate::source::Limits {
            memory: self.settings.memory,
            cancelled: &cancelled,
        };
        self.files.open(file, want, &limits, mode)
    }

    /// How many bytes a device or FIFO must give for this `open`: the
    /// offset plus the shape's bytes, when both are known without the file.
    pub(super) fn bytes_wanted(&self, o: &Open) -> Option<u64> {
        let dims = &o.shape.as_ref()?.node;
        if dims.iter().any(|&d| d < 0) {
            return None;
        }
        let itemsize = match &o.dtype {
            Some(l) => Dtype::from_lit(l).ok()?.itemsize(),
            None => Dtype::default_for_open().itemsize(),
        } as u128;
        let offset = match &o.offset {
            Some(e) => match self.eval(e).ok()? {
                Value::Int(n) if n >= 0 => n as u128,
                _ => return None,
            },
            None => 0,
        };
        let n = dims
            .iter()
            .try_fold(itemsize, |acc, &d| acc.checked_mul(d as u128))?;
        u64::try_from(n.checked_add(offset)?).ok()
    }

    pub(super) fn open(&mut self, o: &Open) -> Result<Output, Error> {
        let path = &o.path;
        let user_layout = o.shape.is_some() || o.dtype.is_some() || o.offset.is_some();
        let open_failure = |(reason, hint): crate::formats::Failure| open_error(path, reason, hint);
        if let Some(paths) = self.dataset_paths(o)? {
            return self.open_dataset(o, paths).map(Output::Opened);
        }
        if let Some(at) = o.guess {
            if let Some(opened) = self.open_guessed(o, at, user_layout)? {
                return Ok(Output::Opened(opened));
            }
        }
        // A layout given for SigMF's JSON would read the JSON as samples.
        if user_layout {
            if let Some(stem) = path.node.strip_suffix(".sigmf-meta") {
                return Err(open_error(
                    path,
                    "it is SigMF's description (JSON), not the samples".into(),
                    Some(format!(
                        "open {0}.sigmf-meta alone reads the layout from it; to override it, give yours for the data: open {0}.sigmf-data ...",
                        crate::text::escape(stem)
                    )),
                ));
            }
        }
        if !user_layout && crate::formats::npz::is_npz(Path::new(&path.node)) {
            return self.open_npz(o);
        }
        if !user_layout && path.node.ends_with(".sigmf") && Path::new(&path.node).is_file() {
            let all = crate::formats::sigmf::archive_recordings(Path::new(&path.node))
                .map_err(open_failure)?;
            if all.len() > 1 {
                return self.open_recordings(o, all);
            }
        }
        if !user_layout {
            if let Some(desc) =
                crate::formats::describe(Path::new(&path.node)).map_err(open_failure)?
            {
                return self.open_described(o, desc).map(Output::Opened);
            }
        }
        self.open_raw(o).map(Output::Opened)
    }

    /// `open PATH guess`: the file opened as `guess`'s first layout says
    /// (`None` when the file is a format `open` reads as it is).
    fn open_guessed(
        &mut self,
        o: &Open,
        at: Span,
        user_layout: bool,
    ) -> Result<Option<Opened>, Error> {
        use crate::guess::Finding;
        let path = &o.path;
        if user_layout {
            return Err(Error::new(
                ErrorKind::Type {
                    message: "`guess` chooses the layout; this open gives one too".into(),
                    hint: Some("drop `guess`, or the shape, dtype and offset".into()),
                },
                at,
            ));
        }
        // A file that describes itself is opened as it says, not guessed.
        if let Some(side) = super::guess::sidecar(std::path::Path::new(&path.node)) {
            let side = side.display().to_string();
            let described = Open {
                path: Spanned {
                    node: side.clone(),
                    span: path.span,
                },
                guess: None,
                ..o.clone()
            };
            let fail = |(reason, hint): crate::formats::Failure| open_error(path, reason, hint);
            if let Some(desc) = crate::formats::describe(Path::new(&side)).map_err(fail)? {
                let mut opened = self.open_described(&described, desc)?;
                opened.described = Some(format!(
                    "{} (not guessed: a file's own description wins over a guess)",
                    opened.described.as_deref().unwrap_or(&side)
                ));
                return Ok(Some(opened));
            }
        }
        let g = self.guess(path)?;
        let candidates = match g.finding {
            Finding::Format { opens: true, .. } => return Ok(None),
            Finding::Format { what, hint, .. } => {
                return Err(open_error(
                    path,
                    format!("it is {what}, not raw numbers"),
                    Some(hint),
                ))
            }
            Finding::Constant { byte } => {
                return Err(open_error(
                    path,
                    format!("every sampled byte is 0x{byte:02x}: nothing to guess a layout from"),
                    Some("give the layout: open PATH SHAPE DTYPE".into()),
                ))
            }
            Finding::Text { hint } => {
                return Err(open_error(
                    path,
                    "it is text, not raw numbers".into(),
                    Some(hint),
                ))
            }
            Finding::Layouts(c) => c,
        };
        let Some(first) = candidates.first() else {
            return Err(open_error(path, "guess found no layout".into(), None));
        };
        // The candidate's own open line, parsed, for this path and name.
        let line = first.open_line("guessed");
        let chosen = match crate::syntax::parse_line(&line) {
            Ok(s) => match s.into_iter().next() {
                Some((crate::syntax::Stmt::Open(c), _)) => c,
                _ => unreachable!("an open line parses as open"),
            },
            Err(_) => unreachable!("guess writes open lines that parse"),
        };
        let chosen = Open {
            path: path.clone(),
            name: o.name.clone(),
            guess: None,
            ..chosen
        };
        let mut opened = self.open_raw(&chosen)?;
        opened.assumed.retain(|a| *a == "name");
        opened.described = Some(format!(
            "guess: {} (the first of {}; `guess {}` says why)",
            line.trim_start_matches("open guessed").trim(),
            candidates.len(),
            crate::text::escape(&path.node)
        ));
        Ok(Some(opened))
    }

    /// `open` of a file described by a header or sidecar (SigMF, ENVI, VRT).
    pub(super) fn open_described(
        &mut self,
        o: &Open,
        desc: crate::formats::Described,
    ) -> Result<Opened, Error> {
        let path = &o.path;
        let fail = |reason: String, hint: Option<String>| open_error(path, reason, hint);
        let (source, shared) =
            self.open_file(&desc.data, None, mode_of(o))
                .map_err(|f| match f {
                    OpenFailure::Interrupted => Error::new(ErrorKind::Interrupted, path.span),
                    f => fail(
                        format!("{} (the data file {})", f.reason(), desc.data.display()),
                        f.hint(),
                    ),
                })?;
        let data_span = Spanned {
            node: desc.data.display().to_string(),
            span: path.span,
        };
        let view = match (&desc.strides, &desc.segments) {
            (None, Some(segments)) => self
                .segmented_view(&source, segments, desc.shape.as_deref(), &desc.dtype)
                .map_err(|reason| fail(reason, None))?,
            (None, None) => self.layout(
                &source,
                desc.offset,
                desc.shape.clone(),
                desc.dtype.clone(),
                Order::C,
                &data_span,
                path.span,
            )?,
            (Some(strides), _) => {
                let shape: Vec<usize> = desc
                    .shape
                    .as_ref()
                    .expect("strided descriptions have shapes")
                    .iter()
                    .map(|&n| {
                        usize::try_from(n)
                            .ok()
                            .filter(|&n| isize::try_from(n).is_ok())
                    })
                    .collect::<Option<_>>()
                    .ok_or_else(|| fail("the described shape is too large".into(), None))?;
                let offset = usize::try_from(desc.offset)
                    .map_err(|_| fail("the described offset is too large".into(), None))?;
                View::with_strides(
                    source.clone(),
                    offset,
                    shape,
                    strides.clone(),
                    desc.dtype.clone(),
                )
                .ok_or_else(|| {
                    fail(
                        format!(
                            "the {} layout reaches past the end of {} ({} bytes)",
                            desc.format,
                            desc.data.display(),
                            source.len()
                        ),
                        Some(
                            "check the offsets and sizes in the description against the data file"
                                .into(),
                        ),
                    )
                })?
            }
        };
        let mut assumed = Vec::new();
        let name = bound_name(o, &mut assumed);
        if let Ok(m) = std::fs::metadata(&desc.described_by) {
            use std::os::unix::fs::MetadataExt;
            self.sidecars.retain(|s| s.of.strong_count() > 0);
            self.sidecars.push(Sidecar {
                of: Arc::downgrade(&view.source),
                name: name.clone(),
                format: format!("{} description", desc.format),
                dev: m.dev(),
                ino: m.ino(),
            });
        }
        let mut opened = self.bind_opened(name.clone(), view, Order::C, false, shared, assumed);
        let described = format!("{} {}", desc.format, desc.described_by.display());
        opened.described = Some(described);
        self.meta.insert(
            name,
            info::Meta {
                format: desc.format.to_string(),
                described_by: Some(desc.described_by.display().to_string()),
                axes: desc.axes,
                facts: desc.facts,
            },
        );
        Ok(opened)
    }

    /// `open x.npz [as PREFIX]`: every uncompressed member mapped in place,
    /// bound to its own name (or `PREFIX_name`). All readable members are
    /// laid out before any is bound, so a member that cannot be read binds
    /// none; a compressed member is named and left out; a member that
    /// takes the name of an earlier value says so.
    pub(super) fn open_npz(&mut self, o: &Open) -> Result<Output, Error> {
        let path = &o.path;
        let fail = |(reason, hint): crate::formats::Failure| open_error(path, reason, hint);
        let members = crate::formats::npz::members(Path::new(&path.node)).map_err(fail)?;
        let (source, shared) = self
            .open_file(Path::new(&path.node), None, mode_of(o))
            .map_err(|f| match f {
                OpenFailure::Interrupted => Error::new(ErrorKind::Interrupted, path.span),
                f => fail((f.reason(), f.hint())),
            })?;
        let mut out = Vec::new();
        let mut laid = Vec::new();
        for m in members {
            let ident = identifier(&m.name);
            let name = match &o.name {
                Some(p) => format!("{}_{ident}", p.node),
                None => ident,
            };
            let Some(start) = m.start else {
                out.push(Output::Note(Note::Compressed {
                    path: path.node.clone(),
                    member: m.name.clone(),
                }));
                continue;
            };
            let bytes = source.bytes();
            let member = usize::try_from(start)
                .ok()
                .and_then(|s| bytes.get(s..s.checked_add(usize::try_from(m.len).ok()?)?))
                .ok_or_else(|| {
                    fail((format!("member {} lies outside the archive", m.name), None))
                })?;
            let h = npy::read_header(member).map_err(|reason| {
                Error::new(
                    ErrorKind::Npy {
                        path: format!("{}:{} (no member was bound)", path.node, m.name),
                        reason,
                    },
                    path.span,
                )
            })?;
            let view = self.layout(
                &source,
                start + h.data_offset as u64,
                Some(h.shape.iter().map(|&n| n as i128).collect()),
                h.dtype,
                h.order,
                path,
                path.span,
            )?;
            laid.push((m, name, view, h.order));
        }
        for (m, name, view, order) in laid {
            let replaces = self.names.get(&name).map(|v| v.kind_name());
            let mut opened = self.bind_opened(
                name.clone(),
                view,
                order,
                true,
                shared || !out.is_empty(),
                Vec::new(),
            );
            opened.described = Some(format!(
                "member {} of the .npz archive, stored uncompressed",
                m.name
            ));
            if let Some(kind) = replaces {
                opened.warnings.push(format!(
                    "`{name}` named {kind} before; it is this member now (open ... as PREFIX keeps both)"
                ));
            }
            self.meta.insert(
                name,
                info::Meta {
                    format: format!(".npz member {} (stored, mapped in place)", m.name),
                    described_by: None,
                    axes: Vec::new(),
                    facts: Vec::new(),
                },
            );
            out.push(Output::Opened(opened));
        }
        Ok(Output::Batch(out))
    }

    /// `open x.sigmf [as PREFIX]` of an archive of several recordings: each
    /// bound to its own name (the recording's name, or `PREFIX_name`), all
    /// or none.
    fn open_recordings(
        &mut self,
        o: &Open,
        all: Vec<(String, crate::formats::Described)>,
    ) -> Result<Output, Error> {
        let names: Vec<String> = all
            .iter()
            .map(|(stem, _)| {
                let ident = identifier(stem);
                match &o.name {
                    Some(p) => format!("{}_{ident}", p.node),
                    None => ident,
                }
            })
            .collect();
        let before: Vec<(String, Option<Value>)> = names
            .iter()
            .map(|n| (n.clone(), self.names.get(n).cloned()))
            .collect();
        let mut out = Vec::new();
        for ((_, desc), name) in all.into_iter().zip(&names) {
            let one = Open {
                name: Some(Spanned {
                    node: name.clone(),
                    span: o.path.span,
                }),
                ..o.clone()
            };
            match self.open_described(&one, desc) {
                Ok(opened) => out.push(Output::Opened(opened)),
                Err(e) => {
                    // None bound: what the names held before comes back.
                    for (n, v) in before {
                        match v {
                            Some(v) => self.names.insert(n, v),
                            None => self.names.remove(&n),
                        };
                    }
                    return Err(e);
                }
            }
        }
        Ok(Output::Batch(out))
    }

    /// `open` of a raw file, laid out as the statement says.
    pub(super) fn open_raw(&mut self, o: &Open) -> Result<Opened, Error> {
        let path = &o.path;
        let want = self.bytes_wanted(o);
        let (source, shared) = self
            .open_file(Path::new(&path.node), want, mode_of(o))
            .map_err(|f| match f {
                OpenFailure::Interrupted => Error::new(ErrorKind::Interrupted, path.span),
                f => open_error(path, f.reason(), f.hint()),
            })?;
        let file_len = source.len();
        let mut assumed = Vec::new();
        let name = bound_name(o, &mut assumed);

        // A .npy file describes itself, unless the user overrides the layout.
        if o.shape.is_none()
            && o.dtype.is_none()
            && o.offset.is_none()
            && npy::is_npy(source.bytes())
        {
            let h = npy::read_header(source.bytes()).map_err(|reason| {
                Error::new(
                    ErrorKind::Npy {
                        path: path.node.clone(),
                        reason,
                    },
                    path.span,
                )
            })?;
            let order = h.order;
            let view = self.layout(
                &source,
                h.data_offset as u64,
                Some(h.shape.iter().map(|&n| n as i128).collect()),
                h.dtype,
                order,
                path,
                path.span,
            )?;
            return Ok(self.bind_opened(name, view, order, true, shared, assumed));
        }

        // What the bytes say before any layout. A format strided does not
        // read, or text, opened with the default dtype shows garbage: it is
        // refused, saying what it is. With a dtype given it opens, with a
        // warning (the user may mean to read those bytes).
        let mut warnings = Vec::new();
        {
            use crate::guess::Finding;
            let bytes = source.bytes();
            let head = &bytes[..bytes.len().min(4096)];
            // The first and last pages only: opening a huge file reads
            // no more than that (`explain` shows the rest untouched).
            let tail = &bytes[bytes.len().saturating_sub(4096)..];
            let refuse = |what: &str, hint: &str| {
                open_error(
                    path,
                    format!("it is {what}, not raw numbers"),
                    Some(format!(
                        "{hint}; to see its bytes anyway, give a dtype: open {} u1",
                        crate::text::escape(&path.node)
                    )),
                )
            };
            match crate::guess::recognise(head, &[tail]) {
                Some(Finding::Format { what, opens, hint }) => {
                    if o.dtype.is_none() && !opens {
                        return Err(refuse(&what, &hint));
                    }
                    warnings.push(format!("the file starts like {what}: {hint}"));
                }
                Some(Finding::Text { hint }) if o.dtype.is_none() => {
                    return Err(refuse("text", &hint));
                }
                Some(Finding::Text { .. }) => warnings.push("the file reads as text".into()),
                _ => {}
            }
        }
        let mut dtype_from = None;
        let dtype = match &o.dtype {
            Some(l) => Dtype::from_lit(l)?,
            None => {
                assumed.push("dtype");
                match crate::formats::extension_dtype(Path::new(&path.node)) {
                    Some((ext, name, d)) => {
                        dtype_from = Some(format!("{name}, from the extension .{ext}"));
                        d
                    }
                    None => Dtype::default_for_open(),
                }
            }
        };
        let offset = match &o.offset {
            None => 0u64,
            Some(e) => {
                let n = self.offset_arg(e)?;
                u64::try_from(n).map_err(|_| {
                    Error::new(
                        ErrorKind::OffsetPastEnd {
                            path: path.node.clone(),
                            offset: n as u128,
                            len: file_len,
                        },
                        e.span,
                    )
                })?
            }
        };
        let order = match o.order {
            Some(Spanned { node: 'F', .. }) => Order::F,
            _ => Order::C,
        };
        if o.shape.is_none() {
            assumed.push("shape");
        }
        let shape_span = o.shape.as_ref().map_or(path.span, |s| s.span);
        let offset_span = o.offset.as_ref().map_or(path.span, |e| e.span);
        let view = self
            .layout(
                &source,
                offset,
                o.shape.as_ref().map(|s| s.node.clone()),
                dtype,
                order,
                path,
                shape_span,
            )
            .map_err(|mut e| {
                if matches!(*e.kind, ErrorKind::OffsetPastEnd { .. }) {
                    e.span = offset_span;
                }
                e
            })?;
        // The default complex64 checked against a sample of the data: values
        // that no measurement holds say the bytes are something else.
        if o.dtype.is_none() && dtype_from.is_none() && view.nbytes() > 0 {
            // The first and last 32 KiB of the data.
            let bytes = &source.bytes()[view.offset..];
            let mut share = crate::guess::implausible_f32_share(&bytes[..bytes.len().min(1 << 15)]);
            if bytes.len() > 1 << 16 {
                let last = (bytes.len() - (1 << 15)) & !7;
                share = share.max(crate::guess::implausible_f32_share(&bytes[last..]));
            }
            if share > 0.2 {
                warnings.push(self.implausible_c8(path, share));
            }
        }
        let mut opened = self.bind_opened(name, view, order, false, shared, assumed);
        opened.dtype_from = dtype_from;
        opened.warnings = warnings;
        Ok(opened)
    }

    /// The value of `offset=`: a non-negative integer.
    pub(super) fn offset_arg(&self, e: &crate::syntax::Expr) -> Result<i128, Error> {
        match self.eval(e)? {
            Value::Int(n) if n >= 0 => Ok(n),
            v => Err(Error::new(
                ErrorKind::Type {
                    message: format!(
                        "offset= takes a non-negative integer, not {}",
                        v.kind_name()
                    ),
                    hint: None,
                },
                e.span,
            )),
        }
    }

    /// The warning for bytes that read badly as complex64, with the layout
    /// `guess` finds first when it finds one.
    fn implausible_c8(&mut self, path: &Spanned<String>, share: f64) -> String {
        let odd = format!(
            "{:.0}% of the sampled float32 values are NaN, infinite or beyond 1e±20: \
             these bytes are unlikely to be complex64",
            100.0 * share
        );
        let first = self
            .guess(path)
            .ok()
            .and_then(|g| g.opens.into_iter().next());
        match first {
            Some(line) => format!("{odd}; `guess` finds: {line}"),
            None => format!(
                "{odd}; `guess {}` looks for the layout",
                crate::text::escape(&path.node)
            ),
        }
    }

    /// Binds a newly opened view to `name` and describes what was done.
    pub(super) fn bind_opened(
        &mut self,
        name: String,
        view: View,
        order: Order,
        from_npy_header: bool,
        shared: bool,
        assumed: Vec<&'static str>,
    ) -> Opened {
        let file_len = view.source.len();
        // The bytes after the view's last one (a strided view from a VRT
        // may have gaps and run backwards).
        let end = view
            .byte_bounds()
            .map_or(view.offset as u64, |(_, hi)| hi as u64);
        let left_over = file_len.saturating_sub(end);
        self.names.insert(name.clone(), Value::View(view.clone()));
        self.meta.insert(
            name.clone(),
            info::Meta {
                format: if from_npy_header {
                    ".npy (its header)".into()
                } else {
                    "raw (no header)".into()
                },
                ..Default::default()
            },
        );
        let locked = view.source.locked_by_a_writer();
        Opened {
            name,
            view,
            order,
            file_len,
            left_over,
            from_npy_header,
            shared,
            locked,
            assumed,
            dtype_from: None,
            described: None,
            warnings: Vec::new(),
        }
    }

    /// Lays `shape` (with at most one -1, or none for 1-D over the rest of
    /// the file) elements of `dtype` over `source` from `offset`, checking
    /// every product and the file's size.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn layout(
        &self,
        source: &Arc<Source>,
        offset: u64,
        shape: Option<Vec<i128>>,
        dtype: Dtype,
        order: Order,
        path: &Spanned<String>,
        shape_span: Span,
    ) -> Result<View, Error> {
        let file_len = source.len();
        let p = path.node.clone();
        if offset > file_len {
            return Err(Error::new(
                ErrorKind::OffsetPastEnd {
                    path: p,
                    offset: offset as u128,
                    len: file_len,
                },
                path.span,
            ));
        }
        let avail = file_len - offset;
        let itemsize = dtype.itemsize() as u64;
        let shape_text = |s: &[i128]| {
            s.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("x")
        };
        let bad_shape = |reason: String| Error::new(ErrorKind::BadShape { reason }, shape_span);
        let trailing = || {
            Error::new(
                ErrorKind::TrailingBytes {
                    path: p.clone(),
                    available: avail,
                    offset,
                    itemsize: itemsize as usize,
                    remainder: avail % itemsize,
                },
                path.span,
            )
        };
        let dims: Vec<usize> = match shape {
            None => {
                if itemsize == 0 {
                    return Err(bad_shape(
                        "a zero-size dtype needs an explicit shape".into(),
                    ));
                }
                if !avail.is_multiple_of(itemsize) {
                    return Err(trailing());
                }
                vec![usize::try_from(avail / itemsize)
                    .map_err(|_| bad_shape("too many elements".into()))?]
            }
            Some(dims) => {
                let unknown = dims.iter().filter(|&&d| d == -1).count();
                if unknown > 1 {
                    return Err(bad_shape("only one dimension can be -1".into()));
                }
                if let Some(d) = dims.iter().find(|&&d| d < -1) {
                    return Err(bad_shape(format!("negative dimension {d}")));
                }
                let overflow = || {
                    Error::new(
                        ErrorKind::ShapeOverflow {
                            shape: shape_text(&dims),
                            itemsize: itemsize as usize,
                        },
                        shape_span,
                    )
                };
                let mut known: u128 = 1;
                for &d in dims.iter().filter(|&&d| d != -1) {
                    known = known.checked_mul(d as u128).ok_or_else(overflow)?;
                }
                let row_bytes = known.checked_mul(itemsize as u128).ok_or_else(overflow)?;
                let inferred = if unknown == 1 {
                    if row_bytes == 0 {
                        return Err(bad_shape(
                            "cannot infer -1 when the other dimensions multiply to 0".into(),
                        ));
                    }
                    if !avail.is_multiple_of(itemsize) {
                        return Err(trailing());
                    }
                    Some(avail as u128 / row_bytes)
                } else {
                    None
                };
                let mut out = Vec::with_capacity(dims.len());
                for &d in &dims {
                    let v = if d == -1 {
                        inferred.unwrap_or(0)
                    } else {
                        d as u128
                    };
                    out.push(
                        usize::try_from(v)
                            .ok()
                            .filter(|&v| isize::try_from(v).is_ok())
                            .ok_or_else(overflow)?,
                    );
                }
                let mut total = itemsize as u128;
                for &d in &out {
                    total = total.checked_mul(d as u128).ok_or_else(overflow)?;
                }
                if total > isize::MAX as u128 {
                    return Err(overflow());
                }
                if total > avail as u128 {
                    return Err(Error::new(
                        ErrorKind::FileTooSmall {
                            path: p,
                            shape: shape_text(&dims),
                            dtype: dtype.short(),
                            needed: total,
                            offset,
                            available: avail,
                        },
                        shape_span,
                    ));
                }
                out
            }
        };
        let offset = usize::try_from(offset).map_err(|_| bad_shape("offset too large".into()))?;
        View::over_file(source.clone(), offset, dims.clone(), dtype, order).ok_or_else(|| {
            Error::new(
                ErrorKind::ShapeOverflow {
                    shape: format!("{dims:?}"),
                    itemsize: itemsize as usize,
                },
                shape_span,
            )
        })
    }
}

/// A name from a member's or recording's name: letters, digits and `_`
/// kept, anything else `_`, and a leading digit prefixed with `_`.
fn identifier(name: &str) -> String {
    let ident: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{ident}")
    } else {
        ident
    }
}

/// The name an `open` binds: `as NAME`, or `d` (said as assumed).
pub(super) fn bound_name(o: &Open, assumed: &mut Vec<&'static str>) -> String {
    match &o.name {
        Some(n) => n.node.clone(),
        None => {
            assumed.push("name");
            "d".to_string()
        }
    }
}

/// The mode `open ... mode=` asked for (checked by the parser).
pub(super) fn mode_of(o: &Open) -> Mode {
    match o.mode.as_ref().map(|m| m.node.as_str()) {
        Some("r+") => Mode::Write,
        Some("c") => Mode::Copy,
        _ => Mode::Read,
    }
}
