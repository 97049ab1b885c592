"""Images through the CLI import, seed-demo and `media rebuild`: variants built on a pool, bad files skipped."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from media import store as media_store
from server.cli.main import main as cli_main
from server.stores import open_database
from tests.media_images import (
    encode,
    noisy_rgb,
    png_header_only,
    rotated_jpeg,
    smooth_rgb,
)
from tests.utils import ADMIN_TOKEN


@pytest.fixture
def cli_env(settings, monkeypatch):
    """CLI settings from the environment, pointing at this test's data dir; one media worker unless a test says."""
    monkeypatch.setenv("LASTMILE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LASTMILE_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.setenv("LASTMILE_MEDIA_WORKERS", "1")
    monkeypatch.setenv("LASTMILE_MAX_IMAGE_PIXELS", "1000000")
    return settings


def line(sku: str, images: list[str]) -> str:
    return json.dumps({"id": sku, "name": sku, "price": 100, "currency": "EUR", "category": "tea", "stock": 3,
                       "images": images})


def write_catalog(tmp_path, files: dict[str, bytes], lines: list[str]):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "catalog.jsonl").write_text("\n".join(lines) + "\n")
    return folder / "catalog.jsonl"


def stored(settings) -> tuple[list[dict], dict[str, list[dict]]]:
    database = open_database(settings)
    try:
        images = media_store.all_images(database.read())
        return images, media_store.get_variants(database.read(), [i["id"] for i in images])
    finally:
        database.close()


def test_bad_images_skip_their_line_store_nothing_and_the_import_goes_on(cli_env, tmp_path, capsys):
    good = encode(smooth_rgb((330, 220)), "PNG")
    source = write_catalog(tmp_path, {
        "good.png": good,
        "rotated.jpg": rotated_jpeg(6),
        "bomb.png": png_header_only(50_000, 50_000),
        "truncated.jpg": encode(smooth_rgb((300, 300)), "JPEG")[:900],
        "notes.jpg": b"just some text, not a photo",
        "huge.png": encode(smooth_rgb((1100, 1000)), "PNG"),  # 1.1 MP over the 1 MP limit
    }, [
        line("OK-1", ["good.png", "rotated.jpg"]),
        line("BAD-2", ["good.png", "bomb.png"]),
        line("BAD-3", ["truncated.jpg"]),
        line("BAD-4", ["notes.jpg"]),
        line("BAD-5", ["huge.png"]),
        line("OK-6", ["good.png"]),
    ])
    assert 1 == cli_main(["import-catalog", str(source), "--quiet"])
    out, err = capsys.readouterr()
    assert "2 created, 0 updated, 0 unchanged, 4 skipped" in out
    skipped = [(2, "bomb.png"), (3, "truncated.jpg"), (4, "notes.jpg"), (5, "huge.png")]
    assert [] == [(n, name) for n, name in skipped if not any(f":{n}: skipped: {name}: " in e for e in err.splitlines())], err
    images, variants = stored(cli_env)
    assert 2 == len(images)  # only the two good files; nothing of the bad ones
    assert 2 == len(list((cli_env.data_dir / "originals").rglob("*.*")))
    assert {(32, 64), (330, 220)} == {(i["width"], i["height"]) for i in images}
    assert sorted([3, 9]) == sorted(len(v) for v in variants.values())  # 1 width for 32 px, 3 for 330 px; 3 formats


