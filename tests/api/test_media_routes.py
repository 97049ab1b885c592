"""Media over HTTP: upload builds variants (AVIF after the answer), product JSON lists them, /media serves them."""

from __future__ import annotations

import io

import pytest
from litestar.testing import TestClient
from PIL import Image

from media import store as media_store
from media.describe import describe_images
from media.ingest import QUICK_FORMATS, build_missing, ingest_original
from tests.media_images import encode, png_header_only, smooth_rgb
from tests.built_app import app_for
from tests.utils import add_product, assert_problem

TYPES = {"avif": "image/avif", "webp": "image/webp", "jpg": "image/jpeg"}


def upload(client, admin_headers, data: bytes):
    return client.post("/api/admin/images", content=data, headers={**admin_headers, "Content-Type": "image/png"})


@pytest.fixture
def uploaded(client, admin_headers) -> str:
    response = upload(client, admin_headers, encode(smooth_rgb((400, 300)), "PNG"))
    assert 201 == response.status_code, response.text
    return response.json()["id"]


def test_upload_builds_every_variant_and_the_product_lists_them(client, fresh_db, uploaded):
    add_product(fresh_db, "P-1", images=[uploaded])
    image = client.get("/api/products/P-1").json()["images"][0]
    assert (uploaded, 400, 300) == (image["id"], image["width"], image["height"])
    assert image["placeholder"].startswith("data:image/webp;base64,") and len(image["placeholder"]) <= 300
    expected = {(px, f, f"/media/{uploaded}/{w}.{f}") for w, px in [(160, 160), (320, 320), (640, 400)]
                for f in ("avif", "webp", "jpg")}
    assert expected == {(v["width"], v["format"], v["url"]) for v in image["variants"]}
    for v in image["variants"]:
        response = client.get(v["url"])
        assert 200 == response.status_code
        assert v["bytes"] == len(response.content)
        assert v["width"] == Image.open(io.BytesIO(response.content)).width
    listing = client.get("/api/products").json()["items"][0]["image"]
    assert image == listing


@pytest.mark.parametrize("fmt", ["avif", "webp", "jpg"])
def test_variant_caching_headers_and_304(client, uploaded, fmt):
    response = client.get(f"/media/{uploaded}/320.{fmt}")
    assert 200 == response.status_code
    assert TYPES[fmt] == response.headers["content-type"]
    assert "public, max-age=31536000, immutable" == response.headers["cache-control"]
    assert "content-encoding" not in response.headers
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(f"/media/{uploaded}/320.{fmt}", headers={"If-None-Match": etag})
    assert 304 == again.status_code and b"" == again.content
    assert etag == again.headers["etag"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/{id}/500.webp",  # not a configured width
        "/media/{id}/960.webp",  # configured, but the original is smaller (never upscaled)
        "/media/{id}/320.png",
        "/media/{id}/320.gif",
        "/media/{id}/320",
        "/media/{id}/320.webp?w=77",  # no resize parameters: the query changes nothing
        "/media/" + "0" * 64 + "/320.webp",  # well-formed but unknown id
        "/media/not-an-id/320.webp",
        "/media/{id}/..%2F..%2Flastmile.db",
        "/media/{id}/-320.jpg",
    ],
)
def test_unknown_variants_are_404_problems(client, uploaded, path):
    response = client.get(path.format(id=uploaded))
    if "?w=" in path:
        assert 200 == response.status_code
        assert 320 == Image.open(io.BytesIO(response.content)).width
        return
    assert_problem(response, 404)
    assert "no-store" == response.headers["cache-control"]


def test_page_never_waits_for_avif(settings, fresh_db):
    image_id = ingest_original(fresh_db, settings.data_dir, encode(smooth_rgb((330, 200)), "PNG"), name="a.png",
                               max_bytes=10**6, max_pixels=10**6, formats=QUICK_FORMATS)
    described = describe_images(fresh_db.read(), [image_id])[image_id]
    assert {"webp", "jpg"} == {v.format for v in described.variants}
    assert ["avif"] == build_missing(fresh_db, settings.data_dir, image_id, max_bytes=10**6, max_pixels=10**6)
    described = describe_images(fresh_db.read(), [image_id])[image_id]
    assert {"avif", "webp", "jpg"} == {v.format for v in described.variants}
    assert [] == build_missing(fresh_db, settings.data_dir, image_id, max_bytes=10**6, max_pixels=10**6)


def test_reupload_of_the_same_bytes_does_no_work(client, admin_headers, uploaded, monkeypatch):
    import media.ingest

    def fail(*args, **kwargs):
        raise AssertionError("the pipeline ran again")

    monkeypatch.setattr(media.ingest, "process_original", fail)
    again = upload(client, admin_headers, encode(smooth_rgb((400, 300)), "PNG"))
    assert 201 == again.status_code and uploaded == again.json()["id"]


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (b"GIF89a but not really", 422, "upload: not a readable image"),
        (encode(smooth_rgb((300, 200)), "JPEG")[:1500], 422, "upload: not a readable image"),
        (png_header_only(60_000, 60_000), 422, "decompression bomb"),
        (b"", 422, "empty"),
        (b"\x89PNG" + b"\0" * 5000, 413, "limit"),
        (encode(Image.new("L", (1200, 1000)), "PNG"), 422, "pixels"),  # a small file, over the pixel limit
    ],
)
def test_bad_uploads_are_4xx_problems_and_store_nothing(settings, fresh_db, admin_headers, data, status, words):
    small = settings.with_(max_upload_bytes=4096, max_image_pixels=1_000_000)
    with TestClient(app_for(small, fresh_db)) as limited:
        assert_problem(upload(limited, admin_headers, data), status, words)
    assert [] == media_store.all_images(fresh_db.read())
    assert not (settings.data_dir / "originals").exists() and not (settings.data_dir / "variants").exists()
