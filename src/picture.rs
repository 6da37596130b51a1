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
const GRID: [u8; 3] = [230, 230, 230];
const INK: [u8; 3] = [31, 119, 180];

/// Margin around plots, in pixels.
const MARGIN: usize = 10;

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
/// envelope shorter than that is stretched), in a frame with horizontal
/// grid lines at the quarters. Each column is drawn from its minimum to its
/// maximum and joined to the column before, so a lone spike shows as a
/// full-height line.
pub fn plot(env: &[(f64, f64)], lo: f64, hi: f64, width: usize, height: usize) -> Pixels {
    let w = width.max(1);
    let mut p = Pixels::new(w + 2 * MARGIN, height + 2 * MARGIN, WHITE);
    for q in 1..4 {
        let y = MARGIN + q * (height - 1) / 4;
        p.hline(MARGIN, MARGIN + w - 1, y, GRID);
    }
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
