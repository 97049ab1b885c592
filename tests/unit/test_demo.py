"""The demo catalog: enough products over several categories, with photo-like (not flat) images."""

import json

import msgspec
from PIL import Image, ImageStat

from catalog.demo import write_demo_catalog
from catalog.models import ImportLine


def test_demo_catalog_has_valid_lines_over_several_categories_and_textured_photos(tmp_path):
    path = write_demo_catalog(tmp_path, count=16, seed=5)
    lines = [msgspec.json.decode(raw, type=ImportLine) for raw in path.read_bytes().splitlines()]
    assert 16 == len(lines)
    assert len({line.category for line in lines}) >= 6
    assert 16 == len({line.id for line in lines})
    assert [line.id for line in lines] == [json.loads(raw)["id"] for raw in path.read_bytes().splitlines()]
    for name in {name for line in lines for name in line.images}:
        photo = Image.open(tmp_path / name)
        assert (1280, 960) == photo.size
        # Textured: real spread of values and an encoded size like a photo's, not a flat fill.
        assert min(ImageStat.Stat(photo.convert("L")).stddev) > 15
        assert (tmp_path / name).stat().st_size > 40_000


def test_the_catalog_lines_depend_only_on_the_seed(tmp_path):
    a = write_demo_catalog(tmp_path / "a", count=6, seed=9).read_bytes()
    b = write_demo_catalog(tmp_path / "b", count=6, seed=9).read_bytes()
    assert a == b
