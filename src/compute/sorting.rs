//! Sorting values held in memory, as NumPy's stable sort orders them
//! (`sort`, `argsort`, `unique`): -0.0 and 0.0 are equal, NaN go last,
//! and equal values keep their order.
//!
//! Each float64 becomes an unsigned key in that order ([`key`]), and the
//! values (or, for `argsort`, the keys with their positions) are sorted by
//! a least-significant-digit radix sort, a byte a pass: stable by
//! construction, so equal keys (±0.0, NaN of any payload) keep their
//! order with no comparison, and a pass whose byte is the same for every
//! value is skipped (float32 data held in float64 has its low 29 bits
//! zero: five passes of eight). Short rows take the standard library's
//! stable sort on the same keys. Rows are sorted on every core, each by
//! one thread in buffers of its own that stay in its cache (its keys made,
//! sorted and written back as values); a long row is sorted whole by
//! passes that each share it among the cores, every chunk of it given its
//! own places in the output (stable, so the same order for any number of
//! threads). Every pass checks for Ctrl-C, so a sort stops within a pass
//! over a part (well under 100 ms).

use crate::control::{self, Interrupted};

/// Rows shorter than this sort by comparison (a radix sort's 256-bucket
/// histograms cost more than they save).
const SHORT: usize = 512;

/// A long row's passes take chunks of at most this many values (a radix
/// pass over one takes tens of milliseconds); rows up to this long are
/// each sorted whole by one thread.
const PART: usize = 1 << 22;

/// A float64's place in NumPy's sort order as an unsigned integer: -0.0
/// and 0.0 one key (0.0's, which [`value64`] gives back), every NaN the
/// last key.
pub fn key(x: f64) -> u64 {
    ordered64(if x == 0.0 { 0.0 } else { x })
}

/// What a radix sort moves: a key, or a key with the position its value
/// came from.
trait Item: Copy + Send + Sync + Default {
    /// The bytes of the key that can differ (from the lowest).
    const BYTES: usize = 8;
    fn key(&self) -> u64;
}

impl Item for u64 {
    fn key(&self) -> u64 {
        *self
    }
}

/// Keys of float32 values (float32, float16 and small integer data): half
/// the bytes to move and four passes at most.
impl Item for u32 {
    const BYTES: usize = 4;
    fn key(&self) -> u64 {
        u64::from(*self)
    }
}

/// A key and the position of its value in its row (`argsort`).
#[derive(Clone, Copy, Default)]
struct Keyed(u64, u64);

impl Item for Keyed {
    fn key(&self) -> u64 {
        self.0
    }
}

/// A float's bits in numeric order: negative values with every bit
/// flipped, the others with the sign bit set; so -0.0 sorts just below
/// 0.0. NaN (any payload) are the last key. One-to-one but for NaN, so the
/// sorted keys give the values back, and the zeros and the NaN, which
/// NumPy's stable sort keeps in their order, are put back as they came.
macro_rules! ordered {
    ($name:ident, $back:ident, $bits:ty, $float:ty) => {
        pub(super) fn $name(x: $float) -> $bits {
            if x.is_nan() {
                return <$bits>::MAX;
            }
            let b = x.to_bits();
            let sign = 1 << (<$bits>::BITS - 1);
            if b & sign != 0 {
                !b
            } else {
                b | sign
            }
        }

        pub(super) fn $back(k: $bits) -> $float {
            let sign = 1 << (<$bits>::BITS - 1);
            <$float>::from_bits(if k & sign != 0 { k & !sign } else { !k })
        }
    };
}

ordered!(ordered64, value64, u64, f64);
ordered!(ordered32, value32, u32, f32);

/// Sorts each row of `inner` values of `values` (C order) in place;
/// `single`: the values are float32's (float32, float16 and small integer
/// data), whose keys are half as wide.
pub fn sort_rows(values: &mut [f64], inner: usize, single: bool) -> Result<(), Interrupted> {
    sort_with(values, inner, 1, single, PART)
}

