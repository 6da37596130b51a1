//! Computation end to end: NumPy's rules for NaN, infinities, empty arrays
//! and integer sums, one-pass statistics, and the accuracy strided keeps
//! where NumPy's float32 path loses it. Expected values are computed here
//! independently (in f64 or exact integers), never typed in from memory.

mod common;

use common::{run_in, temp, text};
use std::path::Path;

fn write(dir: &Path, name: &str, bytes: Vec<u8>) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn f32s(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The next state of Marsaglia's xorshift64, the tests' reproducible noise.
fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

fn lines(out: &std::process::Output) -> Vec<String> {
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).lines().map(str::to_string).collect()
}

#[test]
fn nan_propagates_and_the_nan_functions_skip_it() {
    let dir = temp();
    let values = [1.5f32, f32::NAN, 2.25, -3.0];
    write(dir.path(), "x.bin", f32s(&values));
    let out = run_in(dir.path(), &["-c", "open x.bin <f4 as x; sum(x); nansum(x); mean(x); nanmean(x); max(x); nanmax(x); argmax(x)"], "");
    let l = lines(&out);
    let finite: Vec<f64> = values
        .iter()
        .filter(|v| !v.is_nan())
        .map(|&v| v as f64)
        .collect();
    let s: f64 = finite.iter().sum();
    assert_eq!(
        &l[l.len() - 7..],
        [
            "nan",
            &s.to_string(),
            "nan",
            &(s / 3.0).to_string(),
            "nan",
            "2.25",
            "1"
        ]
        .map(String::from)
    );
}

