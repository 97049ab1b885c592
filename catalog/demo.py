"""The demo catalog: products whose names are unique and whose images show what they name.

Every product's image is cut from one of three real photographs kept in ``catalog/demo_photos/`` (CC0 and
public domain, README.md there): an espresso cup on a saucer, a cat, an astronaut with a shuttle model and a
helmet. ``SUBJECTS`` is the mapping table, kept next to the photos in ``demo_photos/subjects.toml``: a region of
one photo (the cup, the spoon, the shuttle, ...), the category it can illustrate, and the names it can carry;
each product takes a subject of its category and a variant of its region (a slightly different crop, light and
colour; tea's matcha is the crema turned green, a print is the photo in a frame on a wall), so no two products
share an image and every image looks like its name.

``render_photo`` (generated, photo-like textures) stays for the media bench and tests that need many distinct
photos.
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import msgspec
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageOps

PHOTOS = Path(__file__).resolve().parent / "demo_photos"
LONG_SIDE = 1280  # the widest variant (media widths 160..1280), so the demo exercises every width


@dataclass(frozen=True)
class Subject:
    """What one region of a demo photo shows, the category it illustrates and the names it can carry."""

    photo: str  # file in PHOTOS
    box: tuple[int, int, int, int]  # left, top, right, bottom in the photo's pixels
    category: str
    adjectives: tuple[str, ...]
    nouns: tuple[str, ...]
    blurb: str  # the description's first sentence
    prices: tuple[int, ...]  # euro cents
    hue: int = 0  # degrees turned on the colour wheel (the matcha is the espresso's crema turned green)
    saturation: float = 1.0  # colour kept after the turn (a turned hue is louder than the photo's own)
    framed: bool = False  # shown as a print in a frame on a wall
    book: bool = False  # shown as a book with the photo on its cover


def _subjects(path: Path) -> dict[str, Subject]:
    """The mapping table, one TOML table a subject, in the file's order (lists become tuples)."""
    with path.open("rb") as file:
        tables = tomllib.load(file)
    return {name: Subject(**{key: tuple(value) if isinstance(value, list) else value for key, value in fields.items()})
            for name, fields in tables.items()}


SUBJECTS: dict[str, Subject] = _subjects(PHOTOS / "subjects.toml")
CATEGORIES: dict[str, list[str]] = {}
for _name, _subject in SUBJECTS.items():
    CATEGORIES.setdefault(_subject.category, []).append(_name)
"""Each category's subjects, in SUBJECTS order (the mapping the demo draws from)."""

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


@lru_cache(maxsize=8)
def _photo(name: str) -> Image.Image:
    return Image.open(PHOTOS / name).convert("RGB")


def _turn_hue(image: Image.Image, degrees: int) -> Image.Image:
    h, s, v = image.convert("HSV").split()
    shift = round(degrees * 256 / 360)
    return Image.merge("HSV", (h.point(lambda x: (x + shift) % 256), s, v)).convert("RGB")


