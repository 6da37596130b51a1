#!/usr/bin/env python3
"""Round trips through the file formats strided reads and writes, with
NumPy (and the `sigmf` package, when it is installed) as the other side.

  - .npz written by np.savez: every member opened in place by strided and
    saved back as .npy must equal the array NumPy wrote; members written by
    np.savez_compressed are refused with a message.
  - ENVI: random data type codes, byte orders, header offsets and all three
    interleaves; strided's view must be the data in the file's own order.
  - SigMF: recordings written by the sigmf package (hand-written metadata
    when it is missing): dtype, header and trailing bytes, channels and
    annotations; an archive written by sigmf's SigMFArchive.
  - ESRI EHdr: random types, byte orders, layouts, bands, skipped bytes
    and row padding (hand-written headers as GDAL writes them, and BIL
    files written by GDAL's EHdr driver).
  - GDAL VRT: random raw-band layouts (offsets, steps, byte order, bands)
    against np.ndarray(buffer, offset, strides).
  - export: random views exported as VRT, ENVI (contiguous ones) and NumPy
    code; the VRT and ENVI files are opened back by strided, the code is run
    by Python, and each must give the same array.
  - GDAL itself (rasterio's wheels, when installed) reads every VRT and
    every exported VRT and ENVI file, and must see the same values.
  - Sniffing: files written by their own tools (GDAL's GeoTIFF, PNG, JPEG
    and netCDF classic and netCDF-4 drivers, the sigmf package's archive,
    np.savetxt, json) are refused by `open` without a dtype, naming what
    they are, and open with a dtype and a warning; int16 samples written by
    NumPy open as the default complex64 with a warning naming `<i2`.

    python3 tests/oracle/formats.py --live target/release/strided [--seed N]
"""
import argparse, json, os, random, re, subprocess, sys, tempfile
import numpy as np

try:
    import sigmf  # noqa: F401
    from sigmf import SigMFFile
except ImportError:
    SigMFFile = None

try:  # GDAL itself, through rasterio's wheels, to read the VRT and ENVI files.
    import rasterio
    import warnings
    warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
except ImportError:
    rasterio = None


def gdal_reads(path, want, what):
    """GDAL's reading of `path` (bands, lines, pixels) against `want`."""
    if rasterio is None:
        return []
    try:
        with rasterio.open(path) as ds:
            got = ds.read()
    except Exception as e:  # noqa: BLE001
        return ["GDAL cannot read %s (%s): %s" % (what, os.path.basename(path), e)]
    want = np.asarray(want)
    if got.size != want.size:
        return ["GDAL reads %s as %s, expected %s" % (what, got.shape, want.shape)]
    w = want.reshape(got.shape).astype(got.dtype)
    if not np.array_equal(got, w, equal_nan=True):
        return ["GDAL reads other values from %s" % what]
    return []

ENVI_CODES = {1: "u1", 2: "i2", 3: "i4", 4: "f4", 5: "f8", 6: "c8", 9: "c16", 12: "u2", 13: "u4", 14: "i8", 15: "u8"}


class Run:
    def __init__(self, binary, tmp):
        self.binary, self.tmp, self.lines, self.checks = binary, tmp, [], []

    def path(self, name):
        return os.path.join(self.tmp, name)

    def expect(self, statement_lines, check):
        """Statements to run; `check(stdout)` after the run returns problems."""
        self.lines += statement_lines
        self.checks.append(check)

    def go(self):
        script = self.path("formats.strided")
        with open(script, "w") as f:
            f.write("\n".join(self.lines) + "\n")
        p = subprocess.run([self.binary, "--keep-going", "formats.strided"], cwd=self.tmp, capture_output=True, text=True, timeout=600)
        problems = []
        if p.returncode != 0:
            problems.append("strided failed:\n" + p.stderr[-6000:])
        for c in self.checks:
            problems += c(p.stdout)
        return problems


