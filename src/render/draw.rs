//! Terminal pictures: `plot` in braille dots, `image` in half-block
//! characters with 24-bit colour, and the notes for pictures written to
//! PNG files.

use crate::compute::bins::Shrink;
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

/// How a picture may colour the terminal: not at all (plain characters),
/// with the 256-colour palette, or with 24-bit colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escapes {
    Plain,
    Palette256,
    TrueColor,
}

impl Escapes {
    pub fn from_settings(s: &crate::eval::Settings) -> Escapes {
        match (s.color, s.truecolor) {
            (false, _) => Escapes::Plain,
            (true, false) => Escapes::Palette256,
            (true, true) => Escapes::TrueColor,
        }
    }

    /// The escape's colour part for `rgb` as foreground (`38`) or
    /// background (`48`): `38;2;R;G;B`, or `38;5;N` with N the nearest of
    /// the palette's 6x6x6 cube and 24 greys.
    fn colour(self, layer: u8, rgb: [u8; 3]) -> String {
        match self {
            Escapes::TrueColor => format!("{layer};2;{};{};{}", rgb[0], rgb[1], rgb[2]),
            _ => format!("{layer};5;{}", palette_256(rgb)),
        }
    }
}

/// The xterm 256-colour index nearest to `rgb`: the 6x6x6 colour cube
/// (levels 0, 95, 135, 175, 215, 255) or the grey ramp (8, 18, ..., 238),
/// whichever is closer.
pub fn palette_256(rgb: [u8; 3]) -> u8 {
    const LEVELS: [i32; 6] = [0, 95, 135, 175, 215, 255];
    let nearest_level = |c: u8| {
        (0..6)
            .min_by_key(|&k| (LEVELS[k] - i32::from(c)).abs())
            .unwrap_or(0)
    };
    let [r, g, b] = rgb.map(nearest_level);
    let cube = [LEVELS[r], LEVELS[g], LEVELS[b]];
    let mean = (rgb.iter().map(|&c| i32::from(c)).sum::<i32>()) / 3;
    let grey_step = ((mean - 8 + 5) / 10).clamp(0, 23);
    let grey = 8 + 10 * grey_step;
    let dist = |p: [i32; 3]| -> i32 {
        rgb.iter()
            .zip(p)
            .map(|(&c, q)| (i32::from(c) - q).pow(2))
            .sum()
    };
    if dist([grey; 3]) < dist(cube) {
        232 + grey_step as u8
    } else {
        16 + 36 * r as u8 + 6 * g as u8 + b as u8
    }
}

pub fn write_image(
    r: &ImageReport,
    precision: usize,
    color: Escapes,
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
        "{} {} to {}{}",
        r.cmap.name(),
        label(r.lo, precision),
        label(r.hi, precision),
        if r.percentiles {
            " (2nd to 98th percentile; range=minmax for all)"
        } else {
            ""
        }
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
    color: Escapes,
    w: &mut impl Write,
) -> io::Result<()> {
    if color == Escapes::Plain {
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
                    "\x1b[{};{}m▀",
                    color.colour(38, top),
                    color.colour(48, bottom)
                ));
            } else {
                line.push_str(&format!("\x1b[0;{}m▀", color.colour(38, top)));
            }
        }
        writeln!(w, "{line}\x1b[0m")?;
    }
    // The colour bar.
    let bar: String = (0..32)
        .map(|k| {
            let c = r.cmap.rgb(k as f64 / 31.0);
            format!("\x1b[{}m█", color.colour(38, c))
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

#[cfg(test)]
mod tests {
    use super::palette_256;

    /// The RGB of xterm's palette entries 16..=255, as xterm defines them.
    fn xterm(k: u8) -> [i32; 3] {
        const LEVELS: [i32; 6] = [0, 95, 135, 175, 215, 255];
        if k >= 232 {
            let g = 8 + 10 * i32::from(k - 232);
            [g, g, g]
        } else {
            let c = usize::from(k - 16);
            [LEVELS[c / 36], LEVELS[c / 6 % 6], LEVELS[c % 6]]
        }
    }

    #[test]
    fn the_256_colour_fallback_picks_the_nearest_palette_entry() {
        assert_eq!(palette_256([255, 0, 0]), 196);
        assert_eq!(palette_256([255, 255, 255]), 231);
        assert_eq!(palette_256([128, 128, 128]), 244);
        // Against a search of the whole palette: as near as the nearest.
        let dist = |a: [u8; 3], b: [i32; 3]| -> i32 {
            a.iter()
                .zip(b)
                .map(|(&x, y)| (i32::from(x) - y).pow(2))
                .sum()
        };
        let mut state = 12345u64;
        for _ in 0..5000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let rgb = [
                (state >> 40) as u8,
                (state >> 48) as u8,
                (state >> 56) as u8,
            ];
            let best = (16..=255).map(|k| dist(rgb, xterm(k))).min().unwrap();
            assert_eq!(dist(rgb, xterm(palette_256(rgb))), best, "{rgb:?}");
        }
    }
}
