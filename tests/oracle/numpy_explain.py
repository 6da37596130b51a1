#!/usr/bin/env python3
"""NumPy as the oracle for `explain`.

Takes the random files and view expressions of numpy_oracle.py, runs
`explain EXPR` in strided with `--format json`, and checks every number a
learner would be taught against NumPy's own account of the same view:

  - shape, `.strides` and the byte offset in the file (from
    `__array_interface__`'s data pointer, relative to the memmap's);
  - the first and one-past-last byte (`np.lib.array_utils.byte_bounds`);
  - that each step NumPy makes a view of is called a view (and
    `np.shares_memory` with the memmap holds), and a single element or an
    advanced index a copy;
  - that the NumPy code explain prints, run as it is, builds an array with
    the same shape, strides and bytes.

    python3 tests/oracle/numpy_explain.py --live target/release/strided [--seed N] [--cases N]
"""
import argparse, json, os, random, subprocess, sys, tempfile
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_oracle as oracle  # noqa: E402

try:
    from numpy.lib.array_utils import byte_bounds
except ImportError:  # NumPy < 2
    byte_bounds = np.byte_bounds


def file_offset(a, case):
    """Byte offset in the file of a's element [0, ...]."""
    mm = case["_mm"]
    return a.__array_interface__["data"][0] - mm.__array_interface__["data"][0] + case["offset"]


def check_code(code, a, tmp):
    """Runs the NumPy code explain printed; returns what differs from `a`."""
    problems = []
    scope = {"np": np}
    old = os.getcwd()
    os.chdir(tmp)
    try:
        b = eval(code[-1], scope)
        if b.shape != a.shape or b.strides != a.strides or b.dtype != a.dtype or oracle.field_bytes(b) != oracle.field_bytes(a):
            problems.append("np.ndarray(...) gives shape %s strides %s" % (b.shape, b.strides))
        if len(code) == 3:
            exec(code[0], scope)
            b = eval(code[1], scope)
            if b.shape != a.shape or oracle.field_bytes(b) != oracle.field_bytes(a):
                problems.append("the memmap code gives other values")
    except Exception as e:  # noqa: BLE001 - any failure of the printed code is a mismatch
        problems.append("the printed NumPy code fails: %s" % e)
    finally:
        os.chdir(old)
    return problems


def run_live(binary, cases, tmp):
    lines, where = [], {}
    for k, c in enumerate(cases):
        lines.append(c["open"] + " as d")
        lines.append("explain " + c["expr"])
        where[len(lines)] = k
    with open(os.path.join(tmp, "explain.strided"), "w") as f:
        f.write("\n".join(lines) + "\n")
    proc = subprocess.run([binary, "--format", "json", "--keep-going", "explain.strided"], cwd=tmp,
                          capture_output=True, text=True, timeout=600)
    got = [json.loads(l) for l in proc.stdout.splitlines() if l.startswith('{"explain"')]
    if len(got) != len(cases):
        print("strided explained %d of %d cases\n%s" % (len(got), len(cases), proc.stderr[-3000:]))
        return 0, len(cases)
    passed = failed = 0
    for c, x in zip(cases, got):
        a = c["_result"]
        last = x["steps"][-1]
        problems = []
        if isinstance(a, np.ndarray) and a.size and not np.shares_memory(a, c["_mm"]):
            # Advanced indexing: NumPy copies; explain must say so at some step.
            if not any(s["kind"] in ("copy", "computed") for s in x["steps"]):
                problems.append("NumPy copies, explain shows only views")
            if last["shape"] != list(a.shape):
                problems.append("shape %s, NumPy %s" % (last["shape"], list(a.shape)))
        elif isinstance(a, np.ndarray) and (a.size or not any(s["kind"] != "view" for s in x["steps"])):
            if last["kind"] != "view":
                problems.append("NumPy makes a view, explain says %s" % last["kind"])
            if last["shape"] != list(a.shape):
                problems.append("shape %s, NumPy %s" % (last["shape"], list(a.shape)))
            if last["strides"] != list(a.strides):
                problems.append("strides %s, NumPy %s" % (last["strides"], list(a.strides)))
            if last["offset"] != file_offset(a, c):
                problems.append("offset %s, NumPy %s" % (last["offset"], file_offset(a, c)))
            if not np.shares_memory(a, c["_mm"]) and a.size:
                problems.append("NumPy's result does not share the memmap's memory")
            if a.size:
                lo, hi = byte_bounds(a)
                base = c["_mm"].__array_interface__["data"][0] - c["offset"]
                fp = x["footprint"]
                if (fp["low"], fp["high"]) != (lo - base, hi - base):
                    problems.append("bytes %s..%s, NumPy's byte_bounds %s..%s" % (fp["low"], fp["high"], lo - base, hi - base))
                if fp["used"] != a.nbytes:
                    problems.append("uses %s bytes, NumPy nbytes %s" % (fp["used"], a.nbytes))
            # The NumPy code explain prints builds the same array.
            if not x["numpy"][-1].startswith("#"):
                problems += check_code(x["numpy"], a, tmp)
        elif isinstance(a, np.generic) and not isinstance(a, np.void):
            # An element indexed out is NumPy's copy of it; a call's one
            # value (`d.argmin()`) is computed from the array.
            if c["expr"].rstrip().endswith(")"):
                if last["kind"] != "computed":
                    problems.append("NumPy computes a scalar, explain says %s" % last["kind"])
            elif last["kind"] != "copy":
                problems.append("NumPy copies a scalar out, explain says %s" % last["kind"])
        for s in x["steps"]:
            if s["kind"] == "view" and s["contiguous"] not in ("C", "F", "C and F", "neither"):
                problems.append("contiguity %r" % s["contiguous"])
        if problems:
            failed += 1
            if failed <= 20:
                print("MISMATCH %s\n  %s\n  %s" % ("; ".join(problems), c["open"], c["expr"]))
        else:
            passed += 1
    return passed, failed


