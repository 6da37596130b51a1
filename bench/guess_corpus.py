#!/usr/bin/env python3
"""A corpus of headerless binary files of known layout, for `guess`.

Every file's layout is drawn at random from the seed: complex baseband with
tones and noise (cf32, ci16, ci8, cu8, or f4/i2 in two planes: every I
value, then every Q value), real audio-like signals (i2, f4),
images and raster bands (u1, u2, i2, f4, several row widths, both byte
orders), simulation fields (f4, f8, smooth 2-D and 3-D), integers wider
than 16 bits (fields and counts in i4/u4/i8/u8 of both byte orders, 32-bit
PCM audio, 64-bit timestamps), records of mixed fields, and any of these
after a header (text or binary) of several sizes.
The truth goes to `truth.json` beside the files; `guess_accuracy.py`
reads it only to score what `guess` said, never to help it.

    python3 bench/guess_corpus.py --out DIR [--seed N] [--count N]
"""
import argparse, json, os, random

import numpy as np

KINDS = ["baseband", "audio", "image", "field", "records", "planar", "wide"]
WIDTHS = [300, 512, 640, 1000, 1024, 1500, 2048]


def iq_signal(rng, g, n):
    """Complex baseband: one to three tones and noise at an SNR of -5 to 30 dB."""
    t = np.arange(n)
    x = np.zeros(n, np.complex128)
    for _ in range(rng.randint(1, 3)):
        x += rng.uniform(0.2, 1.0) * np.exp(2j * np.pi * (rng.uniform(-0.45, 0.45) * t + rng.random()))
    snr = rng.uniform(-5, 30)
    sigma = 10 ** (-snr / 20)
    return x + sigma * (g.standard_normal(n) + 1j * g.standard_normal(n)) / np.sqrt(2)


def planar(rng, g):
    """The same baseband stored as two planes: every I value, then every Q."""
    n = rng.choice([1 << 18, 1 << 19, 3 << 18])
    x = iq_signal(rng, g, n)
    dtype = rng.choice(["<f4", "<i2"])
    if dtype == "<f4":
        planes = np.stack([x.real, x.imag]) * rng.choice([1e-3, 1.0, 1e3])
    else:
        planes = np.round(np.stack([x.real, x.imag]) / np.abs(x).max() * rng.uniform(500, 30000))
    return {"dtype": dtype, "row": n, "planar": True}, planes.astype(dtype).tobytes()


def baseband(rng, g):
    n = rng.choice([1 << 18, 1 << 19, 3 << 18, 1 << 20])
    x = iq_signal(rng, g, n)
    dtype = rng.choice(["<c8", "ci16", "ci8", "cu8"])
    if dtype == "<c8":
        data = (x * rng.choice([1e-3, 1.0, 1e3])).astype(np.complex64).tobytes()
    else:
        peak = np.abs(np.concatenate([x.real, x.imag])).max()
        scale = {"ci16": rng.uniform(500, 30000), "ci8": rng.uniform(20, 127), "cu8": 127.0}[dtype] / peak
        parts = np.stack([x.real, x.imag], axis=1) * scale
        if dtype == "ci16":
            data = np.round(parts).astype("<i2").tobytes()
        elif dtype == "ci8":
            data = np.round(parts).astype("i1").tobytes()
        else:
            data = np.clip(np.round(parts + 127.5), 0, 255).astype("u1").tobytes()
    return {"dtype": dtype, "row": None}, data


def tones(rng, g, n):
    t = np.arange(n) / 48000.0
    x = np.zeros(n)
    for _ in range(rng.randint(1, 6)):
        x += rng.uniform(0.05, 0.5) * np.sin(2 * np.pi * rng.uniform(50, 4000) * t + rng.random() * 6)
    x *= 0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(0.1, 2) * t)
    return x + rng.uniform(0.001, 0.05) * g.standard_normal(n)


def audio(rng, g):
    x = tones(rng, g, rng.choice([1 << 18, 1 << 19, 1 << 20]))
    dtype = rng.choice(["<i2", "<f4"])
    if dtype == "<i2":
        data = np.round(x / np.abs(x).max() * rng.uniform(3000, 32000)).astype("<i2").tobytes()
    else:
        data = x.astype("<f4").tobytes()
    return {"dtype": dtype, "row": None}, data


def smooth_field(rng, g, h, w):
    y, x = np.mgrid[0:h, 0:w]
    f = rng.uniform(-1, 1) * x / w + rng.uniform(-1, 1) * y / h
    for _ in range(rng.randint(3, 12)):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.03, 0.3) * max(w, h)
        f += rng.uniform(-1, 1) * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    return f


def image(rng, g):
    w = rng.choice(WIDTHS)
    h = rng.randint(200, 700)
    f = smooth_field(rng, g, h, w)
    f += rng.uniform(0.0, 0.05) * g.standard_normal(f.shape)
    f = (f - f.min()) / (f.max() - f.min())
    dtype = rng.choice(["u1", "<u2", ">u2", "<i2", ">i2", "<f4", ">f4"])
    if dtype == "u1":
        a = np.round(f * 255).astype("u1")
    elif dtype[1:] == "u2":
        a = np.round(f * rng.choice([4095, 65535])).astype(dtype)
    elif dtype[1:] == "i2":
        a = np.round((f - 0.3) * rng.choice([2000, 20000])).astype(dtype)
    else:
        a = (f * rng.choice([1.0, 300.0, 1e4]) + rng.uniform(-10, 10)).astype(dtype)
    return {"dtype": dtype, "row": w}, a.tobytes()


