//! Pictures of data as pixels: colour maps (`colorous`), the pixel buffers
//! of `plot`, `image` and `hist`, and PNG encoding (`png`). Pure functions
//! of numbers already reduced by `compute`; `eval` writes the files and
//! `render` draws the terminal versions with the same colours.

use std::io::Write;

/// A colour map for `image ... cmap=NAME`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmap {
    Gray,
    Viridis,
    Magma,
    Inferno,
    Plasma,
    Turbo,
}

pub const CMAPS: &[&str] = &["gray", "viridis", "magma", "inferno", "plasma", "turbo"];

/// The colour of a missing value (NaN): a dark red, unlike any map's colours.
pub const NAN_RGB: [u8; 3] = [96, 0, 0];

impl Cmap {
    pub fn parse(name: &str) -> Option<Cmap> {
        Some(match name {
            "gray" | "grey" => Cmap::Gray,
            "viridis" => Cmap::Viridis,
            "magma" => Cmap::Magma,
            "inferno" => Cmap::Inferno,
            "plasma" => Cmap::Plasma,
            "turbo" => Cmap::Turbo,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Cmap::Gray => "gray",
            Cmap::Viridis => "viridis",
            Cmap::Magma => "magma",
            Cmap::Inferno => "inferno",
            Cmap::Plasma => "plasma",
            Cmap::Turbo => "turbo",
        }
    }

    /// The colour of `t` in `[0, 1]` (clamped); NaN gets [`NAN_RGB`].
    pub fn rgb(self, t: f64) -> [u8; 3] {
        if t.is_nan() {
            return NAN_RGB;
        }
        let t = t.clamp(0.0, 1.0);
        let g = match self {
            Cmap::Gray => {
                let v = (t * 255.0).round() as u8;
                return [v, v, v];
            }
            Cmap::Viridis => colorous::VIRIDIS,
            Cmap::Magma => colorous::MAGMA,
            Cmap::Inferno => colorous::INFERNO,
            Cmap::Plasma => colorous::PLASMA,
            Cmap::Turbo => colorous::TURBO,
        };
        let c = g.eval_continuous(t);
        [c.r, c.g, c.b]
    }
}

/// Where `v` falls in `lo..=hi`, as 0..=1 (0.5 when the range is empty).
pub fn unit(v: f64, lo: f64, hi: f64) -> f64 {
    if hi > lo {
        (v - lo) / (hi - lo)
    } else if v.is_nan() {
        f64::NAN
    } else {
        0.5
    }
}

/// An RGB buffer, row-major, 3 bytes a pixel.
#[derive(Clone, Debug, PartialEq)]
pub struct Pixels {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Pixels {
    pub fn new(width: usize, height: usize, fill: [u8; 3]) -> Pixels {
        Pixels {
            width,
            height,
            rgb: fill.repeat(width * height),
        }
    }

    fn set(&mut self, x: usize, y: usize, c: [u8; 3]) {
        if x < self.width && y < self.height {
            let k = (y * self.width + x) * 3;
            self.rgb[k..k + 3].copy_from_slice(&c);
        }
    }

    fn vline(&mut self, x: usize, y0: usize, y1: usize, c: [u8; 3]) {
        for y in y0.min(y1)..=y0.max(y1) {
            self.set(x, y, c);
        }
    }

    fn hline(&mut self, x0: usize, x1: usize, y: usize, c: [u8; 3]) {
        for x in x0.min(x1)..=x0.max(x1) {
            self.set(x, y, c);
        }
    }