def _framed(photo: Image.Image, rng: random.Random) -> Image.Image:
    """The photo as a print: a white mat in a thin frame, hung on a softly lit wall."""
    wall = ImageOps.colorize(Image.radial_gradient("L").resize((LONG_SIDE, LONG_SIDE * 3 // 4)),
                             rng.choice([(236, 232, 224), (226, 232, 236), (238, 230, 230)]), (150, 150, 146))
    frame_colour = rng.choice([(28, 26, 24), (120, 84, 52), (200, 200, 196)])
    inner_h = wall.height * 3 // 5
    inner = photo.resize((inner_h * photo.width // photo.height, inner_h), Image.Resampling.LANCZOS)
    mat, edge = inner_h // 12, inner_h // 40
    w, h = inner.width + 2 * (mat + edge), inner.height + 2 * (mat + edge)
    x, y = (wall.width - w) // 2, (wall.height - h) // 2 - wall.height // 30
    shadow = Image.new("L", wall.size, 0)
    ImageDraw.Draw(shadow).rectangle((x + 14, y + 18, x + w + 14, y + h + 18), fill=110)
    wall = Image.composite(Image.new("RGB", wall.size, (60, 58, 56)), wall, shadow.filter(ImageFilter.GaussianBlur(18)))
    draw = ImageDraw.Draw(wall)
    draw.rectangle((x, y, x + w, y + h), fill=frame_colour)
    draw.rectangle((x + edge, y + edge, x + w - edge, y + h - edge), fill=(248, 247, 243))
    wall.paste(inner, (x + edge + mat, y + edge + mat))
    return wall


def _book(photo: Image.Image, rng: random.Random) -> Image.Image:
    """A book lying on a table: the photo fills its cover under a title band, with a spine and page edges."""
    table = ImageOps.colorize(Image.linear_gradient("L").resize((LONG_SIDE, LONG_SIDE * 3 // 4)),
                              rng.choice([(214, 196, 170), (205, 210, 212), (222, 214, 204)]), (150, 128, 104))
    h = table.height * 4 // 5
    w = h * 2 // 3
    cover = ImageOps.fit(photo, (w, h), Image.Resampling.LANCZOS)
    band = rng.choice([(24, 38, 64), (120, 24, 32), (248, 246, 240), (16, 70, 58)])
    ink = (30, 30, 30) if sum(band) > 600 else (245, 242, 232)
    draw = ImageDraw.Draw(cover)
    draw.rectangle((0, 0, w, h // 5), fill=band)
    y = h // 18
    for width in (0.7, 0.5):  # a title and an author, as strokes: the type a thumbnail shows anyway
        draw.rounded_rectangle(((w - w * width) / 2, y, (w + w * width) / 2, y + h // 28), radius=h // 80, fill=ink)
        y += h // 14
    spine = w // 14
    x, y = (table.width - w - spine) // 2, (table.height - h) // 2
    shadow = Image.new("L", table.size, 0)
    ImageDraw.Draw(shadow).rectangle((x + 16, y + 20, x + w + spine + 22, y + h + 20), fill=120)
    table = Image.composite(Image.new("RGB", table.size, (50, 42, 36)), table, shadow.filter(ImageFilter.GaussianBlur(20)))
    draw = ImageDraw.Draw(table)
    draw.rectangle((x + spine + w - 4, y + 6, x + spine + w + 8, y + h - 4), fill=(236, 230, 214))  # page edges
    draw.rectangle((x, y, x + spine, y + h), fill=tuple(max(0, c - 40) for c in band))
    table.paste(cover, (x + spine, y))
    return table


def render_subject(subject: Subject, rng: random.Random, *, detail: bool = False) -> Image.Image:
    """One product image of ``subject``: its region with a little crop, light and colour of its own, scaled to
    ``LONG_SIDE``; ``detail`` zooms in further (a product's second image)."""
    left, top, right, bottom = subject.box
    zoom = rng.uniform(0.55, 0.7) if detail else rng.uniform(0.86, 1.0)
    w, h = (right - left) * zoom, (bottom - top) * zoom
    x = left + rng.uniform(0, right - left - w)
    y = top + rng.uniform(0, bottom - top - h)
    image = _photo(subject.photo).crop((round(x), round(y), round(x + w), round(y + h)))
    if subject.hue:
        image = _turn_hue(image, subject.hue + rng.randint(-6, 6))
    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.93, 1.08))
    image = ImageEnhance.Color(image).enhance(subject.saturation * rng.uniform(0.9, 1.15))
    if subject.framed:
        return _framed(image, rng)
    if subject.book:
        return _book(image, rng)
    scale = LONG_SIDE / max(image.size)
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)


@dataclass(frozen=True)
class DemoProduct:
    """One demo product before it is written: its catalog line and the subject its images show."""

    line: dict
    subject: str


def demo_products(count: int, seed: int = 7, currency: str = "EUR") -> list[DemoProduct]:
    """``count`` products over every category in turn, each a subject of its category with a name no other has.

    Names are the subject's adjective × noun pairs in a seeded order; past the last pair a subject's names go
    round again as a numbered edition ("…, edition 2"), so even 10,000 products never share a name."""
    factor = DEMO_CURRENCIES[currency]
    rng = random.Random(seed)
    names: dict[str, list[str]] = {}
    for key, subject in SUBJECTS.items():
        pairs = [f"{a} {n}" for a in subject.adjectives for n in subject.nouns]
        rng.shuffle(pairs)
        names[key] = pairs
    used = {key: 0 for key in SUBJECTS}
    categories = sorted(CATEGORIES)
    products = []
    for i in range(count):
        category = categories[i % len(categories)]
        subjects = CATEGORIES[category]
        key = subjects[(i // len(categories)) % len(subjects)]
        subject = SUBJECTS[key]
        n = used[key]
        used[key] += 1
        pairs = names[key]
        name = pairs[n % len(pairs)] + (f", edition {n // len(pairs) + 1}" if n >= len(pairs) else "")
        sku = f"{category[:3].upper()}-{i + 1:04d}"
        images = [f"{sku}-{k + 1}.jpg" for k in range(1 if rng.random() < 0.6 else 2)]
        line = {
            "id": sku,
            "name": name,
            "description": (f"{subject.blurb}\n\nPacked to travel well; return it within 7 days of delivery, no reason needed."),
            "price": rng.choice(subject.prices) * factor,
            "currency": currency,
            "category": category,
            "stock": rng.choice([0, 2, 4, 12, 25, 60, 150]),
            "images": images,
        }
        products.append(DemoProduct(line=line, subject=key))
    return products


def _render_to(job: tuple[str, int, bool, str]) -> None:
    """Render one product image from its subject and seed and save it (may run in a worker process)."""
    key, image_seed, detail, path = job
    render_subject(SUBJECTS[key], random.Random(image_seed), detail=detail).save(path, "JPEG", quality=88)


def write_demo_catalog(
    folder: Path, *, count: int = 72, seed: int = 7, quiet: bool = True, workers: int | None = None,
    currency: str = "EUR",
) -> Path:
    """Write ``count`` products as catalog.jsonl plus their JPEG images into ``folder``; return the JSONL path.

    Lines and images depend only on ``seed``. Cutting an image from a photo takes milliseconds, so a few
    hundred render in this process; larger catalogs use every core.
    """
    import os
    from concurrent.futures import ProcessPoolExecutor

    from tqdm import tqdm

    folder.mkdir(parents=True, exist_ok=True)
    products = demo_products(count, seed, currency)
    jobs = []
    for product in products:
        image_rng = random.Random(f"{seed}:{product.line['id']}")
        for k, file_name in enumerate(product.line["images"]):
            image_seed = image_rng.getrandbits(32)
            if not (folder / file_name).exists():
                jobs.append((product.subject, image_seed, k > 0, str(folder / file_name)))
    workers = workers or (min(os.cpu_count() or 1, 8) if len(jobs) > 400 else 1)
    if workers > 1:
        import multiprocessing

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
            for _ in tqdm(pool.map(_render_to, jobs, chunksize=16), total=len(jobs), desc="demo photos", disable=quiet):
                pass
    else:
        for job in tqdm(jobs, desc="demo photos", disable=quiet):
            _render_to(job)
    path = folder / "catalog.jsonl"
    path.write_bytes(b"\n".join(msgspec.json.encode(p.line) for p in products) + b"\n")
    return path