#[test]
fn empty_views_follow_numpy() {
    let dir = temp();
    write(dir.path(), "x.bin", f32s(&[1.0, 2.0]));
    let out = run_in(
        dir.path(),
        &[
            "--keep-going",
            "-c",
            "open x.bin <f4 as x\nmean(x[:0])\nsum(x[:0])\nmin(x[:0])\nargmin(x[:0])",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let l: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    assert_eq!(&l[l.len() - 2..], ["nan", "0.0"]);
    let err = text(&out.stderr);
    assert!(
        err.contains("zero-size array to reduction operation minimum which has no identity"),
        "{err}"
    );
    assert!(
        err.contains("attempt to get argmin of an empty sequence"),
        "{err}"
    );
}

#[test]
fn integer_sums_accumulate_in_int64_and_elementwise_integers_wrap() {
    let dir = temp();
    let values: Vec<i8> = (0..1000).map(|k| (k % 256) as u8 as i8).collect();
    write(
        dir.path(),
        "x.bin",
        values.iter().map(|&v| v as u8).collect(),
    );
    let out = run_in(
        dir.path(),
        &[
            "-c",
            "open x.bin i1 as x; sum(x); sum(x).dtype; (x + x)[0:0].dtype; sum(x * 2)",
        ],
        "",
    );
    let l = lines(&out);
    let exact: i64 = values.iter().map(|&v| v as i64).sum();
    let wrapped: i64 = values.iter().map(|&v| v.wrapping_mul(2) as i64).sum();
    let n = l.len();
    assert_eq!(l[n - 4], exact.to_string());
    assert_eq!(l[n - 3], "dtype('int64')");
    assert_eq!(l[n - 2], "dtype('int8')");
    assert_eq!(
        l[n - 1],
        wrapped.to_string(),
        "int8 * 2 wraps in int8 before the sum, as in NumPy"
    );
}

/// int32 and uint32 sums are int64 and uint64 in NumPy, exact past 2^53
/// where float64 is not: 4096 x 4095 sums of pairs near 2^30 add up to
/// about 2^54, an odd number here.
#[test]
fn int32_sums_past_2_to_the_53_are_exact() {
    let dir = temp();
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let x: Vec<i32> = (0..4096)
        .map(|_| {
            xorshift(&mut s);
            (1 << 29) + (s >> 35) as i32
        })
        .collect();
    write(
        dir.path(),
        "x.i4",
        x.iter().flat_map(|v| v.to_le_bytes()).collect(),
    );
    let exact: i128 = x
        .iter()
        .map(|&a| x[..4095].iter().map(|&b| i128::from(a + b)).sum::<i128>())
        .sum();
    assert!(
        exact > 1 << 53 && exact % 2 == 1,
        "the case needs an odd sum past 2^53"
    );
    let out = run_in(
        dir.path(),
        &[
            "-c",
            "open x.i4 i4 as x; sum(x[:, None] + x[None, :4095]); \
             sum((x[:, None] + x[None, :4095]).astype('u4')); sum(-x[:, None] - x[None, :4095])",
        ],
        "",
    );
    let l = lines(&out);
    let n = l.len();
    assert_eq!(
        l[n - 3..],
        [exact.to_string(), exact.to_string(), (-exact).to_string()]
    );
}

#[test]
fn stats_agree_with_a_direct_two_pass_computation() {
    let dir = temp();
    let values: Vec<f32> = (0..100_003)
        .map(|k| ((k * 7919 % 10007) as f32 - 5000.0) * 0.37)
        .collect();
    write(dir.path(), "x.bin", f32s(&values));
    let out = run_in(
        dir.path(),
        &["--format", "json", "-c", "open x.bin <f4 as x; stats x"],
        "",
    );
    let l = lines(&out);
    let v: serde_json::Value = serde_json::from_str(&l[1]).unwrap();
    let xs: Vec<f64> = values.iter().map(|&v| v as f64).collect();
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    let std = (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / xs.len() as f64).sqrt();
    let (imin, min) =
        xs.iter().enumerate().fold(
            (0, f64::INFINITY),
            |a, (k, &x)| if x < a.1 { (k, x) } else { a },
        );
    assert_eq!(v["count"], 100_003);
    assert_eq!(v["nan"], 0);
    assert_eq!(v["min"].as_f64().unwrap(), min);
    assert_eq!(v["argmin"], serde_json::json!([imin]));
    // Accumulated in float64, spelled as NumPy's float32 result: the
    // float64 answer rounded once (within one float32 step of it).
    let f32_step = f32::EPSILON as f64;
    assert!((v["mean"].as_f64().unwrap() - mean).abs() <= f32_step * mean.abs().max(1.0));
    assert!((v["std"].as_f64().unwrap() - std).abs() <= f32_step * std);
    assert_eq!(
        v["std"].to_string(),
        format!("{}", v["std"].as_f64().unwrap() as f32),
        "spelled as a float32"
    );
}

/// Whole-array reductions of F-order and transposed views walk the file in
/// memory order; the indices they report must still be NumPy's: the first
/// occurrence in C order of the view, even when the extreme value repeats.
#[test]
fn reductions_walk_transposed_views_in_memory_order_and_report_c_order_indices() {
    let dir = temp();
    // A smooth field with one unique minimum, a coarse copy full of ties
    // (both big enough to be split between threads), and a small field
    // whose extremes repeat where the walk meets them in the other order.
    let (rows, cols) = (300usize, 700usize);
    let smooth: Vec<f32> = (0..rows * cols)
        .map(|k| (((k * 7919) % 100_003) as f32) * 0.25 - 1000.0)
        .collect();
    let ties: Vec<f32> = smooth.iter().map(|v| (v / 400.0).round()).collect();
    let mut small = vec![1.0f32; 6 * 8];
    (small[1], small[5 * 8], small[3], small[4 * 8]) = (0.0, 0.0, 9.0, 9.0);
    for (name, rows, cols, data) in [
        ("s.bin", rows, cols, smooth),
        ("t.bin", rows, cols, ties),
        ("u.bin", 6, 8, small),
    ] {
        write(dir.path(), name, f32s(&data));
        // Element [i, j] of the transposed view (shape cols x rows) is file
        // element [j, i]; the expected first index in C order of the view:
        let first = |better: fn(f32, f32) -> bool| {
            let mut best: Option<(usize, usize, f32)> = None;
            for i in 0..cols {
                for j in 0..rows {
                    let x = data[j * cols + i];
                    if best.is_none_or(|b| better(x, b.2)) {
                        best = Some((i, j, x));
                    }
                }
            }
            let (i, j, _) = best.unwrap();
            serde_json::json!([i, j])
        };
        let script = format!(
            "open {name} {cols}x{rows} <f4 order=F as f; stats f; open {name} {rows}x{cols} <f4 as c; stats c.T"
        );
        let out = run_in(dir.path(), &["--format", "json", "-c", &script], "");
        let stats: Vec<serde_json::Value> = lines(&out)
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .filter(|v: &serde_json::Value| v.get("argmin").is_some())
            .collect();
        assert_eq!(stats.len(), 2, "{name}");
        for v in &stats {
            assert_eq!(v["argmin"], first(|x, b| x < b), "{name}");
            assert_eq!(v["argmax"], first(|x, b| x > b), "{name}");
            assert_eq!(v["count"], rows * cols);
        }
    }
}

#[test]
fn stats_of_complex_data_describe_the_magnitude() {
    let dir = temp();
    let pairs = [
        (3.0f32, 4.0f32),
        (0.0, -1.0),
        (f32::NAN, 0.0),
        (f32::INFINITY, 1.0),
    ];
    write(
        dir.path(),
        "c.bin",
        pairs
            .iter()
            .flat_map(|&(r, i)| [r, i])
            .flat_map(|v| v.to_le_bytes())
            .collect(),
    );
    let out = run_in(
        dir.path(),
        &[
            "--format",
            "json",
            "-c",
            "open c.bin c8 as c; stats c; stats c.i",
        ],
        "",
    );
    let l = lines(&out);
    let m: serde_json::Value = serde_json::from_str(&l[1]).unwrap();
    assert_eq!(m["of"], "abs");
    assert_eq!(
        (m["nan"].as_u64(), m["posinf"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(m["max"], "inf");
    assert_eq!(m["min"].as_f64(), Some(1.0));
    assert_eq!(
        m["mean"].as_f64(),
        Some(3.0),
        "mean of the finite magnitudes 5 and 1"
    );
    let i: serde_json::Value = serde_json::from_str(&l[2]).unwrap();
    assert_eq!(i["of"], "values");
    assert_eq!(i["min"].as_f64(), Some(-1.0));
}

#[test]
fn sums_along_an_axis_keep_precision_numpys_float32_path_loses() {
    // A first row of 1e8 and 999 rows of ones, three columns. NumPy 2.4
    // sums float32 down axis 0 in float32, one rounding per row, and gives
    // 1e8 for every column (numpy#9393); strided accumulates in f64 and
    // rounds the exact 100000999 once, to float32's 100001000.
    let dir = temp();
    let mut values = vec![1.0e8f32; 3];
    values.extend(std::iter::repeat_n(1.0f32, 999 * 3));
    write(dir.path(), "x.bin", f32s(&values));
    let out = run_in(
        dir.path(),
        &[
            "-c",
            "open x.bin (1000, 3) <f4 as x; sum(x, axis=0)[0]; sum(x, axis=0)[2]; sum(x)",
        ],
        "",
    );
    let l = lines(&out);
    // The exact sums rounded once to float32, NumPy's result dtype.
    let exact: f64 = values.iter().step_by(3).map(|&v| v as f64).sum();
    let column = exact as f32 as f64;
    let n = l.len();
    assert_eq!(
        l[n - 3].parse::<f32>().unwrap() as f64,
        column,
        "along the axis"
    );
    assert_eq!(
        l[n - 2].parse::<f32>().unwrap() as f64,
        column,
        "along the axis, last column"
    );
    assert_eq!(
        l[n - 1].parse::<f32>().unwrap() as f64,
        (3.0 * exact) as f32 as f64,
        "over everything"
    );
}

#[test]
fn hist_counts_every_value_once() {
    let dir = temp();
    let values: Vec<f32> = (0..1000).map(|k| (k % 10) as f32).collect();
    write(dir.path(), "x.bin", f32s(&values));
    let out = run_in(
        dir.path(),
        &[
            "--format",
            "json",
            "-c",
            "open x.bin <f4 as x; hist x bins=5 range=0,10; hist x bins=5 range=( 0, 10 )",
        ],
        "",
    );
    let l = lines(&out);
    let h: serde_json::Value = serde_json::from_str(&l[1]).unwrap();
    // NumPy's spelling of the range gives the same histogram.
    assert_eq!(l.len(), 3);
    assert_eq!(l[2], l[1]);
    let want: Vec<u64> = (0..5)
        .map(|b| values.iter().filter(|&&v| (v / 2.0) as usize == b).count() as u64)
        .collect();
    let counts: Vec<u64> = h["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, want);
    assert_eq!(h["outside"], 0);
}

#[test]
fn printing_a_computed_array_of_a_huge_file_computes_only_what_shows() {
    let dir = temp();
    let f = std::fs::File::create(dir.path().join("big.bin")).unwrap();
    f.set_len(4 << 30).unwrap();
    let out = run_in(
        dir.path(),
        &["-c", "open big.bin (-1, 4096) c8; db(d * 2 + 1j)"],
        "",
    );
    let s = lines(&out).join("\n");
    assert!(
        s.contains("shape (131072, 4096), dtype <f4, computed") && s.contains("showing 6x6"),
        "{s}"
    );
}

#[test]
fn statistics_of_a_4_gib_file_stay_in_little_anonymous_memory() {
    // A sparse file: the kernel serves its holes as zero pages, so the test
    // writes nothing, but strided still reads all 4 GiB through its mapping.
    let dir = temp();
    let f = std::fs::File::create(dir.path().join("big.bin")).unwrap();
    f.set_len(4 << 30).unwrap();
    let mut child = std::process::Command::new(common::bin())
        .args(["-c", "open big.bin c8; stats abs(d - 1)"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    while child.try_wait().unwrap().is_none() {
        if let Ok(s) = std::fs::read_to_string(&status) {
            if let Some(kb) = s.lines().find_map(|l| l.strip_prefix("RssAnon:")) {
                peak = peak.max(
                    kb.trim()
                        .trim_end_matches(" kB")
                        .trim()
                        .parse::<u64>()
                        .unwrap_or(0)
                        * 1024,
                );
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("536870912"),
        "{}",
        text(&out.stdout)
    );
    assert!(peak > 0, "RssAnon was never sampled");
    assert!(peak < 64 << 20, "peak anonymous memory {} MiB", peak >> 20);
}

/// Complex integers (SDR `ci16`, from a `.cs16` extension) compute as
/// complex numbers: abs, angle and db against f64 computed here.
#[test]
fn complex_integer_records_compute_as_complex_numbers() {
    let dir = temp();
    let pairs: Vec<(i16, i16)> = (0..500i32)
        .map(|k| {
            (
                ((k * 7919) % 65536 - 32768) as i16,
                ((k * 104_729) % 65536 - 32768) as i16,
            )
        })
        .collect();
    let bytes: Vec<u8> = pairs
        .iter()
        .flat_map(|(r, i)| [r.to_le_bytes(), i.to_le_bytes()].concat())
        .collect();
    write(dir.path(), "x.cs16", bytes);
    let out = run_in(
        dir.path(),
        &[
            "--format",
            "csv",
            "-c",
            "open x.cs16 as x; abs(x); angle(x)",
        ],
        "",
    );
    let l = lines(&out);
    let n = pairs.len();
    assert_eq!(l.len(), 2 * n, "{l:?}");
    for (k, &(r, i)) in pairs.iter().enumerate() {
        let (r, i) = (r as f64, i as f64);
        let abs: f64 = l[k].parse().unwrap();
        let angle: f64 = l[n + k].parse().unwrap();
        // float32 results: within a float32 rounding of the exact values.
        assert!(
            (abs - r.hypot(i)).abs() <= r.hypot(i) * 2e-7 + 1e-30,
            "abs {k}: {abs}"
        );
        assert!((angle - i.atan2(r)).abs() <= 4e-7, "angle {k}: {angle}");
    }
}

/// A fancy-indexed view too big for `set memory` is streamed, not copied:
/// it prints and reduces to the same values as the in-memory copy.
#[test]
fn fancy_indexing_beyond_the_memory_limit_streams_the_same_values() {
    let dir = temp();
    let values: Vec<f32> = (0..40_000)
        .map(|k| ((k * 7919) % 10007) as f32 * 0.5 - 2000.0)
        .collect();
    write(dir.path(), "x.bin", f32s(&values));
    // Rows of runs, columns by an index array (last, after a reversed
    // slice), a 2-D index array, and columns of a strided view.
    let statements = "open x.bin 200x200 <f4 as x; q = x[[5, 0, -1, 7], 10:150:3]; stats q; q[:, :4]; \
                      sum(x[x > 100]); stats x[::-3, [4, 5, 6, 2, -1, 5]]; \
                      stats x[[[1, 2], [3, 4]], 5:8]; stats x.view('<c8').real[:, [0, 1, 2, 50, 51]]";
    let run = |limit: &str| {
        let script = format!("set memory {limit}; {statements}");
        let out = run_in(dir.path(), &["--format", "json", "-c", &script], "");
        // The values of each result (a copy and a stream differ in where
        // they say they come from, not in what they hold).
        lines(&out)
            .iter()
            .filter_map(|s| serde_json::from_str::<serde_json::Value>(s).ok())
            .filter(|v| v.get("open").is_none() && v.get("note").is_none())
            .map(|v| {
                let keep = [
                    "count", "min", "argmin", "max", "argmax", "mean", "std", "data", "value",
                    "computed",
                ];
                keep.iter().map(|k| v.get(*k).cloned()).collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    let (copied, streamed) = (run("1GiB"), run("100"));
    assert_eq!(copied.len(), 6, "{copied:?}");
    // q[:, :4] is a view of the in-memory copy, and computed when streamed.
    assert_eq!(copied[1][9], None);
    assert_eq!(streamed[1][9], Some(serde_json::json!(true)));
    for (c, s) in copied.iter().zip(&streamed) {
        assert_eq!(c[..9], s[..9]);
    }
}

/// Axis reductions walk rows in fixed chunks merged in order: the same
/// bits whatever the number of threads, for every kind of reduction, with
/// NaN, infinities and ties, along every axis and tuples of axes, of a
/// C-order, a transposed and a complex view.
#[test]
fn axis_reductions_give_the_same_bits_for_any_number_of_threads() {
    let dir = temp();
    let n = 7 * 300 * 65;
    let mut values: Vec<f32> = (0..n)
        .map(|k| ((k * 7919 % 10007) as f32 - 5000.0) * 0.0137)
        .collect();
    for k in (0..n).step_by(997) {
        values[k] = [f32::NAN, f32::INFINITY, 3.0, -f32::INFINITY][k % 4];
    }
    write(dir.path(), "x.f4", f32s(&values));
    let exprs = [
        "mean(x, axis=0)",
        "sum(x, axis=1)",
        "std(x, axis=2)",
        // Fewer rows than chunks times rows per chunk: chunks past the end.
        "mean(x[0, :100], axis=1)",
        "max(x[:, :3], axis=(1, 2))",
        "var(x, axis=(0, 2), ddof=1)",
        "nanmean(x, axis=(1, 2))",
        "max(x, axis=1)",
        // The column kernels of extremes and moments: the last axis kept.
        "max(x, axis=0)",
        "std(x, axis=0)",
        "nanvar(x[:, ::-1], axis=(0, 1), ddof=1)",
        "nanmin(x, axis=(0, 1))",
        "ptp(x[:, ::-2], axis=1)",
        "argmin(x, axis=0)",
        "argmax(x.T, axis=1)",
        "nanmin(x.transpose(1, 0, 2), axis=0)",
        "count_nonzero(x > 1, axis=0)",
        "mean(c, axis=0)",
        "sum(c, axis=1)",
        // The column kernels for a file's small integers read as they lie
        // and for four rows holding NaN (float16).
        "sum(x.view('<i2'), axis=0)",
        "mean(x.view('<f2'), axis=(0, 1))",
        "nansum(x.view('<f2'), axis=0)",
        // Masks selecting few elements of many: chunks of a few elements.
        "sum(x[x > 60])",
        "argmin(x[x > 68])",
        "nanmean(x[x > 50])",
        "count_nonzero(x[x > 0])",
    ];
    let script = format!(
        "open x.f4 (7, 300, 65) <f4 as x; c = x[:, :, :64].view('<c8'); {}",
        exprs.join("; ")
    );
    let run = |threads: &str| csv_on_threads(dir.path(), &script, threads);
    let one = run("1");
    assert!(one.lines().count() > 10, "{one}");
    for threads in ["2", "3", "7"] {
        assert!(run(threads) == one, "{threads} threads give other bits");
    }
}

#[test]
fn order_statistics_of_a_view_bigger_than_memory_equal_the_in_memory_answer_and_a_sort() {
    // 200,002 float32 values (198,021 not NaN: the median is one element) with
    // ties, both zeros, infinities and NaN. With `set memory 4KiB` every
    // answer is found by streaming radix passes; with the default, in memory.
    let dir = temp();
    let mut s = 0x2545F4914F6CDD1Du64;
    let values: Vec<f32> = (0..200_002)
        .map(|i| {
            xorshift(&mut s);
            match i % 101 {
                0 => f32::NAN,
                1 => -0.0,
                2 => 0.0,
                3 => f32::INFINITY,
                4 => 2.5,
                _ => ((s >> 40) as f32 / 4096.0) - 2000.0,
            }
        })
        .collect();
    write(dir.path(), "x.bin", f32s(&values));
    let exprs = "nanpercentile(x, 1); nanpercentile(x, 75.5); nanquantile(x, 0.999); nanmedian(x); median(x[x == x]); median(x)";
    let small = run_in(
        dir.path(),
        &[
            "-c",
            &format!("open x.bin (200002,) <f4 as x; set memory 4KiB; {exprs}"),
        ],
        "",
    );
    let big = run_in(
        dir.path(),
        &["-c", &format!("open x.bin (200002,) <f4 as x; {exprs}")],
        "",
    );
    assert!(
        small.status.success(),
        "{}",
        String::from_utf8_lossy(&small.stderr)
    );
    let (ls, lb) = (lines(&small), lines(&big));
    assert!(ls.len() >= 6);
    assert_eq!(
        ls[ls.len() - 6..],
        lb[lb.len() - 6..],
        "streamed vs in memory"
    );
    // The median of the non-NaN values (an odd count here) is the middle
    // one of them sorted; with NaN present median() is NaN, as NumPy's.
    let mut finite: Vec<f32> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    finite.sort_by(f32::total_cmp);
    assert_eq!(finite.len() % 2, 1, "the test wants an odd count");
    let middle = finite[finite.len() / 2];
    let n = ls.len();
    assert_eq!(ls[n - 3].parse::<f32>().unwrap(), middle);
    assert_eq!(ls[n - 2].parse::<f32>().unwrap(), middle);
    assert_eq!(ls[n - 1], "nan");
}

/// The csv output of `script` run in `dir` on `threads` threads; it must
/// succeed.
fn csv_on_threads(dir: &Path, script: &str, threads: &str) -> String {
    let out = std::process::Command::new(common::bin())
        .args(["--format", "csv", "-c", script])
        .current_dir(dir)
        .env("STRIDED_THREADS", threads)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// `argmin` and `argmax` along axis 0 (the column kernel of extremes,
/// rows taken in order, chunks merged) report the first of equal extremes
/// and the first NaN, as along axis 1 of the transpose (one accumulator
/// per output): few distinct values, so every column ties, NaN in some
/// columns and not others, a column of NaN only, on 1 and 3 threads.
#[test]
fn argmin_and_argmax_along_columns_report_the_first_of_ties_as_along_rows() {
    let dir = temp();
    let (rows, cols) = (700usize, 40usize);
    let values: Vec<f32> = (0..rows * cols)
        .map(|k| {
            let (r, c) = (k / cols, k % cols);
            if c == 7 || (c % 5 == 1 && r % 97 == 13) {
                f32::NAN
            } else {
                ((r * 31 + c * 7) % 4) as f32 - 1.5
            }
        })
        .collect();
    write(dir.path(), "x.f4", f32s(&values));
    let run = |expr: &str, threads: &str| {
        let script = format!("open x.f4 ({rows}, {cols}) <f4 as x; {expr}");
        csv_on_threads(dir.path(), &script, threads)
    };
    for f in [
        "argmax",
        "argmin",
        "nanargmax(x[:, 8:]",
        "nanargmin(x[:, 8:]",
    ] {
        let (call, view) = match f.split_once('(') {
            Some((name, v)) => (name.to_string(), v.to_string()),
            None => (f.to_string(), "x".to_string()),
        };
        let down = run(&format!("{call}({view}, axis=0)"), "1");
        assert_eq!(down.lines().count(), cols - if view == "x" { 0 } else { 8 });
        assert_eq!(down, run(&format!("{call}({view}, axis=0)"), "3"), "{f}");
        assert_eq!(down, run(&format!("{call}({view}.T, axis=1)"), "1"), "{f}");
    }
}

/// An `axis=` reduction depends on the array, not on how its bytes lie:
/// the column means of a C-order file, of the same array stored in Fortran
/// order, and of either one's transpose reduced along the other axis give
/// the same bits (values of very different sizes, so a careless order of
/// additions would show in float32).
#[test]
fn axis_reductions_of_c_and_fortran_order_and_transposes_give_the_same_bits() {
    let dir = temp();
    let (rows, cols) = (513usize, 77usize);
    let value = |r: usize, c: usize| {
        let k = r * cols + c;
        ((k * 7919 % 10007) as f32 - 5000.0) * [1e-3, 1.0, 1e4][k % 3]
    };
    let c_order: Vec<f32> = (0..rows * cols)
        .map(|k| value(k / cols, k % cols))
        .collect();
    let f_order: Vec<f32> = (0..rows * cols)
        .map(|k| value(k % rows, k / rows))
        .collect();
    write(dir.path(), "c.f4", f32s(&c_order));
    write(dir.path(), "f.f4", f32s(&f_order));
    let run = |expr: &str| -> String {
        let script = format!(
            "open c.f4 ({rows}, {cols}) <f4 as c; open f.f4 ({rows}, {cols}) <f4 order=F as f; {expr}"
        );
        let out = std::process::Command::new(common::bin())
            .args(["--format", "csv", "-c", &script])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    // C order's axis=0 of min, max and ptp takes the column kernel of
    // extremes, F order's the accumulators: two computations. argmin and
    // argmax walk the view as it is: the transposes' axis=1 takes the
    // accumulators (its values repeat every 10,007: ties, the first kept).
    for reduction in [
        "mean", "sum", "std", "nanmean", "max", "min", "ptp", "argmax", "argmin",
    ] {
        let got = [
            run(&format!("{reduction}(c, axis=0)")),
            run(&format!("{reduction}(f, axis=0)")),
            run(&format!("{reduction}(c.T, axis=1)")),
            run(&format!("{reduction}(f.T, axis=1)")),
        ];
        assert_eq!(got[0].lines().count(), cols, "{}", got[0]);
        for (k, g) in got.iter().enumerate() {
            assert_eq!(g, &got[0], "{reduction}: way {k} differs");
        }
    }
}

/// Welch's spectrum finds a tone: a complex64 recording of 2^20 samples at
/// 1 MHz holding a 123.4 kHz tone in noise, read under `set memory 64KiB`
/// (welch streams its segments whatever the memory limit): the strongest
/// bin is the tone's, within one bin (1 MHz / 1024), and its power stands
/// far above the noise floor.
#[test]
fn welch_finds_a_tone_in_noise_streaming_within_a_small_memory_limit() {
    let dir = temp();
    let (n, fs, tone) = (1usize << 20, 1e6f64, 123_400.0f64);
    let bytes = common::tone_c8(n as u64, tone, fs, 1.0, 0x5eed);
    write(dir.path(), "tone.c8", bytes);
    let out = std::process::Command::new(common::bin())
        .args([
            "--format",
            "csv",
            "-c",
            "open tone.c8 c8 as d; set memory 64KiB; p = welch(d, fs=1e6, nperseg=1024); p[1]",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let power: Vec<f64> = text(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    assert_eq!(power.len(), 1024, "two-sided for complex input");
    let (peak, &top) = power
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.partial_cmp(b.1).unwrap())
        .unwrap();
    // Two-sided bins in fftfreq order: bin k is k · fs / 1024 below fs/2.
    let freq = peak as f64 * fs / 1024.0;
    assert!((freq - tone).abs() <= fs / 1024.0, "peak at {freq} Hz");
    let mut sorted = power.clone();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let floor = sorted[512];
    assert!(top > 1000.0 * floor, "tone {top} vs median {floor}");
}

/// Unsigned complex samples (rtl_sdr's cu8, offset binary) compute centred:
/// |x| of every sample equals the magnitude of (r - 127.5) + (i - 127.5)j,
/// computed here independently, and `open` says so once; signed ones (ci8)
/// compute as they are.
#[test]
fn unsigned_complex_samples_compute_centred_and_open_says_so() {
    let dir = temp();
    let bytes: Vec<u8> = (0..400u32).map(|k| (k * 37 % 256) as u8).collect();
    write(dir.path(), "s.cu8", bytes.clone());
    write(dir.path(), "t.cs8", bytes.clone());
    let run = |script: &str| {
        let out = std::process::Command::new(common::bin())
            .args(["--format", "csv", "-c", script])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        (text(&out.stdout), text(&out.stderr))
    };
    let values =
        |csv: &str| -> Vec<f64> { csv.lines().filter_map(|l| l.trim().parse().ok()).collect() };
    let (out, _) = run("open s.cu8 as s; abs(s)");
    let got = values(&out);
    assert_eq!(got.len(), 200);
    for (k, g) in got.iter().enumerate() {
        let (r, i) = (bytes[2 * k] as f64 - 127.5, bytes[2 * k + 1] as f64 - 127.5);
        let want = r.hypot(i);
        assert!((g - want).abs() <= 1e-6 * want, "sample {k}: {g} vs {want}");
    }
    let (out, _) = run("open t.cs8 as t; abs(t)");
    for (k, g) in values(&out).iter().enumerate() {
        let (r, i) = (bytes[2 * k] as i8 as f64, bytes[2 * k + 1] as i8 as f64);
        assert!(
            (g - r.hypot(i)).abs() <= 1e-6 * r.hypot(i).max(1.0),
            "signed sample {k}"
        );
    }
    let (table, _) = {
        let out = std::process::Command::new(common::bin())
            .args(["-c", "open s.cu8 as s"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        (text(&out.stdout), ())
    };
    assert!(
        table.contains("they compute centred, as (r - 127.5) + (i - 127.5)j"),
        "{table}"
    );
}

/// `psd` of a SigMF recording takes the sample rate from its metadata and
/// puts the spectrum around the capture's centre frequency: a tone 100 kHz
/// above a 915 MHz centre, sampled at 1 MHz, peaks at 915.1 MHz (within a
/// bin); fs= given by hand overrides the metadata.
#[test]
fn psd_of_a_sigmf_recording_is_in_hertz_around_its_centre_frequency() {
    let dir = temp();
    let n = 1 << 14;
    let mut bytes = Vec::with_capacity(n * 8);
    for k in 0..n {
        let phase = 2.0 * std::f64::consts::PI * 0.1 * k as f64;
        bytes.extend_from_slice(&(phase.cos() as f32).to_le_bytes());
        bytes.extend_from_slice(&(phase.sin() as f32).to_le_bytes());
    }
    write(dir.path(), "rec.sigmf-data", bytes);
    std::fs::write(
        dir.path().join("rec.sigmf-meta"),
        r#"{"global": {"core:datatype": "cf32_le", "core:sample_rate": 1000000.0, "core:version": "1.0.0"},
            "captures": [{"core:sample_start": 0, "core:frequency": 915000000.0}], "annotations": []}"#,
    )
    .unwrap();
    let json = |cmd: &str| -> serde_json::Value {
        let out = std::process::Command::new(common::bin())
            .args([
                "--format",
                "json",
                "-c",
                &format!("open rec.sigmf-meta as s; {cmd}"),
            ])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let last = text(&out.stdout).lines().last().unwrap().to_string();
        serde_json::from_str(&last).unwrap()
    };
    let p = json("psd s nperseg=256");
    assert_eq!(p["fs"], 1e6);
    assert_eq!(p["fs_from_metadata"], true);
    assert_eq!(p["centre"], 915e6);
    let peak = p["peaks"][0]["frequency"].as_f64().unwrap();
    assert!((peak - 915.1e6).abs() <= 1e6 / 256.0, "peak at {peak}");
    let by_hand = json("psd s nperseg=256 fs=2.0");
    assert_eq!(by_hand["fs_from_metadata"], false);
    let peak = by_hand["peaks"][0]["frequency"].as_f64().unwrap();
    assert!((peak - 0.2).abs() <= 2.0 / 256.0, "peak at {peak}");
}

/// A transform along the last axis streams row by row: rows holding a tone
/// whose bin moves with the row (row r at bin 3r + 1), 256 rows of 4096
/// complex64 samples, under `set memory 2MiB`, a sixteenth of what the
/// whole transform would take. `argmax(abs(fft(d)), axis=1)` finds each
/// row's bin and the column means peak where the tones are; along axis 0
/// (not streamed) the same memory limit refuses with a hint.
#[test]
fn transforms_along_the_last_axis_stream_beyond_the_memory_limit() {
    let dir = temp();
    let (rows, n) = (256usize, 4096usize);
    let mut bytes = Vec::with_capacity(rows * n * 8);
    for r in 0..rows {
        let bin = (3 * r + 1) as f64;
        for k in 0..n {
            let phase = 2.0 * std::f64::consts::PI * bin * k as f64 / n as f64;
            bytes.extend_from_slice(&(phase.cos() as f32).to_le_bytes());
            bytes.extend_from_slice(&(phase.sin() as f32).to_le_bytes());
        }
    }
    write(dir.path(), "rows.c8", bytes);
    let run = |script: &str| {
        std::process::Command::new(common::bin())
            .args(["--format", "csv", "-c", script])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let numbers = |out: &std::process::Output| -> Vec<f64> {
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    };
    let open = "open rows.c8 256x4096 c8 as d; set memory 2MiB";
    let peaks = numbers(&run(&format!("{open}; argmax(abs(fft(d)), axis=1)")));
    let want: Vec<f64> = (0..rows).map(|r| (3 * r + 1) as f64).collect();
    assert_eq!(peaks, want);
    // Each tone's bin holds n (the tone's amplitude summed over the row),
    // so the column mean is n / rows there and ~0 elsewhere.
    let means = numbers(&run(&format!("{open}; mean(abs(fft(d, axis=1)), axis=0)")));
    assert_eq!(means.len(), n);
    for (k, m) in means.iter().enumerate() {
        let tone = k % 3 == 1 && k < 3 * rows;
        let expect = if tone { n as f64 / rows as f64 } else { 0.0 };
        assert!((m - expect).abs() < 1e-2, "bin {k}: {m} vs {expect}");
    }
    let refused = run(&format!("{open}; mean(abs(fft(d, axis=0)))"));
    assert!(!refused.status.success());
    let err = text(&refused.stderr);
    assert!(
        err.contains("more than the memory limit") && err.contains("along the last axis"),
        "{err}"
    );
}

/// A streamed transform reserves what the threads that can make its rows
/// hold: one row is made by one thread, and a long row read in pieces
/// holds no copy of its input. A row of 2^26 complex64 samples holds its
/// buffer, the four steps' second buffer and the result, 1 GiB each: the
/// estimate said 6.0 GiB (a row's input, buffer and result on each of two
/// threads) and refused it under the default limit.
#[test]
fn a_long_rows_transform_reserves_one_rows_work() {
    let dir = temp();
    let f = std::fs::File::create(dir.path().join("row.c8")).unwrap();
    f.set_len(8 << 26).unwrap();
    let out = std::process::Command::new(common::bin())
        .args(["-c", "open row.c8 c8; set memory 2GiB; x = fft(d)"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("fft() of rows of 67108864 values needs 3.0 GiB, more than the memory limit"),
        "{err}"
    );
}

/// `psd` of a sparse 2 GiB recording (2^28 complex64 samples, zero but for
/// 2^22 samples of a tone in noise): the tone lies on bin 192 of 1024
/// (187.5 kHz at 1 MHz), and each of the 4,096 segments that hold it adds
/// a power of exactly 1 (a unit tone on a bin, `scaling=spectrum`), the
/// other 258,048 segments 0. So the peak is at 187.5 kHz, within one bin,
/// at 10·log10(4096 / 262144) dB, within 0.5 dB (the noise adds ~1e-5).
#[test]
fn psd_of_a_sparse_2_gib_recording_finds_the_tone_and_its_power() {
    let dir = temp();
    let (total, start, len, fs, tone) = (1u64 << 28, 100u64 << 20, 1u64 << 22, 1e6f64, 187_500.0);
    let mut f = std::fs::File::create(dir.path().join("r.c8")).unwrap();
    f.set_len(total * 8).unwrap();
    let bytes = common::tone_c8(len, tone, fs, 0.2, 0x70e);
    use std::io::{Seek, SeekFrom, Write};
    f.seek(SeekFrom::Start(start * 8)).unwrap();
    f.write_all(&bytes).unwrap();
    drop(f);
    let out = std::process::Command::new(common::bin())
        .args([
            "--format",
            "json",
            "-c",
            "open r.c8 c8 as d; psd d nperseg=1024 noverlap=0 fs=1e6 scaling=spectrum",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let last = stdout.lines().last().unwrap();
    let rows: Vec<(f64, f64)> = last
        .split("\"rows\":")
        .nth(1)
        .unwrap()
        .split("{\"frequency\":")
        .skip(1)
        .map(|r| {
            let freq: f64 = r.split(',').next().unwrap().parse().unwrap();
            let db: f64 = r
                .split("\"db\":")
                .nth(1)
                .unwrap()
                .split('}')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            (freq, db)
        })
        .collect();
    assert_eq!(rows.len(), 1024, "{last:.300}");
    let &(freq, db) = rows.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    assert!((freq - tone).abs() <= fs / 1024.0, "peak at {freq} Hz");
    let want = 10.0 * ((len / 1024) as f64 / (total / 1024) as f64).log10();
    assert!((db - want).abs() <= 0.5, "peak {db} dB, want {want} dB");
}

/// The engine's float32 and float64 lanes against its general float64
/// path (`STRIDED_LANES=0`), on one thread and on three: the same bytes for
/// every elementwise expression saved, and the same printed reductions.
/// The values hold NaN, both infinities, both zeros, subnormals and values
/// near float32's largest (so products overflow); the views are
/// contiguous, strided, reversed and transposed, complex64, big-endian,
/// int16, int64 (arithmetic in the integer lanes) and float64 (with complex128 made from it); the expressions
/// use every operation the lanes compute and the ones that leave them for
/// the general path (broadcast operands, masks, floor division, casts,
/// 64-bit integer comparisons).
#[test]
fn lanes_give_the_general_paths_bits_on_any_number_of_threads() {
    let dir = temp();
    let shape = (6, 257, 64);
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let values: Vec<f32> = (0..shape.0 * shape.1 * shape.2)
        .map(|k| {
            xorshift(&mut s);
            let u = (s >> 40) as f32 / (1u64 << 24) as f32;
            match k % 1013 {
                0 => f32::NAN,
                1 => f32::INFINITY,
                2 => f32::NEG_INFINITY,
                3 => -0.0,
                4 => 0.0,
                5 => f32::from_bits(1 + (s >> 50) as u32),
                6 | 500 => f32::MAX * (u - 0.5),
                7 | 600 => 1e-30 * u,
                _ => (u - 0.3) * 40.0,
            }
        })
        .collect();
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(dir.path().join("x.f4"), bytes).unwrap();
    // Float64 values that float32 does not hold, with the same specials.
    let wide: Vec<u8> = values
        .iter()
        .flat_map(|&v| (f64::from(v) * 1.1).to_le_bytes())
        .collect();
    std::fs::write(dir.path().join("w.f8"), wide).unwrap();
    // The values as float16 (NaN, infinities, zeros, values past its
    // range), with one NaN: NumPy does not say which of two NaN a product
    // of them keeps, and the lanes and the general path choose apart.
    let half: Vec<u8> = values
        .iter()
        .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
        .collect();
    std::fs::write(dir.path().join("f.f2"), half).unwrap();
    let elementwise = [
        "x + 1.5",
        "x * x - 3",
        "x / 7 > 0.25",
        "0.1 - x",
        "x == x",
        "x != x",
        "x.T * 2",
        "x[:, ::-1, ::-3] + x[:, :, ::3]",
        "abs(c)",
        "db(c)",
        "log10(abs(x))",
        "log(x)",
        "exp(x / 100)",
        "sqrt(x)",
        "c * c",
        "c / (c + 1)",
        "c - x[..., :32]",
        "conj(c) + 1",
        "-c",
        "c.imag * 2",
        "c.real - c.imag",
        "x.imag + x",
        "isnan(c)",
        "isfinite(x) & (x > 0)",
        "~(x > 0)",
        "(x > 0) | isnan(x)",
        "(x > 0) ^ (x > 1)",
        "where(x > 0, x, -x)",
        "where(x, x + 1, 2)",
        "where(h, h, 7)",
        "where(c.real > 0, c, 2j)",
        "where(x > 0, x, x[:, :1])",
        "x + h",
        "x * b",
        "x - mean(x, axis=0)",
        "x // 3 + 1",
        "x ** 2 + 1",
        "x.astype('f8') + 1",
        "clip(x, -1, 1) * 2",
        "clip(x, 1, -1)",
        "clip(w, x, 2)",
        "round(w, -1)",
        "round(x, 0) - x",
        "w ** 2",
        "c * c - c * 2j",
        // Complex powers by a Python number: NumPy's square, reciprocal
        // and square root; by a float 2.0, npy_cpow's product.
        "c ** 2 + 1",
        "c ** -1",
        "c[:, ::-1] ** -1 * 2",
        "(w + 1j) ** -1",
        "c ** 2.0",
        "c ** 0.5",
        "c * c[:, ::-1]",
        "(w[..., :32] + 1j) * c",
        // Complex functions (`cmath`, float64 in both) and products and
        // quotients with a number or a real array as either operand.
        "sqrt(c)",
        "log(c) + 1",
        "log10(c[:, ::-1])",
        "exp(c / 30)",
        "exp(1j * x / 10)",
        "x * exp(-2j * x)",
        "sqrt(w + 1j)",
        "log(w - 2j)",
        "exp((w + 1j) / 50)",
        "2j * c",
        "(1 - 1j) / c",
        "x[..., :32] / (c + 1j)",
        "round(x, 2) + 1",
        "angle(c)",
        "angle(c[:, ::-1]) - angle(conj(c))",
        "angle(x)",
        "angle(w + 1j * x)",
        "angle(w)",
        "x[x > 1] + 1",
        "w * 1.1 - 3",
        "w / x > 0.25",
        "wb - w",
        "x * 2 + w",
        "(x > 0) & (w < 1)",
        "where(w > 0, w, x)",
        "where(x > 0, w, 2)",
        "abs(w) + h",
        "log(w)",
        "log10(abs(w))",
        "exp(w / 100)",
        "db(w)",
        "sqrt(w)",
        "isnan(w) | (w > 1)",
        "~(w > 0)",
        "-w",
        "w.T * w.T",
        "w[:, ::-1, ::-3] + w[:, :, ::3]",
        "(w + 1j) * w",
        "abs(w + 1j)",
        "db(w - 2j)",
        "(w + 1j) / (w - 2j)",
        "conj(w + 1j) - w",
        "isfinite(w * 1j)",
        "x.view('<i8') > 3",
        "x.view('<i8') + 0.5",
        "x.view('<i4') * 0.5",
        "h > 100",
        "(h > 0) & (x > 0)",
        "x.view('>i2')[..., ::-1] < 0",
        "where(x.view('<u2')[..., ::2] > 30000, x, 0)",
        // Integer arithmetic (the integer lanes), wrapping in each dtype.
        "h + 1",
        "h * 3 - 7",
        "h * h",
        "-h",
        "abs(h)",
        "~h",
        "h // 7",
        "h % -5",
        "h // (h % 3)",
        "h % (h & 3)",
        "(h & 255) | 3",
        "h ^ 21845",
        "i + i",
        "i - 5",
        "i * 3",
        "i // 1000",
        "i % -1000",
        // int32 in 32-bit lanes: products and powers wrapping, MIN's
        // negation and absolute value, division by -1 and by zero.
        "i * i",
        "-i + abs(i)",
        "i // (i & 7) - i // -1",
        "i ** 3 + 1",
        "where(i > 0, i, i % 3)",
        // clip in the integer lanes (lo above hi gives hi, as NumPy).
        "clip(h, -100, 300) * 2",
        "clip(h, 5, 1)",
        "clip(q, i[..., :32], 7)",
        "clip(u, h[:1], 200)",
        "clip(i, -5, 5) + 1",
        // ... a None bound, and uint64 (compared unsigned).
        "clip(h, None, 300)",
        "clip(i, -5, None) * 2",
        "clip(q, None, q[:, ::-1])",
        "clip(wq, 5, 18446744073709551000)",
        "clip(wq, wq[:, ::-1], None)",
        "clip(wq, None, wq[:, :1]) + 1",
        "u + u",
        "u - 200",
        "u * 3",
        "~u",
        "u + h",
        "v + h",
        "v * v",
        "k * k",
        "-k",
        "(h > 3) + h",
        "where(h > 0, h, -h)",
        "where(x > 0, h, 0)",
        "h.astype('i1') + 1",
        "h.astype('u2') * 2",
        "u.astype('i2') - 300",
        "(h > 0).astype('u1') * u",
        "h - h[:1]",
        "g + 1",
        "(h - 3) * 0.5",
        "h * 2 > 100",
        "(i + 1) > 0",
        "h ** 2",
        // Integer powers by one exponent in the integer lanes, wrapping.
        "h ** 3",
        "u ** 2 + 1",
        "q ** 2",
        "wq ** 3",
        "k ** 0",
        "v ** 1",
        "(h - 3) ** 5",
        // int64 in the integer lanes (// and % as integer divisions).
        "q - 3",
        "q * q",
        "q * 3 + i[..., :32]",
        "-q",
        "abs(q)",
        "~q",
        "(q & 255) | 7",
        "q ^ q[:, ::-1]",
        "q > 0",
        "q <= i[..., :32]",
        "(q > 0) & (x[..., :32] > 0)",
        "where(q > 0, q, -q)",
        "q.astype('i2') + 1",
        "h[..., :32].astype('i8') * 3",
        "q + 9007199254740993",
        "q // 7",
        "q % -5",
        "q // q[:, ::-1]",
        "q % (q & 3)",
        "(q & 255) // -(q & 7)",
        "qb - q",
        "(q - 1) * 0.5",
        // uint64 in the integer lanes as its bits (mixed with signed
        // integers in arithmetic, which is float64: the general path).
        "wq + 3",
        "wq * wq",
        "wq > 5",
        "wq <= wq[:, ::-1]",
        "wq >= 3",
        "wq < u[..., :32]",
        "wq // 7",
        "wq % wq[:, ::-1]",
        "wq // (wq & 3)",
        "abs(wq)",
        "-wq",
        "~wq",
        "wq > -1",
        // ... compared with signed integers: exactly, as NumPy.
        "wq > q",
        "wq <= q[:, ::-1]",
        "q == wq",
        "wq != i[..., :32]",
        "q >= wq[:, :1]",
        "(wq < q) | (wq > 9223372036854775807)",
        "wq - q",
        "where(wq > 5, wq, 3)",
        "wq.astype('i2')",
        "q.astype('u8') + 1",
        "(wq > 3) & (q > 0)",
        "wq * 0.5",
        // Integers cast to a float type that does not hold them all:
        // the integer lanes' values, each rounded once.
        "q.astype('f4') * 1",
        "(q * 1000003).astype('f4') - x[..., :32]",
        "i.astype('f4') + x",
        "(i * 77777).astype('f4')",
        "(q * 3).astype('f8') + 0.5",
        "wq.astype('f4') * 1",
        "(wq * 3).astype('f8') - 1",
        "(wq // 3).astype('f4') + x[..., :32]",
        // Casts that keep every value: the child's own lanes.
        "h.astype('f4') * 0.5",
        "u.astype('f8') / 3",
        "(h - 3).astype('f4') + x",
        "x.astype('f8') * w",
        "c.astype('c16') * (w[..., :32] + 1j)",
        "i.astype('f4') + 1",
        "x.astype('?') + 1",
        // Basic indexing and transposes of expressions: the operands
        // indexed alike, down to the views.
        "abs(c)[:, ::-1, 1:]",
        "(x * 2).T[1:] + 1",
        "diff(x * 2, axis=1)",
        "(x + h)[..., ::3]",
        "where(x > 0, w, 1)[:, 2].T",
        // Floor division, remainder and powers of floats in their own
        // precision; one exponent for all: NumPy's sqrt, 1 / x and square.
        "x // 7e-4",
        "x % -3",
        "w // x",
        "w % 1.5",
        "(x * 1e3) // x[:, ::-1]",
        "x ** 0.5",
        "x ** -1",
        "w ** 0.5 + w ** -1",
        "abs(x) ** 1.5",
        "abs(w) ** x[..., :1]",
        "2 ** (x / 100)",
        "x ** x[:, ::-1]",
        "h ** 0.5",
        "x ** 0 + x ** 1",
        // Floats cast to integers (NaN, infinities and values past each
        // range among them): float lanes, then NumPy's conversion.
        "x.astype('i2') + 1",
        "(x * 1e8).astype('i4')",
        "(x * 1e8).astype('u4') + 1",
        "w.astype('i8') - 1",
        "(w * 1e17).astype('u8')",
        "c.astype('?')",
        "c.astype('u1') * 3",
        "(x * 10).astype('i1') // 3",
        "x[:, :1].astype('i2') + h",
        "(c * 1e9).astype('i8') + q[..., :1]",
        // float16 with NaN (and a few infinities) in most runs: the
        // column kernel for four rows with specials.
        "mean(x.view('<f2'), axis=0)",
        "nansum(x.view('<f2'), axis=(0, 1))",
        "sum(x.view('<f2')[:, :, 1:], axis=1)",
        // float16 arithmetic: float32 lanes, each node rounded to float16
        // (NumPy's npy_float_to_half after each float32 operation).
        "f * 3 + 1",
        "f * f[:, ::-1]",
        "f / fb[:, :, ::-1] - 0.5",
        "f + 0.1",
        "sqrt(f) * 2",
        "abs(f) - f[:, :1]",
        "(x * 3).astype('f2') - 1",
        "h.astype('f2') + f",
        "f * 2.5 + f.astype('f8')",
        "x - f * 4",
        "where(f > 1, f * 1e4, -f)",
        "(f * 1000).astype('i2') + 1",
        "f // 3 + f % 2",
        "f ** 2 - f ** -1",
        "abs(f) ** 1.5",
        // (Two NaN of opposite signs summed keep either sign, as the
        // operands come: NumPy does not say which either.)
        "f ** f[:, ::-1] * 2",
        "f ** 0.5 - 1",
        // float16 logarithms and exponentials: float32's, rounded to
        // float32 and then to float16 (NumPy's npy_float_to_half(npy_logf)).
        "log(abs(f)) * 2",
        "log10(fb[:, ::-1]) + f",
        "exp(f / 4) - 1",
        "db(f) + 3",
        "angle(f) * f",
        "round(f * 7, 0) - f",
        "round(f * 7, 1)",
        // Operands broadcast in the lanes: along the run, one value per
        // run, both operands broadcast, computed arrays.
        "c - c[:, :1]",
        "x[:, :1, :] * x[:1]",
        "x + x[0, 0]",
        "w - mean(w, axis=0)",
        "c - mean(c, axis=0)",
        "h - mean(h, axis=0)",
        "where(x[:1] > 0, h, u[:, :1])",
        // Advanced indexing of a file's view as an operand, streamed:
        // bytes copied a run at a time, decoded as the file's.
        "x[[5, 0, 5, 2]] * 2",
        "abs(c[:, [3, 3, 0, 250]])",
        "x[:, :, [63, 0, 1, 2]] + h[..., :4]",
        "c[[1, 0], ::-1, [7, 9]] - 1j",
        "w[[0, 3]] - x[[3, 0]]",
        "h[[2, 1], 7] * 3",
        "-x.view('>i2')[[4, 0]]",
        "x[[2, 0], :, ::-3] * 2",
        "x[[2, 0], 1:, 3] + 1",
        // ... in the integer lanes.
        "h[[1, 4], :, [0, 63]] - 3",
        "h[[1, 4], 3, 1::2] + 1",
        "q[:, [5, 0]] * 3",
        "u[[2, 2]] // (h[[0, 5]] | 1)",
        // Advanced indexing of a computed array: gathered at its leaves
        // (one of another shape broadcast first), so it reads only the
        // picked elements, in the lanes.
        "(x * 2 - 1)[[5, 0, 5]]",
        "(x * 1000).astype('i2')[[1, 4, 2], :, [0, 63, 7]]",
        "(c - c[0])[:, [3, 3, 0, 250]]",
        "abs(c + x[..., :32])[[1, 0], ::-1, [7, 9]]",
        "where(x > 0, h, u[:, :1])[:, [200, 1]] + 1",
        "(h - 3)[[2, 1], 7] * 3",
        "(w - mean(w, axis=0))[[0, 3]]",
        // ... and in the integer lanes.
        "h - h[0]",
        "h * h[:, :, :1]",
        "q - q[0, 0]",
        "u + h[:1, :1]",
        "(h - h[0]) // 3",
    ];
    let reductions = [
        "sum(x * 2)",
        "mean(abs(c), axis=0)[:3]",
        "std(db(c), axis=1)[0, :3]",
        "min(x - 1, axis=(0, 2))[:3]",
        "max(abs(c) + 0, axis=2)[0, :3]",
        "argmax(x * 3)",
        "count_nonzero(x > 3)",
        "count_nonzero(c.real > 0, axis=1)[:, :3]",
        "stats x[:, [9, 1, 200, 201, 202]]",
        "mean(abs(c[[5, 0, 2]]), axis=0)[:3, :3]",
        "count_nonzero(isnan(x[[1, 2]]))",
        "sum(h[:, [7, 1, 250]] * 3)",
        "stats k[[0, 5]] - 1",
        "stats abs(c)",
        "stats angle(c)",
        "stats x",
        "nanmean(x, axis=0)[0, :4]",
        "sum(x * 2, axis=0)[1, :5]",
        "count_nonzero(x, axis=1)[:, :3]",
        "argmin(x[:, ::-1], axis=0)[0, :3]",
        "mean(angle(w * 1j + x), axis=1)[0, :3]",
        "stats x[x > 5]",
        "stats log10(abs(x))",
        "hist db(c) bins=10 range=-100,800",
        "count_nonzero(w > 3)",
        "sum(w * 2)",
        "mean(w - x, axis=0)[:3]",
        "max(abs(w + 1j), axis=2)[0, :3]",
        "stats db(w)",
        "stats w[w > 5]",
        "hist w * 2 bins=10 range=-50,50",
        "stats h",
        "stats x.view('>i2')[:, ::-2]",
        "mean(x.view('u1'), axis=0)[0, :3]",
        "stats x.view('<f2')",
        "sum(f * 2)",
        "mean(f + 1, axis=0)[0, :3]",
        "stats f * 3",
        "hist f - 1 bins=10 range=-50,50",
        "count_nonzero(x.view('i1') > 3)",
        "sum(x.view('<i2'), axis=1)[0, :3]",
        "sum(h * 3 - 7)",
        "mean(i % 1000, axis=0)[:3]",
        "stats u + u",
        "count_nonzero(h // 7 > 2)",
        "hist h * 2 bins=10",
        "max(abs(h), axis=2)[0, :3]",
        "argmin(u - 1)",
        "sum(i * 3, axis=(0, 2))[:3]",
        "sum(q - 3)",
        "stats q * 3",
        "count_nonzero(q > 0)",
        "mean(q & 255, axis=0)[:2, :3]",
        "max(q ^ 12345, axis=2)[0, :3]",
        "argmax(abs(q))",
        "sum(q, axis=1)[0, :3]",
        "count_nonzero(wq > 5)",
        "sum(wq & 255)",
        "max(wq + 1, axis=1)[0, :3]",
        "stats wq // 3",
        "argmax(wq ^ 5)",
        // Small integers read as they lie (32-bit lanes from the bytes).
        "mean(h, axis=0)[:2, :3]",
        "sum(u, axis=(0, 1))[:3]",
        "sum(v, axis=0)[0, :3]",
        "mean(x.view('>i2'), axis=1)[0, :3]",
        "sum(x.view('>u2')[:, :, 1:], axis=0)[0, :3]",
        "mean(k, axis=0)[0, :3]",
        "std(v)",
        "sum(x.view('>u2'))",
        "stats x.view('i1')",
        "argmax(x.view('<u2'))",
        "argmin(g)",
        "sum(x // 3)",
        "stats abs(w) ** 0.3",
        "mean(x % 2, axis=0)[0, :3]",
        // Casts of floats in the integer lanes, reduced exactly.
        "sum((x * 1e8).astype('i4'))",
        "sum((w * 1e15).astype('i8'))",
        "mean((x * 100).astype('i2'), axis=0)[0, :3]",
    ];
    let mut script = String::from(
        "open x.f4 (6, 257, 64) <f4 as x; open x.f4 (6, 257, 64) >f4 as b; \
         c = x.view('<c8'); h = x.view('<i2')[..., :64]; i = x.view('<i4'); \
         u = x.view('u1')[..., :64]; v = x.view('<u2')[..., :64]; k = x.view('i1')[..., ::4]; \
         g = x.view('>i2')[..., ::-2]; q = x.view('<i8'); qb = b.view('>i8'); wq = x.view('<u8'); \
         open w.f8 (6, 257, 64) <f8 as w; open w.f8 (6, 257, 64) >f8 as wb; \
         open f.f2 (6, 257, 64) <f2 as f; open f.f2 (6, 257, 64) >f2 as fb",
    );
    for (k, e) in elementwise.iter().enumerate() {
        script.push_str(&format!("; save {e} e{k}.npy"));
    }
    for e in reductions {
        script.push_str(&format!("; {e}"));
    }
    let run = |lanes: &str, threads: &str, narrow: &str| {
        for k in 0..elementwise.len() {
            let _ = std::fs::remove_file(dir.path().join(format!("e{k}.npy")));
        }
        let out = std::process::Command::new(common::bin())
            .args(["--format", "csv", "-c", &script])
            .current_dir(dir.path())
            .env("STRIDED_LANES", lanes)
            .env("STRIDED_THREADS", threads)
            .env("STRIDED_NARROW", narrow)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let saved: Vec<Vec<u8>> = (0..elementwise.len())
            .map(|k| std::fs::read(dir.path().join(format!("e{k}.npy"))).unwrap())
            .collect();
        (text(&out.stdout), saved)
    };
    let (general, general_saved) = run("0", "1", "1");
    assert!(general.lines().count() > 25, "{general}");
    // Integer trees in 32-bit lanes where they fit (the default), and in
    // 64-bit lanes (`STRIDED_NARROW=0`).
    for (lanes, threads, narrow) in [("1", "1", "1"), ("1", "3", "1"), ("1", "1", "0")] {
        let (printed, saved) = run(lanes, threads, narrow);
        for (a, b) in printed.lines().zip(general.lines()) {
            assert_eq!(
                a, b,
                "lanes {lanes}, {threads} threads, narrow {narrow}, against the general path"
            );
        }
        assert_eq!(printed.lines().count(), general.lines().count());
        for (k, (a, b)) in saved.iter().zip(&general_saved).enumerate() {
            assert!(
                a == b,
                "`{}` differs from the general path ({threads} threads)",
                elementwise[k]
            );
        }
    }
}

/// `sum(x, axis=0)` of uint16 and int16 files long enough that a chunk's
/// 32-bit column sums would wrap if they were not moved on in time
/// (2^15 rows of 65535 pass 2^31), against sums in 64-bit integers.
#[test]
fn axis_sums_of_small_integers_read_as_they_lie_are_exact() {
    let dir = temp();
    let (rows, cols) = (600_000usize, 3usize);
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let values: Vec<u16> = (0..rows * cols)
        .map(|_| {
            xorshift(&mut s);
            65535 - (s % 300) as u16
        })
        .collect();
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    write(dir.path(), "x.u2", bytes);
    let sums = |signed: bool| -> Vec<i64> {
        (0..cols)
            .map(|c| {
                (0..rows)
                    .map(|r| {
                        let v = values[r * cols + c];
                        if signed {
                            i64::from(v as i16)
                        } else {
                            i64::from(v)
                        }
                    })
                    .sum()
            })
            .collect()
    };
    let script = format!(
        "open x.u2 ({rows}, {cols}) <u2 as x; open x.u2 ({rows}, {cols}) <i2 as y; \
         sum(x, axis=0); sum(y, axis=0); sum(x.reshape(2, -1, {cols}), axis=(0, 1))"
    );
    let out = run_in(dir.path(), &["--format", "csv", "-c", &script], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: Vec<i64> = text(&out.stdout)
        .lines()
        .filter_map(|l| l.rsplit(',').next()?.parse().ok())
        .collect();
    let want: Vec<i64> = [sums(false), sums(true), sums(false)].concat();
    assert_eq!(got, want, "{}", text(&out.stdout));
}

/// `explain` lists each view a computation reads once, however often the
/// expression names it (its second reading hits the caches), and two
/// views of different bytes apart.
#[test]
fn explain_lists_a_view_named_twice_once() {
    let dir = temp();
    write(dir.path(), "h.i2", vec![7u8; 2 * 64 * 32]);
    let reads = |e: &str| {
        let out = run_in(
            dir.path(),
            &["-c", &format!("open h.i2 64x32 <i2 as h; explain {e}")],
            "",
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        lines(&out)
            .iter()
            .filter(|l| l.starts_with("  reads "))
            .count()
    };
    assert_eq!(reads("sum(where(h > 0, h // 7, -h))"), 1);
    assert_eq!(reads("sum(h[1:] - h[:-1])"), 2);
}

/// `explain` of a computation over advanced indexing of a file says it
/// reads the elements the indices pick (their bytes, within the view's
/// span), not the whole view: in the plan's text and its json.
#[test]
fn explain_counts_the_elements_a_gather_reads() {
    let dir = temp();
    write(dir.path(), "h.i2", vec![7u8; 2 * 64 * 32]);
    let script = "open h.i2 64x32 <i2 as h; explain sum(h[[3, 9, 3]] * 2)";
    let out = run_in(dir.path(), &["-c", script], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = text(&out.stdout);
    assert!(
        all.contains("the elements advanced indexing picks")
            && all.contains("(shape (3, 32)): 192 bytes within the 4.0 KiB it spans"),
        "{all}"
    );
    let out = run_in(dir.path(), &["--format", "json", "-c", script], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json = text(&out.stdout);
    assert!(
        json.contains(r#""used":192,"spanned":4096,"gathered":[3,32]"#),
        "{json}"
    );
    // A gather of a computed array: computed from its leaves gathered, in
    // the lanes, each leaf read where the indices pick (`h[0]`, broadcast,
    // is its own 32 elements); NumPy computes the whole expression first.
    let script = "open h.i2 64x32 <i2 as h; explain sum((h * 2 - h[0])[[3, 9, 3]])";
    let out = run_in(dir.path(), &["-c", script], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = text(&out.stdout).replace("\n           ", " ");
    for want in [
        "compute  in 32-bit integer lanes",
        "shape (64, 32), the elements advanced indexing picks (shape (3, 32)): 192 bytes within the 4.0 KiB",
        "shape (32,), the elements advanced indexing picks (shape (3, 32)): 64 bytes within the 64 bytes",
        "the operator * 4.0 KiB, the operator - 4.0 KiB, the copy made by advanced indexing 192 bytes",
    ] {
        assert!(all.contains(want), "{want}\n{all}");
    }
    // An integer cast inside a float tree is named once.
    let script = "open h.i2 64x32 <i2 as h; explain sum((h * 3).astype('i1') * 0.5)";
    let out = run_in(dir.path(), &["-c", script], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = text(&out.stdout);
    assert!(
        all.contains("fused per block: int8(read * 3) * 0.5"),
        "{all}"
    );
}

/// Basic indexing, transposes and reshapes of an `axis=` result hold the
/// picked values (`Lazy::indexed`): each gives the bytes the same index
/// gives over a view of the result saved to a file (`View::index`, a
/// second computation), alone and as an operand broadcast into a file's
/// view, complex and 64-bit integer results among them.
#[test]
fn indexing_an_axis_result_picks_what_indexing_its_saved_view_picks() {
    let dir = temp();
    let mut s = 0x5851_F42D_4C95_7F2Du64;
    let bytes: Vec<u8> = (0..6 * 10 * 12)
        .flat_map(|_| ((xorshift(&mut s) >> 40) as f32 / 1e5 - 80.0).to_le_bytes())
        .collect();
    write(dir.path(), "x.f4", bytes);
    let cases = [
        ("mean(x, axis=0)", "m[::-1, 3:]"),
        ("mean(x, axis=0)", "m.T"),
        ("mean(x, axis=0)", "m[None, 2, ::-3]"),
        ("mean(x, axis=0)", "m.reshape(12, 10)[1:, ::2]"),
        ("mean(x, axis=0)", "m.T[::-2].T[3]"),
        ("mean(x, axis=0)", "x - m[None]"),
        ("mean(x, axis=(0, 2))", "x - m[:, None]"),
        ("mean(x, axis=2)", "x - m[..., None][::-1]"),
        ("mean(x, axis=2, keepdims=True)", "x * m[:, ::-1]"),
        ("sum(x.view('<c8'), axis=1)", "m[::-1, 1:] * 2"),
        ("sum(x.view('<i4'), axis=0)", "m[:, ::-1].T - 1"),
        ("max(x.view('<i8'), axis=1)", "m.T[2]"),
    ];
    for (k, (reduction, expr)) in cases.iter().enumerate() {
        let over_view = expr.replace('m', "v");
        let script = format!(
            "open x.f4 6x10x12 <f4 as x; m = {reduction}; save m m{k}.npy; \
             open m{k}.npy as v; save {expr} a{k}.npy; save {over_view} b{k}.npy"
        );
        let out = run_in(dir.path(), &["-c", &script], "");
        assert!(out.status.success(), "{script}: {}", text(&out.stderr));
        let a = std::fs::read(dir.path().join(format!("a{k}.npy"))).unwrap();
        let b = std::fs::read(dir.path().join(format!("b{k}.npy"))).unwrap();
        assert!(a == b, "{expr} of {reduction}: the saved bytes differ");
    }
}

/// NumPy's power of complex values by a Python number takes its fast
/// cases (`fast_scalar_power`): `x ** 2` is `np.square`, the same bits as
/// `x * x` (fused multiply-adds); `x ** -1` is `np.reciprocal`, whose
/// formula (`nc_reciprocal`, computed here) is not `1 / x`'s; a float
/// exponent 2.0 is `npy_cpow`'s product without fused multiply-adds
/// (computed here). Each was `npy_cpow` in float64, rounded once, which
/// differs in the last bits where the real part cancels.
#[test]
fn complex_powers_by_a_python_number_take_numpys_fast_cases() {
    let dir = temp();
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let values: Vec<(f32, f32)> = (0..4096)
        .map(|_| {
            let mut u = || (xorshift(&mut s) >> 40) as f32 / (1u64 << 24) as f32 * 40.0 - 20.0;
            (u(), u())
        })
        .collect();
    let bytes: Vec<u8> = values
        .iter()
        .flat_map(|&(r, i)| [r.to_le_bytes(), i.to_le_bytes()].concat())
        .collect();
    write(dir.path(), "c.c8", bytes);
    let script = "open c.c8 <c8 as c; save c ** 2 sq.bin; save c * c mul.bin; \
                  save c ** -1 rec.bin; save c ** 2.0 pow.bin";
    let out = run_in(dir.path(), &["-c", script], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let read = |name: &str| -> Vec<(f32, f32)> {
        let b = std::fs::read(dir.path().join(name)).unwrap();
        b.chunks_exact(8)
            .map(|c| {
                let f = |k: usize| f32::from_le_bytes(c[k..k + 4].try_into().unwrap());
                (f(0), f(4))
            })
            .collect()
    };
    assert!(read("sq.bin") == read("mul.bin"), "x ** 2 is not x * x");
    let reciprocal = |(r, i): (f32, f32)| {
        if i.abs() <= r.abs() {
            let q = i / r;
            let d = r + i * q;
            (1.0 / d, -q / d)
        } else {
            let q = r / i;
            let d = r * q + i;
            (q / d, -1.0 / d)
        }
    };
    let want: Vec<(f32, f32)> = values.iter().map(|&v| reciprocal(v)).collect();
    assert!(read("rec.bin") == want, "x ** -1 is not np.reciprocal");
    let product: Vec<(f32, f32)> = values
        .iter()
        .map(|&(r, i)| (r * r - i * i, r * i + i * r))
        .collect();
    assert!(
        read("pow.bin") == product,
        "x ** 2.0 is not npy_cpow's product"
    );
}

/// Integers compared with Python ints that no 64-bit lane holds (NumPy 2
/// compares them exactly: `x < 2**63` of int64 is true everywhere), and
/// uint64 compared with signed integers, exactly; the answers computed
/// here in 128-bit integers. The integer lanes had wrapped such a number
/// into 64 bits (`x < 2**63` was `x < -2**63`, false everywhere).
#[test]
fn integers_compare_exactly_with_numbers_past_their_lanes() {
    let dir = temp();
    let signed: [i64; 6] = [i64::MIN, -5, 0, 7, 1 << 62, i64::MAX];
    let unsigned: [u64; 6] = [0, 3, 7, 1 << 63, (1 << 63) + 9, u64::MAX];
    let bytes = |v: Vec<[u8; 8]>| v.concat();
    std::fs::write(
        dir.path().join("q.bin"),
        bytes(signed.iter().map(|v| v.to_le_bytes()).collect()),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("w.bin"),
        bytes(unsigned.iter().map(|v| v.to_le_bytes()).collect()),
    )
    .unwrap();
    let q: Vec<i128> = signed.iter().map(|&v| v.into()).collect();
    let w: Vec<i128> = unsigned.iter().map(|&v| v.into()).collect();
    let two = |e: u32| 2i128.pow(e);
    type Case<'a> = (&'a str, Vec<bool>);
    let cases: Vec<Case> = vec![
        (
            "q < 9223372036854775808",
            q.iter().map(|&v| v < two(63)).collect(),
        ),
        (
            "q >= -9223372036854775809",
            q.iter().map(|&v| v > -two(63) - 1).collect(),
        ),
        (
            "q != 18446744073709551616",
            q.iter().map(|&v| v != two(64)).collect(),
        ),
        ("w > -1", w.iter().map(|&v| v > -1).collect()),
        (
            "w <= -18446744073709551615",
            w.iter().map(|&v| v <= 1 - two(64)).collect(),
        ),
        ("w > q", w.iter().zip(&q).map(|(a, b)| a > b).collect()),
        (
            "q >= w[::-1]",
            q.iter().zip(w.iter().rev()).map(|(a, b)| a >= b).collect(),
        ),
        ("w == q", w.iter().zip(&q).map(|(a, b)| a == b).collect()),
    ];
    let mut script = String::from("open q.bin i8 -1 as q; open w.bin u8 -1 as w");
    for (e, _) in &cases {
        script.push_str(&format!("; ({e}).tolist()"));
    }
    let out = run_in(dir.path(), &["-c", &script], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    let lists: Vec<&str> = printed.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(lists.len(), cases.len(), "{printed}");
    for ((e, want), got) in cases.iter().zip(lists) {
        let want: Vec<&str> = want
            .iter()
            .map(|&b| if b { "True" } else { "False" })
            .collect();
        assert_eq!(got, format!("[{}]", want.join(", ")), "{e}");
    }
}

/// `x[mask] = value` finds the mask's hits in groups of runs on every
/// core and writes them afterwards: over a file of more than one group
/// (eight runs of 2^20 elements), on one thread and three, exactly the
/// masked bytes change, checked against the file's bytes read here.
#[test]
fn a_masked_write_over_many_runs_changes_exactly_the_masked_elements_on_any_number_of_threads() {
    use std::io::{Seek, SeekFrom, Write};
    let dir = temp();
    let len: u64 = 9 << 20 | 12_345;
    let mut s = 0x5eed_u64;
    let mut bytes = std::collections::BTreeMap::new();
    for _ in 0..4000 {
        let at = xorshift(&mut s) % len;
        bytes.insert(at, (xorshift(&mut s) % 255 + 1) as u8);
    }
    for threads in ["1", "3"] {
        let name = format!("m{threads}.bin");
        let mut f = std::fs::File::create(dir.path().join(&name)).unwrap();
        f.set_len(len).unwrap();
        for (&at, &b) in &bytes {
            f.seek(SeekFrom::Start(at)).unwrap();
            f.write_all(&[b]).unwrap();
        }
        drop(f);
        let script = format!("open {name} u1 mode=r+\nd[d > 100] = 7\nflush\n");
        let out = common::run_in_with(dir.path(), &[], &script, &[("STRIDED_THREADS", threads)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let got = std::fs::read(dir.path().join(&name)).unwrap();
        assert_eq!(got.len() as u64, len);
        let mut want = vec![0u8; len as usize];
        for (&at, &b) in &bytes {
            want[at as usize] = if b > 100 { 7 } else { b };
        }
        let wrong = (0..want.len()).filter(|&k| got[k] != want[k]).count();
        assert_eq!(wrong, 0, "{wrong} bytes differ on {threads} threads");
    }
}

/// Values computed into memory are read in parts of 2^20 on every core,
/// each into its place: a sort, running totals, `unique` and
/// `flatnonzero` of more than one part give, on one thread and three,
/// what sorting, adding and looking here gives (eighths: exact in float32
/// and in decimal).
#[test]
fn values_held_in_memory_are_read_in_parts_in_their_places() {
    let dir = temp();
    let n = (1 << 20) + 70_001;
    let mut s = 77u64;
    let values: Vec<f32> = (0..n)
        .map(|_| (xorshift(&mut s) % 40_000) as f32 / 8.0 - 2_000.0)
        .collect();
    write(dir.path(), "x.f4", f32s(&values));
    let script =
        "open x.f4 <f4 as x; sort(x)[::99_991]; cumsum(x[::-1])[::131_071]; unique(x).shape; \
                  flatnonzero(x[::-1] > 2_999)";
    let mut sorted = values.clone();
    sorted.sort_by(f32::total_cmp);
    let mut want: Vec<String> = sorted
        .iter()
        .step_by(99_991)
        .map(|v| format!("{v:?}"))
        .collect();
    // Running totals in float32 (NumPy's cumsum of float32), in the order
    // of the reversed view.
    let mut total = 0f32;
    let totals: Vec<f32> = values
        .iter()
        .rev()
        .map(|&v| {
            total += v;
            total
        })
        .collect();
    want.extend(totals.iter().step_by(131_071).map(|v| format!("{v:?}")));
    sorted.dedup();
    want.push(format!("{}", sorted.len()));
    // nonzero's runs (2^20 each) collect their hits on every core, in order.
    let top: Vec<usize> = values
        .iter()
        .rev()
        .enumerate()
        .filter(|(_, &v)| v > 2_999.0)
        .map(|(k, _)| k)
        .collect();
    assert!(top.len() > 10, "hits in more than one run");
    want.extend(top.iter().map(|k| k.to_string()));
    for threads in ["1", "3"] {
        let got = csv_on_threads(dir.path(), script, threads);
        assert_eq!(got.lines().collect::<Vec<_>>(), want, "{threads} threads");
    }
}
