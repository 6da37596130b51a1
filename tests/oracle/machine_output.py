"""Every command's --format csv and --format json output, parsed by Python's
own csv and json modules, with typed values checked against NumPy.

    python3 machine_output.py --live path/to/strided

json: every line of stdout is one object; shapes are lists, numbers are
numbers, dtypes are NumPy's strings, and a float32 is spelled as NumPy
spells that float32 (str(np.float32(x))). csv: stdout holds only csv (no
box drawing, no prose, no escape sequences); every row of a command's
output has as many cells as its header.
"""

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

try:
    import scipy.signal
except ImportError:
    if os.environ.get("STRIDED_REQUIRE_NUMPY") == "1":
        sys.exit("STRIDED_REQUIRE_NUMPY=1 but scipy is not installed (pip install scipy)")
    scipy = None
    print("scipy is not installed: the spectra are not checked against it (pip install scipy)")

SETUP = "open g.bin 100x100; open rec.npy as r"

# Every command a user can type, with arguments that make it print.
COMMANDS = [
    "d.r[:3, :4]",
    "d[:2, :3]",
    "d.r[5, 7]",
    "d[1, 1]",
    "min(d.r)",
    "mean(d.r, axis=0)[:5]",
    "d.shape",
    "d.dtype",
    "d.r.strides",
    "'text, with a comma'",
    "3 + 4",
    "r[0]",
    "r[:2]",
    "r[1, 2]",
    "stats d.r",
    "stats abs(d)",
    "stats d.r.astype('i2')",
    "hist d.r bins=4",
    "psd d[0] nperseg=32 window=hamming",
    "psd d.reshape(-1)[:3000] nperseg=31 scaling=spectrum",
    "specgram d.reshape(-1)[:1900] nperseg=33 noverlap=3",
    "specgram d.r[0] nperseg=16",
    "specgram d.reshape(-1) nperseg=16 reduce=max",
    "specgram d.reshape(-1) nperseg=16 window=hann noverlap=8",
    "vars",
    "files",
    "info d",
    "info r",
    "bytes d[0, :3]",
    "bytes r[0, :2]",
    "explain d.r[2:4, ::3]",
    "explain d[[1, 2]]",
    "plot d.r[0]",
    "image d.r",
    "set precision 3",
    "set",
    "save d.r[:2] out.npy",
    "save d.r[:2] out.csv",
    "export d vrt",
    "export d numpy",
    "close r",
    "help",
]