def field(rng, g):
    w = rng.choice(WIDTHS[:5])
    h = rng.randint(100, 400)
    nz = rng.choice([1, 1, 4, 8])
    f = np.stack([smooth_field(rng, g, h, w) * (1 + 0.1 * k) for k in range(nz)])
    f = f * 10 ** rng.uniform(-3, 5)
    dtype = rng.choice(["<f4", "<f8", ">f8"])
    return {"dtype": dtype, "row": w}, f.astype(dtype).tobytes()


def wide(rng, g):
    what = rng.choice(["field", "field", "pcm32", "stamps"])
    if what == "pcm32":
        x = tones(rng, g, rng.choice([1 << 17, 1 << 18]))
        a = np.round(x / np.abs(x).max() * rng.uniform(2.0**28, 2.0**31 - 1)).astype("<i4")
        return {"dtype": "<i4", "row": None}, a.tobytes()
    if what == "stamps":
        n = rng.choice([1 << 16, 1 << 17])
        step = rng.choice([1000, 20833, 1_000_000])
        t = rng.randint(15 * 10**17, 18 * 10**17) + np.arange(n, dtype=np.int64) * step
        t += g.integers(0, step // 10, n)
        dtype = rng.choice(["<i8", "<u8", ">i8"])
        return {"dtype": dtype, "row": None}, t.astype(dtype).tobytes()
    w = rng.choice(WIDTHS[:5])
    f = smooth_field(rng, g, rng.randint(100, 400), w)
    f = (f - f.min()) / (f.max() - f.min())
    dtype = rng.choice(["<i4", ">i4", "<u4", ">u4", "<i8", ">i8", "<u8"])
    scale = 10 ** rng.uniform(5, 9) if dtype[2] == "4" else 10 ** rng.uniform(6, 15)
    f = f - 0.3 if dtype[1] == "i" else f
    return {"dtype": dtype, "row": w}, np.round(f * scale).astype(dtype).tobytes()


def records(rng, g):
    layouts = [
        [("t", "<f8"), ("x", "<f4"), ("y", "<f4")],
        [("a", "<i4"), ("b", "<f4")],
        [("id", "<u2"), ("flag", "u1"), ("q", "u1"), ("v", "<f4")],
        [("t", "<f8"), ("v", "<f8"), ("n", "<i4"), ("pad", "<i4")],
        [("x", "<f4"), ("y", "<f4"), ("z", "<f4")],
    ]
    dt = np.dtype(rng.choice(layouts))
    n = rng.choice([1 << 15, 1 << 16, 1 << 17])
    a = np.zeros(n, dt)
    t = np.arange(n)
    for name in dt.names:
        kind = dt[name].kind
        if kind == "f":
            a[name] = np.cumsum(g.standard_normal(n)) * rng.uniform(0.01, 10) + rng.uniform(-100, 100)
        elif name in ("id", "n", "a"):
            a[name] = t % np.iinfo(dt[name]).max
        else:
            a[name] = g.integers(0, 4, n)
    truth = {"dtype": "record", "record": dt.itemsize, "row": None}
    # Fields all of one type are as well an array of rows of them.
    if len({dt[name] for name in dt.names}) == 1:
        truth["also"] = {"dtype": dt[dt.names[0]].str, "row": len(dt.names)}
    return truth, a.tobytes()


def header(rng, g):
    size = rng.choice([512, 1024, 4096, 100, 256, 333])
    if rng.random() < 0.6:
        text = "".join(f"{k} = {rng.randint(0, 99999)}\n" for k in ["SAMPLES", "RATE", "GAIN", "DATE", "SITE"])
        text = ("CAPTURE HEADER\n" + text).encode()[:size]
        pad = rng.choice([b"\0", b" "])
        return text + pad * (size - len(text))
    return g.integers(0, 256, size).astype("u1").tobytes()


def make(seed, count, out):
    rng = random.Random(seed)
    truth = {}
    os.makedirs(out, exist_ok=True)
    for k in range(count):
        kind = rng.choice(KINDS)
        g = np.random.default_rng(rng.getrandbits(32))
        t, data = {"baseband": baseband, "audio": audio, "image": image, "field": field,
                   "records": records, "planar": planar, "wide": wide}[kind](rng, g)
        t["kind"] = kind
        t["offset"] = 0
        # An integer layout whose values never set the top bit reads the
        # same numbers in the other signedness: either is right.
        if t["dtype"][-2] in "iu" and not t["dtype"].startswith("c"):
            a = np.frombuffer(data, t["dtype"])
            if a.min() >= 0 and a.max() < 2 ** (8 * a.itemsize - 1):
                t["same"] = t["dtype"][:-2] + {"i": "u", "u": "i"}[t["dtype"][-2]] + t["dtype"][-1]
        if rng.random() < 0.25:
            h = header(rng, g)
            t["offset"] = len(h)
            t["kind"] = kind + "+header"
            data = h + data
        name = f"f{k:03d}.bin"
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        truth[name] = t
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
    return truth


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    a = ap.parse_args()
    make(a.seed, a.count, a.out)


if __name__ == "__main__":
    main()
