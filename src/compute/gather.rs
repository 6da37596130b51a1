//! NumPy's advanced indexing, evaluated lazily like the rest of `compute`:
//! [`Gather`] maps each element of an integer-array-indexed result to its
//! source element (arrays broadcast together, their dimensions placed where
//! NumPy places them), and the masked stream walks `x[mask]` (a boolean
//! mask of x's own shape) in C order without an index list: a first pass
//! counts the selected elements per chunk of the source, so any run of the
//! result can be found and streamed.

use super::kernels::Lane;
use super::{Block, Lazy, Values, BLOCK};
use crate::control::{self, Interrupted};
use crate::view::View;
use std::sync::Mutex;

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

    /// The source's C-order flat indices of result elements `idx` with
    /// its last index `start .. start + len`, into `out`: linear in the
    /// last index when the result's last axis is a slice's (two sources
    /// computed), else each element's.
    pub fn source_run(&self, idx: &mut [usize], start: usize, len: usize, out: &mut Vec<usize>) {
        let last = idx.len().checked_sub(1);
        self.source_run_at(idx, last, start, len, out)
    }

    /// Where the result's last axis is a slice's (not the index arrays'),
    /// the run's source positions step evenly: the first and the step,
    /// for `len > 1` (`idx` all but its last entry, which this sets).
    pub fn progression(
        &self,
        idx: &mut [usize],
        start: usize,
        len: usize,
    ) -> Option<(usize, isize)> {
        let last = idx.len().checked_sub(1)?;
        // (0-d index arrays place no axis: the last is then a slice's.)
        let adv_last =
            !self.adv_shape.is_empty() && self.adv_at + self.adv_shape.len() == idx.len();
        (!adv_last && len > 1).then_some(())?;
        idx[last] = start;
        let first = self.source(idx);
        idx[last] = start + 1;
        // Positions within the source, so the step fits in an isize.
        let step = self.source(idx) as isize - first as isize;
        Some((first, step))
    }

    fn source_run_at(
        &self,
        idx: &mut [usize],
        last: Option<usize>,
        start: usize,
        len: usize,
        out: &mut Vec<usize>,
    ) {
        out.clear();
        let Some(last) = last else {
            out.push(self.source(idx));
            return;
        };
        if let Some((first, step)) = self.progression(idx, start, len) {
            out.extend((0..len as isize).map(|j| (first as isize + j * step) as usize));
            return;
        }
        if len == 0 {
            return;
        }
        // The last axis is the index arrays' last: the arrays' position
        // steps by one along it, and only their terms change.
        idx[last] = start;
        let a0 = self
            .adv_shape
            .iter()
            .enumerate()
            .fold(0, |a, (k, &n)| a * n + idx[self.adv_at + k]);
        let mut terms = Vec::new();
        let mut axis = 0;
        for item in &self.items {
            match item {
                Item::Array(j) => {
                    terms.push((&self.arrays[*j][a0..a0 + len], self.src_strides[axis]));
                    axis += 1;
                }
                Item::Slice { .. } => axis += 1,
                Item::NewAxis => {}
            }
        }
        let at_a0: usize = terms.iter().map(|(a, s)| a[0] * s).sum();
        let base = self.source(idx) - at_a0;
        out.resize(len, base);
        for (a, s) in terms {
            for (o, &i) in out.iter_mut().zip(a) {
                *o += i * s;
            }
        }
    }
}

