//! The machine's own read limit for the benchmark in `bench/compare.py`:
//! one plain pass summing a file's 64-bit words through a read-only mapping,
//! on every core. Run: `cargo bench --bench read_limit -- FILE`; prints the
//! seconds taken and the sum (so the pass cannot be optimised away).

fn main() {
    let path = std::env::args()
        .nth(1)
        .filter(|a| a != "--bench")
        .or_else(|| std::env::args().nth(2));
    let Some(path) = path else {
        eprintln!("usage: cargo bench --bench read_limit -- FILE");
        std::process::exit(2);
    };
    let mut session = strided::Session::new();
    // Open through strided so this uses the same mapping code.
    let line = format!("open {path:?} u8");
    strided::run_line(&mut session, &line, &mut Vec::new()).expect("open the file");
    let Some(strided::eval::Value::View(v)) = session.get("d") else {
        unreachable!("open binds d")
    };
    let bytes = v.source.bytes();
    let start = std::time::Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = bytes.len().div_ceil(threads).div_ceil(8) * 8;
    let total: u64 = std::thread::scope(|s| {
        let parts: Vec<_> = bytes
            .chunks(chunk.max(8))
            .map(|part| {
                s.spawn(move || {
                    let mut lanes = [0u64; 8];
                    let words = part.chunks_exact(64);
                    for c in words {
                        for k in 0..8 {
                            let w = u64::from_le_bytes(
                                c[k * 8..k * 8 + 8].try_into().expect("8 bytes"),
                            );
                            lanes[k] = lanes[k].wrapping_add(w);
                        }
                    }
                    lanes.iter().fold(0u64, |a, &b| a.wrapping_add(b))
                })
            })
            .collect();
        parts
            .into_iter()
            .map(|h| h.join().expect("reader thread"))
            .fold(0u64, |a, b| a.wrapping_add(b))
    });
    println!("{:.6} {}", start.elapsed().as_secs_f64(), total);
}
