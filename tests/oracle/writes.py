#!/usr/bin/env python3
"""NumPy as the oracle for strided's writes: random item assignments
(basic, advanced and boolean indices; Python scalars, lists and arrays,
including views of the array being written) and in-place operators, run
by strided on a file opened with `mode=c` or `mode=r+` and by NumPy on
`np.memmap` of the same bytes with the same mode.

  --live BIN   runs each case's statements as a script with --keep-going
               and checks:
                 * the same statements fail (NumPy raises exactly where
                   strided reports an error);
                 * the arrays end equal, dtype and bits (NaN payloads
                   aside): the written array, a view taken before the
                   writes (it shows them) and a copy taken before (it does
                   not), compared through `save ... .npy`;
                 * mode=c: the file's bytes are unchanged (checksum);
                 * mode=r+: the file's bytes equal NumPy's file after its
                   flush, once after `flush` and again after the session
                   ends.
"""
import hashlib, os, re, shutil, subprocess, sys, tempfile, warnings
import oracle_cli
import numpy as np

DTYPES = ["<f4", ">f4", "<f8", "<i2", ">i4", "u1", "<u2", "<i8", "<c8", ">c16", "|b1", "S4", "<U3", ">U2"]
WORDS = ["", "a", "ab", "abc", "abcd", "abcdef", "ü", "xéy", "it's", "7"]


def make_data(g, dt, n):
    dt = np.dtype(dt)
    if dt.kind in "SU":
        words = [w for w in WORDS if dt.kind == "U" or w.isascii()]
        return np.array([words[i] for i in g.integers(0, len(words), n)], dtype=dt)
    if dt.kind == "b":
        return g.random(n) < 0.5
    if dt.kind == "f":
        x = np.round(g.normal(0, 10, n), 2)
        if n and g.random() < 0.3:
            x[g.integers(0, n)] = np.nan
        return x.astype(dt)
    if dt.kind == "c":
        return (np.round(g.normal(0, 10, n), 2) + 1j * np.round(g.normal(0, 10, n), 2)).astype(dt)
    info = np.iinfo(dt)
    return g.integers(max(info.min, -100), min(info.max, 100), n, endpoint=True).astype(dt)


def scalar(rng, kind):
    """A Python literal: mostly in range for the dtype, sometimes not."""
    r = rng.random()
    if kind in "SU":
        # Strings (too long ones are cut; S takes ASCII only), and numbers
        # written as their str.
        return repr(rng.choice(WORDS)) if r < 0.85 else rng.choice(["5", "1.5", "True", "-3"])
    if r < 0.45:
        return str(rng.randint(-3, 120))
    if r < 0.7:
        return repr(round(rng.uniform(-50, 50), 2))
    if r < 0.78:
        return rng.choice(["300", "-1", "70000", "2**40", "True"])
    if r < 0.86:
        return rng.choice(["nan", "inf", "1.5e300"])
    return f"({rng.randint(-5, 5)}+{rng.randint(1, 5)}j)"


def index(rng, shape, kind="f"):
    """A subscript over `shape`: basic, an integer list, or a mask."""
    nd = len(shape)
    r = rng.random()
    if r < 0.35:
        parts = []
        for n in shape[: rng.randint(1, nd)]:
            c = rng.random()
            if c < 0.3 and n > 0:
                parts.append(str(rng.randrange(-n, n)))
            elif c < 0.8:
                a, b = sorted(rng.randint(-n - 1, n + 1) for _ in range(2))
                step = rng.choice(["", ":2", ":-1", ":3"])
                parts.append(f"{a}:{b}{step}" if not step.startswith(":-") else f"{b}:{a}{step}")
            else:
                parts.append(":")
        if rng.random() < 0.2:
            parts.insert(rng.randint(0, len(parts)), "...")
        return ", ".join(parts)
    if r < 0.6 and shape[0] > 0:
        k = rng.randint(1, 4)
        idx = [rng.randrange(-shape[0], shape[0]) for _ in range(k)]
        if nd > 1 and rng.random() < 0.5:
            return f"{idx}, {rng.randrange(shape[1])}" if shape[1] else f"{idx}"
        return f"{idx}"
    if r < 0.8 and kind in "SU":
        return "[" + ", ".join(rng.choice(["True", "False"]) for _ in range(shape[0])) + "]"
    if r < 0.8:
        return rng.choice(["d > 0", "d != d", "abs(d) < 20"])
    return "..."


