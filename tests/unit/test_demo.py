"""The demo catalog: unique names, every product with images cut from a real photo of what it names."""

import json
import random

import msgspec
import pytest
from PIL import Image, ImageStat

from catalog.demo import CATEGORIES, PHOTOS, SUBJECTS, demo_products, render_subject, write_demo_catalog
from catalog.models import ImportLine
from server import i18n


def _signature(image: Image.Image) -> list[float]:
    """A tiny colour thumbnail, centred and scaled to unit length, for comparing what two images show."""
    small = image.convert("RGB").resize((24, 18), Image.Resampling.BOX)
    values = list(small.tobytes())
    mean = sum(values) / len(values)
    centred = [v - mean for v in values]
    norm = sum(v * v for v in centred) ** 0.5 or 1.0
    return [v / norm for v in centred]


def test_demo_catalog_has_valid_lines_over_every_category_and_real_photos(tmp_path):
    path = write_demo_catalog(tmp_path, count=16, seed=5)
    lines = [msgspec.json.decode(raw, type=ImportLine) for raw in path.read_bytes().splitlines()]
    assert 16 == len(lines)
    assert set(CATEGORIES) == {line.category for line in lines}
    assert 16 == len({line.id for line in lines})
    assert [line.id for line in lines] == [json.loads(raw)["id"] for raw in path.read_bytes().splitlines()]
    for line in lines:
        assert line.images, line.id
        for name in line.images:
            photo = Image.open(tmp_path / name)
            assert 1280 == max(photo.size)  # the widest variant, so every width is made
            assert min(ImageStat.Stat(photo.convert("L")).stddev) > 15  # a photo, not a flat fill


def test_the_catalog_lines_and_images_depend_only_on_the_seed(tmp_path):
    a = write_demo_catalog(tmp_path / "a", count=6, seed=9)
    b = write_demo_catalog(tmp_path / "b", count=6, seed=9)
    assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "a" / "APP-0001-1.jpg").read_bytes() == (tmp_path / "b" / "APP-0001-1.jpg").read_bytes()


@pytest.mark.parametrize("count", [72, 3000])
def test_no_two_products_share_a_name(count):
    names = [p.line["name"] for p in demo_products(count, seed=7)]
    assert len(names) == len(set(names))
    assert not [n for n in names if n.lower().startswith("product ")]


def test_the_mapping_covers_every_category_with_a_region_of_a_photo_that_exists():
    photos = {path.name: Image.open(path).size for path in PHOTOS.glob("*.jpg")}
    for key, subject in SUBJECTS.items():
        width, height = photos[subject.photo]
        left, top, right, bottom = subject.box
        assert 0 <= left < right <= width and 0 <= top < bottom <= height, key
        assert len(subject.adjectives) * len(subject.nouns) >= 16, key  # room for distinct names
    assert {s.category for s in SUBJECTS.values()} == set(CATEGORIES)
    for category in CATEGORIES:  # every category reads in both languages
        for locale in i18n.SUPPORTED:
            assert f"shop.category.{category}" in i18n.catalog(locale), (category, locale)
    for product in demo_products(200, seed=3):
        assert product.subject in CATEGORIES[product.line["category"]]


def test_each_products_image_shows_the_photo_region_of_its_subject():
    """A product's first image looks most like a region of its own subject's photo, among the regions of every
    subject cut straight from a photo (prints and books put the photo in a frame or on a cover, so they are left to the mapping test)."""
    plain = {key: s for key, s in SUBJECTS.items() if not (s.framed or s.book)}
    references = {key: _signature(Image.open(PHOTOS / s.photo).crop(s.box)) for key, s in plain.items()}
    wrong = []
    for product in demo_products(120, seed=11):
        if product.subject not in plain:
            continue
        image = render_subject(SUBJECTS[product.subject], random.Random(product.line["id"]))
        shown = _signature(image)
        nearest = max(references, key=lambda key: sum(a * b for a, b in zip(shown, references[key])))
        if SUBJECTS[nearest].photo != SUBJECTS[product.subject].photo:
            wrong.append((product.line["name"], product.subject, nearest))
    assert [] == wrong
