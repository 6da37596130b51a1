//! The built-in demo: a small deterministic file in the seed thread's
//! layout (100x100 complex64, interleaved float32 real and imaginary
//! parts, row-major) with a pattern worth looking at: rings of a damped
//! wave around the centre, a bright 10x10 square in the bottom-right
//! quadrant, and a little noise.

use std::io::{self, Write};
use std::path::PathBuf;

/// Rows and columns of the demo array.
pub const SIDE: usize = 100;

/// The demo's bytes: `SIDE * SIDE` little-endian complex64 values.
pub fn demo_bytes() -> Vec<u8> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut noise = move || {
        // xorshift64*: deterministic noise in [-0.5, 0.5).
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        ((state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40) as f64 / (1u64 << 24) as f64) - 0.5
    };
    let mut out = Vec::with_capacity(SIDE * SIDE * 8);
    for row in 0..SIDE {
        for col in 0..SIDE {
            let (y, x) = (row as f64 - 49.5, col as f64 - 49.5);
            let r = (x * x + y * y).sqrt();
            let amp = (-r / 40.0).exp();
            let mut re = amp * (r / 3.0).cos() + 0.05 * noise();
            let im = amp * (r / 3.0).sin() + 0.05 * noise();
            if (70..80).contains(&row) && (70..80).contains(&col) {
                re += 2.0;
            }
            out.extend_from_slice(&(re as f32).to_le_bytes());
            out.extend_from_slice(&(im as f32).to_le_bytes());
        }
    }
    out
}

/// Writes the demo file into a new private folder (made by `mkdtemp`,
/// mode 0700, with an unpredictable name, so nothing another user planted
/// in the temporary folder is followed) and returns the folder, which is
/// removed when dropped, and the file's path.
pub fn write_demo() -> io::Result<(tempfile::TempDir, PathBuf)> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("strided-demo-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()?;
    let path = dir.path().join("demo.c8");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    f.write_all(&demo_bytes())?;
    Ok((dir, path))
}

/// What the shell prints after opening the demo.
pub const SUGGESTIONS: &str = "\
Try:
  d.r[50:, 50:]          the bottom-right quadrant of the real parts (a view)
  d[:50, :50].i          the top-left quadrant of the imaginary parts
  d.r[75, 68:82]         a row through the bright square
  d[::-10, ::10].shape   strides and negative steps
  explain d.r[50:, 50:]  how that view lies over the file's bytes
  image d.r              a picture of the real parts (the rings of the demo)
  help                   everything else
";