def same(tmp, npy, want, what):
    try:
        got = np.load(os.path.join(tmp, npy))
    except OSError as e:
        return ["%s: strided wrote no %s (%s)" % (what, npy, e)]
    if got.shape != want.shape or got.dtype != want.dtype or got.tobytes() != np.ascontiguousarray(want).tobytes():
        return ["%s: strided gives %s %s, NumPy %s %s" % (what, got.shape, got.dtype, want.shape, want.dtype)]
    return []


def random_array(rng, shape):
    dt = rng.choice(["<f4", ">f8", "<i2", ">u4", "u1", "<c8", ">c16", "<i8"])
    a = np.frombuffer(rng.randbytes(int(np.prod(shape)) * np.dtype(dt).itemsize), dtype=dt).reshape(shape)
    if np.dtype(dt).kind in "fc":
        a = np.nan_to_num(a)
    return a


def npz_cases(run, rng, k):
    arrays = {}
    for j in range(rng.randint(1, 4)):
        shape = tuple(rng.randint(1, 5) for _ in range(rng.randint(0, 3)))
        a = random_array(rng, shape)
        if rng.random() < 0.3 and a.ndim > 1:
            a = np.asfortranarray(a)
        arrays["m%d" % j] = a
    if rng.random() < 0.3:
        arrays["rec"] = np.zeros(3, dtype=[("a", "<i2"), ("b", ">f8")])
        arrays["rec"]["a"] = [1, 2, 3]
    name = "a%d.npz" % k
    np.savez(run.path(name), **arrays)
    np.savez_compressed(run.path("c%d.npz" % k), x=np.arange(3))
    lines = ["open %s as p%d" % (name, k)]
    for m in arrays:
        lines.append("save p%d_%s n%d_%s.npy" % (k, m, k, m))
    lines.append("open c%d.npz as q%d" % (k, k))

    def check(out):
        problems = []
        for m, a in arrays.items():
            problems += same(run.tmp, "n%d_%s.npy" % (k, m), a, "npz member %s" % m)
        if "member x is compressed" not in out:
            problems.append("a compressed .npz member was not refused")
        return problems
    run.expect(lines, check)


def envi_cases(run, rng, k):
    code = rng.choice(list(ENVI_CODES))
    big = rng.random() < 0.5
    dt = np.dtype(ENVI_CODES[code]).newbyteorder(">" if big else "<")
    bands, lines_, samples = rng.randint(1, 4), rng.randint(1, 5), rng.randint(1, 6)
    interleave = rng.choice(["bsq", "bil", "bip"])
    shape = {"bsq": (bands, lines_, samples), "bil": (lines_, bands, samples), "bip": (lines_, samples, bands)}[interleave]
    data = np.frombuffer(rng.randbytes(int(np.prod(shape)) * dt.itemsize), dtype=dt).reshape(shape)
    offset = rng.choice([0, 0, rng.randint(1, 64)])
    stem = "envi%d" % k
    ext = rng.choice([".dat", ".img", ""])
    with open(run.path(stem + ext), "wb") as f:
        f.write(b"\0" * offset + data.tobytes())
    header = run.path(stem + ".hdr") if ext or rng.random() < 0.5 else run.path(stem + ext + ".hdr")
    with open(header, "w") as f:
        f.write("ENVI\ndescription = {made by\n the test}\nsamples = %d\nlines = %d\nbands = %d\nheader offset = %d\n"
                "file type = ENVI Standard\ndata type = %d\ninterleave = %s\nbyte order = %d\n"
                % (samples, lines_, bands, offset, code, interleave, 1 if big else 0))
    opened = stem + ext if ext or rng.random() < 0.5 else os.path.basename(header)
    # Exported again, the layout keeps its meaning: a VRT has the ENVI
    # file's bands as its bands (BIL and BIP too) and names the data
    # relative to itself; an ENVI header keeps the interleave.
    bands_first = {"bsq": (0, 1, 2), "bil": (1, 0, 2), "bip": (2, 0, 1)}[interleave]
    what = "ENVI %s code %d %s" % (interleave, code, ">" if big else "<")

    def check(out):
        problems = same(run.tmp, "e%d.npy" % k, data, what)
        vrt = open(run.path("ev%d.vrt" % k)).read() if os.path.exists(run.path("ev%d.vrt" % k)) else ""
        if 'relativeToVRT="1">%s<' % (stem + ext) not in vrt:
            problems.append("export vrt of %s does not name %s relative to itself:\n%s" % (what, stem + ext, vrt))
        elif code in (1, 2, 3, 4, 5, 6, 9, 12, 13):  # GDAL's VRT types
            problems += gdal_reads(run.path("ev%d.vrt" % k), data.transpose(bands_first), "export vrt of " + what)
        head = out.split("written by strided for %s}" % (stem + ext), 1)[-1][:400]
        if "interleave = %s\n" % interleave not in head or "bands = %d\n" % bands not in head:
            problems.append("export envi of %s does not keep its interleave and bands:\n%s" % (what, head))
        return problems
    run.expect(["open %s as e%d" % (opened, k), "save e%d e%d.npy" % (k, k),
                "export e%d vrt to ev%d.vrt" % (k, k), "export e%d envi" % k], check)


