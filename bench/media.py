"""Media pipeline benchmark: our variants against a naive Pillow pipeline, per source image, in the same run.

Naive: full decode, LANCZOS resize of the original to each width, default encoder settings.
Ours: media.pipeline.process_original (draft/reduce, resize chain, tuned encoders, placeholder, atomic writes).

    .venv/bin/python bench/media.py [FOLDER] [--generated N] [--repeat R]

Prints per image the best-of-R wall time of each pipeline (run in turn) and their ratio, then bytes and PSNR (dB, against a
LANCZOS resize of the full-resolution original) per variant, then totals and a Save-Data tier comparison.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageChops, ImageOps, ImageStat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.demo import render_photo  # noqa: E402
from media.pipeline import process_original  # noqa: E402
from media.variants import FORMATS, PIL_FORMATS, plan_widths, read_variant_bytes  # noqa: E402

LIMITS = {"max_bytes": 50_000_000, "max_pixels": 50_000_000}
DEFAULT_FOLDER = Path(__file__).resolve().parent.parent.parent / "shared" / "photos"


def naive(data: bytes) -> dict[tuple[int, str], bytes]:
    """The straightforward pipeline: full decode, resize the original to each width, default encoders; the encoded
    files (timed, then again outside the timed runs for their bytes and PSNR)."""
    im = Image.open(io.BytesIO(data))
    im.load()
    im = ImageOps.exif_transpose(im).convert("RGB")
    out = {}
    for width, px in plan_widths(im.width):
        resized = im.resize((px, max(1, round(im.height * px / im.width))), Image.Resampling.LANCZOS)
        for fmt in FORMATS:
            buf = io.BytesIO()
            resized.save(buf, PIL_FORMATS[fmt])
            out[(width, fmt)] = buf.getvalue()
    return out


def psnr(encoded: bytes, reference: Image.Image) -> float:
    """Peak signal-to-noise ratio of a decoded variant against the reference (higher is closer)."""
    decoded = Image.open(io.BytesIO(encoded)).convert("RGB")
    if decoded.size != reference.size:
        decoded = decoded.resize(reference.size, Image.Resampling.LANCZOS)
    stat = ImageStat.Stat(ImageChops.difference(decoded, reference))
    mse = sum(rms**2 for rms in stat.rms) / 3
    return 99.0 if mse == 0 else 10 * math.log10(255**2 / mse)


def best_times(fns, repeat: int) -> list[float]:
    """Best wall time of each function over ``repeat`` rounds, run in turn (so load changes hit both alike)."""
    best = [math.inf] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def sources(folder: Path, generated: int) -> list[tuple[str, bytes]]:
    items = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*")) if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp")]
    rng = random.Random(11)
    for i in range(generated):
        buf = io.BytesIO()
        render_photo(rng).save(buf, "JPEG", quality=90)
        items.append((f"generated-{i + 1}.jpg (1280x960)", buf.getvalue()))
    return items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--generated", type=int, default=3, help="photo-like images made with catalog.demo")
    parser.add_argument("--repeat", type=int, default=3, help="runs per pipeline and image; the best counts")
    args = parser.parse_args()

    totals = {"naive_s": 0.0, "ours_s": 0.0, "naive_b": 0, "ours_b": 0}
    avif320 = []
    lite_rows = []
    for name, data in sources(args.folder, args.generated):
        with tempfile.TemporaryDirectory() as tmp:
            t_naive, t_ours = best_times(
                [lambda: naive(data), lambda: process_original(data, name=name, data_dir=Path(tmp), **LIMITS)],
                args.repeat,
            )
            processed = process_original(data, name=name, data_dir=Path(tmp), **LIMITS)
            ours = {(v.width, v.format): read_variant_bytes(Path(tmp), processed.id, v.width, v.format)
                    for v in processed.variants}
        theirs = naive(data)
        original = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
        totals["naive_s"] += t_naive
        totals["ours_s"] += t_ours
        print(f"\n{name}: {original.width}x{original.height}, {len(data)} bytes; placeholder {len(processed.placeholder)} chars")
        print(f"  time  naive {t_naive * 1000:7.1f} ms   ours {t_ours * 1000:7.1f} ms   speed-up {t_naive / t_ours:4.1f}x")
        print(f"  {'variant':<11} {'naive B':>8} {'ours B':>8} {'ratio':>6} {'naive dB':>9} {'ours dB':>8}")
        for (width, fmt), blob in sorted(ours.items(), key=lambda kv: (kv[0][0], FORMATS.index(kv[0][1]))):
            px = next(p for w, p in plan_widths(original.width) if w == width)
            reference = original.resize((px, max(1, round(original.height * px / original.width))), Image.Resampling.LANCZOS)
            nb = theirs[(width, fmt)]
            totals["naive_b"] += len(nb)
            totals["ours_b"] += len(blob)
            if (width, fmt) == (320, "avif"):
                avif320.append((name, len(blob)))
            print(f"  {f'{width}.{fmt}':<11} {len(nb):>8} {len(blob):>8} {len(blob) / len(nb):>6.2f}"
                  f" {psnr(nb, reference):>9.2f} {psnr(blob, reference):>8.2f}")
        # Save-Data tier: a lower-quality file at the same width, or the same quality one width down?
        plan = plan_widths(original.width)
        for (w_hi, px_hi), (w_lo, _) in zip(reversed(plan), list(reversed(plan))[1:]):
            if w_hi != 640:
                continue
            hi = original.resize((px_hi, round(original.height * px_hi / original.width)), Image.Resampling.LANCZOS)
            for fmt, q in (("avif", 35), ("webp", 50)):
                buf = io.BytesIO()
                hi.save(buf, PIL_FORMATS[fmt], quality=q, **({"speed": 8} if fmt == "avif" else {"method": 3}))
                lite_rows.append((name, fmt, w_hi, len(ours[(w_hi, fmt)]), len(buf.getvalue()), w_lo,
                                  len(ours[(w_lo, fmt)])))
    print("\nTotals")
    print(f"  time  naive {totals['naive_s']:.2f} s   ours {totals['ours_s']:.2f} s   "
          f"speed-up {totals['naive_s'] / totals['ours_s']:.1f}x")
    print(f"  bytes naive {totals['naive_b']}   ours {totals['ours_b']}   ratio {totals['ours_b'] / totals['naive_b']:.2f}")
    print("  320 px AVIF: " + ", ".join(f"{n.split(' ')[0]} {b / 1000:.1f} KB" for n, b in avif320))
    print("\nSave-Data tier: same width at lower quality vs one width down at normal quality (bytes)")
    for name, fmt, w_hi, normal, lite, w_lo, down in lite_rows:
        print(f"  {name.split(' ')[0]:<22} {fmt:<5} {w_hi}@normal {normal:>7}  {w_hi}@lite {lite:>7}  {w_lo}@normal {down:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