/// Sorts `values`, blocks of `n` rows of `inner` values (C order), along
/// the rows' axis (each column of a block), in place: keys made turned
/// (each column a row of keys), sorted as rows, and written back to the
/// columns, a tile at a time, on every core; no turned copy of the
/// values is made. (Rows themselves are the columns of blocks of one.)
pub fn sort_along(
    values: &mut [f64],
    n: usize,
    inner: usize,
    single: bool,
) -> Result<(), Interrupted> {
    sort_with(values, n, inner, single, PART)
}

fn sort_with(
    values: &mut [f64],
    n: usize,
    inner: usize,
    single: bool,
    part: usize,
) -> Result<(), Interrupted> {
    if single {
        along_keys(
            values,
            (n, inner, part),
            |x| ordered32(x as f32),
            |k| f64::from(value32(k)),
        )
    } else {
        along_keys(values, (n, inner, part), ordered64, value64)
    }
}

/// Sorts the columns of each block of `n` rows of `inner` by their
/// values' keys, rows of keys of at most `part` sorted whole, then writes
/// the values back from the keys, and the zeros and NaN in the order they
/// came.
fn along_keys<K: Item + Ord>(
    values: &mut [f64],
    (n, inner, part): (usize, usize, usize),
    to_key: impl Fn(f64) -> K + Sync,
    from_key: impl Fn(K) -> f64 + Sync,
) -> Result<(), Interrupted> {
    const TILE: usize = 32;
    let block = n * inner;
    if block == 0 {
        return Ok(());
    }
    if inner == 1 && n <= part {
        // Rows: each made into keys, sorted and written back by one
        // thread in buffers of its own, which stay in its cache.
        let _job = control::start(values.len() as u64);
        let per = (part / n).max(1);
        return control::in_parts(values.chunks_mut(per * n).collect(), |_, group| {
            let (mut keys, mut buf) = (Vec::with_capacity(n), Vec::new());
            for row in group.chunks_mut(n) {
                keys.clear();
                keys.extend(row.iter().map(|&x| to_key(x)));
                sort_one(&mut keys, &mut buf)?;
                let fix = Fix::of(&keys, row.iter().copied(), &to_key);
                for (v, &k) in row.iter_mut().zip(&keys) {
                    *v = from_key(k);
                }
                if let Some(fix) = fix {
                    fix.apply(n, |r, x| row[r] = x);
                }
                control::advance(n as u64);
            }
            Ok(())
        });
    }
    // Row `g` of the keys is column `g % inner` of block `g / inner`.
    let mut keys: Vec<K> = vec![K::default(); values.len()];
    if inner == 1 {
        // Rows: the keys lie as the values do, made a part at a time.
        control::in_parts(pairs(values, &mut keys, part), |_, (v, k)| {
            for (k, &x) in k.iter_mut().zip(v.iter()) {
                *k = to_key(x);
            }
            control::check()
        })?;
    } else {
        let source: &[f64] = values;
        control::in_parts(keys.chunks_mut(TILE * n).collect(), |q, rows| {
            for r0 in (0..n).step_by(TILE) {
                for (j, row) in rows.chunks_mut(n).enumerate() {
                    let g = q * TILE + j;
                    let column = &source[(g / inner) * block + g % inner..];
                    for r in r0..(r0 + TILE).min(n) {
                        row[r] = to_key(column[r * inner]);
                    }
                }
            }
            control::check()
        })?;
    }
    rows(&mut keys, n, part)?;
    // Columns holding zeros of both signs or NaN (whose payloads the keys
    // drop): their zeros and NaN as they came, read before the values
    // are written over.
    let mut fixes = Vec::new();
    for (g, row) in keys.chunks(n).enumerate() {
        let start = (g / inner) * block + g % inner;
        let column = (0..n).map(|r| values[start + r * inner]);
        if let Some(fix) = Fix::of(row, column, &to_key) {
            fixes.push((start, fix));
        }
    }
    if inner == 1 {
        control::in_parts(pairs(values, &mut keys, part), |_, (v, k)| {
            for (v, &k) in v.iter_mut().zip(k.iter()) {
                *v = from_key(k);
            }
            control::check()
        })?;
    } else {
        // Written back: each part a run of whole rows of one block, about
        // a part's worth of values.
        let per = (part / inner).max(1).next_multiple_of(TILE);
        let parts: Vec<(usize, usize, &mut [f64])> = values
            .chunks_mut(block)
            .enumerate()
            .flat_map(|(b, blk)| {
                blk.chunks_mut(per * inner)
                    .enumerate()
                    .map(move |(q, run)| (b, q * per, run))
            })
            .collect();
        let keys = &keys;
        control::in_parts(parts, |_, (b, r0, run)| {
            let turned = &keys[b * block..(b + 1) * block];
            for c0 in (0..inner).step_by(TILE) {
                for (j, out) in run.chunks_mut(inner).enumerate() {
                    let r = r0 + j;
                    for c in c0..(c0 + TILE).min(inner) {
                        out[c] = from_key(turned[c * n + r]);
                    }
                }
            }
            control::check()
        })?;
    }
    for (start, fix) in fixes {
        fix.apply(n, |r, x| values[start + r * inner] = x);
    }
    Ok(())
}

