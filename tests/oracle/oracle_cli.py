"""The command line every live oracle takes: `--live BIN`, `--cases N`,
`--seed S` (drawn at random and printed when not given, so a failing run
can be replayed)."""
import argparse, random


def parse(name, default_cases, unit="cases"):
    """The arguments, the seed and a random generator seeded with it; prints
    the seed line `NAME oracle: seed S, N UNIT`."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--live", required=True)
    ap.add_argument("--cases", type=int, default=default_cases)
    ap.add_argument("--seed", type=int)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print("%s oracle: seed %d, %d %s" % (name, seed, args.cases, unit))
    return args, random.Random(seed)
