"""How fast this machine runs Python now: a fixed workload, its CPU time printed (docs/adr/0012).

    python3 bench/calibrate.py [--repeat 3]

The same machine's speed changed by about 1.5× between two sessions of 2026-12-06 (the same
tree's `mypy .` took 30-34 s of a `make check` in the evening and 49 s at night), which made
durations incomparable across runs. `.ci/run` prints this figure first, so that a duration can
be read against the machine it was measured on. Standard library only (it runs before the
virtualenv exists); the workload mixes what the suite does most: bytecode-heavy loops, sorting,
JSON, regular expressions and small-object allocation. Prints the best of `--repeat` tries (the
least disturbed), in seconds of CPU of this process.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time


def workload() -> int:
    rng = random.Random(2026)
    numbers = [rng.random() for _ in range(1_200_000)]
    numbers.sort()
    total = 0
    for i in range(6_000_000):
        total += i % 7
    rows = [
        {"code": f"{i:05d}", "nom": f"Commune {i}", "population": i * 3} for i in range(160_000)
    ]
    text = json.dumps(rows)
    decoded = json.loads(text)
    pattern = re.compile(r"Commune (\d+)7\b")
    matches = sum(1 for row in decoded if pattern.match(row["nom"]))
    return total + matches + len(numbers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    best = float("inf")
    for _ in range(max(options.repeat, 1)):
        started = time.process_time()
        workload()
        best = min(best, time.process_time() - started)
    print(
        f"calibration : {best:.2f} s de CPU (bench/calibrate.py, la meilleure de {options.repeat})"
    )


if __name__ == "__main__":
    main()
