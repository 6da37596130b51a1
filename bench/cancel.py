#!/usr/bin/env python3
"""How soon Ctrl-C stops each of `bench/compare.py`'s workloads.

Issue 12 asks that every long computation stop within 100 ms of Ctrl-C.
For every strided command of compare.py (and a few longer ones below),
this runs it once to learn its length, then several times more, each
time sending SIGINT at another point of the run (a fifth, two fifths, ...
of its length), and measures two delays from the signal:

- "stopped": until `error: interrupted` is written (the statement has
  stopped; in the shell the prompt comes back here);
- "exited": until the process has exited with status 130 (the script's
  end: unmapping the file and freeing memory come in too).

A run that ends before its signal lands is counted as finished, not as a
delay; a signal that lands between statements (no statement to stop: the
script exits at once) is counted apart, its exit delay kept. Timings on a shared machine: a benchmark, not a test.

    python3 bench/cancel.py [--file PATH] [--points 4] [--only "a|b"]

Builds nothing: run `cargo build --release` first; makes the same 2 GiB
files as compare.py.
"""
import argparse, os, signal, statistics, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402

# Longer than compare.py's rows, where one step could hold the signal up:
# unique and sort of 2^27-2^28 values, a save.
EXTRA = [
    ("unique(d.r).shape (2^28 values)", "open {f} {n}x{n}; unique(d.r).shape"),
    ("sort(d.r[:8192], axis=None)[-1]", "open {f} {n}x{n}; sort(d.r[:8192], axis=None)[-1]"),
    ("save d.r to a .npy", "open {f} {n}x{n}; save d.r {out}"),
]


def interrupted_run(cmd, delay):
    """(stopped, exited) seconds after SIGINT sent `delay` s into the run,
    or None if the run ended first."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stopped = [None]

    def watch():
        for line in p.stderr:
            if b"interrupted" in line and stopped[0] is None:
                stopped[0] = time.perf_counter()

    t = threading.Thread(target=watch)
    t.start()
    time.sleep(max(0.0, delay - (time.perf_counter() - start)))
    if p.poll() is not None:
        t.join()
        return None
    sent = time.perf_counter()
    p.send_signal(signal.SIGINT)
    p.wait()
    exited = time.perf_counter()
    t.join()
    if p.returncode != 130:
        if p.returncode == 0:
            return None  # it finished as the signal came
        sys.exit(f"{cmd} ended with {p.returncode} after SIGINT")
    # No statement was running (the signal came between two, or after the
    # last): the process exits at once, with nothing to say.
    return (None if stopped[0] is None else stopped[0] - sent), exited - sent


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", default="/tmp/strided-bench.c8")
    ap.add_argument("--points", type=int, default=4, help="signals per workload, spread over its run")
    ap.add_argument("--only", help="workload names, separated by |")
    args = ap.parse_args()
    if not os.path.exists(compare.STRIDED):
        sys.exit("build first: cargo build --release")
    compare.make_file(args.file)
    f8 = args.file + ".f8"
    compare.make_file(f8, "float64", "float64 noise")
    out = args.file + ".cancel.npy"
    only = set(args.only.split("|")) if args.only else None
    cases = [(name, s) for name, s, _, _ in compare.CASES] + EXTRA
    print(f"SIGINT at {args.points} points of each run; delays in ms from the signal\n")
    print("| task | run | stopped: median | stopped: max | exited: median | exited: max "
          "| between statements | finished first |")
    print("|---|---|---|---|---|---|---|---|")
    worst = []
    for name, s_cmd in cases:
        if only and name not in only:
            continue
        cmd = [compare.STRIDED, "-c", s_cmd.format(f=args.file, n=compare.N, f8=f8, out=out)]
        # The shorter of two runs (the first may read a file the page
        # cache dropped).
        length = min(compare.run(cmd)[0] for _ in range(2))
        if os.path.exists(out):
            os.remove(out)
        if length < 0.1:
            print(f"| {name} | {length:.3f} s | — | — | — | — | — | too short to interrupt |", flush=True)
            continue
        stops, exits, finished, between = [], [], 0, 0
        for k in range(1, args.points + 1):
            got = interrupted_run(cmd, length * k / (args.points + 1))
            if got is not None and got[0] is not None and os.path.exists(out):
                sys.exit(f"{name}: the interrupted save left {out}")
            if os.path.exists(out):
                os.remove(out)  # the save had finished
            if got is None:
                finished += 1
                continue
            exits.append(got[1] * 1e3)
            if got[0] is None:
                between += 1
            else:
                stops.append(got[0] * 1e3)
        cells = (f"{statistics.median(stops):.0f} | {max(stops):.0f}" if stops else "— | —")
        exit_cells = (f"{statistics.median(exits):.0f} | {max(exits):.0f}" if exits else "— | —")
        if stops:
            worst.append((max(stops), name))
        print(f"| {name} | {length:.3f} s | {cells} | {exit_cells} | {between} | {finished} |", flush=True)
    if worst:
        over = [n for m, n in worst if m > 100]
        print(f"\nlongest stop: {max(worst)[0]:.0f} ms ({max(worst)[1]}); "
              f"over 100 ms: {', '.join(over) if over else 'none'}")


if __name__ == "__main__":
    main()