def sigmf_cases(run, rng, k):
    kind = rng.choice(["cf32_le", "ci16_le", "ri16_be", "cu8", "rf64_le", "ci8"])
    channels = rng.choice([1, 1, 2])
    n = rng.randint(1, 40)
    base = {"cf32": "<c8", "ci16": "<i2", "ri16": ">i2", "cu8": "u1", "rf64": "<f8", "ci8": "i1"}[kind.split("_")[0]]
    complex_int = kind.startswith(("ci", "cu"))
    parts = n * channels * (2 if complex_int else 1)
    raw = np.frombuffer(rng.randbytes(parts * np.dtype(base).itemsize), dtype=base)
    if raw.dtype.kind in "fc":
        raw = np.nan_to_num(raw)
    header = rng.choice([0, 0, 16])
    trailing = rng.choice([0, 0, 24])
    stem = run.path("rec%d" % k)
    with open(stem + ".sigmf-data", "wb") as f:
        f.write(b"\xff" * header + raw.tobytes() + b"\xee" * trailing)
    glob = {"core:datatype": kind, "core:sample_rate": 48000.0 * (k + 1), "core:num_channels": channels}
    if trailing:
        glob["core:trailing_bytes"] = trailing
    if SigMFFile is not None and header == 0 and trailing == 0:
        meta = SigMFFile(data_file=stem + ".sigmf-data", global_info=dict(glob, **{"core:version": "1.0.0"}))
        meta.add_capture(0, metadata={"core:frequency": 915e6})
        meta.add_annotation(3, 2, metadata={"core:label": "burst%d" % k})
        meta.tofile(stem + ".sigmf-meta")
    else:
        with open(stem + ".sigmf-meta", "w") as f:
            json.dump({"global": dict(glob, **{"core:version": "1.0.0"}),
                       "captures": [{"core:sample_start": 0, "core:header_bytes": header}],
                       "annotations": [{"core:sample_start": 3, "core:sample_count": 2, "core:label": "burst%d" % k}]}, f)
    if complex_int:
        want = raw.view([("r", base), ("i", base)])
    else:
        want = raw
    if channels > 1:
        want = want.reshape(-1, channels)
    opened = "rec%d.sigmf-%s" % (k, rng.choice(["meta", "data"]))

    def check(out):
        problems = same(run.tmp, "s%d.npy" % k, want, "SigMF %s x%d channels" % (kind, channels))
        if "burst%d" % k not in out:
            problems.append("info does not show SigMF annotation burst%d" % k)
        rates = [float(r) for r in re.findall(r"sample rate \(Hz\)\s*\S\s*([0-9.e+]+)", out)]
        if 48000 * (k + 1) not in rates:
            problems.append("info does not show the sample rate of rec%d" % k)
        return problems
    run.expect(["open %s as s%d" % (opened, k), "save s%d s%d.npy" % (k, k), "info s%d" % k], check)


