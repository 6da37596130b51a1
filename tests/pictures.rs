//! Pictures end to end: PNGs written by `image`, `plot` and `hist` are
//! decoded back and their pixels checked against values computed here, and
//! a lone spike in a 1e8-sample (sparse) file must show in the terminal
//! plot and in the PNG, because plots stream a min/max envelope over every
//! sample instead of sampling.

mod common;

use common::{run_in, temp, text};
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

/// Decodes an RGB PNG: width, height and pixels.
fn decode(path: &Path) -> (usize, usize, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let px = buf[..info.buffer_size()]
        .chunks(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (info.width as usize, info.height as usize, px)
}

/// The data picture inside a framed PNG (title, axes and, for an image
/// or spectrogram, a colour bar around it), and the frame's pixels apart.
fn decode_data(path: &Path, bar: bool) -> (usize, usize, Vec<[u8; 3]>) {
    let (w, h, px) = decode(path);
    let (x0, y0, dw, dh) = strided::picture::data_rect(w, h, bar);
    let mut out = Vec::with_capacity(dw * dh);
    for y in y0..y0 + dh {
        out.extend_from_slice(&px[y * w + x0..y * w + x0 + dw]);
    }
    (dw, dh, out)
}

fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn an_image_of_a_gradient_decodes_to_the_gradient() {
    let dir = temp();
    let (rows, cols) = (20usize, 30usize);
    let values: Vec<u8> = (0..rows * cols)
        .flat_map(|k| ((k % cols) as f32).to_le_bytes())
        .collect();
    std::fs::write(dir.path().join("g.bin"), values).unwrap();
    let out = run_in(
        dir.path(),
        &[
            "-c",
            &format!("open g.bin {rows}x{cols} <f4 as g; image g to g.png cmap=gray range=minmax"),
        ],
        "",
    );
    let said = ok(&out);
    assert!(said.contains("wrote an image of g to g.png"), "{said}");
    let (w, h, px) = decode_data(&dir.path().join("g.png"), true);
    // Small images are scaled up by whole pixels to at least 400 a side.
    let scale = 400usize.div_ceil(cols);
    assert_eq!((w, h), (cols * scale, rows * scale));
    for c in 0..cols {
        let want = (c as f64 / (cols - 1) as f64 * 255.0).round() as u8;
        for r in [0, rows / 2, rows - 1] {
            let p = px[(r * scale + scale / 2) * w + c * scale + scale / 2];
            assert_eq!(p, [want, want, want], "row {r} column {c}");
        }
    }
}

/// One outlier block no longer flattens a picture: the colour range is the
/// 2nd to 98th percentile of the cells by default (equal to this test's
/// own interpolation of the sorted values), the whole range with
/// `range=minmax`; the terminal caption says which.
#[test]
fn the_colour_range_is_robust_to_outliers_by_default() {
    let dir = temp();
    let n = 40usize;
    let mut values: Vec<f32> = (0..n * n)
        .map(|k| ((k * 7919) % 1000) as f32 / 1000.0)
        .collect();
    for r in 5..9 {
        for c in 5..9 {
            values[r * n + c] = 1e6;
        }
    }
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(dir.path().join("o.bin"), bytes).unwrap();
    let json = |range: &str| -> serde_json::Value {
        let out = run_in(
            dir.path(),
            &[
                "--format",
                "json",
                "-c",
                &format!("open o.bin {n}x{n} <f4 as o; image o{range}"),
            ],
            "",
        );
        let said = ok(&out);
        serde_json::from_str(said.lines().last().unwrap()).unwrap()
    };
    let mut sorted: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
    sorted.sort_by(f64::total_cmp);
    let percentile = |q: f64| {
        let pos = q * (sorted.len() - 1) as f64;
        let k = pos as usize;
        sorted[k] + (pos - k as f64) * (sorted[k + 1] - sorted[k])
    };
    let auto = json("");
    assert_eq!(auto["percentiles"], true);
    assert!(
        (auto["min"].as_f64().unwrap() - percentile(0.02)).abs() < 1e-9,
        "{auto}"
    );
    assert!(
        (auto["max"].as_f64().unwrap() - percentile(0.98)).abs() < 1e-9,
        "{auto}"
    );
    let all = json(" range=minmax");
    assert_eq!(all["percentiles"], false);
    assert_eq!(all["max"].as_f64().unwrap(), 1e6);
    let said = ok(&run_in(
        dir.path(),
        &[
            "--width",
            "200",
            "-c",
            &format!("open o.bin {n}x{n} <f4 as o; image o to o.png cmap=gray"),
        ],
        "",
    ));
    assert!(
        said.contains("(2nd to 98th percentile; range=minmax for all)"),
        "{said}"
    );
    // The PNG: the ordinary cells take many greys, not one.
    let (_, _, px) = decode_data(&dir.path().join("o.png"), true);
    let greys: std::collections::BTreeSet<u8> = px.iter().map(|p| p[0]).collect();
    assert!(greys.len() > 100, "{} greys", greys.len());
}

#[test]
fn big_images_are_reduced_by_block_means_or_maxima() {
    let dir = temp();
    // 2048 x 2048 zeros with a single 1 at [1000, 1500]: a PNG is at most
    // 1024 pixels a side, so each pixel covers a 2x2 block.
    let n = 2048usize;
    let mut f = std::fs::File::create(dir.path().join("z.bin")).unwrap();
    f.set_len((n * n * 4) as u64).unwrap();
    f.seek(SeekFrom::Start(((1000 * n + 1500) * 4) as u64))
        .unwrap();
    f.write_all(&1.0f32.to_le_bytes()).unwrap();
    drop(f);
    let script = format!(
        "open z.bin {n}x{n} <f4 as z; image z to mean.png cmap=gray range=0,1; image z to max.png cmap=gray range=0,1 reduce=max"
    );
    let said = ok(&run_in(dir.path(), &["--width", "1000", "-c", &script], ""));
    assert!(said.contains("mean of up to 2x2 elements"), "{said}");
    assert!(said.contains("maximum of up to 2x2 elements"), "{said}");
    for (file, want) in [("mean.png", 64u8), ("max.png", 255)] {
        let (w, h, px) = decode_data(&dir.path().join(file), true);
        assert_eq!((w, h), (1024, 1024), "{file}");
        // The 1 is a quarter of its block's mean: 0.25 * 255 rounds to 64.
        assert_eq!(px[500 * w + 750], [want, want, want], "{file}");
        let lit = px.iter().filter(|p| p[0] > 0).count();
        assert_eq!(lit, 1, "{file}: only the spike's pixel is lit");
    }
}

#[test]
fn a_spike_in_1e8_samples_shows_in_the_terminal_and_in_the_png() {
    let dir = temp();
    let n: u64 = 100_000_000;
    let at: u64 = 73_456_789;
    let mut f = std::fs::File::create(dir.path().join("s.bin")).unwrap();
    f.set_len(n * 4).unwrap();
    f.seek(SeekFrom::Start(at * 4)).unwrap();
    f.write_all(&5.0f32.to_le_bytes()).unwrap();
    drop(f);
    let said = ok(&run_in(
        dir.path(),
        &["-c", "open s.bin <f4 as s; plot s; plot s to s.png"],
        "",
    ));
    // The terminal plot: 64 characters of 2 dot columns over 1e8 samples.
    let lines: Vec<&str> = said.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.contains('┤'))
        .expect("a plot row with the high label");
    assert!(lines[top].trim_start().starts_with('5'), "{}", lines[top]);
    let row: Vec<char> = lines[top].split('┤').nth(1).unwrap().chars().collect();
    let lit: Vec<usize> = (0..row.len()).filter(|&k| row[k] != '\u{2800}').collect();
    let column = (at as u128 * 128 / n as u128) as usize / 2;
    assert_eq!(lit, vec![column], "the spike's character in the top row");
    // The PNG: 800 envelope columns inside a 10-pixel margin.
    let (w, _, px) = decode_data(&dir.path().join("s.png"), false);
    let x = 10 + (at as u128 * 800 / n as u128) as usize;
    let ink = |p: [u8; 3]| p != [255, 255, 255] && p[2] > p[0];
    let top_row: Vec<usize> = (0..w).filter(|&k| ink(px[10 * w + k])).collect();
    assert_eq!(
        top_row,
        vec![x],
        "the spike reaches the top of the plot area"
    );
}