def run(binary, folder, fmt, cmd):
    out = subprocess.run(
        [binary, "--format", fmt, "-c", f"{SETUP}; {cmd}"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise AssertionError(f"{fmt} {cmd!r} failed: {out.stderr}")
    return out.stdout


def check_pure(text, fmt, cmd):
    for bad in ["\x1b", "┌", "│", "╞", "█", "⠀"]:
        assert bad not in text, f"{fmt} {cmd!r}: {bad!r} in output:\n{text}"


def json_lines(text, cmd):
    objs = []
    for line in text.splitlines():
        try:
            o = json.loads(line)
        except json.JSONDecodeError as e:
            raise AssertionError(f"json {cmd!r}: not json: {line[:200]!r} ({e})")
        assert isinstance(o, dict), f"json {cmd!r}: not an object: {line[:200]}"
        objs.append(o)
    return objs


def csv_rows(text, cmd):
    rows = list(csv.reader(io.StringIO(text)))
    if rows:
        width = len(rows[0])
        for r in rows:
            assert len(r) == width, f"csv {cmd!r}: rows of {width} and {len(r)} cells:\n{text}"
    return rows


def f32(x):
    """NumPy's spelling of a float32."""
    return str(np.float32(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--live", required=True)
    ap.add_argument("--cases", default="1")
    ap.add_argument("--seed", default="7")
    a = ap.parse_args()
    rng = np.random.default_rng(int(a.seed))
    with tempfile.TemporaryDirectory() as folder:
        d = (rng.standard_normal((100, 100)) + 1j * rng.standard_normal((100, 100))).astype("<c8")
        d.tofile(os.path.join(folder, "g.bin"))
        rec = np.zeros((3, 5), dtype=[("a", "<f4"), ("b", "<i2")])
        rec["a"] = rng.standard_normal((3, 5))
        rec["b"] = rng.integers(-100, 100, (3, 5))
        np.save(os.path.join(folder, "rec.npy"), rec)

        parsed = {}
        for cmd in COMMANDS:
            js = run(a.live, folder, "json", cmd)
            check_pure(js, "json", cmd)
            objs = json_lines(js, cmd)
            assert objs[0].get("open") == "d" and objs[1].get("open") == "r", js
            parsed[cmd] = objs[2:]
            cs = run(a.live, folder, "csv", cmd)
            check_pure(cs, "csv", cmd)
            parsed["csv " + cmd] = csv_rows(cs, cmd)

        # Typed values, against NumPy.
        (s,) = parsed["stats d.r"]
        assert s["shape"] == [100, 100] and s["dtype"] == "<f4", s
        assert s["count"] == 10000 and s["nan"] == 0
        x = d.real
        assert json.dumps(s["min"]) == f32(x.min()), (s["min"], f32(x.min()))
        assert json.dumps(s["max"]) == f32(x.max()), (s["max"], f32(x.max()))
        assert s["argmin"] == list(np.unravel_index(x.argmin(), x.shape))
        assert json.dumps(s["mean"]) == f32(x.astype(np.float64).mean()), s["mean"]
        assert json.dumps(s["std"]) == f32(x.astype(np.float64).std()), s["std"]
        # The quartiles, exact: NumPy's nanpercentile in the data's dtype.
        for key, q in (("p25", 25), ("median", 50), ("p75", 75)):
            assert json.dumps(s[key]) == f32(np.nanpercentile(x, q)), (key, s[key], np.nanpercentile(x, q))
        header, row = parsed["csv stats d.r"]
        assert dict(zip(header, row))["min"] == f32(x.min())
        assert dict(zip(header, row))["argmin"] == json.dumps(s["argmin"], separators=(",", ":"))

        (s,) = parsed["stats d.r.astype('i2')"]
        xi = x.astype("i2")
        assert s["min"] == int(xi.min()) and isinstance(s["min"], int), s
        assert s["median"] == float(np.median(xi)), (s["median"], np.median(xi))

        (m,) = parsed["min(d.r)"]
        assert json.dumps(m["value"]) == f32(x.min()) and m["dtype"] == "<f4", m

        (v,) = parsed["d.r[:3, :4]"]
        assert v["shape"] == [3, 4] and v["dtype"] == "<f4" and v["strides"] == [800, 8]
        assert [[json.dumps(c) for c in r] for r in v["data"]] == [
            [f32(c) for c in r] for r in x[:3, :4]
        ]
        rows = parsed["csv d.r[:3, :4]"]
        assert [[c for c in r] for r in rows] == [[f32(c) for c in r] for r in x[:3, :4]]
        (v,) = parsed["d[:2, :3]"]
        assert v["data"][1][2] == [float(f32(d[1, 2].real)), float(f32(d[1, 2].imag))]

        (sh,) = parsed["d.shape"]
        assert sh["value"] == [100, 100]
        assert parsed["csv d.shape"] == [["100", "100"]]
        (dt,) = parsed["d.dtype"]
        assert dt["value"] == np.dtype("<c8").str
        assert parsed["csv 'text, with a comma'"] == [["text, with a comma"]]

        (i,) = parsed["info d"]
        assert i["shape"] == [100, 100] and i["strides"] == [800, 8]
        assert i["dtype"] == "<c8" and i["itemsize"] == 8 and i["nbytes"] == d.nbytes
        assert i["aligned"] is True
        (i,) = parsed["info r"]
        assert np.dtype(eval(i["dtype"])) == rec.dtype, i["dtype"]

        (rv,) = parsed["r[:2]"]
        assert rv["data"][1][2] == {"a": float(f32(rec[1, 2]["a"])), "b": int(rec[1, 2]["b"])}
        rows = parsed["csv r[:2]"]
        assert len(rows[0]) == 10 and rows[0][0] == "# 0.a", rows
        assert np.loadtxt(io.StringIO(run(a.live, folder, "csv", "r[:2]")), delimiter=",").shape == (2, 10)

        (h,) = parsed["hist d.r bins=4"]
        assert sum(r["count"] for r in h["rows"]) == 10000 and h["nan"] == 0
        assert parsed["csv hist d.r bins=4"][0] == ["lo", "hi", "count"]

        # psd: every bin typed, against SciPy where it is installed.
        (ps,) = parsed["psd d[0] nperseg=32 window=hamming"]
        assert len(ps["rows"]) == 32 and ps["segments"] == 5 and ps["scaling"] == "density", ps
        assert parsed["csv psd d[0] nperseg=32 window=hamming"][0] == ["frequency", "power", "db"]
        if scipy is not None:
            f, p = scipy.signal.welch(d[0], nperseg=32, window="hamming")
            order = np.argsort(f)
            got = np.array([[r["frequency"], r["power"]] for r in ps["rows"]])
            assert np.allclose(got[:, 0], f[order]) and np.allclose(got[:, 1], p[order], rtol=1e-5), got
            # Two-sided with an odd segment: frequencies ascending as fftshift puts them.
            (ps,) = parsed["psd d.reshape(-1)[:3000] nperseg=31 scaling=spectrum"]
            f, p = scipy.signal.welch(d.reshape(-1)[:3000], nperseg=31, scaling="spectrum")
            got = np.array([[r["frequency"], r["power"]] for r in ps["rows"]])
            assert np.allclose(got[:, 0], np.fft.fftshift(f)), got[:, 0]
            assert np.allclose(got[:, 1], np.fft.fftshift(p), rtol=1e-5), got
            # specgram: a cell per segment and bin, or blocks of segments
            # reduced by mean or max, against scipy.signal.spectrogram.
            sig = d.reshape(-1)
            for cmd, signal, kw, per_row, how in [
                ("specgram d.reshape(-1)[:1900] nperseg=33 noverlap=3", sig[:1900],
                 dict(nperseg=33, noverlap=3), 1, None),
                ("specgram d.r[0] nperseg=16", d[0].real, dict(nperseg=16), 1, None),
                ("specgram d.reshape(-1) nperseg=16 reduce=max", sig, dict(nperseg=16), 12, np.max),
                ("specgram d.reshape(-1) nperseg=16 window=hann noverlap=8", sig,
                 dict(nperseg=16, window="hann", noverlap=8), 20, np.mean),
            ]:
                (sg,) = parsed[cmd]
                f, t, sxx = scipy.signal.spectrogram(signal, **kw)
                if np.iscomplexobj(signal):
                    f, sxx = np.fft.fftshift(f), np.fft.fftshift(sxx, axes=0)
                rows = sxx.T
                if per_row > 1:
                    rows = np.array([how(rows[k:k + per_row], axis=0) for k in range(0, len(rows), per_row)])
                assert sg["segments"] == len(t) and sg["segments_per_row"] == per_row, (cmd, sg["segments"])
                assert sg["pixels"] == list(rows.shape), (cmd, sg["pixels"], rows.shape)
                got = np.array([c["db"] for c in sg["rows"]]).reshape(rows.shape)
                # SciPy computes complex64 input in float32: compare the power
                # relative to the largest, as the spectral oracle does.
                power = 10 ** (got / 10)
                assert np.allclose(power, rows, rtol=1e-4, atol=1e-5 * rows.max()), (
                    cmd, np.abs(power - rows).max() / rows.max())
                assert np.allclose([c["frequency"] for c in sg["rows"][:rows.shape[1]]], f), cmd
                if per_row == 1:
                    assert np.allclose([c["time"] for c in sg["rows"][::rows.shape[1]]], t), cmd
            assert parsed["csv specgram d.r[0] nperseg=16"][0] == ["row", "column", "time", "frequency", "db"]

        (vs,) = parsed["vars"]
        names = {r["name"]: r for r in vs["rows"]}
        assert names["d"]["shape"] == [100, 100] and names["d"]["dtype"] == "<c8"
        assert names["r"]["kind"] == "view" and names["r"]["shape"] == [3, 5]
        (fs,) = parsed["files"]
        assert {r["path"]: r["bytes"] for r in fs["rows"]}["g.bin"] == d.nbytes

        (b,) = parsed["bytes d[0, :3]"]
        assert [r["r"] for r in b["rows"]] == [float(f32(c)) for c in d[0, :3].real]
        assert b["rows"][1]["hex"] == d[0, 1:2].tobytes().hex()

        (e,) = parsed["explain d.r[2:4, ::3]"]
        view = x[2:4, ::3]
        assert e["steps"][-1]["shape"] == list(view.shape)
        assert e["steps"][-1]["strides"] == list(view.strides)
        (e,) = parsed["explain d[[1, 2]]"]
        assert e["steps"][-1]["kind"] == "copy" and e["steps"][-1]["bytes"] == d[[1, 2]].nbytes

        (p,) = parsed["plot d.r[0]"]
        assert json.dumps(p["max"]) == f32(x[0].max()) and len(p["rows"]) == 100

        for cmd, note in [
            ("set precision 3", "set"),
            ("save d.r[:2] out.npy", "saved"),
            ("close r", "closed"),
        ]:
            (n,) = parsed[cmd]
            assert n["note"] == note, n
            assert parsed["csv " + cmd] == [], f"csv {cmd!r}: a note reached stdout"
        (n,) = parsed["save d.r[:2] out.npy"]
        assert n["shape"] == [2, 100] and n["bytes"] == os.path.getsize(os.path.join(folder, "out.npy"))
        (st,) = parsed["set"]
        assert isinstance(st["precision"], int) and isinstance(st["memory"], int)
        (ex,) = parsed["export d vrt"]
        assert ex["text"].startswith("<VRTDataset")
        # Every finite float16 spelled as NumPy spells it (the shortest
        # decimal that reads back to that float16: -6.117, not float32's
        # -6.1171875), in csv, in json and in a table.
        halves = np.arange(65536, dtype=np.uint16).view(np.float16)
        halves = halves[np.isfinite(halves)]
        halves.tofile(os.path.join(folder, "h.f2"))
        show = f"open h.f2 {halves.size} <f2 as h; h"
        out = subprocess.run([a.live, "--format", "csv", "-c", show], cwd=folder, capture_output=True, text=True)
        spelled = out.stdout.splitlines()
        assert len(spelled) == halves.size, out.stderr
        wrong = [(t, str(v)) for t, v in zip(spelled, halves) if float(t) != float(str(v)) or np.float16(t) != v]
        assert not wrong, f"{len(wrong)} float16 spelled unlike NumPy, e.g. {wrong[:5]}"
        out = subprocess.run([a.live, "--format", "json", "-c", f"{show}[:4000]"], cwd=folder,
                             capture_output=True, text=True)
        data = json.loads(out.stdout.splitlines()[-1])["data"]
        assert [json.dumps(x) for x in data] == [repr(float(str(v))) for v in halves[:4000]], "json float16"
        out = subprocess.run([a.live, "--width", "1000", "-c", "open h.f2 (16, 8) <f2 offset=40000 as t; t"],
                             cwd=folder, capture_output=True, text=True)
        body = out.stdout.split("╞", 1)[1].splitlines()[1:]
        cells = [c.strip(" │") for line in body if line.startswith("│") for c in line.split("┆")[1:]]
        shown = np.fromfile(os.path.join(folder, "h.f2"), dtype="<f2", count=128, offset=40000).reshape(16, 8)
        numpy_cells = np.array2string(shown, max_line_width=10**6).replace("[", " ").replace("]", " ").split()
        assert cells == numpy_cells, (cells[:8], numpy_cells[:8])
        # Tables print each float as NumPy prints it in the array: one
        # format for all (the exponent form for every cell or none, every
        # cell there with the digits of the one that needs most), padded so
        # the points line up, decided from the elements NumPy looks at (all,
        # or edgeitems at each end of every axis when it summarises).
        # Each cell, with its padding, is NumPy's element right-aligned in
        # the column (array2string with a separator that keeps the padding).
        def table_cells(text):
            body = text.split("╞", 1)[1].splitlines()[1:]
            rows = [line.split("┆")[1:] for line in body if line.startswith("│")]
            rows = [[c.rstrip("│")[1:-1] for c in r] for r in rows]
            rows = [[c for c in r if c.strip() != "…"] for r in rows]
            return [r for r in rows if r]

        def numpy_elements(v):
            t = np.array2string(v, max_line_width=10**6, separator="|", threshold=1000, edgeitems=3)
            rows = [r.strip().rstrip("|").strip("[]") for r in t.splitlines()]
            rows = [[e for e in r.split("|") if e.strip() != "..."] for r in rows if r.strip("[] ")]
            return [r for r in rows if r]

        g = np.random.default_rng(12)
        arrays = []
        for dt in ["<f2", "<f4", "<f8", "<c8", "<c16"]:
            for kind in range(6):
                n = 128
                parts = 2 if dt.startswith("<c") else 1
                x = g.uniform(0.01, 0.99, (parts, n)) * g.choice([-1, 1], (parts, n))
                if kind == 1:  # the exponent form: magnitudes far apart
                    x *= 10.0 ** g.integers(-7, 9, (parts, n))
                elif kind == 2:  # NaN, infinities and zeros among them
                    x[:, ::7] = np.nan
                    x[:, 3::11] = -np.inf
                    x[:, 5::13] = 0.0
                elif kind == 3:  # a ratio of just over 1000 (the exponent form)
                    x = np.round(x * 1000) / 4
                elif kind == 4:  # tiny and huge: three-digit exponents in float64
                    x *= 10.0 ** g.integers(-150, 150, (parts, n))
                elif kind == 5:  # integral values: points, no digits
                    x = np.round(x * 100)
                v = (x[0] + 1j * x[1] if parts == 2 else x[0]).astype(dt)
                if dt == "<f4" and kind == 0:
                    v[0] = np.float32(-0.030316025)
                arrays.append((dt, kind, v.reshape(16, 8)))
        # Summarised: the extreme values only where NumPy does not look.
        big = g.uniform(1, 2, (100, 100)).astype("<f8")
        big[50, 50] = 1e-9
        arrays.append(("<f8", "summarised", big))
        wrong_arrays = []
        for dt, kind, v in arrays:
            v.tofile(os.path.join(folder, "t.bin"))
            shape = "x".join(map(str, v.shape))
            out = subprocess.run([a.live, "--width", "10000", "-c", f"open t.bin {shape} {dt} as t; t"],
                                 cwd=folder, capture_output=True, text=True)
            cells = table_cells(out.stdout)
            want = numpy_elements(v)
            ok = len(cells) == len(want) and all(len(c) == len(w) for c, w in zip(cells, want))
            ok = ok and all(x == y.rjust(len(x)) for c, w in zip(cells, want) for x, y in zip(c, w))
            if not ok:
                wrong_arrays.append((dt, kind, cells[0][:3], want[0][:3]))
        assert not wrong_arrays, f"{len(wrong_arrays)} tables unlike NumPy's arrays, e.g. {wrong_arrays[:3]}"
        # Small arrays inside a tuple print as NumPy's repr prints them:
        # the same cells, padded alike, rows wrapped before 75 columns, each
        # row of a 2-D array on a line of its own, the dtype on a new line
        # when the last would pass 75.
        reprs = {
            "a": g.uniform(-1, 1, 30),
            "b": g.uniform(-1, 1, (3, 4)).astype("f4"),
            "c": g.integers(-300, 300, (2, 2, 3)).astype("i2"),
            "e": g.uniform(0, 1, 7) > 0.5,
            "f": g.integers(-5, 100000, 40),
            "h": (g.uniform(-1, 1, (2, 3)) + 1j * g.uniform(-1, 1, (2, 3))).astype("c8"),
            "k": g.uniform(-1, 1, 12) * 10.0 ** g.integers(-9, 9, 12),
            "m": g.integers(-100, 100, 100).astype("i1"),
            "n": g.uniform(-1, 1, (2, 3, 2, 2)),
            "p": np.zeros((2, 0)),
            "q": g.uniform(-1, 1, 9).astype("f2"),
            "r": np.array([True, True]),
        }
        wrong_reprs = []
        for name, v in reprs.items():
            np.save(os.path.join(folder, f"{name}.npy"), v)
            out = subprocess.run([a.live, "-c", f"open {name}.npy as x; (x, 1)"], cwd=folder,
                                 capture_output=True, text=True)
            lines = out.stdout.rstrip("\n").split("\n")
            start = next((i for i, line in enumerate(lines) if line.startswith("(array(")), None)
            got = "\n".join(lines[start:]) if start is not None else out.stdout + out.stderr
            if got != repr((v, 1)):
                wrong_reprs.append((name, got, repr((v, 1))))
        assert not wrong_reprs, f"{len(wrong_reprs)} reprs unlike NumPy's, e.g. {wrong_reprs[:2]}"
        print(f"machine output: {len(COMMANDS)} commands parsed as csv and json, values typed as NumPy's; "
              f"{halves.size} float16 spelled as NumPy's; {len(arrays)} tables printed as NumPy prints the arrays, "
              f"{len(reprs)} reprs as NumPy's")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
