"""The demo catalog: products over several categories with photo-like generated images.

Images are textured (multi-octave noise, lit shapes, grain, label detail) rather than flat colours,
so that encoded sizes resemble real product photos and the media pipeline is exercised honestly.
"""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

CATEGORIES: dict[str, tuple[list[str], list[str]]] = {
    "coffee": (["Ethiopian", "Colombian", "Sumatra", "House", "Espresso", "Decaf"], ["Beans 250 g", "Ground 500 g", "Drip Bags", "Cold Brew Pack"]),
    "tea": (["Sencha", "Assam", "Earl Grey", "Rooibos", "Jasmine", "Oolong"], ["Loose Leaf", "Tea Bags", "Gift Tin", "Sampler"]),
    "kitchen": (["Enamel", "Cast Iron", "Bamboo", "Copper", "Stoneware", "Glass"], ["Mug", "Kettle", "Cutting Board", "Pour-over Set", "Jar"]),
    "outdoor": (["Trail", "Summit", "Canyon", "River", "Alpine", "Coastal"], ["Backpack", "Water Bottle", "Headlamp", "Rain Shell"]),
    "audio": (["Studio", "Pocket", "Wireless", "Retro", "Travel"], ["Headphones", "Speaker", "Earbuds", "Radio"]),
    "books": (["Illustrated", "Pocket", "Collector's", "Annotated"], ["Cookbook", "Field Guide", "Atlas", "Poetry Collection"]),
    "toys": (["Wooden", "Felt", "Magnetic", "Classic"], ["Train Set", "Puzzle", "Building Blocks", "Kite"]),
    "apparel": (["Merino", "Linen", "Organic Cotton", "Waxed"], ["Scarf", "Shirt", "Cap", "Tote Bag"]),
}

SIZE = (1280, 960)
# Currencies the demo can be priced in, with the factor from its euro price list (a rounded exchange rate, so a
# yuan price reads like one: ¥79.00, not ¥9.90).
DEMO_CURRENCIES = {"EUR": 1, "CNY": 8}