# Every type GDAL's EHdr driver reads (no 64-bit pixels).
EHDR_TYPES = {"u1": ("UNSIGNEDINT", 8), "i2": ("SIGNEDINT", 16), "u2": ("UNSIGNEDINT", 16),
              "i4": ("SIGNEDINT", 32), "u4": ("UNSIGNEDINT", 32), "f4": ("FLOAT", 32)}


def ehdr_cases(run, rng, k):
    """ESRI .hdr beside .bil/.bip/.bsq: random types, byte orders, layouts,
    bands, skipped bytes and row padding, written by NumPy with a
    hand-written header (as GDAL's EHdr driver writes them); strided's view
    must be the data in the file's own order, and GDAL must agree."""
    code = rng.choice(sorted(EHDR_TYPES))
    big = rng.random() < 0.4 and code != "u1"
    dt = np.dtype((">" if big else "<") + code)
    layout = rng.choice(["BIL", "BIP", "BSQ"])
    rows, cols, bands = rng.randint(1, 9), rng.randint(1, 9), rng.randint(1, 4)
    item = dt.itemsize
    skip = rng.choice([0, 0, 100])
    pad = rng.choice([0, 0, item * rng.randint(1, 3)])
    gap = rng.choice([0, 0, 16]) if layout == "BSQ" else 0
    if layout == "BIL":
        band_row = cols * item + pad
        total_row = bands * band_row + rng.choice([0, pad])
        shape, strides = (rows, bands, cols), (total_row, band_row, item)
    elif layout == "BIP":
        band_row = cols * bands * item
        total_row = band_row + pad
        shape, strides = (rows, cols, bands), (total_row, bands * item, item)
    else:
        band_row = cols * item + pad
        total_row = band_row
        shape, strides = (bands, rows, cols), (rows * band_row + gap, band_row, item)
    size = skip + sum((n - 1) * s for n, s in zip(shape, strides)) + item
    buf = bytearray(rng.randbytes(size))
    want = np.frombuffer(rng.randbytes(int(np.prod(shape)) * item), dtype=dt).reshape(shape)
    if code[0] == "f":
        want = np.nan_to_num(want)
    order = ["M" if big else "I"] if big or rng.random() < 0.8 else []
    if not order:  # GDAL reads a missing BYTEORDER as big-endian
        dt = dt.newbyteorder(">")
        want = want.astype(dt)
    np.ndarray(shape, dt, buffer=buf, offset=skip, strides=strides)[...] = want
    stem = "esri%d" % k
    with open(run.path(stem + "." + layout.lower()), "wb") as f:
        f.write(bytes(buf))
    pixel, bits = EHDR_TYPES[code]
    lines = ["BYTEORDER %s" % o for o in order] + ["LAYOUT %s" % layout, "NROWS %d" % rows, "NCOLS %d" % cols,
             "NBANDS %d" % bands, "NBITS %d" % bits, "PIXELTYPE %s" % pixel, "BANDROWBYTES %d" % band_row,
             "TOTALROWBYTES %d" % total_row]
    if skip:
        lines.append("SKIPBYTES %d" % skip)
    if gap:
        lines.append("BANDGAPBYTES %d" % gap)
    rng.shuffle(lines)
    with open(run.path(stem + ".hdr"), "w") as f:
        f.write("\n".join(lines) + "\n")
    opened = rng.choice([stem + ".hdr", stem + "." + layout.lower()])
    # GDAL reads (bands, rows, columns).
    axes = {"BIL": (1, 0, 2), "BIP": (2, 0, 1), "BSQ": (0, 1, 2)}[layout]

    def check(out):
        problems = same(run.tmp, stem + ".npy", want, "EHdr %s %s %s %s" % (layout, dt.str, shape, "padded" if pad or gap else ""))
        if pad or gap:  # GDAL ignores BANDROWBYTES, TOTALROWBYTES and BANDGAPBYTES
            return problems
        if len(buf) < 2:  # GDAL 3.10 does not open a one-byte data file at all
            return problems
        return problems + gdal_reads(run.path(stem + "." + layout.lower()), want.transpose(axes), "the EHdr file %s" % stem)
    run.expect(["open %s as %s" % (opened, stem), "save %s %s.npy" % (stem, stem)], check)
    if rasterio is not None:
        # One written by GDAL itself (its EHdr driver writes BIL).
        bands_data = (np.arange(bands * rows * cols).reshape(bands, rows, cols) * 7 % 251).astype("int16")
        with rasterio.open(run.path("gesri%d.bil" % k), "w", driver="EHdr", width=cols, height=rows, count=bands, dtype="int16") as ds:
            ds.write(bands_data)

        def check_gdal(out):
            return same(run.tmp, "gesri%d.npy" % k, bands_data.transpose(1, 0, 2), "GDAL's EHdr BIL of %s" % (bands_data.shape,))
        run.expect(["open gesri%d.bil as gesri%d" % (k, k), "save gesri%d gesri%d.npy" % (k, k)], check_gdal)