/// What a row's keys lose: the zeros of a row holding both signs and
/// every NaN, as they came, and where the zeros go in the sorted row.
struct Fix {
    at: usize,
    zeros: Vec<f64>,
    nans: Vec<f64>,
}

impl Fix {
    /// The fix of a sorted row of keys whose values, as they came, are
    /// `column`; none when its keys give its values back.
    fn of<K: Item + Ord>(
        row: &[K],
        column: impl Iterator<Item = f64> + Clone,
        to_key: impl Fn(f64) -> K,
    ) -> Option<Fix> {
        let (negative, positive, nan) = (to_key(-0.0), to_key(0.0), to_key(f64::NAN));
        let count = |key: K| row.partition_point(|&k| k <= key) - row.partition_point(|&k| k < key);
        let mixed = count(negative) > 0 && count(positive) > 0;
        if !mixed && row.last() != Some(&nan) {
            return None;
        }
        let zeros: Vec<f64> = if mixed {
            column.clone().filter(|&x| x == 0.0).collect()
        } else {
            Vec::new()
        };
        let nans: Vec<f64> = column.filter(|x| x.is_nan()).collect();
        let at = row.partition_point(|&k| k < negative);
        Some(Fix { at, zeros, nans })
    }

    /// Puts the zeros and NaN back into a sorted row of `n`, `set(r, x)`
    /// writing its value `r`.
    fn apply(self, n: usize, mut set: impl FnMut(usize, f64)) {
        for (i, z) in self.zeros.into_iter().enumerate() {
            set(self.at + i, z);
        }
        let first = n - self.nans.len();
        for (i, x) in self.nans.into_iter().enumerate() {
            set(first + i, x);
        }
    }
}

/// The values and their keys in parts of `per` each.
fn pairs<'a, K>(
    values: &'a mut [f64],
    keys: &'a mut [K],
    per: usize,
) -> Vec<(&'a mut [f64], &'a mut [K])> {
    values.chunks_mut(per).zip(keys.chunks_mut(per)).collect()
}

/// For each row of `inner` values, the positions that sort it (stable),
/// in C order, as float64 (how a computed array holds them); `single` as
/// for [`sort_rows`].
pub fn argsort_rows(values: &[f64], inner: usize, single: bool) -> Result<Vec<f64>, Interrupted> {
    argsort_with(values, inner, single, PART)
}