/// `src[plan]` as a lazy array. An elementwise expression is also
/// gathered at its leaves (`leaves` of [`super::Node::Gather`]):
/// `(d.r * 1000).astype(int16)[i]` computes as
/// `(d.r[i] * 1000).astype(int16)`, each leaf (broadcast to `src`'s shape
/// first, so the one plan picks its elements) read through [`Gathered`],
/// so the tree computes in the lanes and reads only the picked elements.
/// The values are the same: an elementwise result's element depends only
/// on its operands' elements at the same position.
pub fn gathered(src: Lazy, plan: std::sync::Arc<Gather>) -> Lazy {
    let shape = plan.shape.clone();
    let leaves = match &*src.node {
        super::Node::Leaf(_) => None,
        _ => pushed(&src, &src.shape, &plan)
            .filter(|p| !matches!(&*p.node, super::Node::Gather { .. })),
    };
    let dtype = src.dtype;
    Lazy::new_keep_order(super::Node::Gather { src, plan, leaves }, shape, dtype)
}

/// `x`, a part of an elementwise tree of shape `full`, gathered by
/// `plan` at its leaves (or `None` where a node is not elementwise and
/// not of the whole shape).
fn pushed(x: &Lazy, full: &[usize], plan: &std::sync::Arc<Gather>) -> Option<Lazy> {
    use super::Node;
    let push = |c: &Lazy| pushed(c, full, plan);
    let whole = |src: Lazy| Node::Gather {
        src,
        plan: plan.clone(),
        leaves: None,
    };
    let node = match &*x.node {
        Node::Const(_) if x.ndim() == 0 => return Some(x.clone()),
        Node::Const(c) => Node::Const(*c),
        Node::Leaf(v) => whole(Lazy::leaf(v.broadcast_to(full)?)?),
        Node::Unary(f, a) => Node::Unary(*f, push(a)?),
        Node::Cast(a) => Node::Cast(push(a)?),
        Node::Binary(op, a, b) => Node::Binary(*op, push(a)?, push(b)?),
        Node::Pair(a, b) => Node::Pair(push(a)?, push(b)?),
        Node::Where(a, b, c) => Node::Where(push(a)?, push(b)?, push(c)?),
        Node::Clip(a, b, c) => Node::Clip(push(a)?, push(b)?, push(c)?),
        // Anything else gathered whole, where it is of the whole shape.
        Node::Array(_)
        | Node::Gather { .. }
        | Node::Masked { .. }
        | Node::Transform { .. }
        | Node::Index { .. } => {
            (x.shape == full).then_some(())?;
            whole(x.clone())
        }
    };
    Some(Lazy::new_keep_order(node, plan.shape.clone(), x.dtype))
}

/// The runs of `flats` (source C-order flat indices) that are consecutive
/// elements of one row of a source whose rows are `row_len` long: `(k,
/// len)` for `flats[k..k + len]`, in order, covering all of `flats`.
pub fn consecutive_runs(
    flats: &[usize],
    row_len: usize,
) -> impl Iterator<Item = (usize, usize)> + '_ {
    let row_len = row_len.max(1);
    let mut k = 0;
    std::iter::from_fn(move || {
        let f = *flats.get(k)?;
        let mut run = 1;
        while k + run < flats.len() && flats[k + run] == f + run && f % row_len + run < row_len {
            run += 1;
        }
        k += run;
        Some((k - run, run))
    })
}

/// The bytes of gathered elements of a view, a run of the result at a
/// time: the run's source positions ([`Gather::source_run`]), then each
/// run of them consecutive along a row of the view copied at once (one
/// slice where the view's row is contiguous, else element by element in
/// a loop of the element's size). The view's byte offset of a row is kept
/// while the runs stay in it, so a run costs no division. What a copy of
/// `x[i]` is made of, and what streams a gather into the lanes.
pub struct RunCopy {
    /// The view's last axis: its length and its step in bytes.
    row_len: usize,
    step: isize,
    idx: Vec<usize>,
    flats: Vec<usize>,
    src_idx: Vec<usize>,
    /// The view's row (C-order flat index of its first element) whose
    /// byte offset is `row_base`.
    row_start: usize,
    row_base: usize,
}