def vrt_cases(run, rng, k):
    gdal = rng.choice([("Float32", "f4"), ("Int16", "i2"), ("Byte", "u1"), ("CFloat32", "c8"), ("UInt32", "u4"), ("Float64", "f8")])
    big = rng.random() < 0.4 and gdal[1] != "u1"
    dt = np.dtype(gdal[1]).newbyteorder(">" if big else "<")
    x, y, bands = rng.randint(1, 6), rng.randint(1, 5), rng.choice([1, 1, 2, 3])
    pixel = dt.itemsize * rng.choice([1, 1, 2, 3])
    line = pixel * x + rng.choice([0, 0, dt.itemsize * rng.randint(1, 4)])
    band_step = line * y + rng.choice([0, rng.randint(0, 8)])
    image = rng.randint(0, 32)
    size = image + (bands - 1) * band_step + (y - 1) * line + (x - 1) * pixel + dt.itemsize + rng.randint(0, 16)
    name = "v%d.bin" % k
    buf = rng.randbytes(size)
    with open(run.path(name), "wb") as f:
        f.write(buf)
    xml = '<VRTDataset rasterXSize="%d" rasterYSize="%d">\n' % (x, y)
    for b in range(bands):
        xml += ('  <VRTRasterBand dataType="%s" band="%d" subClass="VRTRawRasterBand">\n'
                '    <SourceFilename relativeToVRT="1">%s</SourceFilename>\n    <ImageOffset>%d</ImageOffset>\n'
                '    <PixelOffset>%d</PixelOffset>\n    <LineOffset>%d</LineOffset>\n    <ByteOrder>%s</ByteOrder>\n'
                '  </VRTRasterBand>\n') % (gdal[0], b + 1, name, image + b * band_step, pixel, line, "MSB" if big else "LSB")
    xml += "</VRTDataset>\n"
    with open(run.path("v%d.vrt" % k), "w") as f:
        f.write(xml)
    shape, strides = ((bands, y, x), (band_step, line, pixel)) if bands > 1 else ((y, x), (line, pixel))
    want = np.ndarray(shape=shape, dtype=dt, buffer=buf, offset=image, strides=strides)
    if dt.kind == "c":
        want = np.nan_to_num(want)  # NaN payloads compare by bytes below anyway
        want = np.ndarray(shape=shape, dtype=dt, buffer=buf, offset=image, strides=strides)
    what = "VRT %s %s bands %d" % (gdal[0], ">" if big else "<", bands)
    run.expect(["open v%d.vrt as g%d" % (k, k), "save g%d g%d.npy" % (k, k)],
               lambda out: same(run.tmp, "g%d.npy" % k, want, what) + gdal_reads(run.path("v%d.vrt" % k), want, what))