# Basic indexing and .T of a computed array: NumPy makes a view of its
# temporary; explain's last step must be that view, with NumPy's strides and
# its offset in the temporary.
COMPUTED_VIEWS = ["(d * 2)[1:, ::-3]", "abs(d)[3:, ::2].T", "(d.real + 1)[::-1][None, 2:5]",
                  "(d * 1j)[..., 1]", "(d.imag > 0).T[::2]", "abs(d - 1)[-1:0:-2, 3]"]


def computed_views(binary, tmp):
    d = (np.arange(48, dtype="<f4") - 20.5).view("<c8").reshape(6, 4) * (1 + 0.5j)
    d = np.ascontiguousarray(np.concatenate([d, d[:, ::-1]], axis=1)).astype("<c8")
    d.tofile(os.path.join(tmp, "computed.c8"))
    script = "".join("open computed.c8 6x8 c8 as d\nexplain %s\n" % e for e in COMPUTED_VIEWS)
    with open(os.path.join(tmp, "computed.strided"), "w") as f:
        f.write(script)
    proc = subprocess.run([binary, "--format", "json", "computed.strided"], cwd=tmp,
                          capture_output=True, text=True, timeout=600)
    got = [json.loads(l) for l in proc.stdout.splitlines() if l.startswith('{"explain"')]
    passed = failed = 0
    for k, expr in enumerate(COMPUTED_VIEWS):
        a = eval(oracle.to_python(expr), {"d": d, "np": np})
        base = a.base if a.base is not None else a
        want = (list(a.shape), list(a.strides),
                a.__array_interface__["data"][0] - base.__array_interface__["data"][0])
        last = got[k]["steps"][-1] if k < len(got) else {}
        have = (last.get("shape"), last.get("strides"), last.get("offset"))
        if last.get("kind") == "view" and have == want:
            passed += 1
        else:
            failed += 1
            print("MISMATCH %s: explain %s %s, NumPy view %s" % (expr, last.get("kind"), have, want))
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--live", metavar="BIN", required=True)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(32)
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        for c in oracle.generate(seed, args.cases, tmp):
            if "error" in c["expect"]:
                continue
            c["_result"] = eval(oracle.to_python(c["expr"]), {"d": c["_mm"]})
            cases.append(c)
        passed, failed = run_live(os.path.abspath(args.live), cases, tmp)
        more = computed_views(os.path.abspath(args.live), tmp)
        passed, failed = passed + more[0], failed + more[1]
    print("numpy explain differential (seed %d, numpy %s): %d passed, %d failed" % (seed, np.__version__, passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