#[test]
fn hist_writes_one_bar_per_bin() {
    let dir = temp();
    // Values 0..10, the count of value v is v + 1: bar heights rise.
    let values: Vec<u8> = (0..10u32)
        .flat_map(|v| std::iter::repeat_n(v as f32, v as usize + 1))
        .flat_map(|v| v.to_le_bytes())
        .collect();
    std::fs::write(dir.path().join("h.bin"), values).unwrap();
    let said = ok(&run_in(
        dir.path(),
        &[
            "-c",
            "open h.bin <f4 as h; hist h bins=10 range=-0.5,9.5 to h.png",
        ],
        "",
    ));
    assert!(said.contains("wrote a histogram of h (10 bins"), "{said}");
    let (w, h, px) = decode_data(&dir.path().join("h.png"), false);
    let bar = 80;
    assert_eq!(w, 10 * bar + 20);
    let heights: Vec<usize> = (0..10)
        .map(|b| {
            let x = 10 + b * bar + bar / 2;
            (0..h)
                .filter(|&y| px[y * w + x][2] > px[y * w + x][0])
                .count()
        })
        .collect();
    for b in 0..10 {
        // Scaled to the tallest bar (10) over the 300-pixel plot area.
        let want = (((b + 1) as f64 / 10.0) * 299.0).round() as usize;
        assert_eq!(heights[b], want, "bar {b}: {heights:?}");
    }
}