def export_cases(run, rng, k):
    a = random_array(rng, (rng.randint(1, 5), rng.randint(1, 6), rng.randint(1, 5)))
    name = "x%d.bin" % k
    a.tofile(run.path(name))
    mm = np.memmap(run.path(name), dtype=a.dtype, mode="r", shape=a.shape)
    # A random basic view: slices with steps (maybe negative), maybe a part.
    idx = []
    for n in a.shape:
        step = rng.choice([1, 1, 2, -1])
        idx.append(slice(None, None, step) if rng.random() < 0.5 else slice(rng.randint(0, n - 1), None, step))
    idx = tuple(idx[: rng.randint(2, 3)])
    text = ", ".join("%s:%s:%s" % ("" if s.start is None else s.start, "", s.step) for s in idx)
    v = mm[idx]
    expr = "w%d[%s]" % (k, text)
    if a.dtype.kind == "c" and rng.random() < 0.5:
        v, expr = v.real, expr + ".r"
    # GDAL refuses a negative PixelOffset, so strided refuses to export one.
    vrt = v.strides[-1] >= 0
    lines = ["open %s %s %s as w%d" % (name, "x".join(map(str, a.shape)), a.dtype.str, k), "ex%d = %s" % (k, expr),
             "export ex%d numpy to ex%d.py" % (k, k)]
    if vrt:
        lines += ["export ex%d vrt to ex%d.vrt" % (k, k), "open ex%d.vrt as back%d" % (k, k), "save back%d back%d.npy" % (k, k)]
    contiguous = v.flags.c_contiguous
    if contiguous:
        lines += ["export ex%d envi to ex%d.hdr" % (k, k), "open ex%d.hdr as be%d" % (k, k), "save be%d be%d.npy" % (k, k)]
        # The header names the data file: ENVI finds data beside a header by stem.
        os.symlink(run.path(name), run.path("ex%d.bin" % k))

    def check(out):
        problems = []
        # A VRT of one band reads back as (lines, pixels).
        if vrt:
            want_back = np.asarray(v)[0] if v.ndim == 3 and v.shape[0] == 1 else np.asarray(v)
            problems += same(run.tmp, "back%d.npy" % k, want_back, "export vrt of %s" % expr)
            problems += gdal_reads(run.path("ex%d.vrt" % k), v, "export vrt of %s (%s)" % (expr, v.dtype))
        scope = {}
        try:
            exec(open(run.path("ex%d.py" % k)).read(), scope)
            got = scope["ex%d" % k]
            if got.shape != v.shape or got.strides != v.strides or got.tobytes() != np.asarray(v).tobytes():
                problems.append("export numpy of %s builds shape %s strides %s, NumPy %s %s" % (expr, got.shape, got.strides, v.shape, v.strides))
        except Exception as e:  # noqa: BLE001
            problems.append("export numpy of %s fails: %s" % (expr, e))
        if contiguous:
            if not os.path.exists(run.path("be%d.npy" % k)):
                return problems + ["export envi of %s: strided could not open it back" % expr]
            b = np.load(run.path("be%d.npy" % k))
            want = np.asarray(v).reshape((1,) * (3 - v.ndim) + v.shape)
            if b.tobytes() != want.tobytes() or b.dtype != v.dtype or b.size != v.size:
                problems.append("export envi of %s reads back as %s %s" % (expr, b.shape, b.dtype))
            # GDAL's drivers identify a file by its first bytes and pass
            # over a one-byte file (seed 2367557517: a 1x1x1 uint8 export).
            if v.nbytes > 1:
                problems += gdal_reads(run.path("ex%d.bin" % k), v, "export envi of %s (%s)" % (expr, v.dtype))
        return problems
    run.expect(lines, check)