    /// The colour at `(x, y)`.
    pub fn at(&self, x: usize, y: usize) -> [u8; 3] {
        let k = (y * self.width + x) * 3;
        [self.rgb[k], self.rgb[k + 1], self.rgb[k + 2]]
    }
}

const WHITE: [u8; 3] = [255, 255, 255];
const FRAME: [u8; 3] = [160, 160, 160];
const INK: [u8; 3] = [31, 119, 180];

/// Margin around plots, in pixels.
pub const MARGIN: usize = 10;

/// A cell grid (`rows` x `cols` values, row-major) coloured by `cmap` over
/// `lo..=hi`, each cell drawn as a `scale` x `scale` square.
pub fn image(
    values: &[f64],
    rows: usize,
    cols: usize,
    lo: f64,
    hi: f64,
    cmap: Cmap,
    scale: usize,
) -> Pixels {
    let scale = scale.max(1);
    let mut p = Pixels::new(cols * scale, rows * scale, WHITE);
    for r in 0..rows {
        for c in 0..cols {
            let colour = cmap.rgb(unit(values[r * cols + c], lo, hi));
            for y in 0..scale {
                for x in 0..scale {
                    p.set(c * scale + x, r * scale + y, colour);
                }
            }
        }
    }
    p
}

/// The row of pixels (0 at the top) where `v` lands in a plot area of
/// `height` pixels over `lo..=hi`.
fn plot_y(v: f64, lo: f64, hi: f64, height: usize) -> usize {
    let t = unit(v, lo, hi).clamp(0.0, 1.0);
    MARGIN + ((1.0 - t) * (height - 1) as f64).round() as usize
}

/// A line plot of a min/max envelope, `width` pixel columns wide (an
/// envelope shorter than that is stretched), in a thin frame (`framed`
/// adds the axes). Each column is drawn from its minimum to its
/// maximum and joined to the column before, so a lone spike shows as a
/// full-height line.
pub fn plot(env: &[(f64, f64)], lo: f64, hi: f64, width: usize, height: usize) -> Pixels {
    let w = width.max(1);
    let mut p = Pixels::new(w + 2 * MARGIN, height + 2 * MARGIN, WHITE);
    let mut prev: Option<(usize, usize)> = None;
    for x in 0..w {
        let (a, b) = env[x * env.len() / w];
        if a.is_nan() {
            prev = None;
            continue;
        }
        let (mut top, mut bottom) = (plot_y(b, lo, hi, height), plot_y(a, lo, hi, height));
        if let Some((pt, pb)) = prev {
            // Join to the previous column's range.
            top = top.min(pb);
            bottom = bottom.max(pt);
        }
        p.vline(MARGIN + x, top, bottom, INK);
        prev = Some((plot_y(b, lo, hi, height), plot_y(a, lo, hi, height)));
    }
    frame(&mut p, w, height);
    p
}

/// Bars of a histogram, `bar` pixels wide each, scaled to the largest count.
pub fn hist(counts: &[u64], bar: usize, height: usize) -> Pixels {
    let w = counts.len() * bar;
    let mut p = Pixels::new(w + 2 * MARGIN, height + 2 * MARGIN, WHITE);
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    for (k, &c) in counts.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let h = ((c as f64 / most as f64) * (height - 1) as f64)
            .round()
            .max(1.0) as usize;
        for x in k * bar..(k + 1) * bar - usize::from(bar > 2) {
            p.vline(MARGIN + x, MARGIN + height - h, MARGIN + height - 1, INK);
        }
    }
    frame(&mut p, w, height);
    p
}

fn frame(p: &mut Pixels, w: usize, height: usize) {
    let (x0, x1, y0, y1) = (MARGIN - 1, MARGIN + w, MARGIN - 1, MARGIN + height);
    p.hline(x0, x1, y0, FRAME);
    p.hline(x0, x1, y1, FRAME);
    p.vline(x0, y0, y1, FRAME);
    p.vline(x1, y0, y1, FRAME);
}

/// Encodes `p` as an 8-bit RGB PNG into `w`.
pub fn encode_png(p: &Pixels, w: impl Write) -> std::io::Result<()> {
    let mut enc = png::Encoder::new(w, p.width as u32, p.height as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(std::io::Error::other)?;
    writer
        .write_image_data(&p.rgb)
        .map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_maps_run_from_dark_to_light() {
        for name in CMAPS {
            let m = Cmap::parse(name).unwrap();
            let lum = |c: [u8; 3]| c.iter().map(|&v| v as u32).sum::<u32>();
            if m != Cmap::Turbo {
                assert!(lum(m.rgb(0.0)) < lum(m.rgb(1.0)), "{name}");
            }
            assert_eq!(m.rgb(f64::NAN), NAN_RGB);
            assert_eq!(m.name(), *name);
        }
        assert_eq!(Cmap::Gray.rgb(0.0), [0, 0, 0]);
        assert_eq!(Cmap::Gray.rgb(1.0), [255, 255, 255]);
    }

    #[test]
    fn a_lone_spike_draws_a_line_to_the_top() {
        let mut env = vec![(0.0, 0.0); 50];
        env[20] = (0.0, 1.0);
        let p = plot(&env, 0.0, 1.0, 100, 40);
        let x = MARGIN + 40;
        assert_eq!(p.at(x, MARGIN), INK, "the spike reaches the top row");
        assert_ne!(p.at(MARGIN + 5, MARGIN), INK, "the flat part does not");
    }
}

/// The font of titles and tick labels, bundled so that every machine draws
/// the same pixels: DejaVu Sans Mono (Bitstream Vera licence,
/// `assets/DejaVu-LICENSE.txt`).
static FONT: &[u8] = include_bytes!("../assets/DejaVuSansMono.ttf");
const FONT_NAME: &str = "strided-mono";

/// Pixels left of the data picture in a framed PNG (tick labels of y).
pub const FRAME_LEFT: usize = 90;
/// Pixels above the data picture (the title).
pub const FRAME_TOP: usize = 36;
/// Pixels below the data picture (tick labels of x, its name).
pub const FRAME_BOTTOM: usize = 52;
/// Pixels right of the data picture (of the colour bar, when there is one).
pub const FRAME_RIGHT: usize = 24;
/// Width of a colour bar, and what its labels take beside it.
pub const BAR_GAP: usize = 16;
pub const BAR_WIDTH: usize = 22;
pub const BAR_LABELS: usize = 84;

/// Where the data picture lies in a framed PNG of `width` x `height`
/// (with a colour bar or not): its left, top, width and height.
pub fn data_rect(width: usize, height: usize, bar: bool) -> (usize, usize, usize, usize) {
    let extra = if bar {
        BAR_GAP + BAR_WIDTH + BAR_LABELS
    } else {
        0
    };
    (
        FRAME_LEFT,
        FRAME_TOP,
        width.saturating_sub(FRAME_LEFT + FRAME_RIGHT + extra),
        height.saturating_sub(FRAME_TOP + FRAME_BOTTOM),
    )
}

/// What a PNG's frame says around the data picture: a title, the data
/// units at the picture's edges (ticks and numbers), the axes' names and,
/// for an image, a colour bar.
#[derive(Clone, Debug)]
pub struct Frame {
    pub title: String,
    /// The x value at the left and right edges of the data area.
    pub x: (f64, f64),
    /// The y value at the bottom and top edges of the data area (an
    /// image's rows count down: `(rows, 0)`).
    pub y: (f64, f64),
    pub x_name: String,
    pub y_name: String,
    /// Pixels between the picture's edge and its data area (a plot's
    /// margin); 0 for an image.
    pub inset: usize,
    /// An image's colour map and the values at its ends.
    pub bar: Option<(Cmap, f64, f64)>,
}

/// About five round tick values within `a..=b` (either order).
pub fn ticks(a: f64, b: f64) -> Vec<f64> {
    let (lo, hi) = (a.min(b), a.max(b));
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return if lo.is_finite() { vec![lo] } else { Vec::new() };
    }
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A tick value as text: as few digits as the step needs.
fn tick_text(v: f64, step: f64) -> String {
    let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
    if v != 0.0 && (v.abs() >= 1e6 || v.abs() < 1e-3) {
        return format!("{v:.2e}");
    }
    // The fewest decimals that write the step exactly (0.25: two).
    let decimals = (0..10)
        .find(|&d| {
            let x = step * 10f64.powi(d);
            (x - x.round()).abs() < 1e-6 * x.abs().max(1.0)
        })
        .unwrap_or(10) as usize;
    format!("{v:.decimals$}")
}

/// `data` (a plot, histogram or image as drawn for the numbers) inside a
/// frame: the title above, ticks with numbers in data units on the left and
/// below, the axes' names, and a colour bar with its range for an image.
/// The data picture keeps its pixels, at (`FRAME_LEFT`, `FRAME_TOP`).
pub fn framed(data: &Pixels, f: &Frame) -> Pixels {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The bundled font parses: a failure here would be a broken build.
        let _ = plotters::style::register_font(FONT_NAME, FontStyle::Normal, FONT);
    });
    let bar_extra = if f.bar.is_some() {
        BAR_GAP + BAR_WIDTH + BAR_LABELS
    } else {
        0
    };
    let width = FRAME_LEFT + data.width + FRAME_RIGHT + bar_extra;
    let height = FRAME_TOP + data.height + FRAME_BOTTOM;
    let mut out = Pixels::new(width, height, self::WHITE);
    // The data area: where the numbers' edges lie in the frame.
    let (x0, x1) = (
        FRAME_LEFT + f.inset,
        FRAME_LEFT + data.width - 1 - f.inset.min(data.width - 1),
    );
    let (y_top, y_bottom) = (
        FRAME_TOP + f.inset,
        FRAME_TOP + data.height - 1 - f.inset.min(data.height - 1),
    );
    let along = |v: f64, (a, b): (f64, f64), p0: usize, p1: usize| -> Option<i32> {
        let t = (v - a) / (b - a);
        (t.is_finite() && (-1e-9..=1.0 + 1e-9).contains(&t))
            .then(|| (p0 as f64 + t * (p1 as f64 - p0 as f64)).round() as i32)
    };
    {
        let root = BitMapBackend::with_buffer(&mut out.rgb, (width as u32, height as u32))
            .into_drawing_area();
        let ink = RGBColor(40, 40, 40);
        let small = (FONT_NAME, 13).into_font().color(&ink);
        let title = (FONT_NAME, 16).into_font().color(&ink);
        let at = |h, v| Pos::new(h, v);
        let _ = root.draw(&Text::new(
            f.title.clone(),
            ((FRAME_LEFT + data.width / 2) as i32, 8),
            title.pos(at(HPos::Center, VPos::Top)),
        ));
        // The axes: lines along the picture's left and bottom edges.
        let left = FRAME_LEFT as i32 - 1;
        let bottom = (FRAME_TOP + data.height) as i32;
        let line = |a: (i32, i32), b: (i32, i32)| PathElement::new(vec![a, b], ink);
        let _ = root.draw(&line((left, FRAME_TOP as i32), (left, bottom)));
        let _ = root.draw(&line(
            (left, bottom),
            ((FRAME_LEFT + data.width) as i32, bottom),
        ));
        let xt = ticks(f.x.0, f.x.1);
        let xstep = xt.get(1).map_or(1.0, |b| b - xt[0]);
        for v in &xt {
            if let Some(x) = along(*v, f.x, x0, x1) {
                let _ = root.draw(&line((x, bottom), (x, bottom + 5)));
                let _ = root.draw(&Text::new(
                    tick_text(*v, xstep),
                    (x, bottom + 8),
                    small.clone().pos(at(HPos::Center, VPos::Top)),
                ));
            }
        }
        let yt = ticks(f.y.0, f.y.1);
        let ystep = yt.get(1).map_or(1.0, |b| b - yt[0]);
        for v in &yt {
            if let Some(y) = along(*v, f.y, y_bottom, y_top) {
                let _ = root.draw(&line((left - 5, y), (left, y)));
                let _ = root.draw(&Text::new(
                    tick_text(*v, ystep),
                    (left - 8, y),
                    small.clone().pos(at(HPos::Right, VPos::Center)),
                ));
            }
        }
        let _ = root.draw(&Text::new(
            f.x_name.clone(),
            ((FRAME_LEFT + data.width / 2) as i32, bottom + 28),
            small.clone().pos(at(HPos::Center, VPos::Top)),
        ));
        let _ = root.draw(&Text::new(
            f.y_name.clone(),
            (6, FRAME_TOP as i32 - 16),
            small.clone().pos(at(HPos::Left, VPos::Top)),
        ));
        if let Some((_, lo, hi)) = f.bar {
            let bx = (FRAME_LEFT + data.width + BAR_GAP + BAR_WIDTH) as i32;
            let bt = ticks(lo, hi);
            let bstep = bt.get(1).map_or(1.0, |b| b - bt[0]);
            for v in &bt {
                if let Some(y) = along(*v, (lo, hi), FRAME_TOP + data.height - 1, FRAME_TOP) {
                    let _ = root.draw(&line((bx, y), (bx + 4, y)));
                    let _ = root.draw(&Text::new(
                        tick_text(*v, bstep),
                        (bx + 7, y),
                        small.clone().pos(at(HPos::Left, VPos::Center)),
                    ));
                }
            }
        }
        let _ = root.present();
    }
    // The numbers' own pixels, unchanged, and the colour bar's colours.
    for y in 0..data.height {
        let from = y * data.width * 3;
        let to = ((FRAME_TOP + y) * width + FRAME_LEFT) * 3;
        out.rgb[to..to + data.width * 3].copy_from_slice(&data.rgb[from..from + data.width * 3]);
    }
    if let Some((cmap, _, _)) = f.bar {
        let bx = FRAME_LEFT + data.width + BAR_GAP;
        for y in 0..data.height {
            let t = 1.0 - y as f64 / (data.height.max(2) - 1) as f64;
            let c = cmap.rgb(t);
            for x in bx..bx + BAR_WIDTH {
                out.set(x, FRAME_TOP + y, c);
            }
        }
    }
    out
}
