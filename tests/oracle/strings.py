#!/usr/bin/env python3
"""NumPy as the oracle for how strided shows strings: random `S` and `U`
contents (quotes, backslashes, control characters, bytes above 0x7f,
non-ASCII letters, empty strings, NULs inside and at the end) in records
beside numbers, and plain string arrays of either byte order.

  --live BIN   runs one script and checks, element by element:
                 * `d[k]` prints `str()` of NumPy's record (a tuple of
                   reprs: `(b'a\\x00b', "it's", 1.5)`);
                 * `d['s'][k]` prints `str()` of NumPy's `np.bytes_`
                   (`b'...'`) and `d['u'][k]` the text itself;
                 * the table of `d['s']` and `d['u']` shows each element
                   as NumPy's array printing does (`repr` of the element);
                 * `save x.npy` of a field and of one element reads back
                   with NumPy's dtype (`S2` for `b'ab'` out of `S6`) and bytes.
"""
import os, re, subprocess, sys, tempfile
import numpy as np
import oracle_cli

PIECES = ["a", "Z", "'", '"', "\\", " ", "\t", "\n", "\x1b", "\x7f", "\u00fc", "\u00e9", "\u4e2d", "0", ",", "\x00"]


def word(rng, n, ascii_only):
    pieces = [p for p in PIECES if not ascii_only or p.isascii()]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, n)))


def make(rng, n):
    ns, nu = rng.randint(1, 6), rng.randint(1, 4)
    order = rng.choice("<>")
    dt = np.dtype([("s", "S%d" % ns), ("x", "<f4"), ("u", "%sU%d" % (order, nu))])
    a = np.zeros(n, dt)
    for k in range(n):
        s = word(rng, ns, True).encode("latin-1")
        # Bytes above 0x7f too: an S field holds any bytes.
        if rng.random() < 0.3:
            s = bytes(rng.randrange(256) for _ in range(rng.randint(0, ns)))
        a["s"][k] = s
        a["u"][k] = word(rng, nu, False)
        a["x"][k] = rng.choice([0.0, 1.5, -2.25, 3.0])
    return a


def cells(table):
    """The cells of a drawn table's body rows, first column (the index) dropped."""
    out = []
    for line in table.splitlines():
        if line.startswith("│"):
            parts = [c.strip() for c in re.split("[│┆]", line)[1:-1]]
            out.append(parts[1:])
    return out[1:]  # the header row


def main():
    args, rng = oracle_cli.parse("strings", 40, "files")
    bad = []
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in range(args.cases):
            a = make(rng, rng.randint(1, 6))
            path = os.path.join(tmp, "f%d.bin" % case)
            a.tofile(path)
            lines = ["open %s dtype=%s as d" % (path, a.dtype.descr)]
            marks = []
            for k in range(len(a)):
                for expr, want in [("d[%d]" % k, str(a[k])), ("d['s'][%d]" % k, str(a["s"][k])),
                                   ("d['u'][%d]" % k, str(a["u"][k]))]:
                    lines.append("print('@@')")
                    lines.append(expr)
                    marks.append((expr, want))
            lines.append("print('@@')")
            lines.append("d['s']")
            lines.append("print('@@')")
            lines.append("d['u']")
            k = rng.randrange(len(a))
            lines.append("save d['u'] %s" % os.path.join(tmp, "u%d.npy" % case))
            lines.append("save d['s'][%d] %s" % (k, os.path.join(tmp, "s%d.npy" % case)))
            script = os.path.join(tmp, "c%d.strided" % case)
            with open(script, "w") as f:
                f.write("\n".join(lines) + "\n")
            p = subprocess.run([args.live, script], capture_output=True)
            out = p.stdout.decode("utf-8")
            if p.returncode != 0:
                bad.append("case %d: exit %d\n%s" % (case, p.returncode, p.stderr.decode()))
                continue
            chunks = out.split("'@@'\n")[1:]
            # strided escapes control characters on their way out, as
            # text.rs says; NumPy's str() of a U element holds them raw.
            def visible(s):
                return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: "\\x%02x" % ord(m.group()), s)
            for (expr, want), got in zip(marks, chunks):
                got = got.rstrip("\n")
                want = visible(want) if expr.startswith("d['u']") else want
                if expr.startswith("d['u']"):
                    want = want.replace("\n", "\\n").replace("\t", "\\t")
                checked += 1
                if got != want:
                    bad.append("case %d: %s prints %r, NumPy %r" % (case, expr, got, want))
            for name, chunk in zip("su", chunks[len(marks):]):
                shown = [c[0] for c in cells(chunk)]
                # As NumPy's array printing shows an element (the repr of
                # the Python bytes or str, without NumPy 2's np.bytes_(...)).
                want = [repr(x.item()) for x in a[name]]
                checked += len(want)
                if shown != want:
                    bad.append("case %d: table of d[%r] shows %r, NumPy %r" % (case, name, shown, want))
            u = np.load(os.path.join(tmp, "u%d.npy" % case))
            s = np.load(os.path.join(tmp, "s%d.npy" % case))
            want_s = np.asarray(a["s"][k])
            checked += 2
            if u.dtype != a["u"].dtype or u.tobytes() != a["u"].tobytes():
                bad.append("case %d: save d['u'] gives %r %r" % (case, u.dtype, u))
            if s.dtype != want_s.dtype or s.tobytes() != want_s.tobytes():
                bad.append("case %d: save d['s'][%d] gives %r %r, NumPy %r %r" % (case, k, s.dtype, s, want_s.dtype, want_s))
    for b in bad[:20]:
        print(b)
    print("%d checks passed, %d failed" % (checked - len(bad), len(bad)))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