def sniff_cases(binary, tmp, rng):
    """Files other tools wrote: (name, what strided must call it)."""
    made = []
    text = os.path.join(tmp, "table.txt")
    np.savetxt(text, np.arange(600.0).reshape(100, 6))
    made.append(("table.txt", "text"))
    with open(os.path.join(tmp, "about.json"), "w") as f:
        json.dump({"instrument": "radar", "samples": list(range(50))}, f)
    made.append(("about.json", "JSON text"))
    if SigMFFile is not None:
        from sigmf import SigMFArchive
        data = os.path.join(tmp, "cap.sigmf-data")
        np.arange(64, dtype="<c8").tofile(data)
        meta = SigMFFile(data_file=data, global_info={"core:datatype": "cf32_le", "core:version": "1.0.0", "core:sample_rate": 1e6})
        meta.add_capture(0)
        SigMFArchive(meta, name="cap", fileobj=open(os.path.join(tmp, "cap.sigmf"), "wb"))
        # Named .sigmf it opens (checked below); any other name is a tar.
        with open(os.path.join(tmp, "cap.sigmf"), "rb") as a, open(os.path.join(tmp, "cap.tar"), "wb") as b:
            b.write(a.read())
        made.append(("cap.tar", "a tar archive"))
    if rasterio is not None:
        from rasterio import shutil as gdal_copy
        band = (np.arange(64 * 64).reshape(64, 64) % 251).astype("u1")
        tif = os.path.join(tmp, "img.tif")
        with rasterio.open(tif, "w", driver="GTiff", width=64, height=64, count=1, dtype="uint8") as ds:
            ds.write(band, 1)
        made.append(("img.tif", "a TIFF"))
        # The other drivers write only by copying a dataset (CreateCopy).
        for name, driver, opts, what in [("img.png", "PNG", {}, "a PNG image"),
                                         ("img.jpg", "JPEG", {}, "a JPEG image"),
                                         ("classic.nc", "netCDF", {"FORMAT": "NC"}, "a NetCDF classic file"),
                                         ("four.nc", "netCDF", {"FORMAT": "NC4"}, "an HDF5 (or NetCDF-4) file")]:
            gdal_copy.copy(tif, os.path.join(tmp, name), driver=driver, **opts)
            made.append((name, what))
    problems = []

    def strided(line):
        return subprocess.run([binary, "--width", "10000", "-c", line], cwd=tmp, capture_output=True, text=True, timeout=120)
    for name, what in made:
        p = strided("open %s" % name)
        if p.returncode == 0 or ("it is %s" % what) not in p.stderr or "open %s u1" % name not in p.stderr:
            problems.append("open %s (%s) was not refused as it should be:\n%s%s" % (name, what, p.stdout, p.stderr))
        p = strided("open %s u1; d.shape" % name)
        if p.returncode != 0 or "warning: the file" not in p.stdout:
            problems.append("open %s u1 did not open with a warning:\n%s%s" % (name, p.stdout, p.stderr))
    if SigMFFile is not None:
        p = strided("open cap.sigmf as cap; save cap cap.npy; info cap")
        if p.returncode != 0:
            problems.append("open cap.sigmf failed:\n%s%s" % (p.stdout, p.stderr))
        else:
            problems += same(tmp, "cap.npy", np.arange(64, dtype="<c8"), "the SigMF archive's samples")
            if "1000000" not in p.stdout.replace(",", "") and "1e+06" not in p.stdout:
                problems.append("info of the SigMF archive shows no sample rate:\n%s" % p.stdout)
    # An archive of several recordings (written with tarfile, as the SigMF
    # spec describes it): each recording bound to its own name.
    import io, tarfile
    recs = {"rec_a": np.arange(10, dtype="<c8"), "rec-b": (np.arange(7) * 1j).astype("<c8")}
    with tarfile.open(os.path.join(tmp, "multi.sigmf"), "w", format=tarfile.USTAR_FORMAT) as t:
        for stem, samples in recs.items():
            for name, blob in [(f"multi/{stem}.sigmf-meta", json.dumps(
                    {"global": {"core:datatype": "cf32_le", "core:version": "1.0.0"},
                     "captures": [{"core:sample_start": 0}], "annotations": []}).encode()),
                               (f"multi/{stem}.sigmf-data", samples.tobytes())]:
                info = tarfile.TarInfo(name)
                info.size = len(blob)
                t.addfile(info, io.BytesIO(blob))
    p = strided("open multi.sigmf as m; save m_rec_a a.npy; save m_rec_b b.npy")
    if p.returncode != 0:
        problems.append("open multi.sigmf failed:\n%s%s" % (p.stdout, p.stderr))
    else:
        problems += same(tmp, "a.npy", recs["rec_a"], "the first recording of a SigMF archive")
        problems += same(tmp, "b.npy", recs["rec-b"], "the second recording of a SigMF archive")
    if rasterio is not None:
        # `gdal_translate -of VRT` of a raw EHdr file: a SimpleSource band,
        # refused with the file to open instead.
        with rasterio.open(os.path.join(tmp, "raw.bil"), "w", driver="EHdr", width=8, height=4, count=1, dtype="uint8") as ds:
            ds.write(np.arange(32, dtype="u1").reshape(4, 8), 1)
        gdal_copy.copy(os.path.join(tmp, "raw.bil"), os.path.join(tmp, "copy.vrt"), driver="VRT")
        p = strided("open copy.vrt")
        if p.returncode == 0 or "copies pixels from" not in p.stderr or "open raw.bil itself" not in p.stderr:
            problems.append("a SimpleSource VRT did not name its source file:\n%s%s" % (p.stdout, p.stderr))
    # An .npz with a member that cannot be read binds none of them; a
    # member that takes an existing name says so.
    import io, zipfile
    good = io.BytesIO()
    np.save(good, np.arange(5, dtype="<i4"))
    with zipfile.ZipFile(os.path.join(tmp, "mix.npz"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("first.npy", good.getvalue())
        z.writestr("broken.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': what}   \n")
    np.savez(os.path.join(tmp, "fine.npz"), first=np.arange(5, dtype="<i4"))
    p = subprocess.run([binary, "--width", "10000", "--keep-going", "-c", "open mix.npz; first"], cwd=tmp,
                       capture_output=True, text=True, timeout=120)
    if p.returncode == 0 or "no member was bound" not in p.stderr or "name `first` is not defined" not in p.stderr:
        problems.append("an .npz with a broken member bound some members:\n%s%s" % (p.stdout, p.stderr))
    p = strided("first = 1; open fine.npz; sum(first)")
    if p.returncode != 0 or "`first` named" not in p.stdout or not p.stdout.rstrip().endswith("10"):
        problems.append("an .npz member replaced a name without saying so:\n%s%s" % (p.stdout, p.stderr))
    # Integer samples read as the default complex64: a warning that names
    # the layout guess finds.
    t = np.arange(1 << 16)
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0, 20, (t.size, 2))
    iq = np.stack([1000 * np.cos(0.01 * t), 1000 * np.sin(0.01 * t)], axis=1) + noise
    iq.astype("<i2").tofile(os.path.join(tmp, "iq.raw"))
    p = strided("open iq.raw")
    if p.returncode != 0 or "unlikely to be complex64" not in p.stdout or "<i2" not in p.stdout and "ci16" not in p.stdout:
        problems.append("open iq.raw (int16 I/Q) gave no warning naming int16:\n%s%s" % (p.stdout, p.stderr))
    np.exp(1j * 0.01 * t).astype("<c8").tofile(os.path.join(tmp, "c8.raw"))
    p = strided("open c8.raw")
    if p.returncode != 0 or "warning" in p.stdout:
        problems.append("open c8.raw (complex64) warned or failed:\n%s%s" % (p.stdout, p.stderr))
    return len(made) + 4, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--live", metavar="BIN", required=True)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=30)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(32)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        run = Run(os.path.abspath(args.live), tmp)
        for k in range(args.cases):
            for make in (npz_cases, envi_cases, ehdr_cases, sigmf_cases, vrt_cases, export_cases):
                make(run, rng, k)
        problems = run.go()
        sniffed, sniff_problems = sniff_cases(os.path.abspath(args.live), tmp, rng)
        problems += sniff_problems
    for p in problems[:20]:
        print("MISMATCH", p)
    print("formats round trips (seed %d, numpy %s, sigmf %s, GDAL %s): %d cases and %d sniffed files, %d problems"
          % (seed, np.__version__, "yes" if SigMFFile else "not installed",
             rasterio.__gdal_version__ if rasterio else "not installed", args.cases * 6, sniffed, len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
