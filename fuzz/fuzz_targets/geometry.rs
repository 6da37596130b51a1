//! View geometry against a shadow computation in i128: for random shapes,
//! strides, offsets and index items, every element of the result must land
//! on the byte that indexing each element one by one gives, and the errors
//! must be exactly where the shadow finds the index invalid.
#![no_main]
use libfuzzer_sys::fuzz_target;
use strided::syntax::Span;
use strided::view::{index_geometry, Index};

struct Bytes<'a>(&'a [u8], usize);
impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        let b = self.0.get(self.1).copied().unwrap_or(0);
        self.1 += 1;
        b
    }
    fn small(&mut self) -> i128 {
        (self.next() % 19) as i128 - 9
    }
}

/// Python's range(start, stop, step) after clipping, for one axis.
fn positions(start: Option<i128>, stop: Option<i128>, step: i128, len: i128) -> Vec<i128> {
    let norm = |v: i128| if v < 0 { v + len } else { v };
    let (lo, hi) = if step > 0 { (0, len) } else { (-1, len - 1) };
    let s = start.map_or(if step > 0 { 0 } else { len - 1 }, |v| norm(v).clamp(lo, hi));
    let e = stop.map_or(if step > 0 { len } else { -1 }, |v| norm(v).clamp(lo, hi));
    let mut out = vec![];
    let mut i = s;
    while (step > 0 && i < e) || (step < 0 && i > e) {
        out.push(i);
        i += step;
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data, 0);
    let ndim = (b.next() % 4) as usize;
    let shape: Vec<usize> = (0..ndim).map(|_| (b.next() % 6) as usize).collect();
    let strides: Vec<isize> = (0..ndim).map(|_| (b.next() as i8) as isize * 3).collect();
    let offset = (b.next() as i128) * 16;
    let nitems = (b.next() % 5) as usize;
    let sp = Span::default();
    let mut items = Vec::new();
    for _ in 0..nitems {
        items.push(match b.next() % 5 {
            0 => Index::Int(b.small(), sp),
            1 => Index::Ellipsis(sp),
            2 => Index::NewAxis(sp),
            _ => {
                let opt = |b: &mut Bytes| if b.next() % 3 == 0 { None } else { Some(b.small()) };
                let (start, stop, step) = (opt(&mut b), opt(&mut b), if b.next() % 4 == 0 { None } else { Some(b.small() % 4) });
                Index::Slice { start, stop, step, span: sp }
            }
        });
    }
    // The shadow: expand `...`, then walk the items, checking as NumPy does.
    let ellipses = items.iter().filter(|i| matches!(i, Index::Ellipsis(_))).count();
    let consumed = items.iter().filter(|i| matches!(i, Index::Int(..) | Index::Slice { .. })).count();
    let valid_shape = ellipses <= 1 && consumed <= ndim;
    let got = index_geometry(&shape, &strides, offset, &items);
    if !valid_shape {
        assert!(got.is_err(), "{shape:?} {items:?}");
        return;
    }
    // Per result axis: (parent axis or None for a new axis, positions); plus fixed parent coordinates.
    let mut axes: Vec<(Option<usize>, Vec<i128>)> = Vec::new();
    let mut fixed = vec![0i128; ndim];
    let mut axis = 0;
    let mut ok = true;
    for it in &items {
        match *it {
            Index::Int(i, _) => {
                let len = shape[axis] as i128;
                let k = if i < 0 { i + len } else { i };
                if k < 0 || k >= len {
                    ok = false;
                    break;
                }
                fixed[axis] = k;
                axis += 1;
            }
            Index::Slice { start, stop, step, .. } => {
                let step = step.unwrap_or(1);
                if step == 0 {
                    ok = false;
                    break;
                }
                axes.push((Some(axis), positions(start, stop, step, shape[axis] as i128)));
                axis += 1;
            }
            Index::Ellipsis(_) => {
                for _ in 0..ndim - consumed {
                    axes.push((Some(axis), (0..shape[axis] as i128).collect()));
                    axis += 1;
                }
            }
            Index::NewAxis(_) => axes.push((None, vec![0])),
        }
    }
    if !ok {
        assert!(got.is_err(), "{shape:?} {items:?}: the shadow refuses");
        return;
    }
    while axis < ndim {
        axes.push((Some(axis), (0..shape[axis] as i128).collect()));
        axis += 1;
    }
    let (rshape, rstrides, roff) = got.expect("the shadow accepts this index");
    assert_eq!(rshape, axes.iter().map(|a| a.1.len()).collect::<Vec<_>>());
    // Every result element: offset by the geometry == offset by the shadow.
    let total: usize = rshape.iter().product();
    for flat in 0..total {
        let mut rem = flat;
        let mut idx = vec![0usize; rshape.len()];
        for k in (0..rshape.len()).rev() {
            idx[k] = rem % rshape[k];
            rem /= rshape[k];
        }
        let by_geometry = roff + idx.iter().zip(&rstrides).map(|(&i, &s)| i as i128 * s as i128).sum::<i128>();
        let mut parent = fixed.clone();
        for (k, (a, pos)) in axes.iter().enumerate() {
            if let Some(a) = a {
                parent[*a] = pos[idx[k]];
            }
        }
        let by_shadow = offset + parent.iter().zip(&strides).map(|(&i, &s)| i * s as i128).sum::<i128>();
        assert_eq!(by_geometry, by_shadow, "{shape:?} {strides:?} {items:?} at {idx:?}");
    }
});