def value(rng, kind, shape):
    r = rng.random()
    if kind in "SU" and r >= 0.7:
        return rng.choice(["d[0]", "d[::-1]", "d.T[0]" if len(shape) > 1 else "d[::-2]", "d[..., :1]"])
    if r < 0.55:
        return scalar(rng, kind)
    if r < 0.7 and shape:
        n = shape[-1]
        return "[" + ", ".join(scalar(rng, kind) if rng.random() < 0.9 else "1" for _ in range(rng.choice([n, 1, n + 1]))) + "]"
    return rng.choice(["d[0]", "d[::-1]", "d.T[0]" if len(shape) > 1 else "d[::-2]", "d * 2", "d[..., :1]", "-d"])


def statements(rng, dt, shape):
    kind = np.dtype(dt).kind
    out = []
    for _ in range(rng.randint(2, 7)):
        # Strings have no arithmetic or comparisons in strided (NumPy's
        # string ufuncs are not built): only assignments.
        r = rng.random() * (0.45 if kind in "SU" else 1)
        if r < 0.45:
            out.append(f"d[{index(rng, shape, kind)}] = {value(rng, kind, shape)}")
        elif r < 0.7:
            op = rng.choice(["+=", "-=", "*=", "//=", "%=", "/=", "|=", "&="])
            rhs = rng.choice([str(rng.randint(1, 5)), "1.5", "d[0]", "3"])
            if rng.random() < 0.5:
                out.append(f"d[{index(rng, shape, kind)}] {op} {rhs}")
            else:
                out.append(f"d {op} {rhs}")
        elif r < 0.85:
            out.append(f"v[{index(rng, shape, kind)}] = {scalar(rng, kind)}")
        else:
            out.append(f"c[{index(rng, shape, kind)}] = {scalar(rng, kind)}")
    return out


def numpy_run(path, mode, dt, shape, stmts):
    """The statements under NumPy: which raised, and the final arrays."""
    d = np.memmap(path, dtype=dt, mode=mode, shape=shape)
    env = {"d": d, "v": d[::2], "c": np.array(d), "nan": np.nan, "inf": np.inf, "abs": np.abs, "np": np}
    failed = []
    for k, s in enumerate(stmts):
        # NumPy's boolean-mask assignment reads a value that views the
        # array while it writes (no overlap check, unlike its other
        # assignments); strided takes the value first, as if copied, and
        # says so in `help writes`. NumPy is asked for that here (masks
        # written as a list of bools too).
        m = re.fullmatch(r"(\w)\[(d > 0|d != d|abs\(d\) < 20|\[(?:True|False)(?:, (?:True|False))*\])\] = (d.*|-d)", s)
        if m:
            s = f"{m.group(1)}[{m.group(2)}] = np.array({m.group(3)})"
        # An assignment that fails writes nothing in strided; NumPy may
        # leave the elements before a string it cannot encode written (it
        # encodes a list element by element into the array). The README
        # and `help writes` say so; NumPy's state is put back here.
        kept = {n: np.array(env[n]) for n in ("d", "c")} if d.dtype.kind in "SU" else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                exec(s, env)
            except Exception as e:
                failed.append((k, f"{type(e).__name__}: {e}"))
                if isinstance(e, UnicodeEncodeError):
                    for n, a in kept.items():
                        env[n][...] = a
    if mode == "r+":
        d.flush()
    return failed, np.array(env["d"]), np.array(env["v"]), np.array(env["c"])


def same(a, b):
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind in "fc":
        return np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b)


# Cases that once differed, run before the random ones: (dtype, shape,
# statements).
REGRESSIONS = [
    # A mask shallower than the array is an index like any other: the
    # value broadcasts to the selection (strided used the lone-mask rule).
    ("<f4", (2, 3), ["d[[True, True]] = [1, 2, 3]", "d[[False, True]] = [[5], [6]]"]),
    ("<U3", (1, 1, 2), ["d[[True]] = ['ab', 'abc']"]),
    ("<i2", (3,), ["d[[True, False, True]] = [1, 2, 3]", "d[[True, False, True]] = [[1, 2]]"]),
    # An in-place product of complex values into one element: NumPy's loop
    # without fused multiply-adds (strided's vector product used them).
    (">c16", (1,), ["d[:] *= d[0]", "d *= d", "d[...] *= 0.75 - 0.5j", "d *= d"]),
    ("<c8", (1, 1), ["d *= d", "d[0] *= d[0, 0]", "d *= 1.25 + 0.5j", "d *= d"]),
]


