"""How long the demo catalog's lines and images take to write (the part of `make serve`'s seed before the import).

    .venv/bin/python bench/demo_seed.py [--count 72] [--seed 7]

Prints wall and CPU seconds, images written and their bytes. Single process (what a seed of a few hundred uses).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.demo import write_demo_catalog  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=72)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        wall, cpu = time.perf_counter(), time.process_time()
        write_demo_catalog(Path(folder), count=args.count, seed=args.seed, workers=1)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        images = list(Path(folder).glob("*.jpg"))
        size = sum(p.stat().st_size for p in images)
    print(f"{args.count} products, {len(images)} images, {size / 1e6:.1f} MB: {wall:.1f} s wall, {cpu:.1f} s CPU")


if __name__ == "__main__":
    main()
