//! Micro-benchmarks of the reduction paths, in-process, with divan:
//! `cargo bench --bench reductions`. A 64 MiB complex64 file (4096 x 2048,
//! deterministic noise) is written once to the temp directory and opened
//! through a session, so each case times exactly one statement the way the
//! shell runs it, over a file in the page cache. The whole-process
//! comparison with NumPy is `bench/compare.py`; this one is for watching
//! the kernels themselves (C order, F order, strided fields, magnitudes).

use std::path::PathBuf;
use std::sync::OnceLock;

const ROWS: usize = 4096;
const COLS: usize = 2048;

fn main() {
    divan::main();
}

fn file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("strided-bench-{ROWS}x{COLS}.c8"));
        if std::fs::metadata(&path).map(|m| m.len()).ok() != Some((ROWS * COLS * 8) as u64) {
            // splitmix64 noise in [-1, 1): cheap, and no two runs differ.
            let mut state = 0x9e37_79b9_7f4a_7c15u64;
            let mut bytes = Vec::with_capacity(ROWS * COLS * 8);
            for _ in 0..ROWS * COLS * 2 {
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                let x = ((z >> 40) as f32 / (1u64 << 23) as f32) - 1.0;
                bytes.extend_from_slice(&x.to_le_bytes());
            }
            std::fs::write(&path, bytes).expect("write the benchmark file");
        }
        path
    })
}

fn session(order: &str) -> strided::Session {
    let mut s = strided::Session::new();
    let (shape, order) = match order {
        "F" => (format!("{COLS}x{ROWS}"), " order=F"),
        _ => (format!("{ROWS}x{COLS}"), ""),
    };
    let line = format!("open {:?} {shape}{order}", file());
    strided::run_line(&mut s, &line, &mut Vec::new()).expect("open the benchmark file");
    s
}

fn bench(b: divan::Bencher, order: &str, statement: &str) {
    let mut s = session(order);
    b.counter(divan::counter::BytesCount::new(ROWS * COLS * 8))
        .bench_local(|| {
            let mut out = Vec::new();
            strided::run_line(&mut s, statement, &mut out).expect("statement runs");
            out
        });
}

#[divan::bench(args = ["stats d.r", "stats abs(d)", "stats d.r[::2, ::2]", "mean(d.i)", "stats d.r.T"])]
fn c_order(b: divan::Bencher, statement: &str) {
    bench(b, "C", statement);
}

#[divan::bench(args = ["stats d.r", "stats abs(d)"])]
fn f_order(b: divan::Bencher, statement: &str) {
    bench(b, "F", statement);
}

/// Issue 12's workloads, in-process: axis reductions, comparisons, masks,
/// logarithms and the histogram.
#[divan::bench(args = [
    "mean(d.r, axis=0)",
    "mean(d.r, axis=1)",
    "max(abs(d), axis=1)",
    "count_nonzero(d.r > 0.5)",
    "stats d.r[d.r > 0.9]",
    "stats db(d)",
    "hist d.r bins=100",
])]
fn engine(b: divan::Bencher, statement: &str) {
    bench(b, "C", statement);
}

/// Integer lanes: the same bytes as int16 (4096 x 8192).
#[divan::bench(args = ["sum(x - 3)", "stats x * 2", "std(x)", "mean((x & 255) // 3, axis=0)"])]
fn int16(b: divan::Bencher, statement: &str) {
    as_dtype(b, "i2", 4, statement);
}

/// The same bytes as int64 (4096 x 2048): 64-bit integer lanes, the
/// exact 64-bit reduction loop, floor division by a constant (float64 and
/// a correction) and by other values (an integer division), uint64.
#[divan::bench(args = ["sum(x - 3)", "count_nonzero(x > 0)", "sum(x // 7)", "sum(x % x[::-1])", "max(x)", "mean(x.view('u8'))"])]
fn int64(b: divan::Bencher, statement: &str) {
    as_dtype(b, "i8", 1, statement);
}

/// The same bytes as float16 (4096 x 8192): NaN in every block.
#[divan::bench(args = ["sum(x)", "mean(x, axis=0)"])]
fn float16(b: divan::Bencher, statement: &str) {
    as_dtype(b, "f2", 4, statement);
}

/// Vectorised functions: `angle` (atan2), float64 `log10`. (Not `stats`,
/// which on a file this small also sorts for exact quartiles.)
#[divan::bench(args = ["sum(angle(d))", "sum(log10(abs(d.r.astype('f8'))))"])]
fn functions(b: divan::Bencher, statement: &str) {
    bench(b, "C", statement);
}

/// `statement` over the file opened as `x`, `dtype` with `per` values for
/// each complex64's 8 bytes.
fn as_dtype(b: divan::Bencher, dtype: &str, per: usize, statement: &str) {
    let mut s = session("C");
    let line = format!("open {:?} {ROWS}x{} {dtype} as x", file(), COLS * per);
    strided::run_line(&mut s, &line, &mut Vec::new()).expect("open the file as another dtype");
    b.counter(divan::counter::BytesCount::new(ROWS * COLS * 8))
        .bench_local(|| {
            let mut out = Vec::new();
            strided::run_line(&mut s, statement, &mut out).expect("statement runs");
            out
        });
}
