//! Terminal pictures: `plot` in braille dots, `image` in half-block
//! characters with 24-bit colour, and the notes for pictures written to
//! PNG files.

use crate::compute::reduce::Shrink;
use crate::eval::draw::{ImageReport, PlotReport, Written};
use crate::number;
use crate::number::human_bytes;
use crate::picture::unit;
use std::io::{self, Write};

fn written_note(what: &str, text: &str, f: &Written, w: &mut impl Write) -> io::Result<()> {
    writeln!(
        w,
        "wrote {what} of {text} to {} ({}x{} px, {})",
        crate::text::escape(&f.path),
        f.width,
        f.height,
        human_bytes(f.bytes)
    )
}

fn label(x: f64, precision: usize) -> String {
    number::table_float(x, 8, precision.min(4))
}

pub fn write_plot(p: &PlotReport, precision: usize, w: &mut impl Write) -> io::Result<()> {
    let text = if p.magnitude {
        format!("|{}|", p.text)
    } else {
        p.text.clone()
    };
    let per = p.n as f64 / p.env.len() as f64;
    if let Some(f) = &p.written {
        written_note("a plot", &text, f, w)?;
    } else {
        writeln!(
            w,
            "plot of {text}: {} values, {} per column (min/max of each)",
            p.n,
            if per == 1.0 {
                "1".to_string()
            } else {
                format!("{per:.1}")
            }
        )?;
        // Dot columns; an envelope shorter than that is stretched.
        let (dw, dh) = (
            crate::eval::draw::PLOT_CHARS * 2,
            crate::eval::draw::PLOT_LINES * 4,
        );
        let chars = dw / 2;
        let mut dots = vec![0u8; chars * crate::eval::draw::PLOT_LINES];
        let y = |v: f64| {
            ((1.0 - unit(v, p.lo, p.hi).clamp(0.0, 1.0)) * (dh - 1) as f64).round() as usize
        };
        let mut prev: Option<(usize, usize)> = None;
        for x in 0..dw {
            let (a, b) = p.env[x * p.env.len() / dw];
            if a.is_nan() {
                prev = None;
                continue;
            }
            let (t0, b0) = (y(b), y(a));
            let (mut top, mut bottom) = (t0, b0);
            if let Some((pt, pb)) = prev {
                top = top.min(pb);
                bottom = bottom.max(pt);
            }
            for r in top..=bottom {
                let bit = match (x % 2, r % 4) {
                    (0, 0) => 0x01,
                    (0, 1) => 0x02,
                    (0, 2) => 0x04,
                    (0, _) => 0x40,
                    (_, 0) => 0x08,
                    (_, 1) => 0x10,
                    (_, 2) => 0x20,
                    _ => 0x80,
                };
                dots[(r / 4) * chars + x / 2] |= bit;
            }
            prev = Some((t0, b0));
        }
        let (hi, lo) = (label(p.hi, precision), label(p.lo, precision));
        let gw = hi.len().max(lo.len());
        let lines = crate::eval::draw::PLOT_LINES;
        for r in 0..lines {
            let g = match r {
                0 => format!("{hi:>gw$} ┤"),
                _ if r == lines - 1 => format!("{lo:>gw$} ┤"),
                _ => format!("{:>gw$} │", ""),
            };
            let row: String = dots[r * chars..(r + 1) * chars]
                .iter()
                .map(|&b| char::from_u32(0x2800 + b as u32).unwrap_or(' '))
                .collect();
            writeln!(w, "{g}{row}")?;
        }
        writeln!(w, "{:>gw$} └{}", "", "─".repeat(chars))?;
        let (first, last) = &p.x_ends;
        writeln!(
            w,
            "{:>gw$}  {first}{}{last}",
            "",
            " ".repeat(chars.saturating_sub(first.len() + last.len()))
        )?;
    }
    Ok(())
}