fn argsort_with(
    values: &[f64],
    inner: usize,
    single: bool,
    part: usize,
) -> Result<Vec<f64>, Interrupted> {
    let mut out = vec![0.0; values.len()];
    if inner == 0 || values.is_empty() {
        return Ok(out);
    }
    if inner > part {
        // Long rows: the keys and positions of a row sorted on every core.
        let mut keyed: Vec<Keyed> = values
            .iter()
            .enumerate()
            .map(|(k, &x)| Keyed(key(x), (k % inner) as u64))
            .collect();
        rows(&mut keyed, inner, part)?;
        for (o, k) in out.iter_mut().zip(keyed) {
            *o = k.1 as f64;
        }
        return Ok(out);
    }
    // Rows: each row's keys and positions made, sorted and written out by
    // one thread in buffers of its own, which stay in its cache (no keys
    // of the whole array, which took twice the memory of the result).
    let _job = control::start(values.len() as u64);
    let per = (part / inner).max(1);
    let parts: Vec<(&[f64], &mut [f64])> = values
        .chunks(per * inner)
        .zip(out.chunks_mut(per * inner))
        .collect();
    control::in_parts(parts, |_, (values, out)| {
        let (mut packed, mut keyed) = (Vec::with_capacity(inner), Vec::new());
        let mut buf = (Vec::new(), Vec::new());
        for (row, out) in values.chunks(inner).zip(out.chunks_mut(inner)) {
            if single {
                packed.clear();
                packed.extend(row.iter().enumerate().map(|(k, &x)| Packed::new(x, k)));
                sort_one(&mut packed, &mut buf.0)?;
                for (o, p) in out.iter_mut().zip(&packed) {
                    *o = f64::from(p.position());
                }
            } else {
                keyed.clear();
                keyed.extend(
                    row.iter()
                        .enumerate()
                        .map(|(k, &x)| Keyed(key(x), k as u64)),
                );
                sort_one(&mut keyed, &mut buf.1)?;
                for (o, k) in out.iter_mut().zip(&keyed) {
                    *o = k.1 as f64;
                }
            }
            control::advance(row.len() as u64);
        }
        Ok(())
    })?;
    Ok(out)
}

/// A float32 value's key (the high half) and its position in a row of at
/// most 2^32 (the low half): half the bytes of [`Keyed`] to move, and four
/// passes.
#[derive(Clone, Copy, Default)]
struct Packed(u64);

impl Packed {
    fn new(x: f64, position: usize) -> Packed {
        let k = ordered32(if x == 0.0 { 0.0 } else { x as f32 });
        Packed(u64::from(k) << 32 | position as u64)
    }

    fn position(self) -> u32 {
        self.0 as u32
    }
}

impl Item for Packed {
    const BYTES: usize = 4;
    fn key(&self) -> u64 {
        self.0 >> 32
    }
}

/// All of `values` sorted, for `unique` (`single` as for [`sort_rows`]).
pub fn sort_all(values: &mut [f64], single: bool) -> Result<(), Interrupted> {
    let n = values.len();
    sort_rows(values, n, single)
}

/// Sorts each row of `inner` items: rows shared among the threads, or
/// a row longer than `part` cut into parts of at most `part`.
fn rows<T: Item>(items: &mut [T], inner: usize, part: usize) -> Result<(), Interrupted> {
    if inner == 0 || items.is_empty() {
        return Ok(());
    }
    let _job = control::start(items.len() as u64);
    let count = items.len() / inner;
    if count >= control::threads() || inner <= part {
        // Groups of whole rows, about a part's worth each.
        let per = (part / inner).max(1);
        return control::in_parts(items.chunks_mut(per * inner).collect(), |_, group| {
            let mut buf = Vec::new();
            for row in group.chunks_mut(inner) {
                sort_one(row, &mut buf)?;
                control::advance(row.len() as u64);
            }
            Ok(())
        });
    }
    for row in items.chunks_mut(inner) {
        sort_long(row, part)?;
    }
    Ok(())
}