def run_case(rng, binary, tmp, k, fixed=None):
    g = np.random.default_rng(rng.getrandbits(32))
    dt = rng.choice(DTYPES)
    nd = rng.randint(1, 3)
    shape = tuple(rng.randint(1, 6) for _ in range(nd))
    if fixed:
        dt, shape = fixed[0], fixed[1]
    mode = rng.choice(["c", "r+"])
    data = make_data(g, dt, int(np.prod(shape))).reshape(shape)
    ours = os.path.join(tmp, f"s{k}.bin")
    theirs = os.path.join(tmp, f"n{k}.bin")
    data.tofile(ours)
    shutil.copy(ours, theirs)
    before = hashlib.sha256(open(ours, "rb").read()).hexdigest()
    stmts = fixed[2] if fixed else statements(rng, dt, shape)
    failed, nd_, nv, nc = numpy_run(theirs, mode, dt, shape, stmts)
    shape_text = "x".join(map(str, shape))
    script = [f"open {ours} {shape_text} {np.dtype(dt).str} mode={mode} as d", "v = d[::2]", "c = d.copy()"]
    script += stmts
    outs = {n: os.path.join(tmp, f"{n}{k}.npy") for n in "dvc"}
    script += [f"save {n} {p}" for n, p in outs.items()]
    if mode == "r+":
        script.append("flush")
    sfile = os.path.join(tmp, f"case{k}.strided")
    with open(sfile, "w") as f:
        f.write("\n".join(script) + "\n")
    p = subprocess.run([binary, "--keep-going", sfile], capture_output=True, text=True)
    errs = sorted({int(m.group(1)) - 4 for m in re.finditer(r":(\d+):\d+: error", p.stderr)})
    problems = []
    want = [k for k, _ in failed]
    if errs != want:
        problems.append(f"statements failing: strided {errs}, NumPy {want} ({failed})\n{p.stderr}")
    for n, ref in zip("dvc", (nd_, nv, nc)):
        if not os.path.exists(outs[n]):
            problems.append(f"{n} was not saved")
            continue
        got = np.load(outs[n])
        if not same(got, ref):
            problems.append(f"{n}: strided {got!r}\n   NumPy {ref!r}")
    now = open(ours, "rb").read()
    if mode == "c" and hashlib.sha256(now).hexdigest() != before:
        problems.append("mode=c changed the file")
    if mode == "r+" and now != open(theirs, "rb").read():
        # The same bytes, but for the sign and payload of a NaN that an
        # operation made (strided computes in float64 and rounds).
        a = np.fromfile(ours, dtype=dt)
        b = np.fromfile(theirs, dtype=dt)
        nan = np.isnan(a) & np.isnan(b) if a.dtype.kind in "fc" else np.zeros(a.shape, bool)
        if not (a.shape == b.shape and (a.view(np.uint8).reshape(a.size, -1)[~nan.ravel()]
                                        == b.view(np.uint8).reshape(b.size, -1)[~nan.ravel()]).all()):
            problems.append("mode=r+: the file's bytes differ from NumPy's after flush and exit")
    if problems:
        return f"case {k}: {dt} {shape} mode={mode}\n  " + "\n  ".join(script) + "\n" + "\n".join(problems)
    return None


def main():
    a, rng = oracle_cli.parse("writes", 200)
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, fixed in enumerate(REGRESSIONS):
            r = run_case(rng, a.live, tmp, 10**6 + k, fixed)
            if r:
                bad.append(r)
        for k in range(a.cases):
            r = run_case(rng, a.live, tmp, k)
            if r:
                bad.append(r)
    for b in bad[:10]:
        print(b, "\n")
    print(f"{a.cases + len(REGRESSIONS) - len(bad)} passed, {len(bad)} failed")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