/// The README's pictures are what `image d.r`, `plot d.r[75]` and
/// `hist abs(d) bins=40` of the demo data make now.
#[test]
fn the_readme_pictures_are_current() {
    let dir = temp();
    std::fs::write(dir.path().join("demo.bin"), strided::demo::demo_bytes()).unwrap();
    let made = [
        ("image d.r", "demo-rings.png"),
        ("plot d.r[75]", "demo-plot.png"),
        ("hist abs(d) bins=40", "demo-hist.png"),
    ];
    for (statement, file) in made {
        ok(&run_in(
            dir.path(),
            &[
                "-c",
                &format!("open demo.bin 100x100; {statement} to {file}"),
            ],
            "",
        ));
        let committed = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join(file);
        assert!(
            decode(&dir.path().join(file)) == decode(&committed),
            "docs/{file} is stale: make it again with `strided --demo -c '{statement} to docs/{file}'`"
        );
    }
}

/// `psd ... to FILE.png` of a tone in a sparse 64 MiB recording (a
/// megabyte of tone among zeros): the PNG's highest ink is the tone's
/// column, and the peak table names its frequency within a bin.
#[test]
fn psd_draws_a_tone_where_its_frequency_is() {
    let dir = temp();
    let (total, tone_len, fs, tone) = (8u64 << 20, 1u64 << 17, 1e6f64, 187_500.0f64);
    let mut f = std::fs::File::create(dir.path().join("r.c8")).unwrap();
    f.set_len(total * 8).unwrap();
    f.seek(SeekFrom::Start(5_000_000 * 8)).unwrap();
    let mut bytes = Vec::with_capacity(tone_len as usize * 8);
    for k in 0..tone_len {
        let phase = 2.0 * std::f64::consts::PI * tone * k as f64 / fs;
        bytes.extend_from_slice(&(phase.cos() as f32).to_le_bytes());
        bytes.extend_from_slice(&(phase.sin() as f32).to_le_bytes());
    }
    f.write_all(&bytes).unwrap();
    drop(f);
    let said = ok(&run_in(
        dir.path(),
        &[
            "-c",
            "open r.c8 c8 as r; psd r nperseg=1024 fs=1e6 to p.png",
        ],
        "",
    ));
    assert!(said.contains("187500"), "{said}");
    // Two-sided, ascending: 1024 bins from -fs/2 over 800 plot columns
    // inside a 10-pixel margin.
    let (w, _, px) = decode_data(&dir.path().join("p.png"), false);
    let ink = |p: [u8; 3]| p != [255, 255, 255] && p[2] > p[0];
    let top = (0..px.len() / w)
        .find(|&y| (10..w - 10).any(|x| ink(px[y * w + x])))
        .expect("some ink");
    let xs: Vec<usize> = (10..w - 10).filter(|&x| ink(px[top * w + x])).collect();
    let bin = ((tone / fs + 0.5) * 1024.0) as usize;
    let want = 10 + bin * 800 / 1024;
    assert!(
        xs.iter().all(|&x| x.abs_diff(want) <= 2),
        "highest ink at {xs:?}, the tone's column {want}"
    );
}