/// One long row: a least-significant-digit radix sort of the whole row
/// on every core. Each pass cuts the row into chunks of at most `most`
/// (one a thread at least), counts each chunk's digits, and gives every
/// chunk its own run of the output within each digit's run, in chunk
/// order, so the chunks scatter at once and the pass stays stable: the
/// order it leaves is the one stable order, whatever the threads.
fn sort_long<T: Item>(row: &mut [T], most: usize) -> Result<(), Interrupted> {
    let len = row.len();
    let chunk = len
        .div_ceil(control::threads())
        .clamp(SHORT, most.max(SHORT));
    let mut other = vec![T::default(); len];
    let (mut from, mut to): (&mut [T], &mut [T]) = (&mut *row, &mut other);
    let (mut in_row, mut shown) = (true, 0);
    for b in 0..T::BYTES {
        let digit = |x: &T| (x.key() >> (8 * b)) as usize & 255;
        let source: &[T] = from;
        let counts = control::in_chunks(len.div_ceil(chunk), |c| {
            let mut count = [0usize; 256];
            for x in &source[c * chunk..((c + 1) * chunk).min(len)] {
                count[digit(x)] += 1;
            }
            control::check()?;
            Ok(count)
        })?;
        // A byte every key shares orders nothing.
        if (0..256).any(|d| counts.iter().map(|c| c[d]).sum::<usize>() == len) {
            continue;
        }
        // Digit by digit, chunk by chunk: each chunk's runs of the output.
        let mut runs: Vec<Vec<&mut [T]>> = counts.iter().map(|_| Vec::with_capacity(256)).collect();
        let mut rest: &mut [T] = to;
        for d in 0..256 {
            for (c, count) in counts.iter().enumerate() {
                let (run, tail) = rest.split_at_mut(count[d]);
                runs[c].push(run);
                rest = tail;
            }
        }
        let parts: Vec<(&[T], Vec<&mut [T]>)> = source.chunks(chunk).zip(runs).collect();
        control::in_parts(parts, |_, (values, mut runs)| {
            let mut at = [0usize; 256];
            for x in values {
                let d = digit(x);
                runs[d][at[d]] = *x;
                at[d] += 1;
            }
            control::advance(values.len() as u64 / T::BYTES as u64);
            control::check()
        })?;
        shown += source
            .chunks(chunk)
            .map(|c| c.len() / T::BYTES)
            .sum::<usize>();
        std::mem::swap(&mut from, &mut to);
        in_row = !in_row;
    }
    if !in_row {
        // A part at a time, checking for Ctrl-C between (a GiB takes
        // this copy a tenth of a second).
        for (to, from) in row.chunks_mut(most.max(1)).zip(other.chunks(most.max(1))) {
            control::check()?;
            to.copy_from_slice(from);
        }
    }
    control::advance((len - shown) as u64);
    Ok(())
}