fn how(r: &ImageReport) -> String {
    match r.reduced {
        None => "one pixel per element".into(),
        Some(h) => {
            // `image` keeps one factor for both axes; a waterfall has two.
            let (fr, fc) = (r.shape.0.div_ceil(r.rows), r.shape.1.div_ceil(r.cols));
            format!(
                "each pixel the {} of up to {fr}x{fc} elements",
                if h == Shrink::Max { "maximum" } else { "mean" }
            )
        }
    }
}

pub fn write_image(
    r: &ImageReport,
    precision: usize,
    color: bool,
    w: &mut impl Write,
) -> io::Result<()> {
    // Escaped here: a colour picture bypasses the front end's Sanitize.
    let text = crate::text::escape(&if r.magnitude {
        format!("|{}|", r.text)
    } else {
        r.text.clone()
    })
    .into_owned();
    let range = format!(
        "{} {} to {}",
        r.cmap.name(),
        label(r.lo, precision),
        label(r.hi, precision)
    );
    if let Some(f) = &r.written {
        written_note("an image", &text, f, w)?;
        return writeln!(
            w,
            "  {}x{} cells from shape ({}, {}), {}; colours {range}",
            r.rows,
            r.cols,
            r.shape.0,
            r.shape.1,
            how(r)
        );
    }
    writeln!(
        w,
        "image of {text}: shape ({}, {}), {}; colours {range}",
        r.shape.0,
        r.shape.1,
        how(r)
    )?;
    write_pixels(r, precision, color, w)
}

/// The cells of an image (two pixel rows a line) and its colour bar.
pub fn write_pixels(
    r: &ImageReport,
    precision: usize,
    color: bool,
    w: &mut impl Write,
) -> io::Result<()> {
    if !color {
        return write_image_plain(r, precision, w);
    }
    let colour = |k: usize| r.cmap.rgb(unit(r.values[k], r.lo, r.hi));
    for y in (0..r.rows).step_by(2) {
        let mut line = String::new();
        for x in 0..r.cols {
            let top = colour(y * r.cols + x);
            if y + 1 < r.rows {
                let bottom = colour((y + 1) * r.cols + x);
                line.push_str(&format!(
                    "\x1b[38;2;{};{};{};48;2;{};{};{}m▀",
                    top[0], top[1], top[2], bottom[0], bottom[1], bottom[2]
                ));
            } else {
                line.push_str(&format!("\x1b[0;38;2;{};{};{}m▀", top[0], top[1], top[2]));
            }
        }
        writeln!(w, "{line}\x1b[0m")?;
    }
    // The colour bar.
    let bar: String = (0..32)
        .map(|k| {
            let c = r.cmap.rgb(k as f64 / 31.0);
            format!("\x1b[38;2;{};{};{}m█", c[0], c[1], c[2])
        })
        .collect();
    writeln!(
        w,
        "{} {bar}\x1b[0m {}",
        label(r.lo, precision),
        label(r.hi, precision)
    )
}

/// The image without escapes (stdout is no colour terminal): one
/// character per two cells, darker to lighter, NaN as `?`.
fn write_image_plain(r: &ImageReport, precision: usize, w: &mut impl Write) -> io::Result<()> {
    const RAMP: &[u8] = b" .:-=+*#%@";
    let level = |v: f64| {
        let t = unit(v, r.lo, r.hi);
        if t.is_nan() {
            b'?'
        } else {
            RAMP[((t.clamp(0.0, 1.0) * (RAMP.len() - 1) as f64).round()) as usize]
        }
    };
    for y in (0..r.rows).step_by(2) {
        let line: Vec<u8> = (0..r.cols)
            .map(|x| {
                let top = r.values[y * r.cols + x];
                let v = if y + 1 < r.rows {
                    (top + r.values[(y + 1) * r.cols + x]) / 2.0
                } else {
                    top
                };
                level(v)
            })
            .collect();
        writeln!(w, "{}", String::from_utf8_lossy(&line))?;
    }
    writeln!(
        w,
        "{} {} {} (no colour: not a terminal; --color=always draws colours, `image ... to F.png` writes a picture)",
        label(r.lo, precision),
        String::from_utf8_lossy(RAMP),
        label(r.hi, precision)
    )
}
