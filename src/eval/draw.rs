//! `plot`, `image` and the PNG form of `hist`: the numbers a picture needs,
//! reduced from the whole view in one streaming pass (a min/max envelope
//! per column, a mean or maximum per cell), and the PNG file when the
//! statement says `to FILE.png`. The terminal drawings are `render`'s.

use super::call::{interrupted, type_error};
use super::stats::HistReport;
use super::Session;
use crate::compute::bins::{envelope, shrink_2d, Shrink};
use crate::diag::{Error, ErrorKind};
use crate::picture::{self, Cmap, Pixels};
use crate::syntax::{Expr, PictureRange, Spanned};
use std::path::Path;

/// Columns of a plot drawn in the terminal (two braille dots each).
pub const PLOT_CHARS: usize = 64;
/// Rows of a plot drawn in the terminal (four braille dots each).
pub const PLOT_LINES: usize = 12;
/// Width and plot-area height of a PNG plot, in pixels.
pub const PNG_PLOT: (usize, usize) = (800, 300);
/// The largest terminal image, in cells (each line shows two pixel rows).
pub const TERM_IMAGE: (usize, usize) = (64, 64);
/// The longest side of a PNG image before it is reduced.
pub const PNG_IMAGE_MAX: usize = 1024;
/// Small images are scaled up (whole pixels) to at least this long a side.
pub const PNG_IMAGE_MIN: usize = 400;

/// A file a picture was written to.
#[derive(Clone, Debug)]
pub struct Written {
    pub path: String,
    pub bytes: u64,
    pub width: usize,
    pub height: usize,
}

/// A plot's x axis when it is not the index: the labels of its ends (for
/// the terminal), its range in data units and its name (for the PNG).
pub struct XAxis {
    pub ends: (String, String),
    pub range: (f64, f64),
    pub name: &'static str,
}

/// The frame of an image's PNG: its title and what its edges are in data
/// units (x left to right, y bottom to top), with the axes' names.
pub struct ImageAxes {
    pub title: String,
    pub x: (f64, f64),
    pub y: (f64, f64),
    pub names: (&'static str, &'static str),
}

#[derive(Clone, Debug)]
pub struct PlotReport {
    pub text: String,
    /// Elements plotted.
    pub n: usize,
    /// Min and max of each column.
    pub env: Vec<(f64, f64)>,
    pub lo: f64,
    pub hi: f64,
    /// The values are magnitudes of complex data.
    pub magnitude: bool,
    /// Byte size of the plotted values' float dtype (8 for integers, whose
    /// values float64 holds).
    pub float_size: usize,
    /// Labels of the x axis's two ends (the first and last index, or
    /// frequencies).
    pub x_ends: (String, String),
    pub written: Option<Written>,
}

#[derive(Clone, Debug)]
pub struct ImageReport {
    pub text: String,
    pub shape: (usize, usize),
    /// The cell grid drawn, row-major.
    pub rows: usize,
    pub cols: usize,
    pub values: Vec<f64>,
    pub lo: f64,
    pub hi: f64,
    pub cmap: Cmap,
    /// How cells of more than one element were reduced (`None`: one
    /// element a cell).
    pub reduced: Option<Shrink>,
    pub magnitude: bool,
    pub written: Option<Written>,
    /// Whether `lo`..`hi` are the 2nd and 98th percentiles of the cells
    /// (the default) rather than given or their whole range.
    pub percentiles: bool,
}

/// The 2nd and 98th percentiles of the finite `values` (NumPy's linear
/// interpolation), so that a few outliers do not flatten a picture to one
/// colour; their whole range when those meet (few distinct values).
fn percentile_range(values: &[f64], e: &Expr) -> Result<(f64, f64), Error> {
    let mut finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return value_range(finite.into_iter(), e);
    }
    finite.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (finite.len() - 1) as f64;
        let (k, frac) = (pos.floor() as usize, pos.fract());
        let next = finite[(k + 1).min(finite.len() - 1)];
        finite[k] + frac * (next - finite[k])
    };
    let (lo, hi) = (at(0.02), at(0.98));
    if lo < hi {
        Ok((lo, hi))
    } else {
        value_range(finite.into_iter(), e)
    }
}

impl Session {
    /// Writes a picture as a PNG file, through [`crate::io::write_file`].
    fn write_png(&self, p: &Pixels, path: &Spanned<String>) -> Result<Written, Error> {
        let ext = Path::new(&path.node)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("");
        if !ext.eq_ignore_ascii_case("png") {
            return Err(Error::new(
                ErrorKind::Save {
                    path: path.node.clone(),
                    reason: "pictures are written as PNG".into(),
                    hint: Some("end the path in .png".into()),
                },
                path.span,
            ));
        }
        let written = self
            .write_checked(|c| {
                crate::io::write_file(Path::new(&path.node), c, |w| picture::encode_png(p, w))
            })
            .map_err(|e| self.write_failure(path, e, path.span))?;
        Ok(Written {
            path: path.node.clone(),
            bytes: written.bytes,
            width: p.width,
            height: p.height,
        })
    }
}