impl RunCopy {
    pub fn new(v: &View) -> RunCopy {
        RunCopy {
            row_len: v.shape.last().copied().unwrap_or(1).max(1),
            step: v.strides.last().copied().unwrap_or(0),
            idx: Vec::new(),
            flats: Vec::new(),
            src_idx: vec![0; v.ndim()],
            row_start: usize::MAX,
            row_base: 0,
        }
    }

    /// The bytes of result elements `outer ++ [start .. start + n]` of
    /// `plan` over `v` (the view this copier was made for) into `out`, `n`
    /// elements' bytes long.
    pub fn copy(&mut self, v: &View, plan: &Gather, outer: &[usize], start: usize, out: &mut [u8]) {
        let size = v.dtype.itemsize();
        let len = out.len() / size.max(1);
        let (src_last, step) = (self.row_len, self.step);
        self.idx.clear();
        self.idx.extend_from_slice(outer);
        if !plan.shape.is_empty() {
            // The run's axis (a 0-d result has none).
            self.idx.push(0);
        }
        if len == 0 {
            return;
        }
        // A dataset's elements each from the file that holds it.
        if v.source.dataset().is_some() {
            plan.source_run(&mut self.idx, start, len, &mut self.flats);
            return self.copy_from_dataset(v, out);
        }
        let bytes = v.source.bytes();
        // Positions that step evenly along one row of the view (`d[i]`,
        // `d[i, ::2]`): one strided copy, with no list of positions.
        if let Some((first, by)) = plan.progression(&mut self.idx, start, len) {
            let last = first as isize + by * (len as isize - 1);
            let (lo, hi) = (last.min(first as isize), last.max(first as isize));
            if lo >= 0 && (lo as usize) / src_last == (hi as usize) / src_last {
                let at = self.offset(v, first);
                let byte_step = by * step;
                if byte_step == size as isize {
                    out.copy_from_slice(&bytes[at..at + len * size]);
                } else {
                    copy_strided(bytes, at, byte_step, size, out);
                }
                return;
            }
        }
        plan.source_run(&mut self.idx, start, len, &mut self.flats);
        let flats = &self.flats;
        // One run along one row of the view (`d[i]` of whole rows, a
        // slice's step of one): copied at once.
        let (first, last) = (flats[0], flats[len - 1]);
        let consecutive = flats.windows(2).fold(true, |ok, w| ok & (w[1] == w[0] + 1));
        if consecutive && first / src_last == last / src_last {
            let at = self.offset(v, first);
            if step == size as isize {
                out.copy_from_slice(&bytes[at..at + len * size]);
            } else {
                copy_strided(bytes, at, step, size, out);
            }
            return;
        }
        // Element by element, in a loop of the element's size.
        match size {
            1 => self.each::<1>(v, bytes, out),
            2 => self.each::<2>(v, bytes, out),
            4 => self.each::<4>(v, bytes, out),
            8 => self.each::<8>(v, bytes, out),
            16 => self.each::<16>(v, bytes, out),
            _ => {
                for (k, dst) in out.chunks_exact_mut(size).enumerate() {
                    let at = self.offset(v, self.flats[k]);
                    dst.copy_from_slice(&bytes[at..at + size]);
                }
            }
        }
    }

    /// The byte offset of the view's element at C-order flat index `f`:
    /// from the row's offset, which is kept while the elements stay in it.
    #[inline(always)]
    fn offset(&mut self, v: &View, f: usize) -> usize {
        let (src_last, step) = (self.row_len, self.step);
        if f < self.row_start || f - self.row_start >= src_last {
            self.row_start = f - f % src_last;
            let mut r = self.row_start / src_last;
            if let Some(last) = self.src_idx.last_mut() {
                *last = 0;
            }
            for j in (0..self.src_idx.len().saturating_sub(1)).rev() {
                self.src_idx[j] = r % v.shape[j].max(1);
                r /= v.shape[j].max(1);
            }
            self.row_base = v.element_offset(&self.src_idx);
        }
        (self.row_base as isize + (f - self.row_start) as isize * step) as usize
    }