/// `specgram` of a sparse recording of 2^23 samples, silent but for 2^17
/// samples of a tone in noise at 187.5 kHz (bin 192 of 1024 at 1 MHz) from sample
/// 5,000,000: 8,192 segments become 1,024 rows of 8 segments, and 1,024
/// bins in ascending frequency make 1,024 columns, the tone's at 512 + 192.
/// In the PNG that column is lit (the top of viridis, yellow) in the rows
/// of the tone's segments and dark everywhere else; no other column is lit
/// (the window's main lobe, one bin either side, aside).
#[test]
fn specgram_draws_a_tone_in_its_column_and_only_while_it_lasts() {
    let dir = temp();
    let (total, start, len, fs, tone) = (8u64 << 20, 5_000_000u64, 1u64 << 17, 1e6f64, 187_500.0);
    let mut f = std::fs::File::create(dir.path().join("r.c8")).unwrap();
    f.set_len(total * 8).unwrap();
    f.seek(SeekFrom::Start(start * 8)).unwrap();
    let bytes = common::tone_c8(len, tone, fs, 0.02, 0x5bec);
    f.write_all(&bytes).unwrap();
    drop(f);
    let said = ok(&run_in(
        dir.path(),
        &[
            "-c",
            "open r.c8 c8 as r; specgram r nperseg=1024 noverlap=0 fs=1e6 to s.png",
        ],
        "",
    ));
    assert!(said.contains("8 segments a row"), "{said}");
    let (w, h, px) = decode_data(&dir.path().join("s.png"), true);
    assert_eq!((w, h), (1024, 1024));
    let lit = |p: [u8; 3]| p[0] > 200 && p[1] > 180 && p[2] < 120;
    let column = 512 + 192;
    let (first, last) = (start / 1024 / 8, (start + len - 1) / 1024 / 8);
    for y in 0..h as u64 {
        let on = lit(px[y as usize * w + column]);
        let inside = y > first && y < last;
        let outside = y + 1 < first || y > last + 1;
        assert!(!inside || on, "row {y} of the tone is not lit");
        assert!(!outside || !on, "row {y} outside the tone is lit");
        // (The rows where the tone starts and stops splash over every
        // frequency, as an abrupt onset does.)
        for x in (0..w).filter(|&x| (inside || outside) && x.abs_diff(column) > 2) {
            assert!(!lit(px[y as usize * w + x]), "({x}, {y}) is lit");
        }
    }
}

/// A colour waterfall reaches the terminal as colour (24-bit escapes
/// where `COLORTERM` announces them, the 256-colour palette otherwise; not
/// their escaped text), bypassing the sanitising writer as `image` does;
/// every escape it writes is a colour (SGR) sequence and nothing else.
#[test]
fn a_colour_specgram_draws_colours_and_only_colours() {
    let dir = temp();
    std::fs::write(dir.path().join("f.bin"), strided::demo::demo_bytes()).unwrap();
    for (colorterm, want, not) in [
        ("truecolor", "\x1b[38;2;", "\x1b[38;5;"),
        ("", "\x1b[38;5;", "\x1b[38;2;"),
    ] {
        let out = common::run_in_with(
            dir.path(),
            &[
                "--color=always",
                "-c",
                "open f.bin 100x100; specgram d.ravel()[:5000] nperseg=64",
            ],
            "",
            &[("COLORTERM", colorterm)],
        );
        let said = ok(&out);
        assert!(said.contains(want), "no colour: {said:.400}");
        assert!(!said.contains(not), "COLORTERM={colorterm:?}: {said:.400}");
        assert!(
            !said.contains(&want.replace('\x1b', "\\x1b")),
            "colours escaped as text: {said:.400}"
        );
        for esc in said.split('\x1b').skip(1) {
            let sgr = esc
                .strip_prefix('[')
                .and_then(|r| r.split_once('m'))
                .map(|(p, _)| p);
            assert!(
                sgr.is_some_and(|p| p.chars().all(|c| c.is_ascii_digit() || c == ';')),
                "an escape that is not a colour: {:?}",
                &esc[..esc.len().min(20)]
            );
        }
    }
}