/// `cmap=NAME` of a picture (viridis when not given).
pub(super) fn cmap_arg(cmap: Option<&Spanned<String>>) -> Result<Cmap, Error> {
    match cmap {
        None => Ok(Cmap::Viridis),
        Some(c) => Cmap::parse(&c.node).ok_or_else(|| {
            Error::new(
                ErrorKind::Type {
                    message: format!("no colour map `{}`", c.node),
                    hint: Some(format!("cmap= takes {}", picture::CMAPS.join(", "))),
                },
                c.span,
            )
        }),
    }
}

/// `reduce=mean|max`: how a picture's cells of many values are made.
pub(super) fn reduce_arg(reduce: Option<&Spanned<String>>) -> Result<Shrink, Error> {
    match reduce {
        None => Ok(Shrink::Mean),
        Some(r) => match r.node.as_str() {
            "mean" => Ok(Shrink::Mean),
            "max" => Ok(Shrink::Max),
            _ => Err(Error::new(
                ErrorKind::Type {
                    message: format!("reduce= takes mean or max, not `{}`", r.node),
                    hint: Some("max keeps lone bright points visible; mean shows texture".into()),
                },
                r.span,
            )),
        },
    }
}

/// The finite range of `values` (padded when flat), or an error at `e`.
fn value_range(values: impl Iterator<Item = f64>, e: &Expr) -> Result<(f64, f64), Error> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return Err(type_error(
            "nothing to draw: no finite values".into(),
            e.span,
        ));
    }
    Ok(if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    })
}

impl Session {
    pub(super) fn plot(
        &self,
        e: &Expr,
        to: Option<&Spanned<String>>,
        text: &str,
    ) -> Result<PlotReport, Error> {
        let (l, magnitude, _) = self.statistic_input(e)?;
        if l.ndim() != 1 {
            return Err(Error::new(
                ErrorKind::Type {
                    message: format!("plot draws a 1-D array; this one has shape {:?}", l.shape),
                    hint: Some(
                        "pick a row or a column, e.g. `plot d.r[0]` or `plot abs(d[:, 5])`".into(),
                    ),
                },
                e.span,
            ));
        }
        self.plot_lazy(&l, magnitude, None, to, text, e)
    }