def test_oversized_file_skips_its_line(cli_env, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LASTMILE_MAX_UPLOAD_BYTES", "2048")
    source = write_catalog(tmp_path, {"big.jpg": encode(noisy_rgb((120, 90)), "JPEG", quality=95),
                                      "small.png": encode(Image.new("RGB", (40, 30), (1, 2, 3)), "PNG")},
                           [line("BIG-1", ["big.jpg"]), line("SMALL-2", ["small.png"])])
    assert 1 == cli_main(["import-catalog", str(source), "--quiet"])
    out, err = capsys.readouterr()
    assert "1 created, 0 updated, 0 unchanged, 1 skipped" in out
    assert ":1: skipped: image 'big.jpg': " in err and "more than the limit of 2048" in err
    assert 1 == len(stored(cli_env)[0])


def test_reimport_does_no_image_work(cli_env, tmp_path, capsys, monkeypatch):
    source = write_catalog(tmp_path, {"a.png": encode(smooth_rgb((200, 100)), "PNG")}, [line("R-1", ["a.png"])])
    assert 0 == cli_main(["import-catalog", str(source), "--quiet"])
    files = {p: p.stat().st_mtime_ns for p in cli_env.data_dir.rglob("*") if p.suffix in (".avif", ".webp", ".jpg")}
    assert 6 == len(files)

    import media.batch

    def fail(*args, **kwargs):
        raise AssertionError("the pipeline ran again")

    monkeypatch.setattr(media.batch, "process_original", fail)
    assert 0 == cli_main(["import-catalog", str(source), "--quiet"])
    assert "0 created, 0 updated, 1 unchanged, 0 skipped" in capsys.readouterr().out
    assert files == {p: p.stat().st_mtime_ns for p in files}


def test_import_on_a_process_pool(cli_env, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LASTMILE_MEDIA_WORKERS", "2")
    files = {f"p{i}.png": encode(smooth_rgb((170 + i, 120)), "PNG") for i in range(3)}
    files["dup.png"] = files["p0.png"]  # same bytes under another name: built once
    files["bad.png"] = b"\x89PNG\r\n\x1a\nnope"
    source = write_catalog(tmp_path, files, [line(f"Q-{i}", [name]) for i, name in enumerate(files)])
    assert 1 == cli_main(["import-catalog", str(source), "--quiet"])
    assert "4 created, 0 updated, 0 unchanged, 1 skipped" in capsys.readouterr().out
    images, variants = stored(cli_env)
    assert 3 == len(images)
    assert all(6 == len(v) for v in variants.values())  # 160 and the 320 bucket, in 3 formats each


def test_media_rebuild_rebuilds_every_variant(cli_env, tmp_path, capsys):
    source = write_catalog(tmp_path, {"a.png": encode(smooth_rgb((180, 100)), "PNG")}, [line("M-1", ["a.png"])])
    assert 0 == cli_main(["import-catalog", str(source), "--quiet"])
    variant = next((cli_env.data_dir / "variants").rglob("320.avif"))
    variant.unlink()
    assert 0 == cli_main(["media", "rebuild", "--quiet"])
    assert "rebuilt 1 image(s), 0 failed" in capsys.readouterr().out
    assert variant.exists()


def test_seed_demo_serves_real_variants(cli_env, capsys, monkeypatch):
    monkeypatch.setenv("LASTMILE_MAX_IMAGE_PIXELS", "2000000")
    assert 0 == cli_main(["seed-demo", "--count", "1", "--shoppers", "12", "--quiet"])
    images, variants = stored(cli_env)
    assert images and all(15 == len(v) for v in variants.values())  # demo photos are 1280 wide: 5 widths × 3
    assert {"avif", "webp", "jpg"} == {v["format"] for vs in variants.values() for v in vs}
    out = capsys.readouterr().out
    assert "12 demo shopper(s)" in out
    database = open_database(cli_env)
    assert 300 <= database.read().execute("SELECT count(*) FROM rewards").fetchone()[0]
    from loyalty.demo import seed_rewards

    assert 0 == seed_rewards(database)
    database.close()


def test_media_rebuild_missing_builds_only_what_is_absent(cli_env, capsys):
    from media.ingest import QUICK_FORMATS, ingest_original

    database = open_database(cli_env)
    image_id = ingest_original(database, cli_env.data_dir, encode(smooth_rgb((200, 120)), "PNG"), name="a.png",
                               max_bytes=10**6, max_pixels=10**6, formats=QUICK_FORMATS)
    database.close()
    webp = next((cli_env.data_dir / "variants").rglob("320.webp"))
    before = webp.stat().st_mtime_ns
    assert 0 == cli_main(["media", "rebuild", "--missing", "--quiet"])
    _, variants = stored(cli_env)
    assert {"avif", "webp", "jpg"} == {v["format"] for v in variants[image_id]}
    assert before == webp.stat().st_mtime_ns  # WebP was there already: not rewritten
