//! NumPy's advanced indexing, evaluated lazily like the rest of `compute`:
//! [`Gather`] maps each element of an integer-array-indexed result to its
//! source element (arrays broadcast together, their dimensions placed where
//! NumPy places them), and the masked stream walks `x[mask]` (a boolean
//! mask of x's own shape) in C order without an index list: a first pass
//! counts the selected elements per chunk of the source, so any run of the
//! result can be found and streamed.

use super::{Block, Lazy, BLOCK};
use crate::control::{self, Interrupted};

/// How one source axis (or a new axis) is indexed.
#[derive(Clone, Debug)]
pub enum Item {
    /// An integer array (or an integer, when arrays are present): the
    /// array's position in [`Gather::arrays`].
    Array(usize),
    /// A slice (one result dimension).
    Slice { start: i128, step: i128, len: usize },
    /// `None`: a result dimension of length 1, no source axis.
    NewAxis,
}

/// An advanced-indexing plan over a source of known shape.
#[derive(Clone, Debug)]
pub struct Gather {
    pub items: Vec<Item>,
    /// The broadcast shape of the index arrays.
    pub adv_shape: Vec<usize>,
    /// Where the broadcast dimensions go in the result.
    pub adv_at: usize,
    /// Each index array broadcast to `adv_shape`, flattened, made
    /// non-negative and checked against its axis.
    pub arrays: Vec<Vec<usize>>,
    /// The source's C-order strides in elements, one per source axis.
    pub src_strides: Vec<usize>,
    pub shape: Vec<usize>,
}

impl Gather {
    /// The source's C-order flat index of result element `idx`.
    pub fn source(&self, idx: &[usize]) -> usize {
        let n_adv = self.adv_shape.len();
        let mut a = 0usize;
        for (k, &n) in self.adv_shape.iter().enumerate() {
            a = a * n + idx[self.adv_at + k];
        }
        let mut basic = idx[..self.adv_at].iter().chain(&idx[self.adv_at + n_adv..]);
        let mut flat = 0usize;
        let mut axis = 0;
        for item in &self.items {
            match item {
                Item::Array(j) => {
                    flat += self.arrays[*j][a] * self.src_strides[axis];
                    axis += 1;
                }
                Item::Slice { start, step, .. } => {
                    let i = *basic.next().expect("one result axis per slice") as i128;
                    flat += (start + i * step) as usize * self.src_strides[axis];
                    axis += 1;
                }
                Item::NewAxis => {
                    basic.next();
                }
            }
        }
        flat
    }
}

/// Source elements per chunk of a mask's counts.
pub const MASK_CHUNK: usize = 1 << 16;

/// A run of `x` starting at C-order flat position `flat`, up to `len`
/// elements and never past the end of the row.
pub fn flat_block(x: &Lazy, flat: usize, len: usize) -> Block {
    if x.ndim() == 0 {
        return x.block(&[], 0, 1);
    }
    let last = x.shape[x.ndim() - 1].max(1);
    let idx = x.unravel(flat);
    let col = flat % last;
    x.block(&idx[..idx.len() - 1], col, len.min(last - col))
}

/// Counts the true elements of `mask` per [`MASK_CHUNK`] of flat positions;
/// returns the prefix sums (one more entry than chunks) .
pub fn mask_counts(mask: &Lazy) -> Result<Vec<u64>, Interrupted> {
    let n = mask.size();
    let chunks = n.div_ceil(MASK_CHUNK);
    let mut counts = vec![0u64; chunks];
    // Each thread counts a run of whole chunks into its own part of `counts`.
    let workers = super::reduce::threads().min(chunks).max(1);
    let per = chunks.div_ceil(workers).max(1);
    let done: Vec<Result<(), Interrupted>> = std::thread::scope(|s| {
        let handles: Vec<_> = counts
            .chunks_mut(per)
            .enumerate()
            .map(|(w, part)| {
                control::spawn_scoped(s, move || {
                    let first = w * per;
                    let (from, to) = (
                        first * MASK_CHUNK,
                        ((first + part.len()) * MASK_CHUNK).min(n),
                    );
                    super::reduce::for_blocks(mask, from, to, |b, at| {
                        for (k, &v) in b.re.iter().enumerate() {
                            if v != 0.0 || b.im_at(k) != 0.0 {
                                part[(at as usize + k) / MASK_CHUNK - first] += 1;
                            }
                        }
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("mask threads do not panic"))
            .collect()
    });
    done.into_iter().collect::<Result<Vec<()>, _>>()?;
    let mut prefix = Vec::with_capacity(chunks + 1);
    let mut total = 0;
    prefix.push(0);
    for c in counts {
        total += c;
        prefix.push(total);
    }
    Ok(prefix)
}

/// Streams the selected elements `from..to` (positions in the result) of
/// `src[mask]`, in blocks of at most [`BLOCK`], each with the result
/// position of its first element.
pub fn masked_stream(
    src: &Lazy,
    mask: &Lazy,
    prefix: &[u64],
    from: usize,
    to: usize,
    mut emit: impl FnMut(&Block, u64),
) -> Result<(), Interrupted> {
    if from >= to {
        return Ok(());
    }
    // The chunk holding selected element `from`.
    let chunk = prefix
        .partition_point(|&c| c <= from as u64)
        .saturating_sub(1);
    let mut seen = prefix[chunk] as usize;
    let mut flat = chunk * MASK_CHUNK;
    let n = mask.size();
    let complex = src.is_complex();
    let mut out = Block {
        re: Vec::with_capacity(BLOCK),
        im: complex.then(|| Vec::with_capacity(BLOCK)),
    };
    let mut out_at = from;
    while flat < n && seen < to {
        control::check()?;
        let m = flat_block(mask, flat, BLOCK);
        let len = m.re.len();
        let mut vals: Option<Block> = None;
        for k in 0..len {
            if m.re[k] == 0.0 && m.im_at(k) == 0.0 {
                continue;
            }
            if seen >= from && seen < to {
                let v = vals.get_or_insert_with(|| flat_block(src, flat, len));
                out.re.push(v.re[k]);
                if let Some(im) = out.im.as_mut() {
                    im.push(v.im_at(k));
                }
                if out.re.len() == BLOCK {
                    emit(&out, out_at as u64);
                    out_at += BLOCK;
                    out.re.clear();
                    if let Some(im) = out.im.as_mut() {
                        im.clear();
                    }
                }
            }
            seen += 1;
        }
        control::advance(len as u64);
        flat += len;
    }
    if !out.re.is_empty() {
        emit(&out, out_at as u64);
    }
    Ok(())
}