    /// The plot of the 1-D `l`; `x_axis` says what the x axis is (indices
    /// by default): its end labels for the terminal, its range and name for
    /// the PNG.
    pub(super) fn plot_lazy(
        &self,
        l: &crate::compute::Lazy,
        magnitude: bool,
        x_axis: Option<XAxis>,
        to: Option<&Spanned<String>>,
        text: &str,
        e: &Expr,
    ) -> Result<PlotReport, Error> {
        if l.size() == 0 {
            return Err(type_error(
                "nothing to draw: the array is empty".into(),
                e.span,
            ));
        }
        let columns = if to.is_some() {
            PNG_PLOT.0
        } else {
            PLOT_CHARS * 2
        };
        let env = envelope(l, columns).map_err(|_| interrupted(e.span))?;
        let (lo, hi) = value_range(env.iter().flat_map(|&(a, b)| [a, b]), e)?;
        let written = match to {
            Some(path) => {
                let (x, x_name) = x_axis
                    .as_ref()
                    .map_or(((0.0, (l.size() - 1) as f64), "index"), |a| {
                        (a.range, a.name)
                    });
                let frame = picture::Frame {
                    title: format!("plot of {text}"),
                    x,
                    y: (lo, hi),
                    x_name: x_name.to_string(),
                    y_name: if x_axis.is_some() {
                        "dB".into()
                    } else if magnitude {
                        "|value|".into()
                    } else {
                        "value".into()
                    },
                    inset: picture::MARGIN,
                    bar: None,
                };
                let data = picture::plot(&env, lo, hi, PNG_PLOT.0, PNG_PLOT.1);
                Some(self.write_png(&picture::framed(&data, &frame), path)?)
            }
            None => None,
        };
        Ok(PlotReport {
            text: text.to_string(),
            n: l.size(),
            env,
            lo,
            hi,
            magnitude,
            float_size: if l.dtype.kind == crate::dtype::Kind::Float {
                l.dtype.size
            } else {
                8
            },
            x_ends: x_axis.map_or_else(|| ("0".into(), (l.size() - 1).to_string()), |a| a.ends),
            written,
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn image(
        &self,
        e: &Expr,
        to: Option<&Spanned<String>>,
        cmap: Option<&Spanned<String>>,
        range: &PictureRange,
        reduce: Option<&Spanned<String>>,
        text: &str,
    ) -> Result<ImageReport, Error> {
        let (l, magnitude, _) = self.statistic_input(e)?;
        if l.ndim() != 2 || l.size() == 0 {
            return Err(Error::new(
                ErrorKind::Type {
                    message: format!(
                        "image draws a non-empty 2-D array; this one has shape {:?}",
                        l.shape
                    ),
                    hint: Some(
                        "e.g. `image abs(d)`, `image d.r[::4, ::4]`, or `image d[0]` of a 3-D file"
                            .into(),
                    ),
                },
                e.span,
            ));
        }
        let cmap = cmap_arg(cmap)?;
        let how = reduce_arg(reduce)?;
        let (h, w) = (l.shape[0], l.shape[1]);
        let (max_w, max_h) = if to.is_some() {
            (PNG_IMAGE_MAX, PNG_IMAGE_MAX)
        } else {
            TERM_IMAGE
        };
        // One factor for both axes keeps the aspect ratio.
        let factor = w.div_ceil(max_w).max(h.div_ceil(max_h)).max(1);
        let (cols, rows) = (w.div_ceil(factor), h.div_ceil(factor));
        let values = shrink_2d(&l, rows, cols, how).map_err(|_| interrupted(e.span))?;
        let (lo, hi) = match range {
            PictureRange::Between(pair) => self.range_arg(Some(pair))?.expect("a range was given"),
            PictureRange::MinMax => value_range(values.iter().copied(), e)?,
            PictureRange::Auto => percentile_range(&values, e)?,
        };
        let axes = ImageAxes {
            title: format!("image of {text}"),
            x: (0.0, w as f64),
            y: (h as f64, 0.0),
            names: ("column", "row"),
        };
        let written = self.image_png(&values, rows, cols, (cmap, lo, hi), to, axes)?;
        Ok(ImageReport {
            text: text.to_string(),
            shape: (h, w),
            rows,
            cols,
            values,
            lo,
            hi,
            cmap,
            reduced: (factor > 1).then_some(how),
            magnitude,
            written,
            percentiles: *range == PictureRange::Auto,
        })
    }

    /// `range=LO,HI` of a picture: two finite numbers, LO < HI.
    pub(super) fn range_arg(
        &self,
        range: Option<&(Expr, Expr)>,
    ) -> Result<Option<(f64, f64)>, Error> {
        let Some((a, b)) = range else {
            return Ok(None);
        };
        let number = |x: &Expr| -> Result<f64, Error> {
            match self.eval(x)? {
                super::Value::Int(i) => Ok(i as f64),
                super::Value::Float(f) => Ok(f),
                other => Err(type_error(
                    format!("range= takes numbers, not {}", other.kind_name()),
                    x.span,
                )),
            }
        };
        let (lo, hi) = (number(a)?, number(b)?);
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(Error::new(
                ErrorKind::Type {
                    message: "range=LO,HI needs finite LO < HI".into(),
                    hint: Some(
                        "the low end first: range=-80,-20 (dB for specgram, the values' \
                         own units for image)"
                            .into(),
                    ),
                },
                a.span.to(b.span),
            ));
        }
        Ok(Some((lo, hi)))
    }

    /// The PNG of a grid of `rows` x `cols` values when `to` names one,
    /// small grids scaled up by whole pixels to [`PNG_IMAGE_MIN`].
    pub(super) fn image_png(
        &self,
        values: &[f64],
        rows: usize,
        cols: usize,
        (cmap, lo, hi): (Cmap, f64, f64),
        to: Option<&Spanned<String>>,
        axes: ImageAxes,
    ) -> Result<Option<Written>, Error> {
        let Some(path) = to else {
            return Ok(None);
        };
        let long = rows.max(cols);
        let scale = if long >= PNG_IMAGE_MIN {
            1
        } else {
            PNG_IMAGE_MIN.div_ceil(long)
        };
        let p = picture::image(values, rows, cols, lo, hi, cmap, scale);
        let frame = picture::Frame {
            title: axes.title,
            x: axes.x,
            y: axes.y,
            x_name: axes.names.0.to_string(),
            y_name: axes.names.1.to_string(),
            inset: 0,
            bar: Some((cmap, lo, hi)),
        };
        self.write_png(&picture::framed(&p, &frame), path).map(Some)
    }

    /// `hist ... to FILE.png`: the bars as a PNG.
    pub(super) fn hist_png(
        &self,
        h: &HistReport,
        path: &Spanned<String>,
    ) -> Result<Written, Error> {
        let bar = (PNG_PLOT.0 / h.counts.len().max(1)).max(1);
        let frame = picture::Frame {
            title: format!("histogram of {}", h.text),
            x: (h.lo, h.hi),
            y: (0.0, h.counts.iter().copied().max().unwrap_or(0) as f64),
            x_name: "value".into(),
            y_name: "count".into(),
            inset: picture::MARGIN,
            bar: None,
        };
        let data = picture::hist(&h.counts, bar, PNG_PLOT.1);
        self.write_png(&picture::framed(&data, &frame), path)
    }
}
