#!/usr/bin/env python3
"""How often `guess` finds the layout of a headerless file: top-1 and top-3
accuracy per kind over a corpus made by guess_corpus.py (layouts drawn at
random from the seed), with every miss listed.

    python3 bench/guess_accuracy.py [--seed N] [--count N] [--keep DIR]

A candidate is right when its dtype (or, for records, its record size), its
header offset and its row length (none for 1-D signals) are the truth's. An
integer dtype of the other signedness is right as well when no value has its
top bit set: it opens the same numbers; so is a 2-D array of one scalar
dtype for records whose fields all have that dtype.
Also reports the time `guess` took per file (whole process, files in the
page cache). Build first: cargo build --release.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guess_corpus  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRIDED = os.path.join(ROOT, "target", "release", "strided")


def right(c, t):
    if c.get("offset") != t["offset"] or c.get("planar", False) != t.get("planar", False):
        return False
    also = t.get("also")
    if also and not c.get("record") and (c.get("dtype"), c.get("row")) == (also["dtype"], also["row"]):
        return True
    if t["dtype"] == "record":
        return c.get("record") == t["record"]
    if c.get("dtype") not in (t["dtype"], t.get("same")) or c.get("record"):
        return False
    return c.get("row") == t["row"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--keep", help="write the corpus here and keep it")
    ap.add_argument("--binary", default=STRIDED, help="the strided to run (default: the release build)")
    ap.add_argument("--require-top3", type=float, help="exit 1 when top-3 accuracy is below this percentage")
    a = ap.parse_args()
    if not os.path.exists(a.binary):
        sys.exit("build first: cargo build --release")
    folder = a.keep or tempfile.mkdtemp(prefix="guess-corpus-")
    truth = guess_corpus.make(a.seed, a.count, folder)
    per_kind, misses, times = {}, [], []
    for name, t in sorted(truth.items()):
        path = os.path.join(folder, name)
        start = time.perf_counter()
        out = subprocess.run([a.binary, "--format", "json", "-c", f"guess {path}"],
                             capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if out.returncode != 0:
            cands = []
            said = out.stderr.strip().splitlines()[:1]
        else:
            obj = json.loads(out.stdout.strip().splitlines()[-1])
            cands = obj.get("candidates", [])
            said = [c.get("open") for c in cands[:3]]
        ranks = [k for k, c in enumerate(cands) if right(c, t)]
        rank = ranks[0] if ranks else None
        stats = per_kind.setdefault(t["kind"], [0, 0, 0])
        stats[0] += 1
        stats[1] += rank == 0
        stats[2] += rank is not None and rank < 3
        if rank != 0:
            misses.append((t["kind"], name, t, rank, said))
    total = [sum(v[i] for v in per_kind.values()) for i in range(3)]
    print(f"guess over {total[0]} files (seed {a.seed}): top-1 {100 * total[1] / total[0]:.1f}%, "
          f"top-3 {100 * total[2] / total[0]:.1f}%; median {statistics.median(times) * 1000:.0f} ms a file\n")
    print("| kind | files | top-1 | top-3 |\n|---|---|---|---|")
    for k, (n, t1, t3) in sorted(per_kind.items()):
        print(f"| {k} | {n} | {100 * t1 / n:.0f}% | {100 * t3 / n:.0f}% |")
    if misses:
        print("\nmisses (truth, rank of the truth, top candidates):")
        for kind, name, t, rank, said in misses:
            want = {k: v for k, v in t.items() if k != "kind"}
            print(f"  {kind} {name} {want}: rank {rank}; said {said}")
    if not a.keep:
        import shutil
        shutil.rmtree(folder)
    if a.require_top3 is not None and 100 * total[2] / total[0] < a.require_top3:
        sys.exit(f"top-3 accuracy {100 * total[2] / total[0]:.1f}% is below {a.require_top3}%")


if __name__ == "__main__":
    main()