/// Every PNG is framed: a title above, tick labels beside and below the
/// data (dark pixels in the margins, where the data never draws), and an
/// image's colour bar running from the map's top colour to its bottom one.
#[test]
fn pngs_have_a_title_tick_labels_and_an_image_a_colour_bar() {
    let dir = temp();
    std::fs::write(dir.path().join("demo.bin"), strided::demo::demo_bytes()).unwrap();
    ok(&run_in(
        dir.path(),
        &[
            "-c",
            "open demo.bin 100x100; image d.r to i.png cmap=gray; plot d.r[3] to p.png; hist d.i to h.png",
        ],
        "",
    ));
    let dark = |p: [u8; 3]| p.iter().all(|&c| c < 120);
    for (file, bar) in [("i.png", true), ("p.png", false), ("h.png", false)] {
        let (w, h, px) = decode(&dir.path().join(file));
        let (x0, y0, dw, dh) = strided::picture::data_rect(w, h, bar);
        let count = |xs: std::ops::Range<usize>, ys: std::ops::Range<usize>| {
            ys.flat_map(|y| xs.clone().map(move |x| (x, y)))
                .filter(|&(x, y)| dark(px[y * w + x]))
                .count()
        };
        // The title, the y tick labels, the x tick labels.
        assert!(count(0..w, 0..y0 - 12) > 20, "{file}: no title");
        assert!(
            count(0..x0 - 10, y0..y0 + dh) > 40,
            "{file}: no y tick labels"
        );
        assert!(
            count(x0..x0 + dw, y0 + dh + 8..y0 + dh + 24) > 40,
            "{file}: no x tick labels"
        );
        if bar {
            let bx = x0 + dw + strided::picture::BAR_GAP + strided::picture::BAR_WIDTH / 2;
            assert_eq!(
                px[y0 * w + bx],
                [255, 255, 255],
                "{file}: the bar's top is the map's top"
            );
            assert_eq!(
                px[(y0 + dh - 1) * w + bx],
                [0, 0, 0],
                "{file}: the bar's bottom"
            );
            assert!(
                count(bx + strided::picture::BAR_WIDTH..w, y0..y0 + dh) > 20,
                "{file}: no labels on the colour bar"
            );
        }
    }
}

/// Pictures are the same whatever the number of threads: the picture
/// reductions split their work into a fixed number of chunks, and an
/// image's cells are each summed by one chunk, in order.
#[test]
fn pictures_do_not_depend_on_the_number_of_threads() {
    let dir = temp();
    let (rows, cols) = (1500usize, 2100usize);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let values: Vec<u8> = (0..rows * cols)
        .flat_map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 40) as f32 / 1e5 - 80.0).to_le_bytes()
        })
        .collect();
    std::fs::write(dir.path().join("n.bin"), values).unwrap();
    let mut pngs = Vec::new();
    for threads in ["1", "3"] {
        let script = format!(
            "open n.bin {rows}x{cols} f4; image d to i{threads}.png; plot d.reshape(-1) to p{threads}.png; hist d bins=50 to h{threads}.png"
        );
        let out = common::run_in_with(
            dir.path(),
            &["-c", &script],
            "",
            &[("STRIDED_THREADS", threads)],
        );
        ok(&out);
        pngs.push(
            ["i", "p", "h"]
                .map(|k| std::fs::read(dir.path().join(format!("{k}{threads}.png"))).unwrap()),
        );
    }
    for (k, name) in ["image", "plot", "hist"].iter().enumerate() {
        assert!(
            pngs[0][k] == pngs[1][k],
            "the {name} differs with 1 and 3 threads"
        );
    }
}