def _fractal(rng: random.Random, size: tuple[int, int], octaves: int = 6) -> Image.Image:
    """Greyscale multi-octave value noise, the texture behind every surface."""
    base = Image.new("L", size, 128)
    weight = 0.55
    for octave in range(octaves):
        cells = 4 * 2**octave
        layer = Image.effect_noise((cells, max(2, cells * size[1] // size[0])), 60 + rng.random() * 40)
        layer = layer.resize(size, Image.Resampling.BICUBIC)
        base = Image.blend(base, layer, weight)
        weight *= 0.6
    return ImageOps.autocontrast(base, cutoff=1)


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randint(20, 235), rng.randint(20, 235), rng.randint(20, 235))


def render_photo(rng: random.Random, size: tuple[int, int] = SIZE) -> Image.Image:
    """One photo-like product shot: textured backdrop, a lit object with shadow and label, sensor grain."""
    w, h = size
    backdrop = ImageOps.colorize(_fractal(rng, size), _colour(rng), _colour(rng))
    vignette = Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR)
    backdrop = ImageChops.subtract(backdrop, Image.merge("RGB", [vignette.point(lambda v: v // 3)] * 3))

    # The object: an ellipse-topped body, filled with its own texture and lit from the upper left.
    ow, oh = int(w * rng.uniform(0.3, 0.5)), int(h * rng.uniform(0.5, 0.75))
    ox, oy = (w - ow) // 2 + rng.randint(-w // 10, w // 10), (h - oh) // 2 + rng.randint(-h // 12, h // 12)
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    radius = rng.randint(ow // 8, ow // 3)
    draw.rounded_rectangle((ox, oy, ox + ow, oy + oh), radius=radius, fill=255)
    shadow = mask.filter(ImageFilter.GaussianBlur(w // 40)).point(lambda v: v * 3 // 5)
    backdrop = Image.composite(Image.new("RGB", size, (12, 10, 8)), backdrop, ImageChops.offset(shadow, w // 60, h // 40))
    surface = ImageOps.colorize(_fractal(rng, size, octaves=5), _colour(rng), _colour(rng))
    light = ImageOps.invert(Image.radial_gradient("L")).resize((ow * 2, oh * 2), Image.Resampling.BILINEAR)
    lit = Image.new("L", size, 0)
    lit.paste(light, (ox - ow * 2 // 3, oy - oh * 2 // 3))
    surface = ImageChops.multiply(surface, Image.merge("RGB", [lit.point(lambda v: 90 + v * 165 // 255)] * 3))
    photo = Image.composite(surface, backdrop, mask.filter(ImageFilter.GaussianBlur(1.5)))

    # A label with "text" strokes: the fine detail real packaging has.
    d = ImageDraw.Draw(photo)
    lx0, ly0 = ox + ow // 6, oy + oh // 3
    lx1, ly1 = ox + ow - ow // 6, oy + oh // 3 + oh // 4
    d.rectangle((lx0, ly0, lx1, ly1), fill=(235, 230, 220))
    ink = _colour(rng)
    y = ly0 + 10
    while y < ly1 - 12:
        x = lx0 + 10
        while x < lx1 - 20:
            word = rng.randint(12, 60)
            d.rectangle((x, y, min(x + word, lx1 - 10), y + rng.randint(4, 8)), fill=ink)
            x += word + rng.randint(6, 14)
        y += rng.randint(14, 22)
    highlight = Image.new("L", size, 0)
    ImageDraw.Draw(highlight).ellipse((ox + ow // 8, oy + oh // 12, ox + ow // 3, oy + oh // 4), fill=140)
    photo = Image.composite(Image.new("RGB", size, (255, 255, 250)), photo, highlight.filter(ImageFilter.GaussianBlur(w // 60)))

    grain = Image.effect_noise(size, 18).convert("RGB")
    photo = Image.blend(photo, ImageChops.add(photo, grain, scale=2.0, offset=-64), 0.18)
    return photo.filter(ImageFilter.SMOOTH_MORE) if rng.random() < 0.3 else photo


def _render_to(job: tuple[int, str]) -> None:
    """Render one photo from its own seed and save it (runs in a worker process)."""
    photo_seed, path = job
    render_photo(random.Random(photo_seed)).save(path, "JPEG", quality=90)


def write_demo_catalog(
    folder: Path, *, count: int = 72, seed: int = 7, quiet: bool = True, workers: int | None = None,
    currency: str = "EUR",
) -> Path:
    """Write ``count`` products as catalog.jsonl plus their JPEG photos into ``folder``; return the JSONL path.

    Photos render on all cores. The catalog lines depend only on ``seed``; the photos do not repeat bit for
    bit (Pillow's effect_noise has its own generator), which does not matter for a demo.
    """
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    from tqdm import tqdm

    factor = DEMO_CURRENCIES[currency]
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names = sorted(CATEGORIES)
    lines = []
    jobs: list[tuple[int, str]] = []
    for i in range(count):
        category = names[i % len(names)]
        adjectives, nouns = CATEGORIES[category]
        adjective, noun = rng.choice(adjectives), rng.choice(nouns)
        sku = f"{category[:3].upper()}-{i + 1:04d}"
        images = []
        for n in range(1 if rng.random() < 0.6 else 2):
            file_name = f"{sku}-{n + 1}.jpg"
            photo_seed = rng.getrandbits(32)
            if not (folder / file_name).exists():
                jobs.append((photo_seed, str(folder / file_name)))
            images.append(file_name)
        lines.append(
            {
                "id": sku,
                "name": f"{adjective} {noun}",
                "description": (
                    f"{adjective} {noun.lower()} from our {category} range. "
                    f"Chosen for everyday use, packed to travel well, and backed by our 30-day returns. "
                    f"Item {i + 1} of the demo catalog."
                ),
                "price": rng.choice([390, 590, 990, 1490, 1990, 2490, 3990, 5990, 8990, 12900]) * factor,
                "currency": currency,
                "category": category,
                "stock": rng.choice([0, 2, 4, 12, 25, 60, 150]),
                "images": images,
            }
        )
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers > 1:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for _ in tqdm(pool.map(_render_to, jobs), total=len(jobs), desc="demo photos", disable=quiet):
                pass
    else:
        for job in tqdm(jobs, desc="demo photos", disable=quiet):
            _render_to(job)
    path = folder / "catalog.jsonl"
    path.write_bytes(b"\n".join(msgspec.json.encode(line) for line in lines) + b"\n")
    return path