    fn each<const S: usize>(&mut self, v: &View, bytes: &[u8], out: &mut [u8]) {
        let flats = std::mem::take(&mut self.flats);
        for (&f, dst) in flats.iter().zip(out.chunks_exact_mut(S)) {
            let at = self.offset(v, f);
            dst.copy_from_slice(&bytes[at..at + S]);
        }
        self.flats = flats;
    }

    /// A dataset's elements, each from the file that holds it.
    fn copy_from_dataset(&mut self, v: &View, out: &mut [u8]) {
        let size = v.dtype.itemsize();
        for (&f, dst) in self.flats.iter().zip(out.chunks_exact_mut(size)) {
            let mut r = f;
            for j in (0..self.src_idx.len()).rev() {
                self.src_idx[j] = r % v.shape[j].max(1);
                r /= v.shape[j].max(1);
            }
            dst.copy_from_slice(&v.element_bytes(&self.src_idx));
        }
    }
}

/// Advanced indexing of a file's view as the lanes read it: the plan,
/// and the bytes of the current run, copied by [`RunCopy`] and then
/// decoded as a run of the file's own would be.
pub struct Gathered<'a> {
    pub view: &'a View,
    pub dtype: crate::dtype::Scalar,
    plan: &'a Gather,
    copy: RunCopy,
    bytes: Vec<u8>,
}