/// Sorts one row (stably by key): by comparison when short, else by
/// radix, `buf` its second buffer.
fn sort_one<T: Item>(row: &mut [T], buf: &mut Vec<T>) -> Result<(), Interrupted> {
    if row.len() <= SHORT {
        row.sort_by_key(Item::key);
        return Ok(());
    }
    control::check()?;
    // Every byte's histogram in one pass.
    let mut counts = vec![[0usize; 256]; T::BYTES];
    for x in row.iter() {
        let k = x.key();
        for (b, c) in counts.iter_mut().enumerate() {
            c[(k >> (8 * b)) as usize & 255] += 1;
        }
    }
    buf.clear();
    buf.resize(row.len(), T::default());
    let mut in_row = true;
    for (b, c) in counts.iter().enumerate() {
        // A byte every key shares orders nothing.
        if c.contains(&row.len()) {
            continue;
        }
        control::check()?;
        let mut at = [0usize; 256];
        let mut sum = 0;
        for (a, &n) in at.iter_mut().zip(c) {
            *a = sum;
            sum += n;
        }
        let (src, dst): (&[T], &mut [T]) = if in_row { (row, buf) } else { (buf, row) };
        for x in src {
            let d = (x.key() >> (8 * b)) as usize & 255;
            dst[at[d]] = *x;
            at[d] += 1;
        }
        in_row = !in_row;
    }
    if !in_row {
        row.copy_from_slice(buf);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values with ties, ±0.0, NaN of several payloads and signs,
    /// infinities and subnormals; float64 and float32-exact.
    fn values(n: usize, seed: u64, single: bool) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|k| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                let u = (s >> 11) as f64 / (1u64 << 53) as f64;
                let x = match k % 97 {
                    0 => f64::NAN,
                    1 => -f64::NAN,
                    2 => f64::from_bits(0x7ff8_0000_0000_0000 | (s & 0xffff)),
                    3 => 0.0,
                    4 => -0.0,
                    5 => f64::INFINITY,
                    6 => f64::NEG_INFINITY,
                    7 => 5e-324 * (s % 7) as f64,
                    8..=20 => (u * 10.0).floor() - 5.0,
                    _ => (u - 0.5) * 1e6,
                };
                if single {
                    x as f32 as f64
                } else {
                    x
                }
            })
            .collect()
    }

    /// The standard library's stable sort with NumPy's comparison: NaN
    /// last, -0.0 equal to 0.0.
    fn reference(row: &[f64]) -> Vec<f64> {
        let mut v = row.to_vec();
        v.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            _ => a.partial_cmp(b).unwrap(),
        });
        v
    }

    /// Sorts and argsorts of short rows, radix rows and long rows sorted
    /// in chunks on every core give the bits the standard library's stable
    /// sort gives.
    #[test]
    fn radix_sorts_of_rows_and_of_long_rows_are_the_stable_comparison_sort() {
        // (Chunks of 2000 values: a long row's passes scatter many chunks.)
        for (n, inner, single, part) in [
            (3000, 10, false, PART),
            (40_000, 5000, true, PART),
            (40_000, 40_000, false, PART),
            (25_007, 25_007, true, 2000),
            (60_000, 20_000, false, 2000),
            (9000, 9000, false, 2000),
        ] {
            let xs = values(n, n as u64 + 1, single);
            let mut sorted = xs.clone();
            sort_with(&mut sorted, inner, 1, false, part).unwrap();
            if single {
                // Float32 values sorted by float32 keys: the same bits.
                let mut narrow = xs.clone();
                sort_with(&mut narrow, inner, 1, true, part).unwrap();
                let same = narrow
                    .iter()
                    .zip(&sorted)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "float32 sort of {n} in rows of {inner}");
            }
            let order = argsort_with(&xs, inner, single, part).unwrap();
            for (r, row) in xs.chunks(inner).enumerate() {
                let want = reference(row);
                let got = &sorted[r * inner..r * inner + row.len()];
                let same = want
                    .iter()
                    .zip(got)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "sort of {n} in rows of {inner}, row {r}");
                // argsort: the positions of the stable order, ties in order.
                let mut positions: Vec<usize> = (0..row.len()).collect();
                positions.sort_by_key(|&k| key(row[k]));
                let got = &order[r * inner..r * inner + row.len()];
                assert!(
                    positions.iter().zip(got).all(|(&a, &b)| a as f64 == b),
                    "argsort of {n} in rows of {inner}, row {r}"
                );
            }
        }
    }

    /// Sorting down the columns in place gives each column the stable
    /// comparison sort's bits (zeros of both signs and NaN payloads in the
    /// order they came), for blocks of several shapes.
    #[test]
    fn columns_sorted_in_place_are_the_stable_comparison_sort() {
        for (outer, n, inner, single) in [
            (1, 3000, 7, false),
            (3, 600, 40, true),
            (2, 50, 33, false),
            (1, 2, 100, true),
            (2, 700, 1, false),
        ] {
            let xs = values(outer * n * inner, (n * inner) as u64, single);
            let mut sorted = xs.clone();
            sort_along(&mut sorted, n, inner, single).unwrap();
            for b in 0..outer {
                for c in 0..inner {
                    let at = |r: usize| b * n * inner + r * inner + c;
                    let column: Vec<f64> = (0..n).map(|r| xs[at(r)]).collect();
                    let want = reference(&column);
                    let same = (0..n).all(|r| sorted[at(r)].to_bits() == want[r].to_bits());
                    assert!(same, "{outer}x{n}x{inner}: block {b}, column {c}");
                }
            }
        }
    }

    #[test]
    fn keys_order_floats_as_numpy_compares_them() {
        let xs = [
            f64::NEG_INFINITY,
            -1.5,
            -5e-324,
            -0.0,
            0.0,
            5e-324,
            2.0,
            f64::INFINITY,
        ];
        for w in xs.windows(2) {
            assert!(key(w[0]) <= key(w[1]), "{} {}", w[0], w[1]);
        }
        assert_eq!(key(-0.0), key(0.0));
        assert_eq!(key(f64::NAN), key(-f64::NAN));
        assert!(key(f64::INFINITY) < key(f64::NAN));
    }
}