impl<'a> Gathered<'a> {
    /// `x`'s gather, when it is one of a view of a scalar dtype.
    pub fn of(x: &'a super::Lazy) -> Option<Gathered<'a>> {
        let super::Node::Gather { src, plan, .. } = &*x.node else {
            return None;
        };
        let super::Node::Leaf(view) = &*src.node else {
            return None;
        };
        Some(Gathered {
            view,
            dtype: view.dtype.as_scalar()?,
            plan,
            copy: RunCopy::new(view),
            bytes: Vec::new(),
        })
    }

    /// The bytes of result elements `outer ++ [start .. start + len]`,
    /// element after element.
    pub fn run(&mut self, outer: &[usize], start: usize, len: usize) -> &[u8] {
        self.bytes.resize(len * self.dtype.size, 0);
        self.copy
            .copy(self.view, self.plan, outer, start, &mut self.bytes);
        &self.bytes
    }
}

/// Elements of `size` bytes, `step` bytes apart from `at` in `bytes`,
/// into `out` (whole elements): each element's copy of a size known to
/// the compiler for the common sizes.
fn copy_strided(bytes: &[u8], at: usize, step: isize, size: usize, out: &mut [u8]) {
    let run = out.len() / size.max(1);
    if run == 0 {
        return;
    }
    fn fixed<const S: usize>(bytes: &[u8], at: usize, step: isize, run: usize, out: &mut [u8]) {
        let dst = out.chunks_exact_mut(S);
        if step > 0 {
            // The run's span, one chunk of `step` bytes per element.
            let span = &bytes[at..at + (run - 1) * step as usize + S];
            for (d, e) in dst.zip(span.chunks(step as usize)) {
                d.copy_from_slice(&e[..S]);
            }
        } else {
            for (t, d) in dst.enumerate() {
                let o = (at as isize + t as isize * step) as usize;
                d.copy_from_slice(&bytes[o..o + S]);
            }
        }
    }
    match size {
        1 => fixed::<1>(bytes, at, step, run, out),
        2 => fixed::<2>(bytes, at, step, run, out),
        4 => fixed::<4>(bytes, at, step, run, out),
        8 => fixed::<8>(bytes, at, step, run, out),
        16 => fixed::<16>(bytes, at, step, run, out),
        _ => {
            for (t, d) in out.chunks_exact_mut(size).enumerate() {
                let o = (at as isize + t as isize * step) as usize;
                d.copy_from_slice(&bytes[o..o + size]);
            }
        }
    }
}

/// Source elements per chunk of a mask's counts.
pub const MASK_CHUNK: usize = 1 << 16;

/// Where a mask's true elements are: how many in each [`MASK_CHUNK`] of
/// flat positions (as prefix sums, one more entry than chunks), and the
/// mask itself packed 64 elements to a word when that takes at most
/// [`MASK_BITS_LIMIT`] bytes, so that streaming `src[mask]` reads the bits
/// instead of computing the mask a second time.
#[derive(Debug)]
pub struct MaskIndex {
    pub prefix: Vec<u64>,
    pub bits: Option<Vec<u64>>,
}

/// The largest packed mask kept: 32 MiB, a mask of 256 Mi elements (a
/// 2 GiB complex64 file), half the anonymous memory a computation may hold.
pub const MASK_BITS_LIMIT: usize = 32 << 20;

impl MaskIndex {
    /// How many elements the mask selects.
    pub fn selected(&self) -> u64 {
        *self.prefix.last().expect("at least one entry")
    }
}

/// One group of mask chunks: its counts and, when kept, its packed bits.
type Group<'a> = (&'a mut [u64], Option<&'a mut [u64]>);

/// Computes the mask once, on every core: its counts per chunk and, when
/// they fit, its packed bits.
pub fn mask_counts(mask: &Lazy) -> Result<MaskIndex, Interrupted> {
    let n = mask.size();
    let chunks = n.div_ceil(MASK_CHUNK);
    let mut counts = vec![0u64; chunks];
    let words = n.div_ceil(64);
    let mut bits = (words * 8 <= MASK_BITS_LIMIT).then(|| vec![0u64; words]);
    // Each group of chunks is counted into its own part of `counts` and
    // packs its bits into its own part of `bits`; the pool's threads take
    // the groups in turn.
    let groups = (super::reduce::threads() * 4).min(chunks).max(1);
    let per = chunks.div_ceil(groups).max(1);
    let per_words = per * (MASK_CHUNK / 64);
    let mut bit_parts: Vec<Option<&mut [u64]>> = match bits.as_mut() {
        Some(b) => b.chunks_mut(per_words).map(Some).collect(),
        None => Vec::new(),
    };
    bit_parts.resize_with(counts.len().div_ceil(per), || None);
    let parts: Vec<Mutex<Group>> = counts
        .chunks_mut(per)
        .zip(bit_parts)
        .map(Mutex::new)
        .collect();
    control::in_chunks(parts.len(), |w| {
        let mut guard = parts[w].lock().expect("each group is taken once");
        let (part, my_bits) = &mut *guard;
        let first = w * per;
        let (from, to) = (
            first * MASK_CHUNK,
            ((first + part.len()) * MASK_CHUNK).min(n),
        );
        super::reduce::for_values(mask, from, to, |v, at| {
            let at = at as usize;
            let mut bits = my_bits.as_deref_mut();
            match v {
                Values::Lanes(re) => count_block(re, None, at, from, first, part, &mut bits),
                Values::Block(b) => {
                    count_block(&b.re, b.im.as_deref(), at, from, first, part, &mut bits)
                }
            }
        })
    })?;
    drop(parts);
    let mut prefix = Vec::with_capacity(chunks + 1);
    let mut total = 0;
    prefix.push(0);
    for c in counts {
        total += c;
        prefix.push(total);
    }
    Ok(MaskIndex { prefix, bits })
}

/// Counts the true values of one block of a mask (a value is true when
/// either part is non-zero), starting at flat position `at`, into the
/// counts of its group (`part`, chunks from `first`), and packs them into
/// the group's bits (which start at position `from`) when kept. Whole
/// words of 64 values at a time where the run allows, by a vector
/// compare-and-pack kernel ([`super::kernels::pack_truth`]) with a popcount.
fn count_block<T: Lane>(
    re: &[T],
    im: Option<&[T]>,
    at: usize,
    from: usize,
    first: usize,
    part: &mut [u64],
    bits: &mut Option<&mut [u64]>,
) {
    let truth = |k: usize| match im {
        None => u64::from(re[k].wide() != 0.0),
        Some(im) => u64::from(re[k].wide() != 0.0 || im[k].wide() != 0.0),
    };
    let mut count_run = |k0: usize, k1: usize| {
        if k0 == k1 {
            return;
        }
        let chunk = (at + k0) / MASK_CHUNK - first;
        // The whole words of the run (positions from `from`, where the
        // group's bits start), packed by a vector kernel; the values
        // before and after them one at a time.
        let p0 = at + k0 - from;
        let head = (p0.next_multiple_of(64) - p0).min(k1 - k0);
        let words = (k1 - k0 - head) / 64;
        let (w0, w1) = (k0 + head, k0 + head + 64 * words);
        let mut count = super::kernels::pack_truth(
            &re[w0..w1],
            im.map(|im| &im[w0..w1]),
            bits.as_deref_mut().map(|b| {
                let first_word = (at + w0 - from) / 64;
                &mut b[first_word..first_word + words]
            }),
        );
        for k in (k0..w0).chain(w1..k1) {
            let t = truth(k);
            if let Some(bits) = bits.as_deref_mut() {
                let p = at + k - from;
                bits[p / 64] |= t << (p % 64);
            }
            count += t;
        }
        part[chunk] += count;
    };
    // A block may straddle two chunks.
    let len = re.len();
    let split = (MASK_CHUNK - at % MASK_CHUNK).min(len);
    count_run(0, split);
    count_run(split, len);
}

/// Streams the selected elements `from..to` (positions in the result) of
/// `src[mask]`, in blocks of at most [`BLOCK`], each with the result
/// position of its first element.
pub fn masked_stream(
    src: &Lazy,
    mask: &Lazy,
    index: &MaskIndex,
    from: usize,
    to: usize,
    mut emit: impl FnMut(&Block, u64),
) -> Result<(), Interrupted> {
    if from >= to {
        return Ok(());
    }
    // The chunk holding selected element `from`.
    let chunk = index
        .prefix
        .partition_point(|&c| c <= from as u64)
        .saturating_sub(1);
    let mut seen = index.prefix[chunk] as usize;
    let mut flat = chunk * MASK_CHUNK;
    let n = mask.size();
    let last = mask.shape.last().copied().unwrap_or(1).max(1);
    let complex = src.is_complex();
    let mut out = Block {
        re: Vec::with_capacity(BLOCK),
        im: complex.then(|| Vec::with_capacity(BLOCK)),
        ints: None,
    };
    let mut out_at = from;
    let mut picked: Vec<usize> = Vec::with_capacity(BLOCK);
    let (mut src_eval, mut mask_eval) = (super::Fused::new(src), super::Fused::new(mask));
    while flat < n && seen < to {
        control::check()?;
        // A count chunk the mask selects nothing from: skipped whole, its
        // bits and source unread.
        let c = flat / MASK_CHUNK;
        if index.prefix[c + 1] == index.prefix[c] {
            let next = ((c + 1) * MASK_CHUNK).min(n);
            control::advance((next - flat) as u64);
            flat = next;
            continue;
        }
        // A run within one row, as `Fused::flat_block` gives.
        let len = BLOCK.min(last - flat % last).min(n - flat);
        picked.clear();
        match &index.bits {
            Some(bits) => {
                let mut p = flat;
                while p < flat + len {
                    let (w, b) = (p / 64, p % 64);
                    let take = (64 - b).min(flat + len - p);
                    let mut word = (bits[w] >> b) & (u64::MAX >> (64 - take));
                    while word != 0 {
                        picked.push(p - flat + word.trailing_zeros() as usize);
                        word &= word - 1;
                    }
                    p += take;
                }
            }
            None => {
                let m = mask_eval.flat_block(flat, len);
                picked.extend((0..len).filter(|&k| m.re[k] != 0.0 || m.im_at(k) != 0.0));
            }
        }
        // The picked elements inside `from..to`, taken in pieces that
        // fill the output block.
        let skip = from.saturating_sub(seen).min(picked.len());
        let take = to.saturating_sub(seen).min(picked.len());
        if skip < take {
            let v = src_eval.flat_block(flat, len);
            let mut rest = &picked[skip..take];
            while !rest.is_empty() {
                let n = (BLOCK - out.re.len()).min(rest.len());
                let (now, later) = rest.split_at(n);
                out.re.extend(now.iter().map(|&k| v.re[k]));
                if let (Some(im), Some(vim)) = (out.im.as_mut(), v.im.as_ref()) {
                    im.extend(now.iter().map(|&k| vim[k]));
                } else if let Some(im) = out.im.as_mut() {
                    im.resize(out.re.len(), 0.0);
                }
                if out.re.len() == BLOCK {
                    emit(&out, out_at as u64);
                    out_at += BLOCK;
                    out.re.clear();
                    if let Some(im) = out.im.as_mut() {
                        im.clear();
                    }
                }
                rest = later;
            }
        }
        seen += picked.len();
        control::advance(len as u64);
        flat += len;
    }
    if !out.re.is_empty() {
        emit(&out, out_at as u64);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::Computed;
    use ndarray::ArrayD;

    /// A run's source positions against each element's, for index arrays
    /// last, first, between slices, broadcast to two dimensions, and
    /// beside a new axis and reversed slices.
    #[test]
    fn a_runs_sources_are_each_elements() {
        // Source shape (4, 5, 6): C-order strides 30, 6, 1.
        let src_strides = vec![30, 6, 1];
        let rows = vec![3, 0, 3, 1];
        let cols = vec![5, 0, 2, 2, 4];
        let slice = |start, step, len| Item::Slice { start, step, len };
        let plans = [
            // x[1:4, ::-2, cols]
            (
                vec![slice(1, 1, 3), slice(4, -2, 3), Item::Array(0)],
                vec![cols.clone()],
                vec![5],
                2,
            ),
            // x[rows, 1:, ::-1]
            (
                vec![Item::Array(0), slice(1, 1, 4), slice(5, -1, 6)],
                vec![rows.clone()],
                vec![4],
                0,
            ),
            // x[:, rows, cols[:4]] with rows and cols broadcast to (4,)
            (
                vec![slice(0, 1, 4), Item::Array(0), Item::Array(1)],
                vec![rows.clone(), cols[..4].to_vec()],
                vec![4],
                1,
            ),
            // x[2:4, 1, 0-d array 3]: no axis for the arrays, the slice's last
            (
                vec![slice(2, 1, 2), Item::Array(0), Item::Array(1)],
                vec![vec![1], vec![3]],
                vec![],
                1,
            ),
            // x[None, rows2d, :, 3] with arrays broadcast to (2, 4)
            (
                vec![
                    Item::NewAxis,
                    Item::Array(0),
                    slice(0, 1, 5),
                    Item::Array(1),
                ],
                vec![
                    [rows.clone(), rows.iter().rev().copied().collect()].concat(),
                    vec![3; 8],
                ],
                vec![2, 4],
                1,
            ),
        ];
        for (items, arrays, adv_shape, adv_at) in plans {
            let mut shape = Vec::new();
            let mut basic = items.iter().filter_map(|i| match i {
                Item::Slice { len, .. } => Some(*len),
                Item::NewAxis => Some(1),
                Item::Array(_) => None,
            });
            shape.extend(basic.by_ref().take(adv_at));
            shape.extend(&adv_shape);
            shape.extend(basic);
            let g = Gather {
                items,
                adv_shape,
                adv_at,
                arrays,
                src_strides: src_strides.clone(),
                shape: shape.clone(),
            };
            let n = shape.len();
            let last = shape[n - 1];
            let outer: usize = shape[..n - 1].iter().product();
            let mut out = Vec::new();
            for row in 0..outer {
                let mut idx = vec![0; n];
                let mut rest = row;
                for k in (0..n - 1).rev() {
                    idx[k] = rest % shape[k];
                    rest /= shape[k];
                }
                for (start, len) in [(0, last), (1, last - 1), (last - 1, 1), (0, 0)] {
                    g.source_run(&mut idx.clone(), start, len, &mut out);
                    let each: Vec<usize> = (start..start + len)
                        .map(|j| {
                            idx[n - 1] = j;
                            g.source(&idx)
                        })
                        .collect();
                    assert_eq!(out, each, "{:?}, row {row}, {start}+{len}", g.items);
                }
            }
        }
    }

    fn lazy(values: Vec<f64>, shape: &[usize], dtype: &str) -> Lazy {
        let dtype = crate::dtype::Dtype::parse_str(dtype)
            .unwrap()
            .as_scalar()
            .unwrap();
        Lazy::array(Computed {
            dtype,
            re: ArrayD::from_shape_vec(shape, values).unwrap(),
            im: None,
            ints: None,
        })
    }

    fn stream(src: &Lazy, mask: &Lazy, index: &MaskIndex, from: usize, to: usize) -> Vec<f64> {
        let mut got = Vec::new();
        let mut next = from as u64;
        masked_stream(src, mask, index, from, to, |b, at| {
            assert_eq!(at, next, "blocks arrive in order, each at its position");
            next += b.re.len() as u64;
            got.extend_from_slice(&b.re);
        })
        .unwrap();
        got
    }

    /// `src[mask]` streamed from the packed bits, and from the mask
    /// computed again, against filtering by hand: rows of a length that is
    /// no multiple of 64, several count chunks, dense, sparse and empty
    /// masks (and one with an empty chunk between two selections), and
    /// windows that start and end anywhere.
    #[test]
    fn packed_mask_bits_select_what_the_mask_selects() {
        // Rows of 4096: blocks that end exactly on a chunk's end.
        for shape in [[301, 557], [40, 4096]] {
            select_as_the_mask_does(shape);
        }
    }

    fn select_as_the_mask_does(shape: [usize; 2]) {
        let n = shape[0] * shape[1];
        assert!(n > 2 * MASK_CHUNK);
        let mut state: u64 = 0x9e37_79b9;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let values: Vec<f64> = (0..n).map(|k| k as f64).collect();
        let src = lazy(values, &shape, "<f8");
        // Densities in percent, and 101: two elements, in the first and
        // the third count chunk (the second is skipped whole).
        for density in [0u64, 1, 50, 100, 101] {
            let truth: Vec<f64> = (0..n)
                .map(|k| {
                    let on = if density > 100 {
                        k % 150_001 == 7
                    } else {
                        next() % 100 < density
                    };
                    f64::from(u8::from(on))
                })
                .collect();
            let want: Vec<f64> = (0..n)
                .filter(|&k| truth[k] != 0.0)
                .map(|k| k as f64)
                .collect();
            let mask = lazy(truth, &shape, "|b1");
            let index = mask_counts(&mask).unwrap();
            assert!(index.bits.is_some());
            assert_eq!(index.selected() as usize, want.len());
            let recompute = MaskIndex {
                prefix: index.prefix.clone(),
                bits: None,
            };
            let m = want.len();
            for (from, to) in [(0, m), (m / 3, m / 3 + 5000), (m.saturating_sub(7), m)] {
                let to = to.min(m);
                assert_eq!(
                    stream(&src, &mask, &index, from, to),
                    want[from..to],
                    "{density}% [{from}, {to})"
                );
                assert_eq!(stream(&src, &mask, &recompute, from, to), want[from..to]);
            }
        }
    }
}
